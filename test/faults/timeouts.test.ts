/**
 * A task that never returns (the issue "Faults and bad input", items 3, 4 and 11): neither abort
 * nor anything else ended the run, and with batching the calling thread could pick the op up
 * itself, after which no timer fired at all. Now a program's ops run only on workers (unless the
 * run asks for the calling thread), `timeoutMs` (per compute, or the runtime's default) rejects
 * with TimeoutError, an abort rejects with its reason at once, the worker inside the task is
 * replaced, and the runtime computes correctly after.
 */
import { threadId } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CancelledError, Graph, Runtime, TimeoutError, WorkerCrashedError, defaultOps, key, task, TaskLayer } from "../../src/index.js";

const FIXTURE = new URL("../fixtures/ops.mjs", import.meta.url).href;
const fixture = (await import(FIXTURE)) as Record<string, (...args: unknown[]) => unknown>;
for (const name of ["forever", "inc", "whereAmI", "slow", "exitWorker"]) defaultOps.register(name, fixture[name]!, { module: FIXTURE });

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.start({ threads: 2 });
});
afterAll(async () => {
  await rt.close();
});

/** A graph of one task of `op` over `arg` (and a fresh name, so each is its own graph). */
let graphs = 0;
function one(op: string, ...args: unknown[]): { graph: Graph; out: number } {
  const name = `fault-${op}-${++graphs}`;
  const k = key(name, 0);
  return { graph: new Graph([new TaskLayer(name, [task(k, op, ...args)])]), out: k };
}

describe("a task that never returns", () => {
  it("timeoutMs rejects with TimeoutError, the worker is replaced, and the runtime goes on", async () => {
    const { graph, out } = one("forever", 1);
    const t0 = Date.now();
    await expect(rt.compute(graph, [out], { timeoutMs: 300 })).rejects.toThrow(TimeoutError);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const next = one("inc", 41);
    expect(await rt.compute(next.graph, [next.out])).toEqual([42]);
  });

  it("an abort rejects with its reason at once, not when the task returns", async () => {
    const { graph, out } = one("forever", 2);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("user stopped it")), 200);
    await expect(rt.compute(graph, [out], { signal: controller.signal })).rejects.toThrow("user stopped it");
    const next = one("inc", 1);
    expect(await rt.compute(next.graph, [next.out])).toEqual([2]);
  });

  it("abort() without a reason rejects with the documented CancelledError (its cause the platform's AbortError)", async () => {
    const { graph, out } = one("forever", 6);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await rt.compute(graph, [out], { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect(((error as Error).cause as Error).name).toBe("AbortError");
    const before = new AbortController();
    before.abort();
    const next = one("inc", 1);
    await expect(rt.compute(next.graph, [next.out], { signal: before.signal })).rejects.toBeInstanceOf(CancelledError);
  });

  it("the runtime's default timeoutMs applies to every computation", async () => {
    const strict = await Runtime.start({ threads: 2, timeoutMs: 300 });
    try {
      const { graph, out } = one("forever", 3);
      await expect(strict.compute(graph, [out])).rejects.toThrow(/took longer than its timeoutMs \(300 ms\)/);
      const next = one("inc", 9);
      expect(await strict.compute(next.graph, [next.out])).toEqual([10]);
    } finally {
      await strict.close();
    }
    await expect(Runtime.start({ timeoutMs: -5 })).rejects.toThrow(/'timeoutMs' must be a number of milliseconds > 0/);
  });

  it("another computation with tasks queued on the stopped worker still completes, on another", async () => {
    const stuck = one("forever", 4);
    const name = `fault-many-${++graphs}`;
    const tasks = Array.from({ length: 40 }, (_, i) => task(key(name, i), "slow", i, 2));
    const many = new Graph([new TaskLayer(name, tasks)]);
    const keys = tasks.map((t) => t.key);
    const [stopped, done] = await Promise.allSettled([rt.compute(stuck.graph, [stuck.out], { timeoutMs: 300 }), rt.compute(many, keys)]);
    expect(stopped.status).toBe("rejected");
    expect(done.status).toBe("fulfilled");
    expect((done as PromiseFulfilledResult<unknown[]>).value).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it("a program's op never runs on the calling thread by default, so process.exit() in one ends a worker, not the process", async () => {
    for (let i = 0; i < 20; i++) {
      const { graph, out } = one("whereAmI");
      expect(await rt.compute(graph, [out])).not.toEqual([threadId]);
    }
    for (let i = 0; i < 3; i++) {
      const { graph, out } = one("exitWorker", i);
      await expect(rt.compute(graph, [out])).rejects.toThrow(WorkerCrashedError);
    }
    const next = one("inc", 4);
    expect(await rt.compute(next.graph, [next.out])).toEqual([5]);
    await expect(rt.compute(next.graph, [next.out], { callingThreadOps: "sometimes" as never })).rejects.toThrow(
      /'callingThreadOps' must be 'weft' or 'all'/,
    );
  });

  it("with callingThreadOps 'all', still never while a computation can be aborted or time out, unless the run asks for it", async () => {
    const controller = new AbortController();
    for (let i = 0; i < 20; i++) {
      const { graph, out } = one("whereAmI");
      const [thread] = await rt.compute(graph, [out], {
        callingThreadOps: "all",
        ...(i % 2 ? { timeoutMs: 60_000 } : { signal: controller.signal }),
      });
      expect(thread).not.toBe(threadId); // the calling thread's id (vitest runs this file on a thread of its own)
    }
    // nor one of another computation, while such a computation is in progress (two workers: one
    // stuck, the other free)
    const three = await Runtime.start({ threads: 3, callingThreadOps: "all" });
    try {
      const stuck = one("forever", 5);
      const guarded = three.compute(stuck.graph, [stuck.out], { timeoutMs: 2_000 });
      for (let i = 0; i < 10; i++) {
        const { graph, out } = one("whereAmI");
        expect(await three.compute(graph, [out])).not.toEqual([threadId]);
      }
      await expect(guarded).rejects.toThrow(TimeoutError);
    } finally {
      await three.close();
    }
    const { graph, out } = one("whereAmI");
    expect(await rt.compute(graph, [out], { inline: true, timeoutMs: 60_000 })).toEqual([threadId]);
  });
});
