/**
 * `weft bench peers`: weft beside the JavaScript peers, in one run, on the spec's synthetic
 * logistic problem, with the machine's streaming bandwidth (X.sum() on the same runtime and
 * chunks) as the ceiling.
 *
 * 1. The logistic gradient X^T (sigmoid(X w) - y): weft's fused kernel on all threads; a plain
 *    TypeScript loop (one thread, float64); TensorFlow.js on its WebAssembly backend (XNNPACK,
 *    SIMD; float32, the only type it has; threads where the backend offers them: not in Node).
 * 2. A gradient-descent fit, the same fixed-step iterations with each one's own ops: weft (the
 *    GlmProblem's plan), the plain loop and TensorFlow.js; time per iteration and the final
 *    objective (evaluated in float64 for all three).
 * 3. ml.js's `ml-logistic-regression` (plain gradient descent over ml-matrix, one-vs-all: two
 *    classifiers for two classes) on a size it handles, against weft's identical iterations;
 *    the coefficients must agree.
 */
import { availableParallelism, cpus } from "node:os";
import { Runtime, glm } from "weftjs";
import { wallMs } from "./measure.js";
import { descend, persistLogisticProblem } from "./problem.js";

export interface PeerTiming {
  name: string;
  ms: number;
  /** GB/s of X read (its float64 or float32 bytes). */
  GBs: number;
  threads: number;
  dtype: "float64" | "float32";
}

export interface PeerFit {
  name: string;
  msPerIteration: number;
  objective: number;
}

export interface PeersReport {
  rows: number;
  cols: number;
  chunks: number;
  threads: number;
  /** X.sum() on weft's runtime: the time to read X once, all threads. */
  stream: { ms: number; GBs: number };
  gradient: PeerTiming[];
  gradientDescent: { iterations: number; step: number; lambda: number; results: PeerFit[] };
  mljs:
    | {
        rows: number;
        cols: number;
        steps: number;
        learningRate: number;
        results: { name: string; msPerStep: number }[];
        maxCoefDifference: number;
      }
    | { missing: string };
  tfjs: { version: string; threads: number; simd: boolean } | { missing: string };
  machine: { cpu: string; cores: number; node: string };
}

export interface PeersBenchOptions {
  quick?: boolean;
  onProgress?: (done: number, total: number, label: string) => void;
}

type Tf = typeof import("@tensorflow/tfjs-core");

/** TensorFlow.js with its WebAssembly backend, or why it is missing. */
async function loadTf(
  threads: number,
): Promise<{ tf: Tf; info: { version: string; threads: number; simd: boolean } } | { missing: string }> {
  try {
    const tf = await import("@tensorflow/tfjs-core");
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    wasm.setThreadsCount(threads);
    if (!(await tf.setBackend("wasm"))) return { missing: "the tfjs wasm backend did not initialize" };
    await tf.ready();
    return {
      tf,
      info: { version: wasm.version_wasm, threads: wasm.getThreadsCount(), simd: tf.env().getBool("WASM_HAS_SIMD_SUPPORT") as boolean },
    };
  } catch (error) {
    return { missing: `@tensorflow/tfjs-backend-wasm not available (${(error as Error).message}); npm install in a clone installs it` };
  }
}

/** The logistic gradient X^T (sigmoid(X w) - y) in a plain loop over row-major X. */
export function plainGradient(
  X: Float64Array,
  y: Float64Array,
  w: Float64Array,
  rows: number,
  cols: number,
  out = new Float64Array(cols),
): Float64Array {
  out.fill(0);
  for (let i = 0, o = 0; i < rows; i++, o += cols) {
    let z = 0;
    for (let j = 0; j < cols; j++) z += X[o + j]! * w[j]!;
    const r = 1 / (1 + Math.exp(-z)) - y[i]!;
    for (let j = 0; j < cols; j++) out[j] = out[j]! + r * X[o + j]!;
  }
  return out;
}

async function mljsComparison(rt: Runtime, rows: number, cols: number, steps: number): Promise<PeersReport["mljs"]> {
  let LogisticRegression: new (o: {
    numSteps: number;
    learningRate: number;
  }) => { train(X: unknown, Y: unknown): void; classifiers: { weights: { to1DArray(): number[] } }[] };
  let Matrix: { from1DArray(r: number, c: number, d: ArrayLike<number>): unknown; columnVector(d: ArrayLike<number>): unknown };
  try {
    LogisticRegression = (await import("ml-logistic-regression")).default as unknown as typeof LogisticRegression;
    Matrix = (await import("ml-matrix")).Matrix as unknown as typeof Matrix;
  } catch (error) {
    return { missing: `ml-logistic-regression not available (${(error as Error).message})` };
  }
  const { X, y } = await persistLogisticProblem(rt, rows, cols, 10);
  const learningRate = 1 / rows;
  const Xv = (await X.toTypedArray({ runtime: rt })) as Float64Array,
    yv = (await y.toTypedArray({ runtime: rt })) as Float64Array;
  const problem = await glm.GlmProblem.create(rt, X, y, "logistic", false);
  try {
    // ml.js trains one classifier per class (two here), each `steps` gradient steps
    let model!: InstanceType<typeof LogisticRegression>;
    const mljsMs = await wallMs(() => {
      model = new LogisticRegression({ numSteps: steps, learningRate });
      model.train(Matrix.from1DArray(rows, cols, Xv), Matrix.columnVector(yv));
    }, 2);
    let wWeft: Float64Array = new Float64Array(cols);
    const weftMs = await wallMs(async () => {
      wWeft = await descend(async (w) => (await problem.lossGrad(w)).grad, cols, steps, learningRate, 0);
    }, 3);
    const scratch = new Float64Array(cols);
    const plainMs = await wallMs(() => descend((w) => plainGradient(Xv, yv, w, rows, cols, scratch), cols, steps, learningRate, 0), 3);
    // classifier 0 separates class 0 (target 0) from the rest (target 1): logistic regression on y itself
    const wMl = model.classifiers[0]!.weights.to1DArray();
    const maxCoefDifference = Math.max(...wMl.map((v, j) => Math.abs(v - wWeft[j]!)));
    if (!(maxCoefDifference < 1e-6 * Math.max(1, ...wMl.map(Math.abs)))) {
      throw new Error(
        `bench peers: ml.js and weft disagree after ${steps} identical steps (max coefficient difference ${maxCoefDifference})`,
      );
    }
    return {
      rows,
      cols,
      steps,
      learningRate,
      maxCoefDifference,
      results: [
        { name: "weft", msPerStep: weftMs / steps },
        { name: "plain TypeScript loop", msPerStep: plainMs / steps },
        { name: "ml.js (ml-logistic-regression)", msPerStep: mljsMs / (2 * steps) },
      ],
    };
  } finally {
    problem.release();
    X.release();
    y.release();
  }
}

export async function benchPeers(options: PeersBenchOptions = {}): Promise<PeersReport> {
  const quick = options.quick === true;
  const rows = quick ? 100_000 : 1_000_000,
    cols = 100,
    chunks = 10;
  const repeats = quick ? 3 : 5;
  const iterations = quick ? 5 : 20;
  const lambda = 1;
  const step = 1 / rows;
  const threads = availableParallelism();
  const total = 6;
  let done = 0;
  const progress = (label: string) => options.onProgress?.(done++, total, label);
  const bytes64 = 8 * rows * cols;
  const rt = await Runtime.start({ threads, memory: { initial: 64 << 20 }, profileCapacity: 0 });
  try {
    progress("streaming bandwidth");
    const { X, y } = await persistLogisticProblem(rt, rows, cols, chunks);
    const streamMs = await wallMs(() => X.sum().compute({ runtime: rt }), repeats);
    const problem = await glm.GlmProblem.create(rt, X, y, "logistic", false);
    const objective = async (w: Float64Array) => (await problem.loss(w)) + (lambda / 2) * w.reduce((s, v) => s + v * v, 0);

    progress("weft gradient");
    const w0 = new Float64Array(cols).fill(0.01);
    const gradient: PeerTiming[] = [];
    // a new point every call: a GlmProblem answers a repeated point from memory, without a pass
    let call = 0;
    const weftMs = await wallMs(() => problem.lossGrad(Float64Array.from(w0, (v, j) => (j === 0 ? v + 1e-9 * ++call : v))), repeats);
    gradient.push({ name: "weft", ms: weftMs, GBs: bytes64 / weftMs / 1e6, threads, dtype: "float64" });
    const fits: PeerFit[] = [];
    let wFit: Float64Array = new Float64Array(cols);
    const weftFitMs = await wallMs(
      async () => {
        wFit = await descend(async (w) => (await problem.lossGrad(w)).grad, cols, iterations, step, lambda);
      },
      quick ? 1 : 3,
    );
    fits.push({ name: "weft", msPerIteration: weftFitMs / iterations, objective: await objective(wFit) });

    progress("plain TypeScript loop");
    const Xv = (await X.toTypedArray({ runtime: rt })) as Float64Array,
      yv = (await y.toTypedArray({ runtime: rt })) as Float64Array;
    const scratch = new Float64Array(cols);
    const plainMs = await wallMs(() => plainGradient(Xv, yv, w0, rows, cols, scratch), Math.min(repeats, 3));
    gradient.push({ name: "plain TypeScript loop", ms: plainMs, GBs: bytes64 / plainMs / 1e6, threads: 1, dtype: "float64" });
    const plainFitMs = await wallMs(async () => {
      wFit = await descend((w) => plainGradient(Xv, yv, w, rows, cols, scratch), cols, iterations, step, lambda);
    }, 1);
    fits.push({ name: "plain TypeScript loop", msPerIteration: plainFitMs / iterations, objective: await objective(wFit) });

    progress("TensorFlow.js (wasm)");
    const loaded = await loadTf(threads);
    let tfjs: PeersReport["tfjs"];
    if ("missing" in loaded) tfjs = loaded;
    else {
      const { tf, info } = loaded;
      tfjs = info;
      const Xt = tf.tensor2d(Float32Array.from(Xv), [rows, cols]);
      const yt = tf.tensor2d(Float32Array.from(yv), [rows, 1]);
      const wt = tf.tensor2d(Float32Array.from(w0), [cols, 1]);
      const tfGradient = (w: import("@tensorflow/tfjs-core").Tensor2D) =>
        tf.matMul(Xt, tf.sub(tf.sigmoid(tf.matMul(Xt, w)), yt), true, false);
      const tfMs = await wallMs(async () => {
        const g = tf.tidy(() => tfGradient(wt));
        await g.data();
        g.dispose();
      }, repeats);
      gradient.push({ name: "TensorFlow.js wasm", ms: tfMs, GBs: (4 * rows * cols) / tfMs / 1e6, threads: info.threads, dtype: "float32" });
      const fitMs = await wallMs(async () => {
        const w = tf.variable(tf.zeros([cols, 1]));
        for (let it = 0; it < iterations; it++) {
          tf.tidy(() => {
            const g = tf.add(tfGradient(w as unknown as import("@tensorflow/tfjs-core").Tensor2D), tf.mul(w, lambda));
            w.assign(tf.sub(w, tf.mul(g, step)));
          });
        }
        wFit = Float64Array.from(await w.data());
        w.dispose();
      }, 1);
      fits.push({ name: "TensorFlow.js wasm", msPerIteration: fitMs / iterations, objective: await objective(wFit) });
      tf.dispose([Xt, yt, wt]);
    }
    problem.release();
    X.release();
    y.release();

    progress("ml.js");
    const mljs = await mljsComparison(rt, quick ? 2_000 : 10_000, quick ? 10 : 20, quick ? 20 : 100);
    options.onProgress?.(total, total, "done");
    return {
      rows,
      cols,
      chunks,
      threads,
      stream: { ms: streamMs, GBs: bytes64 / streamMs / 1e6 },
      gradient,
      gradientDescent: { iterations, step, lambda, results: fits },
      mljs,
      tfjs,
      machine: { cpu: cpus()[0]?.model ?? "unknown", cores: threads, node: process.version },
    };
  } finally {
    await rt.close();
  }
}
