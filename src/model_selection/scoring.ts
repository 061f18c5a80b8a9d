/**
 * Scores of predictions against the truth: accuracy, log-loss and ROC AUC for classifiers; R^2
 * and mean squared error for regressors. Plain functions of Float64Arrays (the values a model's
 * predict gives back).
 */
import { ArgumentError, describe } from "../errors.js";
import { firstNonFinite } from "../validate.js";
import { fractionExplained } from "../glm/explained.js";

/** An array or typed array of finite numbers: a NaN would make the score NaN (or, sorted, a wrong one). */
function checkValues(values: unknown, name: string, where: string): void {
  if (!Array.isArray(values) && !(ArrayBuffer.isView(values) && !(values instanceof DataView))) {
    throw new ArgumentError(name, "an array or typed array of numbers", values, where);
  }
  const list = values as ArrayLike<unknown>;
  const bad = firstNonFinite(list);
  if (bad >= 0) throw new ArgumentError(name, "finite numbers", `${describe(list[bad])} at index ${bad}`, where);
}

/** Both arguments finite numbers, as many predictions (named `predName`) as true values, at least one. */
function check(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, where: string, predName = "yPred"): void {
  checkValues(yTrue, "yTrue", where);
  checkValues(yPred, predName, where);
  if (yTrue.length !== yPred.length) throw new ArgumentError(predName, `${yTrue.length} values like yTrue`, `${yPred.length} values`, where);
  if (yTrue.length === 0) throw new ArgumentError("yTrue", "at least one value", "none", where);
}

/** Labels of a binary classifier: 0 or 1 (a 2 or a -1 would count as class 0 in silence). */
function checkLabels(yTrue: ArrayLike<number>, where: string): void {
  for (let i = 0; i < yTrue.length; i++) {
    if (yTrue[i] !== 0 && yTrue[i] !== 1) throw new ArgumentError("yTrue", "labels 0 or 1", `${yTrue[i]} at index ${i}`, where);
  }
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
  check(yTrue, proba, "logLoss", "proba");
  checkLabels(yTrue, "logLoss");
  for (let i = 0; i < proba.length; i++) {
    if (!(proba[i]! >= 0 && proba[i]! <= 1)) throw new ArgumentError("proba", "probabilities in [0, 1]", `${proba[i]} at index ${i}`, "logLoss");
  }
  // eps 0 lets a sure wrong answer cost Infinity; eps >= 0.5 turns the clipping upside down
  if (typeof eps !== "number" || !(eps > 0 && eps < 0.5)) throw new ArgumentError("eps", "a number in (0, 0.5)", eps, "logLoss");
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const p = Math.min(1 - eps, Math.max(eps, proba[i]!));
    s -= yTrue[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return s / yTrue.length;
}

/** Area under the ROC curve: the probability that a random positive scores above a random negative (ties count half). */
export function rocAuc(yTrue: ArrayLike<number>, score: ArrayLike<number>): number {
  check(yTrue, score, "rocAuc", "score");
  checkLabels(yTrue, "rocAuc");
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

/**
 * Coefficient of determination. For a constant yTrue it is 1 for a perfect prediction, else 0
 * (scikit-learn's force_finite); one value is refused (scikit-learn returns NaN there).
 */
export function r2(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  check(yTrue, yPred, "r2");
  if (yTrue.length < 2) throw new ArgumentError("yTrue", "at least two values (R^2 is not defined for one)", "1 value", "r2");
  let mean = 0;
  for (let i = 0; i < yTrue.length; i++) mean += yTrue[i]!;
  mean /= yTrue.length;
  let res = 0, tot = 0;
  for (let i = 0; i < yTrue.length; i++) {
    res += (yTrue[i]! - yPred[i]!) ** 2;
    tot += (yTrue[i]! - mean) ** 2;
  }
  return fractionExplained(res, tot);
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
