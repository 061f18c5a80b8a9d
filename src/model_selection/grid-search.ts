/**
 * GridSearchCV that shares work: for every fold, each pipeline step is fitted once per distinct
 * setting of itself and the steps before it, and its output (persisted in shared memory) is
 * shared by every candidate downstream; the final estimator's candidates run along the
 * regularization path (lambda descending), each warm-started from the previous solution. Folds
 * run at once on the runtime's threads.
 */
import { ArgumentError } from "../errors.js";
import { ChunkedArray } from "../array/array.js";
import { getDefaultRuntime, type Runtime } from "../runtime/runtime.js";
import { KFold, selectRows } from "./split.js";
import { SCORERS } from "./scoring.js";
import { Pipeline, type Estimator } from "./pipeline.js";
import type { Transformer } from "../preprocessing/transformers.js";
import { LogisticRegression } from "../glm/estimators.js";

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

type Model = Pipeline | Estimator;

/** Every combination of the grid's values, in the grid's order. */
function combinations(grid: Record<string, readonly unknown[]>): Record<string, unknown>[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [name, values] of Object.entries(grid)) out = out.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
  return out;
}

/**
 * Cross-validated grid search that shares work: each pipeline step is fitted once per fold and
 * upstream setting, and fits warm-start along lambda, descending. Results in `cvResults`,
 * `bestParams`, `bestScore`, `bestEstimator`.
 */
export class GridSearchCV {
  cvResults: CvResult[] = [];
  bestParams: Record<string, unknown> | undefined;
  bestScore = NaN;
  bestIndex = -1;
  bestEstimator: Model | undefined;
  /** Transformer fits made by the last fit(), by step name (the work sharing, counted). */
  readonly transformerFits = new Map<string, number>();
  private readonly scoring: keyof typeof SCORERS;

  constructor(readonly estimator: Model, readonly paramGrid: Record<string, readonly unknown[]>, readonly options: GridSearchOptions = {}) {
    if (typeof paramGrid !== "object" || paramGrid === null || Object.keys(paramGrid).length === 0) {
      throw new ArgumentError("paramGrid", "a non-empty record of parameter name -> list of values", paramGrid, "GridSearchCV");
    }
    const valid = Object.keys(estimator.getParams());
    for (const [name, values] of Object.entries(paramGrid)) {
      if (!valid.includes(name)) throw new ArgumentError("paramGrid", `parameter names among ${valid.join(", ")}`, name, "GridSearchCV");
      if (!Array.isArray(values) || values.length === 0) throw new ArgumentError(`paramGrid.${name}`, "a non-empty list of values", values, "GridSearchCV");
    }
    const kind = estimator.estimatorKind;
    this.scoring = options.scoring ?? (kind === "classifier" ? "accuracy" : "r2");
    const scorer = SCORERS[this.scoring];
    if (!scorer || scorer.kind !== kind) {
      const fitting = Object.entries(SCORERS).filter(([, s]) => s.kind === kind).map(([n]) => n);
      throw new ArgumentError("scoring", `a ${kind} scorer: one of ${fitting.join(", ")}`, options.scoring, "GridSearchCV");
    }
  }

  async fit(X: ChunkedArray, y: ChunkedArray): Promise<this> {
    if (!(X instanceof ChunkedArray) || X.ndim !== 2) throw new ArgumentError("X", "a 2-D ChunkedArray", X, "GridSearchCV.fit");
    if (!(y instanceof ChunkedArray) || y.ndim !== 1 || y.shape[0] !== X.shape[0]) throw new ArgumentError("y", `a 1-D array of ${X.shape[0]} values`, y, "GridSearchCV.fit");
    const runtime = this.options.runtime ?? (await getDefaultRuntime());
    const kfold = this.options.cv instanceof KFold ? this.options.cv : new KFold({ nSplits: this.options.cv ?? 5 });
    const folds = kfold.split(X.shape[0]!);
    const pipeline = this.estimator instanceof Pipeline ? this.estimator : undefined;
    const finalName = pipeline ? pipeline.steps[pipeline.steps.length - 1]![0] : undefined;
    const finalPrefix = finalName ? `${finalName}__` : "";
    const candidates = combinations(this.paramGrid);
    // candidates share their upstream (transformer) settings in groups; within a group, the
    // final estimator's fits go along lambda, descending
    const upstreamOf = (c: Record<string, unknown>) => JSON.stringify(Object.entries(c).filter(([k]) => !k.startsWith(finalPrefix) || !pipeline).sort());
    const groups = new Map<string, number[]>();
    candidates.forEach((c, i) => {
      const key = pipeline ? upstreamOf(c) : "";
      (groups.get(key) ?? groups.set(key, []).get(key)!).push(i);
    });
    const lambdaName = `${finalPrefix}lambda`;
    for (const members of groups.values()) members.sort((a, b) => Number(candidates[b]![lambdaName] ?? 0) - Number(candidates[a]![lambdaName] ?? 0));
    this.transformerFits.clear();
    const scores = candidates.map(() => new Array<number>(folds.length));
    const times = candidates.map(() => new Array<number>(folds.length));
    const scorer = SCORERS[this.scoring];
    const Xp = await X.persist({ runtime });
    const yp = await y.persist({ runtime });
    try {
      // folds run a few at a time: each holds its transformed training rows in shared memory
      const runFold = async (fold: (typeof folds)[number], f: number) => {
        const persisted: ChunkedArray[] = [];
        const keep = async (a: ChunkedArray) => {
          const p = await a.persist({ runtime });
          persisted.push(p);
          return p;
        };
        try {
          const Xtr = selectRows(Xp, fold.train), ytr = await keep(selectRows(yp, fold.train));
          const Xte = selectRows(Xp, fold.test);
          const yte = (await selectRows(yp, fold.test).compute({ runtime })) as Float64Array;
          for (const members of groups.values()) {
            // the transformers, fitted once for this fold and this upstream setting
            let trainT = Xtr, testT = Xte;
            if (pipeline) {
              const settings = candidates[members[0]!]!;
              for (const [name, step] of pipeline.transformers) {
                const own = Object.fromEntries(Object.entries(settings).filter(([k]) => k.startsWith(`${name}__`)).map(([k, v]) => [k.slice(name.length + 2), v]));
                const t = (step.clone() as Transformer).setParams(own);
                await t.fit(trainT);
                this.transformerFits.set(name, (this.transformerFits.get(name) ?? 0) + 1);
                trainT = t.transform(trainT);
                testT = t.transform(testT);
              }
            }
            // the training rows, transformed, materialized once for every candidate of the group
            trainT = await keep(trainT);
            const testReady = await keep(testT);
            let warm: Float64Array | undefined;
            for (const i of members) {
              const own = Object.fromEntries(Object.entries(candidates[i]!).filter(([k]) => !pipeline || k.startsWith(finalPrefix)).map(([k, v]) => [k.slice(finalPrefix.length), v]));
              const model = (pipeline ? pipeline.final : (this.estimator as Estimator)).clone().setParams(own);
              model.options.runtime = runtime;
              const t0 = performance.now();
              await model.fit(trainT, ytr, warm ? { initialCoef: warm } : {});
              times[i]![f] = (performance.now() - t0) / 1000;
              warm = model.coefficients;
              const predicted = scorer.uses === "proba" && model instanceof LogisticRegression ? await model.predictProba(testReady) : await model.predict(testReady);
              scores[i]![f] = scorer.score(yte, predicted);
            }
          }
        } finally {
          for (const p of persisted) p.release();
        }
      };
      const atOnce = Math.max(1, runtime.threads);
      for (let start = 0; start < folds.length; start += atOnce) {
        await Promise.all(folds.slice(start, start + atOnce).map((fold, k) => runFold(fold, start + k)));
      }
    } finally {
      Xp.release();
      yp.release();
    }
    this.cvResults = candidates.map((params, i) => {
      const s = scores[i]!;
      const mean = s.reduce((a, b) => a + b, 0) / s.length;
      const std = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / s.length);
      return { params, testScores: s, meanTestScore: mean, stdTestScore: std, meanFitTime: times[i]!.reduce((a, b) => a + b, 0) / s.length };
    });
    this.bestIndex = this.cvResults.reduce((best, r, i) => (r.meanTestScore > this.cvResults[best]!.meanTestScore ? i : best), 0);
    this.bestParams = this.cvResults[this.bestIndex]!.params;
    this.bestScore = this.cvResults[this.bestIndex]!.meanTestScore;
    if (this.options.refit !== false) {
      const best = this.estimator.clone().setParams(this.bestParams);
      if (best instanceof Pipeline) best.final.options.runtime = runtime;
      else best.options.runtime = runtime;
      this.bestEstimator = await best.fit(X, y);
    }
    return this;
  }
}
