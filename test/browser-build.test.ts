/**
 * The browser build as a bundler or a page finds it (no browser needed: test/browser.test.ts runs
 * it in Chromium): package.json's `browser` condition, the files beside the entry that it loads
 * by URL, no Node module anywhere in it, and the size of what a page that fits a model loads.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { root, staticClosure, type Metafile } from "../scripts/browser/bundle.mjs";

const dist = join(root, "dist", "browser");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

/** Gzipped bytes (level 9) of a file of the build. */
const gzipped = (file: string) => gzipSync(readFileSync(join(root, file)), { level: 9 }).length;

describe("the browser build", () => {
  it("is what package.json's browser condition names, with its worker and kernel modules beside it", () => {
    expect(pkg.exports["."].browser).toBe("./dist/browser/index.js");
    // conditions are tried in order: 'browser' before 'import', or bundlers take the Node build
    expect(Object.keys(pkg.exports["."]).indexOf("browser")).toBeLessThan(Object.keys(pkg.exports["."]).indexOf("import"));
    for (const file of ["index.js", "worker.js", "weft-simd.wasm", "weft-scalar.wasm"])
      expect(existsSync(join(dist, file)), file).toBe(true);
    const code = readFileSync(join(dist, "index.js"), "utf8");
    expect(code).not.toMatch(/from\s*["']node:/);
  });

  it("holds no Node module, and no chunk imports one", () => {
    const meta = JSON.parse(readFileSync(join(dist, "meta.json"), "utf8")) as Metafile;
    const imports = Object.values(meta.outputs).flatMap((o) => o.imports.map((i) => i.path));
    expect(imports.filter((path) => path.startsWith("node:") || ["fs", "path", "stream", "worker_threads", "os"].includes(path))).toEqual(
      [],
    );
  });

  it("loads under 400 kB gzipped for a page that fits a model: the entry, the worker, their static chunks, the SIMD kernels", () => {
    const meta = JSON.parse(readFileSync(join(dist, "meta.json"), "utf8")) as Metafile;
    const files = staticClosure(meta, ["dist/browser/index.js", "dist/browser/worker.js"]);
    expect(files).toContain("dist/browser/index.js");
    const total = files.reduce((sum, file) => sum + gzipped(file), 0) + gzipped("dist/browser/weft-simd.wasm");
    console.log(
      `browser bundle for a page that fits a model: ${(total / 1000).toFixed(1)} kB gzipped (${files.length} scripts + weft-simd.wasm)`,
    );
    expect(total).toBeLessThan(400_000);
  });
});
