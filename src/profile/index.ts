/** Profiles: task timing events, their summary, task-stream pictures (SVG, HTML) and Trace Event JSON. */
export { summarize } from "./events.js";
export type { TaskEvent, TimelineSummary } from "./events.js";
export { renderTimeline, renderProfilePage, renderComparisonPage, sharedAxis, escapeXml } from "./render.js";
export type { TimelineOptions, SharedAxis, NamedTimeline } from "./render.js";
export { toTraceEvents } from "./trace-events.js";
export type { TraceEvent, TraceEventFile, TraceEventOptions } from "./trace-events.js";
