/**
 * The committed report of the public API (docs/api-report.md) matches the code: a change to what
 * the package exports, or to a signature, must come with the report written anew
 * (`npm run api:report`, which is this test with -u), so that it shows in review.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { apiReport, ENTRIES } from "./helpers/api-report.js";

describe("the public API report", () => {
  it("docs/api-report.md is the surface of the package's entries", async () => {
    await expect(apiReport()).toMatchFileSnapshot("../docs/api-report.md");
  }, 120_000);

  it("reports exactly the entries package.json exports (but the benchmarks' own)", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      name: string;
      exports: Record<string, { types: string }>;
    };
    const exported = Object.entries(pkg.exports)
      .filter(([path]) => path !== "./package.json" && path !== "./bench")
      .map(([path, target]) => [
        path === "." ? pkg.name : `${pkg.name}/${path.slice(2)}`,
        target.types.replace("./dist/", "").replace(/\.d\.ts$/, ".ts"),
      ]);
    const byName = (a: readonly string[], b: readonly string[]) => a[0]!.localeCompare(b[0]!);
    expect(exported.sort(byName)).toEqual(ENTRIES.map(([name, path]) => [name, path]).sort(byName));
  });
});
