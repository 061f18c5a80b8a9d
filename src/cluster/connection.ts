/**
 * Connecting to the NATS server, for workers and clients alike: servers, credentials (a token,
 * a user and password, or the contents of a creds file) and TLS files, all passed on to the NATS
 * client as they are; weft adds only its name and a bounded wait for the first connection.
 */
import { connect, credsAuthenticator, type NatsConnection, type NodeConnectionOptions } from "@nats-io/transport-node";
import { ArgumentError } from "../errors.js";
import { ClusterError } from "./errors.js";

/** How to reach and authenticate to the NATS server. */
export interface NatsOptions {
  /** A token the server requires. */
  token?: string;
  /** A user and password the server requires. */
  user?: string;
  pass?: string;
  /** The contents of a .creds file (JWT and NKey seed): `readFileSync(path)`. */
  creds?: Uint8Array;
  /** TLS: a CA file to trust, and a client certificate and key when the server asks for one. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /** Milliseconds to wait for the first connection (default 10,000). */
  timeoutMs?: number;
}

export const NATS_OPTIONS = ["token", "user", "pass", "creds", "tls", "timeoutMs"];

/**
 * Connects to `servers` (a nats:// URL or several); a ClusterError naming them when it cannot.
 * `options` may hold more than NatsOptions (the caller checked them); only those are used.
 */
export async function connectNats(servers: string | readonly string[], name: string, options: NatsOptions = {}): Promise<NatsConnection> {
  const list = typeof servers === "string" ? [servers] : [...servers];
  if (list.length === 0 || list.some((s) => typeof s !== "string" || (!/^(nats|tls|ws|wss):\/\/./.test(s) && !/^[\w.-]+:\d+$/.test(s))))
    throw new ArgumentError("nats", "a NATS server URL such as nats://127.0.0.1:4222 (or a list of them)", servers, "connect");
  const config: NodeConnectionOptions = {
    servers: list,
    name,
    timeout: options.timeoutMs ?? 10_000,
    // through a server's restart: reconnect for as long as it takes (callers bound their own waits)
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.user !== undefined ? { user: options.user, pass: options.pass } : {}),
    ...(options.creds !== undefined ? { authenticator: credsAuthenticator(options.creds) } : {}),
    ...(options.tls !== undefined ? { tls: options.tls } : {}),
  };
  try {
    return await connect(config);
  } catch (cause) {
    throw new ClusterError(`cannot connect to NATS at ${list.join(", ")}: ${(cause as Error).message}`, { cause });
  }
}
