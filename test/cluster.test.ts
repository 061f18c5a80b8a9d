/**
 * weftjs/cluster against a real nats-server (Debian's, JetStream on) and real `weft worker`
 * processes, all on 127.0.0.1: registration and leaving, every solver's distributed fit at the
 * single-process optimum, malformed requests answered with errors, and no hang without workers.
 * Skipped where nats-server is missing, unless WEFT_REQUIRE_NATS=1 (set by .ci/run).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parquetWriteBuffer } from "hyparquet-writer";
import { LinearRegression, LogisticRegression, PoissonRegression, readCsv, Runtime, type SolverName, writeNpy } from "../src/index.js";
import { Cluster, ClusterError } from "../src/cluster/index.js";
import { natsServerPresent, type NatsServer, startNatsServer, startWorkerProcess, type WorkerProcess } from "./helpers/nats.js";

const present = natsServerPresent();
if (!present && process.env.WEFT_REQUIRE_NATS === "1") throw new Error("nats-server is required (WEFT_REQUIRE_NATS=1) but missing");
if (!present) console.warn("test/cluster.test.ts: skipped, no nats-server (apt-get install nats-server)");

const run = promisify(execFile);
const CLI = resolve(fileURLToPath(new URL("../dist/src/cli/index.js", import.meta.url)));
const dir = mkdtempSync(join(tmpdir(), "weft-cluster-"));
const csv = join(dir, "shoppers.csv");

/** 3,000 rows, four raw features of different scales, a 0/1 label, a count and a real target. */
function writeData(): void {
  const lines = ["a,b,c,d,bought,items,spend"];
  for (let i = 0; i < 3000; i++) {
    const a = Math.sin(i) * 3,
      b = ((i * 37) % 101) / 10,
      c = Math.cos(0.37 * i) * 100,
      d = (i % 7) - 3;
    const eta = 0.8 * a - 0.3 * b + 0.01 * c + 0.2 * d + 0.5 * Math.sin(13 * i);
    const bought = eta > 0 ? 1 : 0;
    const items = Math.round(Math.exp(0.1 * a + 0.05 * b + 0.3 * Math.sin(7 * i)));
    const spend = 2 * a - b + 0.05 * c + d + Math.sin(5 * i);
    lines.push([a, b, c, d, bought, items, spend].join(","));
  }
  writeFileSync(csv, `${lines.join("\n")}\n`);
}

let nats: NatsServer;
let workers: WorkerProcess[] = [];
let cluster: Cluster;
let local: Runtime;

describe.skipIf(!present)("a cluster on NATS", () => {
  beforeAll(async () => {
    writeData();
    nats = await startNatsServer();
    workers = await Promise.all([startWorkerProcess(nats.url, "w1"), startWorkerProcess(nats.url, "w2")]);
    cluster = await Cluster.connect(nats.url, { requestTimeoutMs: 30_000 });
    local = await Runtime.start({ threads: 1 });
  }, 60_000);

  afterAll(async () => {
    await cluster?.close();
    await local?.close();
    await Promise.all(workers.map((w) => w.stop()));
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists the workers registered, alive, with their threads", async () => {
    const listed = await cluster.workers();
    expect(listed.map((w) => [w.name, w.alive, w.threads])).toEqual([
      ["w1", true, 1],
      ["w2", true, 1],
    ]);
  });

  const fits: [string, (runtime?: Runtime) => LogisticRegression | LinearRegression | PoissonRegression, string][] = [];
  for (const solver of ["lbfgs", "newton", "gradient_descent", "proximal_grad", "admm"] as SolverName[])
    fits.push([`logistic, ${solver}`, (runtime) => new LogisticRegression({ solver, lambda: 1, maxIter: 3000, runtime }), "bought"]);
  fits.push([
    "logistic, L1 (proximal_grad)",
    (runtime) => new LogisticRegression({ regularizer: "l1", lambda: 5, maxIter: 3000, runtime }),
    "bought",
  ]);
  fits.push(["linear, lbfgs", (runtime) => new LinearRegression({ lambda: 1, runtime }), "spend"]);
  fits.push(["poisson, newton", (runtime) => new PoissonRegression({ solver: "newton", lambda: 1, runtime }), "items"]);

  it.each(fits)("%s: the distributed fit reaches the single-process optimum", async (_label, make, target) => {
    const features = ["a", "b", "c", "d"];
    const table = await readCsv(csv, { target, features });
    const single = make(local);
    await single.fit(table.X, table.y!);
    const dataset = cluster.dataset(csv, { target, features });
    const spread = make();
    await spread.fit(dataset);
    await dataset.drop();
    expect(spread.converged).toBe(true);
    expect(single.converged).toBe(true);
    const scale = Math.max(1, ...Array.from(single.coef!, Math.abs));
    for (let j = 0; j < 4; j++) expect(Math.abs(spread.coef![j]! - single.coef![j]!)).toBeLessThan(1e-4 * scale);
    expect(Math.abs(spread.intercept - single.intercept)).toBeLessThan(1e-4 * scale);
    expect(Math.abs(spread.objective - single.objective)).toBeLessThan(1e-8 * Math.abs(single.objective));
  });

  it("an NPY and a Parquet dataset: each worker reads its partitions' rows (ranges), the fit at the single-process optimum", async () => {
    const table = await readCsv(csv, { target: "bought", features: ["a", "b", "c", "d"] });
    const X = (await table.X.compute({ runtime: local })) as Float64Array;
    const y = (await table.y!.compute({ runtime: local })) as Float64Array;
    const rows = table.rows;
    // the same rows as a 5-column NPY (target last) and as Parquet with three row groups
    const npy = join(dir, "shoppers.npy");
    const stacked = Float64Array.from({ length: rows * 5 }, (_, k) =>
      k % 5 === 4 ? y[Math.floor(k / 5)]! : X[Math.floor(k / 5) * 4 + (k % 5)]!,
    );
    await writeNpy(npy, stacked, [rows, 5]);
    const parquet = join(dir, "shoppers.parquet");
    const columns = ["a", "b", "c", "d"].map((name, j) => ({
      name,
      data: Array.from({ length: rows }, (_, r) => X[r * 4 + j]!),
      type: "DOUBLE" as const,
    }));
    writeFileSync(
      parquet,
      Buffer.from(
        parquetWriteBuffer({ columnData: [...columns, { name: "bought", data: Array.from(y), type: "DOUBLE" }], rowGroupSize: 1000 }),
      ),
    );
    const single = await new LogisticRegression({ lambda: 1, runtime: local }).fit(table.X, table.y!);
    for (const dataset of [
      cluster.dataset(npy, { target: "4", partitions: 3 }),
      cluster.dataset(parquet, { target: "bought", partitions: 3 }),
    ]) {
      const spread = await new LogisticRegression({ lambda: 1 }).fit(dataset);
      expect(dataset.rows).toBe(rows);
      const scale = Math.max(1, ...Array.from(single.coef!, Math.abs));
      for (let j = 0; j < 4; j++) expect(Math.abs(spread.coef![j]! - single.coef![j]!)).toBeLessThan(1e-4 * scale);
      expect(Math.abs(spread.objective - single.objective)).toBeLessThan(1e-8 * Math.abs(single.objective));
      await dataset.drop();
    }
  });

  it("spreads a dataset's partitions over the workers, each keeping only its own rows", async () => {
    const dataset = cluster.dataset(csv, { target: "bought", partitions: 4 });
    await dataset.load();
    expect(dataset.placement.map((g) => g.parts)).toEqual([
      [0, 2],
      [1, 3],
    ]);
    const listed = await cluster.workers();
    // the registry says which partitions each holds (with the next heartbeat at the latest)
    await new Promise((r) => setTimeout(r, 1200));
    const held = (await cluster.workers()).map((w) => w.datasets[dataset.id]);
    expect(held).toEqual([
      [0, 2],
      [1, 3],
    ]);
    expect(listed).toHaveLength(2);
    await dataset.drop();
  });

  it("answers a malformed request with an error, and goes on serving", async () => {
    const nc = await connect({ servers: nats.url });
    try {
      const [w] = await cluster.liveWorkers();
      const ask = async (op: string, body: string) =>
        JSON.parse(
          new TextDecoder().decode(
            (await nc.request(`weft.worker.${w!.id}.${op}`, new TextEncoder().encode(body), { timeout: 5000 })).data,
          ),
        );
      expect(await ask("lossGrad", "not json")).toMatchObject({ ok: false, error: { name: "ProtocolError" } });
      expect(await ask("shutdown", "{}")).toMatchObject({ ok: false, error: { message: expect.stringMatching(/unknown op/) } });
      expect(await ask("lossGrad", '{"dataset":"x","parts":[0],"family":"logistic","intercept":true,"beta":[1,2]}')).toMatchObject({
        ok: false,
        error: { message: expect.stringMatching(/'beta' must be a float64 vector/) },
      });
      expect(
        await ask("lossGrad", '{"dataset":"nope","parts":[0],"family":"logistic","intercept":true,"beta":{"$f64":"AAAAAAAA8D8="}}'),
      ).toMatchObject({
        ok: false,
        error: { message: expect.stringMatching(/not loaded/) },
      });
      // still serving
      const dataset = cluster.dataset(csv, { target: "bought" });
      await new LogisticRegression().fit(dataset);
      await dataset.drop();
    } finally {
      await nc.close();
    }
  });

  it("a worker stopped by SIGTERM leaves the registry", async () => {
    const extra = await startWorkerProcess(nats.url, "w3");
    expect((await cluster.workers()).map((w) => w.name)).toContain("w3");
    expect(await extra.stop()).toBe(0);
    expect((await cluster.workers()).map((w) => w.name)).not.toContain("w3");
    expect(extra.output()).toMatch(/left the cluster \(SIGTERM\)/);
  });

  it("with no live worker a fit rejects with a ClusterError at once, never hangs", async () => {
    const empty = await Cluster.connect(nats.url, { prefix: "nobody" });
    try {
      await expect(new LogisticRegression().fit(empty.dataset(csv, { target: "bought" }))).rejects.toThrow(ClusterError);
      await expect(new LogisticRegression().fit(empty.dataset(csv, { target: "bought" }))).rejects.toThrow(/no live worker/);
    } finally {
      await empty.close();
    }
  });

  it("the CLI: weft fit --cluster fits on the workers, weft cluster status lists them, file-side options are refused", async () => {
    const weft = (...args: string[]) =>
      run(process.execPath, [CLI, ...args]).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );
    const fitted = await weft("fit", csv, "--target", "bought", "--features", "a,b,c,d", "--cluster", nats.url, "--json");
    expect(fitted.code).toBe(0);
    const result = JSON.parse(fitted.stdout);
    const table = await readCsv(csv, { target: "bought", features: ["a", "b", "c", "d"] });
    const single = await new LogisticRegression({ runtime: local }).fit(table.X, table.y!);
    expect(result.converged).toBe(true);
    expect(result.features).toEqual(["a", "b", "c", "d"]);
    result.coef.forEach((c: number, j: number) => expect(Math.abs(c - single.coef![j]!)).toBeLessThan(1e-4));
    const status = await weft("cluster", "status", "--nats", nats.url, "--json");
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).workers.map((w: { name: string; alive: boolean }) => [w.name, w.alive])).toEqual([
      ["w1", true],
      ["w2", true],
    ]);
    const table2 = await weft("cluster", "status", "--nats", nats.url);
    expect(table2.stdout).toMatch(/^2 of 2 workers live at nats:\/\/127\.0\.0\.1:\d+/);
    const refused = await weft("fit", csv, "--target", "bought", "--cluster", nats.url, "--standardize");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--standardize/);
  });
});
