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
import { checkCompileOptions, compilePlan, inputValues, namesOf, type CompileOptions } from "../graph/compile.js";
import { Plan, type Bindings } from "../execute/plan.js";
import { Graph, type TaskMap } from "../graph/graph.js";
import { TaskLayer, type Layer } from "../graph/layers.js";
import { fingerprint, graphStructure, identityOf } from "../graph/structure.js";
import { registerKernelOps } from "../graph/kernel-ops.js";
import { defaultOps } from "../graph/ops.js";
import { Kernels } from "../kernels/kernels.js";
import { applyOverrides, resolveOverrides } from "../kernels/overrides.js";
import type { MemoryStats, SharedMemory } from "../memory/shared-memory.js";
import { workerPath } from "../platform/code.js";
import { availableParallelism, threadsUnavailable } from "../platform/threads.js";
import { emitWarning } from "../platform/warnings.js";
import { Scheduler, type ScheduleOptions } from "../scheduler/scheduler.js";
import { ProfileStore } from "./profile-store.js";
import { PlanCache, type PlanCacheLimits } from "./plan-cache.js";
import {
  checkRuntimeOptions,
  DEFAULT_SCRATCH,
  type ComputeOptions,
  type ExecutorName,
  type Profile,
  type RunPlanOptions,
  type RuntimeOptions,
} from "./options.js";

export type { ComputeOptions, ExecutorName, Profile, RunPlanOptions, RuntimeOptions } from "./options.js";
import { checkOptions } from "../validate.js";

// weft's kernel ops are available to every graph (workers register the same set).
registerKernelOps(defaultOps);

let saidOneThread = false;

/**
 * True where worker threads cannot share the memory (a page that is not cross-origin isolated):
 * weft then runs every runtime on the calling thread alone, and says why once.
 */
function onlyOneThread(): boolean {
  const reason = threadsUnavailable();
  if (reason !== undefined && !saidOneThread) {
    saidOneThread = true;
    emitWarning(`weft runs on one thread: ${reason}`, { type: "WeftWarning", code: "WEFT_ONE_THREAD" });
  }
  return reason !== undefined;
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
    this.planCache = new PlanCache(cacheLimits === false ? { entries: 0 } : (cacheLimits ?? {}));
  }

  /** Starts a runtime: the shared memory, the kernels, and (for 'threads') the workers. */
  static async start(given?: RuntimeOptions): Promise<Runtime> {
    const options = checkRuntimeOptions(given);
    const cores = availableParallelism();
    const threads = Math.min(options.threads ?? cores, onlyOneThread() ? 1 : Number.POSITIVE_INFINITY);
    const executor: ExecutorName = options.executor ?? (threads > 1 ? "threads" : "sync");
    const workers = executor === "sync" ? 0 : Math.max(0, threads - 1);
    const perThread = Array.isArray(options.resources)
      ? (options.resources as Readonly<Record<string, number>>[])
      : Array.from({ length: workers + 1 }, () => (options.resources as Readonly<Record<string, number>> | undefined) ?? {});
    if (Array.isArray(options.resources) && options.resources.length !== workers + 1) {
      throw new ArgumentError(
        "resources",
        `one record per thread (${workers + 1}: the calling thread, then each worker)`,
        options.resources,
        "Runtime.start",
      );
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
      onEvents:
        store.capacity > 0 ? (layout, names, events, ran, placement) => store.record(layout, names, events, ran, placement) : undefined,
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
    graph: Graph | TaskMap,
    outputs: () => readonly Key[],
    outputToken: string | undefined,
    options: CompileOptions & { cache?: boolean },
    walk = graph instanceof Graph ? graph.layers() : [],
    ordinals?: ReadonlyMap<Layer, number>,
  ): { plan: CompiledPlan; names: KeyNames; inputs: unknown[] } {
    // checked before the scratch default is merged in, and before the cache key (which does not
    // see an option's type) could pick a plan compiled under valid options
    checkCompileOptions(options, "compute");
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
    const key =
      `${identityOf(ops)}|${compileOptions.fusion ?? "aggressive"}|${compileOptions.blockwise !== false}|` +
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
    return this.store.profile(this.threads);
  }

  /**
   * Runs `work` and returns its value with the profile of just the runs it made on this
   * runtime (their tasks' events, where each run went), as `profile()` would show them; the
   * profile keeps them too. For a user's loop: `const { profile } = await rt.trace(() => loop())`.
   */
  async trace<T>(work: () => Promise<T> | T): Promise<{ value: T; profile: Profile }> {
    if (typeof work !== "function") throw new ArgumentError("work", "a function", work, "trace");
    if (this.store.capacity <= 0 || this.store.maxBytes <= 0)
      throw new WeftError("this runtime keeps no profile (profileCapacity: 0): start it with a capacity to trace");
    const mark = this.store.mark();
    const value = await work();
    return { value, profile: this.store.profile(this.threads, mark) };
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
  if (options.runtime !== undefined && !(options.runtime instanceof Runtime))
    throw new ArgumentError("runtime", "a Runtime (from Runtime.start)", options.runtime, "compute");
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
