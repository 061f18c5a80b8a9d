/** A solver's view of the problem in the coordinates of glm/scaling.ts. */
import type { SmoothObjective } from "./objective.js";
import type { Coordinates } from "./scaling.js";

/**
 * A smooth objective seen in gamma coordinates: each evaluation maps gamma to beta, evaluates the
 * problem there, and maps the gradient and Hessian back.
 */
export class ScaledObjective implements SmoothObjective {
  readonly n: number;
  readonly p: number;
  readonly chunks?: number;

  constructor(
    readonly inner: SmoothObjective,
    readonly coordinates: Coordinates,
  ) {
    this.n = inner.n;
    this.p = inner.p;
    this.chunks = inner.chunks;
    if (inner.admmLocal) {
      const local = inner.admmLocal.bind(inner);
      this.admmLocal = (z, u, previous, rho, steps, refreshHessian) => local(z, u, previous, rho, steps, refreshHessian, coordinates);
    }
  }

  admmLocal?: NonNullable<SmoothObjective["admmLocal"]>;

  async lossGrad(gamma: Float64Array): Promise<{ loss: number; grad: Float64Array }> {
    const { loss, grad } = await this.inner.lossGrad(this.coordinates.toOriginal(gamma));
    return { loss, grad: this.coordinates.gradientToScaled(grad) };
  }

  loss(gamma: Float64Array): Promise<number> {
    return this.inner.loss(this.coordinates.toOriginal(gamma));
  }

  async hessian(gamma: Float64Array): Promise<Float64Array> {
    return this.coordinates.hessianToScaled(await this.inner.hessian(this.coordinates.toOriginal(gamma)));
  }
}
