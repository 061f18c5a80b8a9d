// exp and log, written once for a float64 scalar and once for two float64 lanes, with the same
// algorithm and constants, so the wasm-simd and wasm-scalar builds agree bit for bit. Both are
// correctly scaled for subnormal results and inputs, and propagate NaN and the infinities like
// Math.exp and Math.log. Measured error bound (test/math.test.ts): exp <= 1 ulp, log <= 1 ulp
// against Math.exp/Math.log over [-745, 710] and (0, inf).
//
// The composites the GLM kernels need (log1p of a value in [0, 1], softplus, sigmoid) are built
// from these, also per lane, so a block of rows runs its link function in SIMD.

// Cody-Waite split of ln 2: n * LN2_HI is exact for |n| < 2^11 (fdlibm's constants).
const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const LOG2E: f64 = 1.4426950408889634;
// 1.5 * 2^52: adding it rounds to an integer, and the integer sits in the low mantissa bits.
const SHIFT: f64 = 6755399441055744.0;
const SHIFT_BITS: i64 = 0x4338000000000000;
// exp(x) is +inf above 709.79 and 0 below -745.14: clamping keeps n in [-1097, 1025], so both
// halves of the split 2^n scale stay normal numbers.
const EXP_CLAMP_HI: f64 = 710.0;
const EXP_CLAMP_LO: f64 = -760.0;

// 1/k! for k = 2..13. exp(r) = 1 + (r + r^2 * Q(r)), |r| <= ln2/2, truncation error < 0.03 ulp.
const C2: f64 = 0.5;
const C3: f64 = 0.16666666666666666;
const C4: f64 = 0.041666666666666664;
const C5: f64 = 0.008333333333333333;
const C6: f64 = 0.001388888888888889;
const C7: f64 = 0.0001984126984126984;
const C8: f64 = 0.0000248015873015873;
const C9: f64 = 0.0000027557319223985893;
const C10: f64 = 2.755731922398589e-7;
const C11: f64 = 2.505210838544172e-8;
const C12: f64 = 2.08767569878681e-9;
const C13: f64 = 1.6059043836821613e-10;

// fdlibm's log: log(1+f) = f - hfsq + s*(hfsq+R), R a minimax polynomial in s^2.
const LG1: f64 = 6.666666666666735130e-01;
const LG2: f64 = 3.999999999940941908e-01;
const LG3: f64 = 2.857142874366239149e-01;
const LG4: f64 = 2.222219843214978396e-01;
const LG5: f64 = 1.818357216161805012e-01;
const LG6: f64 = 1.531383769920937332e-01;
const LG7: f64 = 1.479819860511658591e-01;
const TWO54: f64 = 18014398509481984.0;
const MIN_NORMAL: f64 = 2.2250738585072014e-308;
// Moves the mantissa so that the reduced argument lands in [sqrt(2)/2, sqrt(2)).
const LOG_OFFSET: i64 = (<i64>(0x3ff00000 - 0x3fe6a09e)) << 32;
const LOG_MANT_BASE: i64 = (<i64>0x3fe6a09e) << 32;
const MANT_MASK: i64 = 0x000fffffffffffff;

/**
 * exp(r) for |r| <= ln2/2: 1 + (r + r^2 Q(r)), Q evaluated by Estrin's scheme (short dependency
 * chains), the 1 added last so that its rounding is the only large one.
 */
@inline function expPolyS(r: f64): f64 {
  const r2 = r * r;
  const r4 = r2 * r2;
  const r8 = r4 * r4;
  const q03 = (C2 + C3 * r) + (C4 + C5 * r) * r2;
  const q47 = (C6 + C7 * r) + (C8 + C9 * r) * r2;
  const q8b = (C10 + C11 * r) + (C12 + C13 * r) * r2;
  const q = (q03 + q47 * r4) + q8b * r8;
  return 1.0 + (r + r2 * q);
}

@inline function expPolyV(r: v128): v128 {
  const r2 = f64x2.mul(r, r);
  const r4 = f64x2.mul(r2, r2);
  const r8 = f64x2.mul(r4, r4);
  const q01 = f64x2.add(f64x2.splat(C2), f64x2.mul(f64x2.splat(C3), r));
  const q23 = f64x2.add(f64x2.splat(C4), f64x2.mul(f64x2.splat(C5), r));
  const q45 = f64x2.add(f64x2.splat(C6), f64x2.mul(f64x2.splat(C7), r));
  const q67 = f64x2.add(f64x2.splat(C8), f64x2.mul(f64x2.splat(C9), r));
  const q89 = f64x2.add(f64x2.splat(C10), f64x2.mul(f64x2.splat(C11), r));
  const qab = f64x2.add(f64x2.splat(C12), f64x2.mul(f64x2.splat(C13), r));
  const q03 = f64x2.add(q01, f64x2.mul(q23, r2));
  const q47 = f64x2.add(q45, f64x2.mul(q67, r2));
  const q8b = f64x2.add(q89, f64x2.mul(qab, r2));
  const q = f64x2.add(f64x2.add(q03, f64x2.mul(q47, r4)), f64x2.mul(q8b, r8));
  return f64x2.add(f64x2.splat(1.0), f64x2.add(r, f64x2.mul(r2, q)));
}

/**
 * log(1 + f) + k ln2 for f in [sqrt(2)/2 - 1, sqrt(2) - 1]: fdlibm's kernel, evaluated in musl's
 * order, s*(hfsq+R) + k*LN2_LO - hfsq + f + k*LN2_HI, with R a minimax polynomial in s^2.
 */
@inline function logKernelS(f: f64, k: f64): f64 {
  const hfsq = 0.5 * f * f;
  const s = f / (2.0 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const R = t2 + t1;
  return s * (hfsq + R) + k * LN2_LO - hfsq + f + k * LN2_HI;
}

@inline function logKernelV(f: v128, k: v128): v128 {
  const hfsq = f64x2.mul(f64x2.splat(0.5), f64x2.mul(f, f));
  const s = f64x2.div(f, f64x2.add(f64x2.splat(2.0), f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  const t1 = f64x2.mul(w, f64x2.add(f64x2.splat(LG2), f64x2.mul(w, f64x2.add(f64x2.splat(LG4), f64x2.mul(w, f64x2.splat(LG6))))));
  const t2 = f64x2.mul(z, f64x2.add(f64x2.splat(LG1), f64x2.mul(w, f64x2.add(f64x2.splat(LG3), f64x2.mul(w, f64x2.add(f64x2.splat(LG5), f64x2.mul(w, f64x2.splat(LG7))))))));
  const R = f64x2.add(t2, t1);
  // left to right, as in the scalar form
  const res = f64x2.add(f64x2.mul(s, f64x2.add(hfsq, R)), f64x2.mul(k, f64x2.splat(LN2_LO)));
  return f64x2.add(f64x2.add(f64x2.sub(res, hfsq), f), f64x2.mul(k, f64x2.splat(LN2_HI)));
}

// ---- scalar ----------------------------------------------------------------------------

@inline export function expS(x: f64): f64 {
  const xc = min(max(x, EXP_CLAMP_LO), EXP_CLAMP_HI);
  const kd = xc * LOG2E + SHIFT;
  const n = kd - SHIFT;
  const r = (xc - n * LN2_HI) - n * LN2_LO;
  const p = expPolyS(r);
  // 2^n as two normal halves, so that subnormal and near-overflow results round only once.
  const ni = reinterpret<i64>(kd) - SHIFT_BITS;
  const n1 = ni >> 1;
  const n2 = ni - n1;
  const s1 = reinterpret<f64>((n1 + 1023) << 52);
  const s2 = reinterpret<f64>((n2 + 1023) << 52);
  return p * s1 * s2;
}

@inline export function logS(x0: f64): f64 {
  let x = x0;
  let k: f64 = 0;
  if (x < MIN_NORMAL) {
    // zero, negative, or subnormal: scale subnormals up; zero and negatives are fixed below.
    x *= TWO54;
    k = -54;
  }
  let bits = reinterpret<i64>(x) + LOG_OFFSET;
  k += <f64>(<i32>(bits >> 52) - 0x3ff);
  bits = (bits & MANT_MASK) + LOG_MANT_BASE;
  const res = logKernelS(reinterpret<f64>(bits) - 1.0, k);
  if (x0 > 0 && x0 < Infinity) return res;
  if (x0 == 0) return -Infinity;
  if (x0 == Infinity) return Infinity;
  return NaN; // negative or NaN
}

/** log(1 + u) for u >= 0 (or any u > -1): log of the rounded 1+u, corrected for that rounding. */
@inline export function log1pS(u: f64): f64 {
  const w = 1.0 + u;
  return logS(w) - ((w - 1.0) - u) / w;
}

/** log(1 + exp(x)) without overflow: max(x, 0) + log1p(exp(-|x|)). */
@inline export function softplusS(x: f64): f64 {
  return max(x, 0.0) + log1pS(expS(-abs(x)));
}

/** 1 / (1 + exp(-x)), accurate in both tails. */
@inline export function sigmoidS(x: f64): f64 {
  const e = expS(-abs(x));
  const r = 1.0 / (1.0 + e);
  return select<f64>(r, e * r, x >= 0);
}

// ---- two lanes ---------------------------------------------------------------------------

/** exp in two lanes over the whole range: the result scaled in two steps (subnormal and near-overflow results round once). */
@inline function expWideV(x: v128): v128 {
  // pmax/pmin are single instructions; with x first they return x when it is NaN, so NaN
  // still propagates (f64x2.min/max would cost eight instructions each on x86).
  const xc = f64x2.pmin(f64x2.pmax(x, f64x2.splat(EXP_CLAMP_LO)), f64x2.splat(EXP_CLAMP_HI));
  const kd = f64x2.add(f64x2.mul(xc, f64x2.splat(LOG2E)), f64x2.splat(SHIFT));
  const n = f64x2.sub(kd, f64x2.splat(SHIFT));
  const r = f64x2.sub(f64x2.sub(xc, f64x2.mul(n, f64x2.splat(LN2_HI))), f64x2.mul(n, f64x2.splat(LN2_LO)));
  const p = expPolyV(r);
  const ni = i64x2.sub(kd, i64x2.splat(SHIFT_BITS));
  const n1 = i64x2.shr_s(ni, 1);
  const n2 = i64x2.sub(ni, n1);
  const bias = i64x2.splat(1023);
  const s1 = i64x2.shl(i64x2.add(n1, bias), 52);
  const s2 = i64x2.shl(i64x2.add(n2, bias), 52);
  return f64x2.mul(f64x2.mul(p, s1), s2);
}

/**
 * exp in two lanes. When both lanes are within +-708 (nearly always), 2^n is a normal number and
 * one step scales the polynomial by it (no clamp, no split scale: 3.3 -> 2.7 ns a value on one
 * thread); otherwise the wide form. The same bits either way.
 */
@inline export function expV(x: v128): v128 {
  if (v128.any_true(f64x2.gt(f64x2.abs(x), f64x2.splat(708.0)))) return expWideV(x);
  const kd = f64x2.add(f64x2.mul(x, f64x2.splat(LOG2E)), f64x2.splat(SHIFT));
  const n = f64x2.sub(kd, f64x2.splat(SHIFT));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(n, f64x2.splat(LN2_HI))), f64x2.mul(n, f64x2.splat(LN2_LO)));
  const scale = i64x2.shl(i64x2.add(i64x2.sub(kd, i64x2.splat(SHIFT_BITS)), i64x2.splat(1023)), 52);
  return f64x2.mul(expPolyV(r), scale);
}

@inline export function logV(x0: v128): v128 {
  const tiny = f64x2.lt(x0, f64x2.splat(MIN_NORMAL));
  const x = v128.bitselect(f64x2.mul(x0, f64x2.splat(TWO54)), x0, tiny);
  const kAdj = v128.and(tiny, f64x2.splat(-54.0));
  let bits = i64x2.add(x, i64x2.splat(LOG_OFFSET));
  // exponent as an integer in the low lanes' mantissa, then to float by the SHIFT trick
  const ki = i64x2.sub(i64x2.shr_s(bits, 52), i64x2.splat(0x3ff));
  const kf = f64x2.add(f64x2.sub(i64x2.add(ki, i64x2.splat(SHIFT_BITS)), f64x2.splat(SHIFT)), kAdj);
  bits = i64x2.add(v128.and(bits, i64x2.splat(MANT_MASK)), i64x2.splat(LOG_MANT_BASE));
  const res = logKernelV(f64x2.sub(bits, f64x2.splat(1.0)), kf);
  // special inputs: 0 -> -inf, +inf -> +inf, negative or NaN -> NaN
  const finitePos = v128.and(f64x2.gt(x0, f64x2.splat(0.0)), f64x2.lt(x0, f64x2.splat(Infinity)));
  let special = v128.bitselect(f64x2.splat(-Infinity), f64x2.splat(NaN), f64x2.eq(x0, f64x2.splat(0.0)));
  special = v128.bitselect(f64x2.splat(Infinity), special, f64x2.eq(x0, f64x2.splat(Infinity)));
  return v128.bitselect(res, special, finitePos);
}

@inline export function log1pV(u: v128): v128 {
  const w = f64x2.add(f64x2.splat(1.0), u);
  return f64x2.sub(logV(w), f64x2.div(f64x2.sub(f64x2.sub(w, f64x2.splat(1.0)), u), w));
}

@inline export function softplusV(x: v128): v128 {
  return f64x2.add(f64x2.max(x, f64x2.splat(0.0)), log1pV(expV(f64x2.neg(f64x2.abs(x)))));
}

@inline export function sigmoidV(x: v128): v128 {
  const e = expV(f64x2.neg(f64x2.abs(x)));
  const r = f64x2.div(f64x2.splat(1.0), f64x2.add(f64x2.splat(1.0), e));
  return v128.bitselect(r, f64x2.mul(e, r), f64x2.ge(x, f64x2.splat(0.0)));
}

// ---- fast forms for the logistic link -------------------------------------------------------
// The GLM kernels need exp(-|eta|) in (0, 1] and log1p of that value. Knowing the range removes
// the clamp to overflow, the two-step scale, and log's special cases and exponent extraction.

// Below this, exp(x) would be subnormal; the fast form returns exp(EXP_FLOOR) ~ 3.3e-308
// instead. Where it is used (a term added to max(eta, 0) >= 708, or a probability of 1e-308)
// the difference is far below the rounding of the result.
const EXP_FLOOR: f64 = -708.0;
const SQRT2_MINUS_1: f64 = 0.41421356237309503;

/** exp(x) for x <= 0 (NaN propagates), results below exp(-708) raised to exp(-708). */
@inline export function expNonPosS(x: f64): f64 {
  const xc = max(x, EXP_FLOOR); // f64.max: branch-free, and NaN stays NaN
  const kd = xc * LOG2E + SHIFT;
  const n = kd - SHIFT;
  const r = (xc - n * LN2_HI) - n * LN2_LO;
  return expPolyS(r) * reinterpret<f64>((reinterpret<i64>(kd) - SHIFT_BITS + 1023) << 52);
}

@inline export function expNonPosV(x: v128): v128 {
  const xc = f64x2.pmax(x, f64x2.splat(EXP_FLOOR));
  const kd = f64x2.add(f64x2.mul(xc, f64x2.splat(LOG2E)), f64x2.splat(SHIFT));
  const n = f64x2.sub(kd, f64x2.splat(SHIFT));
  const r = f64x2.sub(f64x2.sub(xc, f64x2.mul(n, f64x2.splat(LN2_HI))), f64x2.mul(n, f64x2.splat(LN2_LO)));
  const p = expPolyV(r);
  const scale = i64x2.shl(i64x2.add(i64x2.sub(kd, i64x2.splat(SHIFT_BITS)), i64x2.splat(1023)), 52);
  return f64x2.mul(p, scale);
}

/**
 * log(1 + u) for u in [0, 1]: 1 + u lies in [1, 2], so reduce to [sqrt(2)/2, sqrt(2)] by halving
 * when u > sqrt(2) - 1, and evaluate fdlibm's kernel on f = (1 + u) / 2^k - 1, formed without
 * rounding 1 + u first. Within 2 ulp of Math.log1p on [0, 1].
 */
@inline export function log1pUnitS(u: f64): f64 {
  // select, not branches: u is random in real data
  const big = u > SQRT2_MINUS_1;
  const f = select<f64>((u - 1.0) * 0.5, u, big);
  const k = select<f64>(1.0, 0.0, big);
  return logKernelS(f, k);
}

@inline export function log1pUnitV(u: v128): v128 {
  const big = f64x2.gt(u, f64x2.splat(SQRT2_MINUS_1));
  const f = v128.bitselect(f64x2.mul(f64x2.sub(u, f64x2.splat(1.0)), f64x2.splat(0.5)), u, big);
  const k = v128.and(big, f64x2.splat(1.0));
  return logKernelV(f, k);
}
