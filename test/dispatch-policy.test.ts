/**
 * The dispatch policy on literal runs and lanes (no threads): fair shares, quarter batches,
 * holding one ahead for short tasks, least-loaded choice, chaining dependents onto their
 * inputs' worker, the calling thread's share, and resource-bound tasks set aside.
 */
import { describe, expect, it } from "vitest";
import { batchLimits, dispatchRun, type DispatchContext, type DispatchRun, type LaneView } from "../src/scheduler/dispatch-policy.js";
import { ReadyHeap } from "../src/scheduler/ready-heap.js";
import { QUEUED, READY, WAITING } from "../src/scheduler/run-state.js";

interface Lane extends LaneView {
  queued: number;
}

/** A literal run of `deps.length` tasks (deps[t]: the tasks t reads), with `ready` ready. */
function literalRun(options: {
  deps: number[][];
  ready: number[];
  batch?: boolean;
  mainMayRun?: boolean;
  lastWorkMs?: number;
  resources?: Record<number, Record<string, number>>;
}): DispatchRun & { ready: ReadyHeap } {
  const n = options.deps.length;
  const depStart = new Int32Array(n + 1);
  options.deps.forEach((d, t) => (depStart[t + 1] = depStart[t]! + d.length));
  const depList = Int32Array.from(options.deps.flat());
  const dependentsOf: number[][] = options.deps.map(() => []);
  options.deps.forEach((d, t) => d.forEach((i) => dependentsOf[i]!.push(t)));
  const dependentStart = new Int32Array(n + 1);
  dependentsOf.forEach((d, p) => (dependentStart[p + 1] = dependentStart[p]! + d.length));
  const ready = new ReadyHeap();
  const state = new Uint8Array(n).fill(WAITING);
  for (const p of options.ready) {
    ready.push(p);
    state[p] = READY;
  }
  return {
    n,
    ready,
    batch: options.batch ?? true,
    state,
    laneOf: new Int16Array(n),
    remaining: Int32Array.from(options.deps, (d) => d.length),
    error: undefined,
    entry: {
      mainOnly: new Uint8Array(n),
      dependentStart,
      dependents: Int32Array.from(dependentsOf.flat()),
      layout: { depStart, depList },
      lastWorkMs: options.lastWorkMs,
      resourcesAt: (p) => options.resources?.[p],
    },
    mayRunOnMain: () => options.mainMayRun ?? true,
  };
}

function lanes(count: number, available: Record<string, number> = {}): Lane[] {
  return Array.from({ length: count }, (_, i) => ({ index: i + 1, queued: 0, available: { ...available }, usable: true }));
}

function context(run: DispatchRun, workers: Lane[], extra: Partial<DispatchContext> = {}): DispatchContext {
  return {
    totalReady: run.ready.size,
    lanesReady: workers.filter((l) => l.usable).length,
    guardedRuns: 0,
    mainAvailable: {},
    ringCapacity: 4096,
    ...extra,
  };
}

/** Runs the policy; returns [position, lane index] in the order it queued them. */
function dispatch(run: DispatchRun, workers: Lane[], extra: Partial<DispatchContext> = {}): [number, number][] {
  const queued: [number, number][] = [];
  dispatchRun(run, workers, context(run, workers, extra), (p, lane) => {
    run.state[p] = QUEUED;
    run.laneOf[p] = lane.index;
    lane.queued += 1;
    queued.push([p, lane.index]);
    return true;
  });
  return queued;
}

const independent = (n: number) => Array.from({ length: n }, () => []);

describe("dispatch policy", () => {
  it("a worker gets a quarter of its fair share at a time, at least two tasks", () => {
    const run = literalRun({ deps: independent(100), ready: Array.from({ length: 100 }, (_, i) => i) });
    // 100 ready over 3 workers and the calling thread: 25 each, a quarter of it (7) at a time
    expect(batchLimits(run, context(run, lanes(3)))).toEqual({ fair: 25, cap: 7 });
    const queued = dispatch(run, lanes(3));
    expect(queued).toHaveLength(21);
    expect(queued.slice(0, 6)).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 1],
      [4, 2],
      [5, 3],
    ]); // least loaded first, in plan order
    expect(run.ready.size).toBe(79); // the rest waits, for the calling thread or the next top-up
    // few ready: two each even when the quarter is less
    const small = literalRun({ deps: independent(6), ready: [0, 1, 2, 3, 4, 5] });
    expect(batchLimits(small, context(small, lanes(2)))).toEqual({ fair: 2, cap: 2 });
  });

  it("short tasks are held one ahead; long or unmeasured ones are not; no batching means one at a time", () => {
    const ready = Array.from({ length: 40 }, (_, i) => i);
    const short = literalRun({ deps: independent(40), ready, lastWorkMs: 40 * 0.05 });
    const long = literalRun({ deps: independent(40), ready, lastWorkMs: 40 * 2 });
    const unmeasured = literalRun({ deps: independent(40), ready });
    const single = literalRun({ deps: independent(40), ready, batch: false });
    expect(batchLimits(short, context(short, lanes(1))).cap).toBe(batchLimits(long, context(long, lanes(1))).cap + 1);
    expect(batchLimits(unmeasured, context(unmeasured, lanes(1))).cap).toBe(batchLimits(long, context(long, lanes(1))).cap);
    expect(batchLimits(single, context(single, lanes(4)))).toEqual({ fair: 1, cap: 1 });
  });

  it("the workers share everything when the calling thread may not run the run's tasks", () => {
    const helped = literalRun({ deps: independent(8), ready: [0, 1, 2, 3, 4, 5, 6, 7] });
    const alone = literalRun({ deps: independent(8), ready: [0, 1, 2, 3, 4, 5, 6, 7], mainMayRun: false });
    expect(batchLimits(helped, context(helped, lanes(1))).fair).toBe(4);
    expect(batchLimits(alone, context(alone, lanes(1))).fair).toBe(8);
  });

  it("a lone ready task stays for the calling thread, unless it may not run it", () => {
    expect(dispatch(literalRun({ deps: independent(1), ready: [0] }), lanes(2))).toEqual([]);
    expect(dispatch(literalRun({ deps: independent(1), ready: [0], mainMayRun: false }), lanes(2))).toEqual([[0, 1]]);
  });

  it("a chain follows its first task onto that worker; a dependent with inputs elsewhere waits", () => {
    // 0 -> 1 -> 2 (a chain); 3 reads 2 and 4, and 4 is ready on its own
    const run = literalRun({ deps: [[], [0], [1], [2, 4], []], ready: [0, 4], mainMayRun: false });
    const queued = dispatch(run, lanes(2));
    expect(queued).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
      [4, 2],
    ]);
    expect(run.state[3]).toBe(WAITING); // its inputs are on two workers: it waits to be ready
  });

  it("a reduction over four inputs queued on one worker follows them; over five it waits to be ready", () => {
    const plenty = { totalReady: 100 }; // other runs' ready tasks make the share large
    const four = literalRun({ deps: [[], [], [], [], [0, 1, 2, 3]], ready: [0, 1, 2, 3], mainMayRun: false });
    expect(dispatch(four, lanes(1), plenty).map(([p]) => p)).toEqual([0, 1, 2, 3, 4]);
    const five = literalRun({ deps: [[], [], [], [], [], [0, 1, 2, 3, 4]], ready: [0, 1, 2, 3, 4], mainMayRun: false });
    expect(dispatch(five, lanes(1), plenty).map(([p]) => p)).toEqual([0, 1, 2, 3, 4]);
    expect(five.state[5]).toBe(WAITING);
  });

  it("a task needing resources no worker has now is set aside, and the tasks behind it go", () => {
    const run = literalRun({ deps: independent(3), ready: [0, 1, 2], mainMayRun: false, resources: { 0: { gpu: 1 } } });
    const queued = dispatch(run, lanes(2));
    expect(queued.map(([p]) => p)).toEqual([1, 2]);
    expect(run.ready.size).toBe(1);
    expect(run.ready.peek()).toBe(0);
    // a worker with the resource takes it
    const withGpu = literalRun({ deps: independent(3), ready: [0, 1, 2], mainMayRun: false, resources: { 0: { gpu: 1 } } });
    const workers = [...lanes(1), { index: 2, queued: 0, available: { gpu: 1 }, usable: true }];
    expect(dispatch(withGpu, workers)).toContainEqual([0, 2]);
  });

  it("workers not started or dead get nothing; a full ring takes nothing more", () => {
    const run = literalRun({ deps: independent(4), ready: [0, 1, 2, 3], mainMayRun: false });
    const workers = [
      { index: 1, queued: 0, available: {}, usable: false },
      { index: 2, queued: 0, available: {}, usable: true },
    ];
    expect(new Set(dispatch(run, workers).map(([, lane]) => lane))).toEqual(new Set([2]));
    const full = literalRun({ deps: independent(4), ready: [0, 1, 2, 3], mainMayRun: false });
    expect(dispatch(full, [{ index: 1, queued: 8, available: {}, usable: true }], { ringCapacity: 8 })).toEqual([]);
  });

  it("stops at once when queueing fails (the run failed: out of memory)", () => {
    const run = literalRun({ deps: independent(10), ready: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], mainMayRun: false });
    let calls = 0;
    dispatchRun(run, lanes(2), context(run, lanes(2)), () => ++calls < 2);
    expect(calls).toBe(2);
  });
});
