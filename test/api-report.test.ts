/**
 * The committed report of the public API (docs/api-report.md) matches the code: a change to what
 * the package exports, or to a signature, must come with the report written anew
 * (`npm run api:report`, which is this test with -u), so that it shows in review.
 */
import { describe, expect, it } from "vitest";
import { apiReport } from "./helpers/api-report.js";

describe("the public API report", () => {
  it("docs/api-report.md is the surface of src/index.ts", async () => {
    await expect(apiReport()).toMatchFileSnapshot("../docs/api-report.md");
  }, 120_000);
});
