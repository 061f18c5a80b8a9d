/**
 * The bookkeeping of one run of a plan: which tasks wait, are ready, queued or done; the
 * values of finished tasks and how many readers each still has; which buffers the run owns
 * (so each is freed exactly once, after its last reader, or when the run fails); its cells in
 * shared memory; and the promise its caller awaits.
 */
import { emitWarning } from "../platform/warnings.js";
import type { KeyNames } from "../graph/compiled.js";
import { Allocation, type BufferViews } from "../memory/shared-memory.js";
import type { PlanEntry } from "./plan-entry.js";
import { ReadyHeap } from "./ready-heap.js";

/** Least time between two calls of a run's progress callback (ms), but for the last. */
const PROGRESS_EVERY_MS = 50;

export const WAITING = 0;
export const READY = 1;
export const QUEUED = 2;
export const DONE = 3;

/**
 * What a run returns for buffer outputs: a copy (`copy`, the default) or the shared-memory
 * allocation itself (`keep`, freed by the caller).
 */
export type OutputMode = "copy" | "keep";

export class RunState {
  readonly n: number;
  readonly positions: number;
  readonly state: Uint8Array;
  readonly laneOf: Int16Array;
  readonly remaining: Int32Array;
  readonly readers: Int32Array;
  readonly ready = new ReadyHeap();
  /** Tasks that must run on the main thread, ready to go (main-only tasks, retries). */
  readonly mainQueue: number[] = [];
  readonly values: unknown[];
  /** Buffers this run made, with how many positions hold each (a task may pass one through). */
  readonly owned = new Map<Allocation, number>();
  /** Preallocated result buffers of tasks queued on workers. */
  readonly slots = new Map<number, Allocation>();
  /** Positions whose value is a JS value (not in a cell). */
  readonly jsValue: Uint8Array;
  /** Completions that wait for their posted value or error: position -> status. */
  readonly awaitingMessage = new Map<number, number>();
  /** Values or errors that arrived before their completion was harvested. */
  readonly earlyMessages = new Map<number, { value?: unknown; error?: unknown; step?: number }>();
  inFlight = 0;
  /** Tasks queued on each worker lane (by lane index) and not yet harvested. */
  readonly queuedOn: Int32Array;
  done = 0;
  error: unknown = undefined;
  settled = false;
  /** Workers told about this run (a replaced worker is a new lane, told afresh). */
  readonly lanesTold = new Set<{ endRun(run: number): void }>();
  cleanup: (() => void) | undefined;
  /**
   * Whether tasks of ops that are not weft's own (PlanEntry.userOps) may run on the calling
   * thread: "always" (asked for, or no workers), "unguarded" (while no computation in progress
   * has a signal or a timeout, which a task stuck on the calling thread would keep from firing),
   * or "never" (this run has one).
   */
  userOpsOnMain: "always" | "unguarded" | "never" = "never";
  /** Whether this run has a signal or a timeout. */
  guarded = false;
  /** ScheduleOptions.onProgress, and when it was last called (performance.now()). */
  onProgress: ((done: number, total: number) => void) | undefined;
  progressAt = -Infinity;
  /** Where the run went (on this thread alone, or on the workers too) and why. */
  placement: import("./placement.js").Placement | undefined;
  /** The names of the keys of the graph this run is for (errors and profiles). */
  names: KeyNames;
  /** The value at a position (what tasks run on the main thread read). */
  readonly valueAt = (p: number): unknown => this.values[p];

  constructor(
    readonly id: number,
    readonly slot: number,
    readonly entry: PlanEntry,
    readonly cells: Allocation,
    readonly outputMode: OutputMode,
    /** false: one task per dispatch, each awaited (ScheduleOptions.batch). */
    readonly batch: boolean,
    lanes: number,
    readonly resolve: (values: unknown[]) => void,
    readonly reject: (error: unknown) => void,
  ) {
    const layout = entry.layout;
    this.n = layout.taskGroup.length;
    this.positions = this.n + layout.inputCount;
    this.names = layout.names;
    this.state = new Uint8Array(this.n);
    this.laneOf = new Int16Array(this.n);
    this.remaining = entry.depCount.slice();
    this.readers = entry.readerCount.slice();
    this.values = new Array(this.positions);
    this.jsValue = new Uint8Array(this.positions);
    this.queuedOn = new Int32Array(lanes);
  }

  /**
   * Whether the calling thread may run the task at `position`: weft's own ops always; a
   * program's op as userOpsOnMain says (`guardedRuns`: computations in progress with a signal or
   * a timeout).
   */
  mayRunOnMain(position: number, guardedRuns: number): boolean {
    if (this.entry.userOps[position] === 0 || this.userOpsOnMain === "always") return true;
    return this.userOpsOnMain === "unguarded" && guardedRuns === 0;
  }

  /** Task `p` has all its inputs: onto the calling thread's queue if only it may run it, else the ready heap. */
  makeReady(p: number): void {
    this.state[p] = READY;
    if (this.entry.mainOnly[p]) this.mainQueue.push(p);
    else this.ready.push(p);
  }

  /** Frees the result slot allocated for task `p` on a worker, if any. */
  dropSlot(p: number): void {
    const slot = this.slots.get(p);
    if (!slot) return;
    this.slots.delete(p);
    if (!slot.freed) slot.free();
  }

  /**
   * Task `p` was queued on a worker that did not run it (the worker was stopped, or the task was
   * chained behind one that went elsewhere): its slot freed, it is ready again when its inputs
   * are done, else it waits for them.
   */
  unqueue(p: number): void {
    this.dropSlot(p);
    if (this.remaining[p]! > 0) this.state[p] = WAITING;
    else this.makeReady(p);
  }

  /**
   * Task `p` finished with `value` (`madeByRun`: a buffer the run now owns): inputs read for the
   * last time are released, dependents with all their inputs become ready. True when it was the
   * run's last task.
   */
  complete(p: number, value: unknown, madeByRun: boolean): boolean {
    const entry = this.entry;
    const layout = entry.layout;
    this.state[p] = DONE;
    this.done += 1;
    if (this.onProgress) this.reportProgress();
    this.hold(p, value, madeByRun);
    for (let q = layout.depStart[p]!; q < layout.depStart[p + 1]!; q++) {
      const d = layout.depList[q]!;
      if (--this.readers[d]! === 0) this.release(d);
    }
    if (this.readers[p] === 0) this.release(p); // nobody reads it (cannot happen for outputs)
    const ds = entry.dependentStart;
    for (let q = ds[p]!; q < ds[p + 1]!; q++) {
      const t = entry.dependents[q]!;
      if (--this.remaining[t]! === 0 && this.state[t] === WAITING) this.makeReady(t);
    }
    return this.done === this.n;
  }

  /** Calls the progress callback if PROGRESS_EVERY_MS have passed, or the run is complete; what it throws becomes a warning. */
  private reportProgress(): void {
    const now = performance.now();
    if (this.done !== this.n && now - this.progressAt < PROGRESS_EVERY_MS) return;
    this.progressAt = now;
    try {
      this.onProgress!(this.done, this.n);
    } catch (error) {
      emitWarning(`weft: the onProgress callback threw (ignored): ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Byte address of the cell of `position`. */
  cellAddress(position: number): number {
    return this.cells.ptr + position * 24;
  }

  /** The summed time of the run's tasks (ms), from their timing events (`f64`: the memory's view). */
  workMs(f64: Float64Array): number {
    let work = 0;
    for (let i = 0, at = this.eventAddress(0) / 8; i < this.n; i++, at += 3) work += f64[at + 2]! - f64[at + 1]!;
    return work;
  }

  /** Byte address of the timing event of task `position` (after all cells). */
  eventAddress(position: number): number {
    return this.cells.ptr + this.positions * 24 + position * 24;
  }

  /** Records that `position` holds `value`, taking ownership when the run made it. */
  hold(position: number, value: unknown, madeByRun: boolean): void {
    this.values[position] = value;
    if (value instanceof Allocation && (madeByRun || this.owned.has(value))) this.owned.set(value, (this.owned.get(value) ?? 0) + 1);
  }

  /** Drops `position`'s value; frees its buffer when no other position holds it. */
  release(position: number): void {
    const value = this.values[position];
    this.values[position] = undefined;
    if (!(value instanceof Allocation)) return;
    const holders = this.owned.get(value);
    if (holders === undefined) return;
    if (holders > 1) this.owned.set(value, holders - 1);
    else {
      this.owned.delete(value);
      if (!value.freed) value.free();
    }
  }

  /** The owned allocation at address `ptr`, if any (a worker passed an owned buffer through). */
  ownedAt(ptr: number, bytes: number): Allocation | undefined {
    for (const a of this.owned.keys()) if (a.ptr === ptr && a.bytes === bytes) return a;
    return undefined;
  }

  /** Frees everything the run still owns (after success: whatever was not returned). */
  freeAll(): void {
    for (const a of this.owned.keys()) if (!a.freed) a.free();
    this.owned.clear();
    for (const a of this.slots.values()) if (!a.freed) a.free();
    this.slots.clear();
  }

  /**
   * The outputs for the caller: buffers copied into Float64Arrays ('copy'), or handed over as
   * Allocations the caller owns ('keep'): a buffer the run made is handed over as it is (once);
   * any other (an input or a constant passed through, a view) is copied into a new allocation,
   * so the caller may free every buffer it gets.
   */
  takeOutputs(alloc: (bytes: number) => Allocation): unknown[] {
    const outputs = Array.from(this.entry.layout.outputPositions, (p) => this.values[p]);
    if (this.outputMode === "copy") {
      return outputs.map((v) => (isBuffer(v) ? v.f64().slice() : v));
    }
    return outputs.map((v) => {
      if (v instanceof Allocation && this.owned.has(v)) {
        this.owned.delete(v);
        return v;
      }
      if (!isBuffer(v)) return v;
      const copy = alloc(v.bytes);
      copy.u8().set(v.u8());
      return copy;
    });
  }
}

function isBuffer(v: unknown): v is BufferViews {
  return typeof v === "object" && v !== null && typeof (v as BufferViews).f64 === "function" && typeof (v as BufferViews).ptr === "number";
}
