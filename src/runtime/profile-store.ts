/**
 * The runtime's memory of what ran: each finished run's timing events as the scheduler copied
 * them out of shared memory (lane, start, end per task), kept raw and turned into TaskEvents
 * only when someone asks. Bounded: the oldest runs are dropped beyond `capacity` events.
 */
import { keyOf, type CompiledPlan, type KeyNames } from "../graph/compiled.js";
import type { TaskEvent } from "../profile/events.js";
import type { Placement } from "../scheduler/placement.js";

interface RecordedRun {
  /** Runs recorded before this one, ever (a mark for eventsSince). */
  serial: number;
  layout: CompiledPlan;
  placement: Placement;
  /** Names of the keys of the graph the run was for (strings and keys only: no data is kept). */
  names: KeyNames;
  events: Float64Array;
  ran: Uint8Array;
  count: number;
}

export class ProfileStore {
  private runs: RecordedRun[] = [];
  private head = 0; // runs before head are dropped (compacted now and then, not shifted one by one)
  private total = 0;
  /** Runs recorded so far, ever: what `mark()` returns. */
  private recorded = 0;

  constructor(readonly capacity: number) {}

  record(layout: CompiledPlan, names: KeyNames, events: Float64Array, ran: Uint8Array, placement: Placement): void {
    if (this.capacity <= 0) return;
    let count = 0;
    for (let i = 0; i < ran.length; i++) count += ran[i]!;
    this.runs.push({ serial: this.recorded++, layout, placement, names, events, ran, count });
    this.total += count;
    while (this.total > this.capacity && this.runs.length - this.head > 1) this.total -= this.runs[this.head++]!.count;
    if (this.head > 1024 && this.head * 2 > this.runs.length) {
      this.runs = this.runs.slice(this.head);
      this.head = 0;
    }
  }

  /** A mark: events(mark) gives the events of the runs recorded after it (those still kept). */
  mark(): number {
    return this.recorded;
  }

  /** The recorded events (of the runs after `since`, a mark), oldest run first, each run's tasks in plan order. */
  events(since = 0): TaskEvent[] {
    const out: TaskEvent[] = [];
    for (const r of this.runs.slice(this.head)) {
      if (r.serial < since) continue;
      const { groups, taskGroup } = r.layout;
      for (let i = 0; i < r.ran.length; i++) {
        if (!r.ran[i]) continue;
        const label = groups[taskGroup[i]!]!.label;
        out.push({ key: keyOf(r.layout, i, r.names), label, lane: r.events[3 * i]!, start: r.events[3 * i + 1]!, end: r.events[3 * i + 2]! });
      }
    }
    return out;
  }

  /** Where each recorded run (after `since`, a mark) went and why, oldest first (with its tasks). */
  placements(since = 0): (Placement & { tasks: number })[] {
    return this.runs.slice(this.head).filter((r) => r.serial >= since).map((r) => ({ ...r.placement, tasks: r.count }));
  }

  clear(): void {
    this.runs = [];
    this.head = 0;
    this.total = 0;
  }
}
