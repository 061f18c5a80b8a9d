/**
 * The coordinates solvers work in. Raw columns differ in scale by orders of magnitude (a column
 * in millimetres beside one in kilometres, a mean of 1e3 beside a spread of 1), and gradient
 * methods then crawl or stop far from the optimum; standardizing the data changes the problem
 * (the penalty then falls on other coefficients). Instead the solvers run on exactly the user's
 * problem in a change of variables:
 *
 *   beta_j = gamma_j / d_j            (a diagonal rescaling of each coefficient)
 *   b      = c - sum_j m_j beta_j     (the intercept absorbs the column means, when there is one)
 *
 * so X beta + b = sum_j gamma_j (x_j - m_j) / d_j + c: in gamma the columns look centered and
 * scaled, the loss is unchanged, and the penalty stays on beta (a weighted penalty on gamma:
 * Regularizer.weights). Nothing is copied: the plans still read X, and every evaluation maps
 * gamma to beta and the gradient (and Hessian) back, p numbers at a time.
 *
 * d_j is Jacobi's choice for the penalized problem, sqrt(s_j^2 + l2 / (rows w)) with s_j the
 * column's spread and w the family's typical Hessian weight, so every coordinate has about the
 * same curvature whether the data or the penalty dominates it. The means and spreads come from
 * a strided sample of rows (all rows of small data): any m and d give the same problem; good
 * ones only make it better conditioned.
 *
 * With sample weights the loss is sum_i s_i loss_i: the statistics are weighted means (the
 * Hessian is X^T diag(s w) X), and "rows" is the sum of the weights wherever it counts terms of
 * the loss (the curvature above, the optimality residual's scale), so that integer weights
 * solve and judge the problem as the repeated rows would.
 */
import type { Family } from "./families.js";

/** What the coordinates and the optimality scale are made from: per-column and label statistics. */
export interface DataStatistics {
  rows: number;
  /** The sum of the sample weights over all rows: the loss's number of unit-weight terms (rows, without weights). */
  weightSum: number;
  /** Column means and standard deviations (population). */
  mean: Float64Array;
  std: Float64Array;
  /** Root mean square of each column (the spread about 0, for fits without an intercept). */
  rms: Float64Array;
  /** The labels' mean, standard deviation and root mean square. */
  yMean: number;
  yStd: number;
  yRms: number;
  /** Rows the statistics were computed from (all of them up to SAMPLE_VALUES / p). */
  sampled: number;
}

/** About this many values of X are read for the statistics (a few hundred rows at least up to p = 100): few enough that computing them is a small fixed cost, warm or cold, whatever the size of X. */
const SAMPLE_VALUES = 1 << 16;

/**
 * Statistics of X (row-major chunks, `p` columns) and y from every k-th row, k chosen so about
 * SAMPLE_VALUES values are read. One pass of sums and sums of squares; should they overflow
 * (values beyond about 1e150), a second pass divides each column by its largest magnitude first.
 * With `weights` (chunked like y, and their sum over all rows) the moments are weighted; should
 * every sampled row weigh 0, the sample's rows count alike.
 */
export function dataStatistics(
  xChunks: readonly Float64Array[],
  yChunks: readonly Float64Array[],
  p: number,
  weights?: { chunks: readonly Float64Array[]; total: number },
): DataStatistics {
  const rows = yChunks.reduce((a, c) => a + c.length, 0);
  const stride = Math.max(1, Math.ceil((rows * Math.max(p, 1)) / SAMPLE_VALUES));
  // the sampled rows: every stride-th row counted over all chunks
  const sampled: { chunk: number; row: number }[] = [];
  let offset = 0;
  yChunks.forEach((y, chunk) => {
    for (let r = offset; r < y.length; r += stride) sampled.push({ chunk, row: r });
    offset = (((offset - y.length) % stride) + stride) % stride;
  });
  // each sampled row's weight, divided by the largest (no overflow from the weights themselves;
  // only ratios matter); 1 for every row without weights, or when all sampled weights are 0
  let largest = 0;
  if (weights) for (const { chunk, row } of sampled) largest = Math.max(largest, weights.chunks[chunk]![row]!);
  const weightOf = largest > 0 ? (chunk: number, row: number) => weights!.chunks[chunk]![row]! / largest : () => 1;
  const moments = (xScale: Float64Array, yScale: number) => {
    const sum = new Float64Array(p),
      sq = new Float64Array(p);
    let ySum = 0,
      ySq = 0,
      count = 0;
    for (const { chunk, row } of sampled) {
      const x = xChunks[chunk]!,
        base = row * p,
        w = weightOf(chunk, row);
      if (w === 0) continue;
      for (let j = 0; j < p; j++) {
        const v = x[base + j]! / xScale[j]!;
        sum[j] = sum[j]! + w * v;
        sq[j] = sq[j]! + w * v * v;
      }
      const v = yChunks[chunk]![row]! / yScale;
      ySum += w * v;
      ySq += w * v * v;
      count += w;
    }
    return { sum, sq, ySum, ySq, count };
  };
  let xScale = new Float64Array(p).fill(1),
    yScale = 1;
  let m = moments(xScale, yScale);
  if (!m.sq.every(Number.isFinite) || !Number.isFinite(m.ySq)) {
    xScale = new Float64Array(p);
    yScale = 0;
    for (const { chunk, row } of sampled) {
      const x = xChunks[chunk]!,
        base = row * p;
      for (let j = 0; j < p; j++) xScale[j] = Math.max(xScale[j]!, Math.abs(x[base + j]!));
      yScale = Math.max(yScale, Math.abs(yChunks[chunk]![row]!));
    }
    for (let j = 0; j < p; j++) if (!(xScale[j]! > 0)) xScale[j] = 1;
    if (!(yScale > 0)) yScale = 1;
    m = moments(xScale, yScale);
  }
  const n = m.count > 0 ? m.count : 1;
  const mean = new Float64Array(p),
    std = new Float64Array(p),
    rms = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const mj = m.sum[j]! / n;
    mean[j] = mj * xScale[j]!;
    std[j] = Math.sqrt(Math.max(0, m.sq[j]! / n - mj * mj)) * xScale[j]!;
    rms[j] = Math.sqrt(m.sq[j]! / n) * xScale[j]!;
  }
  const ym = m.ySum / n;
  return {
    rows,
    weightSum: weights ? weights.total : rows,
    mean,
    std,
    rms,
    sampled: sampled.length,
    yMean: ym * yScale,
    yStd: Math.sqrt(Math.max(0, m.ySq / n - ym * ym)) * yScale,
    yRms: Math.sqrt(m.ySq / n) * yScale,
  };
}

/** The family's typical Hessian weight per row (at the null model), and the labels' scale. */
function familyScales(family: Family, stats: DataStatistics, intercept: boolean): { weight: number; residual: number } {
  const floor = 1 / Math.max(stats.rows, 1);
  switch (family.name) {
    case "logistic": {
      const w = Math.max(stats.yMean * (1 - stats.yMean), floor);
      return { weight: w, residual: Math.sqrt(w) };
    }
    case "poisson": {
      const w = Math.max(stats.yMean, floor);
      return { weight: w, residual: Math.sqrt(w) };
    }
    case "normal": {
      const s = intercept ? stats.yStd : stats.yRms;
      return { weight: 1, residual: s > 0 && Number.isFinite(s) ? s : 1 };
    }
  }
}

/** A change of variables gamma <-> beta (see the module's comment). */
export class Coordinates {
  readonly n: number;

  /**
   * @param scale d_j, one per coefficient (> 0)
   * @param center m_j, one per coefficient (all 0 without an intercept, which alone can absorb them)
   * @param optimalityScale what multiplies each entry of the optimality residual in these
   *   coordinates so that it reads as a scale-free number (see forProblem)
   */
  constructor(
    readonly p: number,
    readonly intercept: boolean,
    readonly scale: Float64Array,
    readonly center: Float64Array,
    readonly optimalityScale: Float64Array,
  ) {
    this.n = p + (intercept ? 1 : 0);
  }

  /** The identity: solvers on beta itself, the residual unscaled. */
  static identity(p: number, intercept: boolean): Coordinates {
    const n = p + (intercept ? 1 : 0);
    return new Coordinates(p, intercept, new Float64Array(p).fill(1), new Float64Array(p), new Float64Array(n).fill(1));
  }

  /**
   * The coordinates for a GLM problem with L2 weight `l2`. The optimality residual is scaled to
   * the data: entry j of the residual in beta coordinates is a sum over rows of residual times
   * x_j; divided by the column's spread, the rows and the labels' scale it reads like a
   * correlation between the residuals and the column, the same number whatever the units of
   * either. (In gamma coordinates the residual is already divided by d_j, hence d_j / s_j.)
   */
  static forProblem(stats: DataStatistics, family: Family, intercept: boolean, l2: number): Coordinates {
    const p = stats.mean.length;
    const { weight, residual } = familyScales(family, stats, intercept);
    // the loss's number of unit-weight terms: rows, or the sum of the sample weights
    const rows = stats.weightSum > 0 ? stats.weightSum : Math.max(stats.rows, 1);
    const scale = new Float64Array(p),
      center = new Float64Array(p),
      optimalityScale = new Float64Array(p + (intercept ? 1 : 0));
    for (let j = 0; j < p; j++) {
      const raw = intercept ? stats.std[j]! : stats.rms[j]!;
      const spread = raw > 0 && Number.isFinite(raw) ? raw : 1;
      const d = Math.sqrt(spread * spread + l2 / (rows * weight));
      scale[j] = Number.isFinite(d) && d > 0 ? d : spread;
      center[j] = intercept && Number.isFinite(stats.mean[j]!) ? stats.mean[j]! : 0;
      optimalityScale[j] = scale[j]! / (spread * rows * residual);
    }
    if (intercept) optimalityScale[p] = 1 / (rows * residual);
    return new Coordinates(p, intercept, scale, center, optimalityScale);
  }

  /** beta (coefficients, then the intercept) from gamma. */
  toOriginal(gamma: ArrayLike<number>): Float64Array {
    const beta = new Float64Array(this.n);
    let shift = 0;
    for (let j = 0; j < this.p; j++) {
      beta[j] = gamma[j]! / this.scale[j]!;
      shift += this.center[j]! * beta[j]!;
    }
    if (this.intercept) beta[this.p] = gamma[this.p]! - shift;
    return beta;
  }

  /** gamma from beta. */
  toScaled(beta: ArrayLike<number>): Float64Array {
    const gamma = new Float64Array(this.n);
    let shift = 0;
    for (let j = 0; j < this.p; j++) {
      gamma[j] = beta[j]! * this.scale[j]!;
      shift += this.center[j]! * beta[j]!;
    }
    if (this.intercept) gamma[this.p] = beta[this.p]! + shift;
    return gamma;
  }

  /** A gradient (or any change of the gradient) in beta coordinates, seen in gamma: J^T g. */
  gradientToScaled(g: ArrayLike<number>): Float64Array {
    const out = new Float64Array(this.n);
    const gb = this.intercept ? g[this.p]! : 0;
    for (let j = 0; j < this.p; j++) out[j] = (g[j]! - this.center[j]! * gb) / this.scale[j]!;
    if (this.intercept) out[this.p] = gb;
    return out;
  }

  /** A gradient in gamma coordinates, seen in beta: J^-T g. */
  gradientToOriginal(g: ArrayLike<number>): Float64Array {
    const out = new Float64Array(this.n);
    const gc = this.intercept ? g[this.p]! : 0;
    for (let j = 0; j < this.p; j++) out[j] = g[j]! * this.scale[j]! + this.center[j]! * gc;
    if (this.intercept) out[this.p] = gc;
    return out;
  }

  /** A Hessian in beta coordinates (n x n, row-major), seen in gamma: J^T H J. */
  hessianToScaled(H: ArrayLike<number>): Float64Array {
    const out = new Float64Array(this.n * this.n);
    scaledHessianInto(H, this.scale, this.center, this.p, this.intercept, out);
    return out;
  }

  /** scale then center, as the ADMM local step reads them (2p values). */
  packed(): Float64Array {
    const out = new Float64Array(2 * this.p);
    out.set(this.scale);
    out.set(this.center, this.p);
    return out;
  }
}

/**
 * J^T H J for beta_j = gamma_j / d_j, b = c - sum_j m_j beta_j (H n x n row-major, n = p + 1 with
 * an intercept), written into `out`: what Coordinates.hessianToScaled and ADMM's local step use.
 */
export function scaledHessianInto(
  H: ArrayLike<number>,
  d: ArrayLike<number>,
  m: ArrayLike<number>,
  p: number,
  intercept: boolean,
  out: Float64Array,
): void {
  const n = intercept ? p + 1 : p;
  const HJ = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const hb = intercept ? H[i * n + p]! : 0;
    for (let j = 0; j < p; j++) HJ[i * n + j] = (H[i * n + j]! - m[j]! * hb) / d[j]!;
    if (intercept) HJ[i * n + p] = hb;
  }
  for (let j = 0; j < n; j++) {
    const rb = intercept ? HJ[p * n + j]! : 0;
    for (let i = 0; i < p; i++) out[i * n + j] = (HJ[i * n + j]! - m[i]! * rb) / d[i]!;
    if (intercept) out[p * n + j] = rb;
  }
}

/** The typical Hessian weight per row of `family` on data with these statistics (ADMM's rho). */
export function typicalWeight(family: Family, stats: DataStatistics, intercept: boolean): number {
  return familyScales(family, stats, intercept).weight;
}

/**
 * The statistics of all the rows from those of disjoint parts of them (each part's own, as
 * dataStatistics gives them): means and mean squares weighted by each part's sampled rows, counts
 * and weight sums added. What a cluster computes where the rows are, and combines here.
 */
export function combineStatistics(parts: readonly DataStatistics[]): DataStatistics {
  if (parts.length === 0) throw new Error("combineStatistics: no parts");
  const p = parts[0]!.mean.length;
  const sampled = parts.reduce((a, s) => a + s.sampled, 0);
  const weightOf = (s: DataStatistics) => (sampled > 0 ? s.sampled / sampled : 1 / parts.length);
  const mean = new Float64Array(p),
    square = new Float64Array(p);
  let yMean = 0,
    ySquare = 0;
  for (const s of parts) {
    const w = weightOf(s);
    for (let j = 0; j < p; j++) {
      mean[j] = mean[j]! + w * s.mean[j]!;
      square[j] = square[j]! + w * s.rms[j]! ** 2;
    }
    yMean += w * s.yMean;
    ySquare += w * s.yRms ** 2;
  }
  const std = new Float64Array(p),
    rms = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    std[j] = Math.sqrt(Math.max(0, square[j]! - mean[j]! ** 2));
    rms[j] = Math.sqrt(square[j]!);
  }
  return {
    rows: parts.reduce((a, s) => a + s.rows, 0),
    weightSum: parts.reduce((a, s) => a + s.weightSum, 0),
    mean,
    std,
    rms,
    yMean,
    yStd: Math.sqrt(Math.max(0, ySquare - yMean ** 2)),
    yRms: Math.sqrt(ySquare),
    sampled,
  };
}
