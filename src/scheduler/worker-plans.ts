/**
 * Plans as a worker knows them: each group's program decoded on first use (its literal buffers
 * located in the shared memory), and its ops resolved on the worker, weft's own from the
 * worker's registry and a program's by importing the module it was registered with.
 */
import type { ExecProgram, ExecProgramArg } from "../graph/compiled.js";
import type { OpDefinition, OpRegistry } from "../graph/ops.js";
import type { RunnablePlan } from "../execute/runner.js";
import { SharedBuffer, type BufferViews, type SharedMemory } from "../memory/shared-memory.js";
import { importableUrl } from "../platform/code.js";
import { decodeArg, type WirePlan, type WireProgram } from "./wire.js";

/** A group of a plan as this worker knows it: its program, decoded on first use, and the buffers its literals name. */
export class WorkerGroup {
  private decoded: ExecProgram | undefined;
  /** Buffers the program's own arguments name: kernels may touch them. */
  readonly constants: BufferViews[] = [];
  /** Names of the program's ops that are a program's own (not weft's): code that may leave timers behind. */
  private foreign: string[] | undefined;

  constructor(
    private readonly owner: WorkerPlan,
    private readonly wire: WireProgram | null,
  ) {}

  get program(): ExecProgram {
    if (this.decoded) return this.decoded;
    if (!this.wire) throw new Error("a task of a group that runs on the main thread reached a worker (protocol error)");
    const collect = (p: number, b: number) => {
      const view = new SharedBuffer(this.owner.memory, p, b);
      this.constants.push(view);
      return view;
    };
    this.decoded = {
      steps: this.wire.steps.map((s) => ({
        op: this.owner.ops[s.op]!,
        args: s.args.map(
          (a): ExecProgramArg =>
            a.kind === "literal"
              ? { kind: "literal", value: decodeArg(a.value, collect) }
              : a.kind === "nested"
                ? { kind: "nested", value: decodeArg(a.value, collect) }
                : a,
        ),
      })),
    };
    return this.decoded;
  }

  get foreignOps(): string[] {
    this.foreign ??= [...new Set(this.program.steps.filter((s) => !s.op.own).map((s) => s.op.name))];
    return this.foreign;
  }
}

/** A plan as this worker knows it: ops resolved (modules imported), groups decoded on first use. */
export class WorkerPlan implements RunnablePlan {
  readonly groups: WorkerGroup[];
  readonly taskGroup: Int32Array;
  readonly taskChunk: Int32Array;
  readonly depStart: Int32Array;
  readonly depList: Int32Array;
  ops: OpDefinition[] = [];
  loading: Promise<void> | undefined;

  constructor(
    readonly wire: WirePlan,
    readonly memory: SharedMemory,
    private readonly resolver: OpResolver,
  ) {
    this.groups = wire.groups.map((g) => new WorkerGroup(this, g));
    this.taskGroup = wire.taskGroup;
    this.taskChunk = wire.taskChunk;
    this.depStart = wire.depStart;
    this.depList = wire.depList;
    this.loading = this.resolveOps().then(() => {
      this.loading = undefined;
    });
  }

  private async resolveOps(): Promise<void> {
    this.ops = await Promise.all(
      this.wire.ops.map((op) => this.resolver.resolve(op.name, op.module, op.exportName ?? op.name, op.context, op.own)),
    );
  }
}

/** Finds ops on this worker: weft's own, or the named exports of the modules they were registered with. */
export class OpResolver {
  /** Each module imported once (with its registerWeftOps run once). */
  private readonly modules = new Map<string, Promise<Record<string, unknown>>>();

  constructor(private readonly registry: OpRegistry) {}

  /** The op `name`: from the registry, or the export `exportName` of `module`; one that fails when run if neither has it. */
  async resolve(name: string, module: string | undefined, exportName: string, context: boolean, own: boolean): Promise<OpDefinition> {
    const failing = (message: string, cause?: unknown): OpDefinition => ({
      name,
      module,
      exportName,
      context,
      onEveryWorker: false,
      own: false,
      run: () => {
        throw new Error(message, { cause });
      },
    });
    if (module === undefined) return this.registry.get(name) ?? failing(`op '${name}' is not available on worker threads`);
    // weft's own ops registered here from the same module (a browser's worker bundle holds them):
    // no import. Same name is not enough: a kernel op and a program's op may share one.
    const registered = own ? this.registry.get(name) : undefined;
    if (registered?.own && registered.module === module) return registered;
    const url = importableUrl(module);
    let loaded = this.modules.get(url);
    if (!loaded) {
      loaded = import(url).then(async (m: Record<string, unknown>) => {
        if (typeof m.registerWeftOps === "function") await (m.registerWeftOps as (r: OpRegistry) => unknown)(this.registry);
        return m;
      });
      this.modules.set(url, loaded);
    }
    let exports: Record<string, unknown>;
    try {
      exports = await loaded;
    } catch (cause) {
      return failing(
        `op '${name}': its module ${module} failed to load on a worker: ${cause instanceof Error ? cause.message : String(cause)}`,
        cause,
      );
    }
    const fn = exports[exportName];
    if (typeof fn === "function") {
      return {
        name,
        module,
        exportName,
        context,
        onEveryWorker: false,
        own,
        run: context
          ? (args, ctx) => (fn as (...a: unknown[]) => unknown)(ctx, ...args)
          : (args) => (fn as (...a: unknown[]) => unknown)(...args),
      };
    }
    return (
      this.registry.get(name) ??
      failing(`op '${name}': module ${module} neither exports a function '${exportName}' nor registers '${name}' in registerWeftOps`)
    );
  }
}
