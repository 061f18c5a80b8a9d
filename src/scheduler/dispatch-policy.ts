/**
 * The dispatch policy: which ready tasks go to which worker, and how many at a time. A pure
 * function of the run's ready tasks and dependency counts and the lanes' loads, with one
 * effect, the `queue` callback it calls for each decision (the scheduler's puts the task in the
 * worker's inbox; a test's records it). Kept apart from threads so that it is tested on literal
 * runs and lanes, as piscina keeps its balancer a small function.
 *
 * The rules:
 * - Fair share: what is ready (over every run) is divided among the usable workers and, when it
 *   may run the run's tasks, the calling thread. Too little to share (a fair share of 0): the
 *   calling thread takes it, unless it may not run it or lacks the resources.
 * - Quarter batches: a worker gets a quarter of its fair share at a time (at least two tasks, so
 *   it never waits for the next): it is topped up as it goes, and all threads finish together
 *   even when tasks take different times.
 * - Holding one ahead: when the run's tasks are short (under HOLD_NEXT_BELOW_MS on average), a
 *   worker also holds the task after its share while it runs one, since a hand-over costs as
 *   much as such a task. Not for long tasks: what a worker holds when nothing is left to hand
 *   out is the run's tail, which the calling thread would wait out.
 * - Least loaded: each task goes to the usable worker holding the fewest tasks, under the cap,
 *   with the resources the task declares.
 * - Chaining: after a task, its dependents whose inputs are all done or queued on the same
 *   worker (which runs its inbox in order) follow it there, when batching; a reduction over more
 *   than CHAIN_MAX_INPUTS inputs waits to be ready instead (checking where all its inputs went
 *   would cost more than it saves).
 * - Resource-bound tasks that fit no worker now are set aside so that the tasks behind them go.
 */
import { fits, type Resources } from "./resources.js";
import { DONE, QUEUED, WAITING } from "./run-state.js";

/** Most tasks a worker holds of one run at a time (batching). */
export const MAX_BATCH_PER_LANE = 1024;
/** Tasks shorter than this on average (ms) are worth holding one ahead on a worker. */
export const HOLD_NEXT_BELOW_MS = 0.2;
/** Most inputs a dependent may have to follow its inputs onto their worker. */
export const CHAIN_MAX_INPUTS = 4;

/** A worker as the policy sees it. */
export interface LaneView {
  readonly index: number;
  /** Tasks in its inbox or running, not yet harvested. */
  readonly queued: number;
  /** Resources it has left. */
  readonly available: Resources;
  /** Started and not dead. */
  readonly usable: boolean;
}

/** Ready positions, smallest first (RunState's ReadyHeap). */
export interface ReadyQueue {
  readonly size: number;
  peek(): number;
  pop(): number;
  push(position: number): void;
}

/** A run as the policy sees it (RunState has all of it). */
export interface DispatchRun {
  readonly n: number;
  readonly ready: ReadyQueue;
  /** false: one task per dispatch (ScheduleOptions.batch). */
  readonly batch: boolean;
  /** Per task: WAITING, READY, QUEUED or DONE. */
  readonly state: Uint8Array;
  /** Per queued task: the lane it is queued on. */
  readonly laneOf: Int16Array;
  /** Per task: inputs not yet done. */
  readonly remaining: Int32Array;
  /** Set once the run failed: nothing more is queued. */
  readonly error: unknown;
  readonly entry: {
    readonly mainOnly: Uint8Array;
    readonly dependentStart: Int32Array;
    readonly dependents: Int32Array;
    readonly layout: { readonly depStart: Int32Array; readonly depList: Int32Array };
    /** The last run's summed task time (ms), if any. */
    readonly lastWorkMs: number | undefined;
    resourcesAt(position: number): Resources | undefined;
  };
  /** Whether the calling thread may run the task (RunState.mayRunOnMain). */
  mayRunOnMain(position: number, guardedRuns: number): boolean;
}

/** What the policy knows of everything else. */
export interface DispatchContext {
  /** Ready tasks over every run that has not failed. */
  readonly totalReady: number;
  /** Usable workers. */
  readonly lanesReady: number;
  /** Runs in progress with a signal or a timeout (RunState.mayRunOnMain). */
  readonly guardedRuns: number;
  /** The calling thread's resources left. */
  readonly mainAvailable: Resources;
  /** Most tasks a lane's inbox ring holds. */
  readonly ringCapacity: number;
}

/**
 * How many tasks of `run` a worker may hold now (`fair`: each thread's share of everything
 * ready; `cap`: the quarter batch, plus one held ahead for short tasks).
 */
export function batchLimits(
  run: Pick<DispatchRun, "batch" | "n" | "entry" | "ready" | "mayRunOnMain">,
  context: DispatchContext,
): { fair: number; cap: number } {
  if (!run.batch) return { fair: 1, cap: 1 };
  // the calling thread takes a share only of what it may run (not a program's ops while runs
  // can be aborted or time out): otherwise the workers share everything
  const mainHelps = run.mayRunOnMain(run.ready.peek(), context.guardedRuns);
  const fair = Math.floor(context.totalReady / (context.lanesReady + (mainHelps ? 1 : 0)));
  const share = Math.min(Math.max(1, fair), Math.max(2, Math.ceil(fair / 4)));
  const lastWorkMs = run.entry.lastWorkMs;
  const meanTaskMs = lastWorkMs === undefined ? Infinity : lastWorkMs / run.n;
  return { fair, cap: Math.min(share, MAX_BATCH_PER_LANE) + (meanTaskMs < HOLD_NEXT_BELOW_MS ? 1 : 0) };
}

/** The usable lane holding the fewest tasks, below `cap` and the ring's capacity, with `resources`; undefined if none. */
export function leastLoadedLane<L extends LaneView>(
  lanes: readonly L[],
  resources: Resources | undefined,
  cap: number,
  ringCapacity: number,
): L | undefined {
  let best: L | undefined;
  for (const lane of lanes) {
    if (!lane.usable || lane.queued >= cap || lane.queued >= ringCapacity) continue;
    if (resources && !fits(lane.available, resources)) continue;
    if (!best || lane.queued < best.queued) best = lane;
  }
  return best;
}

/** True when every input of task t is done, or queued on lane `index` (which runs in order). */
export function inputsOnLane(run: DispatchRun, t: number, index: number): boolean {
  const { depStart, depList } = run.entry.layout;
  for (let q = depStart[t]!; q < depStart[t + 1]!; q++) {
    const d = depList[q]!;
    if (d >= run.n) continue; // an input of the plan
    const s = run.state[d]!;
    if (s === DONE) continue;
    if (s !== QUEUED || run.laneOf[d] !== index) return false;
  }
  return true;
}

/**
 * Hands out the ready tasks of `run` to `lanes` (workers only) by the rules above, calling
 * `queue(position, lane)` for each; `queue` marks the task QUEUED on that lane and counts it in
 * the lane's `queued`, or returns false when the run failed (then dispatch of the run stops).
 * Returns the lanes given tasks (to be woken), and whether anything was queued.
 */
export function dispatchRun<L extends LaneView>(
  run: DispatchRun,
  lanes: readonly L[],
  context: DispatchContext,
  queue: (position: number, lane: L) => boolean,
): Set<L> | undefined {
  const { fair, cap } = batchLimits(run, context);
  let deferred: number[] | undefined;
  let touched: Set<L> | undefined;
  while (run.ready.size > 0) {
    const position = run.ready.peek();
    const resources = run.entry.resourcesAt(position);
    // too little is ready to share: the calling thread takes it, unless it lacks the resources
    if (fair === 0 && run.mayRunOnMain(position, context.guardedRuns) && (!resources || fits(context.mainAvailable, resources))) break;
    const lane = leastLoadedLane(lanes, resources, cap, context.ringCapacity);
    if (!lane) {
      if (!resources) break; // every lane has its share: the rest waits (or the calling thread takes it)
      (deferred ??= []).push(run.ready.pop()); // resource-bound: let the tasks behind it go
      continue;
    }
    run.ready.pop();
    const ok = queueWithFollowers(run, position, lane, queue);
    (touched ??= new Set()).add(lane);
    if (!ok || run.error !== undefined) break;
  }
  if (deferred) for (const p of deferred) run.ready.push(p);
  return touched;
}

/** Queues task `position` on `lane`, then (batching) its dependents whose inputs all are done or queued there. */
function queueWithFollowers<L extends LaneView>(
  run: DispatchRun,
  position: number,
  lane: L,
  queue: (position: number, lane: L) => boolean,
): boolean {
  const entry = run.entry;
  const stack = [position];
  while (stack.length > 0) {
    const p = stack.pop()!;
    if (!queue(p, lane)) return false;
    if (!run.batch) continue;
    const ds = entry.dependentStart;
    for (let q = ds[p]!; q < ds[p + 1]!; q++) {
      const t = entry.dependents[q]!;
      if (run.state[t] !== WAITING || run.remaining[t]! > CHAIN_MAX_INPUTS || entry.mainOnly[t]) continue;
      if (lane.queued >= MAX_BATCH_PER_LANE) continue;
      const resources = entry.resourcesAt(t);
      if (resources && !fits(lane.available, resources)) continue;
      if (inputsOnLane(run, t, lane.index)) stack.push(t);
    }
  }
  return true;
}
