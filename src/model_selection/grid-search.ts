/**
 * GridSearchCV that shares work: for every fold, each pipeline step is fitted once per distinct
 * setting of itself and the steps before it, and its output (persisted in shared memory) is
 * shared by every candidate downstream; the final estimator's candidates run along the
 * regularization path (lambda descending), each warm-started from the previous solution. The
 * search is a plan of (fold, lambda-path segment) tasks (search-plan.ts), run one after another
 * here (search-task.ts), or on a cluster's workers with the `cluster` option (distributed.ts).
 */
import { ArgumentError, WeftError } from "../errors.js";
import { ChunkedArray } from "../array/array.js";
import { getDefaultRuntime, type Runtime } from "../runtime/runtime.js";
import { checkMatrix, checkRuntime, toMatrix, vectorValues, type MatrixLike, type VectorLike } from "../base/inputs.js";
import type { LabelsLike, LabelsOf } from "../base/labels.js";
import type { ScoreOptions } from "../glm/options.js";
import { isDistributedData, type DistributedData } from "../glm/distributed.js";
import { checkSampleWeight } from "../metrics/checks.js";
import { checkBoolean, checkOptions, checkSignal } from "../validate.js";
import { KFold } from "./split.js";
import { SCORERS } from "./scoring.js";
import { Pipeline, type Estimator } from "./pipeline.js";
import { LinearRegression, LogisticRegression, PoissonRegression } from "../glm/estimators.js";
import { isSearchCluster, type SearchCluster, type SearchJob, type SearchProgress } from "./distributed.js";
import { describeModel, loadFitted, survivesJson } from "./model-spec.js";
import { combinations, planSearch, type SearchPlan } from "./search-plan.js";
import { prepareSearchData, SearchTaskRunner, type SearchTaskResult } from "./search-task.js";

/**
 * Options of GridSearchCV: folds, scoring, whether to refit the best candidate on all rows, and the
 * runtime.
 */
export interface GridSearchOptions {
  /** Folds (default 5) or a KFold. */
  cv?: number | KFold;
  /** A scorer name (default: accuracy for classifiers, r2 for regressors). */
  scoring?: keyof typeof SCORERS;
  /** Fit the best candidate on all the data afterwards (default true). */
  refit?: boolean;
  runtime?: Runtime;
  /**
   * The most candidates of a lambda path one task fits in a row, warm-started (default: the whole
   * path). Shorter segments make more, smaller tasks, which a cluster's workers share; each
   * segment starts cold. The same segments are fitted with and without a cluster, so both give
   * the same results.
   */
  pathSegment?: number;
  /**
   * A cluster (weftjs/cluster's `Cluster.connect(...)`) that runs the search: `fit(dataset)` then
   * takes a cluster dataset, whose rows stay on the workers. The models travel as their kinds and
   * parameters (weft's own estimators and transformers only); callbacks such as `onIteration`
   * stay here and are not run on the workers.
   */
  cluster?: SearchCluster;
}

/**
 * One candidate's cross-validation: its parameters, the test score of each fold, their mean and
 * standard deviation, and the mean fit time.
 */
export interface CvResult {
  params: Record<string, unknown>;
  testScores: number[];
  meanTestScore: number;
  stdTestScore: number;
  /** Mean seconds of the final estimator's fit per fold. */
  meanFitTime: number;
}

/** A pipeline of either kind of labels. */
type AnyPipeline = Pipeline<number | string>;
type Model = AnyPipeline | Estimator;

/** Whether `m` is one of the GLM estimators, whose fits grid search shares along lambda. */
const isGlm = (m: unknown): m is Estimator =>
  m instanceof LogisticRegression || m instanceof LinearRegression || m instanceof PoissonRegression;

/**
 * Cross-validated grid search that shares work: each pipeline step is fitted once per fold and
 * upstream setting, and fits warm-start along lambda, descending. Results in `cvResults`,
 * `bestParams`, `bestScore`, `bestEstimator`; with `refit` (the default) `predict`,
 * `predictProba`, `decisionFunction` and `score` go through the best candidate refitted on all
 * rows, as scikit-learn's do. `Label` types predict's labels, as for LogisticRegression.
 */
export class GridSearchCV<Label extends number | string = number> {
  cvResults: CvResult[] = [];
  bestParams: Record<string, unknown> | undefined;
  bestScore = NaN;
  bestIndex = -1;
  bestEstimator: Model | undefined;
  /** Transformer fits made by the last fit(), by step name (the work sharing, counted). */
  readonly transformerFits = new Map<string, number>();
  private readonly scoring: keyof typeof SCORERS;

  /** The estimator or pipeline searched (its clones are fitted; it stays unfitted). */
  readonly estimator: Model;

  /** `Label` is inferred from `estimator`: a `LogisticRegression<string>`'s search predicts strings. */
  constructor(
    estimator: Pipeline<Label> | LogisticRegression<Label> | LinearRegression | PoissonRegression,
    readonly paramGrid: Record<string, readonly unknown[]>,
    readonly options: GridSearchOptions = {},
  ) {
    this.estimator = estimator;
    // the search fits GLM problems itself (shared per fold, warm-started along lambda): a
    // look-alike estimator would fail halfway, with a raw TypeError
    if (!(estimator instanceof Pipeline ? isGlm(estimator.final) : isGlm(estimator))) {
      throw new ArgumentError(
        "estimator",
        "a GLM estimator (LogisticRegression, LinearRegression, PoissonRegression) or a Pipeline ending in one",
        estimator,
        "GridSearchCV",
      );
    }
    checkOptions(options, "GridSearchCV", ["cv", "scoring", "refit", "runtime", "pathSegment", "cluster"]);
    const segment: unknown = options.pathSegment;
    if (segment !== undefined && segment !== Infinity && !(Number.isInteger(segment) && (segment as number) >= 1))
      throw new ArgumentError("pathSegment", "a whole number of candidates >= 1 (or Infinity)", segment, "GridSearchCV");
    if (options.cluster !== undefined && !isSearchCluster(options.cluster))
      throw new ArgumentError("cluster", "a Cluster (Cluster.connect from weftjs/cluster)", options.cluster, "GridSearchCV");
    checkBoolean(options.refit, "refit", "GridSearchCV");
    checkRuntime(options.runtime, "GridSearchCV");
    const cv: unknown = options.cv;
    if (cv !== undefined && !(cv instanceof KFold) && !(typeof cv === "number" && Number.isInteger(cv) && cv >= 2)) {
      throw new ArgumentError("cv", "a number of folds (a whole number >= 2) or a KFold", cv, "GridSearchCV");
    }
    if (typeof paramGrid !== "object" || paramGrid === null || Object.keys(paramGrid).length === 0) {
      throw new ArgumentError("paramGrid", "a non-empty record of parameter name -> list of values", paramGrid, "GridSearchCV");
    }
    const valid = Object.keys(estimator.getParams());
    for (const [name, values] of Object.entries(paramGrid)) {
      if (!valid.includes(name)) throw new ArgumentError("paramGrid", `parameter names among ${valid.join(", ")}`, name, "GridSearchCV");
      if (!Array.isArray(values) || values.length === 0)
        throw new ArgumentError(`paramGrid.${name}`, "a non-empty list of values", values, "GridSearchCV");
    }
    // every candidate's parameters checked now (setParams validates them as the constructors
    // do), not after the folds before it have been fitted
    for (const candidate of combinations(paramGrid)) estimator.clone().setParams(candidate);
    const kind = estimator.estimatorKind;
    this.scoring = options.scoring ?? (kind === "classifier" ? "accuracy" : "r2");
    const scorer = SCORERS[this.scoring];
    if (!scorer || scorer.kind !== kind) {
      const fitting = Object.entries(SCORERS)
        .filter(([, s]) => s.kind === kind)
        .map(([n]) => n);
      throw new ArgumentError("scoring", `a ${kind} scorer: one of ${fitting.join(", ")}`, options.scoring, "GridSearchCV");
    }
  }

  /**
   * With the `cluster` option: searches on a cluster dataset (`cluster.dataset(source, { target
   * })`), whose rows stay on the workers: every (fold, lambda-path segment) task runs on a worker,
   * and the best candidate is refitted there; `onProgress` hears of each task done.
   */
  async fit(data: DistributedData, options?: { signal?: AbortSignal; onProgress?: (progress: SearchProgress) => void }): Promise<this>;
  /**
   * Fits every candidate on every fold, then the best one on all rows. `signal` aborts: the
   * search stops within one solver iteration and rejects with the signal's reason.
   * `sampleWeight` (one weight >= 0 per row) weighs the rows in every fit and every fold's
   * score, each fold taking its rows' weights.
   */
  async fit(X: MatrixLike, y: LabelsOf<Label>, options?: { signal?: AbortSignal; sampleWeight?: VectorLike }): Promise<this>;
  // the implementation takes any labels: y becomes their codes (prepareSearchData)
  async fit(
    X: MatrixLike | DistributedData,
    y?: LabelsLike | { signal?: AbortSignal; onProgress?: (progress: SearchProgress) => void },
    options: { signal?: AbortSignal; sampleWeight?: VectorLike } = {},
  ): Promise<this> {
    if (isDistributedData(X))
      return this.fitOnCluster(X, (y ?? {}) as { signal?: AbortSignal; onProgress?: (progress: SearchProgress) => void });
    if (this.options.cluster)
      throw new ArgumentError(
        "X",
        "a cluster dataset (cluster.dataset(source, { target })) when the search has a cluster",
        X,
        "GridSearchCV.fit",
      );
    checkOptions(options, "GridSearchCV.fit", ["signal", "sampleWeight"]);
    const signal = checkSignal(options.signal, "signal", "GridSearchCV.fit");
    if (signal?.aborted) throw signal.reason;
    const runtime = this.options.runtime ?? (await getDefaultRuntime());
    // the weights in JS, like the test labels: each fold takes its rows' (fit and score check them again)
    const given = { X, y: y as LabelsOf<Label> };
    X = checkMatrix(X instanceof ChunkedArray ? X : toMatrix(X, "GridSearchCV.fit", { threads: runtime.threads }), "GridSearchCV.fit");
    const weights =
      options.sampleWeight === undefined
        ? undefined
        : await vectorValues(options.sampleWeight, X.shape[0]!, runtime, "GridSearchCV.fit", "sampleWeight");
    if (weights) checkSampleWeight({ sampleWeight: weights }, weights.length, "GridSearchCV.fit");
    const kfold = this.kfold();
    const data = await prepareSearchData(
      this.estimator.estimatorKind,
      X,
      y as LabelsLike,
      weights,
      (n) => kfold.split(n),
      runtime,
      "GridSearchCV.fit",
    );
    const plan = this.plan();
    const results: SearchTaskResult[] = [];
    const runner = new SearchTaskRunner(this.estimator, plan.candidates, this.scoring, data);
    try {
      // Tasks run one after another: every evaluation of a fit already runs on all threads, and
      // each fold holds its transformed training rows in shared memory; two folds at once would
      // double the memory touched for the first time, which costs more than it overlaps
      // (bench/README.md, `npx weft bench selection`, has the cost of first touching memory).
      for (const task of plan.tasks) results.push(await runner.run(task, signal));
    } finally {
      runner.release();
      data.release();
    }
    this.record(plan, results);
    if (this.options.refit !== false) {
      const best = this.estimator.clone().setParams(this.bestParams!);
      if (best instanceof Pipeline) best.final.options.runtime = runtime;
      else best.options.runtime = runtime;
      // the refit on what was given: a classifier learns its classes (labels, not codes) there
      this.bestEstimator = await best.fit(given.X, given.y, { signal, sampleWeight: weights });
    }
    return this;
  }

  /** The folds' splitter: the cv option's KFold, or contiguous folds of its number. */
  private kfold(): KFold {
    return this.options.cv instanceof KFold ? this.options.cv : new KFold({ nSplits: this.options.cv ?? 5 });
  }

  /** The search's candidates and tasks (search-plan.ts). */
  private plan(): SearchPlan {
    const pipeline = this.estimator instanceof Pipeline ? this.estimator : undefined;
    const finalPrefix = pipeline ? `${pipeline.steps[pipeline.steps.length - 1]![0]}__` : undefined;
    return planSearch(this.paramGrid, this.kfold().nSplits, finalPrefix, this.options.pathSegment ?? Infinity);
  }

  /** The search on a cluster: the same plan's tasks run on its workers, where the dataset's rows are read. */
  private async fitOnCluster(
    data: DistributedData,
    options: { signal?: AbortSignal; onProgress?: (progress: SearchProgress) => void },
  ): Promise<this> {
    const where = "GridSearchCV.fit";
    const cluster = this.options.cluster;
    if (!cluster)
      throw new ArgumentError(
        "cluster",
        "a Cluster (Cluster.connect) in the options to search on a cluster dataset",
        cluster,
        "GridSearchCV",
      );
    checkOptions(options, where, ["signal", "onProgress"]);
    const signal = checkSignal(options.signal, "signal", where);
    if (options.onProgress !== undefined && typeof options.onProgress !== "function")
      throw new ArgumentError("onProgress", "a function of { done, total }", options.onProgress, where);
    if (signal?.aborted) throw signal.reason;
    const plan = this.plan();
    // a value JSON changes (undefined, NaN, a function) would mean one thing here and another on a worker
    for (const candidate of plan.candidates)
      for (const [name, value] of Object.entries(candidate))
        if (!survivesJson(value))
          throw new ArgumentError(
            `paramGrid.${name}`,
            "values JSON carries unchanged on a cluster (finite numbers, strings, booleans, lists of them)",
            value,
            where,
          );
    const kfold = this.kfold();
    const job: SearchJob = {
      estimator: describeModel(this.estimator, "GridSearchCV"),
      candidates: plan.candidates,
      scoring: this.scoring,
      cv: { nSplits: kfold.nSplits, shuffle: kfold.shuffle, seed: kfold.seed },
      tasks: plan.tasks,
    };
    const results = await cluster.runSearch(data, job, {
      ...(signal ? { signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    this.record(plan, results);
    if (this.options.refit !== false) {
      const saved = await cluster.refit(data, job, this.bestParams!, signal ? { signal } : {});
      this.bestEstimator = loadFitted(saved, "GridSearchCV.fit");
    }
    return this;
  }

  /** cvResults, the best candidate and the transformer fits, from every task's results. */
  private record(plan: SearchPlan, results: readonly SearchTaskResult[]): void {
    const folds = this.kfold().nSplits;
    const scores = plan.candidates.map(() => new Array<number>(folds));
    const times = plan.candidates.map(() => new Array<number>(folds));
    this.transformerFits.clear();
    plan.tasks.forEach((task, t) => {
      const result = results[t]!;
      task.members.forEach((i, j) => {
        scores[i]![task.fold] = result.scores[j]!;
        times[i]![task.fold] = result.times[j]!;
      });
      for (const [name, count] of Object.entries(result.transformerFits))
        this.transformerFits.set(name, (this.transformerFits.get(name) ?? 0) + count);
    });
    this.cvResults = plan.candidates.map((params, i) => {
      const s = scores[i]!;
      const mean = s.reduce((a, b) => a + b, 0) / s.length;
      const std = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / s.length);
      return {
        params,
        testScores: s,
        meanTestScore: mean,
        stdTestScore: std,
        meanFitTime: times[i]!.reduce((a, b) => a + b, 0) / s.length,
      };
    });
    this.bestIndex = this.cvResults.reduce((best, r, i) => (r.meanTestScore > this.cvResults[best]!.meanTestScore ? i : best), 0);
    this.bestParams = this.cvResults[this.bestIndex]!.params;
    this.bestScore = this.cvResults[this.bestIndex]!.meanTestScore;
  }

  /** The refitted best candidate, or a WeftError saying why there is none. */
  private best(where: string): Model {
    if (!this.bestEstimator)
      throw new WeftError(
        `GridSearchCV.${where}: no best estimator: ${this.cvResults.length === 0 ? "call fit() first" : "fit() ran with refit: false"}`,
      );
    return this.bestEstimator;
  }

  /** The best candidate's predictions (refitted on all rows): class labels, or predicted means. */
  async predict(X: MatrixLike): Promise<Label extends string ? string[] : Float64Array> {
    return (await this.best("predict").predict(X)) as Label extends string ? string[] : Float64Array;
  }

  /** The best candidate's probability of the positive class per row (a classifier's). */
  async predictProba(X: MatrixLike): Promise<Float64Array> {
    const best = this.best("predictProba");
    if (best.estimatorKind !== "classifier") throw new WeftError("GridSearchCV.predictProba needs a classifier");
    return (best as AnyPipeline | LogisticRegression).predictProba(X);
  }

  /** The best candidate's linear predictor X coef + intercept per row (through its transformers, in a pipeline). */
  async decisionFunction(X: MatrixLike): Promise<Float64Array> {
    const best = this.best("decisionFunction");
    return best instanceof Pipeline ? best.final.decisionFunction(await best.transform(X)) : best.decisionFunction(X);
  }

  /** The best candidate's score on X and y (its estimator's own: accuracy, R^2 or D^2), weighted by `sampleWeight` when given. */
  async score(X: MatrixLike, y: LabelsOf<Label>, options?: ScoreOptions): Promise<number> {
    return this.best("score").score(X, y, options);
  }
}
