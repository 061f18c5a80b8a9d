/**
 * Running one task: its group's program for its chunk, each op called with its arguments
 * resolved. This is the inner loop every executor shares (the synchronous one, the main thread
 * of the threaded one, and each worker); what differs between them, where buffers come from and
 * how a position's value is read, comes in through RunnerHooks and a `valueAt` function.
 */
import type { Kernels } from "../kernels/index.js";
import type { BufferViews } from "../memory/index.js";
import type { ExecProgram, ExecProgramArg } from "../graph/compiled.js";
import type { Key } from "../graph/keys.js";
import type { OpDefinition, TaskContext } from "../graph/ops.js";
import { argValue, type RunnablePlan, type RunnerHooks } from "./runner.js";
import { runTiles, tilePlanOf, UNTILED } from "./tiles.js";

export type { RunnablePlan, RunnerHooks } from "./runner.js";

/** A step threw: which step (its index in the task) and the original error. */
export class StepFailure extends Error {
  constructor(
    readonly step: number,
    override readonly cause: unknown,
  ) {
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
  plan: RunnablePlan,
  position: number,
  steps: ExecProgram["steps"],
  j: number,
  results: readonly unknown[],
  valueAt: (p: number) => unknown,
  hooks: RunnerHooks,
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
  plan: RunnablePlan,
  position: number,
  step: { readonly op: OpDefinition; readonly args: readonly ExecProgramArg[] },
  valueAt: (p: number) => unknown,
  hooks: RunnerHooks,
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
