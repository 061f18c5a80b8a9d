/**
 * Where a run may go, decided when it is admitted: whether a program's ops may run on the
 * calling thread, and whether the whole run stays there (placement.ts weighs its measured work
 * against the cost of reaching a worker). A pure function of the run's options and the
 * runtime's state, tested on literal inputs.
 */
import { SLICE_MS } from "./main-thread.js";
import { place, type Placement } from "./placement.js";

/** What admission decides from. */
export interface AdmissionFacts {
  /** The run's `inline` (else the runtime's, else "auto"). */
  readonly inline: boolean | "auto";
  /** false: one task per dispatch (ScheduleOptions.batch). */
  readonly batch: boolean;
  /** The run has a signal or a timeout. */
  readonly guarded: boolean;
  /** The run's callingThreadOps (else the runtime's, else "weft"). */
  readonly callingThreadOps: "weft" | "all";
  /** Threads of the runtime, the calling thread included. */
  readonly threads: number;
  /** The plan declares resources, or has ops that are a program's own (not weft's). */
  readonly usesResources: boolean;
  readonly hasUserOps: boolean;
  /** Runs in progress with a signal or a timeout. */
  readonly guardedRuns: number;
  /** The plan's measured work (last run), and what reaching a worker costs now. */
  readonly workMs: number | undefined;
  readonly workersAsleep: boolean;
  readonly wakeMs: number;
  readonly handoffMs: number;
}

export interface Admission {
  /** When a program's ops may run on the calling thread (RunState.userOpsOnMain). */
  readonly userOpsOnMain: "always" | "unguarded" | "never";
  readonly placement: Placement;
}

/**
 * A program's own ops stay off the calling thread (a task that never returned there would keep
 * signals and timers from firing; one that called process.exit would end the process), unless
 * the calling thread is asked for outright (inline: true), there is no other, or
 * callingThreadOps is "all" and no computation in progress can be aborted or time out. A run
 * goes inline only if nothing keeps it off the calling thread and placement says so.
 *
 * @example admit({ ...facts, inline: "auto", hasUserOps: true, callingThreadOps: "weft" }).placement.inline // false
 */
export function admit(facts: AdmissionFacts): Admission {
  const userOpsOnMain =
    facts.inline === true || facts.threads === 1 ? "always" : facts.guarded || facts.callingThreadOps !== "all" ? "never" : "unguarded";
  const keptOff = !facts.batch || facts.usesResources || (facts.hasUserOps && (userOpsOnMain === "never" || facts.guardedRuns > 0));
  const inline = keptOff ? false : facts.inline;
  // reaching a spinning worker never costs more than waking a sleeping one (a ping that found
  // the worker already asleep measured a wake-up as a "handoff")
  const handoffMs = Math.min(facts.handoffMs, facts.wakeMs);
  const decided = place({
    workMs: facts.workMs,
    threads: facts.threads,
    workersAsleep: facts.workersAsleep,
    wakeMs: facts.wakeMs,
    handoffMs,
  });
  if (inline !== "auto") return { userOpsOnMain, placement: { ...decided, inline, reason: "forced" } };
  // without workers the pump runs everything here anyway; it also lets the event loop in
  // (aborts, timers) every slice, which a run done at once does not: only short runs go inline
  if (facts.threads === 1)
    return { userOpsOnMain, placement: { ...decided, inline: facts.workMs !== undefined && facts.workMs < SLICE_MS, reason: "model" } };
  return { userOpsOnMain, placement: decided };
}
