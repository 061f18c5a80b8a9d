/**
 * Plans: a graph optimized once and run many times. compile() fuses and lays out the graph
 * (compile-layers.ts for graphs of lazy layers, in O(layers) plus typed arrays; compile-tasks.ts
 * through the task-level passes otherwise) into a CompiledPlan; the Plan it returns adds the
 * values of the graph's input layers and the names of its keys. run() only executes: an
 * iterative solver compiles its loss/gradient graph once and re-runs the plan with new
 * coefficients every iteration.
 *
 * run() here is the synchronous executor (everything in the calling thread, in plan order);
 * the threaded executor runs the same plan on workers.
 */
import { ArgumentError, WeftError } from "../errors.js";
import { Allocation, type BufferViews } from "../memory/shared-memory.js";
import { ScratchArena, ScratchBuffer } from "../memory/scratch.js";
import type { TaskEvent } from "./task-event.js";
import type { Kernels } from "../kernels/index.js";
import { checkBoolean, checkChoice, checkOptions } from "../validate.js";
import { fuseBlockwise } from "./blockwise.js";
import { checkKey, checkTaskMap } from "./checks.js";
import { allLazy, draftFromLayers } from "./compile-layers.js";
import { draftFromTasks } from "./compile-tasks.js";
import { InputHole, keyOf, StepHole, stepKeyOf, type CompiledPlan, type ExecProgramArg, type KeyNames, type PlanStats } from "./compiled.js";
import { finishPlan } from "./draft.js";
import { runTask, StepFailure, type RunnerHooks } from "./execute.js";
import { DEFAULT_FUSE_OPTIONS, type FuseOptions } from "./fuse.js";
import { Graph, layerTasks, type TaskMap } from "./graph.js";
import { formatKey, type Key } from "./keys.js";
import { InputLayer, TaskLayer, type Layer } from "./layers.js";
import { defaultOps, OpRegistry } from "./ops.js";
import { FUSED, ref, type FusedTask, type Task } from "./task.js";

export type { PlanStats } from "./compiled.js";

/** Options of `compile()`: plan inputs, the fusion passes, the op registry. */
export interface CompileOptions {
  /** Keys whose values run() receives as bindings (their tasks, if any, are not run). */
  inputs?: readonly Key[];
  /** 'aggressive' (default: fuse), 'linear' (fuseLinear only) or 'none'. */
  fusion?: "aggressive" | "linear" | "none";
  /** Knobs for the aggressive pass. */
  fuseOptions?: FuseOptions;
  /** Registry that resolves op names (default: the global one). */
  ops?: OpRegistry;
  /**
   * Fuse chains and diamonds of blockwise layers before making tasks (default true; only for
   * a Graph, and only with fusion other than 'none').
   */
  blockwise?: boolean;
}

const FUSIONS = ["aggressive", "linear", "none"] as const;
const FUSE_OPTIONS = ["aveWidth", "maxWidth", "maxHeight", "maxDepthNewEdges", "maxIntermediateBytes"] as const;
/** compile()'s options: compile() refuses any other key (a runtime's compile and compute take more). */
export const COMPILE_OPTIONS = ["inputs", "fusion", "fuseOptions", "ops", "blockwise"] as const;

/**
 * The values of compile()'s options (O(1) but for `inputs`, O(inputs)): fusion one of its modes,
 * ops a registry, blockwise a boolean, inputs a list of keys, fuseOptions an object of known knobs,
 * each a number >= 0 (Infinity is "no limit"). Unknown keys are the caller's to refuse: a runtime's
 * compute passes its run options in the same object.
 */
export function checkCompileOptions(options: CompileOptions, where: string): void {
  checkChoice(options.fusion, "fusion", where, FUSIONS);
  if (options.ops !== undefined && !(options.ops instanceof OpRegistry)) throw new ArgumentError("ops", "an OpRegistry (the default: defaultOps)", options.ops, where);
  checkBoolean(options.blockwise, "blockwise", where);
  if (options.inputs !== undefined) {
    if (!Array.isArray(options.inputs)) throw new ArgumentError("inputs", "a list of keys", options.inputs, where);
    for (const k of options.inputs) checkKey(k, "inputs", where);
  }
  const fuse = checkOptions(options.fuseOptions as Record<string, unknown> | undefined, where, FUSE_OPTIONS, "fuseOptions");
  for (const [name, v] of Object.entries(fuse)) {
    if (v !== undefined && (typeof v !== "number" || !(v >= 0))) throw new ArgumentError(`fuseOptions.${name}`, "a number >= 0", v, where);
  }
}

/** A task failed: names the task (and the fused step inside it) and keeps the original error as cause. */
export class TaskError extends WeftError {
  constructor(readonly key: Key, readonly step: Key, cause: unknown) {
    const where = step === key ? formatKey(key) : `${formatKey(key)} (step ${formatKey(step)})`;
    super(`task ${where} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * Options of `plan.run()`: kernels for context-aware ops, and a list that receives timing events.
 */
export interface RunOptions {
  /** Kernels passed to context-aware ops. */
  kernels?: Kernels;
  /** When given, one timing event per task is appended to it (for profiles). */
  events?: TaskEvent[];
}

/** Bindings for a plan's inputs: by key, or by formatted key ("w", "x[3]"). */
export type Bindings = ReadonlyMap<Key, unknown> | Readonly<Record<string, unknown>>;

/** What executors run: the compiled plan (see compiled.ts). */
export type PlanLayout = CompiledPlan;

/** The layers of a graph's walk as KeyNames: names, and the keys of explicit task layers. */
export function namesOf(walk: readonly Layer[]): KeyNames {
  const names = walk.map((l) => l.name);
  if (!walk.some((l) => l instanceof TaskLayer)) return { names };
  return { names, listed: walk.map((l) => (l instanceof TaskLayer ? l.keys() : undefined)) };
}

/** The values a plan's inputs take from the input layers of `walk` (explicit inputs: undefined). */
export function inputValues(plan: CompiledPlan, walk: readonly Layer[]): unknown[] {
  const out: unknown[] = new Array(plan.inputCount);
  const { inputOrdinal, inputChunk } = plan;
  for (let j = 0; j < out.length; j++) {
    const ordinal = inputOrdinal[j]!;
    if (ordinal < 0) continue;
    const layer = walk[ordinal] as InputLayer;
    const value = layer.values[inputChunk[j]!];
    // a released buffer's memory belongs to someone else now: reading it would return their data
    if (typeof value === "object" && value !== null && (value as { freed?: unknown }).freed === true) {
      throw new WeftError(`the input '${layer.name}' was released (ChunkedArray.release()) before this computation read it: persist it again, or keep it until its last use`);
    }
    out[j] = value;
  }
  return out;
}

/**
 * Compiles `graph` for `outputs` into its executable form (see compile() for the checks).
 * `options.fuseOptions.maxIntermediateBytes` also bounds blockwise fusion's whole-chunk
 * intermediates.
 */
export function compilePlan(graph: Graph | TaskMap, outputs: readonly Key[], options: CompileOptions = {}): CompiledPlan {
  const isGraph = graph instanceof Graph;
  if (!isGraph && !(graph instanceof Map)) {
    throw new ArgumentError("graph", "a Graph, or a Map of tasks by key (a TaskMap)", graph, "compile");
  }
  if (!Array.isArray(outputs) || outputs.length === 0) {
    throw new ArgumentError("outputs", "a non-empty array of keys", outputs, "compile");
  }
  options = checkOptions(options, "compile");
  checkCompileOptions(options, "compile");
  const ops = options.ops ?? defaultOps;
  const fusion = options.fusion ?? "aggressive";
  const explicit = [...new Set(options.inputs ?? [])];
  if (!isGraph) {
    // a map a program wrote: each task checked once, O(tasks) (a Graph's are checked as its layers are materialized)
    checkTaskMap(graph);
    return finishPlan(draftFromTasks(graph, {
      outputs, inputs: explicit.map((key) => ({ key, ordinal: -1, chunk: 0 })), fusion, fuseOptions: options.fuseOptions, ops, walk: [], names: { names: [] },
    }));
  }
  const walk = graph.layers();
  const names = namesOf(walk);
  const ordinals = new Map<Layer, number>(walk.map((l, i) => [l, i]));
  const layerFusion = options.blockwise !== false && fusion !== "none";
  const layers = layerFusion
    ? fuseBlockwise(graph, {
      keep: new Set([...outputs, ...explicit]), ops, maxIntermediateBytes: options.fuseOptions?.maxIntermediateBytes ?? DEFAULT_FUSE_OPTIONS.maxIntermediateBytes,
    })
    : walk;
  if (fusion === "aggressive" && layerFusion && explicit.length === 0 && allLazy(layers)) {
    return finishPlan(draftFromLayers(layers, outputs, (l) => ordinals.get(l) ?? -1, names, ops));
  }
  // through tasks: input layers' chunks are plan inputs, the rest is materialized
  const inputs: { key: Key; ordinal: number; chunk: number }[] = explicit.map((key) => ({ key, ordinal: -1, chunk: 0 }));
  const bound = new Set(explicit);
  for (const l of layers) {
    if (!(l instanceof InputLayer)) continue;
    const ordinal = ordinals.get(l)!;
    for (let c = 0; c < l.size; c++) {
      const key = l.keyAt(c);
      if (!bound.has(key)) inputs.push({ key, ordinal, chunk: c });
    }
  }
  const tasks = layerTasks(layers.filter((l) => !(l instanceof InputLayer)));
  return finishPlan(draftFromTasks(tasks, { outputs, inputs, fusion, fuseOptions: options.fuseOptions, ops, walk, names }));
}

/**
 * A compiled graph: fused tasks in run order with their dependencies as positions, ready to run
 * again and again with new input bindings (`plan.run(bindings)`, or `runtime.run(plan, bindings)`
 * on threads).
 */
export class Plan {
  /** Named input slots (compile()'s `inputs`), by formatted key: what run() must be given. */
  readonly inputs: ReadonlyMap<string, Key>;
  readonly outputs: readonly Key[];
  private taskViews: Task[] | undefined;

  /** @internal use compile() */
  constructor(
    /** The executable form. */
    readonly compiled: CompiledPlan,
    outputs: readonly Key[],
    /** Values of the inputs that input layers provide (by input index; explicit inputs: undefined). */
    private readonly defaults: readonly unknown[],
    /** The names of the keys of the graph this plan is for (a cached plan's may come from another graph). */
    readonly names: KeyNames = compiled.names,
  ) {
    this.outputs = [...outputs];
    const named = new Map<string, Key>();
    compiled.inputKeys.forEach((k, j) => {
      if (compiled.inputOrdinal[j]! < 0) named.set(formatKey(k), k); // explicit inputs: the plan's own keys
    });
    this.inputs = named;
  }

  /** Task counts after each step of compile(): what each pass removed. */
  get stats(): PlanStats {
    return this.compiled.stats;
  }

  /**
   * The fused tasks in run order, as Task objects (made on first use, for inspection: executors
   * run the compiled form). A task of several steps is a FusedTask.
   */
  get tasks(): readonly Task[] {
    this.taskViews ??= taskViews(this.compiled, this.names);
    return this.taskViews;
  }

  /**
   * Runs the plan in this thread with `bindings` for its inputs and returns the outputs' values
   * in the order of `outputs`. Results that are Allocations are freed after their last reader
   * (outputs and bound inputs are the caller's). Intermediates inside a fused task that ops
   * allocate with `context.alloc` live in scratch space, taken back when the task ends.
   *
   * This is the synchronous executor; a Runtime runs the same plan on worker threads.
   */
  run(bindings: Bindings = {}, options: RunOptions = {}): unknown[] {
    const plan = this.compiled;
    const n = plan.taskGroup.length;
    const values: unknown[] = new Array(n + plan.inputCount);
    const bound = new Set<unknown>();
    this.bind(bindings).forEach((v, j) => {
      values[n + j] = v;
      bound.add(v);
    });
    const release = (v: unknown, keep: unknown) => {
      if (v instanceof Allocation && v !== keep && !v.freed && !bound.has(v)) v.free();
    };
    const names = this.names;
    const hooks = new MainThreadHooks(options.kernels, release, undefined, (p) => keyOf(plan, p, names));
    const valueAt = (p: number) => values[p];
    const events = options.events;
    const { lastReadCut, lastReadFlat } = plan;
    try {
      for (let i = 0; i < n; i++) {
        const start = events ? performance.now() : 0;
        let result: unknown;
        try {
          result = runTask(plan, i, valueAt, hooks);
        } catch (error) {
          throw taskError(plan, i, error, names);
        }
        if (events) events.push({ key: keyOf(plan, i, names), label: plan.groups[plan.taskGroup[i]!]!.label, lane: 0, start, end: performance.now() });
        values[i] = result;
        for (let q = lastReadCut[i]!; q < lastReadCut[i + 1]!; q++) {
          const p = lastReadFlat[q]!;
          release(values[p], result);
          values[p] = undefined;
        }
      }
    } catch (error) {
      // Nothing is returned: every buffer this run made is released before the error goes up.
      for (const v of values) release(v, undefined);
      throw error;
    } finally {
      hooks.dispose();
    }
    return Array.from(plan.outputPositions, (p) => values[p]);
  }

  /**
   * The input values, by input index: from `bindings` for compile()'s `inputs` (throws
   * ArgumentError naming an input that has no value), from the graph for its input layers.
   */
  bind(bindings: Bindings): unknown[] {
    if (typeof bindings !== "object" || bindings === null || Array.isArray(bindings)) {
      throw new ArgumentError("bindings", "a Map from key to value, or an object by formatted key ({ w: ... })", bindings, "plan.run");
    }
    const plan = this.compiled;
    const out = this.defaults.slice();
    for (let j = 0; j < plan.inputCount; j++) {
      if (plan.inputOrdinal[j]! >= 0) continue;
      const k = plan.inputKeys[j]!;
      const name = formatKey(k);
      const has = bindings instanceof Map ? bindings.has(k) : Object.prototype.hasOwnProperty.call(bindings, name);
      if (!has) throw new ArgumentError("bindings", `a value for input '${name}'`, "none", "plan.run");
      out[j] = bindings instanceof Map ? bindings.get(k) : (bindings as Record<string, unknown>)[name];
    }
    return out;
  }

  /** @internal What executors run. */
  layout(): CompiledPlan {
    return this.compiled;
  }

  /** Position (in `tasks`) of the last task reading each result; outputs are never released. */
  get lastReader(): ReadonlyMap<Key, number> {
    const plan = this.compiled;
    const map = new Map<Key, number>();
    for (let i = 0; i + 1 < plan.lastReadCut.length; i++) {
      for (let q = plan.lastReadCut[i]!; q < plan.lastReadCut[i + 1]!; q++) map.set(keyOf(plan, plan.lastReadFlat[q]!, this.names), i);
    }
    return map;
  }

  /** Size (when the task declared it) and last reader of every result the plan makes. */
  buffers(): Map<Key, { bytes: number | undefined; lastReader: number | undefined }> {
    const plan = this.compiled;
    const readers = this.lastReader;
    const out = new Map<Key, { bytes: number | undefined; lastReader: number | undefined }>();
    for (let i = 0; i < plan.taskGroup.length; i++) {
      const k = keyOf(plan, i, this.names);
      const b = plan.resultBytes[i]!;
      out.set(k, { bytes: b >= 0 ? b : undefined, lastReader: readers.get(k) });
    }
    return out;
  }
}

/** The TaskError for a failure inside runTask (or an error of the executor itself, passed on). */
export function taskError(plan: CompiledPlan, position: number, error: unknown, names?: KeyNames): unknown {
  if (!(error instanceof StepFailure)) return error;
  return new TaskError(keyOf(plan, position, names), stepKeyOf(plan, position, error.step, names), error.cause);
}

/** Task objects for a compiled plan's tasks (what Plan.tasks shows), keys named by `names`. */
function taskViews(plan: CompiledPlan, names: KeyNames): Task[] {
  const n = plan.taskGroup.length;
  const out: Task[] = new Array(n);
  for (let p = 0; p < n; p++) {
    const group = plan.groups[plan.taskGroup[p]!]!;
    const chunk = plan.taskChunk[p]!;
    const inputKey = (j: number) => keyOf(plan, plan.depList[plan.depStart[p]! + j]!, names);
    const stepKeys = group.program.steps.map((_, j) => stepKeyOf(plan, p, j, names));
    const fillRefs = (v: unknown): unknown =>
      v instanceof InputHole ? ref(inputKey(v.index)) : v instanceof StepHole ? ref(stepKeys[v.step]!) : Array.isArray(v) ? v.map(fillRefs) : v;
    const argOf = (a: ExecProgramArg): unknown => {
      switch (a.kind) {
        case "step": return ref(stepKeys[a.step]!);
        case "input": return ref(inputKey(a.index));
        case "inputs": return Array.from({ length: plan.depStart[p + 1]! - plan.depStart[p]! }, (_, j) => ref(inputKey(j)));
        case "literal": return a.value;
        case "chunk": return a.table[chunk];
        case "nested": return fillRefs(a.value);
      }
    };
    const steps: Task[] = group.program.steps.map((s, j) => ({ key: stepKeys[j]!, op: s.op.name, args: s.args.map(argOf) }));
    const bytes = plan.resultBytes[p]!;
    const last = bytes >= 0 ? { ...steps[steps.length - 1]!, bytes } : steps[steps.length - 1]!;
    if (steps.length === 1) {
      out[p] = group.resources ? { ...last, resources: group.resources } : last;
    } else {
      steps[steps.length - 1] = last;
      const fused: FusedTask = { key: stepKeys[stepKeys.length - 1]!, op: FUSED, args: [], steps };
      out[p] = fused;
    }
  }
  return out;
}

/**
 * Buffers for tasks run in the thread that owns the heap: results are heap allocations,
 * intermediates live in a scratch arena, and a result left in scratch is copied out.
 */
export class MainThreadHooks implements RunnerHooks {
  constructor(
    readonly kernels: Kernels | undefined,
    private readonly release: (value: unknown, keep: unknown) => void,
    protected arena?: ScratchArena,
    /** Names the task at a position (for errors and TaskContext.key). */
    public keyOf?: (position: number) => Key,
  ) {}

  private memory(position: number): Kernels["memory"] {
    if (!this.kernels) {
      const where = position >= 0 && this.keyOf ? `task ${formatKey(this.keyOf(position))}` : "a task";
      throw new ArgumentError("kernels", "a Kernels instance in plan.run's options, to allocate buffers", undefined, where);
    }
    return this.kernels.memory;
  }

  allocResult(bytes: number, position: number): BufferViews {
    return this.memory(position).alloc(bytes);
  }

  allocScratch(bytes: number, position: number): BufferViews {
    this.arena ??= new ScratchArena(this.memory(position));
    return this.arena.alloc(bytes);
  }

  own(result: unknown): unknown {
    if (!(result instanceof ScratchBuffer)) return result;
    const copy = this.allocResult(result.bytes, -1); // a scratch buffer implies kernels: no position needed
    copy.u8().set(result.u8());
    return copy;
  }

  dropIntermediate(value: unknown, keep: unknown): void {
    this.release(value, keep);
  }

  endTask(): void {
    this.arena?.reset();
  }

  dispose(): void {
    this.arena?.dispose();
    this.arena = undefined;
  }
}

/**
 * Optimizes `graph` for `outputs` into a Plan. Rejects cycles, missing dependencies, unknown
 * ops and missing outputs with a GraphError naming the keys (duplicate keys are rejected when
 * a Graph is materialized or a GraphBuilder defines them).
 *
 * A graph of lazy layers (blockwise, tree reductions, input layers: what array operations
 * make) compiles without making its tasks, in O(layers) plus typed arrays of O(tasks). Other
 * graphs run the exported passes (cull, inlineConstants, fuse or fuseLinear, order) on one
 * dense index of the tasks. Input layers' chunks (persisted arrays, user data) become inputs
 * that the plan reads from the graph at each run, never part of the plan itself.
 */
export function compile(graph: Graph | TaskMap, outputs: readonly Key[], options: CompileOptions = {}): Plan {
  checkOptions(options, "compile", COMPILE_OPTIONS); // here, unlike a runtime's compute, nothing else belongs in options
  const compiled = compilePlan(graph, outputs, options);
  return new Plan(compiled, outputs, graph instanceof Graph ? inputValues(compiled, graph.layers()) : new Array(compiled.inputCount));
}
