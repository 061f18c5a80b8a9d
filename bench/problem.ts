/**
 * What several suites share: the spec's synthetic logistic problem persisted on a runtime, and
 * the fixed-step gradient descent that the peers and ideas suites run with each one's gradient.
 */
import { array, type ChunkedArray, type Runtime } from "weftjs";

/** The spec's seed for the benchmark problems (the scikit-learn and NumPy scripts use it too). */
export const SEED = 20240601;

/** X and y of the spec's rows x cols problem, in `chunks` row chunks, persisted on `rt`. */
export async function persistLogisticProblem(
  rt: Runtime,
  rows: number,
  cols: number,
  chunks = 10,
): Promise<{ X: ChunkedArray; y: ChunkedArray }> {
  const problem = array.random.logisticProblem({ rows, cols, seed: SEED, chunkRows: Math.ceil(rows / chunks) });
  return { X: await problem.X.persist({ runtime: rt }), y: await problem.y.persist({ runtime: rt }) };
}

/** Fixed-step gradient descent on sum loss + lambda/2 ||w||^2 from zero: `iterations` calls of `gradient`. */
export async function descend(
  gradient: (w: Float64Array) => Promise<Float64Array> | Float64Array,
  cols: number,
  iterations: number,
  step: number,
  lambda: number,
): Promise<Float64Array> {
  const w = new Float64Array(cols);
  for (let it = 0; it < iterations; it++) {
    const g = await gradient(w);
    for (let j = 0; j < cols; j++) w[j] = w[j]! - step * (g[j]! + lambda * w[j]!);
  }
  return w;
}
