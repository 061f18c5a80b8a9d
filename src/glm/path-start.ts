/**
 * Warm starts along a regularization path: where one fit ended (its coefficients and the
 * curvature pairs lbfgs gathered) made valid for a neighbouring fit, whose L2 weight differs.
 * Grid search fits its candidates along lambda, descending, each from the previous one's end.
 */
import type { Coordinates } from "./scaling.js";
import type { CurvaturePairs } from "./solvers/common.js";

/**
 * A warm start along a regularization path: the coefficients (then the intercept) a neighbouring
 * fit ended at, its curvature pairs (in the coefficients' own coordinates), and the L2 weight
 * they belong to. @internal
 */
export interface PathStart {
  coef: Float64Array;
  pairs?: CurvaturePairs;
  /** The L2 weight (lambda times its L2 share) of the fit the pairs come from. */
  l2: number;
  /** Whether that fit's penalty was smooth (the pairs are then the full objective's). */
  smooth: boolean;
}

/**
 * Curvature pairs of a fit with L2 weight l2, made valid for one with l2 + delta: the data part
 * of the Hessian is the same, the penalty's adds delta to the coefficients' (not the intercept's)
 * diagonal, so y gains delta * s on the first p entries.
 */
function shiftPairs(pairs: CurvaturePairs, delta: number, p: number): CurvaturePairs {
  return {
    s: pairs.s,
    y: pairs.y.map((y, k) => Float64Array.from(y, (v, j) => (j < p ? v + delta * pairs.s[k]![j]! : v))),
  };
}

/**
 * The curvature pairs of `path` for a fit with L2 weight `l2` of p coefficients, seen in
 * `coords` (steps by J^-1, gradient changes by J^T); none unless both penalties are smooth (an
 * L1 part's curvature is not the pairs').
 */
export function pairsForFit(
  path: PathStart | undefined,
  l2: number,
  smooth: boolean,
  p: number,
  coords: Coordinates,
): CurvaturePairs | undefined {
  if (!path?.pairs || !smooth || !path.smooth) return undefined;
  const pairs = shiftPairs(path.pairs, l2 - path.l2, p);
  return { s: pairs.s.map((s) => coords.toScaled(s)), y: pairs.y.map((y) => coords.gradientToScaled(y)) };
}

/** Curvature pairs in `coords`, seen in the coefficients' own coordinates (what a PathStart keeps). */
export function pairsFromCoordinates(pairs: CurvaturePairs, coords: Coordinates): CurvaturePairs {
  return { s: pairs.s.map((s) => coords.toOriginal(s)), y: pairs.y.map((y) => coords.gradientToOriginal(y)) };
}
