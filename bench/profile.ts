/**
 * `weft profile graph`: runs the seed expression sum(exp(x) - 1/x) with real kernels (64 chunks
 * of 100,000 values by default) on the synchronous executor and returns its task timings, once
 * unfused (a task per op per chunk) and once as compiled (one task per chunk), so the page shows
 * what fusion removes.
 */
import {
  BlockwiseLayer, Graph, Kernels, OpRegistry, TaskLayer, TreeReductionLayer, compile, key, registerKernelOps, task,
  type TaskEvent,
} from "../src/index.js";

export interface ProfileRun {
  name: string;
  events: TaskEvent[];
  result: number;
}

export async function profileGraph(options: { chunks?: number; chunkLength?: number } = {}): Promise<ProfileRun[]> {
  const chunks = options.chunks ?? 64;
  const n = options.chunkLength ?? 100_000;
  const kernels = await Kernels.create({ memory: { initial: 64 << 20 } });
  const ops = new OpRegistry();
  registerKernelOps(ops);
  // chunk i: n values in [0.5, 1.5), from i (deterministic, so runs can be compared)
  ops.register("chunk", (ctx, i: number) => {
    const out = ctx.alloc(8 * n);
    const v = out.f64();
    for (let j = 0; j < n; j++) v[j] = 0.5 + ((i * 7919 + j * 104729) % 1000) / 1000;
    return out;
  }, { context: true });
  ops.register("total", (parts: number[]) => parts.reduce((s, v) => s + v, 0));
  const ids = new TaskLayer("profile-chunk-ids", Array.from({ length: chunks }, (_, i) => task(key("profile-chunk-ids", i), "const", i)));
  const x = new BlockwiseLayer("chunk", [ids], { bytes: 8 * n });
  const e = new BlockwiseLayer("exp", [x], { bytes: 8 * n });
  const r = new BlockwiseLayer("reciprocal", [x], { bytes: 8 * n });
  const y = new BlockwiseLayer("sub", [e, r], { bytes: 8 * n });
  const partial = new BlockwiseLayer("sum", [y]);
  const total = new TreeReductionLayer("total", partial, 8);
  const graph = new Graph([total]);
  const runs: ProfileRun[] = [];
  for (const [name, fusion] of [["unfused: one task per op per chunk", "none"], ["fused: one task per chunk", "aggressive"]] as const) {
    const plan = compile(graph, [total.keyAt(0)], { ops, fusion });
    plan.run({}, { kernels }); // warm up: V8 tiers the kernels up
    const events: TaskEvent[] = [];
    const [result] = plan.run({}, { kernels, events }) as number[];
    runs.push({ name, events, result: result! });
  }
  return runs;
}
