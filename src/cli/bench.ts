/** `weft bench SUITE`: runs a benchmark suite from bench/ and prints a table or JSON. */
import { BACKENDS, type BackendName } from "../kernels/index.js";
import { ArgumentError } from "../errors.js";
import { createProgress } from "./progress.js";

export const SUITES = ["kernels"] as const;
export type SuiteName = (typeof SUITES)[number];

export interface BenchOptions {
  json?: boolean;
  quick?: boolean;
  backends?: string;
  only?: string;
  quiet?: boolean;
}

function parseBackends(list: string | undefined): BackendName[] | undefined {
  if (!list) return undefined;
  const names = list.split(",").map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!(BACKENDS as readonly string[]).includes(name)) {
      throw new ArgumentError("--backends", `a comma-separated list of ${BACKENDS.join(", ")}`, name);
    }
  }
  return names as BackendName[];
}

const fmt = (v: number | null, digits = 2) => (v === null ? "-" : v.toFixed(digits));

export async function runBench(suite: string, options: BenchOptions, out: (text: string) => void): Promise<void> {
  if (!(SUITES as readonly string[]).includes(suite)) {
    throw new ArgumentError("SUITE", `one of ${SUITES.join(", ")}`, suite);
  }
  const { benchKernels } = await import("../../bench/kernels.js");
  const progress = createProgress(options.quiet === true);
  const report = await benchKernels({
    backends: parseBackends(options.backends),
    quick: options.quick === true,
    only: options.only?.split(",").map((s) => s.trim()),
    onProgress: progress.update,
  });
  progress.stop();
  if (options.json) {
    out(JSON.stringify(report, null, 2));
    return;
  }
  const lines = [
    `streaming read bandwidth (wasm-simd sum, 1 thread): ${report.streamGBs.toFixed(1)} GB/s ` +
      `(best of ${report.streamSamplesGBs.map((g) => g.toFixed(1)).join(", ")}: start and end of the run)`,
    "",
    "kernel               backend       n          p      ms         GB/s   %stream  GFLOP/s",
  ];
  for (const r of report.results) {
    const pct = r.GBs === null ? "-" : `${((100 * r.GBs) / report.streamGBs).toFixed(0)}%`;
    lines.push(
      `${r.kernel.padEnd(20)} ${r.backend.padEnd(12)} ${String(r.n).padEnd(10)} ${String(r.p ?? "-").padEnd(6)} ` +
        `${fmt(r.ms, 3).padStart(9)} ${fmt(r.GBs).padStart(8)} ${pct.padStart(8)} ${fmt(r.GFLOPs).padStart(8)}`,
    );
  }
  out(lines.join("\n"));
}
