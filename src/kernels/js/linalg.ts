/** Cholesky, triangular solves and the SPD solve in plain TypeScript (row-major, in place). */
import { at, type Heap } from "./heap.js";

export function linalgKernels(heap: Heap) {
  const cholesky = (n: number, a: number, lda: number): number => {
    const H = heap.f64,
      A = at(a);
    for (let j = 0; j < n; j++) {
      let d = H[A + j * lda + j]!;
      for (let k = 0; k < j; k++) d -= H[A + j * lda + k]! ** 2;
      if (!(d > 0)) return j + 1;
      const ljj = Math.sqrt(d);
      H[A + j * lda + j] = ljj;
      for (let i = j + 1; i < n; i++) {
        let s = H[A + i * lda + j]!;
        for (let k = 0; k < j; k++) s -= H[A + i * lda + k]! * H[A + j * lda + k]!;
        H[A + i * lda + j] = s / ljj;
      }
    }
    return 0;
  };

  const trsv = (n: number, a: number, lda: number, x: number, lower: number, transpose: number): void => {
    const H = heap.f64,
      A = at(a),
      X = at(x);
    // element (i, k) of op(T)
    const t = (i: number, k: number) => (transpose ? H[A + k * lda + i]! : H[A + i * lda + k]!);
    const forward = (lower !== 0) !== (transpose !== 0);
    if (forward) {
      for (let i = 0; i < n; i++) {
        let s = H[X + i]!;
        for (let k = 0; k < i; k++) s -= t(i, k) * H[X + k]!;
        H[X + i] = s / t(i, i);
      }
    } else {
      for (let i = n - 1; i >= 0; i--) {
        let s = H[X + i]!;
        for (let k = i + 1; k < n; k++) s -= t(i, k) * H[X + k]!;
        H[X + i] = s / t(i, i);
      }
    }
  };

  return {
    cholesky,
    trsv,
    spdSolve(n: number, a: number, lda: number, b: number): number {
      const info = cholesky(n, a, lda);
      if (info !== 0) return info;
      trsv(n, a, lda, b, 1, 0);
      trsv(n, a, lda, b, 1, 1);
      return 0;
    },
  };
}
