/**
 * Running plans: the Plan users compile once and run many times (its synchronous executor), the
 * inner loop every executor shares (run-task.ts, tiles.ts over runner.ts's contract), the buffers
 * of tasks run where the heap lives, and the TaskError a failed task raises. The scheduler runs
 * the same plans on worker threads with these pieces.
 */
export { Plan, compile } from "./plan.js";
export type { Bindings, RunOptions } from "./plan.js";
export { TaskError } from "./task-error.js";
