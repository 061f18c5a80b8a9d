/**
 * `weft profile SUITE`: task streams of real runs on a threaded Runtime, for the profile page.
 *
 * - graph: the seed expression sum(exp(x) - 1/x) over 64 chunks of 100,000 values, once unfused
 *   (a task per op per chunk) and once compiled with fusion (one task per chunk).
 * - overhead: 2,000 trivial tasks (a wide map then a sum), dispatched one at a time (each awaited,
 *   as a naive scheduler does) and in batches: the white space between tasks is the overhead.
 */
import {
  BlockwiseLayer,
  Graph,
  OpRegistry,
  Runtime,
  TaskLayer,
  TreeReductionLayer,
  compile,
  key,
  registerArrayOps,
  registerKernelOps,
  task,
  type Key,
  type TaskEvent,
} from "weftjs";
import * as benchOps from "./ops.js";
import { compiledModule } from "./modules.js";
import { mapGraph } from "./shapes.js";

export interface ProfileRun {
  name: string;
  events: TaskEvent[];
  result: number;
}

const OPS_MODULE = compiledModule("ops");

/** The ops the profiled graphs use (the bench's chunk maker, weft's kernels and combiners). */
export function profileOps(): OpRegistry {
  const ops = new OpRegistry();
  registerKernelOps(ops);
  ops.register("chunk", benchOps.profileChunk, { context: true, module: OPS_MODULE, exportName: "profileChunk" });
  registerArrayOps(ops); // combineSum, the reduction's combiner
  ops.register("inc", benchOps.inc, { module: OPS_MODULE });
  ops.register("sumList", benchOps.sumList, { module: OPS_MODULE });
  return ops;
}

/** Runs `plan` once to warm up (V8 tiers the kernels up, workers load the plan), then profiled. */
async function profiled(rt: Runtime, name: string, plan: ReturnType<typeof compile>, batch = true): Promise<ProfileRun> {
  await rt.run(plan, {}, { batch });
  rt.clearProfile();
  const [result] = (await rt.run(plan, {}, { batch })) as number[];
  return { name, events: rt.profile().events, result: result! };
}

/** The seed expression sum(exp(x) - 1/x) over `chunks` chunks of `n` values, as layers: the graph and its one output. */
export function seedGraph(chunks: number, n: number): { graph: Graph; output: Key } {
  const ids = new TaskLayer(
    "profile-chunk-ids",
    Array.from({ length: chunks }, (_, i) => task(key("profile-chunk-ids", i), "const", i)),
  );
  const x = new BlockwiseLayer("chunk", [ids, { literal: n }], { bytes: 8 * n });
  const e = new BlockwiseLayer("exp", [x], { bytes: 8 * n });
  const r = new BlockwiseLayer("reciprocal", [x], { bytes: 8 * n });
  const y = new BlockwiseLayer("sub", [e, r], { bytes: 8 * n });
  const partial = new BlockwiseLayer("sum", [y]);
  const totalLayer = new TreeReductionLayer("combineSum", partial, 8);
  return { graph: new Graph([totalLayer]), output: totalLayer.keyAt(0) };
}

export async function profileGraph(options: { chunks?: number; chunkLength?: number; threads?: number } = {}): Promise<ProfileRun[]> {
  const ops = profileOps();
  const { graph, output } = seedGraph(options.chunks ?? 64, options.chunkLength ?? 100_000);
  const rt = await Runtime.start({ threads: options.threads, memory: { initial: 64 << 20 } });
  try {
    const runs: ProfileRun[] = [];
    for (const [name, fusion] of [
      ["unfused: one task per op per chunk", "none"],
      ["fused: one task per chunk", "aggressive"],
    ] as const) {
      runs.push(await profiled(rt, `${name} (${rt.threads} threads)`, compile(graph, [output], { ops, fusion })));
    }
    return runs;
  } finally {
    await rt.close();
  }
}

export async function profileOverhead(options: { tasks?: number; threads?: number } = {}): Promise<ProfileRun[]> {
  const n = options.tasks ?? 2000;
  const { tasks, out } = mapGraph(n, "profile-map");
  const plan = compile(tasks, [out], { ops: profileOps(), fusion: "none" });
  const rt = await Runtime.start({ threads: options.threads });
  try {
    return [
      await profiled(rt, `${n} tasks, one dispatch per task, each awaited (${rt.threads} threads)`, plan, false),
      await profiled(rt, `${n} tasks in batches (${rt.threads} threads)`, plan, true),
    ];
  } finally {
    await rt.close();
  }
}
