/**
 * The kernel conformance check, runnable anywhere (vitest in Node, a page in Chromium): every case
 * of a kernel on a subject backend against the js reference, with guards around every buffer to
 * catch any write outside it, inputs checked unchanged. Returns the disagreements as messages.
 */
import type { KernelName } from "../../src/index.js";
import type { Accuracy, Kernels, KernelSpec } from "../../src/kernels/index.js";
import { close, ulpDistance } from "./compare.js";
import { kernelCases, type KernelCase } from "./kernel-cases.js";

const GUARD = 4;
/**
 * How far the js reference itself may be from the exact value, in ulps: it calls the engine's
 * Math.exp and Math.log, which V8 computes within 1 ulp but not identically across versions
 * (Chromium 156's exp rounds correctly where Node 20's is 1 ulp off: this suite, run in the
 * browser, found sigmoid's wasm and js results 3 ulps apart, each within 2 of the exact value).
 * A kernel's `ulp` accuracy is against the exact value, so it may differ from the reference by
 * that plus this.
 */
const REFERENCE_ULP = 1;
const SENTINEL = -12345.6789;

/** Families whose kernels are also checked with NaN, infinities, signed zeros and subnormals. */
export const NAN_FAMILIES = new Set(["blas1", "elementwise", "convert", "reduce"]);

interface Outcome {
  returned: number | void;
  buffers: Map<number, Float64Array>;
  guardsIntact: boolean;
}

/** Lays the case's buffers out in `k`'s memory, inside guards, calls the kernel, and reads back. */
function run(k: Kernels, name: KernelName, c: KernelCase): Outcome {
  const args = [...c.scalars] as number[];
  const allocations = new Map<number, { alloc: ReturnType<Kernels["memory"]["allocF64"]>; length: number }>();
  for (const [index, values] of c.data) {
    const alloc = k.memory.allocF64(GUARD + c.shift + values.length + GUARD);
    const view = alloc.f64();
    view.fill(SENTINEL);
    view.set(values, GUARD + c.shift);
    args[index] = alloc.ptr + (GUARD + c.shift) * 8;
    allocations.set(index, { alloc, length: values.length });
  }
  const fn = k.raw[name] as (...a: number[]) => number | void;
  const returned = fn(...args);
  const buffers = new Map<number, Float64Array>();
  let guardsIntact = true;
  for (const [index, { alloc, length }] of allocations) {
    const view = alloc.f64();
    const head = view.subarray(0, GUARD + c.shift);
    const tail = view.subarray(GUARD + c.shift + length);
    if (!head.every((v) => v === SENTINEL) || !tail.every((v) => v === SENTINEL)) guardsIntact = false;
    buffers.set(index, view.slice(GUARD + c.shift, GUARD + c.shift + length));
    alloc.free();
  }
  return { returned, buffers, guardsIntact };
}

function agree(accuracy: Accuracy, a: number, b: number): boolean {
  switch (accuracy.kind) {
    case "exact":
      return a === b || (Number.isNaN(a) && Number.isNaN(b));
    case "ulp":
      return ulpDistance(a, b) <= accuracy.ulp + REFERENCE_ULP;
    case "sum":
      return close(a, b, 1e-10);
    case "solve":
      return close(a, b, 1e-8);
  }
}

/** First disagreement between two arrays, as a message, or undefined. */
function firstMismatch(accuracy: Accuracy, got: Float64Array, want: Float64Array): string | undefined {
  for (let i = 0; i < want.length; i++) {
    if (!agree(accuracy, got[i]!, want[i]!)) return `element ${i}: got ${got[i]}, reference ${want[i]}`;
  }
  return undefined;
}

/**
 * Every case of kernel `name` on `subject` (named `backend` in the messages) against `reference`;
 * with `specials`, inputs hold NaN, infinities, signed zeros and subnormals. [] when all agree.
 */
export function kernelDisagreements(
  reference: Kernels,
  subject: Kernels,
  backend: string,
  name: KernelName,
  spec: KernelSpec,
  specials: boolean,
): string[] {
  const failures: string[] = [];
  for (const c of kernelCases(name, spec, specials)) {
    const want = run(reference, name, c);
    const got = run(subject, name, c);
    const where = `${name} on ${backend}, ${c.label}${specials ? " with special values" : ""}`;
    if (!got.guardsIntact) failures.push(`${where}: wrote outside its buffers`);
    if (spec.returns !== "void" && !agree(spec.accuracy, got.returned as number, want.returned as number)) {
      failures.push(`${where}: returned ${got.returned}, reference ${want.returned}`);
    }
    spec.args.forEach((arg, index) => {
      if (arg.kind !== "ptr" || arg.name === "scratch") return;
      const mismatch =
        arg.access === "read"
          ? firstMismatch({ kind: "exact" }, got.buffers.get(index)!, c.data.get(index)!)
          : firstMismatch(spec.accuracy, got.buffers.get(index)!, want.buffers.get(index)!);
      if (mismatch !== undefined)
        failures.push(`${where}: ${arg.access === "read" ? "modified input" : "output"} ${arg.name}: ${mismatch}`);
    });
  }
  return failures;
}
