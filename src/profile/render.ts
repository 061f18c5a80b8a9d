/**
 * Task-stream pictures, like Dask's profile plots: one lane per thread, one bar per task,
 * coloured by what ran, on a time axis, so the white space between tasks (scheduling
 * overhead) is visible, with a legend saying what each colour and lane is. Timelines that are
 * compared share one time axis (`sharedAxis`, `renderComparisonPage`), so that widths compare.
 * Output is self-contained SVG, or an HTML page around it; no scripts, no external resources.
 */
import { ArgumentError } from "../errors.js";
import { formatKey } from "../graph/keys.js";
import { checkInteger, checkNumber, checkOptions, checkString } from "../validate.js";
import { checkEvents, summarize, type TaskEvent } from "./events.js";

const LANE_HEIGHT = 28;
const BAR_HEIGHT = 20;
const LEFT = 70;
const RIGHT = 20;
const TOP = 30;
const AXIS = 30;
const LEGEND_ROW = 18;
const SWATCH = 12;
/** Width of a character of the 11 px sans-serif text, on average: enough to lay the legend out. */
const CHAR_WIDTH = 6.2;
/** Legend entries longer than this are shortened (the whole label is in the entry's tooltip). */
const LEGEND_CHARS = 48;
const IDLE_FILL = "#f4f4f4";
const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];
const TIMELINE_OPTIONS = ["width", "title", "span", "labels"];

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

/** The colour of the label at `index` of the legend's order: the palette, then hues a golden angle apart. */
function colorAt(index: number): string {
  return PALETTE[index] ?? `hsl(${Math.round((index * 137.508) % 360)}, 50%, 55%)`;
}

/** Options of the timeline renderers. */
export interface TimelineOptions {
  /** Width of the drawing in pixels (default 1000). */
  width?: number;
  title?: string;
  /**
   * Milliseconds the width of the time axis stands for, from the timeline's first start
   * (default: its own first start to last end). Timelines drawn with one span share a scale:
   * a bar twice as wide took twice as long in either. At least the timeline's own span.
   */
  span?: number;
  /**
   * The labels (what ran) in the order colours are given out; labels not listed follow in order
   * of first appearance. Timelines drawn with one list colour each op alike.
   */
  labels?: readonly string[];
}

/** What timelines to be compared share: one time axis (the longest span) and one colour per label. */
export interface SharedAxis {
  /** The longest span of the timelines, ms. */
  span: number;
  /** Every label of the timelines, in order of first appearance. */
  labels: string[];
}

/**
 * The span and label order that draw `timelines` on one time axis with one colour per op:
 * `const axis = sharedAxis([a, b]); renderTimeline(a, { ...axis, title: "a" })`, the same for b.
 */
export function sharedAxis(timelines: readonly (readonly TaskEvent[])[]): SharedAxis {
  if (!Array.isArray(timelines)) throw new ArgumentError("timelines", "a list of event lists", timelines, "sharedAxis");
  timelines.forEach((events, i) => checkEvents(events, "sharedAxis", `timelines[${i}]`));
  const labels = new Set<string>();
  let span = 0;
  for (const events of timelines) {
    span = Math.max(span, extent(events).span);
    for (const e of events) labels.add(e.label);
  }
  return { span, labels: [...labels] };
}

/** First start, last end and their distance. */
function extent(events: readonly TaskEvent[]): { t0: number; span: number } {
  if (events.length === 0) return { t0: 0, span: 0 };
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const e of events) {
    if (e.start < t0) t0 = e.start;
    if (e.end > t1) t1 = e.end;
  }
  return { t0, span: t1 - t0 };
}

/** The options checked, with their defaults. */
function checkTimelineOptions(options: TimelineOptions | undefined, where: string): TimelineOptions & { width: number } {
  const o = checkOptions(options, where, TIMELINE_OPTIONS);
  checkInteger(o.width, "width", where, LEFT + RIGHT + 100);
  checkString(o.title, "title", where);
  checkNumber(o.span, "span", where, 0);
  if (o.labels !== undefined && !(Array.isArray(o.labels) && o.labels.every((l) => typeof l === "string")))
    throw new ArgumentError("labels", "a list of labels (strings)", o.labels, where);
  return { ...o, width: o.width ?? 1000 };
}

/** Colours by label: `order` first, then the labels of `events` as they appear. */
function colorsFor(events: readonly TaskEvent[], order: readonly string[] = []): Map<string, string> {
  const colors = new Map<string, string>();
  for (const label of order) if (!colors.has(label)) colors.set(label, colorAt(colors.size));
  for (const e of events) if (!colors.has(e.label)) colors.set(e.label, colorAt(colors.size));
  return colors;
}

/** One legend entry: a swatch, its text, and the full text as a tooltip when shortened. */
interface LegendEntry {
  fill: string;
  text: string;
}

/** Legend entries laid out left to right, wrapped to the width: their positions, and the rows used. */
function layoutLegend(entries: readonly LegendEntry[], width: number): { x: number; row: number; entry: LegendEntry; shown: string }[] {
  const placed: { x: number; row: number; entry: LegendEntry; shown: string }[] = [];
  let x = LEFT;
  let row = 0;
  for (const entry of entries) {
    const shown = entry.text.length > LEGEND_CHARS ? `${entry.text.slice(0, LEGEND_CHARS - 1)}…` : entry.text;
    const w = SWATCH + 4 + shown.length * CHAR_WIDTH + 16;
    if (x > LEFT && x + w > width - RIGHT) {
      x = LEFT;
      row += 1;
    }
    placed.push({ x, row, entry, shown });
    x += w;
  }
  return placed;
}

/**
 * The timeline as an SVG document: a lane per thread ("main" is the calling thread, "worker n"
 * a worker thread), a bar per task coloured by what ran, a time axis in ms from the first start,
 * and a legend: each colour's label, and the lanes' grey, the time a thread ran no task of
 * these (the white space: scheduling, waiting, idle).
 */
export function renderTimeline(events: readonly TaskEvent[], options?: TimelineOptions): string {
  checkEvents(events, "renderTimeline");
  const o = checkTimelineOptions(options, "renderTimeline");
  const width = o.width;
  const lanes = [...new Set(events.map((e) => e.lane))].sort((a, b) => a - b);
  const laneIndex = new Map(lanes.map((l, i) => [l, i]));
  const { t0, span: own } = extent(events);
  if (o.span !== undefined && o.span < own * (1 - 1e-12))
    throw new ArgumentError("span", `at least the timeline's own span (${own} ms)`, o.span, "renderTimeline");
  const span = Math.max(o.span ?? own, 1e-6);
  const x = (t: number) => LEFT + ((t - t0) / span) * (width - LEFT - RIGHT);
  const colors = colorsFor(events, o.labels);
  const present = new Set(events.map((e) => e.label));
  const legend = layoutLegend(
    [
      { fill: IDLE_FILL, text: "no task running (white space)" },
      ...[...colors].filter(([label]) => present.has(label)).map(([label, fill]) => ({ fill, text: label })),
    ],
    width,
  );
  const laneRows = Math.max(1, lanes.length);
  const axisY = TOP + laneRows * LANE_HEIGHT + 4;
  const legendY = axisY + AXIS;
  const legendRows = legend.reduce((n, p) => Math.max(n, p.row + 1), 0);
  const height = legendY + LEGEND_ROW * (legendRows + 1) + 4;
  const title = o.title ?? "task stream";
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(title)}</title>`,
    `<text x="${LEFT}" y="18" font-size="13">${escapeXml(title)}</text>`,
  ];
  // a lane's grey runs to the timeline's own end: past it (a shared, longer axis) nothing ran
  const laneEnd = events.length ? Math.max(x(t0 + own), LEFT + 0.5) : width - RIGHT;
  lanes.forEach((lane, i) => {
    const y = TOP + i * LANE_HEIGHT;
    parts.push(`<text x="8" y="${y + BAR_HEIGHT / 2 + 4}">${lane === 0 ? "main" : `worker ${lane}`}</text>`);
    parts.push(
      `<rect class="lane" x="${LEFT}" y="${y}" width="${(laneEnd - LEFT).toFixed(2)}" height="${BAR_HEIGHT}" fill="${IDLE_FILL}"/>`,
    );
  });
  for (const e of events) {
    const y = TOP + laneIndex.get(e.lane)! * LANE_HEIGHT;
    const left = x(e.start);
    const w = Math.max(x(e.end) - left, 0.5);
    const tip = `${formatKey(e.key)}: ${e.label}, ${(e.end - e.start).toFixed(3)} ms`;
    parts.push(
      `<rect class="task" x="${left.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="${BAR_HEIGHT}" fill="${colors.get(e.label)}"><title>${escapeXml(tip)}</title></rect>`,
    );
  }
  parts.push(`<line x1="${LEFT}" y1="${axisY}" x2="${width - RIGHT}" y2="${axisY}" stroke="#333"/>`);
  const step = tickStep(span, 8);
  for (let t = 0; t <= span + 1e-9; t += step) {
    parts.push(`<line x1="${x(t0 + t).toFixed(2)}" y1="${axisY}" x2="${x(t0 + t).toFixed(2)}" y2="${axisY + 4}" stroke="#333"/>`);
    parts.push(`<text x="${x(t0 + t).toFixed(2)}" y="${axisY + 16}" text-anchor="middle">${Number(t.toPrecision(6))} ms</text>`);
  }
  parts.push(`<g class="legend">`);
  parts.push(
    `<text x="${LEFT}" y="${legendY + 9}">lanes: main is the calling thread, worker n a worker thread; a bar is a task, coloured by what ran:</text>`,
  );
  for (const { x: lx, row, entry, shown } of legend) {
    const y = legendY + LEGEND_ROW * (row + 1);
    const tip = shown === entry.text ? "" : `<title>${escapeXml(entry.text)}</title>`;
    parts.push(
      `<g class="legend-entry"><rect x="${lx.toFixed(1)}" y="${y}" width="${SWATCH}" height="${SWATCH}" fill="${entry.fill}" stroke="#999" stroke-width="0.5"/>` +
        `<text x="${(lx + SWATCH + 4).toFixed(1)}" y="${y + SWATCH - 2}">${escapeXml(shown)}</text>${tip}</g>`,
    );
  }
  parts.push("</g>", "</svg>");
  return parts.join("\n");
}

/** The summary line, the timeline and the table of what ran: a page's section for one timeline. */
function section(events: readonly TaskEvent[], options: TimelineOptions): string {
  const s = summarize(events);
  const colors = colorsFor(events, options.labels);
  const byLabel = new Map<string, { count: number; ms: number }>();
  for (const e of events) {
    const entry = byLabel.get(e.label) ?? { count: 0, ms: 0 };
    entry.count += 1;
    entry.ms += e.end - e.start;
    byLabel.set(e.label, entry);
  }
  const rows = [...byLabel]
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(
      ([label, v]) =>
        `<tr><td><span class="swatch" style="background:${colors.get(label)}"></span></td><td>${escapeXml(label)}</td><td>${v.count}</td><td>${v.ms.toFixed(3)}</td></tr>`,
    )
    .join("\n");
  return `<p>${s.tasks} tasks on ${s.lanes} lane(s) in ${s.wallMs.toFixed(3)} ms; busy ${s.busyMs.toFixed(3)} ms:
${(100 * s.utilization).toFixed(1)}% of the lanes' time (the rest is the white space between tasks).</p>
${renderTimeline(events, options)}
<table><tr><th></th><th>what ran</th><th>tasks</th><th>ms</th></tr>
${rows}
</table>`;
}

/** The page around sections. */
function page(title: string, body: string): string {
  const t = escapeXml(title);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${t}</title>
<style>body{font-family:sans-serif;margin:20px}table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left}.swatch{display:inline-block;width:12px;height:12px}</style>
</head><body>
<h1>${t}</h1>
${body}
</body></html>
`;
}

/** A self-contained HTML page: the timeline with its legend, a table of what ran, and the summary figures. */
export function renderProfilePage(events: readonly TaskEvent[], options?: TimelineOptions): string {
  checkEvents(events, "renderProfilePage");
  const o = checkTimelineOptions(options, "renderProfilePage");
  return page(o.title ?? "weft profile", section(events, o));
}

/** A timeline to compare: its title and events. */
export interface NamedTimeline {
  title: string;
  events: readonly TaskEvent[];
}

/**
 * A self-contained HTML page comparing timelines (two runs of one computation, say): each with
 * its summary and table, all drawn on one time axis (the longest span across the full width)
 * with one colour per op, so that the widths and the white space compare honestly.
 */
export function renderComparisonPage(timelines: readonly NamedTimeline[], options?: { title?: string; width?: number }): string {
  const where = "renderComparisonPage";
  if (!Array.isArray(timelines) || timelines.length === 0)
    throw new ArgumentError("timelines", "a non-empty list of { title, events }", timelines, where);
  timelines.forEach((t: unknown, i) => {
    if (typeof t !== "object" || t === null || typeof (t as NamedTimeline).title !== "string")
      throw new ArgumentError(`timelines[${i}]`, "{ title, events }", t, where);
    checkEvents((t as NamedTimeline).events, where, `timelines[${i}].events`);
  });
  const o = checkOptions(options, where, ["title", "width"]);
  checkString(o.title, "title", where);
  checkInteger(o.width, "width", where, LEFT + RIGHT + 100);
  const axis = sharedAxis(timelines.map((t) => t.events));
  const intro = `<p>All timelines below share one time axis: ${Number(axis.span.toPrecision(6))} ms across the width, each from its own first task; an op has one colour in all.</p>`;
  const sections = timelines.map(
    (t) => `<h2>${escapeXml(t.title)}</h2>\n${section(t.events, { ...axis, width: o.width, title: t.title })}`,
  );
  return page(o.title ?? "weft profiles", [intro, ...sections].join("\n<hr>\n"));
}
