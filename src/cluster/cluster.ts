/**
 * The client of a weft cluster: `const cluster = await Cluster.connect("nats://host:4222")`, its
 * workers (from the registry, live when their heartbeat is recent), and datasets that stay where
 * they are read: `await model.fit(cluster.dataset(source, { target }))`.
 */
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { ArgumentError } from "../errors.js";
import type { DistributedData } from "../glm/distributed.js";
import type { ModelJSON } from "../glm/saved-model.js";
import type { SearchCluster, SearchJob, SearchProgress } from "../model_selection/distributed.js";
import type { PipelineJSON } from "../model_selection/pipeline.js";
import type { SearchTaskResult } from "../model_selection/search-task.js";
import type { FamilyName } from "../glm/families.js";
import { checkOptions } from "../validate.js";
import { connectNats, NATS_OPTIONS, type NatsOptions } from "./connection.js";
import { ClusterError } from "./errors.js";
import { ClusterLink } from "./link.js";
import { ClusterProblem } from "./problem.js";
import { bucketOf, type DatasetSpec, type PartDescription, type WorkerRecord } from "./protocol.js";
import { newSearchId, runTasks, taskMessages, type SearchStats } from "./search.js";

/** How a client reaches the cluster, and how long it waits for its workers. */
export interface ClusterOptions extends NatsOptions {
  /** The subject prefix and bucket stem the workers use (default "weft"). */
  prefix?: string;
  /** A worker whose last heartbeat is older than this many milliseconds is dead (default 5,000). */
  deadAfterMs?: number;
  /** Milliseconds a worker has to answer an evaluation (default 60,000). */
  requestTimeoutMs?: number;
  /** Milliseconds a worker has to read and persist its partition of a dataset (default 600,000). */
  loadTimeoutMs?: number;
}

/** A registered worker as the client sees it. */
export interface WorkerStatus extends WorkerRecord {
  /** Its heartbeat is recent (within deadAfterMs). */
  alive: boolean;
}

/** What a cluster dataset reads from its source. */
export interface DatasetOptions {
  /** The column fitted. */
  target: string;
  /** The feature columns (default all but the target). */
  features?: string[];
  /** Row partitions (default: one per live worker when the dataset is first used). */
  partitions?: number;
}

/**
 * A connection to a weft cluster: its registry of workers, and datasets they read and keep.
 * `await Cluster.connect("nats://host:4222")`; `close()` when done (the workers go on).
 */
export class Cluster implements SearchCluster {
  private readonly known = new Map<string, string>();
  private readonly link: ClusterLink;
  private closed = false;
  /** What the last grid search (or refit) on this cluster did: tasks, redeliveries, workers. */
  lastSearch: SearchStats | undefined;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly kv: KV,
    readonly options: Required<Pick<ClusterOptions, "prefix" | "deadAfterMs" | "requestTimeoutMs" | "loadTimeoutMs">>,
  ) {
    this.link = new ClusterLink(nc, options.prefix, options.requestTimeoutMs, (id) => this.known.get(id) ?? id);
  }

  /** Connects to the cluster's NATS server(s). */
  static async connect(nats: string | readonly string[], options: ClusterOptions = {}): Promise<Cluster> {
    checkOptions(options, "options", [...NATS_OPTIONS, "prefix", "deadAfterMs", "requestTimeoutMs", "loadTimeoutMs"], "Cluster.connect");
    const prefix = options.prefix ?? "weft";
    if (!/^[A-Za-z0-9_-]+$/.test(prefix)) throw new ArgumentError("prefix", "letters, digits, _ and -", prefix, "Cluster.connect");
    for (const name of ["deadAfterMs", "requestTimeoutMs", "loadTimeoutMs"] as const) {
      const v = options[name];
      if (v !== undefined && !(Number.isFinite(v) && v > 0))
        throw new ArgumentError(name, "a number of milliseconds > 0", v, "Cluster.connect");
    }
    const nc = await connectNats(nats, "weft client", options);
    try {
      const kv = await new Kvm(nc).create(bucketOf(prefix), { history: 1 });
      return new Cluster(nc, kv, {
        prefix,
        deadAfterMs: options.deadAfterMs ?? 5000,
        requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
        loadTimeoutMs: options.loadTimeoutMs ?? 600_000,
      });
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  /** Every registered worker, live or not (a worker that left cleanly is not listed). */
  async workers(): Promise<WorkerStatus[]> {
    const out: WorkerStatus[] = [];
    const now = Date.now();
    for await (const key of await this.kv.keys()) {
      const entry = await this.kv.get(key);
      if (entry?.operation !== "PUT") continue;
      let record: WorkerRecord;
      try {
        record = entry.json<WorkerRecord>();
      } catch {
        continue; // not a worker's record
      }
      this.known.set(record.id, record.name);
      out.push({ ...record, alive: now - record.heartbeat <= this.options.deadAfterMs });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The live workers. */
  async liveWorkers(): Promise<WorkerStatus[]> {
    return (await this.workers()).filter((w) => w.alive);
  }

  /**
   * One worker's registration and its revision in the bucket (which every heartbeat raises: a
   * new heartbeat is told by it, whatever the machines' clocks say); undefined when it left.
   * Rejects when the server cannot be reached.
   */
  async worker(id: string): Promise<(WorkerStatus & { revision: number }) | undefined> {
    const entry = await this.kv.get(id);
    if (entry?.operation !== "PUT") return undefined;
    const record = entry.json<WorkerRecord>();
    return { ...record, alive: Date.now() - record.heartbeat <= this.options.deadAfterMs, revision: entry.revision };
  }

  /** A dataset read by the workers from `source` (a path all of them see, or an http(s) URL). */
  dataset(source: string, options: DatasetOptions): ClusterDataset {
    if (typeof source !== "string" || source.length === 0)
      throw new ArgumentError("source", "a path or a URL every worker can read", source, "dataset");
    checkOptions(options, "options", ["target", "features", "partitions"], "dataset");
    if (typeof options.target !== "string" || options.target.length === 0)
      throw new ArgumentError("target", "a column name", options.target, "dataset");
    if (options.features !== undefined && !(Array.isArray(options.features) && options.features.every((f) => typeof f === "string")))
      throw new ArgumentError("features", "a list of column names", options.features, "dataset");
    if (options.partitions !== undefined && !(Number.isInteger(options.partitions) && options.partitions >= 1))
      throw new ArgumentError("partitions", "a whole number >= 1", options.partitions, "dataset");
    const spec: DatasetSpec = { source, target: options.target, ...(options.features ? { features: [...options.features] } : {}) };
    return new ClusterDataset(this, this.link, spec, options.partitions);
  }

  /** The dataset's spec, when it is this cluster's; an ArgumentError otherwise. */
  private specOf(data: DistributedData, where: string): DatasetSpec {
    if (!(data instanceof ClusterDataset) || !data.isOf(this))
      throw new ArgumentError("data", "a dataset of this cluster (cluster.dataset(source, { target }))", data, where);
    return data.spec;
  }

  private searchContext() {
    return {
      nc: this.nc,
      prefix: this.options.prefix,
      requestTimeoutMs: this.options.requestTimeoutMs,
      liveWorkers: () => this.liveWorkers(),
    };
  }

  /**
   * Runs a grid search's tasks on the workers (GridSearchCV's `cluster` option calls it): each
   * task goes on the cluster's work-queue stream, a worker pulls it, reads the dataset's source
   * (once per search), fits the task's candidates warm-started along lambda, stores their scores
   * and acknowledges it; a task whose worker dies goes to another. The results, in the tasks' order.
   */
  async runSearch(
    data: DistributedData,
    job: SearchJob,
    options: { signal?: AbortSignal; onProgress?: (progress: SearchProgress) => void } = {},
  ): Promise<SearchTaskResult[]> {
    const spec = this.specOf(data, "Cluster.runSearch");
    const { results, stats } = await runTasks(this.searchContext(), taskMessages(newSearchId(), spec, job), options);
    this.lastSearch = stats;
    return results.map((r) => ({ scores: r.scores ?? [], times: r.times ?? [], transformerFits: r.transformerFits ?? {} }));
  }

  /** Fits the search's model with `params` on all of the dataset's rows, on one worker; the fitted model's JSON. */
  async refit(
    data: DistributedData,
    job: SearchJob,
    params: Record<string, unknown>,
    options: { signal?: AbortSignal } = {},
  ): Promise<ModelJSON | PipelineJSON> {
    const spec = this.specOf(data, "Cluster.refit");
    const { results } = await runTasks(this.searchContext(), taskMessages(newSearchId(), spec, job, params), options);
    return results[0]!.model as ModelJSON | PipelineJSON;
  }

  /** Closes the connection (the workers go on). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.nc.drain().catch(() => {});
  }
}

let datasetCounter = 0;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Rows that stay on the workers that read them; an estimator fits it with `fit(dataset)`.
 *
 * Faults: when a worker fails to answer, the dataset waits for its heartbeat for up to the
 * cluster's `deadAfterMs`; a worker that beats again (a server restart, a pause) is asked again,
 * one that does not is dead, and its partitions are read again by the live workers, so the fit
 * goes on to the same optimum. With no live worker left, or the server gone for longer than
 * `requestTimeoutMs`, the fit rejects with a ClusterError. With the default partitions (one per
 * live worker), a fit that starts when the live workers have changed reads the dataset again over
 * the workers live then: a worker that joined mid-fit is used from the next fit.
 */
export class ClusterDataset implements DistributedData {
  readonly distributed = true as const;
  readonly id = `d${Date.now().toString(36)}${(datasetCounter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  /** Which worker holds each partition, once loaded. */
  private assignment: string[] | undefined;
  private loading: Promise<string[]> | undefined;
  private healing: Promise<void> | undefined;
  /** The rows over all partitions, and the feature columns, once loaded. */
  rows = 0;
  features: string[] = [];
  /** Partitions read again by another worker after theirs died. */
  reassigned = 0;
  /** Failures repaired (a worker waited for, or its partitions reassigned) so that the evaluation could be asked again. */
  healed = 0;
  /**
   * Where the time of every evaluation of every fit on this dataset went (ClusterProblem.timing,
   * summed): their count, their wall time at the client, and the busiest worker's compute time in
   * each. Wall minus compute is the cluster's own cost: messages, encoding, the sums.
   */
  readonly timing = { evaluations: 0, wallMs: 0, workerMs: 0 };

  constructor(
    private readonly cluster: Cluster,
    private readonly link: ClusterLink,
    readonly spec: DatasetSpec,
    private readonly partitions: number | undefined,
  ) {}

  /** Whether this dataset is `cluster`'s. */
  isOf(cluster: Cluster): boolean {
    return this.cluster === cluster;
  }

  /** Reads the dataset on the live workers (once): each reads the source and keeps its partitions. */
  load(): Promise<string[]> {
    this.loading ??= (async () => {
      const live = await this.cluster.liveWorkers();
      if (live.length === 0)
        throw new ClusterError("no live worker in the cluster: start one with `npx weft worker --nats URL`, on each machine");
      const count = this.partitions ?? live.length;
      const assignment = Array.from({ length: count }, (_, part) => live[part % live.length]!.id);
      const loaded = await Promise.all(assignment.map((worker, part) => this.loadPart(worker, part, count)));
      this.rows = loaded.reduce((a, r) => a + r.rows, 0);
      this.features = loaded[0]!.features;
      this.assignment = assignment;
      return assignment;
    })();
    this.loading.catch(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private loadPart(worker: string, part: number, partitions: number) {
    return this.link.request(worker, "load", { dataset: this.id, spec: this.spec, part, partitions }, this.cluster.options.loadTimeoutMs);
  }

  /** Which workers hold which partitions (after load()). */
  get placement(): { worker: string; parts: number[] }[] {
    const byWorker = new Map<string, number[]>();
    (this.assignment ?? []).forEach((worker, part) => byWorker.set(worker, [...(byWorker.get(worker) ?? []), part]));
    return [...byWorker].map(([worker, parts]) => ({ worker, parts }));
  }

  async glmProblem(family: FamilyName, intercept: boolean, signal?: AbortSignal): Promise<ClusterProblem> {
    await this.load();
    if (this.partitions === undefined) {
      // one partition per live worker: a fit starting after the live workers changed spreads the rows over those live now
      const live = new Set((await this.cluster.liveWorkers()).map((w) => w.id));
      const holding = new Set(this.assignment);
      if (live.size > 0 && (live.size !== holding.size || [...holding].some((w) => !live.has(w)))) {
        await this.drop();
        await this.load();
      }
    }
    if (signal?.aborted) throw signal.reason;
    const described = await this.describeAll(family, intercept);
    const p = described[0]!.p;
    const mismatch = described.find((d) => d.p !== p);
    if (mismatch) throw new ClusterError(`the partitions disagree on the features: ${p} and ${mismatch.p} columns`);
    const handle = {
      id: this.id,
      placement: () => this.placement,
      heal: (error: ClusterError) => this.heal(error),
      timing: this.timing,
    };
    return new ClusterProblem(this.link, handle, family, intercept, described);
  }

  /** Every partition's description, healing failures as evaluations do. */
  private async describeAll(family: FamilyName, intercept: boolean): Promise<PartDescription[]> {
    for (;;) {
      try {
        const replies = await Promise.all(
          this.placement.map((g) => this.link.request(g.worker, "describe", { dataset: this.id, parts: g.parts, family, intercept })),
        );
        return replies.flatMap((r) => r.parts);
      } catch (error) {
        if (!(error instanceof ClusterError)) throw error;
        await this.heal(error);
      }
    }
  }

  /** One repair at a time: concurrent failures (several requests of one evaluation) share it. */
  heal(error: ClusterError): Promise<void> {
    this.healing ??= this.repair(error)
      .then(() => {
        this.healed += 1;
      })
      .finally(() => {
        this.healing = undefined;
      });
    return this.healing;
  }

  private async repair(error: ClusterError): Promise<void> {
    const failedAt = Date.now();
    const { deadAfterMs, requestTimeoutMs } = this.cluster.options;
    const failed = error.worker;
    // wait for a heartbeat of the failed worker after the failure (with the server gone, for the
    // server first): one within deadAfterMs means it lives, and is asked again
    let seen: number | undefined;
    let waitingSince = failedAt;
    for (;;) {
      let status: Awaited<ReturnType<Cluster["worker"]>>;
      try {
        status = failed === undefined ? undefined : await this.cluster.worker(failed);
      } catch (cause) {
        if (Date.now() - failedAt > requestTimeoutMs)
          throw new ClusterError(
            `lost the NATS server for more than ${requestTimeoutMs} ms (requestTimeoutMs): ${(cause as Error).message}`,
            {
              cause: error,
            },
          );
        await sleep(200);
        waitingSince = Date.now(); // the heartbeats could not be seen meanwhile: the wait starts with the server back
        continue;
      }
      if (!status) break; // it left
      if (seen === undefined) seen = status.revision;
      else if (status.revision > seen) return; // it beat since: ask again
      if (Date.now() - waitingSince > deadAfterMs) break; // silent: dead
      await sleep(Math.min(200, deadAfterMs / 4));
    }
    // dead: its partitions go to the live workers, which read them again
    const live = (await this.cluster.liveWorkers()).filter((w) => w.id !== failed);
    const orphaned = (this.assignment ?? []).flatMap((worker, part) => (worker === failed ? [part] : []));
    if (live.length === 0)
      throw new ClusterError(`no live worker left to take the partitions of the worker that failed (${error.message})`, {
        cause: error,
        worker: failed,
      });
    const load = new Map(live.map((w) => [w.id, 0]));
    for (const worker of this.assignment ?? []) if (load.has(worker)) load.set(worker, load.get(worker)! + 1);
    const count = this.assignment!.length;
    for (const part of orphaned) {
      const target = [...load].sort((a, b) => a[1] - b[1])[0]![0];
      load.set(target, load.get(target)! + 1);
      await this.loadPart(target, part, count);
      this.assignment![part] = target;
      this.reassigned += 1;
    }
  }

  /** Frees the partitions on the workers. */
  async drop(): Promise<void> {
    const placement = this.placement;
    this.assignment = undefined;
    this.loading = undefined;
    await Promise.all(placement.map((g) => this.link.request(g.worker, "drop", { dataset: this.id, parts: g.parts }).catch(() => {})));
  }
}
