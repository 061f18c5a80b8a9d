/**
 * weft in a real browser: Debian's Chromium, driven by playwright-core (no browser is downloaded),
 * loading the browser build (dist/browser/, made by `npm run build:browser`, which `npm test`
 * runs first) into pages served on 127.0.0.1 with and without cross-origin isolation. Where
 * /usr/bin/chromium is missing these tests are skipped, unless WEFT_REQUIRE_BROWSER=1 (set by
 * .ci/run, which installs Chromium) makes that a failure.
 */
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as weftNode from "../src/index.js";
import { KERNEL_NAMES } from "../src/kernels/index.js";
import { bundleForBrowser, root } from "../scripts/browser/bundle.mjs";
import { CHROMIUM_ARGS } from "../bench/browser.js";
import { serveStatic } from "../bench/serve.js";

const CHROMIUM = process.env.WEFT_CHROMIUM ?? "/usr/bin/chromium";
const present = existsSync(CHROMIUM);
if (!present && process.env.WEFT_REQUIRE_BROWSER === "1")
  throw new Error(`Chromium is required (WEFT_REQUIRE_BROWSER=1) but ${CHROMIUM} is missing`);
if (!present) console.warn(`test/browser.test.ts: skipped, no Chromium at ${CHROMIUM} (apt-get install chromium)`);

/** Where the browser tests write what they make (bundles, screenshots). */
export const TEST_OUTPUT = join(root, "test-output", "browser");

let browser: Browser;
let isolated: { url: string; close(): Promise<void> };
let plain: { url: string; close(): Promise<void> };

/** A page of `server`, with the page's console and errors collected. */
async function open(server: { url: string }): Promise<{ page: Page; console: string[]; errors: string[] }> {
  const page = await browser.newPage();
  const console: string[] = [];
  const errors: string[] = [];
  page.on("console", (m) => console.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${server.url}test/browser/page.html`);
  return { page, console, errors };
}

/** The page's document, as the functions run in it read it (the tests type-check without the DOM lib). */
declare const document: {
  getElementById(id: string): { textContent: string | null } | null;
  body: { dataset: Record<string, string | undefined> };
};

/** What test/browser/page.html's globals hold. */
interface PageGlobals {
  weftImport(path: string): Promise<unknown>;
  crossOriginIsolated: boolean;
}

/** The rows and labels both sides fit: the same numbers in Node and in the page. */
function problem(n: number): { rows: number[][]; y: number[] } {
  const rows = Array.from({ length: n }, (_, i) => [Math.sin(i), Math.cos(0.7 * i), ((i * 37) % 11) / 11, Math.sin(0.3 * i) * 2]);
  const y = rows.map((r, i) => (r[0]! + 0.5 * r[1]! - r[2]! + 0.2 * r[3]! + 0.3 * Math.sin(3 * i) > 0 ? 1 : 0));
  return { rows, y };
}
const PROBLEM_SOURCE = problem.toString();

describe.skipIf(!present)("weft in Chromium", () => {
  beforeAll(async () => {
    mkdirSync(TEST_OUTPUT, { recursive: true });
    await bundleForBrowser({ conformance: join(root, "test", "browser", "conformance.ts") }, join(TEST_OUTPUT, "conformance"), {
      minify: false,
    });
    isolated = await serveStatic({ root, isolated: true });
    plain = await serveStatic({ root, isolated: false });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await isolated?.close();
    await plain?.close();
  });

  it("the browser build exports the names the Node entry exports", async () => {
    const { page, errors } = await open(isolated);
    const names = await page.evaluate(async () =>
      Object.keys((await (globalThis as unknown as PageGlobals).weftImport("/dist/browser/index.js")) as typeof weftNode).sort(),
    );
    expect(names).toEqual(Object.keys(weftNode).sort());
    expect(errors).toEqual([]);
    await page.close();
  });

  it("every kernel of every wasm backend matches the js reference in the browser", async () => {
    const { page, errors } = await open(isolated);
    const result = await page.evaluate(async () => {
      const m = (await (globalThis as unknown as PageGlobals).weftImport(
        "/test-output/browser/conformance/conformance.js",
      )) as typeof import("./browser/conformance.js");
      return m.runConformance();
    });
    expect(result.backends).toEqual(["wasm-simd", "wasm-scalar"]);
    expect(result.checks).toBeGreaterThanOrEqual(2 * KERNEL_NAMES.length);
    expect(result.failures).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("a cross-origin isolated page fits on worker threads, to Node's coefficients within 1e-12", async () => {
    const { rows, y } = problem(4000);
    const rt = await weftNode.Runtime.start({ threads: 2 });
    const node = await new weftNode.LogisticRegression({ runtime: rt }).fit(rows, y);
    await rt.close();
    const { page, errors } = await open(isolated);
    const got = await page.evaluate(async (source) => {
      const weft = (await (globalThis as unknown as PageGlobals).weftImport("/dist/browser/index.js")) as typeof weftNode;
      const problem = new Function(`return ${source}`)();
      const { rows, y } = problem(4000);
      const rt = await weft.Runtime.start({ threads: 2 });
      const model = await new weft.LogisticRegression({ runtime: rt }).fit(rows, y);
      // a computation big enough to go to the workers: 400 chunks of a 200k x 4 product
      const X = weft.array.random.normal({ shape: [200_000, 4], chunks: [500, 4], seed: 3 });
      rt.clearProfile();
      await weft.array.sum(X, 0).compute({ runtime: rt });
      const lanes = [...new Set(rt.profile().events.map((e) => e.lane))].sort();
      const out = {
        isolated: (globalThis as unknown as PageGlobals).crossOriginIsolated,
        threads: rt.threads,
        lanes,
        coef: Array.from(model.coef!),
        intercept: model.intercept,
      };
      await rt.close();
      return out;
    }, PROBLEM_SOURCE);
    expect(got.isolated).toBe(true);
    expect(got.threads).toBe(2);
    expect(got.lanes).toContain(1); // tasks ran on the worker (a Web Worker sharing the memory)
    got.coef.forEach((c, j) => expect(Math.abs(c - node.coef![j]!)).toBeLessThan(1e-12));
    expect(Math.abs(got.intercept! - node.intercept!)).toBeLessThan(1e-12);
    // the calling thread never blocked: Atomics.wait throws on a page's main thread
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("a page that is not isolated runs on one thread and says so once", async () => {
    const { rows, y } = problem(1000);
    const rt = await weftNode.Runtime.start({ threads: 1 });
    const node = await new weftNode.LogisticRegression({ runtime: rt }).fit(rows, y);
    await rt.close();
    const { page, console, errors } = await open(plain);
    const got = await page.evaluate(async (source) => {
      const weft = (await (globalThis as unknown as PageGlobals).weftImport("/dist/browser/index.js")) as typeof weftNode;
      const { rows, y } = new Function(`return ${source}`)()(1000);
      const a = await weft.Runtime.start({ threads: 2 });
      const b = await weft.Runtime.start();
      const model = await new weft.LogisticRegression({ runtime: a }).fit(rows, y);
      const out = {
        isolated: (globalThis as unknown as PageGlobals).crossOriginIsolated,
        threads: [a.threads, b.threads],
        coef: Array.from(model.coef!),
      };
      await a.close();
      await b.close();
      return out;
    }, PROBLEM_SOURCE);
    expect(got.isolated).toBe(false);
    expect(got.threads).toEqual([1, 1]);
    expect(console.filter((line) => line.includes("weft runs on one thread")).length).toBe(1);
    got.coef.forEach((c, j) => expect(Math.abs(c - node.coef![j]!)).toBeLessThan(1e-12));
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("reads CSV from a File, NPY from an ArrayBuffer and Parquet by URL with range requests, as Node does", async () => {
    const npyPath = join(TEST_OUTPUT, "matrix.npy");
    const values = Float64Array.from({ length: 60 }, (_, i) => Math.sin(i) * 10 ** (i % 7));
    await weftNode.writeNpy(npyPath, values, [20, 3]);
    const parquet = join(root, "test", "fixtures", "parquet-codecs", "zstd.parquet");
    const nodeParquet = await weftNode.readParquet(parquet);
    const nodeParquetX = Array.from((await nodeParquet.X.compute()) as Float64Array);
    const { page, errors } = await open(isolated);
    const got = await page.evaluate(async () => {
      const weft = (await (globalThis as unknown as PageGlobals).weftImport("/dist/browser/index.js")) as typeof weftNode;
      const rows = ["id,a,b,label", ...Array.from({ length: 50 }, (_, i) => `r${i},${i / 4},${(i * 7) % 5},${i % 3 === 0 ? 1 : 0}`)];
      const file = new File([rows.join("\n")], "table.csv", { type: "text/csv" });
      const csv = await weft.readCsv(file, { target: "label", features: ["a", "b"], id: "id" });
      const npyBytes = await (await fetch("/test-output/browser/matrix.npy")).arrayBuffer();
      const npy = await weft.readNpy(npyBytes);
      const parquet = await weft.readParquet("/test/fixtures/parquet-codecs/zstd.parquet");
      return {
        csvShape: csv.X.shape,
        csvX: Array.from((await csv.X.compute()) as Float64Array),
        csvIds: csv.ids,
        npyShape: npy.shape,
        npy: Array.from((await npy.compute()) as Float64Array),
        parquetShape: parquet.X.shape,
        parquetX: Array.from((await parquet.X.compute()) as Float64Array),
      };
    });
    expect(got.csvShape).toEqual([50, 2]);
    expect(got.csvX.slice(0, 6)).toEqual([0, 0, 0.25, 2, 0.5, 4]);
    expect(got.csvIds?.slice(0, 2)).toEqual(["r0", "r1"]);
    expect(got.npyShape).toEqual([20, 3]);
    expect(got.npy).toEqual(Array.from(values));
    expect(got.parquetShape).toEqual(nodeParquet.X.shape);
    expect(got.parquetX).toEqual(nodeParquetX);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("the demo page: a chosen CSV file fitted with progress, its coefficients, score and timeline shown", async () => {
    const { page, errors } = await open(isolated);
    await page.goto(`${isolated.url}examples/browser/`);
    await page.waitForFunction(() => document.getElementById("environment")?.textContent?.startsWith("weft "));
    expect(await page.textContent("#environment")).toContain("2 threads");
    // the file input, as a user's choice of the shipped sample file
    await page.setInputFiles("#file", join(root, "examples", "browser", "sample.csv"));
    await page.waitForFunction(() => !(document.getElementById("fit") as unknown as { disabled: boolean }).disabled);
    expect(await page.inputValue("#target")).toBe("bought");
    await page.click("#fit");
    await page.waitForFunction(() => document.body.dataset.state === "done" || document.body.dataset.state === "error", undefined, {
      timeout: 60_000,
    });
    expect(await page.textContent("#error")).toBe("");
    const summary = (await page.textContent("#summary")) ?? "";
    expect(summary).toMatch(/^logistic fit on 2,000 rows x 5 features .* converged; accuracy 0\.\d{4}\.$/);
    const coefficients = await page.$$eval("#coefficients tbody tr", (trs) => trs.map((tr) => tr.textContent));
    expect(coefficients).toHaveLength(6);
    expect(await page.$$eval("#timeline svg rect", (rects) => rects.length)).toBeGreaterThan(0);
    expect(Number(await page.getAttribute("#progress", "value"))).toBe(1);
    // the same fit in Node
    const table = await weftNode.readCsv(join(root, "examples", "browser", "sample.csv"), { target: "bought", missing: "drop" });
    const rt = await weftNode.Runtime.start();
    const model = await new weftNode.LogisticRegression({ runtime: rt, lambda: 1, maxIter: 200 }).fit(table.X, table.y!);
    const accuracy = await model.score(table.X, table.y!);
    await rt.close();
    expect(summary).toContain(`accuracy ${accuracy.toFixed(4)}`);
    await page.screenshot({ path: join(TEST_OUTPUT, "demo.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("kernel backends and a per-kernel override (a module URL) work in the page, on the workers too", async () => {
    const { page, errors } = await open(isolated);
    const got = await page.evaluate(async () => {
      const weft = (await (globalThis as unknown as PageGlobals).weftImport("/dist/browser/index.js")) as typeof weftNode;
      const backends: string[] = [];
      for (const backend of ["js", "wasm-scalar", "wasm-simd"] as const) {
        const rt = await weft.Runtime.start({ backend, threads: 2 });
        const s = (await weft.array.arange(1000, { chunks: 100 }).mul(0.01).exp().sum().compute({ runtime: rt })) as number;
        backends.push(`${rt.kernels.backend}:${s}`);
        await rt.close();
      }
      // a relative URL is relative to the page
      const rt = await weft.Runtime.start({ threads: 2, kernelOverrides: { exp: "./double-exp.mjs" } });
      const x = weft.array.arange(40_000, { chunks: 1_000 });
      const y = x.exp();
      const plan = weft.compile(new weft.Graph([y.layer]), y.layer.keys(), { fusion: "none" });
      rt.clearProfile();
      const chunks = (await rt.run(plan)) as Float64Array[];
      const lanes = [...new Set(rt.profile().events.map((e) => e.lane))].sort();
      const values = chunks.flatMap((c) => [...c]);
      await rt.close();
      return { backends, overridden: values.every((v, i) => v === 2 * i) && values.length === 40_000, lanes };
    });
    // the same sum of exp on every backend (each within its kernels' accuracy of the others)
    const sums = got.backends.map((b) => Number(b.split(":")[1]));
    expect(got.backends.map((b) => b.split(":")[0])).toEqual(["js", "wasm-scalar", "wasm-simd"]);
    for (const s of sums) expect(Math.abs(s - sums[0]!) / sums[0]!).toBeLessThan(1e-12);
    expect(got.overridden).toBe(true);
    expect(got.lanes).toEqual([0, 1]); // the override ran on the worker as well as on the page's thread
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("preprocessing and model selection in the page: a grid search over a pipeline, as in Node", async () => {
    const search = async (w: typeof weftNode, rows: number[][], y: number[]) => {
      const rt = await w.Runtime.start({ threads: 2 });
      const pipe = new w.Pipeline([
        ["scale", new w.StandardScaler({ runtime: rt })],
        ["clf", new w.LogisticRegression({ runtime: rt })],
      ]);
      const grid = await new w.GridSearchCV(pipe, { clf__lambda: [0.01, 1, 100] }, { cv: 3, runtime: rt }).fit(rows, y);
      const out = { best: grid.bestParams, score: grid.bestScore, proba: Array.from(await grid.predictProba(rows.slice(0, 5))) };
      await rt.close();
      return out;
    };
    const { rows, y } = problem(600);
    const node = await search(weftNode, rows, y);
    const { page, errors } = await open(isolated);
    const got = await page.evaluate(
      async ({ source, searchSource }) => {
        const weft = (await (globalThis as unknown as PageGlobals).weftImport("/dist/browser/index.js")) as typeof weftNode;
        const { rows, y } = new Function(`return ${source}`)()(600);
        return new Function(`return ${searchSource}`)()(weft, rows, y);
      },
      { source: PROBLEM_SOURCE, searchSource: search.toString() },
    );
    expect(got.best).toEqual(node.best);
    expect(Math.abs(got.score - node.score)).toBeLessThan(1e-12);
    got.proba.forEach((p: number, i: number) => expect(Math.abs(p - node.proba[i]!)).toBeLessThan(1e-12));
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('a page built by Vite from `import ... from "weftjs"` finds the kernels and the worker, and fits on two threads', async () => {
    const app = join(TEST_OUTPUT, "vite-app");
    rmSync(app, { recursive: true, force: true });
    mkdirSync(join(app, "node_modules"), { recursive: true });
    symlinkSync(root, join(app, "node_modules", "weftjs"), "dir");
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "vite-app", private: true, type: "module" }));
    writeFileSync(
      join(app, "index.html"),
      '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="./main.js"></script>',
    );
    writeFileSync(
      join(app, "main.js"),
      `import { LogisticRegression, Runtime } from "weftjs";
const problem = ${PROBLEM_SOURCE};
const { rows, y } = problem(2000);
const runtime = await Runtime.start({ threads: 2 });
const model = await new LogisticRegression({ runtime }).fit(rows, y);
globalThis.result = { threads: runtime.threads, coef: Array.from(model.coef) };
`,
    );
    const { build } = await import("vite");
    await build({ root: app, logLevel: "silent", build: { outDir: join(app, "dist"), emptyOutDir: true } });
    const server = await serveStatic({ root: join(app, "dist"), isolated: true });
    const { rows, y } = problem(2000);
    const rt = await weftNode.Runtime.start({ threads: 2 });
    const node = await new weftNode.LogisticRegression({ runtime: rt }).fit(rows, y);
    await rt.close();
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    try {
      await page.goto(server.url);
      await page.waitForFunction(() => (globalThis as unknown as { result?: unknown }).result !== undefined || undefined, undefined, {
        timeout: 60_000,
      });
      const got = (await page.evaluate(() => (globalThis as unknown as { result: unknown }).result)) as { threads: number; coef: number[] };
      expect(got.threads).toBe(2);
      got.coef.forEach((c, j) => expect(Math.abs(c - node.coef![j]!)).toBeLessThan(1e-12));
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await server.close();
    }
  }, 120_000);
});
