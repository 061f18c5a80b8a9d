/**
 * `weft bench fresh`: work written as a user writes it, a fresh lazy expression every compute,
 * against the same work from a compiled plan and against its peers (the Dask development log of
 * February 2017, where weft starts: "avoid repeated work when generating very similar graphs").
 *
 * 1. sum(exp(x) - 1/x), x persisted in chunks of 100 values, at 100 to 100,000 chunks: per
 *    compute, a graph built anew (found in the plan cache by structure), the same compiled anew
 *    (cache: false: compile and first run of a new plan), and a plan compiled once and re-run;
 *    as microseconds per chunk, against dask.array (threaded, its graph built every compute).
 * 2. Gradient descent written by hand, w -= step * X.T @ (sigmoid(X @ w) - y), a new graph every
 *    iteration, on the spec's synthetic problem at 10k x 10 in 10 chunks, 100k x 10 in 100 and
 *    1M x 100 in 10: ms per iteration against NumPy and dask.array on the same numbers, and the
 *    iterates checked against NumPy's after the same number of steps.
 * 3. The plan cache's hits and misses over the suite.
 */
import { availableParallelism, cpus } from "node:os";
import { Graph, Runtime, array, type ChunkedArray, type PlanCacheStats } from "weftjs";
import { median } from "./measure.js";
import { runPythonReference, type Missing } from "./python.js";

/** Cost of one way of computing the expression at one size: ms per compute (median, spread) and us per chunk. */
export interface Cost {
  ms: number;
  minMs: number;
  maxMs: number;
  usPerChunk: number;
  runs: number;
}

export interface FreshExpressionRow {
  chunks: number;
  values: number;
  /** Tasks of the compiled plan. */
  tasks: number;
  /** A new graph every compute (the plan cache finds its plan). */
  fresh: Cost;
  /** A new graph every compute, compiled and run for the first time (cache: false). */
  cold: Cost;
  /** One plan, compiled before, run again. */
  compiled: Cost;
  dask: Cost | null;
  numpyMs: number | null;
}

export interface FreshGradientRow {
  rows: number;
  cols: number;
  chunks: number;
  iterations: number;
  step: number;
  /** ms per iteration, weft (median over every timed iteration of every loop, and the spread). */
  weft: { ms: number; minMs: number; maxMs: number; iterations: number };
  numpyMs: number | null;
  daskMs: number | null;
  /** weft's time over NumPy's and over dask.array's (lower is better for weft). */
  overNumpy: number | null;
  overDask: number | null;
  /** Largest relative difference between weft's w and NumPy's after `iterations` steps. */
  iterateDifference: number | null;
}

export interface FreshBenchReport {
  threads: number;
  valuesPerChunk: number;
  expression: FreshExpressionRow[];
  gradient: FreshGradientRow[];
  cache: PlanCacheStats & { hitRate: number };
  reference: { numpy: string; dask: string | null } | Missing;
  machine: { cpu: string; cores: number; node: string };
}

export interface FreshBenchOptions {
  quick?: boolean;
  python?: boolean;
  onProgress?: (done: number, total: number, label: string) => void;
}

interface PythonFresh {
  numpy: string;
  dask: string | null;
  expression: { chunks: number; numpyMs: number; daskMs: number | null; daskRuns: number }[];
  gd: {
    rows: number;
    cols: number;
    chunks: number;
    step: number;
    iterations: number;
    numpyMs: number;
    numpyW: number[];
    daskMs: number | null;
  }[];
}

const VALUES = 100;
/** The step, times the rows: a step of 1 / rows keeps gradient descent on these problems stable. */
const STEP_TIMES_ROWS = 1;

/**
 * Runs `fn` until it has run `least` times and for WARM_MS: V8 compiles the code a loop runs
 * in tiers, and a handful of runs leaves small computations timed in its slowest one (4 ms a
 * compute of 100 chunks against 0.15 ms after a few hundred).
 */
async function warmUp(fn: () => Promise<unknown>, least: number): Promise<void> {
  const t0 = performance.now();
  for (let i = 0; i < least || performance.now() - t0 < WARM_MS; i++) await fn();
}

const WARM_MS = 1000;

/** ms of `fn` over `repeats` runs after warming up: median and spread. */
async function timed(fn: () => Promise<unknown>, repeats: number, warm: number, chunks: number): Promise<Cost> {
  await warmUp(fn, warm);
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  const ms = median(samples);
  return { ms, minMs: Math.min(...samples), maxMs: Math.max(...samples), usPerChunk: (1000 * ms) / chunks, runs: samples.length };
}

const costOf = (ms: number | null, chunks: number, runs: number): Cost | null =>
  ms === null ? null : { ms, minMs: ms, maxMs: ms, usPerChunk: (1000 * ms) / chunks, runs };

export async function benchFresh(options: FreshBenchOptions = {}): Promise<FreshBenchReport> {
  const quick = options.quick === true;
  const chunkCounts = quick ? [100, 1000] : [100, 1000, 10_000, 100_000];
  const sizes: [number, number, number][] = quick
    ? [
        [10_000, 10, 10],
        [100_000, 10, 100],
      ]
    : [
        [10_000, 10, 10],
        [100_000, 10, 100],
        [1_000_000, 100, 10],
      ];
  const iterations = 20;
  const loops = quick ? 2 : 5;
  const threads = availableParallelism();
  const total = chunkCounts.length + sizes.length + (options.python === false ? 0 : 1);
  let done = 0;
  const progress = (label: string) => options.onProgress?.(done++, total, label);

  const rt = await Runtime.start({ threads, profileCapacity: 0 });
  const expression: FreshExpressionRow[] = [];
  const finalW = new Map<number, Float64Array>();
  const gradient: FreshGradientRow[] = [];
  let cache: PlanCacheStats;
  try {
    for (const chunks of chunkCounts) {
      progress(`expression, ${chunks} chunks`);
      const x = await array.random
        .uniform({ shape: [chunks * VALUES], chunks: VALUES, seed: 1, low: 0.5, high: 1.5 })
        .persist({ runtime: rt });
      const expr = () => x.exp().sub(x.reciprocal()).sum();
      const repeats = chunks >= 100_000 ? 5 : quick ? 5 : 15;
      const fresh = await timed(() => expr().compute({ runtime: rt }), repeats, 2, chunks);
      const cold = await timed(() => expr().compute({ runtime: rt, cache: false }), repeats, 2, chunks);
      const e = expr();
      const plan = rt.compile(new Graph([e.storageLayer]), e.storageLayer.keys(), { cache: false });
      const compiled = await timed(() => rt.run(plan), repeats, 2, chunks);
      const [a, b] = [await expr().compute({ runtime: rt }), (await rt.run(plan))[0]] as number[];
      const c = (await expr().compute({ runtime: rt, cache: false })) as number;
      if (a !== b || a !== c) throw new Error(`the ways of computing disagree at ${chunks} chunks: ${a}, ${b}, ${c}`);
      expression.push({ chunks, values: chunks * VALUES, tasks: plan.tasks.length, fresh, cold, compiled, dask: null, numpyMs: null });
      x.release();
    }
    for (const [rows, cols, chunks] of sizes) {
      progress(`gradient descent, ${rows} x ${cols}`);
      const { X: Xlazy, y: ylazy } = array.random.logisticProblem({ rows, cols, chunkRows: rows / chunks });
      const X = await Xlazy.persist({ runtime: rt }),
        y = await ylazy.persist({ runtime: rt });
      const step = STEP_TIMES_ROWS / rows;
      const samples: number[] = [];
      await warmUp(() => descend(X, y, step, iterations, rt, []), 1);
      let w: Float64Array = new Float64Array(cols);
      for (let loop = 0; loop < loops; loop++) {
        w = await descend(X, y, step, iterations, rt, samples);
      }
      X.release();
      y.release();
      finalW.set(rows, w);
      const ms = median(samples);
      gradient.push({
        rows,
        cols,
        chunks,
        iterations,
        step,
        weft: { ms, minMs: Math.min(...samples), maxMs: Math.max(...samples), iterations: samples.length },
        numpyMs: null,
        daskMs: null,
        overNumpy: null,
        overDask: null,
        iterateDifference: null,
      });
    }
    cache = rt.planCache.stats();
  } finally {
    await rt.close();
  }
  // the peers last: a Python process that ran before left this one's timings noisy (4.7 against
  // 1.1 us a chunk for 100 chunks)
  let python: PythonFresh | Missing = { missing: "skipped (--no-python)" };
  if (options.python !== false) {
    progress("NumPy and dask.array");
    const budget = quick ? 5 : 30;
    // each part in a process of its own (see the script)
    const e = runPythonReference<Pick<PythonFresh, "numpy" | "dask" | "expression">>(
      "fresh_reference.py",
      "numpy",
      "python3-numpy python3-dask",
      ["expression", chunkCounts.join(","), VALUES, budget],
      3_600_000,
    );
    const g =
      "missing" in e
        ? e
        : runPythonReference<Pick<PythonFresh, "gd">>(
            "fresh_reference.py",
            "numpy",
            "python3-numpy python3-dask",
            ["gd", sizes.map((s) => s.join(":")).join(","), iterations, STEP_TIMES_ROWS, budget],
            3_600_000,
          );
    python = "missing" in e ? e : "missing" in g ? g : { ...e, ...g };
  }
  const ref = "missing" in python ? undefined : python;

  for (const e of expression) {
    const py = ref?.expression.find((r) => r.chunks === e.chunks);
    if (py) Object.assign(e, { dask: costOf(py.daskMs, e.chunks, py.daskRuns), numpyMs: py.numpyMs });
  }
  for (const g of gradient) {
    const py = ref?.gd.find((r) => r.rows === g.rows && r.cols === g.cols);
    if (!py) continue;
    const w = finalW.get(g.rows)!;
    let difference = 0;
    for (let j = 0; j < g.cols; j++)
      difference = Math.max(difference, Math.abs(w[j]! - py.numpyW[j]!) / Math.max(1e-12, Math.abs(py.numpyW[j]!)));
    Object.assign(g, {
      numpyMs: py.numpyMs,
      daskMs: py.daskMs,
      overNumpy: g.weft.ms / py.numpyMs,
      overDask: py.daskMs ? g.weft.ms / py.daskMs : null,
      iterateDifference: difference,
    });
  }
  progress("done");
  return {
    threads,
    valuesPerChunk: VALUES,
    expression,
    gradient,
    cache: { ...cache, hitRate: cache.hits / Math.max(1, cache.hits + cache.misses) },
    reference: ref ? { numpy: ref.numpy, dask: ref.dask } : (python as Missing),
    machine: { cpu: cpus()[0]?.model ?? "unknown", cores: threads, node: process.version },
  };
}

/**
 * `iterations` steps of gradient descent from w = 0, each a fresh graph (a new array for w, the
 * expression built anew), as a user writes it; pushes each step's ms after the first two.
 */
async function descend(
  X: ChunkedArray,
  y: ChunkedArray,
  step: number,
  iterations: number,
  rt: Runtime,
  samples: number[],
): Promise<Float64Array> {
  const cols = X.shape[1]!;
  const w = new Float64Array(cols);
  const g = new Float64Array(cols);
  for (let it = 0; it < iterations; it++) {
    const t0 = performance.now();
    await X.T.matmul(X.matmul(array.fromTypedArray(w)).sigmoid().sub(y)).compute({ runtime: rt, out: g });
    for (let j = 0; j < cols; j++) w[j] = w[j]! - step * g[j]!;
    if (it >= 2) samples.push(performance.now() - t0);
  }
  return w;
}

const f = (v: number | null | undefined, digits = 2) => (v === null || v === undefined || !Number.isFinite(v) ? "-" : v.toFixed(digits));

/** The report as text: what `weft bench fresh` prints. */
export function formatFresh(r: FreshBenchReport): string {
  const lines = [
    `sum(exp(x) - 1/x), x in chunks of ${r.valuesPerChunk} values, ${r.threads} threads: us per chunk (median; ms per compute)`,
    "",
    "   chunks    tasks   new graph (cached plan)   new plan (compile + first run)   plan re-run   dask.array, new graph   NumPy, whole array",
  ];
  for (const e of r.expression) {
    lines.push(
      `${String(e.chunks).padStart(9)} ${String(e.tasks).padStart(8)} ` +
        `${`${f(e.fresh.usPerChunk)} (${f(e.fresh.ms, 1)} ms)`.padStart(25)} ${`${f(e.cold.usPerChunk)} (${f(e.cold.ms, 1)} ms)`.padStart(32)} ` +
        `${f(e.compiled.usPerChunk).padStart(13)} ${(e.dask ? `${f(e.dask.usPerChunk)} (${f(e.dask.ms, 0)} ms)` : "-").padStart(23)} ${(e.numpyMs === null ? "-" : `${f(e.numpyMs, 3)} ms`).padStart(20)}`,
    );
  }
  lines.push(
    "",
    "gradient descent written by hand, w -= step * X.T @ (sigmoid(X @ w) - y), a new graph every iteration: ms per iteration (median)",
    "",
  );
  lines.push("   rows x cols   chunks      weft   (min-max)        NumPy   dask.array   weft/NumPy   weft/dask   iterates vs NumPy");
  for (const g of r.gradient) {
    lines.push(
      `${`${g.rows} x ${g.cols}`.padStart(14)} ${String(g.chunks).padStart(8)} ${f(g.weft.ms, 3).padStart(9)} ${`(${f(g.weft.minMs, 3)}-${f(g.weft.maxMs, 3)})`.padStart(17)} ` +
        `${f(g.numpyMs, 3).padStart(10)} ${f(g.daskMs, 2).padStart(12)} ${f(g.overNumpy).padStart(12)} ${f(g.overDask, 4).padStart(11)} ${(g.iterateDifference === null ? "-" : g.iterateDifference.toExponential(1)).padStart(19)}`,
    );
  }
  lines.push("", `plan cache: ${r.cache.hits} hits, ${r.cache.misses} misses (hit rate ${f(100 * r.cache.hitRate, 1)}%)`);
  if ("missing" in r.reference) lines.push(`NumPy and dask.array: not measured: ${r.reference.missing}`);
  else lines.push(`NumPy ${r.reference.numpy}, dask ${r.reference.dask ?? "(not installed)"}`);
  return lines.join("\n");
}
