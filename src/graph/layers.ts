/**
 * Layers: the units of structural sharing. A layer is immutable and knows the layers it reads
 * from, so a collection's whole graph is the set of layers reachable from its own: `y = f(x)`
 * makes one new layer pointing at x's and copies nothing. Layers can be lazy: a blockwise layer
 * is a rule (task i applies op to chunk i of each input) and makes its tasks only when asked.
 */
import { ArgumentError } from "../errors.js";
import { isKey, key, keyIndex, keyName, reserveKeys, uniqueName, type Key } from "./keys.js";
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
  /** Layers this one reads from. */
  readonly dependencies: readonly Layer[];
  /** Key of chunk 0 when the layer's keys are one reserved block (chunk i is firstKey + i). */
  private firstKey: Key | undefined;
  private keysReserved = false;

  constructor(readonly name: string, dependencies: readonly Layer[]) {
    this.dependencies = dependencies;
    layersCreated += 1;
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

  /** All keys, in chunk order. */
  keys(): Key[] {
    return Array.from({ length: this.size }, (_, i) => this.keyAt(i));
  }

  /** Makes the layer's tasks (every call makes them anew: layers hold rules, not tasks). */
  abstract tasks(): Iterable<Task>;
}

/** A layer given as explicit tasks (Dask's MaterializedLayer). */
export class TaskLayer extends Layer {
  private readonly taskList: readonly Task[];

  constructor(name: string, tasks: readonly Task[], dependencies: readonly Layer[] = []) {
    super(name, dependencies);
    this.taskList = tasks;
  }

  get size(): number {
    return this.taskList.length;
  }

  override keys(): Key[] {
    return this.taskList.map((t) => t.key);
  }

  private keySet: Set<Key> | undefined;

  override hasKey(k: Key): boolean {
    this.keySet ??= new Set(this.taskList.map((t) => t.key));
    return this.keySet.has(k);
  }

  override keyAt(i: number): Key {
    const t = this.taskList[i];
    if (!t) throw new ArgumentError("i", `an index below ${this.taskList.length}`, i, `layer ${this.name}`);
    return t.key;
  }

  tasks(): Iterable<Task> {
    return this.taskList;
  }
}

/** An input of a blockwise layer: a layer (chunk i of it) or a value passed to every task. */
export type BlockwiseInput = Layer | { readonly literal: Arg };

/**
 * Task i is `op(input_0[i], input_1[i], ..., ...extra)`: every layer input must have as many
 * chunks as this layer, or exactly one (broadcast to every task).
 */
export class BlockwiseLayer extends Layer {
  readonly op: string;
  readonly inputs: readonly BlockwiseInput[];
  readonly chunks: number;
  /** Bytes of chunk i's result, when known. */
  readonly bytes: ((i: number) => number) | undefined;

  constructor(
    op: string,
    inputs: readonly BlockwiseInput[],
    options: { name?: string; chunks?: number; bytes?: number | ((i: number) => number) } = {},
  ) {
    const layerInputs = inputs.filter((i): i is Layer => i instanceof Layer);
    const chunks = options.chunks ?? Math.max(0, ...layerInputs.map((l) => l.size));
    for (const l of layerInputs) {
      if (l.size !== chunks && l.size !== 1) {
        throw new ArgumentError("inputs", `layers of ${chunks} chunks (or 1, broadcast)`, `layer ${l.name} with ${l.size}`, `blockwise ${op}`);
      }
    }
    super(options.name ?? uniqueName(op), layerInputs);
    this.op = op;
    this.inputs = inputs;
    this.chunks = chunks;
    const bytes = options.bytes;
    this.bytes = typeof bytes === "number" ? () => bytes : bytes;
  }

  get size(): number {
    return this.chunks;
  }

  /** Chunk i's task. */
  taskAt(i: number): Task {
    const args: Arg[] = [];
    const deps: Key[] = [];
    for (const input of this.inputs) {
      if (input instanceof Layer) {
        const k = input.keyAt(input.size === 1 ? 0 : i);
        args.push(ref(k));
        if (!deps.includes(k)) deps.push(k);
      } else {
        args.push(input.literal);
      }
    }
    const t = taskWithDeps(this.keyAt(i), this.op, args, deps);
    return this.bytes ? { ...t, bytes: this.bytes(i) } : t;
  }

  *tasks(): Iterable<Task> {
    for (let i = 0; i < this.chunks; i++) yield this.taskAt(i);
  }
}

/**
 * A tree reduction of all chunks of `input` into one: groups of `splitEvery` results are
 * combined by `op` (which receives a list of values), level by level, until one remains
 * (Dask's `splitEvery`). Its single output is chunk 0; the inner levels have their own keys.
 */
export class TreeReductionLayer extends Layer {
  constructor(readonly op: string, readonly input: Layer, readonly splitEvery = 8, name?: string) {
    if (!Number.isInteger(splitEvery) || splitEvery < 2) {
      throw new ArgumentError("splitEvery", "a whole number >= 2", splitEvery, `reduction ${op}`);
    }
    super(name ?? uniqueName(op), [input]);
  }

  /** Key block of each inner level, reserved the first time the level's tasks are made. */
  private readonly levelBases = new Map<number, Key | undefined>();

  get size(): number {
    return 1;
  }

  /** Key g of inner level `depth` (named "<name>.<depth>"). */
  private levelKey(depth: number, g: number, size: number): Key {
    const name = `${this.name}.${depth}`;
    if (!this.levelBases.has(depth)) this.levelBases.set(depth, reserveKeys(name, size));
    const base = this.levelBases.get(depth);
    return base === undefined ? key(name, g) : base + g;
  }

  override keyAt(i: number): Key {
    if (i !== 0) throw new ArgumentError("i", "0 (a reduction has one output)", i, `layer ${this.name}`);
    return super.keyAt(0);
  }

  *tasks(): Iterable<Task> {
    let level = this.input.keys();
    let depth = 0;
    if (level.length === 0) {
      yield task(this.keyAt(0), this.op, []);
      return;
    }
    while (level.length > this.splitEvery) {
      depth += 1;
      const next: Key[] = [];
      for (let g = 0; g * this.splitEvery < level.length; g++) {
        const k = this.levelKey(depth, g, Math.ceil(level.length / this.splitEvery));
        const inputs = level.slice(g * this.splitEvery, (g + 1) * this.splitEvery);
        yield taskWithDeps(k, this.op, [inputs.map(ref)], inputs, { gather: true });
        next.push(k);
      }
      level = next;
    }
    yield taskWithDeps(this.keyAt(0), this.op, [level.map(ref)], level, { gather: true });
  }
}
