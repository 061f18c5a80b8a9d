/** The weft command line, run in-process: output, JSON shape and exit codes. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type * as BenchModule from "../bench/index.js";
import type { BenchEntry } from "../src/cli/bench.js";
import { main } from "../src/cli/main.js";
import { VERSION } from "../src/index.js";
import { DEFAULT_MAXIMUM_BYTES } from "../src/memory/index.js";

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
    // read from weft's own package.json, found by its `weft` command, whatever npm name it has
    expect(VERSION).toBe(JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version);
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

// The CLI sees weftjs/bench through its own BenchEntry type (the library is built before the
// bench): this line fails to type-check (npm test runs tsc on the tests) when the two drift apart.
export const benchEntryMatches = (bench: typeof BenchModule): BenchEntry => bench;

describe("weft bench", () => {
  it("offers exactly the suites of the bench entry (weftjs/bench), which it loads through the package's name", async () => {
    const { SUITES, loadBench } = await import("../src/cli/bench.js");
    const bench = await loadBench();
    expect([...bench.SUITES]).toEqual([...SUITES]);
  });
});

describe("weft bench kernels", () => {
  it("--json reports the stream bandwidth and one row per kernel and backend", async () => {
    const { code, out } = await run("bench", "kernels", "--quick", "--json", "--quiet", "--only", "dot,gemm", "--backends", "wasm-simd,js");
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.streamGBs).toBeGreaterThan(0);
    // dot runs twice per backend: on operands far larger than the caches, and resident in cache
    expect(report.results.map((r: { kernel: string; backend: string; where: string }) => `${r.kernel}/${r.backend}/${r.where}`)).toEqual([
      "dot/wasm-simd/memory",
      "dot/wasm-simd/cache",
      "gemm/wasm-simd/memory",
      "dot/js/memory",
      "dot/js/cache",
      "gemm/js/memory",
    ]);
    for (const r of report.results) {
      expect(Object.keys(r).sort()).toEqual(["GBs", "GFLOPs", "backend", "kernel", "ms", "n", "p", "streamGBs", "where"]);
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

describe("weft profile --script", () => {
  it("draws the task stream of a script's computations on the default runtime, and will not overwrite the script", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-profile-script-"));
    try {
      const script = join(dir, "loop.mjs");
      // the copy of weft the CLI runs (here: the sources, as the tests load them); a script
      // importing another copy has another default runtime, which the CLI does not see
      const index = new URL("../src/index.ts", import.meta.url).href;
      writeFileSync(
        script,
        [
          `import { array } from ${JSON.stringify(index)};`,
          "const x = await array.arange(2000, { chunks: 100 }).persist();",
          "for (let i = 0; i < 5; i++) await x.mul(i).sum().compute();",
        ].join("\n"),
      );
      const page = join(dir, "loop.html");
      const { code, out } = await run("profile", "--script", script, "--out", page);
      expect(code).toBe(0);
      expect(out).toMatch(/loop\.mjs: 6 runs/); // the persist and five computes
      expect(readFileSync(page, "utf8")).toContain("<svg");
      const clobber = await run("profile", "--script", script, "--out", script);
      expect(clobber.code).toBe(2);
      expect(clobber.err).toMatch(/--out.*other than the inputs.*loop\.mjs/);
      expect(readFileSync(script, "utf8")).toContain("persist()");
      expect((await run("profile", "glm", "--script", script, "--out", page)).code).toBe(2);
      expect((await run("profile", "--script", join(dir, "missing.mjs"), "--out", page)).code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("weft bench all", () => {
  // One quick run of every suite (the acceptance of the overhead report): it completes, writes
  // REPORT.md, the charts and the raw JSON of each suite, and each suite's JSON has its contract.
  const dir = mkdtempSync(join(tmpdir(), "weft-bench-all-"));
  const raw: Record<string, any> = {};
  let report = "";
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("--quick writes a well-formed report, its charts and the raw JSON of every suite", async () => {
    const { code, out, err } = await run("bench", "all", "--quick", "--no-python", "--quiet", "--json", "--out", dir);
    expect(err).toBe("");
    expect(code).toBe(0);
    const written = JSON.parse(out);
    expect(written.report).toBe(join(dir, "REPORT.md"));
    for (const suite of ["kernels", "graph", "overhead", "array", "fresh", "glm", "selection", "peers", "ideas"]) {
      expect(written.files).toContain(`raw/${suite}.json`);
      raw[suite] = JSON.parse(readFileSync(join(dir, "raw", `${suite}.json`), "utf8"));
    }
    report = readFileSync(join(dir, "REPORT.md"), "utf8");
    for (const heading of [
      "# weft benchmark report",
      "## What each idea is worth",
      "### The task stream, naive and weft",
      "## A user's own loop: a new graph every time",
      "## The logistic gradient against its peers",
      "## GLM solvers",
      "## Fused array expressions",
      "## Scheduling overhead",
      "## Graph optimization",
      "## Model selection",
      "## Kernels, one thread",
    ]) {
      expect(report).toContain(heading);
    }
    expect(report).not.toMatch(/NaN|undefined|Infinity|\[object/);
    expect(report).toMatch(/CPU \| .+\|/);
    expect(report).toMatch(/Node \| v\d+/);
    // Python was skipped: the report says so instead of showing numbers
    expect(report).toContain("scikit-learn: not measured: skipped (--no-python)");
    // every chart the report shows exists and is an SVG document
    const charts = [...report.matchAll(/\]\((charts\/[a-z-]+\.svg)\)/g)].map((m) => m[1]!);
    expect(charts).toEqual(
      expect.arrayContaining([
        "charts/fresh.svg",
        "charts/gradient.svg",
        "charts/expression.svg",
        "charts/overhead.svg",
        "charts/ideas-large.svg",
        "charts/ideas-small.svg",
        "charts/timeline-naive.svg",
        "charts/timeline-weft.svg",
      ]),
    );
    for (const chart of charts) {
      const svg = readFileSync(join(dir, chart), "utf8");
      expect(svg.startsWith("<svg ")).toBe(true);
      expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
      expect(svg).not.toMatch(/NaN/);
    }
    // the memory-bound charts carry the ceiling measured in the same run
    expect(readFileSync(join(dir, "charts/gradient.svg"), "utf8")).toContain(
      `reading X once (all threads): ${raw.peers.stream.GBs.toFixed(1)} GB/s`,
    );
  }, 300_000);

  it("overhead: us per task for each executor and the iteration overhead", () => {
    const report = raw.overhead;
    expect(report.tasks).toBe(10_000);
    for (const executor of ["sync", "threadsUnbatched", "threadsBatched", "piscina"]) {
      expect(report.usPerTask[executor]).toBeGreaterThan(0);
      for (const shape of ["chain", "map"]) expect(report.usPerTaskByShape[shape][executor]).toBeGreaterThan(0);
    }
    expect(report.roundTripUs).toBeGreaterThan(0);
    expect(typeof report.iterationOverheadMs).toBe("number");
    expect(report.iteration.tasksPerIteration).toBeGreaterThan(1);
    expect(report.dask).toEqual({ missing: "skipped (--no-python)" });
  });

  it("array: the expression fused, unfused and in plain JS beside the stream, and the GLM gradient", () => {
    const r = raw.array;
    expect(r.expression.values).toBe(1_000_000);
    for (const k of ["stream", "fused", "unfused", "jsLoop"]) expect(r.expression.GBs[k]).toBeGreaterThan(0);
    expect(r.expression.tasks.unfused).toBeGreaterThan(r.expression.tasks.fused);
    // both are one task per chunk plus the reduction; they differ in passes over X, not tasks
    expect(r.gradient.tasks.fused).toBeLessThanOrEqual(r.gradient.tasks.twoPass);
    expect(r.gradient.tasks.fused).toBeGreaterThanOrEqual(10);
    expect(r.gradient.ms.fused).toBeGreaterThan(0);
    expect(r.reference).toEqual({ missing: "skipped (--no-python)" });
  });

  it("fresh: a new graph every compute, a new plan and a plan re-run at each size, and hand-written gradient descent", () => {
    const r = raw.fresh;
    expect(r.expression.map((e: { chunks: number }) => e.chunks)).toEqual([100, 1000]);
    for (const e of r.expression) {
      for (const way of ["fresh", "cold", "compiled"]) {
        expect(e[way].usPerChunk).toBeGreaterThan(0);
        expect(e[way].minMs).toBeLessThanOrEqual(e[way].maxMs);
      }
      expect(e.tasks).toBeGreaterThan(e.chunks); // a task per chunk, and the reduction's
      expect(e.dask).toBeNull();
    }
    expect(r.gradient.map((g: { rows: number }) => g.rows)).toEqual([10_000, 100_000]);
    for (const g of r.gradient) expect(g.weft.ms).toBeGreaterThan(0);
    // every compute after the first of each structure found its plan
    expect(r.cache.hits).toBeGreaterThan(10 * r.cache.misses);
    expect(r.reference).toEqual({ missing: "skipped (--no-python)" });
  });

  it("glm: every solver's time, iterations and objective, and the gradient-descent profile", () => {
    const r = raw.glm;
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
    // the raw-data table: every solver for its penalty on the quick run's two conformance problems, at the known optimum
    expect(r.raw.problems.map((p: { name: string }) => p.name)).toEqual(["iris2-l2-lam1", "breast_cancer-l1-lam1"]);
    expect(r.raw.results.map((x: { problem: string; solver: string }) => `${x.problem} ${x.solver}`)).toEqual([
      ...["lbfgs", "newton", "gradient_descent", "proximal_grad", "admm"].map((s) => `iris2-l2-lam1 ${s}`),
      ...["proximal_grad", "admm"].map((s) => `breast_cancer-l1-lam1 ${s}`),
    ]);
    for (const x of r.raw.results) {
      expect(x.seconds).toBeGreaterThan(0);
      expect(x.nIter).toBeGreaterThan(0);
      expect(x.converged).toBe(true);
      expect(Math.abs(x.gap)).toBeLessThan(1e-6);
    }
    expect(r.raw.sklearn).toEqual({ missing: "skipped (--no-python)" });
    expect(report).toContain("## GLM solvers on raw data");
    expect(report).toMatch(/\| problem \| solver \| seconds \| iterations \| gap to the optimum \| converged \|\n(\| .+\n)+/);
    expect(report).toMatch(/\| breast_cancer-l1-lam1 \| admm \| [\d.]+ \| \d+ \| -?\d\.\de-?\d+ \| yes \|/);
  });

  it("selection: grid search against one-by-one fits, with the same best lambda", () => {
    const r = raw.selection;
    expect(r.lambdas).toHaveLength(10);
    expect(r.folds).toBe(5);
    expect(r.seconds.gridSearch).toBeGreaterThan(0);
    expect(r.bestLambda.gridSearch).toBe(r.bestLambda.oneByOne);
  });

  it("peers: weft, a plain loop, TensorFlow.js and ml.js on the same problem, reaching the same objective", () => {
    const r = raw.peers;
    expect(r.gradient.map((g: { name: string }) => g.name)).toEqual(["weft", "plain TypeScript loop", "TensorFlow.js wasm"]);
    for (const g of r.gradient) expect(g.GBs).toBeGreaterThan(0);
    const objectives = r.gradientDescent.results.map((x: { objective: number }) => x.objective);
    expect(objectives).toHaveLength(3);
    // float64 loops agree closely; TensorFlow.js computes in float32
    expect(Math.abs(objectives[1] - objectives[0]) / objectives[0]).toBeLessThan(1e-9);
    expect(Math.abs(objectives[2] - objectives[0]) / objectives[0]).toBeLessThan(1e-4);
    expect(r.mljs.results.map((x: { name: string }) => x.name)).toEqual([
      "weft",
      "plain TypeScript loop",
      "ml.js (ml-logistic-regression)",
    ]);
    expect(r.mljs.maxCoefDifference).toBeLessThan(1e-6);
  });

  it("ideas: every idea switched off in turn, on both problems", () => {
    for (const p of raw.ideas.problems) {
      const byIdea = Object.fromEntries(p.results.map((x: { off: string }) => [x.off, x]));
      expect(Object.keys(byIdea)).toEqual([
        "weft",
        "blockwise fusion",
        "task fusion",
        "blockwise and task fusion",
        "plans",
        "batching",
        "shared memory",
        "SIMD",
      ]);
      for (const x of p.results) expect(x.msPerIteration).toBeGreaterThan(0);
      expect(byIdea.weft.slowdown).toBe(1);
      // without task fusion the unfused expression is four tasks per chunk
      expect(byIdea["blockwise and task fusion"].tasksPerIteration).toBe(4 * p.chunks + 1);
      expect(byIdea["blockwise fusion"].tasksPerIteration).toBe(p.chunks + 1);
    }
  });
});
