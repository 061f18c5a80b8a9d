/**
 * The Python references of the benchmarks: a script of bench/python/ run with a python3 that
 * can import what it needs, its JSON on stdout the result. When there is no such Python (or the
 * script fails) the result says why, and the report shows weft alone; tests never need Python.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** What a reference says when it could not be measured. */
export interface Missing {
  missing: string;
}

/**
 * A python3 that can import `modules` (e.g. "sklearn, numpy"): $WEFT_PYTHON, else Debian's
 * /usr/bin/python3 (where python3-sklearn and python3-dask install, even when another python3
 * comes first on the PATH), else python3.
 */
export function findPython(modules: string): string | undefined {
  const candidates = [process.env.WEFT_PYTHON, "/usr/bin/python3", "python3"].filter((c): c is string => !!c);
  return candidates.find((c) => spawnSync(c, ["-c", `import ${modules}`], { timeout: 60_000 }).status === 0);
}

/**
 * Runs bench/python/`name` (from bench/ in tests, bench/dist/ compiled) with `args` and parses
 * its JSON; `install` names the Debian packages that provide `modules`.
 */
export function runPythonReference<T>(
  name: string,
  modules: string,
  install: string,
  args: readonly (string | number)[],
  timeoutMs: number,
): T | Missing {
  const script = [`../python/${name}`, `./python/${name}`]
    .map((p) => fileURLToPath(new URL(p, import.meta.url)))
    .find((p) => existsSync(p));
  if (!script) return { missing: `bench/python/${name} not found` };
  const python = findPython(modules);
  if (!python) return { missing: `no python3 with ${modules} (Debian: apt-get install ${install}); set WEFT_PYTHON to choose one` };
  const run = spawnSync(python, [script, ...args.map(String)], { encoding: "utf8", timeout: timeoutMs });
  if (run.error || run.status !== 0) {
    const why = run.error ? run.error.message : (run.stderr.trim().split("\n").pop() ?? `exit ${run.status}`);
    return { missing: `python3 failed running ${name} (${why})` };
  }
  return JSON.parse(run.stdout) as T;
}
