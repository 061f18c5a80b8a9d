/**
 * `weft bench browser`: weft's browser build in headless Chromium (Debian's, driven by
 * playwright-core, an optional peer) against TensorFlow.js's WebAssembly backend (threads and
 * SIMD on) in the same cross-origin isolated page, and against weft in Node in the same run:
 *
 * 1. The logistic gradient X^T (sigmoid(X w) - y) on the spec's 1M x 100 problem (float64 for
 *    weft, float32 for TensorFlow.js, the only type it has), the median of several calls per
 *    round, in rounds that alternate Node, weft in the page and TensorFlow.js in the page.
 * 2. A logistic fit with lbfgs (weft in the page against weft in Node); TensorFlow.js has no
 *    L-BFGS, so beside it the same fixed-step gradient descent in both, time per iteration.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { array, glm, LogisticRegression, Runtime } from "weftjs";
import { median } from "./measure.js";
import { isMissing, optionalPeer, type Missing } from "./optional.js";
import { serveStatic } from "./serve.js";

export interface BrowserBenchOptions {
  quick?: boolean;
  /** Chromium's executable (default WEFT_CHROMIUM or /usr/bin/chromium). */
  chromium?: string;
  onProgress?: (done: number, total: number, label: string) => void;
}

/** One contender's figure in each round, and their median. */
export interface RoundsOf {
  name: string;
  rounds: number[];
  median: number;
}

export interface BrowserBenchResult {
  rows: number;
  cols: number;
  chunks: number;
  rounds: number;
  chromium: string;
  threads: { node: number; page: number; tfjs: number };
  tfjs: { version: string; simd: boolean } | Missing;
  /** ms per gradient (median of the calls in a round). */
  gradient: (RoundsOf & { GBs: number; dtype: "float64" | "float32" })[];
  /** seconds per lbfgs fit. */
  lbfgs: (RoundsOf & { nIter: number; converged: boolean })[];
  /** ms per fixed-step gradient-descent iteration. */
  gradientDescent: { iterations: number; results: RoundsOf[] };
  ratios: { pageOverNode: number; tfjsOverPage: number | null; lbfgsPageOverNode: number };
}

export type BrowserBenchReport = BrowserBenchResult | Missing;

/** The flags of a headless Chromium on a machine without network access or a sandbox. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const SEED = 20240601;
const LAMBDA = 1;

/** The package folder holding dist/browser (bench/dist/ is two levels down, bench/ one). */
function packageRoot(): string | undefined {
  return ["../", "../../"]
    .map((up) => fileURLToPath(new URL(up, import.meta.url)))
    .find((p) => existsSync(join(p, "dist", "browser", "index.js")));
}

/** TensorFlow.js's browser scripts and wasm files, by route, or why they are missing. */
function tfjsRoutes(): Record<string, string> | Missing {
  try {
    const require = createRequire(import.meta.url);
    const core = dirname(require.resolve("@tensorflow/tfjs-core/package.json"));
    const wasm = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json"));
    const routes: Record<string, string> = {
      "/peer/tf-core.min.js": join(core, "dist", "tf-core.min.js"),
      "/peer/tf-backend-wasm.min.js": join(wasm, "dist", "tf-backend-wasm.min.js"),
    };
    for (const file of ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm-threaded-simd.wasm"])
      routes[`/peer/${file}`] = join(wasm, "dist", file);
    return routes;
  } catch (error) {
    return { missing: `@tensorflow/tfjs-core and @tensorflow/tfjs-backend-wasm not installed (${(error as Error).message})` };
  }
}

const PAGE = (tf: boolean) => `<!doctype html>
<meta charset="utf-8">
<title>weft bench browser</title>
<link rel="icon" href="data:,">
${tf ? '<script src="/peer/tf-core.min.js"></script>\n<script src="/peer/tf-backend-wasm.min.js"></script>' : ""}
<script type="module">globalThis.weftImport = (path) => import(path);</script>`;

// What runs in the page. Playwright sends each function's source, so they name nothing outside
// themselves; weftImport is the page's import().
type TfGlobal = typeof import("@tensorflow/tfjs-core") & { wasm: typeof import("@tensorflow/tfjs-backend-wasm") };
type Tensor2D = import("@tensorflow/tfjs-core").Tensor2D;
type GlmProblem = Awaited<ReturnType<typeof glm.GlmProblem.create>>;
type PageGlobals = Record<string, unknown> & {
  weftImport(path: string): Promise<unknown>;
  tf?: TfGlobal;
};
/** What pageSetup leaves on the page for TensorFlow.js's runs. */
type TfPage = { tf: TfGlobal; benchTfX: Tensor2D; benchTfY: Tensor2D };

async function pageSetup(args: { rows: number; cols: number; chunkRows: number; seed: number; tf: boolean }) {
  const g = globalThis as unknown as PageGlobals;
  const weft = (await g.weftImport("/dist/browser/index.js")) as typeof import("weftjs");
  const rt = await weft.Runtime.start();
  const problem = weft.array.random.logisticProblem({ rows: args.rows, cols: args.cols, seed: args.seed, chunkRows: args.chunkRows });
  const X = await problem.X.persist({ runtime: rt });
  const y = await problem.y.persist({ runtime: rt });
  const glmProblem = await weft.glm.GlmProblem.create(rt, X, y, "logistic", false);
  Object.assign(g, { benchWeft: weft, benchRt: rt, benchX: X, benchY: y, benchProblem: glmProblem, benchCall: 0 });
  let tf: { version: string; simd: boolean; threads: number } | { missing: string } = { missing: "not asked" };
  if (args.tf && g.tf) {
    const t = g.tf;
    t.wasm.setWasmPaths("/peer/");
    t.wasm.setThreadsCount((globalThis as unknown as { navigator: { hardwareConcurrency: number } }).navigator.hardwareConcurrency);
    await t.setBackend("wasm");
    await t.ready();
    const Xv = (await X.toTypedArray({ runtime: rt })) as Float64Array;
    const yv = (await y.toTypedArray({ runtime: rt })) as Float64Array;
    g.benchTfX = t.tensor2d(Float32Array.from(Xv), [args.rows, args.cols]);
    g.benchTfY = t.tensor2d(Float32Array.from(yv), [args.rows, 1]);
    tf = { version: t.version_core, simd: t.env().getBool("WASM_HAS_SIMD_SUPPORT"), threads: t.wasm.getThreadsCount() };
  }
  return { threads: rt.threads, isolated: (globalThis as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated, tf };
}

/** ms of each of `calls` gradients (after one warm-up) by weft ("weft") or TensorFlow.js ("tf") in the page. */
async function pageGradients(args: { who: "weft" | "tf"; calls: number; cols: number }) {
  const g = globalThis as unknown as PageGlobals & TfPage & { benchProblem: GlmProblem; benchCall: number };
  const times: number[] = [];
  const w0 = new Float64Array(args.cols).fill(0.01);
  let once: () => Promise<unknown>;
  if (args.who === "weft") {
    // a new point every call: a GlmProblem answers a repeated point from memory
    once = () => g.benchProblem.lossGrad(Float64Array.from(w0, (v, j) => (j === 0 ? v + 1e-9 * ++g.benchCall : v)));
  } else {
    const t = g.tf;
    const w = t.tensor2d(Float32Array.from(w0), [args.cols, 1]);
    once = async () => {
      const grad = t.tidy(() => t.matMul(g.benchTfX, t.sub(t.sigmoid(t.matMul(g.benchTfX, w)), g.benchTfY), true, false));
      await grad.data();
      grad.dispose();
    };
  }
  await once();
  for (let i = 0; i < args.calls; i++) {
    const t0 = performance.now();
    await once();
    times.push(performance.now() - t0);
  }
  return times;
}

/** Seconds of an lbfgs fit in the page, its iterations and whether it converged. */
async function pageLbfgs(args: { lambda: number }) {
  const g = globalThis as unknown as PageGlobals & {
    benchWeft: typeof import("weftjs");
    benchRt: unknown;
    benchX: unknown;
    benchY: unknown;
  };
  const model = new g.benchWeft.LogisticRegression({ solver: "lbfgs", lambda: args.lambda, runtime: g.benchRt as never });
  const t0 = performance.now();
  await model.fit(g.benchX as never, g.benchY as never);
  return { seconds: (performance.now() - t0) / 1000, nIter: model.nIter, converged: model.converged };
}

/** ms per iteration of `iterations` fixed-step gradient-descent steps in the page. */
async function pageDescent(args: { who: "weft" | "tf"; iterations: number; cols: number; step: number; lambda: number }) {
  const g = globalThis as unknown as PageGlobals & TfPage & { benchProblem: GlmProblem };
  const t0 = performance.now();
  if (args.who === "weft") {
    const w = new Float64Array(args.cols);
    for (let it = 0; it < args.iterations; it++) {
      const grad = (await g.benchProblem.lossGrad(w)).grad as Float64Array;
      for (let j = 0; j < args.cols; j++) w[j] = w[j]! - args.step * (grad[j]! + args.lambda * w[j]!);
    }
  } else {
    const t = g.tf;
    const w = t.variable(t.zeros([args.cols, 1]));
    for (let it = 0; it < args.iterations; it++) {
      t.tidy(() => {
        const grad = t.add(t.matMul(g.benchTfX, t.sub(t.sigmoid(t.matMul(g.benchTfX, w)), g.benchTfY), true, false), t.mul(w, args.lambda));
        w.assign(t.sub(w, t.mul(grad, args.step)));
      });
    }
    await w.data();
    w.dispose();
  }
  return (performance.now() - t0) / args.iterations;
}

const rounded = (name: string, rounds: number[]): RoundsOf => ({ name, rounds, median: median(rounds) });

export async function benchBrowser(options: BrowserBenchOptions = {}): Promise<BrowserBenchReport> {
  const quick = options.quick === true;
  const chromiumPath = options.chromium ?? process.env.WEFT_CHROMIUM ?? "/usr/bin/chromium";
  if (!existsSync(chromiumPath)) return { missing: `no Chromium at ${chromiumPath} (apt-get install chromium, or set WEFT_CHROMIUM)` };
  const playwright = await optionalPeer<typeof import("playwright-core")>("playwright-core");
  if (isMissing(playwright)) return playwright;
  const root = packageRoot();
  if (!root) return { missing: "weft's browser build (dist/browser) is missing: npm run build:browser" };
  const rows = quick ? 100_000 : 1_000_000,
    cols = 100,
    chunks = 20,
    chunkRows = Math.ceil(rows / chunks);
  const rounds = quick ? 2 : 3,
    calls = quick ? 3 : 5,
    iterations = quick ? 3 : 10,
    step = 1 / rows;
  const total = 3 + rounds;
  const progress = (done: number, label: string) => options.onProgress?.(done, total, label);
  const tfRoutes = tfjsRoutes();
  const server = await serveStatic({
    root,
    isolated: true,
    routes: isMissing(tfRoutes) ? {} : tfRoutes,
    pages: { "/bench.html": PAGE(!isMissing(tfRoutes)) },
  });
  const browser = await playwright.chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  const rt = await Runtime.start();
  try {
    progress(0, "Node: the problem");
    const problem = array.random.logisticProblem({ rows, cols, seed: SEED, chunkRows });
    const X = await problem.X.persist({ runtime: rt });
    const y = await problem.y.persist({ runtime: rt });
    const nodeProblem = await glm.GlmProblem.create(rt, X, y, "logistic", false);
    progress(1, "Chromium: the problem");
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${server.url}bench.html`);
    const setup = await page.evaluate(pageSetup, { rows, cols, chunkRows, seed: SEED, tf: !isMissing(tfRoutes) });
    if (!setup.isolated) throw new Error("bench browser: the page is not cross-origin isolated");
    const tfjs: BrowserBenchResult["tfjs"] = isMissing(tfRoutes)
      ? tfRoutes
      : "missing" in setup.tf
        ? { missing: setup.tf.missing }
        : { version: setup.tf.version, simd: setup.tf.simd };
    const hasTf = !("missing" in tfjs);
    const w0 = new Float64Array(cols).fill(0.01);
    let call = 0;
    const nodeGradients = async () => {
      await nodeProblem.lossGrad(w0);
      const times: number[] = [];
      for (let i = 0; i < calls; i++) {
        const w = Float64Array.from(w0, (v, j) => (j === 0 ? v - 1e-9 * ++call : v));
        const t0 = performance.now();
        await nodeProblem.lossGrad(w);
        times.push(performance.now() - t0);
      }
      return times;
    };
    const nodeLbfgs = async () => {
      const model = new LogisticRegression({ solver: "lbfgs", lambda: LAMBDA, runtime: rt });
      const t0 = performance.now();
      await model.fit(X, y);
      return { seconds: (performance.now() - t0) / 1000, nIter: model.nIter, converged: model.converged };
    };
    const nodeDescent = async () => {
      const t0 = performance.now();
      const w = new Float64Array(cols);
      for (let it = 0; it < iterations; it++) {
        const { grad } = await nodeProblem.lossGrad(w);
        for (let j = 0; j < cols; j++) w[j] = w[j]! - step * (grad[j]! + LAMBDA * w[j]!);
      }
      return (performance.now() - t0) / iterations;
    };
    const grad: Record<string, number[]> = { node: [], page: [], tf: [] };
    const fit: Record<string, { seconds: number; nIter: number; converged: boolean }[]> = { node: [], page: [] };
    const descent: Record<string, number[]> = { node: [], page: [], tf: [] };
    for (let r = 0; r < rounds; r++) {
      progress(2 + r, `round ${r + 1} of ${rounds}`);
      grad.node!.push(median(await nodeGradients()));
      grad.page!.push(median(await page.evaluate(pageGradients, { who: "weft" as const, calls, cols })));
      if (hasTf) grad.tf!.push(median(await page.evaluate(pageGradients, { who: "tf" as const, calls, cols })));
      fit.node!.push(await nodeLbfgs());
      fit.page!.push(await page.evaluate(pageLbfgs, { lambda: LAMBDA }));
      descent.node!.push(await nodeDescent());
      descent.page!.push(await page.evaluate(pageDescent, { who: "weft" as const, iterations, cols, step, lambda: LAMBDA }));
      if (hasTf) descent.tf!.push(await page.evaluate(pageDescent, { who: "tf" as const, iterations, cols, step, lambda: LAMBDA }));
    }
    progress(total - 1, "done");
    if (errors.length > 0) throw new Error(`bench browser: the page failed: ${errors.join("; ")}`);
    const bytes64 = rows * cols * 8;
    const gradient: BrowserBenchResult["gradient"] = [
      { ...rounded("weft in Node", grad.node!), GBs: 0, dtype: "float64" },
      { ...rounded("weft in Chromium", grad.page!), GBs: 0, dtype: "float64" },
    ];
    if (hasTf) gradient.push({ ...rounded("TensorFlow.js wasm in Chromium", grad.tf!), GBs: 0, dtype: "float32" });
    for (const g of gradient) g.GBs = (g.dtype === "float64" ? bytes64 : bytes64 / 2) / g.median / 1e6;
    const lbfgs = (["node", "page"] as const).map((k) => ({
      ...rounded(
        k === "node" ? "weft in Node" : "weft in Chromium",
        fit[k]!.map((f) => f.seconds),
      ),
      nIter: fit[k]![0]!.nIter,
      converged: fit[k]!.every((f) => f.converged),
    }));
    const gdResults = [rounded("weft in Node", descent.node!), rounded("weft in Chromium", descent.page!)];
    if (hasTf) gdResults.push(rounded("TensorFlow.js wasm in Chromium", descent.tf!));
    await page.close();
    nodeProblem.release();
    X.release();
    y.release();
    return {
      rows,
      cols,
      chunks,
      rounds,
      chromium: browser.version(),
      threads: { node: rt.threads, page: setup.threads, tfjs: "missing" in setup.tf ? 0 : setup.tf.threads },
      tfjs,
      gradient,
      lbfgs,
      gradientDescent: { iterations, results: gdResults },
      ratios: {
        pageOverNode: gradient[1]!.median / gradient[0]!.median,
        tfjsOverPage: hasTf ? gradient[2]!.median / gradient[1]!.median : null,
        lbfgsPageOverNode: lbfgs[1]!.median / lbfgs[0]!.median,
      },
    };
  } finally {
    await rt.close();
    await browser.close();
    await server.close();
  }
}

/** The report as text: a table per measurement, the ratios the targets name. */
export function renderBrowserBench(r: BrowserBenchReport): string[] {
  if (isMissing(r)) return [`browser: not measured: ${r.missing}`];
  const lines = [
    `weft's browser build in Chromium ${r.chromium} (${r.threads.page} threads, cross-origin isolated) against weft in Node (${r.threads.node} threads) and TensorFlow.js wasm (${"missing" in r.tfjs ? `not measured: ${r.tfjs.missing}` : `${r.tfjs.version}, ${r.threads.tfjs} threads, SIMD ${r.tfjs.simd ? "on" : "off"}`}) in the same page; ${r.rows} x ${r.cols}, ${r.chunks} chunks; medians of ${r.rounds} rounds`,
    "",
    "logistic gradient                    ms (rounds)                     median   GB/s of X  dtype",
  ];
  const rounds = (v: number[], digits: number) => v.map((x) => x.toFixed(digits)).join(", ");
  for (const g of r.gradient)
    lines.push(
      `  ${g.name.padEnd(32)} ${rounds(g.rounds, 1).padEnd(28)} ${g.median.toFixed(1).padStart(8)} ${g.GBs.toFixed(1).padStart(10)}  ${g.dtype}`,
    );
  lines.push("", "lbfgs fit (lambda 1)                 s (rounds)                      median   iterations  converged");
  for (const f of r.lbfgs)
    lines.push(
      `  ${f.name.padEnd(32)} ${rounds(f.rounds, 3).padEnd(28)} ${f.median.toFixed(3).padStart(8)} ${String(f.nIter).padStart(12)}  ${f.converged ? "yes" : "no"}`,
    );
  lines.push("", `gradient descent, ${r.gradientDescent.iterations} fixed steps: ms per iteration (rounds), median`);
  for (const d of r.gradientDescent.results)
    lines.push(`  ${d.name.padEnd(32)} ${rounds(d.rounds, 1).padEnd(28)} ${d.median.toFixed(1).padStart(8)}`);
  lines.push(
    "",
    `gradient: weft in Chromium / weft in Node = ${r.ratios.pageOverNode.toFixed(2)}x (target <= 1.3x)` +
      (r.ratios.tfjsOverPage === null ? "" : `; TensorFlow.js / weft in Chromium = ${r.ratios.tfjsOverPage.toFixed(2)}x (target >= 5x)`),
    `lbfgs fit: weft in Chromium / weft in Node = ${r.ratios.lbfgsPageOverNode.toFixed(2)}x`,
  );
  return lines;
}
