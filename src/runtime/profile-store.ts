/**
 * The runtime's memory of what ran: each finished run's timing events as the scheduler copied
 * them out of shared memory (lane, start, end per task), kept raw and turned into TaskEvents
 * only when someone asks. Bounded: the oldest runs are dropped beyond `capacity` events or
 * `maxBytes` bytes (an estimate: the events, the key names, and each distinct plan layout once),
 * whichever comes first. It keeps timings and names, never a task's arguments or results.
 */
import { keyOf, type CompiledPlan, type KeyNames } from "../graph/compiled.js";
import type { TaskEvent } from "../profile/events.js";
import { toTraceEvents, type TraceEventOptions } from "../profile/trace-events.js";
import { checkOptions } from "../validate.js";
import type { Placement } from "../scheduler/placement.js";
import type { Profile } from "./options.js";

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
  /** What this run holds, estimated (its layout counted apart, once). */
  bytes: number;
}

/** Estimated bytes of a plan layout: its per-task typed arrays (about 40 bytes a task) and its programs. */
function layoutBytes(layout: CompiledPlan): number {
  return 40 * layout.taskGroup.length + 256 * layout.groups.length;
}

/** Estimated bytes of key names: two bytes a character, plus the arrays. */
function namesBytes(names: KeyNames): number {
  let bytes = 64 + 16 * names.names.length;
  for (const n of names.names) bytes += 2 * n.length;
  for (const l of names.listed ?? []) bytes += l ? 8 * l.length + 16 : 0;
  return bytes;
}

const EMPTY_EVENTS = new Float64Array(0);
const NO_NAMES: KeyNames = { names: [] };

export class ProfileStore {
  private runs: RecordedRun[] = [];
  private head = 0; // runs before head are dropped (compacted now and then, not shifted one by one)
  private total = 0;
  /** Runs recorded so far, ever: what `mark()` returns. */
  private recorded = 0;
  private bytes = 0;
  /** Runs kept per layout: a layout's bytes count while any of its runs is kept. */
  private readonly layoutRuns = new Map<CompiledPlan, number>();

  constructor(
    readonly capacity: number,
    readonly maxBytes = 32 << 20,
  ) {}

  /** Bytes the kept runs hold, estimated. */
  get estimatedBytes(): number {
    return this.bytes;
  }

  record(layout: CompiledPlan, names: KeyNames, events: Float64Array, ran: Uint8Array, placement: Placement): void {
    if (this.capacity <= 0 || this.maxBytes <= 0) return;
    let count = 0;
    for (let i = 0; i < ran.length; i++) count += ran[i]!;
    const held = this.layoutRuns.get(layout) ?? 0;
    this.layoutRuns.set(layout, held + 1);
    if (held === 0) this.bytes += layoutBytes(layout);
    const bytes = 768 + events.byteLength + ran.byteLength + namesBytes(names); // 768: the objects around them (measured: about 1.4 KB a run of 11 tasks in all)
    this.runs.push({ serial: this.recorded++, layout, placement, names, events, ran, count, bytes });
    this.total += count;
    this.bytes += bytes;
    while ((this.total > this.capacity || this.bytes > this.maxBytes) && this.runs.length - this.head > 1)
      this.drop(this.runs[this.head++]!);
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
        const bytes = r.layout.resultBytes[i]!;
        out.push({
          key: keyOf(r.layout, i, r.names),
          label,
          lane: r.events[3 * i]!,
          start: r.events[3 * i + 1]!,
          end: r.events[3 * i + 2]!,
          bytes: bytes >= 0 ? bytes : undefined,
        });
      }
    }
    return out;
  }

  /** The profile of the runs after `since` (a mark) on a runtime of `lanes` threads. */
  profile(lanes: number, since = 0): Profile {
    const events = this.events(since);
    const trace = (options?: TraceEventOptions) => {
      const o = checkOptions(options, "toTraceEvents");
      return toTraceEvents(events, { ...o, threads: o.threads ?? lanes });
    };
    return { events, lanes, runs: this.placements(since), toTraceEvents: trace };
  }

  /** Where each recorded run (after `since`, a mark) went and why, oldest first (with its tasks). */
  placements(since = 0): (Placement & { tasks: number })[] {
    return this.runs
      .slice(this.head)
      .filter((r) => r.serial >= since)
      .map((r) => ({ ...r.placement, tasks: r.count }));
  }

  private drop(run: RecordedRun): void {
    this.total -= run.count;
    this.bytes -= run.bytes;
    const held = this.layoutRuns.get(run.layout)!;
    if (held > 1) this.layoutRuns.set(run.layout, held - 1);
    else {
      // the layout's last kept run: its bytes go with it
      this.layoutRuns.delete(run.layout);
      this.bytes -= layoutBytes(run.layout);
    }
    // release what the dropped run held now (compaction only trims the array now and then)
    (run as { events: Float64Array }).events = EMPTY_EVENTS;
    (run as { names: KeyNames }).names = NO_NAMES;
  }

  clear(): void {
    this.runs = [];
    this.head = 0;
    this.total = 0;
    this.bytes = 0;
    this.layoutRuns.clear();
  }
}
