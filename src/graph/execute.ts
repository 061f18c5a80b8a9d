/**
 * Running one task: its group's program for its chunk, each op called with its arguments
 * resolved. This is the inner loop every executor shares (the synchronous one, the main thread
 * of the threaded one, and each worker); what differs between them, where buffers come from and
 * how a position's value is read, comes in through RunnerHooks and a `valueAt` function.
 */
import type { Kernels } from "../kernels/index.js";
import type { BufferViews } from "../memory/index.js";
import { InputHole, StepHole, type CompiledPlan, type ExecProgram, type ExecProgramArg } from "./compiled.js";
import type { Key } from "./keys.js";
import type { OpDefinition, TaskContext } from "./ops.js";
import { runTiles, tilePlanOf, UNTILED } from "./tiles.js";

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

/** A step threw: which step (its index in the task) and the original error. */
export class StepFailure extends Error {
  constructor(readonly step: number, override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/**
 * The TaskContext handed to ops: one object per hooks, updated before each step (ops use it
 * during their call only), so running a step allocates no context. Its key is worked out only
 * if an op asks for it.
 */
class StepContext implements TaskContext {
  position = 0;
  last = true;
  readonly kernels: Kernels | undefined;
  readonly alloc: (bytes: number) => BufferViews;
  readonly scratch: (bytes: number) => BufferViews;

  constructor(private readonly hooks: RunnerHooks) {
    this.kernels = hooks.kernels;
    this.alloc = (bytes: number) => (this.last ? hooks.allocResult(bytes, this.position) : hooks.allocScratch(bytes, this.position));
    this.scratch = (bytes: number) => hooks.allocScratch(bytes, this.position);
  }

  get key(): Key {
    return this.hooks.keyOf ? this.hooks.keyOf(this.position) : this.position;
  }
}

const contexts = new WeakMap<RunnerHooks, StepContext>();

function contextFor(hooks: RunnerHooks, position: number, last: boolean): TaskContext {
  let c = contexts.get(hooks);
  if (!c) contexts.set(hooks, (c = new StepContext(hooks)));
  c.position = position;
  c.last = last;
  return c;
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
  a: ExecProgramArg, plan: RunnablePlan, position: number, results: readonly unknown[], valueAt: (p: number) => unknown,
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
      const from = plan.depStart[position]!, to = plan.depStart[position + 1]!;
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

/**
 * Runs the task at `position` and returns its result. Values of other positions come from
 * `valueAt`; a failing step throws StepFailure (the caller, who knows the keys, names the task).
 */
export function runTask(plan: RunnablePlan, position: number, valueAt: (p: number) => unknown, hooks: RunnerHooks): unknown {
  const program = plan.groups[plan.taskGroup[position]!]!.program;
  const steps = program.steps;
  const n = steps.length;
  if (n === 1) return runSingle(plan, position, steps[0]!, valueAt, hooks);
  const results: unknown[] = new Array(n);
  const tiles = hooks.kernels ? tilePlanOf(program) : null;
  let result: unknown;
  try {
    let j = 0;
    for (; j < (tiles ? tiles.start : n); j++) result = results[j] = runStep(plan, position, steps, j, results, valueAt, hooks);
    if (tiles) {
      // the expression's steps, tile by tile (or one by one when the operands do not line up)
      let tiled: unknown;
      try {
        tiled = runTiles(plan, position, tiles, results, valueAt, hooks);
      } catch (cause) {
        throw new StepFailure(tiles.end, cause);
      }
      if (tiled !== UNTILED) {
        result = results[tiles.end] = tiled;
        j = tiles.end + 1;
      }
      for (; j < n; j++) result = results[j] = runStep(plan, position, steps, j, results, valueAt, hooks);
    }
    try {
      result = hooks.own(result);
    } catch (cause) {
      throw new StepFailure(n - 1, cause);
    }
  } finally {
    for (let j = 0; j < n - 1; j++) hooks.dropIntermediate(results[j], result);
    hooks.endTask();
  }
  return result;
}

/** Step j of a task: its arguments resolved, its op called. */
function runStep(
  plan: RunnablePlan, position: number, steps: ExecProgram["steps"], j: number, results: readonly unknown[],
  valueAt: (p: number) => unknown, hooks: RunnerHooks,
): unknown {
  const step = steps[j]!;
  const source = step.args;
  const args: unknown[] = new Array(source.length);
  for (let i = 0; i < source.length; i++) args[i] = argValue(source[i]!, plan, position, results, valueAt);
  try {
    return step.op.run(args, contextFor(hooks, position, j === steps.length - 1));
  } catch (cause) {
    throw new StepFailure(j, cause);
  }
}

const NO_RESULTS: unknown[] = [];

/** The common case, a task of one step: no step results to keep. */
function runSingle(
  plan: RunnablePlan, position: number, step: { readonly op: OpDefinition; readonly args: readonly ExecProgramArg[] },
  valueAt: (p: number) => unknown, hooks: RunnerHooks,
): unknown {
  const source = step.args;
  const args: unknown[] = new Array(source.length);
  for (let i = 0; i < source.length; i++) args[i] = argValue(source[i]!, plan, position, NO_RESULTS, valueAt);
  try {
    return hooks.own(step.op.run(args, contextFor(hooks, position, true)));
  } catch (cause) {
    throw new StepFailure(0, cause);
  } finally {
    hooks.endTask();
  }
}
