/**
 * A GLM problem whose rows are on the cluster's workers: what the estimators' solvers see
 * (glm/distributed.ts's RemoteProblem). Every evaluation is one request per worker, answered with
 * the sums over that worker's partitions, and summed here: p-length vectors (an n x n Hessian for
 * Newton) travel, never rows. ADMM's local steps run on the workers, on every chunk of their
 * partitions; the consensus is formed here, its chunks ordered by partition, so that a partition
 * moved to another worker keeps its place.
 *
 * An evaluation is a pure function of the coefficients, so one that a worker failed to answer is
 * asked again once the dataset has healed (the worker answered again, or its partitions were read
 * by live workers): the solver goes on from the same iterate, toward the same optimum.
 */
import { family as familyOf, type Family, type FamilyName } from "../glm/families.js";
import type { RemoteProblem } from "../glm/distributed.js";
import { combineStatistics, type Coordinates, type DataStatistics } from "../glm/scaling.js";
import { ClusterError } from "./errors.js";
import type { ClusterLink } from "./link.js";
import type { ClusterFamily, PartDescription } from "./protocol.js";

/** What a problem needs of its dataset: where each partition is now, and healing after a failure. */
export interface Placement {
  readonly id: string;
  /** The workers and the partitions each holds, now. */
  placement(): { worker: string; parts: number[] }[];
  /** Waits out or repairs the failure behind `error` (a ClusterError); rejects when it cannot. */
  heal(error: ClusterError): Promise<void>;
  /** The dataset's running totals of evaluations, wall and worker milliseconds (each evaluation adds to them). */
  readonly timing?: { evaluations: number; wallMs: number; workerMs: number };
}

export class ClusterProblem implements RemoteProblem {
  readonly family: Family;
  readonly n: number;
  readonly p: number;
  readonly rows: number;
  readonly chunks: number;
  private readonly stats: DataStatistics;
  /** Each partition's row chunks, and where they start in ADMM's chunk order. */
  private readonly partChunks = new Map<number, { chunks: number; offset: number }>();
  /** Evaluations asked again after a failure (a worker gone, the server restarting). */
  retries = 0;
  /**
   * Where the time of the evaluations went: their count, their wall time here, and the time the
   * slowest worker of each spent computing (summed). Wall minus that is the cluster's own cost:
   * messages, encoding, the sums here.
   */
  readonly timing = { evaluations: 0, wallMs: 0, workerMs: 0 };

  constructor(
    private readonly link: ClusterLink,
    private readonly data: Placement,
    familyName: FamilyName,
    readonly intercept: boolean,
    parts: readonly PartDescription[],
  ) {
    this.family = familyOf(familyName);
    this.p = parts[0]!.p;
    this.n = this.p + (intercept ? 1 : 0);
    this.rows = parts.reduce((a, d) => a + d.rows, 0);
    let offset = 0;
    for (const d of [...parts].sort((a, b) => a.part - b.part)) {
      this.partChunks.set(d.part, { chunks: d.chunks, offset });
      offset += d.chunks;
    }
    this.chunks = offset;
    this.stats = combineStatistics(parts.map((d) => d.stats));
  }

  statistics(): DataStatistics {
    return this.stats;
  }

  /** `ask` over the current placement, asked again after each healed failure. */
  private async everywhere<R extends { ms: number }>(
    ask: (worker: string, parts: number[]) => Promise<R>,
  ): Promise<{ parts: number[]; reply: R }[]> {
    for (;;) {
      const placement = this.data.placement();
      const started = performance.now();
      try {
        const replies = await Promise.all(placement.map(async (g) => ({ parts: g.parts, reply: await ask(g.worker, g.parts) })));
        const wall = performance.now() - started,
          busiest = Math.max(0, ...replies.map((r) => r.reply.ms));
        for (const t of [this.timing, this.data.timing]) {
          if (!t) continue;
          t.evaluations += 1;
          t.wallMs += wall;
          t.workerMs += busiest;
        }
        return replies;
      } catch (error) {
        if (!(error instanceof ClusterError)) throw error; // a worker's own error (bad data, say) is the fit's
        await this.data.heal(error);
        this.retries += 1;
      }
    }
  }

  private ask<O extends "lossGrad" | "loss" | "hessian">(op: O, beta: Float64Array) {
    const base = { dataset: this.data.id, family: this.family.name as ClusterFamily, intercept: this.intercept, beta };
    return this.everywhere((worker, parts) => this.link.request(worker, op, { ...base, parts }));
  }

  async lossGrad(beta: Float64Array): Promise<{ loss: number; grad: Float64Array }> {
    let loss = 0;
    const grad = new Float64Array(this.n);
    for (const { reply } of await this.ask("lossGrad", beta)) {
      loss += reply.loss;
      for (let j = 0; j < this.n; j++) grad[j] = grad[j]! + reply.grad[j]!;
    }
    return { loss, grad };
  }

  async loss(beta: Float64Array): Promise<number> {
    return (await this.ask("loss", beta)).reduce((a, r) => a + r.reply.loss, 0);
  }

  async hessian(beta: Float64Array): Promise<Float64Array> {
    const out = new Float64Array(this.n * this.n);
    for (const { reply } of await this.ask("hessian", beta)) for (let k = 0; k < out.length; k++) out[k] = out[k]! + reply.hessian[k]!;
    return out;
  }

  /** The chunks x n values of `v` that belong to `parts`, in that order. */
  private slicesOf(v: Float64Array, parts: number[]): Float64Array {
    const n = this.n;
    const out = new Float64Array(parts.reduce((a, part) => a + this.partChunks.get(part)!.chunks, 0) * n);
    let at = 0;
    for (const part of parts) {
      const { chunks, offset } = this.partChunks.get(part)!;
      out.set(v.subarray(offset * n, (offset + chunks) * n), at);
      at += chunks * n;
    }
    return out;
  }

  async admmLocal(
    z: Float64Array,
    u: Float64Array,
    previous: Float64Array,
    rho: number,
    newtonSteps: number,
    refreshHessian: boolean,
    coordinates?: Coordinates,
  ): Promise<Float64Array[]> {
    const n = this.n;
    const packed = coordinates ? coordinates.packed() : Float64Array.from({ length: 2 * this.p }, (_, j) => (j < this.p ? 1 : 0));
    const replies = await this.everywhere((worker, parts) =>
      this.link.request(worker, "admm", {
        dataset: this.data.id,
        parts,
        family: this.family.name as ClusterFamily,
        intercept: this.intercept,
        z,
        u: this.slicesOf(u, parts),
        previous: this.slicesOf(previous, parts),
        rho,
        steps: newtonSteps,
        // a partition that moved has no kept Hessian on its new worker: it computes one whatever this says
        refresh: refreshHessian,
        coordinates: packed,
      }),
    );
    const out: Float64Array[] = new Array(this.chunks);
    for (const { parts, reply } of replies) {
      let at = 0;
      for (const part of parts) {
        const { chunks, offset } = this.partChunks.get(part)!;
        for (let i = 0; i < chunks; i++) out[offset + i] = reply.x.subarray((at + i) * n, (at + i + 1) * n);
        at += chunks;
      }
    }
    return out;
  }

  /** Nothing to free here: the workers keep the partitions' problems until the dataset is dropped. */
  release(): void {}
}
