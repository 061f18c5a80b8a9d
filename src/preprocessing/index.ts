/** Feature transformers: StandardScaler, MinMaxScaler, PolynomialFeatures. */
export { StandardScaler, MinMaxScaler, PolynomialFeatures } from "./transformers.js";
export type { Transformer } from "./transformers.js";
