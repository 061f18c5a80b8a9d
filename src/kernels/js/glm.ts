/**
 * The GLM family kernels in plain TypeScript: eta = X w + b0 row by row, then the family's
 * loss, residual mu - y and Hessian weight (GLM_FAMILY_MATH of ../scalar.ts, the formulas
 * written once), with the same conventions as assembly/glm.ts. Each kernel is one loop shared
 * by the three families, each passing its per-row math (see scalar.ts on why V8 still inlines it).
 */
import { GLM_FAMILY_MATH, type FamilyMath } from "../scalar.js";
import { at, type Heap } from "./heap.js";

/** eta_i = x_i . w + b0 for row i of X (element indices, not byte addresses). */
function eta(H: Float64Array, X: number, ldx: number, p: number, W: number, b0: number, i: number): number {
  let s = b0;
  const r = X + i * ldx;
  for (let j = 0; j < p; j++) s += H[r + j]! * H[W + j]!;
  return s;
}

/**
 * sum_i loss(eta_i, y_i) over the n rows of X, and the gradient into G[0..p]:
 * G[j] = sum_i (mu_i - y_i) x_ij, G[p] = sum_i (mu_i - y_i) (the intercept's). All positions are
 * element indices.
 */
function lossAndGradient(
  H: Float64Array,
  f: FamilyMath,
  n: number,
  p: number,
  X: number,
  ldx: number,
  Y: number,
  W: number,
  b0: number,
  G: number,
): number {
  H.fill(0, G, G + p + 1);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const e = eta(H, X, ldx, p, W, b0, i);
    const yi = H[Y + i]!;
    loss += f.loss(e, yi);
    const r = f.mean(e) - yi;
    const row = X + i * ldx;
    for (let j = 0; j < p; j++) H[G + j] = H[G + j]! + r * H[row + j]!;
    H[G + p] = H[G + p]! + r;
  }
  return loss;
}

/** sum_i loss(eta_i, y_i) alone, without the means and the gradient. */
function lossOnly(H: Float64Array, f: FamilyMath, n: number, p: number, X: number, ldx: number, Y: number, W: number, b0: number): number {
  let loss = 0;
  for (let i = 0; i < n; i++) loss += f.loss(eta(H, X, ldx, p, W, b0, i), H[Y + i]!);
  return loss;
}

/** d_i = weight(eta_i), the Hessian weights (filled in directly when they do not depend on eta). */
function hessianWeights(
  H: Float64Array,
  f: FamilyMath,
  n: number,
  p: number,
  X: number,
  ldx: number,
  W: number,
  b0: number,
  D: number,
): void {
  if (f.constantWeight !== undefined) H.fill(f.constantWeight, D, D + n);
  else for (let i = 0; i < n; i++) H[D + i] = f.weight(eta(H, X, ldx, p, W, b0, i));
}

/** The four kernels of one family, on the shared loops. */
function familyKernels(heap: Heap, f: FamilyMath) {
  return {
    lossGrad(n: number, p: number, x: number, ldx: number, y: number, w: number, b0: number, grad: number): number {
      return lossAndGradient(heap.f64, f, n, p, at(x), ldx, at(y), at(w), b0, at(grad));
    },
    // the gradient alone: the loss-and-gradient kernel, its loss dropped
    grad(n: number, p: number, x: number, ldx: number, y: number, w: number, b0: number, grad: number): void {
      lossAndGradient(heap.f64, f, n, p, at(x), ldx, at(y), at(w), b0, at(grad));
    },
    loss(n: number, p: number, x: number, ldx: number, y: number, w: number, b0: number): number {
      return lossOnly(heap.f64, f, n, p, at(x), ldx, at(y), at(w), b0);
    },
    weights(n: number, p: number, x: number, ldx: number, w: number, b0: number, d: number): void {
      hessianWeights(heap.f64, f, n, p, at(x), ldx, at(w), b0, at(d));
    },
  };
}

export function glmKernels(heap: Heap) {
  const logistic = familyKernels(heap, GLM_FAMILY_MATH.logistic);
  const normal = familyKernels(heap, GLM_FAMILY_MATH.normal);
  const poisson = familyKernels(heap, GLM_FAMILY_MATH.poisson);
  return {
    glmLogisticLossGrad: logistic.lossGrad,
    glmLogisticGrad: logistic.grad,
    glmLogisticLoss: logistic.loss,
    glmLogisticWeights: logistic.weights,
    glmNormalLossGrad: normal.lossGrad,
    glmNormalGrad: normal.grad,
    glmNormalLoss: normal.loss,
    glmNormalWeights: normal.weights,
    glmPoissonLossGrad: poisson.lossGrad,
    glmPoissonGrad: poisson.grad,
    glmPoissonLoss: poisson.loss,
    glmPoissonWeights: poisson.weights,
  };
}
