/**
 * Completions coming back from workers: entries in each worker's outbox ring (run, task,
 * status), results read from the task's cell in shared memory, and the messages that carry what
 * a cell cannot hold (JS values, errors), which may arrive before or after their entry. Each
 * completion updates the run's bookkeeping through the scheduler (the CompletionSink).
 */
import { emitWarning } from "../platform/warnings.js";
import { WeftError } from "../errors.js";
import { keyOf, stepKeyOf } from "../graph/compiled.js";
import { formatKey } from "../graph/keys.js";
import { TaskError } from "../execute/task-error.js";
import { Allocation, SharedBuffer, type SharedMemory } from "../memory/shared-memory.js";
import { NOT_IN_CELL, readCell } from "./cells.js";
import type { HandoffClock } from "./handoff.js";
import type { WorkerLane } from "./lane.js";
import * as P from "./protocol.js";
import { giveBack } from "./resources.js";
import type { RunState } from "./run-state.js";

/** What completions act on: the runs in progress and how they move on. */
export interface CompletionSink {
  readonly runs: ReadonlyMap<number, RunState>;
  /** Task `position` produced `value` (`made`: a buffer the run now owns). */
  complete(run: RunState, position: number, value: unknown, made: boolean): void;
  fail(run: RunState, error: unknown): void;
  /** Settles a failed run once no worker can touch its buffers any more. */
  maybeSettle(run: RunState): void;
  /** Wakes the pump. */
  kick(): void;
}

export class Completions {
  private readonly entry = new Int32Array(P.OUTBOX_ENTRY_WORDS);

  constructor(
    private readonly core: CompletionSink,
    private readonly memory: SharedMemory,
    private readonly clock: HandoffClock,
  ) {}

  /** Reads every completion in `lane`'s outbox; true if there was any. */
  harvestLane(lane: WorkerLane): boolean {
    const e = this.entry;
    let any = false;
    let run: RunState | undefined;
    while (lane.outbox.pop(e)) {
      any = true;
      const runId = e[0]!,
        position = e[1]!,
        status = e[2]!;
      lane.completed();
      if (run?.id !== runId) run = this.core.runs.get(runId);
      if (!run) continue;
      const handed = lane.handedFor;
      if (handed && handed.run === runId && handed.position === position) {
        // hand-over (or notify) to first instruction, for the placement of later runs
        lane.handedFor = undefined;
        const ms = this.memory.f64[run.eventAddress(position) / 8 + 1]! - handed.at;
        if (handed.asleep) this.clock.noteWake(ms);
        else this.clock.noteHandoff(ms);
      }
      run.inFlight -= 1;
      run.queuedOn[lane.index]! -= 1;
      giveBack(lane.available, run.entry.resourcesAt(position));
      switch (status) {
        case P.STATUS_DONE:
          if (!run.error) this.completeFromCell(run, position);
          else run.dropSlot(position);
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
          run.dropSlot(position);
          run.entry.mainOnly[position] = 1;
          if (!run.error) run.mainQueue.push(position);
          break;
        case P.STATUS_SKIPPED:
          run.dropSlot(position);
          break;
        case P.STATUS_INPUT_MISSING:
          // Chained behind a task that went to the main thread: it waits for its inputs again.
          if (run.error) run.dropSlot(position);
          else run.unqueue(position);
          break;
      }
      this.core.maybeSettle(run);
    }
    return any;
  }

  /** A message a worker posted: a JS result, an error, or an error an op threw after its task returned. */
  onMessage(lane: WorkerLane, m: P.FromWorker): void {
    if (m.type === "stray-error") {
      this.onStrayError(lane, m);
      return;
    }
    if (m.type !== "value" && m.type !== "error") return;
    const run = this.core.runs.get(m.run);
    if (!run) return;
    const status = m.type === "value" ? P.STATUS_DONE_JS : P.STATUS_ERROR;
    const payload = m.type === "value" ? { value: m.value } : { error: m.error, step: m.step };
    if (run.awaitingMessage.get(m.position) === status) {
      run.awaitingMessage.delete(m.position);
      this.onMessageFor(run, m.position, status, payload);
      this.core.maybeSettle(run);
    } else {
      run.earlyMessages.set(m.position, payload);
    }
    void lane;
    this.core.kick();
  }

  private onMessageFor(
    run: RunState,
    position: number,
    status: number,
    payload: { value?: unknown; error?: unknown; step?: number },
  ): void {
    if (status === P.STATUS_DONE_JS) {
      run.dropSlot(position);
      if (!run.error) {
        run.jsValue[position] = 1;
        this.core.complete(run, position, payload.value, false);
      }
      return;
    }
    run.dropSlot(position);
    const plan = run.entry.layout;
    this.core.fail(
      run,
      new TaskError(keyOf(plan, position, run.names), stepKeyOf(plan, position, payload.step ?? 0, run.names), payload.error),
    );
  }

  /**
   * A program's op threw after its task returned. The computation that ran the task fails if it
   * is still running; once it has ended there is no one to reject, and a process warning says so
   * (the error is never pinned on whatever computation happens to run next).
   */
  private onStrayError(lane: WorkerLane, m: Extract<P.FromWorker, { type: "stray-error" }>): void {
    const names = m.ops.map((o) => `'${o}'`).join(", ");
    const ops = m.ops.length === 0 ? "an op" : m.ops.length === 1 ? `op ${names}` : `one of the ops ${names} (fused in one task)`;
    const text =
      m.error instanceof Error
        ? m.error.message
        : typeof m.error === "object" && m.error !== null && "message" in m.error
          ? String(m.error.message)
          : String(m.error);
    const run = this.core.runs.get(m.run);
    if (run && !run.error && m.position >= 0 && m.position < run.n) {
      const key = keyOf(run.entry.layout, m.position, run.names);
      const cause = new Error(`${ops} threw after its task returned (from a timer or a promise it left behind): ${text}`, {
        cause: m.error,
      });
      this.core.fail(run, new TaskError(key, key, cause));
      this.core.maybeSettle(run);
      this.core.kick();
      return;
    }
    const whose = m.run !== 0 ? "a task of a computation that has ended" : "code not traced to a task";
    emitWarning(`weft: ${ops} threw on worker ${lane.index} after its task returned (${whose}): ${text}`, {
      type: "WeftWarning",
      code: "WEFT_STRAY_ERROR",
    });
  }

  /** Decodes a worker's result from its cell and completes the task. */
  private completeFromCell(run: RunState, position: number): void {
    const memory = this.memory;
    const f64 = memory.f64;
    const at = run.cellAddress(position) / 8;
    const kind = f64[at]!;
    let value: unknown = readCell(f64, at);
    let made = false;
    if (value === NOT_IN_CELL) {
      if (kind !== P.KIND_BUFFER) {
        this.core.fail(
          run,
          new WeftError(
            `task ${formatKey(keyOf(run.entry.layout, position, run.names))} finished without a result (cell kind ${kind}; internal error)`,
          ),
        );
        return;
      }
      // a buffer: the slot preallocated for it, a buffer the run owns, or another live one
      const ptr = f64[at + 1]!,
        bytes = f64[at + 2]!;
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
    run.dropSlot(position);
    this.core.complete(run, position, value, made);
  }
}
