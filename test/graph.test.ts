/**
 * Graph passes on small literal graphs (the style of dask's test_optimization.py): each test
 * states the graph that goes in and the graph that comes out. Property tests and plans are in
 * graph-properties.test.ts.
 */
import { describe, expect, it } from "vitest";
import {
  BlockwiseLayer,
  Graph,
  GraphBuilder,
  GraphError,
  OpRegistry,
  Ref,
  TaskLayer,
  TreeReductionLayer,
  compile,
  compute,
  isFused,
  key,
  ref,
  task,
  type Key,
  type Task,
  type TaskMap,
} from "../src/index.js";
import { cull, fuse, fuseLinear, inlineConstants, layerCount, order, taskDependencies } from "../src/graph/index.js";

const k = (name: string) => key(name);
const T = (name: string, op: string, ...args: unknown[]) => task(key(name), op, ...args);
const R = (name: string) => ref(key(name));
const graphOf = (...tasks: Task[]): TaskMap => new Map(tasks.map((t) => [t.key, t]));

/** A readable form of a fused graph: key -> the step keys (or the op of a plain task). */
function shape(tasks: TaskMap): Record<string, string[] | string> {
  const out: Record<string, string[] | string> = {};
  for (const [key, t] of tasks) {
    out[String(keyLabel(key))] = isFused(t) ? t.steps.map((s) => String(keyLabel(s.key))) : t.op;
  }
  return out;
}
const labels = new Map<Key, string>();
const keyLabel = (key: Key) => labels.get(key) ?? key;
for (const n of [
  "a",
  "b",
  "c",
  "d",
  "e",
  "w",
  "x",
  "y",
  "z",
  "exp",
  "rec",
  "sub",
  "l0",
  "l1",
  "l2",
  "l3",
  "n0",
  "n1",
  "root",
  "n",
  "s",
  "t",
]) {
  labels.set(key(n), n);
}

const ops = new OpRegistry();
ops.register("inc", (x: number) => x + 1);
ops.register("double", (x: number) => 2 * x);
ops.register("add", (...xs: number[]) => xs.reduce((s, v) => s + v, 0));
ops.register("sum", (xs: number[]) => xs.reduce((s, v) => s + v, 0));
ops.register("exp", Math.exp);
ops.register("reciprocal", (x: number) => 1 / x);
ops.register("sub", (a: number, b: number) => a - b);
ops.register("source", (v: number) => v);

describe("cull", () => {
  it("drops branches the outputs do not need", () => {
    const g = graphOf(T("a", "source", 1), T("b", "inc", R("a")), T("c", "inc", R("a")), T("d", "inc", R("c")));
    expect(shape(cull(g, [k("b")]))).toEqual({ b: "inc", a: "source" });
    expect(Object.keys(shape(cull(g, [k("d"), k("b")]))).sort()).toEqual(["a", "b", "c", "d"]);
  });

  it("rejects an output that is not in the graph", () => {
    expect(() => cull(graphOf(T("a", "source", 1)), [k("zz-missing")])).toThrow(GraphError);
  });
});

describe("fuseLinear", () => {
  it("turns the chain x = f(w); y = g(x); z = h(y) into one task keyed z", () => {
    const g = graphOf(T("w", "source", 1), T("x", "inc", R("w")), T("y", "double", R("x")), T("z", "inc", R("y")));
    expect(shape(fuseLinear(g, [k("z")]))).toEqual({ z: ["w", "x", "y", "z"] });
  });

  it("keeps the diamond exp(x) - 1/x as several tasks", () => {
    const g = graphOf(T("x", "source", 2), T("exp", "exp", R("x")), T("rec", "reciprocal", R("x")), T("sub", "sub", R("exp"), R("rec")));
    const out = fuseLinear(g, [k("sub")]);
    expect(out.size).toBeGreaterThanOrEqual(2);
    expect(shape(out)).toEqual({ x: "source", exp: "exp", rec: "reciprocal", sub: "sub" });
  });

  it("never fuses an output into its reader: outputs keep their keys", () => {
    const g = graphOf(T("w", "source", 1), T("x", "inc", R("w")), T("y", "double", R("x")));
    expect(shape(fuseLinear(g, [k("y"), k("x")]))).toEqual({ x: ["w", "x"], y: "double" });
  });
});

describe("fuse", () => {
  it("turns the diamond exp(x) - 1/x into one task", () => {
    const g = graphOf(T("x", "source", 2), T("exp", "exp", R("x")), T("rec", "reciprocal", R("x")), T("sub", "sub", R("exp"), R("rec")));
    expect(shape(fuse(g, [k("sub")]))).toEqual({ sub: ["x", "exp", "rec", "sub"] });
  });

  it("does not copy a task read by two consumers in different tasks: it is computed once", () => {
    // a feeds both b and c, which are separate outputs: a cannot live inside either
    const g = graphOf(T("a", "source", 1), T("b", "inc", R("a")), T("c", "double", R("a")));
    expect(shape(fuse(g, [k("b"), k("c")]))).toEqual({ a: "source", b: "inc", c: "double" });
  });

  it("fuses a reduction tree up to maxWidth branches per task", () => {
    const g = graphOf(
      T("l0", "source", 1),
      T("l1", "source", 2),
      T("l2", "source", 3),
      T("l3", "source", 4),
      T("n0", "add", R("l0"), R("l1")),
      T("n1", "add", R("l2"), R("l3")),
      T("root", "add", R("n0"), R("n1")),
    );
    const wide = { aveWidth: Infinity, maxWidth: 4 };
    expect(shape(fuse(g, [k("root")], wide))).toEqual({ root: ["l0", "l1", "l2", "l3", "n0", "n1", "root"] });
    // two branches per task: each pair of leaves joins its node, the root joins nothing more
    expect(shape(fuse(g, [k("root")], { aveWidth: Infinity, maxWidth: 2 }))).toEqual({
      n0: ["l0", "l1", "n0"],
      n1: ["l2", "l3", "n1"],
      root: "add",
    });
    // aveWidth 1: no fan-in at all
    expect(fuse(g, [k("root")], { aveWidth: 1, maxWidth: 8 }).size).toBe(7);
  });

  it("limits fused height with maxHeight", () => {
    const g = graphOf(T("w", "source", 1), T("x", "inc", R("w")), T("y", "double", R("x")), T("z", "inc", R("y")));
    expect(shape(fuse(g, [k("z")], { maxHeight: 2 }))).toEqual({ x: ["w", "x"], z: ["y", "z"] });
  });

  it("keeps the seed expression's chunks apart: one task per chunk plus the reduction", () => {
    const chunks = 16;
    const x = new BlockwiseLayer("source", [{ literal: 2 }], { chunks });
    const e = new BlockwiseLayer("exp", [x]);
    const r = new BlockwiseLayer("reciprocal", [x]);
    const s = new BlockwiseLayer("sub", [e, r]);
    const total = new TreeReductionLayer("sum", s, 16);
    const tasks = new Graph([total]).tasks();
    expect(tasks.size).toBe(4 * chunks + 1);
    const fused = fuse(tasks, [total.keyAt(0)]);
    expect(fused.size).toBe(chunks + 1);
    for (const t of fused.values()) if (isFused(t)) expect(t.steps).toHaveLength(4);
  });
});

describe("order", () => {
  it("finishes one branch before starting the next (depth first)", () => {
    const g = graphOf(
      T("a", "source", 1),
      T("b", "inc", R("a")),
      T("c", "inc", R("b")),
      T("d", "double", R("a")),
      T("e", "add", R("c"), R("d")),
    );
    const p = order(g, [k("e")]);
    const sequence = [...p.entries()].sort((x, y) => x[1] - y[1]).map(([key]) => keyLabel(key));
    expect(sequence).toEqual(["a", "b", "c", "d", "e"]);
  });
});

describe("inlineConstants", () => {
  it("writes constant values into their readers and drops the constant tasks", () => {
    const g = graphOf(T("n", "const", 10), T("s", "inc", R("n")), T("t", "add", [R("n"), R("s")]));
    const out = inlineConstants(g, [k("t")]);
    expect(shape(out)).toEqual({ s: "inc", t: "add" });
    expect(out.get(k("s"))!.args).toEqual([10]);
    expect(out.get(k("t"))!.args).toEqual([[10, R("s")]]);
  });

  it("keeps a constant that is an output", () => {
    const g = graphOf(T("n", "const", 10), T("s", "inc", R("n")));
    expect(inlineConstants(g, [k("n"), k("s")]).size).toBe(2);
  });
});

describe("bad graphs", () => {
  it("reject a cycle, naming the keys on it", () => {
    const g = graphOf(T("a", "inc", R("c")), T("b", "inc", R("a")), T("c", "inc", R("b")), T("d", "inc", R("c")));
    expect(() => compile(g, [k("d")], { ops })).toThrow(/cycle through (a, b, c|b, c, a|c, a, b)/);
  });

  it("reject a missing dependency, naming the task and the key", () => {
    const g = graphOf(T("a", "inc", R("nowhere")));
    expect(() => compile(g, [k("a")], { ops })).toThrow(/task a depends on nowhere/);
  });

  it("reject an unknown op, naming it, the task and the registered ones", () => {
    const g = graphOf(T("a", "frobnicate", 1));
    expect(() => compile(g, [k("a")], { ops })).toThrow(/unknown op 'frobnicate' in task a; registered ops: const, identity, input, inc/);
  });

  it("reject an output that no task produces, even one that is not a key at all", () => {
    const x = new BlockwiseLayer("source", [{ literal: 1 }], { chunks: 2 });
    expect(() => compile(new Graph([x]), [123_456_789_012], { ops })).toThrow(
      /requested output <unknown key 123456789012> is not in the graph/,
    );
    expect(() => compile(new Graph([x]), [key("not-here")], { ops })).toThrow(/requested output not-here is not in the graph/);
  });

  it("reject duplicate keys when built or materialized", () => {
    const b = new GraphBuilder();
    b.value("dup-1", 1);
    expect(() => b.value("dup-1", 2)).toThrow(/key dup-1 is defined twice/);
    const l1 = new TaskLayer("dup-layer-a", [T("dup-2", "source", 1)]);
    const l2 = new TaskLayer("dup-layer-b", [T("dup-2", "source", 2)]);
    expect(() => Graph.merge(new Graph([l1]), new Graph([l2])).tasks()).toThrow(GraphError);
  });
});

describe("the generic task API", () => {
  it("computes the seed's x = f(w); y = g(x); z = h(y)", async () => {
    const b = new GraphBuilder();
    const w = b.value("gw", 1);
    const x = b.task("gx", "inc", w);
    const y = b.task("gy", "double", x);
    const z = b.task("gz", "inc", y);
    expect(await compute(b.graph(), [z.key, x.key], { ops })).toEqual([5, 2]);
    const plan = compile(b.graph(), [z.key], { ops });
    expect(plan.tasks).toHaveLength(1); // the chain is one task
  });

  it("runs a plan again with new inputs, like a fresh compile with those inputs", () => {
    const b = new GraphBuilder();
    const w = b.input("pw");
    const x = b.task("px", "exp", w);
    const r = b.task("pr", "reciprocal", w);
    const s = b.task("ps", "sub", x, r);
    const plan = compile(b.graph(), [s.key], { ops, inputs: [w.key] });
    for (const value of [0.5, 1, 3]) {
      expect(plan.run({ pw: value })).toEqual([Math.exp(value) - 1 / value]);
    }
    expect(() => plan.run({})).toThrow(/a value for input 'pw'/);
  });

  it("reports a failing task with its key and the original cause", () => {
    const local = new OpRegistry();
    local.register("boom", () => {
      throw new RangeError("kaboom");
    });
    const b = new GraphBuilder();
    const a = b.value("fa", 1);
    b.task("fb", "boom", a);
    let error: unknown;
    try {
      compile(b.graph(), [key("fb")], { ops: local }).run();
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toBe("task fb failed: kaboom");
    expect((error as Error).cause).toBeInstanceOf(RangeError);
  });
});

describe("structural sharing", () => {
  it("1000 chained operations on 1000 chunks share every earlier layer and copy none", () => {
    const before = layerCount();
    const layers: BlockwiseLayer[] = [new BlockwiseLayer("source", [{ literal: 0 }], { chunks: 1000 })];
    for (let i = 0; i < 1000; i++) layers.push(new BlockwiseLayer("inc", [layers[i]!]));
    expect(layerCount() - before).toBe(1001); // one layer per operation, nothing copied
    const graph = new Graph([layers[1000]!]);
    const seen = graph.layers();
    expect(seen).toHaveLength(1001);
    seen.forEach((l, i) => expect(l).toBe(layers[i])); // the very same objects, in order
    expect(layerCount() - before).toBe(1001);
    // a second collection built on layer 500 shares layers 0..500 with the first
    const branch = new BlockwiseLayer("double", [layers[500]!]);
    const both = Graph.merge(graph, new Graph([branch]));
    expect(both.layers()).toHaveLength(1002);
    expect(both.layers().filter((l) => layers.includes(l as BlockwiseLayer))).toHaveLength(1001);
  });

  it("makes a blockwise layer's tasks only when asked, from its inputs' keys", () => {
    const x = new BlockwiseLayer("source", [{ literal: 3 }], { chunks: 3, name: "lazy-x" });
    const y = new BlockwiseLayer("inc", [x], { name: "lazy-y" });
    const tasks = [...y.tasks()];
    expect(tasks.map((t) => t.key)).toEqual([key("lazy-y", 0), key("lazy-y", 1), key("lazy-y", 2)]);
    expect(taskDependencies(tasks[2]!)).toEqual([key("lazy-x", 2)]);
    expect(tasks[1]!.args[0]).toBeInstanceOf(Ref);
  });
});

describe("plans over shared buffers", () => {
  it("keep a fused task's intermediates in scratch, free results after their last reader, leak nothing", async () => {
    const { Kernels } = await import("../src/kernels/index.js");
    const { ScratchBuffer, Allocation } = await import("../src/memory/index.js");
    const kernels = await Kernels.create({ backend: "wasm-simd", memory: { initial: 4 << 20, maximum: 64 << 20 } });
    const local = new OpRegistry();
    const seenInputs: unknown[] = [];
    local.register(
      "fill",
      (ctx, n: number, v: number) => {
        const out = ctx.alloc(8 * n);
        out.f64().fill(v);
        return out;
      },
      { context: true },
    );
    local.register(
      "expBuf",
      (ctx, x: { ptr: number; bytes: number }) => {
        seenInputs.push(x);
        const out = ctx.alloc(x.bytes);
        ctx.kernels!.exp(x.bytes / 8, x.ptr, out.ptr);
        return out;
      },
      { context: true },
    );
    local.register("sumBuf", (ctx, x: { ptr: number; bytes: number }) => ctx.kernels!.sum(x.bytes / 8, x.ptr), { context: true });
    const chunks = 3;
    const x = new BlockwiseLayer("fill", [{ literal: 1000 }, { literal: 0.5 }], { chunks, bytes: 8000 });
    const e = new BlockwiseLayer("expBuf", [x], { bytes: 8000 });
    const s = new BlockwiseLayer("sumBuf", [e]);
    const plan = compile(new Graph([s]), s.keys(), { ops: local });
    expect(plan.tasks).toHaveLength(chunks); // fill, exp and sum fused per chunk
    const baseline = kernels.memory.stats().liveBlocks;
    for (let run = 0; run < 3; run++) {
      const sums = plan.run({}, { kernels }) as number[];
      sums.forEach((v) => expect(v).toBeCloseTo(1000 * Math.exp(0.5), 9));
      expect(kernels.memory.stats().liveBlocks).toBe(baseline); // scratch and results all given back
    }
    // inside the fused task, fill's result was scratch, not a heap allocation
    expect(seenInputs.every((b) => b instanceof ScratchBuffer && !(b instanceof Allocation))).toBe(true);
    // unfused, results are heap allocations freed after their last reader
    const unfused = compile(new Graph([s]), s.keys(), { ops: local, fusion: "none" });
    expect(unfused.buffers().get(x.keyAt(0))).toEqual({ bytes: 8000, lastReader: expect.any(Number) });
    unfused.run({}, { kernels });
    expect(kernels.memory.stats().liveBlocks).toBe(baseline);
  });

  it("spill intermediates larger than the scratch block to the heap, and still leak nothing", async () => {
    const { Kernels } = await import("../src/kernels/index.js");
    const kernels = await Kernels.create({ backend: "wasm-scalar", memory: { initial: 16 << 20, maximum: 128 << 20 } });
    const local = new OpRegistry();
    const { registerKernelOps } = await import("../src/graph/index.js");
    registerKernelOps(local);
    const n = 300_000; // 2.4 MB per intermediate: more than the 1 MiB first scratch block
    local.register(
      "big",
      (ctx, i: number) => {
        const out = ctx.alloc(8 * n);
        out.f64().fill(1 + i);
        return out;
      },
      { context: true },
    );
    const ids = new TaskLayer(
      "spill-ids",
      [0, 1].map((i) => task(key("spill-ids", i), "const", i)),
    );
    const x = new BlockwiseLayer("big", [ids]);
    const e = new BlockwiseLayer("sqrt", [x]);
    const s = new BlockwiseLayer("sum", [e]);
    const plan = compile(new Graph([s]), s.keys(), { ops: local });
    const baseline = kernels.memory.stats().liveBlocks;
    for (let run = 0; run < 3; run++) {
      const [a, b] = plan.run({}, { kernels }) as number[];
      expect(a).toBe(n);
      expect(Math.abs(b! - n * Math.SQRT2)).toBeLessThan(1e-9 * n);
      expect(kernels.memory.stats().liveBlocks).toBe(baseline);
    }
  });

  it("say which argument is missing when an op allocates without kernels", () => {
    const local = new OpRegistry();
    local.register("needsMemory", (ctx) => ctx.alloc(8), { context: true });
    const b = new GraphBuilder();
    b.task("nm", "needsMemory");
    expect(() => compile(b.graph(), [key("nm")], { ops: local }).run()).toThrow(/argument 'kernels' must be a Kernels instance/);
  });
});

describe("kernels as graph ops", () => {
  it("computes the seed expression sum(exp(x) - 1/x) with kernel ops on every backend", async () => {
    const { Kernels, BACKENDS } = await import("../src/kernels/index.js");
    const { registerKernelOps } = await import("../src/graph/index.js");
    const local = new OpRegistry();
    registerKernelOps(local);
    local.register(
      "chunk",
      (ctx, i: number, n: number) => {
        const out = ctx.alloc(8 * n);
        const v = out.f64();
        for (let j = 0; j < n; j++) v[j] = 0.5 + ((i * n + j) % 7) / 10;
        return out;
      },
      { context: true },
    );
    local.register("total", (parts: number[]) => parts.reduce((s, v) => s + v, 0));
    const chunks = 5;
    const n = 37;
    const ids = new TaskLayer(
      "seed-ids",
      Array.from({ length: chunks }, (_, i) => task(key("seed-ids", i), "const", i)),
    );
    const x = new BlockwiseLayer("chunk", [ids, { literal: n }]);
    const e = new BlockwiseLayer("exp", [x]);
    const r = new BlockwiseLayer("reciprocal", [x]);
    const y = new BlockwiseLayer("sub", [e, r]);
    const partial = new BlockwiseLayer("sum", [y]);
    const total = new TreeReductionLayer("total", partial, 2);
    let want = 0;
    for (let i = 0; i < chunks; i++)
      for (let j = 0; j < n; j++) {
        const v = 0.5 + ((i * n + j) % 7) / 10;
        want += Math.exp(v) - 1 / v;
      }
    for (const backend of BACKENDS) {
      const kernels = await Kernels.create({ backend, memory: { initial: 1 << 20, maximum: 16 << 20 } });
      const plan = compile(new Graph([total]), [total.keyAt(0)], { ops: local });
      const [got] = plan.run({}, { kernels }) as number[];
      expect(Math.abs(got! - want)).toBeLessThan(1e-9 * want);
      expect(kernels.memory.stats().liveBlocks).toBe(0);
    }
  });

  it("reject arguments that are not buffers, naming them", async () => {
    const { Kernels } = await import("../src/kernels/index.js");
    const { registerKernelOps } = await import("../src/graph/index.js");
    const local = new OpRegistry();
    registerKernelOps(local);
    const kernels = await Kernels.create({ backend: "js", memory: { initial: 1 << 16, maximum: 1 << 20 } });
    const b = new GraphBuilder();
    b.task("bad-exp", "exp", 3);
    expect(() => compile(b.graph(), [key("bad-exp")], { ops: local }).run({}, { kernels })).toThrow(
      /task bad-exp failed: op exp: argument 'x' must be a buffer/,
    );
  });
});

describe("fuseBlockwise", () => {
  const chain = (chunks: number) => {
    const x = new BlockwiseLayer("source", [{ literal: 2 }], { chunks });
    const e = new BlockwiseLayer("exp", [x]);
    const r = new BlockwiseLayer("reciprocal", [x]);
    const s = new BlockwiseLayer("sub", [e, r]);
    const total = new TreeReductionLayer("sum", s, 4);
    return { x, e, r, s, total };
  };

  it("fuses a diamond of blockwise layers into one layer of one task per chunk", async () => {
    const { fuseBlockwise, FusedBlockwiseLayer, layerTasks } = await import("../src/graph/index.js");
    const { x, e, r, s, total } = chain(6);
    const layers = fuseBlockwise(new Graph([total]));
    expect(layers).toHaveLength(2); // the fused x-e-r-s layer and the reduction
    const fused = layers[0] as InstanceType<typeof FusedBlockwiseLayer>;
    expect(fused).toBeInstanceOf(FusedBlockwiseLayer);
    expect(fused.members).toEqual([x, e, r, s]);
    expect(fused.keys()).toEqual(s.keys()); // the root's keys: readers need no change
    const tasks = layerTasks(layers);
    expect(tasks.size).toBe(6 + 3); // six fused chunk tasks, a reduction tree of 2 + 1
    const t0 = tasks.get(s.keyAt(0))!;
    expect(isFused(t0) && t0.steps.map((st) => st.key)).toEqual([x.keyAt(0), e.keyAt(0), r.keyAt(0), s.keyAt(0)]);
    expect(taskDependencies(t0)).toEqual([]);
  });

  it("keeps layers whose keys are requested outputs or bound inputs", async () => {
    const { fuseBlockwise } = await import("../src/graph/index.js");
    const { x, e, total } = chain(3);
    const layers = fuseBlockwise(new Graph([total]), new Set([e.keyAt(1)]));
    expect(layers).toContain(e);
    expect(layers).toContain(x); // x's readers (e and r) no longer share one group
  });

  it("computes the same values as task-level fusion alone", () => {
    const { total, e } = chain(5);
    const graph = new Graph([total]);
    const outputs = [total.keyAt(0)];
    const a = compile(graph, outputs, { ops, blockwise: true });
    const b = compile(graph, outputs, { ops, blockwise: false });
    const c = compile(graph, outputs, { ops, fusion: "none" });
    expect(a.stats.materialized).toBeLessThan(b.stats.materialized);
    expect(a.run()).toEqual(c.run());
    expect(b.run()).toEqual(c.run());
    // an intermediate chunk requested as an output is still computable
    expect(compile(graph, [e.keyAt(2), total.keyAt(0)], { ops }).run()).toEqual(
      compile(graph, [e.keyAt(2), total.keyAt(0)], { ops, fusion: "none" }).run(),
    );
  });
});
