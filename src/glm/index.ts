/**
 * GLMs: the Dask-GLM solvers (gradient descent, Newton, L-BFGS, proximal gradient, ADMM) for the
 * logistic, normal and Poisson families with L1, L2 and elastic-net penalties, behind
 * scikit-learn-like estimators: `new glm.LogisticRegression({ solver: "lbfgs" }).fit(X, y)`.
 */
import { LinearRegression, LogisticRegression, PoissonRegression } from "./estimators.js";
import { SOLVERS } from "./options.js";
import { admm } from "./solvers/admm.js";
import { gradientDescent } from "./solvers/gradient-descent.js";
import { lbfgs } from "./solvers/lbfgs.js";
import { newton } from "./solvers/newton.js";
import { proximalGrad } from "./solvers/proximal.js";
import { DEFAULT_TOL, NonFiniteError, Penalized } from "./solvers/common.js";
import { Coordinates } from "./scaling.js";
import { ScaledObjective } from "./scaled-objective.js";
import { GlmProblem, guidedPieces } from "./problem.js";
import { Regularizer, REGULARIZERS } from "./regularizers.js";
import { FAMILIES, family } from "./families.js";
import { registerGlmOps } from "./ops.js";

/** The glm namespace: estimators, and the pieces under them for custom loops. */
export const glm = {
  LogisticRegression,
  LinearRegression,
  PoissonRegression,
  SOLVERS,
  REGULARIZERS,
  FAMILIES,
  family,
  Regularizer,
  GlmProblem,
  guidedPieces,
  /** Registers the GLM chunk ops (glmChunkLossGrad and others) in a registry of one's own. */
  registerOps: registerGlmOps,
  Penalized,
  NonFiniteError,
  DEFAULT_TOL,
  Coordinates,
  ScaledObjective,
  solvers: { lbfgs, newton, gradient_descent: gradientDescent, proximal_grad: proximalGrad, admm },
};

export { LinearRegression, LogisticRegression, PoissonRegression } from "./estimators.js";
export type { EstimatorOptions, FitOptions, FitWarning, ScoreOptions, SolverName } from "./options.js";
export type { ModelJSON } from "./saved-model.js";
export type { MatrixLike, VectorLike } from "../base/inputs.js";
export type { Classes, Label, LabelsLike, LabelsOf } from "../base/labels.js";
export { NonFiniteError } from "./solvers/common.js";
export type { CurvaturePairs, SolverOptions, SolverResult } from "./solvers/common.js";
export type { FamilyName } from "./families.js";
export type { RegularizerName } from "./regularizers.js";
