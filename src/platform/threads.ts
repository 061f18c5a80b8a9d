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
 * V8 heap limits of a worker thread, in megabytes (the part of Node's ResourceLimits that
 * weft passes on; a platform without them ignores them).
 */
export interface ResourceLimits {
  maxYoungGenerationSizeMb?: number;
  maxOldGenerationSizeMb?: number;
  codeRangeSizeMb?: number;
  stackSizeMb?: number;
}
