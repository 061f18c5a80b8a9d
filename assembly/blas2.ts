// BLAS level 2 on row-major matrices with a leading dimension (the distance, in elements,
// between the starts of consecutive rows, >= the column count).
import { ld, st, ldv, stv, row } from "./memory";
import { dotInline, axpyInline, scaleInPlace } from "./blas1";

/**
 * y = alpha * A x + beta * y, A m x n. Four rows at a time share each load of x; when beta is 0
 * y is written without being read (BLAS's rule, so garbage or NaN in y never leaks through).
 */
export function gemv(m: i32, n: i32, alpha: f64, a: usize, lda: i32, x: usize, beta: f64, y: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= m; i += 4) {
      const r0 = row(a, i, lda), r1 = row(a, i + 1, lda), r2 = row(a, i + 2, lda), r3 = row(a, i + 3, lda);
      let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
      let j = 0;
      for (; j + 2 <= n; j += 2) {
        const xv = ldv(x, j);
        a0 = f64x2.add(a0, f64x2.mul(ldv(r0, j), xv));
        a1 = f64x2.add(a1, f64x2.mul(ldv(r1, j), xv));
        a2 = f64x2.add(a2, f64x2.mul(ldv(r2, j), xv));
        a3 = f64x2.add(a3, f64x2.mul(ldv(r3, j), xv));
      }
      let s0 = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
      let s1 = f64x2.extract_lane(a1, 0) + f64x2.extract_lane(a1, 1);
      let s2 = f64x2.extract_lane(a2, 0) + f64x2.extract_lane(a2, 1);
      let s3 = f64x2.extract_lane(a3, 0) + f64x2.extract_lane(a3, 1);
      if (j < n) {
        const xj = ld(x, j);
        s0 += ld(r0, j) * xj;
        s1 += ld(r1, j) * xj;
        s2 += ld(r2, j) * xj;
        s3 += ld(r3, j) * xj;
      }
      if (beta == 0) {
        st(y, i, alpha * s0);
        st(y, i + 1, alpha * s1);
        st(y, i + 2, alpha * s2);
        st(y, i + 3, alpha * s3);
      } else {
        st(y, i, alpha * s0 + beta * ld(y, i));
        st(y, i + 1, alpha * s1 + beta * ld(y, i + 1));
        st(y, i + 2, alpha * s2 + beta * ld(y, i + 2));
        st(y, i + 3, alpha * s3 + beta * ld(y, i + 3));
      }
    }
  }
  for (; i < m; i++) {
    const s = dotInline(n, row(a, i, lda), x);
    st(y, i, beta == 0 ? alpha * s : alpha * s + beta * ld(y, i));
  }
}

/**
 * y = alpha * A^T x + beta * y, A m x n (so x has m entries, y has n). Streams four rows of A
 * at a time into y, so y (which stays in L1 for n up to a few thousand) is read and written
 * once per four rows instead of once per row.
 */
export function gemvT(m: i32, n: i32, alpha: f64, a: usize, lda: i32, x: usize, beta: f64, y: usize): void {
  scaleInPlace(n, beta, y);
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= m; i += 4) {
      const r0 = row(a, i, lda), r1 = row(a, i + 1, lda), r2 = row(a, i + 2, lda), r3 = row(a, i + 3, lda);
      const c0 = alpha * ld(x, i), c1 = alpha * ld(x, i + 1), c2 = alpha * ld(x, i + 2), c3 = alpha * ld(x, i + 3);
      const v0 = f64x2.splat(c0), v1 = f64x2.splat(c1), v2 = f64x2.splat(c2), v3 = f64x2.splat(c3);
      let j = 0;
      for (; j + 2 <= n; j += 2) {
        let acc = f64x2.add(f64x2.mul(v0, ldv(r0, j)), f64x2.mul(v1, ldv(r1, j)));
        acc = f64x2.add(acc, f64x2.add(f64x2.mul(v2, ldv(r2, j)), f64x2.mul(v3, ldv(r3, j))));
        stv(y, j, f64x2.add(ldv(y, j), acc));
      }
      if (j < n) {
        st(y, j, ld(y, j) + ((c0 * ld(r0, j) + c1 * ld(r1, j)) + (c2 * ld(r2, j) + c3 * ld(r3, j))));
      }
    }
  }
  for (; i < m; i++) axpyInline(n, alpha * ld(x, i), row(a, i, lda), y);
}
