/**
 * `weft profile SUITE --out FILE.html`: a task-stream page of one run of a suite; `weft profile
 * --script FILE --out FILE.html`: the same for a script of the user's (its computations on the
 * default runtime), to see where a loop of one's own spends its time.
 */
import { existsSync, statSync, writeFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ArgumentError } from "../errors.js";
import { renderProfilePage, summarize } from "../profile/index.js";
import { getDefaultRuntime } from "../runtime/runtime.js";
import { loadBench } from "./bench.js";

export const PROFILE_SUITES = ["graph", "overhead", "glm"] as const;

export async function runProfile(
  suite: string | undefined,
  options: { out?: string; rows?: string; script?: string },
  out: (text: string) => void,
): Promise<void> {
  if (options.script !== undefined) {
    if (suite !== undefined) throw new ArgumentError("SUITE", "no suite when --script is given", suite);
    return profileScript(options.script, options.out, out);
  }
  if (suite === undefined || !(PROFILE_SUITES as readonly string[]).includes(suite)) {
    throw new ArgumentError("SUITE", `one of ${PROFILE_SUITES.join(", ")}`, suite);
  }
  if (!options.out) throw new ArgumentError("--out", "the path of the HTML file to write", options.out);
  const rows = options.rows === undefined ? undefined : Number(options.rows);
  if (rows !== undefined && !(Number.isInteger(rows) && rows >= 10))
    throw new ArgumentError("--rows", "a whole number of rows, at least 10", options.rows);
  const bench = await loadBench();
  const runs =
    suite === "graph"
      ? await bench.profileGraph()
      : suite === "overhead"
        ? await bench.profileOverhead()
        : await bench.profileGlm({ rows });
  const pages = runs.map((r) => renderProfilePage(r.events, { title: r.name }));
  // one page holding both timelines, one after the other
  const body = pages.map((p) => p.slice(p.indexOf("<body>") + 6, p.indexOf("</body>"))).join("\n<hr>\n");
  const html = `${pages[0]!.slice(0, pages[0]!.indexOf("<body>") + 6) + body}</body></html>\n`;
  writeFileSync(options.out, html);
  for (const r of runs) {
    const s = summarize(r.events);
    const perIteration =
      "nonKernelShareMean" in r
        ? `; per iteration ${r.msPerIteration.toFixed(2)} ms, ${(100 * r.nonKernelShare).toFixed(1)}% of thread time outside tasks (median iteration; ${(100 * r.nonKernelShareMean).toFixed(1)}% over all)`
        : "";
    out(`${r.name}: ${s.tasks} tasks in ${s.wallMs.toFixed(2)} ms, ${(100 * s.utilization).toFixed(1)}% busy${perIteration}`);
  }
  out(`wrote ${options.out}`);
}

/**
 * Runs the ES module `script` (its top level, awaited) and writes the task stream of every
 * computation it made on the default runtime (compute() without a runtime) to `page`.
 */
async function profileScript(script: string, page: string | undefined, out: (text: string) => void): Promise<void> {
  if (!page) throw new ArgumentError("--out", "the path of the HTML file to write", page);
  const file = resolve(script);
  if (!existsSync(file) || !statSync(file).isFile()) throw new ArgumentError("--script", "a JavaScript module file", script);
  if (resolve(page) === file) throw new ArgumentError("--out", "a file other than the script (it would be overwritten)", page);
  const rt = await getDefaultRuntime();
  const { profile } = await rt.trace(() => import(pathToFileURL(file).href));
  if (profile.events.length === 0) {
    out(
      `${basename(file)} ran no computation on the default runtime (a script with a Runtime of its own can profile itself with runtime.trace(), see the tutorial's chapter 3)`,
    );
    return;
  }
  const s = summarize(profile.events);
  const inline = profile.runs.filter((r) => r.inline).length;
  writeFileSync(page, renderProfilePage(profile.events, { title: `${basename(file)}: ${profile.runs.length} runs` }));
  out(
    `${basename(file)}: ${profile.runs.length} runs (${inline} on the calling thread alone), ${s.tasks} tasks in ${s.wallMs.toFixed(2)} ms, ` +
      `${(100 * s.utilization).toFixed(1)}% of ${profile.lanes} threads busy from the first task to the last`,
  );
  out(`wrote ${page}`);
}
