/**
 * The counter-based generator of docs/specs/synthetic-data.md in plain TypeScript: the
 * reference for the wasm kernels. The wrapping 64-bit arithmetic runs on two uint32 halves
 * (the spec allows either that or BigInt; BigInt was much slower here), checked against a BigInt
 * transcription of the spec in test/random.test.ts.
 */
import { at, type Heap } from "./heap.js";

// scratch for 64-bit values as [hi, lo] pairs, reused to avoid allocation per call
let hiOut = 0;
let loOut = 0;

/** (a * b) mod 2^64 of two 32-bit values: sets hiOut, loOut. */
function mul32(a: number, b: number): void {
  const a0 = a & 0xffff,
    a1 = a >>> 16,
    b0 = b & 0xffff,
    b1 = b >>> 16;
  const p00 = a0 * b0,
    p01 = a0 * b1,
    p10 = a1 * b0,
    p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  loOut = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  hiOut = (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) >>> 0;
}

/** (a * b) mod 2^64 for 64-bit a = (ah, al), b = (bh, bl): sets hiOut, loOut. */
function mul64(ah: number, al: number, bh: number, bl: number): void {
  mul32(al, bl);
  hiOut = (hiOut + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
}

const GOLDEN_HI = 0x9e3779b9,
  GOLDEN_LO = 0x7f4a7c15;
const C1_HI = 0xbf58476d,
  C1_LO = 0x1ce4e5b9;
const C2_HI = 0x94d049bb,
  C2_LO = 0x133111eb;

/** U(seed, k) in [0, 1) for seed = (seedHi, seedLo), 0 <= k < 2^53. */
export function uniformAt(seedHi: number, seedLo: number, k: number): number {
  // z = seed + (k + 1) * GOLDEN
  const k1 = k + 1;
  const kHi = Math.floor(k1 / 0x100000000) >>> 0,
    kLo = k1 >>> 0;
  mul64(kHi, kLo, GOLDEN_HI, GOLDEN_LO);
  let lo = (loOut + seedLo) >>> 0;
  let hi = (hiOut + seedHi + (lo < loOut ? 1 : 0)) >>> 0;
  // z = (z ^ (z >> 30)) * C1
  lo = (lo ^ ((lo >>> 30) | (hi << 2))) >>> 0;
  hi = (hi ^ (hi >>> 30)) >>> 0;
  mul64(hi, lo, C1_HI, C1_LO);
  hi = hiOut;
  lo = loOut;
  // z = (z ^ (z >> 27)) * C2
  lo = (lo ^ ((lo >>> 27) | (hi << 5))) >>> 0;
  hi = (hi ^ (hi >>> 27)) >>> 0;
  mul64(hi, lo, C2_HI, C2_LO);
  hi = hiOut;
  lo = loOut;
  // z ^= z >> 31; then the top 53 bits scaled to [0, 1)
  lo = (lo ^ ((lo >>> 31) | (hi << 1))) >>> 0;
  hi = (hi ^ (hi >>> 31)) >>> 0;
  return (hi * 2 ** 21 + (lo >>> 11)) * 2 ** -53;
}

/** The spec's z[k]: the cos (k even) or sin (k odd) half of Box-Muller pair floor(k / 2). */
export function normalAt(seedHi: number, seedLo: number, k: number): number {
  const m = Math.floor(k / 2);
  const u1 = uniformAt(seedHi, seedLo, 2 * m);
  const u2 = uniformAt(seedHi, seedLo, 2 * m + 1);
  const r = Math.sqrt(-2 * Math.log1p(-u1));
  const t = 2 * Math.PI * u2;
  return k % 2 === 0 ? r * Math.cos(t) : r * Math.sin(t);
}

export function randomKernels(heap: Heap) {
  return {
    randomUniform(seedHi: number, seedLo: number, start: number, n: number, out: number): void {
      const H = heap.f64,
        o = at(out);
      for (let i = 0; i < n; i++) H[o + i] = uniformAt(seedHi >>> 0, seedLo >>> 0, start + i);
    },
    randomNormal(seedHi: number, seedLo: number, start: number, n: number, out: number): void {
      const H = heap.f64,
        o = at(out);
      for (let i = 0; i < n; i++) H[o + i] = normalAt(seedHi >>> 0, seedLo >>> 0, start + i);
    },
  };
}
