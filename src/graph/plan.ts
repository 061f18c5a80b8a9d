/**
 * Plans: a graph optimized once and run many times. compile() materializes, validates, culls,
 * inlines constants, fuses and orders; the Plan it returns holds the fused tasks in run order,
 * when each result can be released (its last reader), and the named input slots. run() only
 * executes: an iterative solver compiles its loss/gradient graph once and re-runs the plan
 * with new coefficients every iteration.
 *
 * run() here is the synchronous executor (everything in the calling thread, in plan order);
 * the threaded executor runs the same Plan on workers.
 */
import { ArgumentError, WeftError } from "../errors.js";
import { Allocation, type BufferViews } from "../memory/shared-memory.js";
import { ScratchArena, ScratchBuffer } from "../memory/scratch.js";
import { runTask, StepFailure, StepRef, type ExecProgram, type ExecProgramArg, type ExecTask, type RunnerHooks } from "./execute.js";
import type { Layer } from "./layers.js";
import type { TaskEvent } from "../profile/events.js";
import type { Kernels } from "../kernels/index.js";
import { checkOutputs } from "./analyze.js";
import { GraphError } from "./errors.js";
import { fuseGraph, type FuseOptions } from "./fuse.js";
import { indexGraph, reachable, subgraph, topologicalIndices } from "./indexed.js";
import { BlockProgram, fuseBlockwise, ProgramTask } from "./blockwise.js";
import { Graph, layerTasks, type TaskMap } from "./graph.js";
import { inlineConstants } from "./inline.js";
import { formatKey, keyName, type Key } from "./keys.js";
import { CONST, defaultOps, INPUT, type OpRegistry } from "./ops.js";
import { rankTasks } from "./order.js";
import { Ref, resourcesOf, stepsOf, task, taskDependencies, type Task } from "./task.js";

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

/** Task counts after each step of compile(): what each pass removed. */
export interface PlanStats {
  materialized: number;
  culled: number;
  inlined: number;
  fused: number;
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

/** The facts an executor needs about a plan, by position in run order. */
export interface PlanLayout {
  /** The compiled tasks, in run order. */
  readonly tasks: readonly ExecTask[];
  /** Position of every task's and input's key (inputs come after the tasks). */
  readonly positionOf: ReadonlyMap<Key, number>;
  /** Keys by position: the tasks', then the inputs'. */
  readonly keys: readonly Key[];
  /** Dependencies of each task as positions: depList[depStart[i] .. depStart[i + 1]). */
  readonly depStart: Int32Array;
  readonly depList: Int32Array;
  /** Declared result size of each task in bytes, or -1 when unknown. */
  readonly resultBytes: Float64Array;
  /** Positions of the outputs, in the order of plan.outputs. */
  readonly outputPositions: Int32Array;
}

/**
 * A compiled graph: fused tasks in run order with their dependencies as positions, ready to run
 * again and again with new input bindings (`plan.run(bindings)`, or `runtime.run(plan, bindings)`
 * on threads).
 */
export class Plan {
  /** Named input slots, by formatted key. */
  readonly inputs: ReadonlyMap<string, Key>;
  private readonly compiled: readonly ExecTask[];
  private readonly releases: readonly (readonly Key[])[];
  private readonly outputSet: ReadonlySet<Key>;
  private readonly inputKeys: readonly Key[];
  private layoutCache: PlanLayout | undefined;

  private lastReaders: ReadonlyMap<Key, number> | undefined;

  /** @internal use compile() */
  constructor(
    /** The fused tasks in run order. */
    readonly tasks: readonly Task[],
    readonly outputs: readonly Key[],
    inputs: readonly Key[],
    /** The results each task (by position) reads for the last time, outputs included: flat[cut[i] .. cut[i + 1]). */
    private readonly lastReads: { readonly cut: Int32Array; readonly flat: Float64Array },
    readonly stats: PlanStats,
    ops: OpRegistry,
  ) {
    this.inputKeys = inputs;
    this.inputs = new Map(inputs.map((k) => [formatKey(k), k]));
    this.outputSet = new Set(outputs);
    const none: Key[] = [];
    this.releases = tasks.map((_, i) => {
      const from = lastReads.cut[i]!, to = lastReads.cut[i + 1]!;
      if (from === to) return none;
      const keys: Key[] = [];
      for (let q = from; q < to; q++) if (!this.outputSet.has(lastReads.flat[q]!)) keys.push(lastReads.flat[q]!);
      return keys;
    });
    this.compiled = compileTasks(tasks, ops);
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
    const values = new Map<Key, unknown>();
    const bound = new Set<unknown>();
    for (const [k, v] of this.bind(bindings)) {
      values.set(k, v);
      bound.add(v);
    }
    const release = (v: unknown, keep: unknown) => {
      if (v instanceof Allocation && v !== keep && !v.freed && !bound.has(v)) v.free();
    };
    const hooks = new MainThreadHooks(options.kernels, release);
    const lookup = (k: Key) => values.get(k);
    const events = options.events;
    try {
      for (let i = 0; i < this.compiled.length; i++) {
        const t = this.compiled[i]!;
        const start = events ? performance.now() : 0;
        let result: unknown;
        try {
          result = runTask(t, lookup, hooks);
        } catch (error) {
          throw taskError(t, error);
        }
        if (events) events.push({ key: t.key, label: t.label, lane: 0, start, end: performance.now() });
        values.set(t.key, result);
        for (const k of this.releases[i]!) {
          release(values.get(k), result);
          values.delete(k);
        }
      }
    } catch (error) {
      // Nothing is returned: every buffer this run made is released before the error goes up.
      for (const v of values.values()) release(v, undefined);
      throw error;
    } finally {
      hooks.dispose();
    }
    return this.outputs.map((k) => values.get(k));
  }

  /**
   * The input values from `bindings`, by key; throws ArgumentError naming an input that has no
   * value.
   */
  bind(bindings: Bindings): Map<Key, unknown> {
    const out = new Map<Key, unknown>();
    for (const [name, k] of this.inputs) {
      const has = bindings instanceof Map ? bindings.has(k) : Object.prototype.hasOwnProperty.call(bindings, name);
      if (!has) throw new ArgumentError("bindings", `a value for input '${name}'`, "none", "plan.run");
      out.set(k, bindings instanceof Map ? bindings.get(k) : (bindings as Record<string, unknown>)[name]);
    }
    return out;
  }

  /** @internal What executors need, by position: built once per plan. */
  layout(): PlanLayout {
    if (this.layoutCache) return this.layoutCache;
    const keys = [...this.tasks.map((t) => t.key), ...this.inputKeys];
    const positionOf = new Map<Key, number>(keys.map((k, i) => [k, i]));
    const n = this.tasks.length;
    const depStart = new Int32Array(n + 1);
    const lists = this.tasks.map((t) => taskDependencies(t).map((k) => positionOf.get(k)!));
    for (let i = 0; i < n; i++) depStart[i + 1] = depStart[i]! + lists[i]!.length;
    const depList = new Int32Array(depStart[n]!);
    lists.forEach((l, i) => depList.set(l, depStart[i]!));
    const resultBytes = new Float64Array(n).fill(-1);
    this.tasks.forEach((t, i) => {
      const b = t instanceof ProgramTask ? t.program.steps.at(-1)!.layer.bytes?.(t.chunk) : stepsOf(t).at(-1)!.bytes;
      if (b !== undefined) resultBytes[i] = b;
    });
    const outputPositions = Int32Array.from(this.outputs, (k) => positionOf.get(k) ?? -1);
    this.layoutCache = { tasks: this.compiled, positionOf, keys, depStart, depList, resultBytes, outputPositions };
    return this.layoutCache;
  }

  /** Position (in `tasks`) of the last task reading each result; outputs are never released. */
  get lastReader(): ReadonlyMap<Key, number> {
    if (!this.lastReaders) {
      const map = new Map<Key, number>();
      const { cut, flat } = this.lastReads;
      for (let i = 0; i + 1 < cut.length; i++) for (let q = cut[i]!; q < cut[i + 1]!; q++) map.set(flat[q]!, i);
      this.lastReaders = map;
    }
    return this.lastReaders;
  }

  /** Size (when the task declared it) and last reader of every result the plan makes. */
  buffers(): Map<Key, { bytes: number | undefined; lastReader: number | undefined }> {
    const out = new Map<Key, { bytes: number | undefined; lastReader: number | undefined }>();
    for (const t of this.tasks) {
      out.set(t.key, { bytes: stepsOf(t).at(-1)!.bytes, lastReader: this.lastReader.get(t.key) });
    }
    return out;
  }
}

/** The TaskError for a failure inside runTask (or an error of the executor itself, passed on). */
export function taskError(t: ExecTask, error: unknown): unknown {
  if (!(error instanceof StepFailure)) return error;
  const keys = t.stepKeys();
  return new TaskError(t.key, keys[error.step] ?? t.key, error.cause);
}

/** Turns tasks into ExecTasks: ops resolved, internal refs made step refs, programs shared. */
function compileTasks(tasks: readonly Task[], ops: OpRegistry): ExecTask[] {
  const programs = new Map<BlockProgram, { program: ExecProgram; inputs: { layer: Layer; broadcast: boolean }[]; label: string }>();
  const compileProgram = (p: BlockProgram) => {
    let c = programs.get(p);
    if (c) return c;
    const inputs: { layer: Layer; broadcast: boolean }[] = [];
    const steps = p.steps.map((s) => ({
      op: ops.get(s.op)!,
      args: s.args.map((a): ExecProgramArg => {
        if (a.kind === "step") return a;
        if (a.kind === "literal") return { kind: "literal", value: a.value };
        let index = inputs.findIndex((x) => x.layer === a.layer && x.broadcast === a.broadcast);
        if (index < 0) index = inputs.push({ layer: a.layer, broadcast: a.broadcast }) - 1;
        return { kind: "input", index };
      }),
    }));
    c = { program: { steps }, inputs, label: p.steps.map((st) => st.op).join("+") };
    programs.set(p, c);
    return c;
  };
  return tasks.map((t): ExecTask => {
    if (t instanceof ProgramTask) {
      const c = compileProgram(t.program);
      const chunk = t.chunk;
      return {
        key: t.key,
        label: c.label,
        steps: undefined,
        stepKeys: () => t.program.steps.map((s) => s.layer.keyAt(chunk)),
        program: c.program,
        inputs: c.inputs.map((x) => x.layer.keyAt(x.broadcast ? 0 : chunk)),
        resources: undefined,
      };
    }
    const steps = stepsOf(t);
    const internal = new Map<Key, number>(steps.length > 1 ? steps.map((s, j) => [s.key, j]) : []);
    const local = (a: unknown): unknown =>
      a instanceof Ref ? (internal.has(a.key) ? new StepRef(internal.get(a.key)!) : a) : Array.isArray(a) ? a.map(local) : a;
    const stepKeys = steps.map((s) => s.key);
    return {
      key: t.key,
      label: steps.map((st) => st.op).join("+"),
      steps: steps.map((s) => ({ op: ops.get(s.op)!, args: internal.size > 0 ? s.args.map(local) : s.args })),
      stepKeys: () => stepKeys,
      program: undefined,
      inputs: [],
      resources: resourcesOf(t),
    };
  });
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
  ) {}

  private memory(key: Key): Kernels["memory"] {
    if (!this.kernels) throw new ArgumentError("kernels", "a Kernels instance in plan.run's options, to allocate buffers", undefined, `task ${formatKey(key)}`);
    return this.kernels.memory;
  }

  allocResult(bytes: number, key: Key): BufferViews {
    return this.memory(key).alloc(bytes);
  }

  allocScratch(bytes: number, key: Key): BufferViews {
    this.arena ??= new ScratchArena(this.memory(key));
    return this.arena.alloc(bytes);
  }

  own(result: unknown): unknown {
    if (!(result instanceof ScratchBuffer)) return result;
    const copy = this.allocResult(result.bytes, -1); // a scratch buffer implies kernels: no key needed
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

/** Checks that every op of every task (and fused step) is registered. */
function checkOps(tasks: readonly Task[], ops: OpRegistry): void {
  const unknown = new Map<string, Key[]>();
  const checkedPrograms = new Set<BlockProgram>();
  const check = (op: string, k: Key) => {
    if (!ops.has(op)) (unknown.get(op) ?? unknown.set(op, []).get(op)!).push(k);
  };
  for (const t of tasks) {
    if (t instanceof ProgramTask) {
      // one check per program, not per chunk
      if (checkedPrograms.has(t.program)) continue;
      checkedPrograms.add(t.program);
      for (const s of t.program.steps) check(s.op, t.key);
    } else {
      for (const s of stepsOf(t)) check(s.op, t.key);
    }
  }
  const first = unknown.entries().next();
  if (!first.done) throw GraphError.unknownOp(first.value[1], first.value[0], ops.names());
}

/**
 * Optimizes `graph` for `outputs` into a Plan. Rejects cycles, missing dependencies, unknown
 * ops and missing outputs with a GraphError naming the keys (duplicate keys are rejected when
 * a Graph is materialized or a GraphBuilder defines them).
 *
 * The passes are the exported ones (cull, inlineConstants, fuse or fuseLinear, order), run on
 * one dense index of the graph rather than from map to map: only the fused result is built as
 * a map, so compiling costs a fraction of a microsecond per task.
 */
export function compile(graph: Graph | TaskMap, outputs: readonly Key[], options: CompileOptions = {}): Plan {
  if (!Array.isArray(outputs) || outputs.length === 0) {
    throw new ArgumentError("outputs", "a non-empty array of keys", outputs, "compile");
  }
  const ops = options.ops ?? defaultOps;
  const fusion = options.fusion ?? "aggressive";
  const layerFusion = options.blockwise !== false && fusion !== "none";
  const inputs = [...new Set(options.inputs ?? [])];
  let all: TaskMap =
    graph instanceof Graph ? layerTasks(layerFusion ? fuseBlockwise(graph, new Set([...outputs, ...inputs])) : graph.layers()) : graph;
  if (inputs.length > 0) {
    const withInputs = new Map(all);
    for (const k of inputs) {
      // An input replaces whatever task produced that key: its value comes from the bindings.
      if (typeof k !== "number") throw new ArgumentError("inputs", "an array of keys", k, "compile");
      withInputs.set(k, task(k, INPUT, keyName(k)));
    }
    all = withInputs;
  }
  checkOutputs(all, outputs);
  const full = indexGraph(all, { allowMissing: true });
  const needed = reachable(full, [...outputs, ...inputs.filter((k) => all.has(k))].map((k) => full.indexOf(k)));
  const dangling = (full.missing ?? []).filter((j) => needed[j]);
  if (dangling.length > 0) {
    const j = dangling[0]!;
    throw GraphError.missing(full.keys[j]!, taskDependencies(full.tasks[j]!).filter((k) => !all.has(k)));
  }
  let culled = subgraph(full, needed);
  checkOps(culled.tasks, ops);
  const keep = [...outputs, ...inputs.filter((k) => culled.indexOf(k) >= 0)];
  const culledCount = culled.size;
  if (culled.tasks.some((t) => t.op === CONST)) {
    // constants to inline: rare, and worth a trip through maps
    const asMap = new Map(culled.tasks.map((t) => [t.key, t]));
    culled = indexGraph(inlineConstants(asMap, keep));
  }
  let fused: TaskMap;
  if (fusion === "none") {
    topologicalIndices(culled); // cycles
    fused = new Map(culled.tasks.map((t) => [t.key, t]));
  } else {
    fused = fuseGraph(culled, keep, fusion === "linear" ? "linear" : "aggressive", options.fuseOptions);
  }
  // Run order, and where each result is read for the last time, on the fused graph's dense
  // form. Inputs are bound, not run: their placeholder tasks take no position.
  const { g: fg, rank } = rankTasks(fused, outputs);
  const byRank = new Int32Array(fg.size);
  for (let j = 0; j < fg.size; j++) byRank[rank[j]!] = j;
  const position = new Int32Array(fg.size).fill(-1);
  const sequence: Task[] = [];
  for (const j of byRank) {
    if (fg.tasks[j]!.op === INPUT) continue;
    position[j] = sequence.length;
    sequence.push(fg.tasks[j]!);
  }
  const lastPosition = new Int32Array(fg.size).fill(-1);
  for (let j = 0; j < fg.size; j++) {
    const at = position[j]!;
    if (at < 0) continue;
    for (let q = fg.depStart[j]!; q < fg.depStart[j + 1]!; q++) {
      const d = fg.depList[q]!;
      if (at > lastPosition[d]!) lastPosition[d] = at;
    }
  }
  // lastReads[i]: the results task i reads last, as one flat list cut by position (CSR)
  const cut = new Int32Array(sequence.length + 1);
  for (let d = 0; d < fg.size; d++) if (lastPosition[d]! >= 0) cut[lastPosition[d]! + 1]! += 1;
  for (let i = 0; i < sequence.length; i++) cut[i + 1] = cut[i + 1]! + cut[i]!;
  const flat = new Float64Array(cut[sequence.length]!);
  const fill = cut.slice(0, sequence.length);
  for (let d = 0; d < fg.size; d++) if (lastPosition[d]! >= 0) flat[fill[lastPosition[d]!]!++] = fg.keys[d]!;
  const lastReads = { cut, flat };
  const boundInputs = inputs.filter((k) => fused.has(k));
  const stats: PlanStats = { materialized: all.size, culled: culledCount, inlined: culled.size, fused: sequence.length };
  return new Plan(sequence, [...outputs], boundInputs, lastReads, stats, ops);
}
