/**
 * The seed's profile: gradient descent on the synthetic problem in 10 chunks, one gradient per
 * iteration, two ways.
 *
 * - naive: as a straightforward Dask program does it: every iteration builds the expression
 *   X^T (sigmoid(X w) - y) anew from w, compiles it and runs it unfused (a task per operation
 *   per chunk, two passes over X);
 * - weft: the GlmProblem's plan, compiled once, one fused kernel pass over each chunk.
 *
 * For each: milliseconds per iteration, the time the threads spent in tasks (kernels), and the
 * share of the iteration's thread time that was not (scheduling, graph building, idle threads).
 */
import { Runtime, array, glm, type ChunkedArray, type TaskEvent } from "../src/index.js";
import { median } from "./measure.js";
import { persistLogisticProblem } from "./problem.js";

export interface GdProfileRun {
  name: string;
  msPerIteration: number;
  /** Task time per iteration summed over threads, ms. */
  taskMsPerIteration: number;
  tasksPerIteration: number;
  /** 1 - task time / (wall time x threads): the white space. */
  nonKernelShare: number;
  events: TaskEvent[];
}

export async function profileGradientDescent(rt: Runtime, X: ChunkedArray, y: ChunkedArray, iterations: number): Promise<GdProfileRun[]> {
  const p = X.shape[1]!;
  const step = 1e-6;
  const measure = async (name: string, gradient: (w: Float64Array) => Promise<Float64Array>): Promise<GdProfileRun> => {
    let w = new Float64Array(p);
    await gradient(new Float64Array(p).fill(1e-3)); // warm-up (at another point: a GlmProblem answers a repeated point from memory)
    rt.clearProfile();
    const walls: number[] = [];
    for (let it = 0; it < iterations; it++) {
      const t0 = performance.now();
      const g = await gradient(w);
      w = w.map((v, j) => v - step * g[j]!);
      walls.push(performance.now() - t0);
    }
    const events = rt.profile().events;
    const busy = events.reduce((s, e) => s + e.end - e.start, 0) / iterations;
    const wall = walls.reduce((a, b) => a + b, 0) / iterations;
    return {
      name, msPerIteration: median(walls), taskMsPerIteration: busy, tasksPerIteration: events.length / iterations,
      nonKernelShare: Math.max(0, 1 - busy / (wall * rt.threads)), events,
    };
  };
  const naive = await measure("naive: the graph rebuilt every iteration, unfused", async (w) => {
    const wa = array.fromTypedArray(w);
    const grad = X.T.matmul(X.matmul(wa).sigmoid().sub(y).add(0)); // add(0): not the fused pattern
    const [g] = (await array.compute(grad, { runtime: rt })) as Float64Array[];
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
    const runs = await profileGradientDescent(rt, X, y, options.iterations ?? 10);
    X.release();
    y.release();
    return runs;
  } finally {
    await rt.close();
  }
}
