/**
 * Timing with Benchmark.js: each case runs until its samples are stable enough, and we report
 * the median seconds per call over the samples (robust to the noise of a shared machine).
 */
import Benchmark from "benchmark";

export interface Timing {
  /** Median seconds per call. */
  seconds: number;
  /** Samples Benchmark.js took (each the mean of many calls). */
  samples: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Times `fn` with Benchmark.js: at least `minSamples` samples, about `maxTime` seconds. */
export function time(name: string, fn: () => void, options: { minSamples?: number; maxTime?: number } = {}): Timing {
  const bench = new Benchmark(name, fn, {
    minSamples: options.minSamples ?? 7,
    maxTime: options.maxTime ?? 1,
    initCount: 1,
  });
  bench.run({ async: false });
  if (bench.error) throw bench.error;
  return { seconds: median(bench.stats.sample), samples: bench.stats.sample.length };
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
