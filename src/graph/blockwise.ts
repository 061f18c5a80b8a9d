/**
 * Blockwise fusion: fusion at the level of layers, before any task exists. A chain or diamond
 * of blockwise layers over the same chunks (x, exp(x), 1/x, exp(x) - 1/x, its per-chunk sum)
 * becomes one layer whose chunk i is one fused task running the members' steps for chunk i.
 * It costs O(layers), not O(tasks), and leaves the task-level passes a fraction of the tasks:
 * Dask's blockwise optimization, in weft's form.
 *
 * A layer joins the group of the layers that read it when every layer that reads it is a
 * blockwise layer of the same group reading it chunk for chunk (not broadcast), and it is not
 * one of the graph's outputs; so, as with tasks, nothing is computed twice and outputs keep
 * their keys.
 */
import type { Graph } from "./graph.js";
import type { Key } from "./keys.js";
import { BlockwiseLayer, Layer } from "./layers.js";
import { FUSED, type FusedTask, type Task } from "./task.js";

/** Several blockwise layers run as one: chunk i is a fused task of the members' chunk-i steps. */
export class FusedBlockwiseLayer extends Layer {
  /** @param members the fused layers, dependencies first; the last is the root, whose keys this layer has. */
  constructor(readonly members: readonly BlockwiseLayer[], external: readonly Layer[]) {
    super(members[members.length - 1]!.name, external);
  }

  get root(): BlockwiseLayer {
    return this.members[this.members.length - 1]!;
  }

  get size(): number {
    return this.root.size;
  }

  override keyAt(i: number): Key {
    return this.root.keyAt(i);
  }

  override keys(): Key[] {
    return this.root.keys();
  }

  taskAt(i: number): FusedTask {
    const steps: Task[] = this.members.map((m) => m.taskAt(i));
    const inside = new Set(steps.map((s) => s.key));
    const deps: Key[] = [];
    for (const s of steps) for (const d of s.deps!) if (!inside.has(d) && !deps.includes(d)) deps.push(d);
    return { key: this.root.keyAt(i), op: FUSED, args: [], steps, deps };
  }

  *tasks(): Iterable<Task> {
    for (let i = 0; i < this.size; i++) yield this.taskAt(i);
  }
}

/**
 * The layers to materialize after blockwise fusion: every layer of `graph`, with each fusable
 * group replaced by one FusedBlockwiseLayer (same keys as the group's root, so the layers that
 * read the root need no change). Layers holding any of the `keep` keys (a compile's outputs
 * and inputs) are not absorbed, so those keys stay tasks of their own.
 */
export function fuseBlockwise(graph: Graph, keep: ReadonlySet<Key> = new Set()): Layer[] {
  const layers = graph.layers();
  const outputs = new Set<Layer>(graph.outputLayers);
  if (keep.size > 0) for (const l of layers) if (l.keys().some((k) => keep.has(k))) outputs.add(l);
  const readers = new Map<Layer, Layer[]>();
  for (const l of layers) readers.set(l, []);
  for (const l of layers) for (const d of l.dependencies) readers.get(d)!.push(l);
  const groupOf = new Map<Layer, BlockwiseLayer>(); // member -> root
  // consumers before producers: a layer's readers have their groups when it is considered
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i]!;
    if (!(l instanceof BlockwiseLayer)) continue;
    const rs = readers.get(l)!;
    let root: BlockwiseLayer | undefined;
    const fusable = !outputs.has(l) && rs.length > 0 && rs.every((r) => {
      if (!(r instanceof BlockwiseLayer) || r.size !== l.size) return false;
      const g = groupOf.get(r);
      if (g === undefined || (root !== undefined && g !== root)) return false;
      root = g;
      return true;
    });
    groupOf.set(l, fusable ? root! : l);
  }
  const members = new Map<BlockwiseLayer, BlockwiseLayer[]>();
  for (const l of layers) {
    const root = groupOf.get(l);
    if (root) (members.get(root) ?? members.set(root, []).get(root)!).push(l as BlockwiseLayer);
  }
  const out: Layer[] = [];
  for (const l of layers) {
    const root = groupOf.get(l);
    if (root === undefined) {
      out.push(l);
    } else if (root === l) {
      const group = members.get(root)!;
      if (group.length === 1) {
        out.push(l);
      } else {
        const inside = new Set<Layer>(group);
        const external = [...new Set(group.flatMap((m) => m.dependencies.filter((d) => !inside.has(d))))];
        out.push(new FusedBlockwiseLayer(group, external));
      }
    }
  }
  return out;
}
