/**
 * What every metric asks of its arguments: finite numbers, as many predictions as true values,
 * labels 0 or 1 for a binary classifier, two values for a fraction explained, sample weights
 * >= 0 (one per value, not all 0). Each failure is an ArgumentError naming the argument and the
 * metric.
 */
import { ArgumentError } from "../errors.js";
import { checkFiniteValues, checkOptions } from "../validate.js";

/** Options every metric takes: scikit-learn's sample_weight. */
export interface MetricOptions {
  /**
   * One weight per value, finite and >= 0, not all 0: the score is a weighted mean (weighted
   * sums for R^2 and D^2, weighted pairs for ROC AUC), as scikit-learn's sample_weight makes it.
   * A whole number k weighs a value as k copies of it would.
   */
  sampleWeight?: ArrayLike<number>;
}

/**
 * A metric's options checked (only `sampleWeight`, plus `extra` names) and its sample weights:
 * one per true value (`count`), finite and >= 0, with a sum > 0; undefined when not given.
 */
export function checkSampleWeight(
  options: MetricOptions | undefined,
  count: number,
  where: string,
  extra: readonly string[] = [],
): ArrayLike<number> | undefined {
  const given = checkOptions(options, where, ["sampleWeight", ...extra]).sampleWeight;
  if (given === undefined) return undefined;
  const weights = checkFiniteValues(given, "sampleWeight", where);
  if (weights.length !== count) throw new ArgumentError("sampleWeight", `${count} weights like yTrue`, `${weights.length} weights`, where);
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    if (!(weights[i]! >= 0)) throw new ArgumentError("sampleWeight", "weights >= 0", `${weights[i]} at index ${i}`, where);
    total += weights[i]!;
  }
  if (!(total > 0 && total < Infinity))
    throw new ArgumentError("sampleWeight", "weights >= 0 with a finite sum > 0", `weights summing to ${total}`, where);
  return weights;
}

/** The mean of `values` (at least one), weighted by `weights` when given. */
export function weightedMean(values: ArrayLike<number>, weights: ArrayLike<number> | undefined): number {
  let sum = 0,
    total = 0;
  for (let i = 0; i < values.length; i++) {
    const w = weights ? weights[i]! : 1;
    sum += w * values[i]!;
    total += w;
  }
  return sum / total;
}

/** Both arguments finite numbers, as many predictions (named `predName`) as true values, at least one. */
export function checkPair(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, where: string, predName = "yPred"): void {
  checkFiniteValues(yTrue, "yTrue", where);
  checkFiniteValues(yPred, predName, where);
  if (yTrue.length !== yPred.length)
    throw new ArgumentError(predName, `${yTrue.length} values like yTrue`, `${yPred.length} values`, where);
  if (yTrue.length === 0) throw new ArgumentError("yTrue", "at least one value", "none", where);
}

/** Labels of a binary classifier: 0 or 1 (a 2 or a -1 would count as class 0 in silence). */
export function checkLabels(yTrue: ArrayLike<number>, where: string): void {
  for (let i = 0; i < yTrue.length; i++) {
    if (yTrue[i] !== 0 && yTrue[i] !== 1) throw new ArgumentError("yTrue", "labels 0 or 1", `${yTrue[i]} at index ${i}`, where);
  }
}

/**
 * At least two true values for a fraction explained (`measure`: R^2, D^2): with one, the data's
 * own spread is nothing to compare to (scikit-learn returns NaN with a warning; weft refuses).
 * `name` and `where` are the caller's: yTrue for a metric, y for an estimator's score.
 */
export function checkTwoValues(count: number, measure: string, name: string, where: string): void {
  if (count < 2) throw new ArgumentError(name, `at least two values (${measure} is not defined for one)`, `${count} value`, where);
}
