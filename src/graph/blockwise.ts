/**
 * Blockwise fusion: fusion at the level of layers, before any task exists. A chain or diamond
 * of blockwise layers over the same chunks (x, exp(x), 1/x, exp(x) - 1/x, its per-chunk sum)
 * becomes one layer whose chunk i is one task running a single shared program on chunk i. It
 * costs O(layers), not O(tasks); the fused layer makes one light task per chunk (the program
 * is not copied into each), and leaves the task-level passes a fraction of the tasks: Dask's
 * blockwise optimization, in weft's form.
 *
 * A layer joins the group of the layers that read it when every layer that reads it is a
 * blockwise layer of the same group reading it chunk for chunk (not broadcast), and none of
 * its keys is to be kept (an output, an input); so, as with tasks, nothing is computed twice
 * and outputs keep their keys.
 */
import type { Graph } from "./graph.js";
import type { Key } from "./keys.js";
import { BlockwiseLayer, Layer } from "./layers.js";
import { FUSED, type Arg, type FusedTask, type Task } from "./task.js";

/** An argument of a program step: an earlier step's result, chunk i (or 0) of a layer, or a value. */
export type ProgramArg =
  | { readonly kind: "step"; readonly step: number }
  | { readonly kind: "layer"; readonly layer: Layer; readonly broadcast: boolean }
  | { readonly kind: "literal"; readonly value: Arg };

export interface ProgramStep {
  readonly op: string;
  readonly args: readonly ProgramArg[];
  /** The member layer whose chunk i this step computes (its key, its declared size). */
  readonly layer: BlockwiseLayer;
}

/** The steps of a fused blockwise layer, shared by all its chunks; the last step is the result. */
export class BlockProgram {
  readonly steps: readonly ProgramStep[];

  constructor(members: readonly BlockwiseLayer[]) {
    const slot = new Map<Layer, number>(members.map((m, j) => [m, j]));
    this.steps = members.map((m) => ({
      op: m.op,
      layer: m,
      args: m.inputs.map((input): ProgramArg => {
        if (!(input instanceof Layer)) return { kind: "literal", value: input.literal };
        const j = slot.get(input);
        return j !== undefined ? { kind: "step", step: j } : { kind: "layer", layer: input, broadcast: input.size === 1 && m.size !== 1 };
      }),
    }));
  }
}

/**
 * Chunk i of a fused blockwise layer: a fused task whose steps are a shared program. Its steps
 * are made (as ordinary tasks) only if something asks for them; plans run the program directly.
 */
export class ProgramTask implements FusedTask {
  readonly op = FUSED;
  readonly args = [] as const;
  private stepTasks: Task[] | undefined;

  constructor(readonly key: Key, readonly program: BlockProgram, readonly chunk: number, readonly deps: readonly Key[]) {}

  get steps(): readonly Task[] {
    this.stepTasks ??= this.program.steps.map((s) => s.layer.taskAt(this.chunk));
    return this.stepTasks;
  }
}

/** Several blockwise layers run as one: chunk i is a ProgramTask over the members' chunk i. */
export class FusedBlockwiseLayer extends Layer {
  readonly program: BlockProgram;
  private readonly externalInputs: readonly { layer: Layer; broadcast: boolean }[];

  /** @param members the fused layers, dependencies first; the last is the root, whose keys this layer has. */
  constructor(readonly members: readonly BlockwiseLayer[], external: readonly Layer[]) {
    super(members[members.length - 1]!.name, external);
    this.program = new BlockProgram(members);
    const seen = new Set<Layer>();
    const inputs: { layer: Layer; broadcast: boolean }[] = [];
    for (const s of this.program.steps) {
      for (const a of s.args) {
        if (a.kind === "layer" && !seen.has(a.layer)) {
          seen.add(a.layer);
          inputs.push({ layer: a.layer, broadcast: a.broadcast });
        }
      }
    }
    this.externalInputs = inputs;
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

  override hasKey(k: Key): boolean {
    return this.root.hasKey(k);
  }

  taskAt(i: number): ProgramTask {
    const deps: Key[] = [];
    for (const { layer, broadcast } of this.externalInputs) {
      const k = layer.keyAt(broadcast ? 0 : i);
      if (!deps.includes(k)) deps.push(k);
    }
    return new ProgramTask(this.root.keyAt(i), this.program, i, deps);
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
  if (keep.size > 0) for (const l of layers) for (const k of keep) if (l.hasKey(k)) outputs.add(l);
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
