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
import { Allocation } from "../memory/shared-memory.js";
import { ScratchArena, ScratchBuffer } from "../memory/scratch.js";
import type { TaskEvent } from "../profile/events.js";
import type { Kernels } from "../kernels/index.js";
import { checkOutputs } from "./analyze.js";
import { GraphError } from "./errors.js";
import { fuseGraph, type FuseOptions } from "./fuse.js";
import { indexGraph, reachable, subgraph, topologicalIndices } from "./indexed.js";
import { BlockProgram, fuseBlockwise, ProgramTask, type ProgramArg } from "./blockwise.js";
import { Graph, layerTasks, type TaskMap } from "./graph.js";
import { inlineConstants } from "./inline.js";
import { formatKey, keyName, type Key } from "./keys.js";
import { CONST, defaultOps, INPUT, type OpDefinition, type OpRegistry, type TaskContext } from "./ops.js";
import { rankTasks } from "./order.js";
import { stepsOf, substituteRefs, task, taskDependencies, type Ref, type Task } from "./task.js";

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

export interface RunOptions {
  /** Kernels passed to context-aware ops. */
  kernels?: Kernels;
  /** When given, one timing event per task is appended to it (for profiles). */
  events?: TaskEvent[];
}

/** Bindings for a plan's inputs: by key, or by formatted key ("w", "x[3]"). */
export type Bindings = ReadonlyMap<Key, unknown> | Readonly<Record<string, unknown>>;

interface CompiledStep {
  key: Key;
  op: OpDefinition;
  args: readonly unknown[];
}

interface CompiledProgramStep {
  op: OpDefinition;
  args: readonly ProgramArg[];
  layer: BlockProgram["steps"][number]["layer"];
}

interface CompiledTask {
  key: Key;
  /** What runs, for profiles: the op, or the ops of a fused task joined by "+". */
  label: string;
  steps: readonly CompiledStep[];
  /** For chunk `chunk` of a fused blockwise layer: its shared program (then `steps` is empty). */
  program: readonly CompiledProgramStep[] | undefined;
  chunk: number;
  /** Results this task reads for the last time: released after it runs. */
  releases: readonly Key[];
}

export class Plan {
  /** Named input slots, by formatted key. */
  readonly inputs: ReadonlyMap<string, Key>;
  private readonly compiled: readonly CompiledTask[];
  private readonly outputSet: ReadonlySet<Key>;

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
    this.inputs = new Map(inputs.map((k) => [formatKey(k), k]));
    this.outputSet = new Set(outputs);
    const none: Key[] = [];
    const releases = tasks.map((_, i) => {
      const from = lastReads.cut[i]!, to = lastReads.cut[i + 1]!;
      if (from === to) return none;
      const keys: Key[] = [];
      for (let q = from; q < to; q++) if (!this.outputSet.has(lastReads.flat[q]!)) keys.push(lastReads.flat[q]!);
      return keys;
    });
    const programs = new Map<BlockProgram, CompiledProgramStep[]>();
    const compileProgram = (p: BlockProgram) => {
      let c = programs.get(p);
      if (!c) {
        c = p.steps.map((s) => ({ op: ops.get(s.op)!, args: s.args, layer: s.layer }));
        programs.set(p, c);
      }
      return c;
    };
    const labels = new Map<BlockProgram, string>();
    const programLabel = (p: BlockProgram) => {
      let l = labels.get(p);
      if (l === undefined) labels.set(p, (l = p.steps.map((st) => st.op).join("+")));
      return l;
    };
    this.compiled = tasks.map((t, i) =>
      t instanceof ProgramTask
        ? { key: t.key, label: programLabel(t.program), steps: [], program: compileProgram(t.program), chunk: t.chunk, releases: releases[i]! }
        : {
            key: t.key,
            label: stepsOf(t).map((st) => st.op).join("+"),
            steps: stepsOf(t).map((s) => ({ key: s.key, op: ops.get(s.op)!, args: s.args })),
            program: undefined,
            chunk: 0,
            releases: releases[i]!,
          },
    );
  }

  /**
   * Runs the plan in this thread with `bindings` for its inputs and returns the outputs' values
   * in the order of `outputs`. Results that are Allocations are freed after their last reader
   * (outputs and bound inputs are the caller's). Intermediates inside a fused task that ops
   * allocate with `context.alloc` live in scratch space, taken back when the task ends.
   */
  run(bindings: Bindings = {}, options: RunOptions = {}): unknown[] {
    const values = new Map<Key, unknown>();
    const bound = new Set<unknown>();
    for (const [name, k] of this.inputs) {
      const has = bindings instanceof Map ? bindings.has(k) : Object.prototype.hasOwnProperty.call(bindings, name);
      if (!has) throw new ArgumentError("bindings", `a value for input '${name}'`, "none", "plan.run");
      const v = bindings instanceof Map ? bindings.get(k) : (bindings as Record<string, unknown>)[name];
      values.set(k, v);
      bound.add(v);
    }
    const executor = new StepRunner(options.kernels);
    const release = (v: unknown, keep: unknown) => {
      if (v instanceof Allocation && v !== keep && !v.freed && !bound.has(v)) v.free();
    };
    const events = options.events;
    try {
      for (const t of this.compiled) {
        const start = events ? performance.now() : 0;
        const result = t.program
          ? executor.runProgram(t, values, release)
          : t.steps.length === 1
            ? executor.runStep(t.key, t.steps[0]!, values)
            : executor.runFused(t, values, release);
        if (events) events.push({ key: t.key, label: t.label, lane: 0, start, end: performance.now() });
        values.set(t.key, result);
        for (const k of t.releases) {
          release(values.get(k), result);
          values.delete(k);
        }
      }
    } catch (error) {
      // Nothing is returned: every buffer this run made is released before the error goes up.
      for (const v of values.values()) release(v, undefined);
      throw error;
    } finally {
      executor.dispose();
    }
    return this.outputs.map((k) => values.get(k));
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

/** Runs steps in this thread: builds each step's context, and the scratch arena of fused tasks. */
class StepRunner {
  private arena: ScratchArena | undefined;

  constructor(private readonly kernels: Kernels | undefined) {}

  private context(key: Key, internal: boolean): TaskContext {
    const kernels = this.kernels;
    return {
      key,
      kernels,
      alloc: (bytes: number) => {
        if (!kernels) throw new ArgumentError("kernels", "a Kernels instance in plan.run's options, to allocate buffers", undefined, `task ${formatKey(key)}`);
        if (!internal) return kernels.memory.alloc(bytes);
        this.arena ??= new ScratchArena(kernels.memory);
        return this.arena.alloc(bytes);
      },
    };
  }

  runStep(taskKey: Key, step: CompiledStep, values: ReadonlyMap<Key, unknown>): unknown {
    const args = substituteRefs(step.args, (r) => values.get(r.key));
    try {
      return step.op.run(args, this.context(step.key, false));
    } catch (cause) {
      throw new TaskError(taskKey, step.key, cause);
    }
  }

  /** Runs a fused task's steps; intermediates stay local to the task and are released at its end. */
  runFused(t: CompiledTask, values: ReadonlyMap<Key, unknown>, release: (v: unknown, keep: unknown) => void): unknown {
    const local = new Map<Key, unknown>();
    const lookup = (r: Ref) => (local.has(r.key) ? local.get(r.key) : values.get(r.key));
    let result: unknown;
    try {
      for (const step of t.steps) {
        const args = substituteRefs(step.args, lookup);
        try {
          result = step.op.run(args, this.context(step.key, step.key !== t.key));
        } catch (cause) {
          throw new TaskError(t.key, step.key, cause);
        }
        local.set(step.key, result);
      }
      result = this.owned(result);
    } finally {
      for (const [k, v] of local) if (k !== t.key) release(v, result);
      this.arena?.reset();
    }
    return result;
  }

  /** Runs chunk `t.chunk` of a fused blockwise layer's program. */
  runProgram(t: CompiledTask, values: ReadonlyMap<Key, unknown>, release: (v: unknown, keep: unknown) => void): unknown {
    const program = t.program!;
    const results: unknown[] = new Array(program.length);
    const last = program.length - 1;
    let result: unknown;
    try {
      for (let j = 0; j <= last; j++) {
        const step = program[j]!;
        const args = step.args.map((a) =>
          a.kind === "step" ? results[a.step] : a.kind === "layer" ? values.get(a.layer.keyAt(a.broadcast ? 0 : t.chunk)) : a.value,
        );
        const key = step.layer.keyAt(t.chunk);
        try {
          result = step.op.run(args, this.context(key, j < last));
        } catch (cause) {
          throw new TaskError(t.key, key, cause);
        }
        results[j] = result;
      }
      result = this.owned(result);
    } finally {
      for (let j = 0; j < last; j++) release(results[j], result);
      this.arena?.reset();
    }
    return result;
  }

  /** A task's result must outlive its scratch: a result left in scratch is copied to the heap. */
  private owned(result: unknown): unknown {
    if (!(result instanceof ScratchBuffer)) return result;
    const copy = this.kernels!.memory.alloc(result.bytes);
    copy.u8().set(result.u8());
    return copy;
  }

  dispose(): void {
    this.arena?.dispose();
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

/** compile() then run() once: the generic entry point for a graph of tasks. */
export async function compute(
  graph: Graph | TaskMap,
  outputs: readonly Key[],
  options: CompileOptions & RunOptions & { bindings?: Bindings } = {},
): Promise<unknown[]> {
  return compile(graph, outputs, options).run(options.bindings ?? {}, options);
}

