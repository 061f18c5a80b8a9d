/** The benchmarks' optional peers: an absent one is "not installed", any other failure is thrown. */
import { describe, expect, it } from "vitest";
import { isMissing, optionalPeer } from "../bench/optional.js";

const failing = (code: string | undefined) => async () => {
  throw Object.assign(new Error(`cannot load (${code})`), { code });
};

describe("optionalPeer", () => {
  it("returns the module when it loads", async () => {
    const module = { Bench: class {} };
    expect(await optionalPeer("tinybench", async () => module)).toBe(module);
  });

  it("says 'not installed' and how to install it when the package cannot be found (ESM and CommonJS codes)", async () => {
    for (const code of ["ERR_MODULE_NOT_FOUND", "MODULE_NOT_FOUND"]) {
      const result = await optionalPeer("piscina", failing(code));
      expect(isMissing(result)).toBe(true);
      expect((result as { missing: string }).missing).toMatch(/^piscina not installed \(npm install piscina/);
    }
  });

  it("throws any other failure (a broken install is not an absent one)", async () => {
    await expect(optionalPeer("piscina", failing("ERR_REQUIRE_ESM"))).rejects.toThrow(/cannot load/);
    await expect(optionalPeer("piscina", failing(undefined))).rejects.toThrow(/cannot load/);
  });

  it("finds the real packages in this repository, where they are development dependencies", async () => {
    expect(isMissing(await optionalPeer("tinybench"))).toBe(false);
    expect(isMissing(await optionalPeer("piscina"))).toBe(false);
    expect(isMissing(await optionalPeer("no-such-package-weft-test"))).toBe(true);
  });
});

describe("weft bench browser without a browser", () => {
  it("says Chromium is missing and how to get it, and measures nothing", async () => {
    const { benchBrowser, renderBrowserBench } = await import("../bench/browser.js");
    const report = await benchBrowser({ chromium: "/nonexistent/chromium", quick: true });
    expect(report).toEqual({ missing: "no Chromium at /nonexistent/chromium (apt-get install chromium, or set WEFT_CHROMIUM)" });
    expect(renderBrowserBench(report)).toEqual([`browser: not measured: ${(report as { missing: string }).missing}`]);
  });
});
