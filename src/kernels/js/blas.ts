/**
 * BLAS 1-3 in plain TypeScript: the reference every wasm kernel is tested against, and the
 * fallback where WebAssembly is unavailable. Written for clarity first: one accumulator, the
 * textbook loop order, the same conventions (beta = 0 never reads the output).
 */
import { at, type Heap } from "./heap.js";

export function blasKernels(heap: Heap) {
  const dot = (n: number, x: number, y: number): number => {
    const H = heap.f64,
      xi = at(x),
      yi = at(y);
    let s = 0;
    for (let i = 0; i < n; i++) s += H[xi + i]! * H[yi + i]!;
    return s;
  };

  const scaleRow = (H: Float64Array, start: number, n: number, beta: number): void => {
    if (beta === 0) H.fill(0, start, start + n);
    else if (beta !== 1) for (let j = 0; j < n; j++) H[start + j] = H[start + j]! * beta;
  };

  return {
    dot,
    axpy(n: number, a: number, x: number, y: number): void {
      const H = heap.f64,
        xi = at(x),
        yi = at(y);
      for (let i = 0; i < n; i++) H[yi + i] = H[yi + i]! + a * H[xi + i]!;
    },
    scal(n: number, a: number, x: number): void {
      const H = heap.f64,
        xi = at(x);
      for (let i = 0; i < n; i++) H[xi + i] = H[xi + i]! * a;
    },
    copy(n: number, x: number, y: number): void {
      const H = heap.f64;
      H.copyWithin(at(y), at(x), at(x) + n);
    },
    nrm2(n: number, x: number): number {
      const H = heap.f64,
        xi = at(x);
      let ss = 0;
      for (let i = 0; i < n; i++) ss += H[xi + i]! * H[xi + i]!;
      if (Number.isNaN(ss)) return ss;
      if (ss < Infinity && ss > 1e-290) return Math.sqrt(ss);
      let amax = 0;
      for (let i = 0; i < n; i++) amax = Math.max(amax, Math.abs(H[xi + i]!));
      if (amax === 0 || amax === Infinity) return amax;
      let scaled = 0;
      for (let i = 0; i < n; i++) scaled += (H[xi + i]! / amax) ** 2;
      return amax * Math.sqrt(scaled);
    },
    asum(n: number, x: number): number {
      const H = heap.f64,
        xi = at(x);
      let s = 0;
      for (let i = 0; i < n; i++) s += Math.abs(H[xi + i]!);
      return s;
    },
    iamax(n: number, x: number): number {
      const H = heap.f64,
        xi = at(x);
      let best = -1;
      let bestAbs = -1;
      for (let i = 0; i < n; i++) {
        const a = Math.abs(H[xi + i]!);
        if (Number.isNaN(a)) return i;
        if (a > bestAbs) {
          bestAbs = a;
          best = i;
        }
      }
      return best;
    },
    gemv(m: number, n: number, alpha: number, a: number, lda: number, x: number, beta: number, y: number): void {
      const H = heap.f64,
        yi = at(y);
      for (let i = 0; i < m; i++) {
        const s = alpha * dot(n, a + i * lda * 8, x);
        H[yi + i] = beta === 0 ? s : s + beta * H[yi + i]!;
      }
    },
    gemvT(m: number, n: number, alpha: number, a: number, lda: number, x: number, beta: number, y: number): void {
      const H = heap.f64,
        ai = at(a),
        xi = at(x),
        yi = at(y);
      scaleRow(H, yi, n, beta);
      for (let i = 0; i < m; i++) {
        const c = alpha * H[xi + i]!;
        for (let j = 0; j < n; j++) H[yi + j] = H[yi + j]! + c * H[ai + i * lda + j]!;
      }
    },
    gemm(
      m: number,
      n: number,
      k: number,
      alpha: number,
      a: number,
      lda: number,
      b: number,
      ldb: number,
      beta: number,
      c: number,
      ldc: number,
      _scratch: number,
    ): void {
      const H = heap.f64,
        ai = at(a),
        bi = at(b),
        ci = at(c);
      for (let i = 0; i < m; i++) scaleRow(H, ci + i * ldc, n, beta);
      if (k === 0 || alpha === 0) return;
      for (let i = 0; i < m; i++) {
        for (let p = 0; p < k; p++) {
          const aip = alpha * H[ai + i * lda + p]!;
          for (let j = 0; j < n; j++) H[ci + i * ldc + j] = H[ci + i * ldc + j]! + aip * H[bi + p * ldb + j]!;
        }
      }
    },
    gram(m: number, n: number, x: number, ldx: number, beta: number, c: number, ldc: number): void {
      gramInto(heap.f64, m, n, at(x), ldx, -1, beta, at(c), ldc);
    },
    gramWeighted(m: number, n: number, x: number, ldx: number, d: number, beta: number, c: number, ldc: number): void {
      gramInto(heap.f64, m, n, at(x), ldx, at(d), beta, at(c), ldc);
    },
  };

  /** Upper triangle of beta C + sum_i d_i x_i x_i^T (d_i = 1 when di < 0), mirrored below. */
  function gramInto(
    H: Float64Array,
    m: number,
    n: number,
    xi: number,
    ldx: number,
    di: number,
    beta: number,
    ci: number,
    ldc: number,
  ): void {
    for (let j = 0; j < n; j++) scaleRow(H, ci + j * ldc, n, beta);
    for (let i = 0; i < m; i++) {
      const w = di < 0 ? 1 : H[di + i]!;
      for (let j = 0; j < n; j++) {
        const c = w * H[xi + i * ldx + j]!;
        for (let q = j; q < n; q++) H[ci + j * ldc + q] = H[ci + j * ldc + q]! + c * H[xi + i * ldx + q]!;
      }
    }
    for (let j = 0; j < n; j++) for (let q = j + 1; q < n; q++) H[ci + q * ldc + j] = H[ci + j * ldc + q]!;
  }
}
