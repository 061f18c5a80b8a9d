/**
 * TreeReductionLayer: the lazy layer that reduces an input's chunks (or separate groups of them)
 * level by level, `splitEvery` at a time, into one value per group (Dask's tree reduction).
 */
import { ArgumentError } from "../errors.js";
import { checkOptions } from "../validate.js";
import { checkOpName } from "./checks.js";
import { bytesOf, bytesToken, validIndices, type ChunkBytes } from "./chunk-inputs.js";
import { derivedName, key, reserveKeys, uniqueName, type Key } from "./keys.js";
import { holdName, Layer } from "./layer.js";
import { fingerprint } from "./structure.js";
import type { ChunkTable } from "./tables.js";
import { ref, task, taskWithDeps, type Arg, type Task } from "./task.js";

const TREE_OPTIONS = ["name", "groups", "args", "bytes", "single"] as const;

/** Options of a tree reduction: separate groups, leading arguments, result sizes, the op for one input. */
export interface TreeOptions {
  name?: string;
  /**
   * Reduce the input's chunks in `count` separate trees, output chunk g being group g's result:
   * group g's m-th input is chunk `members.at(g * (members.length / count) + m)`. Default: one
   * group of all the input's chunks, in order.
   */
  groups?: { readonly count: number; readonly members: ChunkTable };
  /** Literal arguments before the list of values (`combineVectors("sum", list)`). */
  args?: readonly Arg[];
  /** Bytes of group g's result (and of its partial combines). */
  bytes?: ChunkBytes;
  /** The op for a group of a single input (`identity`), instead of `op(...args, [value])`. */
  single?: string;
}

/**
 * A tree reduction of the chunks of `input` (or of separate groups of them) into one value per
 * group: groups of `splitEvery` results are combined by `op` (which receives a list of values
 * after `options.args`), level by level, until one remains (Dask's `splitEvery`). Output g is the
 * group's result; the inner levels have their own keys ("<name>.<depth>").
 */
export class TreeReductionLayer extends Layer {
  readonly splitEvery: number;
  /** Groups reduced separately, and inputs per group. */
  readonly groupCount: number;
  readonly perGroup: number;
  readonly members: ChunkTable | undefined;
  readonly leadingArgs: readonly Arg[];
  readonly chunkBytes: ChunkBytes | undefined;
  readonly single: string | undefined;

  constructor(
    readonly op: string,
    readonly input: Layer,
    splitEvery = 8,
    nameOrOptions?: string | TreeOptions,
  ) {
    checkOpName(op, "TreeReductionLayer");
    if (!(input instanceof Layer)) throw new ArgumentError("input", "a layer (whose chunks are reduced)", input, `reduction ${op}`);
    if (!Number.isInteger(splitEvery) || splitEvery < 2) {
      throw new ArgumentError("splitEvery", "a whole number >= 2", splitEvery, `reduction ${op}`);
    }
    const options: TreeOptions =
      typeof nameOrOptions === "string" ? { name: nameOrOptions } : checkOptions(nameOrOptions, `reduction ${op}`, TREE_OPTIONS);
    const groups = options.groups;
    if (groups) {
      if (!Number.isInteger(groups.count) || groups.count < 1 || groups.members.length % groups.count !== 0) {
        throw new ArgumentError("groups", "a count >= 1 dividing the members table", groups.count, `reduction ${op}`);
      }
      if (!validIndices(groups.members, input.size)) {
        throw new ArgumentError("groups", `member chunk indices below ${input.size}`, "others", `reduction ${op}`);
      }
    }
    super(options.name ?? uniqueName(op), [input]);
    this.splitEvery = splitEvery;
    this.groupCount = groups?.count ?? 1;
    this.perGroup = groups ? groups.members.length / groups.count : input.size;
    this.members = groups?.members;
    this.leadingArgs = options.args ?? [];
    this.chunkBytes = options.bytes;
    this.single = options.single;
  }

  /** Key block of each inner level, reserved the first time the level's tasks are made. */
  private readonly levelBases = new Map<number, Key | undefined>();

  get size(): number {
    return this.groupCount;
  }

  /** Input chunk of group g's m-th member. */
  memberChunk(g: number, m: number): number {
    return this.members ? this.members.at(g * this.perGroup + m) : m;
  }

  /** Tasks per group at each inner level (depth 1, 2, ...): the final level (one per group) is not listed. */
  get innerLevels(): number[] {
    const sizes: number[] = [];
    for (let n = this.perGroup; n > this.splitEvery; n = Math.ceil(n / this.splitEvery)) sizes.push(Math.ceil(n / this.splitEvery));
    return sizes;
  }

  /** Key `index` of inner level `depth` (named "<name>.<depth>"), a level of `levelSize` tasks in all. */
  levelKeyAt(depth: number, index: number, levelSize: number): Key {
    const name = derivedName(this.name, `.${depth}`);
    if (!this.levelBases.has(depth)) {
      this.levelBases.set(depth, reserveKeys(name, levelSize));
      holdName(this, name);
    }
    const base = this.levelBases.get(depth);
    return base === undefined ? key(name, index) : base + index;
  }

  /** Bytes of group g's (partial) results, when known. */
  bytes(g: number): number | undefined {
    return bytesOf(this.chunkBytes, g);
  }

  *tasks(): Iterable<Task> {
    const s = this.splitEvery;
    const levels = this.innerLevels;
    const withBytes = (t: Task, g: number): Task => {
      const b = this.bytes(g);
      return b === undefined ? t : { ...t, bytes: b };
    };
    for (let g = 0; g < this.groupCount; g++) {
      let level: Key[] = Array.from({ length: this.perGroup }, (_, m) => this.input.keyAt(this.memberChunk(g, m)));
      if (level.length === 0) {
        yield task(this.keyAt(g), this.op, ...this.leadingArgs, []);
        continue;
      }
      for (let d = 0; d < levels.length; d++) {
        const perGroup = levels[d]!;
        const next: Key[] = [];
        for (let t = 0; t < perGroup; t++) {
          const k = this.levelKeyAt(d + 1, g * perGroup + t, perGroup * this.groupCount);
          const inputs = level.slice(t * s, (t + 1) * s);
          next.push(k);
          yield withBytes(taskWithDeps(k, this.op, [...this.leadingArgs, inputs.map(ref)], inputs, { gather: true }), g);
        }
        level = next;
      }
      if (level.length === 1 && this.single !== undefined)
        yield withBytes(taskWithDeps(this.keyAt(g), this.single, [ref(level[0]!)], level), g);
      else yield withBytes(taskWithDeps(this.keyAt(g), this.op, [...this.leadingArgs, level.map(ref)], level, { gather: true }), g);
    }
  }

  override keyAt(i: number): Key {
    if (!Number.isInteger(i) || i < 0 || i >= this.groupCount) {
      throw new ArgumentError("i", `a group index below ${this.groupCount}`, i, `layer ${this.name}`);
    }
    return super.keyAt(i);
  }

  protected describe(): string {
    const args = this.leadingArgs.map((a) => fingerprint(a)).join(",");
    return `T${JSON.stringify(this.op)}s${this.splitEvery}g${this.groupCount}x${this.perGroup}m${this.members?.id ?? "-"}a[${args}]b${bytesToken(this.chunkBytes)}o${JSON.stringify(this.single ?? null)}(L0)`;
  }
}
