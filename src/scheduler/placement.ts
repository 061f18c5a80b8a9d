/**
 * Where a run goes: on the worker threads, or all of it on the calling thread. Handing tasks to a
 * worker costs what waking it costs (it sleeps on its inbox once it has spun a while without
 * work; on the development VMs a wake-up took 0.05-1.5 ms, against microseconds to a worker still
 * spinning), and the answer coming back costs about as much again. A run whose work is smaller
 * than that finishes sooner on the calling thread alone: a user's loop over a small array
 * (gradient descent on 10,000 x 10 in 10 chunks: about 0.1 ms of work an iteration) would
 * otherwise spend most of its time waiting for threads.
 *
 * Decided from measurements only: a plan's first run uses the workers (its work is not known);
 * after it, the plan's measured work against the measured cost of reaching a worker. (Timing
 * both ways per plan and keeping the faster was tried: a threaded run is several times slower
 * than an inline one for the first dozens of runs of a process, while V8 compiles the worker's
 * side, so the comparison kept loops inline that were 1.6x faster on threads once warm.)
 *
 * Loops are judged run by run like anything else, and that is a known limit: a loop of ~0.1 ms
 * runs stays inline, because the inline runs let the workers fall asleep and a wake-up then
 * costs more than the work saves, while on threads the workers would have stayed awake (10k x
 * 10 in 10 chunks, gradient descent by hand: 0.094 ms an iteration on threads against 0.14
 * inline on a quiet VM; 0.14-0.155 against 0.155-0.17 on a busy one). Tried and not kept: a loop
 * (a run starting within 2 ms of its plan's last) judged by a hand-over instead of a wake-up,
 * with hand-overs measured in loops' own runs (their median was 3 us in one process, 0.3 ms in
 * the next: the spinning worker's core taken by V8's background threads), and a loop timing
 * itself both ways in bursts (the threaded side stays slow for hundreds of runs while V8 warms the
 * worker's code, so the probes cost more than they found).
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
