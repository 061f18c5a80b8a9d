// Reductions: sum, sum of squares, min and max of a vector; row sums and column sums of a
// row-major matrix. Empty inputs give the identity of the reduction (0, +inf, -inf); NaN
// propagates through min and max like Math.min and Math.max.
import { ld, st, ldv, stv, row } from "./memory";
import { sumInline, SUM, SQUARES } from "./blas1";

export function sum(n: i32, x: usize): f64 {
  return sumInline(SUM, n, x);
}

export function sumSquares(n: i32, x: usize): f64 {
  return sumInline(SQUARES, n, x);
}

export function min_(n: i32, x: usize): f64 {
  let i = 0;
  let m: f64 = Infinity;
  if (ASC_FEATURE_SIMD) {
    let a0 = f64x2.splat(Infinity), a1 = f64x2.splat(Infinity);
    for (; i + 4 <= n; i += 4) {
      a0 = f64x2.min(a0, ldv(x, i));
      a1 = f64x2.min(a1, ldv(x, i + 2));
    }
    for (; i + 2 <= n; i += 2) a0 = f64x2.min(a0, ldv(x, i));
    const a = f64x2.min(a0, a1);
    m = min(f64x2.extract_lane(a, 0), f64x2.extract_lane(a, 1));
  }
  for (; i < n; i++) m = min(m, ld(x, i));
  return m;
}

export function max_(n: i32, x: usize): f64 {
  let i = 0;
  let m: f64 = -Infinity;
  if (ASC_FEATURE_SIMD) {
    let a0 = f64x2.splat(-Infinity), a1 = f64x2.splat(-Infinity);
    for (; i + 4 <= n; i += 4) {
      a0 = f64x2.max(a0, ldv(x, i));
      a1 = f64x2.max(a1, ldv(x, i + 2));
    }
    for (; i + 2 <= n; i += 2) a0 = f64x2.max(a0, ldv(x, i));
    const a = f64x2.max(a0, a1);
    m = max(f64x2.extract_lane(a, 0), f64x2.extract_lane(a, 1));
  }
  for (; i < n; i++) m = max(m, ld(x, i));
  return m;
}

/** out[i] = sum_j A[i, j] for A m x n. */
export function rowSums(m: i32, n: i32, a: usize, lda: i32, out: usize): void {
  for (let i = 0; i < m; i++) st(out, i, sumInline(SUM, n, row(a, i, lda)));
}

/** out[j] = sum_i A[i, j] for A m x n: rows stream into out, which stays in cache. */
export function colSums(m: i32, n: i32, a: usize, lda: i32, out: usize): void {
  memory.fill(out, 0, <usize>n << 3);
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= m; i += 4) {
      const r0 = row(a, i, lda), r1 = row(a, i + 1, lda), r2 = row(a, i + 2, lda), r3 = row(a, i + 3, lda);
      let j = 0;
      for (; j + 2 <= n; j += 2) {
        const s = f64x2.add(f64x2.add(ldv(r0, j), ldv(r1, j)), f64x2.add(ldv(r2, j), ldv(r3, j)));
        stv(out, j, f64x2.add(ldv(out, j), s));
      }
      if (j < n) st(out, j, ld(out, j) + ((ld(r0, j) + ld(r1, j)) + (ld(r2, j) + ld(r3, j))));
    }
  }
  for (; i < m; i++) {
    const r = row(a, i, lda);
    for (let j = 0; j < n; j++) st(out, j, ld(out, j) + ld(r, j));
  }
}
