/**
 * Tiled execution of fused elementwise expressions (numexpr's idea, with weft's kernels as the
 * instructions). A fused task whose last steps are elementwise kernel ops (and possibly a final
 * reduction) does not run them one after the other over the whole chunk, which would stream
 * every intermediate through memory; it runs all of them on a tile of TILE values, then on the
 * next tile: the intermediates stay in a few kilobytes of scratch (L1), the chunk is read once,
 * and only the result (or the reduction's value) is written.
 *
 * The plan is derived from the program on first use (on whichever thread runs it, once for all
 * the tasks sharing the program); when
 * the operands turn out not to line up (buffers of different lengths), the steps run as usual.
 */
import type { KernelTable } from "../kernels/index.js";
import type { BufferViews } from "../memory/index.js";
import { StepHole, type ExecProgram, type ExecProgramArg } from "./compiled.js";
import { argValue, type RunnablePlan, type RunnerHooks } from "./execute.js";
import type { TileSpec } from "./ops.js";

/** Values per tile: 8 KiB a register, a handful of registers well inside L1. */
export const TILE = 1024;

/** Where a tiled step's operand comes from: a register (an earlier tiled step) or a value slot. */
type Operand = { readonly reg: number } | { readonly slot: number };

/** Where a value slot's value comes from, resolved once per task run: an earlier step, an argument outside the run. */
type Source = { readonly step: number } | { readonly arg: ExecProgramArg };

export interface TilePlan {
  /** Steps start .. end (inclusive) run tile by tile; the others as usual. */
  readonly start: number;
  readonly end: number;
  /** Whether `end` is the task's last step (its result then is the task's). */
  readonly last: boolean;
  readonly steps: readonly { readonly spec: TileSpec; readonly args: readonly Operand[] }[];
  readonly sources: readonly Source[];
  /** Bytes per value of each source buffer: 4 where a step reads it as float32, else 8. */
  readonly sourceBytes: readonly number[];
  /** Registers needed: one per tiled step but the last. */
  readonly registers: number;
}

const plans = new WeakMap<ExecProgram, TilePlan | null>();

/** The tile plan of a program (shared by all tasks running it), or null when its tail is not a tileable expression of two or more steps. */
export function tilePlanOf(program: ExecProgram): TilePlan | null {
  let plan = plans.get(program);
  if (plan === undefined) {
    plan = analyze(program);
    plans.set(program, plan);
  }
  return plan;
}

/** Whether `args` refer to step j (directly or inside a nested list). */
function readsStep(args: readonly ExecProgramArg[], j: number): boolean {
  for (const a of args) {
    if (a.kind === "step" && a.step === j) return true;
    if (a.kind === "nested" && nestedReads(a.value, j)) return true;
  }
  return false;
}

function nestedReads(v: unknown, j: number): boolean {
  if (Array.isArray(v)) return v.some((x) => nestedReads(x, j));
  return v instanceof StepHole && v.step === j;
}

function analyze(program: ExecProgram): TilePlan | null {
  const ops = program.steps.map((s) => s.op);
  const n = ops.length;
  if (n < 2) return null;
  // the first run of two or more tileable ops (a reduction ends a run) whose intermediates
  // nothing after the run reads
  for (let start = 0; start < n - 1; start++) {
    if (!ops[start]!.tile || ops[start]!.tile!.kind === "reduce") continue;
    let end = start;
    while (end + 1 < n && ops[end + 1]!.tile && ops[end]!.tile!.kind !== "reduce") end++;
    if (end === start) continue;
    let escapes = false;
    for (let later = end + 1; later < n && !escapes; later++) {
      for (let j = start; j < end && !escapes; j++) escapes = readsStep(program.steps[later]!.args, j);
    }
    if (escapes) {
      start = end;
      continue;
    }
    return planRun(program, start, end);
  }
  return null;
}

function planRun(program: ExecProgram, start: number, end: number): TilePlan | null {
  const n = program.steps.length;
  const sources: Source[] = [];
  const slotOf = new Map<string, number>();
  const slot = (id: string, source: Source) => {
    let s = slotOf.get(id);
    if (s === undefined) slotOf.set(id, (s = sources.push(source) - 1));
    return { slot: s };
  };
  const steps: { spec: TileSpec; args: Operand[] }[] = [];
  for (let j = start; j <= end; j++) {
    const spec = program.steps[j]!.op.tile!;
    const args: Operand[] = [];
    for (const a of program.steps[j]!.args) {
      let operand: Operand | undefined;
      if (a.kind === "step") operand = a.step >= start ? { reg: a.step - start } : slot(`s${a.step}`, { step: a.step });
      else if (a.kind === "input") operand = slot(`i${a.index}`, { arg: a });
      else if (a.kind === "chunk") operand = slot(`n${sources.length}`, { arg: a }); // a number per chunk
      else if (a.kind === "literal" && (typeof a.value === "number" || isBuffer(a.value))) operand = slot(`n${sources.length}`, { arg: a }); // a number, or a constant buffer
      if (!operand) return null; // an argument a kernel cannot take (a list, a string)
      args.push(operand);
    }
    const arity = spec.kind === "binary" ? 2 : 1;
    if (args.length !== arity) return null;
    steps.push({ spec, args });
  }
  // A float32 source widened only to be reduced: the reduction reads the float32 values itself
  // (half the bytes, no widened tile in between; a float32 array's sum, min or max).
  const [first, second] = steps;
  if (steps.length === 2 && first!.spec.kind === "unary" && first!.spec.kernel === "widenF32" && "slot" in first!.args[0]!
    && second!.spec.kind === "reduce" && "reg" in second!.args[0]!) {
    const kernel = `${second!.spec.kernel}F32` as "sumF32" | "sumSquaresF32" | "minF32" | "maxF32";
    steps.splice(0, 2, { spec: { kind: "reduce", kernel, inBytes: 4 }, args: [first!.args[0]!] });
  }
  const readAs = new Map<number, number>();
  for (const step of steps) {
    const inBytes = step.spec.kind === "binary" ? 8 : step.spec.inBytes ?? 8;
    for (const a of step.args) {
      if (!("slot" in a)) continue;
      if ((readAs.get(a.slot) ?? inBytes) !== inBytes) return null; // read both ways: run the steps as usual
      readAs.set(a.slot, inBytes);
    }
  }
  const sourceBytes = sources.map((_, i) => readAs.get(i) ?? 8);
  return { start, end, last: end === n - 1, steps, sources, sourceBytes, registers: steps.length - 1 };
}

const ptrsOf = (values: readonly unknown[], slot: number): number => (isBuffer(values[slot]) ? (values[slot] as BufferViews).ptr : -1);

const isBuffer = (v: unknown): v is BufferViews =>
  typeof v === "object" && v !== null && typeof (v as BufferViews).ptr === "number" && typeof (v as BufferViews).bytes === "number";

/**
 * Runs the tiled steps of the task at `position`. `results` holds the earlier steps' results; returns the value
 * of the run's last step, or undefined (having done nothing) when the operands do not line up,
 * so the caller runs the steps instead.
 */
export function runTiles(
  exec: RunnablePlan, position: number, plan: TilePlan, results: readonly unknown[], valueAt: (p: number) => unknown, hooks: RunnerHooks,
): { value: unknown } | undefined {
  const values = plan.sources.map((s) => ("step" in s ? results[s.step] : argValue(s.arg, exec, position, results, valueAt)));
  let n = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === "number") continue;
    if (!isBuffer(v)) return undefined;
    const len = v.bytes / plan.sourceBytes[i]!;
    if (n >= 0 && len !== n) return undefined;
    n = len;
  }
  if (n < 0) return undefined; // numbers only: nothing to stream
  for (const step of plan.steps) {
    const streams = step.args.some((o) => "reg" in o || ptrsOf(values, o.slot) >= 0);
    if (!streams) return undefined; // an op on numbers alone: not an expression over the chunk
  }
  const last = plan.steps[plan.steps.length - 1]!;
  // the reduction's kind (a float32 form reduces like its float64 one)
  const reduce = last.spec.kind === "reduce" ? last.spec.kernel.replace(/F32$/, "") : undefined;
  if (n === 0 && (reduce === "min" || reduce === "max")) return undefined; // the kernel op says what the empty case is
  const k = hooks.kernels!.raw as KernelTable & Record<string, (...args: number[]) => number>;
  const registers = plan.registers > 0 ? hooks.allocScratch(8 * TILE * plan.registers, position) : undefined;
  const lastSpec = last.spec;
  const outBytes = lastSpec.kind === "unary" ? lastSpec.outBytes ?? 8 : 8;
  const out = reduce ? undefined : plan.last ? hooks.allocResult(outBytes * n, position) : hooks.allocScratch(outBytes * n, position);
  const sourceBytes = plan.sourceBytes;
  const ptrs = values.map((v) => (isBuffer(v) ? v.ptr : -1));
  let acc = reduce === "min" ? Infinity : reduce === "max" ? -Infinity : 0;
  const steps = plan.steps;
  const count = reduce ? steps.length - 1 : steps.length;
  // each step's kernels, looked up once (not per tile)
  const kernelsOf = steps.map((step) =>
    step.spec.kind === "unary" ? [k[step.spec.kernel]!]
      : step.spec.kind === "binary" ? [k[`${step.spec.op}VV`]!, k[`${step.spec.op}VS`]!, k[`${step.spec.op}SV`]!]
        : [k[step.spec.kernel]!]);
  let off = 0;
  let scalar = 0;
  // an operand's address in the current tile, or -1 with its number in `scalar`
  const address = (o: Operand): number => {
    if ("reg" in o) return registers!.ptr + 8 * TILE * o.reg;
    const p = ptrs[o.slot]!;
    if (p < 0) {
      scalar = values[o.slot] as number;
      return -1;
    }
    return p + sourceBytes[o.slot]! * off;
  };
  // a lone reduction (a float32 source reduced directly) has no tiles to keep in cache: one call
  const tile = count === 0 ? Math.max(n, 1) : TILE;
  for (; off < n; off += tile) {
    const len = Math.min(tile, n - off);
    for (let s = 0; s < count; s++) {
      const step = steps[s]!;
      const fns = kernelsOf[s]!;
      const target = s === steps.length - 1 ? out!.ptr + outBytes * off : registers!.ptr + 8 * TILE * s;
      if (step.spec.kind === "unary") {
        fns[0]!(len, address(step.args[0]!), target);
      } else {
        const a = address(step.args[0]!);
        const sa = scalar;
        const b = address(step.args[1]!);
        const sb = scalar;
        if (a >= 0 && b >= 0) fns[0]!(len, a, b, target);
        else if (a >= 0) fns[1]!(len, a, sb, target);
        else fns[2]!(len, sa, b, target);
      }
    }
    if (reduce) {
      const part = kernelsOf[steps.length - 1]![0]!(len, address(last.args[0]!));
      if (reduce === "sum" || reduce === "sumSquares") acc += part;
      else if (Number.isNaN(part) || Number.isNaN(acc)) acc = NaN;
      else acc = reduce === "min" ? Math.min(acc, part) : Math.max(acc, part);
    }
  }
  return { value: reduce ? acc : out };
}
