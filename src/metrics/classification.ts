/**
 * Scores of a binary classifier's predictions: accuracy of its classes, log-loss and ROC AUC of
 * its probabilities of class 1. Plain functions of arrays (what a model's predict gives back).
 */
import { ArgumentError } from "../errors.js";
import { checkLabels, checkPair } from "./checks.js";

/** Fraction of predictions equal to the truth. */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkPair(yTrue, yPred, "accuracy");
  let right = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) right++;
  return right / yTrue.length;
}

/** Mean negative log-likelihood of probabilities of class 1 (clipped to [eps, 1 - eps] like scikit-learn). */
export function logLoss(yTrue: ArrayLike<number>, proba: ArrayLike<number>, eps = 1e-15): number {
  checkPair(yTrue, proba, "logLoss", "proba");
  checkLabels(yTrue, "logLoss");
  for (let i = 0; i < proba.length; i++) {
    if (!(proba[i]! >= 0 && proba[i]! <= 1))
      throw new ArgumentError("proba", "probabilities in [0, 1]", `${proba[i]} at index ${i}`, "logLoss");
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
  checkPair(yTrue, score, "rocAuc", "score");
  checkLabels(yTrue, "rocAuc");
  const order = Array.from({ length: yTrue.length }, (_, i) => i).sort((a, b) => score[a]! - score[b]!);
  let positives = 0,
    negatives = 0,
    rankSum = 0;
  // average ranks over ties
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && score[order[j + 1]!] === score[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (yTrue[order[k]!] === 1) rankSum += rank;
    i = j + 1;
  }
  for (let i = 0; i < yTrue.length; i++) yTrue[i] === 1 ? positives++ : negatives++;
  if (positives === 0 || negatives === 0) throw new ArgumentError("yTrue", "both classes (0 and 1)", "one class only", "rocAuc");
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
