/** The interface between the GLM problem and the solvers. */
import type { Coordinates } from "./scaling.js";

/** What a solver needs: the summed loss (smooth part of the objective) and its derivatives. */
export interface SmoothObjective {
  /** Row chunks of the data (ADMM's blocks). */
  readonly chunks?: number;
  /**
   * ADMM's local steps (when the objective is a chunked GLM problem), in the coordinates given
   * (beta itself when not given); `refreshHessian` recomputes each chunk's kept Hessian.
   */
  admmLocal?(
    z: Float64Array,
    u: Float64Array,
    previous: Float64Array,
    rho: number,
    newtonSteps: number,
    refreshHessian: boolean,
    coordinates?: Coordinates,
  ): Promise<Float64Array[]>;
  /** Unknowns: p coefficients, then the intercept when fitted. */
  readonly n: number;
  /** Coefficients (the penalized unknowns). */
  readonly p: number;
  lossGrad(beta: Float64Array): Promise<{ loss: number; grad: Float64Array }>;
  loss(beta: Float64Array): Promise<number>;
  hessian(beta: Float64Array): Promise<Float64Array>;
}
