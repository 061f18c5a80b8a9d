/**
 * `weft bench array`: what fusion is worth on chunked arrays, and the GLM gradient.
 *
 * 1. y = exp(x) - 1/x; y.sum() over N values in 100 chunks (x persisted in shared memory first):
 *    fused (the default compile: one task per chunk, the expression run tile by tile), unfused
 *    (fusion: "none": a task per op per chunk, every intermediate a full chunk in memory) and a
 *    plain JS loop over a Float64Array, in GB/s of x. The ceiling, measured in the same run with
 *    the same runtime and chunks: x.sum() (one read of x, nothing else). Then the same with x
 *    stored as float32 (half the bytes; computed in float64, results rounded), fused, beside its
 *    own stream.
 * 2. The logistic gradient X.T.matmul(sigmoid(X.matmul(w)) - y) on the spec's rows x cols
 *    problem in 10 chunks: recognized and run with the fused GLM kernel (one pass over X), and
 *    the general two-pass product (gemv, then gemvT) for comparison.
 * 3. NumPy (and dask.array for the expression) on data of the same sizes, from
 *    bench/python/array_reference.py, when python3 with numpy is present.
 */
import { availableParallelism, cpus } from "node:os";
import { Graph, Runtime, array, compile, type ChunkedArray, type Plan } from "weftjs";
import { median } from "./measure.js";
import { runPythonReference } from "./python.js";

export interface ArrayBenchReport {
  expression: {
    values: number;
    chunks: number;
    threads: number;
    /** ms (median) of each way, and GB/s of x read. */
    ms: { stream: number; fused: number; unfused: number; jsLoop: number };
    GBs: { stream: number; fused: number; unfused: number; jsLoop: number };
    tasks: { fused: number; unfused: number };
    /** fused time / the time to stream x once; unfused time / fused time. */
    fusedOverStream: number;
    unfusedOverFused: number;
    /** x stored as float32: ms of reading it once and of the fused expression; their ratio, and float32 fused / float64 fused. */
    float32: { ms: { stream: number; fused: number }; fusedOverStream: number; fusedOverFloat64: number };
  };
  gradient: {
    rows: number;
    cols: number;
    chunks: number;
    threads: number;
    ms: { fused: number; twoPass: number };
    GBs: { fused: number; twoPass: number };
    tasks: { fused: number; twoPass: number };
  };
  reference:
    | { numpy: { expressionMs: number; gradientMs: number }; dask: { version: string; expressionMs: number } | null }
    | { missing: string };
  machine: { cpu: string; cores: number; node: string };
}

export interface ArrayBenchOptions {
  quick?: boolean;
  python?: boolean;
  onProgress?: (done: number, total: number, label: string) => void;
}

async function timePlan(rt: Runtime, plan: Plan, repeats: number): Promise<number> {
  await rt.run(plan); // warm-up: V8 tiers up, workers load the plan
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    await rt.run(plan);
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

const planOf = (x: ChunkedArray, fusion?: "none") => compile(new Graph([x.storageLayer]), x.storageLayer.keys(), fusion ? { fusion } : {});

function pythonReference(n: number, chunks: number, rows: number, cols: number, repeats: number): ArrayBenchReport["reference"] {
  return runPythonReference<ArrayBenchReport["reference"]>(
    "array_reference.py",
    "numpy",
    "python3-numpy python3-dask",
    [n, chunks, rows, cols, repeats],
    900_000,
  );
}

export async function benchArray(options: ArrayBenchOptions = {}): Promise<ArrayBenchReport> {
  const quick = options.quick === true;
  const n = quick ? 1_000_000 : 100_000_000;
  const chunks = quick ? 10 : 100;
  const rows = quick ? 100_000 : 1_000_000;
  const cols = 100;
  const repeats = quick ? 3 : 7;
  const threads = availableParallelism();
  const total = options.python === false ? 3 : 4;
  const progress = (done: number, label: string) => options.onProgress?.(done, total, label);
  const rt = await Runtime.start({ threads, memory: { initial: 64 << 20 }, profileCapacity: 0 });
  let expression: ArrayBenchReport["expression"];
  let gradient: ArrayBenchReport["gradient"];
  try {
    progress(0, "expression");
    const x = await array.random.uniform({ shape: [n], chunks: n / chunks, seed: 1, low: 0.5, high: 1.5 }).persist({ runtime: rt });
    const y = x.exp().sub(x.reciprocal()).sum();
    const fusedPlan = planOf(y),
      unfusedPlan = planOf(y, "none"),
      streamPlan = planOf(x.sum());
    const stream = await timePlan(rt, streamPlan, repeats);
    const fused = await timePlan(rt, fusedPlan, repeats);
    const unfused = await timePlan(rt, unfusedPlan, Math.max(3, repeats >> 1));
    const [a] = (await rt.run(fusedPlan)) as number[];
    const [b] = (await rt.run(unfusedPlan)) as number[];
    if (Math.abs(a! - b!) > 1e-6 * Math.abs(b!)) throw new Error(`fused and unfused disagree: ${a} vs ${b}`);
    progress(1, "plain JS loop");
    const values = (await x.compute({ runtime: rt })) as Float64Array;
    const loop = () => {
      let s = 0;
      for (let i = 0; i < values.length; i++) s += Math.exp(values[i]!) - 1 / values[i]!;
      return s;
    };
    const loopSamples: number[] = [];
    for (let r = 0; r < Math.max(3, repeats >> 1) + 1; r++) {
      const t0 = performance.now();
      const s = loop();
      if (r > 0) loopSamples.push(performance.now() - t0);
      if (Math.abs(s - a!) > 1e-6 * Math.abs(a!)) throw new Error(`the JS loop disagrees: ${s} vs ${a}`);
    }
    const jsLoop = median(loopSamples);
    const x32 = await x.astype("float32").persist({ runtime: rt });
    x.release();
    const y32 = x32.exp().sub(x32.reciprocal()).sum();
    const fused32Plan = planOf(y32),
      stream32Plan = planOf(x32.sum());
    const stream32 = await timePlan(rt, stream32Plan, repeats);
    const fused32 = await timePlan(rt, fused32Plan, repeats);
    const [c] = (await rt.run(fused32Plan)) as number[];
    // the float32 values are x rounded, each result rounded: close to the float64 sum, not equal
    if (Math.abs(c! - a!) > 1e-5 * Math.abs(a!)) throw new Error(`the float32 expression disagrees: ${c} vs ${a}`);
    x32.release();
    const gbs = (ms: number) => (8 * n) / (ms * 1e6);
    expression = {
      values: n,
      chunks,
      threads,
      ms: { stream, fused, unfused, jsLoop },
      GBs: { stream: gbs(stream), fused: gbs(fused), unfused: gbs(unfused), jsLoop: gbs(jsLoop) },
      tasks: { fused: fusedPlan.tasks.length, unfused: unfusedPlan.tasks.length },
      fusedOverStream: fused / stream,
      unfusedOverFused: unfused / fused,
      float32: { ms: { stream: stream32, fused: fused32 }, fusedOverStream: fused32 / stream32, fusedOverFloat64: fused32 / fused },
    };
    progress(2, "gradient");
    const problem = array.random.logisticProblem({ rows, cols, seed: 2, chunkRows: rows / 10 });
    const X = await problem.X.persist({ runtime: rt });
    const yv = await problem.y.persist({ runtime: rt });
    const w = array.fromTypedArray(Float64Array.from({ length: cols }, (_, j) => Math.sin(j) / 10));
    const fusedGrad = planOf(X.T.matmul(X.matmul(w).sigmoid().sub(yv)));
    const twoPassGrad = planOf(X.T.matmul(X.matmul(w).sigmoid().sub(yv).add(0)));
    const gf = await timePlan(rt, fusedGrad, repeats);
    const gt = await timePlan(rt, twoPassGrad, repeats);
    const [g1] = (await rt.run(fusedGrad)) as Float64Array[];
    const [g2] = (await rt.run(twoPassGrad)) as Float64Array[];
    for (let j = 0; j < cols; j++) {
      if (Math.abs(g1![j]! - g2![j]!) > 1e-6 * Math.max(1, Math.abs(g2![j]!)))
        throw new Error(`gradients disagree at ${j}: ${g1![j]} vs ${g2![j]}`);
    }
    X.release();
    yv.release();
    const xgbs = (ms: number) => (8 * rows * cols) / (ms * 1e6);
    gradient = {
      rows,
      cols,
      chunks: 10,
      threads,
      ms: { fused: gf, twoPass: gt },
      GBs: { fused: xgbs(gf), twoPass: xgbs(gt) },
      tasks: { fused: fusedGrad.tasks.length, twoPass: twoPassGrad.tasks.length },
    };
  } finally {
    await rt.close();
  }
  let reference: ArrayBenchReport["reference"] = { missing: "skipped (--no-python)" };
  if (options.python !== false) {
    progress(3, "NumPy");
    reference = pythonReference(n, chunks, rows, cols, repeats);
  }
  progress(total, "done");
  return { expression, gradient, reference, machine: { cpu: cpus()[0]?.model ?? "unknown", cores: threads, node: process.version } };
}
