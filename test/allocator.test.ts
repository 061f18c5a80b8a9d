/**
 * The heap allocator and the shared memory: alignment, no overlap, reuse after free,
 * coalescing, bounded fragmentation under a long random workload, growth, and out of memory.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { OutOfMemoryError, ArgumentError } from "../src/index.js";
import { Allocator, ALIGNMENT, SharedMemory } from "../src/memory/index.js";
import { Kernels } from "../src/kernels/index.js";
import { rng } from "./helpers/random.js";

const unlimited = () => true;

describe("Allocator", () => {
  it("hands out 64-byte aligned blocks at or above the base", () => {
    const a = new Allocator(1000, unlimited);
    expect(a.base).toBe(1024);
    const p = a.allocate(1);
    const q = a.allocate(100);
    expect(p).toBe(1024);
    expect(q).toBe(1088);
    expect(a.sizeOf(q)).toBe(128);
  });

  it("reuses a freed block and coalesces neighbours back into one", () => {
    const a = new Allocator(64, unlimited);
    const blocks = [a.allocate(64), a.allocate(64), a.allocate(64), a.allocate(64)];
    a.free(blocks[1]!);
    a.free(blocks[2]!);
    expect(a.stats().freeListBytes).toBe(128);
    expect(a.stats().largestFreeBlock).toBe(128);
    expect(a.allocate(128)).toBe(blocks[1]); // the two merged holes serve a larger request
    a.free(blocks[3]!);
    a.free(blocks[1]!);
    a.free(blocks[0]!);
    expect(a.stats()).toMatchObject({ liveBytes: 0, freeListBytes: 0, top: 64 });
  });

  it("hands a freed small block to the next request of its size, and coalesces small blocks before growing", () => {
    const a = new Allocator(64, (end) => end <= 64 + 4 * 64 + 256);
    const keep = a.allocate(64);
    const blocks = [a.allocate(64), a.allocate(64), a.allocate(64)];
    for (const b of blocks) a.free(b);
    expect(a.allocate(64)).toBe(blocks[2]); // the last freed, without coalescing
    a.free(blocks[2]!);
    // 192 bytes: no free list holds them until the three small blocks coalesce (the heap cannot grow)
    expect(a.allocate(192)).toBe(blocks[0]);
    expect(a.free(blocks[1]!)).toBe(false); // part of the coalesced block now, not a live one
    a.free(blocks[0]!);
    a.free(keep);
    expect(a.stats()).toMatchObject({ liveBytes: 0, freeListBytes: 0, top: 64 });
  });

  it("refuses to free an unknown or already freed address", () => {
    const a = new Allocator(64, unlimited);
    const p = a.allocate(10);
    expect(a.free(p + 64)).toBe(false);
    expect(a.free(p)).toBe(true);
    expect(a.free(p)).toBe(false);
  });

  it("finds the block containing an interior address", () => {
    const a = new Allocator(64, unlimited);
    const p = a.allocate(256);
    const q = a.allocate(64);
    expect(a.containing(p + 200)).toEqual([p, 256]);
    expect(a.containing(q)).toEqual([q, 64]);
    expect(a.containing(q + 64)).toBeUndefined();
    expect(a.containing(0)).toBeUndefined();
  });

  it("returns -1 when the memory cannot grow", () => {
    const a = new Allocator(64, (end) => end <= 4096);
    expect(a.allocate(4000)).toBe(64);
    expect(a.allocate(64)).toBe(-1);
  });

  it("never overlaps live blocks, and everything is reusable after free (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 5000 }), fc.nat()), { maxLength: 300 }), (ops) => {
        const a = new Allocator(64, unlimited);
        const live: [number, number][] = [];
        for (const [doAlloc, size, pick] of ops) {
          if (doAlloc || live.length === 0) {
            const p = a.allocate(size);
            expect(p % ALIGNMENT).toBe(0);
            for (const [q, qs] of live) expect(p + Math.max(size, 1) <= q || q + qs <= p).toBe(true);
            live.push([p, Math.max(size, 1)]);
          } else {
            const [p] = live.splice(pick % live.length, 1)[0]!;
            expect(a.free(p)).toBe(true);
          }
        }
        for (const [p] of live) a.free(p);
        expect(a.stats()).toMatchObject({ liveBytes: 0, liveBlocks: 0, freeListBytes: 0, top: a.base });
      }),
    );
  });

  it("keeps fragmentation bounded over a long loop of mixed-size allocate/free", () => {
    const a = new Allocator(64, unlimited);
    const random = rng(7);
    const live: number[] = [];
    let peakLive = 0;
    let worstTop = 0;
    for (let step = 0; step < 100_000; step++) {
      if (live.length < 200 && (random() < 0.55 || live.length === 0)) {
        const size = random() < 0.9 ? 64 + Math.floor(random() * 4096) : 65536 + Math.floor(random() * 262144);
        live.push(a.allocate(size));
      } else {
        a.free(live.splice(Math.floor(random() * live.length), 1)[0]!);
      }
      const s = a.stats();
      peakLive = Math.max(peakLive, s.liveBytes);
      worstTop = Math.max(worstTop, s.top - s.base);
    }
    // The heap never needs more than a small multiple of the most that was ever live at once.
    expect(worstTop).toBeLessThan(3 * peakLive);
    for (const p of live) a.free(p);
    expect(a.stats().top).toBe(a.base);
  });
});

describe("SharedMemory", () => {
  it("is one shared WebAssembly.Memory with the configured sizes", () => {
    const m = new SharedMemory({ initial: 1 << 20, maximum: 8 << 20 });
    expect(m.buffer()).toBeInstanceOf(SharedArrayBuffer);
    expect(m.byteLength).toBe(1 << 20);
    expect(m.maximumBytes).toBe(8 << 20);
  });

  it("rejects bad sizes with an error naming the argument", () => {
    expect(() => new SharedMemory({ initial: -1 })).toThrow(ArgumentError);
    expect(() => new SharedMemory({ initial: 2 << 20, maximum: 1 << 20 })).toThrow(/initial/);
    expect(() => new SharedMemory({ maximum: 2 ** 33 })).toThrow(/maximum/);
  });

  it("grows on demand and refreshes the whole-memory views", () => {
    const m = new SharedMemory({ initial: 1 << 16, maximum: 64 << 20 });
    m.setHeapBase(1024);
    const grown: number[] = [];
    m.onGrow((bytes) => grown.push(bytes));
    const small = m.allocF64(16);
    small.f64().fill(3);
    const before = m.f64.length;
    const big = m.allocF64(1_000_000);
    expect(grown.length).toBe(1);
    expect(m.f64.length).toBeGreaterThan(before);
    expect(m.f64.length * 8).toBe(m.byteLength);
    big.f64()[999_999] = 42;
    expect(m.f64[big.ptr / 8 + 999_999]).toBe(42);
    expect(small.f64().every((v) => v === 3)).toBe(true); // old data survives growth
  });

  it("typed views cover exactly the allocation", () => {
    const m = new SharedMemory({ initial: 1 << 16, maximum: 1 << 20 });
    m.setHeapBase(64);
    const a = m.alloc(100);
    expect(a.f64().length).toBe(12);
    expect(a.f32().length).toBe(25);
    expect(a.i32().length).toBe(25);
    expect(a.u8().byteOffset).toBe(a.ptr);
    a.f32()[0] = 1.5;
    expect(a.u8()[3]).toBe(0x3f);
  });

  it("raises OutOfMemoryError with the bytes asked, free, and the maximum", () => {
    const m = new SharedMemory({ initial: 1 << 16, maximum: 1 << 20 });
    m.setHeapBase(1024);
    const held = m.alloc(512 * 1024);
    let error: unknown;
    try {
      m.alloc(768 * 1024);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OutOfMemoryError);
    const oom = error as OutOfMemoryError;
    expect(oom.requestedBytes).toBe(768 * 1024);
    expect(oom.maximumBytes).toBe(1 << 20);
    expect(oom.freeBytes).toBe((1 << 20) - 1024 - 512 * 1024);
    expect(oom.message).toMatch(/786432 bytes/);
    held.free();
    expect(m.alloc(768 * 1024).bytes).toBe(768 * 1024); // usable again after the error
  });

  it("refuses double free and foreign allocations", () => {
    const m = new SharedMemory({ initial: 1 << 16, maximum: 1 << 20 });
    m.setHeapBase(64);
    const a = m.alloc(8);
    a.free();
    expect(a.freed).toBe(true);
    expect(() => a.free()).toThrow(/freed allocation/);
  });

  it("never places data below the kernel module's heap base", async () => {
    const k = await Kernels.create({ backend: "wasm-simd", memory: { initial: 1 << 20, maximum: 4 << 20 } });
    const a = k.memory.alloc(8);
    expect(a.ptr).toBeGreaterThanOrEqual(k.memory.stats().base);
    expect(k.memory.stats().base).toBeGreaterThanOrEqual(1024);
  });
});
