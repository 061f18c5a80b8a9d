/**
 * What every metric asks of its arguments: finite numbers, as many predictions as true values,
 * labels 0 or 1 for a binary classifier, two values for a fraction explained. Each failure is an
 * ArgumentError naming the argument and the metric.
 */
import { ArgumentError } from "../errors.js";
import { checkFiniteValues } from "../validate.js";

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
