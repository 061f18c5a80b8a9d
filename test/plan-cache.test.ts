/**
 * The plan cache: graphs of the same structure share a compiled plan and bind their own inputs;
 * graphs that differ in any structural detail never do (a property over random pairs); the
 * cache is bounded, counts what it does, forgets on close and when an op is registered anew.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  BlockwiseLayer,
  Graph,
  InputLayer,
  type Layer,
  OpRegistry,
  Runtime,
  TaskError,
  TaskLayer,
  TreeReductionLayer,
  array,
  compile,
  key,
  ref,
  task,
  type Key,
} from "../src/index.js";
import { chunkTable } from "../src/graph/index.js";

const ops = new OpRegistry();
const P = 1_000_003;
ops.register("inc", (x: number) => (x + 1) % P);
ops.register("mul3", (x: number) => (x * 3) % P);
ops.register("add", (a: number, b: number) => (a + b) % P);
ops.register("scale", (x: number, k: number) => (x * k) % P);
ops.register("sumList", (xs: number[]) => xs.reduce((s, v) => (s + v) % P, 0));
ops.register("source", (seed: number, chunk: number) => (seed * 31 + chunk * 7) % P);

/** A chain of layers: each node reads the previous one (and maybe an earlier one), so all are needed. */
interface Spec {
  chunks: number;
  /** The first layer: data (an input layer) or a rule (a source with a literal seed). */
  first: { kind: "input" } | { kind: "source"; seed: number } | { kind: "fill"; value: number };
  nodes: Node[];
  /** Tree reduction over the last node, or the last node itself as the output. */
  tree: { splitEvery: number } | undefined;
}
type Node =
  | { kind: "unary"; op: "inc" | "mul3" }
  | { kind: "add"; other: number; swap: boolean }
  | { kind: "scale"; k: number }
  | { kind: "table"; shift: number }
  | { kind: "broadcast"; from: number; at: number };

const nodeArb: fc.Arbitrary<Node> = fc.oneof(
  fc.record({ kind: fc.constant("unary" as const), op: fc.constantFrom("inc" as const, "mul3" as const) }),
  fc.record({ kind: fc.constant("add" as const), other: fc.nat(), swap: fc.boolean() }),
  fc.record({ kind: fc.constant("scale" as const), k: fc.integer({ min: 2, max: 9 }) }),
  fc.record({ kind: fc.constant("table" as const), shift: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant("broadcast" as const), from: fc.nat(), at: fc.nat() }),
);

const specArb: fc.Arbitrary<Spec> = fc.record({
  chunks: fc.integer({ min: 2, max: 6 }),
  first: fc.oneof(
    fc.constant({ kind: "input" as const }),
    fc.record({ kind: fc.constant("source" as const), seed: fc.integer({ min: 1, max: 50 }) }),
    fc.record({ kind: fc.constant("fill" as const), value: fc.integer({ min: 1, max: 50 }) }),
  ),
  nodes: fc.array(nodeArb, { minLength: 1, maxLength: 6 }),
  tree: fc.option(fc.record({ splitEvery: fc.integer({ min: 2, max: 4 }) }), { nil: undefined }),
});

/** The graph of a spec over `data` (values of the input layer, when it has one); its output keys. */
function build(spec: Spec, data: number[]): { graph: Graph; outputs: Key[] } {
  const first = spec.first;
  const layers: Layer[] = [
    first.kind === "input"
      ? new InputLayer(`in-${Math.random()}`, data.slice(0, spec.chunks))
      : first.kind === "source"
        ? new BlockwiseLayer(
            "source",
            [{ literal: first.seed }, { perChunk: chunkTable(Array.from({ length: spec.chunks }, (_, i) => i)) }],
            { chunks: spec.chunks },
          )
        : new BlockwiseLayer("source", [{ literal: first.value }, { literal: 0 }], { chunks: spec.chunks }), // the same in every chunk
  ];
  for (const node of spec.nodes) {
    const last = layers[layers.length - 1]!;
    switch (node.kind) {
      case "unary":
        layers.push(new BlockwiseLayer(node.op, [last]));
        break;
      case "add": {
        const other = layers[node.other % layers.length]!;
        layers.push(new BlockwiseLayer("add", node.swap ? [other, last] : [last, other]));
        break;
      }
      case "scale":
        layers.push(new BlockwiseLayer("scale", [last, { literal: node.k }]));
        break;
      case "table":
        layers.push(
          new BlockwiseLayer("scale", [last, { perChunk: chunkTable(Array.from({ length: spec.chunks }, (_, i) => i + node.shift + 1)) }]),
        );
        break;
      case "broadcast": {
        // one chunk of an earlier layer read by every chunk, through a table
        const from = layers[node.from % layers.length]!;
        layers.push(
          new BlockwiseLayer("add", [last, { layer: from, chunkOf: chunkTable(new Array(spec.chunks).fill(node.at % spec.chunks)) }]),
        );
        break;
      }
    }
  }
  const last = layers[layers.length - 1]!;
  if (!spec.tree) return { graph: new Graph([last]), outputs: last.keys() };
  const total = new TreeReductionLayer("sumList", last, spec.tree.splitEvery);
  return { graph: new Graph([total]), outputs: [total.keyAt(0)] };
}

/** Specs that differ from `spec` in exactly one structural detail. */
function mutations(spec: Spec): Spec[] {
  const out: Spec[] = [];
  const withNodes = (nodes: Node[]): Spec => ({ ...spec, nodes });
  out.push({ ...spec, chunks: spec.chunks + 1 });
  out.push({ ...spec, first: spec.first.kind === "input" ? { kind: "source", seed: 3 } : { kind: "input" } });
  if (spec.first.kind === "source") out.push({ ...spec, first: { kind: "source", seed: spec.first.seed + 1 } });
  if (spec.first.kind === "fill") out.push({ ...spec, first: { kind: "fill", value: spec.first.value + 1 } });
  out.push({ ...spec, tree: spec.tree ? undefined : { splitEvery: 2 } });
  if (spec.tree) out.push({ ...spec, tree: { splitEvery: spec.tree.splitEvery + 1 } });
  spec.nodes.forEach((node, i) => {
    const replace = (n: Node) => withNodes(spec.nodes.map((m, j) => (j === i ? n : m)));
    const position = i + 1; // the layer this node makes
    switch (node.kind) {
      case "unary":
        out.push(replace({ kind: "unary", op: node.op === "inc" ? "mul3" : "inc" }));
        break;
      case "add": {
        const other = node.other % position;
        // the other operand is the previous layer itself: swapping changes nothing
        if (other !== position - 1) out.push(replace({ ...node, swap: !node.swap }));
        if (position > 1) out.push(replace({ ...node, other: (other + 1) % position }));
        break;
      }
      case "scale":
        out.push(replace({ kind: "scale", k: node.k + 1 }));
        break;
      case "table":
        out.push(replace({ kind: "table", shift: node.shift + 1 }));
        break;
      case "broadcast":
        if (position > 1) out.push(replace({ ...node, from: ((node.from % position) + 1) % position }));
        out.push(replace({ ...node, at: (node.at % spec.chunks) + 1 })); // another chunk (chunks >= 2)
        break;
    }
  });
  out.push(withNodes([...spec.nodes, { kind: "unary", op: "inc" }]));
  return out;
}

let rt: Runtime;

beforeAll(async () => {
  rt = await Runtime.start({ threads: 1 });
});

afterAll(async () => {
  await rt.close();
});

describe("plan cache: sharing by structure", () => {
  it("graphs of the same structure share a plan and bind their own inputs; one structural difference never shares", async () => {
    await fc.assert(
      fc.asyncProperty(specArb, fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 8, maxLength: 8 }), async (spec, data) => {
        rt.planCache.clear();
        const first = build(spec, data);
        await rt.compute(first.graph, first.outputs, { ops });
        // the same structure over other data: a hit, and the values of a fresh compile
        const again = build(
          spec,
          data.map((v) => v + 17),
        );
        const misses = rt.planCache.stats().misses;
        const got = await rt.compute(again.graph, again.outputs, { ops });
        expect(rt.planCache.stats().misses).toBe(misses);
        expect(got).toEqual(compile(again.graph, again.outputs, { ops, fusion: "none" }).run());
        for (const changed of mutations(spec)) {
          const other = build(changed, data);
          const before = rt.planCache.stats().misses;
          const values = await rt.compute(other.graph, other.outputs, { ops });
          expect(rt.planCache.stats().misses).toBe(before + 1); // never a plan compiled for another structure
          expect(values).toEqual(compile(other.graph, other.outputs, { ops, fusion: "none" }).run());
        }
      }),
      { numRuns: 120 },
    );
  });

  it("arrays: the same expression over new data hits; other ops, numbers, chunks, shapes, dtypes, axes and operand roles miss", async () => {
    const t = await Runtime.start({ threads: 2 });
    try {
      const x = await array.arange(24, { chunks: 5 }).persist({ runtime: t });
      const m = await array.arange(24, { chunks: 5 }).mul(0.5).astype("float64").persist({ runtime: t });
      const X = await array
        .fromRows(
          Array.from({ length: 6 }, (_, i) => [i, i + 1, i + 2, i + 3]),
          { chunks: 2 },
        )
        .persist({ runtime: t });
      const base = (a: typeof x) => a.exp().sub(a.mul(2)).sum();
      const variants: [string, () => ReturnType<typeof base>][] = [
        ["another op", () => x.log1p().sub(x.mul(2)).sum()],
        ["another number", () => x.exp().sub(x.mul(3)).sum()],
        ["another reduction", () => x.exp().sub(x.mul(2)).max()],
        ["another fan-in", () => x.exp().sub(x.mul(2)).sum(undefined, { splitEvery: 3 })],
        ["operands swapped", () => x.mul(2).sub(x.exp()).sum()],
        ["two arrays, not one", () => x.exp().sub(m.mul(2)).sum()],
        ["other chunks", () => base(array.arange(24, { chunks: 6 }))],
        ["another length", () => base(array.arange(25, { chunks: 5 }))],
        ["float32", () => base(array.arange(24, { chunks: 5, dtype: "float32" }))],
        ["axis 0", () => X.sum(0).sum()],
        ["axis 1", () => X.sum(1).sum()],
      ];
      await base(x).compute({ runtime: t });
      const y = await array.arange(24, { chunks: 5 }).add(1).persist({ runtime: t });
      const hits = t.planCache.stats().hits;
      const got = await base(y).compute({ runtime: t });
      expect(t.planCache.stats().hits).toBe(hits + 1);
      expect(got).toBeCloseTo(
        Array.from({ length: 24 }, (_, i) => Math.exp(i + 1) - 2 * (i + 1)).reduce((s, v) => s + v, 0),
        6,
      );
      for (const [what, make] of variants) {
        const before = t.planCache.stats().misses;
        const value = await make().compute({ runtime: t });
        expect(t.planCache.stats().misses, what).toBe(before + 1);
        expect(value, what).toEqual(await make().compute({ runtime: t, cache: false }));
      }
    } finally {
      await t.close();
    }
  });
});

describe("plan cache: bookkeeping", () => {
  it("is bounded by count and by bytes, least recently used first, and counts what it does", async () => {
    const t = await Runtime.start({ threads: 1, planCache: { entries: 2 } });
    try {
      const exprs = [
        (a: ReturnType<typeof array.arange>) => a.exp().sum(),
        (a: ReturnType<typeof array.arange>) => a.log1p().sum(),
        (a: ReturnType<typeof array.arange>) => a.sqrt().sum(),
      ];
      const x = array.arange(10, { chunks: 3 });
      await exprs[0]!(x).compute({ runtime: t });
      await exprs[1]!(x).compute({ runtime: t });
      await exprs[0]!(x).compute({ runtime: t }); // 0 is now the most recent
      await exprs[2]!(x).compute({ runtime: t }); // evicts 1
      expect(t.planCache.stats()).toMatchObject({ hits: 1, misses: 3, entries: 2, evictions: 1 });
      await exprs[0]!(x).compute({ runtime: t });
      expect(t.planCache.stats().hits).toBe(2);
      await exprs[1]!(x).compute({ runtime: t });
      expect(t.planCache.stats().misses).toBe(4);
      await exprs[1]!(x).compute({ runtime: t, cache: false }); // neither looked up nor counted
      expect(t.planCache.stats()).toMatchObject({ hits: 2, misses: 4 });
      expect(t.planCache.stats().bytes).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
    expect(t.planCache.stats()).toMatchObject({ entries: 0, bytes: 0 });
    const tiny = await Runtime.start({ threads: 1, planCache: { bytes: 1 } });
    try {
      await array.arange(10, { chunks: 3 }).exp().sum().compute({ runtime: tiny });
      expect(tiny.planCache.stats()).toMatchObject({ entries: 0, misses: 1 }); // larger than the cache: not kept
    } finally {
      await tiny.close();
    }
    await expect(Runtime.start({ planCache: { entries: -1 } })).rejects.toThrow(/planCache.entries/);
  });

  it("an op registered anew is never run from a plan that holds the old one", async () => {
    const local = new OpRegistry();
    local.register("twice", (x: number) => 2 * x);
    const graphOf = () => {
      const src = new InputLayer(`src-${Math.random()}`, [1, 2, 3]);
      const out = new BlockwiseLayer("twice", [src]);
      return { graph: new Graph([out]), outputs: out.keys() };
    };
    const a = graphOf();
    expect(await rt.compute(a.graph, a.outputs, { ops: local })).toEqual([2, 4, 6]);
    local.register("twice", (x: number) => 20 * x);
    const b = graphOf();
    expect(await rt.compute(b.graph, b.outputs, { ops: local })).toEqual([20, 40, 60]);
  });

  it("a failure in a reused plan names the task of the graph being run", async () => {
    const local = new OpRegistry();
    local.register("failOn", (x: number) => {
      if (x === 13) throw new Error("thirteen");
      return x;
    });
    const graphOf = (values: number[]) => {
      const src = new InputLayer(`fail-src-${Math.random()}`, values);
      const out = new BlockwiseLayer("failOn", [src]);
      return { out, graph: new Graph([out]) };
    };
    const ok = graphOf([1, 2, 3]);
    await rt.compute(ok.graph, ok.out.keys(), { ops: local });
    const bad = graphOf([1, 13, 3]);
    const error = await rt.compute(bad.graph, bad.out.keys(), { ops: local }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as TaskError).key).toBe(bad.out.keyAt(1));
    expect((error as TaskError).message).toContain(`${bad.out.name}[1]`);
  });
});

describe("plan cache: regressions of the review", () => {
  const local = new OpRegistry();
  local.register("num", (x: number) => x);
  local.register("plus10", (x: number) => x + 10);
  local.register("affine", (x: number, c: number[]) => x * c[0]! + c[1]!);
  const FIXTURE = new URL("./fixtures/ops.mjs", import.meta.url).href;

  it("a task layer's refs name what they read by its position, so reordered producers never share a plan", async () => {
    let id = 0;
    // the reader reads A[0]; the second graph lists A's tasks in the other order
    const byIndex = (order: [number, number][]) => {
      const name = `reorder-${id++}`;
      const A = new TaskLayer(
        name,
        order.map(([i, v]) => task(key(name, i), "num", v)),
      );
      const B = new TaskLayer(`${name}-b`, [task(key(`${name}-b`, 0), "plus10", ref(key(name, 0)))], [A]);
      return { graph: new Graph([B]), out: key(`${name}-b`, 0) };
    };
    const a1 = byIndex([
      [0, 1],
      [1, 2],
    ]);
    expect(await rt.compute(a1.graph, [a1.out], { ops: local })).toEqual([11]);
    const a2 = byIndex([
      [1, 1],
      [0, 2],
    ]);
    expect(await rt.compute(a2.graph, [a2.out], { ops: local })).toEqual([12]);
    // keys named apart from their layer ("x", "y") in another order
    const byName = (order: [string, number][]) => {
      const tag = id++;
      const A = new TaskLayer(
        `names-${tag}`,
        order.map(([n, v]) => task(key(`${n}-${tag % 2}`), "num", v)),
      );
      const B = new TaskLayer(`names-out-${tag}`, [task(key(`out-${tag}`), "plus10", ref(key(`x-${tag % 2}`)))], [A]);
      return { graph: new Graph([B]), out: key(`out-${tag}`) };
    };
    const b1 = byName([
      ["x", 1],
      ["y", 2],
    ]);
    expect(await rt.compute(b1.graph, [b1.out], { ops: local })).toEqual([11]);
    const b2 = byName([
      ["y", 1],
      ["x", 2],
    ]);
    expect(await rt.compute(b2.graph, [b2.out], { ops: local })).toEqual([12]);
  });

  it("a list literal changed after a compute does not change the cached plan; a typed array literal is never cached", async () => {
    const graphOf = (coeffs: unknown) => {
      const X = new InputLayer(`lit-${Math.random()}`, [5]);
      const Y = new BlockwiseLayer("affine", [X, { literal: coeffs }]);
      return { graph: new Graph([Y]), out: Y.keyAt(0) };
    };
    const params = [1, 0];
    const first = graphOf(params);
    expect(await rt.compute(first.graph, [first.out], { ops: local })).toEqual([5]);
    params[0] = 100; // the caller reuses its list
    const second = graphOf([1, 0]);
    expect(await rt.compute(second.graph, [second.out], { ops: local })).toEqual([5]);
    // the same graph object after its list changed: described anew, so not the old plan
    expect(await rt.compute(first.graph, [first.out], { ops: local })).toEqual([500]);
    // a cyclic list is not written by value either
    const cyclic: unknown[] = [1, 0];
    cyclic.push(cyclic);
    const third = graphOf(cyclic);
    expect(await rt.compute(third.graph, [third.out], { ops: local })).toEqual([5]);
  });

  it("a typed array literal updated in place between computes reaches the workers every time", async () => {
    const t = await Runtime.start({ threads: 3, inline: false });
    try {
      const withModule = new OpRegistry();
      withModule.register("scaleBy", (await import(FIXTURE)).scaleBy, { module: FIXTURE });
      const coeffs = new Float64Array([1]);
      for (let it = 1; it <= 3; it++) {
        coeffs[0] = it;
        const X = new InputLayer(
          `typed-${Math.random()}`,
          Array.from({ length: 8 }, () => 10),
        );
        const Y = new BlockwiseLayer("scaleBy", [X, { literal: coeffs }]);
        expect(await t.compute(new Graph([Y]), Y.keys(), { ops: withModule })).toEqual(new Array(8).fill(10 * it));
      }
      expect(t.planCache.stats().hits).toBe(0);
    } finally {
      await t.close();
    }
  });

  it("a kernel overridden after a fused expression ran is the one its next run calls", async () => {
    const t = await Runtime.start({ threads: 1, backend: "js" });
    try {
      const sum = () =>
        array
          .fromTypedArray(new Float64Array(1000), { chunks: [250] })
          .exp()
          .add(1)
          .sum()
          .compute({ runtime: t });
      expect(await sum()).toBe(2000);
      const memory = t.kernels.memory;
      t.kernels.override("exp", (n, _x, out) => {
        memory.f64.fill(5, out / 8, out / 8 + n);
      });
      expect(await sum()).toBe(6000);
      expect(t.planCache.stats().hits).toBeGreaterThan(0); // the same plan, the new kernel
    } finally {
      await t.close();
    }
  });

  it("runtime.compile on a cache hit names the keys of the graph it was given", async () => {
    local.register("failBelow0", (x: number) => {
      if (x < 0) throw new Error("negative");
      return x;
    });
    const graphOf = (v: number) => {
      const X = new InputLayer(`named-${Math.random()}`, [v]);
      const Y = new BlockwiseLayer("failBelow0", [X]);
      return { graph: new Graph([Y]), Y };
    };
    const one = graphOf(1);
    rt.compile(one.graph, one.Y.keys(), { ops: local });
    const two = graphOf(-1);
    const plan = rt.compile(two.graph, two.Y.keys(), { ops: local });
    expect([...plan.buffers().keys()]).toEqual([two.Y.keyAt(0)]);
    expect(plan.tasks[0]!.key).toBe(two.Y.keyAt(0));
    const error = await rt.run(plan).catch((e: unknown) => e);
    expect((error as TaskError).key).toBe(two.Y.keyAt(0));
    expect(() => plan.run({})).toThrow(new RegExp(`${two.Y.name}\\[0\\]`));
  });
});

describe("compiling lazy layers", () => {
  it("makes no task objects, whatever the chunk count", async () => {
    const counted = { blockwise: 0, tree: 0 };
    const taskAt = BlockwiseLayer.prototype.taskAt;
    const treeTasks = TreeReductionLayer.prototype.tasks;
    BlockwiseLayer.prototype.taskAt = function (this: BlockwiseLayer, i: number) {
      counted.blockwise++;
      return taskAt.call(this, i);
    };
    TreeReductionLayer.prototype.tasks = function (this: TreeReductionLayer) {
      counted.tree++;
      return treeTasks.call(this);
    };
    try {
      const x = array.random.uniform({ shape: [100_000], chunks: 10, seed: 1 });
      const y = x.exp().sub(x.reciprocal()).sum();
      const plan = compile(new Graph([y.storageLayer]), y.storageLayer.keys());
      expect(plan.stats.fused).toBe(10_000 + 1250 + 157 + 20 + 3 + 1);
      expect(counted).toEqual({ blockwise: 0, tree: 0 });
    } finally {
      BlockwiseLayer.prototype.taskAt = taskAt;
      TreeReductionLayer.prototype.tasks = treeTasks;
    }
  });

  it("a hand-written gradient descent loop runs one plan, with NumPy's iterates", async () => {
    const t = await Runtime.start({ threads: 2 });
    try {
      const { X, y } = array.random.logisticProblem({ rows: 2000, cols: 6, seed: 5, chunkRows: 300 });
      const [Xv, yv] = (await array.compute(X, y, { runtime: t })) as Float64Array[];
      const Xp = await X.persist({ runtime: t }),
        yp = await y.persist({ runtime: t });
      const step = 1e-3;
      const w = new Float64Array(6);
      const want = new Float64Array(6);
      const hits = t.planCache.stats().hits;
      for (let it = 0; it < 25; it++) {
        const g = (await Xp.T.matmul(Xp.matmul(array.fromTypedArray(w)).sigmoid().sub(yp)).compute({ runtime: t })) as Float64Array;
        for (let j = 0; j < 6; j++) w[j] = w[j]! - step * g[j]!;
        // the same step in plain JS: X^T (sigmoid(X w) - y)
        const grad = new Float64Array(6);
        for (let i = 0; i < 2000; i++) {
          let eta = 0;
          for (let j = 0; j < 6; j++) eta += Xv![i * 6 + j]! * want[j]!;
          const r = 1 / (1 + Math.exp(-eta)) - yv![i]!;
          for (let j = 0; j < 6; j++) grad[j] = grad[j]! + r * Xv![i * 6 + j]!;
        }
        for (let j = 0; j < 6; j++) want[j] = want[j]! - step * grad[j]!;
      }
      for (let j = 0; j < 6; j++) expect(Math.abs(w[j]! - want[j]!)).toBeLessThan(1e-9 * Math.max(1, Math.abs(want[j]!)));
      expect(t.planCache.stats().hits - hits).toBe(24); // the first iteration compiled; every other one reused it
    } finally {
      await t.close();
    }
  });

  it("keys: a key() made before a layer reserves its block still names that layer's chunk", () => {
    const l = new BlockwiseLayer("inc", [new InputLayer("early-keys", [1, 2, 3])], { name: "early-keys-inc" });
    const k = key("early-keys-inc", 2);
    expect(l.keyAt(2)).toBe(k);
  });
});
