/**
 * The seed's profile: gradient descent on the synthetic problem in 10 chunks, one gradient per
 * iteration, two ways.
 *
 * - naive: every iteration builds the expression X^T (sigmoid(X w) - y) anew from w, compiles it
 *   with fusion off and runs it unfused: a task per operation per chunk (gemv, sigmoid, sub,
 *   add, gemvT), every intermediate a chunk in memory, two passes over X. (Compiled by default,
 *   the same graph fuses the first four into one task per chunk; test/profile.test.ts checks
 *   that this run's tasks are those of the unfused plan.)
 * - weft: the GlmProblem's plan, compiled once, one fused kernel pass over each chunk.
 *
 * For each: milliseconds per iteration, the time the threads spent in tasks (kernels), and the
 * share of the iteration's thread time that was not (scheduling, graph building, idle threads).
 */
import { Graph, Runtime, array, glm, type ChunkedArray, type TaskEvent } from "weftjs";
import { median } from "./measure.js";
import { persistLogisticProblem } from "./problem.js";

export interface GdProfileRun {
  name: string;
  msPerIteration: number;
  /** Task time per iteration summed over threads, ms. */
  taskMsPerIteration: number;
  tasksPerIteration: number;
  /**
   * The white space of the median iteration: 1 - task time / (wall time x threads), per
   * iteration, the median. On a shared VM one iteration in several loses milliseconds to another
   * tenant (a thread descheduled between tasks); the median is the runtime's own share.
   */
  nonKernelShare: number;
  /** The same over all iterations together (sum of task time / sum of wall time x threads). */
  nonKernelShareMean: number;
  /** Each iteration's share, in order. */
  nonKernelShares: number[];
  events: TaskEvent[];
}

const WARM_UP_ITERATIONS = 5;

/** The naive run's gradient at w: X^T (sigmoid(X w) - y), with add(0) so that it is not the fused GLM kernel's pattern. */
export function naiveGradient(X: ChunkedArray, y: ChunkedArray, w: Float64Array): ChunkedArray {
  return X.T.matmul(X.matmul(array.fromTypedArray(w)).sigmoid().sub(y).add(0));
}

/** The naive run's name: what its compile options make of it. */
export const NAIVE_RUN = "naive: the graph rebuilt every iteration, unfused (a task per op per chunk)";

export async function profileGradientDescent(rt: Runtime, X: ChunkedArray, y: ChunkedArray, iterations: number): Promise<GdProfileRun[]> {
  const p = X.shape[1]!;
  const step = 1e-6;
  const measure = async (name: string, gradient: (w: Float64Array) => Promise<Float64Array>): Promise<GdProfileRun> => {
    // Warm-up: a few iterations of the same descent from another start (a GlmProblem answers a
    // repeated point from memory). The first iterations run 8-15% outside tasks while the worker
    // learns to spin across the gap between two runs instead of sleeping; a solver is past that
    // within its first iterations.
    let w = new Float64Array(p).fill(1e-3);
    for (let it = 0; it < WARM_UP_ITERATIONS; it++) {
      const g = await gradient(w);
      w = w.map((v, j) => v - step * g[j]!);
    }
    w = new Float64Array(p);
    rt.clearProfile();
    const spans: [number, number][] = [];
    for (let it = 0; it < iterations; it++) {
      const t0 = performance.now();
      const g = await gradient(w);
      spans.push([t0, performance.now()]);
      w = w.map((v, j) => v - step * g[j]!);
    }
    const events = rt.profile().events;
    // task time per iteration: events are on the calling thread's clock, inside their call
    const busyOf = spans.map(([t0, t1]) => events.reduce((s, e) => (e.start >= t0 && e.end <= t1 ? s + e.end - e.start : s), 0));
    const walls = spans.map(([t0, t1]) => t1 - t0);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const share = (busy: number, wall: number) => Math.max(0, 1 - busy / (wall * rt.threads));
    return {
      name,
      msPerIteration: median(walls),
      taskMsPerIteration: sum(busyOf) / iterations,
      tasksPerIteration: events.length / iterations,
      nonKernelShare: median(walls.map((wall, i) => share(busyOf[i]!, wall))),
      nonKernelShares: walls.map((wall, i) => share(busyOf[i]!, wall)),
      nonKernelShareMean: share(sum(busyOf), sum(walls)),
      events,
    };
  };
  const naive = await measure(NAIVE_RUN, async (w) => {
    const grad = naiveGradient(X, y, w);
    // fusion off, and the plan cache off: compiled anew every iteration, as a runtime without one does
    const layer = grad.storageLayer;
    const [g] = (await rt.compute(new Graph([layer]), layer.keys(), { fusion: "none", cache: false })) as Float64Array[];
    return g!;
  });
  const problem = await glm.GlmProblem.create(rt, X, y, "logistic", false);
  try {
    const weft = await measure("weft: a compiled plan, the fused GLM kernel", async (w) => (await problem.lossGrad(w)).grad);
    return [naive, weft];
  } finally {
    problem.release();
  }
}

/** A runtime, the data, and both runs: for `weft profile glm`. */
export async function profileGlm(options: { rows?: number; iterations?: number } = {}): Promise<GdProfileRun[]> {
  const rows = options.rows ?? 1_000_000;
  const rt = await Runtime.start({ memory: { initial: 64 << 20 } });
  try {
    const { X, y } = await persistLogisticProblem(rt, rows, 100);
    const runs = await profileGradientDescent(rt, X, y, options.iterations ?? 20);
    X.release();
    y.release();
    return runs;
  } finally {
    await rt.close();
  }
}
