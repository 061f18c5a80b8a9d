/** R^2 and D^2 share one rule for a truth with nothing to explain (estimators' score and the scorers). */

/**
 * 1 - residual / total, the fraction of the spread explained (R^2, D^2). With nothing to explain
 * (a constant truth, total 0) it is 1 for a perfect prediction, else 0: scikit-learn's
 * force_finite, rather than NaN or -Infinity. @internal
 */
export function fractionExplained(residual: number, total: number): number {
  if (total === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / total;
}
