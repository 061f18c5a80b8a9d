/**
 * The metrics on literal values: D^2 for Poisson counts (what PoissonRegression.score computes)
 * and the rule R^2 and D^2 share for a truth with nothing to explain. The other metrics'
 * values are checked in model-selection.test.ts.
 */
import { describe, expect, it } from "vitest";
import { d2Poisson, fractionExplained, r2 } from "../src/metrics/index.js";

describe("fraction explained", () => {
  it("is 1 - residual / total; with nothing to explain, 1 for a perfect prediction, else 0", () => {
    expect(fractionExplained(1, 4)).toBe(0.75);
    expect(fractionExplained(0, 0)).toBe(1);
    expect(fractionExplained(2, 0)).toBe(0);
  });
});

describe("d2Poisson", () => {
  it("is 1 for a perfect prediction, 0 for the mean, and matches the deviance by hand", () => {
    expect(d2Poisson([0, 1, 3], [0, 1, 3])).toBe(1); // mu 0 predicts a 0 count exactly
    expect(d2Poisson([0, 1, 3], [4 / 3, 4 / 3, 4 / 3])).toBeCloseTo(0, 15);
    const dev = (y: number, mu: number) => 2 * ((y > 0 ? y * Math.log(y / mu) : 0) - (y - mu));
    const y = [0, 1, 3],
      mu = [0.5, 1.5, 2];
    const want = 1 - y.reduce((s, v, i) => s + dev(v, mu[i]!), 0) / y.reduce((s, v) => s + dev(v, 4 / 3), 0);
    expect(d2Poisson(y, mu)).toBeCloseTo(want, 14);
  });

  it("refuses negative counts or expected counts, one value, and lengths that differ", () => {
    expect(() => d2Poisson([-1, 1], [1, 1])).toThrow(/'yTrue' must be counts >= 0/);
    expect(() => d2Poisson([1, 1], [1, -1])).toThrow(/'mu' must be expected counts >= 0/);
    expect(() => d2Poisson([1], [1])).toThrow(/at least two values \(D\^2 is not defined for one\)/);
    expect(() => d2Poisson([1, 2], [1])).toThrow(/^d2Poisson: argument 'mu' must be 2 values like yTrue/);
    expect(() => r2([1, 2], [1, NaN])).toThrow(/^r2: argument 'yPred' must be finite numbers; received "NaN at index 1"/);
  });
});
