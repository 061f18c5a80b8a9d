/**
 * A real nats-server (Debian's, with JetStream) for the cluster tests: started on 127.0.0.1 on a
 * port of its choosing with a temporary store, stopped (and its store removed) by stop(). Worker
 * processes are `weft worker` itself (dist/src/cli/index.js), started and killed by the tests.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The server's executable: WEFT_NATS_SERVER, else Debian's (in /usr/sbin, which a user's PATH may lack), else the PATH's. */
export const NATS_SERVER = process.env.WEFT_NATS_SERVER ?? (existsSync("/usr/sbin/nats-server") ? "/usr/sbin/nats-server" : "nats-server");

/** Whether nats-server can be run here. */
export function natsServerPresent(): boolean {
  return spawnSync(NATS_SERVER, ["--version"]).status === 0;
}

export interface NatsServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its store. */
  stop(): Promise<void>;
}

/** Starts nats-server -js on 127.0.0.1 (a random port unless given); resolves once it listens. */
export async function startNatsServer(port = -1, store?: string): Promise<NatsServer> {
  const dir = store ?? mkdtempSync(join(tmpdir(), "weft-nats-"));
  const child = spawn(NATS_SERVER, ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", dir], { stdio: ["ignore", "ignore", "pipe"] });
  const bound = await new Promise<number>((done, fail) => {
    let log = "";
    const timer = setTimeout(() => fail(new Error(`nats-server did not start in 10 s: ${log}`)), 10_000);
    child.stderr!.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      const m = /Listening for client connections on [\d.]+:(\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        done(Number(m[1]));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`nats-server exited with code ${code}: ${log}`));
    });
  });
  child.stderr!.resume();
  return {
    url: `nats://127.0.0.1:${bound}`,
    port: bound,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((done) => child.once("exit", () => done()));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
      if (!store) rmSync(dir, { recursive: true, force: true });
    },
  };
}

const CLI = resolve(fileURLToPath(new URL("../../dist/src/cli/index.js", import.meta.url)));

export interface WorkerProcess {
  name: string;
  process: ChildProcess;
  /** What the worker printed. */
  output(): string;
  /** SIGTERM (it leaves the cluster cleanly) and wait for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, and wait until it is gone (so that it cannot reconnect to the next test's server on the same port). */
  kill(): Promise<void>;
}

/** Starts `weft worker --nats URL --name NAME --threads THREADS`; resolves once it serves. */
export async function startWorkerProcess(url: string, name: string, threads = 1, extra: string[] = []): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [CLI, "worker", "--nats", url, "--name", name, "--threads", String(threads), ...extra], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  await new Promise<void>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`worker ${name} did not start in 20 s: ${out}`)), 20_000);
    const check = () => {
      if (out.includes("serving on")) {
        clearTimeout(timer);
        done();
      }
    };
    child.stdout!.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`worker ${name} exited with code ${code}: ${out}`));
    });
  });
  return {
    name,
    process: child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
      child.kill("SIGTERM");
      return exited;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((done) => child.once("exit", () => done()));
      child.kill("SIGKILL");
      await exited;
    },
  };
}
