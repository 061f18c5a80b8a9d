/**
 * A fitted GLM estimator saved as JSON (toJSON) and read back (fromJSON): what is written, and
 * the checks a saved model passes before it is trusted (a model that predicts NaN is refused
 * when read, not at predict).
 */
import { ArgumentError, describe } from "../errors.js";
import { firstNonFinite } from "../validate.js";
import type { FamilyName } from "./families.js";
import type { EstimatorOptions } from "./options.js";

/** A saved model: what toJSON() writes and fromJSON() reads. */
export interface ModelJSON {
  kind: "LogisticRegression" | "LinearRegression" | "PoissonRegression";
  family: FamilyName;
  coef: number[];
  intercept: number;
  options: Omit<EstimatorOptions, "runtime" | "onIteration" | "signal">;
  nIter: number;
  objective: number;
  converged: boolean;
  /** The optimality residual at the saved coefficients (what `converged` was judged on). */
  optimality?: number;
  /** LogisticRegression: its two classes, sorted (absent in files saved before classes were kept: 0 and 1). */
  classes?: [number, number] | [string, string];
}

/** The options of a saved model, or nothing for what is not one (checkSavedModel then says what was expected). */
export function savedOptions(json: ModelJSON): EstimatorOptions {
  return json !== null && typeof json === "object" && json.options !== null && typeof json.options === "object" ? json.options : {};
}

/**
 * `json` as toJSON() writes a `kind` model: finite coefficients (at least one) and intercept; the
 * fit's record (nIter, objective, converged, optimality) optional, but of its type when there
 * (JSON writes NaN as null). Errors name `json`, in fromJSON.
 */
export function checkSavedModel(json: ModelJSON, kind: ModelJSON["kind"]): ModelJSON {
  const saved = `a saved ${kind} (toJSON())`;
  if (
    json === null ||
    typeof json !== "object" ||
    json.kind !== kind ||
    !Array.isArray(json.coef) ||
    typeof json.intercept !== "number" ||
    !json.coef.every((c) => typeof c === "number")
  ) {
    throw new ArgumentError("json", saved, json, "fromJSON");
  }
  if (json.coef.length === 0) throw new ArgumentError("json", `${saved} with at least one coefficient`, "no coefficients", "fromJSON");
  const bad = firstNonFinite(json.coef);
  if (bad >= 0) throw new ArgumentError("json", `${saved} with finite coefficients`, `coef[${bad}] = ${json.coef[bad]}`, "fromJSON");
  if (!Number.isFinite(json.intercept))
    throw new ArgumentError("json", `${saved} with a finite intercept`, `intercept ${json.intercept}`, "fromJSON");
  const recorded = (name: string, value: unknown, ok: boolean) => {
    if (value !== undefined && !ok)
      throw new ArgumentError("json", `${saved}: ${name} as toJSON() writes it`, `${name} ${describe(value)}`, "fromJSON");
  };
  recorded("nIter", json.nIter, Number.isSafeInteger(json.nIter) && json.nIter >= 0);
  recorded("objective", json.objective, json.objective === null || typeof json.objective === "number");
  recorded("converged", json.converged, typeof json.converged === "boolean");
  recorded("optimality", json.optimality, json.optimality === null || typeof json.optimality === "number");
  return json;
}
