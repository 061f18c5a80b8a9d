/**
 * A GLM problem on a runtime: X and y persisted in its shared memory (chunked by rows), and the
 * plans a solver re-runs every iteration, compiled once: loss and gradient together (one pass
 * over X with the fused kernel per row piece, then a sum), loss alone (for line searches) and
 * the Hessian. They are graphs of lazy layers like any array expression's (the row pieces are a
 * table of which chunk and rows each task reads), compiled through the runtime's plan cache, so
 * another problem of the same shape (the next fold of a grid search) runs the same plans. beta
 * is an input layer over one buffer: each evaluation writes the new coefficients into it and
 * re-runs the plan; no graph is built during the solve.
 *
 * With sample weights (persisted and chunked like y) the loss is sum_i w_i loss_i: the plans
 * take the weights as one more input and call the families' weighted kernels; a problem without
 * them compiles exactly the plans it always did.
 */
import { ArgumentError } from "../errors.js";
import { Graph } from "../graph/graph.js";
import { uniqueName } from "../graph/keys.js";
import { BlockwiseLayer, InputLayer, TreeReductionLayer, type Layer } from "../graph/layers.js";
import type { Plan } from "../execute/plan.js";
import { chunkTable } from "../graph/tables.js";
import type { Allocation } from "../memory/index.js";
import type { Runtime } from "../runtime/runtime.js";
import type { ChunkedArray } from "../array/array.js";
import { rechunkTo } from "../array/layout.js";
import { fromTypedArray } from "../array/create.js";
import { family as familyOf, type Family, type FamilyName } from "./families.js";
import { registerGlmOps } from "./ops.js";
import type { SmoothObjective } from "./objective.js";
import { Coordinates, dataStatistics, type DataStatistics } from "./scaling.js";

export type { SmoothObjective } from "./objective.js";

registerGlmOps();

export class GlmProblem implements SmoothObjective {
  readonly n: number;
  readonly p: number;
  readonly rows: number;
  readonly family: Family;
  /** The sum of the sample weights (rows, without them): set by the data's check. */
  private weightSum: number;
  private readonly beta: Allocation;
  /** The coefficients as the plans read them: an input layer over `beta`. */
  private readonly betaLayer: InputLayer;
  private lossGradPlan!: Plan;
  private lossPlan!: Plan;
  private hessianPlan: Plan | undefined;
  /** Evaluations so far: loss and gradient, loss alone, Hessian (passes over X), and those answered from the recent ones. */
  readonly evaluations = { lossGrad: 0, loss: 0, hessian: 0, reused: 0 };

  private constructor(
    readonly runtime: Runtime,
    readonly X: ChunkedArray,
    readonly y: ChunkedArray,
    familyName: FamilyName,
    readonly intercept: boolean,
    /** The persisted copies this problem made (and frees); the caller's arrays are left alone. */
    private readonly owned: readonly (ChunkedArray | undefined)[] = [],
    /** One weight per row, chunked like y (none: every row weighs 1). */
    readonly sampleWeight?: ChunkedArray,
  ) {
    this.family = familyOf(familyName);
    this.rows = X.shape[0]!;
    this.weightSum = this.rows;
    this.p = X.shape[1]!;
    this.n = this.p + (intercept ? 1 : 0);
    this.beta = runtime.memory.allocF64(Math.max(this.n, 1));
    this.betaLayer = new InputLayer(uniqueName("beta"), [this.beta], 8 * Math.max(this.n, 1));
  }

  /**
   * Persists X (one column chunk), y and the sample weights, when given (both chunked like X's
   * rows), on `runtime`, checks them (finite values; labels the family accepts; weights >= 0,
   * not all 0), and compiles the plans.
   */
  static async create(
    runtime: Runtime,
    X: ChunkedArray,
    y: ChunkedArray,
    familyName: FamilyName,
    intercept: boolean,
    sampleWeight?: ChunkedArray,
  ): Promise<GlmProblem> {
    if (X.ndim !== 2) throw new ArgumentError("X", "a 2-D array (rows x features)", `shape [${X.shape.join(", ")}]`, "fit");
    if (y.ndim !== 1 || y.shape[0] !== X.shape[0]) {
      throw new ArgumentError("y", `a 1-D array of ${X.shape[0]} values (one per row of X)`, `shape [${y.shape.join(", ")}]`, "fit");
    }
    if (sampleWeight && (sampleWeight.ndim !== 1 || sampleWeight.shape[0] !== X.shape[0])) {
      throw new ArgumentError(
        "sampleWeight",
        `a 1-D array of ${X.shape[0]} values (one weight per row of X)`,
        `shape [${sampleWeight.shape.join(", ")}]`,
        "fit",
      );
    }
    if (X.shape[0] === 0) throw new ArgumentError("X", "at least one row", "0 rows", "fit");
    if (X.shape[1] === 0) throw new ArgumentError("X", "at least one column (feature)", "0 columns", "fit");
    // data already persisted on this runtime, chunked as needed, is read in place (not copied);
    // the kernels read float64, so float32 data is widened into a float64 copy
    const ready = (a: ChunkedArray, b: ChunkedArray) => a === b && a.isPersisted && a.runtime === runtime;
    const X64 = X.astype("float64"),
      y64 = y.astype("float64");
    const Xr = rechunkTo(X64, X64.rowChunks, [X64.shape[1]!]);
    const yr = rechunkTo(y64, [1], X64.rowChunks);
    const Xc = ready(Xr, X) ? X : await Xr.persist({ runtime });
    const yc = ready(yr, y) ? y : await yr.persist({ runtime });
    let wc: ChunkedArray | undefined;
    if (sampleWeight) {
      const w64 = sampleWeight.astype("float64");
      const wr = rechunkTo(w64, [1], X64.rowChunks);
      wc = ready(wr, sampleWeight) ? sampleWeight : await wr.persist({ runtime });
    }
    const owned = [Xc !== X ? Xc : undefined, yc !== y ? yc : undefined, wc !== sampleWeight ? wc : undefined];
    const problem = new GlmProblem(runtime, Xc, yc, familyName, intercept, owned, wc);
    try {
      await problem.check();
      problem.compile();
    } catch (error) {
      problem.release();
      throw error;
    }
    return problem;
  }

  /**
   * NaN or Inf anywhere, a label the family does not accept, a weight below 0: a clear error
   * naming row and value; and weights that are all 0 (nothing to fit). Sums the weights.
   */
  private async check(): Promise<void> {
    const f = this.family;
    const xs = this.X.chunkBuffers(),
      ys = this.y.chunkBuffers(),
      ws = this.sampleWeight?.chunkBuffers();
    let total = 0;
    // a finite sum means no NaN and no infinity: one SIMD pass per chunk, on all threads; look
    // closer only where it is not
    const sums = await this.runtime.computeLayers([new BlockwiseLayer("sum", [this.X.layer])]);
    let base = 0;
    xs.forEach((chunk, i) => {
      if (!Number.isFinite(sums[i] as number)) {
        const v = chunk.f64();
        for (let k = 0; k < v.length; k++) {
          if (!Number.isFinite(v[k]!))
            throw new ArgumentError("X", "finite values", `${v[k]} at row ${base + Math.floor(k / this.p)}, column ${k % this.p}`, "fit");
        }
      }
      const yv = ys[i]!.f64();
      for (let r = 0; r < yv.length; r++) {
        const why = Number.isFinite(yv[r]!) ? f.checkLabel(yv[r]!) : "a finite number";
        if (why) throw new ArgumentError("y", `${why} for the ${f.name} family`, `${yv[r]} at row ${base + r}`, "fit");
      }
      if (ws) {
        const wv = ws[i]!.f64().subarray(0, yv.length);
        for (let r = 0; r < wv.length; r++) {
          if (!(wv[r]! >= 0 && wv[r]! < Infinity))
            throw new ArgumentError("sampleWeight", "finite weights >= 0", `${wv[r]} at row ${base + r}`, "fit");
          total += wv[r]!;
        }
      }
      base += this.X.rowChunks[i]!;
    });
    if (ws) {
      // a sum of finite weights can still overflow; a sum of 0 leaves no loss to minimize
      if (!(total > 0 && total < Infinity))
        throw new ArgumentError("sampleWeight", "weights >= 0 with a finite sum > 0", `weights summing to ${total}`, "fit");
      this.weightSum = total;
    }
  }

  private compile(): void {
    const f = this.family;
    const pieces = guidedPieces(this.X.rowChunks, this.runtime.threads, this.p);
    const weighted = this.sampleWeight !== undefined;
    this.lossGradPlan = this.sumPlan("glmChunkLossGrad", weighted ? f.lossGradWeightedKernel : f.lossGradKernel, 8 * (this.p + 2), pieces);
    this.lossPlan = this.sumPlan("glmChunkLoss", weighted ? f.lossWeightedKernel : f.lossKernel, undefined, pieces);
  }

  /**
   * A plan over row pieces with beta as its input: `op(kernel, X piece, y piece, beta, first row,
   * rows, p, intercept[, weights])` per piece, then the results summed in one task: vectors of
   * `bytes` bytes, or numbers when `bytes` is undefined.
   */
  private sumPlan(op: string, kernel: string, bytes: number | undefined, pieces: readonly RowPiece[]): Plan {
    const chunkOf = chunkTable(pieces.map((q) => q.chunk));
    const partial = new BlockwiseLayer(
      op,
      [
        { literal: kernel },
        { layer: this.X.layer, chunkOf },
        { layer: this.y.layer, chunkOf },
        this.betaLayer,
        { perChunk: chunkTable(pieces.map((q) => q.row0)) },
        { perChunk: chunkTable(pieces.map((q) => q.rows)) },
        { literal: this.p },
        { literal: this.intercept },
        ...(this.sampleWeight ? [{ layer: this.sampleWeight.layer, chunkOf }] : []),
      ],
      { chunks: pieces.length, bytes },
    );
    return this.summedPlan(partial, bytes);
  }

  /** A plan summing the chunks of `partial` in one task (vectors of `bytes` bytes, or numbers). */
  private summedPlan(partial: Layer, bytes: number | undefined): Plan {
    const total =
      bytes === undefined
        ? new TreeReductionLayer("combineSum", partial, Math.max(2, partial.size))
        : new TreeReductionLayer("combineVectors", partial, Math.max(2, partial.size), { args: ["sum"], bytes });
    return this.runtime.compile(new Graph([total]), [total.keyAt(0)]);
  }

  private hessianPlanOf(): Plan {
    if (this.hessianPlan) return this.hessianPlan;
    // the weighted Gram matrix of a whole chunk per task (a p x p result per piece would cost more)
    const n = this.n;
    const partial = new BlockwiseLayer(
      "glmChunkHessian",
      [
        { literal: this.family.weightsKernel },
        this.X.layer,
        this.betaLayer,
        { perChunk: this.X.chunkGrid.rows },
        { literal: this.p },
        { literal: this.intercept },
        ...(this.sampleWeight ? [this.sampleWeight.layer] : []),
      ],
      { bytes: 8 * n * n },
    );
    this.hessianPlan = this.summedPlan(partial, 8 * n * n);
    return this.hessianPlan;
  }

  /** Writes beta into the buffer the plans read. */
  private bind(beta: Float64Array): void {
    if (beta.length !== this.n) throw new ArgumentError("beta", `${this.n} values`, beta, "glm evaluation");
    this.beta.f64().set(beta);
  }

  async lossGrad(beta: Float64Array): Promise<{ loss: number; grad: Float64Array }> {
    const known = this.recent.find((r) => sameValues(r.beta, beta));
    if (known) {
      this.evaluations.reused += 1;
      return { loss: known.loss, grad: known.grad.slice() };
    }
    this.evaluations.lossGrad += 1;
    this.bind(beta);
    const [v] = (await this.runtime.run(this.lossGradPlan)) as [Float64Array];
    const grad = v.slice(0, this.n);
    const loss = v[this.p + 1]!;
    this.recent.unshift({ beta: beta.slice(), loss, grad: grad.slice() });
    this.recent.length = Math.min(this.recent.length, RECENT);
    return { loss, grad };
  }

  /**
   * The last few evaluations: a fit along a regularization path starts at the point where the
   * previous fit on this problem ended, whose loss and gradient (the data's part: the penalty is
   * added by the caller) are then known without a pass over X.
   */
  private readonly recent: { beta: Float64Array; loss: number; grad: Float64Array }[] = [];

  async loss(beta: Float64Array): Promise<number> {
    const known = this.recent.find((r) => sameValues(r.beta, beta));
    if (known) {
      this.evaluations.reused += 1;
      return known.loss;
    }
    this.evaluations.loss += 1;
    this.bind(beta);
    const [v] = (await this.runtime.run(this.lossPlan)) as [number];
    return v;
  }

  async hessian(beta: Float64Array): Promise<Float64Array> {
    this.evaluations.hessian += 1;
    this.bind(beta);
    const [v] = (await this.runtime.run(this.hessianPlanOf())) as [Float64Array];
    return v;
  }

  /** X beta + intercept for every row (beta: the coefficients, then the intercept when fitted). */
  async linearPredictor(beta: Float64Array): Promise<Float64Array> {
    const coef = fromTypedArray(beta.slice(0, this.p));
    const b0 = this.intercept ? beta[this.p]! : 0;
    return (await this.X.matmul(coef).add(b0).compute({ runtime: this.runtime })) as Float64Array;
  }

  /** The sum of the sample weights: the loss is a sum of that many unit-weight terms (rows, without weights). */
  get totalWeight(): number {
    return this.weightSum;
  }

  /** The labels, one per row, as one array. */
  labels(): Float64Array {
    return this.rowValues(this.y);
  }

  /** The sample weights, one per row, as one array (undefined: every row weighs 1). */
  weights(): Float64Array | undefined {
    return this.sampleWeight && this.rowValues(this.sampleWeight);
  }

  /** A vector chunked like X's rows, as one array. */
  private rowValues(v: ChunkedArray): Float64Array {
    const out = new Float64Array(this.rows);
    let at = 0;
    for (const [i, chunk] of v.chunkBuffers().entries()) {
      const values = chunk.f64().subarray(0, this.X.rowChunks[i]!);
      out.set(values, at);
      at += values.length;
    }
    return out;
  }

  private stats: DataStatistics | undefined;

  /** Column and label statistics from a sample of rows, weighted by the sample weights (computed once: see glm/scaling.ts). */
  statistics(): DataStatistics {
    const rows = this.X.rowChunks;
    const xs = this.X.chunkBuffers().map((a, i) => a.f64().subarray(0, rows[i]! * this.p));
    const ys = this.y.chunkBuffers().map((a, i) => a.f64().subarray(0, rows[i]!));
    const ws = this.sampleWeight?.chunkBuffers().map((a, i) => a.f64().subarray(0, rows[i]!));
    this.stats ??= dataStatistics(xs, ys, this.p, ws && { chunks: ws, total: this.weightSum });
    return this.stats;
  }

  private admm:
    | { plan: Plan; z: Allocation; u: Allocation; previous: Allocation; coords: Allocation; hessians: Allocation; steps: number }
    | undefined;

  /** Row chunks of the data: ADMM's consensus blocks. */
  get chunks(): number {
    return this.X.rowChunks.length;
  }

  /**
   * ADMM's local steps, one task per chunk (on the workers): each chunk's x_i minimizing its loss
   * plus rho/2 ||x_i - z + u_i||^2, warm-started from `previous` (chunks x n values), in
   * `coordinates` (see glm/scaling.ts; beta itself when not given). Each chunk keeps its
   * Hessian between calls, recomputed when `refreshHessian`.
   */
  async admmLocal(
    z: Float64Array,
    u: Float64Array,
    previous: Float64Array,
    rho: number,
    newtonSteps: number,
    refreshHessian: boolean,
    coordinates?: Coordinates,
  ): Promise<Float64Array[]> {
    const N = this.chunks,
      n = this.n,
      p = this.p,
      f = this.family;
    if (!this.admm || this.admm.steps !== newtonSteps) {
      this.releaseAdmm();
      const mem = this.runtime.memory;
      const zb = mem.allocF64(n + 2),
        ub = mem.allocF64(Math.max(N * n, 1)),
        previousb = mem.allocF64(Math.max(N * n, 1));
      const coordsb = mem.allocF64(Math.max(2 * p, 1)),
        hessiansb = mem.allocF64(Math.max(N * n * n, 1));
      const input = (name: string, buffer: Allocation) => new InputLayer(uniqueName(name), [buffer], buffer.bytes);
      const g = this.X.chunkGrid; // one column chunk: chunk i is row chunk i
      const local = new BlockwiseLayer(
        "glmAdmmLocal",
        [
          { literal: this.sampleWeight ? f.lossGradWeightedKernel : f.lossGradKernel },
          { literal: f.lossKernel },
          { literal: f.weightsKernel },
          this.X.layer,
          this.y.layer,
          input("admm-z", zb),
          input("admm-u", ub),
          input("admm-x", previousb),
          input("admm-coordinates", coordsb),
          input("admm-hessians", hessiansb),
          { perChunk: g.rowIndex },
          { perChunk: g.rows },
          { literal: p },
          { literal: this.intercept },
          { literal: newtonSteps },
          ...(this.sampleWeight ? [this.sampleWeight.layer] : []),
        ],
        { bytes: 8 * n },
      );
      const plan = this.runtime.compile(new Graph([local]), local.keys());
      this.admm = { plan, z: zb, u: ub, previous: previousb, coords: coordsb, hessians: hessiansb, steps: newtonSteps };
      refreshHessian = true; // a new buffer holds no Hessians yet
    }
    const a = this.admm;
    a.z.f64().set(z);
    a.z.f64()[n] = rho;
    a.z.f64()[n + 1] = refreshHessian ? 1 : 0;
    a.u.f64().set(u);
    a.previous.f64().set(previous);
    a.coords.f64().set((coordinates ?? Coordinates.identity(p, this.intercept)).packed());
    return (await this.runtime.run(a.plan)) as Float64Array[];
  }

  private releaseAdmm(): void {
    if (!this.admm) return;
    for (const b of [this.admm.z, this.admm.u, this.admm.previous, this.admm.coords, this.admm.hessians]) if (!b.freed) b.free();
    this.admm = undefined;
  }

  /** Frees X, y, the weights (the copies this problem made) and the buffers of the evaluations in the runtime's memory. */
  release(): void {
    for (const a of this.owned) a?.release();
    if (!this.beta.freed) this.beta.free();
    this.releaseAdmm();
  }
}

/** A task's rows: `rows` rows of chunk `chunk` from its row `row0`. */
interface RowPiece {
  chunk: number;
  row0: number;
  rows: number;
}

/**
 * The row pieces of an evaluation, in run order, by guided self-scheduling: each piece is
 * about the rows still to come divided by twice the threads (never more than its chunk's rest,
 * never less than a floor of about 4 MB of X). Early pieces are whole chunks, the last ones small,
 * so that the threads finish together even when one runs slower (a noisy neighbour, the main
 * thread also scheduling): the white space at the end of an iteration is at most one small piece.
 */
export function guidedPieces(rowChunks: readonly number[], threads: number, cols: number): RowPiece[] {
  // about 4 MB of X: against 2 MB, two tasks fewer per evaluation on the 1M x 100 problem, a
  // little less thread time outside tasks and slightly shorter iterations (interleaved profile
  // runs); 6 MB and 10 MB were no better
  const floor = Math.max(256, Math.ceil((4 << 20) / (8 * Math.max(cols, 1))));
  let remaining = rowChunks.reduce((a, b) => a + b, 0);
  const pieces: RowPiece[] = [];
  rowChunks.forEach((rows, chunk) => {
    if (rows === 0) pieces.push({ chunk, row0: 0, rows: 0 });
    for (let row0 = 0; row0 < rows; ) {
      const size = Math.min(rows - row0, Math.max(floor, Math.ceil(remaining / (2 * Math.max(threads, 1)))));
      pieces.push({ chunk, row0, rows: size });
      row0 += size;
      remaining -= size;
    }
  });
  return pieces;
}

/** Evaluations a problem remembers (the line search's last points). */
const RECENT = 4;

/** Whether two coefficient vectors are equal entry by entry. */
function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
  return true;
}
