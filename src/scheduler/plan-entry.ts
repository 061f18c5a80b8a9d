/**
 * What the scheduler derives once per plan and reuses on every run: dependency counts, the
 * reverse edges (who reads each result), which tasks must stay on the main thread, and the
 * plan's wire form for workers. A solver re-running its plan pays for none of this again.
 */
import type { Plan, PlanLayout } from "../graph/plan.js";
import { encodePlan, type WirePlan } from "./wire.js";

let nextPlanId = 1;

export class PlanEntry {
  readonly id = nextPlanId++;
  readonly layout: PlanLayout;
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
  private wirePlan: WirePlan | undefined;

  constructor(readonly plan: Plan) {
    const layout = plan.layout();
    this.layout = layout;
    const n = layout.tasks.length;
    const positions = layout.keys.length;
    this.mainOnly = new Uint8Array(n);
    this.depCount = new Int32Array(n);
    this.dependentStart = new Int32Array(positions + 1);
    for (let i = 0; i < n; i++) {
      for (let q = layout.depStart[i]!; q < layout.depStart[i + 1]!; q++) {
        const d = layout.depList[q]!;
        if (d < n) this.depCount[i]! += 1; // inputs (positions >= n) are there from the start
        this.dependentStart[d + 1]! += 1;
      }
    }
    for (let p = 0; p < positions; p++) this.dependentStart[p + 1] = this.dependentStart[p + 1]! + this.dependentStart[p]!;
    this.dependents = new Int32Array(this.dependentStart[positions]!);
    const fill = this.dependentStart.slice(0, positions);
    for (let i = 0; i < n; i++) {
      for (let q = layout.depStart[i]!; q < layout.depStart[i + 1]!; q++) this.dependents[fill[layout.depList[q]!]!++] = i;
    }
    this.readerCount = new Int32Array(positions);
    for (let p = 0; p < positions; p++) this.readerCount[p] = this.dependentStart[p + 1]! - this.dependentStart[p]!;
    for (const p of layout.outputPositions) if (p >= 0) this.readerCount[p]! += 1;
    this.usesResources = layout.tasks.some((t) => t.resources !== undefined);
  }

  /** The plan as workers receive it (encoded on first use; marks tasks that cannot travel). */
  wire(): WirePlan {
    this.wirePlan ??= encodePlan(this.layout, this.mainOnly);
    return this.wirePlan;
  }
}
