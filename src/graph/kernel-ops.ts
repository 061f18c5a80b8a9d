/**
 * Kernels as graph ops: registerKernelOps() makes every elementwise kernel and vector reduction
 * of the registry an op over buffers, so a graph can say `exp(x)` and run it on whichever
 * backend the plan runs with. A buffer is any { ptr, bytes } in the runtime's shared memory (an
 * Allocation or a ScratchBuffer); elementwise ops return a new buffer from `context.alloc`
 * (scratch inside a fused task), reductions return a number.
 */
import { ArgumentError } from "../errors.js";
import { KERNEL_SPECS, type KernelName } from "../kernels/index.js";
import { defaultOps, type OpRegistry, type TaskContext } from "./ops.js";

/** Something in the shared memory that a kernel can read: an Allocation or a ScratchBuffer. */
export interface BufferRef {
  readonly ptr: number;
  readonly bytes: number;
}

const isBuffer = (v: unknown): v is BufferRef =>
  typeof v === "object" && v !== null && typeof (v as BufferRef).ptr === "number" && typeof (v as BufferRef).bytes === "number";

function kernelsOf(ctx: TaskContext, op: string) {
  if (!ctx.kernels) throw new ArgumentError("kernels", "a Kernels instance in plan.run's options", undefined, `op ${op}`);
  return ctx.kernels;
}

function elements(op: string, name: string, v: unknown): number {
  if (!isBuffer(v)) throw new ArgumentError(name, "a buffer ({ ptr, bytes }) in the shared memory", v, `op ${op}`);
  return Math.floor(v.bytes / 8);
}

const UNARY = Object.entries(KERNEL_SPECS)
  .filter(([, s]) => s.family === "elementwise" && s.args.length === 3)
  .map(([n]) => n);
// (the "convert" family, widenF32, narrowF32 and roundF32, is registered below: not all its values are 8 bytes)
const BINARY = ["add", "sub", "mul", "div", "pow", "min", "max"] as const;
const REDUCTIONS = ["sum", "sumSquares", "min", "max"] as const;
const CONVERSIONS = [
  ["widenF32", 4, 8],
  ["narrowF32", 8, 4],
  ["roundF32", 8, 8],
] as const;

/**
 * Registers, in `registry`: each unary elementwise kernel under its name (`exp(x)`), each
 * binary one as `add(a, b)` etc. taking two buffers of one length or a buffer and a number
 * (either side), the reductions as `sum(x)`, `sumSquares(x)`, `minOf(x)`, `maxOf(x)`, and the
 * conversions `widenF32(x)` (a buffer of float32 values to float64), `narrowF32(x)` (back) and
 * `roundF32(x)` (float64 values rounded to float32's, still float64: the two in one pass).
 */
export function registerKernelOps(registry: OpRegistry = defaultOps): void {
  for (const name of UNARY) {
    registry.register(
      name,
      (ctx: TaskContext, x: unknown) => {
        const n = elements(name, "x", x);
        const out = ctx.alloc(8 * n);
        (kernelsOf(ctx, name).raw[name as KernelName] as (...a: number[]) => void)(n, (x as BufferRef).ptr, out.ptr);
        return out;
      },
      { context: true, onEveryWorker: true, tile: { kind: "unary", kernel: name } },
    );
  }
  for (const name of BINARY) {
    registry.register(
      name,
      (ctx: TaskContext, a: unknown, b: unknown) => {
        const raw = kernelsOf(ctx, name).raw as unknown as Record<string, (...args: number[]) => void>;
        if (isBuffer(a) && isBuffer(b)) {
          const n = elements(name, "a", a);
          if (elements(name, "b", b) !== n)
            throw new ArgumentError("b", `a buffer of ${n} elements like a`, `${b.bytes / 8} elements`, `op ${name}`);
          const out = ctx.alloc(8 * n);
          raw[`${name}VV`]!(n, a.ptr, b.ptr, out.ptr);
          return out;
        }
        if (isBuffer(a) && typeof b === "number") {
          const n = elements(name, "a", a);
          const out = ctx.alloc(8 * n);
          raw[`${name}VS`]!(n, a.ptr, b, out.ptr);
          return out;
        }
        if (typeof a === "number" && isBuffer(b)) {
          const n = elements(name, "b", b);
          const out = ctx.alloc(8 * n);
          raw[`${name}SV`]!(n, a, b.ptr, out.ptr);
          return out;
        }
        throw new ArgumentError("a, b", "two buffers, or a buffer and a number", [a, b], `op ${name}`);
      },
      { context: true, onEveryWorker: true, tile: { kind: "binary", op: name } },
    );
  }
  // float32 storage <-> float64 arithmetic: bytes per value read and written
  for (const [name, inBytes, outBytes] of CONVERSIONS) {
    registry.register(
      name,
      (ctx: TaskContext, x: unknown) => {
        if (!isBuffer(x))
          throw new ArgumentError("x", `a buffer ({ ptr, bytes }) of ${inBytes === 4 ? "float32" : "float64"} values`, x, `op ${name}`);
        const n = Math.floor(x.bytes / inBytes);
        const out = ctx.alloc(outBytes * n);
        kernelsOf(ctx, name).raw[name](n, x.ptr, out.ptr);
        return out;
      },
      {
        context: true,
        onEveryWorker: true,
        tile: { kind: "unary", kernel: name, ...(inBytes === 4 ? { inBytes } : {}), ...(outBytes === 4 ? { outBytes } : {}) },
      },
    );
  }
  for (const name of REDUCTIONS) {
    const opName = name === "min" ? "minOf" : name === "max" ? "maxOf" : name;
    registry.register(
      opName,
      (ctx: TaskContext, x: unknown) => {
        const n = elements(opName, "x", x);
        return (kernelsOf(ctx, opName).raw[name] as (n: number, p: number) => number)(n, (x as BufferRef).ptr);
      },
      { context: true, onEveryWorker: true, tile: { kind: "reduce", kernel: name } },
    );
  }
}
