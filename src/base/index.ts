/**
 * What estimators and transformers share, as scikit-learn's BaseEstimator: parameters by name
 * and unfitted copies (params.ts), the one check of the data and runtime they are given
 * (inputs.ts), and classifiers' labels (labels.ts).
 */
export { BaseEstimator, NOT_PARAMETERS, checkParamNames, parametersOf } from "./params.js";
export { checkMatrix, checkRuntime, toMatrix, toVector, vectorValues } from "./inputs.js";
export type { MatrixLike, VectorLike } from "./inputs.js";
export { binaryClasses, checkClasses, decodeLabels, encodeLabels, labelValues, uniqueLabels } from "./labels.js";
export type { Classes, Label, LabelsLike, LabelsOf } from "./labels.js";
