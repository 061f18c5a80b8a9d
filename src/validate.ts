/**
 * Checks of arguments and options every layer shares, each throwing ArgumentError naming the
 * argument (as `options.name` for an option), what was expected and what came. A check passes
 * `undefined` through (the caller's default applies) unless it says otherwise.
 */
import { ArgumentError, describe } from "./errors.js";

/** The longest delay a timer takes (setTimeout turns anything longer into 1 ms). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * An options argument: `undefined` is `{}`; anything but a plain object is refused; with `known`,
 * a key outside it is refused too (a misspelt option would otherwise be ignored in silence),
 * named as written: `chunk` for a top-level option, `memory.max` for one of an option's own.
 */
export function checkOptions<T extends object>(value: T | undefined | null, where: string, known?: readonly string[], name = "options"): T {
  if (value === undefined) return {} as T;
  if (value === null || typeof value !== "object" || Array.isArray(value) || ArrayBuffer.isView(value)) {
    throw new ArgumentError(name, "an object of options", value, where);
  }
  if (known) {
    for (const key of Object.keys(value)) {
      // named as the user wrote it: `chunk` at the top, `memory.max` inside an option
      if (!known.includes(key))
        throw new ArgumentError(name === "options" ? key : `${name}.${key}`, `one of the known options (${known.join(", ")})`, key, where);
    }
  }
  return value;
}

/** A boolean option (`"no"` is not false: it is refused). */
export function checkBoolean(value: unknown, name: string, where: string): boolean | undefined {
  if (value === undefined || typeof value === "boolean") return value;
  throw new ArgumentError(name, "true or false", value, where);
}

/** A duration for a timer: milliseconds > 0, at most MAX_TIMER_MS (about 24.8 days). */
export function checkTimeout(value: unknown, name: string, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !(value > 0) || value > MAX_TIMER_MS) {
    throw new ArgumentError(name, `a number of milliseconds > 0 and at most ${MAX_TIMER_MS}`, value, where);
  }
  return value;
}

/** A whole number in [min, max]. */
export function checkInteger(
  value: unknown,
  name: string,
  where: string,
  min = -Number.MAX_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new ArgumentError(name, `a whole number ${range}`, value, where);
  }
  return value;
}

/** A finite number in [min, max]. */
export function checkNumber(value: unknown, name: string, where: string, min = -Infinity, max = Infinity): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    const range =
      min === -Infinity && max === Infinity
        ? ""
        : max === Infinity
          ? ` >= ${min}`
          : min === -Infinity
            ? ` <= ${max}`
            : ` in [${min}, ${max}]`;
    throw new ArgumentError(name, `a finite number${range}`, value, where);
  }
  return value;
}

/** A function (a callback). */
export function checkFunction<F>(value: F | undefined, name: string, where: string): F | undefined {
  if (value === undefined || typeof value === "function") return value;
  throw new ArgumentError(name, "a function", value, where);
}

/** An AbortSignal. */
export function checkSignal(value: unknown, name: string, where: string): AbortSignal | undefined {
  if (value === undefined || value instanceof AbortSignal) return value;
  throw new ArgumentError(name, "an AbortSignal", value, where);
}

/** A non-empty string. */
export function checkString(value: unknown, name: string, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.length === 0) throw new ArgumentError(name, "a non-empty string", value, where);
  return value;
}

/** One of `choices`. */
export function checkChoice<C extends string>(value: unknown, name: string, where: string, choices: readonly C[]): C | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !choices.includes(value as C))
    throw new ArgumentError(name, `one of ${choices.map((c) => `'${c}'`).join(", ")}`, value, where);
  return value as C;
}

/** Numbers that are all finite (a list or typed array): the index of the first that is not, else -1. */
export function firstNonFinite(values: ArrayLike<unknown>): number {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v)) return i;
  }
  return -1;
}

/**
 * An array or typed array of finite numbers (a NaN would make a score NaN, or a warm start blame
 * the data): the first that is not is refused, by index; undefined is refused too.
 */
export function checkFiniteValues(values: unknown, name: string, where: string): ArrayLike<number> {
  if (!Array.isArray(values) && !(ArrayBuffer.isView(values) && !(values instanceof DataView))) {
    throw new ArgumentError(name, "an array or typed array of numbers", values, where);
  }
  const list = values as ArrayLike<unknown>;
  const bad = firstNonFinite(list);
  if (bad >= 0) throw new ArgumentError(name, "finite numbers", `${describe(list[bad])} at index ${bad}`, where);
  return list as ArrayLike<number>;
}
