/**
 * A worker's side of the cluster's grid searches: it pulls tasks from the work-queue stream one at
 * a time (search-queue.ts), reads the search's source once through weft's readers (the whole of
 * it: every fold's training rows span all rows), runs each task with model_selection's
 * SearchTaskRunner, the same code a search in one process runs, stores the result in the results
 * bucket and acknowledges the task. While it works it tells the server so; a task of a worker that
 * dies is delivered to another after the ack wait. A task that fails (a bad source, a model that
 * cannot be built) stores its error, which the search's client raises.
 */
import { jetstream, type Consumer, type JsMsg } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { WeftError } from "../errors.js";
import type { ChunkedArray } from "../array/array.js";
import { readTable } from "../io/table.js";
import { buildModel } from "../model_selection/model-spec.js";
import { SCORERS } from "../model_selection/scoring.js";
import { prepareSearchData, SearchTaskRunner, type ScorerName, type SearchData } from "../model_selection/search-task.js";
import { KFold } from "../model_selection/split.js";
import type { Runtime } from "../runtime/runtime.js";
import { decode, encode } from "./codec.js";
import { ProtocolError } from "./errors.js";
import { checkSearchTask, type SearchResultMessage, type SearchTaskMessage } from "./protocol.js";
import { openSearchQueue, searchNames, TASK_ACK_WAIT_MS } from "./search-queue.js";

/**
 * A search's data kept between its tasks: the table read and the rows prepared (kept for the next
 * search of the same source, labels and folds: a search's refit is one), and the search's runner
 * and candidates.
 */
interface Held {
  /** The source, the kind of labels and the folds the data was prepared for. */
  key: string;
  search: string;
  /** The labels as read (a refit learns its classes from them); the rows themselves are in `data`. */
  labels: ChunkedArray;
  data: SearchData;
  runner: SearchTaskRunner;
  candidates: Record<string, unknown>[];
}

/** Milliseconds a search's data stays after its last task (then it is freed: the search is over, or another worker took the rest). */
const HOLD_MS = 30_000;

/** Milliseconds a pull of one second may take before it is given up. */
const PULL_BOUND_MS = 5000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The task loop of one worker: start() begins pulling, stop() ends it (a task in hand goes back to the queue). */
export class SearchWorker {
  private results: KV | undefined;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private inHand: JsMsg | undefined;
  private held: Held | undefined;
  private releaseTimer: ReturnType<typeof setTimeout> | undefined;
  /** Tasks done, for the registry. */
  done = 0;
  /** The task in hand (`<search>.<task>`), for the registry. */
  current: string | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly runtime: Runtime,
    private readonly workerName: string,
    /** Called when a task is taken and when it is done (the registry shows the task in hand). */
    private readonly changed: () => void = () => {},
  ) {}

  /** Makes the queue when missing and starts pulling tasks. */
  async start(): Promise<void> {
    const { results } = await openSearchQueue(this.nc, this.prefix);
    this.results = results;
    this.loop = this.pull();
  }

  /** The loop: one task at a time; through a server restart it waits and asks again. */
  private async pull(): Promise<void> {
    const names = searchNames(this.prefix);
    let consumer: Consumer | undefined;
    while (!this.stopping) {
      let msg: JsMsg | null;
      try {
        consumer ??= await jetstream(this.nc).consumers.get(names.stream, names.consumer);
        msg = await this.next(consumer);
      } catch {
        consumer = undefined; // the server restarting, or the consumer gone: make it again
        if (this.stopping) break;
        await sleep(500);
        await openSearchQueue(this.nc, this.prefix).catch(() => {});
        continue;
      }
      if (!msg) continue;
      if (this.stopping) {
        msg.nak();
        break;
      }
      await this.handle(msg);
    }
  }

  /**
   * The next task, or null after a second without one. The pull is bounded here too: a pull that
   * neither delivers nor expires (its request lost) would stall this worker for good while its
   * heartbeat says it lives; after PULL_BOUND_MS it is given up (the consumer is made again), and
   * a task it delivers late goes back to the queue.
   */
  private async next(consumer: Consumer): Promise<JsMsg | null> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let gaveUp = false;
    const pull = consumer.next({ expires: 1000 });
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        gaveUp = true;
        reject(new Error("a pull that never ended"));
      }, PULL_BOUND_MS);
    });
    void pull.then(
      (late) => {
        if (gaveUp) late?.nak();
      },
      () => {},
    );
    try {
      return await Promise.race([pull, bound]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs one task, stores its result and acknowledges it; says "working" meanwhile. */
  private async handle(msg: JsMsg): Promise<void> {
    this.inHand = msg;
    // the data kept is not freed while a task uses it: the countdown starts when the task ends
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    const names = this.namesOf(msg);
    this.current = names && `${names.search}.${names.task}`;
    this.changed();
    const working = setInterval(() => msg.working(), TASK_ACK_WAIT_MS / 3);
    const started = performance.now();
    let result: SearchResultMessage;
    let task: SearchTaskMessage | undefined;
    try {
      task = checkSearchTask(decode(msg.data));
      const answer = await this.run(task);
      result = { ok: true, worker: this.workerName, ms: performance.now() - started, deliveries: msg.info.deliveryCount, ...answer };
    } catch (error) {
      if (this.stopping) {
        // stopped mid-task (the runtime closed under it): the task goes back for another worker
        clearInterval(working);
        msg.nak();
        this.inHand = this.current = undefined;
        return;
      }
      const e = error instanceof Error ? error : new Error(String(error));
      result = { ok: false, worker: this.workerName, error: { name: e.name, message: e.message } };
    }
    clearInterval(working);
    try {
      // a task too malformed to name its search has nowhere to report: it is dropped
      const where = task ?? this.namesOf(msg);
      if (where) await this.results!.put(`${where.search}.${where.task}`, encode(result));
      msg.ack();
      this.done += 1;
    } catch {
      // the server went away before the result was stored: unacknowledged, the task is delivered again
    } finally {
      this.inHand = this.current = undefined;
      this.changed();
      if (!this.stopping) this.releaseTimer = setTimeout(() => this.release(), HOLD_MS);
    }
  }

  /** The search and task a message's subject names (for errors in messages that failed their checks). */
  private namesOf(msg: JsMsg): { search: string; task: string } | undefined {
    const parts = msg.subject.split(".");
    const [search, task] = parts.slice(-2);
    return search && task && /^[A-Za-z0-9_:-]+$/.test(search) && /^[A-Za-z0-9]+$/.test(task) ? { search, task } : undefined;
  }

  private async run(task: SearchTaskMessage): Promise<Partial<SearchResultMessage & { ok: true }>> {
    if (!Object.hasOwn(SCORERS, task.scoring)) throw new ProtocolError(`unknown scorer '${task.scoring}'`);
    const held = await this.dataFor(task);
    if (task.task === "refit") {
      const model = buildModel(task.estimator, "refit").setParams(task.params[0]!);
      if ("final" in model) model.final.options.runtime = this.runtime;
      else model.options.runtime = this.runtime;
      // as a search in one process refits: on all rows, with the labels as read (a classifier learns its classes)
      await model.fit(held.data.X, held.labels);
      return { model: model.toJSON() };
    }
    task.members.forEach((i, j) => {
      held.candidates[i] = task.params[j]!;
    });
    const result = await held.runner.run({ fold: task.fold, group: task.group, members: task.members });
    return result;
  }

  /** The search's data and runner, made on its first task here and kept for the next ones. */
  private async dataFor(task: SearchTaskMessage): Promise<Held> {
    const estimator = buildModel(task.estimator, "search task");
    const scorer = SCORERS[task.scoring as ScorerName];
    if (scorer.kind !== estimator.estimatorKind)
      throw new ProtocolError(`scorer '${task.scoring}' is not a ${estimator.estimatorKind} scorer`);
    const key = JSON.stringify([task.spec.source, task.spec.target, task.spec.features ?? null, estimator.estimatorKind, task.cv]);
    if (this.held?.key === key) {
      if (this.held.search !== task.search) {
        // another search of the same data: its own runner and candidates, the rows kept
        this.held.runner.release();
        this.held.candidates = [];
        this.held.runner = new SearchTaskRunner(estimator, this.held.candidates, task.scoring as ScorerName, this.held.data);
        this.held.search = task.search;
      }
      return this.held;
    }
    this.release();
    const { source, target, features } = task.spec;
    const table = await readTable(source, { target, ...(features ? { features } : {}) });
    if (!table.y) throw new WeftError(`${source} has no target column ${target}`);
    const kfold = new KFold(task.cv);
    const data = await prepareSearchData(
      estimator.estimatorKind,
      table.X,
      table.y,
      undefined,
      (n) => kfold.split(n),
      this.runtime,
      "search task",
    );
    const candidates: Record<string, unknown>[] = [];
    this.held = {
      key,
      search: task.search,
      labels: table.y,
      data,
      runner: new SearchTaskRunner(estimator, candidates, task.scoring as ScorerName, data),
      candidates,
    };
    return this.held;
  }

  /** Frees the search's data. */
  private release(): void {
    if (!this.held) return;
    this.held.runner.release();
    this.held.data.release();
    this.held = undefined;
  }

  /** Ends the loop: a task in hand goes back to the queue at once; the data is freed. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    this.inHand?.nak();
    this.inHand = undefined;
    // the loop ends within one pull's expiry (1 s); not awaited past that
    await Promise.race([this.loop, sleep(1500)]);
    this.release();
  }
}
