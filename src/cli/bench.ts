/**
 * `weft bench SUITE` and `weft profile SUITE`: the benchmarks are the package's own entry
 * `weftjs/bench` (bench/, built apart from the library from its public API), loaded only when one
 * of these commands runs. This module parses the command line for them.
 */
import { ArgumentError, WeftError } from "../errors.js";
import { BACKENDS, type BackendName } from "../kernels/index.js";
import type { TaskEvent } from "../profile/index.js";
import { createProgress, type Progress } from "./progress.js";

/** The suites of `weft bench` (test/cli.test.ts checks that the bench entry runs exactly these). */
export const SUITES = [
  "kernels",
  "graph",
  "overhead",
  "array",
  "fresh",
  "glm",
  "selection",
  "peers",
  "ideas",
  "browser",
  "cluster",
  "all",
] as const;

/** `weft bench`'s options as commander gives them. */
export interface BenchCommandOptions {
  json?: boolean;
  quick?: boolean;
  backends?: string;
  only?: string;
  quiet?: boolean;
  /** false with --no-python: skip the Python references. */
  python?: boolean;
  /** `bench all`: the folder for REPORT.md, the charts and the raw JSON (default bench/results). */
  out?: string;
}

/** A profiled run of a suite, as the bench entry returns it (an iterative one with its per-iteration figures). */
export type ProfiledRun =
  | { name: string; events: TaskEvent[] }
  | { name: string; events: TaskEvent[]; msPerIteration: number; nonKernelShare: number; nonKernelShareMean: number };

/** What the CLI uses of weftjs/bench (its own types are not visible here: the library is built first). */
export interface BenchEntry {
  SUITES: readonly string[];
  runBench(
    suite: string,
    options: Omit<BenchCommandOptions, "backends" | "only"> & { backends?: BackendName[]; only?: string[] },
    io: { out(text: string): void; progress(quiet: boolean): Progress },
  ): Promise<void>;
  profileGraph(): Promise<ProfiledRun[]>;
  profileOverhead(): Promise<ProfiledRun[]>;
  profileGlm(options: { rows?: number }): Promise<ProfiledRun[]>;
}

/** The bench entry, imported through the package's name (a package may import itself by its exports). */
export async function loadBench(): Promise<BenchEntry> {
  const entry: string = "weftjs/bench"; // a variable: the library's types must not depend on the bench's build
  try {
    return (await import(entry)) as BenchEntry;
  } catch (error) {
    // only the entry itself missing (bench/dist not built); a package the bench needs and lacks is its own error
    const { code, message } = error as { code?: unknown; message?: unknown };
    const entryMissing =
      code === "ERR_PACKAGE_PATH_NOT_EXPORTED" || (code === "ERR_MODULE_NOT_FOUND" && /bench[\\/]dist/.test(String(message)));
    if (!entryMissing) throw error;
    throw new WeftError(
      `the benchmarks (weftjs/bench) are not built here: run \`npm run build:ts\` in weft's folder (${(error as Error).message})`,
      { cause: error },
    );
  }
}

function parseBackends(list: string | undefined): BackendName[] | undefined {
  if (!list) return undefined;
  const names = list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!(BACKENDS as readonly string[]).includes(name)) {
      throw new ArgumentError("--backends", `a comma-separated list of ${BACKENDS.join(", ")}`, name);
    }
  }
  return names as BackendName[];
}

/** Runs `weft bench SUITE`: checks the suite and the options here, then hands over to the bench entry. */
export async function runBench(suite: string, options: BenchCommandOptions, out: (text: string) => void): Promise<void> {
  if (!(SUITES as readonly string[]).includes(suite)) {
    throw new ArgumentError("SUITE", `one of ${SUITES.join(", ")}`, suite);
  }
  const backends = parseBackends(options.backends);
  const only = options.only
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const bench = await loadBench();
  await bench.runBench(suite, { ...options, backends, only }, { out, progress: createProgress });
}
