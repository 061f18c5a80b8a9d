/**
 * Where a cluster's grid searches travel: a JetStream work-queue stream of tasks, which every
 * worker pulls from through one shared durable consumer (a task goes to one worker; one not
 * acknowledged within the ack wait, because its worker died, goes to another), and a KV bucket
 * of results, each under `<search>.<task>`. Clients and workers both make them when missing, with
 * the same settings, so either may start first.
 */
import { AckPolicy, jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";

/**
 * Milliseconds a worker has to acknowledge a task, or to say it is still working on it: a
 * working worker says so every third of it, so only a dead (or stopped) worker's task is
 * delivered again, this long after it last spoke.
 */
export const TASK_ACK_WAIT_MS = 6000;

/** How long results and unclaimed tasks are kept (a search's client deletes its own when done). */
const KEEP_MS = 24 * 3600 * 1000;

/** The names of a prefix's search stream, its subjects, consumer and results bucket. */
export function searchNames(prefix: string) {
  return {
    stream: `${prefix}-search`,
    subjects: `${prefix}.search.>`,
    /** The subject of one search's tasks. */
    taskSubject: (search: string, task: string) => `${prefix}.search.${search}.${task}`,
    searchSubjects: (search: string) => `${prefix}.search.${search}.>`,
    consumer: `${prefix}-search-workers`,
    results: `${prefix}-search-results`,
  };
}

/** The stream, consumer and results bucket of `prefix`, made when missing; the manager and the bucket. */
export async function openSearchQueue(nc: NatsConnection, prefix: string): Promise<{ jsm: JetStreamManager; results: KV }> {
  const names = searchNames(prefix);
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({
    name: names.stream,
    subjects: [names.subjects],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    max_age: KEEP_MS * 1_000_000,
  });
  await jsm.consumers.add(names.stream, {
    durable_name: names.consumer,
    ack_policy: AckPolicy.Explicit,
    ack_wait: TASK_ACK_WAIT_MS * 1_000_000,
    max_ack_pending: -1,
  });
  const results = await new Kvm(nc).create(names.results, { history: 1, ttl: KEEP_MS });
  return { jsm, results };
}
