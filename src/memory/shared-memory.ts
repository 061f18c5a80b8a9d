/**
 * The one WebAssembly.Memory({ shared: true }) of a runtime, the heap allocator over it, and
 * typed views. Every worker instantiates the kernel module against this same memory, so a
 * chunk is written once and read in place by whichever thread runs the next task.
 */
import { ArgumentError, OutOfMemoryError, WeftError } from "../errors.js";
import { Allocator, type AllocatorStats } from "./allocator.js";
import type { WasmMemory } from "../types/wasm.js";

/** Bytes in a WebAssembly memory page. */
export const PAGE_BYTES = 65536;
/** wasm32 addresses 4 GiB: the largest memory a kernel module can import. */
export const WASM32_MAX_BYTES = 65536 * PAGE_BYTES;
/** Initial size of a shared memory when none is given (16 MiB). */
export const DEFAULT_INITIAL_BYTES = 16 * 1024 * 1024;
/** Largest size a shared memory may grow to when none is given: wasm32's 4 GiB. */
export const DEFAULT_MAXIMUM_BYTES = WASM32_MAX_BYTES;

/** Size of a shared memory: initial and maximum bytes (whole pages of 64 KiB). */
export interface MemoryOptions {
  /** Bytes reserved up front (rounded up to 64 KiB pages). Default 16 MiB. */
  initial?: number;
  /** Largest size the memory may grow to (rounded up to pages, at most 4 GiB). Default 4 GiB. */
  maximum?: number;
}

/** What a shared memory holds: the allocator's figures, the memory's current and maximum size. */
export interface MemoryStats extends AllocatorStats {
  /** Current size of the memory in bytes. */
  memoryBytes: number;
  /** Configured maximum size in bytes. */
  maximumBytes: number;
}

/** The element types a view can have. */
export type ViewType = "f64" | "f32" | "i32" | "u8";

/** Typed views over `bytes` bytes at `ptr` of a buffer: what allocations and scratch buffers offer. */
export abstract class BufferViews {
  abstract readonly ptr: number;
  abstract readonly bytes: number;
  protected abstract buffer(): SharedArrayBuffer;

  /** Float64 view (length = floor(bytes / 8)). */
  f64(): Float64Array {
    return new Float64Array(this.buffer(), this.ptr, Math.floor(this.bytes / 8));
  }

  f32(): Float32Array {
    return new Float32Array(this.buffer(), this.ptr, Math.floor(this.bytes / 4));
  }

  i32(): Int32Array {
    return new Int32Array(this.buffer(), this.ptr, Math.floor(this.bytes / 4));
  }

  u8(): Uint8Array {
    return new Uint8Array(this.buffer(), this.ptr, this.bytes);
  }
}

/** A block of the shared heap: its address, its size, and typed views over exactly its bytes. */
export class Allocation extends BufferViews {
  private released = false;

  constructor(
    private readonly owner: SharedMemory,
    /** Byte address in the shared memory (a multiple of 64). */
    readonly ptr: number,
    /** Bytes requested (the block itself is rounded up to 64). */
    readonly bytes: number,
    /** Order of creation in its memory: allocations made after serial s have serial > s. */
    readonly serial = 0,
  ) {
    super();
  }

  protected buffer(): SharedArrayBuffer {
    return this.owner.buffer();
  }

  /** True once free() was called on it; its views must not be used after that. */
  get freed(): boolean {
    return this.released;
  }

  /** Gives the block back to the heap. Freeing twice throws. */
  free(): void {
    this.owner.free(this);
  }

  /** @internal */
  markFreed(): void {
    this.released = true;
  }
}

/**
 * A view of bytes in the shared memory that this thread does not own: a task's input or its
 * preallocated output, as a worker thread sees them. It cannot be freed here; its owner (the
 * thread that allocated it) frees it.
 */
export class SharedBuffer extends BufferViews {
  constructor(
    private readonly memory: SharedMemory,
    readonly ptr: number,
    readonly bytes: number,
  ) {
    super();
  }

  protected buffer(): SharedArrayBuffer {
    return this.memory.buffer();
  }
}

/**
 * How a thread that does not own the heap (a worker) checks addresses: the scheduler installs
 * one for each task it runs there (see SharedMemory.attach), listing the task's buffers.
 */
export interface BorrowedHeap {
  /** The buffer of the current task that contains `ptr`, if any. */
  regionAt(ptr: number): BufferViews | undefined;
}

/** Raised on a worker thread when a task needs an allocation only the main thread can make. */
export class NeedsMainThreadError extends WeftError {}

const roundToPages = (bytes: number): number => Math.ceil(bytes / PAGE_BYTES);

function checkBytes(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0 || value > WASM32_MAX_BYTES) {
    throw new ArgumentError(name, `a whole number of bytes in (0, ${WASM32_MAX_BYTES}]`, value, "memory");
  }
  return value;
}

/**
 * One shared `WebAssembly.Memory` and its allocator: every buffer of a runtime lives here, read in
 * place by every thread and kernel. Views refresh when the memory grows.
 */
export class SharedMemory {
  readonly memory: WasmMemory;
  readonly maximumBytes: number;
  private allocator: Allocator | undefined;
  private viewBytes = -1;
  private views!: { f64: Float64Array; f32: Float32Array; i32: Int32Array; u8: Uint8Array };
  private readonly allocations = new Map<number, Allocation>();
  private readonly growListeners = new Set<(bytes: number) => void>();
  private borrowed: BorrowedHeap | undefined;
  private readonly attached: boolean;
  private serial = 0;

  constructor(options: MemoryOptions = {}, existing?: WasmMemory) {
    this.attached = existing !== undefined;
    if (existing) {
      // attach(): the memory is another thread's, and so is its heap
      this.memory = existing;
      this.maximumBytes = checkBytes("maximum", options.maximum) ?? DEFAULT_MAXIMUM_BYTES;
      return;
    }
    const initial = checkBytes("initial", options.initial) ?? DEFAULT_INITIAL_BYTES;
    const maximum = checkBytes("maximum", options.maximum) ?? DEFAULT_MAXIMUM_BYTES;
    if (initial > maximum) {
      throw new ArgumentError("initial", `at most the maximum (${maximum} bytes)`, initial, "memory");
    }
    this.memory = new WebAssembly.Memory({
      initial: roundToPages(initial),
      maximum: roundToPages(maximum),
      shared: true,
    });
    this.maximumBytes = roundToPages(maximum) * PAGE_BYTES;
  }

  /**
   * The same memory seen from another thread (a worker): views and kernels work as usual, but
   * the heap belongs to the thread that created the memory, so alloc() and allocationAt() go
   * through the BorrowedHeap the scheduler installs for the task at hand.
   */
  static attach(memory: WasmMemory, maximumBytes: number): SharedMemory {
    return new SharedMemory({ maximum: maximumBytes }, memory);
  }

  /** True for a memory made by attach(): allocation is the owning thread's. */
  get isBorrowed(): boolean {
    return this.attached;
  }

  /** @internal installed by the scheduler on worker threads, per task */
  setBorrowedHeap(heap: BorrowedHeap | undefined): void {
    this.borrowed = heap;
  }

  /**
   * Sets where the heap starts: the kernel module's heap base, below which its static data lives
   * (and is rewritten on every instantiation). Must be called once, before the first allocation.
   */
  setHeapBase(heapBase: number): void {
    if (this.allocator) throw new WeftError("the heap base is already set");
    this.allocator = new Allocator(heapBase, (end) => this.ensureCapacity(end));
  }

  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  /** The current SharedArrayBuffer; after growth it is a new, longer one. */
  buffer(): SharedArrayBuffer {
    return this.memory.buffer as unknown as SharedArrayBuffer;
  }

  /** Whole-memory views, refreshed whenever the memory has grown (here or in another thread). */
  get f64(): Float64Array {
    return this.currentViews().f64;
  }
  get f32(): Float32Array {
    return this.currentViews().f32;
  }
  get i32(): Int32Array {
    return this.currentViews().i32;
  }
  get u8(): Uint8Array {
    return this.currentViews().u8;
  }

  /** Called with the new size in bytes after every growth. Returns a function that unsubscribes. */
  onGrow(listener: (bytes: number) => void): () => void {
    this.growListeners.add(listener);
    return () => this.growListeners.delete(listener);
  }

  /** Allocates `bytes` bytes, 64-byte aligned, growing the memory if needed. */
  alloc(bytes: number): Allocation {
    if (typeof bytes !== "number" || !Number.isInteger(bytes) || bytes < 0) {
      throw new ArgumentError("bytes", "a non-negative whole number", bytes, "alloc");
    }
    if (this.attached) {
      // A worker cannot make heap allocations: the scheduler runs such a task on the main thread.
      throw new NeedsMainThreadError("this thread does not own the heap: allocate on the main thread");
    }
    const allocator = this.heap();
    const ptr = allocator.allocate(bytes);
    if (ptr < 0) {
      const stats = allocator.stats();
      const headroom = this.maximumBytes - stats.top;
      throw new OutOfMemoryError(bytes, stats.freeListBytes + headroom, Math.max(stats.largestFreeBlock, headroom), this.maximumBytes);
    }
    const allocation = new Allocation(this, ptr, bytes, ++this.serial);
    this.allocations.set(ptr, allocation);
    return allocation;
  }

  /** Serial of the latest allocation: everything allocated later has a larger one. */
  get lastSerial(): number {
    return this.serial;
  }

  /** Allocates room for `length` float64 values. */
  allocF64(length: number): Allocation {
    if (typeof length !== "number" || !Number.isInteger(length) || length < 0) {
      throw new ArgumentError("length", "a non-negative whole number", length, "allocF64");
    }
    return this.alloc(length * 8);
  }

  /** Copies `values` into a new allocation. */
  fromF64(values: ArrayLike<number>): Allocation {
    if (
      !(
        values instanceof Float64Array ||
        values instanceof Float32Array ||
        (Array.isArray(values) && values.every((v) => typeof v === "number"))
      )
    ) {
      throw new ArgumentError("values", "a Float64Array, Float32Array or array of numbers", values, "fromF64");
    }
    const allocation = this.allocF64(values.length);
    allocation.f64().set(values);
    return allocation;
  }

  free(allocation: Allocation): void {
    if (this.allocations.get(allocation.ptr) !== allocation) {
      throw new ArgumentError(
        "allocation",
        "a live allocation of this memory",
        allocation.freed ? "a freed allocation" : allocation,
        "free",
      );
    }
    this.allocations.delete(allocation.ptr);
    this.heap().free(allocation.ptr);
    allocation.markFreed();
  }

  /**
   * The live allocation containing the byte address `ptr`, if any. On an attached memory: the
   * buffer of the current task containing it (a worker may touch only its task's buffers).
   */
  allocationAt(ptr: number): BufferViews | undefined {
    if (this.attached) return this.borrowed?.regionAt(ptr);
    const hit = this.heap().containing(ptr);
    return hit ? this.allocations.get(hit[0]) : undefined;
  }

  stats(): MemoryStats {
    return { ...this.heap().stats(), memoryBytes: this.byteLength, maximumBytes: this.maximumBytes };
  }

  private heap(): Allocator {
    if (this.attached) throw new NeedsMainThreadError("this thread does not own the heap: only the main thread frees and inspects it");
    if (!this.allocator) throw new WeftError("the heap base is not set: create memory through Kernels.create()");
    return this.allocator;
  }

  private ensureCapacity(endAddress: number): boolean {
    if (endAddress <= this.byteLength) return true;
    if (endAddress > this.maximumBytes) return false;
    // Grow by at least a quarter of the current size, so a stream of small allocations does
    // not grow page by page, but never past the maximum.
    const neededPages = roundToPages(endAddress) - roundToPages(this.byteLength);
    const currentPages = roundToPages(this.byteLength);
    const maxPages = roundToPages(this.maximumBytes);
    const pages = Math.min(Math.max(neededPages, currentPages >> 2), maxPages - currentPages);
    try {
      this.memory.grow(pages);
    } catch {
      return false; // the platform refused (address space): reported as out of memory
    }
    this.viewBytes = -1;
    this.currentViews();
    for (const listener of this.growListeners) listener(this.byteLength);
    return true;
  }

  private currentViews() {
    // Only the owning thread grows the memory (and refreshes the views when it does); another
    // thread must look at the length, since the owner may have grown it meanwhile.
    if (!this.attached && this.viewBytes >= 0) return this.views;
    const bytes = this.byteLength;
    if (bytes !== this.viewBytes) {
      const buffer = this.buffer();
      this.views = {
        f64: new Float64Array(buffer),
        f32: new Float32Array(buffer),
        i32: new Int32Array(buffer),
        u8: new Uint8Array(buffer),
      };
      this.viewBytes = bytes;
    }
    return this.views;
  }
}
