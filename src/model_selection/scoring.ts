/**
 * Scorers by name, for grid search: which kind of model each fits (classifier or regressor),
 * whether it reads predictions or probabilities, and its score, higher is better, of the truth,
 * the predictions and optionally one sample weight per row. The scores are src/metrics'
 * functions.
 */
import { accuracy, logLoss, meanSquaredError, r2, rocAuc } from "../metrics/index.js";

/** Scorers by name: higher is better (losses are negated, as scikit-learn's neg_* scorers). */
export const SCORERS = {
  accuracy: {
    kind: "classifier",
    uses: "predict",
    score: (y: ArrayLike<number>, p: ArrayLike<number>, w?: ArrayLike<number>) => accuracy(y, p, { sampleWeight: w }),
  },
  log_loss: {
    kind: "classifier",
    uses: "proba",
    score: (y: ArrayLike<number>, p: ArrayLike<number>, w?: ArrayLike<number>) => -logLoss(y, p, { sampleWeight: w }),
  },
  roc_auc: {
    kind: "classifier",
    uses: "proba",
    score: (y: ArrayLike<number>, p: ArrayLike<number>, w?: ArrayLike<number>) => rocAuc(y, p, { sampleWeight: w }),
  },
  r2: {
    kind: "regressor",
    uses: "predict",
    score: (y: ArrayLike<number>, p: ArrayLike<number>, w?: ArrayLike<number>) => r2(y, p, { sampleWeight: w }),
  },
  neg_mean_squared_error: {
    kind: "regressor",
    uses: "predict",
    score: (y: ArrayLike<number>, p: ArrayLike<number>, w?: ArrayLike<number>) => -meanSquaredError(y, p, { sampleWeight: w }),
  },
} as const;
