/**
 * Task graphs: keys, tasks, layers with structural sharing, the optimization passes (each a
 * pure function from task map to task map), and compiling a graph into the data of a plan
 * (src/execute runs it).
 */
export { key, keyName, keyIndex, formatKey, uniqueName, isKey } from "./keys.js";
export type { Key } from "./keys.js";
export { Ref, ref, task, taskWith, resourcesOf, FUSED, isFused, taskDependencies, stepsOf, forEachRef } from "./task.js";
export type { Task, FusedTask, Arg, TaskOptions } from "./task.js";
export { Layer, TaskLayer, BlockwiseLayer, TreeReductionLayer, InputLayer, layerCount } from "./layers.js";
export type { BlockwiseInput, ChunkBytes, TreeOptions } from "./layers.js";
export { ChunkTable, chunkTable } from "./tables.js";
export { Graph, layerTasks } from "./graph.js";
export { fuseBlockwise, FusedBlockwiseLayer } from "./blockwise.js";
export type { BlockwiseFusionOptions } from "./blockwise.js";
export type { TaskMap } from "./graph.js";
export { GraphError } from "./errors.js";
export { analyze } from "./analyze.js";
export type { Dependencies } from "./analyze.js";
export { cull } from "./cull.js";
export { fuse, fuseLinear, DEFAULT_FUSE_OPTIONS } from "./fuse.js";
export type { FuseOptions } from "./fuse.js";
export { order } from "./order.js";
export { inlineConstants } from "./inline.js";
export { OpRegistry, defaultOps, registerOp, CONST, IDENTITY, INPUT } from "./ops.js";
export type { OpDefinition, RegisterOptions, TaskContext, TileSpec } from "./ops.js";
export { compilePlan } from "./compile.js";
export type { CompileOptions } from "./compile.js";
export type { CompiledPlan, ExecGroup, ExecProgram, ExecProgramArg, KeyNames, KeyOrigin, PlanStats } from "./compiled.js";
export { GraphBuilder } from "./builder.js";
export { registerKernelOps } from "./kernel-ops.js";
export type { BufferRef } from "./kernel-ops.js";
