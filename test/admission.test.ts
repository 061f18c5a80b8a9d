/**
 * Admission on literal facts: where a program's ops may run, and when a run stays on the
 * calling thread (the measured work against the cost of reaching a worker, or the options).
 */
import { describe, expect, it } from "vitest";
import { admit, type AdmissionFacts } from "../src/scheduler/admission.js";

const facts: AdmissionFacts = {
  inline: "auto",
  batch: true,
  guarded: false,
  callingThreadOps: "weft",
  threads: 3,
  usesResources: false,
  hasUserOps: false,
  guardedRuns: 0,
  workMs: 0.05,
  workersAsleep: true,
  wakeMs: 0.3,
  handoffMs: 0.005,
};

describe("admission", () => {
  it("a small measured run of weft's own ops stays on the calling thread; a large one, or a first one, goes to the workers", () => {
    expect(admit(facts).placement).toMatchObject({ inline: true, reason: "model" });
    expect(admit({ ...facts, workMs: 50 }).placement).toMatchObject({ inline: false, reason: "model" });
    expect(admit({ ...facts, workMs: undefined }).placement).toMatchObject({ inline: false, reason: "unmeasured" });
    // a spinning worker is reached for its hand-over, never for more than a wake-up
    expect(admit({ ...facts, workersAsleep: false, handoffMs: 5 }).placement.threadCostMs).toBe(0.6);
  });

  it("a program's ops keep a run off the calling thread unless it is asked for, or callingThreadOps is 'all' with nothing guarded", () => {
    const user = { ...facts, hasUserOps: true };
    expect(admit(user)).toMatchObject({ userOpsOnMain: "never", placement: { inline: false, reason: "forced" } });
    expect(admit({ ...user, callingThreadOps: "all" })).toMatchObject({ userOpsOnMain: "unguarded", placement: { inline: true } });
    expect(admit({ ...user, callingThreadOps: "all", guardedRuns: 1 }).placement.inline).toBe(false);
    expect(admit({ ...user, callingThreadOps: "all", guarded: true }).userOpsOnMain).toBe("never");
    expect(admit({ ...user, inline: true })).toMatchObject({ userOpsOnMain: "always", placement: { inline: true, reason: "forced" } });
    expect(admit({ ...user, threads: 1 }).userOpsOnMain).toBe("always");
  });

  it("resources and unbatched runs always use the workers; without workers only short runs go inline", () => {
    expect(admit({ ...facts, usesResources: true }).placement.inline).toBe(false);
    expect(admit({ ...facts, batch: false, inline: true }).placement.inline).toBe(false);
    expect(admit({ ...facts, threads: 1, workMs: 2 }).placement.inline).toBe(true);
    expect(admit({ ...facts, threads: 1, workMs: 30 }).placement.inline).toBe(false); // the pump lets the event loop in every slice
  });
});
