/**
 * Scorers by name, for grid search: which kind of model each fits (classifier or regressor),
 * whether it reads predictions or probabilities, and its score, higher is better. The scores
 * are src/metrics' functions.
 */
import { accuracy, logLoss, meanSquaredError, r2, rocAuc } from "../metrics/index.js";

/** Scorers by name: higher is better (losses are negated, as scikit-learn's neg_* scorers). */
export const SCORERS = {
  accuracy: { kind: "classifier", uses: "predict", score: accuracy },
  log_loss: { kind: "classifier", uses: "proba", score: (y: ArrayLike<number>, p: ArrayLike<number>) => -logLoss(y, p) },
  roc_auc: { kind: "classifier", uses: "proba", score: rocAuc },
  r2: { kind: "regressor", uses: "predict", score: r2 },
  neg_mean_squared_error: {
    kind: "regressor",
    uses: "predict",
    score: (y: ArrayLike<number>, p: ArrayLike<number>) => -meanSquaredError(y, p),
  },
} as const;
