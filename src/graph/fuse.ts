/**
 * Task fusion: fewer, fatter tasks, so the scheduler has less to think about.
 *
 * Both passes work bottom up, in topological order. Every task starts a group; a task then
 * absorbs the groups of its dependencies whose results nothing else reads (their root's only
 * reader is this task), and, once it holds every reader of some other group's root, that
 * group too (this closes diamonds: in `exp(x) - 1/x` the subtraction absorbs exp and 1/x, and
 * then x, whose two readers it now holds). A group is absorbed whole or not at all, and only
 * when nothing outside reads its root: a task shared by consumers in different groups is never
 * copied into both, so nothing is computed twice. Each group becomes one fused task with its
 * root's key; outputs are never absorbed, so they keep their keys.
 *
 * - fuseLinear absorbs chains only: `z = h(g(f(w)))` becomes one task.
 * - fuse also absorbs fan-ins (several independent groups into one task, as in a reduction
 *   tree) within knobs modelled on Dask's:
 *     aveWidth          most steps per level of height in a fused task: Dask's measure of how
 *                       much parallel work one task serializes
 *     maxWidth          most independent entry steps (steps with no input inside the task)
 *     maxHeight         longest chain of steps in a fused task
 *     maxDepthNewEdges  tallest absorbed branch that still reads from outside: deeper new
 *                       inputs would hold the whole task back waiting for them
 *   A fan-in is judged after its diamonds close: when every step of the fused task then
 *   descends from a single entry step (as in `exp(x) - 1/x`, all from x), it serializes no
 *   independent work and is accepted whatever the knobs; chains are limited by maxHeight alone.
 * - A task marked `gather` (a reduction's combine) absorbs nothing when it has several inputs:
 *   drawing its branches in would run them one after another, and only once the slowest input
 *   is ready (a logistic gradient over a few large chunks ran slower with the last chunks fused
 *   into the final combine than with the combines kept apart).
 *
 * The passes run on the dense form of the graph (indexed.ts): typed arrays, not Maps. The knobs
 * and what each pass may absorb are in fuse-rules.ts, the groups (a union-find) in fuse-groups.ts.
 */
import { checkOutputs } from "./analyze.js";
import { Groups } from "./fuse-groups.js";
import { aggressiveRules, linearRules, type FanIn, type FuseOptions, type Rules } from "./fuse-rules.js";
import type { TaskMap } from "./graph.js";
import { indexGraph, topologicalIndices, type IndexedGraph } from "./indexed.js";
import type { Key } from "./keys.js";
import { FUSED, stepsOf, type FusedTask, type Task } from "./task.js";

export { DEFAULT_FUSE_OPTIONS, type FanIn, type FuseOptions } from "./fuse-rules.js";

function fuseWith(tasks: TaskMap, outputs: readonly Key[], rules: Rules): Map<Key, Task> {
  checkOutputs(tasks, outputs);
  return fuseIndexed(indexGraph(tasks), outputs, rules);
}

/** The fusion itself, on the dense form (compile() calls it on its culled graph directly). */
function fuseIndexed(g: IndexedGraph, outputs: readonly Key[], rules: Rules): Map<Key, Task> {
  const order = topologicalIndices(g);
  const n = g.size;
  const { depStart, depList, keys } = g;
  const isOutput = new Uint8Array(n);
  for (const k of outputs) isOutput[g.indexOf(k)] = 1;
  const groups = new Groups(g, isOutput);
  const { height, entries, readsOutside } = groups;
  // a group whose result is too big to become another task's intermediate stays a task
  const tooBig = (group: number): boolean => (g.tasks[groups.root[group]!]!.bytes ?? 0) > rules.maxIntermediateBytes;

  /**
   * Absorbs every group whose root only group `rep` reads, repeatedly (diamonds close), looking
   * at the inputs of `fresh` (the members just added). Returns the representative and whether
   * anything was absorbed.
   */
  const closeDiamonds = (rep: number, fresh: number[]): [number, boolean] => {
    let memo: Map<number, number> | undefined; // made only when a group is found to absorb
    let any = false;
    let frontier = fresh;
    while (frontier.length > 0) {
      const added: number[] = [];
      for (const m of frontier) {
        for (let q = depStart[m]!; q < depStart[m + 1]!; q++) {
          const other = groups.find(depList[q]!);
          if (other === rep) continue;
          // Only a group read by several members is a diamond's apex. A group with a single
          // reader was already offered to that reader, which declined (a knob said no).
          const otherRoot = groups.root[other]!;
          if (g.dentStart[otherRoot + 1]! - g.dentStart[otherRoot]! < 2 || !groups.ownedBy(other, rep) || tooBig(other)) continue;
          // the absorbed group hangs below the deepest member that reads its root
          let level = 0;
          memo ??= new Map();
          for (let r = g.dentStart[otherRoot]!; r < g.dentStart[otherRoot + 1]!; r++) {
            level = Math.max(level, groups.levelOf(g.dentList[r]!, rep, memo));
          }
          const h = height[other]! + level;
          if (h > rules.maxHeight) continue;
          const absorbedMembers = groups.members(other);
          rep = groups.absorb(rep, other);
          height[rep] = Math.max(height[rep]!, h);
          for (const k of absorbedMembers) added.push(k);
          any = true;
          memo.clear(); // levels depend on membership, which just changed
        }
      }
      frontier = added;
    }
    return [rep, any];
  };

  const candidates: number[] = [];
  for (let p = 0; p < n; p++) {
    const t = order[p]!;
    groups.start(t);
    groups.commit();
    const first = depStart[t]!;
    const last = depStart[t + 1]!;
    if (first === last) continue;
    if (last - first > 1 && g.tasks[t]!.gather) continue; // branches stay side by side
    // The groups of t's inputs that nobody else reads.
    candidates.length = 0;
    for (let q = first; q < last; q++) {
      const other = groups.find(depList[q]!);
      if (candidates.includes(other)) continue;
      let seen = false;
      for (let c = first; c < q && !seen; c++) seen = groups.find(depList[c]!) === other;
      if (seen) continue;
      if (height[other]! + 1 <= rules.maxHeight && groups.ownedBy(other, t) && !tooBig(other)) candidates.push(other);
    }
    if (candidates.length === 0) continue;
    if (candidates.length === 1) {
      const other = candidates[0]!;
      const chain = last - first === 1;
      if (!chain && !rules.partialInputs) continue;
      const otherHeight = height[other]!,
        otherEntries = entries[other]!,
        otherOutside = readsOutside[other]!;
      const fresh = chain || !rules.closeDiamonds ? [] : groups.members(other);
      let rep = groups.absorb(t, other, false);
      height[rep] = otherHeight + 1;
      // t reads the absorbed root, so t is no entry: the entries are the absorbed group's; t
      // still reads its other inputs, if any, from outside
      entries[rep] = otherEntries;
      readsOutside[rep] = chain ? otherOutside : 1;
      if (!chain && rules.closeDiamonds) {
        const [closed, grew] = closeDiamonds(rep, [t, ...fresh]);
        rep = closed;
        if (grew) {
          entries[rep] = groups.countEntries(rep);
          readsOutside[rep] = groups.computeReadsOutside(rep);
        }
      }
      continue;
    }
    if (!rules.fanIn && !rules.closeDiamonds) continue;
    if (!candidates.some((c) => readsOutside[c])) {
      // No candidate reads from outside, so no diamond can close below: judge before absorbing.
      let width = 0,
        size = 1,
        h = 1;
      for (const c of candidates) {
        width += entries[c]!;
        size += groups.size(c);
        h = Math.max(h, height[c]! + 1);
      }
      if (width > 1 && !rules.fanIn?.({ branches: candidates.length, width, height: h, size, deepestNewEdge: 0 })) continue;
    }
    // Several independent inputs: absorb tentatively, close diamonds, then judge the fan-in.
    const mark = groups.mark();
    let deepestNewEdge = 0;
    let rep = t;
    const fresh: number[] = [];
    let h = 1;
    for (const other of candidates) {
      if (readsOutside[other]) deepestNewEdge = Math.max(deepestNewEdge, height[other]!);
      h = Math.max(h, height[other]! + 1);
      for (const m of groups.members(other)) fresh.push(m);
      rep = groups.absorb(rep, other);
      height[rep] = h;
    }
    if (rules.closeDiamonds) rep = closeDiamonds(rep, fresh)[0];
    const width = groups.countEntries(rep);
    // Several groups joined: the knobs must allow the result, even when closing diamonds left a
    // single entry (otherwise one shared input, such as a mean read by every chunk's branch,
    // would pull all the branches of a large array into one serial task).
    const fanIn: FanIn = { branches: candidates.length, width, height: height[rep]!, size: groups.size(rep), deepestNewEdge };
    if (!rules.fanIn?.(fanIn)) {
      groups.rollback(mark);
      continue;
    }
    entries[rep] = width;
    readsOutside[rep] = groups.computeReadsOutside(rep);
  }

  const position = new Int32Array(n);
  for (let p = 0; p < n; p++) position[order[p]!] = p;
  const fused = new Map<Key, Task>();
  const emitted = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    const j = order[p]!;
    const rep = groups.find(j);
    if (emitted[rep]) continue;
    // a group is emitted when its root comes up in topological order (its last member)
    if (groups.root[rep] !== j) continue;
    emitted[rep] = 1;
    if (groups.size(rep) === 1) {
      fused.set(keys[j]!, g.tasks[j]!);
      continue;
    }
    // members in topological order: sort their positions (a native numeric sort), map back
    const positions = Int32Array.from(groups.members(rep), (m) => position[m]!).sort();
    const sorted = Array.from(positions, (q) => order[q]!);
    const steps: Task[] = [];
    const external: Key[] = [];
    const seen = sorted.length > 16 ? new Set<Key>() : undefined; // small groups: a scan is cheaper
    for (const m of sorted) {
      for (const s of stepsOf(g.tasks[m]!)) steps.push(s);
      for (let q = depStart[m]!; q < depStart[m + 1]!; q++) {
        const d = depList[q]!;
        if (groups.find(d) === rep) continue;
        const k = keys[d]!;
        if (seen ? seen.has(k) : external.includes(k)) continue;
        seen?.add(k);
        external.push(k);
      }
    }
    const t: FusedTask = { key: keys[j]!, op: FUSED, args: [], steps, deps: external };
    fused.set(keys[j]!, t);
  }
  return fused;
}

/**
 * Fuses linear chains: `z = h(g(f(w)))` becomes one task with z's key.
 *
 * @example fuseLinear({w, x: f(w), y: g(x), z: h(y)}, [z]) -> {z: fused[w, x, y, z]}
 */
export function fuseLinear(tasks: TaskMap, outputs: readonly Key[]): Map<Key, Task> {
  return fuseWith(tasks, outputs, linearRules({}));
}

/**
 * Aggressive, non-linear fusion of chains, diamonds and fan-ins within the knobs above.
 *
 * @example fuse({x, e: exp(x), r: reciprocal(x), s: sub(e, r)}, [s]) -> {s: fused[x, e, r, s]}
 */
export function fuse(tasks: TaskMap, outputs: readonly Key[], options: FuseOptions = {}): Map<Key, Task> {
  return fuseWith(tasks, outputs, aggressiveRules(options));
}

/**
 * fuse or fuseLinear on an already indexed graph (for compile(), which culls in that form and
 * so never builds the intermediate maps).
 */
export function fuseGraph(
  g: IndexedGraph,
  outputs: readonly Key[],
  mode: "linear" | "aggressive",
  options: FuseOptions = {},
): Map<Key, Task> {
  return fuseIndexed(g, outputs, mode === "linear" ? linearRules(options) : aggressiveRules(options));
}
