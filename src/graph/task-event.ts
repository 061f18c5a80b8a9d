/** What executors record of each task run; profiles (src/profile) read these. */
import type { Key } from "./keys.js";

/** One task run, as a profile records it: key, what ran, the thread, start and end. */
export interface TaskEvent {
  /** The task's key. */
  readonly key: Key;
  /** What ran: the op, or "a+b+c" for a fused task's ops in order. */
  readonly label: string;
  /** Which thread ran it (0: the calling thread). */
  readonly lane: number;
  /** Start and end, in milliseconds (performance.now() of the thread that ran it). */
  readonly start: number;
  readonly end: number;
}
