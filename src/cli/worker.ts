/**
 * `weft worker --nats URL`: a worker process of a weft cluster (weftjs/cluster). It registers,
 * serves its ops until SIGINT or SIGTERM, then leaves the registry and ends. Credentials and TLS
 * files are read here and passed to the NATS client.
 */
import { readFile } from "node:fs/promises";
import type { NatsOptions } from "../cluster/connection.js";
import { numberOption, threadsOption } from "./options.js";

/** The NATS credential and TLS options of the commands that reach a cluster. */
export interface NatsCommandOptions {
  token?: string;
  user?: string;
  password?: string;
  creds?: string;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
}

export interface WorkerCommandOptions extends NatsCommandOptions {
  nats: string;
  threads?: string;
  name?: string;
  prefix?: string;
  heartbeatMs?: string;
}

/** What the CLI's NATS options say: credentials and TLS files, for the NATS client. */
export async function natsOptionsOf(o: NatsCommandOptions): Promise<NatsOptions> {
  const tls = o.tlsCa || o.tlsCert || o.tlsKey ? { caFile: o.tlsCa, certFile: o.tlsCert, keyFile: o.tlsKey } : undefined;
  return {
    ...(o.token !== undefined ? { token: o.token } : {}),
    ...(o.user !== undefined ? { user: o.user, pass: o.password } : {}),
    ...(o.creds !== undefined ? { creds: new Uint8Array(await readFile(o.creds)) } : {}),
    ...(tls ? { tls } : {}),
  };
}

/** Runs a worker until a signal asks it to leave. */
export async function runWorker(options: WorkerCommandOptions, out: (text: string) => void): Promise<void> {
  const threads = threadsOption(options.threads);
  const heartbeatMs = numberOption(
    "--heartbeat-ms",
    options.heartbeatMs,
    (v) => Number.isInteger(v) && v >= 10,
    "a whole number of milliseconds >= 10",
  );
  // the NATS client loads with the commands that need it, not with every command
  const { startWorker } = await import("../cluster/worker.js");
  const worker = await startWorker(options.nats.split(","), {
    ...(await natsOptionsOf(options)),
    ...(threads !== undefined ? { threads } : {}),
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
    ...(heartbeatMs !== undefined ? { heartbeatMs } : {}),
  });
  out(`weft worker ${worker.name} (${worker.id}) serving on ${options.nats}; SIGINT or SIGTERM leaves the cluster`);
  const signal = await new Promise<string>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
  await worker.stop();
  out(`weft worker ${worker.name} left the cluster (${signal})`);
}
