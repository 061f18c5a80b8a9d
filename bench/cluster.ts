/**
 * `weft bench cluster`: weft's cluster (weftjs/cluster) on a local nats-server with 1, 2 and 4
 * `weft worker` processes (one thread each) on the spec's logistic problem, read by the workers
 * from one .npy file; and the same gradients on Dask distributed (a LocalCluster of as many worker
 * processes) in the same run.
 *
 * Per worker count: a gradient evaluation's wall time, the busiest worker's compute time in it
 * (each worker reports its own), and their difference, the cluster's own cost per iteration
 * (messages, encoding, the sums): on this 2-core machine the workers compete for cores, so the
 * wall times say little, but the cost per iteration is what carries to a real cluster. Then lbfgs
 * fits with 2 workers against the single-process fit on the same data.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { array, LogisticRegression, readNpy, Runtime, writeNpy } from "weftjs";
import { Cluster } from "weftjs/cluster";
import { median } from "./measure.js";
import type { Missing } from "./optional.js";
import { runPythonReference } from "./python.js";

export interface ClusterBenchOptions {
  quick?: boolean;
  python?: boolean;
  onProgress?: (done: number, total: number, label: string) => void;
}

export interface ClusterRow {
  workers: number;
  /** Medians over the timed gradients. */
  msPerIteration: number;
  busiestWorkerMs: number;
  overheadMs: number;
  /**
   * weft only: the messaging alone, an evaluation the workers answer from their last one (the same
   * coefficients), back to back (every process awake) and after the client waited 25 ms (as it
   * waits while the workers compute: the server and the workers idle meanwhile).
   */
  messagingHotMs?: number;
  messagingAfterIdleMs?: number;
}

/** One fit of a solver on the cluster: its iterations, seconds, and its evaluations' compute and messaging. */
export interface ClusterSolverRow {
  workers: number;
  solver: string;
  nIter: number;
  converged: boolean;
  seconds: number;
  evaluations: number;
  /** The busiest worker's compute per evaluation, and the rest of the evaluation's wall time (messages, encoding, sums). */
  computeMsPerEvaluation: number;
  messagingMsPerEvaluation: number;
}

export interface ClusterBenchResult {
  rows: number;
  cols: number;
  iterations: number;
  nats: string;
  weft: ClusterRow[];
  /** Every solver fitted once on 1, 2 and 4 workers (lambda 1, no intercept). */
  solvers: ClusterSolverRow[];
  dask: (ClusterRow & { version: string })[] | Missing;
  /** lbfgs, lambda 1: seconds and iterations, in one process (2 threads) and on 2 workers. */
  lbfgs: { singleProcess: { seconds: number; nIter: number }; twoWorkers: { seconds: number; nIter: number }; ratio: number };
}

export type ClusterBenchReport = ClusterBenchResult | Missing;

const SEED = 20240601;
const SOLVERS = ["lbfgs", "newton", "gradient_descent", "proximal_grad", "admm"] as const;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function natsServer(): string | undefined {
  for (const candidate of [process.env.WEFT_NATS_SERVER, "/usr/sbin/nats-server", "nats-server"]) {
    if (candidate && spawnSync(candidate, ["--version"]).status === 0) return candidate;
  }
  return undefined;
}

/** The weft binary of this package (bench/dist/ is two levels down, bench/ one). */
function cliPath(): string | undefined {
  return ["../../dist/src/cli/index.js", "../dist/src/cli/index.js"]
    .map((p) => fileURLToPath(new URL(p, import.meta.url)))
    .find(existsSync);
}

function waitFor(child: ChildProcess, stream: "stdout" | "stderr", pattern: RegExp, what: string): Promise<RegExpExecArray> {
  return new Promise((done, fail) => {
    let text = "";
    const timer = setTimeout(() => fail(new Error(`${what} did not start in 30 s: ${text}`)), 30_000);
    child[stream]!.on("data", (c: Buffer) => {
      text += c.toString();
      const m = pattern.exec(text);
      if (m) {
        clearTimeout(timer);
        done(m);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`${what} exited with code ${code}: ${text}`));
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function benchCluster(options: ClusterBenchOptions = {}): Promise<ClusterBenchReport> {
  const quick = options.quick === true;
  const server = natsServer();
  if (!server) return { missing: "no nats-server (apt-get install nats-server, or set WEFT_NATS_SERVER)" };
  const cli = cliPath();
  if (!cli) return { missing: "weft's CLI (dist/src/cli/index.js) is missing: npm run build" };
  const rows = quick ? 100_000 : 1_000_000,
    cols = 100,
    iterations = quick ? 10 : 20;
  const counts = [1, 2, 4];
  const total = 2 + counts.length + 2;
  const progress = (done: number, label: string) => options.onProgress?.(done, total, label);
  const dir = mkdtempSync(join(tmpdir(), "weft-bench-cluster-"));
  const children: ChildProcess[] = [];
  try {
    progress(0, "writing the problem (.npy: X's columns, then y)");
    const npy = join(dir, "problem.npy");
    {
      const rt = await Runtime.start();
      const problem = array.random.logisticProblem({ rows, cols, seed: SEED });
      const X = (await problem.X.compute({ runtime: rt })) as Float64Array;
      const y = (await problem.y.compute({ runtime: rt })) as Float64Array;
      const data = new Float64Array(rows * (cols + 1));
      for (let i = 0; i < rows; i++) {
        data.set(X.subarray(i * cols, (i + 1) * cols), i * (cols + 1));
        data[i * (cols + 1) + cols] = y[i]!;
      }
      await writeNpy(npy, data, [rows, cols + 1]);
      await rt.close();
    }
    progress(1, "starting nats-server");
    const nats = spawn(server, ["-js", "-a", "127.0.0.1", "-p", "-1", "-sd", join(dir, "store")], { stdio: ["ignore", "ignore", "pipe"] });
    children.push(nats);
    const url = `nats://127.0.0.1:${(await waitFor(nats, "stderr", /Listening for client connections on [\d.]+:(\d+)/, "nats-server"))[1]}`;
    const cluster = await Cluster.connect(url, { requestTimeoutMs: 120_000 });
    const weft: ClusterRow[] = [];
    const solvers: ClusterSolverRow[] = [];
    let lbfgsTwo: { seconds: number; nIter: number } | undefined;
    try {
      const workers: ChildProcess[] = [];
      for (const [k, count] of counts.entries()) {
        progress(2 + k, `weft, ${count} worker${count > 1 ? "s" : ""}`);
        while (workers.length < count) {
          const w = spawn(process.execPath, [cli, "worker", "--nats", url, "--threads", "1", "--name", `w${workers.length + 1}`], {
            stdio: ["ignore", "pipe", "pipe"],
          });
          children.push(w);
          await waitFor(w, "stdout", /serving on/, `worker ${workers.length + 1}`);
          workers.push(w);
        }
        const dataset = cluster.dataset(npy, { target: String(cols), partitions: count });
        await dataset.load();
        const problem = await dataset.glmProblem("logistic", false);
        const w0 = new Float64Array(cols).fill(0.01);
        await problem.lossGrad(w0); // warm: each worker compiles its plans
        const walls: number[] = [],
          busy: number[] = [];
        for (let i = 0; i < iterations; i++) {
          const before = { ...problem.timing };
          await problem.lossGrad(Float64Array.from(w0, (v, j) => (j === 0 ? v + 1e-9 * (i + 1) : v)));
          walls.push(problem.timing.wallMs - before.wallMs);
          busy.push(problem.timing.workerMs - before.workerMs);
        }
        const overhead = walls.map((w, i) => w - busy[i]!);
        // the messaging alone: the workers answer from their last evaluation (each keeps it)
        const last = Float64Array.from(w0, (v, j) => (j === 0 ? v + 1e-9 * iterations : v));
        const hot: number[] = [],
          afterIdle: number[] = [];
        for (let i = 0; i < 60; i++) {
          const t0 = performance.now();
          await problem.lossGrad(last);
          hot.push(performance.now() - t0);
        }
        for (let i = 0; i < 20; i++) {
          await sleep(25);
          const t0 = performance.now();
          await problem.lossGrad(last);
          afterIdle.push(performance.now() - t0);
        }
        weft.push({
          workers: count,
          msPerIteration: median(walls),
          busiestWorkerMs: median(busy),
          overheadMs: median(overhead),
          messagingHotMs: median(hot.slice(10)),
          messagingAfterIdleMs: median(afterIdle),
        });
        for (const solver of SOLVERS) {
          const before = { ...dataset.timing };
          const model = new LogisticRegression({ solver, lambda: 1, fitIntercept: false, maxIter: 500 });
          const t0 = performance.now();
          await model.fit(dataset);
          const seconds = (performance.now() - t0) / 1000;
          const evaluations = dataset.timing.evaluations - before.evaluations;
          const compute = dataset.timing.workerMs - before.workerMs,
            wall = dataset.timing.wallMs - before.wallMs;
          solvers.push({
            workers: count,
            solver,
            nIter: model.nIter,
            converged: model.converged,
            seconds,
            evaluations,
            computeMsPerEvaluation: compute / evaluations,
            messagingMsPerEvaluation: (wall - compute) / evaluations,
          });
        }
        if (count === 2) {
          const model = new LogisticRegression({ solver: "lbfgs", lambda: 1, fitIntercept: false });
          const fits: { seconds: number; nIter: number }[] = [];
          for (let r = 0; r < 3; r++) {
            const t0 = performance.now();
            await model.fit(dataset);
            fits.push({ seconds: (performance.now() - t0) / 1000, nIter: model.nIter });
          }
          lbfgsTwo = { seconds: median(fits.map((f) => f.seconds)), nIter: fits[0]!.nIter };
        }
        await dataset.drop();
      }
    } finally {
      await cluster.close();
    }
    progress(2 + counts.length, "one process (lbfgs)");
    const rt = await Runtime.start({ threads: 2 });
    const X = await readNpy(npy);
    const whole = (await X.compute({ runtime: rt })) as Float64Array;
    const Xs = new Float64Array(rows * cols),
      ys = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      Xs.set(whole.subarray(i * (cols + 1), i * (cols + 1) + cols), i * cols);
      ys[i] = whole[i * (cols + 1) + cols]!;
    }
    const Xa = await array.fromTypedArray(Xs, { shape: [rows, cols] }).persist({ runtime: rt });
    const ya = await array.fromTypedArray(ys).persist({ runtime: rt });
    const singles: { seconds: number; nIter: number }[] = [];
    for (let r = 0; r < 3; r++) {
      const model = new LogisticRegression({ solver: "lbfgs", lambda: 1, fitIntercept: false, runtime: rt });
      const t0 = performance.now();
      await model.fit(Xa, ya);
      singles.push({ seconds: (performance.now() - t0) / 1000, nIter: model.nIter });
    }
    await rt.close();
    const singleProcess = { seconds: median(singles.map((f) => f.seconds)), nIter: singles[0]!.nIter };
    progress(3 + counts.length, "Dask distributed");
    let dask: ClusterBenchResult["dask"] = { missing: "skipped (--no-python)" };
    if (options.python !== false) {
      const rowsOf: (ClusterRow & { version: string })[] = [];
      for (const count of counts) {
        const r = runPythonReference<ClusterRow & { version: string }>(
          "dask_cluster.py",
          "numpy, dask.distributed",
          "python3-numpy python3-dask python3-distributed",
          [npy, count, iterations],
          1_800_000,
        );
        if ("missing" in r) {
          dask = r;
          break;
        }
        rowsOf.push(r);
      }
      if (rowsOf.length === counts.length) dask = rowsOf;
    }
    options.onProgress?.(total, total, "done");
    return {
      rows,
      cols,
      iterations,
      nats: String(spawnSync(server, ["--version"]).stdout).trim(),
      weft,
      solvers,
      dask,
      lbfgs: { singleProcess, twoWorkers: lbfgsTwo!, ratio: lbfgsTwo!.seconds / singleProcess.seconds },
    };
  } finally {
    for (const child of children.reverse()) await stop(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The report as text. */
export function renderClusterBench(r: ClusterBenchReport): string[] {
  if ("missing" in r) return [`cluster: not measured: ${r.missing}`];
  const lines = [
    `logistic gradient on ${r.rows} x ${r.cols}, read by each worker from one .npy; ${r.nats}; medians of ${r.iterations} gradients`,
    "",
    "                       workers  ms per iteration  busiest worker ms  overhead ms (wall - busiest)",
  ];
  for (const w of r.weft)
    lines.push(
      `  weft                 ${String(w.workers).padStart(7)} ${w.msPerIteration.toFixed(2).padStart(17)} ${w.busiestWorkerMs.toFixed(2).padStart(18)} ${w.overheadMs.toFixed(3).padStart(12)}`,
    );
  if ("missing" in r.dask) lines.push(`  Dask distributed: not measured: ${r.dask.missing}`);
  else
    for (const d of r.dask)
      lines.push(
        `  Dask ${d.version.padEnd(16)}${String(d.workers).padStart(7)} ${d.msPerIteration.toFixed(2).padStart(17)} ${d.busiestWorkerMs.toFixed(2).padStart(18)} ${d.overheadMs.toFixed(3).padStart(12)}`,
      );
  lines.push("", "the messaging alone (the workers answer from their last evaluation): workers  back to back ms  after 25 ms idle ms");
  for (const w of r.weft)
    lines.push(
      `  weft                                                       ${String(w.workers).padStart(7)} ${(w.messagingHotMs ?? NaN).toFixed(3).padStart(15)} ${(w.messagingAfterIdleMs ?? NaN).toFixed(3).padStart(19)}`,
    );
  lines.push(
    "",
    "every solver, one fit each (lambda 1, no intercept, maxIter 500):",
    "  workers  solver            iterations  seconds  evaluations  compute ms/eval  messaging ms/eval",
  );
  for (const x of r.solvers)
    lines.push(
      `  ${String(x.workers).padStart(7)}  ${x.solver.padEnd(16)} ${String(x.nIter).padStart(11)}${x.converged ? " " : "*"} ${x.seconds.toFixed(3).padStart(7)} ${String(x.evaluations).padStart(12)} ${x.computeMsPerEvaluation.toFixed(2).padStart(16)} ${x.messagingMsPerEvaluation.toFixed(3).padStart(18)}`,
    );
  if (r.solvers.some((x) => !x.converged)) lines.push("  * not converged within maxIter");
  lines.push(
    "",
    `lbfgs (lambda 1, no intercept): one process, 2 threads ${r.lbfgs.singleProcess.seconds.toFixed(3)} s (${r.lbfgs.singleProcess.nIter} iterations); 2 workers ${r.lbfgs.twoWorkers.seconds.toFixed(3)} s (${r.lbfgs.twoWorkers.nIter} iterations): ${r.lbfgs.ratio.toFixed(2)}x`,
  );
  return lines;
}
