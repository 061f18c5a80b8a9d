/** The trivial task as a piscina worker: the reference for one postMessage per task. */
export default function inc(x: number): number {
  return x + 1;
}
