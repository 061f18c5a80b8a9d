// BLAS level 2 on row-major matrices with a leading dimension (the distance, in elements,
// between the starts of consecutive rows, >= the column count).
import { ld, st, row } from "./memory";
import { dotInline, axpyInline, scaleInPlace } from "./blas1";

/**
 * y = alpha * A x + beta * y, A m x n; when beta is 0 y is written without being read (BLAS's
 * rule, so garbage or NaN in y never leaks through). One row at a time: measured here, a row's
 * dot with four accumulators streams at ~90% of the memory bandwidth, while loops that read
 * two or four rows side by side ran at half that.
 */
export function gemv(m: i32, n: i32, alpha: f64, a: usize, lda: i32, x: usize, beta: f64, y: usize): void {
  for (let i = 0; i < m; i++) {
    const s = alpha * dotInline(n, row(a, i, lda), x);
    st(y, i, beta == 0 ? s : s + beta * ld(y, i));
  }
}

/**
 * y = alpha * A^T x + beta * y, A m x n (so x has m entries, y has n): one axpy per row of A
 * into y, which stays in L1 for n up to a few thousand (same measurement as gemv).
 */
export function gemvT(m: i32, n: i32, alpha: f64, a: usize, lda: i32, x: usize, beta: f64, y: usize): void {
  scaleInPlace(n, beta, y);
  for (let i = 0; i < m; i++) axpyInline(n, alpha * ld(x, i), row(a, i, lda), y);
}
