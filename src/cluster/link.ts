/**
 * The client's side of the wire: a request to one worker's op, its reply decoded, and every
 * failure turned into an error that says which worker and what happened: it did not answer in
 * time, nothing listens on its subject any more (it is gone), or it answered with an error.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { decode, encode } from "./codec.js";
import { ClusterError, RemoteError } from "./errors.js";
import { subjectOf, type Op, type Replies, type Reply, type Requests } from "./protocol.js";

/** Sends requests to workers by id; `names` gives a worker's name for messages. */
export class ClusterLink {
  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly timeoutMs: number,
    private readonly names: (id: string) => string,
  ) {}

  /** The reply of `worker` to `op`, with the milliseconds it spent on it (`ms`). */
  async request<O extends Op>(
    worker: string,
    op: O,
    payload: Requests[O],
    timeoutMs = this.timeoutMs,
  ): Promise<Replies[O] & { ms: number }> {
    const who = `worker ${this.names(worker)}`;
    let data: Uint8Array;
    try {
      data = (await this.nc.request(subjectOf(this.prefix, worker, op), encode(payload), { timeout: timeoutMs })).data;
    } catch (cause) {
      const text = String((cause as Error).message ?? cause);
      const gone = /no responders/i.test(text) || /no responders/i.test(String((cause as Error & { cause?: Error }).cause?.message ?? ""));
      if (gone) throw new ClusterError(`${who} is gone: nothing answers '${op}' on its subject`, { cause, worker });
      if (/timeout/i.test(text)) throw new ClusterError(`${who} did not answer '${op}' within ${timeoutMs} ms`, { cause, worker });
      throw new ClusterError(`${who}: '${op}' failed: ${text}`, { cause, worker });
    }
    const reply = decode(data) as Reply<O>;
    if (!reply.ok) throw new RemoteError(`${who}: ${reply.error.name}: ${reply.error.message}`, reply.error.name, worker);
    return reply;
  }
}
