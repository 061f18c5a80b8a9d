/**
 * `weft bench kernels`: GB/s and GFLOP/s of each kernel family on each backend, on data larger
 * than the caches, beside the machine's streaming read bandwidth measured in the same run (a
 * wasm-simd sum over a large buffer). Bytes count what a kernel must move at the least (each
 * input read once, each output written once); FLOPs count multiplies and adds.
 */
import { logisticBeta, logisticProblemChunk, type BackendName, type KernelName } from "weftjs";
import { Kernels, GEMM_SCRATCH_ELEMENTS } from "weftjs/kernels";
import { median, time } from "./measure.js";

export interface KernelBenchResult {
  kernel: string;
  backend: BackendName;
  n: number;
  p: number | null;
  ms: number;
  GBs: number | null;
  GFLOPs: number | null;
  /** Streaming bandwidth measured right before this case: the ceiling it is compared with. */
  streamGBs: number;
  /**
   * Where the operands live: "memory" (64 MiB, far larger than the caches) or "cache" (256 KiB,
   * resident in L2 after the first call): a cache row shows what the kernel's instructions
   * alone allow, the ceiling it could reach if memory were free.
   */
  where: "memory" | "cache";
}

export interface KernelBenchReport {
  /** The ceiling: median of the streaming measurements taken before every case. */
  streamGBs: number;
  /** Each streaming measurement, in order (the machine is shared: they differ). */
  streamSamplesGBs: number[];
  results: KernelBenchResult[];
}

export interface KernelBenchOptions {
  backends?: readonly BackendName[];
  /** Small sizes and short timings: a smoke run, not a measurement. */
  quick?: boolean;
  /** Only these kernels (names as in the results). */
  only?: readonly string[];
  onProgress?: (done: number, total: number, label: string) => void;
}

interface Case {
  kernel: string;
  where: "memory" | "cache";
  n: number;
  p: number | null;
  bytes: number;
  flops: number | null;
  /** Allocates and fills the inputs; returns the call to time and a cleanup. */
  prepare(k: Kernels): { call: () => void; release: () => void };
}

const MiB = 1024 * 1024;

function fill(k: Kernels, length: number, value: (i: number) => number) {
  const a = k.memory.allocF64(length);
  const v = a.f64();
  for (let i = 0; i < length; i++) v[i] = value(i);
  return a;
}

const noise = (i: number) => Math.sin(i * 12.9898) * 0.5;

function vectorCase(
  kernel: KernelName,
  n: number,
  inputs: number,
  outputs: number,
  flopsPerElement: number | null,
  where: Case["where"] = "memory",
): Case {
  return {
    kernel,
    where,
    n,
    p: null,
    bytes: 8 * n * (inputs + outputs),
    flops: flopsPerElement === null ? null : flopsPerElement * n,
    prepare(k) {
      const bufs = Array.from({ length: Math.max(inputs, 1) + outputs }, (_, b) =>
        fill(k, n, (i) => noise(i + b) + (kernel === "log" ? 1 : 0)),
      );
      const ptrs = bufs.map((b) => b.ptr);
      const raw = k.raw as unknown as Record<string, (...a: number[]) => number | void>;
      const fn = raw[kernel]!;
      const args: number[] =
        kernel === "axpy"
          ? [n, 0.5, ptrs[0]!, ptrs[1]!]
          : kernel === "addVV"
            ? [n, ptrs[0]!, ptrs[1]!, ptrs[2]!]
            : outputs === 0 && inputs === 2
              ? [n, ptrs[0]!, ptrs[1]!]
              : outputs === 0
                ? [n, ptrs[0]!]
                : [n, ptrs[0]!, ptrs[1]!];
      return { call: () => void fn(...args), release: () => bufs.forEach((b) => b.free()) };
    },
  };
}

type MatrixKernel = "gemv" | "gemvT" | "glmLogisticLossGrad" | "glmNormalLossGrad";

function matrixCase(kernel: MatrixKernel, rows: number, p: number, where: Case["where"] = "memory"): Case {
  return {
    kernel,
    where,
    n: rows,
    p,
    bytes: 8 * rows * (p + 1), // X once, plus one float64 per row (y, or the output of gemv)
    flops: kernel.startsWith("glm") ? 4 * rows * p : 2 * rows * p,
    prepare(k) {
      // the spec's synthetic logistic problem: X, labels y, and its true coefficients as w
      const w = logisticBeta(k, { cols: p });
      const { X, y: v } = logisticProblemChunk(k, { cols: p, rowStart: 0, rows, beta: w });
      const out = k.memory.allocF64(Math.max(rows, p + 1));
      const call =
        kernel === "gemv"
          ? () => k.raw.gemv(rows, p, 1, X.ptr, p, w.ptr, 0, out.ptr)
          : kernel === "gemvT"
            ? () => k.raw.gemvT(rows, p, 1, X.ptr, p, v.ptr, 0, out.ptr)
            : () => void k.raw[kernel](rows, p, X.ptr, p, v.ptr, w.ptr, 0.1, out.ptr);
      return { call, release: () => [X, w, v, out].forEach((b) => b.free()) };
    },
  };
}

function gemmCase(size: number): Case {
  return {
    kernel: "gemm",
    where: "memory",
    n: size,
    p: size,
    bytes: 3 * 8 * size * size,
    flops: 2 * size ** 3,
    prepare(k) {
      const [A, B, C] = [0, 1, 2].map((s) => fill(k, size * size, (i) => noise(i + s)));
      const S = k.memory.allocF64(GEMM_SCRATCH_ELEMENTS);
      return {
        call: () => k.raw.gemm(size, size, size, 1, A!.ptr, size, B!.ptr, size, 0, C!.ptr, size, S.ptr),
        release: () => [A!, B!, C!, S].forEach((b) => b.free()),
      };
    },
  };
}

function gramCase(rows: number, p: number): Case {
  return {
    kernel: "gramWeighted",
    where: "memory",
    n: rows,
    p,
    bytes: 8 * rows * (p + 1),
    flops: rows * p * (p + 1),
    prepare(k) {
      const X = fill(k, rows * p, noise);
      const d = fill(k, rows, (i) => 0.25 + 0.1 * noise(i));
      const C = k.memory.allocF64(p * p);
      return {
        call: () => k.raw.gramWeighted(rows, p, X.ptr, p, d.ptr, 0, C.ptr, p),
        release: () => [X, d, C].forEach((b) => b.free()),
      };
    },
  };
}

function choleskyCase(n: number): Case {
  return {
    kernel: "cholesky",
    where: "memory",
    n,
    p: n,
    bytes: 8 * n * n,
    flops: n ** 3 / 3,
    prepare(k) {
      const A = k.memory.allocF64(n * n);
      const source = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) source[i * n + j] = i === j ? n : 1 / (1 + i + j);
      return {
        call: () => {
          A.f64().set(source); // refactor from A each time (the copy is part of the timing; n^2 vs n^3/3)
          k.raw.cholesky(n, A.ptr, n);
        },
        release: () => A.free(),
      };
    },
  };
}

/** Float64 elements of one large operand: 64 MiB in a full run, 4 MiB in a quick one. */
const operandElements = (quick: boolean) => (quick ? MiB / 2 : 8 * MiB);

/** The suite's cases, sized so that each large operand has operandElements() values. */
export function kernelCases(quick: boolean): Case[] {
  const elements = operandElements(quick);
  const cases: Case[] = [
    vectorCase("dot", elements, 2, 0, 2),
    vectorCase("axpy", elements, 2, 1, 2),
    vectorCase("sum", elements, 1, 0, 1),
    vectorCase("addVV", elements, 2, 1, 1),
    vectorCase("exp", elements / 2, 1, 1, null),
    vectorCase("log", elements / 2, 1, 1, null),
    vectorCase("sigmoid", elements / 2, 1, 1, null),
  ];
  for (const p of [64, 100, 256, 1024]) {
    cases.push(matrixCase("gemv", Math.floor(elements / p), p), matrixCase("gemvT", Math.floor(elements / p), p));
  }
  for (const p of [16, 64, 100, 256, 1024]) cases.push(matrixCase("glmLogisticLossGrad", Math.floor(elements / p), p));
  // the fused pass without a transcendental: what the row structure costs apart from the link
  for (const p of [16, 100]) cases.push(matrixCase("glmNormalLossGrad", Math.floor(elements / p), p));
  // in cache (256 KiB operands): the instructions' own ceiling, beside the streaming figure
  const cached = 32 * 1024;
  cases.push(
    vectorCase("sum", cached, 1, 0, 1, "cache"),
    vectorCase("dot", cached / 2, 2, 0, 2, "cache"),
    matrixCase("glmNormalLossGrad", Math.floor(cached / 100), 100, "cache"),
    matrixCase("glmLogisticLossGrad", Math.floor(cached / 100), 100, "cache"),
  );
  cases.push(gemmCase(quick ? 128 : 512), gramCase(quick ? 4096 : 100_000, 100), choleskyCase(quick ? 100 : 500));
  return cases;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `call` until V8 has tiered it up: a wasm function starts on baseline (Liftoff) code and
 * is recompiled by the optimizing compiler in the background once hot; a call in progress
 * cannot switch, so the first calls of a long kernel run at half speed or less.
 */
async function warmUp(call: () => void, quick: boolean): Promise<void> {
  const until = performance.now() + (quick ? 20 : 150);
  let calls = 0;
  while (calls < 3 || performance.now() < until) {
    call();
    calls++;
  }
  await sleep(quick ? 5 : 30); // let the background compile finish
  call();
}

/**
 * Streaming read bandwidth: a wasm-simd sum over one buffer the size of the kernels' operands
 * (64 MiB in a full run, far larger than the caches; much larger buffers stream slower here,
 * through TLB misses, and would flatter the kernels' percentages). Measured again before every
 * case, so each kernel is compared with the bandwidth the machine had at that moment.
 */
export async function streamProbe(quick: boolean): Promise<{ measure: () => Promise<number>; release: () => void }> {
  const k = await Kernels.create({ backend: "wasm-simd", memory: { initial: 128 * MiB } });
  const n = operandElements(quick);
  const x = fill(k, n, noise);
  const call = () => void k.raw.sum(n, x.ptr);
  await warmUp(call, quick);
  return {
    measure: async () => (8 * n) / (await time("stream", call, { maxTime: quick ? 0.05 : 0.25, minSamples: quick ? 2 : 5 })).seconds / 1e9,
    release: () => x.free(),
  };
}

export async function benchKernels(options: KernelBenchOptions = {}): Promise<KernelBenchReport> {
  const quick = options.quick ?? false;
  const backends = options.backends ?? (["wasm-simd", "wasm-scalar", "js"] as const);
  const cases = kernelCases(quick).filter((c) => !options.only || options.only.includes(c.kernel));
  const total = cases.length * backends.length;
  let done = 0;
  const stream = await streamProbe(quick);
  const results: KernelBenchResult[] = [];
  for (const backend of backends) {
    const k = await Kernels.create({ backend, memory: { initial: 256 * MiB } });
    for (const c of cases) {
      const label = `${c.kernel}${c.where === "cache" ? " (in cache)" : ""} ${backend} n=${c.n}${c.p === null ? "" : ` p=${c.p}`}`;
      options.onProgress?.(done, total, label);
      const { call, release } = c.prepare(k);
      await warmUp(call, quick);
      const streamGBs = await stream.measure();
      const t = await time(label, call, { maxTime: quick ? 0.05 : 0.6, minSamples: quick ? 2 : 7 });
      release();
      results.push({
        kernel: c.kernel,
        where: c.where,
        backend,
        n: c.n,
        p: c.p,
        ms: t.seconds * 1e3,
        GBs: c.bytes / t.seconds / 1e9,
        GFLOPs: c.flops === null ? null : c.flops / t.seconds / 1e9,
        streamGBs,
      });
      options.onProgress?.(++done, total, label);
    }
  }
  stream.release();
  const streamSamplesGBs = results.map((r) => r.streamGBs);
  return { streamGBs: median(streamSamplesGBs), streamSamplesGBs, results };
}
