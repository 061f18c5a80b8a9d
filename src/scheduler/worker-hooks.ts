/** Where a task's buffers come from on a worker: its preallocated result slot and the worker's scratch block. */
import type { RunnerHooks } from "../execute/runner.js";
import type { Kernels } from "../kernels/kernels.js";
import { alignUp } from "../memory/allocator.js";
import { NeedsMainThreadError, SharedBuffer, type BorrowedHeap, type BufferViews, type SharedMemory } from "../memory/shared-memory.js";
import { ScratchBuffer } from "../memory/scratch.js";

/** Buffers for a task on this worker: the preallocated result, a scratch block, nothing else. */
export class WorkerHooks implements RunnerHooks, BorrowedHeap {
  private readonly memory: SharedMemory;
  private slotPtr = -1;
  private slotBytes = 0;
  private slotTaken = false;
  private scratchOffset = 0;
  regions: BufferViews[] = [];
  private readonly scratchBlock: SharedBuffer;

  constructor(
    readonly kernels: Kernels,
    private readonly scratch: { ptr: number; bytes: number },
  ) {
    this.memory = kernels.memory;
    this.scratchBlock = new SharedBuffer(this.memory, scratch.ptr, scratch.bytes);
  }

  begin(slotPtr: number, slotBytes: number, constants: BufferViews[]): void {
    this.slotPtr = slotPtr;
    this.slotBytes = slotBytes;
    this.slotTaken = false;
    const regions = this.regions;
    regions.length = 0;
    for (const c of constants) regions.push(c);
    if (slotPtr >= 0) regions.push(new SharedBuffer(this.memory, slotPtr, slotBytes));
    regions.push(this.scratchBlock);
  }

  allocResult(bytes: number): BufferViews {
    if (this.slotPtr < 0 || this.slotTaken || bytes !== this.slotBytes) {
      throw new NeedsMainThreadError(`a result of ${bytes} bytes that the task did not declare`);
    }
    this.slotTaken = true;
    return new SharedBuffer(this.memory, this.slotPtr, bytes);
  }

  allocScratch(bytes: number): BufferViews {
    const size = alignUp(Math.max(bytes, 1));
    if (this.scratchOffset + size > this.scratch.bytes) throw new NeedsMainThreadError("more scratch than the worker's block holds");
    const buffer = new ScratchBuffer(this.memory, this.scratch.ptr + this.scratchOffset, bytes);
    this.scratchOffset += size;
    return buffer;
  }

  own(result: unknown): unknown {
    if (!(result instanceof ScratchBuffer)) return result;
    const out = this.allocResult(result.bytes);
    out.u8().set(result.u8());
    return out;
  }

  dropIntermediate(): void {}

  endTask(): void {
    this.scratchOffset = 0;
  }

  regionAt(ptr: number): BufferViews | undefined {
    for (const r of this.regions) if (ptr >= r.ptr && ptr < r.ptr + r.bytes) return r;
    return undefined;
  }
}
