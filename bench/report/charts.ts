/**
 * Charts as standalone SVG documents, for REPORT.md: horizontal bar charts (one bar per
 * measurement, its value printed beside it, and an optional ceiling line, the streaming
 * bandwidth measured in the same run, across memory-bound charts), and log-log line charts of
 * how a cost grows with the size of the work.
 */

/** Text made safe inside SVG markup. */
function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export interface Bar {
  label: string;
  value: number;
  /** Drawn in weft's colour (the others in grey). */
  highlight?: boolean;
}

export interface BarChartOptions {
  title: string;
  /** Unit shown after every value and on the axis, e.g. "GB/s" or "ms". */
  unit: string;
  bars: readonly Bar[];
  /** A vertical line at this value, e.g. the machine's streaming bandwidth. */
  ceiling?: { label: string; value: number };
  /** Log scale: for values spanning several orders of magnitude (overheads). */
  log?: boolean;
  digits?: number;
}

const WIDTH = 760,
  LEFT = 230,
  RIGHT = 90,
  TOP = 34,
  BAR = 22,
  GAP = 8,
  AXIS = 26;

export function barChart(options: BarChartOptions): string {
  const { bars, unit, ceiling } = options;
  const digits = options.digits ?? 1;
  const values = bars.map((b) => b.value).filter((v) => Number.isFinite(v) && v > 0);
  const max = Math.max(...values, ceiling?.value ?? 0, 1e-12) * 1.05;
  const min = options.log ? Math.min(...values, ceiling?.value ?? Infinity) / 2 : 0;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const x = (v: number) =>
    LEFT + (options.log ? (Math.log10(Math.max(v, min)) - Math.log10(min)) / (Math.log10(max) - Math.log10(min)) : v / max) * plotWidth;
  const height = TOP + bars.length * (BAR + GAP) + AXIS + (ceiling ? 14 : 0);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(options.title)}</title>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`,
  ];
  bars.forEach((b, i) => {
    const y = TOP + i * (BAR + GAP);
    const ok = Number.isFinite(b.value) && b.value > 0;
    const w = ok ? Math.max(1, x(b.value) - LEFT) : 0;
    parts.push(
      `<text x="${LEFT - 8}" y="${y + BAR / 2 + 4}" text-anchor="end">${escapeXml(b.label)}</text>`,
      `<rect x="${LEFT}" y="${y}" width="${w.toFixed(1)}" height="${BAR}" fill="${b.highlight ? "#1f77b4" : "#9aa5b1"}"/>`,
      `<text x="${(LEFT + w + 6).toFixed(1)}" y="${y + BAR / 2 + 4}">${ok ? `${b.value.toFixed(digits)} ${escapeXml(unit)}` : "not measured"}</text>`,
    );
  });
  const axisY = TOP + bars.length * (BAR + GAP) + 4;
  parts.push(`<line x1="${LEFT}" y1="${axisY}" x2="${LEFT + plotWidth}" y2="${axisY}" stroke="#333"/>`);
  parts.push(`<text x="${LEFT}" y="${axisY + 16}" fill="#555">${escapeXml(unit)}${options.log ? " (log scale)" : ""}</text>`);
  if (ceiling && Number.isFinite(ceiling.value) && ceiling.value > 0) {
    const at = x(ceiling.value),
      cx = at.toFixed(1);
    // the label hangs left of the line when the line is near the right edge
    const anchor = at > WIDTH - 160 ? "end" : "middle";
    parts.push(
      `<line x1="${cx}" y1="${TOP - 6}" x2="${cx}" y2="${axisY}" stroke="#d62728" stroke-width="2" stroke-dasharray="6 3"/>`,
      `<text x="${cx}" y="${axisY + 30}" text-anchor="${anchor}" fill="#d62728">${escapeXml(`${ceiling.label}: ${ceiling.value.toFixed(digits)} ${unit}`)}</text>`,
    );
  }
  parts.push("</svg>");
  return parts.join("\n");
}

/** A line of a line chart: its points (x, y), in order of x. */
export interface Series {
  label: string;
  points: readonly { x: number; y: number }[];
  /** Drawn in weft's colour and thicker (the others in grey shades). */
  highlight?: boolean;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  /** Unit of y, shown on its axis and beside each line's last point. */
  unit: string;
  series: readonly Series[];
  digits?: number;
}

const GREYS = ["#9aa5b1", "#c0792b", "#6b7b8c", "#b3b3b3"];

/**
 * A log-log line chart: how a cost grows with the size of the work (a flat line is a cost per
 * unit that does not grow). Points that are not finite and positive are left out.
 */
export function lineChart(options: LineChartOptions): string {
  const W = 820,
    H = 360,
    L = 70,
    R = 250,
    T = 40,
    B = 50;
  const digits = options.digits ?? 2;
  const pts = options.series.flatMap((s) => s.points).filter((p) => p.x > 0 && p.y > 0 && Number.isFinite(p.y));
  const xs = pts.map((p) => p.x),
    ys = pts.map((p) => p.y);
  const lx0 = Math.floor(Math.log10(xs.length > 0 ? Math.min(...xs) : 1)),
    lx1 = Math.max(lx0 + 1, Math.ceil(Math.log10(xs.length > 0 ? Math.max(...xs) : 10)));
  const ly0 = Math.floor(Math.log10(Math.min(...ys, 1))),
    ly1 = Math.ceil(Math.log10(Math.max(...ys, 1)));
  const px = (x: number) => L + ((Math.log10(x) - lx0) / Math.max(lx1 - lx0, 1)) * (W - L - R);
  const py = (y: number) => H - B - ((Math.log10(y) - ly0) / Math.max(ly1 - ly0, 1)) * (H - T - B);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(options.title)}</title>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`,
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#333"/>`,
    `<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#333"/>`,
  ];
  for (let e = lx0; e <= lx1; e++) {
    const x = px(10 ** e).toFixed(1);
    parts.push(
      `<line x1="${x}" y1="${T}" x2="${x}" y2="${H - B}" stroke="#eee"/>`,
      `<text x="${x}" y="${H - B + 16}" text-anchor="middle">${(10 ** e).toLocaleString("en")}</text>`,
    );
  }
  for (let e = ly0; e <= ly1; e++) {
    const y = py(10 ** e).toFixed(1);
    parts.push(
      `<line x1="${L}" y1="${y}" x2="${W - R}" y2="${y}" stroke="#eee"/>`,
      `<text x="${L - 6}" y="${y}" text-anchor="end" dy="4">${10 ** e >= 1 ? (10 ** e).toLocaleString("en") : (10 ** e).toString()}</text>`,
    );
  }
  parts.push(
    `<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle" fill="#555">${escapeXml(options.xLabel)} (log scale)</text>`,
    `<text x="14" y="${(T + H - B) / 2}" fill="#555" transform="rotate(-90 14 ${(T + H - B) / 2})" text-anchor="middle">${escapeXml(options.unit)} (log scale)</text>`,
  );
  let grey = 0;
  let legendY = T + 8;
  for (const s of options.series) {
    const points = s.points.filter((p) => p.x > 0 && p.y > 0 && Number.isFinite(p.y));
    if (points.length === 0) continue;
    const colour = s.highlight ? "#1f77b4" : GREYS[grey++ % GREYS.length]!;
    const path = points.map((p, i) => `${i === 0 ? "M" : "L"}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(" ");
    parts.push(`<path d="${path}" fill="none" stroke="${colour}" stroke-width="${s.highlight ? 3 : 2}"/>`);
    for (const p of points) parts.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" fill="${colour}"/>`);
    // a legend to the right (labels at the lines' ends would overlap where lines run close)
    const last = points[points.length - 1]!;
    const lx = W - R + 12;
    parts.push(
      `<line x1="${lx}" y1="${legendY}" x2="${lx + 18}" y2="${legendY}" stroke="${colour}" stroke-width="${s.highlight ? 3 : 2}"/>`,
      `<text x="${lx + 24}" y="${legendY}" dy="4" fill="#333">${escapeXml(s.label)}</text>`,
      `<text x="${lx + 24}" y="${legendY + 14}" dy="4" fill="#777">${escapeXml(`${last.y.toFixed(digits)} ${options.unit} at ${last.x.toLocaleString("en")}`)}</text>`,
    );
    legendY += 36;
  }
  parts.push("</svg>");
  return parts.join("\n");
}
