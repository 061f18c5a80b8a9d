// BLAS level 1 over contiguous float64 vectors: dot, axpy, scal, copy, nrm2, asum, iamax.
// Streaming kernels: four independent accumulators hide the add latency so that the loop runs
// at memory speed rather than at one add per four cycles.
import { ld, st, ldv, stv } from "./memory";

/** sum_i x[i] * y[i] (inlined into the row loops of gemv and the GLM kernels). */
@inline export function dotInline(n: i32, x: usize, y: usize): f64 {
  let i = 0;
  let s: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
    for (; i + 8 <= n; i += 8) {
      a0 = f64x2.add(a0, f64x2.mul(ldv(x, i), ldv(y, i)));
      a1 = f64x2.add(a1, f64x2.mul(ldv(x, i + 2), ldv(y, i + 2)));
      a2 = f64x2.add(a2, f64x2.mul(ldv(x, i + 4), ldv(y, i + 4)));
      a3 = f64x2.add(a3, f64x2.mul(ldv(x, i + 6), ldv(y, i + 6)));
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

/** y += a * x, inlined into gemvT and the GLM gradient. */
@inline export function axpyInline(n: i32, a: f64, x: usize, y: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const av = f64x2.splat(a);
    for (; i + 4 <= n; i += 4) {
      stv(y, i, f64x2.add(ldv(y, i), f64x2.mul(av, ldv(x, i))));
      stv(y, i + 2, f64x2.add(ldv(y, i + 2), f64x2.mul(av, ldv(x, i + 2))));
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

@inline export function sumSquaresInline(n: i32, x: usize): f64 {
  let i = 0;
  let s: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
    for (; i + 8 <= n; i += 8) {
      const v0 = ldv(x, i), v1 = ldv(x, i + 2), v2 = ldv(x, i + 4), v3 = ldv(x, i + 6);
      a0 = f64x2.add(a0, f64x2.mul(v0, v0));
      a1 = f64x2.add(a1, f64x2.mul(v1, v1));
      a2 = f64x2.add(a2, f64x2.mul(v2, v2));
      a3 = f64x2.add(a3, f64x2.mul(v3, v3));
    }
    for (; i + 2 <= n; i += 2) {
      const v = ldv(x, i);
      a0 = f64x2.add(a0, f64x2.mul(v, v));
    }
    const a = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
    s = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
  } else {
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
    for (; i + 4 <= n; i += 4) {
      const v0 = ld(x, i), v1 = ld(x, i + 1), v2 = ld(x, i + 2), v3 = ld(x, i + 3);
      s0 += v0 * v0;
      s1 += v1 * v1;
      s2 += v2 * v2;
      s3 += v3 * v3;
    }
    s = (s0 + s1) + (s2 + s3);
  }
  for (; i < n; i++) {
    const v = ld(x, i);
    s += v * v;
  }
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
  const ss = sumSquaresInline(n, x);
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
  let i = 0;
  let s: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
    for (; i + 4 <= n; i += 4) {
      a0 = f64x2.add(a0, f64x2.abs(ldv(x, i)));
      a1 = f64x2.add(a1, f64x2.abs(ldv(x, i + 2)));
    }
    for (; i + 2 <= n; i += 2) a0 = f64x2.add(a0, f64x2.abs(ldv(x, i)));
    const a = f64x2.add(a0, a1);
    s = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
  }
  for (; i < n; i++) s += abs(ld(x, i));
  return s;
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
