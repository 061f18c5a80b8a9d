/**
 * Structure: what a graph computes, written down without what it computes on. Two graphs with
 * the same structure (the same layers of the same ops over the same chunking, with the same
 * literal arguments, reading the same kinds of inputs) differ only in their input data, so one
 * compiled plan serves both: the runtime's plan cache looks plans up by this key. Each layer
 * describes itself once (Layer.structure, cached on the layer); a graph's key strings those
 * descriptions together with the edges between them, so it costs O(layers), never O(chunks).
 *
 * A literal argument is written by value when it is a number, string, boolean, null, undefined
 * or a short list of such, and by identity otherwise (a buffer, a typed array, a function, any
 * other object): two graphs then share a plan only if they hold the very same object, which can
 * never be wrong.
 */
import type { Layer } from "./layers.js";
import { Ref } from "./task.js";

/** Lists longer than this are fingerprinted by identity, not by value. */
const LIST_BY_VALUE = 64;

let nextIdentity = 1;
const identities = new WeakMap<object, number>();

/** A number for this object that no other live object has. */
export function identityOf(value: object): number {
  let id = identities.get(value);
  if (id === undefined) identities.set(value, (id = nextIdentity++));
  return id;
}

/**
 * A string that equals another literal's only when the two are interchangeable as task
 * arguments. `ref` writes a Ref found inside (a list of refs, say); without it, refs are written
 * by key.
 *
 * @example fingerprint([1, "a", -0]) === '[1,"a",-0]'
 */
export function fingerprint(value: unknown, ref?: (r: Ref) => string): string {
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
  if (Array.isArray(value) && value.length <= LIST_BY_VALUE) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i > 0 ? "," : "") + fingerprint(value[i], ref);
    return out + "]";
  }
  return `@${identityOf(value as object)}`;
}

/**
 * The structure of a graph given as its walk (Graph.layers(): dependencies first): each layer's
 * own structure with the walk positions of the layers it reads. Equal strings mean graphs that
 * compute the same from their inputs; computed in O(layers) (each layer's part is cached).
 */
export function graphStructure(walk: readonly Layer[], ordinals: ReadonlyMap<Layer, number>): string {
  let out = "";
  for (const l of walk) {
    out += l.structure;
    out += "<";
    const deps = l.dependencies;
    for (let i = 0; i < deps.length; i++) out += (i > 0 ? "," : "") + ordinals.get(deps[i]!);
    out += ">;";
  }
  return out;
}
