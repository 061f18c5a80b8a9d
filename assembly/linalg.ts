// Dense symmetric positive definite solves for Newton's method: Cholesky factorization,
// triangular solves and their composition. Row-major throughout; every inner loop is a dot or
// an axpy over a contiguous row segment, so it runs on the SIMD BLAS 1 kernels.
import { ld, st, row } from "./memory";
import { dotInline, axpyInline } from "./blas1";

/**
 * In-place Cholesky A = L L^T of the n x n SPD matrix A: the lower triangle (diagonal included)
 * is overwritten with L; the strict upper triangle is neither read nor written. Returns 0 on
 * success, or j + 1 (j >= 0) when the leading minor of order j + 1 is not positive definite
 * (LAPACK's info), leaving A partly overwritten.
 */
export function cholesky(n: i32, a: usize, lda: i32): i32 {
  for (let j = 0; j < n; j++) {
    const rj = row(a, j, lda);
    const d = ld(rj, j) - dotInline(j, rj, rj);
    if (!(d > 0)) return j + 1; // also catches NaN
    const ljj = sqrt(d);
    st(rj, j, ljj);
    for (let i = j + 1; i < n; i++) {
      const ri = row(a, i, lda);
      st(ri, j, (ld(ri, j) - dotInline(j, ri, rj)) / ljj);
    }
  }
  return 0;
}

/**
 * Solve op(T) x = b in place (x holds b on entry), T the lower (lower = 1) or upper (lower = 0)
 * triangle of the n x n matrix A, op(T) = T or T^T (transpose = 1). Non-unit diagonal.
 */
export function trsv(n: i32, a: usize, lda: i32, x: usize, lower: i32, transpose: i32): void {
  if (lower != 0 && transpose == 0) {
    for (let i = 0; i < n; i++) {
      const ri = row(a, i, lda);
      st(x, i, (ld(x, i) - dotInline(i, ri, x)) / ld(ri, i));
    }
  } else if (lower != 0) {
    // L^T x = b: x_i is final once the rows below have been eliminated; then remove it from
    // the rows above with an axpy over row i of L.
    for (let i = n - 1; i >= 0; i--) {
      const ri = row(a, i, lda);
      const xi = ld(x, i) / ld(ri, i);
      st(x, i, xi);
      axpyInline(i, -xi, ri, x);
    }
  } else if (transpose == 0) {
    for (let i = n - 1; i >= 0; i--) {
      const ri = row(a, i, lda);
      const tail = <usize>(i + 1) << 3;
      st(x, i, (ld(x, i) - dotInline(n - i - 1, ri + tail, x + tail)) / ld(ri, i));
    }
  } else {
    for (let i = 0; i < n; i++) {
      const ri = row(a, i, lda);
      const xi = ld(x, i) / ld(ri, i);
      st(x, i, xi);
      const tail = <usize>(i + 1) << 3;
      axpyInline(n - i - 1, -xi, ri + tail, x + tail);
    }
  }
}

/**
 * Solve A x = b for SPD A: factor A in place (as cholesky) and overwrite b with x. Returns
 * cholesky's info; on failure b is left unchanged.
 */
export function spdSolve(n: i32, a: usize, lda: i32, b: usize): i32 {
  const info = cholesky(n, a, lda);
  if (info != 0) return info;
  trsv(n, a, lda, b, 1, 0);
  trsv(n, a, lda, b, 1, 1);
  return 0;
}
