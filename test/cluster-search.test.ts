/**
 * GridSearchCV on a cluster (`{ cluster }`), against a real nats-server and real `weft worker`
 * processes on 127.0.0.1: the same results as the same search in one process (scores, best
 * candidate, refitted model), a pipeline and a bare estimator, a failing task's error, an abort,
 * a malformed task that the workers survive, a worker killed mid-search (its task delivered
 * again), a worker joining mid-search, the server restarting mid-search, and every worker gone (a ClusterError, no hang).
 * Skipped without nats-server, unless WEFT_REQUIRE_NATS=1 (.ci/run).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  ArgumentError,
  GridSearchCV,
  KFold,
  LinearRegression,
  LogisticRegression,
  Pipeline,
  readCsv,
  Runtime,
  StandardScaler,
} from "../src/index.js";
import { Cluster, ClusterError, RemoteError } from "../src/cluster/index.js";
import { natsServerPresent, type NatsServer, startNatsServer, startWorkerProcess, type WorkerProcess } from "./helpers/nats.js";

const present = natsServerPresent();
if (!present && process.env.WEFT_REQUIRE_NATS === "1") throw new Error("nats-server is required (WEFT_REQUIRE_NATS=1) but missing");

const dir = mkdtempSync(join(tmpdir(), "weft-cluster-search-"));
const csv = join(dir, "data.csv");
const FEATURES = ["a", "b", "c", "d"];
const BEAT = ["--heartbeat-ms", "100"];

/** 6,000 rows of raw features on different scales, a 0/1 label and a real target. */
function writeData(): void {
  const lines = ["a,b,c,d,y,spend"];
  for (let i = 0; i < 6000; i++) {
    const a = Math.sin(i) * 3,
      b = ((i * 37) % 101) / 10,
      c = Math.cos(0.37 * i) * 100,
      d = (i % 7) - 3;
    const eta = 0.8 * a - 0.3 * b + 0.01 * c + 0.2 * d + 1.5 * Math.sin(13 * i);
    lines.push([a, b, c, d, eta > 0 ? 1 : 0, 2 * a - b + 0.05 * c + d + Math.sin(5 * i)].join(","));
  }
  writeFileSync(csv, `${lines.join("\n")}\n`);
}

const pipeline = () =>
  new Pipeline([
    ["scale", new StandardScaler()],
    ["clf", new LogisticRegression({ maxIter: 500 })],
  ]);
const GRID = { scale__withStd: [true, false], clf__lambda: [10, 1, 0.1, 0.01] };
const kfold = () => new KFold({ nSplits: 3, shuffle: true, seed: 7 });

let local: Runtime;
let nats: NatsServer | undefined;
let workers: WorkerProcess[] = [];
let cluster: Cluster | undefined;
/** The same search in one process, for comparison. */
let single: GridSearchCV;

/** `search`'s results are `single`'s: the same candidates in the same order, scores to 1e-9, the same best. */
function expectSameSearch(search: GridSearchCV, reference = single): void {
  expect(search.cvResults.map((r) => r.params)).toEqual(reference.cvResults.map((r) => r.params));
  search.cvResults.forEach((r, i) => {
    const expected = reference.cvResults[i]!.testScores;
    r.testScores.forEach((s, f) => expect(Math.abs(s - expected[f]!)).toBeLessThan(1e-9 * Math.max(1, Math.abs(expected[f]!))));
  });
  expect(search.bestParams).toEqual(reference.bestParams);
  expect(search.bestIndex).toBe(reference.bestIndex);
}

/** The tasks on the search stream now (none once a search has ended, whichever way). */
async function queuedTasks(): Promise<number> {
  const nc = await connect({ servers: nats!.url });
  try {
    return (await (await jetstreamManager(nc)).streams.info("weft-search")).state.messages;
  } finally {
    await nc.close();
  }
}

async function startCluster(names: string[], options = { deadAfterMs: 800, requestTimeoutMs: 4000 }): Promise<Cluster> {
  nats = await startNatsServer();
  workers = await Promise.all(names.map((name) => startWorkerProcess(nats!.url, name, 1, BEAT)));
  cluster = await Cluster.connect(nats.url, options);
  return cluster;
}

describe.skipIf(!present)("grid search on a cluster", () => {
  beforeAll(async () => {
    writeData();
    local = await Runtime.start({ threads: 1 });
    const table = await readCsv(csv, { target: "y", features: FEATURES });
    single = await new GridSearchCV(pipeline(), GRID, { cv: kfold(), scoring: "log_loss", pathSegment: 2, runtime: local }).fit(
      table.X,
      table.y!,
    );
  }, 60_000);

  afterEach(async (context) => {
    if (process.env.WEFT_DEBUG_SEARCH && context.task.result?.state === "fail") {
      console.log("DEBUG workers", JSON.stringify(await cluster?.workers().catch(() => "?")));
      for (const w of workers) console.log("DEBUG", w.name, w.output());
    }
    await cluster?.close();
    cluster = undefined;
    await Promise.all(workers.map((w) => w.kill()));
    workers = [];
    await nats?.stop();
    nats = undefined;
  });

  afterAll(async () => {
    await local?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a pipeline's search on two workers equals the search in one process, refitted model included", async () => {
    const c = await startCluster(["w1", "w2"]);
    const progress: number[] = [];
    const search = new GridSearchCV(pipeline(), GRID, { cv: kfold(), scoring: "log_loss", pathSegment: 2, cluster: c });
    await search.fit(c.dataset(csv, { target: "y", features: FEATURES }), { onProgress: ({ done }) => progress.push(done) });
    expectSameSearch(search);
    // 3 folds x 2 upstream settings x 2 segments of 2 lambdas, each once
    expect(c.lastSearch).toMatchObject({ tasks: 12, redelivered: 0 });
    expect(progress).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    // the refit: a fitted pipeline, from a worker, predicting what the single process's does
    const table = await readCsv(csv, { target: "y", features: FEATURES });
    const mine = await search.predictProba(table.X);
    const theirs = await single.predictProba(table.X);
    for (let i = 0; i < mine.length; i += 97) expect(Math.abs(mine[i]! - theirs[i]!)).toBeLessThan(1e-9);
    expect(search.transformerFits.get("scale")).toBeGreaterThanOrEqual(single.transformerFits.get("scale")!);
  }, 60_000);

  it("a bare regressor's search (the whole path in one task per fold) and its refit equal the single process's", async () => {
    const c = await startCluster(["w1"]);
    const grid = { lambda: [100, 10, 1, 0.1] };
    const table = await readCsv(csv, { target: "spend", features: FEATURES });
    const alone = await new GridSearchCV(new LinearRegression(), grid, { cv: 4, runtime: local }).fit(table.X, table.y!);
    const search = await new GridSearchCV(new LinearRegression(), grid, { cv: 4, cluster: c }).fit(
      c.dataset(csv, { target: "spend", features: FEATURES }),
    );
    expectSameSearch(search, alone);
    expect(c.lastSearch?.tasks).toBe(4);
    const best = search.bestEstimator as LinearRegression;
    expect(best).toBeInstanceOf(LinearRegression);
    const ref = alone.bestEstimator as LinearRegression;
    best.coef!.forEach((v, j) => expect(Math.abs(v - ref.coef![j]!)).toBeLessThan(1e-9 * Math.max(1, Math.abs(ref.coef![j]!))));
    expect(Math.abs(best.intercept - ref.intercept)).toBeLessThan(1e-9);
  }, 60_000);

  it("refuses what it cannot run: local data with a cluster, a dataset without one, another cluster's dataset", async () => {
    const c = await startCluster(["w1"]);
    const dataset = c.dataset(csv, { target: "y", features: FEATURES });
    const withCluster = new GridSearchCV(new LogisticRegression(), { lambda: [1] }, { cluster: c });
    await expect(withCluster.fit([[1], [2]], [0, 1])).rejects.toThrow(ArgumentError);
    await expect(new GridSearchCV(new LogisticRegression(), { lambda: [1] }).fit(dataset)).rejects.toThrow(/cluster/);
    const other = await Cluster.connect(nats!.url);
    try {
      await expect(withCluster.fit(other.dataset(csv, { target: "y" }))).rejects.toThrow(/dataset of this cluster/);
    } finally {
      await other.close();
    }
    expect(() => new GridSearchCV(new LogisticRegression(), { lambda: [1] }, { cluster: {} as never })).toThrow(ArgumentError);
    expect(() => new GridSearchCV(new LogisticRegression(), { lambda: [1] }, { pathSegment: 0 })).toThrow(/pathSegment/);
    // a grid value JSON would drop (undefined: the default here, the spec's value on a worker)
    await expect(
      new GridSearchCV(new LogisticRegression({ tol: 1e-8 }), { lambda: [1], tol: [undefined] }, { cluster: c }).fit(dataset),
    ).rejects.toThrow(/paramGrid.tol/);
  }, 60_000);

  it("a task that fails rejects the search with the worker's error; the queue is left empty", async () => {
    const c = await startCluster(["w1"]);
    const search = new GridSearchCV(new LogisticRegression(), { lambda: [1, 0.1] }, { cluster: c });
    const missing = join(dir, "no-such-file.csv");
    await expect(search.fit(c.dataset(missing, { target: "y" }))).rejects.toThrow(RemoteError);
    await expect(search.fit(c.dataset(missing, { target: "y" }))).rejects.toThrow(/no-such-file/);
    expect(await queuedTasks()).toBe(0);
  }, 60_000);

  it("an abort rejects with the signal's reason and takes the search's tasks off the queue", async () => {
    const c = await startCluster(["w1"]);
    const controller = new AbortController();
    const search = new GridSearchCV(pipeline(), GRID, { cv: kfold(), pathSegment: 1, cluster: c });
    const fit = search.fit(c.dataset(csv, { target: "y", features: FEATURES }), {
      signal: controller.signal,
      onProgress: ({ done }) => done === 1 && controller.abort(new Error("stop here")),
    });
    await expect(fit).rejects.toThrow("stop here");
    expect(await queuedTasks()).toBe(0);
  }, 60_000);

  it("a malformed task gets an error stored under its name; the workers go on", async () => {
    const c = await startCluster(["w1"]);
    const nc = await connect({ servers: nats!.url });
    try {
      // the queue exists once a worker has started; a task whose fields are wrong
      const kv = await new Kvm(nc).open("weft-search-results");
      /** What the worker stored under `key` (asked until it is there, for up to 10 s). */
      const stored = async (key: string) => {
        for (let tries = 0; tries < 200; tries++) {
          const entry = await kv.get(key);
          if (entry?.operation === "PUT") return JSON.parse(entry.string());
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        throw new Error(`nothing stored under ${key}; the worker said: ${workers[0]!.output()}`);
      };
      const publish = (subject: string, text: string) => jetstream(nc).publish(subject, new TextEncoder().encode(text));
      await publish("weft.search.bad1.0", JSON.stringify({ search: "bad1", task: "0", fold: -1 }));
      expect(await stored("bad1.0")).toMatchObject({ ok: false, worker: "w1", error: { name: "ProtocolError", message: /spec/ } });
      await publish("weft.search.bad2.0", "not json at all");
      expect(await stored("bad2.0")).toMatchObject({ ok: false, error: { name: "ProtocolError", message: /not JSON/ } });
    } finally {
      await nc.close();
    }
    const search = await new GridSearchCV(new LogisticRegression(), { lambda: [1] }, { cluster: c, cv: 2 }).fit(
      c.dataset(csv, { target: "y", features: FEATURES }),
    );
    expect(search.cvResults).toHaveLength(1);
    expect((await c.liveWorkers()).map((w) => w.name)).toEqual(["w1"]);
  }, 60_000);

  it("a worker killed mid-search: its task is delivered to another and the results equal the single process's", async () => {
    const c = await startCluster(["w1", "w2"]);
    const search = new GridSearchCV(pipeline(), GRID, { cv: kfold(), scoring: "log_loss", pathSegment: 2, cluster: c, refit: false });
    // w1 killed while the registry shows it holding a task (its first: reading the source, then fitting)
    const w1 = (await c.workers()).find((w) => w.name === "w1")!.id;
    let over = false;
    const holding = (async () => {
      while (!over) {
        if ((await c.worker(w1))?.searchTask) return workers[0]!.process.kill("SIGKILL");
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      return false;
    })();
    await search.fit(c.dataset(csv, { target: "y", features: FEATURES })).finally(() => {
      over = true;
    });
    expect(await holding).toBe(true);
    expectSameSearch(search);
    expect(c.lastSearch!.redelivered).toBeGreaterThanOrEqual(1);
    expect(c.lastSearch!.workers).toEqual(["w2"]);
  }, 60_000);

  it("a worker that joins mid-search takes tasks", async () => {
    const c = await startCluster(["w1"]);
    let joining: Promise<WorkerProcess> | undefined;
    const search = new GridSearchCV(pipeline(), GRID, { cv: kfold(), scoring: "log_loss", pathSegment: 1, cluster: c, refit: false });
    // w1 paused after its first task, so that the rest must wait for the worker that joins
    await search.fit(c.dataset(csv, { target: "y", features: FEATURES }), {
      onProgress: ({ done }) => {
        if (done !== 1) return;
        workers[0]!.process.kill("SIGSTOP");
        joining = startWorkerProcess(nats!.url, "late", 1, BEAT);
      },
    });
    workers[0]!.process.kill("SIGCONT");
    expect(c.lastSearch!.workers).toContain("late");
    workers.push(await joining!);
    expect(search.cvResults).toHaveLength(8);
    // pathSegment 1 cuts the path differently from the reference: compare with the same search in one process
    const table = await readCsv(csv, { target: "y", features: FEATURES });
    const alone = await new GridSearchCV(pipeline(), GRID, {
      cv: kfold(),
      scoring: "log_loss",
      pathSegment: 1,
      runtime: local,
      refit: false,
    }).fit(table.X, table.y!);
    expectSameSearch(search, alone);
  }, 60_000);

  it("the NATS server restarting mid-search: the queue, the workers and the client come back, and the results equal the single process's", async () => {
    const store = mkdtempSync(join(tmpdir(), "weft-nats-store-"));
    nats = await startNatsServer(-1, store);
    const port = nats.port;
    workers = await Promise.all(["w1", "w2"].map((name) => startWorkerProcess(nats!.url, name, 1, BEAT)));
    const c = (cluster = await Cluster.connect(nats.url, { deadAfterMs: 800, requestTimeoutMs: 15_000 }));
    let restarted: Promise<void> | undefined;
    const search = new GridSearchCV(pipeline(), GRID, { cv: kfold(), scoring: "log_loss", pathSegment: 2, cluster: c, refit: false });
    await search.fit(c.dataset(csv, { target: "y", features: FEATURES }), {
      onProgress: ({ done }) => {
        if (done !== 2) return;
        restarted = (async () => {
          await nats!.stop();
          await new Promise((r) => setTimeout(r, 300));
          nats = await startNatsServer(port, store);
        })();
      },
    });
    await restarted;
    expect(restarted).toBeDefined();
    expectSameSearch(search);
    await nats?.stop();
    nats = undefined;
    rmSync(store, { recursive: true, force: true });
  }, 90_000);

  it("a task that leaves the queue without a result (acknowledged, result lost) is published again; the results stay equal", async () => {
    const c = await startCluster(["w1"]);
    const search = new GridSearchCV(pipeline(), GRID, { cv: kfold(), scoring: "log_loss", pathSegment: 2, cluster: c, refit: false });
    // w1 paused, so that a rogue consumer takes the first task and acknowledges it without a result
    workers[0]!.process.kill("SIGSTOP");
    const fit = search.fit(c.dataset(csv, { target: "y", features: FEATURES }));
    const nc = await connect({ servers: nats!.url });
    try {
      const consumer = await jetstream(nc).consumers.get("weft-search", "weft-search-workers");
      let stolen = null;
      while (!stolen) stolen = await consumer.next({ expires: 1000 });
      await stolen.ackAck();
    } finally {
      await nc.close();
      workers[0]!.process.kill("SIGCONT");
    }
    await fit;
    expectSameSearch(search);
    expect(c.lastSearch!.republished).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it("with every worker gone mid-search, it rejects with a ClusterError after the timeout, never hangs", async () => {
    const c = await startCluster(["w1"]);
    const search = new GridSearchCV(pipeline(), GRID, { cv: kfold(), pathSegment: 1, cluster: c, refit: false });
    const started = Date.now();
    const fit = search.fit(c.dataset(csv, { target: "y", features: FEATURES }), {
      onProgress: ({ done }) => done === 1 && workers[0]!.process.kill("SIGKILL"),
    });
    await expect(fit).rejects.toThrow(ClusterError);
    await expect(fit).rejects.toThrow(/no live worker/);
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);
});
