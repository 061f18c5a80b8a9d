/**
 * The WebAssembly objects weft's public signatures name (the shared memory, the compiled kernel
 * module), typed so that the shipped declarations need no ambient `WebAssembly` namespace.
 *
 * TypeScript declares that namespace only in its DOM library; @types/node does not declare it,
 * and webassembly.d.ts next to this file is the build's own, not shipped. A signature naming
 * `WebAssembly.Memory` therefore fails to type-check in a Node project with `lib: ["ES2022"]`
 * ("Cannot find namespace 'WebAssembly'"). Each type here is the environment's own class when its
 * types declare one (the DOM lib, a declaration of the project's, this build's), so that nothing
 * changes for those projects, and otherwise the members weft relies on.
 */

/** The global `WebAssembly` object as the project's types declare it, or undefined when they do not. */
type WebAssemblyApi = typeof globalThis extends { WebAssembly: infer Api } ? Api : undefined;

/** What weft relies on in a WebAssembly.Memory: its bytes (a SharedArrayBuffer for a shared one) and growth. */
export interface WasmMemoryMembers {
  /** The memory's bytes: a SharedArrayBuffer when it is shared, as every memory weft makes is. */
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  /** Grows the memory by `delta` pages of 64 KiB and returns the previous size in pages. */
  grow(delta: number): number;
}

/**
 * A `WebAssembly.Memory`: the global class where the project's types declare it, otherwise
 * {@link WasmMemoryMembers}.
 */
export type WasmMemory = WebAssemblyApi extends { Memory: abstract new (...args: never[]) => infer Memory } ? Memory : WasmMemoryMembers;

/**
 * A compiled `WebAssembly.Module`: the global class where the project's types declare it,
 * otherwise any object (a module has no members of its own to check).
 */
export type WasmModule = WebAssemblyApi extends { Module: abstract new (...args: never[]) => infer Module } ? Module : object;
