/**
 * How weft is bundled for browsers (esbuild): every src/platform/X.ts replaced by
 * src/platform/browser/X.ts, csv-parse without Node's streams, Buffer from the `buffer` package,
 * dynamic imports split into chunks beside the entries, and the kernel modules copied beside them
 * (the bundle finds them with new URL("./weft-simd.wasm", import.meta.url)). An import of a Node
 * module anywhere fails the build. Used by the browser build and by the browser tests.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

const browserPlatform = {
  name: "weft-browser-platform",
  setup(b) {
    const adapters = join(root, "src", "platform", "browser") + sep;
    b.onResolve({ filter: /(^|\/)platform\/(code|files|streams|threads|warnings|package)\.js$/ }, (args) => {
      if (args.importer.startsWith(adapters)) return undefined;
      const name = /platform\/(\w+)\.js$/.exec(args.path)[1];
      return { path: join(adapters, `${name}.ts`) };
    });
    b.onResolve({ filter: /^csv-parse$/ }, () => ({ path: join(root, "scripts", "browser", "csv-parse.mjs") }));
    b.onResolve({ filter: /^csv-parse\/api$/ }, () => ({ path: join(root, "node_modules", "csv-parse", "lib", "api", "index.js") }));
  },
};

/**
 * Bundles `entryPoints` ({ name: path }) into `outdir` for browsers, the folder emptied first
 * unless `keep`; `selfContained` entries get no shared chunks (a file a bundler may copy as it
 * is). Returns esbuild's metafile (what each output holds and imports), also written, merged
 * with what the folder's meta.json held, to meta.json.
 */
export async function bundleForBrowser(entryPoints, outdir, { minify = true, keep = false, selfContained = false } = {}) {
  const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
  if (!keep) rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints,
    outdir,
    bundle: true,
    format: "esm",
    splitting: !selfContained, // dynamic imports (Parquet codecs, apache-arrow) become chunks fetched on first use
    chunkNames: "[name]-[hash]", // beside the entries: the kernel modules and worker.js are found relative to any chunk
    platform: "browser",
    target: "es2022",
    minify,
    sourcemap: "linked",
    metafile: true,
    define: { __WEFT_VERSION__: JSON.stringify(version) },
    inject: [join(root, "scripts", "browser", "buffer.mjs")],
    plugins: [browserPlatform],
    logLevel: "warning",
  });
  for (const variant of ["simd", "scalar"]) copyFileSync(join(root, "build", `weft-${variant}.wasm`), join(outdir, `weft-${variant}.wasm`));
  const metaPath = join(outdir, "meta.json");
  const merged = keep && existsSync(metaPath) ? JSON.parse(readFileSync(metaPath, "utf8")) : { inputs: {}, outputs: {} };
  Object.assign(merged.inputs, result.metafile.inputs);
  Object.assign(merged.outputs, result.metafile.outputs);
  writeFileSync(metaPath, JSON.stringify(merged));
  return merged;
}

/** The outputs a page loads before it can fit a model: `entries` and the chunks they import statically. */
export function staticClosure(metafile, entries) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file) || !metafile.outputs[file]) return;
    seen.add(file);
    for (const i of metafile.outputs[file].imports) if (i.kind === "import-statement") visit(i.path);
  };
  for (const entry of entries) visit(entry);
  return [...seen];
}
