/**
 * Structure: what a graph computes, written down without what it computes on. Two graphs with
 * the same structure (the same layers of the same ops over the same chunking, with the same
 * literal arguments, reading the same kinds of inputs) differ only in their input data, so one
 * compiled plan serves both: the runtime's plan cache looks plans up by this key. Each layer
 * describes itself once (Layer.structure, cached on the layer); a graph's key strings those
 * descriptions together with the edges between them, so it costs O(layers), never O(chunks).
 *
 * A literal argument is written by value when it is a number, string, boolean, null, undefined
 * or a short list of such; by identity when it is a buffer in the shared memory (tasks read it
 * where it is, so the same buffer is the same argument, whatever it holds) or a function; any
 * other object (a typed array, a plain object, a Map, a long list) is copied into the plan that
 * runs it, may change afterwards, and so makes its graph one that is never cached (VOLATILE).
 * A layer that wrote a list by value describes itself anew every time (MUTABLE): the caller may
 * have changed the list since.
 */
import { Ref } from "./task.js";

/** Lists longer than this are not written by value (their graph is not cached). */
const LIST_BY_VALUE = 64;
/** Lists nested deeper than this are not written by value (a cyclic list would never end). */
const DEPTH_BY_VALUE = 16;

/** In a description: a value the plan copies and that may change, so its graph is never cached. */
export const VOLATILE = "\u0001";
/** In a description: a list written by value, so the description must be made anew each time. */
export const MUTABLE = "\u0002";

let nextIdentity = 1;
const identities = new WeakMap<object, number>();

/** A number for this object that no other live object has. */
export function identityOf(value: object): number {
  let id = identities.get(value);
  if (id === undefined) identities.set(value, (id = nextIdentity++));
  return id;
}

/** A buffer in the shared memory: tasks read it where it is. */
const isBuffer = (v: object): boolean =>
  typeof (v as { ptr?: unknown }).ptr === "number" && typeof (v as { bytes?: unknown }).bytes === "number";

/**
 * A string that equals another literal's only when the two are interchangeable as task
 * arguments (see the module comment for what VOLATILE and MUTABLE mark). `ref` writes a Ref
 * found inside (a list of refs, say); without it, refs are written by key.
 *
 * @example fingerprint([1, "a", -0]) === '\u0002[1,"a",-0]'
 */
export function fingerprint(value: unknown, ref?: (r: Ref) => string, depth = 0): string {
  switch (typeof value) {
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "T" : "F";
    case "undefined":
      return "U";
    case "bigint":
      return `${value}n`;
    case "symbol":
    case "function":
      return `@${identityOf(value as object)}`;
  }
  if (value === null) return "N";
  if (value instanceof Ref) return ref ? ref(value) : `r${value.key}`;
  if (Array.isArray(value)) {
    if (value.length > LIST_BY_VALUE || depth >= DEPTH_BY_VALUE) return VOLATILE;
    let out = `${MUTABLE}[`;
    for (let i = 0; i < value.length; i++) out += (i > 0 ? "," : "") + fingerprint(value[i], ref, depth + 1);
    return `${out}]`;
  }
  if (isBuffer(value as object)) return `@${identityOf(value as object)}`;
  return VOLATILE;
}

/**
 * A deep copy of the lists in a literal (the rest as it is): what a compiled plan keeps, so
 * that a list its graph's maker changes later does not change the plan (lists are written by
 * value in the key that finds it).
 */
export function copyLists(value: unknown, copies = new Map<unknown[], unknown[]>()): unknown {
  if (!Array.isArray(value)) return value;
  const known = copies.get(value);
  if (known) return known; // a list that holds itself: the copy holds itself
  const copy: unknown[] = new Array(value.length);
  copies.set(value, copy);
  for (let i = 0; i < value.length; i++) copy[i] = copyLists(value[i], copies);
  return copy;
}

/** What graphStructure reads of a layer (layers.ts's Layer has it). */
export interface StructuredLayer<L> {
  /** The layer's own structure, without its dependencies. */
  readonly structure: string;
  readonly dependencies: readonly L[];
}

/**
 * The structure of a graph given as its walk (Graph.layers(): dependencies first): each layer's
 * own structure with the walk positions of the layers it reads. Equal strings mean graphs that
 * compute the same from their inputs; computed in O(layers) (each layer's part is cached).
 * Undefined for a graph that must not be cached (a layer holds a VOLATILE literal).
 */
export function graphStructure<L extends StructuredLayer<L>>(walk: readonly L[], ordinals: ReadonlyMap<L, number>): string | undefined {
  let out = "";
  for (const l of walk) {
    const structure = l.structure;
    if (structure.includes(VOLATILE)) return undefined; // never cached: see fingerprint()
    out += structure;
    out += "<";
    const deps = l.dependencies;
    for (let i = 0; i < deps.length; i++) out += (i > 0 ? "," : "") + ordinals.get(deps[i]!);
    out += ">;";
  }
  return out;
}
