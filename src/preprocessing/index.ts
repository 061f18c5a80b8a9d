/** Feature transformers: StandardScaler, MinMaxScaler, PolynomialFeatures. */
export { StandardScaler, MinMaxScaler, PolynomialFeatures } from "./transformers.js";
export type { Transformer, TransformerJSON, TransformerKind } from "./transformers.js";
