/**
 * Checked kernel entry points: wrong counts, bad dimensions, misaligned or foreign pointers,
 * and extents that run past their allocation all fail with an ArgumentError naming the
 * argument, before any memory is touched. Also backend selection and kernel overrides.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ArgumentError, BACKENDS, BackendUnavailableError } from "../src/index.js";
import { Kernels, detectBackend, resolveBackend, supportsSimd } from "../src/kernels/index.js";

let k: Kernels;
beforeAll(async () => {
  k = await Kernels.create({ backend: "wasm-simd", memory: { initial: 1 << 20, maximum: 16 << 20 } });
});

function argumentError(fn: () => unknown): ArgumentError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ArgumentError);
    return e as ArgumentError;
  }
  throw new Error("expected an ArgumentError");
}

describe("checked kernels", () => {
  it("reject a wrong number of arguments", () => {
    const x = k.memory.allocF64(4);
    const e = argumentError(() => (k.dot as (...a: number[]) => number)(4, x.ptr));
    expect(e.message).toMatch(/kernel dot: argument 'arguments' must be 3 arguments \(n, x, y\)/);
    x.free();
  });

  it("reject negative, fractional and non-numeric dimensions", () => {
    const x = k.memory.allocF64(4);
    expect(argumentError(() => k.sum(-1, x.ptr)).argument).toBe("n");
    expect(argumentError(() => k.sum(1.5, x.ptr)).argument).toBe("n");
    expect(argumentError(() => k.sum("3" as unknown as number, x.ptr)).message).toMatch(/must be a number; received "3"/);
    x.free();
  });

  it("reject a leading dimension smaller than the column count", () => {
    const a = k.memory.allocF64(12);
    const x = k.memory.allocF64(4);
    const y = k.memory.allocF64(3);
    const e = argumentError(() => k.gemv(3, 4, 1, a.ptr, 3, x.ptr, 0, y.ptr));
    expect(e.argument).toBe("lda");
    expect(e.message).toMatch(/>= 4/);
    [a, x, y].forEach((m) => m.free());
  });

  it("reject flags other than 0 and 1", () => {
    const a = k.memory.allocF64(4);
    const x = k.memory.allocF64(2);
    expect(argumentError(() => k.trsv(2, a.ptr, 2, x.ptr, 2, 0)).argument).toBe("lower");
    [a, x].forEach((m) => m.free());
  });

  it("reject misaligned pointers and pointers outside any live allocation", () => {
    const x = k.memory.allocF64(4);
    expect(argumentError(() => k.sum(2, x.ptr + 4)).message).toMatch(/8-byte-aligned/);
    expect(argumentError(() => k.sum(2, 8)).message).toMatch(/inside a live allocation/);
    const stale = x.ptr;
    x.free();
    expect(argumentError(() => k.sum(2, stale)).argument).toBe("x");
  });

  it("reject an extent that runs past the allocation, and write nothing", () => {
    const x = k.memory.fromF64([1, 2, 3, 4]);
    const y = k.memory.allocF64(3);
    const after = k.memory.fromF64([7, 7]);
    const e = argumentError(() => k.exp(4, x.ptr, y.ptr));
    expect(e.argument).toBe("y");
    expect(e.message).toMatch(/4 float64 elements \(32 bytes\) within its allocation/);
    // an interior pointer whose extent crosses the end
    expect(argumentError(() => k.scal(3, 2, x.ptr + 16)).argument).toBe("x");
    expect(Array.from(after.f64())).toEqual([7, 7]);
    expect(Array.from(x.f64())).toEqual([1, 2, 3, 4]);
    [x, y, after].forEach((m) => m.free());
  });

  it("check matrix extents with the leading dimension, and the gemm scratch size", () => {
    const a = k.memory.allocF64(3 * 5);
    const x = k.memory.allocF64(5);
    const y = k.memory.allocF64(4);
    // 4 rows with lda 5 need (4 - 1) * 5 + 5 = 20 elements; a has 15
    expect(argumentError(() => k.gemv(4, 5, 1, a.ptr, 5, x.ptr, 0, y.ptr)).argument).toBe("a");
    const c = k.memory.allocF64(1);
    const tooSmall = k.memory.allocF64(16);
    expect(argumentError(() => k.gemm(1, 1, 1, 1, a.ptr, 1, x.ptr, 1, 0, c.ptr, 1, tooSmall.ptr)).argument).toBe("scratch");
    [a, x, y, c, tooSmall].forEach((m) => m.free());
  });

  it("accept zero-length calls with any pointer, touching nothing", () => {
    expect(k.sum(0, 0)).toBe(0);
    expect(k.iamax(0, 0)).toBe(-1);
    expect(k.min(0, 0)).toBe(Infinity);
  });

  it("allow exact in-place aliasing for elementwise kernels", () => {
    const values = [0, 1, -1, 2, 0.5, -3, 7];
    const x = k.memory.fromF64(values);
    const y = k.memory.allocF64(values.length);
    k.exp(values.length, x.ptr, y.ptr);
    k.exp(values.length, x.ptr, x.ptr);
    expect(Array.from(x.f64())).toEqual(Array.from(y.f64()));
    [x, y].forEach((m) => m.free());
  });
});

describe("backends", () => {
  it("detect the best backend: wasm-simd where SIMD validates", () => {
    expect(detectBackend()).toBe(supportsSimd() ? "wasm-simd" : "wasm-scalar");
  });

  it("resolve explicit names and reject unknown ones", () => {
    for (const b of BACKENDS) expect(resolveBackend(b)).toBe(b);
    expect(() => resolveBackend("cuda" as never)).toThrow(/argument 'backend' must be one of auto, wasm-simd, wasm-scalar, js/);
  });

  it("honour WEFT_BACKEND for 'auto'", () => {
    const saved = process.env.WEFT_BACKEND;
    try {
      process.env.WEFT_BACKEND = "js";
      expect(resolveBackend("auto")).toBe("js");
      expect(resolveBackend("wasm-scalar")).toBe("wasm-scalar");
      process.env.WEFT_BACKEND = "bogus";
      expect(() => resolveBackend(undefined)).toThrow(/WEFT_BACKEND/);
    } finally {
      if (saved === undefined) delete process.env.WEFT_BACKEND;
      else process.env.WEFT_BACKEND = saved;
    }
  });

  it("report a missing capability as BackendUnavailableError", () => {
    expect(new BackendUnavailableError("x")).toBeInstanceOf(Error);
  });
});

describe("kernels.override", () => {
  it("swaps one kernel, keeps validation in front of it, and restores the original", async () => {
    const kk = await Kernels.create({ backend: "wasm-scalar", memory: { initial: 1 << 20, maximum: 8 << 20 } });
    const x = kk.memory.fromF64([1, 2, 3]);
    let calls = 0;
    kk.override("sum", (n, ptr) => {
      calls++;
      return kk.memory.f64.subarray(ptr / 8, ptr / 8 + n).reduce((a, b) => a + b, 100);
    });
    expect(kk.sum(3, x.ptr)).toBe(106);
    expect(kk.raw.sum(3, x.ptr)).toBe(106);
    expect(calls).toBe(2);
    expect(kk.overridden()).toEqual(["sum"]);
    expect(() => kk.sum(4, x.ptr)).toThrow(ArgumentError); // validated before the override runs
    expect(calls).toBe(2);
    kk.restore("sum");
    expect(kk.sum(3, x.ptr)).toBe(6);
    expect(() => kk.override("nope" as never, (() => 0) as never)).toThrow(/a registered kernel/);
    x.free();
  });
});
