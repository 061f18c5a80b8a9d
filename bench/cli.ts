/**
 * `weft bench SUITE`: runs a suite and prints a table or JSON. The CLI parses the command line
 * and hands over typed options, where output goes, and a progress bar.
 */
import { ArgumentError, type BackendName } from "weftjs";

export const SUITES = [
  "kernels",
  "graph",
  "overhead",
  "array",
  "fresh",
  "glm",
  "selection",
  "peers",
  "ideas",
  "browser",
  "cluster",
  "all",
] as const;
export type SuiteName = (typeof SUITES)[number];

export interface BenchOptions {
  json?: boolean;
  quick?: boolean;
  /** Backends to measure (default: all). */
  backends?: readonly BackendName[];
  /** Kernel names to measure (default: all). */
  only?: readonly string[];
  quiet?: boolean;
  /** false with --no-python: skip the Python references. */
  python?: boolean;
  /** `bench all`: the folder for REPORT.md, the charts and the raw JSON (default bench/results). */
  out?: string;
}

/** A progress display: the CLI's bar on stderr, or nothing. */
export interface Progress {
  update(done: number, total: number, label: string): void;
  stop(): void;
}

/** Where a suite's results and progress go. */
export interface BenchIO {
  out(text: string): void;
  /** A progress display for one run (default: none). */
  progress?(quiet: boolean): Progress;
}

/** Runs a benchmark with a progress bar on stderr (off with --quiet or when stderr is no terminal). */
async function withProgress<R>(
  options: BenchOptions,
  io: BenchIO,
  run: (onProgress: (done: number, total: number, label: string) => void) => Promise<R>,
): Promise<R> {
  const progress = io.progress?.(options.quiet === true) ?? { update() {}, stop() {} };
  try {
    return await run(progress.update);
  } finally {
    progress.stop();
  }
}

const fmt = (v: number | null, digits = 2) => (v === null || Number.isNaN(v) ? "-" : v.toFixed(digits));

async function kernels(options: BenchOptions, io: BenchIO): Promise<void> {
  const out = io.out;
  const { benchKernels } = await import("./kernels.js");
  const { kernelLabel } = await import("./summarize.js");
  const report = await withProgress(options, io, (onProgress) =>
    benchKernels({
      backends: options.backends,
      quick: options.quick === true,
      only: options.only,
      onProgress,
    }),
  );
  if (options.json) return out(JSON.stringify(report, null, 2));
  const lines = [
    `streaming read bandwidth (wasm-simd sum, 1 thread): median ${report.streamGBs.toFixed(1)} GB/s, ` +
      `from ${Math.min(...report.streamSamplesGBs).toFixed(1)} to ${Math.max(...report.streamSamplesGBs).toFixed(1)}; ` +
      `each row's %stream is against the bandwidth measured just before it`,
    "",
    "kernel                          backend       n          p      ms         GB/s   %stream  GFLOP/s",
  ];
  for (const r of report.results) {
    const pct = r.GBs === null ? "-" : `${((100 * r.GBs) / r.streamGBs).toFixed(0)}%`;
    lines.push(
      `${kernelLabel(r).padEnd(31)} ${r.backend.padEnd(12)} ${String(r.n).padEnd(10)} ${String(r.p ?? "-").padEnd(6)} ` +
        `${fmt(r.ms, 3).padStart(9)} ${fmt(r.GBs).padStart(8)} ${pct.padStart(8)} ${fmt(r.GFLOPs).padStart(8)}`,
    );
  }
  out(lines.join("\n"));
}

async function graph(options: BenchOptions, io: BenchIO): Promise<void> {
  const out = io.out;
  const { benchGraph } = await import("./graph.js");
  const report = benchGraph({
    chunks: options.quick ? [100, 1000] : [1000, 10_000],
    repeats: options.quick ? 3 : 7,
    python: options.python !== false,
  });
  if (options.json) {
    out(JSON.stringify(report, null, 2));
    return;
  }
  const lines = ["sum(exp(x) - 1/x) over N chunks: tasks after each pass, and ms per 1,000 tasks (median)", ""];
  for (const r of report.results) {
    const t = r.tasks;
    lines.push(
      `${r.chunks} chunks: ${t.materialized} tasks -> cull ${t.culled} -> inlineConstants ${t.inlined} -> ` +
        `fuseLinear ${t.fusedLinear} | fuse ${t.fused} | blockwise fusion of the layers: ${t.blockwise} tasks made`,
      `  fuse with other knobs: ${r.fusedWith.map((f) => `${JSON.stringify(f.options)} -> ${f.tasks}`).join(", ")}`,
      `  compile() plan: ${r.planTasks} tasks`,
      `  ms per 1,000 tasks: ${Object.entries(r.msPer1000Tasks)
        .map(([k, v]) => `${k} ${v.toFixed(3)}`)
        .join(", ")}`,
      "",
    );
  }
  if ("missing" in report.dask) {
    lines.push(`Dask: not measured: ${report.dask.missing}`);
  } else {
    for (const d of report.dask) {
      const ours = report.results.find((r) => r.chunks === d.chunks)!;
      const t = d.tasks;
      const ms = d.msPer1000Tasks;
      lines.push(
        `Dask ${d.dask}, ${d.chunks} chunks, same run: ${t.materialized} tasks -> fuse ${t.fused}, ` +
          `fuse(aveWidth 2) ${t.fusedAveWidth2}, dask.array optimize ${t.arrayOptimized}; ` +
          `ms per 1,000 tasks: fuse ${ms.fuse.toFixed(3)}, dask.array optimize ${ms.arrayOptimize.toFixed(3)}`,
        `  weft's compile(graph) is ${(ms.fuse / ours.msPer1000Tasks.compileGraph).toFixed(1)}x faster per task than Dask's fuse ` +
          `and ${(ms.arrayOptimize / ours.msPer1000Tasks.compileGraph).toFixed(1)}x than dask.array's optimize, ` +
          `with ${ours.planTasks} tasks against ${t.arrayOptimized}`,
      );
    }
  }
  out(lines.join("\n").trimEnd());
}

async function overhead(options: BenchOptions, io: BenchIO): Promise<void> {
  const out = io.out;
  const { benchOverhead } = await import("./overhead.js");
  const report = await withProgress(options, io, (onProgress) =>
    benchOverhead({ quick: options.quick === true, python: options.python !== false, onProgress }),
  );
  if (options.json) return out(JSON.stringify(report, null, 2));
  const row = (name: string, f: Record<string, number>) =>
    `${name.padEnd(8)} ${fmt(f.sync!, 3).padStart(8)} ${fmt(f.threadsUnbatched!, 3).padStart(18)} ${fmt(f.threadsBatched!, 3).padStart(16)} ${fmt(f.piscina!, 3).padStart(10)}`;
  const it = report.iteration;
  const lines = [
    `per-task overhead, us per task (median; ${report.tasks} trivial tasks, piscina ${report.piscinaTasks}; ${report.machine.cores} threads):`,
    `shape        sync   threads unbatched  threads batched    piscina`,
    row("chain", report.usPerTaskByShape.chain as unknown as Record<string, number>),
    row("map+sum", report.usPerTaskByShape.map as unknown as Record<string, number>),
    ...(report.piscinaMissing ? [`piscina: ${report.piscinaMissing}`] : []),
    `round trip of one task to a warm worker (median over an unbatched chain): ${report.roundTripUs.toFixed(2)} us`,
    "",
    `iteration overhead: ${it.iterations} re-runs of a plan of ${it.tasksPerIteration} tasks (${it.chunks} chunks of the ${it.rows} x ${it.cols} problem):`,
    `  kernels alone ${it.kernelsMs.toFixed(4)} ms; sync ${it.sync.wallMs.toFixed(4)} ms (overhead ${it.sync.overheadMs.toFixed(4)} ms); ` +
      `threads ${it.threads.wallMs.toFixed(4)} ms (perfect split ${it.threads.idealMs.toFixed(4)} ms, overhead ${it.threads.overheadMs.toFixed(4)} ms)`,
  ];
  if ("missing" in report.dask) lines.push("", `Dask: not measured: ${report.dask.missing}`);
  else {
    const d = report.dask;
    lines.push(
      "",
      `Dask ${d.dask}, same run (${d.tasks} tasks): sync ${d.usPerTask.sync.chain.toFixed(1)} / ${d.usPerTask.sync.map.toFixed(1)} us per task (chain / map), ` +
        `threaded ${d.usPerTask.threads.chain.toFixed(1)} / ${d.usPerTask.threads.map.toFixed(1)}`,
      `  gradient per iteration: numpy ${d.iterationMs.numpy.toFixed(4)} ms, dask sync ${d.iterationMs.sync.toFixed(3)} ms, dask threaded ${d.iterationMs.threads.toFixed(3)} ms`,
    );
  }
  out(lines.join("\n"));
}

async function arrays(options: BenchOptions, io: BenchIO): Promise<void> {
  const out = io.out;
  const { benchArray } = await import("./array.js");
  const r = await withProgress(options, io, (onProgress) =>
    benchArray({ quick: options.quick === true, python: options.python !== false, onProgress }),
  );
  if (options.json) return out(JSON.stringify(r, null, 2));
  const e = r.expression,
    g = r.gradient;
  const lines = [
    `y = exp(x) - 1/x; y.sum() over ${e.values} values in ${e.chunks} chunks, ${e.threads} threads (median ms, GB/s of x):`,
    `  stream x once (x.sum()) ${e.ms.stream.toFixed(1)} ms, ${e.GBs.stream.toFixed(1)} GB/s`,
    `  fused   ${e.ms.fused.toFixed(1)} ms, ${e.GBs.fused.toFixed(1)} GB/s, ${e.tasks.fused} tasks: ${e.fusedOverStream.toFixed(2)}x the time to stream x`,
    `  unfused ${e.ms.unfused.toFixed(1)} ms, ${e.GBs.unfused.toFixed(1)} GB/s, ${e.tasks.unfused} tasks: ${e.unfusedOverFused.toFixed(2)}x the fused time`,
    `  plain JS loop (one thread) ${e.ms.jsLoop.toFixed(1)} ms, ${e.GBs.jsLoop.toFixed(1)} GB/s`,
    `  x as float32: stream ${e.float32.ms.stream.toFixed(1)} ms, fused ${e.float32.ms.fused.toFixed(1)} ms (${e.float32.fusedOverStream.toFixed(2)}x its stream, ${e.float32.fusedOverFloat64.toFixed(2)}x the float64 fused time)`,
    "",
    `logistic gradient on ${g.rows} x ${g.cols} in ${g.chunks} chunks, ${g.threads} threads:`,
    `  fused GLM kernel ${g.ms.fused.toFixed(1)} ms (${g.GBs.fused.toFixed(1)} GB/s of X, ${g.tasks.fused} tasks); two passes ${g.ms.twoPass.toFixed(1)} ms (${g.tasks.twoPass} tasks)`,
  ];
  if ("missing" in r.reference) lines.push("", `NumPy: not measured: ${r.reference.missing}`);
  else {
    lines.push(
      "",
      `NumPy, same sizes: expression ${r.reference.numpy.expressionMs.toFixed(1)} ms, gradient ${r.reference.numpy.gradientMs.toFixed(1)} ms`,
    );
    if (r.reference.dask)
      lines.push(`dask.array ${r.reference.dask.version} (threads): expression ${r.reference.dask.expressionMs.toFixed(1)} ms`);
  }
  out(lines.join("\n"));
}

async function fresh(options: BenchOptions, io: BenchIO): Promise<void> {
  const out = io.out;
  const { benchFresh, formatFresh } = await import("./fresh.js");
  const r = await withProgress(options, io, (onProgress) =>
    benchFresh({ quick: options.quick === true, python: options.python !== false, onProgress }),
  );
  out(options.json ? JSON.stringify(r, null, 2) : formatFresh(r));
}

async function glmSuite(options: BenchOptions, io: BenchIO): Promise<void> {
  const out = io.out;
  const { benchGlm } = await import("./glm.js");
  const r = await withProgress(options, io, (onProgress) =>
    benchGlm({ quick: options.quick === true, python: options.python !== false, onProgress }),
  );
  if (options.json) return out(JSON.stringify(r, null, 2));
  const lines = [
    `logistic regression, L2, lambda ${r.lambda}, no intercept, the spec's synthetic problem in 10 chunks, ${r.threads} threads (median fit time):`,
    "",
    "solver              rows       cols   seconds   iterations  objective",
  ];
  for (const x of r.results) {
    lines.push(
      `${x.solver.padEnd(19)} ${String(x.rows).padEnd(10)} ${String(x.cols).padEnd(6)} ${x.seconds.toFixed(3).padStart(8)} ${String(x.nIter).padStart(11)}  ${x.objective.toFixed(4)}${x.converged === false ? " (not converged)" : ""}`,
    );
  }
  if ("missing" in r.sklearn) lines.push("", `scikit-learn: not measured: ${r.sklearn.missing}`);
  lines.push("", "gradient descent, one gradient per iteration, largest size:");
  for (const g of r.gradientDescentProfile) {
    lines.push(
      `  ${g.name}: ${g.msPerIteration.toFixed(2)} ms per iteration, ${g.tasksPerIteration.toFixed(0)} tasks, ${(100 * g.nonKernelShare).toFixed(1)}% of thread time outside tasks (median iteration; ${(100 * g.nonKernelShareMean).toFixed(1)}% over all)`,
    );
  }
  // the raw-data table: every solver at its defaults on unscaled data, beside scikit-learn's
  const { renderGlmRaw } = await import("./report/glm-raw.js");
  lines.push("", ...renderGlmRaw(r.raw));
  out(lines.join("\n"));
}

async function selection(options: BenchOptions, io: BenchIO): Promise<void> {
  const out = io.out;
  const { benchSelection } = await import("./selection.js");
  const r = await withProgress(options, io, (onProgress) => benchSelection({ quick: options.quick === true, onProgress }));
  if (options.json) return out(JSON.stringify(r, null, 2));
  out(
    [
      `grid search, StandardScaler + LogisticRegression, ${r.lambdas.length} lambdas x ${r.folds} folds on ${r.rows} x ${r.cols}:`,
      `  GridSearchCV ${r.seconds.gridSearch.toFixed(2)} s; the same fits one by one ${r.seconds.oneByOne.toFixed(2)} s: ${r.speedup.toFixed(2)}x`,
      `  best lambda: ${String(r.bestLambda.gridSearch)} (grid search), ${String(r.bestLambda.oneByOne)} (one by one)`,
    ].join("\n"),
  );
}

async function peers(options: BenchOptions, io: BenchIO): Promise<void> {
  const out = io.out;
  const { benchPeers } = await import("./peers.js");
  const r = await withProgress(options, io, (onProgress) => benchPeers({ quick: options.quick === true, onProgress }));
  if (options.json) return out(JSON.stringify(r, null, 2));
  const lines = [
    `logistic gradient on ${r.rows} x ${r.cols} (${r.chunks} chunks for weft); reading X once (X.sum(), ${r.threads} threads): ${r.stream.ms.toFixed(1)} ms, ${r.stream.GBs.toFixed(1)} GB/s`,
    "",
    "                          ms    GB/s of X  threads  dtype",
  ];
  for (const g of r.gradient)
    lines.push(
      `  ${g.name.padEnd(22)} ${g.ms.toFixed(1).padStart(8)} ${g.GBs.toFixed(1).padStart(8)} ${String(g.threads).padStart(8)}  ${g.dtype}`,
    );
  if ("missing" in r.tfjs) lines.push(`  TensorFlow.js: not measured: ${r.tfjs.missing}`);
  const gd = r.gradientDescent;
  lines.push(
    "",
    `gradient descent, ${gd.iterations} fixed steps of ${gd.step.toExponential(1)}, lambda ${gd.lambda}: ms per iteration, final objective`,
  );
  for (const f of gd.results) lines.push(`  ${f.name.padEnd(22)} ${f.msPerIteration.toFixed(1).padStart(8)}  ${f.objective.toFixed(4)}`);
  if ("missing" in r.mljs) lines.push("", `ml.js: not measured: ${r.mljs.missing}`);
  else {
    lines.push(
      "",
      `ml-logistic-regression on ${r.mljs.rows} x ${r.mljs.cols}, ${r.mljs.steps} steps (coefficients agree to ${r.mljs.maxCoefDifference.toExponential(1)}): ms per gradient step`,
    );
    for (const m of r.mljs.results) lines.push(`  ${m.name.padEnd(32)} ${m.msPerStep.toFixed(3).padStart(9)}`);
  }
  out(lines.join("\n"));
}

async function ideas(options: BenchOptions, io: BenchIO): Promise<void> {
  const out = io.out;
  const { benchIdeas } = await import("./ideas.js");
  const r = await withProgress(options, io, (onProgress) => benchIdeas({ quick: options.quick === true, onProgress }));
  if (options.json) return out(JSON.stringify(r, null, 2));
  const lines: string[] = [];
  for (const p of r.problems) {
    lines.push(
      `gradient descent on ${p.rows} x ${p.cols} in ${p.chunks} chunks, ${r.threads} threads: each idea switched off in turn`,
      "",
      "  switched off                 ms/iteration  tasks/iteration  slowdown",
    );
    for (const x of p.results) {
      lines.push(
        `  ${(x.off === "weft" ? "nothing (weft)" : x.off).padEnd(28)} ${x.msPerIteration.toFixed(3).padStart(12)} ${x.tasksPerIteration.toFixed(0).padStart(16)} ${x.slowdown.toFixed(2).padStart(9)}x`,
      );
    }
    for (const m of p.notMeasured ?? []) lines.push(`  ${m.off} off: not measured: ${m.why}`);
    lines.push("");
  }
  out(lines.join("\n").trimEnd());
}

async function browser(options: BenchOptions, io: BenchIO): Promise<void> {
  const { benchBrowser, renderBrowserBench } = await import("./browser.js");
  const r = await withProgress(options, io, (onProgress) => benchBrowser({ quick: options.quick === true, onProgress }));
  io.out(options.json ? JSON.stringify(r, null, 2) : renderBrowserBench(r).join("\n"));
}

async function cluster(options: BenchOptions, io: BenchIO): Promise<void> {
  const { benchCluster, renderClusterBench } = await import("./cluster.js");
  const r = await withProgress(options, io, (onProgress) =>
    benchCluster({ quick: options.quick === true, python: options.python !== false, onProgress }),
  );
  io.out(options.json ? JSON.stringify(r, null, 2) : renderClusterBench(r).join("\n"));
}

async function all(options: BenchOptions, io: BenchIO): Promise<void> {
  const out = io.out;
  const { benchAll } = await import("./all.js");
  const result = await withProgress(options, io, (onProgress) =>
    benchAll({ quick: options.quick === true, python: options.python !== false, out: options.out, onProgress }),
  );
  if (options.json) return out(JSON.stringify({ report: result.reportPath, files: result.files }, null, 2));
  out(`wrote ${result.reportPath} (${result.files.length} files in ${result.dir})`);
}

export async function runBench(suite: string, options: BenchOptions, io: BenchIO): Promise<void> {
  if (!(SUITES as readonly string[]).includes(suite)) {
    throw new ArgumentError("SUITE", `one of ${SUITES.join(", ")}`, suite);
  }
  const run = { kernels, graph, overhead, array: arrays, fresh, glm: glmSuite, selection, peers, ideas, browser, cluster, all }[
    suite as SuiteName
  ];
  await run(options, io);
}
