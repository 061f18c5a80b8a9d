/** The scheduler: runs plans on the calling thread and on worker threads over one shared memory. */
export { Scheduler, WorkerCrashedError, CancelledError, ResourceError, TimeoutError } from "./scheduler.js";
export type { SchedulerOptions, ScheduleOptions } from "./scheduler.js";
export type { OutputMode } from "./run-state.js";
export { place } from "./placement.js";
export type { Placement, PlacementFacts } from "./placement.js";
