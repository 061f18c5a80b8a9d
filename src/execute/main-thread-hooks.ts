/** Where the buffers of tasks run in the thread that owns the heap come from (the synchronous executor and the scheduler's main thread). */
import { ArgumentError } from "../errors.js";
import { formatKey, type Key } from "../graph/keys.js";
import type { Kernels } from "../kernels/index.js";
import type { BufferViews } from "../memory/shared-memory.js";
import { ScratchArena, ScratchBuffer } from "../memory/scratch.js";
import type { RunnerHooks } from "./runner.js";

/**
 * Buffers for tasks run in the thread that owns the heap: results are heap allocations,
 * intermediates live in a scratch arena, and a result left in scratch is copied out.
 */
export class MainThreadHooks implements RunnerHooks {
  constructor(
    readonly kernels: Kernels | undefined,
    private readonly release: (value: unknown, keep: unknown) => void,
    protected arena?: ScratchArena,
    /** Names the task at a position (for errors and TaskContext.key). */
    public keyOf?: (position: number) => Key,
  ) {}

  private memory(position: number): Kernels["memory"] {
    if (!this.kernels) {
      const where = position >= 0 && this.keyOf ? `task ${formatKey(this.keyOf(position))}` : "a task";
      throw new ArgumentError("kernels", "a Kernels instance in plan.run's options, to allocate buffers", undefined, where);
    }
    return this.kernels.memory;
  }

  allocResult(bytes: number, position: number): BufferViews {
    return this.memory(position).alloc(bytes);
  }

  allocScratch(bytes: number, position: number): BufferViews {
    this.arena ??= new ScratchArena(this.memory(position));
    return this.arena.alloc(bytes);
  }

  own(result: unknown): unknown {
    if (!(result instanceof ScratchBuffer)) return result;
    const copy = this.allocResult(result.bytes, -1); // a scratch buffer implies kernels: no position needed
    copy.u8().set(result.u8());
    return copy;
  }

  dropIntermediate(value: unknown, keep: unknown): void {
    this.release(value, keep);
  }

  endTask(): void {
    this.arena?.reset();
  }

  dispose(): void {
    this.arena?.dispose();
    this.arena = undefined;
  }
}
