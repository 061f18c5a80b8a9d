/**
 * Generates calls of any registered kernel from its spec: dimensions from a list of awkward
 * sizes (0, 1, 3, 17, 4099 ...), leading dimensions with padding, pointers shifted by one
 * element so SIMD loads are not 16-byte aligned, and inputs that make sense for the kernel
 * (SPD matrices for cholesky, a dominant diagonal for trsv).
 */
import { extentElements, type KernelSpec, type KernelName } from "../../src/kernels/index.js";
import { normals, rng } from "./random.js";

export const VECTOR_SIZES = [0, 1, 2, 3, 7, 17, 64, 1000, 4099];
/** Square-matrix kernels (one dimension, n x n data): n^3 work, so smaller sizes. */
const SQUARE_SIZES = [0, 1, 2, 3, 7, 17, 64, 130];
const PAIRS: [number, number][] = [
  [0, 0],
  [0, 3],
  [3, 0],
  [1, 1],
  [2, 3],
  [3, 7],
  [7, 2],
  [17, 17],
  [64, 5],
  [5, 64],
  [1000, 3],
  [130, 33],
  [4099, 2],
  [11, 257],
  [9, 100],
  [19, 1031],
  [8, 1024],
];
const TRIPLES: [number, number, number][] = [
  [0, 0, 0],
  [1, 1, 1],
  [3, 5, 7],
  [17, 3, 64],
  [4, 4, 4],
  [65, 67, 257],
  [70, 515, 9],
  [129, 31, 300],
  [2, 9, 0],
];

export interface KernelCase {
  label: string;
  /** Argument values, with pointer arguments left as null (filled in per backend). */
  scalars: (number | null)[];
  dims: Record<string, number>;
  /** Data for each pointer argument (by argument index). */
  data: Map<number, Float64Array>;
  /** Element offset of each pointer inside its allocation (after the guard). */
  shift: number;
}

const SPECIAL_VALUES = [NaN, Infinity, -Infinity, 0, -0, 5e-324, 1e-310, -2.5e-320];
const HUGE_VALUES = [1e300, -1e300, 7.1e2, -7.5e2];

function spdMatrix(n: number, ld: number, random: () => number): Float64Array {
  const elements = n === 0 ? 0 : (n - 1) * ld + n;
  const a = normals(random, elements);
  const b = normals(random, n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? 1 : 0;
      for (let k = 0; k < n; k++) s += (b[i * n + k]! * b[j * n + k]!) / n;
      a[i * ld + j] = s;
    }
  }
  return a;
}

function triangular(n: number, ld: number, random: () => number): Float64Array {
  const elements = n === 0 ? 0 : (n - 1) * ld + n;
  const a = normals(random, elements).map((v) => v / Math.max(1, n));
  for (let i = 0; i < n; i++) a[i * ld + i] = 1 + random();
  return a;
}

/** The calls to try for one kernel; `specials` sprinkles NaN, infinities, zeros and subnormals into inputs. */
export function kernelCases(name: KernelName, spec: KernelSpec, specials = false): KernelCase[] {
  const dimNames = spec.args.filter((a) => a.kind === "dim").map((a) => a.name);
  const square = spec.args.some((a) => a.kind === "ptr" && a.extent.kind === "matrix");
  const dimSets: number[][] =
    dimNames.length === 1 ? (square ? SQUARE_SIZES : VECTOR_SIZES).map((n) => [n]) : dimNames.length === 2 ? PAIRS : TRIPLES;
  return dimSets.map((values, caseIndex) => {
    const random = rng(1000 * caseIndex + name.length * 7919 + (specials ? 1 : 0));
    const dims: Record<string, number> = {};
    dimNames.forEach((d, i) => (dims[d] = values[i]!));
    const pad = [0, 1, 3][caseIndex % 3]!;
    const scalars: (number | null)[] = [];
    const data = new Map<number, Float64Array>();
    for (const arg of spec.args) {
      if (arg.kind === "ld") dims[arg.name] = Math.max(1, dims[arg.cols]!) + pad;
    }
    spec.args.forEach((arg, i) => {
      switch (arg.kind) {
        case "dim":
        case "ld":
          scalars.push(dims[arg.name]!);
          break;
        case "flag":
          scalars.push(arg.name === "lower" ? caseIndex & 1 : (caseIndex >> 1) & 1);
          break;
        case "u32":
          scalars.push(Math.floor(random() * 2 ** 32));
          break;
        case "index":
          // odd and even starts (a chunk may begin inside a Box-Muller pair), small and huge
          scalars.push(caseIndex % 3 === 2 ? 2 ** 52 + caseIndex : Math.floor(random() * 1e6) * 2 + (caseIndex & 1));
          break;
        case "scalar":
          if (arg.name === "beta" && caseIndex % 3 === 0) scalars.push(0);
          else if (arg.name === "b0") scalars.push(0.5 * (random() - 0.5));
          else scalars.push(2 * random() - 1 || 0.5);
          break;
        case "ptr": {
          scalars.push(null);
          const elements = extentElements(arg.extent, dims);
          let values: Float64Array;
          if ((name === "cholesky" || name === "spdSolve") && arg.name === "a") {
            values = spdMatrix(dims.n!, dims.lda!, random);
          } else if (name === "trsv" && arg.name === "a") {
            values = triangular(dims.n!, dims.lda!, random);
          } else if (spec.family === "glm" && arg.name === "w") {
            values = normals(random, elements).map((v) => v / Math.sqrt(Math.max(1, elements)));
          } else if (spec.family === "glm" && arg.name === "y") {
            values = Float64Array.from({ length: elements }, () =>
              name.includes("Logistic") ? (random() < 0.5 ? 0 : 1) : name.includes("Poisson") ? Math.floor(4 * random()) : random(),
            );
          } else if (spec.family === "glm" && arg.name === "sw") {
            // sample weights: >= 0, some exactly 0 (a row left out), some 1, others anywhere up to 3
            values = Float64Array.from({ length: elements }, () => {
              const u = random();
              return u < 0.15 ? 0 : u < 0.3 ? 1 : 3 * random();
            });
          } else if (arg.name === "scratch") {
            values = new Float64Array(elements);
          } else {
            values = normals(random, elements);
          }
          const beta = spec.args.findIndex((a) => a.name === "beta");
          if (arg.access === "readwrite" && beta >= 0 && scalars[beta] === 0) values.fill(NaN); // beta = 0: never read
          if (specials && arg.access === "read") {
            const pool = spec.accuracy.kind === "sum" ? SPECIAL_VALUES : [...SPECIAL_VALUES, ...HUGE_VALUES];
            for (let e = 0; e < elements; e++) {
              if (random() < 0.15) values[e] = pool[Math.floor(random() * pool.length)]!;
            }
          }
          data.set(i, values);
          break;
        }
      }
    });
    const label = Object.entries(dims)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ");
    return { label, scalars, dims, data, shift: caseIndex % 2 };
  });
}
