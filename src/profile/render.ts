/**
 * Task-stream pictures, like Dask's profile plots: one lane per thread, one bar per task,
 * coloured by what ran, on a time axis, so the white space between tasks (scheduling
 * overhead) is visible. Output is self-contained SVG, or an HTML page around it; no scripts,
 * no external resources.
 */
import { formatKey } from "../graph/keys.js";
import { checkEvents, summarize, type TaskEvent } from "./events.js";

const LANE_HEIGHT = 28;
const BAR_HEIGHT = 20;
const LEFT = 70;
const RIGHT = 20;
const TOP = 30;
const AXIS = 30;
const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

/** Escapes text for SVG/HTML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** A round step for axis ticks: about `count` ticks across `span`. */
function tickStep(span: number, count: number): number {
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
}

/** Options of the timeline renderers: width in pixels and a title. */
export interface TimelineOptions {
  /** Width of the drawing in pixels (default 1000). */
  width?: number;
  title?: string;
}

/** The timeline as an SVG document. */
export function renderTimeline(events: readonly TaskEvent[], options: TimelineOptions = {}): string {
  checkEvents(events, "renderTimeline");
  const width = options.width ?? 1000;
  const lanes = [...new Set(events.map((e) => e.lane))].sort((a, b) => a - b);
  const laneIndex = new Map(lanes.map((l, i) => [l, i]));
  const height = TOP + Math.max(1, lanes.length) * LANE_HEIGHT + AXIS;
  let t0 = events.length ? Infinity : 0;
  let t1 = events.length ? -Infinity : 1;
  for (const e of events) {
    if (e.start < t0) t0 = e.start;
    if (e.end > t1) t1 = e.end;
  }
  const span = Math.max(t1 - t0, 1e-6);
  const x = (t: number) => LEFT + ((t - t0) / span) * (width - LEFT - RIGHT);
  const colors = new Map<string, string>();
  const colorOf = (label: string) => {
    if (!colors.has(label)) colors.set(label, PALETTE[colors.size % PALETTE.length]!);
    return colors.get(label)!;
  };
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(options.title ?? "task stream")}</title>`,
    `<text x="${LEFT}" y="18" font-size="13">${escapeXml(options.title ?? "task stream")}</text>`,
  ];
  lanes.forEach((lane, i) => {
    const y = TOP + i * LANE_HEIGHT;
    parts.push(`<text x="8" y="${y + BAR_HEIGHT / 2 + 4}">${lane === 0 ? "main" : `worker ${lane}`}</text>`);
    parts.push(`<rect x="${LEFT}" y="${y}" width="${width - LEFT - RIGHT}" height="${BAR_HEIGHT}" fill="#f4f4f4"/>`);
  });
  for (const e of events) {
    const y = TOP + laneIndex.get(e.lane)! * LANE_HEIGHT;
    const left = x(e.start);
    const w = Math.max(x(e.end) - left, 0.5);
    const tip = `${formatKey(e.key)}: ${e.label}, ${(e.end - e.start).toFixed(3)} ms`;
    parts.push(
      `<rect class="task" x="${left.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="${BAR_HEIGHT}" fill="${colorOf(e.label)}"><title>${escapeXml(tip)}</title></rect>`,
    );
  }
  const axisY = TOP + Math.max(1, lanes.length) * LANE_HEIGHT + 4;
  parts.push(`<line x1="${LEFT}" y1="${axisY}" x2="${width - RIGHT}" y2="${axisY}" stroke="#333"/>`);
  const step = tickStep(span, 8);
  for (let t = 0; t <= span + 1e-9; t += step) {
    parts.push(`<line x1="${x(t0 + t).toFixed(2)}" y1="${axisY}" x2="${x(t0 + t).toFixed(2)}" y2="${axisY + 4}" stroke="#333"/>`);
    parts.push(`<text x="${x(t0 + t).toFixed(2)}" y="${axisY + 16}" text-anchor="middle">${Number(t.toPrecision(6))} ms</text>`);
  }
  parts.push("</svg>");
  return parts.join("\n");
}

/** A self-contained HTML page: the timeline, a legend of what ran, and the summary figures. */
export function renderProfilePage(events: readonly TaskEvent[], options: TimelineOptions = {}): string {
  checkEvents(events, "renderProfilePage");
  const s = summarize(events);
  const byLabel = new Map<string, { count: number; ms: number }>();
  for (const e of events) {
    const entry = byLabel.get(e.label) ?? { count: 0, ms: 0 };
    entry.count += 1;
    entry.ms += e.end - e.start;
    byLabel.set(e.label, entry);
  }
  const rows = [...byLabel]
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([label, v]) => `<tr><td>${escapeXml(label)}</td><td>${v.count}</td><td>${v.ms.toFixed(3)}</td></tr>`)
    .join("\n");
  const title = escapeXml(options.title ?? "weft profile");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>body{font-family:sans-serif;margin:20px}table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left}</style>
</head><body>
<h1>${title}</h1>
<p>${s.tasks} tasks on ${s.lanes} lane(s) in ${s.wallMs.toFixed(3)} ms; busy ${s.busyMs.toFixed(3)} ms:
${(100 * s.utilization).toFixed(1)}% of the lanes' time (the rest is the white space between tasks).</p>
${renderTimeline(events, options)}
<table><tr><th>what ran</th><th>tasks</th><th>ms</th></tr>
${rows}
</table>
</body></html>
`;
}
