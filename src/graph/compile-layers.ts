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
import type { PlanDraft } from "./draft.js";
import { GraphError } from "./errors.js";
import { BlockProgram, FusedBlockwiseLayer, sameInput } from "./blockwise.js";
import { keyIndex, keyName, isKey, type Key } from "./keys.js";
import { BlockwiseLayer, InputLayer, Layer, TreeReductionLayer, type BlockwiseInput } from "./layers.js";
import type { OpDefinition, OpRegistry } from "./ops.js";
import { copyLists } from "./structure.js";
import { ChunkTable } from "./tables.js";

/** Whether compileLayers can take every one of these (fused) layers. */
export function allLazy(layers: readonly Layer[]): boolean {
  return layers.every(
    (l) => l instanceof BlockwiseLayer || l instanceof FusedBlockwiseLayer || l instanceof TreeReductionLayer || l instanceof InputLayer,
  );
}

/** One step of a program being built: its op's name and its arguments (inputs by index into the program's input list). */
export interface StepSpec {
  op: string;
  args: ExecProgramArg[];
  origin: KeyOrigin;
}

/**
 * The steps of a blockwise program as a group's program sees them: arguments that read a layer
 * outside the group become the task's inputs, each distinct one once, in the order first read
 * (the order of the task's inputs in the plan).
 */
export function programSteps(
  program: BlockProgram,
  ordinalOf: (l: Layer) => number,
): { steps: StepSpec[]; external: (BlockwiseInput & object)[] } {
  const external: (BlockwiseInput & object)[] = [];
  const steps = program.steps.map((s): StepSpec => {
    const ordinal = ordinalOf(s.layer);
    return {
      op: s.op,
      // every member is a layer of the walk; a stranger is named by its first key, if it has one
      origin:
        ordinal >= 0
          ? { kind: "layer", ordinal, depth: 0, index: TASK_CHUNK }
          : { kind: "key", key: s.layer.size > 0 ? s.layer.keyAt(0) : -1 },
      args: s.args.map((a): ExecProgramArg => {
        if (a.kind === "step") return a;
        if (a.kind === "literal") return { kind: "literal", value: copyLists(a.value) };
        if (a.kind === "chunk") return { kind: "chunk", table: a.table.values };
        let j = external.findIndex((x) => sameInput(x, a.input));
        if (j < 0) j = external.push(a.input) - 1;
        return { kind: "input", index: j };
      }),
    };
  });
  return { steps, external };
}

/** A layer as the draft sees it: its group(s), and where its tasks and edges go. */
interface Unit {
  readonly layer: Layer;
  /** Blockwise: the program's external inputs (first-read order) and its steps. */
  readonly external?: readonly (BlockwiseInput & object)[];
  readonly steps?: StepSpec[];
  /** Tree: tasks per group at each level, the final level (one per group) last. */
  readonly levels?: readonly number[];
  /** First task id, first edge. */
  firstTask: number;
  firstEdge: number;
}

/**
 * The draft of a plan for `outputs` over `layers` (blockwise-fused, dependencies first; every
 * one lazy: see allLazy). `ordinalOf` gives each layer of the graph as the user built it (the
 * members of fused layers included) its place in the graph's walk, for naming keys.
 *
 * Two passes: the first counts each layer's tasks and edges (O(layers)), the second fills
 * typed arrays of exactly that size in tight loops, one per layer.
 */
export function draftFromLayers(
  layers: readonly Layer[],
  outputs: readonly Key[],
  ordinalOf: (l: Layer) => number,
  names: KeyNames,
  ops: OpRegistry,
): PlanDraft {
  const groups: ExecGroup[] = [];
  const units: Unit[] = [];
  const inputBase = new Map<Layer, number>();
  const inputOrdinal: number[] = [];
  const inputChunk: number[] = [];
  const inputKeys: Key[] = [];
  let tasks = 0;
  let edges = 0;
  let materialized = 0;
  const resolveOp = (name: string, l: Layer): OpDefinition => {
    const op = ops.get(name);
    if (!op) throw GraphError.unknownOp(l.size > 0 ? [l.keyAt(0)] : [], name, ops.names());
    return op;
  };
  const addGroup = (l: Layer, steps: StepSpec[], gather = false): number => {
    const program: ExecProgram = { steps: steps.map((st) => ({ op: resolveOp(st.op, l), args: st.args })) };
    groups.push({
      program,
      label: steps.map((st) => st.op).join("+"),
      resources: undefined,
      stepOrigins: steps.map((st) => st.origin),
      gather,
    });
    return groups.length - 1;
  };

  // pass 1: programs, and how many tasks and edges each layer makes
  for (const l of layers) {
    if (l instanceof InputLayer) {
      inputBase.set(l, inputOrdinal.length);
      const ordinal = ordinalOf(l);
      for (let c = 0; c < l.size; c++) {
        inputOrdinal.push(ordinal);
        inputChunk.push(c);
        inputKeys.push(l.keyAt(c));
      }
      materialized += l.size;
      continue;
    }
    if (l instanceof TreeReductionLayer) {
      const levels = [...l.innerLevels, 1];
      const unit: Unit = { layer: l, levels, firstTask: tasks, firstEdge: edges };
      let below = l.perGroup;
      for (const perGroup of levels) {
        tasks += perGroup * l.groupCount;
        edges += below * l.groupCount; // each task of the level below is read once
        below = perGroup;
      }
      materialized += levels.reduce((a, b) => a + b, 0) * l.groupCount;
      units.push(unit);
      continue;
    }
    // a blockwise layer, fused or not: one program, its external inputs in first-read order
    const { steps, external } = programSteps(
      l instanceof FusedBlockwiseLayer ? l.program : new BlockProgram([l as BlockwiseLayer]),
      ordinalOf,
    );
    units.push({ layer: l, external, steps, firstTask: tasks, firstEdge: edges });
    tasks += l.size;
    edges += l.size * external.length;
    materialized += l.size;
  }

  const T = tasks;
  const taskGroup = new Int32Array(T);
  const taskChunk = new Int32Array(T);
  const resultBytes = new Float64Array(T).fill(-1);
  const depStart = new Int32Array(T + 1);
  const depList = new Int32Array(edges);
  /** Id of the first chunk of a layer's result (its chunk c is that + c). */
  const firstId = new Map<Layer, number>();
  const idBase = (l: Layer): number => {
    const b = firstId.get(l);
    if (b !== undefined) return b;
    const ib = inputBase.get(l);
    if (ib === undefined) throw new GraphError(`internal error: layer ${l.name} read before it was compiled`, []);
    return T + ib;
  };

  // pass 2: fill
  for (const unit of units) {
    const l = unit.layer;
    let t = unit.firstTask;
    let e = unit.firstEdge;
    if (l instanceof TreeReductionLayer) {
      const s = l.splitEvery,
        G = l.groupCount,
        ordinal = ordinalOf(l);
      const lead: ExecProgramArg[] = l.leadingArgs.map((value) => ({ kind: "literal", value: copyLists(value) }));
      const levels = unit.levels!;
      // ids of the level below: group g's m-th value
      const inputFirst = idBase(l.input);
      let belowFirst = -1; // -1: the input layer, through the members
      let perBelow = l.perGroup;
      for (let d = 0; d < levels.length; d++) {
        const perGroup = levels[d]!;
        const final = d === levels.length - 1;
        const single = final && perBelow === 1 && l.single !== undefined;
        const group = addGroup(
          l,
          [
            {
              op: single ? l.single! : l.op,
              args: single ? [{ kind: "input", index: 0 }] : [...lead, { kind: "inputs" }],
              origin: { kind: "layer", ordinal, depth: final ? 0 : d + 1, index: TASK_CHUNK },
            },
          ],
          !single,
        );
        const levelFirst = t;
        for (let g = 0; g < G; g++) {
          const b = l.bytes(g) ?? -1;
          for (let k = 0; k < perGroup; k++) {
            taskGroup[t] = group;
            taskChunk[t] = g * perGroup + k;
            resultBytes[t] = b;
            depStart[t] = e;
            const to = final ? perBelow : Math.min((k + 1) * s, perBelow);
            for (let m = final ? 0 : k * s; m < to; m++) {
              depList[e++] = belowFirst < 0 ? inputFirst + l.memberChunk(g, m) : belowFirst + g * perBelow + m;
            }
            t++;
          }
        }
        belowFirst = levelFirst;
        perBelow = perGroup;
      }
      firstId.set(l, belowFirst);
      continue;
    }
    const external = unit.external!;
    const group = addGroup(l, unit.steps!);
    const root = l instanceof FusedBlockwiseLayer ? l.root : (l as BlockwiseLayer);
    const n = l.size;
    const sourceFirst = external.map((x) => idBase(x instanceof Layer ? x : (x as { layer: Layer }).layer));
    const tables = external.map((x) => (x instanceof Layer ? undefined : (x as { chunkOf: ChunkTable }).chunkOf.values));
    const broadcast = external.map((x) => x instanceof Layer && x.size === 1);
    const bytes = root.chunkBytes;
    for (let c = 0; c < n; c++) {
      taskGroup[t] = group;
      taskChunk[t] = c;
      depStart[t] = e;
      for (let j = 0; j < external.length; j++) {
        const table = tables[j];
        depList[e++] = sourceFirst[j]! + (table ? table[c]! : broadcast[j] ? 0 : c);
      }
      t++;
    }
    if (typeof bytes === "number") resultBytes.fill(bytes, unit.firstTask, unit.firstTask + n);
    else if (bytes instanceof ChunkTable) resultBytes.set(bytes.values, unit.firstTask);
    else if (bytes) for (let c = 0; c < n; c++) resultBytes[unit.firstTask + c] = bytes(c);
    firstId.set(l, unit.firstTask);
    if (l instanceof FusedBlockwiseLayer) firstId.set(l.root, unit.firstTask);
  }
  depStart[T] = edges;

  // outputs: chunk keys of the (fused) layers
  const byName = new Map<string, Layer>();
  for (const l of layers) byName.set(l.name, l);
  const missing: Key[] = [];
  const outputIds = Int32Array.from(outputs, (k) => {
    const l = isKey(k) ? byName.get(keyName(k)) : undefined;
    if (!l?.hasKey(k)) {
      missing.push(k);
      return 0;
    }
    return idBase(l) + keyIndex(k)!;
  });
  if (missing.length > 0) throw GraphError.missingOutput(missing);
  return {
    groups,
    taskGroup,
    taskChunk,
    resultBytes,
    depStart,
    depList,
    inputOrdinal: Int32Array.from(inputOrdinal),
    inputChunk: Int32Array.from(inputChunk),
    inputKeys,
    outputs: outputIds,
    names,
    counts: { materialized, culled: -1, inlined: -1 },
  };
}
