/**
 * Checked entry points: each validates a call against the kernel's spec and the allocations
 * its pointers fall in, then calls the backend. Whatever the arguments, a checked call never
 * reads or writes outside the allocations its pointers belong to.
 */
import { ArgumentError } from "../errors.js";
import type { SharedMemory } from "../memory/shared-memory.js";
import { extentElements, type KernelName, type KernelSpec, type KernelTable } from "./signatures.js";

const MAX_DIM = 2 ** 31 - 1;

/** Throws ArgumentError unless `args` is a valid call of `spec` against `memory`. */
export function validateCall(name: string, spec: KernelSpec, args: readonly unknown[], memory: SharedMemory): void {
  const context = `kernel ${name}`;
  if (args.length !== spec.args.length) {
    throw new ArgumentError(
      "arguments",
      `${spec.args.length} arguments (${spec.args.map((a) => a.name).join(", ")})`,
      `${args.length} arguments`,
      context,
    );
  }
  const dims: Record<string, number> = {};
  spec.args.forEach((arg, i) => {
    const value = args[i];
    if (typeof value !== "number") throw new ArgumentError(arg.name, "a number", value, context);
    switch (arg.kind) {
      case "dim":
        if (!Number.isInteger(value) || value < 0 || value > MAX_DIM) {
          throw new ArgumentError(arg.name, `a whole number in [0, ${MAX_DIM}]`, value, context);
        }
        dims[arg.name] = value;
        break;
      case "flag":
        if (value !== 0 && value !== 1) throw new ArgumentError(arg.name, "0 or 1", value, context);
        break;
      case "u32":
        if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
          throw new ArgumentError(arg.name, "a whole number in [0, 2^32)", value, context);
        }
        break;
      case "index":
        if (!Number.isInteger(value) || value < 0 || value > Number.MAX_SAFE_INTEGER) {
          throw new ArgumentError(arg.name, "a whole number in [0, 2^53)", value, context);
        }
        break;
      case "scalar":
        break; // any float64, NaN and infinities included: they propagate like IEEE arithmetic
      case "ld":
      case "ptr":
        break; // checked below, once every dimension is known
    }
  });
  spec.args.forEach((arg, i) => {
    const value = args[i] as number;
    if (arg.kind === "ld") {
      const least = Math.max(1, dims[arg.cols]!);
      if (!Number.isInteger(value) || value < least || value > MAX_DIM) {
        throw new ArgumentError(arg.name, `a whole number >= ${least} (the column count ${arg.cols})`, value, context);
      }
      dims[arg.name] = value;
    }
  });
  spec.args.forEach((arg, i) => {
    if (arg.kind !== "ptr") return;
    const ptr = args[i] as number;
    const elements = extentElements(arg.extent, dims);
    if (elements === 0) return; // nothing is touched through this pointer
    if (!Number.isInteger(ptr) || ptr < 0 || ptr % 8 !== 0) {
      throw new ArgumentError(arg.name, "an 8-byte-aligned address of float64 data", ptr, context);
    }
    const allocation = memory.allocationAt(ptr);
    if (!allocation) {
      throw new ArgumentError(arg.name, "an address inside a live allocation of this runtime's memory", ptr, context);
    }
    const end = ptr + elements * 8;
    const limit = allocation.ptr + allocation.bytes;
    if (end > limit) {
      throw new ArgumentError(
        arg.name,
        `${elements} float64 elements (${elements * 8} bytes) within its allocation ` +
          `[${allocation.ptr}, ${limit}), which has ${Math.max(0, limit - ptr)} bytes from that address`,
        ptr,
        context,
      );
    }
  });
}

/** The checked table: same signatures as the raw one, each call validated first. */
export function checkedTable(specs: Readonly<Record<KernelName, KernelSpec>>, raw: () => KernelTable, memory: SharedMemory): KernelTable {
  const entries = (Object.keys(specs) as KernelName[]).map((name) => {
    const spec = specs[name];
    const checked = (...args: number[]) => {
      validateCall(name, spec, args, memory);
      return (raw()[name] as (...a: number[]) => number | void)(...args);
    };
    return [name, checked];
  });
  return Object.fromEntries(entries) as KernelTable;
}
