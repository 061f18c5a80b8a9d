/**
 * Medians over several `weft bench kernels --json`, `weft bench overhead --json` or `weft bench
 * fresh --json` runs, as
 * markdown tables. Kernels: for each kernel, backend and size, the median GB/s, the median of
 * each run's percentage of the streaming bandwidth measured just before that case, and the
 * median GFLOP/s. Overhead: the median of each figure over the runs.
 *
 *   node bench/dist/summarize.js bench/results/kernels-1.json bench/results/kernels-2.json ...
 */
import { readFileSync } from "node:fs";
import { median } from "./measure.js";
import type { KernelBenchReport } from "./kernels.js";
import type { OverheadReport } from "./overhead.js";
import type { FreshBenchReport } from "./fresh.js";

export function summarizeOverhead(reports: readonly OverheadReport[]): string {
  const m = (f: (r: OverheadReport) => number, digits = 2) => median(reports.map(f)).toFixed(digits);
  const executors = ["sync", "threadsUnbatched", "threadsBatched", "piscina"] as const;
  const lines = [
    `Per-task overhead, us per task, median of ${reports.length} runs (${reports[0]!.tasks} trivial tasks; piscina ${reports[0]!.piscinaTasks}):`,
    "",
    "| shape | sync | threads, one dispatch per task | threads, batched | piscina, one task per message |",
    "| --- | ---: | ---: | ---: | ---: |",
  ];
  for (const shape of ["chain", "map"] as const) {
    lines.push(
      `| ${shape === "map" ? "map + sum" : "chain"} | ${executors.map((e) => m((r) => r.usPerTaskByShape[shape][e])).join(" | ")} |`,
    );
  }
  lines.push("", `Round trip of one task to a warm worker (median over an unbatched chain): ${m((r) => r.roundTripUs)} us`, "");
  const it = reports[0]!.iteration;
  lines.push(
    `Iteration overhead (${it.iterations} re-runs of a plan of ${it.tasksPerIteration} tasks: ${it.chunks} chunk gradients of the ${it.rows} x ${it.cols} problem and their sum), ms per iteration:`,
    "",
    "| | wall | kernels alone (one thread) | overhead |",
    "| --- | ---: | ---: | ---: |",
    `| sync | ${m((r) => r.iteration.sync.wallMs, 4)} | ${m((r) => r.iteration.kernelsMs, 4)} | ${m((r) => r.iteration.sync.overheadMs, 4)} |`,
    `| threads (${it.threads.threads}) | ${m((r) => r.iteration.threads.wallMs, 4)} | ${m((r) => r.iteration.threads.idealMs, 4)} (split perfectly) | ${m((r) => r.iteration.threads.overheadMs, 4)} |`,
  );
  const dask = reports.map((r) => r.dask).filter((d): d is Exclude<OverheadReport["dask"], { missing: string }> => !("missing" in d));
  if (dask.length > 0) {
    const d = (f: (x: (typeof dask)[number]) => number, digits = 1) => median(dask.map(f)).toFixed(digits);
    lines.push(
      "",
      `Dask ${dask[0]!.dask}, same runs (${dask[0]!.tasks} tasks), us per task: synchronous ${d((x) => x.usPerTask.sync.chain)} (chain) / ${d((x) => x.usPerTask.sync.map)} (map), ` +
        `threaded ${d((x) => x.usPerTask.threads.chain)} / ${d((x) => x.usPerTask.threads.map)}; ` +
        `gradient per iteration: NumPy ${d((x) => x.iterationMs.numpy, 3)} ms, dask.array synchronous ${d((x) => x.iterationMs.sync, 2)} ms, threaded ${d((x) => x.iterationMs.threads, 2)} ms`,
    );
  }
  return lines.join("\n");
}

/** Fresh graphs: each figure's median over the runs, and its range (lowest and highest run). */
export function summarizeFresh(reports: readonly FreshBenchReport[]): string {
  const range = (values: number[], digits: number) => {
    const v = values.filter((x) => Number.isFinite(x));
    if (v.length === 0) return "-";
    return `${median(v).toFixed(digits)} (${Math.min(...v).toFixed(digits)}-${Math.max(...v).toFixed(digits)})`;
  };
  const first = reports[0]!;
  const lines = [
    `sum(exp(x) - 1/x), x in chunks of ${first.valuesPerChunk} values, ${first.threads} threads: us per chunk, median of ${reports.length} runs (lowest-highest run)`,
    "",
    "| chunks | new graph (plan from the cache) | compile + first run | plan re-run | dask.array, new graph | dask.array / new graph |",
    "| ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  first.expression.forEach((e, i) => {
    const rows = reports.map((r) => r.expression[i]!);
    const dask = rows.filter((r) => r.dask).map((r) => r.dask!.usPerChunk);
    lines.push(
      `| ${e.chunks.toLocaleString("en")} | ${range(
        rows.map((r) => r.fresh.usPerChunk),
        2,
      )} | ${range(
        rows.map((r) => r.cold.usPerChunk),
        2,
      )} | ` +
        `${range(
          rows.map((r) => r.compiled.usPerChunk),
          2,
        )} | ${range(dask, 1)} | ${range(
          rows.filter((r) => r.dask).map((r) => r.dask!.usPerChunk / r.fresh.usPerChunk),
          0,
        )}x |`,
    );
  });
  lines.push(
    "",
    `Gradient descent written by hand, a new graph every iteration: ms per iteration, median of ${reports.length} runs (lowest-highest run)`,
    "",
    "| rows x cols | chunks | weft | NumPy | dask.array | weft / NumPy | dask.array / weft | w against NumPy's |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  first.gradient.forEach((g, i) => {
    const rows = reports.map((r) => r.gradient[i]!);
    const num = (f: (x: (typeof rows)[number]) => number | null) => rows.map(f).filter((x): x is number => x !== null);
    const diff = num((r) => r.iterateDifference);
    lines.push(
      `| ${g.rows.toLocaleString("en")} x ${g.cols} | ${g.chunks} | ${range(
        num((r) => r.weft.ms),
        3,
      )} | ${range(
        num((r) => r.numpyMs),
        3,
      )} | ${range(
        num((r) => r.daskMs),
        1,
      )} | ` +
        `${range(
          num((r) => r.overNumpy),
          2,
        )} | ${range(
          num((r) => (r.daskMs === null ? null : r.daskMs / r.weft.ms)),
          0,
        )}x | ${diff.length ? Math.max(...diff).toExponential(1) : "-"} |`,
    );
  });
  const hits = reports.reduce((s, r) => s + r.cache.hits, 0),
    misses = reports.reduce((s, r) => s + r.cache.misses, 0);
  lines.push("", `Plan cache over the runs: ${hits} hits, ${misses} misses.`);
  return lines.join("\n");
}

/** A kernel's name, marked when its operands were cache-resident (older runs have no `where`). */
export function kernelLabel(row: { kernel: string; where?: "memory" | "cache" }): string {
  return row.where === "cache" ? `${row.kernel} (in cache)` : row.kernel;
}

export function summarize(reports: readonly KernelBenchReport[]): string {
  const first = reports[0]!;
  const lines = [
    `Streaming read bandwidth (wasm-simd sum, one thread), median per run: ` +
      reports.map((r) => r.streamGBs.toFixed(1)).join(", ") +
      " GB/s",
    "",
    "| kernel | backend | n | p | GB/s | % of stream | GFLOP/s |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  first.results.forEach((row, i) => {
    const rows = reports.map((r) => r.results[i]!);
    const gbs = median(rows.map((r) => r.GBs ?? 0));
    const pct = median(rows.map((r) => (100 * (r.GBs ?? 0)) / r.streamGBs));
    const flops = rows[0]!.GFLOPs === null ? "-" : median(rows.map((r) => r.GFLOPs ?? 0)).toFixed(2);
    lines.push(`| ${kernelLabel(row)} | ${row.backend} | ${row.n} | ${row.p ?? "-"} | ${gbs.toFixed(1)} | ${pct.toFixed(0)}% | ${flops} |`);
  });
  return lines.join("\n");
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write("usage: node bench/dist/summarize.js RUN.json [RUN.json ...]\n");
    process.exitCode = 2;
  } else {
    const reports = files.map((f) => JSON.parse(readFileSync(f, "utf8")) as KernelBenchReport | OverheadReport | FreshBenchReport);
    const text =
      "usPerTask" in reports[0]!
        ? summarizeOverhead(reports as OverheadReport[])
        : "valuesPerChunk" in reports[0]!
          ? summarizeFresh(reports as FreshBenchReport[])
          : summarize(reports as KernelBenchReport[]);
    process.stdout.write(`${text}\n`);
  }
}
