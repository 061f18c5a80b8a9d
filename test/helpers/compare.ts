/** Comparisons for floating-point results: ulp distance and tolerant, NaN-aware equality. */

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);

/** Maps a double to an integer so that adjacent doubles differ by 1 (sign-magnitude to linear). */
function ordered(x: number): bigint {
  f64[0] = x;
  const bits = i64[0]!;
  return bits < 0n ? -(bits & 0x7fffffffffffffffn) : bits;
}

/** Units in the last place between a and b: 0 when equal (including both NaN), Infinity when one is NaN. */
export function ulpDistance(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return 0;
  const d = ordered(a) - ordered(b);
  return Number(d < 0n ? -d : d);
}

/** True when a and b agree within relTol relative to max(1, |b|), or are both NaN / the same infinity. */
export function close(a: number, b: number, relTol: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= relTol * Math.max(1, Math.abs(b));
}
