// Fused GLM kernels: one pass over a row block X (n x p) computes eta = X w + b0, the family's
// mean and loss, and the gradient X^T (mu - y), without materializing eta or mu.
//
// Three row strategies, chosen by p (measured on the development machines, see bench/README.md):
// - narrow rows (p <= NARROW_P): four rows at a time (eight for p <= VERY_NARROW_P, as wide
//   rows are taken). Four dots, one row each (a row's dot streams best alone), the link
//   function on two SIMD vectors of etas (so a row of 16 values is not bound by a scalar exp),
//   then one pass that folds the four rows, scaled by their residuals, into the gradient,
//   loading and storing each gradient entry once per four rows.
// - medium rows (NARROW_P < p < WIDE_P): one row at a time, a dot that pulls the row into L1 and
//   an axpy that re-reads it there; the scalar link is cheap next to a long row, and folding
//   several rows at once measured slower at these widths.
// - wide rows (p >= WIDE_P, SIMD build): eight rows at a time, eight dots back to back (a long
//   run of sequential reads, which this machine's prefetchers stream best), then two four-row
//   folds from cache, which load X once and the gradient once per four rows instead of the
//   axpy's gradient load and store per row: 39-45% -> 48-55% of the streaming bandwidth at
//   p = 1024, 32-36% -> 50-56% at p = 1500 (one thread; 768 measured even).
//
// What bounds all of them: the residual of a row needs its whole dot, so the gradient reads each
// row a second time (from L1), and this core retires about two 16-byte loads a cycle: with the
// dot's loads of w, a fused pass costs 3.25 loads per 16 bytes of X against the stream's one.
// Even with X resident in L2 the logistic kernel reads X at about 21 GB/s and the identity link
// at 27, half and 70% of one core's DRAM stream (`weft bench kernels`, the "in cache" rows).
//
// Losses (summed over rows, constants in y dropped):
//   logistic: log(1 + exp(eta)) - y eta        mu = sigmoid(eta)   weight mu (1 - mu)
//   normal:   (eta - y)^2 / 2                  mu = eta            weight 1
//   poisson:  exp(eta) - y eta                 mu = exp(eta)       weight mu
// The Grad kernels skip the loss (a gradient step on arrays, X^T (mu - y), needs none).
// The gradient output has p + 1 entries: d/dw_j for j < p, then d/db0 = sum_i (mu_i - y_i).
// The Weighted kernels read one sample weight s_i per row (fit's sampleWeight): each row's loss
// and residual are multiplied by it, so they return sum_i s_i loss_i and X^T (s * (mu - y)).
// They are the same inlined loops with `weighted` a constant: the unweighted kernels compile to
// exactly what they were, and a weight of 1 gives the unweighted kernel's numbers.
import { ld, st, ldv, stv, row, hsum } from "./memory";
import { dotInline, axpyInline } from "./blas1";
import { expS, expV, expNonPosS, expNonPosV, log1pUnitS, log1pUnitV } from "./math";

const LOGISTIC = 0;
const NORMAL = 1;
const POISSON = 2;
const NARROW_P = 128;
const VERY_NARROW_P = 16;
const WIDE_P = 1024;

// t is the family's one transcendental: exp(-|eta|) for logistic, exp(eta) for poisson.
@inline function tS(family: i32, eta: f64): f64 {
  if (family == LOGISTIC) return expNonPosS(-abs(eta));
  if (family == POISSON) return expS(eta);
  return 0;
}

@inline function lossS(family: i32, eta: f64, y: f64, t: f64): f64 {
  if (family == LOGISTIC) return max(eta, 0.0) + log1pUnitS(t) - y * eta;
  if (family == POISSON) return t - y * eta;
  const r = eta - y;
  return 0.5 * r * r;
}

@inline function residualS(family: i32, eta: f64, y: f64, t: f64): f64 {
  if (family == LOGISTIC) {
    const inv = 1.0 / (1.0 + t);
    return select<f64>(inv, t * inv, eta >= 0) - y; // no branch on eta's sign, which is random in real data
  }
  if (family == POISSON) return t - y;
  return eta - y;
}

@inline function weightS(family: i32, t: f64): f64 {
  if (family == LOGISTIC) {
    const inv = 1.0 / (1.0 + t);
    return t * inv * inv; // mu (1 - mu), symmetric in eta and exact in both tails
  }
  if (family == POISSON) return t;
  return 1.0;
}

@inline function tV(family: i32, eta: v128): v128 {
  if (family == LOGISTIC) return expNonPosV(f64x2.neg(f64x2.abs(eta)));
  if (family == POISSON) return expV(eta);
  return f64x2.splat(0);
}

@inline function lossV(family: i32, eta: v128, y: v128, t: v128): v128 {
  if (family == LOGISTIC) {
    return f64x2.sub(f64x2.add(f64x2.pmax(eta, f64x2.splat(0.0)), log1pUnitV(t)), f64x2.mul(y, eta));
  }
  if (family == POISSON) return f64x2.sub(t, f64x2.mul(y, eta));
  const r = f64x2.sub(eta, y);
  return f64x2.mul(f64x2.splat(0.5), f64x2.mul(r, r));
}

@inline function residualV(family: i32, eta: v128, y: v128, t: v128): v128 {
  if (family == LOGISTIC) {
    const inv = f64x2.div(f64x2.splat(1.0), f64x2.add(f64x2.splat(1.0), t));
    const mu = v128.bitselect(inv, f64x2.mul(t, inv), f64x2.ge(eta, f64x2.splat(0.0)));
    return f64x2.sub(mu, y);
  }
  if (family == POISSON) return f64x2.sub(t, y);
  return f64x2.sub(eta, y);
}

@inline function weightV(family: i32, t: v128): v128 {
  if (family == LOGISTIC) {
    const inv = f64x2.div(f64x2.splat(1.0), f64x2.add(f64x2.splat(1.0), t));
    return f64x2.mul(f64x2.mul(t, inv), inv);
  }
  if (family == POISSON) return t;
  return f64x2.splat(1.0);
}

@inline function pair(a: f64, b: f64): v128 {
  return f64x2.replace_lane(f64x2.splat(a), 1, b);
}

// A row's sample weight and a value times it, when the kernel is weighted (a constant after
// inlining: the unweighted kernels read no weight and multiply by nothing).
@inline function swS(weighted: bool, sw: usize, i: i32): f64 {
  return weighted ? ld(sw, i) : 1.0;
}
@inline function byS(weighted: bool, v: f64, s: f64): f64 {
  return weighted ? v * s : v;
}
@inline function swV(weighted: bool, sw: usize, i: i32): v128 {
  return weighted ? ldv(sw, i) : f64x2.splat(1.0);
}
@inline function byV(weighted: bool, v: v128, s: v128): v128 {
  return weighted ? f64x2.mul(v, s) : v;
}

/** grad[0:p] += c0 r0 + c1 r1 + c2 r2 + c3 r3: four rows folded into the gradient at once. */
@inline function foldFourRows(p: i32, grad: usize, r0: usize, r1: usize, r2: usize, r3: usize,
                              c0: f64, c1: f64, c2: f64, c3: f64): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const v0 = f64x2.splat(c0), v1 = f64x2.splat(c1), v2 = f64x2.splat(c2), v3 = f64x2.splat(c3);
    for (; j + 4 <= p; j += 4) {
      const off = <usize>j << 3;
      const q = grad + off, p0 = r0 + off, p1 = r1 + off, p2 = r2 + off, p3 = r3 + off;
      let lo = f64x2.add(f64x2.mul(v0, v128.load(p0)), f64x2.mul(v1, v128.load(p1)));
      lo = f64x2.add(lo, f64x2.add(f64x2.mul(v2, v128.load(p2)), f64x2.mul(v3, v128.load(p3))));
      let hi = f64x2.add(f64x2.mul(v0, v128.load(p0, 16)), f64x2.mul(v1, v128.load(p1, 16)));
      hi = f64x2.add(hi, f64x2.add(f64x2.mul(v2, v128.load(p2, 16)), f64x2.mul(v3, v128.load(p3, 16))));
      v128.store(q, f64x2.add(v128.load(q), lo));
      v128.store(q, f64x2.add(v128.load(q, 16), hi), 16);
    }
    for (; j + 2 <= p; j += 2) {
      const off = <usize>j << 3;
      const q = grad + off;
      let lo = f64x2.add(f64x2.mul(v0, v128.load(r0 + off)), f64x2.mul(v1, v128.load(r1 + off)));
      lo = f64x2.add(lo, f64x2.add(f64x2.mul(v2, v128.load(r2 + off)), f64x2.mul(v3, v128.load(r3 + off))));
      v128.store(q, f64x2.add(v128.load(q), lo));
    }
  }
  for (; j < p; j++) {
    st(grad, j, ld(grad, j) + ((c0 * ld(r0, j) + c1 * ld(r1, j)) + (c2 * ld(r2, j) + c3 * ld(r3, j))));
  }
}

// wantLoss false: the gradient alone (X^T (mu - y) needs only the mean, not the loss's log1p)
// weighted: row i's loss and residual times sw[i] (sw is read only then)
@inline function lossGrad(family: i32, wantGrad: bool, n: i32, p: i32, x: usize, ldx: i32,
                          y: usize, w: usize, b0: f64, grad: usize, wantLoss: bool = true,
                          weighted: bool = false, sw: usize = 0): f64 {
  if (wantGrad) memory.fill(grad, 0, <usize>(p + 1) << 3);
  let loss: f64 = 0;
  let rsum: f64 = 0;
  let i = 0;
  // eight rows at a time: very narrow rows (four independent chains of the link's exp keep the
  // core busy: p = 10, logistic gradient alone, 14 -> 12 ns a row in cache; p = 100 measured
  // even, so it keeps the four-row path) and wide rows (see the top of the file)
  if (ASC_FEATURE_SIMD) if (p <= VERY_NARROW_P || p >= WIDE_P) {
    let lossAcc = f64x2.splat(0);
    let rsumAcc = f64x2.splat(0);
    for (; i + 8 <= n; i += 8) {
      const r0 = row(x, i, ldx), r1 = row(x, i + 1, ldx), r2 = row(x, i + 2, ldx), r3 = row(x, i + 3, ldx);
      const r4 = row(x, i + 4, ldx), r5 = row(x, i + 5, ldx), r6 = row(x, i + 6, ldx), r7 = row(x, i + 7, ldx);
      const e01 = pair(dotInline(p, r0, w) + b0, dotInline(p, r1, w) + b0);
      const e23 = pair(dotInline(p, r2, w) + b0, dotInline(p, r3, w) + b0);
      const e45 = pair(dotInline(p, r4, w) + b0, dotInline(p, r5, w) + b0);
      const e67 = pair(dotInline(p, r6, w) + b0, dotInline(p, r7, w) + b0);
      const y01 = ldv(y, i), y23 = ldv(y, i + 2), y45 = ldv(y, i + 4), y67 = ldv(y, i + 6);
      const t01 = tV(family, e01), t23 = tV(family, e23), t45 = tV(family, e45), t67 = tV(family, e67);
      const s01 = swV(weighted, sw, i), s23 = swV(weighted, sw, i + 2), s45 = swV(weighted, sw, i + 4), s67 = swV(weighted, sw, i + 6);
      if (wantLoss) lossAcc = f64x2.add(lossAcc, f64x2.add(
        f64x2.add(byV(weighted, lossV(family, e01, y01, t01), s01), byV(weighted, lossV(family, e23, y23, t23), s23)),
        f64x2.add(byV(weighted, lossV(family, e45, y45, t45), s45), byV(weighted, lossV(family, e67, y67, t67), s67))));
      if (wantGrad) {
        const c01 = byV(weighted, residualV(family, e01, y01, t01), s01), c23 = byV(weighted, residualV(family, e23, y23, t23), s23);
        const c45 = byV(weighted, residualV(family, e45, y45, t45), s45), c67 = byV(weighted, residualV(family, e67, y67, t67), s67);
        rsumAcc = f64x2.add(rsumAcc, f64x2.add(f64x2.add(c01, c23), f64x2.add(c45, c67)));
        foldFourRows(p, grad, r0, r1, r2, r3,
          f64x2.extract_lane(c01, 0), f64x2.extract_lane(c01, 1), f64x2.extract_lane(c23, 0), f64x2.extract_lane(c23, 1));
        foldFourRows(p, grad, r4, r5, r6, r7,
          f64x2.extract_lane(c45, 0), f64x2.extract_lane(c45, 1), f64x2.extract_lane(c67, 0), f64x2.extract_lane(c67, 1));
      }
    }
    loss += hsum(lossAcc);
    rsum += hsum(rsumAcc);
  }
  if (p <= NARROW_P) {
    if (ASC_FEATURE_SIMD) {
      let lossAcc = f64x2.splat(0);
      let rsumAcc = f64x2.splat(0);
      for (; i + 4 <= n; i += 4) {
        const r0 = row(x, i, ldx), r1 = row(x, i + 1, ldx), r2 = row(x, i + 2, ldx), r3 = row(x, i + 3, ldx);
        const eta01 = pair(dotInline(p, r0, w) + b0, dotInline(p, r1, w) + b0);
        const eta23 = pair(dotInline(p, r2, w) + b0, dotInline(p, r3, w) + b0);
        const y01 = ldv(y, i), y23 = ldv(y, i + 2);
        const t01 = tV(family, eta01), t23 = tV(family, eta23);
        const s01 = swV(weighted, sw, i), s23 = swV(weighted, sw, i + 2);
        if (wantLoss) lossAcc = f64x2.add(lossAcc, f64x2.add(byV(weighted, lossV(family, eta01, y01, t01), s01), byV(weighted, lossV(family, eta23, y23, t23), s23)));
        if (wantGrad) {
          const res01 = byV(weighted, residualV(family, eta01, y01, t01), s01);
          const res23 = byV(weighted, residualV(family, eta23, y23, t23), s23);
          rsumAcc = f64x2.add(rsumAcc, f64x2.add(res01, res23));
          foldFourRows(p, grad, r0, r1, r2, r3,
            f64x2.extract_lane(res01, 0), f64x2.extract_lane(res01, 1),
            f64x2.extract_lane(res23, 0), f64x2.extract_lane(res23, 1));
        }
      }
      loss += hsum(lossAcc);
      rsum += hsum(rsumAcc);
    } else {
      for (; i + 4 <= n; i += 4) {
        const r0 = row(x, i, ldx), r1 = row(x, i + 1, ldx), r2 = row(x, i + 2, ldx), r3 = row(x, i + 3, ldx);
        const e0 = dotInline(p, r0, w) + b0, e1 = dotInline(p, r1, w) + b0;
        const e2 = dotInline(p, r2, w) + b0, e3 = dotInline(p, r3, w) + b0;
        const y0 = ld(y, i), y1 = ld(y, i + 1), y2 = ld(y, i + 2), y3 = ld(y, i + 3);
        const t0 = tS(family, e0), t1 = tS(family, e1), t2 = tS(family, e2), t3 = tS(family, e3);
        const s0 = swS(weighted, sw, i), s1 = swS(weighted, sw, i + 1), s2 = swS(weighted, sw, i + 2), s3 = swS(weighted, sw, i + 3);
        if (wantLoss) loss += (byS(weighted, lossS(family, e0, y0, t0), s0) + byS(weighted, lossS(family, e1, y1, t1), s1))
          + (byS(weighted, lossS(family, e2, y2, t2), s2) + byS(weighted, lossS(family, e3, y3, t3), s3));
        if (wantGrad) {
          const c0 = byS(weighted, residualS(family, e0, y0, t0), s0), c1 = byS(weighted, residualS(family, e1, y1, t1), s1);
          const c2 = byS(weighted, residualS(family, e2, y2, t2), s2), c3 = byS(weighted, residualS(family, e3, y3, t3), s3);
          rsum += (c0 + c1) + (c2 + c3);
          foldFourRows(p, grad, r0, r1, r2, r3, c0, c1, c2, c3);
        }
      }
    }
  }
  // medium rows, and the last rows of a blocked path, one at a time
  for (; i < n; i++) {
    const ri = row(x, i, ldx);
    const eta = dotInline(p, ri, w) + b0;
    const yi = ld(y, i);
    const t = tS(family, eta);
    const si = swS(weighted, sw, i);
    if (wantLoss) loss += byS(weighted, lossS(family, eta, yi, t), si);
    if (wantGrad) {
      const c = byS(weighted, residualS(family, eta, yi, t), si);
      rsum += c;
      axpyInline(p, c, ri, grad);
    }
  }
  if (wantGrad) st(grad, p, rsum);
  return loss;
}

@inline function weights(family: i32, n: i32, p: i32, x: usize, ldx: i32, w: usize, b0: f64, d: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 2 <= n; i += 2) {
      const eta = pair(dotInline(p, row(x, i, ldx), w) + b0, dotInline(p, row(x, i + 1, ldx), w) + b0);
      stv(d, i, weightV(family, tV(family, eta)));
    }
  }
  for (; i < n; i++) {
    const eta = dotInline(p, row(x, i, ldx), w) + b0;
    st(d, i, weightS(family, tS(family, eta)));
  }
}

export function glmLogisticLossGrad(n: i32, p: i32, x: usize, ldx: i32, y: usize, w: usize, b0: f64, grad: usize): f64 {
  return lossGrad(LOGISTIC, true, n, p, x, ldx, y, w, b0, grad);
}
export function glmNormalLossGrad(n: i32, p: i32, x: usize, ldx: i32, y: usize, w: usize, b0: f64, grad: usize): f64 {
  return lossGrad(NORMAL, true, n, p, x, ldx, y, w, b0, grad);
}
export function glmPoissonLossGrad(n: i32, p: i32, x: usize, ldx: i32, y: usize, w: usize, b0: f64, grad: usize): f64 {
  return lossGrad(POISSON, true, n, p, x, ldx, y, w, b0, grad);
}

export function glmLogisticGrad(n: i32, p: i32, x: usize, ldx: i32, y: usize, w: usize, b0: f64, grad: usize): void {
  lossGrad(LOGISTIC, true, n, p, x, ldx, y, w, b0, grad, false);
}
export function glmNormalGrad(n: i32, p: i32, x: usize, ldx: i32, y: usize, w: usize, b0: f64, grad: usize): void {
  lossGrad(NORMAL, true, n, p, x, ldx, y, w, b0, grad, false);
}
export function glmPoissonGrad(n: i32, p: i32, x: usize, ldx: i32, y: usize, w: usize, b0: f64, grad: usize): void {
  lossGrad(POISSON, true, n, p, x, ldx, y, w, b0, grad, false);
}

export function glmLogisticLoss(n: i32, p: i32, x: usize, ldx: i32, y: usize, w: usize, b0: f64): f64 {
  return lossGrad(LOGISTIC, false, n, p, x, ldx, y, w, b0, 0);
}
export function glmNormalLoss(n: i32, p: i32, x: usize, ldx: i32, y: usize, w: usize, b0: f64): f64 {
  return lossGrad(NORMAL, false, n, p, x, ldx, y, w, b0, 0);
}
export function glmPoissonLoss(n: i32, p: i32, x: usize, ldx: i32, y: usize, w: usize, b0: f64): f64 {
  return lossGrad(POISSON, false, n, p, x, ldx, y, w, b0, 0);
}

export function glmLogisticLossGradWeighted(n: i32, p: i32, x: usize, ldx: i32, y: usize, sw: usize, w: usize, b0: f64, grad: usize): f64 {
  return lossGrad(LOGISTIC, true, n, p, x, ldx, y, w, b0, grad, true, true, sw);
}
export function glmNormalLossGradWeighted(n: i32, p: i32, x: usize, ldx: i32, y: usize, sw: usize, w: usize, b0: f64, grad: usize): f64 {
  return lossGrad(NORMAL, true, n, p, x, ldx, y, w, b0, grad, true, true, sw);
}
export function glmPoissonLossGradWeighted(n: i32, p: i32, x: usize, ldx: i32, y: usize, sw: usize, w: usize, b0: f64, grad: usize): f64 {
  return lossGrad(POISSON, true, n, p, x, ldx, y, w, b0, grad, true, true, sw);
}

export function glmLogisticLossWeighted(n: i32, p: i32, x: usize, ldx: i32, y: usize, sw: usize, w: usize, b0: f64): f64 {
  return lossGrad(LOGISTIC, false, n, p, x, ldx, y, w, b0, 0, true, true, sw);
}
export function glmNormalLossWeighted(n: i32, p: i32, x: usize, ldx: i32, y: usize, sw: usize, w: usize, b0: f64): f64 {
  return lossGrad(NORMAL, false, n, p, x, ldx, y, w, b0, 0, true, true, sw);
}
export function glmPoissonLossWeighted(n: i32, p: i32, x: usize, ldx: i32, y: usize, sw: usize, w: usize, b0: f64): f64 {
  return lossGrad(POISSON, false, n, p, x, ldx, y, w, b0, 0, true, true, sw);
}

export function glmLogisticWeights(n: i32, p: i32, x: usize, ldx: i32, w: usize, b0: f64, d: usize): void {
  weights(LOGISTIC, n, p, x, ldx, w, b0, d);
}
export function glmNormalWeights(n: i32, p: i32, x: usize, ldx: i32, w: usize, b0: f64, d: usize): void {
  weights(NORMAL, n, p, x, ldx, w, b0, d);
}
export function glmPoissonWeights(n: i32, p: i32, x: usize, ldx: i32, w: usize, b0: f64, d: usize): void {
  weights(POISSON, n, p, x, ldx, w, b0, d);
}
