/**
 * Where a run goes: on the worker threads, or all of it on the calling thread. Handing tasks to a
 * worker costs what waking it costs (it sleeps on its inbox once it has spun a while without
 * work; a wake-up costs orders of magnitude more than a hand-over to a worker still spinning),
 * and the answer coming back costs about as much again. A run whose work is smaller than that
 * finishes sooner on the calling thread alone: a user's loop over a small array (gradient
 * descent on 10,000 x 10 in 10 chunks) would otherwise spend most of its time waiting for threads.
 *
 * Decided from measurements only: a plan's first run uses the workers (its work is not known);
 * after it, the plan's measured work against the measured cost of reaching a worker. (Timing
 * both ways per plan and keeping the faster was tried: a threaded run is much slower than an
 * inline one for the first dozens of runs of a process, while V8 compiles the worker's
 * side, so the comparison kept loops inline that were faster on threads once warm.)
 *
 * Loops are judged run by run like anything else, and that is a known limit: a loop of very
 * short runs stays inline, because the inline runs let the workers fall asleep and a wake-up
 * then costs more than the work saves, while on threads the workers would have stayed awake.
 * What was tried for that and not kept (a loop judged by a hand-over, a loop timing itself both
 * ways) is in bench/README.md, "Measured decisions", with its figures.
 *
 * A pure function of those figures, so that it can be tested on literal inputs.
 */

/** What the decision is made from: all durations in milliseconds, as measured. */
export interface PlacementFacts {
  /**
   * Task time of the plan's work (the sum over its tasks) in its last run; undefined before its
   * first (nothing is guessed: an op's cost is not known until it ran).
   */
  readonly workMs: number | undefined;
  /** Threads a run may use, the calling thread included. */
  readonly threads: number;
  /** Whether the workers are asleep now (else they spin, and take work at once). */
  readonly workersAsleep: boolean;
  /** Notify to first instruction, for a sleeping worker and for a spinning one. */
  readonly wakeMs: number;
  readonly handoffMs: number;
}

/** The decision and the figures it was made from (the profile records them). */
export interface Placement extends PlacementFacts {
  readonly inline: boolean;
  /** What using the workers costs: handing the work over and hearing back. */
  readonly threadCostMs: number;
  /** "unmeasured" (a first run), "model" (work against threadCostMs), "forced" (an inline option). */
  readonly reason: "unmeasured" | "model" | "forced";
}

/**
 * Inline (calling thread only) when what the other threads could take off the calling thread,
 * work * (threads - 1) / threads, is less than what reaching them and hearing back costs.
 *
 * @example place({ workMs: 0.1, threads: 2, workersAsleep: true, wakeMs: 0.3, handoffMs: 0.005 }).inline // true
 * @example place({ workMs: 20, threads: 2, workersAsleep: true, wakeMs: 0.3, handoffMs: 0.005 }).inline // false
 * @example place({ workMs: undefined, threads: 2, workersAsleep: true, wakeMs: 0.3, handoffMs: 0.005 }).inline // false: not measured yet
 */
export function place(facts: PlacementFacts): Placement {
  const threadCostMs = 2 * (facts.workersAsleep ? facts.wakeMs : facts.handoffMs);
  if (facts.threads <= 1) return { ...facts, inline: true, threadCostMs, reason: "model" };
  if (facts.workMs === undefined) return { ...facts, inline: false, threadCostMs, reason: "unmeasured" };
  const saved = (facts.workMs * (facts.threads - 1)) / facts.threads;
  return { ...facts, inline: saved < threadCostMs, threadCostMs, reason: "model" };
}
