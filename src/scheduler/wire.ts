/**
 * Plans as workers receive them: plain, cloneable data sent once per plan per worker, never per
 * run: the groups' programs (ops by name, literals encoded: buffers as their address and size,
 * a worker resolving ops in its own registry, importing the modules they were registered with)
 * and the per-task typed arrays. A group whose program cannot travel (an op without a module,
 * an argument that cannot be cloned) is left out: its tasks run on the main thread.
 */
import type { CompiledPlan, ExecProgram, ExecProgramArg } from "../graph/compiled.js";
import { InputHole, StepHole } from "../graph/compiled.js";
import type { OpDefinition } from "../graph/ops.js";
import { Ref } from "../graph/task.js";
import { BufferViews } from "../memory/shared-memory.js";

/** How an op reaches a worker: already there, or in a module to import. */
export interface WireOp {
  name: string;
  module: string | undefined;
  exportName: string | undefined;
  context: boolean;
  /** weft's own op (see OpDefinition.own). */
  own: boolean;
}

export interface WireProgram {
  steps: { op: number; args: ExecProgramArg[] }[];
}

/** A plan for workers: programs by group (null: runs on the main thread) and the tasks' typed arrays. */
export interface WirePlan {
  groups: (WireProgram | null)[];
  ops: WireOp[];
  taskGroup: Int32Array;
  taskChunk: Int32Array;
  depStart: Int32Array;
  depList: Int32Array;
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
  if (a instanceof InputHole) return { [TAG]: "input", index: a.index };
  if (a instanceof StepHole) return { [TAG]: "step", step: a.step };
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
  if (ArrayBuffer.isView(a) || a instanceof ArrayBuffer || a instanceof Date || a instanceof RegExp || a instanceof Map || a instanceof Set)
    return a;
  const tagged = a as Record<string, unknown>;
  switch (tagged[TAG]) {
    case "ref":
      return new Ref(tagged.key as number);
    case "input":
      return new InputHole(tagged.index as number);
    case "step":
      return new StepHole(tagged.step as number);
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
 * Encodes a plan. `mainOnly[i]` is set for every task of a group left out (and may already be
 * set by the executor for tasks known to need the main thread).
 */
export function encodePlan(plan: CompiledPlan, mainOnly: Uint8Array): WirePlan {
  const ops: WireOp[] = [];
  const opIndex = new Map<OpDefinition, number>();
  const portableOp = (op: OpDefinition): number => {
    let i = opIndex.get(op);
    if (i !== undefined) return i;
    if (!op.onEveryWorker && op.module === undefined) i = -1;
    else
      i =
        ops.push({
          name: op.name,
          module: op.onEveryWorker ? undefined : op.module,
          exportName: op.exportName,
          context: op.context,
          own: op.own,
        }) - 1;
    opIndex.set(op, i);
    return i;
  };
  const encodeProgram = (p: ExecProgram): WireProgram | null => {
    try {
      const steps = p.steps.map((s) => {
        const op = portableOp(s.op);
        if (op < 0) throw new NotPortable();
        return {
          op,
          args: s.args.map(
            (a): ExecProgramArg =>
              a.kind === "literal"
                ? { kind: "literal", value: encodeArg(a.value) }
                : a.kind === "nested"
                  ? { kind: "nested", value: encodeArg(a.value) }
                  : a,
          ),
        };
      });
      return { steps };
    } catch (error) {
      if (!(error instanceof NotPortable)) throw error;
      return null;
    }
  };
  const groups = plan.groups.map((g) => encodeProgram(g.program));
  const { taskGroup } = plan;
  for (let i = 0; i < taskGroup.length; i++) if (groups[taskGroup[i]!] === null) mainOnly[i] = 1;
  return { groups, ops, taskGroup, taskChunk: plan.taskChunk, depStart: plan.depStart, depList: plan.depList };
}
