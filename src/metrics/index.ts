/**
 * Metrics: scores of predictions against the truth, plain functions of arrays with their
 * arguments checked (finite, as many predictions as true values). Below the estimators, so their
 * score() and model selection's scorers compute one thing one way.
 */
export { accuracy, logLoss, rocAuc, type LogLossOptions } from "./classification.js";
export { r2, meanSquaredError, d2Poisson, fractionExplained } from "./regression.js";
export { checkTwoValues, type MetricOptions } from "./checks.js";
