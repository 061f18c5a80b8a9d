/** Model selection: pipelines, grid search that shares work, splitting rows, and scoring. */
export { KFold, trainTestSplit, selectRows, permutation, seededRandom } from "./split.js";
export type { Fold } from "./split.js";
export { accuracy, logLoss, rocAuc, r2, meanSquaredError } from "../metrics/index.js";
export type { LogLossOptions, MetricOptions } from "../metrics/index.js";
export { SCORERS } from "./scoring.js";
export { Pipeline } from "./pipeline.js";
export type { Estimator, Step } from "./pipeline.js";
export { GridSearchCV } from "./grid-search.js";
export type { GridSearchOptions, CvResult } from "./grid-search.js";
export type { PipelineJSON } from "./pipeline.js";
export type { SearchCluster, SearchJob, SearchProgress } from "./distributed.js";
export type { ModelSpec, StepSpec } from "./model-spec.js";
export type { SearchTask } from "./search-plan.js";
export type { ScorerName, SearchTaskResult } from "./search-task.js";
