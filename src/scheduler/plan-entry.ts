/**
 * What the scheduler derives once per plan and reuses on every run: dependency counts, the
 * reverse edges (who reads each result), which tasks must stay on the main thread, the plan's
 * wire form for workers, and how long its last run kept the threads busy (what decides whether
 * the next run is worth waking a worker for). A solver re-running its plan, or a user's loop
 * whose fresh graphs find this plan in the cache, pays for none of this again.
 */
import type { CompiledPlan } from "../graph/compiled.js";
import { encodePlan, type WirePlan } from "./wire.js";

let nextPlanId = 1;

export class PlanEntry {
  readonly id = nextPlanId++;
  /** Tasks (by position) that run only on the main thread. */
  readonly mainOnly: Uint8Array;
  /** Number of dependencies of each task on other tasks (inputs do not count: they are bound). */
  readonly depCount: Int32Array;
  /** Readers of each position (tasks and inputs); outputs get one more, so they are never released. */
  readonly readerCount: Int32Array;
  /** Tasks reading position p: dependents[dependentStart[p] .. dependentStart[p + 1]). */
  readonly dependentStart: Int32Array;
  readonly dependents: Int32Array;
  /** Whether any task declares resources. */
  readonly usesResources: boolean;
  /**
   * Tasks (by position) running an op that is not weft's own (OpDefinition.own): they run on
   * workers unless the run allows the calling thread, so a task that never returns can be
   * interrupted and the calling thread keeps its timers.
   */
  readonly userOps: Uint8Array;
  readonly hasUserOps: boolean;
  /** Milliseconds of task time (all threads) of the last run, or undefined before the first. */
  lastWorkMs: number | undefined;
  private wirePlan: WirePlan | undefined;

  constructor(readonly layout: CompiledPlan) {
    const n = layout.taskGroup.length;
    const positions = n + layout.inputCount;
    this.mainOnly = new Uint8Array(n);
    this.depCount = new Int32Array(n);
    this.dependentStart = new Int32Array(positions + 1);
    const { depStart, depList } = layout;
    for (let i = 0; i < n; i++) {
      for (let q = depStart[i]!; q < depStart[i + 1]!; q++) {
        const d = depList[q]!;
        if (d < n) this.depCount[i]! += 1; // inputs (positions >= n) are there from the start
        this.dependentStart[d + 1]! += 1;
      }
    }
    for (let p = 0; p < positions; p++) this.dependentStart[p + 1] = this.dependentStart[p + 1]! + this.dependentStart[p]!;
    this.dependents = new Int32Array(this.dependentStart[positions]!);
    const fill = this.dependentStart.slice(0, positions);
    for (let i = 0; i < n; i++) {
      for (let q = depStart[i]!; q < depStart[i + 1]!; q++) this.dependents[fill[depList[q]!]!++] = i;
    }
    this.readerCount = new Int32Array(positions);
    for (let p = 0; p < positions; p++) this.readerCount[p] = this.dependentStart[p + 1]! - this.dependentStart[p]!;
    for (const p of layout.outputPositions) if (p >= 0) this.readerCount[p]! += 1;
    this.usesResources = layout.groups.some((g) => g.resources !== undefined);
    const userGroup = layout.groups.map((g) => g.program.steps.some((st) => !st.op.own));
    this.userOps = Uint8Array.from(layout.taskGroup, (g) => (userGroup[g] ? 1 : 0));
    this.hasUserOps = userGroup.some(Boolean);
  }

  /** Number of tasks. */
  get n(): number {
    return this.layout.taskGroup.length;
  }

  /** Resources the task at `position` holds while it runs, if any. */
  resourcesAt(position: number): Readonly<Record<string, number>> | undefined {
    return this.layout.groups[this.layout.taskGroup[position]!]!.resources;
  }

  /** The plan as workers receive it (encoded on first use; marks tasks that cannot travel). */
  wire(): WirePlan {
    this.wirePlan ??= encodePlan(this.layout, this.mainOnly);
    return this.wirePlan;
  }
}
