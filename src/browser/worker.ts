/**
 * The worker entry of the browser build (dist/browser/worker.js): takes what the page sent at
 * start, registers weft's array and GLM ops in the worker's registry (this bundle holds them, so
 * no module is fetched again), then starts the scheduler's worker loop.
 */
import { setWorkerData } from "../platform/browser/threads.js";
import { scope } from "../platform/browser/globals.js";
import { registerArrayOps } from "../array/ops.js";
import { registerGlmOps } from "../glm/ops.js";
import { workerOps } from "../scheduler/worker-ops.js";

registerArrayOps(workerOps);
registerGlmOps(workerOps);

scope.addEventListener(
  "message",
  (event) => {
    setWorkerData((event.data as { workerData: unknown }).workerData);
    void import("../scheduler/worker.js");
  },
  { once: true },
);
