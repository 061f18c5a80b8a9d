/**
 * `weft bench overhead`: what the scheduler costs per task, and per iteration of a solver.
 *
 * 1. Per-task overhead on trivial tasks (one addition each), in two shapes: a chain (each task
 *    reads the previous one) and a wide map then a sum. Compiled once without fusion (we time
 *    the scheduler, not the fusion passes), then run several times; the median wall time of a
 *    run divided by its tasks. Executors: sync (the calling thread), threads unbatched (one
 *    dispatch per task, each awaited: a round trip to a warm worker per task), threads batched
 *    (the default), and piscina one task per message as the reference.
 * 2. Iteration overhead: a compiled plan of 10 chunk tasks (the fused logistic loss and
 *    gradient on 100 x 100 chunks of the spec's 1,000 x 100 problem) and their sum, re-run
 *    1,000 times with w bound anew. Overhead = wall time per iteration minus the time the same
 *    kernels take called directly in a loop (divided by the threads for the threaded executor:
 *    anything above a perfect split counts as overhead).
 * 3. Dask's figures for the same shapes, from bench/python/dask_overhead.py in the same run,
 *    when python3 with dask is present.
 */
import { availableParallelism, cpus } from "node:os";
import { fileURLToPath } from "node:url";
import {
  OpRegistry,
  Runtime,
  compile,
  glm,
  key,
  logisticProblemChunk,
  ref,
  registerArrayOps,
  registerKernelOps,
  task,
  taskWith,
  type Key,
  type Plan,
  type Task,
} from "weftjs";
import type { Allocation } from "weftjs/memory";
import { median, wallMs } from "./measure.js";
import { isMissing, optionalPeer, type Missing } from "./optional.js";
import { runPythonReference } from "./python.js";
import * as benchOps from "./ops.js";
import { compiledModule } from "./modules.js";
import { chainGraph, mapGraph } from "./shapes.js";

export interface ExecutorFigures {
  sync: number;
  threadsUnbatched: number;
  threadsBatched: number;
  piscina: number;
}

export interface IterationFigures {
  chunks: number;
  rows: number;
  cols: number;
  iterations: number;
  /** Tasks in the compiled plan: what each iteration schedules. */
  tasksPerIteration: number;
  /** The same kernels called directly in a loop, one thread, ms per iteration. */
  kernelsMs: number;
  sync: { wallMs: number; overheadMs: number };
  threads: { threads: number; wallMs: number; idealMs: number; overheadMs: number };
}

export interface DaskOverhead {
  dask: string;
  tasks: number;
  usPerTask: { sync: { chain: number; map: number }; threads: { chain: number; map: number } };
  iterationMs: { numpy: number; sync: number; threads: number };
}

export interface OverheadReport {
  /** Trivial tasks per run, for weft's executors. */
  tasks: number;
  /** Microseconds per task: the worse of the two shapes, per executor. */
  usPerTask: ExecutorFigures;
  usPerTaskByShape: { chain: ExecutorFigures; map: ExecutorFigures };
  /** Tasks per run for piscina (fewer: each costs a message round trip). */
  piscinaTasks: number;
  /** Why the piscina figures are NaN: it is not installed (an optional peer). */
  piscinaMissing?: string;
  /**
   * One task to a warm worker and back: the median, over the tasks of one unbatched chain run,
   * of the time from a task's start to the next one's (the next can only start once the
   * previous completion came back to the main thread and the next task went out). The mean
   * per task, stalls of the shared machine included, is usPerTaskByShape.chain.threadsUnbatched.
   */
  roundTripUs: number;
  /** Per iteration, not spent in kernels, on the default (threaded) runtime. */
  iterationOverheadMs: number;
  iteration: IterationFigures;
  dask: DaskOverhead | { missing: string };
  machine: { cpu: string; cores: number; node: string };
}

export interface OverheadOptions {
  quick?: boolean;
  python?: boolean;
  onProgress?: (done: number, total: number, label: string) => void;
}

const OPS_MODULE = compiledModule("ops");

/** The benchmark's ops, registered so that workers import them from bench/ops.js. */
function benchRegistry(): OpRegistry {
  const ops = new OpRegistry();
  registerKernelOps(ops);
  ops.register("inc", benchOps.inc, { module: OPS_MODULE });
  ops.register("sumList", benchOps.sumList, { module: OPS_MODULE });
  registerArrayOps(ops); // combineVectors
  glm.registerOps(ops); // glmChunkLossGrad: the chunk task GLM fits run
  return ops;
}

/** us per task in piscina, one task per message, or Missing when piscina is not installed. */
async function piscinaUsPerTask(n: number, repeats: number): Promise<{ chain: number; map: number } | Missing> {
  const piscina = await optionalPeer<typeof import("piscina")>("piscina");
  if (isMissing(piscina)) return piscina;
  const filename = fileURLToPath(compiledModule("piscina-inc"));
  const pool = new piscina.Piscina({ filename, minThreads: availableParallelism(), maxThreads: availableParallelism() });
  try {
    const chain = await wallMs(async () => {
      let x = 0;
      for (let i = 0; i < n; i++) x = (await pool.run(x)) as number;
      if (x !== n) throw new Error(`piscina chain computed ${x}`);
    }, repeats);
    const map = await wallMs(async () => {
      const parts = await Promise.all(Array.from({ length: n }, (_, i) => pool.run(i) as Promise<number>));
      if (benchOps.sumList(parts) !== (n * (n + 1)) / 2) throw new Error("piscina map computed a wrong sum");
    }, repeats);
    return { chain: (1000 * chain) / n, map: (1000 * map) / (n + 1) };
  } finally {
    await pool.destroy();
  }
}

async function iterationFigures(ops: OpRegistry, iterations: number, repeats: number, threads: number): Promise<IterationFigures> {
  const chunks = 10,
    rows = 100,
    cols = 100;
  const figures: Partial<IterationFigures> = { chunks, rows: chunks * rows, cols, iterations };
  for (const executor of ["sync", "threads"] as const) {
    const rt = await Runtime.start({ threads: executor === "sync" ? 1 : threads, profileCapacity: 0 });
    try {
      const data: { X: Allocation; y: Allocation }[] = [];
      for (let c = 0; c < chunks; c++) data.push(logisticProblemChunk(rt.kernels, { cols, seed: 0, rowStart: c * rows, rows }));
      const w = rt.memory.allocF64(cols);
      w.f64().fill(0.01);
      const wKey = key("overhead-w");
      const tasks = new Map<Key, Task>();
      const parts: Key[] = [];
      data.forEach(({ X, y }, c) => {
        const k = key("overhead-grad", c);
        tasks.set(
          k,
          taskWith(k, "glmChunkLossGrad", ["glmLogisticLossGrad", X, y, ref(wKey), 0, rows, cols, false], { bytes: 8 * (cols + 2) }),
        );
        parts.push(k);
      });
      const total = key("overhead-total");
      tasks.set(total, taskWith(total, "combineVectors", ["sum", parts.map(ref)], { bytes: 8 * (cols + 2) }));
      tasks.set(wKey, task(wKey, "input"));
      const plan = compile(tasks, [total], { ops, inputs: [wKey] });
      figures.tasksPerIteration = plan.tasks.length;
      const bindings = new Map([[wKey, w as unknown]]);
      const iterate = async () => {
        for (let i = 0; i < iterations; i++) await rt.run(plan, bindings);
      };
      const wall = (await wallMs(iterate, repeats)) / iterations;
      // the same kernels, called directly, in this thread
      const out = rt.memory.allocF64(cols + 2);
      const scratch = rt.memory.allocF64(cols + 2);
      const raw = rt.kernels.raw;
      const direct = async () => {
        for (let i = 0; i < iterations; i++) {
          for (let c = 0; c < chunks; c++) {
            const target = c === 0 ? out : scratch;
            const loss = raw.glmLogisticLossGrad(rows, cols, data[c]!.X.ptr, cols, data[c]!.y.ptr, w.ptr, 0, target.ptr);
            target.f64()[cols + 1] = loss;
            if (c > 0) raw.axpy(cols + 2, 1, scratch.ptr, out.ptr);
          }
        }
      };
      const kernels = (await wallMs(direct, repeats)) / iterations;
      // both paths compute the same gradient
      const [viaPlan] = (await rt.run(plan, bindings)) as [Float64Array];
      await direct();
      const expected = out.f64();
      for (let j = 0; j < cols + 2; j++) {
        if (Math.abs(viaPlan[j]! - expected[j]!) > 1e-9 * Math.max(1, Math.abs(expected[j]!))) {
          throw new Error(`iteration benchmark: plan and direct kernels disagree at ${j}: ${viaPlan[j]} vs ${expected[j]}`);
        }
      }
      out.free();
      scratch.free();
      figures.kernelsMs = kernels;
      if (executor === "sync") figures.sync = { wallMs: wall, overheadMs: wall - kernels };
      else figures.threads = { threads, wallMs: wall, idealMs: kernels / threads, overheadMs: wall - kernels / threads };
      w.free();
      for (const d of data) {
        d.X.free();
        d.y.free();
      }
    } finally {
      await rt.close();
    }
  }
  return figures as IterationFigures;
}

function daskFigures(tasks: number, iterations: number): DaskOverhead | { missing: string } {
  return runPythonReference<DaskOverhead>("dask_overhead.py", "dask, numpy", "python3-dask", [tasks, iterations], 900_000);
}

export async function benchOverhead(options: OverheadOptions = {}): Promise<OverheadReport> {
  const quick = options.quick === true;
  const n = quick ? 10_000 : 100_000;
  const piscinaTasks = quick ? 2_000 : 20_000;
  const repeats = quick ? 3 : 5;
  const iterations = quick ? 100 : 1000;
  const threads = availableParallelism();
  const steps = options.python === false ? 4 : 5;
  const progress = (done: number, label: string) => options.onProgress?.(done, steps, label);
  const ops = benchRegistry();
  const shapes = { chain: chainGraph(n), map: mapGraph(n) };
  const byShape = { chain: {} as ExecutorFigures, map: {} as ExecutorFigures };
  let roundTripUs = NaN;

  progress(0, "sync");
  const sync = await Runtime.start({ threads: 1 });
  const threaded = await Runtime.start({ threads });
  try {
    for (const [shape, g] of Object.entries(shapes) as ["chain" | "map", { tasks: Map<Key, Task>; out: Key }][]) {
      const plan: Plan = compile(g.tasks, [g.out], { ops, fusion: "none" });
      const want = shape === "chain" ? n : (n * (n + 1)) / 2;
      const check = (v: unknown[]) => {
        if (v[0] !== want) throw new Error(`overhead ${shape}: computed ${String(v[0])}, expected ${want}`);
      };
      const per = (ms: number) => (1000 * ms) / plan.tasks.length;
      byShape[shape].sync = per(await wallMs(async () => check(await sync.run(plan)), repeats));
      progress(1, `threads unbatched (${shape})`);
      byShape[shape].threadsUnbatched = per(await wallMs(async () => check(await threaded.run(plan, {}, { batch: false })), quick ? 1 : 3));
      if (shape === "chain") {
        threaded.clearProfile();
        check(await threaded.run(plan, {}, { batch: false }));
        const starts = threaded
          .profile()
          .events.filter((e) => e.lane > 0)
          .map((e) => e.start)
          .sort((a, b) => a - b);
        roundTripUs = 1000 * median(starts.slice(1).map((t, i) => t - starts[i]!));
        threaded.clearProfile();
      }
      progress(2, `threads batched (${shape})`);
      byShape[shape].threadsBatched = per(await wallMs(async () => check(await threaded.run(plan)), repeats));
    }
  } finally {
    await sync.close();
    await threaded.close();
  }
  progress(3, "piscina");
  const pis = await piscinaUsPerTask(piscinaTasks, quick ? 1 : 3);
  // not installed: NaN, which the tables print as "-" beside the reason
  byShape.chain.piscina = isMissing(pis) ? NaN : pis.chain;
  byShape.map.piscina = isMissing(pis) ? NaN : pis.map;
  progress(3, "iterations");
  const iteration = await iterationFigures(ops, iterations, quick ? 2 : 5, threads);
  let dask: OverheadReport["dask"] = { missing: "skipped (--no-python)" };
  if (options.python !== false) {
    progress(4, "dask");
    dask = daskFigures(quick ? 2_000 : 10_000, quick ? 20 : 100);
  }
  progress(steps, "done");
  const worse = (k: keyof ExecutorFigures) => Math.max(byShape.chain[k], byShape.map[k]);
  return {
    tasks: n,
    usPerTask: {
      sync: worse("sync"),
      threadsUnbatched: worse("threadsUnbatched"),
      threadsBatched: worse("threadsBatched"),
      piscina: worse("piscina"),
    },
    usPerTaskByShape: byShape,
    piscinaTasks,
    ...(isMissing(pis) ? { piscinaMissing: pis.missing } : {}),
    roundTripUs,
    iterationOverheadMs: iteration.threads.overheadMs,
    iteration,
    dask,
    machine: { cpu: cpus()[0]?.model ?? "unknown", cores: threads, node: process.version },
  };
}
