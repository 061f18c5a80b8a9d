/**
 * Task keys: small integers standing for (layer name, chunk index). A key is a number so that
 * Map and Set lookups on keys are number lookups, and a small one (below 2^30 in practice) so
 * that V8 stores it unboxed: the graph passes spend most of their time in such lookups, and
 * keys that packed name and index into 53 bits were heap numbers, three times slower and a
 * steady stream of garbage.
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

let counter = 0;
/** A fresh layer name with a readable prefix: "exp-17". */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}
