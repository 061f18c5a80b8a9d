/** The Runtime: shared memory, kernels, scheduler and profile behind one object; and compute(). */
export { Runtime, compute, getDefaultRuntime } from "./runtime.js";
export type { RuntimeOptions, ComputeOptions, RunPlanOptions, Profile, ExecutorName } from "./runtime.js";
export { PlanCache } from "./plan-cache.js";
export type { PlanCacheStats, PlanCacheLimits } from "./plan-cache.js";
