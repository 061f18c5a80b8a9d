/**
 * Threads in a browser: Web Workers (module workers) sharing the WebAssembly memory, which needs a
 * cross-origin isolated page (COOP/COEP: only then may a SharedArrayBuffer reach a worker).
 * Replaces ../threads.ts in the browser build, with the same names: the Worker class here speaks
 * the part of Node's Worker API the scheduler uses (on, ref, unref, terminate), and side messages,
 * which Node reads synchronously with receiveMessageOnPort, are queued as they arrive through the
 * event loop (a worker turns its loop until those posted before a task have arrived).
 */
import type { ResourceLimits as NodeResourceLimits } from "../threads.js";
import { onWorkerThread, scope, type WebMessagePort, type WebWorker, type WorkerEvent } from "./globals.js";

export type ResourceLimits = NodeResourceLimits;
export type MessagePort = WebMessagePort & { unref(): void };

/** The calling thread of a page may not block: Atomics.wait throws there. */
export const CALLING_THREAD_CAN_BLOCK = false;
/** A Web Worker receives messages only while its event loop turns. */
export const WORKER_SLEEPS_ASYNC = true;

/** Why workers cannot share the memory here, or undefined when they can. */
export function threadsUnavailable(): string | undefined {
  if (typeof scope.Worker !== "function") return "this environment has no Web Workers";
  if (scope.crossOriginIsolated !== true || typeof SharedArrayBuffer !== "function") {
    return "the page is not cross-origin isolated (serve it with 'Cross-Origin-Opener-Policy: same-origin' and 'Cross-Origin-Embedder-Policy: require-corp') so workers cannot share its memory";
  }
  return undefined;
}

/** The logical cores the browser reports. */
export function availableParallelism(): number {
  return Math.max(1, scope.navigator?.hardwareConcurrency ?? 1);
}

/** A message channel whose ports accept unref() (nothing to keep alive in a page). */
export class MessageChannel {
  readonly port1: MessagePort;
  readonly port2: MessagePort;
  constructor() {
    const channel = new scope.MessageChannel();
    this.port1 = Object.assign(channel.port1, { unref() {} });
    this.port2 = Object.assign(channel.port2, { unref() {} });
  }
}

type WorkerListener = (value: unknown) => void;

/** A Web Worker behind the part of Node's Worker API the scheduler uses. */
export class Worker {
  private readonly worker: WebWorker;
  private readonly listeners: Record<"message" | "error" | "exit", WorkerListener[]> = { message: [], error: [], exit: [] };
  private exited = false;

  constructor(url: string, options: { workerData: unknown; transferList?: unknown[] }) {
    if (typeof scope.Worker !== "function") throw new Error("this environment has no Web Workers");
    this.worker = new scope.Worker(url, { type: "module", name: "weft" });
    this.worker.addEventListener("message", (event) => this.emit("message", event.data));
    this.worker.addEventListener("error", (event) => {
      event.preventDefault();
      this.emit("error", event.error instanceof Error ? event.error : new Error(event.message ?? "the worker failed to start"));
    });
    this.worker.addEventListener("messageerror", () => this.emit("error", new Error("a message from the worker could not be read")));
    this.worker.postMessage({ workerData: options.workerData }, options.transferList ?? []);
  }

  on(event: "message" | "error" | "exit", listener: WorkerListener): this {
    this.listeners[event].push(listener);
    return this;
  }

  private emit(event: "message" | "error" | "exit", value: unknown): void {
    for (const listener of this.listeners[event]) listener(value);
  }

  ref(): void {}
  unref(): void {}

  /** Stops the worker at once; 'exit' follows, as in Node. */
  async terminate(): Promise<number> {
    this.worker.terminate();
    if (!this.exited) {
      this.exited = true;
      this.emit("exit", 1);
    }
    return 1;
  }
}

/** What the worker entry received from the page at start (set before the worker module runs). */
export let workerData: unknown = null;

/** @internal the browser worker entry sets what the page sent, then starts the worker module */
export function setWorkerData(data: unknown): void {
  workerData = data;
}

/** The worker's way to its page. */
export const parentPort = onWorkerThread ? { postMessage: (message: unknown) => scope.postMessage(message) } : null;

const inboxes = new WeakMap<object, unknown[]>();

/**
 * The next message that arrived on `port`, or undefined: messages are queued as the event loop
 * delivers them (the first call starts listening).
 */
export function receiveMessageOnPort(port: object): { message: unknown } | undefined {
  let inbox = inboxes.get(port);
  if (!inbox) {
    const queue: unknown[] = [];
    inbox = queue;
    inboxes.set(port, queue);
    (port as WebMessagePort).onmessage = (event) => queue.push(event.data);
  }
  return inbox.length > 0 ? { message: inbox.shift() } : undefined;
}

/**
 * Task context for callbacks, as far as a browser can follow it: only synchronously within
 * run() (there is no async context tracking); errors thrown later are reported untraced.
 */
export class AsyncLocalStorage<T> {
  private store: T | undefined;

  getStore(): T | undefined {
    return this.store;
  }

  run<R, A extends unknown[]>(store: T, fn: (...args: A) => R, ...args: A): R {
    const previous = this.store;
    this.store = store;
    try {
      return fn(...args);
    } finally {
      this.store = previous;
    }
  }
}

// one turn of the event loop: a message to ourselves is a macrotask (setTimeout(0) is clamped to 4 ms)
const turns: (() => void)[] = [];
let turnChannel: { port1: WebMessagePort; port2: WebMessagePort } | undefined;

/** One turn of the event loop (timers, messages). */
export function turnEventLoop(): Promise<void> {
  if (!turnChannel) {
    turnChannel = new scope.MessageChannel();
    turnChannel.port1.onmessage = () => turns.shift()?.();
  }
  const channel = turnChannel;
  return new Promise<void>((resolve) => {
    turns.push(resolve);
    channel.port2.postMessage(0);
  });
}

/** Calls `handler` with what this thread throws outside any task (uncaught errors, unhandled rejections). */
export function onStrayError(handler: (error: unknown) => void): void {
  scope.addEventListener("error", (event: WorkerEvent) => {
    event.preventDefault();
    handler(event.error);
  });
  scope.addEventListener("unhandledrejection", (event: WorkerEvent) => {
    event.preventDefault();
    handler(event.reason);
  });
}
