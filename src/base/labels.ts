/**
 * Class labels, as scikit-learn's classifiers take them: any two distinct values, numbers or
 * strings, sorted as np.unique sorts them (numbers ascending, strings by code point), the second
 * being the positive class. A classifier learns them at fit (`classes`), fits on their codes (0
 * for the first, 1 for the second) and predicts labels again.
 */
import { ArgumentError, describe } from "../errors.js";
import { ChunkedArray } from "../array/array.js";
import { getDefaultRuntime, type Runtime } from "../runtime/runtime.js";
import type { VectorLike } from "./inputs.js";

/** A classifier's labels: numbers, or strings. */
export type Label = number | string;
/** What a classifier's fit and score take as y: the vector kinds, or a list of strings. */
export type LabelsLike = VectorLike | readonly string[];
/**
 * What a classifier of `L` labels takes as y: for numbers, the vector kinds; for strings, a list
 * of strings (`number | string` takes both). It ties fit's y to what predict returns, so that
 * TypeScript refuses strings fitted to a model whose predict says Float64Array.
 */
export type LabelsOf<L extends Label> = L extends string ? readonly string[] : VectorLike;
/** The two classes of a fitted binary classifier, sorted: `[negative, positive]`. */
export type Classes = readonly [number, number] | readonly [string, string];

/**
 * y's labels in JS: a list of finite numbers or of strings (not mixed), a Float64Array, or a 1-D
 * ChunkedArray (computed on `runtime`); `rows` of them when given.
 */
export async function labelValues(
  y: LabelsLike,
  rows: number | undefined,
  runtime: Runtime | undefined,
  where: string,
): Promise<Float64Array | readonly string[]> {
  let values: Float64Array | readonly string[];
  if (y instanceof ChunkedArray) {
    if (y.ndim !== 1) throw new ArgumentError("y", "a 1-D array of labels", `shape [${y.shape.join(", ")}]`, where);
    values = (await y.astype("float64").compute({ runtime: runtime ?? (await getDefaultRuntime()) })) as Float64Array;
  } else if (y instanceof Float64Array) {
    values = y;
  } else if (Array.isArray(y)) {
    if (y.length > 0 && typeof y[0] !== "string" && typeof y[0] !== "number") {
      throw new ArgumentError("y", "labels: numbers or strings", `${describe(y[0])} at index 0`, where);
    } else if (y.length > 0 && typeof y[0] === "string") {
      const bad = y.findIndex((v) => typeof v !== "string");
      if (bad >= 0) throw new ArgumentError("y", "labels of one kind (all strings)", `${describe(y[bad])} at index ${bad}`, where);
      values = y as readonly string[];
    } else {
      const bad = y.findIndex((v) => typeof v !== "number");
      if (bad >= 0) throw new ArgumentError("y", "labels of one kind (all numbers)", `${describe(y[bad])} at index ${bad}`, where);
      values = Float64Array.from(y as readonly number[]);
    }
  } else {
    throw new ArgumentError("y", "labels: a ChunkedArray, a Float64Array, or an array of numbers or of strings", y, where);
  }
  if (typeof values[0] === "number") {
    const numbers = values as Float64Array;
    const bad = numbers.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new ArgumentError("y", "finite numbers as labels", `${numbers[bad]} at row ${bad}`, where);
  }
  if (rows !== undefined && values.length !== rows)
    throw new ArgumentError("y", `${rows} values (one per row of X)`, `${values.length} values`, where);
  return values;
}

/**
 * Strings in code point order, as np.unique sorts them: negative when `a` comes first. JS's `<`
 * compares UTF-16 units, which puts a character beyond U+FFFF (a surrogate pair, 0xD800...)
 * before U+E000-U+FFFF; by code point it comes after.
 *
 * @example compareCodePoints("\uFF01", "\u{1F600}") < 0   // while "\uFF01" < "\u{1F600}" is false
 */
export function compareCodePoints(a: string, b: string): number {
  // equal code points take as many units in both strings, so one index walks both
  for (let i = 0; i < a.length && i < b.length; ) {
    const ca = a.codePointAt(i)!,
      cb = b.codePointAt(i)!;
    if (ca !== cb) return ca - cb;
    i += ca > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}

/** At most this many distinct labels are collected: enough to say what a y of many was. */
const MAX_DISTINCT = 64;

/**
 * The distinct numbers of `chunks`, unsorted, at most MAX_DISTINCT + 1: one pass comparing each
 * value with the first two seen (a Set would hash every one, some three times slower on a
 * million 0/1 labels, and fit does this at every call).
 */
function distinctNumbers(chunks: readonly Float64Array[]): number[] {
  let first = Number.NaN,
    second = Number.NaN;
  const more: number[] = [];
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) {
      const v = chunk[i]!;
      if (v === first || v === second) continue;
      if (Number.isNaN(first)) first = v;
      else if (Number.isNaN(second)) second = v;
      else if (!more.includes(v)) {
        more.push(v);
        if (more.length + 2 > MAX_DISTINCT) return [first, second, ...more];
      }
    }
  }
  return [first, second, ...more].filter((v) => !Number.isNaN(v));
}

/**
 * The distinct labels, sorted as np.unique sorts them: numbers ascending, strings by code point;
 * at most MAX_DISTINCT + 1 of them, which is all a binary classifier's error needs.
 */
export function uniqueLabels(values: Float64Array | readonly string[] | readonly Float64Array[]): number[] | string[] {
  if (values instanceof Float64Array) return distinctNumbers([values]).sort((a, b) => a - b);
  if (values.length > 0 && values[0] instanceof Float64Array)
    return distinctNumbers(values as readonly Float64Array[]).sort((a, b) => a - b);
  const seen = new Set<string>();
  for (const v of values as readonly string[]) {
    seen.add(v);
    if (seen.size > MAX_DISTINCT) break;
  }
  return [...seen].sort(compareCodePoints);
}

/**
 * A float64 vector persisted on `runtime`, read in place chunk by chunk (no compute, no copy);
 * undefined for any other, whose values labelValues computes.
 */
export function persistedValues(y: LabelsLike, runtime: Runtime): Float64Array[] | undefined {
  if (!(y instanceof ChunkedArray) || y.ndim !== 1 || !y.isPersisted || y.runtime !== runtime || y.dtype !== "float64") return undefined;
  const lengths = y.chunks[0]!;
  return y.chunkBuffers().map((a, i) => a.f64().subarray(0, lengths[i]!));
}

/** The two classes of `values`, or an ArgumentError naming y and what was found (one class, or three and more). */
export function binaryClasses(values: Float64Array | readonly string[] | readonly Float64Array[], where: string): Classes {
  const classes = uniqueLabels(values);
  if (classes.length !== 2) {
    const shown = classes.slice(0, 5).map((c) => JSON.stringify(c));
    const count = classes.length > MAX_DISTINCT ? `more than ${MAX_DISTINCT}` : String(classes.length);
    const found = `${count} distinct label${classes.length === 1 ? "" : "s"}: ${shown.join(", ")}${classes.length > 5 ? ", ..." : ""}`;
    throw new ArgumentError("y", "exactly two classes (a binary classifier)", found, where);
  }
  return classes as unknown as Classes;
}

/** Each label's code: 1 for classes[1] (the positive class), 0 for classes[0]; a label of neither is an ArgumentError. */
export function encodeLabels(values: Float64Array | readonly string[], classes: Classes, where: string): Float64Array {
  const codes = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === classes[1]) codes[i] = 1;
    else if (v !== classes[0])
      throw new ArgumentError(
        "y",
        `labels the model knows (${classes.map((c) => JSON.stringify(c)).join(", ")})`,
        `${JSON.stringify(v)} at row ${i}`,
        where,
      );
  }
  return codes;
}

/** The labels of codes 0/1: the numbers of numeric classes (the codes themselves for classes 0 and 1), or strings. */
export function decodeLabels(codes: Float64Array, classes: Classes): Float64Array | string[] {
  const [negative, positive] = classes;
  if (typeof negative === "string") return Array.from(codes, (c) => (c === 1 ? (positive as string) : negative));
  if (negative === 0 && positive === 1) return codes;
  return codes.map((c) => (c === 1 ? (positive as number) : negative));
}

/** A saved model's classes: two distinct numbers or two distinct strings, sorted; else undefined. */
export function checkClasses(value: unknown): Classes | undefined {
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [a, b] = value as unknown[];
  const numbers = typeof a === "number" && typeof b === "number" && Number.isFinite(a) && Number.isFinite(b) && a < b;
  const strings = typeof a === "string" && typeof b === "string" && compareCodePoints(a, b) < 0;
  return numbers || strings ? (value as unknown as Classes) : undefined;
}
