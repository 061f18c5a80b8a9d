/**
 * Horizontal bar charts as standalone SVG documents, for REPORT.md: one bar per measurement,
 * its value printed beside it, and an optional ceiling line (the streaming bandwidth measured in
 * the same run) across memory-bound charts.
 */
import { escapeXml } from "../../src/profile/render.js";

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

const WIDTH = 760, LEFT = 230, RIGHT = 90, TOP = 34, BAR = 22, GAP = 8, AXIS = 26;

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
    const at = x(ceiling.value), cx = at.toFixed(1);
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
