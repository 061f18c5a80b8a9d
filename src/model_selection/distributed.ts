/**
 * The door through which a grid search runs on a cluster (weftjs/cluster's Cluster): the search,
 * described in plain JSON (the model's spec, the candidates, the folds, the tasks of
 * search-plan.ts), and a cluster that runs its tasks where the data's rows are read and returns
 * each task's scores. GridSearchCV knows nothing of how; the cluster knows nothing of models
 * beyond running search-task.ts on what it is sent.
 */
import type { DistributedData } from "../glm/distributed.js";
import type { ModelJSON } from "../glm/saved-model.js";
import type { ModelSpec } from "./model-spec.js";
import type { PipelineJSON } from "./pipeline.js";
import type { SearchTask } from "./search-plan.js";
import type { ScorerName, SearchTaskResult } from "./search-task.js";

/** A grid search as another process runs it. */
export interface SearchJob {
  /** The searched model, unfitted. */
  estimator: ModelSpec;
  /** Every candidate's parameters (search-plan.ts's order). */
  candidates: Record<string, unknown>[];
  scoring: ScorerName;
  /** KFold's settings: the folds are made where the rows are (the same rows give the same folds). */
  cv: { nSplits: number; shuffle: boolean; seed: number };
  tasks: SearchTask[];
}

/** Where a search's work stands: tasks done of all. */
export interface SearchProgress {
  done: number;
  total: number;
}

/** A cluster that runs grid searches: GridSearchCV's `cluster` option. */
export interface SearchCluster {
  /** Runs every task of `job` on `data`'s rows (where they are read); the results in the tasks' order. */
  runSearch(
    data: DistributedData,
    job: SearchJob,
    options?: { signal?: AbortSignal; onProgress?: (progress: SearchProgress) => void },
  ): Promise<SearchTaskResult[]>;
  /** Fits the model `job.estimator` with `params` on all of `data`'s rows, where they are read; the fitted model's JSON. */
  refit(
    data: DistributedData,
    job: SearchJob,
    params: Record<string, unknown>,
    options?: { signal?: AbortSignal },
  ): Promise<ModelJSON | PipelineJSON>;
}

/** Whether `x` is a SearchCluster. */
export function isSearchCluster(x: unknown): x is SearchCluster {
  return (
    x !== null &&
    typeof x === "object" &&
    typeof (x as SearchCluster).runSearch === "function" &&
    typeof (x as SearchCluster).refit === "function"
  );
}
