/**
 * `weft bench ideas`: what each of weft's ideas is worth, measured by switching it off.
 *
 * The loop is the seed's: gradient descent on the spec's logistic problem, one gradient of
 * sum_i loss_i + lambda/2 ||w||^2 per iteration, a fixed step, w updated on the main thread.
 * Every variant computes the same iterates (checked: the final w must agree with weft's), and
 * each switches off one idea, the others left on:
 *
 * - weft: X and y persisted in the shared memory, each chunk's gradient by the fused GLM kernel
 *   (one pass over X, in row pieces so both threads finish together), the graph compiled once
 *   into a plan re-run with the new w, tasks sent to workers in batches, wasm-simd kernels.
 * - blockwise fusion: each chunk's gradient as the unfused expression X^T (sigmoid(X w) - y):
 *   gemv, sigmoid, sub, gemvT (two passes over X, intermediates in memory); task fusion still
 *   merges each chunk's chain into one task. (Gradient only: no loss, which favours it.)
 * - task fusion: weft's tasks compiled with fusion "none" (once blockwise fusion has made one
 *   task per row piece, there is little left for it to merge: the row shows it).
 * - blockwise and task fusion: the same, and each op its own task (fusion "none").
 * - plans: weft's tasks, but the graph built and compiled anew every iteration.
 * - batching: weft's plan, one task per dispatch to a worker (run option batch: false).
 * - shared memory: weft's kernel in piscina workers, each chunk copied to the worker by
 *   message every iteration and the result copied back (bench/piscina-glm.ts).
 * - SIMD: weft's plan on the wasm-scalar backend.
 *
 * Reported per variant: ms per iteration (median over repeats of whole loops) and tasks per
 * iteration (from the runtime's profile), on a large problem (memory-bound) and a small one
 * (where scheduling costs dominate).
 */
import { availableParallelism, cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { Runtime, compile, glm, key, ref, task, taskWith, uniqueName, type Key, type Plan, type Task } from "weftjs";
import type { Allocation } from "weftjs/memory";
import { median } from "./measure.js";
import { isMissing, optionalPeer, type Missing } from "./optional.js";
import { descend, persistLogisticProblem } from "./problem.js";
import { compiledModule } from "./modules.js";
import type { GlmChunkMessage } from "./piscina-glm.js";

export const IDEAS = [
  "weft",
  "blockwise fusion",
  "task fusion",
  "blockwise and task fusion",
  "plans",
  "batching",
  "shared memory",
  "SIMD",
] as const;
export type IdeaName = (typeof IDEAS)[number];

export interface IdeaRow {
  /** "weft" (everything on), or the idea switched off. */
  off: IdeaName;
  msPerIteration: number;
  tasksPerIteration: number;
  /** msPerIteration / weft's: what switching the idea off costs. */
  slowdown: number;
}

export interface IdeasProblemReport {
  name: "large" | "small";
  rows: number;
  cols: number;
  chunks: number;
  iterations: number;
  repeats: number;
  results: IdeaRow[];
  /** Ideas whose "off" variant could not run, and why (piscina, an optional peer, not installed). */
  notMeasured?: { off: IdeaName; why: string }[];
}

export interface IdeasReport {
  problems: IdeasProblemReport[];
  threads: number;
  machine: { cpu: string; cores: number; node: string };
}

export interface IdeasBenchOptions {
  quick?: boolean;
  onProgress?: (done: number, total: number, label: string) => void;
}

type Gradient = (w: Float64Array) => Promise<Float64Array>;

interface Data {
  rt: Runtime;
  xs: Allocation[];
  ys: Allocation[];
  rowChunks: readonly number[];
  cols: number;
  release(): void;
}

async function persistProblem(rt: Runtime, rows: number, cols: number, chunks: number): Promise<Data> {
  const { X, y } = await persistLogisticProblem(rt, rows, cols, chunks);
  return {
    rt,
    xs: X.chunkBuffers(),
    ys: y.chunkBuffers(),
    rowChunks: X.rowChunks,
    cols,
    release: () => {
      X.release();
      y.release();
    },
  };
}

/** weft's tasks: the fused loss-gradient kernel on row pieces of every chunk, then their sum. */
function fusedTasks(d: Data, wKey: Key, threads: number): { tasks: Map<Key, Task>; out: Key } {
  const prefix = uniqueName("ideas-grad");
  const tasks = new Map<Key, Task>([[wKey, task(wKey, "input")]]);
  // the row pieces of GlmProblem: whole chunks first, small pieces last, so the threads finish together
  const parts: Key[] = [];
  for (const { chunk: c, row0, rows } of glm.guidedPieces(d.rowChunks, threads, d.cols)) {
    const k = key(prefix, parts.length);
    tasks.set(
      k,
      taskWith(k, "glmChunkLossGrad", ["glmLogisticLossGrad", d.xs[c], d.ys[c], ref(wKey), row0, rows, d.cols, false], {
        bytes: 8 * (d.cols + 2),
      }),
    );
    parts.push(k);
  }
  const out = key(`${prefix}-total`);
  tasks.set(out, taskWith(out, "combineVectors", ["sum", parts.map(ref)], { bytes: 8 * (d.cols + 2) }));
  return { tasks, out };
}

/** The unfused expression X^T (sigmoid(X w) - y), chunk by chunk: four ops, two passes over X. */
function unfusedTasks(d: Data, wKey: Key): { tasks: Map<Key, Task>; out: Key } {
  const prefix = uniqueName("ideas-unfused");
  const tasks = new Map<Key, Task>([[wKey, task(wKey, "input")]]);
  const parts: Key[] = [];
  d.rowChunks.forEach((rows, c) => {
    const z = key(`${prefix}-Xw`, c),
      m = key(`${prefix}-sigmoid`, c),
      r = key(`${prefix}-sub`, c),
      g = key(`${prefix}-XTr`, c);
    tasks.set(z, taskWith(z, "gemvChunk", [d.xs[c], ref(wKey), rows, d.cols], { bytes: 8 * rows }));
    tasks.set(m, taskWith(m, "sigmoid", [ref(z)], { bytes: 8 * rows }));
    tasks.set(r, taskWith(r, "sub", [ref(m), d.ys[c]], { bytes: 8 * rows }));
    tasks.set(g, taskWith(g, "gemvTChunk", [d.xs[c], ref(r), rows, d.cols], { bytes: 8 * d.cols }));
    parts.push(g);
  });
  const out = key(`${prefix}-total`);
  tasks.set(out, taskWith(out, "combineVectors", ["sum", parts.map(ref)], { bytes: 8 * d.cols }));
  return { tasks, out };
}

/** A gradient function that binds w into one buffer and re-runs `plan`. */
function planGradient(d: Data, plan: Plan, wKey: Key, batch = true): Gradient {
  const wBuffer = d.rt.memory.allocF64(d.cols);
  const bindings = new Map<Key, unknown>([[wKey, wBuffer]]);
  return async (w) => {
    wBuffer.f64().set(w);
    const [v] = (await d.rt.run(plan, bindings, { batch })) as [Float64Array];
    return v.subarray(0, d.cols);
  };
}

interface Variant {
  off: IdeaName;
  /** The runtime whose profile counts the tasks (none: tasksPerIteration is given). */
  rt: Runtime | undefined;
  gradient: Gradient;
  tasksPerIteration?: number;
}

interface Measured {
  ms: number;
  tasks: number;
  w: Float64Array;
}

/**
 * Times every variant's loop, interleaved: repeat r runs each variant once, so a slow spell of
 * the shared machine hits all variants alike rather than whichever was measured then; the order
 * rotates by one each repeat. A variant that follows one on another runtime (or the piscina
 * pool) first runs one untimed iteration: the first loop after such a switch was up to 1.5x
 * slower, whichever variant it was (seen as "nothing off" always following "SIMD off").
 */
async function measureInterleaved(
  variants: readonly Variant[],
  cols: number,
  iterations: number,
  repeats: number,
  step: number,
  progress: (label: string) => void,
): Promise<Map<IdeaName, Measured>> {
  const samples = new Map<IdeaName, number[]>(variants.map((v) => [v.off, []]));
  const results = new Map<IdeaName, Measured>();
  for (const v of variants) await descend(v.gradient, cols, 1, step, 1); // warm-up: V8 tiers up, workers load the plans
  let previous: Variant | undefined;
  for (let r = 0; r < repeats; r++) {
    progress(`repeat ${r + 1} of ${repeats}`);
    for (let i = 0; i < variants.length; i++) {
      const v = variants[(i + r) % variants.length]!;
      await new Promise((resolve) => setTimeout(resolve, 20)); // the previous variant's spinning threads go to sleep
      if (previous && previous.rt !== v.rt) await descend(v.gradient, cols, 1, step, 1);
      previous = v;
      v.rt?.clearProfile();
      const t0 = performance.now();
      const w = await descend(v.gradient, cols, iterations, step, 1);
      samples.get(v.off)!.push((performance.now() - t0) / iterations);
      if (process.env.WEFT_BENCH_SAMPLES) process.stderr.write(`${v.off}: ${((performance.now() - t0) / iterations).toFixed(2)} ms\n`);
      const tasks = v.rt ? v.rt.profile().events.length / iterations : v.tasksPerIteration!;
      results.set(v.off, { ms: 0, tasks, w });
    }
  }
  for (const [off, m] of results) m.ms = median(samples.get(off)!);
  return results;
}

async function piscinaGradient(d: Data, threads: number): Promise<{ gradient: Gradient; close: () => Promise<void> } | Missing> {
  const piscina = await optionalPeer<typeof import("piscina")>("piscina");
  if (isMissing(piscina)) return piscina;
  const pool = new piscina.Piscina({ filename: fileURLToPath(compiledModule("piscina-glm")), minThreads: threads, maxThreads: threads });
  // the chunks as plain arrays in this thread: what a runtime without shared memory holds
  const X = d.xs.map((a) => a.f64().slice());
  const Y = d.ys.map((a) => a.f64().slice());
  return {
    gradient: async (w) => {
      const parts = await Promise.all(
        d.rowChunks.map(
          (rows, c) => pool.run({ X: X[c]!, y: Y[c]!, w, rows, cols: d.cols } satisfies GlmChunkMessage) as Promise<Float64Array>,
        ),
      );
      const g = new Float64Array(d.cols);
      for (const part of parts) for (let j = 0; j < d.cols; j++) g[j] = g[j]! + part[j]!;
      return g;
    },
    close: () => pool.destroy(),
  };
}

async function benchProblem(
  name: "large" | "small",
  rows: number,
  cols: number,
  chunks: number,
  iterations: number,
  repeats: number,
  threads: number,
  progress: (label: string) => void,
): Promise<IdeasProblemReport> {
  const step = 1 / rows;
  progress(`${name}: data`);
  const rt = await Runtime.start({ threads, memory: { initial: 64 << 20 } });
  const scalar = await Runtime.start({ threads, backend: "wasm-scalar", memory: { initial: 64 << 20 } });
  let pool: { gradient: Gradient; close: () => Promise<void> } | undefined;
  let notMeasured: IdeasProblemReport["notMeasured"];
  const data: Data[] = [];
  let measured: Map<IdeaName, Measured>;
  try {
    const d = await persistProblem(rt, rows, cols, chunks);
    const ds = await persistProblem(scalar, rows, cols, chunks);
    data.push(d, ds);
    const wKey = key(uniqueName("ideas-w"));
    const fused = fusedTasks(d, wKey, threads);
    const weftPlan = compile(fused.tasks, [fused.out], { inputs: [wKey] });
    const unfused = unfusedTasks(d, wKey);
    const wBuffer = rt.memory.allocF64(cols);
    const scalarFused = fusedTasks(ds, wKey, threads);
    const piscina = await piscinaGradient(d, threads);
    if (isMissing(piscina)) notMeasured = [{ off: "shared memory", why: piscina.missing }];
    else pool = piscina;
    const variants: Variant[] = [
      { off: "weft", rt, gradient: planGradient(d, weftPlan, wKey) },
      { off: "blockwise fusion", rt, gradient: planGradient(d, compile(unfused.tasks, [unfused.out], { inputs: [wKey] }), wKey) },
      { off: "task fusion", rt, gradient: planGradient(d, compile(fused.tasks, [fused.out], { inputs: [wKey], fusion: "none" }), wKey) },
      {
        off: "blockwise and task fusion",
        rt,
        gradient: planGradient(d, compile(unfused.tasks, [unfused.out], { inputs: [wKey], fusion: "none" }), wKey),
      },
      {
        off: "plans",
        rt,
        gradient: async (w) => {
          wBuffer.f64().set(w);
          const graph = fusedTasks(d, wKey, threads); // built anew, compiled by compute()
          const [v] = (await rt.compute(graph.tasks, [graph.out], { inputs: [wKey], bindings: new Map([[wKey, wBuffer]]) })) as [
            Float64Array,
          ];
          return v.subarray(0, cols);
        },
      },
      { off: "batching", rt, gradient: planGradient(d, weftPlan, wKey, false) },
      ...(pool ? [{ off: "shared memory" as const, rt: undefined, gradient: pool.gradient, tasksPerIteration: chunks }] : []),
      { off: "SIMD", rt: scalar, gradient: planGradient(ds, compile(scalarFused.tasks, [scalarFused.out], { inputs: [wKey] }), wKey) },
    ];
    measured = await measureInterleaved(variants, cols, iterations, repeats, step, (label) => progress(`${name}: ${label}`));
  } finally {
    await pool?.close();
    for (const d of data) d.release();
    await rt.close();
    await scalar.close();
  }
  // every variant must have walked the same iterates
  const reference = measured.get("weft")!.w;
  for (const [idea, m] of measured) {
    for (let j = 0; j < cols; j++) {
      if (Math.abs(m.w[j]! - reference[j]!) > 1e-8 * Math.max(1, Math.abs(reference[j]!))) {
        throw new Error(`bench ideas (${name}): with ${idea} off, w[${j}] = ${m.w[j]} but weft's is ${reference[j]}`);
      }
    }
  }
  const base = measured.get("weft")!.ms;
  return {
    name,
    rows,
    cols,
    chunks,
    iterations,
    repeats,
    ...(notMeasured ? { notMeasured } : {}),
    results: IDEAS.filter((off) => measured.has(off)).map((off) => ({
      off,
      msPerIteration: measured.get(off)!.ms,
      tasksPerIteration: measured.get(off)!.tasks,
      slowdown: measured.get(off)!.ms / base,
    })),
  };
}

export async function benchIdeas(options: IdeasBenchOptions = {}): Promise<IdeasReport> {
  const quick = options.quick === true;
  const threads = availableParallelism();
  const sizes = quick
    ? [
        { name: "large" as const, rows: 100_000, cols: 100, iterations: 3, repeats: 2 },
        { name: "small" as const, rows: 2_000, cols: 10, iterations: 20, repeats: 2 },
      ]
    : // the large problem's repeats are what the noise of the machine calls for (its loops differ
      // by up to a third from one repeat to the next); its iterations are few because the variant
      // without shared memory takes seconds each
      [
        { name: "large" as const, rows: 1_000_000, cols: 100, iterations: 5, repeats: 5 },
        { name: "small" as const, rows: 10_000, cols: 10, iterations: 200, repeats: 5 },
      ];
  const total = sizes.reduce((t, s) => t + s.repeats + 1, 0);
  let done = 0;
  const progress = (label: string) => options.onProgress?.(done++, total, label);
  const problems: IdeasProblemReport[] = [];
  for (const s of sizes) problems.push(await benchProblem(s.name, s.rows, s.cols, 10, s.iterations, s.repeats, threads, progress));
  options.onProgress?.(total, total, "done");
  return { problems, threads, machine: { cpu: cpus()[0]?.model ?? "unknown", cores: threads, node: process.version } };
}
