/**
 * The client's side of a grid search on the cluster: the plan's tasks published on the work-queue
 * stream (search-queue.ts), each with what a worker needs to run it alone (the dataset's source,
 * the model's spec, the folds' settings, its candidates' parameters); their results collected
 * from the results bucket as workers store them. The wait is bounded: a task that fails rejects
 * the search with the worker's error; no live worker, or no server, for longer than
 * `requestTimeoutMs` rejects it with a ClusterError; an abort rejects with the signal's reason.
 * Whatever way it ends, the search's unclaimed tasks and stored results are deleted.
 */
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { SearchJob, SearchProgress } from "../model_selection/distributed.js";
import { decode, encode } from "./codec.js";
import { ClusterError, RemoteError } from "./errors.js";
import type { DatasetSpec, SearchResultMessage, SearchTaskMessage, WorkerRecord } from "./protocol.js";
import { openSearchQueue, searchNames } from "./search-queue.js";

/** What the last search on a cluster did: its tasks, how many a worker's death sent to another, and the workers that ran them. */
export interface SearchStats {
  tasks: number;
  /** Tasks delivered more than once (their first worker died or stopped before acknowledging them). */
  redelivered: number;
  /** Tasks published again because they left the queue without a result (a result lost on the way; normally 0). */
  republished: number;
  /** The names of the workers that stored results. */
  workers: string[];
}

/** What a search needs of its cluster. */
export interface SearchContext {
  nc: NatsConnection;
  prefix: string;
  requestTimeoutMs: number;
  liveWorkers(): Promise<WorkerRecord[]>;
}

let searchCounter = 0;

/** Milliseconds between checks of the results still missing against the queue. */
const RECONCILE_MS = 3000;

/** A new search's id (unique across clients: time, a counter and randomness). */
export const newSearchId = () => `s${Date.now().toString(36)}${(searchCounter++).toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/** The messages of a job's tasks (or of its refit, with `refit` the parameters). */
export function taskMessages(search: string, spec: DatasetSpec, job: SearchJob, refit?: Record<string, unknown>): SearchTaskMessage[] {
  const common = { search, spec, estimator: job.estimator, scoring: job.scoring, cv: job.cv };
  if (refit) return [{ ...common, task: "refit", fold: 0, group: 0, members: [0], params: [refit] }];
  return job.tasks.map((t, i) => ({
    ...common,
    task: String(i),
    fold: t.fold,
    group: t.group,
    members: t.members,
    params: t.members.map((m) => job.candidates[m]!),
  }));
}

/** Publishes `tasks` and waits for every result; the results in the tasks' order. */
export async function runTasks(
  context: SearchContext,
  tasks: readonly SearchTaskMessage[],
  options: { signal?: AbortSignal | undefined; onProgress?: ((progress: SearchProgress) => void) | undefined } = {},
): Promise<{ results: Extract<SearchResultMessage, { ok: true }>[]; stats: SearchStats }> {
  const { nc, prefix, requestTimeoutMs } = context;
  const { signal, onProgress } = options;
  if (signal?.aborted) throw signal.reason;
  if ((await context.liveWorkers()).length === 0)
    throw new ClusterError("no live worker in the cluster: start one with `npx weft worker --nats URL`, on each machine");
  const { jsm, results } = await openSearchQueue(nc, prefix);
  const names = searchNames(prefix);
  const search = tasks[0]!.search;
  const index = new Map(tasks.map((t, i) => [`${search}.${t.task}`, i]));
  const out: Extract<SearchResultMessage, { ok: true }>[] = new Array(tasks.length);
  let done = 0;
  const watcher = await results.watch({ key: `${search}.>` });
  let timer: ReturnType<typeof setInterval> | undefined;
  let reconcile: ReturnType<typeof setInterval> | undefined;
  let startReconcile: (() => void) | undefined;
  /** The search has ended (results in, an error, an abort): nothing is published for it any more. */
  let settled = false;
  let republished = 0;
  let onAbort: (() => void) | undefined;
  try {
    const finished = new Promise<void>((resolve, reject) => {
      /** A stored result, taken once: the first error ends the search. */
      const take = (key: string, value: Uint8Array) => {
        const at = index.get(key);
        if (at === undefined || out[at]) return;
        const result = decode(value) as SearchResultMessage;
        if (!result.ok) {
          reject(
            new RemoteError(`worker ${result.worker}: ${result.error.name}: ${result.error.message}`, result.error.name, result.worker),
          );
          return;
        }
        out[at] = result;
        done += 1;
        if (done === tasks.length) resolve(); // before the callback: a callback that throws must not stall the search
        onProgress?.({ done, total: tasks.length });
      };
      // the results as workers store them
      void (async () => {
        for await (const entry of watcher) if (entry.operation === "PUT") take(entry.key, entry.value);
      })().catch(reject);
      // every few seconds, the results still missing are read directly (an update the watch
      // missed), and a task that left the queue without a result is published again (a worker
      // acknowledges only after storing: this is a result lost on the way); a duplicate's result
      // is ignored
      let checking = false;
      startReconcile = () =>
        (reconcile = setInterval(() => {
          if (checking || settled || done === tasks.length) return;
          checking = true;
          void (async () => {
            const missing = tasks.filter((_, i) => !out[i]);
            for (const task of missing) {
              const entry = await results.get(`${search}.${task.task}`);
              if (entry?.operation === "PUT") take(entry.key, entry.value);
            }
            const info = await jsm.streams.info(names.stream, { subjects_filter: names.searchSubjects(search) });
            const queued = new Set(Object.keys(info.state.subjects ?? {}));
            for (const task of tasks.filter((_, i) => !out[i])) {
              const subject = names.taskSubject(search, task.task);
              if (queued.has(subject)) continue;
              const entry = await results.get(`${search}.${task.task}`);
              if (entry?.operation === "PUT") take(entry.key, entry.value);
              else if (!settled) {
                republished += 1;
                await jetstream(nc).publish(subject, encode(task));
              }
            }
          })()
            .catch(() => {}) // the server unreachable: the liveness check below bounds that wait
            .finally(() => {
              checking = false;
            });
        }, RECONCILE_MS));
      // the wait, bounded: no live worker (or no server) for longer than requestTimeoutMs ends it
      let noWorkerSince: number | undefined, noServerSince: number | undefined;
      timer = setInterval(() => {
        void context.liveWorkers().then(
          (live) => {
            noServerSince = undefined;
            if (live.length > 0) noWorkerSince = undefined;
            else if ((noWorkerSince ??= Date.now()) < Date.now() - requestTimeoutMs)
              reject(
                new ClusterError(
                  `no live worker for ${requestTimeoutMs} ms (requestTimeoutMs): ${done} of ${tasks.length} search tasks done`,
                ),
              );
          },
          (cause: Error) => {
            if ((noServerSince ??= Date.now()) < Date.now() - requestTimeoutMs)
              reject(
                new ClusterError(`lost the NATS server for more than ${requestTimeoutMs} ms (requestTimeoutMs): ${cause.message}`, {
                  cause,
                }),
              );
          },
        );
      }, 500);
      if (signal) {
        onAbort = () => reject(signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
        if (signal.aborted) onAbort(); // aborted during the awaits above, before the listener
      }
    });
    finished.catch(() => {}); // awaited below: a rejection while publishing is not unhandled
    const js = jetstream(nc);
    for (const task of tasks) await js.publish(names.taskSubject(search, task.task), encode(task));
    // checked only once every task is out: a task not yet published is not a lost one
    startReconcile?.();
    await finished;
  } finally {
    if (timer) clearInterval(timer);
    settled = true;
    if (reconcile) clearInterval(reconcile);
    if (onAbort) signal!.removeEventListener("abort", onAbort);
    watcher.stop();
    // the search's tasks no worker has taken, and its results: gone (one purge each)
    await jsm.streams.purge(names.stream, { filter: names.searchSubjects(search) }).catch(() => {});
    await jsm.streams.purge(`KV_${names.results}`, { filter: `$KV.${names.results}.${search}.>` }).catch(() => {});
  }
  const stats: SearchStats = {
    tasks: tasks.length,
    redelivered: out.filter((r) => r.deliveries > 1).length,
    republished,
    workers: [...new Set(out.map((r) => r.worker))].sort(),
  };
  return { results: out, stats };
}
