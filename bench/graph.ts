/**
 * `weft bench graph`: the seed's expression `sum(exp(x) - 1/x)` over N chunks, built as layers
 * (a source per chunk, exp, reciprocal, sub, a per-chunk sum, and a tree reduction), then
 * optimized. Reports the task count after each pass and the time each pass takes per 1,000
 * tasks it reads (median of several runs: 7, or 30,000 / chunks when that is more).
 */
import { BlockwiseLayer, Graph, OpRegistry, TreeReductionLayer, compile, type FuseOptions, type Key, type TaskMap } from "weftjs";
import { cull, fuse, fuseBlockwise, fuseLinear, inlineConstants, layerTasks, order } from "weftjs/graph";
import { runPythonReference } from "./python.js";
import { median } from "./measure.js";

export interface GraphBenchRow {
  chunks: number;
  /** Tasks after each step; `blockwise` counts the tasks made after layer-level fusion. */
  tasks: { materialized: number; culled: number; inlined: number; fusedLinear: number; fused: number; blockwise: number };
  /** Tasks after fuse with other knob settings. */
  fusedWith: { options: FuseOptions; tasks: number }[];
  /** Tasks in the compiled plan (compile() with its defaults). */
  planTasks: number;
  /**
   * Milliseconds per 1,000 input tasks, per step: the public passes one by one (each from map
   * to map), then compile(), which runs them on one dense index and is what users pay.
   */
  msPer1000Tasks: {
    build: number;
    materialize: number;
    cull: number;
    inlineConstants: number;
    fuseLinear: number;
    fuse: number;
    order: number;
    passesTotal: number;
    compile: number;
    /** compile(graph): blockwise fusion of the layers, materializing the fused tasks, then the passes. */
    compileGraph: number;
  };
}

/** Dask's figures for the same expression, from bench/python/dask_graph.py in the same run. */
export interface DaskGraphRow {
  dask: string;
  chunks: number;
  tasks: { materialized: number; culled: number; fused: number; fusedAveWidth2: number; arrayOptimized: number };
  msPer1000Tasks: { materialize: number; cull: number; fuse: number; fuseAveWidth2: number; arrayOptimize: number };
}

export interface GraphBenchReport {
  results: GraphBenchRow[];
  /** Dask on the same machine in the same run, or why it is missing. */
  dask: DaskGraphRow[] | { missing: string };
}

/** Runs Dask's side of the benchmark, if python3 with dask is installed. */
export function benchDask(chunks: readonly number[], repeats: number): DaskGraphRow[] | { missing: string } {
  const rows: DaskGraphRow[] = [];
  for (const n of chunks) {
    const row = runPythonReference<DaskGraphRow>("dask_graph.py", "dask, numpy", "python3-dask", [n, repeats], 600_000);
    if ("missing" in row) return row;
    rows.push(row);
  }
  return rows;
}

export function seedExpression(chunks: number, splitEvery = 32): { graph: Graph; output: Key } {
  const x = new BlockwiseLayer("random", [{ literal: 1 }], { chunks });
  const e = new BlockwiseLayer("exp", [x]);
  const r = new BlockwiseLayer("reciprocal", [x]);
  const y = new BlockwiseLayer("sub", [e, r]);
  const partial = new BlockwiseLayer("sum", [y]);
  const total = new TreeReductionLayer("add", partial, splitEvery);
  return { graph: new Graph([total]), output: total.keyAt(0) };
}

const KNOB_SETTINGS: FuseOptions[] = [
  { aveWidth: 1, maxWidth: 1 },
  { aveWidth: 2 },
  { aveWidth: 4, maxWidth: 8 },
  { aveWidth: 64, maxWidth: 64 },
];

function timeIt<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const out = fn();
  return [out, performance.now() - t0];
}

/** The seed expression's ops, so that compile() can check them (the bench never runs them). */
const SEED_OPS = new OpRegistry();
for (const name of ["random", "exp", "reciprocal", "sub", "sum", "add"]) SEED_OPS.register(name, () => 0);

export function benchGraph(options: { chunks?: readonly number[]; repeats?: number; python?: boolean } = {}): GraphBenchReport {
  const results: GraphBenchRow[] = [];
  const sizes = options.chunks ?? [1000, 10_000];
  for (const chunks of sizes) {
    const samples: Record<keyof GraphBenchRow["msPer1000Tasks"], number[]> = {
      build: [],
      materialize: [],
      cull: [],
      inlineConstants: [],
      fuseLinear: [],
      fuse: [],
      order: [],
      passesTotal: [],
      compile: [],
      compileGraph: [],
    };
    let counts: GraphBenchRow["tasks"] | undefined;
    let planTasks = 0;
    const warmUp = 3; // the first runs measure V8's compiler more than the passes
    // small graphs take a few milliseconds, where one GC pause moves a sample: take more of them
    const repeats = Math.max(options.repeats ?? 7, Math.round(30_000 / chunks));
    for (let rep = 0; rep < warmUp + repeats; rep++) {
      const [{ graph, output }, build] = timeIt(() => seedExpression(chunks));
      const [all, materialize] = timeIt(() => graph.tasks());
      const [culled, cullMs] = timeIt(() => cull(all, [output]));
      const [inlined, inlineMs] = timeIt(() => inlineConstants(culled, [output]));
      const [linear, linearMs] = timeIt(() => fuseLinear(inlined, [output]));
      const [fused, fuseMs] = timeIt(() => fuse(inlined, [output]));
      const [, orderMs] = timeIt(() => order(fused, [output]));
      const [plan, compileMs] = timeIt(() => compile(all, [output], { ops: SEED_OPS }));
      const [, compileGraphMs] = timeIt(() => compile(graph, [output], { ops: SEED_OPS }));
      planTasks = plan.tasks.length;
      if (rep < warmUp) continue;
      const per1000 = (ms: number, tasks: number) => (1000 * ms) / tasks;
      const n = all.size;
      samples.build.push(per1000(build, n));
      samples.materialize.push(per1000(materialize, n));
      samples.cull.push(per1000(cullMs, n));
      samples.inlineConstants.push(per1000(inlineMs, culled.size));
      samples.fuseLinear.push(per1000(linearMs, inlined.size));
      samples.fuse.push(per1000(fuseMs, inlined.size));
      samples.order.push(per1000(orderMs, fused.size));
      samples.passesTotal.push(per1000(cullMs + inlineMs + fuseMs + orderMs, n));
      samples.compile.push(per1000(compileMs, n));
      samples.compileGraph.push(per1000(compileGraphMs, n));
      const blockwise = layerTasks(fuseBlockwise(graph)).size;
      counts = { materialized: n, culled: culled.size, inlined: inlined.size, fusedLinear: linear.size, fused: fused.size, blockwise };
    }
    const { graph, output } = seedExpression(chunks);
    const tasks: TaskMap = graph.tasks();
    const fusedWith = KNOB_SETTINGS.map((o) => ({ options: o, tasks: fuse(tasks, [output], o).size }));
    const ms = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) as GraphBenchRow["msPer1000Tasks"];
    results.push({ chunks, tasks: counts!, fusedWith, planTasks, msPer1000Tasks: ms });
  }
  const dask = options.python === false ? { missing: "skipped (--no-python)" } : benchDask(sizes, Math.min(options.repeats ?? 7, 5));
  return { results, dask };
}
