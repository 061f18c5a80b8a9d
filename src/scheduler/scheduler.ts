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
 *
 * This file is the coordinator and holds what every part shares: the runs in progress, the
 * lanes, and a run's life from admission to settling (about 500 lines, kept together because
 * each step of that life changes the same tables). The decisions live in their own modules:
 * admission.ts (where a run may go), dispatch-policy.ts (which worker gets which task),
 * main-thread.ts (the calling thread's share), hand-over.ts and completion.ts (the two
 * directions of the rings), waiting.ts (sleeping without blocking), resources.ts, errors.ts.
 */
import { WeftError } from "../errors.js";
import { keyOf, type CompiledPlan, type KeyNames } from "../graph/compiled.js";
import { formatKey } from "../graph/keys.js";
import type { Allocation } from "../memory/shared-memory.js";
import { admit } from "./admission.js";
import { writeCell } from "./cells.js";
import { dispatchRun, type DispatchContext } from "./dispatch-policy.js";
import { CancelledError, TimeoutError, WorkerCrashedError, abortError } from "./errors.js";
import { HandoffClock } from "./handoff.js";
import { WorkerLane } from "./lane.js";
import { MainThread, SLICE_MS } from "./main-thread.js";
import { checkScheduleOptions, type ScheduleOptions, type SchedulerOptions } from "./options.js";
import { PlanEntry } from "./plan-entry.js";
import * as P from "./protocol.js";
import { checkResources } from "./resources.js";
import { DONE, QUEUED, RunState } from "./run-state.js";
import { Completions } from "./completion.js";
import { handOver } from "./hand-over.js";
import { Doorbell, turnEventLoop } from "./waiting.js";

export { CancelledError, ResourceError, TimeoutError, WorkerCrashedError } from "./errors.js";
export type { ScheduleOptions, SchedulerOptions } from "./options.js";

/**
 * Runs plans on the calling thread and on worker threads that share the memory: tasks go to workers
 * in batches through rings in shared memory, completions come back the same way, buffers are freed
 * after their last reader. Runtime owns one; use Runtime.
 */
export class Scheduler {
  // shared with the workers; a plain buffer where there can be none (a page not cross-origin
  // isolated has no SharedArrayBuffer, and weft runs there on the calling thread alone)
  private readonly control =
    typeof SharedArrayBuffer === "function" ? new SharedArrayBuffer(P.CTL_WORDS * 4) : new ArrayBuffer(P.CTL_WORDS * 4);
  private readonly ctl = new Int32Array(this.control);
  private readonly doorbell = new Doorbell(this.ctl);
  private readonly lanes: (WorkerLane | undefined)[] = [undefined]; // index 0: the main thread
  /** The worker lanes alone (lanes[1..]), as dispatch takes them. */
  private readonly workers: WorkerLane[] = [];
  private readonly runs = new Map<number, RunState>();
  private readonly plans = new WeakMap<CompiledPlan, PlanEntry>();
  private readonly freeSlots: number[] = [];
  /** The calling thread's share of the work. */
  private readonly main: MainThread;
  private readonly scratch: Allocation[] = [];
  private nextRunId = 1;
  private pumping = false;
  private closed = false;
  private module: WebAssembly.Module | undefined;
  /** Worker deaths so far (each one replaced). */
  crashes = 0;
  /** What reaching a worker costs, measured: placement weighs runs against it. */
  readonly clock = new HandoffClock();
  private readonly completions: Completions;
  private constructor(private readonly options: SchedulerOptions) {
    for (let s = P.MAX_RUN_SLOTS - 1; s >= 0; s--) this.freeSlots.push(s);
    Atomics.store(this.ctl, P.CTL_SPIN_LIMIT, Math.max(1, options.spinLimit));
    this.main = new MainThread(options.kernels, options.scratchBytes, options.resources[0] ?? {}, {
      completed: (run, position, value, made) => {
        this.writeCell(run, position, value);
        this.complete(run, position, value, made);
      },
      failed: (run, error) => {
        this.fail(run, error);
        this.maybeSettle(run);
      },
    });
    this.completions = new Completions(
      {
        runs: this.runs,
        complete: (run, position, value, made) => this.complete(run, position, value, made),
        fail: (run, error) => this.fail(run, error),
        maybeSettle: (run) => this.maybeSettle(run),
        kick: () => this.doorbell.kick(),
      },
      options.kernels.memory,
      this.clock,
    );
  }

  /** Starts the workers and resolves once each has its kernels ready. */
  static async start(options: SchedulerOptions): Promise<Scheduler> {
    const s = new Scheduler(options);
    if (options.workers > 0) {
      const backend = options.kernels.backend;
      s.module = backend === "js" ? undefined : await (await import("../kernels/kernels.js")).Kernels.module(backend);
      for (let i = 1; i <= options.workers; i++) s.lanes.push(s.spawn(i));
      s.workers.push(...(s.lanes.slice(1) as WorkerLane[]));
      try {
        await Promise.all(s.lanes.slice(1).map((l) => l!.ready));
      } catch (error) {
        await s.close();
        throw new WeftError(`a worker thread failed to start: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      await s.clock.measure(s.lanes[1]!);
    }
    return s;
  }

  /** Whether every worker sleeps on its inbox now (then reaching one costs a wake-up). */
  private workersAsleep(): boolean {
    for (const lane of this.workers) if (Atomics.load(lane.words, P.LANE_STATE) !== P.LANE_SLEEPING) return false;
    return true;
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
      control: this.control as SharedArrayBuffer, // shared whenever a worker can be spawned
      memory: memory.memory,
      maximumBytes: memory.maximumBytes,
      backend: this.options.kernels.backend,
      module: this.module,
      kernelOverrides: this.options.kernelOverrides ?? [],
      scratch,
      resources: this.options.resources[index] ?? {},
      resourceLimits: this.options.resourceLimits,
      onMessage: (lane, m) => this.completions.onMessage(lane, m),
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
    let timeoutMs: number | undefined;
    try {
      timeoutMs = checkScheduleOptions(options, this.options.timeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
    const entry = this.entryFor(plan);
    if (entry.usesResources)
      checkResources(
        entry,
        this.lanes.map((_, i) => this.options.resources[i] ?? {}),
        options.names ?? plan.names,
      );
    if (this.workerCount > 0) entry.wire();
    const slot = this.freeSlots.pop();
    if (slot === undefined) return Promise.reject(new WeftError(`more than ${P.MAX_RUN_SLOTS} computations at once on one runtime`));
    const n = entry.n;
    const positions = n + plan.inputCount;
    const memory = this.options.kernels.memory;
    const guarded = options.signal !== undefined || timeoutMs !== undefined;
    const { userOpsOnMain, placement } = admit({
      inline: options.inline ?? this.options.inline ?? "auto",
      batch: options.batch !== false,
      guarded,
      callingThreadOps: options.callingThreadOps ?? this.options.callingThreadOps ?? "weft",
      threads: this.lanes.length,
      usesResources: entry.usesResources,
      hasUserOps: entry.hasUserOps,
      guardedRuns: this.guardedRuns,
      workMs: entry.lastWorkMs,
      workersAsleep: this.workersAsleep(),
      wakeMs: this.clock.wakeMs,
      handoffMs: this.clock.handoffMs,
    });
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
      const run = new RunState(
        id,
        slot,
        entry,
        cells,
        options.outputs ?? "copy",
        options.batch !== false,
        this.lanes.length,
        resolve,
        reject,
      );
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
      for (let i = 0; i < n; i++) if (run.remaining[i] === 0) run.makeReady(i);
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
      this.doorbell.kick();
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
    for (let p = 0; p < run.n && !run.error; p++) this.main.execute(run, p);
    run.ready.clear();
    run.mainQueue.length = 0;
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
        const doorbell = this.doorbell.read();
        let progressed: boolean;
        try {
          progressed = this.harvest();
          if (this.dispatch()) progressed = true;
          if (this.main.runQueued(this.runs.values(), this.lanes.length - 1, this.guardedRuns)) progressed = true;
        } catch (error) {
          // a fault of the scheduler itself: the runs fail with it rather than wait forever
          for (const run of this.runs.values()) this.fail(run, error);
          progressed = true;
        }
        if (this.runs.size === 0) break;
        if (progressed) {
          if (performance.now() - sliceStart > SLICE_MS) {
            await turnEventLoop();
            sliceStart = performance.now();
          }
          continue;
        }
        this.failStalled();
        if (this.runs.size === 0) break;
        if (await this.doorbell.waitForCompletion(this.workers, this.awaitingMessages(), doorbell, sliceStart))
          sliceStart = performance.now();
        else if (performance.now() - sliceStart > SLICE_MS) {
          await turnEventLoop();
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

  /** Whether some run waits for a value or an error a worker posts (then sleeps must let the event loop run). */
  private awaitingMessages(): boolean {
    for (const run of this.runs.values()) if (run.awaitingMessage.size > 0) return true;
    return false;
  }

  /** Reads every lane's outbox. */
  private harvest(): boolean {
    let progressed = false;
    for (let i = 1; i < this.lanes.length; i++) {
      const lane = this.lanes[i]!;
      if (lane.queued > 0 && this.completions.harvestLane(lane)) progressed = true;
    }
    return progressed;
  }

  private onWorkerExit(lane: WorkerLane, reason: string, cause: unknown): void {
    if (this.closed) return;
    this.crashes += 1;
    this.completions.harvestLane(lane); // completions it did report still count
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
    this.workers[lane.index - 1] = fresh;
    if (this.runs.size > 0) fresh.hold(true);
    this.doorbell.kick();
  }

  // ---- dispatch (the policy is dispatch-policy.ts) ----

  private dispatch(): boolean {
    if (this.workers.length === 0) return false;
    let totalReady = 0;
    for (const run of this.runs.values()) if (!run.error) totalReady += run.ready.size;
    if (totalReady === 0) return false;
    let lanesReady = 0;
    for (const lane of this.workers) if (lane.usable) lanesReady++;
    if (lanesReady === 0) return false;
    const context: DispatchContext = {
      totalReady,
      lanesReady,
      guardedRuns: this.guardedRuns,
      mainAvailable: this.main.available,
      ringCapacity: P.RING_CAPACITY,
    };
    let progressed = false;
    for (const run of this.runs.values()) {
      if (run.error || run.ready.size === 0) continue;
      const touched = dispatchRun(run, this.workers, context, (position, lane) => this.pushTask(run, position, lane));
      if (!touched) continue;
      progressed = true;
      for (const lane of touched) lane.wake();
    }
    return progressed;
  }

  /**
   * The tasks of `run` that were queued on the worker of lane `index` (stopped before it ran
   * them): their result slots freed, each ready again when its inputs are done, else waiting.
   */
  private requeue(run: RunState, index: number): void {
    for (let p = 0; p < run.n; p++) if (run.state[p] === QUEUED && run.laneOf[p] === index) run.unqueue(p);
  }

  /**
   * Queues one task on `lane` (hand-over.ts). When its result slot cannot be allocated (the
   * memory's maximum reached) the run fails with that error and this returns false: the error
   * must not escape the pump, which would leave every run pending.
   */
  private pushTask(run: RunState, position: number, lane: WorkerLane): boolean {
    try {
      handOver(run, position, lane, this.options.kernels.memory);
      return true;
    } catch (error) {
      this.fail(run, error);
      return false;
    }
  }

  // ---- completion, failure, settling ----

  private complete(run: RunState, position: number, value: unknown, madeByRun: boolean): void {
    if (run.complete(position, value, madeByRun)) this.finish(run);
  }

  /** Writes a main-thread value into its cell, for workers that read it. */
  private writeCell(run: RunState, position: number, value: unknown): void {
    if (run.settled) return;
    if (writeCell(this.options.kernels.memory.f64, run.cellAddress(position) / 8, value) === P.KIND_JS) run.jsValue[position] = 1;
  }

  /** Computations in progress with a signal or a timeout (RunState.mayRunOnMain). */
  private guardedRuns = 0;

  /**
   * Ends a run from outside (abort, timeout): it fails with `error`, and a worker inside one of
   * its tasks is stopped and replaced (onWorkerExit puts the other runs' tasks queued there back
   * to be dispatched again), so the run settles now rather than when that task returns.
   */
  private cancel(run: RunState, error: unknown): void {
    if (run.settled || run.error !== undefined) return;
    this.fail(run, error);
    for (const lane of this.lanes) {
      if (!lane || lane.dead || run.queuedOn[lane.index] === 0) continue;
      if (lane.current()[0] !== run.id) continue; // its tasks there are only queued: the worker skips them
      lane.interrupted = true;
      void lane.terminate();
    }
    this.doorbell.kick();
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
    if (!run.error) run.entry.lastWorkMs = run.workMs(f64); // what decides where the plan's next run goes
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
    this.main.dispose();
    for (const s of this.scratch) if (s && !s.freed) s.free();
  }
}
