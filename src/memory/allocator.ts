/**
 * Address-space bookkeeping for the shared heap: which byte ranges are live and which are free.
 * It never touches memory itself, so it is a plain, testable object; SharedMemory drives it.
 *
 * Every block is a multiple of 64 bytes and starts on a 64-byte boundary (a cache line, and
 * any SIMD load is aligned). Free blocks are coalesced with both neighbours on free, and a free
 * block that reaches the top of the heap is given back to the top, so a long loop of mixed-size
 * allocations and frees cannot fragment the heap without bound: after everything is freed the
 * heap is one empty range again. Free blocks are binned by size class (powers of two) for a
 * near-constant-time best fit.
 *
 * Small blocks (up to 1 KiB) are freed lazily, as dlmalloc's fast bins are: a freed small block
 * waits on a list of its exact size for the next request of that size, and is coalesced only
 * when the heap would otherwise grow, when someone asks for the statistics, or when nothing is
 * live. A run of a plan allocates and frees the same small result buffers every time (a
 * gradient's partial sums: 100 of 88 bytes a run), and coalescing each at once cost a tenth of
 * the main thread's time in a user's gradient-descent loop.
 */

export const ALIGNMENT = 64;

/**
 * Figures of an allocator: bytes and blocks in use, free-list bytes, the largest free block, the
 * top.
 */
export interface AllocatorStats {
  /** Bytes in live blocks (rounded up to the alignment). */
  liveBytes: number;
  /** Live blocks. */
  liveBlocks: number;
  /** Bytes in free blocks below the top, reusable without growing. */
  freeListBytes: number;
  /** Largest free block below the top. */
  largestFreeBlock: number;
  /** One past the highest byte ever handed out and not yet given back. */
  top: number;
  /** Start of the heap (the kernel module's heap base, aligned). */
  base: number;
}

/** Rounds `bytes` up to a multiple of `alignment` (64 by default: a cache line). */
export const alignUp = (bytes: number, alignment = ALIGNMENT): number => Math.ceil(bytes / alignment) * alignment;

const sizeClass = (bytes: number): number => 31 - Math.clz32(bytes / ALIGNMENT);

/** Largest block freed lazily, and the most blocks waiting per size. */
const QUICK_MAX = 1024;
const QUICK_PER_SIZE = 256;

/**
 * The allocator behind SharedMemory: 64-byte aligned blocks, size-class free lists with coalescing
 * of neighbours, growth at the top. It hands out addresses only; it never touches the memory.
 */
export class Allocator {
  readonly base: number;
  private topAddress: number;
  private readonly live = new Map<number, number>(); // start -> size
  private liveStarts: number[] = []; // sorted, for containing(address)
  private readonly freeByStart = new Map<number, number>(); // start -> size
  private readonly freeByEnd = new Map<number, number>(); // end -> start
  private readonly bins: Set<number>[] = []; // size class -> starts
  private liveTotal = 0;
  private freeTotal = 0;
  /** Small freed blocks by size / 64, not yet coalesced. */
  private readonly quick: number[][] = Array.from({ length: QUICK_MAX / ALIGNMENT + 1 }, () => []);
  private quickTotal = 0;

  /**
   * @param base first usable address (rounded up to 64)
   * @param ensureCapacity called with the end address the heap needs; returns false when the
   *   memory cannot grow that far (the allocation then fails)
   */
  constructor(
    base: number,
    private readonly ensureCapacity: (endAddress: number) => boolean,
  ) {
    this.base = alignUp(Math.max(base, ALIGNMENT));
    this.topAddress = this.base;
  }

  /** Returns the start address of a new block of at least `bytes` bytes, or -1 if it cannot fit. */
  allocate(bytes: number): number {
    const size = alignUp(Math.max(bytes, 1));
    let start: number;
    const waiting = size <= QUICK_MAX ? this.quick[size / ALIGNMENT]! : undefined;
    if (waiting && waiting.length > 0) {
      start = waiting.pop()!;
      this.quickTotal -= size;
    } else {
      let fit = this.takeFreeBlock(size);
      if (fit < 0 && this.quickTotal > 0) {
        this.consolidate();
        fit = this.takeFreeBlock(size);
      }
      if (fit >= 0) {
        start = fit;
      } else {
        if (!this.ensureCapacity(this.topAddress + size)) return -1;
        start = this.topAddress;
        this.topAddress += size;
      }
    }
    this.live.set(start, size);
    this.liveStarts.splice(this.insertionIndex(start), 0, start);
    this.liveTotal += size;
    return start;
  }

  /** Size (aligned) of the live block starting at `start`, or undefined if there is none. */
  sizeOf(start: number): number | undefined {
    return this.live.get(start);
  }

  /** The live block that contains `address`, as [start, size], or undefined. */
  containing(address: number): [number, number] | undefined {
    const i = this.insertionIndex(address + 1) - 1;
    if (i < 0) return undefined;
    const start = this.liveStarts[i]!;
    const size = this.live.get(start)!;
    return address < start + size ? [start, size] : undefined;
  }

  /** Frees the live block at `start`. Returns false (and changes nothing) if there is none. */
  free(start: number): boolean {
    const size = this.live.get(start);
    if (size === undefined) return false;
    this.live.delete(start);
    this.liveStarts.splice(this.insertionIndex(start), 1);
    this.liveTotal -= size;
    if (size <= QUICK_MAX && this.liveTotal > 0) {
      const waiting = this.quick[size / ALIGNMENT]!;
      if (waiting.length < QUICK_PER_SIZE) {
        waiting.push(start);
        this.quickTotal += size;
        return true;
      }
    }
    this.release(start, size);
    if (this.liveTotal === 0 && this.quickTotal > 0) this.consolidate(); // nothing live: one empty range again
    return true;
  }

  /** Coalesces every small block waiting for reuse into the free lists. */
  private consolidate(): void {
    for (let cls = 1; cls < this.quick.length; cls++) {
      const waiting = this.quick[cls]!;
      for (const start of waiting) this.release(start, cls * ALIGNMENT);
      waiting.length = 0;
    }
    this.quickTotal = 0;
  }

  /** Returns a block to the free lists, merged with free neighbours (or to the top). */
  private release(start: number, size: number): void {
    let blockStart = start;
    let blockEnd = start + size;
    const before = this.freeByEnd.get(blockStart);
    if (before !== undefined) {
      this.removeFree(before);
      blockStart = before;
    }
    const afterSize = this.freeByStart.get(blockEnd);
    if (afterSize !== undefined) {
      this.removeFree(blockEnd);
      blockEnd += afterSize;
    }
    if (blockEnd === this.topAddress) this.topAddress = blockStart;
    else this.addFree(blockStart, blockEnd - blockStart);
  }

  stats(): AllocatorStats {
    if (this.quickTotal > 0) this.consolidate();
    let largest = 0;
    for (const size of this.freeByStart.values()) largest = Math.max(largest, size);
    return {
      liveBytes: this.liveTotal,
      liveBlocks: this.live.size,
      freeListBytes: this.freeTotal,
      largestFreeBlock: largest,
      top: this.topAddress,
      base: this.base,
    };
  }

  /** Index of the first live start greater than or equal to `address`. */
  private insertionIndex(address: number): number {
    let lo = 0;
    let hi = this.liveStarts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.liveStarts[mid]! < address) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Best fit within the first size class that can hold `size`, splitting off the rest. */
  private takeFreeBlock(size: number): number {
    for (let cls = sizeClass(size); cls < this.bins.length; cls++) {
      const bin = this.bins[cls];
      if (!bin || bin.size === 0) continue;
      let best = -1;
      let bestSize = Infinity;
      for (const start of bin) {
        const blockSize = this.freeByStart.get(start)!;
        if (blockSize >= size && blockSize < bestSize) {
          best = start;
          bestSize = blockSize;
          if (blockSize === size) break;
        }
      }
      if (best < 0) continue;
      this.removeFree(best);
      if (bestSize > size) this.addFree(best + size, bestSize - size);
      return best;
    }
    return -1;
  }

  private addFree(start: number, size: number): void {
    this.freeByStart.set(start, size);
    this.freeByEnd.set(start + size, start);
    const cls = sizeClass(size);
    (this.bins[cls] ??= new Set()).add(start);
    this.freeTotal += size;
  }

  private removeFree(start: number): void {
    const size = this.freeByStart.get(start)!;
    this.freeByStart.delete(start);
    this.freeByEnd.delete(start + size);
    this.bins[sizeClass(size)]!.delete(start);
    this.freeTotal -= size;
  }
}
