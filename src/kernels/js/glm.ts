/**
 * The GLM family kernels in plain TypeScript: eta = X w + b0 row by row, then the family's
 * loss, residual mu - y and Hessian weight, with the same conventions as assembly/glm.ts. The
 * formulas are ../scalar-math.ts's, written once and shared with the families' predictions; a row
 * takes its family's exp once and hands it to them.
 *
 * One function per family and kernel, each reading the heap itself, rather than one loop shared
 * by the families: every shared form tried (a loop calling a family object's methods, a family
 * number tested per row, per-family loops behind a common entry that passes the heap and
 * positions in) ran slower at 100 columns, by a few percent to 60% depending on the kernel
 * (bench/README.md, "Measured decisions"). The Weighted kernels (fit's sampleWeight) are their
 * own functions for the same reason: each row's loss and residual times its weight sw[i].
 */
import { logisticLossFromExp, logisticMeanFromExp, logisticWeightFromExp, normalLoss, poissonLossFromExp } from "../scalar-math.js";
import { at, type Heap } from "./heap.js";

/** eta_i = x_i . w + b0 for row i of X (element indices, not byte addresses). */
function eta(H: Float64Array, X: number, ldx: number, p: number, W: number, b0: number, i: number): number {
  let s = b0;
  const r = X + i * ldx;
  for (let j = 0; j < p; j++) s += H[r + j]! * H[W + j]!;
  return s;
}

export function glmKernels(heap: Heap) {
  const k = {
    glmLogisticLossGrad(n: number, p: number, x: number, ldx: number, y: number, w: number, b0: number, grad: number): number {
      const H = heap.f64,
        X = at(x),
        Y = at(y),
        W = at(w),
        G = at(grad);
      H.fill(0, G, G + p + 1);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const e = eta(H, X, ldx, p, W, b0, i);
        const yi = H[Y + i]!;
        const t = Math.exp(-Math.abs(e));
        loss += logisticLossFromExp(e, t, yi);
        const r = logisticMeanFromExp(e, t) - yi;
        const row = X + i * ldx;
        for (let j = 0; j < p; j++) H[G + j] = H[G + j]! + r * H[row + j]!;
        H[G + p] = H[G + p]! + r;
      }
      return loss;
    },
    glmLogisticLoss(n: number, p: number, x: number, ldx: number, y: number, w: number, b0: number): number {
      const H = heap.f64,
        X = at(x),
        Y = at(y),
        W = at(w);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const e = eta(H, X, ldx, p, W, b0, i);
        const yi = H[Y + i]!;
        const t = Math.exp(-Math.abs(e));
        loss += logisticLossFromExp(e, t, yi);
      }
      return loss;
    },
    glmLogisticWeights(n: number, p: number, x: number, ldx: number, w: number, b0: number, d: number): void {
      const H = heap.f64,
        X = at(x),
        W = at(w),
        D = at(d);
      for (let i = 0; i < n; i++) {
        const e = eta(H, X, ldx, p, W, b0, i);
        const t = Math.exp(-Math.abs(e));
        H[D + i] = logisticWeightFromExp(t);
      }
    },
    glmNormalLossGrad(n: number, p: number, x: number, ldx: number, y: number, w: number, b0: number, grad: number): number {
      const H = heap.f64,
        X = at(x),
        Y = at(y),
        W = at(w),
        G = at(grad);
      H.fill(0, G, G + p + 1);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const e = eta(H, X, ldx, p, W, b0, i);
        const yi = H[Y + i]!;
        loss += normalLoss(e, yi);
        const r = e - yi;
        const row = X + i * ldx;
        for (let j = 0; j < p; j++) H[G + j] = H[G + j]! + r * H[row + j]!;
        H[G + p] = H[G + p]! + r;
      }
      return loss;
    },
    glmNormalLoss(n: number, p: number, x: number, ldx: number, y: number, w: number, b0: number): number {
      const H = heap.f64,
        X = at(x),
        Y = at(y),
        W = at(w);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const e = eta(H, X, ldx, p, W, b0, i);
        const yi = H[Y + i]!;
        loss += normalLoss(e, yi);
      }
      return loss;
    },
    glmNormalWeights(n: number, _p: number, _x: number, _ldx: number, _w: number, _b0: number, d: number): void {
      heap.f64.fill(1, at(d), at(d) + n); // the identity link's weights do not depend on eta
    },
    glmPoissonLossGrad(n: number, p: number, x: number, ldx: number, y: number, w: number, b0: number, grad: number): number {
      const H = heap.f64,
        X = at(x),
        Y = at(y),
        W = at(w),
        G = at(grad);
      H.fill(0, G, G + p + 1);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const e = eta(H, X, ldx, p, W, b0, i);
        const yi = H[Y + i]!;
        const t = Math.exp(e);
        loss += poissonLossFromExp(e, t, yi);
        const r = t - yi;
        const row = X + i * ldx;
        for (let j = 0; j < p; j++) H[G + j] = H[G + j]! + r * H[row + j]!;
        H[G + p] = H[G + p]! + r;
      }
      return loss;
    },
    glmPoissonLoss(n: number, p: number, x: number, ldx: number, y: number, w: number, b0: number): number {
      const H = heap.f64,
        X = at(x),
        Y = at(y),
        W = at(w);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const e = eta(H, X, ldx, p, W, b0, i);
        const yi = H[Y + i]!;
        const t = Math.exp(e);
        loss += poissonLossFromExp(e, t, yi);
      }
      return loss;
    },
    glmPoissonWeights(n: number, p: number, x: number, ldx: number, w: number, b0: number, d: number): void {
      const H = heap.f64,
        X = at(x),
        W = at(w),
        D = at(d);
      for (let i = 0; i < n; i++) {
        const e = eta(H, X, ldx, p, W, b0, i);
        const t = Math.exp(e);
        H[D + i] = t;
      }
    },
    glmLogisticLossGradWeighted(
      n: number,
      p: number,
      x: number,
      ldx: number,
      y: number,
      sw: number,
      w: number,
      b0: number,
      grad: number,
    ): number {
      const H = heap.f64,
        X = at(x),
        Y = at(y),
        S = at(sw),
        W = at(w),
        G = at(grad);
      H.fill(0, G, G + p + 1);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const e = eta(H, X, ldx, p, W, b0, i);
        const yi = H[Y + i]!,
          si = H[S + i]!;
        const t = Math.exp(-Math.abs(e));
        loss += logisticLossFromExp(e, t, yi) * si;
        const r = (logisticMeanFromExp(e, t) - yi) * si;
        const row = X + i * ldx;
        for (let j = 0; j < p; j++) H[G + j] = H[G + j]! + r * H[row + j]!;
        H[G + p] = H[G + p]! + r;
      }
      return loss;
    },
    glmLogisticLossWeighted(n: number, p: number, x: number, ldx: number, y: number, sw: number, w: number, b0: number): number {
      const H = heap.f64,
        X = at(x),
        Y = at(y),
        S = at(sw),
        W = at(w);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const e = eta(H, X, ldx, p, W, b0, i);
        const yi = H[Y + i]!;
        const t = Math.exp(-Math.abs(e));
        loss += logisticLossFromExp(e, t, yi) * H[S + i]!;
      }
      return loss;
    },
    glmNormalLossGradWeighted(
      n: number,
      p: number,
      x: number,
      ldx: number,
      y: number,
      sw: number,
      w: number,
      b0: number,
      grad: number,
    ): number {
      const H = heap.f64,
        X = at(x),
        Y = at(y),
        S = at(sw),
        W = at(w),
        G = at(grad);
      H.fill(0, G, G + p + 1);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const e = eta(H, X, ldx, p, W, b0, i);
        const yi = H[Y + i]!,
          si = H[S + i]!;
        loss += normalLoss(e, yi) * si;
        const r = (e - yi) * si;
        const row = X + i * ldx;
        for (let j = 0; j < p; j++) H[G + j] = H[G + j]! + r * H[row + j]!;
        H[G + p] = H[G + p]! + r;
      }
      return loss;
    },
    glmNormalLossWeighted(n: number, p: number, x: number, ldx: number, y: number, sw: number, w: number, b0: number): number {
      const H = heap.f64,
        X = at(x),
        Y = at(y),
        S = at(sw),
        W = at(w);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const e = eta(H, X, ldx, p, W, b0, i);
        const yi = H[Y + i]!;
        loss += normalLoss(e, yi) * H[S + i]!;
      }
      return loss;
    },
    glmPoissonLossGradWeighted(
      n: number,
      p: number,
      x: number,
      ldx: number,
      y: number,
      sw: number,
      w: number,
      b0: number,
      grad: number,
    ): number {
      const H = heap.f64,
        X = at(x),
        Y = at(y),
        S = at(sw),
        W = at(w),
        G = at(grad);
      H.fill(0, G, G + p + 1);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const e = eta(H, X, ldx, p, W, b0, i);
        const yi = H[Y + i]!,
          si = H[S + i]!;
        const t = Math.exp(e);
        loss += poissonLossFromExp(e, t, yi) * si;
        const r = (t - yi) * si;
        const row = X + i * ldx;
        for (let j = 0; j < p; j++) H[G + j] = H[G + j]! + r * H[row + j]!;
        H[G + p] = H[G + p]! + r;
      }
      return loss;
    },
    glmPoissonLossWeighted(n: number, p: number, x: number, ldx: number, y: number, sw: number, w: number, b0: number): number {
      const H = heap.f64,
        X = at(x),
        Y = at(y),
        S = at(sw),
        W = at(w);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const e = eta(H, X, ldx, p, W, b0, i);
        const yi = H[Y + i]!;
        const t = Math.exp(e);
        loss += poissonLossFromExp(e, t, yi) * H[S + i]!;
      }
      return loss;
    },
  };
  // the gradient alone: the loss-and-gradient kernels, their loss dropped
  return {
    ...k,
    glmLogisticGrad: (n: number, p: number, x: number, ldx: number, y: number, w: number, b0: number, grad: number): void => {
      k.glmLogisticLossGrad(n, p, x, ldx, y, w, b0, grad);
    },
    glmNormalGrad: (n: number, p: number, x: number, ldx: number, y: number, w: number, b0: number, grad: number): void => {
      k.glmNormalLossGrad(n, p, x, ldx, y, w, b0, grad);
    },
    glmPoissonGrad: (n: number, p: number, x: number, ldx: number, y: number, w: number, b0: number, grad: number): void => {
      k.glmPoissonLossGrad(n, p, x, ldx, y, w, b0, grad);
    },
  };
}
