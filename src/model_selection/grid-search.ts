/**
 * GridSearchCV that shares work: for every fold, each pipeline step is fitted once per distinct
 * setting of itself and the steps before it, and its output (persisted in shared memory) is
 * shared by every candidate downstream; the final estimator's candidates run along the
 * regularization path (lambda descending), each warm-started from the previous solution. Folds
 * run at once on the runtime's threads.
 */
import { ArgumentError, WeftError } from "../errors.js";
import { ChunkedArray } from "../array/array.js";
import { fromTypedArray } from "../array/create.js";
import { getDefaultRuntime, type Runtime } from "../runtime/runtime.js";
import { checkMatrix, checkRuntime, toMatrix, toVector, vectorValues, type MatrixLike, type VectorLike } from "../base/inputs.js";
import { binaryClasses, encodeLabels, labelValues, persistedValues, type LabelsLike, type LabelsOf } from "../base/labels.js";
import type { ScoreOptions } from "../glm/options.js";
import { checkSampleWeight } from "../metrics/checks.js";
import { checkBoolean, checkOptions, checkSignal } from "../validate.js";
import { KFold, selectRows } from "./split.js";
import { SCORERS } from "./scoring.js";
import { Pipeline, type Estimator } from "./pipeline.js";
import type { Transformer } from "../preprocessing/transformers.js";
import { LinearRegression, LogisticRegression, PoissonRegression } from "../glm/estimators.js";
import type { PathStart } from "../glm/path-start.js";
import type { GlmProblem } from "../glm/problem.js";

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

/** X coef_j + intercept_j for every fitted model j, from one pass over X (a product with the p x k matrix of coefficients). */
async function linearPredictors(models: readonly Estimator[], X: ChunkedArray, runtime: Runtime): Promise<Float64Array[]> {
  const p = X.shape[1]!,
    k = models.length,
    n = X.shape[0]!;
  const B = new Float64Array(p * k);
  models.forEach((m, j) => m.coef!.forEach((c, r) => (B[r * k + j] = c)));
  const eta = (await X.matmul(fromTypedArray(B, { shape: [p, k] })).compute({ runtime })) as Float64Array;
  return models.map((m, j) => {
    const column = new Float64Array(n);
    for (let r = 0, at = j; r < n; r++, at += k) column[r] = eta[at]! + m.intercept;
    return column;
  });
}

/** Whether `m` is one of the GLM estimators, whose fits grid search shares along lambda. */
const isGlm = (m: unknown): m is Estimator =>
  m instanceof LogisticRegression || m instanceof LinearRegression || m instanceof PoissonRegression;

/** Every combination of the grid's values, in the grid's order. */
function combinations(grid: Record<string, readonly unknown[]>): Record<string, unknown>[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [name, values] of Object.entries(grid)) out = out.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
  return out;
}

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
    checkOptions(options, "GridSearchCV", ["cv", "scoring", "refit", "runtime"]);
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
   * Fits the final estimator of each candidate in `members` (lambda descending) on the
   * transformed training rows: one GLM problem (data checked, plans compiled) for all that can
   * share it, each fit starting where the previous one ended (coefficients and curvature).
   */
  private async fitGroup(
    members: readonly number[],
    candidates: readonly Record<string, unknown>[],
    trainT: ChunkedArray,
    ytr: ChunkedArray,
    wtr: Float64Array | undefined,
    f: number,
    times: number[][],
    runtime: Runtime,
    pipeline: AnyPipeline | undefined,
    finalPrefix: string,
    signal: AbortSignal | undefined,
  ): Promise<Estimator[]> {
    const problems = new Map<string, GlmProblem>();
    const models: Estimator[] = [];
    let warm: PathStart | undefined;
    try {
      for (const i of members) {
        const own = Object.fromEntries(
          Object.entries(candidates[i]!)
            .filter(([k]) => !pipeline || k.startsWith(finalPrefix))
            .map(([k, v]) => [k.slice(finalPrefix.length), v]),
        );
        const model = (pipeline ? pipeline.final : (this.estimator as Estimator)).clone().setParams(own);
        model.options.runtime = runtime;
        const t0 = performance.now();
        let problem = problems.get(model.problemKey);
        if (!problem) problems.set(model.problemKey, (problem = await model.createProblem(trainT, ytr, wtr)));
        await model.fitProblem(problem, warm ? { path: warm, signal } : { signal });
        times[i]![f] = (performance.now() - t0) / 1000;
        warm = model.pathStart;
        models.push(model);
      }
      return models;
    } finally {
      for (const problem of problems.values()) problem.release();
    }
  }

  /**
   * Fits every candidate on every fold, then the best one on all rows. `signal` aborts: the
   * search stops within one solver iteration and rejects with the signal's reason.
   * `sampleWeight` (one weight >= 0 per row) weighs the rows in every fit and every fold's
   * score, each fold taking its rows' weights.
   */
  async fit(X: MatrixLike, y: LabelsOf<Label>, options?: { signal?: AbortSignal; sampleWeight?: VectorLike }): Promise<this>;
  // the implementation takes any labels: y becomes their codes (a ChunkedArray) below
  async fit(X: MatrixLike, y: LabelsLike, options: { signal?: AbortSignal; sampleWeight?: VectorLike } = {}): Promise<this> {
    checkOptions(options, "GridSearchCV.fit", ["signal", "sampleWeight"]);
    const signal = checkSignal(options.signal, "signal", "GridSearchCV.fit");
    if (signal?.aborted) throw signal.reason;
    const runtime = this.options.runtime ?? (await getDefaultRuntime());
    const given = { X, y };
    // X and y as the estimators accept them; a classifier's labels (numbers or strings) coded 0/1
    // once, from all rows, so that every fold fits and scores the same two classes
    X = checkMatrix(X instanceof ChunkedArray ? X : toMatrix(X, "GridSearchCV.fit", { threads: runtime.threads }), "GridSearchCV.fit");
    if (this.estimator.estimatorKind === "classifier") {
      const where = "GridSearchCV.fit";
      // labels persisted on this runtime are read in place; 0/1 ones in a weft array are their own codes
      const inPlace = y instanceof ChunkedArray && y.shape[0] === X.shape[0] ? persistedValues(y, runtime) : undefined;
      const labels = inPlace ? undefined : await labelValues(y, X.shape[0]!, runtime, where);
      const classes = binaryClasses(inPlace ?? labels!, where);
      const zeroOne = classes[0] === 0 && classes[1] === 1 && y instanceof ChunkedArray;
      if (!zeroOne) y = fromTypedArray(encodeLabels(labels ?? (await labelValues(y, X.shape[0]!, runtime, where)), classes, where));
    } else y = toVector(y as VectorLike, "y", "GridSearchCV.fit");
    if (!(y instanceof ChunkedArray) || y.ndim !== 1 || y.shape[0] !== X.shape[0])
      throw new ArgumentError("y", `a 1-D array of ${X.shape[0]} values`, y, "GridSearchCV.fit");
    // the weights in JS, like the test labels: each fold takes its rows' (fit and score check them again)
    const weights =
      options.sampleWeight === undefined
        ? undefined
        : await vectorValues(options.sampleWeight, X.shape[0]!, runtime, "GridSearchCV.fit", "sampleWeight");
    if (weights) checkSampleWeight({ sampleWeight: weights }, weights.length, "GridSearchCV.fit");
    const rowsOf = (rows: Int32Array) => weights && Float64Array.from(rows, (r) => weights[r]!);
    const kfold = this.options.cv instanceof KFold ? this.options.cv : new KFold({ nSplits: this.options.cv ?? 5 });
    const folds = kfold.split(X.shape[0]!);
    const pipeline = this.estimator instanceof Pipeline ? this.estimator : undefined;
    const finalName = pipeline ? pipeline.steps[pipeline.steps.length - 1]![0] : undefined;
    const finalPrefix = finalName ? `${finalName}__` : "";
    const candidates = combinations(this.paramGrid);
    // candidates share their upstream (transformer) settings in groups; within a group, the
    // final estimator's fits go along lambda, descending
    const upstreamOf = (c: Record<string, unknown>) =>
      JSON.stringify(
        Object.entries(c)
          .filter(([k]) => !k.startsWith(finalPrefix) || !pipeline)
          .sort(),
      );
    const groups = new Map<string, number[]>();
    candidates.forEach((c, i) => {
      const key = pipeline ? upstreamOf(c) : "";
      (groups.get(key) ?? groups.set(key, []).get(key)!).push(i);
    });
    const lambdaName = `${finalPrefix}lambda`;
    for (const members of groups.values())
      members.sort((a, b) => Number(candidates[b]![lambdaName] ?? 0) - Number(candidates[a]![lambdaName] ?? 0));
    this.transformerFits.clear();
    const scores = candidates.map(() => new Array<number>(folds.length));
    const times = candidates.map(() => new Array<number>(folds.length));
    const scorer = SCORERS[this.scoring];
    // data already in this runtime's memory is read in place; anything else is computed once
    const inPlace = (a: ChunkedArray) => a.isPersisted && a.runtime === runtime;
    const Xp = inPlace(X) ? X : await X.persist({ runtime });
    const yp = inPlace(y) ? y : await y.persist({ runtime });
    try {
      const runFold = async (fold: (typeof folds)[number], f: number) => {
        const persisted: ChunkedArray[] = [];
        const keep = async (a: ChunkedArray) => {
          const p = await a.persist({ runtime });
          persisted.push(p);
          return p;
        };
        try {
          const Xtr = selectRows(Xp, fold.train),
            ytr = await keep(selectRows(yp, fold.train));
          const Xte = selectRows(Xp, fold.test);
          const yte = (await selectRows(yp, fold.test).compute({ runtime })) as Float64Array;
          const wtr = rowsOf(fold.train),
            wte = rowsOf(fold.test);
          for (const members of groups.values()) {
            // the transformers, fitted once for this fold and this upstream setting
            let trainT = Xtr,
              testT = Xte;
            if (pipeline) {
              const settings = candidates[members[0]!]!;
              for (const [name, step] of pipeline.transformers) {
                const own = Object.fromEntries(
                  Object.entries(settings)
                    .filter(([k]) => k.startsWith(`${name}__`))
                    .map(([k, v]) => [k.slice(name.length + 2), v]),
                );
                const t = (step.clone() as Transformer).setParams(own);
                await t.fit(trainT);
                this.transformerFits.set(name, (this.transformerFits.get(name) ?? 0) + 1);
                trainT = t.transform(trainT);
                testT = t.transform(testT);
              }
            }
            // the training rows, transformed, materialized once for every candidate of the group
            trainT = await keep(trainT);
            const models = await this.fitGroup(members, candidates, trainT, ytr, wtr, f, times, runtime, pipeline, finalPrefix, signal);
            // every candidate's test predictions from one pass over the test rows (transformed
            // on the fly): X_test [coef_1 ... coef_k], then each model's inverse link
            const etas = await linearPredictors(models, testT, runtime);
            members.forEach((i, j) => {
              const what = scorer.uses === "proba" && models[j] instanceof LogisticRegression ? "proba" : "predict";
              scores[i]![f] = scorer.score(yte, models[j]!.fromLinearPredictor(etas[j]!, what), wte);
            });
          }
        } finally {
          for (const p of persisted) p.release();
        }
      };
      // Folds run one after another: every evaluation of a fit already runs on all threads,
      // and each fold holds its transformed training rows in shared memory; two folds at once
      // would double the memory touched for the first time, which costs more than it overlaps
      // (bench/README.md, `npx weft bench selection`, has the cost of first touching memory).
      for (const [f, fold] of folds.entries()) await runFold(fold, f);
    } finally {
      if (Xp !== X) Xp.release();
      if (yp !== y) yp.release();
    }
    this.cvResults = candidates.map((params, i) => {
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
    if (this.options.refit !== false) {
      const best = this.estimator.clone().setParams(this.bestParams);
      if (best instanceof Pipeline) best.final.options.runtime = runtime;
      else best.options.runtime = runtime;
      // the refit on what was given: a classifier learns its classes (labels, not codes) there
      this.bestEstimator = await best.fit(given.X, given.y, { signal, sampleWeight: weights });
    }
    return this;
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
