/**
 * The Runtime: the face of weft's execution layer. It owns one shared memory, the kernels
 * instantiated on it, the scheduler with its worker threads, and the profile of what ran.
 *
 *   await using rt = await Runtime.start({ threads: 4 });
 *   const [total] = await rt.compute(graph, [sumKey]);
 *
 * Without a runtime, compute() starts a default one on first use; its workers never keep the
 * process alive on their own, so a script ends when its work ends.
 */
import { ArgumentError, WeftError } from "../errors.js";
import type { Key } from "../graph/keys.js";
import { compile, type Bindings, type CompileOptions, type Plan } from "../graph/plan.js";
import type { Graph, TaskMap } from "../graph/graph.js";
import { registerKernelOps } from "../graph/kernel-ops.js";
import { defaultOps } from "../graph/ops.js";
import { DEFAULT_FUSE_OPTIONS } from "../graph/fuse.js";
import { Kernels, type BackendName } from "../kernels/kernels.js";
import { applyOverrides, resolveOverrides, type KernelOverrides } from "../kernels/overrides.js";
import type { MemoryOptions, MemoryStats, SharedMemory } from "../memory/shared-memory.js";
import { availableParallelism, workerPath } from "../platform/node.js";
import type { TaskEvent } from "../profile/events.js";
import { Scheduler, type ScheduleOptions } from "../scheduler/scheduler.js";
import { ProfileStore } from "./profile-store.js";

// weft's kernel ops are available to every graph (workers register the same set).
registerKernelOps(defaultOps);

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
  /**
   * Kernels replaced on every thread, by kernel name: a module (path or URL) whose export of that
   * name (or `exportName`) is a factory `(kernels) => implementation` (see kernels/overrides.ts).
   * `runtime.kernels.override()` alone swaps a kernel on the calling thread only.
   */
  kernelOverrides?: KernelOverrides;
  /** V8 heap limits of each worker (Node's ResourceLimits), e.g. { maxOldGenerationSizeMb: 256 }. */
  workerResourceLimits?: import("node:worker_threads").ResourceLimits;
}

/**
 * Options of `runtime.compute()`: compile options, scheduling options, and bindings for plan
 * inputs.
 */
export interface ComputeOptions extends CompileOptions, ScheduleOptions {
  /** Values of the plan's inputs. */
  bindings?: Bindings;
}

/** Options of `runtime.run()`: scheduling options. */
export interface RunPlanOptions extends ScheduleOptions {}

/** A profile: the timing events of recent computations, and the lanes they ran on. */
export interface Profile {
  events: TaskEvent[];
  /** Threads: 0 is the calling thread, 1.. the workers. */
  lanes: number;
}

// fusion's default limit on an intermediate is this scratch block: one constant for both
const DEFAULT_SCRATCH = DEFAULT_FUSE_OPTIONS.maxIntermediateBytes;

function checkOptions(options: RuntimeOptions): void {
  if (typeof options !== "object" || options === null) throw new ArgumentError("options", "an object", options, "Runtime.start");
  const { threads, executor, scratchBytes, profileCapacity, resources } = options;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > 256)) {
    throw new ArgumentError("threads", "a whole number in [1, 256]", threads, "Runtime.start");
  }
  if (executor !== undefined && executor !== "sync" && executor !== "threads") {
    throw new ArgumentError("executor", "'sync' or 'threads'", executor, "Runtime.start");
  }
  if (scratchBytes !== undefined && (!Number.isInteger(scratchBytes) || scratchBytes < 1024)) {
    throw new ArgumentError("scratchBytes", "a whole number of bytes, at least 1024", scratchBytes, "Runtime.start");
  }
  if (profileCapacity !== undefined && (!Number.isInteger(profileCapacity) || profileCapacity < 0)) {
    throw new ArgumentError("profileCapacity", "a whole number >= 0", profileCapacity, "Runtime.start");
  }
  if (resources !== undefined) {
    const list = Array.isArray(resources) ? resources : [resources];
    for (const r of list) {
      if (typeof r !== "object" || r === null) throw new ArgumentError("resources", "a record of name -> amount (or one per thread)", r, "Runtime.start");
      for (const [name, amount] of Object.entries(r)) {
        if (typeof amount !== "number" || !(amount >= 0)) {
          throw new ArgumentError(`resources.${name}`, "a number >= 0", amount, "Runtime.start");
        }
      }
    }
  }
}

/**
 * A pool of worker threads and the calling thread sharing one WebAssembly memory, with the kernels
 * on it: `Runtime.start(options)`, then `compute(graph, outputs)` or `run(plan, bindings)`;
 * `close()` (or `await using`) ends it.
 */
export class Runtime {
  /** Threads running tasks, the calling thread included. */
  readonly threads: number;
  readonly executor: ExecutorName;
  private readonly store: ProfileStore;
  private closing: Promise<void> | undefined;

  private constructor(
    /** The kernels on the runtime's shared memory. */
    readonly kernels: Kernels,
    private readonly scheduler: Scheduler,
    store: ProfileStore,
    executor: ExecutorName,
    /** Bytes of each thread's scratch block (fused tasks' intermediates). */
    readonly scratchBytes: number,
  ) {
    this.store = store;
    this.executor = executor;
    this.threads = scheduler.workerCount + 1;
  }

  /** Starts a runtime: the shared memory, the kernels, and (for 'threads') the workers. */
  static async start(options: RuntimeOptions = {}): Promise<Runtime> {
    checkOptions(options);
    const cores = availableParallelism();
    const threads = options.threads ?? cores;
    const executor: ExecutorName = options.executor ?? (threads > 1 ? "threads" : "sync");
    const workers = executor === "sync" ? 0 : Math.max(0, threads - 1);
    const perThread = Array.isArray(options.resources)
      ? (options.resources as Readonly<Record<string, number>>[])
      : Array.from({ length: workers + 1 }, () => (options.resources as Readonly<Record<string, number>> | undefined) ?? {});
    if (Array.isArray(options.resources) && options.resources.length !== workers + 1) {
      throw new ArgumentError("resources", `one record per thread (${workers + 1}: the calling thread, then each worker)`, options.resources, "Runtime.start");
    }
    const overrides = resolveOverrides(options.kernelOverrides);
    const kernels = await Kernels.create({ backend: options.backend ?? "auto", memory: options.memory ?? {} });
    await applyOverrides(kernels, overrides);
    const store = new ProfileStore(options.profileCapacity ?? 200_000);
    const scheduler = await Scheduler.start({
      kernels,
      workers,
      spinLimit: cores,
      resources: perThread,
      scratchBytes: options.scratchBytes ?? DEFAULT_SCRATCH,
      workerPath: workerPath(),
      resourceLimits: options.workerResourceLimits,
      kernelOverrides: overrides,
      onEvents: store.capacity > 0 ? (layout, events, ran) => store.record(layout, events, ran) : undefined,
    });
    return new Runtime(kernels, scheduler, store, executor, options.scratchBytes ?? DEFAULT_SCRATCH);
  }

  /** The shared memory every task's buffers live in. */
  get memory(): SharedMemory {
    return this.kernels.memory;
  }

  /**
   * Compiles a graph for this runtime (the plan can be run many times with run()): fusion keeps
   * intermediates within this runtime's scratch block unless `fuseOptions` say otherwise.
   */
  compile(graph: Graph | TaskMap, outputs: readonly Key[], options: CompileOptions = {}): Plan {
    return compile(graph, outputs, this.withScratch(options));
  }

  /** Compiles and runs a graph once; resolves to the outputs' values in the order of `outputs`. */
  async compute(graph: Graph | TaskMap, outputs: readonly Key[], options: ComputeOptions = {}): Promise<unknown[]> {
    const plan = compile(graph, outputs, this.withScratch(options));
    return this.run(plan, options.bindings ?? {}, options);
  }

  /** Compile options with fusion's intermediate limit set to the scratch block, unless given. */
  private withScratch<O extends CompileOptions>(options: O): O {
    if (options.fuseOptions?.maxIntermediateBytes !== undefined) return options;
    return { ...options, fuseOptions: { ...options.fuseOptions, maxIntermediateBytes: this.scratchBytes } };
  }

  /**
   * Runs a compiled plan with `bindings` for its inputs. Buffer outputs come back as
   * Float64Array copies (outputs: 'copy', the default) or as Allocations the caller owns and
   * must free (outputs: 'keep'; each is the caller's even when the task passed an input
   * through, and lives until freed or until the runtime closes). Every other buffer the run
   * made is freed after its last reader, or when the run fails.
   */
  async run(plan: Plan, bindings: Bindings = {}, options: RunPlanOptions = {}): Promise<unknown[]> {
    if (this.closing) throw new WeftError("the runtime is closed");
    const inputs = plan.bind(bindings);
    return this.scheduler.run(plan, inputs, options);
  }

  /** Timing events of recent computations (one per task: lane, start, end on this thread's clock). */
  profile(): Profile {
    return { events: this.store.events(), lanes: this.threads };
  }

  /** Forgets the recorded events. */
  clearProfile(): void {
    this.store.clear();
  }

  /** Memory use, computations in flight, worker crashes so far. */
  stats(): { memory: MemoryStats; activeComputations: number; workers: number; workerCrashes: number } {
    return {
      memory: this.kernels.memory.stats(),
      activeComputations: this.scheduler.activeRuns,
      workers: this.scheduler.workerCount,
      workerCrashes: this.scheduler.crashes,
    };
  }

  /** Stops the workers; computations in flight reject with CancelledError and free their buffers. */
  close(): Promise<void> {
    this.closing ??= this.scheduler.close();
    if (defaultRuntime && this === settledDefault) {
      defaultRuntime = undefined;
      settledDefault = undefined;
    }
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

let defaultRuntime: Promise<Runtime> | undefined;
let settledDefault: Runtime | undefined;

/**
 * The runtime compute() uses when given none: started on first use with the default options
 * (all cores). Its workers are unreferenced while idle, so it never keeps a script alive.
 */
export function getDefaultRuntime(): Promise<Runtime> {
  if (!defaultRuntime) {
    defaultRuntime = Runtime.start().then((rt) => (settledDefault = rt));
    defaultRuntime.catch(() => {
      defaultRuntime = undefined;
    });
  }
  return defaultRuntime;
}

/**
 * Compiles and runs a graph once, on `options.runtime` or the default runtime, and resolves
 * to the outputs' values.
 *
 * @example const [z] = await compute(graph, [zKey]);
 */
export async function compute(
  graph: Graph | TaskMap,
  outputs: readonly Key[],
  options: ComputeOptions & { runtime?: Runtime } = {},
): Promise<unknown[]> {
  const runtime = options.runtime ?? (await getDefaultRuntime());
  return runtime.compute(graph, outputs, options);
}
