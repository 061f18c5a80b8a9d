/**
 * Scores of a regressor's predictions: R^2, mean squared error, and the fraction of Poisson
 * deviance explained (D^2) for counts. R^2 and D^2 share one rule for a truth with nothing to
 * explain (fractionExplained). Each takes scikit-learn's sample weights as `{ sampleWeight }`.
 */
import { ArgumentError } from "../errors.js";
import { checkPair, checkSampleWeight, checkTwoValues, weightedMean, type MetricOptions } from "./checks.js";

/**
 * 1 - residual / total, the fraction of the spread explained (R^2, D^2). With nothing to explain
 * (a constant truth, total 0) it is 1 for a perfect prediction, else 0: scikit-learn's
 * force_finite, rather than NaN or -Infinity.
 */
export function fractionExplained(residual: number, total: number): number {
  if (total === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / total;
}

/**
 * Coefficient of determination. For a constant yTrue it is 1 for a perfect prediction, else 0
 * (scikit-learn's force_finite); one value is refused (scikit-learn returns NaN there). With
 * `sampleWeight`, both sums of squares are weighted and the center is the weighted mean.
 */
export function r2(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options?: MetricOptions): number {
  checkPair(yTrue, yPred, "r2");
  checkTwoValues(yTrue.length, "R^2", "yTrue", "r2");
  const weights = checkSampleWeight(options, yTrue.length, "r2");
  const center = weightedMean(yTrue, weights);
  let res = 0,
    tot = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const w = weights ? weights[i]! : 1;
    res += w * (yTrue[i]! - yPred[i]!) ** 2;
    tot += w * (yTrue[i]! - center) ** 2;
  }
  return fractionExplained(res, tot);
}

/** The mean of the squared differences between `yTrue` and `yPred` (weighted by `sampleWeight` when given). */
export function meanSquaredError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options?: MetricOptions): number {
  checkPair(yTrue, yPred, "meanSquaredError");
  const weights = checkSampleWeight(options, yTrue.length, "meanSquaredError");
  let sum = 0,
    total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const w = weights ? weights[i]! : 1;
    sum += w * (yTrue[i]! - yPred[i]!) ** 2;
    total += w;
  }
  return sum / total;
}

/** The Poisson deviance of a count y at the expected count mu (0 only where exp underflowed: then Infinity for y > 0). */
const poissonDeviance = (y: number, mu: number) => 2 * ((y > 0 ? y * Math.log(y / mu) : 0) - (y - mu));

/**
 * Fraction of Poisson deviance explained by expected counts `mu` (scikit-learn's D^2 for
 * Poisson regression, d2_tweedie_score with power 1): counts >= 0, expected counts >= 0. For a
 * constant yTrue it is 1 for a perfect prediction, else 0, as for R^2; one value is refused.
 * With `sampleWeight`, both deviances are weighted sums and the null model is the weighted mean.
 */
export function d2Poisson(yTrue: ArrayLike<number>, mu: ArrayLike<number>, options?: MetricOptions): number {
  checkPair(yTrue, mu, "d2Poisson", "mu");
  checkTwoValues(yTrue.length, "D^2", "yTrue", "d2Poisson");
  const weights = checkSampleWeight(options, yTrue.length, "d2Poisson");
  for (let i = 0; i < yTrue.length; i++) {
    if (!(yTrue[i]! >= 0)) throw new ArgumentError("yTrue", "counts >= 0", `${yTrue[i]} at index ${i}`, "d2Poisson");
    if (!(mu[i]! >= 0)) throw new ArgumentError("mu", "expected counts >= 0", `${mu[i]} at index ${i}`, "d2Poisson");
  }
  const center = weightedMean(yTrue, weights);
  let deviance = 0,
    nullDeviance = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const w = weights ? weights[i]! : 1;
    deviance += w * poissonDeviance(yTrue[i]!, mu[i]!);
    nullDeviance += w * poissonDeviance(yTrue[i]!, center);
  }
  return fractionExplained(deviance, nullDeviance);
}
