/** The error a failed task raises: which task, which fused step inside it, and the original error. */
import { WeftError } from "../errors.js";
import { keyOf, stepKeyOf, type CompiledPlan, type KeyNames } from "../graph/compiled.js";
import { formatKey, type Key } from "../graph/keys.js";
import { StepFailure } from "./run-task.js";

/** A task failed: names the task (and the fused step inside it) and keeps the original error as cause. */
export class TaskError extends WeftError {
  constructor(
    readonly key: Key,
    readonly step: Key,
    cause: unknown,
  ) {
    const where = step === key ? formatKey(key) : `${formatKey(key)} (step ${formatKey(step)})`;
    super(`task ${where} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** The TaskError for a failure inside runTask (or an error of the executor itself, passed on). */
export function taskError(plan: CompiledPlan, position: number, error: unknown, names?: KeyNames): unknown {
  if (!(error instanceof StepFailure)) return error;
  return new TaskError(keyOf(plan, position, names), stepKeyOf(plan, position, error.step, names), error.cause);
}
