/**
 * weft: a Dask-style task runtime with near-zero scheduling cost.
 *
 * The root entry is what a program uses: chunked arrays, the GLM estimators, preprocessing and
 * model selection, readers and writers, task graphs and plans, the Runtime, profiles, and the
 * errors they throw. Names are listed one by one, so that nothing becomes public by accident;
 * docs/api-report.md holds every signature, and a test fails when the two differ.
 *
 * Lower-level doors are entries of their own: `weftjs/graph` (the optimization passes and the
 * compiled plan's data), `weftjs/kernels` (the kernels by backend, their specs and overrides),
 * `weftjs/memory` (the shared WebAssembly memory and its allocations) and `weftjs/bench` (the
 * benchmarks). Everything else is internal.
 */

// errors
export { WeftError, ArgumentError, OutOfMemoryError, BackendUnavailableError } from "./errors.js";
export { GraphError } from "./graph/errors.js";
export { TaskError } from "./execute/index.js";
export { CancelledError, ResourceError, TimeoutError, WorkerCrashedError } from "./scheduler/index.js";
export { NeedsMainThreadError } from "./memory/index.js";
export { NonFiniteError } from "./glm/index.js";
export { CsvError, NpyError, ParquetError, StorageError } from "./io/index.js";
export { ArrowError, ArrowUnavailableError } from "./array/index.js";

export { VERSION } from "./version.js";

// arrays
export { array, ChunkedArray, MAX_CHUNKS } from "./array/index.js";
export type {
  ArrowTableLike,
  ChunksSpec,
  ComputeArrayOptions,
  ComputeIntoOptions,
  CreateOptions,
  DType,
  FromArrowOptions,
  Operand,
  RandomOptions,
  ReduceOptions,
  Shape,
  ToArrowOptions,
} from "./array/index.js";

// the runtime
export { Runtime, compute, getDefaultRuntime, PlanCache } from "./runtime/index.js";
export type {
  ComputeOptions,
  ExecutorName,
  PlanCacheLimits,
  PlanCacheStats,
  Profile,
  RunPlanOptions,
  RuntimeOptions,
} from "./runtime/index.js";
export type { OutputMode, Placement, PlacementFacts, ScheduleOptions } from "./scheduler/index.js";
export type { ResourceLimits } from "./platform/threads.js";
export type { MemoryOptions, MemoryStats } from "./memory/index.js";
export { BACKENDS } from "./kernels/index.js";
export type { BackendName, KernelName, KernelOverride, KernelOverrides } from "./kernels/index.js";

// task graphs and plans
export { key, keyName, keyIndex, formatKey, uniqueName, isKey, Ref, ref, task, taskWith, FUSED, isFused } from "./graph/index.js";
export type { Arg, FusedTask, Key, Task, TaskMap, TaskOptions } from "./graph/index.js";
export { Graph, GraphBuilder, Layer, TaskLayer, BlockwiseLayer, TreeReductionLayer, InputLayer } from "./graph/index.js";
export type { BlockwiseInput, ChunkBytes, TreeOptions } from "./graph/index.js";
export { OpRegistry, defaultOps, registerOp, registerKernelOps } from "./graph/index.js";
export { registerArrayOps } from "./array/index.js";
export type { BufferRef, OpDefinition, RegisterOptions, TaskContext, TileSpec } from "./graph/index.js";
export type { CompileOptions, FuseOptions, PlanStats } from "./graph/index.js";
export { Plan, compile } from "./execute/index.js";
export type { Bindings, RunOptions } from "./execute/index.js";

// profiles
export { summarize, renderTimeline, renderProfilePage, renderComparisonPage, sharedAxis, toTraceEvents } from "./profile/index.js";
export type {
  NamedTimeline,
  SharedAxis,
  TaskEvent,
  TimelineOptions,
  TimelineSummary,
  TraceEvent,
  TraceEventFile,
  TraceEventOptions,
} from "./profile/index.js";

// models
export { glm, LinearRegression, LogisticRegression, PoissonRegression } from "./glm/index.js";
export type {
  Classes,
  CurvaturePairs,
  EstimatorOptions,
  FamilyName,
  FitOptions,
  FitWarning,
  Label,
  LabelsLike,
  LabelsOf,
  MatrixLike,
  ModelJSON,
  RegularizerName,
  ScoreOptions,
  SolverName,
  SolverOptions,
  SolverResult,
  VectorLike,
} from "./glm/index.js";
export { StandardScaler, MinMaxScaler, PolynomialFeatures } from "./preprocessing/index.js";
export type { Transformer, TransformerJSON, TransformerKind } from "./preprocessing/index.js";
export {
  GridSearchCV,
  KFold,
  Pipeline,
  trainTestSplit,
  selectRows,
  SCORERS,
  accuracy,
  logLoss,
  meanSquaredError,
  r2,
  rocAuc,
} from "./model_selection/index.js";
export type { CvResult, Estimator, Fold, GridSearchOptions, Step } from "./model_selection/index.js";
export type {
  PipelineJSON,
  SearchCluster,
  SearchJob,
  SearchProgress,
  ModelSpec,
  StepSpec,
  SearchTask,
  ScorerName,
  SearchTaskResult,
} from "./model_selection/index.js";
export type { LogLossOptions, MetricOptions } from "./model_selection/index.js";

// data in and out
export {
  readCsv,
  readNpy,
  readNpyHeader,
  readNpyValues,
  readParquet,
  readArrowIpc,
  readTable,
  writeCsv,
  writeNpy,
  openSource,
  registerStorage,
} from "./io/index.js";
export type { ArrowIpcOptions, CsvOptions, DataLocation, NpyHeader, Source, StorageOptions, Table, TableOptions } from "./io/index.js";

// synthetic data (docs/specs/synthetic-data.md)
export { DEFAULT_SEED, logisticBeta, logisticProblemChunk } from "./random/index.js";
export type { ProblemShape } from "./random/index.js";
