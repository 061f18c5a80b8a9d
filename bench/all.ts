/**
 * `weft bench all`: every suite in one run, written up as DIR/REPORT.md with SVG charts
 * (DIR/charts/) and the raw JSON of every suite (DIR/raw/). The machine's streaming bandwidth,
 * measured in the same run, is the ceiling line of every memory-bound chart; peers (TensorFlow.js,
 * ml.js, a plain TypeScript loop; NumPy, scikit-learn and Dask when python3 has them) ran on the
 * same generated data in the same run.
 */
import { mkdirSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { cpus, platform, release, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { renderTimeline, sharedAxis } from "weftjs";
import { benchArray, type ArrayBenchReport } from "./array.js";
import { benchBrowser, type BrowserBenchReport } from "./browser.js";
import { benchCluster, type ClusterBenchReport } from "./cluster.js";
import { benchFresh, type FreshBenchReport } from "./fresh.js";
import { benchGlm, type GlmBenchReport } from "./glm.js";
import { benchGraph, type GraphBenchReport } from "./graph.js";
import { benchIdeas, type IdeasReport } from "./ideas.js";
import { benchKernels, type KernelBenchReport } from "./kernels.js";
import { benchOverhead, type OverheadReport } from "./overhead.js";
import { benchPeers, type PeersReport } from "./peers.js";
import { benchSelection, type SelectionReport } from "./selection.js";
import { barChart, lineChart, type Bar } from "./report/charts.js";
import { renderGlmRaw } from "./report/glm-raw.js";
import { summarize as summarizeKernels } from "./summarize.js";

export interface BenchAllOptions {
  quick?: boolean;
  python?: boolean;
  /** Output folder (default bench/results under the working directory). */
  out?: string;
  onProgress?: (done: number, total: number, label: string) => void;
}

export interface AllReports {
  kernels: KernelBenchReport;
  graph: GraphBenchReport;
  overhead: OverheadReport;
  array: ArrayBenchReport;
  fresh: FreshBenchReport;
  glm: GlmBenchReport;
  selection: SelectionReport;
  peers: PeersReport;
  ideas: IdeasReport;
  browser: BrowserBenchReport;
  cluster: ClusterBenchReport;
}

export interface BenchAllResult {
  dir: string;
  reportPath: string;
  /** Every file written, relative to dir. */
  files: string[];
}

type Progress = (done: number, total: number, label: string) => void;
type Suite = {
  [K in keyof AllReports]: { name: K; run: (quick: boolean, python: boolean, onProgress: Progress) => Promise<AllReports[K]> };
}[keyof AllReports];

const SUITES: readonly Suite[] = [
  { name: "kernels", run: (quick, _p, onProgress) => benchKernels({ quick, onProgress }) },
  {
    name: "graph",
    run: async (quick, python) => benchGraph({ chunks: quick ? [100, 1000] : [1000, 10_000], repeats: quick ? 3 : 7, python }),
  },
  { name: "overhead", run: (quick, python, onProgress) => benchOverhead({ quick, python, onProgress }) },
  { name: "array", run: (quick, python, onProgress) => benchArray({ quick, python, onProgress }) },
  { name: "fresh", run: (quick, python, onProgress) => benchFresh({ quick, python, onProgress }) },
  { name: "glm", run: (quick, python, onProgress) => benchGlm({ quick, python, events: true, onProgress }) },
  { name: "selection", run: (quick, _p, onProgress) => benchSelection({ quick, onProgress }) },
  { name: "peers", run: (quick, _p, onProgress) => benchPeers({ quick, onProgress }) },
  { name: "ideas", run: (quick, _p, onProgress) => benchIdeas({ quick, onProgress }) },
  { name: "browser", run: (quick, _p, onProgress) => benchBrowser({ quick, onProgress }) },
  { name: "cluster", run: (quick, python, onProgress) => benchCluster({ quick, python, onProgress }) },
];

export async function benchAll(options: BenchAllOptions = {}): Promise<BenchAllResult> {
  const quick = options.quick === true,
    python = options.python !== false;
  const dir = resolve(options.out ?? join("bench", "results"));
  mkdirSync(join(dir, "raw"), { recursive: true });
  mkdirSync(join(dir, "charts"), { recursive: true });
  const started = new Date();
  const reports: Partial<AllReports> = {};
  const files: string[] = [];
  const write = async (name: string, text: string) => {
    await writeFile(join(dir, name), text);
    files.push(name);
  };
  for (const [i, suite] of SUITES.entries()) {
    const onProgress: Progress = (done, total, label) =>
      options.onProgress?.(Math.round(100 * (i + (total > 0 ? done / total : 0))), 100 * SUITES.length, `${suite.name}: ${label}`);
    onProgress(0, 1, "starting");
    const report = await suite.run(quick, python, onProgress);
    (reports as Record<string, unknown>)[suite.name] = report;
    await write(`raw/${suite.name}.json`, `${JSON.stringify(report, null, 2)}\n`);
  }
  const all = reports as AllReports;
  const charts = renderCharts(all);
  for (const [name, svg] of Object.entries(charts)) await write(`charts/${name}.svg`, svg);
  const seconds = (Date.now() - started.getTime()) / 1000;
  await write("REPORT.md", renderReport(all, { quick, python, started, seconds, charts: Object.keys(charts) }));
  options.onProgress?.(100 * SUITES.length, 100 * SUITES.length, "done");
  return { dir, reportPath: join(dir, "REPORT.md"), files };
}

const f = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : "-");

function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[], align?: readonly ("l" | "r")[]): string {
  const a = align ?? headers.map((_, i) => (i === 0 ? "l" : "r"));
  return [
    `| ${headers.join(" | ")} |`,
    `| ${a.map((x) => (x === "r" ? "---:" : "---")).join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

/** The charts of the report, by file name (without .svg). */
export function renderCharts(r: AllReports): Record<string, string> {
  const charts: Record<string, string> = {};
  const p = r.peers,
    a = r.array;
  const ref = "missing" in a.reference ? undefined : a.reference;
  const gradientGBs = (ms: number) => (8 * a.gradient.rows * a.gradient.cols) / ms / 1e6;
  const gradientBars: Bar[] = [
    ...p.gradient.map((g) => ({ label: `${g.name} (${g.threads} thr, ${g.dtype})`, value: g.GBs, highlight: g.name === "weft" })),
    { label: `weft two-pass product (${a.gradient.threads} thr)`, value: a.gradient.GBs.twoPass },
  ];
  if (ref && a.gradient.rows === p.rows) gradientBars.push({ label: "NumPy (two passes)", value: gradientGBs(ref.numpy.gradientMs) });
  charts.gradient = barChart({
    title: `Logistic gradient X^T (sigmoid(Xw) - y), ${p.rows.toLocaleString("en")} x ${p.cols}: GB/s of X (higher is better)`,
    unit: "GB/s",
    bars: gradientBars,
    ceiling: { label: "reading X once (all threads)", value: p.stream.GBs },
  });
  const e = a.expression;
  const exprBars: Bar[] = [
    { label: "weft fused", value: e.GBs.fused, highlight: true },
    { label: "weft unfused", value: e.GBs.unfused },
    { label: "plain JS loop (1 thread)", value: e.GBs.jsLoop },
  ];
  if (ref) exprBars.push({ label: "NumPy", value: (8 * e.values) / ref.numpy.expressionMs / 1e6 });
  if (ref?.dask) exprBars.push({ label: `dask.array ${ref.dask.version}`, value: (8 * e.values) / ref.dask.expressionMs / 1e6 });
  charts.expression = barChart({
    title: `sum(exp(x) - 1/x) over ${e.values.toExponential(0)} values: GB/s of x (higher is better)`,
    unit: "GB/s",
    bars: exprBars,
    ceiling: { label: "reading x once", value: e.GBs.stream },
  });
  const fr = r.fresh.expression;
  charts.fresh = lineChart({
    title: "sum(exp(x) - 1/x), 100 values a chunk: cost per chunk as the chunks grow (lower is better)",
    xLabel: "chunks",
    unit: "us per chunk",
    series: [
      { label: "weft, new graph each compute", points: fr.map((e) => ({ x: e.chunks, y: e.fresh.usPerChunk })), highlight: true },
      { label: "weft, compile + first run", points: fr.map((e) => ({ x: e.chunks, y: e.cold.usPerChunk })) },
      { label: "weft, plan re-run", points: fr.map((e) => ({ x: e.chunks, y: e.compiled.usPerChunk })) },
      { label: "dask.array, new graph", points: fr.filter((e) => e.dask).map((e) => ({ x: e.chunks, y: e.dask!.usPerChunk })) },
    ],
  });
  const o = r.overhead;
  const overheadBars: Bar[] = [
    { label: "weft, sync", value: o.usPerTaskByShape.map.sync, highlight: true },
    { label: "weft, threads, batched", value: o.usPerTaskByShape.map.threadsBatched, highlight: true },
    { label: "weft, threads, one per dispatch", value: o.usPerTaskByShape.map.threadsUnbatched },
    ...(o.piscinaMissing ? [] : [{ label: "piscina, one per message", value: o.usPerTaskByShape.map.piscina }]),
  ];
  if (!("missing" in o.dask)) {
    overheadBars.push(
      { label: `Dask ${o.dask.dask}, synchronous`, value: o.dask.usPerTask.sync.map },
      { label: `Dask ${o.dask.dask}, threaded`, value: o.dask.usPerTask.threads.map },
    );
  }
  charts.overhead = barChart({
    title: "Scheduling cost per trivial task, map + sum (lower is better)",
    unit: "us",
    bars: overheadBars,
    log: true,
    digits: 2,
  });
  const big = Math.max(...r.glm.results.map((x) => x.rows));
  charts.solvers = barChart({
    title: `Logistic regression, L2, ${big.toLocaleString("en")} x 100: fit seconds (lower is better)`,
    unit: "s",
    digits: 3,
    bars: r.glm.results
      .filter((x) => x.rows === big)
      .map((x) => ({
        label: x.solver === "sklearn-lbfgs" ? "scikit-learn lbfgs" : `weft ${x.solver}`,
        value: x.seconds,
        highlight: x.solver === "lbfgs",
      })),
    log: true,
  });
  if (!("missing" in r.cluster)) {
    const c = r.cluster;
    charts.cluster = barChart({
      title: `The cluster's own cost per iteration, ${c.rows.toLocaleString("en")} x ${c.cols} logistic gradient: wall minus the busiest worker's compute (lower is better)`,
      unit: "ms",
      digits: 2,
      log: true,
      bars: [
        ...c.weft.map((w) => ({ label: `weft, ${w.workers} worker${w.workers > 1 ? "s" : ""}`, value: w.overheadMs, highlight: true })),
        ...("missing" in c.dask
          ? []
          : c.dask.map((d) => ({ label: `Dask ${d.version}, ${d.workers} worker${d.workers > 1 ? "s" : ""}`, value: d.overheadMs }))),
      ],
    });
  }
  for (const problem of r.ideas.problems) {
    charts[`ideas-${problem.name}`] = barChart({
      title: `Gradient descent on ${problem.rows.toLocaleString("en")} x ${problem.cols}: ms per iteration with one idea off (lower is better)`,
      unit: "ms",
      digits: problem.name === "small" ? 3 : 1,
      log: true,
      bars: problem.results.map((x) => ({
        label: x.off === "weft" ? "nothing off (weft)" : `${x.off} off`,
        value: x.msPerIteration,
        highlight: x.off === "weft",
      })),
    });
  }
  // one time axis and one colour per op for both, so that their widths compare
  const axis = sharedAxis(r.glm.gradientDescentProfile.flatMap((run) => (run.events ? [run.events] : [])));
  for (const run of r.glm.gradientDescentProfile) {
    if (!run.events) continue;
    const name = run.name.startsWith("naive") ? "timeline-naive" : "timeline-weft";
    charts[name] = renderTimeline(run.events, {
      ...axis,
      title: `${run.name}: ${f(run.msPerIteration)} ms per iteration, ${f(100 * run.nonKernelShare)}% of thread time outside tasks`,
    });
  }
  return charts;
}

interface RunInfo {
  quick: boolean;
  python: boolean;
  started: Date;
  seconds: number;
  charts: string[];
}

export function renderReport(r: AllReports, info: RunInfo): string {
  const cpu = cpus()[0]?.model ?? "unknown";
  const chart = (name: string, alt: string) => (info.charts.includes(name) ? `![${alt}](charts/${name}.svg)\n` : "");
  const missing = (what: string, m: { missing: string }) => `${what}: not measured: ${m.missing}.`;
  const out: string[] = [];
  out.push(
    "# weft benchmark report",
    "",
    `Written by \`npx weft bench all${info.quick ? " --quick" : ""}${info.python ? "" : " --no-python"}\` on ${info.started.toISOString().slice(0, 10)}, in ${f(info.seconds / 60)} minutes.` +
      (info.quick ? " **Quick run: small sizes and short timings, a smoke test, not a measurement.**" : ""),
    "",
    table(
      ["machine", ""],
      [
        ["CPU", cpu],
        ["cores (threads used)", String(r.peers.threads)],
        ["memory", `${f(totalmem() / 2 ** 30)} GiB`],
        ["Node", process.version],
        ["OS", `${platform()} ${release()}`],
        ["streaming read, one thread (wasm-simd sum)", `${f(r.kernels.streamGBs)} GB/s`],
        ["reading X once, all threads (X.sum())", `${f(r.peers.stream.GBs)} GB/s`],
      ],
      ["l", "l"],
    ),
    "",
    "Every figure is a median of several timed repeats after a warm-up, in this one run; the",
    "machine is shared, so compare figures within a table rather than across reports. Peers ran",
    "on the same data, generated by the spec's counter-based generator (NumPy's scripts rebuild it",
    "bit for bit). The raw JSON of every suite is in raw/.",
    "",
  );

  // where the time goes: the ideas
  out.push("## What each idea is worth", "");
  out.push(
    "Gradient descent (fixed step, one gradient of the L2-penalized logistic loss per iteration),",
    "with each of weft's ideas switched off in turn and the others left on. All variants walk the",
    'same iterates (the benchmark checks the final coefficients agree). "blockwise fusion off"',
    "computes X^T (sigmoid(Xw) - y) as four ops per chunk (two passes over X) instead of the fused",
    'GLM kernel, task fusion still merging them into one task per chunk; "shared memory off" runs',
    "the same kernel in piscina workers, each chunk copied to a worker by message every iteration",
    "(what a runtime pays when the data does not live where the tasks run).",
    "",
  );
  for (const p of r.ideas.problems) {
    out.push(
      `### ${p.rows.toLocaleString("en")} x ${p.cols} in ${p.chunks} chunks (${p.iterations} iterations, median of ${p.repeats} loops)`,
      "",
    );
    out.push(
      table(
        ["switched off", "ms per iteration", "tasks per iteration", "slowdown"],
        p.results.map((x) => [
          x.off === "weft" ? "nothing (weft)" : x.off,
          f(x.msPerIteration, p.name === "small" ? 3 : 1),
          f(x.tasksPerIteration, 0),
          `${f(x.slowdown, 2)}x`,
        ]),
      ),
    );
    for (const m of p.notMeasured ?? []) out.push("", `${m.off} off: not measured: ${m.why}`);
    out.push("", chart(`ideas-${p.name}`, `ideas, ${p.name} problem`));
  }
  out.push("### The task stream, naive and weft", "");
  out.push(
    "The seed's profile: gradient descent on the 10-chunk problem, one gradient per iteration. Naive:",
    "the graph rebuilt every iteration and run unfused (a task per operation per chunk). weft: the",
    "compiled plan and the fused kernel. Both timelines share one time axis. Each rectangle is a",
    "task on a thread; the white is scheduling, graph building and idle threads. Per iteration (median of the iterations, each",
    "one's 1 - task time / (wall time x threads)), and over all iterations together, which includes",
    "the iterations another tenant of the machine interrupted.",
    "",
    table(
      ["", "ms per iteration", "tasks per iteration", "thread time outside tasks: median iteration", "all iterations"],
      r.glm.gradientDescentProfile.map((g) => [
        g.name,
        f(g.msPerIteration, 2),
        f(g.tasksPerIteration, 0),
        `${f(100 * g.nonKernelShare)}%`,
        `${f(100 * g.nonKernelShareMean)}%`,
      ]),
    ),
    "",
    chart("timeline-naive", "naive timeline"),
    chart("timeline-weft", "weft timeline"),
  );

  // a user's own loop
  const fresh = r.fresh;
  out.push("## A user's own loop: a new graph every time", "");
  out.push(
    "Work written as a user writes it: the lazy expression built anew for every compute, as in a",
    "loop. weft finds the plan compiled for the first graph of that structure in the runtime's plan",
    'cache (by a key computed in O(layers)) and binds the new inputs; "compile + first run" turns',
    "the cache off, so every compute compiles (without making tasks: lazy layers) and runs a new",
    'plan; "plan re-run" is a plan compiled once. dask.array builds, optimizes and schedules its',
    "graph every compute. us per chunk, median (and ms per compute).",
    "",
    table(
      ["chunks", "tasks", "new graph", "compile + first run", "plan re-run", "dask.array", "NumPy (whole array)"],
      fresh.expression.map((e) => [
        e.chunks.toLocaleString("en"),
        String(e.tasks),
        `${f(e.fresh.usPerChunk, 2)} (${f(e.fresh.ms)} ms)`,
        `${f(e.cold.usPerChunk, 2)} (${f(e.cold.ms)} ms)`,
        f(e.compiled.usPerChunk, 2),
        e.dask ? `${f(e.dask.usPerChunk, 1)} (${f(e.dask.ms, 0)} ms)` : "-",
        e.numpyMs === null ? "-" : `${f(e.numpyMs, 3)} ms`,
      ]),
    ),
    "",
    chart("fresh", "cost per chunk against chunks"),
    "Gradient descent written by hand, `w -= step * X.T @ (sigmoid(X @ w) - y)`, a new graph every",
    "iteration (weft recognizes the GLM gradient and runs its fused kernel). ms per iteration, median",
    `over ${fresh.gradient[0]?.weft.iterations ?? 0}+ timed iterations; the iterates are checked against NumPy's after ${fresh.gradient[0]?.iterations ?? 0} steps.`,
    "",
    table(
      ["rows x cols", "chunks", "weft", "NumPy", "dask.array", "weft / NumPy", "weft / dask.array", "w vs NumPy's"],
      fresh.gradient.map((g) => [
        `${g.rows.toLocaleString("en")} x ${g.cols}`,
        String(g.chunks),
        `${f(g.weft.ms, 3)} (${f(g.weft.minMs, 3)}-${f(g.weft.maxMs, 3)})`,
        g.numpyMs === null ? "-" : f(g.numpyMs, 3),
        g.daskMs === null ? "-" : f(g.daskMs, 2),
        g.overNumpy === null ? "-" : f(g.overNumpy, 2),
        g.overDask === null ? "-" : f(g.overDask, 4),
        g.iterateDifference === null ? "-" : g.iterateDifference.toExponential(1),
      ]),
    ),
    "",
    `Plan cache over the suite: ${fresh.cache.hits} hits, ${fresh.cache.misses} misses (${f(100 * fresh.cache.hitRate)}%).`,
    "",
  );
  if ("missing" in fresh.reference) out.push(missing("NumPy and dask.array", fresh.reference), "");

  // peers
  const p = r.peers;
  out.push("## The logistic gradient against its peers", "");
  out.push(
    `X^T (sigmoid(X w) - y) on the ${p.rows.toLocaleString("en")} x ${p.cols} problem (weft: ${p.chunks} chunks, ${p.threads} threads).`,
    "",
  );
  const gradRows = p.gradient.map((g) => [g.name, f(g.ms), f(g.GBs), String(g.threads), g.dtype]);
  gradRows.push([
    "weft, two-pass product (gemv, then gemvT)",
    f(r.array.gradient.ms.twoPass),
    f(r.array.gradient.GBs.twoPass),
    String(r.array.gradient.threads),
    "float64",
  ]);
  if (!("missing" in r.array.reference) && r.array.gradient.rows === p.rows) {
    gradRows.push([
      `NumPy (two BLAS passes)`,
      f(r.array.reference.numpy.gradientMs),
      f((8 * p.rows * p.cols) / r.array.reference.numpy.gradientMs / 1e6),
      "BLAS",
      "float64",
    ]);
  }
  out.push(table(["", "ms", "GB/s of X", "threads", "dtype"], gradRows), "");
  if ("missing" in p.tfjs) out.push(missing("TensorFlow.js", p.tfjs), "");
  else
    out.push(
      `TensorFlow.js ${p.tfjs.version}, wasm backend (XNNPACK${p.tfjs.simd ? ", SIMD" : ""}), ${p.tfjs.threads} thread(s): its threaded build does not run under Node.`,
      "",
    );
  if ("missing" in r.array.reference) out.push(missing("NumPy", r.array.reference), "");
  out.push(chart("gradient", "gradient GB/s"));
  const gd = p.gradientDescent;
  out.push(
    `Gradient descent with each one's own ops: ${gd.iterations} fixed steps of ${gd.step.toExponential(1)}, lambda ${gd.lambda}; the final objective evaluated in float64 for all.`,
    "",
  );
  out.push(
    table(
      ["", "ms per iteration", "final objective"],
      gd.results.map((x) => [x.name, f(x.msPerIteration), x.objective.toFixed(4)]),
    ),
    "",
  );
  if ("missing" in p.mljs) out.push(missing("ml.js", p.mljs), "");
  else {
    out.push(
      `ml.js's \`ml-logistic-regression\` (gradient descent over ml-matrix, one classifier per class) on ${p.mljs.rows.toLocaleString("en")} x ${p.mljs.cols}, ` +
        `${p.mljs.steps} steps, against the identical steps in weft (coefficients agree to ${p.mljs.maxCoefDifference.toExponential(1)}):`,
      "",
      table(
        ["", "ms per gradient step"],
        p.mljs.results.map((x) => [x.name, f(x.msPerStep, 3)]),
      ),
      "",
    );
  }

  // the browser build
  out.push("## In the browser", "");
  const b = r.browser;
  if ("missing" in b) out.push(missing("weft in Chromium", b), "");
  else {
    const tf =
      "missing" in b.tfjs
        ? `TensorFlow.js not measured: ${b.tfjs.missing}`
        : `TensorFlow.js ${b.tfjs.version} wasm (SIMD ${b.tfjs.simd ? "on" : "off"}, ${b.threads.tfjs} thread: its threaded build sizes its pool to half the cores)`;
    out.push(
      `weft's browser build in headless Chromium ${b.chromium}, in a cross-origin isolated page (${b.threads.page} threads: Web Workers sharing the memory), against weft in Node (${b.threads.node} threads) and ${tf} in the same page; the ${b.rows.toLocaleString("en")} x ${b.cols} logistic problem, ${b.chunks} chunks; medians of ${b.rounds} rounds that alternate the three.`,
      "",
      table(
        ["logistic gradient", "ms", "GB/s of X", "dtype"],
        b.gradient.map((x) => [x.name, f(x.median), f(x.GBs), x.dtype]),
        ["l", "r", "r", "l"],
      ),
      "",
      table(
        ["lbfgs fit, lambda 1", "s", "iterations", "converged"],
        b.lbfgs.map((x) => [x.name, f(x.median, 3), String(x.nIter), x.converged ? "yes" : "no"]),
        ["l", "r", "r", "l"],
      ),
      "",
      `Gradient: weft in Chromium takes ${f(b.ratios.pageOverNode, 2)}x weft in Node's time` +
        (b.ratios.tfjsOverPage === null ? "." : `; TensorFlow.js takes ${f(b.ratios.tfjsOverPage, 2)}x weft's in the same page.`) +
        ` The lbfgs fit: ${f(b.ratios.lbfgsPageOverNode, 2)}x. TensorFlow.js has no L-BFGS; the same ${b.gradientDescent.iterations} fixed gradient-descent steps: ` +
        b.gradientDescent.results.map((x) => `${x.name} ${f(x.median, 1)} ms per iteration`).join(", ") +
        ".",
      "",
    );
  }

  // past one process
  out.push("## Across processes, on NATS", "");
  const c = r.cluster;
  if ("missing" in c) out.push(missing("the cluster", c), "");
  else {
    const dask = "missing" in c.dask ? [] : c.dask;
    out.push(
      `The logistic gradient on ${c.rows.toLocaleString("en")} x ${c.cols}, on a local ${c.nats} with \`weft worker\` processes of one thread each, every worker reading its rows from one .npy file; Dask distributed's LocalCluster (worker processes, one thread each) on the same file in the same run. Medians of ${c.iterations} gradients. The workers share this machine's 2 cores, so the wall times say little; the overhead per iteration (wall time minus the busiest worker's compute time in it) is what carries to a real cluster.`,
      "",
      table(
        ["", "workers", "ms per iteration", "busiest worker ms", "overhead ms"],
        [
          ...c.weft.map((w) => ["weft", String(w.workers), f(w.msPerIteration, 2), f(w.busiestWorkerMs, 2), f(w.overheadMs, 3)]),
          ...dask.map((d) => [`Dask ${d.version}`, String(d.workers), f(d.msPerIteration, 2), f(d.busiestWorkerMs, 2), f(d.overheadMs, 3)]),
        ],
        ["l", "r", "r", "r", "r"],
      ),
      "",
      ...("missing" in c.dask ? [missing("Dask distributed", c.dask), ""] : []),
      chart("cluster", "Cluster overhead per iteration, weft and Dask distributed"),
      "Where the overhead goes: the same evaluation answered from the workers' last one (no compute), back to back (every process awake) and after the client waited 25 ms, as it waits while workers compute (the server and the workers idle meanwhile, and an idle process on this VM takes its time to wake).",
      "",
      table(
        ["workers", "back to back ms", "after 25 ms idle ms"],
        c.weft.map((w) => [String(w.workers), f(w.messagingHotMs ?? NaN, 3), f(w.messagingAfterIdleMs ?? NaN, 3)]),
        ["r", "r", "r"],
      ),
      "",
      "Every solver on the cluster, one fit each (lambda 1, no intercept, maxIter 500): an evaluation is one request per worker (a loss and gradient, a loss, a Hessian, or ADMM's local steps).",
      "",
      table(
        ["workers", "solver", "iterations", "seconds", "evaluations", "compute ms / evaluation", "messaging ms / evaluation"],
        c.solvers.map((x) => [
          String(x.workers),
          x.solver,
          `${x.nIter}${x.converged ? "" : " (not converged)"}`,
          f(x.seconds, 3),
          String(x.evaluations),
          f(x.computeMsPerEvaluation, 2),
          f(x.messagingMsPerEvaluation, 3),
        ]),
        ["r", "l", "r", "r", "r", "r", "r"],
      ),
      "",
      `lbfgs (lambda 1, no intercept): one process with 2 threads ${f(c.lbfgs.singleProcess.seconds, 3)} s, 2 worker processes ${f(c.lbfgs.twoWorkers.seconds, 3)} s (${f(c.lbfgs.ratio, 2)}x).`,
      "",
    );
  }

  // solvers
  const g = r.glm;
  out.push("## GLM solvers", "");
  out.push(
    `Logistic regression, L2, lambda ${g.lambda}, no intercept, ${g.threads} threads; data generated and persisted before the fit (as scikit-learn's is in memory).`,
    "",
  );
  out.push(
    table(
      ["solver", "rows", "seconds", "iterations", "objective"],
      g.results.map((x) => [
        x.solver,
        x.rows.toLocaleString("en"),
        f(x.seconds, 3),
        String(x.nIter),
        x.objective.toFixed(4) + (x.converged === false ? " (not converged)" : ""),
      ]),
    ),
    "",
  );
  if ("missing" in g.sklearn) out.push(missing("scikit-learn", g.sklearn), "");
  else {
    const ours = g.results.find((x) => x.solver === "lbfgs" && x.rows === Math.max(...g.results.map((y) => y.rows)));
    const theirs = g.results.find((x) => x.solver === "sklearn-lbfgs" && x.rows === ours?.rows);
    if (ours && theirs)
      out.push(
        `At ${ours.rows.toLocaleString("en")} rows weft's lbfgs is ${f(theirs.seconds / ours.seconds, 2)}x faster than scikit-learn ${g.sklearn.version}'s lbfgs (objective ${ours.objective.toFixed(4)} against ${theirs.objective.toFixed(4)}).`,
        "",
      );
  }
  out.push(chart("solvers", "solver fit times"));
  out.push(...renderGlmRaw(g.raw));

  // arrays
  const e = r.array.expression;
  out.push("## Fused array expressions", "");
  out.push(
    table(
      ["sum(exp(x) - 1/x)", "ms", "GB/s of x", "tasks"],
      [
        ["reading x once (x.sum())", f(e.ms.stream), f(e.GBs.stream), "-"],
        ["weft fused", f(e.ms.fused), f(e.GBs.fused), String(e.tasks.fused)],
        ["weft unfused (a task per op per chunk)", f(e.ms.unfused), f(e.GBs.unfused), String(e.tasks.unfused)],
        ["plain JS loop, one thread", f(e.ms.jsLoop), f(e.GBs.jsLoop), "-"],
        ...("missing" in r.array.reference
          ? []
          : [
              ["NumPy", f(r.array.reference.numpy.expressionMs), f((8 * e.values) / r.array.reference.numpy.expressionMs / 1e6), "-"],
              ...(r.array.reference.dask
                ? [
                    [
                      `dask.array ${r.array.reference.dask.version}, threads`,
                      f(r.array.reference.dask.expressionMs),
                      f((8 * e.values) / r.array.reference.dask.expressionMs / 1e6),
                      "-",
                    ],
                  ]
                : []),
            ]),
      ],
    ),
    "",
    `${e.values.toExponential(0)} values in ${e.chunks} chunks, ${e.threads} threads: fused is ${f(e.fusedOverStream, 2)}x the time to read x once and ${f(e.unfusedOverFused, 2)}x faster than unfused.`,
    `With x stored as float32: reading it once ${f(e.float32.ms.stream)} ms, the fused expression ${f(e.float32.ms.fused)} ms (${f(e.float32.fusedOverStream, 2)}x its stream; ${f(e.float32.fusedOverFloat64, 2)}x the float64 time).`,
    "",
    chart("expression", "expression GB/s"),
  );

  // overhead
  const o = r.overhead;
  out.push("## Scheduling overhead", "");
  out.push(
    table(
      ["us per trivial task", "chain", "map + sum"],
      [
        ["weft, sync executor", f(o.usPerTaskByShape.chain.sync, 2), f(o.usPerTaskByShape.map.sync, 2)],
        ["weft, threads, batched", f(o.usPerTaskByShape.chain.threadsBatched, 2), f(o.usPerTaskByShape.map.threadsBatched, 2)],
        [
          "weft, threads, one task per dispatch",
          f(o.usPerTaskByShape.chain.threadsUnbatched, 2),
          f(o.usPerTaskByShape.map.threadsUnbatched, 2),
        ],
        [
          o.piscinaMissing ? "piscina, one task per message: not installed" : "piscina, one task per message",
          f(o.usPerTaskByShape.chain.piscina, 2),
          f(o.usPerTaskByShape.map.piscina, 2),
        ],
        ...("missing" in o.dask
          ? []
          : [
              [`Dask ${o.dask.dask}, synchronous`, f(o.dask.usPerTask.sync.chain), f(o.dask.usPerTask.sync.map)],
              [`Dask ${o.dask.dask}, threaded`, f(o.dask.usPerTask.threads.chain), f(o.dask.usPerTask.threads.map)],
            ]),
      ],
    ),
    "",
    `Round trip of one task to a warm worker: ${f(o.roundTripUs, 2)} us. Re-running a compiled plan of ${o.iteration.tasksPerIteration} tasks (a gradient on ${o.iteration.rows} x ${o.iteration.cols}): ` +
      `${f(o.iteration.threads.overheadMs, 4)} ms per iteration beyond its kernels on threads, ${f(o.iteration.sync.overheadMs, 4)} ms on the sync executor` +
      ("missing" in o.dask
        ? "."
        : `; the same gradient with dask.array takes ${f(o.dask.iterationMs.sync, 2)} ms (synchronous) and ${f(o.dask.iterationMs.threads, 2)} ms (threaded), NumPy alone ${f(o.dask.iterationMs.numpy, 3)} ms.`),
    "",
  );
  if ("missing" in o.dask) out.push(missing("Dask", o.dask), "");
  out.push(chart("overhead", "per-task overhead"));

  // graph
  out.push("## Graph optimization", "");
  const gr = r.graph;
  out.push(
    table(
      ["chunks", "tasks", "after compile()", "compile ms per 1,000 tasks"],
      gr.results.map((x) => [String(x.chunks), String(x.tasks.materialized), String(x.planTasks), f(x.msPer1000Tasks.compileGraph, 3)]),
    ),
    "",
  );
  if ("missing" in gr.dask) out.push(missing("Dask", gr.dask), "");
  else
    out.push(
      table(
        ["Dask", "chunks", "tasks", "after dask.array optimize", "optimize ms per 1,000 tasks"],
        gr.dask.map((d) => [
          d.dask,
          String(d.chunks),
          String(d.tasks.materialized),
          String(d.tasks.arrayOptimized),
          f(d.msPer1000Tasks.arrayOptimize, 3),
        ]),
      ),
      "",
    );

  // model selection
  const s = r.selection;
  out.push("## Model selection", "");
  out.push(
    `GridSearchCV over ${s.lambdas.length} lambdas x ${s.folds} folds (StandardScaler + LogisticRegression) on ${s.rows.toLocaleString("en")} x ${s.cols}: ` +
      `${f(s.seconds.gridSearch, 2)} s, against ${f(s.seconds.oneByOne, 2)} s for the same fits one by one: ${f(s.speedup, 2)}x.`,
    "",
  );

  // kernels
  out.push("## Kernels, one thread", "", summarizeKernels([r.kernels]), "");
  if (!info.python) out.push("Python references were skipped (--no-python).", "");
  return out.join("\n").replace(/\n{3,}/g, "\n\n");
}
