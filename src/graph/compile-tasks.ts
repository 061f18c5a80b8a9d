/**
 * Compiling through tasks: for graphs with explicit tasks (a TaskMap, or a Graph holding
 * TaskLayers), and for the fusion modes other than the default. The tasks are materialized
 * (chunks of fused blockwise layers as light ProgramTasks), indexed once, culled, checked,
 * constants inlined, fused and turned into a draft: each fused task its own group, except the
 * ProgramTasks of one fused layer, which share their program as they do in compile-layers.ts.
 */
import { type BlockProgram, ProgramTask } from "./blockwise.js";
import { programSteps } from "./compile-layers.js";
import { checkOutputs } from "./analyze.js";
import { InputHole, SCALAR_KEY, StepHole, type ExecGroup, type ExecProgramArg, type KeyNames, type KeyOrigin } from "./compiled.js";
import type { PlanDraft } from "./draft.js";
import { GraphError } from "./errors.js";
import { fuseGraph, type FuseOptions } from "./fuse.js";
import type { TaskMap } from "./graph.js";
import { indexGraph, reachable, subgraph, topologicalIndices } from "./indexed.js";
import { inlineConstants } from "./inline.js";
import { isKey, keyIndex, keyName, type Key } from "./keys.js";
import { chunkRead, Layer, TaskLayer, TreeReductionLayer, type BlockwiseInput } from "./layers.js";
import { CONST, INPUT, type OpRegistry } from "./ops.js";
import { copyLists } from "./structure.js";
import { Ref, resourcesOf, stepsOf, task, taskDependencies, type Task } from "./task.js";

/** What compileTasks needs besides the tasks. */
export interface TaskCompileOptions {
  outputs: readonly Key[];
  /** Keys bound at each run: explicit inputs (ordinal -1) and input layers' chunks. */
  inputs: readonly { key: Key; ordinal: number; chunk: number }[];
  fusion: "aggressive" | "linear" | "none";
  fuseOptions: FuseOptions | undefined;
  ops: OpRegistry;
  /** The layers of the graph in walk order (empty for a TaskMap), for naming keys. */
  walk: readonly Layer[];
  names: KeyNames;
}

/** The draft of a plan from explicit tasks (the passes of fuse.ts, inline.ts and friends). */
export function draftFromTasks(materialized: TaskMap, o: TaskCompileOptions): PlanDraft {
  let all: TaskMap = materialized;
  const inputKeys = o.inputs.map((i) => i.key);
  if (o.inputs.length > 0) {
    const withInputs = new Map(all);
    // an input replaces whatever task produced that key: its value comes from the bindings
    for (const k of inputKeys) withInputs.set(k, task(k, INPUT, isKey(k) ? keyName(k) : String(k)));
    all = withInputs;
  }
  checkOutputs(all, o.outputs);
  const full = indexGraph(all, { allowMissing: true });
  const needed = reachable(
    full,
    [...o.outputs, ...inputKeys.filter((k) => all.has(k))].map((k) => full.indexOf(k)),
  );
  const dangling = (full.missing ?? []).filter((j) => needed[j]);
  if (dangling.length > 0) {
    const j = dangling[0]!;
    throw GraphError.missing(
      full.keys[j]!,
      taskDependencies(full.tasks[j]!).filter((k) => !all.has(k)),
    );
  }
  let culled = subgraph(full, needed);
  checkOps(culled.tasks, o.ops);
  const keep = [...o.outputs, ...inputKeys.filter((k) => culled.indexOf(k) >= 0)];
  const culledCount = culled.size;
  if (culled.tasks.some((t) => t.op === CONST)) {
    // constants to inline: rare, and worth a trip through maps
    const asMap = new Map(culled.tasks.map((t) => [t.key, t]));
    culled = indexGraph(inlineConstants(asMap, keep));
  }
  let fused: TaskMap;
  if (o.fusion === "none") {
    topologicalIndices(culled); // cycles
    fused = new Map(culled.tasks.map((t) => [t.key, t]));
  } else {
    fused = fuseGraph(culled, keep, o.fusion, o.fuseOptions);
  }
  return toDraft(fused, o, { materialized: all.size, culled: culledCount, inlined: culled.size });
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

/** Where keys come from in the walk: by layer name, by inner tree level, or listed in a task layer. */
function originFinder(walk: readonly Layer[]): (k: Key) => KeyOrigin {
  const byName = new Map<string, number>();
  walk.forEach((l, i) => byName.set(l.name, i));
  let listed: Map<Key, [number, number]> | undefined;
  const listedOf = (k: Key) => {
    if (!listed) {
      listed = new Map();
      walk.forEach((l, i) => {
        if (l instanceof TaskLayer) l.keys().forEach((lk, j) => listed!.set(lk, [i, j]));
      });
    }
    return listed.get(k);
  };
  return (k) => {
    const inList = listedOf(k);
    if (inList) return { kind: "listed", ordinal: inList[0], index: inList[1] };
    if (!isKey(k)) return { kind: "key", key: k };
    const name = keyName(k);
    const index = keyIndex(k) ?? SCALAR_KEY;
    const ordinal = byName.get(name);
    if (ordinal !== undefined && walk[ordinal]!.hasKey(k)) return { kind: "layer", ordinal, depth: 0, index };
    const level = /^(.*)\.(\d+)$/.exec(name);
    const tree = level ? byName.get(level[1]!) : undefined;
    if (tree !== undefined && walk[tree] instanceof TreeReductionLayer)
      return { kind: "layer", ordinal: tree, depth: Number(level![2]), index };
    return { kind: "key", key: k };
  };
}

/** The fused tasks as a draft: ids in map order, inputs after them. */
function toDraft(fused: TaskMap, o: TaskCompileOptions, counts: PlanDraft["counts"]): PlanDraft {
  const ids = new Map<Key, number>();
  const tasks: Task[] = [];
  for (const [k, t] of fused) {
    if (t.op === INPUT) continue;
    ids.set(k, tasks.length);
    tasks.push(t);
  }
  const T = tasks.length;
  const inputs = o.inputs.filter((i) => fused.has(i.key));
  inputs.forEach((i, j) => ids.set(i.key, T + j));
  const idOf = (k: Key) => ids.get(k)!;
  const originOf = originFinder(o.walk);
  const ordinals = new Map<Layer, number>(o.walk.map((l, i) => [l, i]));
  const ordinalOf = (l: Layer) => ordinals.get(l) ?? -1;
  const groups: ExecGroup[] = [];
  const programGroups = new Map<BlockProgram, { group: number; external: (BlockwiseInput & object)[] }>();
  const taskGroup = new Int32Array(T);
  const taskChunk = new Int32Array(T);
  const resultBytes = new Float64Array(T).fill(-1);
  const depStart = new Int32Array(T + 1);
  const depList: number[] = [];
  tasks.forEach((t, i) => {
    if (t instanceof ProgramTask) {
      let entry = programGroups.get(t.program);
      if (!entry) {
        const { group, external } = programGroup(t.program, o.ops, ordinalOf);
        entry = { group: groups.push(group) - 1, external };
        programGroups.set(t.program, entry);
      }
      taskGroup[i] = entry.group;
      taskChunk[i] = t.chunk;
      for (const input of entry.external) {
        const layer = input instanceof Layer ? input : (input as { layer: Layer }).layer;
        depList.push(idOf(layer.keyAt(chunkRead(input, t.chunk))));
      }
    } else {
      const { group, inputs: external } = stepsGroup(t, o.ops, originOf);
      groups.push(group);
      taskGroup[i] = groups.length - 1;
      for (const k of external) depList.push(idOf(k));
    }
    const b = t instanceof ProgramTask ? t.bytes : stepsOf(t).at(-1)!.bytes;
    if (b !== undefined) resultBytes[i] = b;
    depStart[i + 1] = depList.length;
  });
  return {
    groups,
    taskGroup,
    taskChunk,
    resultBytes,
    depStart,
    depList: Int32Array.from(depList),
    inputOrdinal: Int32Array.from(inputs, (i) => i.ordinal),
    inputChunk: Int32Array.from(inputs, (i) => i.chunk),
    inputKeys: inputs.map((i) => i.key),
    outputs: Int32Array.from(o.outputs, idOf),
    names: o.names,
    counts,
  };
}

/** The group of a fused blockwise layer's program, and its external inputs in first-read order. */
function programGroup(
  program: BlockProgram,
  ops: OpRegistry,
  ordinalOf: (l: Layer) => number,
): { group: ExecGroup; external: (BlockwiseInput & object)[] } {
  const { steps, external } = programSteps(program, ordinalOf);
  const group: ExecGroup = {
    program: { steps: steps.map((s) => ({ op: ops.get(s.op)!, args: s.args })) },
    label: steps.map((s) => s.op).join("+"),
    resources: undefined,
    stepOrigins: steps.map((s) => s.origin),
  };
  return { group, external };
}

/** A task's own group: its steps as a program, refs to other tasks as its inputs (in first-read order). */
function stepsGroup(t: Task, ops: OpRegistry, originOf: (k: Key) => KeyOrigin): { group: ExecGroup; inputs: Key[] } {
  const steps = stepsOf(t);
  const internal = new Map<Key, number>(steps.length > 1 ? steps.map((s, j) => [s.key, j]) : []);
  const inputs: Key[] = [];
  const inputIndex = new Map<Key, number>();
  const indexOf = (k: Key) => {
    let j = inputIndex.get(k);
    if (j === undefined) inputIndex.set(k, (j = inputs.push(k) - 1));
    return j;
  };
  const hasRef = (a: unknown): boolean => a instanceof Ref || (Array.isArray(a) && a.some(hasRef));
  const holes = (a: unknown): unknown =>
    a instanceof Ref
      ? internal.has(a.key)
        ? new StepHole(internal.get(a.key)!)
        : new InputHole(indexOf(a.key))
      : Array.isArray(a)
        ? a.map(holes)
        : a;
  const program = {
    steps: steps.map((s) => ({
      op: ops.get(s.op)!,
      args: s.args.map((a): ExecProgramArg => {
        if (a instanceof Ref)
          return internal.has(a.key) ? { kind: "step", step: internal.get(a.key)! } : { kind: "input", index: indexOf(a.key) };
        if (Array.isArray(a) && hasRef(a)) return { kind: "nested", value: holes(a) };
        return { kind: "literal", value: copyLists(a) };
      }),
    })),
  };
  const group: ExecGroup = {
    program,
    label: steps.map((s) => s.op).join("+"),
    resources: resourcesOf(t),
    stepOrigins: steps.map((s) => originOf(s.key)),
    gather: steps.length === 1 && t.gather === true,
  };
  return { group, inputs };
}
