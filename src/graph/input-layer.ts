/**
 * InputLayer: a layer over data that is already there, whose chunks a compiled plan is given at
 * each run instead of computing them.
 */
import { ArgumentError } from "../errors.js";
import { bytesOf, bytesToken, type ChunkBytes } from "./chunk-inputs.js";
import { Layer } from "./layer.js";
import { task, type Task } from "./task.js";

/**
 * Data that is already there: chunk i's value is `values[i]` (a buffer of a persisted array, a
 * typed array handed in by the user). A compiled plan reads an input layer's chunks as inputs it
 * is given at each run, never as part of the plan, so one plan serves every graph that differs
 * only in its input data.
 */
export class InputLayer extends Layer {
  constructor(
    name: string,
    readonly values: readonly unknown[],
    readonly chunkBytes?: ChunkBytes,
  ) {
    if (!Array.isArray(values)) throw new ArgumentError("values", "a list of the chunks' values", values, `InputLayer ${String(name)}`);
    super(name, []);
  }

  get size(): number {
    return this.values.length;
  }

  /** Bytes of chunk i, when known. */
  bytes(i: number): number | undefined {
    return bytesOf(this.chunkBytes, i);
  }

  /** As tasks: a `const` task per chunk holding its value. */
  *tasks(): Iterable<Task> {
    for (let i = 0; i < this.values.length; i++) yield task(this.keyAt(i), "const", this.values[i]);
  }

  protected describe(): string {
    return `I${this.values.length}b${bytesToken(this.chunkBytes)}`;
  }
}
