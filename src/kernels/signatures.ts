/**
 * The registry of kernels: every kernel's name, family, arguments and contract, in one table.
 * Backends fill it in, the checked entry points validate calls against it, the tests run every
 * entry of every backend against the js reference, and the benchmarks read sizes from it.
 * Adding a kernel means one entry here, one function in assembly/ and one in kernels/js/.
 * It is one file of about 500 lines on purpose: one table read top to bottom is the contract;
 * split by family, a kernel's entry would be one more file away from its neighbours.
 *
 * Every argument is a number: dimensions and leading dimensions are whole numbers, pointers are
 * byte addresses into the shared memory (8-byte aligned for float64 data), scalars are float64.
 */

/** Dimensions of one call, by argument name (n, m, k, p, ld...). */
export type Dims = Readonly<Record<string, number>>;

/** How many float64 elements a pointer argument spans, given the call's dimensions. */
export type Extent =
  | { kind: "vector"; length: string; plus?: number; float32?: true } // float32: 4-byte values, counted here in float64 slots
  | { kind: "matrix"; rows: string; cols: string; ld: string }
  | { kind: "fixed"; elements: number };

/**
 * One argument of a kernel: a length, a scalar, or a pointer with the number of elements it covers
 * (as a function of the other arguments).
 */
export type ArgSpec =
  | { name: string; kind: "dim" }
  | { name: string; kind: "u32" } // a 32-bit half of a 64-bit seed
  | { name: string; kind: "index" } // a position in a random stream: a whole number below 2^53
  | { name: string; kind: "ld"; cols: string }
  | { name: string; kind: "flag" }
  | { name: string; kind: "scalar" }
  | { name: string; kind: "ptr"; access: "read" | "write" | "readwrite"; extent: Extent };

/** How a backend's result may differ from the js reference. */
export type Accuracy =
  | { kind: "exact" } // bit for bit (data movement, +, -, *, /, sqrt, min, max)
  | { kind: "ulp"; ulp: number } // elementwise transcendental, within `ulp` units in the last place
  | { kind: "sum" } // reassociated sums: error bounded by n * eps * sum of |terms|
  | { kind: "solve" }; // factorizations and solves: backward stable, compare with a tolerance

/** A kernel's registered signature: its arguments in order, its family, and its accuracy. */
export interface KernelSpec {
  family: "blas1" | "blas2" | "blas3" | "elementwise" | "convert" | "reduce" | "linalg" | "glm" | "random";
  args: readonly ArgSpec[];
  returns: "f64" | "i32" | "void";
  accuracy: Accuracy;
  doc: string;
}

const dim = <N extends string>(name: N) => ({ name, kind: "dim" }) as const;
const ld = <N extends string>(name: N, cols: string) => ({ name, kind: "ld", cols }) as const;
const flag = <N extends string>(name: N) => ({ name, kind: "flag" }) as const;
const scalar = <N extends string>(name: N) => ({ name, kind: "scalar" }) as const;
const u32 = <N extends string>(name: N) => ({ name, kind: "u32" }) as const;
const index = <N extends string>(name: N) => ({ name, kind: "index" }) as const;
const vec = (length: string, plus?: number): Extent => (plus === undefined ? { kind: "vector", length } : { kind: "vector", length, plus });
const mat = (rows: string, cols: string, ldName: string): Extent => ({ kind: "matrix", rows, cols, ld: ldName });
const input = <N extends string>(name: N, extent: Extent) => ({ name, kind: "ptr", access: "read", extent }) as const;
const output = <N extends string>(name: N, extent: Extent) => ({ name, kind: "ptr", access: "write", extent }) as const;
const inout = <N extends string>(name: N, extent: Extent) => ({ name, kind: "ptr", access: "readwrite", extent }) as const;

const EXACT = { kind: "exact" } as const;
const SUM = { kind: "sum" } as const;
const SOLVE = { kind: "solve" } as const;
const ulp = (n: number) => ({ kind: "ulp", ulp: n }) as const;

/** Float64 elements of scratch gemm needs (packed A 64 x 256, packed B 256 x 512, one tile). */
export const GEMM_SCRATCH_ELEMENTS = 64 * 256 + 256 * 512 + 16;

const unary = (doc: string, accuracy: Accuracy = EXACT) =>
  ({
    family: "elementwise",
    args: [dim("n"), input("x", vec("n")), output("y", vec("n"))],
    returns: "void",
    accuracy,
    doc: `y[i] = ${doc} (y may be x)`,
  }) as const;

const binaryVV = (op: string, accuracy: Accuracy = EXACT) =>
  ({
    family: "elementwise",
    args: [dim("n"), input("x", vec("n")), input("y", vec("n")), output("z", vec("n"))],
    returns: "void",
    accuracy,
    doc: `z[i] = ${op.replace("a", "x[i]").replace("b", "y[i]")} (z may be x or y)`,
  }) as const;

const binaryVS = (op: string, accuracy: Accuracy = EXACT) =>
  ({
    family: "elementwise",
    args: [dim("n"), input("x", vec("n")), scalar("s"), output("z", vec("n"))],
    returns: "void",
    accuracy,
    doc: `z[i] = ${op.replace("a", "x[i]").replace("b", "s")} (z may be x)`,
  }) as const;

const binarySV = (op: string, accuracy: Accuracy = EXACT) =>
  ({
    family: "elementwise",
    args: [dim("n"), scalar("s"), input("x", vec("n")), output("z", vec("n"))],
    returns: "void",
    accuracy,
    doc: `z[i] = ${op.replace("a", "s").replace("b", "x[i]")} (z may be x)`,
  }) as const;

/** A reduction of n float32 values to one number. */
const reduceF32 = (accuracy: Accuracy, doc: string) =>
  ({
    family: "reduce",
    args: [dim("n"), input("x", { kind: "vector", length: "n", float32: true })],
    returns: "f64",
    accuracy,
    doc,
  }) as const;

/** A reduction of an m x n matrix to one value per row (out has m entries) or per column (n). */
const matrixReduce = (out: "m" | "n", accuracy: Accuracy, doc: string) =>
  ({
    family: "reduce",
    args: [dim("m"), dim("n"), input("a", mat("m", "n", "lda")), ld("lda", "n"), output("out", vec(out))],
    returns: "void",
    accuracy,
    doc,
  }) as const;

const glmLossGrad = (family: string) =>
  ({
    family: "glm",
    args: [
      dim("n"),
      dim("p"),
      input("x", mat("n", "p", "ldx")),
      ld("ldx", "p"),
      input("y", vec("n")),
      input("w", vec("p")),
      scalar("b0"),
      output("grad", vec("p", 1)),
    ],
    returns: "f64",
    accuracy: SUM,
    doc:
      `${family} GLM in one pass over X: returns the summed loss at eta = X w + b0 and writes ` +
      `grad[0:p] = X^T (mu - y), grad[p] = sum(mu - y) (the intercept's gradient)`,
  }) as const;

const glmGrad = (family: string) =>
  ({
    ...glmLossGrad(family),
    returns: "void",
    doc: `${family} GLM gradient in one pass over X, without the loss: grad[0:p] = X^T (mu - y), grad[p] = sum(mu - y) at eta = X w + b0`,
  }) as const;

const glmLoss = (family: string) =>
  ({
    family: "glm",
    args: [dim("n"), dim("p"), input("x", mat("n", "p", "ldx")), ld("ldx", "p"), input("y", vec("n")), input("w", vec("p")), scalar("b0")],
    returns: "f64",
    accuracy: SUM,
    doc: `${family} GLM loss summed over rows at eta = X w + b0, in one pass (for line searches)`,
  }) as const;

/** The loss-and-gradient kernel with a sample weight per row (fit's sampleWeight). */
const glmLossGradWeighted = (family: string) =>
  ({
    family: "glm",
    args: [
      dim("n"),
      dim("p"),
      input("x", mat("n", "p", "ldx")),
      ld("ldx", "p"),
      input("y", vec("n")),
      input("sw", vec("n")),
      input("w", vec("p")),
      scalar("b0"),
      output("grad", vec("p", 1)),
    ],
    returns: "f64",
    accuracy: SUM,
    doc:
      `${family} GLM with sample weights sw in one pass over X: returns sum_i sw[i] loss_i at eta = X w + b0 and writes ` +
      `grad[0:p] = X^T (sw * (mu - y)), grad[p] = sum(sw * (mu - y)); sw[i] = 1 gives the unweighted kernel's values`,
  }) as const;

/** The loss kernel with a sample weight per row. */
const glmLossWeighted = (family: string) =>
  ({
    family: "glm",
    args: [
      dim("n"),
      dim("p"),
      input("x", mat("n", "p", "ldx")),
      ld("ldx", "p"),
      input("y", vec("n")),
      input("sw", vec("n")),
      input("w", vec("p")),
      scalar("b0"),
    ],
    returns: "f64",
    accuracy: SUM,
    doc: `${family} GLM loss weighted by sw, sum_i sw[i] loss_i at eta = X w + b0, in one pass (for line searches)`,
  }) as const;

const glmWeights = (family: string, weight: string) =>
  ({
    family: "glm",
    args: [dim("n"), dim("p"), input("x", mat("n", "p", "ldx")), ld("ldx", "p"), input("w", vec("p")), scalar("b0"), output("d", vec("n"))],
    returns: "void",
    accuracy: SUM, // eta is a reassociated dot, so d inherits its rounding
    doc: `${family} GLM Hessian weights d[i] = ${weight} at eta = X w + b0 (then X^T D X is gramWeighted)`,
  }) as const;

/**
 * The kernel registry: for every kernel, its arguments (lengths, scalars, pointers and how many
 * elements each pointer covers), its family and its accuracy. Every backend implements exactly
 * these signatures.
 */
export const KERNEL_SPECS = {
  // ---- BLAS 1
  dot: {
    family: "blas1",
    args: [dim("n"), input("x", vec("n")), input("y", vec("n"))],
    returns: "f64",
    accuracy: SUM,
    doc: "sum_i x[i] * y[i]",
  },
  axpy: {
    family: "blas1",
    args: [dim("n"), scalar("a"), input("x", vec("n")), inout("y", vec("n"))],
    returns: "void",
    accuracy: EXACT,
    doc: "y += a * x",
  },
  scal: {
    family: "blas1",
    args: [dim("n"), scalar("a"), inout("x", vec("n"))],
    returns: "void",
    accuracy: EXACT,
    doc: "x *= a",
  },
  copy: {
    family: "blas1",
    args: [dim("n"), input("x", vec("n")), output("y", vec("n"))],
    returns: "void",
    accuracy: EXACT,
    doc: "y = x (overlap allowed, like memmove)",
  },
  nrm2: {
    family: "blas1",
    args: [dim("n"), input("x", vec("n"))],
    returns: "f64",
    accuracy: SUM,
    doc: "Euclidean norm, without overflow or underflow",
  },
  asum: {
    family: "blas1",
    args: [dim("n"), input("x", vec("n"))],
    returns: "f64",
    accuracy: SUM,
    doc: "sum_i |x[i]|",
  },
  iamax: {
    family: "blas1",
    args: [dim("n"), input("x", vec("n"))],
    returns: "i32",
    accuracy: EXACT,
    doc: "index of the first largest |x[i]| (a NaN counts as largest); -1 when n = 0",
  },
  // ---- BLAS 2
  gemv: {
    family: "blas2",
    args: [
      dim("m"),
      dim("n"),
      scalar("alpha"),
      input("a", mat("m", "n", "lda")),
      ld("lda", "n"),
      input("x", vec("n")),
      scalar("beta"),
      inout("y", vec("m")),
    ],
    returns: "void",
    accuracy: SUM,
    doc: "y = alpha * A x + beta * y, A m x n row-major (y is not read when beta = 0)",
  },
  gemvT: {
    family: "blas2",
    args: [
      dim("m"),
      dim("n"),
      scalar("alpha"),
      input("a", mat("m", "n", "lda")),
      ld("lda", "n"),
      input("x", vec("m")),
      scalar("beta"),
      inout("y", vec("n")),
    ],
    returns: "void",
    accuracy: SUM,
    doc: "y = alpha * A^T x + beta * y, A m x n row-major (y is not read when beta = 0)",
  },
  // ---- BLAS 3
  gemm: {
    family: "blas3",
    args: [
      dim("m"),
      dim("n"),
      dim("k"),
      scalar("alpha"),
      input("a", mat("m", "k", "lda")),
      ld("lda", "k"),
      input("b", mat("k", "n", "ldb")),
      ld("ldb", "n"),
      scalar("beta"),
      inout("c", mat("m", "n", "ldc")),
      ld("ldc", "n"),
      output("scratch", { kind: "fixed", elements: GEMM_SCRATCH_ELEMENTS }),
    ],
    returns: "void",
    accuracy: SUM,
    doc: "C = alpha * A B + beta * C, row-major; scratch holds GEMM_SCRATCH_ELEMENTS float64s (C is not read when beta = 0)",
  },
  gram: {
    family: "blas3",
    args: [
      dim("m"),
      dim("n"),
      input("x", mat("m", "n", "ldx")),
      ld("ldx", "n"),
      scalar("beta"),
      inout("c", mat("n", "n", "ldc")),
      ld("ldc", "n"),
    ],
    returns: "void",
    accuracy: SUM,
    doc: "C = X^T X + beta * C (only C's upper triangle is read; both triangles are written)",
  },
  gramWeighted: {
    family: "blas3",
    args: [
      dim("m"),
      dim("n"),
      input("x", mat("m", "n", "ldx")),
      ld("ldx", "n"),
      input("d", vec("m")),
      scalar("beta"),
      inout("c", mat("n", "n", "ldc")),
      ld("ldc", "n"),
    ],
    returns: "void",
    accuracy: SUM,
    doc: "C = X^T diag(d) X + beta * C, the GLM Hessian (only C's upper triangle is read; both are written)",
  },
  // ---- elementwise
  neg: unary("-x[i]"),
  abs: unary("|x[i]|"),
  exp: unary("exp(x[i]), vectorized (<= 1 ulp)", ulp(1)),
  log: unary("log(x[i]), vectorized (<= 1 ulp)", ulp(1)),
  log1p: unary("log(1 + x[i])", ulp(1)),
  expm1: unary("exp(x[i]) - 1", ulp(1)),
  sqrt: unary("sqrt(x[i])"),
  reciprocal: unary("1 / x[i]"),
  square: unary("x[i]^2"),
  sigmoid: unary("1 / (1 + exp(-x[i])), accurate in both tails", ulp(2)),
  logSigmoid: unary("log(sigmoid(x[i])), stable for large |x|", ulp(4)),
  tanh: unary("tanh(x[i]) (musl's, within 3 ulp of Math.tanh)", ulp(3)),
  addVV: binaryVV("a + b"),
  subVV: binaryVV("a - b"),
  mulVV: binaryVV("a * b"),
  divVV: binaryVV("a / b"),
  powVV: binaryVV("a ** b", ulp(1)),
  minVV: binaryVV("min(a, b)"),
  maxVV: binaryVV("max(a, b)"),
  addVS: binaryVS("a + b"),
  subVS: binaryVS("a - b"),
  mulVS: binaryVS("a * b"),
  divVS: binaryVS("a / b"),
  powVS: binaryVS("a ** b", ulp(1)),
  minVS: binaryVS("min(a, b)"),
  maxVS: binaryVS("max(a, b)"),
  addSV: binarySV("a + b"),
  subSV: binarySV("a - b"),
  mulSV: binarySV("a * b"),
  divSV: binarySV("a / b"),
  powSV: binarySV("a ** b", ulp(1)),
  minSV: binarySV("min(a, b)"),
  maxSV: binarySV("max(a, b)"),
  // ---- reductions
  sum: {
    family: "reduce",
    args: [dim("n"), input("x", vec("n"))],
    returns: "f64",
    accuracy: SUM,
    doc: "sum_i x[i] (0 when n = 0)",
  },
  sumSquares: {
    family: "reduce",
    args: [dim("n"), input("x", vec("n"))],
    returns: "f64",
    accuracy: SUM,
    doc: "sum_i x[i]^2",
  },
  min: {
    family: "reduce",
    args: [dim("n"), input("x", vec("n"))],
    returns: "f64",
    accuracy: EXACT,
    doc: "smallest x[i] (+Infinity when n = 0; NaN if any is NaN)",
  },
  max: {
    family: "reduce",
    args: [dim("n"), input("x", vec("n"))],
    returns: "f64",
    accuracy: EXACT,
    doc: "largest x[i] (-Infinity when n = 0; NaN if any is NaN)",
  },
  rowSums: matrixReduce("m", SUM, "out[i] = sum_j A[i, j]"),
  colSums: matrixReduce("n", SUM, "out[j] = sum_i A[i, j]"),
  rowMins: matrixReduce("m", EXACT, "out[i] = min_j A[i, j] (+Infinity for an empty row; NaN if the row holds one)"),
  rowMaxs: matrixReduce("m", EXACT, "out[i] = max_j A[i, j] (-Infinity for an empty row; NaN if the row holds one)"),
  // ---- linear algebra
  cholesky: {
    family: "linalg",
    args: [dim("n"), inout("a", mat("n", "n", "lda")), ld("lda", "n")],
    returns: "i32",
    accuracy: SOLVE,
    doc:
      "in-place Cholesky A = L L^T: L overwrites the lower triangle, the strict upper triangle is untouched. " +
      "Returns 0, or j + 1 when the leading minor of order j + 1 is not positive definite",
  },
  trsv: {
    family: "linalg",
    args: [dim("n"), input("a", mat("n", "n", "lda")), ld("lda", "n"), inout("x", vec("n")), flag("lower"), flag("transpose")],
    returns: "void",
    accuracy: SOLVE,
    doc: "solve op(T) x = b in place, T the lower (lower = 1) or upper triangle of A, op = transpose if transpose = 1",
  },
  spdSolve: {
    family: "linalg",
    args: [dim("n"), inout("a", mat("n", "n", "lda")), ld("lda", "n"), inout("b", vec("n"))],
    returns: "i32",
    accuracy: SOLVE,
    doc: "solve A x = b for SPD A: A is overwritten by its Cholesky factor, b by x. Returns cholesky's code (b untouched on failure)",
  },
  // ---- fused GLM
  glmLogisticLossGrad: glmLossGrad("logistic"),
  glmNormalLossGrad: glmLossGrad("normal"),
  glmPoissonLossGrad: glmLossGrad("poisson"),
  glmLogisticGrad: glmGrad("logistic"),
  glmNormalGrad: glmGrad("normal"),
  glmPoissonGrad: glmGrad("poisson"),
  glmLogisticLoss: glmLoss("logistic"),
  glmNormalLoss: glmLoss("normal"),
  glmPoissonLoss: glmLoss("poisson"),
  glmLogisticWeights: glmWeights("logistic", "mu (1 - mu)"),
  glmNormalWeights: glmWeights("normal", "1"),
  glmPoissonWeights: glmWeights("poisson", "mu"),
  glmLogisticLossGradWeighted: glmLossGradWeighted("logistic"),
  glmNormalLossGradWeighted: glmLossGradWeighted("normal"),
  glmPoissonLossGradWeighted: glmLossGradWeighted("poisson"),
  glmLogisticLossWeighted: glmLossWeighted("logistic"),
  glmNormalLossWeighted: glmLossWeighted("normal"),
  glmPoissonLossWeighted: glmLossWeighted("poisson"),
  // ---- the counter-based generator of docs/specs/synthetic-data.md
  randomUniform: {
    family: "random",
    args: [u32("seedHi"), u32("seedLo"), index("start"), dim("n"), output("out", vec("n"))],
    returns: "void",
    accuracy: EXACT,
    doc: "out[i] = U(seed, start + i): uniform in [0, 1), the spec's counter-based stream (seed = seedHi * 2^32 + seedLo)",
  },
  randomNormal: {
    family: "random",
    args: [u32("seedHi"), u32("seedLo"), index("start"), dim("n"), output("out", vec("n"))],
    returns: "void",
    accuracy: SUM, // log1p, cos and sin may differ in the last ulp between backends
    doc: "out[i] = z[start + i]: standard normals in Box-Muller pairs of the spec's stream (seed = seedHi * 2^32 + seedLo)",
  },
  // ---- float32 storage: widened on the way in, narrowed on the way out
  widenF32: {
    family: "convert",
    args: [dim("n"), input("x", { kind: "vector", length: "n", float32: true }), output("y", vec("n"))],
    returns: "void",
    accuracy: EXACT,
    doc: "y[i] = x[i]: n float32 values widened to float64 (exact; x and y must not overlap)",
  },
  narrowF32: {
    family: "convert",
    args: [dim("n"), input("x", vec("n")), output("y", { kind: "vector", length: "n", float32: true })],
    returns: "void",
    accuracy: EXACT,
    doc: "y[i] = x[i] rounded to float32 (to nearest, ties to even; overflow to infinity): n float64 values to n float32 (y may be x)",
  },
  roundF32: {
    family: "convert",
    args: [dim("n"), input("x", vec("n")), output("y", vec("n"))],
    returns: "void",
    accuracy: EXACT,
    doc: "y[i] = x[i] rounded to the nearest float32, kept as float64 (narrowF32 then widenF32 in one pass; y may be x)",
  },
  // reductions reading float32 storage directly (sums in float64; min and max exact)
  sumF32: reduceF32(SUM, "sum_i x[i] over n float32 values, added in float64 (0 when n = 0)"),
  sumSquaresF32: reduceF32(SUM, "sum_i x[i]^2 over n float32 values, in float64"),
  minF32: reduceF32(EXACT, "smallest of n float32 values (+Infinity when n = 0; NaN if any is NaN)"),
  maxF32: reduceF32(EXACT, "largest of n float32 values (-Infinity when n = 0; NaN if any is NaN)"),
} as const satisfies Record<string, KernelSpec>;

/** The name of a registered kernel. */
export type KernelName = keyof typeof KERNEL_SPECS;

type ReturnOf<R> = R extends "void" ? void : number;
type NumberArgs<A extends readonly unknown[]> = { [I in keyof A]: number };

/** A kernel's call signature, derived from its spec: all numbers in, a number or nothing out. */
export type KernelFn<K extends KernelName> = (
  ...args: NumberArgs<(typeof KERNEL_SPECS)[K]["args"]>
) => ReturnOf<(typeof KERNEL_SPECS)[K]["returns"]>;

/** A complete set of kernels: what every backend provides. */
export type KernelTable = { [K in KernelName]: KernelFn<K> };

/** The names of every registered kernel. */
export const KERNEL_NAMES = Object.keys(KERNEL_SPECS) as KernelName[];

/** The registered signature of kernel `name`. */
export function kernelSpec(name: KernelName): KernelSpec {
  return KERNEL_SPECS[name];
}

/** Float64 elements a pointer argument spans for the given dimensions. */
export function extentElements(extent: Extent, dims: Dims): number {
  switch (extent.kind) {
    case "vector": {
      const n = dims[extent.length]! + (extent.plus ?? 0);
      return extent.float32 ? Math.ceil(n / 2) : n;
    }
    case "fixed":
      return extent.elements;
    case "matrix": {
      const rows = dims[extent.rows]!;
      const cols = dims[extent.cols]!;
      return rows === 0 || cols === 0 ? 0 : (rows - 1) * dims[extent.ld]! + cols;
    }
  }
}
