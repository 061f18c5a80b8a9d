/**
 * Medians over several `weft bench kernels --json` runs, as a markdown table: for each kernel,
 * backend and size, the median GB/s, the median of each run's percentage of the streaming
 * bandwidth measured just before that case, and the median GFLOP/s.
 *
 *   node dist/bench/summarize.js bench/results/kernels-1.json bench/results/kernels-2.json ...
 */
import { readFileSync } from "node:fs";
import { median } from "./measure.js";
import type { KernelBenchReport } from "./kernels.js";

export function summarize(reports: readonly KernelBenchReport[]): string {
  const first = reports[0]!;
  const lines = [
    `Streaming read bandwidth (wasm-simd sum, one thread), median per run: ` +
      reports.map((r) => r.streamGBs.toFixed(1)).join(", ") + " GB/s",
    "",
    "| kernel | backend | n | p | GB/s | % of stream | GFLOP/s |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  first.results.forEach((row, i) => {
    const rows = reports.map((r) => r.results[i]!);
    const gbs = median(rows.map((r) => r.GBs ?? 0));
    const pct = median(rows.map((r) => (100 * (r.GBs ?? 0)) / r.streamGBs));
    const flops = rows[0]!.GFLOPs === null ? "-" : median(rows.map((r) => r.GFLOPs ?? 0)).toFixed(2);
    lines.push(`| ${row.kernel} | ${row.backend} | ${row.n} | ${row.p ?? "-"} | ${gbs.toFixed(1)} | ${pct.toFixed(0)}% | ${flops} |`);
  });
  return lines.join("\n");
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write("usage: node dist/bench/summarize.js RUN.json [RUN.json ...]\n");
    process.exitCode = 2;
  } else {
    process.stdout.write(summarize(files.map((f) => JSON.parse(readFileSync(f, "utf8")) as KernelBenchReport)) + "\n");
  }
}
