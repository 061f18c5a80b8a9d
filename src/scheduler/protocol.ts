/**
 * What the main thread and the workers agree on: the layout of the shared control words, the
 * rings between them, the cells where task results meet, and the messages on the side channel.
 * Both sides import this file, so a number here never drifts from its reader.
 */
import type { MessagePort } from "../platform/threads.js";
import type { ResolvedOverride } from "../kernels/overrides.js";
import type { WasmMemory, WasmModule } from "../types/wasm.js";

// Words written by different threads sit on different cache lines (16 words = 64 bytes):
// a counter one thread bumps per task must not share a line with one another thread polls.
const LINE = 16;

/** Words of the runtime-wide control block (an Int32Array over a SharedArrayBuffer). */
export const CTL_CLOSING = 0; // 1 once the runtime closes: workers leave their loop
export const CTL_SPIN_LIMIT = 1; // most threads allowed to spin at once (the cores)
export const CTL_DOORBELL = 1 * LINE; // bumped by a worker after every completion it posts
export const CTL_MAIN_WAITING = 2 * LINE; // 1 while the main thread sleeps on the doorbell
export const CTL_SPINNERS = 3 * LINE; // threads spinning right now
export const CTL_RUN_STATUS = 4 * LINE; // one word per run slot: the run's id while it may run, 0 once cancelled
export const MAX_RUN_SLOTS = 1024;
export const CTL_WORDS = CTL_RUN_STATUS + MAX_RUN_SLOTS;

/** Words of a lane's block (one per worker): inbox ring, outbox ring, state. */
export const LANE_INBOX_HEAD = 0; // next entry the worker reads (written by the worker)
export const LANE_INBOX_TAIL = 1 * LINE; // next entry the main thread writes (the worker waits on this word)
export const LANE_OUTBOX_HEAD = 2 * LINE; // written by the main thread
export const LANE_OUTBOX_TAIL = 3 * LINE; // written by the worker
export const LANE_STATE = 4 * LINE; // LANE_RUNNING, LANE_SPINNING or LANE_SLEEPING
export const LANE_CURRENT_RUN = 5 * LINE; // the task the worker is running (for crash reports), 0 when none
export const LANE_CURRENT_POSITION = 5 * LINE + 1;
// side messages the main thread has posted to the worker: a task may need all those posted before
// it was queued (its plan, run, values), and a Web Worker sees them only when its event loop turns
export const LANE_SIDE_POSTED = 6 * LINE;
export const LANE_HEADER_WORDS = 7 * LINE;
/** Entries per ring (a power of two): the most tasks a lane may have queued or unreported. */
export const RING_CAPACITY = 4096;
export const INBOX_ENTRY_WORDS = 2; // run id, position
export const OUTBOX_ENTRY_WORDS = 3; // run id, position, status
export const LANE_WORDS = LANE_HEADER_WORDS + RING_CAPACITY * (INBOX_ENTRY_WORDS + OUTBOX_ENTRY_WORDS);
export const LANE_INBOX_BASE = LANE_HEADER_WORDS;
export const LANE_OUTBOX_BASE = LANE_HEADER_WORDS + RING_CAPACITY * INBOX_ENTRY_WORDS;

export const LANE_RUNNING = 0;
export const LANE_SPINNING = 1;
export const LANE_SLEEPING = 2;

/** How a task ended on a worker (outbox status). */
export const STATUS_DONE = 1; // the result is in its cell
export const STATUS_DONE_JS = 2; // the result is a JS value, posted on the worker's message port
export const STATUS_ERROR = 3; // the error is posted on the worker's message port
export const STATUS_RETRY_MAIN = 4; // the task needs the main thread (an allocation only it can make)
export const STATUS_SKIPPED = 5; // the run was cancelled before the task started
export const STATUS_INPUT_MISSING = 6; // an input queued before it on this worker did not finish here (it went to the main thread)
/**
 * The answer to a ping (an inbox entry of run 0): the entry's position holds when the worker
 * picked the ping up, in microseconds on the main thread's clock, modulo 2^31 (how the scheduler
 * measures what handing work to a sleeping or a spinning worker costs).
 */
export const STATUS_PING = 7;
/** Run id of a ping entry. */
export const PING_RUN = 0;

/**
 * Cells: per run, three float64 per position (tasks, then inputs): kind, a, b. Then three per
 * task for its timing event: lane, start, end (ms on the main thread's clock).
 */
export const CELL_WORDS = 3;
export const EVENT_WORDS = 3;
export const KIND_EMPTY = 0;
export const KIND_NUMBER = 1; // a = the number
export const KIND_BUFFER = 2; // a = ptr, b = bytes
export const KIND_UNDEFINED = 3;
export const KIND_NULL = 4;
export const KIND_BOOLEAN = 5; // a = 0 or 1
export const KIND_JS = 6; // any other value: held by the thread that made it, posted to readers
export const KIND_RESULT_SLOT = 7; // before the task runs: its preallocated result buffer (a = ptr, b = bytes)

/** Side-channel messages from the main thread to a worker (read with receiveMessageOnPort). */
export type ToWorker =
  | { type: "plan"; id: number; plan: import("./wire.js").WirePlan }
  | { type: "run"; id: number; slot: number; plan: number; cells: number; positions: number; tasks: number }
  | { type: "value"; run: number; position: number; value: unknown }
  | { type: "end"; run: number }
  | { type: "forget-plan"; id: number };

/** Messages from a worker to the main thread (its parentPort). */
export type FromWorker =
  | { type: "ready" }
  | { type: "value"; run: number; position: number; value: unknown }
  | { type: "error"; run: number; position: number; step: number; error: unknown }
  /** A program's op threw after its task returned (a timer, a rejected promise): run 0 if untraced. */
  | { type: "stray-error"; run: number; position: number; ops: string[]; error: unknown }
  | { type: "log"; message: string };

/** What a worker receives at start (workerData). */
export interface WorkerInit {
  lane: number;
  control: SharedArrayBuffer;
  laneBlock: SharedArrayBuffer;
  memory: WasmMemory;
  maximumBytes: number;
  backend: "wasm-simd" | "wasm-scalar" | "js";
  module: WasmModule | undefined;
  /** The worker's scratch block for fused intermediates. */
  scratch: { ptr: number; bytes: number };
  /** performance.timeOrigin of the main thread: events are written on its clock. */
  mainTimeOrigin: number;
  /** Kernels replaced on every thread (Runtime.start's kernelOverrides), applied before any task. */
  kernelOverrides: readonly ResolvedOverride[];
  side: MessagePort;
}
