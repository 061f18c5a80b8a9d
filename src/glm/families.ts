/**
 * GLM families: the loss of one observation at linear predictor eta, the mean, and the Hessian
 * weight, with the names of the fused kernels that compute them over a chunk in one pass.
 *
 *   logistic: loss log(1 + exp(eta)) - y eta, mean sigmoid(eta), weight mu (1 - mu)
 *   normal:   loss (eta - y)^2 / 2,            mean eta,          weight 1
 *   poisson:  loss exp(eta) - y eta,           mean exp(eta),     weight mu
 *
 * (Poisson's loss leaves out log(y!), a constant.) The formulas are the kernels' own
 * (GLM_FAMILY_MATH, which the js kernels loop over); the objective is the sum of losses plus
 * lambda times the penalty.
 */
import { ArgumentError } from "../errors.js";
import { GLM_FAMILY_MATH } from "../kernels/scalar-math.js";

export const FAMILIES = ["logistic", "normal", "poisson"] as const;
/** A GLM family: logistic, normal or poisson. */
export type FamilyName = (typeof FAMILIES)[number];

export interface Family {
  readonly name: FamilyName;
  /** Kernel names: loss and gradient together, loss alone, Hessian weights. */
  readonly lossGradKernel: "glmLogisticLossGrad" | "glmNormalLossGrad" | "glmPoissonLossGrad";
  readonly lossKernel: "glmLogisticLoss" | "glmNormalLoss" | "glmPoissonLoss";
  readonly weightsKernel: "glmLogisticWeights" | "glmNormalWeights" | "glmPoissonWeights";
  /** The same with a sample weight per row (fit's sampleWeight): loss and gradient, loss alone. */
  readonly lossGradWeightedKernel: "glmLogisticLossGradWeighted" | "glmNormalLossGradWeighted" | "glmPoissonLossGradWeighted";
  readonly lossWeightedKernel: "glmLogisticLossWeighted" | "glmNormalLossWeighted" | "glmPoissonLossWeighted";
  /** The mean at eta (for predictions). */
  mean(eta: number): number;
  /** Loss of one observation (for tests and scores). */
  loss(eta: number, y: number): number;
  /** Why y is not a valid label, or undefined. */
  checkLabel(y: number): string | undefined;
}

const logistic: Family = {
  name: "logistic",
  lossGradKernel: "glmLogisticLossGrad",
  lossKernel: "glmLogisticLoss",
  weightsKernel: "glmLogisticWeights",
  lossGradWeightedKernel: "glmLogisticLossGradWeighted",
  lossWeightedKernel: "glmLogisticLossWeighted",
  mean: GLM_FAMILY_MATH.logistic.mean,
  loss: GLM_FAMILY_MATH.logistic.loss,
  checkLabel: (y) => (y === 0 || y === 1 ? undefined : "a label 0 or 1"),
};

const normal: Family = {
  name: "normal",
  lossGradKernel: "glmNormalLossGrad",
  lossKernel: "glmNormalLoss",
  weightsKernel: "glmNormalWeights",
  lossGradWeightedKernel: "glmNormalLossGradWeighted",
  lossWeightedKernel: "glmNormalLossWeighted",
  mean: GLM_FAMILY_MATH.normal.mean,
  loss: GLM_FAMILY_MATH.normal.loss,
  checkLabel: (y) => (Number.isFinite(y) ? undefined : "a finite number"),
};

const poisson: Family = {
  name: "poisson",
  lossGradKernel: "glmPoissonLossGrad",
  lossKernel: "glmPoissonLoss",
  weightsKernel: "glmPoissonWeights",
  lossGradWeightedKernel: "glmPoissonLossGradWeighted",
  lossWeightedKernel: "glmPoissonLossWeighted",
  mean: GLM_FAMILY_MATH.poisson.mean,
  loss: GLM_FAMILY_MATH.poisson.loss,
  checkLabel: (y) => (Number.isFinite(y) && y >= 0 ? undefined : "a count >= 0"),
};

const BY_NAME: Record<FamilyName, Family> = { logistic, normal, poisson };

export function family(name: FamilyName): Family {
  const f = BY_NAME[name];
  if (!f) throw new ArgumentError("family", `one of ${FAMILIES.join(", ")}`, name, "glm");
  return f;
}
