/**
 * Feature transformers with scikit-learn's fit/transform: StandardScaler (population standard
 * deviation, a constant column keeps scale 1), MinMaxScaler, PolynomialFeatures (degree 2 at
 * least). fit() computes its statistics in one graph on the runtime; transform() is lazy (an
 * array expression that fuses with whatever reads it).
 */
import { ArgumentError, WeftError } from "../errors.js";
import { type ChunkedArray, computeArrays } from "../array/array.js";
import { fromTypedArray, mapBlocks } from "../array/create.js";
import { rechunkTo } from "../array/layout.js";
import { checkMatrix, checkRuntime } from "../base/inputs.js";
import { BaseEstimator } from "../base/params.js";
import type { Runtime } from "../runtime/runtime.js";
import { checkBoolean, checkInteger, checkOptions } from "../validate.js";

/**
 * A fitted transformation of features: `fit(X)`, then `transform(X)` as a lazy array; parameters by
 * `getParams`/`setParams`, copies by `clone`.
 */
export interface Transformer {
  fit(X: ChunkedArray): Promise<this>;
  transform(X: ChunkedArray): ChunkedArray;
  /** Parameters by name, for pipelines and grid search. */
  getParams(): Record<string, unknown>;
  setParams(params: Record<string, unknown>): this;
  /** An unfitted copy with the same parameters. */
  clone(): Transformer;
}

/**
 * Fitted statistics per feature, all finite: a NaN or an infinity in X (or values whose spread
 * overflows) would make every transformed value of that feature NaN, so X is refused, naming the
 * feature.
 */
function checkStatistics(stats: Record<string, Float64Array>, where: string): void {
  for (const [name, values] of Object.entries(stats)) {
    const j = values.findIndex((v) => !Number.isFinite(v));
    if (j >= 0) throw new ArgumentError("X", `finite values (a finite ${name} per feature)`, `${name} ${values[j]} in column ${j}`, where);
  }
}

/** The transformers' names, as toJSON writes them. */
export type TransformerKind = "StandardScaler" | "MinMaxScaler" | "PolynomialFeatures";

/**
 * A fitted transformer saved as JSON (toJSON) and read back (each class's fromJSON): its kind,
 * parameters, the number of features it was fitted to, and its per-feature statistics.
 */
export interface TransformerJSON {
  kind: TransformerKind;
  params: Record<string, unknown>;
  nFeatures: number;
  /** Per-feature statistics by name (StandardScaler: mean, scale; MinMaxScaler: min, max; PolynomialFeatures: none). */
  state: Record<string, number[]>;
}

/** A transformer fitted to a number of features (-1 before fit), which transform() then asks of X. */
abstract class Fitted<O extends object> extends BaseEstimator<O> {
  protected nFeatures = -1;
  protected abstract override readonly kind: TransformerKind;

  /** The fitted statistics by name, one value per feature (toJSON). */
  protected abstract fittedState(): Record<string, Float64Array>;
  /** Sets the fitted statistics from `state`, whose names and lengths are checked (fromJSON). */
  protected abstract restore(state: Record<string, Float64Array>, nFeatures: number): void;

  /** The fitted transformer as JSON (its class's fromJSON reads it back). */
  toJSON(): TransformerJSON {
    if (this.nFeatures < 0) throw new WeftError(`${this.kind} is not fitted: nothing to save`);
    const state = Object.fromEntries(Object.entries(this.fittedState()).map(([k, v]) => [k, Array.from(v)]));
    return { kind: this.kind, params: this.getParams(), nFeatures: this.nFeatures, state };
  }

  /** This transformer with `json`'s parameters and statistics, checked first; errors name `json`. */
  protected load(json: TransformerJSON): this {
    const saved = `a saved ${this.kind} (toJSON())`;
    if (json === null || typeof json !== "object" || json.kind !== this.kind) throw new ArgumentError("json", saved, json, "fromJSON");
    if (!Number.isInteger(json.nFeatures) || json.nFeatures < 1)
      throw new ArgumentError("json", `${saved} with nFeatures a whole number >= 1`, json.nFeatures, "fromJSON");
    this.setParams(json.params);
    const expected = Object.keys(this.fittedState());
    const state: Record<string, Float64Array> = {};
    for (const name of expected) {
      const values: unknown = json.state?.[name];
      if (!Array.isArray(values) || values.length !== json.nFeatures || !values.every(Number.isFinite))
        throw new ArgumentError("json", `${saved} with state.${name}: ${json.nFeatures} finite numbers`, values, "fromJSON");
      state[name] = Float64Array.from(values as number[]);
    }
    this.restore(state, json.nFeatures);
    this.nFeatures = json.nFeatures;
    return this;
  }

  abstract fit(X: ChunkedArray): Promise<this>;
  abstract transform(X: ChunkedArray): ChunkedArray;

  /** fit(X), then transform(X): scikit-learn's fit_transform (the transform lazy, as transform's). */
  async fitTransform(X: ChunkedArray): Promise<ChunkedArray> {
    return (await this.fit(X)).transform(X);
  }

  protected checkFitted(X: ChunkedArray, where: string): void {
    if (this.nFeatures < 0) throw new WeftError(`${where}: not fitted: call fit() first`);
    if (X.shape[1] !== this.nFeatures) throw new ArgumentError("X", `${this.nFeatures} features (as fitted)`, `${X.shape[1]}`, where);
  }
}

/** StandardScaler's options: whether to centre and to scale, and the runtime fit() computes on. */
type StandardScalerOptions = { withMean?: boolean; withStd?: boolean; runtime?: Runtime };

/** StandardScaler's options, whole: withMean and withStd booleans, runtime a Runtime, no other names. */
function checkStandardScalerOptions(options: StandardScalerOptions, where: string): StandardScalerOptions {
  checkOptions(options, where, ["withMean", "withStd", "runtime"]);
  checkBoolean(options.withMean, "withMean", where);
  checkBoolean(options.withStd, "withStd", where);
  checkRuntime(options.runtime, where);
  return options;
}

/**
 * Scales each feature to mean 0 and (population) standard deviation 1, like scikit-learn's;
 * constant features are left centred, not divided by zero.
 */
export class StandardScaler extends Fitted<StandardScalerOptions> implements Transformer {
  protected readonly kind = "StandardScaler";

  /** Per-feature mean and scale (population std; 1 for a constant feature). */
  mean: Float64Array | undefined;
  scale: Float64Array | undefined;

  constructor(protected options: StandardScalerOptions = {}) {
    super();
    this.options = checkStandardScalerOptions(options, "StandardScaler");
  }

  async fit(X: ChunkedArray): Promise<this> {
    checkMatrix(X, "StandardScaler.fit");
    if (X.shape[0] === 0) throw new ArgumentError("X", "at least one row", "no rows", "StandardScaler.fit");
    const [mean, std] = (await computeArrays([X.mean(0), X.std(0)], { runtime: this.options.runtime })) as Float64Array[];
    checkStatistics({ mean: mean!, "standard deviation": std! }, "StandardScaler.fit");
    // parameters in float64 whatever X's dtype; transform gives X's dtype back
    this.mean = this.options.withMean === false ? new Float64Array(mean!.length) : Float64Array.from(mean!);
    this.scale = this.options.withStd === false ? new Float64Array(std!.length).fill(1) : Float64Array.from(std!, (s) => (s > 0 ? s : 1));
    this.nFeatures = X.shape[1]!;
    return this;
  }

  transform(X: ChunkedArray): ChunkedArray {
    checkMatrix(X, "StandardScaler.transform");
    this.checkFitted(X, "StandardScaler.transform");
    return X.sub(fromTypedArray(this.mean!)).div(fromTypedArray(this.scale!)).astype(X.dtype);
  }

  /** Scaled features back to the original units: X scale + mean (lazy, in X's dtype). */
  inverseTransform(X: ChunkedArray): ChunkedArray {
    checkMatrix(X, "StandardScaler.inverseTransform");
    this.checkFitted(X, "StandardScaler.inverseTransform");
    return X.mul(fromTypedArray(this.scale!)).add(fromTypedArray(this.mean!)).astype(X.dtype);
  }

  protected paramDefaults(): Record<string, unknown> {
    return { withMean: true, withStd: true };
  }

  protected fittedState(): Record<string, Float64Array> {
    return { mean: this.mean ?? new Float64Array(0), scale: this.scale ?? new Float64Array(0) };
  }

  protected restore(state: Record<string, Float64Array>): void {
    this.mean = state.mean;
    this.scale = state.scale;
  }

  /** A StandardScaler saved by toJSON(), checked. */
  static fromJSON(json: TransformerJSON): StandardScaler {
    return new StandardScaler().load(json);
  }

  protected checkedOptions(options: StandardScalerOptions, where: string): StandardScalerOptions {
    return checkStandardScalerOptions(options, where);
  }
}

/** MinMaxScaler's options: the range features are scaled to, and the runtime fit() computes on. */
type MinMaxScalerOptions = { featureRange?: [number, number]; runtime?: Runtime };

/** MinMaxScaler's options, whole: featureRange two finite numbers, low < high; runtime a Runtime; no other names. */
function checkMinMaxScalerOptions(options: MinMaxScalerOptions, where: string): MinMaxScalerOptions {
  checkOptions(options, where, ["featureRange", "runtime"]);
  const range: unknown = options.featureRange;
  if (range !== undefined) {
    // an infinite end maps every value to NaN or Infinity; a third entry would be ignored
    const ok = Array.isArray(range) && range.length === 2 && range.every(Number.isFinite) && range[0] < range[1];
    if (!ok) throw new ArgumentError("featureRange", "[low, high]: two finite numbers with low < high", range, where);
  }
  checkRuntime(options.runtime, where);
  return options;
}

/** Scales each feature to a range, [0, 1] by default, like scikit-learn's. */
export class MinMaxScaler extends Fitted<MinMaxScalerOptions> implements Transformer {
  protected readonly kind = "MinMaxScaler";
  min: Float64Array | undefined;
  max: Float64Array | undefined;

  constructor(protected options: MinMaxScalerOptions = {}) {
    super();
    this.options = checkMinMaxScalerOptions(options, "MinMaxScaler");
  }

  async fit(X: ChunkedArray): Promise<this> {
    checkMatrix(X, "MinMaxScaler.fit");
    if (X.shape[0] === 0) throw new ArgumentError("X", "at least one row", "no rows", "MinMaxScaler.fit");
    const [min, max] = (await computeArrays([X.min(0), X.max(0)], { runtime: this.options.runtime })) as Float64Array[];
    this.min = Float64Array.from(min!);
    this.max = Float64Array.from(max!);
    checkStatistics({ minimum: this.min, maximum: this.max }, "MinMaxScaler.fit");
    this.nFeatures = X.shape[1]!;
    return this;
  }

  transform(X: ChunkedArray): ChunkedArray {
    checkMatrix(X, "MinMaxScaler.transform");
    this.checkFitted(X, "MinMaxScaler.transform");
    const [lo, hi] = this.options.featureRange ?? [0, 1];
    return X.sub(fromTypedArray(this.min!))
      .div(fromTypedArray(this.width()))
      .mul(hi - lo)
      .add(lo)
      .astype(X.dtype);
  }

  /**
   * Scaled features back to the original units: (X - low) / (high - low) * (max - min) + min
   * (lazy, in X's dtype). A constant feature, which transform maps to the low end, comes back as
   * its constant.
   */
  inverseTransform(X: ChunkedArray): ChunkedArray {
    checkMatrix(X, "MinMaxScaler.inverseTransform");
    this.checkFitted(X, "MinMaxScaler.inverseTransform");
    const [lo, hi] = this.options.featureRange ?? [0, 1];
    return X.sub(lo)
      .div(hi - lo)
      .mul(fromTypedArray(this.width()))
      .add(fromTypedArray(this.min!))
      .astype(X.dtype);
  }

  /** Each feature's range, max - min; 1 for a constant feature (scikit-learn's handling of a zero range). */
  private width(): Float64Array {
    return this.max!.map((m, j) => (m - this.min![j]! > 0 ? m - this.min![j]! : 1));
  }

  protected paramDefaults(): Record<string, unknown> {
    return { featureRange: [0, 1] };
  }

  protected fittedState(): Record<string, Float64Array> {
    return { min: this.min ?? new Float64Array(0), max: this.max ?? new Float64Array(0) };
  }

  protected restore(state: Record<string, Float64Array>): void {
    this.min = state.min;
    this.max = state.max;
  }

  /** A MinMaxScaler saved by toJSON(), checked. */
  static fromJSON(json: TransformerJSON): MinMaxScaler {
    return new MinMaxScaler().load(json);
  }

  protected checkedOptions(options: MinMaxScalerOptions, where: string): MinMaxScalerOptions {
    return checkMinMaxScalerOptions(options, where);
  }
}

/** PolynomialFeatures' options: the highest degree, whether to add the constant 1, whether to leave out powers. */
type PolynomialOptions = { degree?: number; includeBias?: boolean; interactionOnly?: boolean };

/** PolynomialFeatures' options, whole: degree a whole number in [1, 5], includeBias and interactionOnly booleans, no other names. */
function checkPolynomialOptions(options: PolynomialOptions, where: string): PolynomialOptions {
  checkOptions(options, where, ["degree", "includeBias", "interactionOnly"]);
  checkInteger(options.degree, "degree", where, 1, 5);
  checkBoolean(options.includeBias, "includeBias", where);
  checkBoolean(options.interactionOnly, "interactionOnly", where);
  return options;
}

/**
 * All products of features up to `degree` (scikit-learn's order: 1 (if includeBias), x_i, then
 * for degree 2 x_i x_j for i <= j, ...). Stateless apart from the feature count. It has no
 * inverseTransform (nor has scikit-learn's): the features are its degree-1 outputs, but a
 * matrix that no input produced (products that disagree with them) has no preimage.
 */
export class PolynomialFeatures extends Fitted<PolynomialOptions> implements Transformer {
  protected readonly kind = "PolynomialFeatures";
  private powers: number[][] = [];

  constructor(protected options: PolynomialOptions = {}) {
    super();
    this.options = checkPolynomialOptions(options, "PolynomialFeatures");
  }

  async fit(X: ChunkedArray): Promise<this> {
    checkMatrix(X, "PolynomialFeatures.fit");
    this.restore({}, X.shape[1]!);
    return this;
  }

  /** The output's products for p input features (all a fit learns). */
  protected restore(_state: Record<string, Float64Array>, p: number): void {
    const degree = this.options.degree ?? 2;
    const out: number[][] = this.options.includeBias === false ? [] : [[]];
    // combinations with repetition (or without, for interaction only) of feature indices, by degree
    const extend = (prefix: number[], start: number, left: number) => {
      if (left === 0) {
        out.push(prefix);
        return;
      }
      for (let j = start; j < p; j++) extend([...prefix, j], this.options.interactionOnly ? j + 1 : j, left - 1);
    };
    for (let d = 1; d <= degree; d++) extend([], 0, d);
    this.powers = out;
    this.nFeatures = p;
  }

  protected fittedState(): Record<string, Float64Array> {
    return {};
  }

  /** A PolynomialFeatures saved by toJSON(), checked. */
  static fromJSON(json: TransformerJSON): PolynomialFeatures {
    return new PolynomialFeatures().load(json);
  }

  /** Number of output features. */
  get outputFeatures(): number {
    return this.powers.length;
  }

  /** Names like "x0", "x0 x1", "x1^2". */
  featureNames(input?: readonly string[]): string[] {
    if (this.nFeatures < 0) throw new WeftError("PolynomialFeatures.featureNames: not fitted: call fit() first");
    if (input === undefined) input = Array.from({ length: this.nFeatures }, (_, j) => `x${j}`);
    else if (!Array.isArray(input) || input.length !== this.nFeatures || !input.every((n) => typeof n === "string")) {
      throw new ArgumentError("input", `${this.nFeatures} names (one per feature fitted)`, input, "PolynomialFeatures.featureNames");
    }
    return this.powers.map((terms) => {
      if (terms.length === 0) return "1";
      const counts = new Map<number, number>();
      for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + 1);
      return [...counts].map(([j, c]) => (c === 1 ? input[j]! : `${input[j]}^${c}`)).join(" ");
    });
  }

  transform(X: ChunkedArray): ChunkedArray {
    checkMatrix(X, "PolynomialFeatures.transform");
    this.checkFitted(X, "PolynomialFeatures.transform");
    const p = X.shape[1]!;
    const m = this.powers.length;
    const powers = this.powers;
    const one = rechunkTo(X, X.rowChunks, [p]);
    return mapBlocks(
      ([block], info) => {
        const rows = info.rows;
        const out = new Float64Array(rows * m);
        for (let r = 0; r < rows; r++) {
          for (let k = 0; k < m; k++) {
            let v = 1;
            for (const j of powers[k]!) v *= block![r * p + j]!;
            out[r * m + k] = v;
          }
        }
        return out;
      },
      [one],
      { shape: [X.shape[0]!, m], chunks: [[...X.rowChunks], [m]] },
    );
  }

  protected paramDefaults(): Record<string, unknown> {
    return { degree: 2, includeBias: true, interactionOnly: false };
  }

  protected checkedOptions(options: PolynomialOptions, where: string): PolynomialOptions {
    return checkPolynomialOptions(options, where);
  }
}
