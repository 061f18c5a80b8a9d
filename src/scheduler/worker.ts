/**
 * A worker thread of the threaded executor. It instantiates the kernel module on the runtime's
 * shared memory, then loops: take the next (run, task) from its inbox ring, run the task with
 * its inputs read from their cells, write the result's cell and timing event, and post the
 * completion to its outbox ring. Plans and runs are announced on a side port before their first
 * task arrives, so the hot path reads no message. When the inbox is empty it spins briefly
 * (only if fewer threads than cores are spinning) and then sleeps on the inbox's tail word.
 */
import {
  AsyncLocalStorage,
  onStrayError,
  parentPort,
  receiveMessageOnPort,
  turnEventLoop,
  WORKER_SLEEPS_ASYNC,
  workerData,
} from "../platform/threads.js";
import { runTask, StepFailure } from "../execute/run-task.js";
import { Kernels } from "../kernels/kernels.js";
import { applyOverrides } from "../kernels/overrides.js";
import { NeedsMainThreadError, SharedBuffer } from "../memory/shared-memory.js";
import { NOT_IN_CELL, readCell, writeCell } from "./cells.js";
import { Ring } from "./ring.js";
import { WorkerHooks } from "./worker-hooks.js";
import { workerOps } from "./worker-ops.js";
import { OpResolver, WorkerPlan } from "./worker-plans.js";
import * as P from "./protocol.js";

const init = workerData as P.WorkerInit;
const lane = init.lane;
const ctl = new Int32Array(init.control);
const words = new Int32Array(init.laneBlock);
const inbox = new Ring(words, P.LANE_INBOX_HEAD, P.LANE_INBOX_TAIL, P.LANE_INBOX_BASE, P.INBOX_ENTRY_WORDS);
const outbox = new Ring(words, P.LANE_OUTBOX_HEAD, P.LANE_OUTBOX_TAIL, P.LANE_OUTBOX_BASE, P.OUTBOX_ENTRY_WORDS);
const kernels = Kernels.attach({ backend: init.backend, memory: init.memory, maximumBytes: init.maximumBytes, module: init.module });
const memory = kernels.memory;
const resolver = new OpResolver(workerOps);
// Events are written on the main thread's clock.
const clockOffset = performance.timeOrigin - init.mainTimeOrigin;
const now = () => performance.now() + clockOffset;

interface WorkerRun {
  id: number;
  slot: number;
  plan: WorkerPlan;
  /** Byte address of the run's cells; its events follow the cells of all positions. */
  cells: number;
  events: number;
  values: Map<number, unknown>;
  valueAt: (p: number) => unknown;
}

/** An input has no value in its cell: it was queued before this task here but ended elsewhere. */
class InputMissing extends Error {}

const plans = new Map<number, WorkerPlan>();
const runs = new Map<number, WorkerRun>();
/** Side messages read so far (the main thread counts those it posted in LANE_SIDE_POSTED). */
let sideReceived = 0;

/** Reads every side message waiting: plans, runs, values, ends. Never blocks. */
function drain(): void {
  for (;;) {
    const received = receiveMessageOnPort(init.side);
    if (!received) return;
    sideReceived += 1;
    const m = received.message as P.ToWorker;
    switch (m.type) {
      case "plan":
        plans.set(m.id, new WorkerPlan(m.plan, memory, resolver));
        break;
      case "forget-plan":
        plans.delete(m.id);
        break;
      case "run": {
        const plan = plans.get(m.plan);
        if (!plan) throw new Error(`run ${m.id} names unknown plan ${m.plan} (protocol error)`);
        const run: WorkerRun = {
          id: m.id,
          slot: m.slot,
          plan,
          cells: m.cells,
          events: m.cells + m.positions * P.CELL_WORDS * 8,
          values: new Map(),
          valueAt: () => undefined,
        };
        run.valueAt = valueReader(run);
        runs.set(m.id, run);
        break;
      }
      case "value":
        runs.get(m.run)?.values.set(m.position, m.value);
        break;
      case "end":
        runs.delete(m.run);
        break;
    }
  }
}

const hooks = new WorkerHooks(kernels, init.scratch);
memory.setBorrowedHeap(hooks);

/**
 * Errors a program's op throws after its task returned (from a timer, an unhandled rejection) are
 * not this worker's end and not the fault of whatever task runs next: they are traced, through
 * the task's async context, to the task that left them behind, and reported to the main thread,
 * which fails that task's computation if it is still running (or warns if it has ended).
 */
const taskContext = new AsyncLocalStorage<{ run: number; position: number; ops: string[] }>();
/** A program's op ran since the worker last let its event loop turn (timers it set may be due). */
let leftBehind = false;

function reportStray(error: unknown): void {
  const origin = taskContext.getStore();
  const message = {
    type: "stray-error",
    run: origin?.run ?? 0,
    position: origin?.position ?? -1,
    ops: origin?.ops ?? [],
    error,
  } satisfies P.FromWorker;
  try {
    parentPort!.postMessage(message);
  } catch {
    const e = error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : { message: String(error) };
    parentPort!.postMessage({ ...message, error: e });
  }
}
onStrayError(reportStray);

function postError(run: WorkerRun, position: number, step: number, error: unknown): void {
  try {
    parentPort!.postMessage({ type: "error", run: run.id, position, step, error } satisfies P.FromWorker);
  } catch {
    // an error with uncloneable fields: its text still travels
    const e = error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : { message: String(error) };
    parentPort!.postMessage({ type: "error", run: run.id, position, step, error: e } satisfies P.FromWorker);
  }
}

/** Writes a result into its cell; returns the outbox status. */
function writeResult(run: WorkerRun, position: number, result: unknown, f64: Float64Array): number {
  const at = run.cells / 8 + position * P.CELL_WORDS;
  if (writeCell(f64, at, result) !== P.KIND_JS) return P.STATUS_DONE;
  try {
    parentPort!.postMessage({ type: "value", run: run.id, position, value: result } satisfies P.FromWorker);
  } catch (cause) {
    postError(
      run,
      position,
      0,
      new Error(`the task's result cannot be sent to the main thread: ${cause instanceof Error ? cause.message : String(cause)}`),
    );
    return P.STATUS_ERROR;
  }
  run.values.set(position, result); // tasks chained after this one here read it directly
  return P.STATUS_DONE_JS;
}

function execute(run: WorkerRun, position: number): number {
  if (Atomics.load(ctl, P.CTL_RUN_STATUS + run.slot) !== run.id) return P.STATUS_SKIPPED;
  Atomics.store(words, P.LANE_CURRENT_RUN, run.id);
  Atomics.store(words, P.LANE_CURRENT_POSITION, position);
  const start = now();
  let f64 = memory.f64;
  const cell = run.cells / 8 + position * P.CELL_WORDS;
  const group = run.plan.groups[run.plan.taskGroup[position]!]!;
  const hasSlot = f64[cell] === P.KIND_RESULT_SLOT;
  let status: number;
  try {
    void group.program; // decoded (and its constant buffers known) before the task's regions are set
    hooks.begin(hasSlot ? f64[cell + 1]! : -1, hasSlot ? f64[cell + 2]! : 0, group.constants);
    const foreign = group.foreignOps;
    let result: unknown;
    if (foreign.length === 0) result = runTask(run.plan, position, run.valueAt, hooks);
    else {
      // a program's op may leave timers or promises behind: what they throw is traced to this task
      leftBehind = true;
      result = taskContext.run({ run: run.id, position, ops: foreign }, runTask, run.plan, position, run.valueAt, hooks);
    }
    f64 = memory.f64; // the memory may have grown meanwhile
    status = writeResult(run, position, result, f64);
  } catch (error) {
    if (error instanceof InputMissing || (error instanceof StepFailure && error.cause instanceof InputMissing)) {
      status = P.STATUS_INPUT_MISSING;
    } else if (error instanceof StepFailure && error.cause instanceof NeedsMainThreadError) {
      status = P.STATUS_RETRY_MAIN;
    } else {
      postError(run, position, error instanceof StepFailure ? error.step : 0, error instanceof StepFailure ? error.cause : error);
      status = P.STATUS_ERROR;
    }
  }
  const end = now();
  f64 = memory.f64;
  const ev = run.events / 8 + position * P.EVENT_WORDS;
  f64[ev] = lane;
  f64[ev + 1] = start;
  f64[ev + 2] = end;
  Atomics.store(words, P.LANE_CURRENT_RUN, 0);
  return status;
}

/** How a task on this worker reads the value at position p of `run`: from its cell, or a posted JS value. */
function valueReader(run: WorkerRun): (p: number) => unknown {
  return (p: number): unknown => {
    const view = memory.f64;
    const at = run.cells / 8 + p * P.CELL_WORDS;
    const inCell = readCell(view, at);
    if (inCell !== NOT_IN_CELL) return inCell;
    switch (view[at]) {
      case P.KIND_BUFFER: {
        const b = new SharedBuffer(memory, view[at + 1]!, view[at + 2]!);
        hooks.regions.push(b);
        return b;
      }
      case P.KIND_JS: {
        if (!run.values.has(p)) drain();
        if (!run.values.has(p)) throw new Error(`the value of position ${p} never arrived (protocol error)`);
        return run.values.get(p);
      }
      default:
        throw new InputMissing(); // an input chained before this task went back to the main thread
    }
  };
}

/**
 * Posts a completion. The main thread polls the outboxes while it spins; only when it sleeps
 * (it says so first, then looks at the outboxes once more) does the doorbell need ringing.
 */
function complete(runId: number, position: number, status: number): void {
  outbox.push3(runId, position, status);
  if (Atomics.load(ctl, P.CTL_MAIN_WAITING) !== 0) {
    Atomics.add(ctl, P.CTL_DOORBELL, 1);
    Atomics.notify(ctl, P.CTL_DOORBELL);
  }
}

// Adaptive spin: if work arrived soon after we went to sleep, spinning longer would have saved
// the wake-up (which costs far more than a hand-over); if we slept long, spinning was wasted.
// "Soon" is judged generously: the time asleep includes the wake-up itself, which on a VM (a
// halted vCPU woken by the host) can take milliseconds; judged strictly, a slow wake-up halved
// the spin, which made the next wake-up likelier, and the worker slept through most gaps
// between a solver's runs (bench/README.md, "Measured decisions").
const MIN_SPIN_MS = 0.005;
const MAX_SPIN_MS = 2;
const WOKEN_SOON_MS = 10;
let spinMs = 0.1;

/** Spins while the inbox is empty (only if fewer threads than cores spin); true if work arrived. */
function spin(): boolean {
  if (Atomics.add(ctl, P.CTL_SPINNERS, 1) < Atomics.load(ctl, P.CTL_SPIN_LIMIT)) {
    Atomics.store(words, P.LANE_STATE, P.LANE_SPINNING);
    const until = performance.now() + spinMs;
    while (inbox.size() === 0 && performance.now() < until && Atomics.load(ctl, P.CTL_CLOSING) === 0) {
      // spin
    }
  }
  Atomics.sub(ctl, P.CTL_SPINNERS, 1);
  Atomics.store(words, P.LANE_STATE, P.LANE_RUNNING);
  return inbox.size() > 0;
}

/**
 * Sleeps on the inbox's tail word (at most 50 ms); true if it slept that long with nothing
 * arriving. In Atomics.wait, or where messages arrive only through the event loop (a Web Worker),
 * in Atomics.waitAsync.
 */
async function sleep(): Promise<boolean> {
  Atomics.store(words, P.LANE_STATE, P.LANE_SLEEPING);
  const tail = inbox.tail();
  const sleptAt = performance.now();
  let outcome = "not-equal";
  if (inbox.size() === 0 && Atomics.load(ctl, P.CTL_CLOSING) === 0) {
    if (!WORKER_SLEEPS_ASYNC) outcome = Atomics.wait(words, P.LANE_INBOX_TAIL, tail, 50);
    else {
      const wait = Atomics.waitAsync(words, P.LANE_INBOX_TAIL, tail, 50);
      outcome = wait.async ? await wait.value : wait.value;
    }
  }
  const slept = performance.now() - sleptAt;
  Atomics.store(words, P.LANE_STATE, P.LANE_RUNNING);
  const wokenSoon = outcome !== "timed-out" && slept < WOKEN_SOON_MS;
  // woken soon: spin at least as long as this sleep next time (one step, not a doubling at a
  // time: doubling took several runs of a loop to learn its gap, each paying a wake-up)
  spinMs = wokenSoon ? Math.min(MAX_SPIN_MS, Math.max(spinMs * 2, 1.5 * slept)) : Math.max(MIN_SPIN_MS, spinMs / 2);
  drain();
  return outcome === "timed-out";
}

/** One turn of this thread's event loop: due timers, settled promises. */
const turn = turnEventLoop;

/** Most milliseconds a task waits for the side messages posted before it (a lost one is a protocol error). */
const SIDE_MESSAGE_WAIT_MS = 30_000;

/**
 * Reads the side messages posted before the task just taken: at once in Node; in a Web Worker,
 * turning the event loop until they have arrived.
 */
async function receivePosted(): Promise<void> {
  drain();
  const since = performance.now();
  while (Atomics.load(words, P.LANE_SIDE_POSTED) - sideReceived > 0) {
    if (performance.now() - since > SIDE_MESSAGE_WAIT_MS)
      throw new Error("side messages from the main thread never arrived (protocol error)");
    await turn();
    drain();
  }
}

async function loop(): Promise<void> {
  await applyOverrides(kernels, init.kernelOverrides); // before "ready": no task runs on the original kernels
  parentPort!.postMessage({ type: "ready" } satisfies P.FromWorker);
  const entry = new Int32Array(P.OUTBOX_ENTRY_WORDS);
  while (Atomics.load(ctl, P.CTL_CLOSING) === 0) {
    if (!inbox.pop(entry)) {
      if (spin()) continue;
      // The loop never yields between tasks. When idle after a program's op ran, and after every
      // 50 ms asleep, the event loop turns once: timers and promises that ops left behind run
      // then (what they throw is reported), not whenever a module next loads.
      if (leftBehind) {
        leftBehind = false;
        await turn();
        if (inbox.size() > 0) continue;
      }
      if (await sleep()) await turn();
      continue;
    }
    const runId = entry[0]!;
    const position = entry[1]!;
    if (Atomics.load(words, P.LANE_SIDE_POSTED) !== sideReceived) await receivePosted();
    if (runId === P.PING_RUN) {
      complete(P.PING_RUN, Math.round(now() * 1000) % 2 ** 31, P.STATUS_PING);
      continue;
    }
    let run = runs.get(runId);
    if (!run) {
      drain();
      run = runs.get(runId);
      if (!run) throw new Error(`task of unknown run ${runId} (protocol error)`);
    }
    if (run.plan.loading) await run.plan.loading;
    complete(runId, position, execute(run, position));
  }
}

void loop();
