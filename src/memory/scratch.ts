/**
 * Scratch space for the intermediates of a fused task: one block of the shared heap, handed out
 * by bumping an offset and taken back all at once when the task ends. A fused task's inner
 * results never reach the heap allocator, and its outputs (allocated normally) outlive it.
 */
import { type Allocation, SharedBuffer, type SharedMemory } from "./shared-memory.js";
import { alignUp } from "./allocator.js";

/** A buffer in a scratch block: valid until the arena is reset (the end of the fused task). */
export class ScratchBuffer extends SharedBuffer {}

/** Largest scratch block kept between tasks. */
const MAX_BLOCK_BYTES = 64 * 1024 * 1024;

/**
 * A bump arena over one block of the shared memory, for the intermediates of a fused task: reset
 * after each task, so nothing is freed one by one.
 */
export class ScratchArena {
  private block: Allocation | undefined;
  private offset = 0;
  private overflow: Allocation[] = [];
  /** Bytes the last task asked for in all: the next block is made at least this large. */
  private wanted = 0;

  constructor(
    private readonly memory: SharedMemory,
    private blockBytes = 1 << 20,
  ) {}

  /**
   * A buffer of `bytes` bytes (64-byte aligned). When the block is full the request is served
   * by an ordinary allocation, freed at reset(), and the block grows for the next task.
   */
  alloc(bytes: number): ScratchBuffer | Allocation {
    const size = alignUp(Math.max(bytes, 1));
    this.wanted += size;
    this.block ??= this.memory.alloc(this.blockBytes);
    if (this.offset + size <= this.block.bytes) {
      const buffer = new ScratchBuffer(this.memory, this.block.ptr + this.offset, bytes);
      this.offset += size;
      return buffer;
    }
    const spill = this.memory.alloc(bytes);
    this.overflow.push(spill);
    return spill;
  }

  /** Allocates the block now (so that it is part of the memory's baseline, not of a run). */
  reserve(): void {
    this.block ??= this.memory.alloc(this.blockBytes);
  }

  /** Takes every buffer back. Their views must not be used after this. */
  reset(): void {
    // a spilled buffer may have been freed already, by its task, as an intermediate
    for (const a of this.overflow) if (!a.freed) a.free();
    this.overflow = [];
    if (this.block && this.wanted > this.block.bytes && this.block.bytes < MAX_BLOCK_BYTES) {
      // grow to what the last task wanted, up to a cap: beyond it, spills (freed at reset)
      // serve the rare huge task without holding gigabytes between tasks
      this.block.free();
      this.block = undefined;
      this.blockBytes = Math.min(alignUp(this.wanted), MAX_BLOCK_BYTES);
    }
    this.offset = 0;
    this.wanted = 0;
  }

  /** Frees the block. */
  dispose(): void {
    this.reset();
    this.block?.free();
    this.block = undefined;
  }
}
