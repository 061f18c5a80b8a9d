/**
 * The counter-based generator of shared/specs/synthetic-data.md in plain TypeScript, with
 * BigInt for the wrapping 64-bit arithmetic: the reference for the wasm kernels, and a direct
 * transcription of the spec.
 */
import { at, type Heap } from "./heap.js";

const MASK = (1n << 64n) - 1n;
const GOLDEN = 0x9e3779b97f4a7c15n;

function mix(z0: bigint): bigint {
  let z = z0;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
  return z ^ (z >> 31n);
}

/** U(seed, k) in [0, 1). */
export function uniformAt(seed: bigint, k: bigint): number {
  return Number(mix((seed + (k + 1n) * GOLDEN) & MASK) >> 11n) * 2 ** -53;
}

/** The spec's z[k]: the cos (k even) or sin (k odd) half of Box-Muller pair k >> 1. */
export function normalAt(seed: bigint, k: bigint): number {
  const m = k >> 1n;
  const u1 = uniformAt(seed, 2n * m);
  const u2 = uniformAt(seed, 2n * m + 1n);
  const r = Math.sqrt(-2 * Math.log1p(-u1));
  const t = 2 * Math.PI * u2;
  return (k & 1n) === 0n ? r * Math.cos(t) : r * Math.sin(t);
}

const seedOf = (hi: number, lo: number) => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

export function randomKernels(heap: Heap) {
  return {
    randomUniform(seedHi: number, seedLo: number, start: number, n: number, out: number): void {
      const H = heap.f64, o = at(out), seed = seedOf(seedHi, seedLo), k0 = BigInt(start);
      for (let i = 0; i < n; i++) H[o + i] = uniformAt(seed, k0 + BigInt(i));
    },
    randomNormal(seedHi: number, seedLo: number, start: number, n: number, out: number): void {
      const H = heap.f64, o = at(out), seed = seedOf(seedHi, seedLo), k0 = BigInt(start);
      for (let i = 0; i < n; i++) H[o + i] = normalAt(seed, k0 + BigInt(i));
    },
  };
}
