/** Splitting rows (KFold, trainTestSplit, selectRows) and scoring predictions. */
export { KFold, trainTestSplit, selectRows, permutation } from "./split.js";
export type { Fold } from "./split.js";
export { accuracy, logLoss, rocAuc, r2, meanSquaredError, SCORERS } from "./scoring.js";
