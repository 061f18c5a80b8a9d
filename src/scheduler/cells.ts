/**
 * Task results in their cells (three float64 per position, see protocol.ts): how a value is
 * written there and read back, the same on the main thread and on the workers. Numbers,
 * booleans, null, undefined and buffers live in the cell; any other JS value is marked KIND_JS
 * and travels by message.
 */
import { BufferViews } from "../memory/shared-memory.js";
import * as P from "./protocol.js";

/** Writes `value` into the cell at float64 index `at`; returns its kind. */
export function writeCell(f64: Float64Array, at: number, value: unknown): number {
  let kind: number;
  if (typeof value === "number") {
    f64[at + 1] = value;
    kind = P.KIND_NUMBER;
  } else if (value instanceof BufferViews) {
    f64[at + 1] = value.ptr;
    f64[at + 2] = value.bytes;
    kind = P.KIND_BUFFER;
  } else if (value === undefined) kind = P.KIND_UNDEFINED;
  else if (value === null) kind = P.KIND_NULL;
  else if (typeof value === "boolean") {
    f64[at + 1] = value ? 1 : 0;
    kind = P.KIND_BOOLEAN;
  } else kind = P.KIND_JS;
  f64[at] = kind; // the kind last: a reader that sees it sees the rest
  return kind;
}

/** Returned by readCell for a cell that holds no value in place (a buffer, a JS value, or nothing yet). */
export const NOT_IN_CELL = Symbol("not in cell");

/** The value of a cell holding a number, boolean, null or undefined; NOT_IN_CELL otherwise. */
export function readCell(f64: Float64Array, at: number): unknown {
  switch (f64[at]) {
    case P.KIND_NUMBER:
      return f64[at + 1];
    case P.KIND_UNDEFINED:
      return undefined;
    case P.KIND_NULL:
      return null;
    case P.KIND_BOOLEAN:
      return f64[at + 1] === 1;
    default:
      return NOT_IN_CELL;
  }
}
