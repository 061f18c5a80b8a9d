/**
 * Scalar math: weft's elementwise ops and GLM family formulas on one number, written once. The
 * js kernels (the reference every backend is tested against) loop over these; the array layer
 * applies them to 0-D arrays and to number-by-number broadcasts, and the GLM families predict
 * with them, so a value computed alone equals the same value computed inside a chunk.
 */

/**
 * 1 / (1 + exp(-x)), accurate in both tails: exp is only taken of -|x| (it never overflows), and
 * for x < 0 the result is exp(x) / (1 + exp(x)), which keeps the tiny values that
 * 1 / (1 + exp(-x)) rounds to 0 once exp(-x) overflows.
 */
export function sigmoid(x: number): number {
  return logisticMeanFromExp(x, Math.exp(-Math.abs(x)));
}

/** log(1 + exp(x)), without overflow for large x: max(x, 0) + log1p(exp(-|x|)). */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** log(sigmoid(x)), that is -softplus(-x), without overflow for large |x|. */
export function logSigmoid(x: number): number {
  return Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x)));
}

/** The unary elementwise ops, by kernel name. */
export const UNARY_MATH = {
  neg: (x: number) => -x,
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  log1p: Math.log1p,
  expm1: Math.expm1,
  sqrt: Math.sqrt,
  reciprocal: (x: number) => 1 / x,
  square: (x: number) => x * x,
  sigmoid,
  logSigmoid,
  tanh: Math.tanh,
} as const satisfies Record<string, (x: number) => number>;

/**
 * The binary elementwise ops: the arithmetic of the kernels' xxVV/xxVS/xxSV (min and max as
 * Math.min and Math.max: NaN wins, -0 is below +0), and comparisons giving 1 or 0.
 */
export const BINARY_MATH = {
  add: (a: number, b: number) => a + b,
  sub: (a: number, b: number) => a - b,
  mul: (a: number, b: number) => a * b,
  div: (a: number, b: number) => a / b,
  pow: (a: number, b: number) => a ** b,
  min: Math.min,
  max: Math.max,
  lt: (a: number, b: number) => (a < b ? 1 : 0),
  le: (a: number, b: number) => (a <= b ? 1 : 0),
  gt: (a: number, b: number) => (a > b ? 1 : 0),
  ge: (a: number, b: number) => (a >= b ? 1 : 0),
  eq: (a: number, b: number) => (a === b ? 1 : 0),
  ne: (a: number, b: number) => (a !== b ? 1 : 0),
} as const satisfies Record<string, (a: number, b: number) => number>;

/*
 * The GLM families' formulas (Poisson's loss leaves out log(y!), a constant):
 *
 *   logistic: loss log(1 + exp(eta)) - y eta, mu = sigmoid(eta), weight mu (1 - mu)
 *   normal:   loss (eta - y)^2 / 2,            mu = eta,          weight 1
 *   poisson:  loss exp(eta) - y eta,           mu = exp(eta),     weight mu
 *
 * A row's terms are written from the one exp they share (logistic terms from t = exp(-|eta|),
 * Poisson's from m = exp(eta)): the js kernels take that exp once a row and call these directly,
 * and GLM_FAMILY_MATH below wraps them for predictions (glm/families.ts).
 */

/** The logistic loss log(1 + exp(eta)) - y eta, given t = exp(-|eta|). */
export function logisticLossFromExp(eta: number, t: number, y: number): number {
  return Math.max(eta, 0) + Math.log1p(t) - y * eta;
}

/** sigmoid(eta), given t = exp(-|eta|) (see sigmoid()). */
export function logisticMeanFromExp(eta: number, t: number): number {
  return eta >= 0 ? 1 / (1 + t) : t / (1 + t);
}

/** The logistic weight sigmoid(eta) sigmoid(-eta), given t = exp(-|eta|) (symmetric in eta). */
export function logisticWeightFromExp(t: number): number {
  return t / (1 + t) / (1 + t);
}

/** The Poisson loss exp(eta) - y eta, given m = exp(eta). */
export function poissonLossFromExp(eta: number, m: number, y: number): number {
  return m - y * eta;
}

/** The normal loss (eta - y)^2 / 2. */
export function normalLoss(eta: number, y: number): number {
  return 0.5 * (eta - y) ** 2;
}

/** One GLM family at linear predictor eta, for predictions: the loss of one observation and the mean. */
export interface FamilyMath {
  /** The loss of one observation with label y (the negative log-likelihood, up to a constant). */
  readonly loss: (eta: number, y: number) => number;
  /** The mean mu (the inverse link). */
  readonly mean: (eta: number) => number;
}

/** The GLM families' math, by family name. */
export const GLM_FAMILY_MATH = {
  logistic: { loss: (eta, y) => logisticLossFromExp(eta, Math.exp(-Math.abs(eta)), y), mean: sigmoid },
  normal: { loss: normalLoss, mean: (eta) => eta },
  poisson: { loss: (eta, y) => poissonLossFromExp(eta, Math.exp(eta), y), mean: Math.exp },
} as const satisfies Record<string, FamilyMath>;
