/**
 * Matrix products on chunked arrays. X w is one gemv per chunk (partials over column chunks
 * summed); X^T r reads X's chunks where they are (gemvT per chunk, then a tree sum per column
 * chunk), which is why the transpose is a view; X W for a small W is a product per row of each
 * chunk; the Gram matrices X^T X and X^T D X are one kernel call per row chunk and a tree sum.
 */
import { ArgumentError } from "../errors.js";
import { key, uniqueName, type Key } from "../graph/keys.js";
import { TaskLayer, TreeReductionLayer, BlockwiseLayer, type Layer } from "../graph/layers.js";
import { ref, taskWith, type Ref, type Task } from "../graph/task.js";
import { ChunkedArray, sameRuntime } from "./array.js";
import { describeShape } from "./chunks.js";
import { rechunkTo } from "./layout.js";
import { combineTree } from "./reduce.js";
import { resultDType, withDType } from "./dtype.js";

const SPLIT_EVERY = 8;

/** Sums groups of equally long vector partials (group g: lengths[g] values) in a tree. */
function sumGroups(groups: Key[][], lengths: readonly number[], below: Layer): Layer {
  return combineTree("sum", groups, lengths, below, SPLIT_EVERY);
}

function mismatch(a: ChunkedArray, b: ChunkedArray, why: string): ArgumentError {
  return new ArgumentError("shapes", why, `${describeShape(a.shape)} and ${describeShape(b.shape)}`, "matmul");
}

/** matmul() computed in float64 (operands read as float64); matmul() gives the result its dtype. */
function matmulF64(a: ChunkedArray, b: ChunkedArray): ChunkedArray {
  if (!(a instanceof ChunkedArray)) throw new ArgumentError("a", "a ChunkedArray", a, "matmul");
  if (!(b instanceof ChunkedArray)) throw new ArgumentError("b", "a ChunkedArray", b, "matmul");
  const runtime = sameRuntime([a, b]);
  if (a.ndim === 1 && b.ndim === 1) return dot(a, b, runtime);
  if (a.ndim !== 2 || b.ndim === 0) throw mismatch(a, b, "a matrix times a vector or a matrix, or two vectors");
  if (a.shape[1] !== b.shape[0]) throw mismatch(a, b, "inner dimensions that agree");
  if (a.transposeOf && b.ndim === 1) return transposedTimesVector(a.transposeOf, b, runtime);
  if (b.ndim === 1) return matrixTimesVector(a, b, runtime);
  if (a.transposeOf && a.transposeOf === b) return gram(b); // X.T @ X
  return matrixTimesMatrix(a, b, runtime);
}

/**
 * One task per block (i, j) of X, keyed name[i * gc + j] (row-major over the blocks): `make`
 * gives its op, its arguments (`block` is the ref to X's chunk) and its result's bytes. With
 * `readsFloat32`, the op reads a float32 X's chunks as stored (a block of rows widened at a
 * time) and gets 4 as its last argument. Returns the tasks and the layer they read of X.
 */
function blockTasks(
  X: ChunkedArray, name: string, make: (block: Ref, i: number, j: number, rows: number, cols: number) => [string, unknown[], number], readsFloat32 = false,
): { tasks: Task[]; source: Layer } {
  const stored = readsFloat32 && X.dtype === "float32";
  const source = stored ? X.storageLayer : X.layer;
  const [gr, gc] = X.grid;
  const tasks: Task[] = [];
  for (let i = 0; i < gr; i++) {
    for (let j = 0; j < gc; j++) {
      const [op, args, bytes] = make(ref(source.keyAt(X.chunkIndex(i, j))), i, j, X.rowChunks[i]!, X.colChunks[j]!);
      tasks.push(taskWith(key(name, i * gc + j), op, stored ? [...args, 4] : args, { bytes }));
    }
  }
  return { tasks, source };
}

function matrixTimesVector(X: ChunkedArray, w: ChunkedArray, runtime: ChunkedArray["runtime"]): ChunkedArray {
  const [gr, gc] = X.grid;
  const wa = rechunkTo(w, [1], X.colChunks);
  const name = uniqueName("gemv");
  const { tasks: partials, source } = blockTasks(X, name, (block, _i, j, rows, cols) => ["gemvChunk", [block, ref(wa.layer.keyAt(j)), rows, cols], 8 * rows], true);
  const partialLayer = new TaskLayer(name, partials, [source, wa.layer]);
  const layer = gc === 1 ? partialLayer : sumGroups(Array.from({ length: gr }, (_, i) => Array.from({ length: gc }, (_, j) => partials[i * gc + j]!.key)), X.rowChunks, partialLayer);
  return new ChunkedArray(layer, [X.shape[0]!], [[...X.rowChunks]], { runtime, expr: { op: "matvec", args: [X, w] } });
}

/**
 * The GLM gradient patterns X^T (mean(X w) - y): for the logistic (sigmoid), normal (identity)
 * and Poisson (exp) means. Returns the family and operands when `r` is one of them over this X.
 */
function glmPattern(X: ChunkedArray, r: ChunkedArray): { family: "logistic" | "normal" | "poisson"; w: ChunkedArray; y: ChunkedArray } | undefined {
  if (r.expr?.op !== "sub") return undefined;
  const [mean, y] = r.expr.args;
  if (!(mean instanceof ChunkedArray) || !(y instanceof ChunkedArray) || y.ndim !== 1) return undefined;
  const matvecOf = (m: unknown) => (m instanceof ChunkedArray && m.expr?.op === "matvec" && m.expr.args[0] === X ? (m.expr.args[1] as ChunkedArray) : undefined);
  let w = matvecOf(mean);
  if (w) return { family: "normal", w, y };
  const link = mean.expr?.op;
  if (link !== "sigmoid" && link !== "exp") return undefined;
  w = matvecOf(mean.expr!.args[0]);
  return w ? { family: link === "sigmoid" ? "logistic" : "poisson", w, y } : undefined;
}

/** X^T (mean(X w) - y) with the fused GLM kernel: one pass over each chunk of X. */
function glmGradient(X: ChunkedArray, family: string, w: ChunkedArray, y: ChunkedArray, runtime: ChunkedArray["runtime"]): ChunkedArray {
  const p = X.shape[1]!;
  const Xa = rechunkTo(X, X.rowChunks, [p]);
  const wa = rechunkTo(w, [1], [p]);
  const ya = rechunkTo(y, [1], X.rowChunks);
  const name = uniqueName(`${family}-gradient`);
  const partials = X.rowChunks.map((rows, i) =>
    taskWith(key(name, i), "glmGradChunk", [family, ref(Xa.layer.keyAt(i)), ref(ya.layer.keyAt(i)), ref(wa.layer.keyAt(0)), rows, p], { bytes: 8 * (p + 1) }));
  const partialLayer = new TaskLayer(name, partials, [Xa.layer, ya.layer, wa.layer]);
  const summed = sumGroups([partials.map((t) => t.key)], [p + 1], partialLayer);
  // the kernel's last entry is the intercept's gradient: the array is the first p
  const outName = uniqueName("gradient");
  const out = taskWith(key(outName, 0), "assemble", [[[ref(summed.keyAt(0)), p + 1, 0, 0, 0, 0, 1, p]], 1, p], { bytes: 8 * p });
  return new ChunkedArray(new TaskLayer(outName, [out], [summed]), [p], [[p]], { runtime });
}

/** X^T r, reading X's chunks as they are (or a GLM gradient, in one pass over X). */
function transposedTimesVector(X: ChunkedArray, r: ChunkedArray, runtime: ChunkedArray["runtime"]): ChunkedArray {
  const glm = glmPattern(X, r);
  if (glm) return glmGradient(X, glm.family, glm.w, glm.y, runtime);
  const [gr, gc] = X.grid;
  const ra = rechunkTo(r, [1], X.rowChunks);
  const name = uniqueName("gemvT");
  const { tasks: partials, source } = blockTasks(X, name, (block, i, _j, rows, cols) => ["gemvTChunk", [block, ref(ra.layer.keyAt(i)), rows, cols], 8 * cols], true);
  const partialLayer = new TaskLayer(name, partials, [source, ra.layer]);
  const groups = Array.from({ length: gc }, (_, j) => Array.from({ length: gr }, (_, i) => partials[i * gc + j]!.key));
  return new ChunkedArray(sumGroups(groups, X.colChunks, partialLayer), [X.shape[1]!], [[...X.colChunks]], { runtime });
}

/** X W for a W small enough to be one chunk. */
function matrixTimesMatrix(X: ChunkedArray, W: ChunkedArray, runtime: ChunkedArray["runtime"]): ChunkedArray {
  const [gr, gc] = X.grid;
  const k = W.shape[1]!;
  const Wa = rechunkTo(W, X.colChunks, [k]);
  const name = uniqueName("gemm");
  const { tasks: partials } = blockTasks(X, name, (block, _i, j, rows, cols) => ["gemmChunk", [block, ref(Wa.layer.keyAt(Wa.chunkIndex(j, 0))), rows, cols, k], 8 * rows * k]);
  const partialLayer = new TaskLayer(name, partials, [X.layer, Wa.layer]);
  const lengths = X.rowChunks.map((r) => r * k);
  const layer = gc === 1 ? partialLayer : sumGroups(Array.from({ length: gr }, (_, i) => Array.from({ length: gc }, (_, j) => partials[i * gc + j]!.key)), lengths, partialLayer);
  return new ChunkedArray(layer, [X.shape[0]!, k], [[...X.rowChunks], [k]], { runtime });
}

function dot(a: ChunkedArray, b: ChunkedArray, runtime: ChunkedArray["runtime"]): ChunkedArray {
  if (a.shape[0] !== b.shape[0]) throw mismatch(a, b, "vectors of one length");
  const ba = rechunkTo(b, [1], a.colChunks);
  const partial = new BlockwiseLayer("dotChunk", [a.layer, ba.layer]);
  return new ChunkedArray(new TreeReductionLayer("combineSum", partial, SPLIT_EVERY), [], [], { runtime });
}

/** gram() computed in float64 (operands read as float64); gram() gives the result its dtype. */
function gramF64(X: ChunkedArray, d?: ChunkedArray): ChunkedArray {
  if (!(X instanceof ChunkedArray) || X.ndim !== 2) throw new ArgumentError("X", "a 2-D ChunkedArray", X, "gram");
  if (d !== undefined && (!(d instanceof ChunkedArray) || d.ndim !== 1 || d.shape[0] !== X.shape[0])) {
    throw new ArgumentError("d", `a 1-D array of ${X.shape[0]} weights (one per row)`, d instanceof ChunkedArray ? describeShape(d.shape) : d, "gram");
  }
  const runtime = sameRuntime(d ? [X, d] : [X]);
  const p = X.shape[1]!;
  const Xa = rechunkTo(X, X.rowChunks, [p]);
  const da = d ? rechunkTo(d, [1], X.rowChunks) : undefined;
  const name = uniqueName(d ? "gramWeighted" : "gram");
  const partials = X.rowChunks.map((rows, i) =>
    taskWith(key(name, i), "gramChunk", [ref(Xa.layer.keyAt(i)), da ? ref(da.layer.keyAt(i)) : null, rows, p], { bytes: 8 * p * p }));
  const partialLayer = new TaskLayer(name, partials, da ? [Xa.layer, da.layer] : [Xa.layer]);
  const layer = sumGroups([partials.map((t) => t.key)], [p * p], partialLayer);
  return new ChunkedArray(layer, [p, p], [[p], [p]], { runtime });
}

// ---- the public forms: float32 when every operand is ----

/** a @ b for the supported cases: matrix-vector, transposed matrix-vector, matrix-small matrix, vector-vector. */
export function matmul(a: ChunkedArray, b: ChunkedArray): ChunkedArray {
  const result = matmulF64(a, b);
  return withDType(result, resultDType(a, b));
}

/** X^T X, or X^T diag(d) X with d one weight per row: a cols x cols matrix in one chunk. */
export function gram(X: ChunkedArray, d?: ChunkedArray): ChunkedArray {
  const result = gramF64(X, d);
  return withDType(result, d ? resultDType(X, d) : X.dtype);
}
