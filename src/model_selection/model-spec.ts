/**
 * An unfitted model as plain JSON: its kind and parameters (a pipeline's steps in order), so
 * that another process can build the same model. Only weft's own transformers and GLM estimators
 * are built, by kind from a fixed list: a spec names a class, it never carries code. Parameters
 * must survive JSON unchanged (numbers, strings, booleans, arrays of them); a spec is checked as
 * the constructors check options, through setParams.
 */
import { ArgumentError } from "../errors.js";
import { LinearRegression, LogisticRegression, PoissonRegression } from "../glm/estimators.js";
import { MinMaxScaler, PolynomialFeatures, StandardScaler } from "../preprocessing/transformers.js";
import type { ModelJSON } from "../glm/saved-model.js";
import { Pipeline, type PipelineJSON, type Step } from "./pipeline.js";
import type { SearchModel } from "./search-task.js";

/** One step: its kind (a class weft knows) and its parameters (getParams()). */
export interface StepSpec {
  kind: string;
  params: Record<string, unknown>;
}

/** A model to build elsewhere: a GLM estimator's StepSpec, or a pipeline's steps by name. */
export type ModelSpec = StepSpec | { kind: "Pipeline"; steps: [string, StepSpec][] };

/** The classes a spec may name, each made unfitted with its default options. */
const KINDS: Record<string, { make(): Step; is(step: unknown): boolean; final: boolean }> = {
  LogisticRegression: { make: () => new LogisticRegression(), is: (s) => s instanceof LogisticRegression, final: true },
  LinearRegression: { make: () => new LinearRegression(), is: (s) => s instanceof LinearRegression, final: true },
  PoissonRegression: { make: () => new PoissonRegression(), is: (s) => s instanceof PoissonRegression, final: true },
  StandardScaler: { make: () => new StandardScaler(), is: (s) => s instanceof StandardScaler, final: false },
  MinMaxScaler: { make: () => new MinMaxScaler(), is: (s) => s instanceof MinMaxScaler, final: false },
  PolynomialFeatures: { make: () => new PolynomialFeatures(), is: (s) => s instanceof PolynomialFeatures, final: false },
};

/** Whether `value` reads back from JSON as itself. */
export function survivesJson(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(survivesJson);
  return false;
}

function describeStep(step: unknown, where: string, name: string): StepSpec {
  const kind = Object.keys(KINDS).find((k) => KINDS[k]!.is(step));
  if (!kind)
    throw new ArgumentError(
      name,
      `one of weft's own models (${Object.keys(KINDS).join(", ")}): only these are built on another process`,
      step,
      where,
    );
  const params = (step as Step).getParams();
  for (const [param, value] of Object.entries(params))
    if (value !== undefined && !survivesJson(value))
      throw new ArgumentError(
        `${name}.${param}`,
        "a value JSON carries unchanged (a finite number, string, boolean, or a list of them)",
        value,
        where,
      );
  return { kind, params: Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) };
}

/** `model` as a spec; an ArgumentError naming what another process could not build the same. */
export function describeModel(model: SearchModel, where: string): ModelSpec {
  if (model instanceof Pipeline)
    return { kind: "Pipeline", steps: model.steps.map(([name, step]) => [name, describeStep(step, where, `steps.${name}`)]) };
  return describeStep(model, where, "estimator");
}

function buildStep(spec: unknown, final: boolean, where: string, name: string): Step {
  const s = spec as StepSpec | null;
  const known =
    s !== null && typeof s === "object" && typeof s.kind === "string" && Object.hasOwn(KINDS, s.kind) ? KINDS[s.kind] : undefined;
  if (!known || known.final !== final)
    throw new ArgumentError(
      name,
      `{ kind, params } of ${final ? "a GLM estimator" : "a transformer"} weft knows (${Object.keys(KINDS)
        .filter((k) => KINDS[k]!.final === final)
        .join(", ")})`,
      spec,
      where,
    );
  if (s!.params === null || typeof s!.params !== "object" || Array.isArray(s!.params))
    throw new ArgumentError(`${name}.params`, "an object of parameters", s!.params, where);
  return known.make().setParams(s!.params);
}

/** The unfitted model `spec` describes, its parameters checked as setParams checks them. */
export function buildModel(spec: unknown, where: string): SearchModel {
  const s = spec as { kind?: unknown; steps?: unknown } | null;
  if (s !== null && typeof s === "object" && s.kind === "Pipeline") {
    if (!Array.isArray(s.steps) || s.steps.length === 0)
      throw new ArgumentError("steps", "a non-empty list of [name, step]", s.steps, where);
    const steps = s.steps.map((pair: unknown, i: number, all: unknown[]) => {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string")
        throw new ArgumentError(`steps[${i}]`, "a [name, { kind, params }] pair", pair, where);
      return [pair[0], buildStep(pair[1], i === all.length - 1, where, `steps[${i}]`)] as [string, Step];
    });
    return new Pipeline(steps as [string, LogisticRegression][]);
  }
  return buildStep(spec, true, where, "estimator") as SearchModel;
}

/** The fitted model saved as `json` (a GLM estimator's toJSON() or a Pipeline's), checked by its class's fromJSON. */
export function loadFitted(json: ModelJSON | PipelineJSON, where: string): SearchModel {
  if (json !== null && typeof json === "object" && json.kind === "Pipeline") return Pipeline.fromJSON(json);
  const kinds = { LogisticRegression, LinearRegression, PoissonRegression };
  const kind: unknown = (json as { kind?: unknown } | null)?.kind;
  // an own property only: a kind of "constructor" must not find Object's
  if (typeof kind !== "string" || !Object.hasOwn(kinds, kind))
    throw new ArgumentError("json", "a saved GLM estimator or Pipeline", json, where);
  return kinds[kind as keyof typeof kinds].fromJSON(json as ModelJSON);
}
