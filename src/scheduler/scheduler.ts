/**
 * The scheduler: runs plans on the main thread and a pool of worker threads that share one
 * WebAssembly memory. The main thread tracks dependencies, hands ready tasks to workers in
 * batches through their inbox rings (a chain whose inputs are queued on one worker follows
 * them into the same batch), harvests completions from their outboxes, frees every buffer
 * after its last reader, and runs tasks itself when the workers have their share. With no
 * workers it is the synchronous executor: every task runs in the calling thread, in plan order.
 *
 * Liveness: the main thread never blocks. It spins briefly for a completion (only if fewer
 * threads than cores spin), then awaits Atomics.waitAsync with a timeout, so worker exits,
 * aborts and posted results are always seen.
 */
import type { ResolvedOverride } from "../kernels/overrides.js";
import { ArgumentError, WeftError } from "../errors.js";
import { keyOf, stepKeyOf, type CompiledPlan, type KeyNames } from "../graph/compiled.js";
import { runTask, StepFailure } from "../graph/execute.js";
import { formatKey, type Key } from "../graph/keys.js";
import { MainThreadHooks, TaskError } from "../graph/plan.js";
import type { Kernels } from "../kernels/index.js";
import { Allocation, SharedBuffer, type BufferViews } from "../memory/shared-memory.js";
import { ScratchArena } from "../memory/scratch.js";
import { WorkerLane } from "./lane.js";
import { PlanEntry } from "./plan-entry.js";
import * as P from "./protocol.js";
import { DONE, QUEUED, READY, RunState, WAITING, type OutputMode } from "./run-state.js";
import { NOT_IN_CELL, readCell, writeCell } from "./cells.js";
import { place, type Placement } from "./placement.js";

/** A worker thread died (process.exit, an uncaught error, out of memory) while running tasks. */
export class WorkerCrashedError extends WeftError {
  constructor(message: string, readonly lane: number, readonly key: Key | undefined, options?: ErrorOptions) {
    super(message, options);
  }
}

/** The computation was cancelled: by its AbortSignal, or because the runtime closed. */
export class CancelledError extends WeftError {}

/**
 * What an aborted run rejects with: the reason given to abort(reason), or, when none was given
 * (the platform's default AbortError), a CancelledError with that as its cause.
 */
function abortError(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  if (reason === undefined || (reason instanceof Error && reason.name === "AbortError")) return new CancelledError("aborted", { cause: reason });
  return reason;
}

/** A run took longer than its timeoutMs; names the limit. */
export class TimeoutError extends CancelledError {
  constructor(readonly timeoutMs: number) {
    super(`the computation took longer than its timeoutMs (${timeoutMs} ms): stopped; a worker inside one of its tasks was replaced`);
  }
}

/** A task asks for resources that no thread of the runtime has. */
export class ResourceError extends WeftError {}

/** How a Scheduler is set up: kernels, workers, resources, scratch, and where workers start. */
export interface SchedulerOptions {
  kernels: Kernels;
  /** Worker threads besides the main thread (0: the synchronous executor). */
  workers: number;
  /** Most threads that may spin at once (the machine's cores). */
  spinLimit: number;
  /** Resources of each thread: index 0 is the main thread, then each worker. */
  resources: readonly Readonly<Record<string, number>>[];
  /** Scratch block of each worker for fused intermediates, bytes. */
  scratchBytes: number;
  workerPath: string;
  resourceLimits?: import("node:worker_threads").ResourceLimits;
  /** Kernels replaced on every worker (already applied to `kernels` on this thread). */
  kernelOverrides?: readonly ResolvedOverride[];
  /** Receives each finished run's timing events (none: they are not copied out at all) and where it ran. */
  onEvents?(layout: CompiledPlan, names: KeyNames, events: Float64Array, ran: Uint8Array, placement: Placement): void;
  /** Runs' default placement: decided per run from measured costs ('auto', the default), or always on the calling thread (true) or never (false). */
  inline?: boolean | "auto";
  /** Runs' default timeoutMs (none when undefined). */
  timeoutMs?: number;
  /** Runs' default callingThreadOps (ScheduleOptions.callingThreadOps; default "weft"). */
  callingThreadOps?: "weft" | "all";
}

/**
 * Options of one run: cancellation, batching, and whether outputs are copied out or kept in shared
 * memory.
 */
export interface ScheduleOptions {
  signal?: AbortSignal;
  /**
   * Most milliseconds the run may take (default: the runtime's, else none). Past it the run
   * rejects with TimeoutError; a worker still inside one of its tasks is stopped and replaced
   * (tasks of other runs queued there go to other workers), and the runtime goes on.
   */
  timeoutMs?: number;
  /**
   * Which ops the calling thread may run when it helps the workers: "weft" (default): weft's own
   * only (kernels, array and GLM ops), so a program's op that never returns, exits or runs out of
   * memory does so on a worker, which is replaced; "all": a program's ops too, while no
   * computation in progress has a signal or a timeout (faster for very short tasks on few cores).
   */
  callingThreadOps?: "weft" | "all";
  /** 'copy' (default): buffer outputs come back as Float64Array copies; 'keep': as Allocations the caller frees. */
  outputs?: OutputMode;
  /**
   * true (default): tasks go to workers in batches and the main thread helps. false: one task
   * per dispatch, each awaited before the next (a reference point for benchmarks).
   */
  batch?: boolean;
  /**
   * Called on the calling thread as tasks finish, with the tasks done and the run's total: at
   * most every 50 ms, and always once the last task is done (before the run resolves). What it
   * throws cannot fail the run: it becomes a process warning.
   */
  onProgress?: (done: number, total: number) => void;
  /**
   * Run every task on the calling thread (true), on the workers too (false), or decide from the
   * plan's measured work against the measured cost of waking a worker ('auto', the default):
   * a run smaller than a wake-up is over before a worker would have started.
   */
  inline?: boolean | "auto";
}

const PROGRESS_EVERY_MS = 50;

// Longest stretch of work before the main thread lets the event loop run. Each turn costs
// 0.01-0.1 ms here (more than an idle loop's turn); at 4 ms a 25 ms gradient-descent iteration
// spent 0.3-0.5 ms in them, at 8 ms about half that.
const SLICE_MS = 8;
// The main thread spins for a completion before sleeping on the doorbell; a wake-up through
// the event loop costs 0.1-2 ms on these machines, so the spin adapts like the workers'.
const MIN_MAIN_SPIN_MS = 0.02;
const MAX_MAIN_SPIN_MS = 2;
const WAIT_TIMEOUT_MS = 20;
const MAX_BATCH_PER_LANE = 1024;
/** Tasks shorter than this on average (ms) are worth holding one ahead on a worker (see dispatch). */
const HOLD_NEXT_BELOW_MS = 0.2;
/** Wake-ups the median of wakeMs is taken over (pings at start, then real ones). */
const WAKE_SAMPLES = 15;
const CHAIN_MAX_INPUTS = 4;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs plans on the calling thread and on worker threads that share the memory: tasks go to workers
 * in batches through rings in shared memory, completions come back the same way, buffers are freed
 * after their last reader. Runtime owns one; use Runtime.
 */
export class Scheduler {
  private readonly control = new SharedArrayBuffer(P.CTL_WORDS * 4);
  private readonly ctl = new Int32Array(this.control);
  private readonly lanes: (WorkerLane | undefined)[] = [undefined]; // index 0: the main thread
  private readonly runs = new Map<number, RunState>();
  private readonly plans = new WeakMap<CompiledPlan, PlanEntry>();
  private readonly freeSlots: number[] = [];
  private readonly mainAvailable: Record<string, number>;
  private readonly scratch: Allocation[] = [];
  private nextRunId = 1;
  private mainSpinMs = 0.2;
  private pumping = false;
  private closed = false;
  private module: WebAssembly.Module | undefined;
  private readonly entryBuffer = new Int32Array(P.OUTBOX_ENTRY_WORDS);
  /** Worker deaths so far (each one replaced). */
  crashes = 0;
  /**
   * What handing a task to a worker costs (hand-over or notify to the task's first instruction):
   * for a worker asleep on its inbox and for one still spinning, each the median of the last
   * fifteen (pings at start, then real hand-overs), in ms.
   */
  wakeMs = 0.1;
  handoffMs = 0.005;

  private constructor(private readonly options: SchedulerOptions) {
    for (let s = P.MAX_RUN_SLOTS - 1; s >= 0; s--) this.freeSlots.push(s);
    Atomics.store(this.ctl, P.CTL_SPIN_LIMIT, Math.max(1, options.spinLimit));
    this.mainAvailable = { ...(options.resources[0] ?? {}) };
  }

  /** Starts the workers and resolves once each has its kernels ready. */
  static async start(options: SchedulerOptions): Promise<Scheduler> {
    const s = new Scheduler(options);
    void s.mainHooks; // its scratch block is allocated now
    if (options.workers > 0) {
      const backend = options.kernels.backend;
      s.module = backend === "js" ? undefined : await (await import("../kernels/kernels.js")).Kernels.module(backend);
      for (let i = 1; i <= options.workers; i++) s.lanes.push(s.spawn(i));
      try {
        await Promise.all(s.lanes.slice(1).map((l) => l!.ready));
      } catch (error) {
        await s.close();
        throw new WeftError(`a worker thread failed to start: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      await s.measureHandoff();
    }
    return s;
  }

  /**
   * Measures what handing work to a worker costs, by pings through its inbox: five rounds of one
   * to a worker that has gone to sleep and three more straight after, while it should still spin.
   * Each ping counts as a wake-up or a hand-over by the worker's state when it was pushed, not by
   * its place in the round (a "spinning" ping that found the worker asleep again measured a
   * wake-up: counted as a hand-over, five of those kept a user's loop on the calling thread at
   * 0.2 ms a hand-over of 6 us). Real hand-overs during runs keep both current afterwards.
   */
  private async measureHandoff(): Promise<void> {
    const lane = this.lanes[1]!;
    for (let i = 0; i < 5; i++) {
      const until = performance.now() + 50;
      while (Atomics.load(lane.words, P.LANE_STATE) !== P.LANE_SLEEPING && performance.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      for (let j = 0; j < 4; j++) {
        const asleep = Atomics.load(lane.words, P.LANE_STATE) === P.LANE_SLEEPING;
        const ms = await this.ping(lane);
        if (ms === undefined) return; // the worker did not answer: keep the defaults
        if (asleep) this.noteWake(ms);
        else this.noteHandoff(ms);
      }
    }
  }

  private readonly wakeSamples: number[] = [];
  private readonly handoffSamples: number[] = [];

  /** A measured wake-up (ms): wakeMs is the median of the last few (the VM's wake-ups vary by 30x). */
  private noteWake(ms: number): void {
    this.wakeMs = addSample(this.wakeSamples, ms) ?? this.wakeMs;
  }

  /** A measured hand-over to a spinning worker (ms): handoffMs is the median of the last few. */
  private noteHandoff(ms: number): void {
    this.handoffMs = addSample(this.handoffSamples, ms) ?? this.handoffMs;
  }

  /** One ping: ms from pushing it to the worker taking it, or undefined after 100 ms without an answer. */
  private async ping(lane: WorkerLane): Promise<number | undefined> {
    const entry = new Int32Array(P.OUTBOX_ENTRY_WORDS);
    const sent = performance.now();
    lane.push(P.PING_RUN, 0);
    lane.wake();
    while (!lane.outbox.pop(entry)) {
      if (performance.now() - sent > 100) return undefined;
      if (performance.now() - sent > 5) await new Promise((resolve) => setImmediate(resolve));
    }
    lane.completed();
    const sentUs = Math.round(sent * 1000) % 2 ** 31;
    return (((entry[1]! - sentUs) % 2 ** 31) + 2 ** 31) % 2 ** 31 / 1000;
  }

  /** Where a run of `entry` goes (see placement.ts). */
  private placementFor(entry: PlanEntry, inline: boolean | "auto"): Placement {
    const workMs = entry.lastWorkMs;
    let workersAsleep = true;
    for (let i = 1; i < this.lanes.length; i++) if (Atomics.load(this.lanes[i]!.words, P.LANE_STATE) !== P.LANE_SLEEPING) workersAsleep = false;
    // reaching a spinning worker never costs more than waking a sleeping one (a ping that found
    // the worker already asleep measured 3 ms of "handoff")
    const handoffMs = Math.min(this.handoffMs, this.wakeMs);
    const decided = place({ workMs, threads: this.lanes.length, workersAsleep, wakeMs: this.wakeMs, handoffMs });
    if (inline !== "auto") return { ...decided, inline, reason: "forced" };
    // without workers the pump runs everything here anyway; it also lets the event loop in
    // (aborts, timers) every slice, which a run done at once does not: only short runs go inline
    if (this.lanes.length === 1) return { ...decided, inline: workMs !== undefined && workMs < SLICE_MS, reason: "model" };
    return decided;
  }

  get workerCount(): number {
    return this.lanes.length - 1;
  }

  /** Runs currently in progress. */
  get activeRuns(): number {
    return this.runs.size;
  }

  private spawn(index: number): WorkerLane {
    let scratch = this.scratch[index];
    if (!scratch || scratch.freed) this.scratch[index] = scratch = this.options.kernels.memory.alloc(this.options.scratchBytes);
    const memory = this.options.kernels.memory;
    return new WorkerLane({
      index,
      workerPath: this.options.workerPath,
      control: this.control,
      memory: memory.memory,
      maximumBytes: memory.maximumBytes,
      backend: this.options.kernels.backend,
      module: this.module,
      kernelOverrides: this.options.kernelOverrides ?? [],
      scratch,
      resources: this.options.resources[index] ?? {},
      resourceLimits: this.options.resourceLimits,
      onMessage: (lane, m) => this.onWorkerMessage(lane, m),
      onExit: (lane, reason, cause) => this.onWorkerExit(lane, reason, cause),
    });
  }

  private entryFor(plan: CompiledPlan): PlanEntry {
    let e = this.plans.get(plan);
    if (!e) this.plans.set(plan, (e = new PlanEntry(plan)));
    return e;
  }

  /**
   * Runs `plan` with `inputs` (the values of its inputs, by index) and resolves to its outputs.
   * `names` name the keys of the graph the plan runs for (in errors and profiles; default: the
   * graph it was compiled from).
   */
  run(plan: CompiledPlan, inputs: readonly unknown[], options: ScheduleOptions & { names?: KeyNames } = {}): Promise<unknown[]> {
    if (this.closed) return Promise.reject(new CancelledError("the runtime is closed"));
    if (options.signal?.aborted) return Promise.reject(abortError(options.signal));
    if (options.onProgress !== undefined && typeof options.onProgress !== "function") {
      return Promise.reject(new ArgumentError("onProgress", "a function (done, total) => void", options.onProgress, "run"));
    }
    if (options.inline !== undefined && options.inline !== true && options.inline !== false && options.inline !== "auto") {
      return Promise.reject(new ArgumentError("inline", "true, false or 'auto'", options.inline, "run"));
    }
    if (options.callingThreadOps !== undefined && options.callingThreadOps !== "weft" && options.callingThreadOps !== "all") {
      return Promise.reject(new ArgumentError("callingThreadOps", "'weft' or 'all'", options.callingThreadOps, "run"));
    }
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    if (timeoutMs !== undefined && (typeof timeoutMs !== "number" || !(timeoutMs > 0) || !Number.isFinite(timeoutMs))) {
      return Promise.reject(new ArgumentError("timeoutMs", "a number of milliseconds > 0", timeoutMs, "run"));
    }
    const entry = this.entryFor(plan);
    if (entry.usesResources) this.checkResources(entry, options.names ?? plan.names);
    if (this.workerCount > 0) entry.wire();
    const slot = this.freeSlots.pop();
    if (slot === undefined) return Promise.reject(new WeftError(`more than ${P.MAX_RUN_SLOTS} computations at once on one runtime`));
    const n = entry.n;
    const positions = n + plan.inputCount;
    const memory = this.options.kernels.memory;
    const asked = options.inline ?? this.options.inline ?? "auto";
    // A program's own ops stay off the calling thread (a task that never returned there would
    // keep signals and timers from firing; one that called process.exit would end the process),
    // unless the calling thread is asked for outright (inline: true), there is no other, or
    // callingThreadOps is "all" and no computation in progress can be aborted or time out.
    const guarded = options.signal !== undefined || timeoutMs !== undefined;
    const callingThreadOps = options.callingThreadOps ?? this.options.callingThreadOps ?? "weft";
    const userOpsOnMain = asked === true || this.lanes.length === 1 ? "always" : guarded || callingThreadOps !== "all" ? "never" : "unguarded";
    const inline = options.batch === false || entry.usesResources || (entry.hasUserOps && (userOpsOnMain === "never" || this.guardedRuns > 0)) ? false : asked;
    const placement = this.placementFor(entry, inline);
    let cells: Allocation;
    try {
      cells = memory.alloc(positions * 24 + n * 24);
    } catch (error) {
      this.freeSlots.push(slot);
      return Promise.reject(error);
    }
    cells.f64().fill(0, 0, positions * 3);
    return new Promise<unknown[]>((resolve, reject) => {
      const id = this.nextRunId++;
      const run = new RunState(id, slot, entry, cells, options.outputs ?? "copy", options.batch !== false, this.lanes.length, resolve, reject);
      run.onProgress = options.onProgress;
      run.names = options.names ?? plan.names;
      for (let j = 0; j < plan.inputCount; j++) {
        const v = inputs[j];
        run.hold(n + j, v, false);
        this.writeCell(run, n + j, v);
      }
      run.placement = placement;
      if (placement.inline) {
        this.runInline(run);
        return;
      }
      for (let i = 0; i < n; i++) {
        if (run.remaining[i] === 0) {
          run.state[i] = READY;
          if (entry.mainOnly[i]) run.mainQueue.push(i);
          else run.ready.push(i);
        }
      }
      Atomics.store(this.ctl, P.CTL_RUN_STATUS + slot, id);
      run.userOpsOnMain = userOpsOnMain;
      run.guarded = guarded;
      if (guarded) this.guardedRuns += 1;
      const cleanups: (() => void)[] = [];
      if (options.signal) {
        const signal = options.signal;
        const onAbort = () => this.cancel(run, abortError(signal));
        signal.addEventListener("abort", onAbort, { once: true });
        cleanups.push(() => signal.removeEventListener("abort", onAbort));
      }
      if (timeoutMs !== undefined) {
        const timer = setTimeout(() => this.cancel(run, new TimeoutError(timeoutMs)), timeoutMs);
        cleanups.push(() => clearTimeout(timer));
      }
      if (cleanups.length > 0) run.cleanup = () => cleanups.forEach((c) => c());
      if (this.runs.size === 0) for (const l of this.lanes) l?.hold(true);
      this.runs.set(id, run);
      if (n === 0) this.finish(run);
      this.kick();
      void this.pump();
    });
  }

  /**
   * Runs every task of `run` on this thread, in plan order (dependencies first), now: the run
   * settles before this returns.
   */
  private runInline(run: RunState): void {
    if (run.n === 0) {
      this.finish(run);
      return;
    }
    for (let p = 0; p < run.n && !run.error; p++) this.executeOnMain(run, p);
    run.ready.clear();
    run.mainQueue.length = 0;
  }

  private checkResources(entry: PlanEntry, names: KeyNames): void {
    const threads = [this.options.resources[0] ?? {}, ...this.lanes.slice(1).map((_, i) => this.options.resources[i + 1] ?? {})];
    for (let i = 0; i < entry.n; i++) {
      const wanted = entry.resourcesAt(i);
      if (!wanted) continue;
      const fits = (have: Readonly<Record<string, number>>) => Object.entries(wanted).every(([name, amount]) => (have[name] ?? 0) >= amount);
      const candidates = entry.mainOnly[i] ? threads.slice(0, 1) : threads;
      if (!candidates.some(fits)) {
        const declared = threads.map((r, j) => `${j === 0 ? "main" : `worker ${j}`}: ${JSON.stringify(r)}`).join(", ");
        throw new ResourceError(
          `task ${formatKey(keyOf(entry.layout, i, names))} needs ${JSON.stringify(wanted)}, which no thread of this runtime has (${declared}); ` +
            `declare it with Runtime.start({ resources })`,
        );
      }
    }
  }

  // ---- the pump: harvest, dispatch, run on main, wait ----

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      let sliceStart = performance.now();
      while (this.runs.size > 0) {
        // Read the doorbell before the outboxes: a completion posted after this point changes
        // it, so the wait below cannot sleep through it.
        const doorbell = Atomics.load(this.ctl, P.CTL_DOORBELL);
        let progressed: boolean;
        try {
          progressed = this.harvest();
          if (this.dispatch()) progressed = true;
          if (this.runOnMain()) progressed = true;
        } catch (error) {
          // a fault of the scheduler itself: the runs fail with it rather than wait forever
          for (const run of this.runs.values()) this.fail(run, error);
          progressed = true;
        }
        if (this.runs.size === 0) break;
        if (progressed) {
          if (performance.now() - sliceStart > SLICE_MS) {
            await yieldToEventLoop();
            sliceStart = performance.now();
          }
          continue;
        }
        this.failStalled();
        if (this.runs.size === 0) break;
        if (await this.waitForCompletion(doorbell, sliceStart)) sliceStart = performance.now();
        else if (performance.now() - sliceStart > SLICE_MS) {
          await yieldToEventLoop();
          sliceStart = performance.now();
        }
      }
    } finally {
      this.pumping = false;
    }
    if (this.runs.size > 0) void this.pump(); // a run arrived as the loop ended
  }

  /**
   * A run that nothing can move any more (no task in flight, none runnable, no message
   * expected, no worker starting) would wait forever: fail it instead, saying so.
   */
  private failStalled(): void {
    let starting = false;
    for (let i = 1; i < this.lanes.length; i++) if (!this.lanes[i]!.isReady) starting = true;
    if (starting) return;
    for (const run of [...this.runs.values()]) {
      if (run.settled || run.inFlight > 0 || run.awaitingMessage.size > 0) continue;
      if (!run.error && (run.ready.size > 0 || run.mainQueue.length > 0)) continue; // held back by resources in use
      this.fail(run, new WeftError(`internal error: the computation stalled with ${run.n - run.done} of ${run.n} tasks not run`));
    }
  }

  /** Wakes the pump if it waits (new run, message, abort, worker exit). */
  private kick(): void {
    Atomics.add(this.ctl, P.CTL_DOORBELL, 1);
    Atomics.notify(this.ctl, P.CTL_DOORBELL);
  }

  /** Whether some worker posted a completion not yet harvested. */
  private completionsWaiting(): boolean {
    for (let i = 1; i < this.lanes.length; i++) {
      const lane = this.lanes[i]!;
      if (lane.queued > 0 && lane.outbox.hasEntry()) return true;
    }
    return false;
  }

  /**
   * Waits for a completion or a kick (anything that bumps the doorbell past `seen`). Spins on
   * the outboxes first while completions are expected; then says it sleeps (MAIN_WAITING),
   * looks at the outboxes once more (a worker that saw MAIN_WAITING = 0 did not ring), and
   * sleeps on the doorbell. While workers have tasks and no message is awaited, it sleeps in
   * Atomics.wait (a wake-up costs ~50 us; through the event loop, waitAsync, it costs 0.1-3 ms
   * on these machines), a millisecond at a time and never past the slice; otherwise, or once
   * the slice is used up, it awaits Atomics.waitAsync so the event loop runs.
   */
  private async waitForCompletion(seen: number, sliceStart: number): Promise<boolean> {
    let expecting = false;
    for (let i = 1; i < this.lanes.length; i++) if (this.lanes[i]!.queued > 0) expecting = true;
    if (expecting) {
      if (Atomics.add(this.ctl, P.CTL_SPINNERS, 1) < Atomics.load(this.ctl, P.CTL_SPIN_LIMIT)) {
        const until = performance.now() + this.mainSpinMs;
        while (!this.completionsWaiting() && Atomics.load(this.ctl, P.CTL_DOORBELL) === seen && performance.now() < until) {
          // spin: a completion is expected within microseconds
        }
      }
      Atomics.sub(this.ctl, P.CTL_SPINNERS, 1);
    }
    Atomics.store(this.ctl, P.CTL_MAIN_WAITING, 1);
    if (this.completionsWaiting() || Atomics.load(this.ctl, P.CTL_DOORBELL) !== seen) {
      Atomics.store(this.ctl, P.CTL_MAIN_WAITING, 0);
      return false;
    }
    let awaitingMessages = false;
    for (const run of this.runs.values()) if (run.awaitingMessage.size > 0) awaitingMessages = true;
    const sleptAt = performance.now();
    const sliceLeft = SLICE_MS - (sleptAt - sliceStart);
    let yielded = false;
    if (expecting && !awaitingMessages && sliceLeft > 0.05) {
      Atomics.wait(this.ctl, P.CTL_DOORBELL, seen, Math.min(1, sliceLeft));
    } else {
      const wait = Atomics.waitAsync(this.ctl, P.CTL_DOORBELL, seen, WAIT_TIMEOUT_MS);
      if (wait.async) await wait.value;
      else await yieldToEventLoop();
      yielded = true;
    }
    Atomics.store(this.ctl, P.CTL_MAIN_WAITING, 0);
    // woken soon after giving up: spinning a little longer would have saved the wake-up
    if (expecting) {
      const slept = performance.now() - sleptAt;
      this.mainSpinMs = slept < 1 ? Math.min(MAX_MAIN_SPIN_MS, this.mainSpinMs * 2) : Math.max(MIN_MAIN_SPIN_MS, this.mainSpinMs / 2);
    }
    return yielded;
  }

  /** Reads every lane's outbox. */
  private harvest(): boolean {
    let progressed = false;
    for (let i = 1; i < this.lanes.length; i++) {
      const lane = this.lanes[i]!;
      if (lane.queued > 0 && this.harvestLane(lane)) progressed = true;
    }
    return progressed;
  }

  private harvestLane(lane: WorkerLane): boolean {
    const e = this.entryBuffer;
    let any = false;
    let run: RunState | undefined;
    while (lane.outbox.pop(e)) {
      any = true;
      const runId = e[0]!, position = e[1]!, status = e[2]!;
      lane.completed();
      if (run?.id !== runId) run = this.runs.get(runId);
      if (!run) continue;
      const handed = lane.handedFor;
      if (handed && handed.run === runId && handed.position === position) {
        // hand-over (or notify) to first instruction, for the placement of later runs
        lane.handedFor = undefined;
        const ms = this.options.kernels.memory.f64[run.eventAddress(position) / 8 + 1]! - handed.at;
        if (handed.asleep) this.noteWake(ms);
        else this.noteHandoff(ms);
      }
      run.inFlight -= 1;
      run.queuedOn[lane.index]! -= 1;
      this.giveResources(lane.available, run.entry.resourcesAt(position));
      switch (status) {
        case P.STATUS_DONE:
          if (!run.error) this.completeFromCell(run, position);
          else this.dropSlot(run, position);
          break;
        case P.STATUS_DONE_JS:
        case P.STATUS_ERROR: {
          const early = run.earlyMessages.get(position);
          if (early) {
            run.earlyMessages.delete(position);
            this.onMessageFor(run, position, status, early);
          } else {
            run.awaitingMessage.set(position, status);
          }
          break;
        }
        case P.STATUS_RETRY_MAIN:
          // The task needs an allocation only the main thread can make: it runs there, now
          // and in later runs of this plan.
          this.dropSlot(run, position);
          run.entry.mainOnly[position] = 1;
          if (!run.error) run.mainQueue.push(position);
          break;
        case P.STATUS_SKIPPED:
          this.dropSlot(run, position);
          break;
        case P.STATUS_INPUT_MISSING:
          // Chained behind a task that went to the main thread: it waits for its inputs again.
          this.dropSlot(run, position);
          if (!run.error) {
            if (run.remaining[position]! > 0) run.state[position] = WAITING;
            else {
              run.state[position] = READY;
              if (run.entry.mainOnly[position]) run.mainQueue.push(position);
              else run.ready.push(position);
            }
          }
          break;
      }
      this.maybeSettle(run);
    }
    return any;
  }

  private onWorkerMessage(lane: WorkerLane, m: P.FromWorker): void {
    if (m.type === "stray-error") return this.onStrayError(lane, m);
    if (m.type !== "value" && m.type !== "error") return;
    const run = this.runs.get(m.run);
    if (!run) return;
    const status = m.type === "value" ? P.STATUS_DONE_JS : P.STATUS_ERROR;
    const payload = m.type === "value" ? { value: m.value } : { error: m.error, step: m.step };
    if (run.awaitingMessage.get(m.position) === status) {
      run.awaitingMessage.delete(m.position);
      this.onMessageFor(run, m.position, status, payload);
      this.maybeSettle(run);
    } else {
      run.earlyMessages.set(m.position, payload);
    }
    void lane;
    this.kick();
  }

  private onMessageFor(run: RunState, position: number, status: number, payload: { value?: unknown; error?: unknown; step?: number }): void {
    if (status === P.STATUS_DONE_JS) {
      this.dropSlot(run, position);
      if (!run.error) {
        run.jsValue[position] = 1;
        this.complete(run, position, payload.value, false);
      }
      return;
    }
    this.dropSlot(run, position);
    const plan = run.entry.layout;
    this.fail(run, new TaskError(keyOf(plan, position, run.names), stepKeyOf(plan, position, payload.step ?? 0, run.names), payload.error));
  }

  /**
   * A program's op threw after its task returned. The computation that ran the task fails if it
   * is still running; once it has ended there is no one to reject, and a process warning says so
   * (the error is never pinned on whatever computation happens to run next).
   */
  private onStrayError(lane: WorkerLane, m: Extract<P.FromWorker, { type: "stray-error" }>): void {
    const names = m.ops.map((o) => `'${o}'`).join(", ");
    const ops = m.ops.length === 0 ? "an op" : m.ops.length === 1 ? `op ${names}` : `one of the ops ${names} (fused in one task)`;
    const text = m.error instanceof Error ? m.error.message : typeof m.error === "object" && m.error !== null && "message" in m.error ? String(m.error.message) : String(m.error);
    const run = this.runs.get(m.run);
    if (run && !run.error && m.position >= 0 && m.position < run.n) {
      const key = keyOf(run.entry.layout, m.position, run.names);
      const cause = new Error(`${ops} threw after its task returned (from a timer or a promise it left behind): ${text}`, { cause: m.error });
      this.fail(run, new TaskError(key, key, cause));
      this.maybeSettle(run);
      this.kick();
      return;
    }
    const whose = m.run !== 0 ? "a task of a computation that has ended" : "code not traced to a task";
    process.emitWarning(`weft: ${ops} threw on worker ${lane.index} after its task returned (${whose}): ${text}`, { type: "WeftWarning", code: "WEFT_STRAY_ERROR" });
  }

  private onWorkerExit(lane: WorkerLane, reason: string, cause: unknown): void {
    if (this.closed) return;
    this.crashes += 1;
    this.harvestLane(lane); // completions it did report still count
    const [runId, position] = lane.current();
    for (const run of [...this.runs.values()]) {
      const count = run.queuedOn[lane.index]!;
      if (count === 0) continue;
      run.inFlight -= count;
      run.queuedOn[lane.index] = 0;
      if (lane.interrupted && run.error === undefined) {
        // stopped to end another run's task: this run's tasks queued there are dispatched again
        this.requeue(run, lane.index);
        continue;
      }
      const key = run.id === runId && position < run.n ? keyOf(run.entry.layout, position, run.names) : undefined;
      const what = key !== undefined ? ` while running task ${formatKey(key)}` : "";
      this.fail(run, new WorkerCrashedError(`${reason}${what}; the worker was replaced`, lane.index, key, { cause }));
      this.maybeSettle(run);
    }
    lane.queued = 0;
    // Entries of runs that already ended need no report; the lane is replaced either way.
    const fresh = this.spawn(lane.index);
    this.lanes[lane.index] = fresh;
    if (this.runs.size > 0) fresh.hold(true);
    this.kick();
  }

  // ---- dispatch ----

  private dispatch(): boolean {
    if (this.lanes.length === 1) return false;
    let progressed = false;
    let totalReady = 0;
    for (const run of this.runs.values()) if (!run.error) totalReady += run.ready.size;
    if (totalReady === 0) return false;
    let lanesReady = 0;
    for (let i = 1; i < this.lanes.length; i++) if (this.lanes[i]!.isReady && !this.lanes[i]!.dead) lanesReady++;
    if (lanesReady === 0) return false;
    for (const run of this.runs.values()) {
      if (run.error || run.ready.size === 0) continue;
      const batch = run.batch;
      // Each worker's share of what is ready; the main thread keeps one share for itself (so a
      // lone ready task runs right here, without a round trip).
      // the calling thread takes a share only of what it may run (not a program's ops while runs
      // can be aborted or time out): otherwise the workers share everything
      const mainHelps = run.mayRunOnMain(run.ready.peek(), this.guardedRuns);
      const fair = batch ? Math.floor(totalReady / (lanesReady + (mainHelps ? 1 : 0))) : 1;
      // A worker gets a quarter of its fair share at a time (at least two tasks, so it never
      // waits for the next one): it is topped up as it goes, and all threads finish together
      // even when tasks take different times.
      const share = Math.min(Math.max(1, fair), Math.max(2, Math.ceil(fair / 4)));
      // Short tasks: a worker also holds the task after its share while it runs one, so the next
      // is there when the current ends (hand-overs cost as much as such tasks). Long ones: not,
      // since what a worker holds when nothing is left to hand out is the run's tail, which the
      // calling thread waits out (1M x 100 gradient, 23 tasks of ~2 ms: 5 ms an iteration of
      // the calling thread idle, 28.0 ms an iteration against 26.2 without).
      const meanTaskMs = run.entry.lastWorkMs === undefined ? Infinity : run.entry.lastWorkMs / run.n;
      const cap = batch ? Math.min(share, MAX_BATCH_PER_LANE) + (meanTaskMs < HOLD_NEXT_BELOW_MS ? 1 : 0) : 1;
      let deferred: number[] | undefined;
      let touched: WorkerLane | Set<WorkerLane> | undefined;
      while (run.ready.size > 0) {
        const position = run.ready.peek();
        const resources = run.entry.resourcesAt(position);
        // Too little is ready to share: the main thread takes it, unless it lacks the resources.
        if (fair === 0 && run.mayRunOnMain(position, this.guardedRuns) && (!resources || fits(this.mainAvailable, resources))) break;
        const lane = this.chooseLane(resources, cap);
        if (!lane) {
          if (!resources) break; // every lane has its share: the rest waits (or the main thread takes it)
          (deferred ??= []).push(run.ready.pop()); // resource-bound: let the tasks behind it go
          continue;
        }
        run.ready.pop();
        this.queueOnWorker(run, position, lane, batch);
        if (run.error !== undefined) break;
        if (touched === undefined) touched = lane;
        else if (touched !== lane) touched = touched instanceof Set ? touched.add(lane) : new Set([touched, lane]);
        progressed = true;
      }
      if (deferred) for (const p of deferred) run.ready.push(p);
      if (touched instanceof Set) for (const lane of touched) lane.wake();
      else touched?.wake();
    }
    return progressed;
  }

  /** The least loaded worker holding fewer than `cap` tasks that has the resources, if any. */
  private chooseLane(resources: Readonly<Record<string, number>> | undefined, cap: number): WorkerLane | undefined {
    let best: WorkerLane | undefined;
    for (let i = 1; i < this.lanes.length; i++) {
      const lane = this.lanes[i]!;
      if (!lane.isReady || lane.dead) continue;
      if (lane.queued >= cap || lane.queued >= P.RING_CAPACITY) continue;
      if (resources && !fits(lane.available, resources)) continue;
      if (!best || lane.queued < best.queued) best = lane;
    }
    return best;
  }

  /**
   * The tasks of `run` that were queued on the worker of lane `index` (stopped before it ran
   * them): their result slots freed, each ready again when its inputs are done, else waiting.
   */
  private requeue(run: RunState, index: number): void {
    for (let p = 0; p < run.n; p++) {
      if (run.state[p] !== QUEUED || run.laneOf[p] !== index) continue;
      this.dropSlot(run, p);
      if (run.remaining[p] === 0) {
        run.state[p] = READY;
        if (run.entry.mainOnly[p]) run.mainQueue.push(p);
        else run.ready.push(p);
      } else {
        run.state[p] = WAITING;
      }
    }
  }

  /** Queues task `position` on `lane`, then (batching) its dependents whose inputs all are done or queued there. */
  private queueOnWorker(run: RunState, position: number, lane: WorkerLane, batch: boolean): void {
    const entry = run.entry;
    if (!run.lanesTold.has(lane)) {
      lane.ensurePlan(entry.id, () => entry.wire());
      lane.ensureRun({ type: "run", id: run.id, slot: run.slot, plan: entry.id, cells: run.cells.ptr, positions: run.positions, tasks: run.n });
      run.lanesTold.add(lane);
    }
    const stack = [position];
    while (stack.length > 0) {
      const p = stack.pop()!;
      if (!this.pushTask(run, p, lane)) return; // the run failed (out of memory)
      if (!batch) continue;
      const ds = entry.dependentStart;
      for (let q = ds[p]!; q < ds[p + 1]!; q++) {
        const t = entry.dependents[q]!;
        // Chains and small diamonds follow their inputs; a reduction over many inputs waits to
        // be ready (checking where all its inputs went would cost more than it saves).
        if (run.state[t] !== WAITING || run.remaining[t]! > CHAIN_MAX_INPUTS || entry.mainOnly[t]) continue;
        if (lane.queued >= MAX_BATCH_PER_LANE) continue;
        const resources = entry.resourcesAt(t);
        if (resources && !fits(lane.available, resources)) continue;
        if (this.inputsOnLane(run, t, lane.index)) stack.push(t);
      }
    }
  }

  /** True when every input of task t is done, or queued on lane `index` (which runs in order). */
  private inputsOnLane(run: RunState, t: number, index: number): boolean {
    const layout = run.entry.layout;
    for (let q = layout.depStart[t]!; q < layout.depStart[t + 1]!; q++) {
      const d = layout.depList[q]!;
      if (d >= run.n) continue; // an input
      const s = run.state[d]!;
      if (s === DONE) continue;
      if (s !== QUEUED || run.laneOf[d] !== index) return false;
    }
    return true;
  }

  /**
   * Queues one task on `lane`. Its result slot is allocated first: when the memory cannot grow
   * (its maximum reached), the run fails with that error, nothing is queued, and this returns
   * false (the error must not escape the pump, which would leave every run pending).
   */
  private pushTask(run: RunState, position: number, lane: WorkerLane): boolean {
    const layout = run.entry.layout;
    const bytes = layout.resultBytes[position]!;
    let slot: Allocation | undefined;
    if (bytes >= 0) {
      try {
        slot = this.options.kernels.memory.alloc(bytes);
      } catch (error) {
        this.fail(run, error);
        return false;
      }
    }
    const resources = run.entry.resourcesAt(position);
    run.state[position] = QUEUED;
    run.laneOf[position] = lane.index;
    if (resources) takeResources(lane.available, resources);
    // values the worker cannot read from cells travel on its side port, before the task
    for (let q = layout.depStart[position]!; q < layout.depStart[position + 1]!; q++) {
      const d = layout.depList[q]!;
      if (run.jsValue[d]) lane.ensureValue(run.id, d, () => run.values[d]);
    }
    if (slot) {
      run.slots.set(position, slot);
      const f64 = this.options.kernels.memory.f64;
      const at = run.cellAddress(position) / 8;
      f64[at + 1] = slot.ptr;
      f64[at + 2] = bytes;
      f64[at] = P.KIND_RESULT_SLOT;
    }
    lane.push(run.id, position);
    run.inFlight += 1;
    run.queuedOn[lane.index]! += 1;
    return true;
  }

  // ---- the main thread's own work ----

  private runOnMain(): boolean {
    const started = performance.now();
    let ran = false;
    for (const run of this.runs.values()) {
      if (run.error) continue;
      while (run.mainQueue.length > 0 && !run.error) {
        const p = run.mainQueue[0]!;
        const resources = run.entry.resourcesAt(p);
        if (resources && !fits(this.mainAvailable, resources)) break;
        run.mainQueue.shift();
        this.executeOnMain(run, p);
        ran = true;
        // what it made ready goes to the workers first (the main thread taking the first of it
        // left a worker idle for a whole chunk task)
        if (this.lanes.length > 1 && run.ready.size > 0) return true;
        if (performance.now() - started > SLICE_MS / 4) return true;
      }
      if (run.error) continue;
      // Help with ordinary ready tasks, unless this run dispatches one task at a time.
      if (!run.batch && this.lanes.length > 1) continue;
      while (run.ready.size > 0 && !run.error) {
        const p = run.ready.peek();
        if (!run.mayRunOnMain(p, this.guardedRuns)) break; // a program's op: the workers take it
        const resources = run.entry.resourcesAt(p);
        if (resources && !fits(this.mainAvailable, resources)) break;
        run.ready.pop();
        this.executeOnMain(run, p);
        ran = true;
        // hand new work to idle workers before taking more; let the event loop in now and then
        if (this.lanes.length > 1 && run.ready.size > 1) return true;
        if (performance.now() - started > SLICE_MS / 4) return true;
      }
    }
    return ran;
  }

  private executeOnMain(run: RunState, position: number): void {
    const layout = run.entry.layout;
    const resources = run.entry.resourcesAt(position);
    run.state[position] = QUEUED;
    run.laneOf[position] = 0;
    if (resources) takeResources(this.mainAvailable, resources);
    const hooks = this.mainHooks;
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
    const f64 = this.options.kernels.memory.f64;
    const ev = run.eventAddress(position) / 8;
    f64[ev] = 0;
    f64[ev + 1] = start;
    f64[ev + 2] = end;
    if (resources) giveBack(this.mainAvailable, resources);
    const made = hooks.end(result);
    if (failure !== undefined) {
      this.fail(run, failure instanceof StepFailure
        ? new TaskError(keyOf(layout, position, run.names), stepKeyOf(layout, position, failure.step, run.names), failure.cause)
        : failure);
      this.maybeSettle(run);
      return;
    }
    this.writeCell(run, position, result);
    this.complete(run, position, result, made);
  }

  private mainHooksCache: MainHooks | undefined;
  private get mainHooks(): MainHooks {
    this.mainHooksCache ??= new MainHooks(this.options.kernels, this.options.scratchBytes);
    return this.mainHooksCache;
  }

  // ---- completion, failure, settling ----

  /** Decodes a worker's result from its cell and completes the task. */
  private completeFromCell(run: RunState, position: number): void {
    const memory = this.options.kernels.memory;
    const f64 = memory.f64;
    const at = run.cellAddress(position) / 8;
    const kind = f64[at]!;
    let value: unknown = readCell(f64, at);
    let made = false;
    if (value === NOT_IN_CELL) {
      if (kind !== P.KIND_BUFFER) {
        this.fail(run, new WeftError(`task ${formatKey(keyOf(run.entry.layout, position, run.names))} finished without a result (cell kind ${kind}; internal error)`));
        return;
      }
      // a buffer: the slot preallocated for it, a buffer the run owns, or another live one
      const ptr = f64[at + 1]!, bytes = f64[at + 2]!;
      const slot = run.slots.get(position);
      if (slot && slot.ptr === ptr && slot.bytes === bytes) {
        run.slots.delete(position);
        value = slot;
        made = true;
      } else {
        const found = run.ownedAt(ptr, bytes) ?? memory.allocationAt(ptr);
        value = found instanceof Allocation && found.ptr === ptr && found.bytes === bytes ? found : new SharedBuffer(memory, ptr, bytes);
      }
    }
    this.dropSlot(run, position);
    this.complete(run, position, value, made);
  }

  private dropSlot(run: RunState, position: number): void {
    const slot = run.slots.get(position);
    if (!slot) return;
    run.slots.delete(position);
    if (!slot.freed) slot.free();
  }

  private complete(run: RunState, position: number, value: unknown, madeByRun: boolean): void {
    const entry = run.entry;
    const layout = entry.layout;
    run.state[position] = DONE;
    run.done += 1;
    if (run.onProgress) reportProgress(run);
    run.hold(position, value, madeByRun);
    // inputs read for the last time are released
    for (let q = layout.depStart[position]!; q < layout.depStart[position + 1]!; q++) {
      const d = layout.depList[q]!;
      if (--run.readers[d]! === 0) run.release(d);
    }
    if (run.readers[position] === 0) run.release(position); // nobody reads it (cannot happen for outputs)
    const ds = entry.dependentStart;
    for (let q = ds[position]!; q < ds[position + 1]!; q++) {
      const t = entry.dependents[q]!;
      if (--run.remaining[t]! === 0 && run.state[t] === WAITING) {
        run.state[t] = READY;
        if (entry.mainOnly[t]) run.mainQueue.push(t);
        else run.ready.push(t);
      }
    }
    if (run.done === run.n) this.finish(run);
  }

  /** Writes a main-thread value into its cell, for workers that read it. */
  private writeCell(run: RunState, position: number, value: unknown): void {
    if (run.settled) return;
    if (writeCell(this.options.kernels.memory.f64, run.cellAddress(position) / 8, value) === P.KIND_JS) run.jsValue[position] = 1;
  }

  /**
   * Ends a run from outside (abort, timeout): it fails with `error`, and a worker inside one of
   * its tasks is stopped and replaced (onWorkerExit puts the other runs' tasks queued there back
   * to be dispatched again), so the run settles now rather than when that task returns.
   */
  /** Computations in progress with a signal or a timeout (RunState.mayRunOnMain). */
  private guardedRuns = 0;

  private cancel(run: RunState, error: unknown): void {
    if (run.settled || run.error !== undefined) return;
    this.fail(run, error);
    for (const lane of this.lanes) {
      if (!lane || lane.dead || run.queuedOn[lane.index] === 0) continue;
      if (lane.current()[0] !== run.id) continue; // its tasks there are only queued: the worker skips them
      lane.interrupted = true;
      void lane.terminate();
    }
    this.kick();
  }

  private fail(run: RunState, error: unknown): void {
    if (run.error !== undefined || run.settled) return;
    run.error = error ?? new WeftError("computation failed");
    Atomics.store(this.ctl, P.CTL_RUN_STATUS + run.slot, 0); // workers skip its queued tasks
    run.ready.clear();
    run.mainQueue.length = 0;
    this.maybeSettle(run);
  }

  private maybeSettle(run: RunState): void {
    if (run.settled || run.error === undefined) return;
    if (run.inFlight > 0) return; // a worker may still write into its buffers
    this.settle(run);
    run.reject(run.error);
  }

  private finish(run: RunState): void {
    let outputs: unknown[];
    try {
      outputs = run.takeOutputs((bytes) => this.options.kernels.memory.alloc(bytes));
    } catch (error) {
      this.fail(run, error);
      this.maybeSettle(run);
      return;
    }
    this.settle(run);
    run.resolve(outputs);
  }

  /** Frees everything the run holds and forgets it. */
  private settle(run: RunState): void {
    run.settled = true;
    run.cleanup?.();
    if (run.guarded) {
      run.guarded = false;
      this.guardedRuns -= 1;
    }
    // copied out of the run's cells only when someone keeps profiles
    const onEvents = this.options.onEvents;
    const f64 = this.options.kernels.memory.f64;
    const events = onEvents && f64.slice(run.eventAddress(0) / 8, run.eventAddress(0) / 8 + run.n * 3);
    const ran = onEvents && run.state.map((s) => (s === DONE ? 1 : 0));
    if (!run.error) {
      // the plan's measured work: what decides where its next run goes
      let work = 0;
      for (let i = 0, at = run.eventAddress(0) / 8; i < run.n; i++, at += 3) work += f64[at + 2]! - f64[at + 1]!;
      run.entry.lastWorkMs = work;
    }
    run.freeAll();
    if (!run.cells.freed) run.cells.free();
    Atomics.store(this.ctl, P.CTL_RUN_STATUS + run.slot, 0);
    this.freeSlots.push(run.slot);
    for (const lane of run.lanesTold) lane.endRun(run.id);
    this.runs.delete(run.id);
    if (this.runs.size === 0) for (const l of this.lanes) l?.hold(false);
    try {
      onEvents?.(run.entry.layout, run.names, events!, ran!, run.placement!);
    } catch {
      // a profile consumer's failure must not break the run
    }
  }

  private giveResources(available: Record<string, number>, resources: Readonly<Record<string, number>> | undefined): void {
    if (resources) giveBack(available, resources);
  }

  /**
   * Stops the workers. Runs in flight reject with CancelledError once no worker can touch
   * their buffers any more; every buffer they held is freed.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const run of this.runs.values()) this.fail(run, new CancelledError("the runtime was closed while this computation ran"));
    Atomics.store(this.ctl, P.CTL_CLOSING, 1);
    const lanes = this.lanes.slice(1) as WorkerLane[];
    for (const l of lanes) Atomics.notify(l.words, P.LANE_INBOX_TAIL);
    await Promise.all(lanes.map((l) => l.terminate()));
    for (const run of [...this.runs.values()]) {
      run.inFlight = 0;
      this.maybeSettle(run);
    }
    this.mainHooksCache?.dispose();
    for (const s of this.scratch) if (s && !s.freed) s.free();
  }
}

function fits(available: Readonly<Record<string, number>>, wanted: Readonly<Record<string, number>>): boolean {
  for (const name in wanted) if ((available[name] ?? 0) < wanted[name]!) return false;
  return true;
}

function takeResources(available: Record<string, number>, wanted: Readonly<Record<string, number>>): void {
  for (const name in wanted) available[name] = (available[name] ?? 0) - wanted[name]!;
}

function giveBack(available: Record<string, number>, wanted: Readonly<Record<string, number>>): void {
  for (const name in wanted) available[name] = (available[name] ?? 0) + wanted[name]!;
}

/**
 * Buffers for tasks the main thread runs: Plan.run's, plus a record of the result buffers a
 * task makes (so the run owns exactly those) and a scratch block reserved at start.
 */
class MainHooks extends MainThreadHooks {
  private made: Allocation[] = [];
  private startSerial = 0;

  constructor(override readonly kernels: Kernels, scratchBytes: number) {
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

/** Adds a sample (ms) to a window of the last WAKE_SAMPLES and returns their median (undefined for a sample out of range). */
function addSample(samples: number[], ms: number): number | undefined {
  if (!(ms >= 0 && ms < 1000)) return undefined;
  samples.push(ms);
  if (samples.length > WAKE_SAMPLES) samples.shift();
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** Calls the run's progress callback if PROGRESS_EVERY_MS have passed, or the run is complete. */
function reportProgress(run: RunState): void {
  const now = performance.now();
  if (run.done !== run.n && now - run.progressAt < PROGRESS_EVERY_MS) return;
  run.progressAt = now;
  try {
    run.onProgress!(run.done, run.n);
  } catch (error) {
    process.emitWarning(`weft: the onProgress callback threw (ignored): ${error instanceof Error ? error.message : String(error)}`);
  }
}
