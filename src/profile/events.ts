/** Timing events: one per task run, as executors record them for profiles. */
import { ArgumentError } from "../errors.js";
import type { Key } from "../graph/keys.js";

/** One task run, as a profile records it: key, what ran, the thread, start and end. */
export interface TaskEvent {
  /** The task's key. */
  readonly key: Key;
  /** What ran: the op, or "a+b+c" for a fused task's ops in order. */
  readonly label: string;
  /** Which thread ran it (0: the calling thread). */
  readonly lane: number;
  /** Start and end, in milliseconds on the calling thread's clock (its performance.now(); workers' times are shifted onto it). */
  readonly start: number;
  readonly end: number;
  /** The size of the task's result in bytes, when the plan declares it. */
  readonly bytes?: number;
}

/** Refuses anything but a list of TaskEvents (as runtime.profile().events gives them), named `name`. */
export function checkEvents(events: unknown, where: string, name = "events"): void {
  const isEvent = (e: unknown) =>
    typeof e === "object" &&
    e !== null &&
    typeof (e as TaskEvent).start === "number" &&
    typeof (e as TaskEvent).end === "number" &&
    typeof (e as TaskEvent).lane === "number";
  if (!Array.isArray(events) || !events.every(isEvent))
    throw new ArgumentError(name, "a list of TaskEvents { key, label, lane, start, end } (runtime.profile().events)", events, where);
}

/** Summary figures of a timeline: how busy each lane was, and the work it did. */
export interface TimelineSummary {
  tasks: number;
  lanes: number;
  /** First start to last end, ms. */
  wallMs: number;
  /** Sum of task durations, ms. */
  busyMs: number;
  /** busyMs / (wallMs * lanes): 1 means no white space at all. */
  utilization: number;
}

/** Summary figures of a timeline: tasks, lanes, wall and busy time, utilization. */
export function summarize(events: readonly TaskEvent[]): TimelineSummary {
  checkEvents(events, "summarize");
  if (events.length === 0) return { tasks: 0, lanes: 0, wallMs: 0, busyMs: 0, utilization: 0 };
  let first = Infinity;
  let last = -Infinity;
  let busy = 0;
  const lanes = new Set<number>();
  for (const e of events) {
    first = Math.min(first, e.start);
    last = Math.max(last, e.end);
    busy += e.end - e.start;
    lanes.add(e.lane);
  }
  const wall = last - first;
  return { tasks: events.length, lanes: lanes.size, wallMs: wall, busyMs: busy, utilization: wall > 0 ? busy / (wall * lanes.size) : 1 };
}
