/**
 * The package as a user gets it: `npm pack`, the tarball installed into a fresh project, then
 * `import "weftjs"`, an array computation and a fit, `npx weft fit` on a CSV, and the user's
 * program type-checked against the shipped declarations under strict settings (Node's types,
 * the DOM lib with a bundler's resolution, and no @types/node at all for the entries that need
 * none). The tarball is packed from the repository as it is: dist/ built (npm test builds it
 * before vitest runs) and build/*.wasm present (npm install builds them).
 */
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const CONSUMER = fileURLToPath(new URL("./fixtures/consumer/", import.meta.url));
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of the commands run here: this process's, less the npm_* variables `npm test`
 * sets for its own package (npm reads npm_config_* as settings, and an inherited local prefix or
 * package would point `npm install` back at the repository).
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const kept = new Set(["npm_config_cache", "npm_config_registry", "npm_config_userconfig", "npm_config_cafile"]);
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) || kept.has(name.toLowerCase())));
}

function run(command: string, args: readonly string[], cwd: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs a command that must succeed, and says what it printed when it does not. */
async function succeed(command: string, args: readonly string[], cwd: string): Promise<string> {
  const outcome = await run(command, args, cwd);
  if (outcome.code !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited with ${outcome.code}\n${outcome.stdout}\n${outcome.stderr}`);
  }
  return outcome.stdout;
}

/** The same data as the consumer's main.ts: y = 1 where 2 x1 - x2 > 0, every tenth label flipped. */
function csvRows(): string {
  const lines = ["x1,x2,y"];
  for (let i = 0; i < 200; i++) {
    const x1 = (i % 20) / 10 - 1;
    const x2 = ((i * 7) % 13) / 6.5 - 1;
    const label = 2 * x1 - x2 > 0 ? 1 : 0;
    lines.push(`${x1},${x2},${i % 10 === 0 ? 1 - label : label}`);
  }
  return `${lines.join("\n")}\n`;
}

let work: string | undefined;
let app: string;
let packed: string[];

beforeAll(async () => {
  for (const built of ["dist/src/index.js", "build/weft-simd.wasm"]) {
    if (!existsSync(join(ROOT, built))) throw new Error(`${built} is missing: run 'npm run build' before this test`);
  }
  work = mkdtempSync(join(tmpdir(), "weft-package-"));
  // --ignore-scripts: pack dist/ and build/ as they are, without prepare rebuilding them
  const [pack] = JSON.parse(await succeed("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], ROOT)) as [
    { filename: string; files: { path: string }[] },
  ];
  packed = pack.files.map((f) => f.path);
  app = join(work, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "weft-package-test", private: true, type: "module" }));
  // the registry only for what the npm cache lacks (the dependencies' metadata, at worst)
  await succeed("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", join(work, pack.filename)], app);
  cpSync(CONSUMER, app, { recursive: true });
  // the project's @types/node: a Node user's (the repository's copy, as installing it would be)
  mkdirSync(join(app, "node_modules", "@types"), { recursive: true });
  symlinkSync(join(ROOT, "node_modules", "@types", "node"), join(app, "node_modules", "@types", "node"), "dir");
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true, maxRetries: 3 });
});

describe("the packed tarball", () => {
  it("holds the license, the readme, the build and every path package.json names", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      exports: Record<string, string | Record<string, string>>;
      bin: Record<string, string>;
    };
    const named = [
      ...Object.values(pkg.exports).flatMap((target) => (typeof target === "string" ? [target] : Object.values(target))),
      ...Object.values(pkg.bin),
    ].map((path) => path.replace(/^\.\//, ""));
    const required = ["LICENSE", "README.md", "package.json", "dist/src/index.js", "build/weft-simd.wasm", "build/weft-scalar.wasm"];
    expect(required.filter((path) => !packed.includes(path))).toEqual([]);
    expect(named.filter((path) => !packed.includes(path))).toEqual([]);
    expect(packed).toContain("dist/src/scheduler/worker.js");
  });

  it("holds nothing only the tests use", () => {
    const testOnly = [
      /^test\//,
      /(^|\/)fixtures?\//,
      /\.(test|spec)\.[cm]?[jt]s$/,
      /tsbuildinfo$/,
      /vitest\.config/,
      /^\.ci\//,
      /^coverage\//,
    ];
    expect(packed.filter((path) => testOnly.some((pattern) => pattern.test(path)))).toEqual([]);
  });
});

describe("the installed package", () => {
  it("a strict TypeScript program (lib ES2022, no skipLibCheck) compiles against it and runs: an array computation and a fit", async () => {
    await succeed(process.execPath, [TSC, "-p", "tsconfig.json"], app);
    const result = JSON.parse(await succeed(process.execPath, ["out/main.js"], app)) as {
      version: string;
      backend: string;
      total: number;
      expected: number;
      coef: number[];
      converged: boolean;
      accuracy: number;
    };
    expect(result.version).toBe(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
    expect(["wasm-simd", "wasm-scalar", "js"]).toContain(result.backend);
    expect(result.total).toBeCloseTo(result.expected, 9);
    expect(result.converged).toBe(true);
    expect(result.coef).toHaveLength(2);
    expect(result.coef[0]).toBeGreaterThan(0);
    expect(result.coef[1]).toBeLessThan(0);
    expect(result.accuracy).toBeGreaterThan(0.8);
  });

  it("type-checks with the DOM lib and a bundler's resolution, its WebAssembly objects being the DOM's", async () => {
    await succeed(process.execPath, [TSC, "-p", "tsconfig.dom.json"], app);
  });

  it("weftjs/graph, weftjs/memory and weftjs/kernels type-check without @types/node", async () => {
    const files = await succeed(process.execPath, [TSC, "-p", "tsconfig.no-node.json", "--listFiles"], app);
    expect(files).toContain("weftjs/dist/src/memory/shared-memory.d.ts");
    expect(files).not.toContain("@types/node");
  });

  it("runs weft bench without the benchmarks' optional peers, saying which are not installed", async () => {
    // the install holds weftjs's dependencies only: piscina and tinybench are optional peers
    const overhead = await run("npx", ["--no", "weft", "bench", "overhead", "--quick", "--no-python", "--json", "--quiet"], app);
    expect(overhead.code, overhead.stderr).toBe(0);
    const report = JSON.parse(overhead.stdout) as { piscinaMissing?: string; usPerTask: { threadsBatched: number } };
    expect(report.piscinaMissing).toMatch(/piscina not installed \(npm install piscina/);
    expect(report.usPerTask.threadsBatched).toBeGreaterThan(0);
    const kernels = await run("npx", ["--no", "weft", "bench", "kernels", "--quick", "--only", "sum", "--quiet"], app);
    expect(kernels.code).toBe(1);
    expect(kernels.stderr).toMatch(/tinybench not installed \(npm install tinybench/);
  });

  it("npx weft fit fits a CSV file: exit code 0 and the model as JSON", async () => {
    writeFileSync(join(app, "data.csv"), csvRows());
    // --no: never fetch a package named weft from the registry (that name is another project's)
    const { code, stdout, stderr } = await run(
      "npx",
      ["--no", "weft", "fit", "data.csv", "--target", "y", "--lambda", "0.01", "--json", "--quiet"],
      app,
    );
    expect(code, stderr).toBe(0);
    const model = JSON.parse(stdout) as { coef: number[]; converged: boolean; features: string[] };
    expect(model.features).toEqual(["x1", "x2"]);
    expect(model.converged).toBe(true);
    expect(model.coef[0]).toBeGreaterThan(0);
    expect(model.coef[1]).toBeLessThan(0);
  });
});
