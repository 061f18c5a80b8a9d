// Conversions between float32 storage and float64 arithmetic: a float32 array's chunks are
// widened as they are read and its results narrowed as they are written (inside a fused task,
// one tile at a time). Two float32 values per SIMD step each way: promote and demote work on a
// lane pair.

/** y[i] = x[i] widened (exact); x holds n float32, y n float64; they must not overlap. */
export function widenF32(n: i32, x: usize, y: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 2 <= n; i += 2) {
      v128.store(y + (<usize>i << 3), f64x2.promote_low_f32x4(v128.load64_zero(x + (<usize>i << 2))));
    }
  }
  for (; i < n; i++) store<f64>(y + (<usize>i << 3), <f64>load<f32>(x + (<usize>i << 2)));
}

/** y[i] = x[i] rounded to float32 (to nearest, ties to even); x holds n float64, y n float32 (y may be x). */
export function narrowF32(n: i32, x: usize, y: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 2 <= n; i += 2) {
      v128.store64_lane(y + (<usize>i << 2), f32x4.demote_f64x2_zero(v128.load(x + (<usize>i << 3))), 0);
    }
  }
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), <f32>load<f64>(x + (<usize>i << 3)));
}

/** y[i] = x[i] rounded to the nearest float32, as a float64 (narrowF32 then widenF32 in one pass; y may be x). */
export function roundF32(n: i32, x: usize, y: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 2 <= n; i += 2) {
      v128.store(y + (<usize>i << 3), f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(v128.load(x + (<usize>i << 3)))));
    }
  }
  for (; i < n; i++) store<f64>(y + (<usize>i << 3), <f64><f32>load<f64>(x + (<usize>i << 3)));
}
