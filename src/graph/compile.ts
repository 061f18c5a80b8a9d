/**
 * Compiling: a graph optimized once into the data of a plan, a CompiledPlan (compile-layers.ts for
 * graphs of lazy layers, in O(layers) plus typed arrays; compile-tasks.ts through the task-level
 * passes otherwise). Nothing here runs a task: src/execute wraps a CompiledPlan in the Plan users
 * run, and the scheduler runs the same data on threads.
 */
import { ArgumentError, WeftError } from "../errors.js";
import { checkBoolean, checkChoice, checkOptions } from "../validate.js";
import { fuseBlockwise } from "./blockwise.js";
import { checkKey, checkTaskMap } from "./checks.js";
import { allLazy, draftFromLayers } from "./compile-layers.js";
import { draftFromTasks } from "./compile-tasks.js";
import { InputHole, keyOf, StepHole, stepKeyOf, type CompiledPlan, type ExecProgramArg, type KeyNames } from "./compiled.js";
import { finishPlan } from "./draft.js";
import { DEFAULT_FUSE_OPTIONS, type FuseOptions } from "./fuse.js";
import { Graph, layerTasks, type TaskMap } from "./graph.js";
import type { Key } from "./keys.js";
import { InputLayer, TaskLayer, type Layer } from "./layers.js";
import { defaultOps, OpRegistry } from "./ops.js";
import { FUSED, ref, type FusedTask, type Task } from "./task.js";

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
  if (options.ops !== undefined && !(options.ops instanceof OpRegistry))
    throw new ArgumentError("ops", "an OpRegistry (the default: defaultOps)", options.ops, where);
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
      throw new WeftError(
        `the input '${layer.name}' was released (ChunkedArray.release()) before this computation read it: persist it again, or keep it until its last use`,
      );
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
    return finishPlan(
      draftFromTasks(graph, {
        outputs,
        inputs: explicit.map((key) => ({ key, ordinal: -1, chunk: 0 })),
        fusion,
        fuseOptions: options.fuseOptions,
        ops,
        walk: [],
        names: { names: [] },
      }),
    );
  }
  const walk = graph.layers();
  const names = namesOf(walk);
  const ordinals = new Map<Layer, number>(walk.map((l, i) => [l, i]));
  const layerFusion = options.blockwise !== false && fusion !== "none";
  const layers = layerFusion
    ? fuseBlockwise(graph, {
        keep: new Set([...outputs, ...explicit]),
        ops,
        maxIntermediateBytes: options.fuseOptions?.maxIntermediateBytes ?? DEFAULT_FUSE_OPTIONS.maxIntermediateBytes,
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

/** Task objects for a compiled plan's tasks (what Plan.tasks shows), keys named by `names`. */
export function taskViews(plan: CompiledPlan, names: KeyNames): Task[] {
  const n = plan.taskGroup.length;
  const out: Task[] = new Array(n);
  for (let p = 0; p < n; p++) {
    const group = plan.groups[plan.taskGroup[p]!]!;
    const chunk = plan.taskChunk[p]!;
    const inputKey = (j: number) => keyOf(plan, plan.depList[plan.depStart[p]! + j]!, names);
    const stepKeys = group.program.steps.map((_, j) => stepKeyOf(plan, p, j, names));
    const fillRefs = (v: unknown): unknown =>
      v instanceof InputHole
        ? ref(inputKey(v.index))
        : v instanceof StepHole
          ? ref(stepKeys[v.step]!)
          : Array.isArray(v)
            ? v.map(fillRefs)
            : v;
    const argOf = (a: ExecProgramArg): unknown => {
      switch (a.kind) {
        case "step":
          return ref(stepKeys[a.step]!);
        case "input":
          return ref(inputKey(a.index));
        case "inputs":
          return Array.from({ length: plan.depStart[p + 1]! - plan.depStart[p]! }, (_, j) => ref(inputKey(j)));
        case "literal":
          return a.value;
        case "chunk":
          return a.table[chunk];
        case "nested":
          return fillRefs(a.value);
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
