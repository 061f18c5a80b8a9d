/**
 * The base class of every layer: a name that owns the keys of its chunks (reserved as one block
 * on first use), the layers it reads from, and a cached description of what it computes
 * (`structure`), which the runtime's plan cache compares. The kinds of layer extend it in their
 * own modules (see layers.ts).
 */
import { ArgumentError, describe as describeValue } from "../errors.js";
import { isGeneratedName, isKey, key, keyIndex, keyName, releaseName, reserveKeys, retainName, type Key } from "./keys.js";
import { MUTABLE } from "./structure.js";
import type { Task } from "./task.js";

/** Drops a layer's names from the key registry when the layer is collected (see retainName). */
const namesOfCollected = new FinalizationRegistry<string>(releaseName);

/** Marks `owner` as a user of `name`'s keys until it is collected (generated names only). */
export function holdName(owner: object, name: string): void {
  retainName(name);
  if (isGeneratedName(name)) namesOfCollected.register(owner, name);
}

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

  constructor(
    readonly name: string,
    dependencies: readonly Layer[],
  ) {
    // before holdName: a layer's name is its keys' name (key(name, i))
    if (typeof name !== "string" || name.length === 0)
      throw new ArgumentError("name", "a non-empty string (the layer's name)", name, new.target.name);
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

/** A list of layers (a layer's dependencies, a graph's outputs): O(layers). */
export function checkLayers(layers: unknown, name: string, where: string): asserts layers is readonly Layer[] {
  if (!Array.isArray(layers)) throw new ArgumentError(name, "a list of layers", layers, where);
  for (let i = 0; i < layers.length; i++) {
    if (!(layers[i] instanceof Layer))
      throw new ArgumentError(name, "a list of layers", `${describeValue(layers[i])} at position ${i}`, where);
  }
}
