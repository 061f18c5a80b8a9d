// The kernel module's exports: every kernel registered in src/kernels/registry.ts, plus the
// heap base below which the module's own static data lives (user data starts above it).
export { dot, axpy, scal, copy, nrm2, asum, iamax } from "./blas1";
export { gemv, gemvT } from "./blas2";
export { gemm, gemmScratchElements, gram, gramWeighted } from "./blas3";
export {
  neg, abs_ as abs, exp, log, log1p, expm1, sqrt_ as sqrt, reciprocal, square, sigmoid, logSigmoid, tanh,
  addVV, subVV, mulVV, divVV, powVV, minVV, maxVV,
  addVS, subVS, mulVS, divVS, powVS, minVS, maxVS,
  addSV, subSV, mulSV, divSV, powSV, minSV, maxSV,
} from "./elementwise";
export { sum, sumSquares, min_ as min, max_ as max, rowSums, colSums, rowMins, rowMaxs, sumF32, sumSquaresF32, minF32, maxF32 } from "./reduce";
export { cholesky, trsv, spdSolve } from "./linalg";
export {
  glmLogisticLossGrad, glmNormalLossGrad, glmPoissonLossGrad,
  glmLogisticGrad, glmNormalGrad, glmPoissonGrad,
  glmLogisticLoss, glmNormalLoss, glmPoissonLoss,
  glmLogisticWeights, glmNormalWeights, glmPoissonWeights,
  glmLogisticLossGradWeighted, glmNormalLossGradWeighted, glmPoissonLossGradWeighted,
  glmLogisticLossWeighted, glmNormalLossWeighted, glmPoissonLossWeighted,
} from "./glm";

/** First byte above the module's static data: the allocator never hands out memory below it. */
export function heapBase(): usize {
  return __heap_base;
}
export { randomUniform, randomNormal } from "./random";
export { widenF32, narrowF32, roundF32 } from "./convert";
