/**
 * The calling thread's own share of the work: tasks only it may run (main-only tasks, retries of
 * tasks that needed an allocation a worker cannot make), and ordinary ready tasks it takes while
 * the workers have their share, each run on the same kernels, timed like the workers' tasks.
 */
import { keyOf, stepKeyOf } from "../graph/compiled.js";
import { runTask, StepFailure } from "../execute/run-task.js";
import { MainThreadHooks } from "../execute/main-thread-hooks.js";
import { TaskError } from "../execute/task-error.js";
import type { Kernels } from "../kernels/index.js";
import { Allocation, type BufferViews } from "../memory/shared-memory.js";
import { ScratchArena } from "../memory/scratch.js";
import { fits, giveBack, takeResources } from "./resources.js";
import { QUEUED, type RunState } from "./run-state.js";

/**
 * Longest stretch of work before the calling thread lets the event loop run: each turn costs
 * more than an idle loop's, and a solver's iteration spent a visible share of its time in them
 * at half this slice.
 */
export const SLICE_MS = 8;

/** What the scheduler does with a task the calling thread ran. */
export interface MainThreadOutcome {
  /** The task produced `value` (`made`: a buffer it allocated, which the run now owns). */
  completed(run: RunState, position: number, value: unknown, made: boolean): void;
  /** The task failed: the run fails with `error`. */
  failed(run: RunState, error: unknown): void;
}

/** The queues the calling thread takes tasks from, in this order. */
const MAIN_ONLY = 0;
const READY = 1;
const QUEUES = [MAIN_ONLY, READY] as const;

export class MainThread {
  /** Resources of the calling thread not taken by a running task. */
  readonly available: Record<string, number>;
  private readonly hooks: MainHooks;

  constructor(
    private readonly kernels: Kernels,
    scratchBytes: number,
    resources: Readonly<Record<string, number>>,
    private readonly outcome: MainThreadOutcome,
  ) {
    this.available = { ...resources };
    this.hooks = new MainHooks(kernels, scratchBytes);
  }

  /**
   * Runs what the calling thread should of `runs` (`workers`: how many there are;
   * `guardedRuns`: runs with a signal or a timeout, see RunState.mayRunOnMain): main-only tasks
   * first, then ordinary ready ones unless the run dispatches one at a time. Returns as soon as
   * a task made work ready for idle workers, or after a quarter slice; true if it ran anything.
   */
  runQueued(runs: Iterable<RunState>, workers: number, guardedRuns: number): boolean {
    const started = performance.now();
    let ran = false;
    for (const run of runs) {
      for (const queue of QUEUES) {
        if (queue === READY && !run.batch && workers > 0) break;
        while (!run.error) {
          const p = queue === MAIN_ONLY ? run.mainQueue[0] : run.ready.size > 0 ? run.ready.peek() : undefined;
          if (p === undefined) break;
          if (queue === READY && !run.mayRunOnMain(p, guardedRuns)) break; // a program's op: the workers take it
          const resources = run.entry.resourcesAt(p);
          if (resources && !fits(this.available, resources)) break;
          if (queue === MAIN_ONLY) run.mainQueue.shift();
          else run.ready.pop();
          this.execute(run, p);
          ran = true;
          // what it made ready goes to idle workers before the calling thread takes more (taking
          // the first of it itself left a worker idle for a whole chunk task); the event loop
          // gets in now and then
          if (workers > 0 && run.ready.size > (queue === MAIN_ONLY ? 0 : 1)) return true;
          if (performance.now() - started > SLICE_MS / 4) return true;
        }
      }
    }
    return ran;
  }

  /** Runs task `position` of `run` here, now; records its timing event; reports the outcome. */
  execute(run: RunState, position: number): void {
    const layout = run.entry.layout;
    const resources = run.entry.resourcesAt(position);
    run.state[position] = QUEUED;
    run.laneOf[position] = 0;
    if (resources) takeResources(this.available, resources);
    const hooks = this.hooks;
    const start = performance.now();
    let result: unknown;
    let failure: unknown;
    hooks.begin(run);
    try {
      result = runTask(layout, position, run.valueAt, hooks);
    } catch (error) {
      failure = error;
    }
    const end = performance.now();
    const f64 = this.kernels.memory.f64;
    const ev = run.eventAddress(position) / 8;
    f64[ev] = 0;
    f64[ev + 1] = start;
    f64[ev + 2] = end;
    giveBack(this.available, resources);
    const made = hooks.end(result);
    if (failure !== undefined) {
      this.outcome.failed(
        run,
        failure instanceof StepFailure
          ? new TaskError(keyOf(layout, position, run.names), stepKeyOf(layout, position, failure.step, run.names), failure.cause)
          : failure,
      );
      return;
    }
    this.outcome.completed(run, position, result, made);
  }

  dispose(): void {
    this.hooks.dispose();
  }
}

/**
 * Buffers for tasks the main thread runs: Plan.run's, plus a record of the result buffers a
 * task makes (so the run owns exactly those) and a scratch block reserved at start.
 */
class MainHooks extends MainThreadHooks {
  private made: Allocation[] = [];
  private startSerial = 0;

  constructor(
    override readonly kernels: Kernels,
    scratchBytes: number,
  ) {
    // intermediates live in the arena (taken back at endTask); heap results are settled in end()
    super(kernels, () => {}, new ScratchArena(kernels.memory, scratchBytes));
    // made up front, like the workers' blocks: part of the runtime's baseline, not of a run
    this.arena!.reserve();
  }

  begin(run: RunState): void {
    this.made.length = 0;
    this.startSerial = this.kernels.memory.lastSerial;
    this.keyOf = (p) => keyOf(run.entry.layout, p, run.names);
  }

  override allocResult(bytes: number, position: number): BufferViews {
    const a = super.allocResult(bytes, position) as Allocation;
    this.made.push(a);
    return a;
  }

  /**
   * After the task: frees the result buffers it made and did not return; true if its result is
   * a buffer made during the task (by context.alloc or directly), which the run then owns.
   */
  end(result: unknown): boolean {
    for (const a of this.made) if (a !== result && !a.freed) a.free();
    this.made.length = 0;
    return result instanceof Allocation && result.serial > this.startSerial;
  }
}
