/** Conversions between float32 storage and float64 arithmetic in plain TypeScript: the reference. */
import { at, type Heap } from "./heap.js";

/** The memory as float32s (made per call: the memory may have grown since the last). */
const f32Of = (heap: Heap): Float32Array => {
  const f64 = heap.f64;
  return new Float32Array(f64.buffer, f64.byteOffset, f64.length * 2);
};

export function convertKernels(heap: Heap) {
  return {
    widenF32(n: number, x: number, y: number): void {
      const F = f32Of(heap),
        H = heap.f64;
      const xi = x / 4,
        yi = at(y);
      for (let i = 0; i < n; i++) H[yi + i] = F[xi + i]!;
    },
    narrowF32(n: number, x: number, y: number): void {
      const F = f32Of(heap),
        H = heap.f64;
      const xi = at(x),
        yi = y / 4;
      for (let i = 0; i < n; i++) F[yi + i] = H[xi + i]!; // stores round to nearest, ties to even
    },
    sumF32(n: number, x: number): number {
      const F = f32Of(heap),
        xi = x / 4;
      let s = 0;
      for (let i = 0; i < n; i++) s += F[xi + i]!;
      return s;
    },
    sumSquaresF32(n: number, x: number): number {
      const F = f32Of(heap),
        xi = x / 4;
      let s = 0;
      for (let i = 0; i < n; i++) s += F[xi + i]! * F[xi + i]!;
      return s;
    },
    minF32(n: number, x: number): number {
      const F = f32Of(heap),
        xi = x / 4;
      let m = Infinity;
      for (let i = 0; i < n; i++) m = Math.min(m, F[xi + i]!);
      return m;
    },
    maxF32(n: number, x: number): number {
      const F = f32Of(heap),
        xi = x / 4;
      let m = -Infinity;
      for (let i = 0; i < n; i++) m = Math.max(m, F[xi + i]!);
      return m;
    },
    roundF32(n: number, x: number, y: number): void {
      const H = heap.f64;
      const xi = at(x),
        yi = at(y);
      for (let i = 0; i < n; i++) H[yi + i] = Math.fround(H[xi + i]!);
    },
  };
}
