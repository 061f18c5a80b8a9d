/**
 * Scores of predictions against the truth: accuracy, log-loss and ROC AUC for classifiers; R^2
 * and mean squared error for regressors. Plain functions of Float64Arrays (the values a model's
 * predict gives back).
 */
import { ArgumentError } from "../errors.js";

function check(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, where: string): void {
  if (yTrue.length !== yPred.length) throw new ArgumentError("yPred", `${yTrue.length} values like yTrue`, `${yPred.length} values`, where);
  if (yTrue.length === 0) throw new ArgumentError("yTrue", "at least one value", "none", where);
}

/** Fraction of predictions equal to the truth. */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  check(yTrue, yPred, "accuracy");
  let right = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) right++;
  return right / yTrue.length;
}

/** Mean negative log-likelihood of probabilities of class 1 (clipped to [eps, 1 - eps] like scikit-learn). */
export function logLoss(yTrue: ArrayLike<number>, proba: ArrayLike<number>, eps = 1e-15): number {
  check(yTrue, proba, "logLoss");
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const p = Math.min(1 - eps, Math.max(eps, proba[i]!));
    s -= yTrue[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return s / yTrue.length;
}

/** Area under the ROC curve: the probability that a random positive scores above a random negative (ties count half). */
export function rocAuc(yTrue: ArrayLike<number>, score: ArrayLike<number>): number {
  check(yTrue, score, "rocAuc");
  const order = Array.from({ length: yTrue.length }, (_, i) => i).sort((a, b) => score[a]! - score[b]!);
  let positives = 0, negatives = 0, rankSum = 0;
  // average ranks over ties
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && score[order[j + 1]!] === score[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (yTrue[order[k]!] === 1) rankSum += rank;
    i = j + 1;
  }
  for (let i = 0; i < yTrue.length; i++) (yTrue[i] === 1 ? positives++ : negatives++);
  if (positives === 0 || negatives === 0) throw new ArgumentError("yTrue", "both classes (0 and 1)", "one class only", "rocAuc");
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Coefficient of determination. */
export function r2(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  check(yTrue, yPred, "r2");
  let mean = 0;
  for (let i = 0; i < yTrue.length; i++) mean += yTrue[i]!;
  mean /= yTrue.length;
  let res = 0, tot = 0;
  for (let i = 0; i < yTrue.length; i++) {
    res += (yTrue[i]! - yPred[i]!) ** 2;
    tot += (yTrue[i]! - mean) ** 2;
  }
  return 1 - res / tot;
}

/** The mean of the squared differences between `yTrue` and `yPred`. */
export function meanSquaredError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  check(yTrue, yPred, "meanSquaredError");
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += (yTrue[i]! - yPred[i]!) ** 2;
  return s / yTrue.length;
}

/** Scorers by name: higher is better (losses are negated, as scikit-learn's neg_* scorers). */
export const SCORERS = {
  accuracy: { kind: "classifier", uses: "predict", score: accuracy },
  log_loss: { kind: "classifier", uses: "proba", score: (y: ArrayLike<number>, p: ArrayLike<number>) => -logLoss(y, p) },
  roc_auc: { kind: "classifier", uses: "proba", score: rocAuc },
  r2: { kind: "regressor", uses: "predict", score: r2 },
  neg_mean_squared_error: { kind: "regressor", uses: "predict", score: (y: ArrayLike<number>, p: ArrayLike<number>) => -meanSquaredError(y, p) },
} as const;
