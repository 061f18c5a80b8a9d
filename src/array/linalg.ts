/**
 * Matrix products on chunked arrays. X w is one gemv per chunk (partials over column chunks
 * summed); X^T r reads X's chunks where they are (gemvT per chunk, then a tree sum per column
 * chunk), which is why the transpose is a view; X W for a small W is a product per row of each
 * chunk; the Gram matrices X^T X and X^T D X are one kernel call per row chunk and a tree sum.
 */
import { ArgumentError } from "../errors.js";
import { uniqueName } from "../graph/keys.js";
import { TreeReductionLayer, BlockwiseLayer, type BlockwiseInput, type ChunkBytes } from "../graph/layers.js";
import { ChunkedArray, sameRuntime } from "./array.js";
import { describeShape } from "./chunks.js";
import { rechunkTo } from "./layout.js";
import { combineGroups } from "./reduce.js";
import { withDType } from "./cast.js";
import { resultDType } from "./dtype.js";

const SPLIT_EVERY = 8;

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
 * One task per block (i, j) of X (a blockwise layer over X's grid): `op` with X's chunk first,
 * then `args`, then (`readsFloat32`, for a float32 X) 4, the op then reading X's chunks as
 * stored, a block of rows widened at a time.
 */
function perBlock(X: ChunkedArray, op: string, args: readonly BlockwiseInput[], bytes: ChunkBytes, readsFloat32 = false): BlockwiseLayer {
  const stored = readsFloat32 && X.dtype === "float32";
  const source = stored ? X.storageLayer : X.layer;
  return new BlockwiseLayer(op, [source, ...args, ...(stored ? [{ literal: 4 }] : [])], {
    name: uniqueName(op.replace(/Chunk$/, "")),
    bytes,
  });
}

function matrixTimesVector(X: ChunkedArray, w: ChunkedArray, runtime: ChunkedArray["runtime"]): ChunkedArray {
  const g = X.chunkGrid;
  const wa = rechunkTo(w, [1], X.colChunks);
  const partials = perBlock(
    X,
    "gemvChunk",
    [{ layer: wa.layer, chunkOf: g.colIndex }, { perChunk: g.rows }, { perChunk: g.cols }],
    g.vectorBytes(8, false),
    true,
  );
  const layer =
    g.gc === 1 ? partials : combineGroups("sum", partials, { count: g.gr, members: g.byRow }, g.lengthBytes("rows", 8), SPLIT_EVERY);
  return new ChunkedArray(layer, [X.shape[0]!], g.vectorChunks("rows"), { runtime, expr: { op: "matvec", args: [X, w] } });
}

/**
 * The GLM gradient patterns X^T (mean(X w) - y): for the logistic (sigmoid), normal (identity)
 * and Poisson (exp) means. Returns the family and operands when `r` is one of them over this X.
 */
function glmPattern(
  X: ChunkedArray,
  r: ChunkedArray,
): { family: "logistic" | "normal" | "poisson"; w: ChunkedArray; y: ChunkedArray } | undefined {
  if (r.expr?.op !== "sub") return undefined;
  const [mean, y] = r.expr.args;
  if (!(mean instanceof ChunkedArray) || !(y instanceof ChunkedArray) || y.ndim !== 1) return undefined;
  const matvecOf = (m: unknown) =>
    m instanceof ChunkedArray && m.expr?.op === "matvec" && m.expr.args[0] === X ? (m.expr.args[1] as ChunkedArray) : undefined;
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
  const g = Xa.chunkGrid;
  const partials = new BlockwiseLayer(
    "glmGradChunk",
    [{ literal: family }, Xa.layer, ya.layer, wa.layer, { perChunk: g.rows }, { literal: p }],
    {
      name: uniqueName(`${family}-gradient`),
      chunks: g.size,
      bytes: 8 * (p + 1),
    },
  );
  const summed = new TreeReductionLayer("combineVectors", partials, SPLIT_EVERY, {
    name: uniqueName("sum"),
    args: ["sum"],
    bytes: 8 * (p + 1),
    single: "identity",
  });
  // the kernel's last entry is the intercept's gradient: the array is the first p
  const out = new BlockwiseLayer("leadingValues", [summed, { literal: p }], { name: uniqueName("gradient"), bytes: 8 * p });
  return new ChunkedArray(out, [p], [[p]], { runtime });
}

/** X^T r, reading X's chunks as they are (or a GLM gradient, in one pass over X). */
function transposedTimesVector(X: ChunkedArray, r: ChunkedArray, runtime: ChunkedArray["runtime"]): ChunkedArray {
  const glm = glmPattern(X, r);
  if (glm) return glmGradient(X, glm.family, glm.w, glm.y, runtime);
  const g = X.chunkGrid;
  const ra = rechunkTo(r, [1], X.rowChunks);
  const partials = perBlock(
    X,
    "gemvTChunk",
    [{ layer: ra.layer, chunkOf: g.rowIndex }, { perChunk: g.rows }, { perChunk: g.cols }],
    g.vectorBytes(8, true),
    true,
  );
  const layer = combineGroups("sum", partials, { count: g.gc, members: g.byColumn }, g.lengthBytes("cols", 8), SPLIT_EVERY);
  return new ChunkedArray(layer, [X.shape[1]!], g.vectorChunks("cols"), { runtime });
}

/** X W for a W small enough to be one chunk. */
function matrixTimesMatrix(X: ChunkedArray, W: ChunkedArray, runtime: ChunkedArray["runtime"]): ChunkedArray {
  const g = X.chunkGrid;
  const k = W.shape[1]!;
  const Wa = rechunkTo(W, X.colChunks, [k]);
  const partials = perBlock(
    X,
    "gemmChunk",
    [{ layer: Wa.layer, chunkOf: g.colIndex }, { perChunk: g.rows }, { perChunk: g.cols }, { literal: k }],
    g.vectorBytes(8 * k, false),
  );
  const layer =
    g.gc === 1 ? partials : combineGroups("sum", partials, { count: g.gr, members: g.byRow }, g.lengthBytes("rows", 8 * k), SPLIT_EVERY);
  return new ChunkedArray(layer, [X.shape[0]!, k], [X.rowChunks, [k]], { runtime });
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
    throw new ArgumentError(
      "d",
      `a 1-D array of ${X.shape[0]} weights (one per row)`,
      d instanceof ChunkedArray ? describeShape(d.shape) : d,
      "gram",
    );
  }
  const runtime = sameRuntime(d ? [X, d] : [X]);
  const p = X.shape[1]!;
  const Xa = rechunkTo(X, X.rowChunks, [p]);
  const da = d ? rechunkTo(d, [1], X.rowChunks) : undefined;
  const g = Xa.chunkGrid;
  const partials = new BlockwiseLayer("gramChunk", [Xa.layer, da ? da.layer : { literal: null }, { perChunk: g.rows }, { literal: p }], {
    name: uniqueName(d ? "gramWeighted" : "gram"),
    chunks: g.size,
    bytes: 8 * p * p,
  });
  const layer = new TreeReductionLayer("combineVectors", partials, SPLIT_EVERY, {
    name: uniqueName("sum"),
    args: ["sum"],
    bytes: 8 * p * p,
    single: "identity",
  });
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
