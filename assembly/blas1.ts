// BLAS level 1 over contiguous float64 vectors: dot, axpy, scal, copy, nrm2, asum, iamax, and
// the inlined loops the other families build on. Streaming loops keep several independent
// accumulators (the add latency would otherwise cap them at one vector per four cycles) and
// address each operand through one pointer with immediate load offsets (fewer address
// computations, which is what holds a vectorized streaming loop back).
import { ld, st, ldv, stv } from "./memory";

/** sum_i x[i] * y[i], inlined into gemv, cholesky, trsv and the GLM kernels. */
@inline export function dotInline(n: i32, x: usize, y: usize): f64 {
  let i = 0;
  let s: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
    for (; i + 8 <= n; i += 8) {
      const off = <usize>i << 3;
      const p = x + off, q = y + off;
      a0 = f64x2.add(a0, f64x2.mul(v128.load(p), v128.load(q)));
      a1 = f64x2.add(a1, f64x2.mul(v128.load(p, 16), v128.load(q, 16)));
      a2 = f64x2.add(a2, f64x2.mul(v128.load(p, 32), v128.load(q, 32)));
      a3 = f64x2.add(a3, f64x2.mul(v128.load(p, 48), v128.load(q, 48)));
    }
    for (; i + 2 <= n; i += 2) a0 = f64x2.add(a0, f64x2.mul(ldv(x, i), ldv(y, i)));
    const a = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
    s = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
  } else {
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
    for (; i + 4 <= n; i += 4) {
      s0 += ld(x, i) * ld(y, i);
      s1 += ld(x, i + 1) * ld(y, i + 1);
      s2 += ld(x, i + 2) * ld(y, i + 2);
      s3 += ld(x, i + 3) * ld(y, i + 3);
    }
    s = (s0 + s1) + (s2 + s3);
  }
  for (; i < n; i++) s += ld(x, i) * ld(y, i);
  return s;
}

/** y += a * x, inlined into gemvT, the triangular solves and the GLM gradient. */
@inline export function axpyInline(n: i32, a: f64, x: usize, y: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const av = f64x2.splat(a);
    for (; i + 8 <= n; i += 8) {
      const off = <usize>i << 3;
      const p = x + off, q = y + off;
      v128.store(q, f64x2.add(v128.load(q), f64x2.mul(av, v128.load(p))));
      v128.store(q, f64x2.add(v128.load(q, 16), f64x2.mul(av, v128.load(p, 16))), 16);
      v128.store(q, f64x2.add(v128.load(q, 32), f64x2.mul(av, v128.load(p, 32))), 32);
      v128.store(q, f64x2.add(v128.load(q, 48), f64x2.mul(av, v128.load(p, 48))), 48);
    }
    for (; i + 2 <= n; i += 2) stv(y, i, f64x2.add(ldv(y, i), f64x2.mul(av, ldv(x, i))));
  }
  for (; i < n; i++) st(y, i, ld(y, i) + a * ld(x, i));
}

/** x *= a; when a is 0 the result is 0 even where x holds NaN (BLAS's beta = 0 rule). */
@inline export function scaleInPlace(n: i32, a: f64, x: usize): void {
  if (a == 0) {
    memory.fill(x, 0, <usize>n << 3);
    return;
  }
  if (a == 1) return;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const av = f64x2.splat(a);
    for (; i + 2 <= n; i += 2) stv(x, i, f64x2.mul(av, ldv(x, i)));
  }
  for (; i < n; i++) st(x, i, a * ld(x, i));
}

// What sumInline adds up: x, x^2 or |x| (compile-time constants, folded after inlining).
export const SUM = 0;
export const SQUARES = 1;
export const ABS = 2;

@inline function termV(op: i32, v: v128): v128 {
  if (op == SQUARES) return f64x2.mul(v, v);
  if (op == ABS) return f64x2.abs(v);
  return v;
}

@inline function termS(op: i32, v: f64): f64 {
  if (op == SQUARES) return v * v;
  if (op == ABS) return abs(v);
  return v;
}

/**
 * sum_i term(x[i]). Eight accumulators, sixteen elements an iteration: one stream needs this
 * much in flight to reach the memory's bandwidth (the wasm-simd `sum` is the benchmarks'
 * streaming ceiling, so it must be the fastest read loop we have).
 */
@inline export function sumInline(op: i32, n: i32, x: usize): f64 {
  let i = 0;
  let s: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
    let a4 = f64x2.splat(0), a5 = f64x2.splat(0), a6 = f64x2.splat(0), a7 = f64x2.splat(0);
    for (; i + 16 <= n; i += 16) {
      const p = x + (<usize>i << 3);
      a0 = f64x2.add(a0, termV(op, v128.load(p)));
      a1 = f64x2.add(a1, termV(op, v128.load(p, 16)));
      a2 = f64x2.add(a2, termV(op, v128.load(p, 32)));
      a3 = f64x2.add(a3, termV(op, v128.load(p, 48)));
      a4 = f64x2.add(a4, termV(op, v128.load(p, 64)));
      a5 = f64x2.add(a5, termV(op, v128.load(p, 80)));
      a6 = f64x2.add(a6, termV(op, v128.load(p, 96)));
      a7 = f64x2.add(a7, termV(op, v128.load(p, 112)));
    }
    for (; i + 2 <= n; i += 2) a0 = f64x2.add(a0, termV(op, ldv(x, i)));
    const lo = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
    const hi = f64x2.add(f64x2.add(a4, a5), f64x2.add(a6, a7));
    const a = f64x2.add(lo, hi);
    s = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
  } else {
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
    for (; i + 4 <= n; i += 4) {
      s0 += termS(op, ld(x, i));
      s1 += termS(op, ld(x, i + 1));
      s2 += termS(op, ld(x, i + 2));
      s3 += termS(op, ld(x, i + 3));
    }
    s = (s0 + s1) + (s2 + s3);
  }
  for (; i < n; i++) s += termS(op, ld(x, i));
  return s;
}

export function dot(n: i32, x: usize, y: usize): f64 {
  return dotInline(n, x, y);
}

export function axpy(n: i32, a: f64, x: usize, y: usize): void {
  axpyInline(n, a, x, y);
}

export function scal(n: i32, a: f64, x: usize): void {
  // BLAS scal multiplies literally (0 * NaN = NaN); only gemv/gemm's beta = 0 skips reading.
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const av = f64x2.splat(a);
    for (; i + 2 <= n; i += 2) stv(x, i, f64x2.mul(av, ldv(x, i)));
  }
  for (; i < n; i++) st(x, i, a * ld(x, i));
}

/** y = x; overlapping ranges are copied as if through a temporary (memmove). */
export function copy(n: i32, x: usize, y: usize): void {
  memory.copy(y, x, <usize>n << 3);
}

/**
 * Euclidean norm without overflow or underflow. One pass in the common case; only when the
 * plain sum of squares overflows or sinks toward the subnormals does a second, scaled pass run.
 */
export function nrm2(n: i32, x: usize): f64 {
  const ss = sumInline(SQUARES, n, x);
  if (ss != ss) return ss;
  if (ss < Infinity && ss > 1e-290) return sqrt(ss);
  let amax: f64 = 0;
  for (let i = 0; i < n; i++) amax = max(amax, abs(ld(x, i)));
  if (amax == 0 || amax == Infinity) return amax;
  let scaled: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = ld(x, i) / amax;
    scaled += v * v;
  }
  return amax * sqrt(scaled);
}

export function asum(n: i32, x: usize): f64 {
  return sumInline(ABS, n, x);
}

/** Index of the first element of largest |x|; a NaN counts as largest; -1 when n = 0. */
export function iamax(n: i32, x: usize): i32 {
  if (n <= 0) return -1;
  let best = 0;
  let bestAbs = abs(ld(x, 0));
  if (bestAbs != bestAbs) return 0;
  for (let i = 1; i < n; i++) {
    const a = abs(ld(x, i));
    if (a != a) return i;
    if (a > bestAbs) {
      bestAbs = a;
      best = i;
    }
  }
  return best;
}
