/**
 * Linear algebra and fused GLM kernels against mathematical truth rather than another
 * implementation: L L^T reproduces A, solves leave tiny residuals, a non-PD matrix gets its
 * distinct code, gemm matches the definition, and each family's gradient and Hessian weights
 * match finite differences of its loss. Run on every backend, the js reference included.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, type BackendName } from "../src/index.js";
import { Kernels, GEMM_SCRATCH_ELEMENTS } from "../src/kernels/index.js";
import { normals, rng } from "./helpers/random.js";

const kernels = {} as Record<BackendName, Kernels>;
beforeAll(async () => {
  for (const b of BACKENDS) kernels[b] = await Kernels.create({ backend: b, memory: { initial: 16 << 20, maximum: 512 << 20 } });
});

function spd(n: number, seed: number): Float64Array {
  const b = normals(rng(seed), n * n);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? 0.5 : 0;
      for (let k = 0; k < n; k++) s += (b[i * n + k]! * b[j * n + k]!) / n;
      a[i * n + j] = s;
    }
  }
  return a;
}

describe.each(BACKENDS)("%s", (backend) => {
  it("cholesky factors random SPD matrices: L L^T = A, upper triangle untouched", () => {
    const k = kernels[backend];
    for (const n of [1, 2, 5, 33, 120]) {
      const a = spd(n, n);
      const buf = k.memory.fromF64(a);
      expect(k.cholesky(n, buf.ptr, n)).toBe(0);
      const l = buf.f64();
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          if (j > i) {
            expect(l[i * n + j]).toBe(a[i * n + j]);
            continue;
          }
          let s = 0;
          for (let q = 0; q <= j; q++) s += l[i * n + q]! * l[j * n + q]!;
          expect(Math.abs(s - a[i * n + j]!)).toBeLessThan(1e-12 * (1 + Math.abs(a[i * n + j]!)));
        }
      }
      buf.free();
    }
  });

  it("cholesky returns j + 1 for the first non-positive leading minor", () => {
    const k = kernels[backend];
    // leading 2x2 minor is [[1, 2], [2, 1]]: determinant -3
    const notPd = k.memory.fromF64([1, 2, 0, 2, 1, 0, 0, 0, 1]);
    expect(k.cholesky(3, notPd.ptr, 3)).toBe(2);
    const negative = k.memory.fromF64([-1]);
    expect(k.cholesky(1, negative.ptr, 1)).toBe(1);
    const nan = k.memory.fromF64([4, 0, 0, NaN]);
    expect(k.cholesky(2, nan.ptr, 2)).toBe(2);
    notPd.free();
    negative.free();
    nan.free();
  });

  it("spdSolve leaves a residual at rounding level; on failure b is unchanged", () => {
    const k = kernels[backend];
    const n = 57;
    const a = spd(n, 99);
    const x = normals(rng(5), n);
    const b = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b[i]! += a[i * n + j]! * x[j]!;
    const A = k.memory.fromF64(a);
    const B = k.memory.fromF64(b);
    expect(k.spdSolve(n, A.ptr, n, B.ptr)).toBe(0);
    const solved = B.f64();
    for (let i = 0; i < n; i++) expect(Math.abs(solved[i]! - x[i]!)).toBeLessThan(1e-9);
    const bad = k.memory.fromF64([1, 3, 3, 1]);
    const rhs = k.memory.fromF64([7, 8]);
    expect(k.spdSolve(2, bad.ptr, 2, rhs.ptr)).toBe(2);
    expect(Array.from(rhs.f64())).toEqual([7, 8]);
    [A, B, bad, rhs].forEach((m) => m.free());
  });

  it("trsv solves all four triangular systems", () => {
    const k = kernels[backend];
    const n = 23;
    const random = rng(11);
    const t = normals(random, n * n).map((v) => v / n);
    for (let i = 0; i < n; i++) t[i * n + i] = 1 + random();
    const x = normals(random, n);
    for (const lower of [0, 1]) {
      for (const transpose of [0, 1]) {
        // element (i, j) of op(T), zero outside the chosen triangle
        const op = (i: number, j: number) => {
          const [r, c] = transpose ? [j, i] : [i, j];
          return (lower ? c <= r : c >= r) ? t[r * n + c]! : 0;
        };
        const b = Float64Array.from({ length: n }, (_, i) => x.reduce((s, xj, j) => s + op(i, j) * xj, 0));
        const T = k.memory.fromF64(t);
        const B = k.memory.fromF64(b);
        k.trsv(n, T.ptr, n, B.ptr, lower, transpose);
        B.f64().forEach((v, i) => expect(Math.abs(v - x[i]!), `lower=${lower} transpose=${transpose}`).toBeLessThan(1e-12));
        T.free();
        B.free();
      }
    }
  });

  it("gemm matches the definition across block boundaries", () => {
    const k = kernels[backend];
    const [m, n, kk] = [67, 521, 261];
    const random = rng(3);
    const a = normals(random, m * kk);
    const b = normals(random, kk * n);
    const c = normals(random, m * n);
    const [A, B, C, S] = [k.memory.fromF64(a), k.memory.fromF64(b), k.memory.fromF64(c), k.memory.allocF64(GEMM_SCRATCH_ELEMENTS)];
    k.gemm(m, n, kk, 0.5, A.ptr, kk, B.ptr, n, -2, C.ptr, n, S.ptr);
    const out = C.f64();
    for (const [i, j] of [
      [0, 0],
      [66, 520],
      [33, 257],
      [64, 512],
      [3, 4],
    ] as const) {
      let s = 0;
      for (let q = 0; q < kk; q++) s += a[i * kk + q]! * b[q * n + j]!;
      expect(Math.abs(out[i * n + j]! - (0.5 * s - 2 * c[i * n + j]!))).toBeLessThan(1e-11);
    }
    [A, B, C, S].forEach((x) => x.free());
  });

  it.each(["Logistic", "Normal", "Poisson"] as const)(
    "the %s gradient and Hessian weights match finite differences of the loss",
    (family) => {
      const k = kernels[backend];
      const [n, p] = [37, 5];
      const random = rng(17);
      const x = normals(random, n * p);
      const w = normals(random, p).map((v) => v * 0.3);
      const y = Float64Array.from({ length: n }, () =>
        family === "Logistic" ? Number(random() < 0.5) : family === "Poisson" ? Math.floor(3 * random()) : random(),
      );
      const b0 = 0.2;
      const [X, Y, W, G, D] = [
        k.memory.fromF64(x),
        k.memory.fromF64(y),
        k.memory.fromF64(w),
        k.memory.allocF64(p + 1),
        k.memory.allocF64(n),
      ];
      const lossGrad = k[`glm${family}LossGrad`];
      const loss = (ww: Float64Array, bb: number) => {
        W.f64().set(ww);
        return k[`glm${family}Loss`](n, p, X.ptr, p, Y.ptr, W.ptr, bb);
      };
      const f0 = lossGrad(n, p, X.ptr, p, Y.ptr, W.ptr, b0, G.ptr);
      const grad = G.f64().slice();
      expect(f0).toBeCloseTo(loss(w, b0), 10);
      const h = 1e-6;
      for (let j = 0; j <= p; j++) {
        const plus = w.slice();
        const minus = w.slice();
        let bPlus = b0;
        let bMinus = b0;
        if (j < p) {
          plus[j]! += h;
          minus[j]! -= h;
        } else {
          bPlus += h;
          bMinus -= h;
        }
        const numeric = (loss(plus, bPlus) - loss(minus, bMinus)) / (2 * h);
        expect(Math.abs(grad[j]! - numeric)).toBeLessThan(1e-5 * (1 + Math.abs(numeric)));
      }
      // d_i is the second derivative of row i's loss in eta: check it on row 0 alone
      W.f64().set(w);
      k[`glm${family}Weights`](n, p, X.ptr, p, W.ptr, b0, D.ptr);
      const eta0 = x.slice(0, p).reduce((s, v, j) => s + v * w[j]!, b0);
      const rowLoss = (eta: number) => {
        const single = k.memory.fromF64([eta]);
        const one = k.memory.fromF64([1]);
        const zero = k.memory.fromF64([0]);
        const yy = k.memory.fromF64([y[0]!]);
        const v = k[`glm${family}Loss`](1, 1, single.ptr, 1, yy.ptr, one.ptr, 0);
        [single, one, zero, yy].forEach((m) => m.free());
        return v;
      };
      const e = 1e-4;
      const second = (rowLoss(eta0 + e) - 2 * rowLoss(eta0) + rowLoss(eta0 - e)) / (e * e);
      expect(Math.abs(D.f64()[0]! - second)).toBeLessThan(1e-5 * (1 + Math.abs(second)));
      [X, Y, W, G, D].forEach((m) => m.free());
    },
  );
});

describe.each(BACKENDS)("%s GLM kernels at extreme linear predictors", (backend) => {
  it("stay finite and agree with the exact limits for |eta| up to 800", () => {
    const k = kernels[backend];
    // one feature equal to 1: eta_i = w + b0 = x_i
    const etas = [-800, -745, -709, -40, -1e-9, 0, 1e-9, 40, 709, 745, 800];
    const n = etas.length;
    const X = k.memory.fromF64(etas);
    const one = k.memory.fromF64([1]);
    for (const yValue of [0, 1]) {
      const Y = k.memory.fromF64(etas.map(() => yValue));
      const G = k.memory.allocF64(2);
      const loss = k.glmLogisticLossGrad(n, 1, X.ptr, 1, Y.ptr, one.ptr, 0, G.ptr);
      // exact: sum of softplus(eta) - y eta, and sum of (sigmoid(eta) - y) * eta
      const softplus = (e: number) => Math.max(e, 0) + Math.log1p(Math.exp(-Math.abs(e)));
      const sigmoid = (e: number) => (e >= 0 ? 1 / (1 + Math.exp(-e)) : Math.exp(e) / (1 + Math.exp(e)));
      const wantLoss = etas.reduce((s, e) => s + softplus(e) - yValue * e, 0);
      const wantGrad = etas.reduce((s, e) => s + (sigmoid(e) - yValue) * e, 0);
      const wantSum = etas.reduce((s, e) => s + sigmoid(e) - yValue, 0);
      expect(Math.abs(loss - wantLoss)).toBeLessThan(1e-12 * Math.max(1, Math.abs(wantLoss)));
      const [g, g0] = G.f64();
      expect(Math.abs(g! - wantGrad)).toBeLessThan(1e-12 * Math.max(1, Math.abs(wantGrad)));
      expect(Math.abs(g0! - wantSum)).toBeLessThan(1e-12 * Math.max(1, Math.abs(wantSum)));
      const D = k.memory.allocF64(n);
      k.glmLogisticWeights(n, 1, X.ptr, 1, one.ptr, 0, D.ptr);
      D.f64().forEach((d, i) => {
        // mu (1 - mu) without cancellation; exp(-708) is the floor the fast exp documents
        const t = Math.exp(-Math.abs(etas[i]!));
        const want = t / (1 + t) / (1 + t);
        expect(Math.abs(d - want), `eta = ${etas[i]}`).toBeLessThanOrEqual(Math.max(4e-308, 1e-15 * want));
      });
      [Y, G, D].forEach((m) => m.free());
    }
    [X, one].forEach((m) => m.free());
  });
});
