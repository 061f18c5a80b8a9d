/**
 * Running a grid search's tasks (search-plan.ts) on data in one runtime's memory: what
 * GridSearchCV does in one process and what a cluster's worker does with the tasks it pulls. For
 * each fold the training rows' labels are persisted once; for each upstream group of a fold the
 * pipeline's transformers are fitted once and the transformed training rows persisted once; a
 * task's candidates share one GLM problem and go along lambda, each warm-started from the one
 * before (coefficients and curvature); every candidate's test predictions come from one pass over
 * the test rows.
 */
import { ChunkedArray } from "../array/array.js";
import { fromTypedArray } from "../array/create.js";
import { ArgumentError } from "../errors.js";
import { checkMatrix, toMatrix, toVector, type MatrixLike, type VectorLike } from "../base/inputs.js";
import { binaryClasses, encodeLabels, labelValues, persistedValues, type LabelsLike } from "../base/labels.js";
import { LogisticRegression } from "../glm/estimators.js";
import type { GlmProblem } from "../glm/problem.js";
import type { PathStart } from "../glm/path-start.js";
import type { Runtime } from "../runtime/runtime.js";
import type { Transformer } from "../preprocessing/transformers.js";
import { Pipeline, type Estimator } from "./pipeline.js";
import { SCORERS } from "./scoring.js";
import type { SearchTask } from "./search-plan.js";
import { selectRows, type Fold } from "./split.js";

/** A searched model: a GLM estimator or a pipeline ending in one. */
export type SearchModel = Pipeline<number | string> | Estimator;

/** A scorer's name (SCORERS). */
export type ScorerName = keyof typeof SCORERS;

/** What a task computed: each member's test score and fit seconds (in the task's order), and the transformer fits it made, by step. */
export interface SearchTaskResult {
  scores: number[];
  times: number[];
  transformerFits: Record<string, number>;
}

/** The rows a search runs on, in one runtime: X and the labels' codes persisted there, weights, folds. */
export interface SearchData {
  X: ChunkedArray;
  y: ChunkedArray;
  weights: Float64Array | undefined;
  folds: Fold[];
  runtime: Runtime;
  /** Frees what was persisted for the search (data the caller had persisted already stays). */
  release(): void;
}

/**
 * X and y as a search fits them: X a matrix, a classifier's labels (numbers or strings) coded
 * 0/1 once from all rows (every fold fits and scores the same two classes), a regressor's y a
 * vector; both persisted in `runtime` unless they are already; the folds of `split`.
 */
export async function prepareSearchData(
  kind: "classifier" | "regressor",
  X: MatrixLike,
  y: LabelsLike,
  weights: Float64Array | undefined,
  split: (rows: number) => Fold[],
  runtime: Runtime,
  where: string,
): Promise<SearchData> {
  const Xa = checkMatrix(X instanceof ChunkedArray ? X : toMatrix(X, where, { threads: runtime.threads }), where);
  const rows = Xa.shape[0]!;
  let ya: ChunkedArray;
  if (kind === "classifier") {
    // labels persisted on this runtime are read in place; 0/1 ones in a weft array are their own codes
    const inPlace = y instanceof ChunkedArray && y.shape[0] === rows ? persistedValues(y, runtime) : undefined;
    const labels = inPlace ? undefined : await labelValues(y, rows, runtime, where);
    const classes = binaryClasses(inPlace ?? labels!, where);
    const zeroOne = classes[0] === 0 && classes[1] === 1 && y instanceof ChunkedArray;
    ya = zeroOne
      ? (y as ChunkedArray)
      : fromTypedArray(encodeLabels(labels ?? (await labelValues(y, rows, runtime, where)), classes, where));
  } else ya = toVector(y as VectorLike, "y", where);
  if (!(ya instanceof ChunkedArray) || ya.ndim !== 1 || ya.shape[0] !== rows)
    throw new ArgumentError("y", `a 1-D array of ${rows} values`, ya, where);
  // the folds first: a split that fails (more folds than rows) must not leave rows persisted
  const folds = split(rows);
  // data already in this runtime's memory is read in place; anything else is computed once
  const inPlace = (a: ChunkedArray) => a.isPersisted && a.runtime === runtime;
  const Xp = inPlace(Xa) ? Xa : await Xa.persist({ runtime });
  let yp: ChunkedArray;
  try {
    yp = inPlace(ya) ? ya : await ya.persist({ runtime });
  } catch (error) {
    if (Xp !== Xa) Xp.release();
    throw error;
  }
  return {
    X: Xp,
    y: yp,
    weights,
    folds,
    runtime,
    release() {
      if (Xp !== Xa) Xp.release();
      if (yp !== ya) yp.release();
    },
  };
}

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

/** A fold's rows, made once for all its tasks. */
interface FoldState {
  fold: number;
  Xtr: ChunkedArray;
  ytr: ChunkedArray;
  Xte: ChunkedArray;
  yte: Float64Array;
  wtr: Float64Array | undefined;
  wte: Float64Array | undefined;
  /** The last upstream group's transformed rows (training rows persisted). */
  group?: { index: number; trainT: ChunkedArray; testT: ChunkedArray; persisted: boolean };
}

/**
 * Runs tasks of one search on `data`: `run(task)` fits the task's candidates and scores them on
 * its fold's test rows. Tasks of the same fold and group in a row share the fold's rows and the
 * fitted transformers (search-plan.ts orders them so); `release()` frees what it keeps.
 */
export class SearchTaskRunner {
  private state: FoldState | undefined;
  private readonly pipeline: Pipeline<number | string> | undefined;
  private readonly finalPrefix: string;

  constructor(
    private readonly estimator: SearchModel,
    private readonly candidates: readonly Record<string, unknown>[],
    private readonly scoring: ScorerName,
    private readonly data: SearchData,
  ) {
    this.pipeline = estimator instanceof Pipeline ? estimator : undefined;
    this.finalPrefix = this.pipeline ? `${this.pipeline.steps[this.pipeline.steps.length - 1]![0]}__` : "";
  }

  /** Fits `task`'s candidates in order, warm-started along lambda, and scores each on the fold's test rows. */
  async run(task: SearchTask, signal?: AbortSignal): Promise<SearchTaskResult> {
    const fold = await this.foldState(task.fold);
    const transformerFits: Record<string, number> = {};
    const { trainT, testT } = await this.groupState(fold, task, transformerFits);
    const times: number[] = [];
    const models = await this.fitPath(task.members, trainT, fold, times, signal);
    // every candidate's test predictions from one pass over the test rows (transformed on the
    // fly): X_test [coef_1 ... coef_k], then each model's inverse link
    const etas = await linearPredictors(models, testT, this.data.runtime);
    const scorer = SCORERS[this.scoring];
    const scores = models.map((model, j) => {
      const what = scorer.uses === "proba" && model instanceof LogisticRegression ? "proba" : "predict";
      return scorer.score(fold.yte, model.fromLinearPredictor(etas[j]!, what), fold.wte);
    });
    return { scores, times, transformerFits };
  }

  private async foldState(f: number): Promise<FoldState> {
    if (this.state?.fold === f) return this.state;
    this.release();
    const fold = this.data.folds[f];
    if (!fold) throw new ArgumentError("fold", `a fold number below ${this.data.folds.length}`, f, "SearchTaskRunner.run");
    const { X, y, weights, runtime } = this.data;
    const ytr = await selectRows(y, fold.train).persist({ runtime });
    let yte: Float64Array;
    try {
      yte = (await selectRows(y, fold.test).compute({ runtime })) as Float64Array;
    } catch (error) {
      ytr.release();
      throw error;
    }
    const rowsOf = (rows: Int32Array) => weights && Float64Array.from(rows, (r) => weights[r]!);
    this.state = {
      fold: f,
      Xtr: selectRows(X, fold.train),
      ytr,
      Xte: selectRows(X, fold.test),
      yte,
      wtr: rowsOf(fold.train),
      wte: rowsOf(fold.test),
    };
    return this.state;
  }

  /** The fold's rows through the task group's transformers (fitted once per fold and group), the training rows persisted. */
  private async groupState(fold: FoldState, task: SearchTask, fits: Record<string, number>) {
    if (fold.group?.index === task.group) return fold.group;
    this.releaseGroup(fold);
    let trainT = fold.Xtr,
      testT = fold.Xte;
    if (this.pipeline) {
      const settings = this.candidates[task.members[0]!]!;
      for (const [name, step] of this.pipeline.transformers) {
        const own = Object.fromEntries(
          Object.entries(settings)
            .filter(([k]) => k.startsWith(`${name}__`))
            .map(([k, v]) => [k.slice(name.length + 2), v]),
        );
        const t = (step.clone() as Transformer).setParams(own);
        await t.fit(trainT);
        fits[name] = (fits[name] ?? 0) + 1;
        trainT = t.transform(trainT);
        testT = t.transform(testT);
      }
    }
    // the training rows, transformed, materialized once for every candidate of the group
    const persisted = await trainT.persist({ runtime: this.data.runtime });
    fold.group = { index: task.group, trainT: persisted, testT, persisted: persisted !== trainT };
    return fold.group;
  }

  /**
   * Fits `members` (lambda descending) on the transformed training rows: one GLM problem (data
   * checked, plans compiled) for all that can share it, each fit starting where the previous one
   * ended (coefficients and curvature).
   */
  private async fitPath(
    members: readonly number[],
    trainT: ChunkedArray,
    fold: FoldState,
    times: number[],
    signal: AbortSignal | undefined,
  ): Promise<Estimator[]> {
    const problems = new Map<string, GlmProblem>();
    const models: Estimator[] = [];
    let warm: PathStart | undefined;
    try {
      for (const i of members) {
        const own = Object.fromEntries(
          Object.entries(this.candidates[i]!)
            .filter(([k]) => !this.pipeline || k.startsWith(this.finalPrefix))
            .map(([k, v]) => [k.slice(this.finalPrefix.length), v]),
        );
        const model = (this.pipeline ? this.pipeline.final : (this.estimator as Estimator)).clone().setParams(own);
        model.options.runtime = this.data.runtime;
        const t0 = performance.now();
        let problem = problems.get(model.problemKey);
        if (!problem) problems.set(model.problemKey, (problem = await model.createProblem(trainT, fold.ytr, fold.wtr)));
        await model.fitProblem(problem, warm ? { path: warm, signal } : { signal });
        times.push((performance.now() - t0) / 1000);
        warm = model.pathStart;
        models.push(model);
      }
      return models;
    } finally {
      for (const problem of problems.values()) problem.release();
    }
  }

  private releaseGroup(fold: FoldState): void {
    if (fold.group?.persisted) fold.group.trainT.release();
    fold.group = undefined;
  }

  /** Frees the fold's persisted rows (the search's data stays: its owner releases it). */
  release(): void {
    if (!this.state) return;
    this.releaseGroup(this.state);
    this.state.ytr.release();
    this.state = undefined;
  }
}
