/**
 * `weft profile SUITE --out FILE`: the task streams of one run of a suite, compared on one time
 * axis; `weft profile --script FILE --out FILE`: the same for a script of the user's (its
 * computations on the default runtime), to see where a loop of one's own spends its time.
 * Written as a self-contained HTML page, or (`--format trace`) as Chrome Trace Event JSON for
 * Perfetto or chrome://tracing.
 */
import { existsSync, statSync, writeFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ArgumentError } from "../errors.js";
import { renderComparisonPage, renderProfilePage, summarize, toTraceEvents, type TraceEventFile } from "../profile/index.js";
import { getDefaultRuntime } from "../runtime/runtime.js";
import { loadBench } from "./bench.js";
import { checkOutput } from "./options.js";

export const PROFILE_SUITES = ["graph", "overhead", "glm"] as const;

/** What `--format` may be: an HTML page, or Trace Event JSON. */
export const PROFILE_FORMATS = ["html", "trace"] as const;

/** `weft profile`'s options as commander gives them. */
export interface ProfileCommandOptions {
  out?: string;
  rows?: string;
  script?: string;
  /** html or trace (default: trace when --out ends in .json, else html). */
  format?: string;
  /** Let --out replace an existing file (never the script). */
  force?: boolean;
}

export async function runProfile(suite: string | undefined, options: ProfileCommandOptions, out: (text: string) => void): Promise<void> {
  if (options.script !== undefined && suite !== undefined) throw new ArgumentError("SUITE", "no suite when --script is given", suite);
  if (options.script === undefined && (suite === undefined || !(PROFILE_SUITES as readonly string[]).includes(suite)))
    throw new ArgumentError("SUITE", `one of ${PROFILE_SUITES.join(", ")}`, suite);
  if (!options.out) throw new ArgumentError("--out", "the path of the file to write", options.out);
  const format = formatOf(options.format, options.out);
  if (options.script !== undefined) {
    const file = resolve(options.script);
    if (!existsSync(file) || !statSync(file).isFile()) throw new ArgumentError("--script", "a JavaScript module file", options.script);
    await checkOutput(options.out, [file], options.force);
    return profileScript(file, options.out, format, out);
  }
  await checkOutput(options.out, [], options.force);
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
  if (format === "trace") {
    // one process per run, each from its own ts 0: Perfetto stacks them on one time axis
    const trace: TraceEventFile = {
      traceEvents: runs.flatMap((r, i) => toTraceEvents(r.events, { pid: i + 1, processName: r.name }).traceEvents),
      displayTimeUnit: "ms",
    };
    writeFileSync(options.out, JSON.stringify(trace));
  } else {
    writeFileSync(
      options.out,
      renderComparisonPage(
        runs.map((r) => ({ title: r.name, events: r.events })),
        { title: `weft profile ${suite}` },
      ),
    );
  }
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

/** The output format: as given, or trace for a .json file and html otherwise. */
function formatOf(given: string | undefined, file: string): (typeof PROFILE_FORMATS)[number] {
  if (given === undefined) return /\.json$/i.test(file) ? "trace" : "html";
  if (!(PROFILE_FORMATS as readonly string[]).includes(given))
    throw new ArgumentError("--format", `one of ${PROFILE_FORMATS.join(", ")}`, given);
  return given as (typeof PROFILE_FORMATS)[number];
}

/**
 * Runs the ES module `file` (its top level, awaited) and writes the task stream of every
 * computation it made on the default runtime (compute() without a runtime) to `page`.
 */
async function profileScript(file: string, page: string, format: "html" | "trace", out: (text: string) => void): Promise<void> {
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
  writeFileSync(
    page,
    format === "trace"
      ? JSON.stringify(profile.toTraceEvents({ processName: basename(file) }))
      : renderProfilePage(profile.events, { title: `${basename(file)}: ${profile.runs.length} runs` }),
  );
  out(
    `${basename(file)}: ${profile.runs.length} runs (${inline} on the calling thread alone), ${s.tasks} tasks in ${s.wallMs.toFixed(2)} ms, ` +
      `${(100 * s.utilization).toFixed(1)}% of ${profile.lanes} threads busy from the first task to the last`,
  );
  out(`wrote ${page}`);
}
