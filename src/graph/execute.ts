/**
 * Running one task: its steps in order, each op called with its arguments resolved. This is the
 * inner loop every executor shares (the synchronous one, the main thread of the threaded one,
 * and each worker); what differs between them, where buffers come from and how values are
 * looked up, comes in through RunnerHooks and a lookup function.
 */
import type { Kernels } from "../kernels/index.js";
import type { BufferViews } from "../memory/index.js";
import type { Key } from "./keys.js";
import type { OpDefinition, TaskContext } from "./ops.js";
import { Ref } from "./task.js";
import { runTiles, tilePlanOf } from "./tiles.js";

/** A reference to the result of an earlier step of the same task. */
export class StepRef {
  constructor(readonly step: number) {}
}

/** One step: the op and its arguments, where Ref is another task's result and StepRef an earlier step's. */
export interface ExecStep {
  readonly op: OpDefinition;
  readonly args: readonly unknown[];
}

/** A task ready to run: its steps, or chunk `chunk` of a shared program reading `inputs`. */
export interface ExecTask {
  readonly key: Key;
  /** For profiles: the op, or the ops of a fused task joined by "+". */
  readonly label: string;
  /** The steps, when the task has its own. */
  readonly steps: readonly ExecStep[] | undefined;
  /** Keys of the steps (the last is `key`): what errors name. */
  readonly stepKeys: () => readonly Key[];
  /** A program shared by all chunks of a fused blockwise layer (then `steps` is undefined). */
  readonly program: ExecProgram | undefined;
  /** The keys a program's "input" arguments read, for this chunk. */
  readonly inputs: readonly Key[];
  /** Resources the task holds while it runs (the largest any step asks for). */
  readonly resources: Readonly<Record<string, number>> | undefined;
}

/** A program argument: an earlier step's result, the task's k-th input, or a value. */
export type ExecProgramArg =
  | { readonly kind: "step"; readonly step: number }
  | { readonly kind: "input"; readonly index: number }
  | { readonly kind: "literal"; readonly value: unknown };

export interface ExecProgram {
  readonly steps: readonly { readonly op: OpDefinition; readonly args: readonly ExecProgramArg[] }[];
}

/** Where a running task's buffers come from: the executor's policy. */
export interface RunnerHooks {
  readonly kernels: Kernels | undefined;
  /** context.alloc of the last step: the task's result, which outlives the task. */
  allocResult(bytes: number, key: Key): BufferViews;
  /** context.alloc of an earlier step: scratch, valid until the task ends. */
  allocScratch(bytes: number, key: Key): BufferViews;
  /** The task's result made independent of its scratch (a scratch buffer is copied out). */
  own(result: unknown): unknown;
  /** Gives back an intermediate value (a heap buffer a step made) that is not `keep`. */
  dropIntermediate(value: unknown, keep: unknown): void;
  /** Called when the task ends, failed or not: scratch is taken back. */
  endTask(): void;
}

/** A step threw: which step (its index in the task) and the original error. */
export class StepFailure extends Error {
  constructor(readonly step: number, override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/**
 * The TaskContext handed to ops: one object per hooks, updated before each step (ops use it
 * during their call only), so running a step allocates no context.
 */
class StepContext implements TaskContext {
  key: Key = 0;
  last = true;
  readonly kernels: Kernels | undefined;
  readonly alloc: (bytes: number) => BufferViews;
  readonly scratch: (bytes: number) => BufferViews;

  constructor(hooks: RunnerHooks) {
    this.kernels = hooks.kernels;
    this.alloc = (bytes: number) => (this.last ? hooks.allocResult(bytes, this.key) : hooks.allocScratch(bytes, this.key));
    this.scratch = (bytes: number) => hooks.allocScratch(bytes, this.key);
  }
}

const contexts = new WeakMap<RunnerHooks, StepContext>();

function contextFor(hooks: RunnerHooks, key: Key, last: boolean): TaskContext {
  let c = contexts.get(hooks);
  if (!c) contexts.set(hooks, (c = new StepContext(hooks)));
  c.key = key;
  c.last = last;
  return c;
}

/** Resolves Refs through `lookup` and StepRefs through `results`, descending into arrays. */
function resolve(a: unknown, results: readonly unknown[], lookup: (k: Key) => unknown): unknown {
  if (a instanceof Ref) return lookup(a.key);
  if (a instanceof StepRef) return results[a.step];
  if (!Array.isArray(a)) return a;
  let changed: unknown[] | undefined;
  for (let i = 0; i < a.length; i++) {
    const v = resolve(a[i], results, lookup);
    if (v !== a[i] && !changed) changed = a.slice(0, i);
    if (changed) changed.push(v);
  }
  return changed ?? a; // an array without references is passed as the same object
}

/**
 * Runs `task` and returns its result. Values of other tasks come from `lookup`; a failing step
 * throws StepFailure (the caller, who knows the keys, names the task).
 */
export function runTask(task: ExecTask, lookup: (k: Key) => unknown, hooks: RunnerHooks): unknown {
  const steps = task.steps;
  if (steps && steps.length === 1) return runSingle(task, steps[0]!, lookup, hooks);
  const n = steps ? steps.length : task.program!.steps.length;
  const results: unknown[] = new Array(n);
  const keys = n > 1 ? task.stepKeys() : [task.key];
  const tiles = hooks.kernels ? tilePlanOf(task) : null;
  let result: unknown;
  try {
    let j = 0;
    const runStep = () => {
      const last = j === n - 1;
      let op: OpDefinition;
      let args: unknown[];
      if (steps) {
        op = steps[j]!.op;
        args = steps[j]!.args.map((a) => resolve(a, results, lookup));
      } else {
        const step = task.program!.steps[j]!;
        op = step.op;
        args = step.args.map((a) => (a.kind === "step" ? results[a.step] : a.kind === "input" ? lookup(task.inputs[a.index]!) : a.value));
      }
      try {
        result = op.run(args, contextFor(hooks, keys[j]!, last));
      } catch (cause) {
        throw new StepFailure(j, cause);
      }
      results[j] = result;
    };
    for (; j < (tiles ? tiles.start : n); j++) runStep();
    if (tiles) {
      // the expression's steps, tile by tile (or one by one when the operands do not line up)
      let tiled: { value: unknown } | undefined;
      try {
        tiled = runTiles(task, tiles, results, lookup, hooks);
      } catch (cause) {
        throw new StepFailure(tiles.end, cause);
      }
      if (tiled) {
        result = results[tiles.end] = tiled.value;
        j = tiles.end + 1;
      }
      for (; j < n; j++) runStep();
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

/** The common case, a task of one step: no step results to keep. */
function runSingle(task: ExecTask, step: ExecStep, lookup: (k: Key) => unknown, hooks: RunnerHooks): unknown {
  const source = step.args;
  const args: unknown[] = new Array(source.length);
  for (let i = 0; i < source.length; i++) {
    const a = source[i];
    args[i] = a instanceof Ref ? lookup(a.key) : Array.isArray(a) ? resolve(a, NO_RESULTS, lookup) : a;
  }
  try {
    return hooks.own(step.op.run(args, contextFor(hooks, task.key, true)));
  } catch (cause) {
    throw new StepFailure(0, cause);
  } finally {
    hooks.endTask();
  }
}

const NO_RESULTS: unknown[] = [];
