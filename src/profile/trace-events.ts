/**
 * Profiles in the Chrome Trace Event Format (the JSON that Perfetto, https://ui.perfetto.dev,
 * and chrome://tracing open as is): a complete event ("ph": "X") per task on its thread's track,
 * and metadata events ("ph": "M") naming the process and each thread.
 */
import { ArgumentError } from "../errors.js";
import { formatKey } from "../graph/keys.js";
import { checkInteger, checkOptions, checkString } from "../validate.js";
import { checkEvents, type TaskEvent } from "./events.js";

/** One event of the Trace Event Format: a task ("X", with `dur`) or a name ("M"). */
export interface TraceEvent {
  /** What ran (the task's op, or "a+b" for a fused task), or the metadata's kind ("thread_name", ...). */
  name: string;
  /** "X": a complete event, from ts for dur; "M": metadata. */
  ph: "X" | "M";
  /** Start, in microseconds from the profile's first task (0 for metadata). */
  ts: number;
  /** Duration in microseconds ("X" events only). */
  dur?: number;
  /** The process: one profile (default 1). */
  pid: number;
  /** The thread: lane + 1 (1 is the calling thread, 2.. the workers). */
  tid: number;
  /** The category: "task" for tasks, "__metadata" for names. */
  cat: string;
  /** A task's key, its thread's lane and its result's bytes when declared; a metadata event's name or order. */
  args: Record<string, string | number>;
}

/** A Trace Event Format file: what `JSON.stringify` writes for Perfetto or chrome://tracing. */
export interface TraceEventFile {
  traceEvents: TraceEvent[];
  /** How the viewers show times: "ms". */
  displayTimeUnit: "ms";
}

/** Options of `toTraceEvents`. */
export interface TraceEventOptions {
  /**
   * The process id the events go under (default 1). Profiles given distinct ids can share one
   * file (their traceEvents concatenated): each is a process of its own, each from ts 0.
   */
  pid?: number;
  /** The process's name in the viewer (default "weft"). */
  processName?: string;
  /**
   * Threads of the runtime (Profile.lanes): each gets a named track even when it ran no task
   * (default: just the threads that ran one).
   */
  threads?: number;
}

/** Microseconds, to the nanosecond: the format's unit, without float noise in the JSON. */
const micros = (ms: number) => Math.round(ms * 1e6) / 1e3;

/** A thread's name: "main" is the calling thread (lane 0), "worker n" a worker thread. */
const threadName = (lane: number) => (lane === 0 ? "main" : `worker ${lane}`);

/**
 * The events as a Trace Event Format object: per task a complete event named by what ran, on
 * thread `lane + 1` of process `pid`, from `ts` (microseconds after the first task's start) for
 * `dur` microseconds, its key (and result bytes, when declared) in `args`; before them, metadata
 * naming the process and each thread ("main", "worker n") and ordering them. Tasks come sorted
 * by start. Write it with `JSON.stringify` and open the file in https://ui.perfetto.dev or
 * chrome://tracing.
 *
 * @example
 * writeFileSync("trace.json", JSON.stringify(toTraceEvents(rt.profile().events)));
 */
export function toTraceEvents(events: readonly TaskEvent[], options?: TraceEventOptions): TraceEventFile {
  const where = "toTraceEvents";
  checkEvents(events, where);
  const o = checkOptions(options, where, ["pid", "processName", "threads"]);
  const pid = checkInteger(o.pid, "pid", where, 1, 2 ** 31 - 1) ?? 1;
  const processName = checkString(o.processName, "processName", where) ?? "weft";
  const threads = checkInteger(o.threads, "threads", where, 0) ?? 0;
  for (const e of events) {
    if (!Number.isInteger(e.lane) || e.lane < 0 || !Number.isFinite(e.start) || !(e.end >= e.start))
      throw new ArgumentError("events", "TaskEvents with a lane >= 0 and finite start <= end", e, where);
  }
  let origin = Infinity;
  for (const e of events) origin = Math.min(origin, e.start);
  const lanes = new Set<number>(Array.from({ length: threads }, (_, i) => i));
  for (const e of events) lanes.add(e.lane);
  const meta = (name: string, tid: number, args: Record<string, string | number>): TraceEvent => ({
    name,
    ph: "M",
    ts: 0,
    pid,
    tid,
    cat: "__metadata",
    args,
  });
  const traceEvents: TraceEvent[] = [meta("process_name", 1, { name: processName }), meta("process_sort_index", 1, { sort_index: pid })];
  for (const lane of [...lanes].sort((a, b) => a - b)) {
    traceEvents.push(meta("thread_name", lane + 1, { name: threadName(lane) }), meta("thread_sort_index", lane + 1, { sort_index: lane }));
  }
  const tasks = [...events].sort((a, b) => a.start - b.start || a.lane - b.lane);
  for (const e of tasks) {
    const ts = micros(e.start - origin);
    const args: Record<string, string | number> = { key: formatKey(e.key), lane: e.lane };
    if (e.bytes !== undefined && e.bytes >= 0) args.bytes = e.bytes;
    // the duration from the rounded ends, so that ts + dur is the end as rounded
    traceEvents.push({
      name: e.label,
      ph: "X",
      ts,
      dur: Math.max(0, Math.round((micros(e.end - origin) - ts) * 1e3) / 1e3),
      pid,
      tid: e.lane + 1,
      cat: "task",
      args,
    });
  }
  return { traceEvents, displayTimeUnit: "ms" };
}
