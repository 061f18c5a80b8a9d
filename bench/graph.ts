/**
 * `weft bench graph`: the seed's expression `sum(exp(x) - 1/x)` over N chunks, built as layers
 * (a source per chunk, exp, reciprocal, sub, a per-chunk sum, and a tree reduction), then
 * optimized. Reports the task count after each pass and the time each pass takes per 1,000
 * tasks it reads (median of several runs).
 */
import {
  BlockwiseLayer, Graph, TreeReductionLayer, cull, fuse, fuseLinear, inlineConstants, order,
  type FuseOptions, type Key, type TaskMap,
} from "../src/index.js";
import { median } from "./measure.js";

export interface GraphBenchRow {
  chunks: number;
  /** Tasks after each step. */
  tasks: { materialized: number; culled: number; inlined: number; fusedLinear: number; fused: number };
  /** Tasks after fuse with other knob settings. */
  fusedWith: { options: FuseOptions; tasks: number }[];
  /** Milliseconds per 1,000 input tasks, per step. */
  msPer1000Tasks: { build: number; materialize: number; cull: number; inlineConstants: number; fuseLinear: number; fuse: number; order: number; total: number };
}

export interface GraphBenchReport {
  results: GraphBenchRow[];
}

/** The seed expression as layers; returns the graph and its output key. */
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

export function benchGraph(options: { chunks?: readonly number[]; repeats?: number } = {}): GraphBenchReport {
  const results: GraphBenchRow[] = [];
  for (const chunks of options.chunks ?? [1000, 10_000]) {
    const samples: Record<keyof GraphBenchRow["msPer1000Tasks"], number[]> = {
      build: [], materialize: [], cull: [], inlineConstants: [], fuseLinear: [], fuse: [], order: [], total: [],
    };
    let counts: GraphBenchRow["tasks"] | undefined;
    for (let rep = 0; rep < (options.repeats ?? 7); rep++) {
      const [{ graph, output }, build] = timeIt(() => seedExpression(chunks));
      const [all, materialize] = timeIt(() => graph.tasks());
      const [culled, cullMs] = timeIt(() => cull(all, [output]));
      const [inlined, inlineMs] = timeIt(() => inlineConstants(culled, [output]));
      const [linear, linearMs] = timeIt(() => fuseLinear(inlined, [output]));
      const [fused, fuseMs] = timeIt(() => fuse(inlined, [output]));
      const [, orderMs] = timeIt(() => order(fused, [output]));
      const per1000 = (ms: number, tasks: number) => (1000 * ms) / tasks;
      const n = all.size;
      samples.build.push(per1000(build, n));
      samples.materialize.push(per1000(materialize, n));
      samples.cull.push(per1000(cullMs, n));
      samples.inlineConstants.push(per1000(inlineMs, culled.size));
      samples.fuseLinear.push(per1000(linearMs, inlined.size));
      samples.fuse.push(per1000(fuseMs, inlined.size));
      samples.order.push(per1000(orderMs, fused.size));
      samples.total.push(per1000(build + materialize + cullMs + inlineMs + fuseMs + orderMs, n));
      counts = { materialized: n, culled: culled.size, inlined: inlined.size, fusedLinear: linear.size, fused: fused.size };
    }
    const { graph, output } = seedExpression(chunks);
    const tasks: TaskMap = graph.tasks();
    const fusedWith = KNOB_SETTINGS.map((o) => ({ options: o, tasks: fuse(tasks, [output], o).size }));
    const ms = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) as GraphBenchRow["msPer1000Tasks"];
    results.push({ chunks, tasks: counts!, fusedWith, msPer1000Tasks: ms });
  }
  return { results };
}
