/** `weft profile SUITE --out FILE.html`: a task-stream page of one run of a suite. */
import { writeFileSync } from "node:fs";
import { ArgumentError } from "../errors.js";
import { renderProfilePage, summarize } from "../profile/index.js";

export const PROFILE_SUITES = ["graph", "overhead", "glm"] as const;

export async function runProfile(suite: string, options: { out?: string; rows?: string }, out: (text: string) => void): Promise<void> {
  if (!(PROFILE_SUITES as readonly string[]).includes(suite)) {
    throw new ArgumentError("SUITE", `one of ${PROFILE_SUITES.join(", ")}`, suite);
  }
  if (!options.out) throw new ArgumentError("--out", "the path of the HTML file to write", options.out);
  const rows = options.rows === undefined ? undefined : Number(options.rows);
  if (rows !== undefined && !(Number.isInteger(rows) && rows >= 10)) throw new ArgumentError("--rows", "a whole number of rows, at least 10", options.rows);
  const { profileGraph, profileOverhead } = await import("../../bench/profile.js");
  const runs = suite === "graph" ? await profileGraph() : suite === "overhead" ? await profileOverhead() : await (await import("../../bench/glm-profile.js")).profileGlm({ rows });
  const pages = runs.map((r) => renderProfilePage(r.events, { title: r.name }));
  // one page holding both timelines, one after the other
  const body = pages.map((p) => p.slice(p.indexOf("<body>") + 6, p.indexOf("</body>"))).join("\n<hr>\n");
  const html = pages[0]!.slice(0, pages[0]!.indexOf("<body>") + 6) + body + "</body></html>\n";
  writeFileSync(options.out, html);
  for (const r of runs) {
    const s = summarize(r.events);
    const perIteration = "nonKernelShareMean" in r
      ? `; per iteration ${r.msPerIteration.toFixed(2)} ms, ${(100 * r.nonKernelShare).toFixed(1)}% of thread time outside tasks (median iteration; ${(100 * r.nonKernelShareMean).toFixed(1)}% over all)`
      : "";
    out(`${r.name}: ${s.tasks} tasks in ${s.wallMs.toFixed(2)} ms, ${(100 * s.utilization).toFixed(1)}% busy${perIteration}`);
  }
  out(`wrote ${options.out}`);
}
