// BLAS level 3: gemm (blocked and packed, with a 4 x 4 register micro-kernel) and the weighted
// Gram matrix X^T D X that Newton's method needs. Kernels allocate nothing: gemm packs into a
// caller-provided scratch area of gemmScratchElements() float64s.
import { ld, st, ldv, stv, row } from "./memory";
import { scaleInPlace } from "./blas1";

// Block sizes: a packed MC x KC block of A (128 KiB) stays in L2, one KC x 4 panel of packed B
// (8 KiB) stays in L1 while every 4-row panel of A streams past it.
const MR = 4;
const NR = 4;
const MC = 64;
const KC = 256;
const NC = 512;
const EDGE_TILE = MR * NR;

/** Float64 elements of scratch that gemm needs: packed A, packed B and one edge tile. */
export function gemmScratchElements(): i32 {
  return MC * KC + KC * NC + EDGE_TILE;
}

/** Pack an mc x kc block of A, scaled by alpha, into 4-row panels: panel[p * 4 + r]. */
@inline function packA(mc: i32, kc: i32, a: usize, lda: i32, alpha: f64, ap: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const panel = ap + ((<usize>ir * <usize>kc) << 3);
    for (let r = 0; r < MR; r++) {
      if (ir + r < mc) {
        const src = row(a, ir + r, lda);
        for (let p = 0; p < kc; p++) st(panel, p * MR + r, alpha * ld(src, p));
      } else {
        for (let p = 0; p < kc; p++) st(panel, p * MR + r, 0);
      }
    }
  }
}

/** Pack a kc x nc block of B into 4-column panels: panel[p * 4 + c], zero-padded. */
@inline function packB(kc: i32, nc: i32, b: usize, ldb: i32, bp: usize): void {
  for (let p = 0; p < kc; p++) {
    const src = row(b, p, ldb);
    for (let jr = 0; jr < nc; jr += NR) {
      const dst = bp + (((<usize>jr * <usize>kc) + <usize>(p * NR)) << 3);
      if (jr + NR <= nc) {
        st(dst, 0, ld(src, jr));
        st(dst, 1, ld(src, jr + 1));
        st(dst, 2, ld(src, jr + 2));
        st(dst, 3, ld(src, jr + 3));
      } else {
        for (let c = 0; c < NR; c++) st(dst, c, jr + c < nc ? ld(src, jr + c) : 0);
      }
    }
  }
}

/**
 * C[0:mr, 0:nr] += Ap_panel * Bp_panel over kc. Full tiles add straight into C; edge tiles go
 * through `tile` so that nothing outside the mr x nr corner of C is touched.
 */
@inline function microKernel(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, mr: i32, nr: i32, tile: usize): void {
  const full = mr == MR && nr == NR;
  const out = full ? c : tile;
  const ldo = full ? ldc : NR;
  if (!full) memory.fill(tile, 0, EDGE_TILE << 3);
  if (ASC_FEATURE_SIMD) {
    let c0l = f64x2.splat(0), c0h = f64x2.splat(0), c1l = f64x2.splat(0), c1h = f64x2.splat(0);
    let c2l = f64x2.splat(0), c2h = f64x2.splat(0), c3l = f64x2.splat(0), c3h = f64x2.splat(0);
    for (let p = 0; p < kc; p++) {
      const bq = bp + (<usize>p << 5);
      const aq = ap + (<usize>p << 5);
      const b0 = v128.load(bq), b1 = v128.load(bq, 16);
      const a0 = v128.load64_splat(aq);
      const a1 = v128.load64_splat(aq, 8);
      const a2 = v128.load64_splat(aq, 16);
      const a3 = v128.load64_splat(aq, 24);
      c0l = f64x2.add(c0l, f64x2.mul(a0, b0));
      c0h = f64x2.add(c0h, f64x2.mul(a0, b1));
      c1l = f64x2.add(c1l, f64x2.mul(a1, b0));
      c1h = f64x2.add(c1h, f64x2.mul(a1, b1));
      c2l = f64x2.add(c2l, f64x2.mul(a2, b0));
      c2h = f64x2.add(c2h, f64x2.mul(a2, b1));
      c3l = f64x2.add(c3l, f64x2.mul(a3, b0));
      c3h = f64x2.add(c3h, f64x2.mul(a3, b1));
    }
    const o0 = out, o1 = row(out, 1, ldo), o2 = row(out, 2, ldo), o3 = row(out, 3, ldo);
    stv(o0, 0, f64x2.add(ldv(o0, 0), c0l));
    stv(o0, 2, f64x2.add(ldv(o0, 2), c0h));
    stv(o1, 0, f64x2.add(ldv(o1, 0), c1l));
    stv(o1, 2, f64x2.add(ldv(o1, 2), c1h));
    stv(o2, 0, f64x2.add(ldv(o2, 0), c2l));
    stv(o2, 2, f64x2.add(ldv(o2, 2), c2h));
    stv(o3, 0, f64x2.add(ldv(o3, 0), c3l));
    stv(o3, 2, f64x2.add(ldv(o3, 2), c3h));
  } else {
    let c00: f64 = 0, c01: f64 = 0, c02: f64 = 0, c03: f64 = 0;
    let c10: f64 = 0, c11: f64 = 0, c12: f64 = 0, c13: f64 = 0;
    let c20: f64 = 0, c21: f64 = 0, c22: f64 = 0, c23: f64 = 0;
    let c30: f64 = 0, c31: f64 = 0, c32: f64 = 0, c33: f64 = 0;
    for (let p = 0; p < kc; p++) {
      const bq = bp + (<usize>p << 5);
      const aq = ap + (<usize>p << 5);
      const b0 = ld(bq, 0), b1 = ld(bq, 1), b2 = ld(bq, 2), b3 = ld(bq, 3);
      const a0 = ld(aq, 0), a1 = ld(aq, 1), a2 = ld(aq, 2), a3 = ld(aq, 3);
      c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
      c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
      c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
      c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    }
    const o0 = out, o1 = row(out, 1, ldo), o2 = row(out, 2, ldo), o3 = row(out, 3, ldo);
    st(o0, 0, ld(o0, 0) + c00); st(o0, 1, ld(o0, 1) + c01); st(o0, 2, ld(o0, 2) + c02); st(o0, 3, ld(o0, 3) + c03);
    st(o1, 0, ld(o1, 0) + c10); st(o1, 1, ld(o1, 1) + c11); st(o1, 2, ld(o1, 2) + c12); st(o1, 3, ld(o1, 3) + c13);
    st(o2, 0, ld(o2, 0) + c20); st(o2, 1, ld(o2, 1) + c21); st(o2, 2, ld(o2, 2) + c22); st(o2, 3, ld(o2, 3) + c23);
    st(o3, 0, ld(o3, 0) + c30); st(o3, 1, ld(o3, 1) + c31); st(o3, 2, ld(o3, 2) + c32); st(o3, 3, ld(o3, 3) + c33);
  }
  if (!full) {
    for (let r = 0; r < mr; r++) {
      const crow = row(c, r, ldc);
      for (let q = 0; q < nr; q++) st(crow, q, ld(crow, q) + ld(tile, r * NR + q));
    }
  }
}

/**
 * C = alpha * A B + beta * C with A m x k, B k x n, C m x n, all row-major. `scratch` holds
 * gemmScratchElements() float64s. When beta is 0, C is overwritten without being read.
 */
export function gemm(
  m: i32, n: i32, k: i32, alpha: f64, a: usize, lda: i32, b: usize, ldb: i32,
  beta: f64, c: usize, ldc: i32, scratch: usize,
): void {
  for (let i = 0; i < m; i++) scaleInPlace(n, beta, row(c, i, ldc));
  if (k == 0 || alpha == 0) return;
  const ap = scratch;
  const bp = scratch + (<usize>(MC * KC) << 3);
  const tile = bp + (<usize>(KC * NC) << 3);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packB(kc, nc, row(b, pc, ldb) + (<usize>jc << 3), ldb, bp);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(mc, kc, row(a, ic, lda) + (<usize>pc << 3), lda, alpha, ap);
        for (let jr = 0; jr < nc; jr += NR) {
          const bpanel = bp + ((<usize>jr * <usize>kc) << 3);
          const nr = min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const apanel = ap + ((<usize>ir * <usize>kc) << 3);
            const cTile = row(c, ic + ir, ldc) + (<usize>(jc + jr) << 3);
            microKernel(kc, apanel, bpanel, cTile, ldc, min(MR, mc - ir), nr, tile);
          }
        }
      }
    }
  }
}

/**
 * Upper triangle of C += sum over rows i of X of d_i x_i x_i^T, four rows at a time so that
 * each entry of C is read and written once per four rows. `weighted` is a compile-time choice.
 */
@inline function gramUpper(m: i32, n: i32, x: usize, ldx: i32, d: usize, weighted: bool, c: usize, ldc: i32): void {
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const r0 = row(x, i, ldx), r1 = row(x, i + 1, ldx), r2 = row(x, i + 2, ldx), r3 = row(x, i + 3, ldx);
    const w0 = weighted ? ld(d, i) : 1.0;
    const w1 = weighted ? ld(d, i + 1) : 1.0;
    const w2 = weighted ? ld(d, i + 2) : 1.0;
    const w3 = weighted ? ld(d, i + 3) : 1.0;
    for (let j = 0; j < n; j++) {
      const k0 = w0 * ld(r0, j), k1 = w1 * ld(r1, j), k2 = w2 * ld(r2, j), k3 = w3 * ld(r3, j);
      const crow = row(c, j, ldc);
      let q = j;
      if (ASC_FEATURE_SIMD) {
        const v0 = f64x2.splat(k0), v1 = f64x2.splat(k1), v2 = f64x2.splat(k2), v3 = f64x2.splat(k3);
        for (; q + 2 <= n; q += 2) {
          let acc = f64x2.add(f64x2.mul(v0, ldv(r0, q)), f64x2.mul(v1, ldv(r1, q)));
          acc = f64x2.add(acc, f64x2.add(f64x2.mul(v2, ldv(r2, q)), f64x2.mul(v3, ldv(r3, q))));
          stv(crow, q, f64x2.add(ldv(crow, q), acc));
        }
      }
      for (; q < n; q++) {
        st(crow, q, ld(crow, q) + ((k0 * ld(r0, q) + k1 * ld(r1, q)) + (k2 * ld(r2, q) + k3 * ld(r3, q))));
      }
    }
  }
  for (; i < m; i++) {
    const r0 = row(x, i, ldx);
    const w0 = weighted ? ld(d, i) : 1.0;
    for (let j = 0; j < n; j++) {
      const k0 = w0 * ld(r0, j);
      const crow = row(c, j, ldc);
      for (let q = j; q < n; q++) st(crow, q, ld(crow, q) + k0 * ld(r0, q));
    }
  }
}

/** Copy the upper triangle of the n x n matrix C onto its lower triangle. */
@inline function mirrorUpper(n: i32, c: usize, ldc: i32): void {
  for (let j = 0; j < n; j++) {
    const crow = row(c, j, ldc);
    for (let q = j + 1; q < n; q++) st(row(c, q, ldc), j, ld(crow, q));
  }
}

/**
 * C = X^T X + beta * C, X m x n, C n x n symmetric. Only the upper triangle of the incoming C
 * is read; the result is written to both triangles.
 */
export function gram(m: i32, n: i32, x: usize, ldx: i32, beta: f64, c: usize, ldc: i32): void {
  for (let j = 0; j < n; j++) scaleInPlace(n, beta, row(c, j, ldc));
  gramUpper(m, n, x, ldx, 0, false, c, ldc);
  mirrorUpper(n, c, ldc);
}

/** C = X^T diag(d) X + beta * C: the Hessian X^T W X of a GLM. Same conventions as gram. */
export function gramWeighted(m: i32, n: i32, x: usize, ldx: i32, d: usize, beta: f64, c: usize, ldc: i32): void {
  for (let j = 0; j < n; j++) scaleInPlace(n, beta, row(c, j, ldc));
  gramUpper(m, n, x, ldx, d, true, c, ldc);
  mirrorUpper(n, c, ldc);
}
