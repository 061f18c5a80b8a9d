/**
 * The door through which data held elsewhere (weftjs/cluster's datasets, on worker processes)
 * reaches the estimators: an object that makes the GLM problem of its rows, whose loss, gradient
 * and Hessian are sums computed where the rows are. The estimators fit it with the same solvers
 * as a local GlmProblem; they do not know where the sums come from.
 */
import type { Family, FamilyName } from "./families.js";
import type { SmoothObjective } from "./objective.js";
import type { DataStatistics } from "./scaling.js";

/** A GLM problem whose rows are held elsewhere. */
export interface RemoteProblem extends SmoothObjective {
  readonly family: Family;
  readonly intercept: boolean;
  /** Row chunks over all the places the rows are (ADMM's consensus blocks). */
  readonly chunks: number;
  /** The data's statistics (scaling.ts), combined from every place's. */
  statistics(): DataStatistics;
  /** Frees what the problem holds where the rows are (the rows themselves stay loaded). */
  release(): void;
}

/** Data an estimator fits without holding it: `model.fit(data)`, the target inside the data. */
export interface DistributedData {
  /** Marks the kind (the estimators test for it). */
  readonly distributed: true;
  /** The GLM problem of the data for a family, with or without an intercept. */
  glmProblem(family: FamilyName, intercept: boolean, signal?: AbortSignal): Promise<RemoteProblem>;
}

/** Whether `x` is DistributedData. */
export function isDistributedData(x: unknown): x is DistributedData {
  return (
    x !== null &&
    typeof x === "object" &&
    (x as DistributedData).distributed === true &&
    typeof (x as DistributedData).glmProblem === "function"
  );
}
