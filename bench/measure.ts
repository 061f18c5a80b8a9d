/**
 * Timing. Kernel calls are timed with tinybench (maintained; Benchmark.js, used before, is not),
 * an optional peer: each sample is a batch of calls long enough that the timer's own cost is
 * noise, and we report the median seconds per call over the samples (robust to the noise of a
 * shared machine). Longer, asynchronous calls are timed by wallMs.
 */
import { isMissing, optionalPeer } from "./optional.js";

type Tinybench = typeof import("tinybench");

export interface Timing {
  /** Median seconds per call. */
  seconds: number;
  /** Samples taken (each the mean of a batch of calls). */
  samples: number;
}

/** A sample lasts at least this long (ms): performance.now() costs some 50 ns, 0.1% of it. */
const SAMPLE_MS = 0.05;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

let tinybench: Promise<Tinybench> | undefined;

/** tinybench, or an Error saying to install it (the kernel benchmarks cannot run without it). */
async function loadTinybench(): Promise<Tinybench> {
  tinybench ??= optionalPeer<Tinybench>("tinybench").then((m) => {
    if (isMissing(m)) {
      tinybench = undefined;
      throw new Error(m.missing);
    }
    return m;
  });
  return tinybench;
}

/** Calls of `fn` per sample: doubled until a batch lasts SAMPLE_MS. */
function batchSize(fn: () => void): number {
  for (let batch = 1; ; batch *= 2) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) fn();
    if (performance.now() - t0 >= SAMPLE_MS || batch >= 1 << 24) return batch;
  }
}

/** Times `fn` with tinybench: at least `minSamples` samples, about `maxTime` seconds. */
export async function time(name: string, fn: () => void, options: { minSamples?: number; maxTime?: number } = {}): Promise<Timing> {
  const { Bench } = await loadTinybench();
  const batch = batchSize(fn);
  const bench = new Bench({ time: 1000 * (options.maxTime ?? 1), iterations: options.minSamples ?? 7, warmup: false });
  bench.add(name, () => {
    for (let i = 0; i < batch; i++) fn();
  });
  bench.runSync();
  const result = bench.tasks[0]!.result;
  if (result.state === "errored") throw result.error;
  if (result.state !== "completed") throw new Error(`bench ${name}: tinybench ended in state ${result.state}`);
  return { seconds: result.latency.p50 / 1000 / batch, samples: result.latency.samplesCount };
}

/** Median wall ms of `fn` over `repeats` runs after one warm-up (for calls too long for Benchmark.js). */
export async function wallMs(fn: () => Promise<unknown> | unknown, repeats: number): Promise<number> {
  await fn();
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}
