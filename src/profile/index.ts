/** Profiles: task timing events, their summary, and task-stream pictures (SVG, HTML). */
export { summarize } from "./events.js";
export type { TaskEvent, TimelineSummary } from "./events.js";
export { renderTimeline, renderProfilePage, escapeXml } from "./render.js";
export type { TimelineOptions } from "./render.js";
