/**
 * A weft worker process's service (`weft worker --nats URL`): its own Runtime, registered in the
 * cluster's KV bucket with a heartbeat, answering the ops of protocol.ts on its own subjects. It
 * reads its partitions of a dataset through weft's readers (equal shares of the rows, in order: of
 * an NPY or Parquet source only those rows' bytes are read; a CSV or Arrow file, which has no index
 * of rows, is read whole and the share kept), persists them, and answers with sums over
 * them: loss, gradient, Hessian, ADMM's local steps. It runs nothing but these ops, checks every
 * request, and answers a bad one with an error; it leaves the registry when stopped.
 */
import type { KV } from "@nats-io/kv";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { ChunkedArray } from "../array/array.js";
import { ArgumentError, WeftError } from "../errors.js";
import { GlmProblem } from "../glm/problem.js";
import { Coordinates } from "../glm/scaling.js";
import { readTablePart } from "../io/table.js";
import { Runtime } from "../runtime/runtime.js";
import { checkOptions } from "../validate.js";
import { decode, encode } from "./codec.js";
import { connectNats, NATS_OPTIONS, type NatsOptions } from "./connection.js";
import { ProtocolError } from "./errors.js";
import { SearchWorker } from "./search-worker.js";
import { bucketOf, checkRequest, type Op, type PartDescription, type Replies, type Requests, type WorkerRecord } from "./protocol.js";

/** A worker's NATS connection options, its name, threads, and heartbeat. */
export interface WorkerOptions extends NatsOptions {
  /** The worker's name in `weft cluster status` (default its id). */
  name?: string;
  /** Threads of its runtime (default the machine's cores). */
  threads?: number;
  /** The subject prefix and bucket name's stem shared with the clients (default "weft"). */
  prefix?: string;
  /** Milliseconds between heartbeats (default 1,000). */
  heartbeatMs?: number;
}

/** A running worker: its id, and stop(), which leaves the cluster and closes its runtime. */
export interface ClusterWorker {
  readonly id: string;
  readonly name: string;
  stop(): Promise<void>;
}

interface Part {
  X: ChunkedArray;
  y: ChunkedArray;
  rows: number;
  features: string[];
}

/** Longest a stopping worker waits for the server (to leave the registry, to drain). */
const STOP_WAIT_MS = 2000;

/** `work`, or nothing after STOP_WAIT_MS; never rejects. */
function bounded(work: Promise<unknown>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((done) => {
    timer = setTimeout(done, STOP_WAIT_MS);
  });
  return Promise.race([
    work.then(
      () => {},
      () => {},
    ),
    timeout,
  ]).finally(() => clearTimeout(timer));
}

const randomId = () => `w${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/** Starts a worker on the NATS server(s) `nats`; resolves once it is registered and listening. */
export async function startWorker(nats: string | readonly string[], options: WorkerOptions = {}): Promise<ClusterWorker> {
  checkOptions(options, "options", [...NATS_OPTIONS, "name", "threads", "prefix", "heartbeatMs"], "startWorker");
  const id = randomId();
  const name = options.name ?? id;
  const prefix = options.prefix ?? "weft";
  if (!/^[A-Za-z0-9_-]+$/.test(prefix)) throw new ArgumentError("prefix", "letters, digits, _ and -", prefix, "startWorker");
  const heartbeatMs = options.heartbeatMs ?? 1000;
  const runtime = await Runtime.start(options.threads !== undefined ? { threads: options.threads } : {});
  let nc: NatsConnection | undefined;
  try {
    nc = await connectNats(nats, `weft worker ${name}`, options);
    const kv = await new Kvm(nc).create(bucketOf(prefix), { history: 1 });
    const service = new WorkerService(id, name, runtime, nc, kv, prefix, heartbeatMs);
    await service.start();
    return service;
  } catch (error) {
    await nc?.close();
    await runtime.close();
    throw error;
  }
}

class WorkerService implements ClusterWorker {
  private readonly datasets = new Map<string, Map<number, Part>>();
  private readonly problems = new Map<string, GlmProblem>();
  private subscription: Subscription | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private readonly startedAt = Date.now();
  private stopping: Promise<void> | undefined;
  private search: SearchWorker | undefined;

  constructor(
    readonly id: string,
    readonly name: string,
    private readonly runtime: Runtime,
    private readonly nc: NatsConnection,
    private readonly kv: KV,
    private readonly prefix: string,
    private readonly heartbeatMs: number,
  ) {}

  async start(): Promise<void> {
    this.subscription = this.nc.subscribe(`${this.prefix}.worker.${this.id}.*`, {
      callback: (error, msg) => {
        if (error) return;
        const op = msg.subject.slice(msg.subject.lastIndexOf(".") + 1);
        void this.answer(op, msg.data).then((reply) => msg.respond(reply));
      },
    });
    await this.nc.flush();
    this.search = new SearchWorker(this.nc, this.prefix, this.runtime, this.name, () => void this.beat().catch(() => {}));
    await this.search.start();
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat().catch(() => {}), this.heartbeatMs);
  }

  private record(): WorkerRecord {
    const memory = this.runtime.stats().memory;
    const datasets: Record<string, number[]> = {};
    for (const [id, parts] of this.datasets) datasets[id] = [...parts.keys()].sort((a, b) => a - b);
    return {
      id: this.id,
      name: this.name,
      threads: this.runtime.threads,
      memory: { used: memory.liveBytes, rss: process.memoryUsage().rss },
      datasets,
      searchTasks: this.search?.done ?? 0,
      ...(this.search?.current ? { searchTask: this.search.current } : {}),
      heartbeat: Date.now(),
      startedAt: this.startedAt,
    };
  }

  private async beat(): Promise<void> {
    await this.kv.put(this.id, JSON.stringify(this.record()));
  }

  /** The reply to a request: its op's answer, or the error it raised (the worker goes on). */
  private async answer(op: string, data: Uint8Array): Promise<Uint8Array> {
    try {
      const request = checkRequest(op, decode(data));
      const started = performance.now();
      const result = await this.run(op as Op, request);
      return encode({ ok: true, ms: performance.now() - started, ...result });
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      return encode({ ok: false, error: { name: e.name, message: e.message } });
    }
  }

  private run(op: Op, request: Requests[Op]): Promise<Replies[Op]> {
    switch (op) {
      case "load":
        return this.load(request as Requests["load"]);
      case "drop":
        return this.drop(request as Requests["drop"]);
      case "describe":
        return this.describe(request as Requests["describe"]);
      case "lossGrad":
        return this.lossGrad(request as Requests["lossGrad"]);
      case "loss":
        return this.loss(request as Requests["loss"]);
      case "hessian":
        return this.hessian(request as Requests["hessian"]);
      case "admm":
        return this.admm(request as Requests["admm"]);
    }
  }

  private async load(r: Requests["load"]): Promise<Replies["load"]> {
    let parts = this.datasets.get(r.dataset);
    const held = parts?.get(r.part);
    if (held) return { rows: held.rows, features: held.features };
    // NPY and Parquet: only this part's rows are read (byte ranges); CSV and Arrow: read whole, this part's rows kept
    const { table, start, end, total } = await readTablePart(
      r.spec.source,
      { target: r.spec.target, ...(r.spec.features ? { features: r.spec.features } : {}) },
      r.part,
      r.partitions,
    );
    if (!table.y) throw new WeftError(`${r.spec.source} has no target column ${r.spec.target}`);
    if (end <= start) throw new ArgumentError("partitions", `at most the rows of ${r.spec.source} (${total})`, r.partitions, "load");
    const X = await table.X.persist({ runtime: this.runtime });
    const y = await table.y.persist({ runtime: this.runtime });
    parts = this.datasets.get(r.dataset) ?? new Map();
    this.datasets.set(r.dataset, parts);
    parts.set(r.part, { X, y, rows: end - start, features: table.features });
    void this.beat().catch(() => {});
    return { rows: end - start, features: table.features };
  }

  private async drop(r: Requests["drop"]): Promise<Replies["drop"]> {
    const parts = this.datasets.get(r.dataset);
    if (!parts) return {};
    for (const part of r.parts.length > 0 ? r.parts : [...parts.keys()]) {
      const held = parts.get(part);
      if (!held) continue;
      for (const [key, problem] of this.problems) {
        if (key.startsWith(`${r.dataset}/${part}/`)) {
          problem.release();
          this.problems.delete(key);
        }
      }
      held.X.release();
      held.y.release();
      parts.delete(part);
    }
    if (parts.size === 0) this.datasets.delete(r.dataset);
    void this.beat().catch(() => {});
    return {};
  }

  /** The GLM problem of one part (made once per family and intercept, then kept). */
  private async problem(dataset: string, part: number, family: string, intercept: boolean): Promise<GlmProblem> {
    const key = `${dataset}/${part}/${family}/${intercept}`;
    const known = this.problems.get(key);
    if (known) return known;
    const held = this.datasets.get(dataset)?.get(part);
    if (!held) throw new ProtocolError(`partition ${part} of dataset ${dataset} is not loaded on worker ${this.name}`);
    const problem = await GlmProblem.create(this.runtime, held.X, held.y, family as "logistic", intercept);
    this.problems.set(key, problem);
    return problem;
  }

  private problemsOf(r: Requests["describe"]): Promise<GlmProblem[]> {
    return Promise.all(r.parts.map((part) => this.problem(r.dataset, part, r.family, r.intercept)));
  }

  private async describe(r: Requests["describe"]): Promise<Replies["describe"]> {
    const problems = await this.problemsOf(r);
    const parts: PartDescription[] = problems.map((problem, i) => ({
      part: r.parts[i]!,
      rows: problem.rows,
      chunks: problem.chunks,
      p: problem.p,
      stats: problem.statistics(),
    }));
    return { parts };
  }

  private checkBeta(problems: GlmProblem[], beta: Float64Array): void {
    const n = problems[0]?.n;
    if (n !== undefined && beta.length !== n) throw new ProtocolError(`field 'beta' must have ${n} values; it has ${beta.length}`);
  }

  private async lossGrad(r: Requests["lossGrad"]): Promise<Replies["lossGrad"]> {
    const problems = await this.problemsOf(r);
    this.checkBeta(problems, r.beta);
    let loss = 0;
    const grad = new Float64Array(r.beta.length);
    for (const problem of problems) {
      const part = await problem.lossGrad(r.beta);
      loss += part.loss;
      for (let j = 0; j < grad.length; j++) grad[j] = grad[j]! + part.grad[j]!;
    }
    return { loss, grad };
  }

  private async loss(r: Requests["loss"]): Promise<Replies["loss"]> {
    const problems = await this.problemsOf(r);
    this.checkBeta(problems, r.beta);
    let loss = 0;
    for (const problem of problems) loss += await problem.loss(r.beta);
    return { loss };
  }

  private async hessian(r: Requests["hessian"]): Promise<Replies["hessian"]> {
    const problems = await this.problemsOf(r);
    this.checkBeta(problems, r.beta);
    const hessian = new Float64Array(r.beta.length * r.beta.length);
    for (const problem of problems) {
      const part = await problem.hessian(r.beta);
      for (let k = 0; k < hessian.length; k++) hessian[k] = hessian[k]! + part[k]!;
    }
    return { hessian };
  }

  /** ADMM's local steps on every chunk of the parts, in order; u and previous hold chunks x n values for them. */
  private async admm(r: Requests["admm"]): Promise<Replies["admm"]> {
    const problems = await this.problemsOf(r);
    const first = problems[0];
    if (!first) return { x: new Float64Array(0) };
    const n = first.n,
      p = first.p;
    const chunks = problems.reduce((a, q) => a + q.chunks, 0);
    if (r.z.length !== n) throw new ProtocolError(`field 'z' must have ${n} values; it has ${r.z.length}`);
    for (const name of ["u", "previous"] as const)
      if (r[name].length !== chunks * n)
        throw new ProtocolError(`field '${name}' must have ${chunks * n} values; it has ${r[name].length}`);
    if (r.coordinates.length !== 2 * p) throw new ProtocolError(`field 'coordinates' must have ${2 * p} values`);
    const coords = new Coordinates(p, r.intercept, r.coordinates.slice(0, p), r.coordinates.slice(p), new Float64Array(n).fill(1));
    const x = new Float64Array(chunks * n);
    let at = 0;
    for (const problem of problems) {
      const c = problem.chunks;
      const local = await problem.admmLocal(
        r.z,
        r.u.subarray(at * n, (at + c) * n),
        r.previous.subarray(at * n, (at + c) * n),
        r.rho,
        r.steps,
        r.refresh,
        coords,
      );
      local.forEach((xi, i) => x.set(xi.subarray(0, n), (at + i) * n));
      at += c;
    }
    return { x };
  }

  /**
   * Leaves the registry and closes, within a bounded time: with the server gone (a client
   * reconnects for as long as it takes), leaving the registry and draining wait at most
   * STOP_WAIT_MS each, then the connection is closed as it is; the registry entry then goes
   * silent and the clients count the worker dead.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.heartbeat) clearInterval(this.heartbeat);
      this.subscription?.unsubscribe();
      await bounded(this.search?.stop() ?? Promise.resolve());
      await bounded(this.kv.delete(this.id));
      await bounded(this.nc.drain());
      if (!this.nc.isClosed()) await this.nc.close().catch(() => {});
      for (const problem of this.problems.values()) problem.release();
      await this.runtime.close();
    })();
    return this.stopping;
  }
}
