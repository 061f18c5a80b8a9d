/**
 * weftjs/cluster's faults, with real processes on 127.0.0.1: a worker killed (SIGKILL) in the
 * middle of a fit, every worker killed, a worker joining mid-fit, the NATS server restarting
 * mid-fit, and the server gone for good. Each fit either reaches the single-process optimum or
 * rejects with a ClusterError in bounded time; none hangs. Skipped without nats-server, unless
 * WEFT_REQUIRE_NATS=1 (.ci/run).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LogisticRegression, readCsv, Runtime, type SolverName } from "../src/index.js";
import { Cluster, ClusterError } from "../src/cluster/index.js";
import { natsServerPresent, type NatsServer, startNatsServer, startWorkerProcess, type WorkerProcess } from "./helpers/nats.js";

const present = natsServerPresent();
if (!present && process.env.WEFT_REQUIRE_NATS === "1") throw new Error("nats-server is required (WEFT_REQUIRE_NATS=1) but missing");

const dir = mkdtempSync(join(tmpdir(), "weft-cluster-faults-"));
const csv = join(dir, "data.csv");
const FEATURES = ["a", "b", "c"];
// workers beat every 100 ms; one silent for 800 ms is dead (the defaults are 1 s and 5 s)
const BEAT = ["--heartbeat-ms", "100"];
const CLIENT = { deadAfterMs: 800, requestTimeoutMs: 4000 };

let local: Runtime;
let single: LogisticRegression;
let nats: NatsServer | undefined;
let workers: WorkerProcess[] = [];
let cluster: Cluster | undefined;

/** The fit at the single-process optimum (coefficients to 1e-4 of the largest, objective to 1e-8). */
function expectSameOptimum(model: LogisticRegression): void {
  expect(model.converged).toBe(true);
  const scale = Math.max(1, ...Array.from(single.coef!, Math.abs));
  for (let j = 0; j < FEATURES.length; j++) expect(Math.abs(model.coef![j]! - single.coef![j]!)).toBeLessThan(1e-4 * scale);
  expect(Math.abs(model.objective - single.objective)).toBeLessThan(1e-8 * Math.abs(single.objective));
}

/** A model that runs `act` once, at iteration `at` of its fit. */
function modelActingAt(solver: SolverName, at: number, act: () => void): LogisticRegression {
  let done = false;
  return new LogisticRegression({
    solver,
    lambda: 1,
    maxIter: 5000,
    onIteration: ({ iteration }) => {
      if (!done && iteration >= at) {
        done = true;
        act();
      }
    },
  });
}

describe.skipIf(!present)("a cluster's faults", () => {
  beforeAll(async () => {
    const lines = ["a,b,c,y"];
    for (let i = 0; i < 4000; i++) {
      const a = Math.sin(i) * 2,
        b = ((i * 17) % 53) / 5,
        c = Math.cos(0.21 * i) * 50;
      lines.push([a, b, c, a - 0.2 * b + 0.02 * c + 0.8 * Math.sin(11 * i) > 0 ? 1 : 0].join(","));
    }
    writeFileSync(csv, `${lines.join("\n")}\n`);
    local = await Runtime.start({ threads: 1 });
    const table = await readCsv(csv, { target: "y", features: FEATURES });
    single = await new LogisticRegression({ lambda: 1, runtime: local }).fit(table.X, table.y!);
  });

  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
    // gone before the server stops: a dying worker could reconnect to the next test's server on the same port
    await Promise.all(workers.map((w) => w.kill()));
    workers = [];
    await nats?.stop();
    nats = undefined;
  });

  afterAll(async () => {
    await local?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a worker killed mid-fit: its partitions are read again by live workers, and the fit reaches the same optimum", async () => {
    nats = await startNatsServer();
    workers = await Promise.all(["w1", "w2", "w3"].map((name) => startWorkerProcess(nats!.url, name, 1, BEAT)));
    cluster = await Cluster.connect(nats.url, CLIENT);
    const dataset = cluster.dataset(csv, { target: "y", features: FEATURES });
    // ADMM, whose per-chunk state must follow a partition to its new worker
    const admm = modelActingAt("admm", 3, () => workers[1]!.process.kill("SIGKILL"));
    await admm.fit(dataset);
    expectSameOptimum(admm);
    expect(dataset.reassigned).toBe(1);
    expect(dataset.placement.map((g) => g.worker)).not.toContain(undefined);
    // lbfgs on the two left, one more killed: the last one holds every partition
    const lbfgs = modelActingAt("lbfgs", 2, () => workers[2]!.process.kill("SIGKILL"));
    const again = cluster.dataset(csv, { target: "y", features: FEATURES, partitions: 4 });
    await lbfgs.fit(again);
    expectSameOptimum(lbfgs);
    expect(again.placement).toHaveLength(1);
    expect(again.placement[0]!.parts).toEqual([0, 1, 2, 3]);
  }, 60_000);

  it("with every worker killed, the fit rejects with a ClusterError after the timeout, never hangs", async () => {
    nats = await startNatsServer();
    workers = [await startWorkerProcess(nats.url, "only", 1, BEAT)];
    cluster = await Cluster.connect(nats.url, CLIENT);
    const model = modelActingAt("gradient_descent", 1, () => workers[0]!.process.kill("SIGKILL"));
    const started = Date.now();
    const fit = model.fit(cluster.dataset(csv, { target: "y", features: FEATURES }));
    await expect(fit).rejects.toThrow(ClusterError);
    await expect(fit).rejects.toThrow(/no live worker left/);
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 60_000);

  it("a worker that joins mid-fit is used from the next fit", async () => {
    nats = await startNatsServer();
    workers = await Promise.all(["w1", "w2"].map((name) => startWorkerProcess(nats!.url, name, 1, BEAT)));
    cluster = await Cluster.connect(nats.url, CLIENT);
    const dataset = cluster.dataset(csv, { target: "y", features: FEATURES });
    let joining: Promise<WorkerProcess> | undefined;
    const first = modelActingAt("admm", 2, () => {
      joining = startWorkerProcess(nats!.url, "w3", 1, BEAT);
    });
    await first.fit(dataset);
    expectSameOptimum(first);
    expect(dataset.placement).toHaveLength(2);
    workers.push(await joining!);
    const second = new LogisticRegression({ lambda: 1 });
    await second.fit(dataset);
    expectSameOptimum(second);
    expect(dataset.placement).toHaveLength(3);
  }, 60_000);

  it("the NATS server restarting mid-fit: client and workers reconnect, and the fit reaches the same optimum", async () => {
    const store = mkdtempSync(join(tmpdir(), "weft-nats-store-"));
    nats = await startNatsServer(-1, store);
    const port = nats.port;
    workers = await Promise.all(["w1", "w2"].map((name) => startWorkerProcess(nats!.url, name, 1, BEAT)));
    cluster = await Cluster.connect(nats.url, { ...CLIENT, requestTimeoutMs: 15_000 });
    let restarted: Promise<void> | undefined;
    const model = modelActingAt("gradient_descent", 2, () => {
      restarted = (async () => {
        await nats!.stop();
        await new Promise((r) => setTimeout(r, 300));
        nats = await startNatsServer(port, store);
      })();
    });
    const dataset = cluster.dataset(csv, { target: "y", features: FEATURES });
    await model.fit(dataset);
    await restarted;
    expectSameOptimum(model);
    expect(dataset.healed).toBeGreaterThanOrEqual(1); // the fit did go through the outage
    expect(dataset.reassigned).toBe(0); // and found its workers again
    await nats?.stop();
    nats = undefined;
    rmSync(store, { recursive: true, force: true });
  }, 60_000);

  it("a worker asked to stop while the server is gone still ends, within seconds", async () => {
    nats = await startNatsServer();
    const worker = await startWorkerProcess(nats.url, "orphan", 1, BEAT);
    workers = [worker];
    await nats.stop();
    nats = undefined;
    const started = Date.now();
    expect(await worker.stop()).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(worker.output()).toMatch(/left the cluster \(SIGTERM\)/);
  }, 30_000);

  it("the NATS server gone for good mid-fit: the fit rejects with a ClusterError after requestTimeoutMs", async () => {
    nats = await startNatsServer();
    workers = [await startWorkerProcess(nats.url, "w1", 1, BEAT)];
    cluster = await Cluster.connect(nats.url, { ...CLIENT, requestTimeoutMs: 2000 });
    const model = modelActingAt("gradient_descent", 1, () => nats!.process.kill("SIGKILL"));
    const started = Date.now();
    await expect(model.fit(cluster.dataset(csv, { target: "y", features: FEATURES }))).rejects.toThrow(
      /lost the NATS server|did not answer/,
    );
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 60_000);
});
