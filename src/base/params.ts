/**
 * Parameters of estimators and transformers, kept as scikit-learn's BaseEstimator keeps them: a
 * model's parameters are its options (less the runtime, callbacks and signals); getParams reads
 * them, setParams changes them, checked as the constructor checks them, and clone makes an
 * unfitted copy. Pipelines and grid search address models through these three alone.
 */
import { ArgumentError } from "../errors.js";

/** Options that are not parameters (how and where to run, not what to fit): never in getParams() or a saved model. */
export const NOT_PARAMETERS = ["runtime", "onIteration", "signal"] as const;

/** `options` without the ones that are not parameters. */
export function parametersOf<O extends object>(options: O): Omit<O, (typeof NOT_PARAMETERS)[number]> {
  const out: Record<string, unknown> = { ...(options as Record<string, unknown>) };
  for (const name of NOT_PARAMETERS) delete out[name];
  return out as Omit<O, (typeof NOT_PARAMETERS)[number]>;
}

/**
 * setParams' argument: an object whose names are all among `valid` (a misspelt name would
 * otherwise be ignored in silence); the error names the valid ones.
 */
export function checkParamNames(params: unknown, valid: readonly string[], where: string): asserts params is Record<string, unknown> {
  if (params === null || typeof params !== "object" || Array.isArray(params))
    throw new ArgumentError("params", "an object of parameter names and values", params, where);
  for (const name of Object.keys(params)) {
    if (!valid.includes(name)) throw new ArgumentError("params", `names among ${valid.join(", ")}`, name, where);
  }
}

/**
 * An estimator or transformer whose parameters are its options `O`. A subclass names itself
 * (`kind`), lists its parameters' defaults and checks its options; getParams, setParams and
 * clone follow.
 */
export abstract class BaseEstimator<O extends object> {
  /** The model's name in errors: `${kind}.setParams`. */
  protected abstract readonly kind: string;
  protected abstract options: O;

  /** Each parameter's value when its option is not given, in the order getParams lists them. */
  protected abstract paramDefaults(): Record<string, unknown>;

  /** `options` checked (and completed) as the constructor checks them; `where` names the caller. */
  protected abstract checkedOptions(options: O, where: string): O;

  /** The tunable parameters by name (what setParams and grid search address), defaults filled in. */
  getParams(): Record<string, unknown> {
    const defaults = this.paramDefaults();
    const params: Record<string, unknown> = { ...defaults, ...parametersOf(this.options) };
    for (const name of Object.keys(defaults)) if (params[name] === undefined) params[name] = defaults[name];
    return params;
  }

  /** Sets parameters by name, checked as the constructor checks them; an unknown name fails, naming the valid ones. */
  setParams(params: Record<string, unknown>): this {
    const where = `${this.kind}.setParams`;
    checkParamNames(params, Object.keys(this.getParams()), where);
    this.options = this.checkedOptions({ ...this.options, ...params }, where);
    return this;
  }

  /** An unfitted copy with the same options. */
  clone(): this {
    const Ctor = this.constructor as new (options: O) => this;
    return new Ctor({ ...this.options });
  }
}
