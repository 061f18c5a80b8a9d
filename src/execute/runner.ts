/**
 * The contract between a task's program and the executor running it: what a task needs of its
 * plan (RunnablePlan), where its buffers come from (RunnerHooks), and how a step's arguments
 * are resolved from literals, chunk tables, inputs and earlier steps (argValue). run-task.ts
 * runs programs step by step, tiles.ts tile by tile; both read arguments here.
 */
import type { Kernels } from "../kernels/index.js";
import type { BufferViews } from "../memory/index.js";
import { InputHole, StepHole, type CompiledPlan, type ExecProgram, type ExecProgramArg } from "../graph/compiled.js";
import type { Key } from "../graph/keys.js";

/** What a task needs of its plan to run: the typed arrays and the programs (a CompiledPlan, or a worker's copy). */
export type RunnablePlan = Pick<CompiledPlan, "taskGroup" | "taskChunk" | "depStart" | "depList"> & {
  readonly groups: readonly { readonly program: ExecProgram }[];
};

/** Where a running task's buffers come from: the executor's policy. */
export interface RunnerHooks {
  readonly kernels: Kernels | undefined;
  /** context.alloc of the last step: the task's result, which outlives the task (`position`: the task's, for errors). */
  allocResult(bytes: number, position: number): BufferViews;
  /** context.alloc of an earlier step: scratch, valid until the task ends. */
  allocScratch(bytes: number, position: number): BufferViews;
  /** The task's result made independent of its scratch (a scratch buffer is copied out). */
  own(result: unknown): unknown;
  /** Gives back an intermediate value (a heap buffer a step made) that is not `keep`. */
  dropIntermediate(value: unknown, keep: unknown): void;
  /** Called when the task ends, failed or not: scratch is taken back. */
  endTask(): void;
  /** The key of the task at `position` (executors that know the run's keys; others give the position). */
  keyOf?(position: number): Key;
}

/** A list with holes filled: inputs through `input`, steps from `results`; lists without holes pass as the same object. */
function fill(a: unknown, results: readonly unknown[], input: (j: number) => unknown): unknown {
  if (a instanceof InputHole) return input(a.index);
  if (a instanceof StepHole) return results[a.step];
  if (!Array.isArray(a)) return a;
  let changed: unknown[] | undefined;
  for (let i = 0; i < a.length; i++) {
    const v = fill(a[i], results, input);
    if (v !== a[i] && !changed) changed = a.slice(0, i);
    if (changed) changed.push(v);
  }
  return changed ?? a;
}

/** The value of argument `a` of a step of the task at `position`. */
export function argValue(
  a: ExecProgramArg,
  plan: RunnablePlan,
  position: number,
  results: readonly unknown[],
  valueAt: (p: number) => unknown,
): unknown {
  switch (a.kind) {
    case "step":
      return results[a.step];
    case "input":
      return valueAt(plan.depList[plan.depStart[position]! + a.index]!);
    case "literal":
      return a.value;
    case "chunk":
      return a.table[plan.taskChunk[position]!];
    case "inputs": {
      const from = plan.depStart[position]!,
        to = plan.depStart[position + 1]!;
      const list: unknown[] = new Array(to - from);
      for (let q = from; q < to; q++) list[q - from] = valueAt(plan.depList[q]!);
      return list;
    }
    case "nested": {
      const base = plan.depStart[position]!;
      return fill(a.value, results, (j) => valueAt(plan.depList[base + j]!));
    }
  }
}
