/** Random data: the spec's counter-based synthetic problem, made chunk by chunk with the kernels. */
export { DEFAULT_SEED, seedHalves, logisticBeta, logisticProblemChunk } from "./synthetic.js";
export type { ProblemShape } from "./synthetic.js";
