// The counter-based generator of docs/specs/synthetic-data.md: element k of a stream depends
// only on (seed, k), so any chunk is generated alone, in parallel, with no shared state.
// Seeds arrive as two u32 halves and stream positions as f64 (exact below 2^53), so that every
// kernel argument stays a JS number.
import { st } from "./memory";

const GOLDEN: u64 = 0x9E3779B97F4A7C15;
const TWO_PI: f64 = 6.283185307179586;
const TWO_POW_MINUS_53: f64 = 1.1102230246251565e-16;

@inline function mix(z0: u64): u64 {
  let z = z0;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
  return z ^ (z >> 31);
}

/** U(seed, k) in [0, 1). */
@inline export function uniformAt(seed: u64, k: u64): f64 {
  return <f64>(mix(seed + (k + 1) * GOLDEN) >> 11) * TWO_POW_MINUS_53;
}

@inline function seedOf(hi: u32, lo: u32): u64 {
  return (<u64>hi << 32) | <u64>lo;
}

/** out[i] = U(seed, start + i) for i < n. */
export function randomUniform(seedHi: u32, seedLo: u32, start: f64, n: i32, out: usize): void {
  const seed = seedOf(seedHi, seedLo);
  const k0 = <u64>start;
  for (let i = 0; i < n; i++) st(out, i, uniformAt(seed, k0 + <u64>i));
}

/**
 * out[i] = z[start + i] for i < n, where normals come in Box-Muller pairs: pair m uses
 * u1 = U(seed, 2m), u2 = U(seed, 2m + 1); z[2m] = r cos t, z[2m + 1] = r sin t with
 * r = sqrt(-2 log1p(-u1)), t = 2 pi u2. A chunk may start or end inside a pair.
 */
export function randomNormal(seedHi: u32, seedLo: u32, start: f64, n: i32, out: usize): void {
  const seed = seedOf(seedHi, seedLo);
  const k0 = <u64>start;
  let i = 0;
  while (i < n) {
    const k = k0 + <u64>i;
    const m = k >> 1;
    const u1 = uniformAt(seed, m << 1);
    const u2 = uniformAt(seed, (m << 1) + 1);
    const r = Math.sqrt(-2.0 * Math.log1p(-u1));
    const t = TWO_PI * u2;
    if ((k & 1) == 0) {
      st(out, i, r * Math.cos(t));
      if (i + 1 < n) st(out, i + 1, r * Math.sin(t));
      i += 2;
    } else {
      st(out, i, r * Math.sin(t));
      i += 1;
    }
  }
}
