/**
 * Resources a task may declare (`{ gpu: 1 }`) against what each thread has (Runtime.start's
 * `resources`): a task runs only on a thread with enough of each left, and takes them while it runs.
 */
import { formatKey } from "../graph/keys.js";
import { keyOf, type KeyNames } from "../graph/compiled.js";
import { ResourceError } from "./errors.js";
import type { PlanEntry } from "./plan-entry.js";

/** Amounts by resource name. */
export type Resources = Readonly<Record<string, number>>;

/** Whether `available` has at least `wanted` of every resource. */
export function fits(available: Resources, wanted: Resources): boolean {
  for (const name in wanted) if ((available[name] ?? 0) < wanted[name]!) return false;
  return true;
}

/** Takes `wanted` from `available` (a task starts). */
export function takeResources(available: Record<string, number>, wanted: Resources): void {
  for (const name in wanted) available[name] = (available[name] ?? 0) - wanted[name]!;
}

/** Gives `wanted` back to `available` (a task ended). */
export function giveBack(available: Record<string, number>, wanted: Resources | undefined): void {
  if (!wanted) return;
  for (const name in wanted) available[name] = (available[name] ?? 0) + wanted[name]!;
}

/**
 * Refuses a plan with a task no thread could ever run (`threads`: the resources of the main
 * thread, then of each worker), before anything runs.
 */
export function checkResources(entry: PlanEntry, threads: readonly Resources[], names: KeyNames): void {
  for (let i = 0; i < entry.n; i++) {
    const wanted = entry.resourcesAt(i);
    if (!wanted) continue;
    const candidates = entry.mainOnly[i] ? threads.slice(0, 1) : threads;
    if (!candidates.some((have) => fits(have, wanted))) {
      const declared = threads.map((r, j) => `${j === 0 ? "main" : `worker ${j}`}: ${JSON.stringify(r)}`).join(", ");
      throw new ResourceError(
        `task ${formatKey(keyOf(entry.layout, i, names))} needs ${JSON.stringify(wanted)}, which no thread of this runtime has (${declared}); ` +
          `declare it with Runtime.start({ resources })`,
      );
    }
  }
}
