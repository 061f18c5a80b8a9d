/**
 * Property tests: on random DAGs of cheap ops, every combination of passes computes exactly
 * what the unoptimized graph computes, and a plan re-run with new bindings equals a fresh
 * compile with those values.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { OpRegistry, compile, isFused, key, ref, task, type Key, type Task, type TaskMap } from "../src/index.js";
import { cull, fuse, fuseLinear, inlineConstants, taskDependencies } from "../src/graph/index.js";

const ops = new OpRegistry();
// integer ops modulo a prime: exact, so fused and unfused must agree to the bit
const P = 1_000_003;
ops.register("inc", (x: number) => (x + 1) % P);
ops.register("mul3", (x: number) => (x * 3) % P);
ops.register("add", (...xs: number[]) => xs.reduce((s, v) => (s + v) % P, 0));
ops.register("sumList", (xs: number[]) => xs.reduce((s, v) => (s + v) % P, 0));

interface RandomGraph {
  tasks: TaskMap;
  outputs: Key[];
  inputs: Key[];
}

let graphId = 0;

/** A random DAG: node i reads up to 3 earlier nodes; some nodes are constants or inputs. */
const randomGraph = fc
  .record({
    size: fc.integer({ min: 1, max: 40 }),
    seedEdges: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat({ max: 9 })), { minLength: 40, maxLength: 40 }),
    outputPicks: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
  })
  .map(({ size, seedEdges, outputPicks }): RandomGraph => {
    const id = graphId++;
    const keys = Array.from({ length: size }, (_, i) => key(`rg${id}`, i));
    const tasks = new Map<Key, Task>();
    const inputs: Key[] = [];
    for (let i = 0; i < size; i++) {
      const [a, b, c, kind] = seedEdges[i]!;
      if (i === 0 || kind === 0) {
        tasks.set(keys[i]!, task(keys[i]!, "const", (a % 97) + 1));
      } else if (kind === 1 && inputs.length < 3) {
        inputs.push(keys[i]!);
        tasks.set(keys[i]!, task(keys[i]!, "input", `rg${id}`));
      } else {
        const picks = [...new Set([a % i, b % i, c % i])];
        const refs = picks.map((p) => ref(keys[p]!));
        const t =
          kind <= 3
            ? task(keys[i]!, "inc", refs[0])
            : kind <= 5
              ? task(keys[i]!, "mul3", refs[0])
              : kind <= 7
                ? task(keys[i]!, "add", ...refs)
                : task(keys[i]!, "sumList", refs);
        tasks.set(keys[i]!, t);
      }
    }
    const outputs = [...new Set(outputPicks.map((p) => keys[p % size]!))];
    return { tasks, outputs, inputs };
  });

const knobs = fc.record({
  aveWidth: fc.constantFrom(1, 1.5, 2, 4, Infinity),
  maxWidth: fc.constantFrom(1, 2, 3, 8, Infinity),
  maxHeight: fc.constantFrom(1, 2, 5, Infinity),
  maxDepthNewEdges: fc.constantFrom(0, 1, 3, Infinity),
});

const bindingsFor = (inputs: Key[], values: number[]) => new Map(inputs.map((k, i) => [k, values[i % values.length]!]));

/** Unoptimized reference: every task on its own, in topological order. */
function reference(g: RandomGraph, bindings: Map<Key, number>): unknown[] {
  return compile(g.tasks, g.outputs, { ops, inputs: g.inputs, fusion: "none" }).run(bindings);
}

describe("passes preserve results (property)", () => {
  it("fuse, fuseLinear, cull and inlineConstants in any combination compute what the plain graph computes", () => {
    fc.assert(
      fc.property(
        randomGraph,
        knobs,
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.boolean(),
        (g, options, values, linearFirst, inlineFirst) => {
          const bindings = bindingsFor(g.inputs, values);
          const want = reference(g, bindings);
          const keep = [...g.outputs, ...g.inputs];
          let tasks: TaskMap = cull(g.tasks, keep);
          if (inlineFirst) tasks = inlineConstants(tasks, keep);
          if (linearFirst) tasks = fuseLinear(tasks, keep);
          tasks = fuse(tasks, keep, options);
          // outputs keep their keys, and no step appears in two tasks (nothing computed twice)
          for (const k of g.outputs) expect(tasks.has(k)).toBe(true);
          const steps = [...tasks.values()].flatMap((t) => (isFused(t) ? t.steps.map((s) => s.key) : [t.key]));
          expect(new Set(steps).size).toBe(steps.length);
          const got = compile(tasks, g.outputs, { ops, inputs: g.inputs, fusion: "none" }).run(bindings);
          expect(got).toEqual(want);
          // and compile's own pipeline agrees too
          for (const fusion of ["none", "linear", "aggressive"] as const) {
            expect(compile(g.tasks, g.outputs, { ops, inputs: g.inputs, fusion, fuseOptions: options }).run(bindings)).toEqual(want);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("fuse never leaves more tasks than fuseLinear, nor fuseLinear more than the culled graph", () => {
    fc.assert(
      fc.property(randomGraph, (g) => {
        const keep = [...g.outputs, ...g.inputs];
        const culled = cull(g.tasks, keep);
        const linear = fuseLinear(culled, keep);
        expect(linear.size).toBeLessThanOrEqual(culled.size);
        // fused tasks read only keys that exist in the fused graph
        for (const t of fuse(culled, keep).values()) for (const d of taskDependencies(t)) expect(fuse(culled, keep).has(d)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});

describe("plans (property)", () => {
  it("a plan re-run with new bindings equals a fresh compile with those inputs", () => {
    fc.assert(
      fc.property(
        randomGraph,
        fc.array(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 4 }),
        (g, runs) => {
          const plan = compile(g.tasks, g.outputs, { ops, inputs: g.inputs });
          for (const values of runs) {
            const bindings = bindingsFor(g.inputs, values);
            // a fresh graph where each input is a constant with the bound value
            const fresh = new Map(g.tasks);
            for (const k of g.inputs) fresh.set(k, task(k, "const", bindings.get(k)));
            expect(plan.run(bindings)).toEqual(compile(fresh, g.outputs, { ops }).run());
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("blockwise fusion (property)", () => {
  it("random DAGs of blockwise layers compute the same with and without layer fusion", async () => {
    const { BlockwiseLayer, Graph, TreeReductionLayer } = await import("../src/index.js");
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat({ max: 3 }), fc.boolean()), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
        (chunks, specs, outputPicks) => {
          const layers: InstanceType<typeof BlockwiseLayer>[] = [new BlockwiseLayer("const", [{ literal: 7 }], { chunks })];
          for (const [a, b, kind, broadcastLiteral] of specs) {
            const x = layers[a % layers.length]!;
            const y = layers[b % layers.length]!;
            const op = ["inc", "mul3", "add", "add"][kind]!;
            const inputs = op === "add" ? [x, broadcastLiteral ? { literal: 5 } : y] : [x];
            layers.push(new BlockwiseLayer(op, inputs));
          }
          const outs = [...new Set(outputPicks.map((p) => layers[p % layers.length]!))];
          const total = new TreeReductionLayer("sumList", outs[0]!, 2);
          const graph = new Graph([...outs.slice(1), total]);
          const keys = [...outs.slice(1).flatMap((l) => l.keys()), total.keyAt(0)];
          const want = compile(graph, keys, { ops, fusion: "none" }).run();
          expect(compile(graph, keys, { ops }).run()).toEqual(want);
          expect(compile(graph, keys, { ops, fusion: "linear" }).run()).toEqual(want);
        },
      ),
      { numRuns: 200 },
    );
  });
});
