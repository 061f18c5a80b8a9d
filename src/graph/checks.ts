/**
 * Checks of the task-graph API's arguments: keys, ops, task options and hand-made task maps.
 * Each throws ArgumentError naming the argument, or GraphError naming the key of a malformed task
 * (a task map is a graph: what is wrong in it is the graph's fault, not one argument's).
 *
 * The checks on task(), ref() and the layers' constructors are O(1) (or O(inputs)): array code
 * makes those per chunk and per operation. Tasks a program wrote by hand are checked whole once,
 * where the graph compiler meets them (compile() of a TaskMap, a TaskLayer's materialization).
 */
import { ArgumentError } from "../errors.js";
import { checkBoolean, checkInteger, checkNumber, checkOptions } from "../validate.js";
import { GraphError } from "./errors.js";
import { formatKey, type Key } from "./keys.js";

/** A key: what key() returns, a whole number >= 0 (a string is a name: key(name) makes its key). */
export function checkKey(k: unknown, name: string, where: string): asserts k is Key {
  if (typeof k !== "number" || !Number.isInteger(k) || k < 0) {
    throw new ArgumentError(name, "a key (from key(name) or key(name, index))", k, where);
  }
}

/** An op's name: a non-empty string (the name it was registered under). */
export function checkOpName(op: unknown, where: string, name = "op"): asserts op is string {
  if (typeof op !== "string" || op.length === 0)
    throw new ArgumentError(name, "the name of a registered op (a non-empty string)", op, where);
}

/**
 * A task's resources: amounts by name, each a finite number >= 0 (a negative amount would give
 * resources back to the thread that runs it). Named `resources.<name>` when an amount is wrong.
 */
export function checkResources(resources: unknown, where: string): Readonly<Record<string, number>> | undefined {
  if (resources === undefined) return undefined;
  const r = checkOptions(resources as Record<string, unknown>, where, undefined, "resources");
  for (const [name, amount] of Object.entries(r)) checkNumber(amount, `resources.${name}`, where, 0);
  return r as Readonly<Record<string, number>>;
}

const TASK_OPTIONS = ["bytes", "resources", "gather"] as const;

/** taskWith's options, whole: known keys, bytes a whole number >= 0, resources, gather a boolean. */
export function checkTaskOptions(
  options: unknown,
  where: string,
): { bytes?: number; resources?: Readonly<Record<string, number>>; gather?: boolean } {
  const o = checkOptions(options as Record<string, unknown> | undefined, where, TASK_OPTIONS);
  return {
    bytes: checkInteger(o.bytes, "bytes", where, 0),
    resources: checkResources(o.resources, where),
    gather: checkBoolean(o.gather, "gather", where),
  };
}

/**
 * A task a program made by hand (a task map's value, a TaskLayer's entry): an object with a key
 * (equal to `mapKey`, its key in the map, when given: a map whose key and task disagree would
 * answer one key with another's value), an op name, a list of arguments, and valid bytes and
 * resources when it declares them. Throws GraphError naming the key.
 */
export function checkTaskShape(t: unknown, mapKey?: unknown): void {
  if (!isTaskShaped(t, mapKey)) explainTaskShape(t, mapKey);
}

/** checkTaskShape's test, without a message: a few typeof checks per task. */
function isTaskShaped(t: unknown, mapKey: unknown): boolean {
  if (typeof t !== "object" || t === null) return false;
  const { key, op, args, bytes, resources } = t as { key?: unknown; op?: unknown; args?: unknown; bytes?: unknown; resources?: unknown };
  return (
    typeof key === "number" &&
    Number.isInteger(key) &&
    key >= 0 &&
    (mapKey === undefined || key === mapKey) &&
    typeof op === "string" &&
    op.length > 0 &&
    Array.isArray(args) &&
    (bytes === undefined || (typeof bytes === "number" && Number.isInteger(bytes) && bytes >= 0)) &&
    (resources === undefined || validAmounts(resources))
  );
}

function validAmounts(resources: unknown): boolean {
  if (typeof resources !== "object" || resources === null || Array.isArray(resources)) return false;
  return Object.values(resources).every((a) => typeof a === "number" && Number.isFinite(a) && a >= 0);
}

/** Throws the GraphError that says what is wrong with a task that failed isTaskShaped. */
function explainTaskShape(t: unknown, mapKey: unknown): never {
  const at =
    typeof mapKey === "number"
      ? mapKey
      : typeof t === "object" && t !== null && typeof (t as { key?: unknown }).key === "number"
        ? (t as { key: Key }).key
        : undefined;
  const fail = (what: string): never => {
    throw new GraphError(`${at === undefined ? "a task" : `task ${formatKey(at)}`} is malformed: ${what}`, at === undefined ? [] : [at]);
  };
  if (typeof t !== "object" || t === null)
    return fail(`expected a task ({ key, op, args }, from task()), found ${typeof t === "object" ? "null" : typeof t}`);
  const { key, op, args, bytes, resources } = t as { key?: unknown; op?: unknown; args?: unknown; bytes?: unknown; resources?: unknown };
  if (typeof key !== "number" || !Number.isInteger(key) || key < 0) return fail(`its key ${String(key)} is not a key (from key())`);
  if (mapKey !== undefined && key !== mapKey) {
    return fail(
      `the graph maps key ${formatKey(mapKey as Key)} to the task of key ${formatKey(key)} (a task map's keys are its tasks' keys)`,
    );
  }
  if (typeof op !== "string" || op.length === 0) return fail(`its op ${String(op)} is not an op name`);
  if (!Array.isArray(args)) return fail("its args are not a list (task(key, op, ...args) makes one)");
  if (bytes !== undefined && (typeof bytes !== "number" || !Number.isInteger(bytes) || bytes < 0))
    return fail(`its bytes ${String(bytes)} are not a whole number >= 0`);
  if (resources !== undefined) {
    try {
      checkResources(resources, `task ${formatKey(key)}`);
    } catch (error) {
      return fail((error as Error).message);
    }
  }
  return fail("it is not a task"); // not reached: a test above names what is wrong
}

/** A task map a program hands to compile(): a Map whose values are well-formed tasks under their own keys. */
export function checkTaskMap(graph: ReadonlyMap<unknown, unknown>): void {
  for (const [k, t] of graph) checkTaskShape(t, k);
}
