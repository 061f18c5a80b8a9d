// Raw access to float64 data by element index. Every kernel takes byte addresses into the one
// shared memory and element counts; these helpers keep the address arithmetic in one place.
// The v128 helpers must only be reached from code guarded by `if (ASC_FEATURE_SIMD)`, so that
// the scalar build never sees a SIMD instruction.

@inline export function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

@inline export function st(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

@inline export function ldv(p: usize, i: i32): v128 {
  return v128.load(p + (<usize>i << 3));
}

@inline export function stv(p: usize, i: i32, v: v128): void {
  v128.store(p + (<usize>i << 3), v);
}

/** Splat one float64 element: both lanes get p[i]. */
@inline export function ldsplat(p: usize, i: i32): v128 {
  return v128.load64_splat(p + (<usize>i << 3));
}

/** Address of row `r` of a row-major matrix with leading dimension `ld`. */
@inline export function row(a: usize, r: i32, ld: i32): usize {
  return a + ((<usize>r * <usize>ld) << 3);
}

@inline export function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}
