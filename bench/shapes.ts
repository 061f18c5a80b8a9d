/** The task graphs of the overhead benchmark and profile: trivial tasks in a chain, or a wide map then a sum. */
import { key, ref, task, type Key, type Task } from "weftjs";

/** n tasks `inc(i)` and one `sumList` reading them all. */
export function mapGraph(n: number, name = "overhead-map"): { tasks: Map<Key, Task>; out: Key } {
  const tasks = new Map<Key, Task>();
  const parts: Key[] = [];
  for (let i = 0; i < n; i++) {
    const k = key(name, i);
    tasks.set(k, task(k, "inc", i));
    parts.push(k);
  }
  const out = key(`${name}-sum`);
  tasks.set(out, task(out, "sumList", parts.map(ref)));
  return { tasks, out };
}

/** n tasks `inc`, each reading the previous one (the first reads 0). */
export function chainGraph(n: number, name = "overhead-chain"): { tasks: Map<Key, Task>; out: Key } {
  const tasks = new Map<Key, Task>();
  let prev: Key | undefined;
  for (let i = 0; i < n; i++) {
    const k = key(name, i);
    tasks.set(k, prev === undefined ? task(k, "inc", 0) : task(k, "inc", ref(prev)));
    prev = k;
  }
  return { tasks, out: prev! };
}
