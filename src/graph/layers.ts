/**
 * Layers: the units of structural sharing. A layer is immutable and knows the layers it reads
 * from, so a collection's whole graph is the set of layers reachable from its own: `y = f(x)`
 * makes one new layer pointing at x's and copies nothing. Layers can be lazy: a blockwise layer
 * is a rule (task i applies op to chunk i of each input) and makes its tasks only when asked,
 * and compile() turns a graph of lazy layers into a plan without making them at all.
 *
 * Every layer can say what it computes from its dependencies without naming them or its own
 * data (`structure`): the runtime's plan cache compares graphs by these descriptions.
 */
import { ArgumentError, describe as describeValue } from "../errors.js";
import { checkInteger, checkOptions } from "../validate.js";
import { checkOpName } from "./checks.js";
import { derivedName, isGeneratedName, isKey, key, keyIndex, keyName, releaseName, reserveKeys, retainName, uniqueName, type Key } from "./keys.js";

/** Drops a layer's names from the key registry when the layer is collected (see retainName). */
const namesOfCollected = new FinalizationRegistry<string>(releaseName);

/** Marks `owner` as a user of `name`'s keys until it is collected (generated names only). */
function holdName(owner: object, name: string): void {
  retainName(name);
  if (isGeneratedName(name)) namesOfCollected.register(owner, name);
}
import { fingerprint, identityOf, MUTABLE, VOLATILE } from "./structure.js";
import type { ChunkTable } from "./tables.js";
import { ref, task, taskWithDeps, type Arg, type Task } from "./task.js";

let layersCreated = 0;

/** How many layers have been constructed in this process (tests use it to prove nothing is copied). */
export function layerCount(): number {
  return layersCreated;
}

/**
 * A layer of a graph: the tasks of one operation over all chunks, made lazily, with the layers it
 * depends on. Graphs share layers by reference instead of copying tasks.
 */
export abstract class Layer {
  /** Layers this one reads from (a layer read twice is listed twice: `structure` refers to them by position). */
  readonly dependencies: readonly Layer[];
  /** Key of chunk 0 when the layer's keys are one reserved block (chunk i is firstKey + i). */
  private firstKey: Key | undefined;
  private keysReserved = false;
  private structureCache: string | undefined;

  constructor(readonly name: string, dependencies: readonly Layer[]) {
    // before holdName: a layer's name is its keys' name (key(name, i))
    if (typeof name !== "string" || name.length === 0) throw new ArgumentError("name", "a non-empty string (the layer's name)", name, new.target.name);
    this.dependencies = dependencies;
    layersCreated += 1;
    holdName(this, name); // a generated name's keys go with the last layer object using it
  }

  /** Number of tasks in the layer. */
  abstract get size(): number;

  /** The key of output i (a layer's outputs are its chunks, 0 .. size - 1). */
  keyAt(i: number): Key {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) {
      throw new ArgumentError("i", `a chunk index below ${this.size}`, i, `layer ${this.name}`);
    }
    if (!this.keysReserved) {
      // reserved on first use: subclasses know their size only after their constructor ran
      this.firstKey = reserveKeys(this.name, this.size);
      this.keysReserved = true;
    }
    return this.firstKey === undefined ? key(this.name, i) : this.firstKey + i;
  }

  /** Whether `k` is one of this layer's output keys (without listing them all). */
  hasKey(k: Key): boolean {
    if (!isKey(k) || keyName(k) !== this.name) return false;
    const i = keyIndex(k);
    return i !== undefined && i < this.size && this.keyAt(i) === k;
  }

  /** The chunk index of output key `k` (undefined when it is not one of this layer's outputs). */
  indexOfKey(k: Key): number | undefined {
    return this.hasKey(k) ? keyIndex(k) : undefined;
  }

  /** All keys, in chunk order. */
  keys(): Key[] {
    return Array.from({ length: this.size }, (_, i) => this.keyAt(i));
  }

  /** Makes the layer's tasks (every call makes them anew: layers hold rules, not tasks). */
  abstract tasks(): Iterable<Task>;

  /**
   * What the layer computes from its dependencies (referred to by their position in
   * `dependencies`), without its name and without the values of its inputs: two layers with
   * equal structures over dependencies of equal structures compute the same thing. Cached.
   */
  get structure(): string {
    if (this.structureCache !== undefined) return this.structureCache;
    const made = this.describe();
    // a list written by value may change before the next compute: described anew each time
    if (!made.includes(MUTABLE)) this.structureCache = made;
    return made;
  }

  protected abstract describe(): string;
}

/** A layer given as explicit tasks (Dask's MaterializedLayer). */
export class TaskLayer extends Layer {
  private readonly taskList: readonly Task[];

  constructor(name: string, tasks: readonly Task[], dependencies: readonly Layer[] = []) {
    // O(dependencies): the tasks themselves are checked when the graph is materialized (layerTasks)
    if (!Array.isArray(tasks)) throw new ArgumentError("tasks", "a list of tasks (from task())", tasks, `TaskLayer ${String(name)}`);
    checkLayers(dependencies, "dependencies", `TaskLayer ${String(name)}`);
    super(name, dependencies);
    this.taskList = tasks;
  }

  get size(): number {
    return this.taskList.length;
  }

  override keys(): Key[] {
    return this.taskList.map((t) => t.key);
  }

  private positions: Map<Key, number> | undefined;

  /** Position of each task's key in the list. */
  private positionOf(k: Key): number | undefined {
    this.positions ??= new Map(this.taskList.map((t, i) => [t.key, i]));
    return this.positions.get(k);
  }

  override hasKey(k: Key): boolean {
    return this.positionOf(k) !== undefined;
  }

  override indexOfKey(k: Key): number | undefined {
    return this.positionOf(k);
  }

  override keyAt(i: number): Key {
    const t = this.taskList[i];
    if (!t) throw new ArgumentError("i", `an index below ${this.taskList.length}`, i, `layer ${this.name}`);
    return t.key;
  }

  tasks(): Iterable<Task> {
    return this.taskList;
  }

  /**
   * Every task written out (O(tasks): explicit tasks have no shorter description), with refs
   * to its own tasks by position, to a dependency's chunks by (dependency, chunk), and to any
   * other key as the key itself.
   */
  protected describe(): string {
    // a ref by the position of what it reads: its own task's, or a dependency's output (its
    // position in that layer's list); a key none of them makes cannot be told apart from
    // another graph's, and makes the graph one never cached
    const refToken = (r: { key: Key }): string => {
      const own = this.positionOf(r.key);
      if (own !== undefined) return `s${own}`;
      for (let d = 0; d < this.dependencies.length; d++) {
        const at = this.dependencies[d]!.indexOfKey(r.key);
        if (at !== undefined) return `d${d}:${at}`;
      }
      return VOLATILE;
    };
    let out = `M${this.taskList.length}{`;
    for (const t of this.taskList) {
      out += `${JSON.stringify(t.op)}(${fingerprint(t.args, refToken)})`;
      if (t.bytes !== undefined) out += `b${t.bytes}`;
      if (t.gather) out += "g";
      if (t.resources) out += `r${JSON.stringify(t.resources)}`;
      if ("steps" in t) out += VOLATILE; // a fused task made by hand: its steps are not described
      out += ";";
    }
    return out + "}";
  }
}

/** A list of layers (a layer's dependencies, a graph's outputs): O(layers). */
export function checkLayers(layers: unknown, name: string, where: string): asserts layers is readonly Layer[] {
  if (!Array.isArray(layers)) throw new ArgumentError(name, "a list of layers", layers, where);
  for (let i = 0; i < layers.length; i++) {
    if (!(layers[i] instanceof Layer)) throw new ArgumentError(name, "a list of layers", `${describeValue(layers[i])} at position ${i}`, where);
  }
}

/** What a value is, for messages: its class for objects, else its type. */

/**
 * What is wrong with a blockwise input (undefined when nothing): a Layer, or an object with
 * `layer` (a Layer) and `chunkOf` (a ChunkTable), with `literal`, or with `perChunk` (a ChunkTable).
 */
function badInput(input: unknown): string | undefined {
  if (input instanceof Layer) return undefined;
  if (typeof input !== "object" || input === null) return describeValue(input);
  if ("literal" in input) return undefined;
  if ("layer" in input) {
    if (!(input.layer instanceof Layer)) return "an object whose layer is not a Layer";
    return isTable((input as { chunkOf?: unknown }).chunkOf) ? undefined : "an object with a layer but no chunkOf table";
  }
  if ("perChunk" in input) return isTable(input.perChunk) ? undefined : "an object whose perChunk is not a chunk table";
  return "an object with none of layer, literal, perChunk";
}

/** A chunk table (from chunkTable()): has a length and values by chunk. */
const isTable = (t: unknown): boolean => typeof t === "object" && t !== null && typeof (t as ChunkTable).at === "function" && typeof (t as ChunkTable).length === "number";

/**
 * An input of a blockwise layer: a layer (chunk i of it, or chunk 0 of a one-chunk layer, which
 * every task then reads), a layer read through a table (task i reads chunk `chunkOf.at(i)`), a
 * value passed to every task, or a number per task from a table (its rows, its first row).
 */
export type BlockwiseInput =
  | Layer
  | { readonly layer: Layer; readonly chunkOf: ChunkTable }
  | { readonly literal: Arg }
  | { readonly perChunk: ChunkTable };

/** Bytes of a layer's chunk results: the same for all, per chunk from a table, or a function of the chunk. */
export type ChunkBytes = number | ChunkTable | ((i: number) => number);

/** The layer an input reads, if any. */
export function inputLayer(input: BlockwiseInput): Layer | undefined {
  return input instanceof Layer ? input : "layer" in input ? input.layer : undefined;
}

/** The chunk of input layer `l` that task `i` of a layer of `size` chunks reads. */
export function chunkRead(input: BlockwiseInput, i: number): number {
  if (input instanceof Layer) return input.size === 1 ? 0 : i;
  return (input as { chunkOf: ChunkTable }).chunkOf.at(i);
}

function bytesToken(bytes: ChunkBytes | undefined): string {
  if (bytes === undefined) return "?";
  if (typeof bytes === "number") return String(bytes);
  if (typeof bytes === "function") return `@${identityOf(bytes)}`;
  return `t${bytes.id}`;
}

/** Bytes of chunk i, or undefined when not declared. */
export function bytesOf(bytes: ChunkBytes | undefined, i: number): number | undefined {
  if (bytes === undefined) return undefined;
  if (typeof bytes === "number") return bytes;
  if (typeof bytes === "function") return bytes(i);
  return bytes.at(i);
}

const BLOCKWISE_OPTIONS = ["name", "chunks", "bytes"] as const;
const TREE_OPTIONS = ["name", "groups", "args", "bytes", "single"] as const;

/**
 * Task i is `op(a_0, a_1, ...)`, each argument from one input: chunk i of a layer (every layer
 * input must have as many chunks as this layer, or exactly one, broadcast to every task), the
 * chunk a table names, a literal, or a number per chunk from a table.
 */
export class BlockwiseLayer extends Layer {
  readonly op: string;
  readonly inputs: readonly BlockwiseInput[];
  readonly chunks: number;
  /** Bytes of each chunk's result, when known. */
  readonly chunkBytes: ChunkBytes | undefined;

  constructor(
    op: string,
    inputs: readonly BlockwiseInput[],
    options: { name?: string; chunks?: number; bytes?: ChunkBytes } = {},
  ) {
    // O(inputs), once per layer (array code makes one per operation, never per chunk)
    checkOpName(op, "BlockwiseLayer");
    const where = `blockwise ${op}`;
    options = checkOptions(options, where, BLOCKWISE_OPTIONS);
    checkInteger(options.chunks, "chunks", where, 0);
    const expected = "a list of inputs (layers, { layer, chunkOf }, { literal }, { perChunk })";
    if (!Array.isArray(inputs)) throw new ArgumentError("inputs", expected, inputs, where);
    for (let i = 0; i < inputs.length; i++) {
      const bad = badInput(inputs[i]);
      if (bad !== undefined) throw new ArgumentError("inputs", expected, `${bad} at position ${i}`, where);
    }
    const plain = inputs.filter((i): i is Layer => i instanceof Layer);
    const chunks = options.chunks ?? Math.max(0, ...plain.map((l) => l.size));
    for (const l of plain) {
      if (l.size !== chunks && l.size !== 1) {
        throw new ArgumentError("inputs", `layers of ${chunks} chunks (or 1, broadcast)`, `layer ${l.name} with ${l.size}`, `blockwise ${op}`);
      }
    }
    for (const input of inputs) {
      if (input instanceof Layer || "literal" in input) continue;
      const table = "chunkOf" in input ? input.chunkOf : input.perChunk;
      if (table.length !== chunks) throw new ArgumentError("inputs", `tables of ${chunks} entries (one per chunk)`, `a table of ${table.length}`, `blockwise ${op}`);
      if ("chunkOf" in input && chunks > 0 && !validIndices(table, input.layer.size)) {
        throw new ArgumentError("inputs", `chunk indices below ${input.layer.size} (layer ${input.layer.name})`, "a table with others", `blockwise ${op}`);
      }
    }
    super(options.name ?? uniqueName(op), inputs.map(inputLayer).filter((l): l is Layer => l !== undefined));
    this.op = op;
    this.inputs = inputs;
    this.chunks = chunks;
    this.chunkBytes = options.bytes;
  }

  get size(): number {
    return this.chunks;
  }

  /** Bytes of chunk i's result, when known. */
  bytes(i: number): number | undefined {
    return bytesOf(this.chunkBytes, i);
  }

  /** Chunk i's task. */
  taskAt(i: number): Task {
    const args: Arg[] = [];
    const deps: Key[] = [];
    for (const input of this.inputs) {
      const layer = inputLayer(input);
      if (layer) {
        const k = layer.keyAt(chunkRead(input, i));
        args.push(ref(k));
        if (!deps.includes(k)) deps.push(k);
      } else if ("literal" in input) {
        args.push(input.literal);
      } else {
        args.push((input as { perChunk: ChunkTable }).perChunk.at(i));
      }
    }
    const t = taskWithDeps(this.keyAt(i), this.op, args, deps);
    const bytes = this.bytes(i);
    return bytes === undefined ? t : { ...t, bytes };
  }

  *tasks(): Iterable<Task> {
    for (let i = 0; i < this.chunks; i++) yield this.taskAt(i);
  }

  protected describe(): string {
    let d = 0;
    const args = this.inputs.map((input) => {
      if (input instanceof Layer) return `L${d++}${input.size === 1 && this.chunks !== 1 ? "*" : ""}`;
      if ("chunkOf" in input) return `L${d++}@t${input.chunkOf.id}`;
      if ("literal" in input) return fingerprint(input.literal);
      return `c${input.perChunk.id}`;
    });
    return `B${JSON.stringify(this.op)}n${this.chunks}b${bytesToken(this.chunkBytes)}(${args.join(",")})`;
  }
}

/** Whether every entry of `table` is a chunk index below `size` (checked once per table and size). */
const validated = new WeakMap<ChunkTable, number>();
function validIndices(table: ChunkTable, size: number): boolean {
  if ((validated.get(table) ?? -1) >= 0 && validated.get(table)! <= size) return true;
  let max = -1;
  for (let i = 0; i < table.length; i++) {
    const v = table.at(i);
    if (!Number.isInteger(v) || v < 0) return false;
    if (v > max) max = v;
  }
  validated.set(table, max + 1);
  return max < size;
}

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

  constructor(readonly op: string, readonly input: Layer, splitEvery = 8, nameOrOptions?: string | TreeOptions) {
    checkOpName(op, "TreeReductionLayer");
    if (!(input instanceof Layer)) throw new ArgumentError("input", "a layer (whose chunks are reduced)", input, `reduction ${op}`);
    if (!Number.isInteger(splitEvery) || splitEvery < 2) {
      throw new ArgumentError("splitEvery", "a whole number >= 2", splitEvery, `reduction ${op}`);
    }
    const options: TreeOptions = typeof nameOrOptions === "string" ? { name: nameOrOptions } : checkOptions(nameOrOptions, `reduction ${op}`, TREE_OPTIONS);
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
      if (level.length === 1 && this.single !== undefined) yield withBytes(taskWithDeps(this.keyAt(g), this.single, [ref(level[0]!)], level), g);
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

/**
 * Data that is already there: chunk i's value is `values[i]` (a buffer of a persisted array, a
 * typed array handed in by the user). A compiled plan reads an input layer's chunks as inputs it
 * is given at each run, never as part of the plan, so one plan serves every graph that differs
 * only in its input data.
 */
export class InputLayer extends Layer {
  constructor(name: string, readonly values: readonly unknown[], readonly chunkBytes?: ChunkBytes) {
    if (!Array.isArray(values)) throw new ArgumentError("values", "a list of the chunks' values", values, `InputLayer ${String(name)}`);
    super(name, []);
  }

  get size(): number {
    return this.values.length;
  }

  /** Bytes of chunk i, when known. */
  bytes(i: number): number | undefined {
    return bytesOf(this.chunkBytes, i);
  }

  /** As tasks: a `const` task per chunk holding its value. */
  *tasks(): Iterable<Task> {
    for (let i = 0; i < this.values.length; i++) yield task(this.keyAt(i), "const", this.values[i]);
  }

  protected describe(): string {
    return `I${this.values.length}b${bytesToken(this.chunkBytes)}`;
  }
}
