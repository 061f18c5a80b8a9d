/**
 * The scheduler and the Runtime: the same results from the synchronous and threaded executors
 * on random graphs, and every failure mode (a throwing task, a dying worker, abort, close with
 * work in flight) rejecting cleanly, leaving the runtime usable and its memory as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  CancelledError,
  OpRegistry,
  ResourceError,
  Runtime,
  TaskError,
  WorkerCrashedError,
  compile,
  key,
  keyName,
  ref,
  task,
  taskWith,
  type Key,
  type Task,
} from "../src/index.js";
import { Allocation } from "../src/memory/index.js";
import { place } from "../src/scheduler/index.js";
import { registerKernelOps } from "../src/graph/index.js";

const FIXTURE = new URL("./fixtures/ops.mjs", import.meta.url).href;
const fixture = (await import(FIXTURE)) as Record<string, (...args: any[]) => unknown>;

/** Ops registered with the fixture module, so workers can run them too. */
const ops = new OpRegistry();
registerKernelOps(ops);
// The quick, well-behaved ones stand in for weft's own ops (`own`: the calling thread may run them
// too, which is what most of these tests are about); the faulty ones are a program's ops, which
// run only on workers (test/faults/timeouts.test.ts).
for (const name of ["inc", "mul3", "add", "sumList", "box", "unbox", "whereAmI"])
  ops.register(name, fixture[name]!, { module: FIXTURE, own: true });
for (const name of ["fail", "slow", "exitWorker", "exhaustHeap"]) ops.register(name, fixture[name]!, { module: FIXTURE });
for (const name of ["iota", "undeclared"]) ops.register(name, fixture[name]!, { module: FIXTURE, context: true, own: true });
ops.register("badKernelCall", fixture.badKernelCall!, { module: FIXTURE, context: true });
// An op without a module: only the main thread can run it.
ops.register("mainOnlyInc", (x: number) => x + 1);

let threads: Runtime;
let sync: Runtime;

beforeAll(async () => {
  threads = await Runtime.start({ threads: 3 });
  sync = await Runtime.start({ threads: 1 });
});

afterAll(async () => {
  await threads.close();
  await sync.close();
});

const liveBytes = (rt: Runtime) => rt.memory.stats().liveBytes;
let graphId = 0;

/** A wide map then a sum: n independent tasks and one reader of them all. */
function mapSum(n: number, op = "inc"): { tasks: Map<Key, Task>; out: Key } {
  const id = graphId++;
  const tasks = new Map<Key, Task>();
  const parts: Key[] = [];
  for (let i = 0; i < n; i++) {
    const k = key(`m${id}`, i);
    tasks.set(k, task(k, op, i));
    parts.push(k);
  }
  const out = key(`m${id}-sum`);
  tasks.set(out, task(out, "sumList", parts.map(ref)));
  return { tasks, out };
}

/** A chain of n increments. */
function chain(n: number, op = "inc"): { tasks: Map<Key, Task>; out: Key } {
  const id = graphId++;
  const tasks = new Map<Key, Task>();
  let prev: Key | undefined;
  for (let i = 0; i < n; i++) {
    const k = key(`c${id}`, i);
    tasks.set(k, prev === undefined ? task(k, op, 0) : task(k, op, ref(prev)));
    prev = k;
  }
  return { tasks, out: prev! };
}

describe("Runtime", () => {
  it("starts with the requested threads and executor, and rejects bad options by name", async () => {
    expect(threads.threads).toBe(3);
    expect(threads.executor).toBe("threads");
    expect(sync.executor).toBe("sync");
    await expect(Runtime.start({ threads: 0 })).rejects.toThrow(/threads/);
    await expect(Runtime.start({ executor: "gpu" as never })).rejects.toThrow(/executor/);
    await expect(Runtime.start({ resources: { gpu: -1 } })).rejects.toThrow(/resources.gpu/);
    await expect(Runtime.start({ threads: 2, resources: [{ gpu: 1 }] })).rejects.toThrow(/one record per thread/);
  });

  it("works with await using, and refuses work once closed", async () => {
    let rt: Runtime | undefined;
    {
      await using r = await Runtime.start({ threads: 2 });
      rt = r;
      const { tasks, out } = mapSum(10);
      expect(await r.compute(tasks, [out], { ops })).toEqual([55]);
    }
    await expect(rt.compute(new Map([[key("late"), task(key("late"), "inc", 1)]]), [key("late")], { ops })).rejects.toThrow(/closed/);
  });

  it("runs a wide map and a chain on every executor, workers included", async () => {
    for (const rt of [sync, threads]) {
      const m = mapSum(500);
      expect(await rt.compute(m.tasks, [m.out], { ops, fusion: "none" })).toEqual([(500 * 501) / 2]);
      const c = chain(300);
      expect(await rt.compute(c.tasks, [c.out], { ops, fusion: "none" })).toEqual([300]);
      const u = mapSum(200);
      expect(await rt.compute(u.tasks, [u.out], { ops, fusion: "none", batch: false })).toEqual([(200 * 201) / 2]);
    }
    // the workers did take part
    threads.clearProfile();
    const m = mapSum(2000, "whereAmI");
    await threads.compute(m.tasks, [m.out], { ops, fusion: "none" });
    const lanes = new Set(threads.profile().events.map((e) => e.lane));
    expect(lanes.has(0)).toBe(true);
    expect([...lanes].some((l) => l > 0)).toBe(true);
  });

  it("reports progress as tasks finish, the last call at the total, and survives a throwing callback", async () => {
    for (const rt of [sync, threads]) {
      const m = mapSum(3000);
      const calls: [number, number][] = [];
      const [total] = await rt.compute(m.tasks, [m.out], { ops, fusion: "none", onProgress: (done, n) => calls.push([done, n]) });
      expect(total).toBeDefined();
      expect(calls.length).toBeGreaterThan(0);
      expect(calls.at(-1)).toEqual([3001, 3001]); // 3000 parts and their sum
      for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).toBeGreaterThanOrEqual(calls[i - 1]![0]);
    }
    const warned: string[] = [];
    const onWarning = (w: Error) => warned.push(w.message);
    process.on("warning", onWarning);
    try {
      const m = mapSum(50);
      expect(
        await threads.compute(m.tasks, [m.out], {
          ops,
          fusion: "none",
          onProgress: () => {
            throw new Error("progress bar broke");
          },
        }),
      ).toEqual([(50 * 51) / 2]);
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
      expect(warned.some((w) => w.includes("progress bar broke"))).toBe(true);
    } finally {
      process.off("warning", onWarning);
    }
    const m = mapSum(5);
    await expect(threads.compute(m.tasks, [m.out], { ops, onProgress: 42 as never })).rejects.toThrow(/onProgress/);
  });

  it("computes kernel ops on shared buffers on workers, with outputs copied or kept", async () => {
    const before = liveBytes(threads);
    const x = threads.memory.fromF64([1, 2, 3, 4, 5]);
    const id = graphId++;
    const tasks = new Map<Key, Task>();
    const chunks: Key[] = [];
    for (let i = 0; i < 8; i++) {
      const e = key(`k${id}-exp`, i);
      tasks.set(e, taskWith(e, "exp", [x], { bytes: 40 }));
      const s = key(`k${id}-sum`, i);
      tasks.set(s, task(s, "sum", ref(e)));
      chunks.push(s);
    }
    const total = key(`k${id}-total`);
    tasks.set(total, task(total, "sumList", chunks.map(ref)));
    const firstExp = key(`k${id}-exp`, 0);
    const [t, e] = await threads.compute(tasks, [total, firstExp], { ops, fusion: "none" });
    // the same kernel run directly, in this thread: bit for bit what the workers computed
    const direct = threads.memory.allocF64(5);
    threads.kernels.exp(5, x.ptr, direct.ptr);
    const want = Array.from(direct.f64());
    direct.free();
    expect(e).toBeInstanceOf(Float64Array);
    expect(Array.from(e as Float64Array)).toEqual(want);
    expect(t as number).toBeCloseTo((8 * want.reduce((a, b) => a + b)) % 1_000_003, 6);
    const [kept] = await threads.compute(tasks, [firstExp], { ops, fusion: "none", outputs: "keep" });
    expect(kept).toBeInstanceOf(Allocation);
    expect(Array.from((kept as Allocation).f64())).toEqual(want);
    (kept as Allocation).free();
    x.free();
    expect(liveBytes(threads)).toBe(before);
  });

  it("passes JS values between tasks on different threads", async () => {
    const id = graphId++;
    const tasks = new Map<Key, Task>();
    const outs: Key[] = [];
    for (let i = 0; i < 50; i++) {
      const b = key(`b${id}`, i);
      const u = key(`u${id}`, i);
      tasks.set(b, task(b, "box", i));
      tasks.set(u, task(u, "unbox", ref(b)));
      outs.push(u);
    }
    const s = key(`b${id}-sum`);
    tasks.set(s, task(s, "sumList", outs.map(ref)));
    expect(await threads.compute(tasks, [s, key(`b${id}`, 3)], { ops, fusion: "none" })).toEqual([1225, { value: 3, tag: "boxed" }]);
  });

  it("runs ops without a module on the main thread, and retries undeclared allocations there", async () => {
    threads.clearProfile();
    const c = chain(40, "mainOnlyInc");
    expect(await threads.compute(c.tasks, [c.out], { ops, fusion: "none" })).toEqual([40]);
    expect(threads.profile().events.every((e) => e.lane === 0)).toBe(true);
    const before = liveBytes(threads);
    const id = graphId++;
    const tasks = new Map<Key, Task>();
    const parts: Key[] = [];
    for (let i = 0; i < 6; i++) {
      const u = key(`und${id}`, i);
      tasks.set(u, task(u, "undeclared", 4));
      const s = key(`und${id}-s`, i);
      tasks.set(s, task(s, "sum", ref(u)));
      parts.push(s);
    }
    const total = key(`und${id}-total`);
    tasks.set(total, task(total, "sumList", parts.map(ref)));
    const plan = compile(tasks, [total], { ops, fusion: "none" });
    expect(await threads.run(plan)).toEqual([6 * 28]);
    expect(await threads.run(plan)).toEqual([6 * 28]); // the second run knows where they go
    expect(liveBytes(threads)).toBe(before);
  });

  it("gives the same results on sync and threads on random graphs (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat({ max: 9 })), { minLength: 60, maxLength: 60 }),
        fc.constantFrom("none", "linear", "aggressive"),
        fc.boolean(),
        async (size, edges, fusion, batch) => {
          const id = graphId++;
          const keys = Array.from({ length: size }, (_, i) => key(`p${id}`, i));
          const tasks = new Map<Key, Task>();
          // nodes hold numbers, except boxes (JS objects, which travel by message)
          const numbers: Key[] = [];
          const boxes: Key[] = [];
          for (let i = 0; i < size; i++) {
            const [a, b, kind] = edges[i]!;
            const k = keys[i]!;
            const num = (x: number) => ref(numbers[x % numbers.length]!);
            if (numbers.length === 0 || kind === 0) tasks.set(k, task(k, "inc", a % 97));
            else if (kind <= 2) tasks.set(k, task(k, "mul3", num(a)));
            else if (kind <= 4) tasks.set(k, task(k, "add", num(a), num(b)));
            else if (kind === 5 && boxes.length > 0) tasks.set(k, task(k, "unbox", ref(boxes[a % boxes.length]!)));
            else if (kind === 6) {
              tasks.set(k, task(k, "box", num(a)));
              boxes.push(k);
              continue;
            } else if (kind === 7) tasks.set(k, task(k, "mainOnlyInc", num(a)));
            else tasks.set(k, task(k, "sumList", [num(a), num(b), i]));
            numbers.push(k);
          }
          const outputs = [keys[size - 1]!, keys[Math.floor(size / 2)]!];
          const want = compile(tasks, outputs, { ops, fusion: "none" }).run();
          const got = await threads.compute(tasks, outputs, { ops, fusion, batch });
          const viaSync = await sync.compute(tasks, outputs, { ops, fusion });
          expect(got).toEqual(want);
          expect(viaSync).toEqual(want);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("re-runs a compiled plan with new inputs each time, like a solver's iterations", async () => {
    for (const rt of [threads, sync]) {
      const before = liveBytes(rt);
      const chunks = Array.from({ length: 8 }, (_, c) => rt.memory.fromF64(Array.from({ length: 16 }, (_, i) => c + i / 16)));
      const id = graphId++;
      const w = key(`w${id}`);
      const scale = key(`scale${id}`);
      const tasks = new Map<Key, Task>([
        [w, task(w, "input")],
        [scale, task(scale, "input")],
      ]);
      const parts: Key[] = [];
      chunks.forEach((x, c) => {
        const m = key(`xw${id}`, c);
        tasks.set(m, taskWith(m, "mul", [x, ref(w)], { bytes: 128 }));
        const d = key(`dot${id}`, c);
        tasks.set(d, task(d, "sum", ref(m)));
        parts.push(d);
      });
      const total = key(`total${id}`);
      tasks.set(total, task(total, "sumList", parts.map(ref)));
      const out = key(`scaled${id}`);
      tasks.set(out, task(out, "mul3", ref(total)));
      const plan = compile(tasks, [out, total], { ops, inputs: [w, scale] });
      for (let iteration = 0; iteration < 20; iteration++) {
        const wv = rt.memory.fromF64(Array.from({ length: 16 }, (_, i) => Math.sin(iteration + i)));
        const [, t] = await rt.run(
          plan,
          new Map<Key, unknown>([
            [w, wv],
            [scale, iteration],
          ]),
        );
        let want = 0;
        for (const x of chunks) want += x.f64().reduce((s, v, i) => s + v * wv.f64()[i]!, 0);
        expect(t as number).toBeCloseTo(want, 9);
        expect(wv.freed).toBe(false); // bound inputs stay the caller's
        wv.free();
      }
      for (const x of chunks) x.free();
      expect(liveBytes(rt)).toBe(before);
    }
  });

  it("runs several computations at once", async () => {
    const graphs = Array.from({ length: 6 }, (_, i) => (i % 2 ? mapSum(300 + i) : chain(200 + i)));
    const results = await Promise.all(graphs.map((g) => threads.compute(g.tasks, [g.out], { ops, fusion: "none" })));
    results.forEach((r, i) => expect(r).toEqual([i % 2 ? ((300 + i) * (301 + i)) / 2 : 200 + i]));
  });
});

describe("failures", () => {
  it("rejects with the failing task's key and the original cause, and stays usable", async () => {
    for (const rt of [threads, sync]) {
      const before = liveBytes(rt);
      const m = mapSum(100);
      const bad = key(`bad${graphId++}`);
      m.tasks.set(bad, task(bad, "fail", ref(key(keyName(m.out).replace("-sum", ""), 7))));
      const top = key(`top${graphId++}`);
      m.tasks.set(top, task(top, "add", ref(m.out), ref(bad)));
      const error = await rt.compute(m.tasks, [top], { ops, fusion: "none" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TaskError);
      expect((error as TaskError).key).toBe(bad);
      expect((error as TaskError).message).toMatch(/boom on 8/);
      expect(((error as TaskError).cause as Error).message).toBe("boom on 8");
      expect(liveBytes(rt)).toBe(before);
      const ok = mapSum(10);
      expect(await rt.compute(ok.tasks, [ok.out], { ops })).toEqual([55]);
    }
  });

  it("detects a worker that dies mid-compute, replaces it, and stays usable", async () => {
    const before = liveBytes(threads);
    const crashesBefore = threads.stats().workerCrashes;
    const m = mapSum(400, "exitWorker");
    const error = await threads.compute(m.tasks, [m.out], { ops, fusion: "none", batch: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as Error).message).toMatch(/exited with code 3/);
    expect(threads.stats().workerCrashes).toBeGreaterThan(crashesBefore);
    expect(liveBytes(threads)).toBe(before);
    const ok = mapSum(1000);
    expect(await threads.compute(ok.tasks, [ok.out], { ops, fusion: "none" })).toEqual([(1000 * 1001) / 2]);
    expect(threads.stats().workers).toBe(2);
  });

  it("reports a kernel error inside a worker as the task's error", async () => {
    const before = liveBytes(threads);
    const x = threads.memory.fromF64([1, 2, 3, 4]);
    const m = mapSum(20);
    const bad = key(`kbad${graphId++}`);
    m.tasks.set(bad, task(bad, "badKernelCall", x));
    const top = key(`ktop${graphId++}`);
    m.tasks.set(top, task(top, "add", ref(m.out), ref(bad)));
    const error = await threads.compute(m.tasks, [top], { ops, fusion: "none", batch: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as TaskError).key).toBe(bad);
    expect((error as Error).message).toMatch(/inside a live allocation|within its allocation/);
    x.free();
    expect(liveBytes(threads)).toBe(before);
  });

  it("detects a worker that runs out of memory", async () => {
    const rt = await Runtime.start({ threads: 2, workerResourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 } });
    try {
      const m = mapSum(4, "exhaustHeap");
      const error = await rt.compute(m.tasks, [m.out], { ops, fusion: "none", batch: false }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkerCrashedError);
      const ok = mapSum(100);
      expect(await rt.compute(ok.tasks, [ok.out], { ops, fusion: "none" })).toEqual([5050]);
    } finally {
      await rt.close();
    }
  });

  it("cancels on abort, and frees what the run held", async () => {
    for (const rt of [threads, sync]) {
      const before = liveBytes(rt);
      const id = graphId++;
      const tasks = new Map<Key, Task>();
      const parts: Key[] = [];
      for (let i = 0; i < 200; i++) {
        const k = key(`ab${id}`, i);
        tasks.set(k, task(k, "slow", i, 2));
        parts.push(k);
      }
      const out = key(`ab${id}-sum`);
      tasks.set(out, task(out, "sumList", parts.map(ref)));
      const controller = new AbortController();
      setTimeout(() => controller.abort(new CancelledError("stop")), 30);
      const started = performance.now();
      const error = await rt.compute(tasks, [out], { ops, fusion: "none", signal: controller.signal }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CancelledError);
      expect(performance.now() - started).toBeLessThan(300); // 200 x 2 ms of work did not all run
      expect(liveBytes(rt)).toBe(before);
    }
    const controller = new AbortController();
    controller.abort();
    const m = mapSum(3);
    await expect(threads.compute(m.tasks, [m.out], { ops, signal: controller.signal })).rejects.toBeDefined();
  });

  it("returns the allocator to its baseline after each of 10,000 computations", async () => {
    const x = threads.memory.fromF64([0.5, 1.5, 2.5]);
    const before = liveBytes(threads);
    const e = key("loop-exp");
    const s = key("loop-sum");
    const tasks = new Map<Key, Task>([
      [e, taskWith(e, "exp", [x], { bytes: 24 })],
      [s, task(s, "sum", ref(e))],
    ]);
    const plan = compile(tasks, [s], { ops, fusion: "none" });
    const want = Math.exp(0.5) + Math.exp(1.5) + Math.exp(2.5);
    let drift = 0;
    for (let i = 0; i < 10_000; i++) {
      const [v] = await threads.run(plan);
      if (Math.abs((v as number) - want) > 1e-12) throw new Error(`wrong value ${v} at ${i}`);
      if (liveBytes(threads) !== before) drift++;
    }
    expect(drift).toBe(0);
    x.free();
  });

  it("close() with work in flight rejects that work and frees its buffers", async () => {
    const rt = await Runtime.start({ threads: 2 });
    const before = liveBytes(rt);
    const id = graphId++;
    const tasks = new Map<Key, Task>();
    const parts: Key[] = [];
    for (let i = 0; i < 100; i++) {
      const k = key(`cl${id}`, i);
      tasks.set(k, taskWith(k, "iota", [4, i], { bytes: 32 }));
      const s = key(`cl${id}-slow`, i);
      tasks.set(s, task(s, "slow", ref(k), 2));
      parts.push(s);
    }
    const out = key(`cl${id}-n`);
    tasks.set(
      out,
      task(
        out,
        "sumList",
        parts.map((p) => ref(p)),
      ),
    );
    const pending = rt.compute(tasks, [out], { ops, fusion: "none" });
    await new Promise((r) => setTimeout(r, 20));
    await rt.close();
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
    expect(rt.memory.stats().liveBytes).toBeLessThanOrEqual(before);
  });
});

describe("the default runtime", () => {
  it("starts on the first compute() and never keeps the process alive", async () => {
    const { execFile } = await import("node:child_process");
    const script = new URL("./fixtures/default-runtime.mjs", import.meta.url);
    const { stdout, code } = await new Promise<{ stdout: string; code: number | null }>((resolve) => {
      const child = execFile(process.execPath, [script.pathname], { timeout: 30_000 }, (_error, out) =>
        resolve({ stdout: out, code: child.exitCode }),
      );
    });
    expect(stdout.trim()).toBe("result 42");
    expect(code).toBe(0); // ended by itself, not by the timeout
  });
});

describe("resources", () => {
  it("runs a task only on a thread that has its resources, never two at once beyond the amount", async () => {
    const rt = await Runtime.start({ threads: 3, resources: [{}, { gpu: 1 }, { gpu: 1 }] });
    try {
      const id = graphId++;
      const tasks = new Map<Key, Task>();
      const parts: Key[] = [];
      for (let i = 0; i < 40; i++) {
        const k = key(`gpu${id}`, i);
        tasks.set(k, i % 2 ? taskWith(k, "slow", [i, 1], { resources: { gpu: 1 } }) : task(k, "slow", i, 1));
        parts.push(k);
      }
      const out = key(`gpu${id}-sum`);
      tasks.set(out, task(out, "sumList", parts.map(ref)));
      expect(await rt.compute(tasks, [out], { ops, fusion: "none" })).toEqual([780]);
      const events = rt.profile().events.filter((e) => e.label === "slow");
      const gpuKeys = new Set(parts.filter((_, i) => i % 2).map(Number));
      for (const e of events) if (gpuKeys.has(e.key)) expect(e.lane).toBeGreaterThan(0);
      // at most two gpu tasks (one per worker) run at any moment: sweep their starts and ends
      const edges = events
        .filter((e) => gpuKeys.has(e.key))
        .flatMap(
          (e) =>
            [
              [e.start, 1],
              [e.end, -1],
            ] as const,
        );
      edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      let running = 0;
      let most = 0;
      for (const [, d] of edges) most = Math.max(most, (running += d));
      expect(most).toBeLessThanOrEqual(2);
      const big = key(`gpu${id}-big`);
      await expect(
        rt.compute(new Map([[big, taskWith(big, "inc", [1], { resources: { gpu: 2 } })]]), [big], { ops }),
      ).rejects.toBeInstanceOf(ResourceError);
    } finally {
      await rt.close();
    }
  });
});

describe("profiles", () => {
  it("records one event per task with its lane and times", async () => {
    threads.clearProfile();
    const m = mapSum(300);
    await threads.compute(m.tasks, [m.out], { ops, fusion: "none" });
    const { events, lanes } = threads.profile();
    expect(lanes).toBe(3);
    expect(events).toHaveLength(301);
    for (const e of events) {
      expect(e.end).toBeGreaterThanOrEqual(e.start);
      expect(e.lane).toBeGreaterThanOrEqual(0);
      expect(e.lane).toBeLessThan(3);
    }
  });
});

describe("placement: the calling thread alone, or the workers too", () => {
  it("place() runs inline only what reaching a worker would cost more than it saves (literal inputs)", () => {
    const facts = { threads: 2, workersAsleep: true, wakeMs: 0.3, handoffMs: 0.005 };
    expect(place({ ...facts, workMs: undefined })).toMatchObject({ inline: false, reason: "unmeasured" });
    // 0.1 ms of work saves at most 0.05 ms on two threads; a wake-up and the answer back cost 0.6
    expect(place({ ...facts, workMs: 0.1 })).toMatchObject({ inline: true, reason: "model", threadCostMs: 0.6 });
    expect(place({ ...facts, workMs: 20 }).inline).toBe(false);
    // a spinning worker takes work at once: even 0.1 ms is worth sharing
    expect(place({ ...facts, workersAsleep: false, workMs: 0.1 }).inline).toBe(false);
    // more threads save more of the work
    expect(place({ ...facts, threads: 2, workMs: 1 }).inline).toBe(true);
    expect(place({ ...facts, threads: 8, workMs: 1 }).inline).toBe(false);
    expect(place({ ...facts, threads: 1, workMs: 100 }).inline).toBe(true);
  });

  it("a tiny plan runs on the calling thread once its work is measured; `inline` overrides either way", async () => {
    const m = mapSum(20);
    const plan = compile(m.tasks, [m.out], { ops });
    threads.clearProfile();
    for (let i = 0; i < 3; i++) expect((await threads.run(plan))[0]).toBe(210); // sum of 1..20
    const runs = threads.profile().runs;
    expect(runs[0]).toMatchObject({ inline: false, reason: "unmeasured" });
    expect(runs[1]!.workMs).toBeGreaterThan(0);
    expect(runs[2]!.wakeMs).toBeGreaterThan(0);
    threads.clearProfile();
    await threads.run(plan, {}, { inline: true });
    await threads.run(plan, {}, { inline: false });
    const [onMain, anywhere] = threads.profile().runs;
    expect(onMain).toMatchObject({ inline: true, reason: "forced" });
    expect(anywhere).toMatchObject({ inline: false, reason: "forced" });
    expect(
      new Set(
        threads
          .profile()
          .events.slice(0, 21)
          .map((e) => e.lane),
      ),
    ).toEqual(new Set([0]));
    await expect(threads.run(plan, {}, { inline: "sometimes" as never })).rejects.toThrow(/argument 'inline'/);
    await expect(Runtime.start({ inline: "always" as never })).rejects.toThrow(/argument 'inline'/);
  });

  it("an inline run that fails rejects with the task's error and frees what it made", async () => {
    const before = liveBytes(threads);
    const g = new Map<Key, Task>();
    const a = key(`inline-fail-${graphId++}`);
    g.set(a, taskWith(a, "iota", [4], { bytes: 32 }));
    const b = key(`inline-fail-${graphId++}`);
    g.set(b, task(b, "fail", ref(a)));
    const plan = compile(g, [b], { ops });
    await expect(threads.run(plan, {}, { inline: true })).rejects.toBeInstanceOf(TaskError);
    expect(liveBytes(threads)).toBe(before);
  });

  it("runtime.trace returns the profile of just the runs its work made", async () => {
    const m = mapSum(10);
    await threads.compute(m.tasks, [m.out], { ops });
    const { value, profile } = await threads.trace(async () => {
      const n = mapSum(30);
      return (await threads.compute(n.tasks, [n.out], { ops }))[0];
    });
    expect(value).toBe(465);
    expect(profile.runs).toHaveLength(1);
    expect(profile.events.length).toBeLessThanOrEqual(31);
    expect(profile.events.length).toBeGreaterThan(0);
    await expect(threads.trace("nope" as never)).rejects.toThrow(/argument 'work'/);
  });
});
