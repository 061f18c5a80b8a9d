/**
 * What weft's threads stand on: how many the machine runs, starting a worker, the ports between
 * threads, what a worker receives at start, and the async context that follows a task's callbacks.
 * A browser build replaces this module (Web Workers, MessageChannel, self.postMessage).
 *
 * Node's classes and functions are re-exported as they are, not wrapped: the scheduler posts and
 * receives a message per plan, run and JS value, and a wrapper would add a call to each.
 */
// the shipped declarations name Node's types: this loads @types/node in a project whose tsconfig lists other `types`
/// <reference types="node" preserve="true" />
export { AsyncLocalStorage } from "node:async_hooks";
/** How many threads the machine runs at once: the default number of threads, and of spinners. */
export { availableParallelism } from "node:os";
export { MessageChannel, MessagePort, Worker, parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";

/**
 * Whether the thread that starts a runtime may block in Atomics.wait: Node's main thread may (a
 * wake-up through the event loop costs many times more, bench/README.md), a browser's may not.
 */
export const CALLING_THREAD_CAN_BLOCK = true;

/**
 * Whether a worker must sleep with Atomics.waitAsync rather than Atomics.wait: messages reach a
 * Web Worker only while its event loop turns, whereas Node's receiveMessageOnPort reads them
 * synchronously from a thread asleep in its loop.
 */
export const WORKER_SLEEPS_ASYNC = false;

/** Why this platform cannot run worker threads, or undefined when it can. */
export function threadsUnavailable(): string | undefined {
  return undefined;
}

/** One turn of the event loop (timers, messages, I/O). */
export const turnEventLoop = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** Calls `handler` with what this thread throws outside any task (uncaught errors, unhandled rejections). */
export function onStrayError(handler: (error: unknown) => void): void {
  process.on("uncaughtException", handler);
  process.on("unhandledRejection", handler);
}

/**
 * V8 heap limits of a worker thread, in megabytes (the part of Node's ResourceLimits that
 * weft passes on; a platform without them ignores them).
 */
export interface ResourceLimits {
  maxYoungGenerationSizeMb?: number;
  maxOldGenerationSizeMb?: number;
  codeRangeSizeMb?: number;
  stackSizeMb?: number;
}
