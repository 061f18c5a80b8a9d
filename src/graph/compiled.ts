/**
 * A compiled plan in the form executors run: tasks by position (run order), each a chunk of a
 * group whose program all its tasks share, with every per-task fact in a typed array (group,
 * chunk, inputs as positions, declared result size, what it reads for the last time). Nothing
 * here is per-task objects: a plan over 100,000 chunks of a fused expression is a few programs
 * and a few typed arrays, which is what workers receive, once per plan.
 *
 * Positions: tasks are 0 .. n-1 in run order, then the plan's inputs n .. n+m-1 (values bound at
 * each run: persisted chunks, user data, explicit inputs). A task's inputs are listed in the
 * order its program reads them (`{ kind: "input", index: j }` is the task's j-th input), and may
 * repeat a position: every count kept over them (readers, waiting inputs) counts edges.
 *
 * A compiled plan holds no input values and no graph: the runtime's plan cache keeps it for every
 * later graph of the same structure. Keys are not stored per task either; `keyOf` derives them
 * from where each group came from, in the graph the plan is run for (KeyNames).
 */
import { key as keyFor, type Key } from "./keys.js";
import type { OpDefinition } from "./ops.js";

/** A program argument: an earlier step's result, one of the task's inputs, all of them, a value, a number per chunk, or a list holding inputs. */
export type ExecProgramArg =
  | { readonly kind: "step"; readonly step: number }
  | { readonly kind: "input"; readonly index: number }
  | { readonly kind: "inputs" }
  | { readonly kind: "literal"; readonly value: unknown }
  | { readonly kind: "chunk"; readonly table: Float64Array }
  | { readonly kind: "nested"; readonly value: unknown };

/** Inside a "nested" argument (a list, at any depth): the task's input `index`, or step `step`'s result. */
export class InputHole {
  constructor(readonly index: number) {}
}
export class StepHole {
  constructor(readonly step: number) {}
}

/** The steps a group's tasks run, in order; the last step's result is the task's. */
export interface ExecProgram {
  readonly steps: readonly { readonly op: OpDefinition; readonly args: readonly ExecProgramArg[] }[];
}

/** Where a step's key comes from, so that a plan run for another graph names that graph's keys. */
export type KeyOrigin =
  /** Chunk `index` (TASK_CHUNK: the task's chunk) of the layer at `ordinal`, or of its inner level `depth` ("<name>.<depth>"). */
  | { readonly kind: "layer"; readonly ordinal: number; readonly depth: number; readonly index: number }
  /** Task `index` of the explicit task layer at `ordinal`. */
  | { readonly kind: "listed"; readonly ordinal: number; readonly index: number }
  /** A key named outright. */
  | { readonly kind: "key"; readonly key: Key };

/** KeyOrigin.index: the task's own chunk. */
export const TASK_CHUNK = -1;
/** KeyOrigin.index: a single named task (key(name), no index). */
export const SCALAR_KEY = -2;

/** A set of tasks sharing one program. */
export interface ExecGroup {
  readonly program: ExecProgram;
  /** For profiles: the ops, joined by "+". */
  readonly label: string;
  /** Resources a task holds while it runs (the largest any step asks for). */
  readonly resources: Readonly<Record<string, number>> | undefined;
  /** Where each step's key comes from. */
  readonly stepOrigins: readonly KeyOrigin[];
  /** A reduction's combine: it may run as late as its readers allow (see draft.ts). */
  readonly gather?: boolean;
}

/** Task counts after each step of compile(): what each pass removed. */
export interface PlanStats {
  materialized: number;
  culled: number;
  inlined: number;
  fused: number;
}

/**
 * The names a run's keys are made from: per layer of the graph being run (in the order of its
 * walk, Graph.layers()), its name, and for explicit task layers their keys.
 */
export interface KeyNames {
  readonly names: readonly string[];
  readonly listed?: readonly (readonly Key[] | undefined)[];
}

/** The executable form of a plan (see the module comment). */
export interface CompiledPlan {
  readonly groups: readonly ExecGroup[];
  /** Per task (position < n): its group and chunk. */
  readonly taskGroup: Int32Array;
  readonly taskChunk: Int32Array;
  /** Inputs of task i as positions: depList[depStart[i] .. depStart[i + 1]). */
  readonly depStart: Int32Array;
  readonly depList: Int32Array;
  /** Declared result size of each task in bytes, or -1 when unknown. */
  readonly resultBytes: Float64Array;
  /** Inputs bound at each run (positions n .. n + inputCount - 1). */
  readonly inputCount: number;
  /**
   * Where input j's value comes from: chunk inputChunk[j] of the input layer at
   * inputOrdinal[j], or (ordinal -1) the explicit input inputKeys[j] of compile().
   */
  readonly inputOrdinal: Int32Array;
  readonly inputChunk: Int32Array;
  /** Keys of the inputs as compiled (what compile()'s `inputs` named, or the input layers' keys). */
  readonly inputKeys: readonly Key[];
  /** Positions of the outputs, in order (an output may be an input's position). */
  readonly outputPositions: Int32Array;
  /** Positions whose last reader is task i: lastReadFlat[lastReadCut[i] .. lastReadCut[i + 1]) (outputs excluded). */
  readonly lastReadCut: Int32Array;
  readonly lastReadFlat: Int32Array;
  /** Names of the layers of the graph it was compiled from (KeyNames for its own keys). */
  readonly names: KeyNames;
  readonly stats: PlanStats;
}

/** Number of tasks of a plan. */
export const taskCount = (p: CompiledPlan): number => p.taskGroup.length;

/** The key of step `step` (default: the last) of the task at `position`, named for the graph `names` describes. */
export function stepKeyOf(plan: CompiledPlan, position: number, step?: number, names: KeyNames = plan.names): Key {
  const group = plan.groups[plan.taskGroup[position]!]!;
  const origin = group.stepOrigins[step ?? group.stepOrigins.length - 1] ?? group.stepOrigins[group.stepOrigins.length - 1]!;
  return keyFromOrigin(origin, plan.taskChunk[position]!, names);
}

/** The key at `position` (a task's, or an input's), named for the graph `names` describes. */
export function keyOf(plan: CompiledPlan, position: number, names: KeyNames = plan.names): Key {
  const n = plan.taskGroup.length;
  if (position < n) return stepKeyOf(plan, position, undefined, names);
  const j = position - n;
  const ordinal = plan.inputOrdinal[j]!;
  if (ordinal < 0) return plan.inputKeys[j]!;
  return keyFromOrigin({ kind: "layer", ordinal, depth: 0, index: plan.inputChunk[j]! }, 0, names);
}

function keyFromOrigin(origin: KeyOrigin, chunk: number, names: KeyNames): Key {
  switch (origin.kind) {
    case "key":
      return origin.key;
    case "listed": {
      const keys = names.listed?.[origin.ordinal];
      return keys?.[origin.index] ?? keyFor(names.names[origin.ordinal]!, origin.index);
    }
    case "layer": {
      const base = names.names[origin.ordinal]!;
      const name = origin.depth > 0 ? `${base}.${origin.depth}` : base;
      const index = origin.index === TASK_CHUNK ? chunk : origin.index;
      return index === SCALAR_KEY ? keyFor(name) : keyFor(name, index);
    }
  }
}

/** Bytes a plan holds in typed arrays and tables (what the plan cache counts against its limit). */
export function planBytes(p: CompiledPlan): number {
  let bytes = p.taskGroup.byteLength + p.taskChunk.byteLength + p.depStart.byteLength + p.depList.byteLength + p.resultBytes.byteLength;
  bytes +=
    p.inputOrdinal.byteLength +
    p.inputChunk.byteLength +
    p.outputPositions.byteLength +
    p.lastReadCut.byteLength +
    p.lastReadFlat.byteLength;
  const tables = new Set<Float64Array>();
  for (const g of p.groups) {
    bytes += 256 + 64 * g.program.steps.length;
    for (const s of g.program.steps) for (const a of s.args) if (a.kind === "chunk") tables.add(a.table);
  }
  for (const t of tables) bytes += t.byteLength;
  return bytes;
}
