/** The weft command line, run in-process: output, JSON shape and exit codes. */
import { describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { DEFAULT_MAXIMUM_BYTES, VERSION } from "../src/index.js";

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("weft info", () => {
  it("--json prints exactly one object with the documented fields", async () => {
    const { code, out, err } = await run("info", "--json");
    expect(code).toBe(0);
    expect(err).toBe("");
    const info = JSON.parse(out);
    expect(Object.keys(info).sort()).toEqual(["backend", "memoryMaxBytes", "simd", "threads", "version"]);
    expect(info.version).toBe(VERSION);
    expect(["wasm-simd", "wasm-scalar", "js"]).toContain(info.backend);
    expect(typeof info.simd).toBe("boolean");
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(info.memoryMaxBytes).toBe(DEFAULT_MAXIMUM_BYTES);
  });

  it("prints a readable summary, and honours --backend", async () => {
    const { code, out } = await run("info", "--backend", "wasm-scalar");
    expect(code).toBe(0);
    expect(out).toMatch(/^weft \d+\.\d+\.\d+/);
    expect(out).toMatch(/backend\s+wasm-scalar/);
  });
});

describe("exit codes", () => {
  it("2 for an unknown command, option or choice, with one line saying what is wrong", async () => {
    expect((await run("frobnicate")).code).toBe(2);
    expect((await run("info", "--nope")).code).toBe(2);
    const bad = await run("info", "--backend", "cuda");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/Allowed choices are auto, wasm-simd, wasm-scalar, js/);
    const suite = await run("bench", "nonsense", "--quiet");
    expect(suite.code).toBe(2);
    expect(suite.err).toMatch(/argument .SUITE. must be one of kernels, graph/);
  });

  it("0 for --help and --version", async () => {
    expect((await run("--help")).code).toBe(0);
    const version = await run("--version");
    expect(version.code).toBe(0);
    expect(version.out).toBe(VERSION);
  });
});

describe("weft bench kernels", () => {
  it("--json reports the stream bandwidth and one row per kernel and backend", async () => {
    const { code, out } = await run("bench", "kernels", "--quick", "--json", "--quiet", "--only", "dot,gemm", "--backends", "wasm-simd,js");
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.streamGBs).toBeGreaterThan(0);
    expect(report.results.map((r: { kernel: string; backend: string }) => `${r.kernel}/${r.backend}`)).toEqual([
      "dot/wasm-simd", "gemm/wasm-simd", "dot/js", "gemm/js",
    ]);
    for (const r of report.results) {
      expect(Object.keys(r).sort()).toEqual(["GBs", "GFLOPs", "backend", "kernel", "ms", "n", "p", "streamGBs"]);
      expect(r.ms).toBeGreaterThan(0);
    }
  }, 120_000);
});

describe("weft bench graph", () => {
  it("--json reports task counts per pass and times per 1,000 tasks", async () => {
    const { code, out } = await run("bench", "graph", "--quick", "--json", "--no-python");
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.dask).toEqual({ missing: "skipped (--no-python)" });
    expect(report.results.map((r: { chunks: number }) => r.chunks)).toEqual([100, 1000]);
    const r = report.results[1];
    expect(r.tasks).toMatchObject({ materialized: 5033, fusedLinear: 4033, fused: 1033, blockwise: 1033 });
    expect(r.planTasks).toBe(1033);
    for (const ms of Object.values(r.msPer1000Tasks)) expect(ms).toBeGreaterThan(0);
  }, 120_000);
});

describe("weft bench overhead", () => {
  it("--json reports us per task for each executor and the iteration overhead", async () => {
    const { code, out } = await run("bench", "overhead", "--quick", "--json", "--no-python", "--quiet");
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.tasks).toBe(10_000);
    for (const executor of ["sync", "threadsUnbatched", "threadsBatched", "piscina"]) {
      expect(report.usPerTask[executor]).toBeGreaterThan(0);
      for (const shape of ["chain", "map"]) expect(report.usPerTaskByShape[shape][executor]).toBeGreaterThan(0);
    }
    expect(report.roundTripUs).toBeGreaterThan(0);
    expect(typeof report.iterationOverheadMs).toBe("number");
    expect(report.iteration.tasksPerIteration).toBeGreaterThan(1);
    expect(report.dask).toEqual({ missing: "skipped (--no-python)" });
  }, 120_000);
});

describe("weft bench array", () => {
  it("--json reports the expression fused, unfused and in plain JS beside the stream, and the GLM gradient", async () => {
    const { code, out } = await run("bench", "array", "--quick", "--json", "--no-python", "--quiet");
    expect(code).toBe(0);
    const r = JSON.parse(out);
    expect(r.expression.values).toBe(1_000_000);
    for (const k of ["stream", "fused", "unfused", "jsLoop"]) expect(r.expression.GBs[k]).toBeGreaterThan(0);
    expect(r.expression.tasks.unfused).toBeGreaterThan(r.expression.tasks.fused);
    expect(r.gradient.tasks.fused).toBeLessThan(r.gradient.tasks.twoPass);
    expect(r.gradient.ms.fused).toBeGreaterThan(0);
    expect(r.reference).toEqual({ missing: "skipped (--no-python)" });
  }, 120_000);
});

describe("weft bench glm", () => {
  it("--json reports every solver's time, iterations and objective, and the gradient-descent profile", async () => {
    const { code, out } = await run("bench", "glm", "--quick", "--json", "--no-python", "--quiet");
    expect(code).toBe(0);
    const r = JSON.parse(out);
    const solvers = r.results.map((x: { solver: string }) => x.solver);
    expect(solvers).toEqual(["lbfgs", "newton", "gradient_descent", "proximal_grad", "admm"]);
    for (const x of r.results) {
      expect(Object.keys(x)).toEqual(expect.arrayContaining(["solver", "rows", "cols", "seconds", "nIter", "objective"]));
      expect(x.seconds).toBeGreaterThan(0);
    }
    // the smooth solvers reach the same optimum
    const objectives = r.results.filter((x: { solver: string }) => x.solver !== "admm").map((x: { objective: number }) => x.objective);
    for (const o of objectives) expect(Math.abs(o - objectives[0]) / objectives[0]).toBeLessThan(1e-7);
    expect(r.gradientDescentProfile).toHaveLength(2);
    expect(r.gradientDescentProfile[1].tasksPerIteration).toBeLessThan(r.gradientDescentProfile[0].tasksPerIteration);
  }, 180_000);
});

describe("weft bench selection", () => {
  it("--json reports grid search against one-by-one fits and the best lambda of each", async () => {
    const { code, out } = await run("bench", "selection", "--quick", "--json", "--quiet");
    expect(code).toBe(0);
    const r = JSON.parse(out);
    expect(r.lambdas).toHaveLength(10);
    expect(r.folds).toBe(5);
    expect(r.seconds.gridSearch).toBeGreaterThan(0);
    expect(r.bestLambda.gridSearch).toBe(r.bestLambda.oneByOne);
  }, 180_000);
});
