/**
 * Scores of a binary classifier's predictions: accuracy of its classes, log-loss and ROC AUC of
 * its probabilities of class 1. Plain functions of arrays (what a model's predict gives back);
 * each takes scikit-learn's sample weights as `{ sampleWeight }`.
 */
import { ArgumentError } from "../errors.js";
import { checkLabels, checkPair, checkSampleWeight, type MetricOptions } from "./checks.js";

/** Fraction of predictions equal to the truth (weighted by `sampleWeight` when given). */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options?: MetricOptions): number {
  checkPair(yTrue, yPred, "accuracy");
  const weights = checkSampleWeight(options, yTrue.length, "accuracy");
  // plain loops, no array of per-row terms: grid search scores every candidate on every fold
  let right = 0,
    total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const w = weights ? weights[i]! : 1;
    if (yTrue[i] === yPred[i]) right += w;
    total += w;
  }
  return right / total;
}

/** Options of logLoss: the clipping of probabilities, and sample weights. */
export interface LogLossOptions extends MetricOptions {
  /** Probabilities are clipped to [eps, 1 - eps] (default 1e-15, like scikit-learn). */
  eps?: number;
}

/**
 * Mean negative log-likelihood of probabilities of class 1 (clipped to [eps, 1 - eps] like
 * scikit-learn), weighted by `sampleWeight` when given. The third argument is eps itself or
 * `{ eps, sampleWeight }`.
 */
export function logLoss(yTrue: ArrayLike<number>, proba: ArrayLike<number>, options: number | LogLossOptions = 1e-15): number {
  checkPair(yTrue, proba, "logLoss", "proba");
  checkLabels(yTrue, "logLoss");
  for (let i = 0; i < proba.length; i++) {
    if (!(proba[i]! >= 0 && proba[i]! <= 1))
      throw new ArgumentError("proba", "probabilities in [0, 1]", `${proba[i]} at index ${i}`, "logLoss");
  }
  const byName = typeof options === "object" && options !== null;
  const weights = byName ? checkSampleWeight(options, yTrue.length, "logLoss", ["eps"]) : undefined;
  const eps: unknown = byName ? (options.eps ?? 1e-15) : options;
  // eps 0 lets a sure wrong answer cost Infinity; eps >= 0.5 turns the clipping upside down
  if (typeof eps !== "number" || !(eps > 0 && eps < 0.5)) throw new ArgumentError("eps", "a number in (0, 0.5)", eps, "logLoss");
  let sum = 0,
    total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const w = weights ? weights[i]! : 1;
    const p = Math.min(1 - eps, Math.max(eps, proba[i]!));
    sum += w * (yTrue[i] === 1 ? -Math.log(p) : -Math.log(1 - p));
    total += w;
  }
  return sum / total;
}

/**
 * Area under the ROC curve: the probability that a random positive scores above a random
 * negative (ties count half). With `sampleWeight`, pairs count by the product of their weights,
 * which is the area under scikit-learn's weighted ROC curve.
 */
export function rocAuc(yTrue: ArrayLike<number>, score: ArrayLike<number>, options?: MetricOptions): number {
  checkPair(yTrue, score, "rocAuc", "score");
  checkLabels(yTrue, "rocAuc");
  const weights = checkSampleWeight(options, yTrue.length, "rocAuc");
  const weight = (i: number) => (weights ? weights[i]! : 1);
  const order = new Int32Array(yTrue.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => score[a]! - score[b]!);
  // from the lowest score up, each group of tied scores: its positives beat every negative
  // below it and tie with its own negatives (half a pair each)
  let positives = 0,
    negatives = 0,
    pairs = 0;
  for (let i = 0; i < order.length; ) {
    let groupPositives = 0,
      groupNegatives = 0;
    const s = score[order[i]!];
    for (; i < order.length && score[order[i]!] === s; i++) {
      if (yTrue[order[i]!] === 1) groupPositives += weight(order[i]!);
      else groupNegatives += weight(order[i]!);
    }
    pairs += groupPositives * (negatives + 0.5 * groupNegatives);
    positives += groupPositives;
    negatives += groupNegatives;
  }
  if (!(positives > 0 && negatives > 0))
    throw new ArgumentError("yTrue", "both classes (0 and 1)", weights ? "one class only with weight > 0" : "one class only", "rocAuc");
  return pairs / (positives * negatives);
}
