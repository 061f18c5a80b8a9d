/**
 * Operations: what a task's `op` names. An op is registered once by name with a JS function;
 * plain functions get the task's arguments, context-aware ones also get a TaskContext (the
 * kernels and the memory, for ops that call kernels on shared buffers). Workers will load ops
 * from the module named at registration (see the scheduler); in this thread the function runs.
 */
import { ArgumentError } from "../errors.js";
import { checkBoolean, checkOptions, checkString } from "../validate.js";
import type { Kernels } from "../kernels/index.js";
import type { BufferViews } from "../memory/index.js";
import type { Key } from "./keys.js";

/**
 * What an op that asks for it (`context: true`) receives first: the kernels, the shared memory, and
 * an allocator for its result and scratch.
 */
export interface TaskContext {
  /** Key of the task (or fused step) being run. */
  readonly key: Key;
  /** The runtime's kernels, when the plan runs with one. */
  readonly kernels: Kernels | undefined;
  /**
   * A buffer for this step's result in the shared memory: a heap Allocation when the result
   * leaves the task, scratch space (valid until the fused task ends) when it is an
   * intermediate of a fused task. Needs the plan to run with kernels. On a worker thread the
   * result buffer is the one the scheduler allocated from the task's declared `bytes`.
   */
  alloc(bytes: number): BufferViews;
  /**
   * Scratch space for temporaries of the op (any step), valid until the task ends: on a worker,
   * part of its scratch block. Do not return it (copy into an `alloc` buffer).
   */
  scratch(bytes: number): BufferViews;
}

/** A registered op: its function and where workers find it (a module and an export name). */
export interface OpDefinition {
  readonly name: string;
  readonly run: (args: unknown[], context: TaskContext) => unknown;
  /** Module a worker thread imports to find this op (its export named like the op). */
  readonly module: string | undefined;
  /** The module's export that is this op's function (default: the op's name). */
  readonly exportName: string | undefined;
  /** Whether run() passes a TaskContext first (a worker registers the imported function alike). */
  readonly context: boolean;
  /** Every worker has this op already (weft's own ops): no module to import. */
  readonly onEveryWorker: boolean;
  /**
   * weft's own op (short, returns): it may run on the calling thread. A program's ops run only on
   * workers unless the run allows the calling thread (`inline: true`), so that a task that never
   * returns can be interrupted (its worker replaced) and the calling thread stays free.
   */
  readonly own: boolean;
  /** For elementwise kernel ops: how to run the op on a tile (see src/execute/tiles.ts). */
  readonly tile?: TileSpec;
}

/**
 * An op that can run tile by tile inside a fused task: a unary kernel, a binary kernel (its
 * VV/VS/SV forms), or a reduction (only as a task's last step).
 */
export type TileSpec =
  | {
      readonly kind: "unary";
      readonly kernel: string;
      /** Bytes per value read (4: float32 storage, widened) and written (4: narrowed); default 8. */
      readonly inBytes?: 4;
      readonly outBytes?: 4;
    }
  | { readonly kind: "binary"; readonly op: string }
  | {
      readonly kind: "reduce";
      /** The F32 forms read float32 values (inBytes 4): a widened float32 source reduced directly. */
      readonly kernel: "sum" | "sumSquares" | "min" | "max" | "sumF32" | "sumSquaresF32" | "minF32" | "maxF32";
      readonly inBytes?: 4;
    };

/**
 * Options of `registerOp`: whether the op receives the task context, the module workers import it
 * from, and its tiling for fused execution.
 */
export interface RegisterOptions {
  /** Pass the TaskContext as the first argument. */
  context?: boolean;
  /**
   * A module URL (file:// or a path) that exports the function under the op's name, or a
   * function `registerWeftOps(registry)` that registers it: how worker threads find the op.
   * Without one, tasks of this op run on the main thread.
   */
  module?: string;
  /** The export of `module` that is the op's function, when not named like the op. */
  exportName?: string;
  /** @internal weft's own ops, which every worker registers at start. */
  onEveryWorker?: boolean;
  /** @internal weft's own ops in a module (array and GLM ops): they may run on the calling thread. */
  own?: boolean;
  /** @internal kernel ops that fused tasks may run tile by tile. */
  tile?: TileSpec;
}

// Built-in ops that the passes and plans rely on.
/** The op `const(value)`: returns its argument. */
export const CONST = "const"; // const(value) -> value
/** The op `identity(x)`: returns the value of its input. */
export const IDENTITY = "identity"; // identity(x) -> x
/** The op of a plan input: a placeholder whose value the plan's bindings supply at each run. */
export const INPUT = "input"; // a placeholder whose value a plan's binding supplies

/** The keys of RegisterOptions (an unknown one, a misspelt `contxt`, is refused, not ignored). */
const REGISTER_OPTIONS = ["context", "module", "exportName", "onEveryWorker", "own", "tile"] as const;

/**
 * Ops by name: the functions tasks run. `registerOp` adds to the default registry; a registry per
 * runtime or benchmark keeps names apart.
 *
 * weft's own ops (the kernels', the arrays', the GLMs': registered `own` or `onEveryWorker`) cannot
 * be replaced by a program's registration: it is refused (ArgumentError naming `name`), with no
 * option to force it: replacing `sum` would silently change every array's sum (and a replacement
 * without a module would also pin every array's reductions to the calling thread). A program
 * names its own ops differently (a prefix of its own: `myproj.sum`). We chose a refusal over a namespace
 * for weft's ops because a task's op is a plain string in the graph: with two `sum`s, which one a
 * task meant would depend on registration order, and a graph could not be read on its own.
 * Re-registering a program's own op replaces it (a notebook re-running a cell should not fail).
 */
export class OpRegistry {
  private readonly ops = new Map<string, OpDefinition>();

  constructor(builtins = true) {
    if (builtins) {
      const everywhere = { onEveryWorker: true };
      this.register(CONST, (value: unknown) => value, everywhere);
      this.register(IDENTITY, (value: unknown) => value, everywhere);
      this.register(
        INPUT,
        () => {
          throw new ArgumentError("bindings", "a value for every input of the plan", "none for this input");
        },
        everywhere,
      );
    }
  }

  /**
   * Registers `fn` under `name`. Registering a program's op again replaces it (a notebook
   * re-running a cell should not fail); weft's own ops (the built-ins const, identity and input,
   * the kernels', arrays' and GLMs' ops) cannot be replaced: see the class comment.
   */
  // biome-ignore lint/suspicious/noExplicitAny: an op takes whatever arguments it declares; unknown[] would refuse typed functions
  register(name: string, fn: (...args: any[]) => unknown, options: RegisterOptions = {}): void {
    if (typeof name !== "string" || name.length === 0) throw new ArgumentError("name", "a non-empty string", name, "registerOp");
    const where = `registerOp ${name}`;
    if (typeof fn !== "function") throw new ArgumentError("fn", "a function", fn, where);
    options = checkRegisterOptions(options, where);
    const existing = this.ops.get(name);
    if (existing && [CONST, IDENTITY, INPUT].includes(name)) {
      throw new ArgumentError("name", "a name that is not a built-in op (const, identity, input)", name, "registerOp");
    }
    // weft re-registering its own (a worker's registry, registerArrayOps called again) is fine
    if (existing?.own && options.own !== true && options.onEveryWorker !== true) {
      throw new ArgumentError(
        "name",
        "a name that is not one of weft's own ops (they cannot be replaced: name yours differently)",
        name,
        "registerOp",
      );
    }
    const run = options.context ? (args: unknown[], context: TaskContext) => fn(context, ...args) : (args: unknown[]) => fn(...args);
    this.ops.set(name, {
      name,
      run,
      module: options.module,
      exportName: options.exportName,
      context: options.context === true,
      onEveryWorker: options.onEveryWorker === true,
      own: options.own === true || options.onEveryWorker === true,
      ...(options.tile ? { tile: options.tile } : {}),
    });
  }

  get(name: string): OpDefinition | undefined {
    return this.ops.get(name);
  }

  has(name: string): boolean {
    return this.ops.has(name);
  }

  names(): string[] {
    return [...this.ops.keys()];
  }
}

/** registerOp's options, whole: known keys, each of its type (the internal ones too: a wrong one misleads workers). */
function checkRegisterOptions(options: RegisterOptions | undefined, where: string): RegisterOptions {
  const o = checkOptions(options, where, REGISTER_OPTIONS);
  checkBoolean(o.context, "context", where);
  if (o.module !== undefined && (typeof o.module !== "string" || o.module.length === 0)) {
    throw new ArgumentError("module", "a module URL or path (a non-empty string)", o.module, where);
  }
  checkString(o.exportName, "exportName", where);
  checkBoolean(o.onEveryWorker, "onEveryWorker", where);
  checkBoolean(o.own, "own", where);
  if (o.tile !== undefined && (typeof o.tile !== "object" || o.tile === null))
    throw new ArgumentError("tile", "a tile spec ({ kind, ... })", o.tile, where);
  return o;
}

/** The registry compile() uses unless given another. */
export const defaultOps = new OpRegistry();

/**
 * Registers an op in the default registry. A name of weft's own ops (`sum`, `add`, `exp`, ...,
 * see OpRegistry) is refused with an ArgumentError naming `name`: choose another name.
 */
// biome-ignore lint/suspicious/noExplicitAny: as OpRegistry.register
export function registerOp(name: string, fn: (...args: any[]) => unknown, options?: RegisterOptions): void {
  defaultOps.register(name, fn, options);
}
