// Reductions: sum, sum of squares, min and max of a vector (of float64, or of float32 storage);
// row sums, column sums, row minima and maxima of a row-major matrix. Empty inputs give the
// identity of the reduction (0, +inf, -inf); NaN propagates through min and max like Math.min
// and Math.max.
import { ld, st, ldv, stv, row } from "./memory";
import { sumInline, SUM, SQUARES } from "./blas1";

export function sum(n: i32, x: usize): f64 {
  return sumInline(SUM, n, x);
}

export function sumSquares(n: i32, x: usize): f64 {
  return sumInline(SQUARES, n, x);
}

/**
 * The least (isMax false) or greatest of n values of type T (f64, or f32 storage), with
 * Math.min/Math.max's semantics. The SIMD loop uses pmin/pmax, one instruction each on x86, over
 * four vectors a step (8 float64s or 16 float32s; float32 compares exactly as stored), and tracks
 * NaN and the sign of zero on the side: f64x2.min/max are about eight instructions each in a
 * dependent chain, which made max 2.7x slower than sum over the same data.
 */
@inline function extremeInline<T>(isMax: bool, n: i32, x: usize): f64 {
  const f32 = sizeof<T>() == 4;
  let i = 0;
  let m: f64 = isMax ? -Infinity : Infinity;
  if (ASC_FEATURE_SIMD) {
    let a0 = f32 ? f32x4.splat(<f32>m) : f64x2.splat(m), a1 = a0, a2 = a0, a3 = a0;
    // lanes that saw a NaN, and lanes that saw the zero that wins a tie (+0 for max, -0 for min)
    let nan = i64x2.splat(0), zero = i64x2.splat(0);
    const zeroBits = f32 ? i32x4.splat(isMax ? 0 : i32.MIN_VALUE) : i64x2.splat(isMax ? 0 : i64.MIN_VALUE);
    const step = 64 / <i32>sizeof<T>();
    for (; i + step <= n; i += step) {
      const p = x + <usize>i * sizeof<T>();
      const v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
      a0 = lanesExtreme<T>(isMax, a0, v0); a1 = lanesExtreme<T>(isMax, a1, v1);
      a2 = lanesExtreme<T>(isMax, a2, v2); a3 = lanesExtreme<T>(isMax, a3, v3);
      nan = v128.or(nan, v128.or(v128.or(lanesNaN<T>(v0), lanesNaN<T>(v1)), v128.or(lanesNaN<T>(v2), lanesNaN<T>(v3))));
      zero = v128.or(zero, v128.or(v128.or(lanesEq<T>(v0, zeroBits), lanesEq<T>(v1, zeroBits)), v128.or(lanesEq<T>(v2, zeroBits), lanesEq<T>(v3, zeroBits))));
    }
    const a = lanesExtreme<T>(isMax, lanesExtreme<T>(isMax, a0, a1), lanesExtreme<T>(isMax, a2, a3));
    if (f32) {
      const l0 = <f64>f32x4.extract_lane(a, 0), l1 = <f64>f32x4.extract_lane(a, 1);
      const l2 = <f64>f32x4.extract_lane(a, 2), l3 = <f64>f32x4.extract_lane(a, 3);
      m = isMax ? max(max(l0, l1), max(l2, l3)) : min(min(l0, l1), min(l2, l3));
    } else {
      m = isMax ? max(f64x2.extract_lane(a, 0), f64x2.extract_lane(a, 1)) : min(f64x2.extract_lane(a, 0), f64x2.extract_lane(a, 1));
    }
    if (v128.any_true(nan)) return NaN;
    m = settleZero(isMax, m, zero);
  }
  for (; i < n; i++) {
    const v = <f64>load<T>(x + <usize>i * sizeof<T>());
    m = isMax ? max(m, v) : min(m, v);
  }
  return m;
}

// pmax/pmin, the NaN test and bitwise equality on the lanes of T (two f64 or four f32)
@inline function lanesExtreme<T>(isMax: bool, a: v128, b: v128): v128 {
  if (sizeof<T>() == 4) return isMax ? f32x4.pmax(a, b) : f32x4.pmin(a, b);
  return isMax ? f64x2.pmax(a, b) : f64x2.pmin(a, b);
}

@inline function lanesNaN<T>(v: v128): v128 {
  return sizeof<T>() == 4 ? f32x4.ne(v, v) : f64x2.ne(v, v);
}

@inline function lanesEq<T>(v: v128, bits: v128): v128 {
  return sizeof<T>() == 4 ? i32x4.eq(v, bits) : i64x2.eq(v, bits);
}

/**
 * A tie between +0 and -0 went to whichever came first: settle it as Math.max/Math.min do, given
 * the lanes that saw the zero that wins (+0 for max, -0 for min).
 */
@inline function settleZero(isMax: bool, m: f64, zero: v128): f64 {
  return m == 0 && v128.any_true(zero) ? (isMax ? 0.0 : -0.0) : m;
}

export function min_(n: i32, x: usize): f64 {
  return extremeInline<f64>(false, n, x);
}

export function max_(n: i32, x: usize): f64 {
  return extremeInline<f64>(true, n, x);
}

/** out[i] = min_j A[i, j] for A m x n (+Infinity for empty rows; NaN if the row has one). */
export function rowMins(m: i32, n: i32, a: usize, lda: i32, out: usize): void {
  for (let i = 0; i < m; i++) st(out, i, extremeInline<f64>(false, n, row(a, i, lda)));
}

/** out[i] = max_j A[i, j] for A m x n (-Infinity for empty rows; NaN if the row has one). */
export function rowMaxs(m: i32, n: i32, a: usize, lda: i32, out: usize): void {
  for (let i = 0; i < m; i++) st(out, i, extremeInline<f64>(true, n, row(a, i, lda)));
}

/** out[i] = sum_j A[i, j] for A m x n. */
export function rowSums(m: i32, n: i32, a: usize, lda: i32, out: usize): void {
  for (let i = 0; i < m; i++) st(out, i, sumInline(SUM, n, row(a, i, lda)));
}

/**
 * out[j] = sum_i A[i, j] for A m x n: one row at a time added into out, which stays in cache.
 * Reading four rows side by side (one load of out per four rows) streamed at about half the
 * speed here: a row read alone, in order, is what the prefetchers keep up with.
 */
export function colSums(m: i32, n: i32, a: usize, lda: i32, out: usize): void {
  memory.fill(out, 0, <usize>n << 3);
  for (let i = 0; i < m; i++) {
    const r = row(a, i, lda);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 8 <= n; j += 8) {
        const off = <usize>j << 3;
        const p = r + off, q = out + off;
        v128.store(q, f64x2.add(v128.load(q), v128.load(p)));
        v128.store(q, f64x2.add(v128.load(q, 16), v128.load(p, 16)), 16);
        v128.store(q, f64x2.add(v128.load(q, 32), v128.load(p, 32)), 32);
        v128.store(q, f64x2.add(v128.load(q, 48), v128.load(p, 48)), 48);
      }
      for (; j + 2 <= n; j += 2) stv(out, j, f64x2.add(ldv(out, j), ldv(r, j)));
    }
    for (; j < n; j++) st(out, j, ld(out, j) + ld(r, j));
  }
}

// ---- float32 storage, reduced directly (half the bytes of widening it first): sums widen each
// value to float64 before adding it (so they equal the sum of the widened values up to the order
// of the additions); min and max are extremeInline<f32> above.

@inline function squareIf(op: i32, v: v128): v128 {
  return op == SQUARES ? f64x2.mul(v, v) : v;
}

@inline function sumF32Inline(op: i32, n: i32, x: usize): f64 {
  let i = 0;
  let s: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (; i + 8 <= n; i += 8) {
      const p = x + (<usize>i << 2);
      const v0 = v128.load(p), v1 = v128.load(p, 16);
      a0 = f64x2.add(a0, squareIf(op, f64x2.promote_low_f32x4(v0)));
      a1 = f64x2.add(a1, squareIf(op, f64x2.promote_low_f32x4(i32x4.shuffle(v0, v0, 2, 3, 0, 1))));
      a2 = f64x2.add(a2, squareIf(op, f64x2.promote_low_f32x4(v1)));
      a3 = f64x2.add(a3, squareIf(op, f64x2.promote_low_f32x4(i32x4.shuffle(v1, v1, 2, 3, 0, 1))));
    }
    const a = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
    s = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
  }
  for (; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    s += op == SQUARES ? v * v : v;
  }
  return s;
}

/** sum_i x[i] over n float32 values, in float64. */
export function sumF32(n: i32, x: usize): f64 {
  return sumF32Inline(SUM, n, x);
}

/** sum_i x[i]^2 over n float32 values, in float64. */
export function sumSquaresF32(n: i32, x: usize): f64 {
  return sumF32Inline(SQUARES, n, x);
}

export function minF32(n: i32, x: usize): f64 {
  return extremeInline<f32>(false, n, x);
}

export function maxF32(n: i32, x: usize): f64 {
  return extremeInline<f32>(true, n, x);
}
