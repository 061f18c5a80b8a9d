/**
 * The op registry of a worker thread: weft's kernel ops, and whatever a worker entry registers
 * before the worker starts. In Node a worker imports the modules of other ops by URL when a plan
 * names them; a browser's worker bundle already holds weft's array and GLM ops, and registers
 * them here so that no module is fetched again.
 */
import { registerKernelOps } from "../graph/kernel-ops.js";
import { OpRegistry } from "../graph/ops.js";

export const workerOps = new OpRegistry();
registerKernelOps(workerOps);
