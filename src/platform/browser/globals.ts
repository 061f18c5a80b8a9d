/**
 * The browser globals weft's browser adapters use, typed here: the library's own type-check runs
 * with Node's types and without the DOM's (its declarations must not need the DOM lib either).
 */

/** A Web Worker, as the threads adapter drives it. */
export interface WebWorker {
  postMessage(message: unknown, transfer?: unknown[]): void;
  terminate(): void;
  addEventListener(type: "message" | "error" | "messageerror", listener: (event: WorkerEvent) => void): void;
}

/** The fields of a worker's message or error event that weft reads. */
export interface WorkerEvent {
  data?: unknown;
  message?: string;
  error?: unknown;
  reason?: unknown;
  preventDefault(): void;
}

/** A MessagePort of the browser (no ref/unref: a page has no process to keep alive). */
export interface WebMessagePort {
  postMessage(message: unknown, transfer?: unknown[]): void;
  close(): void;
  start(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}

interface BrowserScope {
  Worker?: new (url: string, options?: { type?: "module"; name?: string }) => WebWorker;
  MessageChannel: new () => { port1: WebMessagePort; port2: WebMessagePort };
  WorkerGlobalScope?: abstract new () => unknown;
  crossOriginIsolated?: boolean;
  isSecureContext?: boolean;
  navigator?: { hardwareConcurrency?: number };
  location?: { href: string };
  postMessage(message: unknown, transfer?: unknown[]): void;
  addEventListener(type: string, listener: (event: WorkerEvent) => void, options?: { once?: boolean }): void;
  fetch: typeof fetch;
}

/** The global scope of the page or worker. */
export const scope = globalThis as unknown as BrowserScope;

/** True on a Web Worker's thread (not the page's). */
export const onWorkerThread = typeof scope.WorkerGlobalScope === "function" && globalThis instanceof scope.WorkerGlobalScope;
