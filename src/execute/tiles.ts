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
import { StepHole, type ExecProgram, type ExecProgramArg } from "../graph/compiled.js";
import { argValue, type RunnablePlan, type RunnerHooks } from "./runner.js";
import type { TileSpec } from "../graph/ops.js";

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
      else if (a.kind === "chunk")
        operand = slot(`n${sources.length}`, { arg: a }); // a number per chunk
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
  if (
    steps.length === 2 &&
    first!.spec.kind === "unary" &&
    first!.spec.kernel === "widenF32" &&
    "slot" in first!.args[0]! &&
    second!.spec.kind === "reduce" &&
    "reg" in second!.args[0]!
  ) {
    const kernel = `${second!.spec.kernel}F32` as "sumF32" | "sumSquaresF32" | "minF32" | "maxF32";
    steps.splice(0, 2, { spec: { kind: "reduce", kernel, inBytes: 4 }, args: [first!.args[0]!] });
  }
  const readAs = new Map<number, number>();
  for (const step of steps) {
    const inBytes = step.spec.kind === "binary" ? 8 : (step.spec.inBytes ?? 8);
    for (const a of step.args) {
      if (!("slot" in a)) continue;
      if ((readAs.get(a.slot) ?? inBytes) !== inBytes) return null; // read both ways: run the steps as usual
      readAs.set(a.slot, inBytes);
    }
  }
  const sourceBytes = sources.map((_, i) => readAs.get(i) ?? 8);
  return { start, end, last: end === n - 1, steps, sources, sourceBytes, registers: steps.length - 1 };
}

const isBuffer = (v: unknown): v is BufferViews =>
  typeof v === "object" && v !== null && typeof (v as BufferViews).ptr === "number" && typeof (v as BufferViews).bytes === "number";

/** What runTiles returns when the operands do not line up (the caller then runs the steps as usual). */
export const UNTILED: unique symbol = Symbol("untiled");

/** A tile plan made ready to run: operands as numbers, kernel names, scratch arrays. */
interface Prepared {
  /** Per step: kind (0 unary, 1 binary, 2 reduce), operands (slot >= 0, register r as -1 - r), kernel names (VV, VS, SV for binary ops). */
  readonly kinds: Int32Array;
  readonly operands: Int32Array;
  readonly names: string[][];
  /** The kernels of `names`, looked up again at every run (kernels.override() replaces them in place). */
  readonly fns: ((...args: number[]) => number)[][];
  /** The reduction's kind, when the last step reduces: 1 sum, 2 min, 3 max. */
  readonly reduce: number;
  readonly values: unknown[];
  readonly ptrs: Float64Array;
}

const prepared = new WeakMap<TilePlan, Prepared>();

function prepare(plan: TilePlan, raw: KernelTable): Prepared {
  const k = raw as unknown as Record<string, (...args: number[]) => number>;
  const known = prepared.get(plan);
  if (known) {
    // this thread's current kernels (an override since the last run must be the one called)
    for (let s = 0; s < known.names.length; s++)
      for (let i = 0; i < known.names[s]!.length; i++) known.fns[s]![i] = k[known.names[s]![i]!]!;
    return known;
  }
  const steps = plan.steps;
  const kinds = new Int32Array(steps.length);
  const operands = new Int32Array(2 * steps.length).fill(0);
  const names = steps.map((step, s) => {
    step.args.forEach((o, i) => {
      operands[2 * s + i] = "reg" in o ? -1 - o.reg : o.slot;
    });
    const spec = step.spec;
    kinds[s] = spec.kind === "unary" ? 0 : spec.kind === "binary" ? 1 : 2;
    return spec.kind === "binary" ? [`${spec.op}VV`, `${spec.op}VS`, `${spec.op}SV`] : [spec.kernel as string];
  });
  const fns = names.map((list) => list.map((name) => k[name]!));
  const last = steps[steps.length - 1]!.spec;
  const kind = last.kind === "reduce" ? last.kernel.replace(/F32$/, "") : undefined;
  const reduce = kind === "sum" || kind === "sumSquares" ? 1 : kind === "min" ? 2 : kind === "max" ? 3 : 0;
  const p: Prepared = {
    kinds,
    operands,
    names,
    fns,
    reduce,
    values: new Array(plan.sources.length),
    ptrs: new Float64Array(plan.sources.length),
  };
  prepared.set(plan, p);
  return p;
}

/**
 * Runs the tiled steps of the task at `position`. `results` holds the earlier steps' results;
 * returns the value of the run's last step, or UNTILED (having done nothing) when the operands
 * do not line up, so the caller runs the steps instead.
 */
export function runTiles(
  exec: RunnablePlan,
  position: number,
  plan: TilePlan,
  results: readonly unknown[],
  valueAt: (p: number) => unknown,
  hooks: RunnerHooks,
): unknown {
  const prep = prepare(plan, hooks.kernels!.raw);
  const { values, ptrs, kinds, operands, fns, reduce } = prep;
  const sources = plan.sources,
    sourceBytes = plan.sourceBytes;
  let n = -1;
  for (let i = 0; i < sources.length; i++) {
    const src = sources[i]!;
    const v = "step" in src ? results[src.step] : argValue(src.arg, exec, position, results, valueAt);
    values[i] = v;
    if (typeof v === "number") {
      ptrs[i] = -1;
      continue;
    }
    if (!isBuffer(v)) return UNTILED;
    ptrs[i] = v.ptr;
    const len = v.bytes / sourceBytes[i]!;
    if (n >= 0 && len !== n) return UNTILED;
    n = len;
  }
  if (n < 0) return UNTILED; // numbers only: nothing to stream
  const steps = kinds.length;
  for (let s = 0; s < steps; s++) {
    const a = operands[2 * s]!,
      b = operands[2 * s + 1]!;
    const streams = a < 0 || ptrs[a]! >= 0 || (kinds[s] === 1 && (b < 0 || ptrs[b]! >= 0));
    if (!streams) return UNTILED; // an op on numbers alone: not an expression over the chunk
  }
  if (n === 0 && (reduce === 2 || reduce === 3)) return UNTILED; // the kernel op says what the empty case is
  const registersAt = plan.registers > 0 ? hooks.allocScratch(8 * TILE * plan.registers, position).ptr : 0;
  const lastSpec = plan.steps[steps - 1]!.spec;
  const outBytes = lastSpec.kind === "unary" ? (lastSpec.outBytes ?? 8) : 8;
  const out = reduce ? undefined : plan.last ? hooks.allocResult(outBytes * n, position) : hooks.allocScratch(outBytes * n, position);
  const outAt = out ? out.ptr : 0;
  let acc = reduce === 2 ? Infinity : reduce === 3 ? -Infinity : 0;
  const count = reduce ? steps - 1 : steps;
  // a lone reduction (a float32 source reduced directly) has no tiles to keep in cache: one call
  const tile = count === 0 ? Math.max(n, 1) : TILE;
  for (let off = 0; off < n; off += tile) {
    const len = Math.min(tile, n - off);
    for (let s = 0; s < count; s++) {
      const target = s === steps - 1 ? outAt + outBytes * off : registersAt + 8 * TILE * s;
      const oa = operands[2 * s]!;
      // an operand's address in this tile, or -1 for a number (then in `values`)
      const a = oa < 0 ? registersAt + 8 * TILE * (-1 - oa) : ptrs[oa]! < 0 ? -1 : ptrs[oa]! + sourceBytes[oa]! * off;
      const f = fns[s]!;
      if (kinds[s] === 0) {
        f[0]!(len, a, target);
        continue;
      }
      const ob = operands[2 * s + 1]!;
      const b = ob < 0 ? registersAt + 8 * TILE * (-1 - ob) : ptrs[ob]! < 0 ? -1 : ptrs[ob]! + sourceBytes[ob]! * off;
      if (a >= 0 && b >= 0) f[0]!(len, a, b, target);
      else if (a >= 0) f[1]!(len, a, values[ob] as number, target);
      else f[2]!(len, values[oa] as number, b, target);
    }
    if (reduce) {
      const o = operands[2 * count]!;
      const at = o < 0 ? registersAt + 8 * TILE * (-1 - o) : ptrs[o]! + sourceBytes[o]! * off;
      const part = fns[count]![0]!(len, at);
      if (reduce === 1) acc += part;
      else if (Number.isNaN(part) || Number.isNaN(acc)) acc = NaN;
      else acc = reduce === 2 ? Math.min(acc, part) : Math.max(acc, part);
    }
  }
  values.fill(undefined); // holds no buffer past the task
  return reduce ? acc : out;
}
