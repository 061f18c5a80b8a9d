/**
 * Blockwise fusion: fusion at the level of layers, before any task exists. A chain or diamond
 * of blockwise layers over the same chunks (x, exp(x), 1/x, exp(x) - 1/x, its per-chunk sum)
 * becomes one layer whose chunk i is one task running a single shared program on chunk i. It
 * costs O(layers), not O(tasks); the fused layer makes one light task per chunk (the program
 * is not copied into each), and compile() turns a graph of such layers into a plan without
 * making tasks at all: Dask's blockwise optimization, in weft's form.
 *
 * A layer joins the group of the layers that read it when every layer that reads it is a
 * blockwise layer of the same group reading it chunk for chunk (not broadcast, not through a
 * table), none of its keys is to be kept (an output, an input), and its result can live in a
 * worker's scratch block as an intermediate: an op the tile interpreter streams (exp, add, ...)
 * needs only a tile of it, any other op a whole chunk, which must not exceed
 * `maxIntermediateBytes` (a 16 MB random chunk fused into its reader sent the task to the
 * calling thread, the only one that can allocate that much). So, as with tasks, nothing is
 * computed twice, outputs keep their keys, and every fused task can run on any thread.
 */
import type { Graph } from "./graph.js";
import type { Key } from "./keys.js";
import { BlockwiseLayer, bytesOf, chunkRead, Layer, type BlockwiseInput } from "./layers.js";
import type { OpRegistry } from "./ops.js";
import type { ChunkTable } from "./tables.js";
import { FUSED, type Arg, type FusedTask, type Task } from "./task.js";

/**
 * An argument of a program step: an earlier step's result, chunk i (or 0, or the one a table
 * names) of a layer outside the group, a value, or a number per chunk.
 */
export type ProgramArg =
  | { readonly kind: "step"; readonly step: number }
  | { readonly kind: "layer"; readonly input: BlockwiseInput & object; readonly layer: Layer }
  | { readonly kind: "literal"; readonly value: Arg }
  | { readonly kind: "chunk"; readonly table: ChunkTable };

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
        if (input instanceof Layer) {
          const j = slot.get(input);
          return j !== undefined ? { kind: "step", step: j } : { kind: "layer", input, layer: input };
        }
        if ("chunkOf" in input) return { kind: "layer", input, layer: input.layer };
        if ("literal" in input) return { kind: "literal", value: input.literal };
        return { kind: "chunk", table: input.perChunk };
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

  constructor(
    readonly key: Key,
    readonly program: BlockProgram,
    readonly chunk: number,
    readonly deps: readonly Key[],
  ) {}

  get steps(): readonly Task[] {
    this.stepTasks ??= this.program.steps.map((s) => s.layer.taskAt(this.chunk));
    return this.stepTasks;
  }

  /** Bytes of the result, when the root layer declares them. */
  get bytes(): number | undefined {
    return this.program.steps[this.program.steps.length - 1]!.layer.bytes(this.chunk);
  }
}

/** Several blockwise layers run as one: chunk i is a ProgramTask over the members' chunk i. */
export class FusedBlockwiseLayer extends Layer {
  readonly program: BlockProgram;
  /** The inputs outside the group, each once, in the order the program first reads them. */
  readonly externalInputs: readonly (BlockwiseInput & object)[];

  /** @param members the fused layers, dependencies first; the last is the root, whose keys this layer has. */
  constructor(
    readonly members: readonly BlockwiseLayer[],
    external: readonly Layer[],
  ) {
    super(members[members.length - 1]!.name, external);
    this.program = new BlockProgram(members);
    const inputs: (BlockwiseInput & object)[] = [];
    for (const s of this.program.steps) {
      for (const a of s.args) if (a.kind === "layer" && !inputs.some((x) => sameInput(x, a.input))) inputs.push(a.input);
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
    for (const input of this.externalInputs) {
      const layer = input instanceof Layer ? input : (input as { layer: Layer }).layer;
      const k = layer.keyAt(chunkRead(input, i));
      if (!deps.includes(k)) deps.push(k);
    }
    return new ProgramTask(this.root.keyAt(i), this.program, i, deps);
  }

  *tasks(): Iterable<Task> {
    for (let i = 0; i < this.size; i++) yield this.taskAt(i);
  }

  protected describe(): string {
    // made by compile() from layers that describe themselves; never part of a user's graph
    return `F${this.members.map((m) => m.structure).join("+")}`;
  }
}

/** Whether two inputs read the same chunks of the same layer. */
export function sameInput(a: BlockwiseInput & object, b: BlockwiseInput & object): boolean {
  if (a === b) return true;
  if (a instanceof Layer || b instanceof Layer) return false;
  return "chunkOf" in a && "chunkOf" in b && a.layer === b.layer && a.chunkOf === b.chunkOf;
}

/** What blockwise fusion needs beyond the graph: keys to keep, and the limit on whole-chunk intermediates. */
export interface BlockwiseFusionOptions {
  /** Keys that must stay tasks' results (outputs, inputs). */
  keep?: ReadonlySet<Key>;
  /** The ops, to tell which stream tile by tile (default: every op's result counts whole). */
  ops?: OpRegistry;
  /** Largest chunk result that an op not run tile by tile may leave as an intermediate. */
  maxIntermediateBytes?: number;
}

/** The largest chunk result of a layer, when declared. */
function largestChunk(l: BlockwiseLayer): number {
  const b = l.chunkBytes;
  if (b === undefined) return 0;
  if (typeof b === "number") return b;
  let max = 0;
  for (let i = 0; i < l.size; i++) max = Math.max(max, bytesOf(b, i) ?? 0);
  return max;
}

/**
 * The layers to materialize after blockwise fusion: every layer of `graph`, with each fusable
 * group replaced by one FusedBlockwiseLayer (same keys as the group's root, so the layers that
 * read the root need no change). Layers holding any of the `keep` keys (a compile's outputs
 * and inputs) are not absorbed, so those keys stay tasks of their own.
 */
export function fuseBlockwise(graph: Graph, keepOrOptions: ReadonlySet<Key> | BlockwiseFusionOptions = {}): Layer[] {
  const options: BlockwiseFusionOptions =
    keepOrOptions instanceof Set ? { keep: keepOrOptions } : (keepOrOptions as BlockwiseFusionOptions);
  const keep = options.keep ?? new Set<Key>();
  const limit = options.maxIntermediateBytes ?? Infinity;
  const layers = graph.layers();
  const outputs = new Set<Layer>(graph.outputLayers);
  if (keep.size > 0) for (const l of layers) for (const k of keep) if (l.hasKey(k)) outputs.add(l);
  const readers = new Map<Layer, Layer[]>();
  for (const l of layers) readers.set(l, []);
  for (const l of layers) for (const d of l.dependencies) readers.get(d)!.push(l);
  const streams = (op: string) => {
    const tile = options.ops?.get(op)?.tile;
    return tile !== undefined && tile.kind !== "reduce";
  };
  const groupOf = new Map<Layer, BlockwiseLayer>(); // member -> root
  // consumers before producers: a layer's readers have their groups when it is considered
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i]!;
    if (!(l instanceof BlockwiseLayer)) continue;
    const rs = readers.get(l)!;
    let root: BlockwiseLayer | undefined;
    const fusable =
      !outputs.has(l) &&
      rs.length > 0 &&
      (streams(l.op) || largestChunk(l) <= limit) &&
      rs.every((r) => {
        if (!(r instanceof BlockwiseLayer) || r.size !== l.size) return false;
        // read chunk for chunk: plainly, and not broadcast (a one-chunk layer read by one-chunk layers is)
        if (r.inputs.some((input) => !(input instanceof Layer) && "chunkOf" in input && input.layer === l)) return false;
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
