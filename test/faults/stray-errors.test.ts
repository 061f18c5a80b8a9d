/**
 * Wrong work blamed (the issue "Faults and bad input", item 8): an error thrown asynchronously by
 * a worker op (in a timer it left behind) let its own compute resolve, then ended the worker and
 * failed the next, unrelated compute. Now the worker survives it, the error is traced to the task
 * that left it behind: that computation fails if it is still running, and a process warning
 * (code WEFT_STRAY_ERROR) reports it once the computation has ended. Nothing else fails.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Graph, Runtime, TaskError, defaultOps, key, ref, task, TaskLayer } from "../../src/index.js";

const FIXTURE = new URL("../fixtures/ops.mjs", import.meta.url).href;
const fixture = (await import(FIXTURE)) as Record<string, (...args: unknown[]) => unknown>;
for (const name of ["inc", "slow", "add", "throwLater", "rejectLater"]) defaultOps.register(name, fixture[name]!, { module: FIXTURE });

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.start({ threads: 3 });
});
afterAll(async () => {
  await rt.close();
});

let graphs = 0;
function layer(make: (name: string) => ReturnType<typeof task>[]): { graph: Graph; keys: ReturnType<typeof key>[] } {
  const name = `stray-${++graphs}`;
  const tasks = make(name);
  return { graph: new Graph([new TaskLayer(name, tasks)]), keys: tasks.map((t) => t.key) };
}

/** Collects weft's stray-error warnings until `until` resolves, or 5 s pass. */
async function warningsDuring(action: () => Promise<void>, wanted: number): Promise<Error[]> {
  const seen: Error[] = [];
  const listen = (w: Error & { code?: string }) => {
    if (w.code === "WEFT_STRAY_ERROR") seen.push(w);
  };
  process.on("warning", listen);
  try {
    await action();
    const deadline = Date.now() + 5_000;
    while (seen.length < wanted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  } finally {
    process.off("warning", listen);
  }
  return seen;
}

/** Many short tasks, spread over every worker: an unrelated computation that must not fail. */
async function unrelatedWorkSucceeds(): Promise<void> {
  const { graph, keys } = layer((name) => Array.from({ length: 60 }, (_, i) => task(key(name, i), "slow", i, 1)));
  expect(await rt.compute(graph, keys)).toEqual(Array.from({ length: 60 }, (_, i) => i));
}

describe("an error an op throws after its task returned", () => {
  it("is reported as a warning once its computation has ended, and fails no other computation", async () => {
    const crashesBefore = rt.stats().workerCrashes;
    const warnings = await warningsDuring(async () => {
      const { graph, keys } = layer((name) => [task(key(name, 0), "throwLater", 7, 30), task(key(name, 1), "rejectLater", 8)]);
      expect(await rt.compute(graph, keys)).toEqual([7, 8]);
      for (let i = 0; i < 4; i++) {
        await new Promise((r) => setTimeout(r, 40));
        await unrelatedWorkSucceeds();
      }
    }, 2);
    const messages = warnings.map((w) => w.message).sort();
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(/op 'rejectLater' threw on worker \d+ after its task returned \(a task of a computation that has ended\): unhandled rejection of 8/);
    expect(messages[1]).toMatch(/op 'throwLater' threw on worker \d+ after its task returned .*late failure of 7/);
    expect(rt.stats().workerCrashes).toBe(crashesBefore); // the worker lived on
    await unrelatedWorkSucceeds();
  });

  it("fails its own computation, naming the task, while that computation is still running", async () => {
    const { graph, keys } = layer((name) => [
      task(key(name, 0), "throwLater", 1, 0),
      task(key(name, 1), "slow", 2, 1_500),
      task(key(name, 2), "add", ref(key(name, 0)), ref(key(name, 1))),
    ]);
    // every key an output: three tasks, not one fused task
    const error = await rt.compute(graph, keys).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as TaskError).message).toMatch(/^task stray-\d+\[0\] failed: op 'throwLater' threw after its task returned .*late failure of 1/);
    await unrelatedWorkSucceeds();
  });
});
