/** How a scheduler is set up, and the options of one run (checked before the run is admitted). */
import { ArgumentError } from "../errors.js";
import { checkBoolean, checkSignal, checkTimeout } from "../validate.js";
import type { CompiledPlan, KeyNames } from "../graph/compiled.js";
import type { Kernels } from "../kernels/index.js";
import type { ResolvedOverride } from "../kernels/overrides.js";
import type { Placement } from "./placement.js";
import type { OutputMode } from "./run-state.js";
import type { ResourceLimits } from "../platform/threads.js";

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
  resourceLimits?: ResourceLimits;
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

/**
 * Checks a run's options; returns its timeoutMs (the run's, else the scheduler's default), or
 * throws ArgumentError naming the option.
 */
export function checkScheduleOptions(options: ScheduleOptions, defaultTimeoutMs: number | undefined): number | undefined {
  if (options.onProgress !== undefined && typeof options.onProgress !== "function") {
    throw new ArgumentError("onProgress", "a function (done, total) => void", options.onProgress, "run");
  }
  if (options.inline !== undefined && options.inline !== true && options.inline !== false && options.inline !== "auto") {
    throw new ArgumentError("inline", "true, false or 'auto'", options.inline, "run");
  }
  if (options.callingThreadOps !== undefined && options.callingThreadOps !== "weft" && options.callingThreadOps !== "all") {
    throw new ArgumentError("callingThreadOps", "'weft' or 'all'", options.callingThreadOps, "run");
  }
  checkSignal(options.signal, "signal", "run");
  checkBoolean(options.batch, "batch", "run");
  if (options.outputs !== undefined && options.outputs !== "copy" && options.outputs !== "keep")
    throw new ArgumentError("outputs", "'copy' or 'keep'", options.outputs, "run");
  return checkTimeout(options.timeoutMs ?? defaultTimeoutMs, "timeoutMs", "run");
}
