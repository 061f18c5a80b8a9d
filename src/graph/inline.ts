/** inlineConstants: put constant values straight into the tasks that read them. */
import { analyze, checkOutputs } from "./analyze.js";
import type { TaskMap } from "./graph.js";
import type { Key } from "./keys.js";
import { CONST } from "./ops.js";
import { forEachRef, isFused, substituteRefs, type FusedTask, type Task } from "./task.js";

const isConstant = (t: Task) => {
  if (t.op !== CONST) return false;
  let refs = 0;
  forEachRef(t.args, () => refs++);
  return refs === 0;
};

/**
 * Removes every `const` task (one whose value is a literal) that is not an output, writing its
 * value into the arguments of the tasks that read it: fewer tasks, same results.
 *
 * @example inlineConstants({n: const(10), y: range(n)}, [y]) -> {y: range(10)}
 */
export function inlineConstants(tasks: TaskMap, outputs: readonly Key[]): Map<Key, Task> {
  checkOutputs(tasks, outputs);
  const keep = new Set(outputs);
  const constants = new Map<Key, unknown>();
  for (const [k, t] of tasks) if (!keep.has(k) && isConstant(t)) constants.set(k, t.args[0]);
  if (constants.size === 0) return new Map(tasks);
  const deps = analyze(tasks);
  const out = new Map<Key, Task>();
  for (const [k, t] of tasks) {
    if (constants.has(k)) continue;
    if (!deps.dependencies.get(k)!.some((d) => constants.has(d))) {
      out.set(k, t);
      continue;
    }
    // New tasks carry no precomputed deps (the inlined refs are gone from their arguments);
    // what else the maker knew (result size, resources, gather) stays.
    const substitute = (s: Task): Task => {
      const { deps: _deps, ...rest } = s;
      return { ...rest, args: substituteRefs(s.args, (r) => (constants.has(r.key) ? constants.get(r.key) : r)) };
    };
    if (isFused(t)) {
      const fused: FusedTask = { key: t.key, op: t.op, args: [], steps: t.steps.map(substitute) };
      out.set(k, fused);
    } else {
      out.set(k, substitute(t));
    }
  }
  return out;
}
