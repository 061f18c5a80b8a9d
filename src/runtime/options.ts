/** The options of Runtime.start(), compute() and run(), and their checks (before anything starts). */
import { ArgumentError } from "../errors.js";
import type { CompileOptions } from "../graph/compile.js";
import type { Bindings } from "../execute/plan.js";
import { DEFAULT_FUSE_OPTIONS } from "../graph/fuse.js";
import type { BackendName } from "../kernels/kernels.js";
import type { KernelOverrides } from "../kernels/overrides.js";
import { DEFAULT_MAXIMUM_BYTES, type MemoryOptions } from "../memory/shared-memory.js";
import type { TaskEvent } from "../profile/events.js";
import type { TraceEventFile, TraceEventOptions } from "../profile/trace-events.js";
import type { ScheduleOptions } from "../scheduler/options.js";
import type { Placement } from "../scheduler/placement.js";
import type { PlanCacheLimits } from "./plan-cache.js";
import type { ResourceLimits } from "../platform/threads.js";
import { checkNumber, checkOptions, checkTimeout } from "../validate.js";

/** `sync` runs every task in the calling thread; `threads` also on workers. */
export type ExecutorName = "sync" | "threads";

/**
 * Options of `Runtime.start()`: threads, executor, memory size, kernel backend and overrides,
 * resources, scratch, profile capacity.
 */
export interface RuntimeOptions {
  /**
   * Threads that run tasks, the calling thread included (default: the machine's available
   * parallelism). threads = 1 is the synchronous executor.
   */
  threads?: number;
  /** 'sync' runs everything in the calling thread (for debugging); 'threads' (default when threads > 1) uses workers. */
  executor?: ExecutorName;
  /** Initial and maximum size of the shared memory. */
  memory?: MemoryOptions;
  /** Kernel backend: 'auto' (default), 'wasm-simd', 'wasm-scalar' or 'js'. */
  backend?: BackendName | "auto";
  /**
   * What each thread has, for tasks that declare resources: one record for every thread, or
   * one per thread (index 0 is the calling thread, then each worker).
   */
  resources?: Readonly<Record<string, number>> | readonly Readonly<Record<string, number>>[];
  /** Scratch bytes per worker for the intermediates of fused tasks (default 4 MiB). */
  scratchBytes?: number;
  /** Most timing events the profile keeps (default 200,000; 0 keeps none). */
  profileCapacity?: number;
  /** Most bytes the profile keeps, estimated: the oldest runs go first (default 8 MiB). */
  profileMaxBytes?: number;
  /**
   * Kernels replaced on every thread, by kernel name: a module (path or URL) whose export of that
   * name (or `exportName`) is a factory `(kernels) => implementation` (see kernels/overrides.ts).
   * `runtime.kernels.override()` alone swaps a kernel on the calling thread only.
   */
  kernelOverrides?: KernelOverrides;
  /** V8 heap limits of each worker (Node's ResourceLimits), e.g. { maxOldGenerationSizeMb: 256 }. */
  workerResourceLimits?: ResourceLimits;
  /**
   * Limits of the plan cache (compiled plans by graph structure: see `runtime.planCache`);
   * default 256 plans and 64 MiB; false keeps no plans.
   */
  planCache?: PlanCacheLimits | false;
  /**
   * Where runs go by default: decided per run ('auto': on the calling thread alone when the
   * plan's measured work is smaller than what waking a worker costs, measured at start), always
   * on the calling thread (true), or on the workers too (false). Each run can say otherwise.
   */
  inline?: boolean | "auto";
  /**
   * Every computation's default timeoutMs (ScheduleOptions.timeoutMs): past it the computation
   * rejects with TimeoutError and a worker still in one of its tasks is replaced. None by default.
   */
  timeoutMs?: number;
  /** Every computation's default callingThreadOps ("weft", the default, or "all"; ScheduleOptions). */
  callingThreadOps?: "weft" | "all";
}

/**
 * Options of `runtime.compute()`: compile options, scheduling options, and bindings for plan
 * inputs.
 */
export interface ComputeOptions extends CompileOptions, ScheduleOptions {
  /** Values of the plan's inputs. */
  bindings?: Bindings;
  /**
   * Look the plan up in the runtime's plan cache by the graph's structure, and cache it when
   * compiled (default true; graphs given as a TaskMap, or with explicit `inputs`, are always
   * compiled afresh).
   */
  cache?: boolean;
}

/** Options of `runtime.run()`: scheduling options. */
export interface RunPlanOptions extends ScheduleOptions {}

/** A profile: the timing events of recent computations, the lanes they ran on, and where each run went. */
export interface Profile {
  events: TaskEvent[];
  /** Threads: 0 is the calling thread, 1.. the workers. */
  lanes: number;
  /**
   * Each recorded run (oldest first): whether it ran on the calling thread alone (`inline`), the
   * work it was judged by (task time of the plan's previous run, ms; undefined for a first run),
   * what waking a worker and handing to a spinning one cost (measured at start), and its tasks.
   */
  runs: (Placement & { tasks: number })[];
  /**
   * The events as Chrome Trace Event JSON (`toTraceEvents`, with a track for each of the
   * runtime's threads unless `options.threads` says otherwise):
   * `writeFileSync("trace.json", JSON.stringify(profile.toTraceEvents()))`, then open the file in
   * https://ui.perfetto.dev or chrome://tracing.
   */
  toTraceEvents(options?: TraceEventOptions): TraceEventFile;
}

// fusion's default limit on an intermediate is this scratch block: one constant for both
export const DEFAULT_SCRATCH = DEFAULT_FUSE_OPTIONS.maxIntermediateBytes;

const RUNTIME_OPTIONS = [
  "threads",
  "executor",
  "memory",
  "backend",
  "resources",
  "scratchBytes",
  "profileCapacity",
  "profileMaxBytes",
  "kernelOverrides",
  "workerResourceLimits",
  "planCache",
  "inline",
  "timeoutMs",
  "callingThreadOps",
];
/** The worker's ResourceLimits, each a number of megabytes > 0. */
const RESOURCE_LIMITS = [
  "maxYoungGenerationSizeMb",
  "maxOldGenerationSizeMb",
  "codeRangeSizeMb",
  "stackSizeMb",
] satisfies (keyof ResourceLimits)[];

export function checkRuntimeOptions(given: RuntimeOptions | undefined): RuntimeOptions {
  const options = checkOptions(given, "Runtime.start", RUNTIME_OPTIONS);
  if (options.memory !== undefined) checkOptions(options.memory, "Runtime.start", ["initial", "maximum"], "memory");
  if (options.workerResourceLimits !== undefined) {
    const limits = checkOptions(options.workerResourceLimits, "Runtime.start", RESOURCE_LIMITS, "workerResourceLimits");
    for (const [name, v] of Object.entries(limits)) checkNumber(v, `workerResourceLimits.${name}`, "Runtime.start", Number.MIN_VALUE);
  }
  checkTimeout(options.timeoutMs, "timeoutMs", "Runtime.start");
  // the scratch blocks (one per thread) must fit the memory's maximum: refused by name, not as out of memory
  const maximum = options.memory?.maximum ?? DEFAULT_MAXIMUM_BYTES;
  if (typeof options.scratchBytes === "number" && options.scratchBytes > maximum / 2) {
    throw new ArgumentError(
      "scratchBytes",
      `a whole number of bytes, at least 1024 and at most half the memory's maximum (${maximum})`,
      options.scratchBytes,
      "Runtime.start",
    );
  }
  const { threads, executor, scratchBytes, profileCapacity, profileMaxBytes, resources } = options;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > 256)) {
    throw new ArgumentError("threads", "a whole number in [1, 256]", threads, "Runtime.start");
  }
  if (executor !== undefined && executor !== "sync" && executor !== "threads") {
    throw new ArgumentError("executor", "'sync' or 'threads'", executor, "Runtime.start");
  }
  if (scratchBytes !== undefined && (!Number.isInteger(scratchBytes) || scratchBytes < 1024)) {
    throw new ArgumentError("scratchBytes", "a whole number of bytes, at least 1024", scratchBytes, "Runtime.start");
  }
  if (profileMaxBytes !== undefined && (!Number.isInteger(profileMaxBytes) || profileMaxBytes < 0)) {
    throw new ArgumentError("profileMaxBytes", "a whole number >= 0", profileMaxBytes, "Runtime.start");
  }
  if (profileCapacity !== undefined && (!Number.isInteger(profileCapacity) || profileCapacity < 0)) {
    throw new ArgumentError("profileCapacity", "a whole number >= 0", profileCapacity, "Runtime.start");
  }
  if (options.callingThreadOps !== undefined && options.callingThreadOps !== "weft" && options.callingThreadOps !== "all") {
    throw new ArgumentError("callingThreadOps", "'weft' or 'all'", options.callingThreadOps, "Runtime.start");
  }
  if (options.inline !== undefined && options.inline !== true && options.inline !== false && options.inline !== "auto") {
    throw new ArgumentError("inline", "true, false or 'auto'", options.inline, "Runtime.start");
  }
  const cache = options.planCache;
  if (cache !== undefined && cache !== false) {
    if (typeof cache !== "object" || cache === null)
      throw new ArgumentError("planCache", "false or { entries?, bytes? }", cache, "Runtime.start");
    for (const field of ["entries", "bytes"] as const) {
      const v = cache[field];
      if (v !== undefined && (!Number.isInteger(v) || v < 0))
        throw new ArgumentError(`planCache.${field}`, "a whole number >= 0", v, "Runtime.start");
    }
  }
  if (resources !== undefined) {
    const list = Array.isArray(resources) ? resources : [resources];
    for (const r of list) {
      if (typeof r !== "object" || r === null)
        throw new ArgumentError("resources", "a record of name -> amount (or one per thread)", r, "Runtime.start");
      for (const [name, amount] of Object.entries(r)) {
        if (typeof amount !== "number" || !(amount >= 0)) {
          throw new ArgumentError(`resources.${name}`, "a number >= 0", amount, "Runtime.start");
        }
      }
    }
  }
  return options;
}
