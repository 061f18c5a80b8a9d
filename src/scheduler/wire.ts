/**
 * Plans as workers receive them: plain, cloneable data sent once per plan per worker, never per
 * run. References become tagged objects, buffers their address and size, ops their names (a
 * worker resolves them in its own registry, importing the modules ops were registered with).
 * A task that cannot travel (an op without a module, an argument that cannot be cloned) is
 * left out: it runs on the main thread.
 */
import type { ExecProgram, ExecProgramArg, ExecStep, ExecTask } from "../graph/execute.js";
import { StepRef } from "../graph/execute.js";
import type { Key } from "../graph/keys.js";
import type { OpDefinition } from "../graph/ops.js";
import type { PlanLayout } from "../graph/plan.js";
import { Ref } from "../graph/task.js";
import { BufferViews } from "../memory/shared-memory.js";

/** How an op reaches a worker: already there, or in a module to import. */
export interface WireOp {
  name: string;
  module: string | undefined;
  exportName: string | undefined;
  context: boolean;
}

export interface WireStep {
  op: number; // index into WirePlan.ops
  args: unknown[];
}

export interface WireProgram {
  steps: { op: number; args: ExecProgramArg[] }[];
}

/** A task: its own steps, or chunk inputs for a shared program. Null: runs on the main thread. */
export type WireTask = { steps: WireStep[] } | { program: number; inputs: Key[] } | null;

export interface WirePlan {
  keys: Key[];
  tasks: WireTask[];
  programs: WireProgram[];
  ops: WireOp[];
}

/** Tags of encoded values (a plain object with this field never comes from user data by accident). */
const TAG = "__weft";

class NotPortable extends Error {}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** An argument in cloneable form; throws NotPortable for what cannot travel. */
export function encodeArg(a: unknown): unknown {
  if (a === null || typeof a !== "object") {
    if (typeof a === "function" || typeof a === "symbol") throw new NotPortable();
    return a;
  }
  if (a instanceof Ref) return { [TAG]: "ref", key: a.key };
  if (a instanceof StepRef) return { [TAG]: "step", step: a.step };
  if (a instanceof BufferViews) return { [TAG]: "buffer", ptr: a.ptr, bytes: a.bytes };
  if (Array.isArray(a)) return a.map(encodeArg);
  if (ArrayBuffer.isView(a) || a instanceof ArrayBuffer || a instanceof Date || a instanceof RegExp) return a;
  if (a instanceof Map || a instanceof Set) return a; // cloned as is; refs inside are not dependencies
  if (isPlainObject(a)) {
    if (TAG in a) throw new NotPortable();
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(a)) out[k] = encodeArg(v);
    return out;
  }
  throw new NotPortable(); // class instances lose their prototype in a clone
}

/** The reverse of encodeArg, on a worker: `buffer` makes a view of the shared memory. */
export function decodeArg(a: unknown, buffer: (ptr: number, bytes: number) => unknown): unknown {
  if (a === null || typeof a !== "object") return a;
  if (Array.isArray(a)) return a.map((x) => decodeArg(x, buffer));
  if (ArrayBuffer.isView(a) || a instanceof ArrayBuffer || a instanceof Date || a instanceof RegExp || a instanceof Map || a instanceof Set) return a;
  const tagged = a as Record<string, unknown>;
  switch (tagged[TAG]) {
    case "ref":
      return new Ref(tagged.key as Key);
    case "step":
      return new StepRef(tagged.step as number);
    case "buffer":
      return buffer(tagged.ptr as number, tagged.bytes as number);
    default: {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(tagged)) out[k] = decodeArg(v, buffer);
      return out;
    }
  }
}

/**
 * Encodes a plan's tasks. `mainOnly[i]` is set for every task left out (and may already be
 * set by the executor for tasks known to need the main thread).
 */
export function encodePlan(layout: PlanLayout, mainOnly: Uint8Array): WirePlan {
  const ops: WireOp[] = [];
  const opIndex = new Map<OpDefinition, number>();
  const portableOp = (op: OpDefinition): number => {
    let i = opIndex.get(op);
    if (i !== undefined) return i;
    if (!op.onEveryWorker && op.module === undefined) i = -1;
    else i = ops.push({ name: op.name, module: op.onEveryWorker ? undefined : op.module, exportName: op.exportName, context: op.context }) - 1;
    opIndex.set(op, i);
    return i;
  };
  const programs: WireProgram[] = [];
  const programIndex = new Map<ExecProgram, number>();
  const encodeProgram = (p: ExecProgram): number => {
    let i = programIndex.get(p);
    if (i !== undefined) return i;
    try {
      const steps = p.steps.map((s) => {
        const op = portableOp(s.op);
        if (op < 0) throw new NotPortable();
        return { op, args: s.args.map((a): ExecProgramArg => (a.kind === "literal" ? { kind: "literal", value: encodeArg(a.value) } : a)) };
      });
      i = programs.push({ steps }) - 1;
    } catch (error) {
      if (!(error instanceof NotPortable)) throw error;
      i = -1;
    }
    programIndex.set(p, i);
    return i;
  };
  const encodeSteps = (steps: readonly ExecStep[]): WireStep[] =>
    steps.map((s) => {
      const op = portableOp(s.op);
      if (op < 0) throw new NotPortable();
      return { op, args: s.args.map(encodeArg) };
    });
  const tasks = layout.tasks.map((t: ExecTask, i): WireTask => {
    if (mainOnly[i]) return null;
    try {
      if (t.program) {
        const program = encodeProgram(t.program);
        if (program < 0) throw new NotPortable();
        return { program, inputs: [...t.inputs] };
      }
      return { steps: encodeSteps(t.steps!) };
    } catch (error) {
      if (!(error instanceof NotPortable)) throw error;
      mainOnly[i] = 1;
      return null;
    }
  });
  return { keys: [...layout.keys], tasks, programs, ops };
}
