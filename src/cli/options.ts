/**
 * What the commands share in reading their options and guarding their output: numbers written in
 * decimal, the missing-value policy, the delimiter, column lists, and the rule that --out never
 * replaces an input and replaces an existing file only with --force.
 */
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ArgumentError } from "../errors.js";
import { parseDecimal } from "../io/csv.js";

/** A number option, written in decimal: Number() would read '' as 0 and '0x10' as 16. */
export function numberOption(name: string, value: string | undefined, check: (v: number) => boolean, expected: string): number | undefined {
  if (value === undefined) return undefined;
  const v = parseDecimal(value);
  if (!Number.isFinite(v) || !check(v)) throw new ArgumentError(name, expected, value);
  return v;
}

/** --threads: a whole number of threads, this one included. */
export const threadsOption = (value: string | undefined): number | undefined =>
  numberOption("--threads", value, (v) => Number.isInteger(v) && v >= 1, "a whole number >= 1");

/** --missing: error, drop, or a number to fill in ('' is no fill value: Number('') is 0). */
export function missingPolicy(value: string | undefined): "error" | "drop" | number | undefined {
  if (value === undefined || value === "error" || value === "drop") return value;
  const v = parseDecimal(value);
  if (!Number.isFinite(v)) throw new ArgumentError("--missing", "error, drop, or a number to fill in", value);
  return v;
}

/** --delimiter: a non-empty string (csv-parse's own refusal of '' would not name the option). */
export function delimiterOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length === 0 || /["\r\n]/.test(value))
    throw new ArgumentError("--delimiter", "a character (or string) without quotes or line breaks", value);
  return value;
}

/** --features: a comma-separated list of at least one column ('a,b'; ',' names none). */
export function featuresOption(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const features = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (features.length === 0) throw new ArgumentError("--features", "a comma-separated list of columns, at least one", value);
  return features;
}

/**
 * Checks before any work that `out` may be written: never one of the inputs (the same file by
 * any path, hard links included; URLs other than file:// are not local files), never an existing
 * file unless --force.
 */
export async function checkOutput(out: string | undefined, inputs: readonly string[], force: boolean | undefined): Promise<void> {
  if (out === undefined) return;
  const target = await identity(out);
  for (const input of inputs) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input) && !input.startsWith("file://")) continue;
    const id = await identity(input.startsWith("file://") ? fileURLToPath(input) : input);
    if (resolve(out) === resolve(input) || (target && id && target === id)) {
      throw new ArgumentError("--out", "a file other than the inputs", `${out} (it is ${input})`);
    }
  }
  if (target && !force)
    throw new ArgumentError("--out", "a file that does not exist yet (or --force to replace it)", `${out}, which exists`);
}

/** A file's device and inode, or undefined when there is none at `path`. */
async function identity(path: string): Promise<string | undefined> {
  try {
    const s = await stat(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}
