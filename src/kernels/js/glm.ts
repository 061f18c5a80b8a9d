/**
 * The GLM family kernels in plain TypeScript: eta = X w + b0 row by row, then the family's
 * loss, residual mu - y and Hessian weight, with the same conventions as assembly/glm.ts.
 */
import { at, type Heap } from "./heap.js";

interface Family {
  loss(eta: number, y: number): number;
  mean(eta: number): number;
  weight(eta: number): number;
}

const FAMILIES: Record<"Logistic" | "Normal" | "Poisson", Family> = {
  Logistic: {
    loss: (eta, y) => Math.max(eta, 0) + Math.log1p(Math.exp(-Math.abs(eta))) - y * eta,
    mean: (eta) => {
      const e = Math.exp(-Math.abs(eta));
      return eta >= 0 ? 1 / (1 + e) : e / (1 + e);
    },
    weight: (eta) => {
      const e = Math.exp(-Math.abs(eta));
      return e / (1 + e) / (1 + e);
    },
  },
  Normal: {
    loss: (eta, y) => 0.5 * (eta - y) ** 2,
    mean: (eta) => eta,
    weight: () => 1,
  },
  Poisson: {
    loss: (eta, y) => Math.exp(eta) - y * eta,
    mean: Math.exp,
    weight: Math.exp,
  },
};

export function glmKernels(heap: Heap) {
  const eta = (H: Float64Array, X: number, ldx: number, p: number, W: number, b0: number, i: number): number => {
    let s = b0;
    for (let j = 0; j < p; j++) s += H[X + i * ldx + j]! * H[W + j]!;
    return s;
  };

  const lossGrad = (f: Family) =>
    (n: number, p: number, x: number, ldx: number, y: number, w: number, b0: number, grad: number): number => {
      const H = heap.f64, X = at(x), Y = at(y), W = at(w), G = at(grad);
      H.fill(0, G, G + p + 1);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const e = eta(H, X, ldx, p, W, b0, i);
        loss += f.loss(e, H[Y + i]!);
        const r = f.mean(e) - H[Y + i]!;
        for (let j = 0; j < p; j++) H[G + j] = H[G + j]! + (r * H[X + i * ldx + j]!);
        H[G + p] = H[G + p]! + r;
      }
      return loss;
    };

  const loss = (f: Family) =>
    (n: number, p: number, x: number, ldx: number, y: number, w: number, b0: number): number => {
      const H = heap.f64, X = at(x), Y = at(y), W = at(w);
      let total = 0;
      for (let i = 0; i < n; i++) total += f.loss(eta(H, X, ldx, p, W, b0, i), H[Y + i]!);
      return total;
    };

  const weights = (f: Family) =>
    (n: number, p: number, x: number, ldx: number, w: number, b0: number, d: number): void => {
      const H = heap.f64, X = at(x), W = at(w), D = at(d);
      for (let i = 0; i < n; i++) H[D + i] = f.weight(eta(H, X, ldx, p, W, b0, i));
    };

  return {
    glmLogisticLossGrad: lossGrad(FAMILIES.Logistic),
    glmNormalLossGrad: lossGrad(FAMILIES.Normal),
    glmPoissonLossGrad: lossGrad(FAMILIES.Poisson),
    glmLogisticLoss: loss(FAMILIES.Logistic),
    glmNormalLoss: loss(FAMILIES.Normal),
    glmPoissonLoss: loss(FAMILIES.Poisson),
    glmLogisticWeights: weights(FAMILIES.Logistic),
    glmNormalWeights: weights(FAMILIES.Normal),
    glmPoissonWeights: weights(FAMILIES.Poisson),
  };
}
