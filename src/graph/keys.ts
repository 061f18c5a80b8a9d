/**
 * Task keys: small integers standing for (layer name, chunk index). A key is a number so that
 * Map and Set lookups on keys are number lookups, and a small one (below 2^30 in practice) so
 * that V8 stores it unboxed: the graph passes spend most of their time in such lookups, and
 * keys that packed name and index into 53 bits were heap numbers, much slower and a steady
 * stream of garbage.
 *
 * Keys are handed out in blocks: a layer of n chunks reserves n consecutive keys, so chunk i's
 * key is base + i. `key(name, i)` finds (or makes) the key of any (name, index) pair, and always
 * gives the same key for the same pair in one process; `key(name)` names a single task.
 */
import { ArgumentError } from "../errors.js";

/**
 * A task's key: a small integer (chunk i of a layer is its base + i); `key(name, i)` makes one and
 * `formatKey` names it.
 */
export type Key = number;

const MAX_INDEX = 2 ** 32;

interface Block {
  readonly base: Key;
  /** Chunk index of the block's first key. */
  readonly first: number;
  readonly length: number;
  readonly name: string;
}

interface NameEntry {
  readonly name: string;
  readonly blocks: Block[];
  scalar: Key | undefined;
}

let nextKey = 0;
const entries = new Map<string, NameEntry>();
/** Every block, in order of base (bases only grow), for key -> name lookups. */
const blocks: Block[] = [];
/** Keys of single named tasks -> their name. */
const scalars = new Map<Key, string>();

function entryFor(name: string): NameEntry {
  let entry = entries.get(name);
  if (!entry) {
    if (typeof name !== "string" || name.length === 0) throw new ArgumentError("name", "a non-empty string", name, "key");
    entry = { name, blocks: [], scalar: undefined };
    entries.set(name, entry);
  }
  return entry;
}

function reserve(entry: NameEntry, first: number, length: number): Block {
  const block: Block = { base: nextKey, first, length, name: entry.name };
  nextKey += length;
  entry.blocks.push(block);
  blocks.push(block);
  return block;
}

/** The key of chunk `index` of layer `name`, or of the single task `name` when index is omitted. */
export function key(name: string, index?: number): Key {
  const entry = entryFor(name);
  if (index === undefined) {
    if (entry.scalar === undefined) {
      entry.scalar = nextKey++;
      scalars.set(entry.scalar, name);
    }
    return entry.scalar;
  }
  if (!Number.isInteger(index) || index < 0 || index >= MAX_INDEX) {
    throw new ArgumentError("index", `a whole number in [0, ${MAX_INDEX})`, index, `key ${name}`);
  }
  for (const b of entry.blocks) if (index >= b.first && index < b.first + b.length) return b.base + index - b.first;
  // A new block for this name: room for the index and a few after it.
  const first = Math.floor(index / 64) * 64;
  return reserve(entry, first, 64).base + index - first;
}

/**
 * The key of chunk 0 of a fresh layer of `size` chunks, whose chunk i then has key base + i.
 * Returns undefined if the name already has keys (then use key(name, i) for each chunk).
 */
export function reserveKeys(name: string, size: number): Key | undefined {
  const entry = entryFor(name);
  if (entry.blocks.length > 0 || size <= 0) return undefined;
  return reserve(entry, 0, size).base;
}

function blockOf(k: Key): Block | undefined {
  let lo = 0;
  let hi = blocks.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const b = blocks[mid]!;
    if (k < b.base) hi = mid - 1;
    else if (k >= b.base + b.length) lo = mid + 1;
    else return b;
  }
  return undefined;
}

/** Whether `k` is a key that key() or a layer handed out. */
export function isKey(k: unknown): k is Key {
  return typeof k === "number" && (scalars.has(k) || blockOf(k) !== undefined);
}

/** The layer name of a key. */
export function keyName(k: Key): string {
  const name = scalars.get(k) ?? blockOf(k)?.name;
  if (name === undefined) throw new ArgumentError("key", "a key made by key()", k);
  return name;
}

/** The chunk index of a key, or undefined for a single named task. */
export function keyIndex(k: Key): number | undefined {
  if (scalars.has(k)) return undefined;
  const b = blockOf(k);
  if (!b) throw new ArgumentError("key", "a key made by key()", k);
  return b.first + (k - b.base);
}

/** "name" or "name[3]": how keys appear in errors and profiles. */
export function formatKey(k: Key): string {
  if (!isKey(k)) return `<unknown key ${String(k)}>`;
  const index = keyIndex(k);
  return index === undefined ? keyName(k) : `${keyName(k)}[${index}]`;
}

/**
 * Counts one more layer object using `name`'s keys. When every such object is gone
 * (releaseName, from the layers' FinalizationRegistry) the name's entry and blocks are dropped:
 * a program that builds a fresh graph every iteration then holds the keys of the graphs alive,
 * not of every graph it ever built (about 1.9 KB a compute otherwise). Keys themselves are never
 * reused (they only grow), so a stale key can only fail to resolve, never name another task.
 */
export function retainName(name: string): void {
  // only names uniqueName() made: keys of a name a program chose stay the same for good (a
  // program may keep key("x", 0) and expect it back)
  if (!generated.has(name)) return;
  holders.set(name, (holders.get(name) ?? 0) + 1);
}

/** One layer object using `name` is gone; the last one drops the name's keys (see retainName). */
export function releaseName(name: string): void {
  const held = holders.get(name);
  if (held === undefined) return;
  if (held > 1) {
    holders.set(name, held - 1);
    return;
  }
  holders.delete(name);
  generated.delete(name);
  const entry = entries.get(name);
  if (!entry) return; // a layer whose keys were never asked for (lazy layers compile without them)
  entries.delete(name);
  if (entry.scalar !== undefined) scalars.delete(entry.scalar);
  for (const b of entry.blocks) {
    const at = indexOfBlock(b.base);
    if (at >= 0) blocks.splice(at, 1);
  }
}

/** Where the block starting at `base` is in `blocks`, or -1. */
function indexOfBlock(base: Key): number {
  let lo = 0;
  let hi = blocks.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const b = blocks[mid]!.base;
    if (b === base) return mid;
    if (base < b) hi = mid - 1;
    else lo = mid + 1;
  }
  return -1;
}

/** Names with keys, for tests of the registry's size. @internal */
export function registeredNames(): number {
  return entries.size;
}

let counter = 0;
/** Names uniqueName() (or derivedName()) made, until the last layer object using one is gone. */
const generated = new Set<string>();
/** Layer objects alive per generated name (retainName, releaseName). */
const holders = new Map<string, number>();

/** Whether uniqueName() made `name` (and a layer may still use it). @internal */
export function isGeneratedName(name: string): boolean {
  return generated.has(name);
}

/** A name made from a generated one (a reduction's inner level): released like it. */
export function derivedName(name: string, suffix: string): string {
  const derived = `${name}${suffix}`;
  if (generated.has(name)) generated.add(derived);
  return derived;
}

/** A fresh layer name with a readable prefix: "exp-17". */
export function uniqueName(prefix: string): string {
  counter += 1;
  const name = `${prefix}-${counter}`;
  generated.add(name);
  return name;
}
