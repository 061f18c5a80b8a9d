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
import type { CompiledPlan, KeyNames } from "../graph/compiled.js";
import { isKey, keyName, type Key } from "../graph/keys.js";
import { compilePlan, inputValues, namesOf, Plan, type Bindings, type CompileOptions } from "../graph/plan.js";
import { Graph, type TaskMap } from "../graph/graph.js";
import { TaskLayer, type Layer } from "../graph/layers.js";
import { fingerprint, graphStructure, identityOf } from "../graph/structure.js";
import { registerKernelOps } from "../graph/kernel-ops.js";
import { defaultOps } from "../graph/ops.js";
import { DEFAULT_FUSE_OPTIONS } from "../graph/fuse.js";
import { Kernels, type BackendName } from "../kernels/kernels.js";
import { applyOverrides, resolveOverrides, type KernelOverrides } from "../kernels/overrides.js";
import { DEFAULT_MAXIMUM_BYTES, type MemoryOptions, type MemoryStats, type SharedMemory } from "../memory/shared-memory.js";
import { availableParallelism, workerPath } from "../platform/node.js";
import type { TaskEvent } from "../profile/events.js";
import { Scheduler, type ScheduleOptions } from "../scheduler/scheduler.js";
import type { Placement } from "../scheduler/placement.js";
import { ProfileStore } from "./profile-store.js";
import { PlanCache, type PlanCacheLimits } from "./plan-cache.js";
import { checkNumber, checkOptions, checkTimeout } from "../validate.js";

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
  /** Most bytes the profile keeps, estimated: the oldest runs go first (default 8 MiB). */
  profileMaxBytes?: number;
  /**
   * Kernels replaced on every thread, by kernel name: a module (path or URL) whose export of that
   * name (or `exportName`) is a factory `(kernels) => implementation` (see kernels/overrides.ts).
   * `runtime.kernels.override()` alone swaps a kernel on the calling thread only.
   */
  kernelOverrides?: KernelOverrides;
  /** V8 heap limits of each worker (Node's ResourceLimits), e.g. { maxOldGenerationSizeMb: 256 }. */
  workerResourceLimits?: import("node:worker_threads").ResourceLimits;
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
}

// fusion's default limit on an intermediate is this scratch block: one constant for both
const DEFAULT_SCRATCH = DEFAULT_FUSE_OPTIONS.maxIntermediateBytes;

const RUNTIME_OPTIONS = [
  "threads", "executor", "memory", "backend", "resources", "scratchBytes", "profileCapacity", "profileMaxBytes", "kernelOverrides",
  "workerResourceLimits", "planCache", "inline", "timeoutMs", "callingThreadOps",
];
/** The worker's ResourceLimits (node:worker_threads), each a number of megabytes > 0. */
const RESOURCE_LIMITS = ["maxYoungGenerationSizeMb", "maxOldGenerationSizeMb", "codeRangeSizeMb", "stackSizeMb"];

function checkRuntimeOptions(given: RuntimeOptions | undefined): RuntimeOptions {
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
    throw new ArgumentError("scratchBytes", `a whole number of bytes, at least 1024 and at most half the memory's maximum (${maximum})`, options.scratchBytes, "Runtime.start");
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
    if (typeof cache !== "object" || cache === null) throw new ArgumentError("planCache", "false or { entries?, bytes? }", cache, "Runtime.start");
    for (const field of ["entries", "bytes"] as const) {
      const v = cache[field];
      if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw new ArgumentError(`planCache.${field}`, "a whole number >= 0", v, "Runtime.start");
    }
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
  return options;
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

  /**
   * Compiled plans by the structure of their graphs: a compute whose graph has the structure of
   * an earlier one (a user's loop building the same expression around new data) runs the
   * earlier plan on the new inputs. `planCache.stats()` says how often that happened.
   */
  readonly planCache: PlanCache;

  private constructor(
    /** The kernels on the runtime's shared memory. */
    readonly kernels: Kernels,
    private readonly scheduler: Scheduler,
    store: ProfileStore,
    executor: ExecutorName,
    /** Bytes of each thread's scratch block (fused tasks' intermediates). */
    readonly scratchBytes: number,
    cacheLimits: PlanCacheLimits | false | undefined,
  ) {
    this.store = store;
    this.executor = executor;
    this.threads = scheduler.workerCount + 1;
    this.planCache = new PlanCache(cacheLimits === false ? { entries: 0 } : cacheLimits ?? {});
  }

  /** Starts a runtime: the shared memory, the kernels, and (for 'threads') the workers. */
  static async start(given?: RuntimeOptions): Promise<Runtime> {
    const options = checkRuntimeOptions(given);
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
    const store = new ProfileStore(options.profileCapacity ?? 200_000, options.profileMaxBytes ?? 8 << 20);
    const scheduler = await Scheduler.start({
      kernels,
      workers,
      spinLimit: cores,
      resources: perThread,
      scratchBytes: options.scratchBytes ?? DEFAULT_SCRATCH,
      workerPath: workerPath(),
      resourceLimits: options.workerResourceLimits,
      kernelOverrides: overrides,
      onEvents: store.capacity > 0 ? (layout, names, events, ran, placement) => store.record(layout, names, events, ran, placement) : undefined,
      inline: options.inline,
      timeoutMs: options.timeoutMs,
      callingThreadOps: options.callingThreadOps,
    });
    return new Runtime(kernels, scheduler, store, executor, options.scratchBytes ?? DEFAULT_SCRATCH, options.planCache);
  }

  /** The shared memory every task's buffers live in. */
  get memory(): SharedMemory {
    return this.kernels.memory;
  }

  /**
   * Compiles a graph for this runtime (the plan can be run many times with run()): fusion keeps
   * intermediates within this runtime's scratch block unless `fuseOptions` say otherwise. The
   * plan comes from the plan cache when a graph of the same structure was compiled before.
   */
  compile(graph: Graph | TaskMap, outputs: readonly Key[], options: CompileOptions & { cache?: boolean } = {}): Plan {
    const { plan, names, inputs } = this.prepare(graph, () => outputs, undefined, options);
    return new Plan(plan, outputs, inputs, names);
  }

  /**
   * Compiles and runs a graph once; resolves to the outputs' values in the order of `outputs`.
   * A graph of the structure of an earlier one runs the earlier plan (`options.cache`).
   */
  async compute(graph: Graph | TaskMap, outputs: readonly Key[], options?: ComputeOptions): Promise<unknown[]> {
    if (this.closing) throw new WeftError("the runtime is closed");
    options = checkOptions(options, "compute");
    const { plan, names, inputs } = this.prepare(graph, () => outputs, undefined, options);
    return this.scheduler.run(plan, this.bindExplicit(plan, outputs, inputs, options.bindings), { ...options, names });
  }

  /**
   * @internal Computes every chunk of `layers` (in order): what computing arrays needs, with the
   * outputs described by layer, so that a plan cache hit costs O(layers) however many chunks.
   */
  async computeLayers(layers: readonly Layer[], options: ScheduleOptions & { cache?: boolean } = {}): Promise<unknown[]> {
    if (this.closing) throw new WeftError("the runtime is closed");
    const graph = new Graph(layers);
    const walk = graph.layers();
    const ordinals = new Map<Layer, number>(walk.map((l, i) => [l, i]));
    const token = layers.map((l) => `${ordinals.get(l)}*`).join(",");
    const { plan, names, inputs } = this.prepare(graph, () => layers.flatMap((l) => l.keys()), token, options, walk, ordinals);
    return this.scheduler.run(plan, inputs, { ...options, names });
  }

  /**
   * The compiled plan for `graph` (from the cache when allowed and present), the names of its
   * keys in this graph, and the values of its inputs that the graph holds.
   */
  private prepare(
    graph: Graph | TaskMap, outputs: () => readonly Key[], outputToken: string | undefined, options: CompileOptions & { cache?: boolean },
    walk = graph instanceof Graph ? graph.layers() : [], ordinals?: ReadonlyMap<Layer, number>,
  ): { plan: CompiledPlan; names: KeyNames; inputs: unknown[] } {
    const compileOptions = this.withScratch(options);
    const cacheable = graph instanceof Graph && options.cache !== false && (options.inputs?.length ?? 0) === 0;
    if (!cacheable) {
      const plan = compilePlan(graph, outputs(), compileOptions);
      return { plan, names: plan.names, inputs: graph instanceof Graph ? inputValues(plan, walk) : new Array(plan.inputCount) };
    }
    const order = ordinals ?? new Map<Layer, number>(walk.map((l, i) => [l, i]));
    const token = outputToken ?? outputsToken(walk, order, outputs());
    if (token === undefined) {
      const plan = compilePlan(graph, outputs(), compileOptions);
      return { plan, names: plan.names, inputs: inputValues(plan, walk) };
    }
    const structure = graphStructure(walk, order);
    if (structure === undefined) {
      // a literal the plan would copy and that may change (a typed array, an object): never cached
      const plan = compilePlan(graph, outputs(), compileOptions);
      return { plan, names: plan.names, inputs: inputValues(plan, walk) };
    }
    const ops = compileOptions.ops ?? defaultOps;
    const fuse = Object.entries(compileOptions.fuseOptions ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
    const key = `${identityOf(ops)}|${compileOptions.fusion ?? "aggressive"}|${compileOptions.blockwise !== false}|` +
      `${fingerprint(fuse)}|${token}|${structure}`;
    const cached = this.planCache.get(key);
    if (cached) return { plan: cached, names: namesOf(walk), inputs: inputValues(cached, walk) };
    const plan = compilePlan(graph, outputs(), compileOptions);
    this.planCache.add(key, plan, ops);
    return { plan, names: plan.names, inputs: inputValues(plan, walk) };
  }

  /** The inputs with compile()'s explicit inputs taken from `bindings`. */
  private bindExplicit(plan: CompiledPlan, outputs: readonly Key[], inputs: unknown[], bindings: Bindings | undefined): unknown[] {
    for (let j = 0; j < plan.inputCount; j++) {
      if (plan.inputOrdinal[j]! < 0) return new Plan(plan, outputs, inputs).bind(bindings ?? {});
    }
    return inputs;
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
  async run(plan: Plan, bindings: Bindings = {}, options?: RunPlanOptions): Promise<unknown[]> {
    if (this.closing) throw new WeftError("the runtime is closed");
    if (!(plan instanceof Plan)) throw new ArgumentError("plan", "a Plan (from compile())", plan, "run");
    options = checkOptions(options, "run");
    const inputs = plan.bind(bindings);
    return this.scheduler.run(plan.compiled, inputs, { ...options, names: plan.names });
  }

  /** Timing events of recent computations (one per task: lane, start, end on this thread's clock). */
  profile(): Profile {
    return { events: this.store.events(), lanes: this.threads, runs: this.store.placements() };
  }

  /**
   * Runs `work` and returns its value with the profile of just the runs it made on this
   * runtime (their tasks' events, where each run went), as `profile()` would show them; the
   * profile keeps them too. For a user's loop: `const { profile } = await rt.trace(() => loop())`.
   */
  async trace<T>(work: () => Promise<T> | T): Promise<{ value: T; profile: Profile }> {
    if (typeof work !== "function") throw new ArgumentError("work", "a function", work, "trace");
    if (this.store.capacity <= 0 || this.store.maxBytes <= 0) throw new WeftError("this runtime keeps no profile (profileCapacity: 0): start it with a capacity to trace");
    const mark = this.store.mark();
    const value = await work();
    return { value, profile: { events: this.store.events(mark), lanes: this.threads, runs: this.store.placements(mark) } };
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

  /** Stops the workers; computations in flight reject with CancelledError and free their buffers. The plan cache is emptied. */
  close(): Promise<void> {
    this.closing ??= this.scheduler.close();
    this.planCache.clear();
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
  options?: ComputeOptions & { runtime?: Runtime },
): Promise<unknown[]> {
  options = checkOptions(options, "compute");
  if (options.runtime !== undefined && !(options.runtime instanceof Runtime)) throw new ArgumentError("runtime", "a Runtime (from Runtime.start)", options.runtime, "compute");
  const runtime = options.runtime ?? (await getDefaultRuntime());
  return runtime.compute(graph, outputs, options);
}

/**
 * The outputs as positions in the walk, `ordinal:chunk` (or `ordinal#index` for a listed task),
 * or undefined when one is not a chunk of any layer (such a compute is not cached).
 */
function outputsToken(walk: readonly Layer[], ordinals: ReadonlyMap<Layer, number>, outputs: readonly Key[]): string | undefined {
  const byName = new Map<string, Layer>();
  for (const l of walk) byName.set(l.name, l);
  const parts: string[] = [];
  for (const k of outputs) {
    let l = byName.get(isKey(k) ? keyName(k) : "");
    let index = l?.indexOfKey(k);
    if (index === undefined) {
      l = walk.find((x) => x instanceof TaskLayer && x.hasKey(k));
      index = l?.indexOfKey(k);
      if (index === undefined) return undefined;
      parts.push(`${ordinals.get(l!)}#${index}`);
    } else {
      parts.push(`${ordinals.get(l!)}:${index}`);
    }
  }
  return parts.join(",");
}
