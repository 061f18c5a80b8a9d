/**
 * Tasks: a key, an op (the name of a registered operation) and arguments. An argument is a
 * reference to another task's result (`ref(key)`), a list (a JS array, whose elements are
 * arguments in turn, so a reduction can take many refs), or any other value, passed as is.
 *
 * A fused task is a short program: steps run in order inside one task, each step a task whose
 * arguments may refer to earlier steps (internal keys, never visible outside) or to the
 * results of other tasks. Its key is its last step's key.
 */
import { ArgumentError } from "../errors.js";
import { checkKey, checkOpName, checkTaskOptions } from "./checks.js";
import { formatKey, type Key } from "./keys.js";

/** A reference to the result of the task with this key. */
export class Ref {
  constructor(readonly key: Key) {}
  toString(): string {
    return `ref(${formatKey(this.key)})`;
  }
}

/** Whether `k` can be a key (a whole number >= 0): checkKey's test, local so that it inlines. */
const keyLike = (k: unknown): boolean => typeof k === "number" && k >= 0 && Number.isInteger(k);

/** A reference to the value of the task with key `k`, as an argument of another task. */
export const ref = (k: Key): Ref => {
  if (!keyLike(k)) checkKey(k, "key", "ref"); // array code makes refs per chunk: the test inline, the message on failure
  return new Ref(k);
};

/** An argument of a task: any value, or a `Ref` to another task's result (also inside arrays). */
export type Arg = unknown;

/**
 * A node of a task graph: its key, the op to run, and the arguments (values or refs to other
 * tasks).
 */
export interface Task {
  readonly key: Key;
  readonly op: string;
  readonly args: readonly Arg[];
  /**
   * The keys the task reads, when its maker knows them (layers do): saves walking the
   * arguments. Must equal what taskDependencies would find.
   */
  readonly deps?: readonly Key[];
  /**
   * Size in bytes of the task's result buffer, when its maker knows it. Plans report it, and
   * the threaded executor allocates the result up front so the task can run on a worker.
   * Absent or undefined when unknown (a fused task works it out, and may not know it).
   */
  readonly bytes?: number | undefined;
  /**
   * What the task holds while it runs, by name (`{ gpu: 1 }`, `{ memory: 2e9 }`): it runs only
   * on a thread that declared at least as much, and never while that is in use by others.
   */
  readonly resources?: Readonly<Record<string, number>>;
  /**
   * The task gathers independent branches (a reduction's combine step): fusion never draws its
   * inputs' work into it, which would run branches one after another (and only once the
   * slowest is ready) that could run side by side. A chain into it (one input) still fuses.
   */
  readonly gather?: boolean;
}

/** Optional facts about a task: see Task.bytes, Task.resources and Task.gather. */
export interface TaskOptions {
  bytes?: number;
  resources?: Readonly<Record<string, number>>;
  gather?: boolean;
}

/** The op name of fused tasks. */
export const FUSED = "fused";

/** A task made by fusion: the original tasks' steps, run in order as one task. */
export interface FusedTask extends Task {
  readonly op: typeof FUSED;
  /** The steps, dependencies first; the last step's key is the fused task's key. */
  readonly steps: readonly Task[];
  readonly args: readonly [];
}

/** Whether `task` is a fused task (several ops run as one task). */
export function isFused(task: Task): task is FusedTask {
  return task.op === FUSED;
}

/** A task: op `op` applied to `args` (values, or `ref(key)` for other tasks' results). */
export function task(k: Key, op: string, ...args: Arg[]): Task {
  if (!keyLike(k)) checkKey(k, "key", "task");
  if (typeof op !== "string" || op.length === 0) checkOpName(op, `task ${formatKey(k)}`); // the message only when it fails
  return { key: k, op, args };
}

/**
 * A task with options: its result size (so a worker can run it) and the resources it holds.
 *
 * @example taskWith(key("train", 0), "fitModel", [ref(data)], { resources: { gpu: 1 } })
 */
export function taskWith(k: Key, op: string, args: readonly Arg[], options: TaskOptions): Task {
  // array code makes one per chunk: a quick test, and the named checks only when it fails
  if (!wellFormed(k, op, args, options)) explainTaskWith(k, op, args, options);
  options ??= {}; // left out by a JS caller: no options
  const t: { key: Key; op: string; args: readonly Arg[]; bytes?: number; resources?: Readonly<Record<string, number>>; gather?: boolean } =
    { key: k, op, args };
  if (options.bytes !== undefined) t.bytes = options.bytes;
  if (options.resources !== undefined) t.resources = options.resources;
  if (options.gather) t.gather = true;
  return t;
}

/** Whether taskWith's arguments are right (no messages made: see explainTaskWith). */
function wellFormed(k: unknown, op: unknown, args: unknown, options: unknown): boolean {
  if (!keyLike(k) || typeof op !== "string" || op.length === 0 || !Array.isArray(args)) return false;
  if (options === undefined) return true;
  if (typeof options !== "object" || options === null || Array.isArray(options)) return false;
  for (const name in options) {
    const v = (options as Record<string, unknown>)[name];
    if (name === "bytes") {
      if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v < 0)) return false;
    } else if (name === "gather") {
      if (v !== undefined && typeof v !== "boolean") return false;
    } else if (name !== "resources") {
      return false;
    } else if (v !== undefined) {
      if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
      for (const r in v) {
        const amount = (v as Record<string, unknown>)[r];
        if (typeof amount !== "number" || !Number.isFinite(amount) || amount < 0) return false;
      }
    }
  }
  return true;
}

/** Throws the ArgumentError naming what is wrong with taskWith's arguments. */
function explainTaskWith(k: unknown, op: unknown, args: unknown, options: unknown): never {
  checkKey(k, "key", "taskWith");
  const where = `taskWith ${formatKey(k)}`;
  checkOpName(op, where);
  if (!Array.isArray(args)) throw new ArgumentError("args", "a list of the task's arguments", args, where);
  checkTaskOptions(options, where);
  throw new ArgumentError("options", "taskWith's options ({ bytes, resources, gather })", options, where); // not reached: a check above names it
}

/** The resources a task holds: for a fused task, the most any of its steps asks for. */
export function resourcesOf(t: Task): Readonly<Record<string, number>> | undefined {
  if (!isFused(t)) return t.resources;
  let out: Record<string, number> | undefined;
  for (const s of t.steps) {
    if (!s.resources) continue;
    out ??= {};
    for (const [name, amount] of Object.entries(s.resources)) out[name] = Math.max(out[name] ?? 0, amount);
  }
  return out;
}

/** A task whose dependencies are given (they must be exactly the refs in args). */
export function taskWithDeps(k: Key, op: string, args: readonly Arg[], deps: readonly Key[], options: { gather?: boolean } = {}): Task {
  return options.gather ? { key: k, op, args, deps, gather: true } : { key: k, op, args, deps };
}

/** Calls `visit` for every Ref in `args`, descending into arrays. */
export function forEachRef(args: readonly Arg[], visit: (r: Ref) => void): void {
  for (const a of args) {
    if (a instanceof Ref) visit(a);
    else if (Array.isArray(a)) forEachRef(a, visit);
  }
}

const depsCache = new WeakMap<Task, readonly Key[]>();

/** Keys this task reads (for a fused task, those outside it), without duplicates. Cached. */
export function taskDependencies(t: Task): readonly Key[] {
  if (t.deps) return t.deps;
  let deps = depsCache.get(t);
  if (deps) return deps;
  const out = new Set<Key>();
  if (isFused(t)) {
    const internal = new Set(t.steps.map((s) => s.key));
    for (const s of t.steps) forEachRef(s.args, (r) => internal.has(r.key) || out.add(r.key));
  } else {
    forEachRef(t.args, (r) => out.add(r.key));
  }
  deps = [...out];
  depsCache.set(t, deps);
  return deps;
}

/**
 * Replaces each Ref in `args` by `resolve(ref)`. Arrays that contain refs are rebuilt; arrays
 * without any are passed through as the same object (a large literal is never copied).
 */
export function substituteRefs(args: readonly Arg[], resolve: (r: Ref) => Arg): Arg[] {
  return args.map((a) => substituteOne(a, resolve));
}

function substituteOne(a: Arg, resolve: (r: Ref) => Arg): Arg {
  if (a instanceof Ref) return resolve(a);
  if (!Array.isArray(a)) return a;
  let changed: Arg[] | undefined;
  for (let i = 0; i < a.length; i++) {
    const v = substituteOne(a[i], resolve);
    if (v !== a[i] && !changed) changed = a.slice(0, i);
    if (changed) changed.push(v);
  }
  return changed ?? a;
}

/** The task's steps: itself, or its program when fused. */
export function stepsOf(t: Task): readonly Task[] {
  return isFused(t) ? t.steps : [t];
}
