/**
 * Elementwise kernels and reductions in plain TypeScript, on Math's functions and the scalar math
 * of ../scalar-math.ts (one number at a time): the reference. Each kernel is its own loop (not one
 * generic loop calling a function per op): V8 then inlines the op, so the js backend is as fast
 * as plain TypeScript gets, and comparisons with it are fair.
 */
import { logSigmoid, sigmoid } from "../scalar-math.js";
import { at, type Heap } from "./heap.js";

export function elementwiseKernels(heap: Heap) {
  return {
    neg(n: number, x: number, y: number): void {
      const H = heap.f64,
        xi = at(x),
        yi = at(y);
      for (let i = 0; i < n; i++) {
        const v = H[xi + i]!;
        H[yi + i] = -v;
      }
    },
    abs(n: number, x: number, y: number): void {
      const H = heap.f64,
        xi = at(x),
        yi = at(y);
      for (let i = 0; i < n; i++) {
        const v = H[xi + i]!;
        H[yi + i] = Math.abs(v);
      }
    },
    exp(n: number, x: number, y: number): void {
      const H = heap.f64,
        xi = at(x),
        yi = at(y);
      for (let i = 0; i < n; i++) {
        const v = H[xi + i]!;
        H[yi + i] = Math.exp(v);
      }
    },
    log(n: number, x: number, y: number): void {
      const H = heap.f64,
        xi = at(x),
        yi = at(y);
      for (let i = 0; i < n; i++) {
        const v = H[xi + i]!;
        H[yi + i] = Math.log(v);
      }
    },
    log1p(n: number, x: number, y: number): void {
      const H = heap.f64,
        xi = at(x),
        yi = at(y);
      for (let i = 0; i < n; i++) {
        const v = H[xi + i]!;
        H[yi + i] = Math.log1p(v);
      }
    },
    expm1(n: number, x: number, y: number): void {
      const H = heap.f64,
        xi = at(x),
        yi = at(y);
      for (let i = 0; i < n; i++) {
        const v = H[xi + i]!;
        H[yi + i] = Math.expm1(v);
      }
    },
    sqrt(n: number, x: number, y: number): void {
      const H = heap.f64,
        xi = at(x),
        yi = at(y);
      for (let i = 0; i < n; i++) {
        const v = H[xi + i]!;
        H[yi + i] = Math.sqrt(v);
      }
    },
    reciprocal(n: number, x: number, y: number): void {
      const H = heap.f64,
        xi = at(x),
        yi = at(y);
      for (let i = 0; i < n; i++) {
        const v = H[xi + i]!;
        H[yi + i] = 1 / v;
      }
    },
    square(n: number, x: number, y: number): void {
      const H = heap.f64,
        xi = at(x),
        yi = at(y);
      for (let i = 0; i < n; i++) {
        const v = H[xi + i]!;
        H[yi + i] = v * v;
      }
    },
    sigmoid(n: number, x: number, y: number): void {
      const H = heap.f64,
        xi = at(x),
        yi = at(y);
      for (let i = 0; i < n; i++) {
        const v = H[xi + i]!;
        H[yi + i] = sigmoid(v);
      }
    },
    logSigmoid(n: number, x: number, y: number): void {
      const H = heap.f64,
        xi = at(x),
        yi = at(y);
      for (let i = 0; i < n; i++) {
        const v = H[xi + i]!;
        H[yi + i] = logSigmoid(v);
      }
    },
    tanh(n: number, x: number, y: number): void {
      const H = heap.f64,
        xi = at(x),
        yi = at(y);
      for (let i = 0; i < n; i++) {
        const v = H[xi + i]!;
        H[yi + i] = Math.tanh(v);
      }
    },
    addVV(n: number, x: number, y: number, z: number): void {
      const H = heap.f64,
        xi = at(x),
        yi = at(y),
        zi = at(z);
      for (let i = 0; i < n; i++) {
        const a = H[xi + i]!,
          b = H[yi + i]!;
        H[zi + i] = a + b;
      }
    },
    addVS(n: number, x: number, s: number, z: number): void {
      const H = heap.f64,
        xi = at(x),
        zi = at(z),
        b = s;
      for (let i = 0; i < n; i++) {
        const a = H[xi + i]!;
        H[zi + i] = a + b;
      }
    },
    addSV(n: number, s: number, x: number, z: number): void {
      const H = heap.f64,
        xi = at(x),
        zi = at(z),
        a = s;
      for (let i = 0; i < n; i++) {
        const b = H[xi + i]!;
        H[zi + i] = a + b;
      }
    },
    subVV(n: number, x: number, y: number, z: number): void {
      const H = heap.f64,
        xi = at(x),
        yi = at(y),
        zi = at(z);
      for (let i = 0; i < n; i++) {
        const a = H[xi + i]!,
          b = H[yi + i]!;
        H[zi + i] = a - b;
      }
    },
    subVS(n: number, x: number, s: number, z: number): void {
      const H = heap.f64,
        xi = at(x),
        zi = at(z),
        b = s;
      for (let i = 0; i < n; i++) {
        const a = H[xi + i]!;
        H[zi + i] = a - b;
      }
    },
    subSV(n: number, s: number, x: number, z: number): void {
      const H = heap.f64,
        xi = at(x),
        zi = at(z),
        a = s;
      for (let i = 0; i < n; i++) {
        const b = H[xi + i]!;
        H[zi + i] = a - b;
      }
    },
    mulVV(n: number, x: number, y: number, z: number): void {
      const H = heap.f64,
        xi = at(x),
        yi = at(y),
        zi = at(z);
      for (let i = 0; i < n; i++) {
        const a = H[xi + i]!,
          b = H[yi + i]!;
        H[zi + i] = a * b;
      }
    },
    mulVS(n: number, x: number, s: number, z: number): void {
      const H = heap.f64,
        xi = at(x),
        zi = at(z),
        b = s;
      for (let i = 0; i < n; i++) {
        const a = H[xi + i]!;
        H[zi + i] = a * b;
      }
    },
    mulSV(n: number, s: number, x: number, z: number): void {
      const H = heap.f64,
        xi = at(x),
        zi = at(z),
        a = s;
      for (let i = 0; i < n; i++) {
        const b = H[xi + i]!;
        H[zi + i] = a * b;
      }
    },
    divVV(n: number, x: number, y: number, z: number): void {
      const H = heap.f64,
        xi = at(x),
        yi = at(y),
        zi = at(z);
      for (let i = 0; i < n; i++) {
        const a = H[xi + i]!,
          b = H[yi + i]!;
        H[zi + i] = a / b;
      }
    },
    divVS(n: number, x: number, s: number, z: number): void {
      const H = heap.f64,
        xi = at(x),
        zi = at(z),
        b = s;
      for (let i = 0; i < n; i++) {
        const a = H[xi + i]!;
        H[zi + i] = a / b;
      }
    },
    divSV(n: number, s: number, x: number, z: number): void {
      const H = heap.f64,
        xi = at(x),
        zi = at(z),
        a = s;
      for (let i = 0; i < n; i++) {
        const b = H[xi + i]!;
        H[zi + i] = a / b;
      }
    },
    powVV(n: number, x: number, y: number, z: number): void {
      const H = heap.f64,
        xi = at(x),
        yi = at(y),
        zi = at(z);
      for (let i = 0; i < n; i++) {
        const a = H[xi + i]!,
          b = H[yi + i]!;
        H[zi + i] = a ** b;
      }
    },
    powVS(n: number, x: number, s: number, z: number): void {
      const H = heap.f64,
        xi = at(x),
        zi = at(z),
        b = s;
      for (let i = 0; i < n; i++) {
        const a = H[xi + i]!;
        H[zi + i] = a ** b;
      }
    },
    powSV(n: number, s: number, x: number, z: number): void {
      const H = heap.f64,
        xi = at(x),
        zi = at(z),
        a = s;
      for (let i = 0; i < n; i++) {
        const b = H[xi + i]!;
        H[zi + i] = a ** b;
      }
    },
    minVV(n: number, x: number, y: number, z: number): void {
      const H = heap.f64,
        xi = at(x),
        yi = at(y),
        zi = at(z);
      for (let i = 0; i < n; i++) {
        const a = H[xi + i]!,
          b = H[yi + i]!;
        H[zi + i] = Math.min(a, b);
      }
    },
    minVS(n: number, x: number, s: number, z: number): void {
      const H = heap.f64,
        xi = at(x),
        zi = at(z),
        b = s;
      for (let i = 0; i < n; i++) {
        const a = H[xi + i]!;
        H[zi + i] = Math.min(a, b);
      }
    },
    minSV(n: number, s: number, x: number, z: number): void {
      const H = heap.f64,
        xi = at(x),
        zi = at(z),
        a = s;
      for (let i = 0; i < n; i++) {
        const b = H[xi + i]!;
        H[zi + i] = Math.min(a, b);
      }
    },
    maxVV(n: number, x: number, y: number, z: number): void {
      const H = heap.f64,
        xi = at(x),
        yi = at(y),
        zi = at(z);
      for (let i = 0; i < n; i++) {
        const a = H[xi + i]!,
          b = H[yi + i]!;
        H[zi + i] = Math.max(a, b);
      }
    },
    maxVS(n: number, x: number, s: number, z: number): void {
      const H = heap.f64,
        xi = at(x),
        zi = at(z),
        b = s;
      for (let i = 0; i < n; i++) {
        const a = H[xi + i]!;
        H[zi + i] = Math.max(a, b);
      }
    },
    maxSV(n: number, s: number, x: number, z: number): void {
      const H = heap.f64,
        xi = at(x),
        zi = at(z),
        a = s;
      for (let i = 0; i < n; i++) {
        const b = H[xi + i]!;
        H[zi + i] = Math.max(a, b);
      }
    },
    sum(n: number, x: number): number {
      const H = heap.f64,
        xi = at(x);
      let s = 0;
      for (let i = 0; i < n; i++) s += H[xi + i]!;
      return s;
    },
    sumSquares(n: number, x: number): number {
      const H = heap.f64,
        xi = at(x);
      let s = 0;
      for (let i = 0; i < n; i++) s += H[xi + i]! * H[xi + i]!;
      return s;
    },
    min(n: number, x: number): number {
      const H = heap.f64,
        xi = at(x);
      let m = Infinity;
      for (let i = 0; i < n; i++) m = Math.min(m, H[xi + i]!);
      return m;
    },
    max(n: number, x: number): number {
      const H = heap.f64,
        xi = at(x);
      let m = -Infinity;
      for (let i = 0; i < n; i++) m = Math.max(m, H[xi + i]!);
      return m;
    },
    rowSums(m: number, n: number, a: number, lda: number, out: number): void {
      const H = heap.f64,
        ai = at(a),
        oi = at(out);
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += H[ai + i * lda + j]!;
        H[oi + i] = s;
      }
    },
    rowMins(m: number, n: number, a: number, lda: number, out: number): void {
      const H = heap.f64,
        ai = at(a),
        oi = at(out);
      for (let i = 0; i < m; i++) {
        let v = Infinity;
        for (let j = 0; j < n; j++) v = Math.min(v, H[ai + i * lda + j]!);
        H[oi + i] = v;
      }
    },
    rowMaxs(m: number, n: number, a: number, lda: number, out: number): void {
      const H = heap.f64,
        ai = at(a),
        oi = at(out);
      for (let i = 0; i < m; i++) {
        let v = -Infinity;
        for (let j = 0; j < n; j++) v = Math.max(v, H[ai + i * lda + j]!);
        H[oi + i] = v;
      }
    },
    colSums(m: number, n: number, a: number, lda: number, out: number): void {
      const H = heap.f64,
        ai = at(a),
        oi = at(out);
      H.fill(0, oi, oi + n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) H[oi + j] = H[oi + j]! + H[ai + i * lda + j]!;
    },
  };
}
