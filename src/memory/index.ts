/** Shared memory: one WebAssembly.Memory per runtime, its heap allocator and typed views. */
export {
  Allocation,
  BufferViews,
  SharedBuffer,
  SharedMemory,
  NeedsMainThreadError,
  PAGE_BYTES,
  WASM32_MAX_BYTES,
  DEFAULT_INITIAL_BYTES,
  DEFAULT_MAXIMUM_BYTES,
} from "./shared-memory.js";
export type { BorrowedHeap, MemoryOptions, MemoryStats, ViewType } from "./shared-memory.js";
export type { WasmMemory, WasmMemoryMembers } from "../types/wasm.js";
export { Allocator, ALIGNMENT, alignUp } from "./allocator.js";
export type { AllocatorStats } from "./allocator.js";
export { ScratchArena, ScratchBuffer } from "./scratch.js";
