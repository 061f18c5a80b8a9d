/** Elementwise kernels and reductions in plain TypeScript, on Math's functions: the reference. */
import { at, type Heap } from "./heap.js";

const softplusTail = (x: number): number => Math.log1p(Math.exp(-Math.abs(x)));

export const UNARY_OPS = {
  neg: (x: number) => -x,
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  log1p: Math.log1p,
  expm1: Math.expm1,
  sqrt: Math.sqrt,
  reciprocal: (x: number) => 1 / x,
  square: (x: number) => x * x,
  sigmoid: (x: number) => {
    const e = Math.exp(-Math.abs(x));
    return x >= 0 ? 1 / (1 + e) : e / (1 + e);
  },
  logSigmoid: (x: number) => Math.min(x, 0) - softplusTail(x),
  tanh: Math.tanh,
} as const;

export const BINARY_OPS = {
  add: (a: number, b: number) => a + b,
  sub: (a: number, b: number) => a - b,
  mul: (a: number, b: number) => a * b,
  div: (a: number, b: number) => a / b,
  pow: Math.pow,
  min: Math.min,
  max: Math.max,
} as const;

type Unary = keyof typeof UNARY_OPS;
type Binary = keyof typeof BINARY_OPS;
type UnaryKernel = (n: number, x: number, y: number) => void;
type VVKernel = (n: number, x: number, y: number, z: number) => void;
type VSKernel = (n: number, x: number, s: number, z: number) => void;
type SVKernel = (n: number, s: number, x: number, z: number) => void;

export function elementwiseKernels(heap: Heap) {
  const unary = (f: (x: number) => number): UnaryKernel => (n, x, y) => {
    const H = heap.f64, xi = at(x), yi = at(y);
    for (let i = 0; i < n; i++) H[yi + i] = f(H[xi + i]!);
  };
  const vv = (f: (a: number, b: number) => number): VVKernel => (n, x, y, z) => {
    const H = heap.f64, xi = at(x), yi = at(y), zi = at(z);
    for (let i = 0; i < n; i++) H[zi + i] = f(H[xi + i]!, H[yi + i]!);
  };
  const vs = (f: (a: number, b: number) => number): VSKernel => (n, x, s, z) => {
    const H = heap.f64, xi = at(x), zi = at(z);
    for (let i = 0; i < n; i++) H[zi + i] = f(H[xi + i]!, s);
  };
  const sv = (f: (a: number, b: number) => number): SVKernel => (n, s, x, z) => {
    const H = heap.f64, xi = at(x), zi = at(z);
    for (let i = 0; i < n; i++) H[zi + i] = f(s, H[xi + i]!);
  };

  const unaries = Object.fromEntries(
    Object.entries(UNARY_OPS).map(([name, f]) => [name, unary(f)]),
  ) as Record<Unary, UnaryKernel>;
  const binaries = {} as Record<`${Binary}VV`, VVKernel> & Record<`${Binary}VS`, VSKernel> & Record<`${Binary}SV`, SVKernel>;
  for (const [name, f] of Object.entries(BINARY_OPS) as [Binary, (a: number, b: number) => number][]) {
    binaries[`${name}VV`] = vv(f);
    binaries[`${name}VS`] = vs(f);
    binaries[`${name}SV`] = sv(f);
  }

  const reduce = (initial: number, f: (acc: number, v: number) => number) => (n: number, x: number): number => {
    const H = heap.f64, xi = at(x);
    let acc = initial;
    for (let i = 0; i < n; i++) acc = f(acc, H[xi + i]!);
    return acc;
  };

  return {
    ...unaries,
    ...binaries,
    sum: reduce(0, (a, v) => a + v),
    sumSquares: reduce(0, (a, v) => a + v * v),
    min: reduce(Infinity, Math.min),
    max: reduce(-Infinity, Math.max),
    rowSums(m: number, n: number, a: number, lda: number, out: number): void {
      const H = heap.f64, ai = at(a), oi = at(out);
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += H[ai + i * lda + j]!;
        H[oi + i] = s;
      }
    },
    colSums(m: number, n: number, a: number, lda: number, out: number): void {
      const H = heap.f64, ai = at(a), oi = at(out);
      H.fill(0, oi, oi + n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) H[oi + j] = H[oi + j]! + H[ai + i * lda + j]!;
    },
  };
}
