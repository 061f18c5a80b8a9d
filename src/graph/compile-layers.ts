/**
 * Compiling a graph of lazy layers without making its tasks: each layer (after blockwise fusion)
 * becomes one group of tasks sharing one program, and the tasks' inputs are worked out from the
 * layers' rules into typed arrays (chunk i of a blockwise layer reads chunk i, or 0, or the one
 * a table names, of each input layer; a tree reduction's task reads a run of the level below).
 * No Task object, no key and no Map entry is made per chunk: compiling 10,000 chunks of a fused
 * expression costs what filling a few typed arrays of that length costs.
 *
 * Graphs holding explicit task layers (TaskLayer) take the task-level passes instead
 * (compile-tasks.ts); both end in the same draft, and the same CompiledPlan.
 */
import type { ExecGroup, ExecProgram, ExecProgramArg, KeyNames, KeyOrigin } from "./compiled.js";
import { TASK_CHUNK } from "./compiled.js";
import { IntList, type PlanDraft } from "./draft.js";
import { GraphError } from "./errors.js";
import { FusedBlockwiseLayer, sameInput } from "./blockwise.js";
import { keyIndex, keyName, isKey, type Key } from "./keys.js";
import { BlockwiseLayer, chunkRead, InputLayer, Layer, TreeReductionLayer, type BlockwiseInput } from "./layers.js";
import type { OpDefinition, OpRegistry } from "./ops.js";

/** Whether compileLayers can take every one of these (fused) layers. */
export function allLazy(layers: readonly Layer[]): boolean {
  return layers.every((l) => l instanceof BlockwiseLayer || l instanceof FusedBlockwiseLayer || l instanceof TreeReductionLayer || l instanceof InputLayer);
}

/** One step of a program being built: its op's name and its arguments (inputs by index into the program's input list). */
interface StepSpec {
  op: string;
  args: ExecProgramArg[];
  origin: KeyOrigin;
}

/**
 * The draft of a plan for `outputs` over `layers` (blockwise-fused, dependencies first; every
 * one lazy: see allLazy). `ordinalOf` gives each layer of the graph as the user built it (the
 * members of fused layers included) its place in the graph's walk, for naming keys.
 */
export function draftFromLayers(
  layers: readonly Layer[], outputs: readonly Key[], ordinalOf: (l: Layer) => number, names: KeyNames, ops: OpRegistry,
): PlanDraft {
  const groups: ExecGroup[] = [];
  const taskGroup = new IntList(1024);
  const taskChunk = new IntList(1024);
  const bytes: number[] = [];
  const depStart = new IntList(1024);
  depStart.push(0);
  const depList = new IntList(4096);
  /** Each layer's chunk c as an id: base + c (tasks), or an input id (for input layers, fixed up at the end). */
  const base = new Map<Layer, number>();
  const inputBase = new Map<Layer, number>();
  const inputOrdinal: number[] = [];
  const inputChunk: number[] = [];
  const inputKeys: Key[] = [];
  let materialized = 0;
  const INPUT_FLAG = 0x40000000; // input ids are tagged until the task count is known
  const idOf = (l: Layer, chunk: number): number => {
    const b = base.get(l);
    if (b !== undefined) return b + chunk;
    const ib = inputBase.get(l);
    if (ib === undefined) throw new GraphError(`internal error: layer ${l.name} read before it was compiled`, []);
    return (ib + chunk) | INPUT_FLAG;
  };
  const resolveOp = (name: string, l: Layer): OpDefinition => {
    const op = ops.get(name);
    if (!op) throw GraphError.unknownOp([l.size > 0 ? l.keyAt(0) : -1].filter((k) => k >= 0), name, ops.names());
    return op;
  };
  const addGroup = (l: Layer, steps: StepSpec[]): number => {
    const program: ExecProgram = { steps: steps.map((s) => ({ op: resolveOp(s.op, l), args: s.args })) };
    groups.push({ program, label: steps.map((s) => s.op).join("+"), resources: undefined, stepOrigins: steps.map((s) => s.origin) });
    return groups.length - 1;
  };
  const addTask = (group: number, chunk: number, deps: readonly number[] | ((push: (id: number) => void) => void), b: number | undefined) => {
    taskGroup.push(group);
    taskChunk.push(chunk);
    bytes.push(b ?? -1);
    if (typeof deps === "function") deps((id) => depList.push(id));
    else for (const id of deps) depList.push(id);
    depStart.push(depList.length);
  };

  for (const l of layers) {
    if (l instanceof InputLayer) {
      inputBase.set(l, inputOrdinal.length);
      const ordinal = ordinalOf(l);
      for (let c = 0; c < l.size; c++) {
        inputOrdinal.push(ordinal);
        inputChunk.push(c);
        inputKeys.push(l.keyAt(c));
      }
      continue;
    }
    if (l instanceof TreeReductionLayer) {
      materialized += addTree(l);
      continue;
    }
    // a blockwise layer, fused or not: one program, its external inputs in first-read order
    const members = l instanceof FusedBlockwiseLayer ? l.members : [l as BlockwiseLayer];
    const external: (BlockwiseInput & object)[] = [];
    const slot = new Map<Layer, number>(members.map((m, j) => [m, j]));
    const steps: StepSpec[] = members.map((m) => ({
      op: m.op,
      origin: { kind: "layer", ordinal: ordinalOf(m), depth: 0, index: TASK_CHUNK },
      args: m.inputs.map((input): ExecProgramArg => {
        if (input instanceof Layer && slot.has(input)) return { kind: "step", step: slot.get(input)! };
        if (input instanceof Layer || "chunkOf" in input) {
          let j = external.findIndex((x) => sameInput(x, input));
          if (j < 0) j = external.push(input) - 1;
          return { kind: "input", index: j };
        }
        if ("literal" in input) return { kind: "literal", value: input.literal };
        return { kind: "chunk", table: input.perChunk.values };
      }),
    }));
    const group = addGroup(l, steps);
    const root = members[members.length - 1]!;
    const sources = external.map((x) => (x instanceof Layer ? x : (x as { layer: Layer }).layer));
    base.set(l, taskGroup.length);
    for (const m of members) base.set(m, taskGroup.length); // members' chunks are the group's tasks (only the root's are read outside)
    materialized += l.size;
    for (let c = 0; c < l.size; c++) {
      addTask(group, c, (push) => {
        for (let j = 0; j < external.length; j++) push(idOf(sources[j]!, chunkRead(external[j]!, c)));
      }, root.bytes(c));
    }
  }

  /** A tree reduction: a group per level, the final level last (its tasks are the layer's chunks). */
  function addTree(t: TreeReductionLayer): number {
    const s = t.splitEvery;
    const levels = t.innerLevels;
    const ordinal = ordinalOf(t);
    const lead: ExecProgramArg[] = t.leadingArgs.map((value) => ({ kind: "literal", value }));
    let made = 0;
    // ids of the level below, per group: its first id, and the tasks per group there
    let below: ((g: number, m: number) => number) = (g, m) => idOf(t.input, t.memberChunk(g, m));
    let perGroupBelow = t.perGroup;
    levels.forEach((perGroup, d) => {
      const group = addGroup(t, [{ op: t.op, args: [...lead, { kind: "inputs" }], origin: { kind: "layer", ordinal, depth: d + 1, index: TASK_CHUNK } }]);
      const first = taskGroup.length;
      const from = below, count = perGroupBelow;
      for (let g = 0; g < t.groupCount; g++) {
        for (let k = 0; k < perGroup; k++) {
          addTask(group, g * perGroup + k, (push) => {
            for (let m = k * s; m < Math.min((k + 1) * s, count); m++) push(from(g, m));
          }, t.bytes(g));
        }
      }
      made += perGroup * t.groupCount;
      below = (g, m) => first + g * perGroup + m;
      perGroupBelow = perGroup;
    });
    const single = perGroupBelow === 1 && t.single !== undefined;
    const group = addGroup(t, [{
      op: single ? t.single! : t.op,
      args: single ? [{ kind: "input", index: 0 }] : [...lead, { kind: "inputs" }],
      origin: { kind: "layer", ordinal, depth: 0, index: TASK_CHUNK },
    }]);
    base.set(t, taskGroup.length);
    for (let g = 0; g < t.groupCount; g++) {
      addTask(group, g, (push) => {
        for (let m = 0; m < perGroupBelow; m++) push(below(g, m));
      }, t.bytes(g));
    }
    return made + t.groupCount;
  }

  // outputs: chunk keys of the (fused) layers
  const byName = new Map<string, Layer>();
  for (const l of layers) byName.set(l.name, l);
  const missing: Key[] = [];
  const outputIds = Int32Array.from(outputs, (k) => {
    const l = isKey(k) ? byName.get(keyName(k)) : undefined;
    if (!l || !l.hasKey(k)) {
      missing.push(k);
      return 0;
    }
    return idOf(l, keyIndex(k)!);
  });
  if (missing.length > 0) throw GraphError.missingOutput(missing);

  const T = taskGroup.length;
  const fix = (id: number) => (id & INPUT_FLAG ? T + (id & ~INPUT_FLAG) : id);
  const deps = depList.toArray();
  for (let q = 0; q < deps.length; q++) deps[q] = fix(deps[q]!);
  for (let q = 0; q < outputIds.length; q++) outputIds[q] = fix(outputIds[q]!);
  return {
    groups,
    taskGroup: taskGroup.toArray(),
    taskChunk: taskChunk.toArray(),
    resultBytes: Float64Array.from(bytes),
    depStart: depStart.toArray(),
    depList: deps,
    inputOrdinal: Int32Array.from(inputOrdinal),
    inputChunk: Int32Array.from(inputChunk),
    inputKeys,
    outputs: outputIds,
    names,
    counts: { materialized: materialized + inputOrdinal.length, culled: -1, inlined: -1 },
  };
}
