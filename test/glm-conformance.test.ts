/**
 * The solver conformance suite: every solver x family x penalty it supports, on raw (unscaled)
 * real data (scikit-learn's bundled breast cancer, wine, iris and diabetes sets) and on
 * synthetic ill-conditioned problems (columns scaled 1e-3..1e4, large means, a nearly collinear
 * pair, rare events), at default settings, against optima computed independently with scipy
 * to the precision of doubles (test/fixtures/glm-conformance: make.py, README.md, optima.json).
 *
 * Two rules. A fit that says it converged is at the optimum: its objective within 1e-6 of the
 * optimum, relatively; this holds for every fit, no exception. And every fit converges, except
 * the few listed in SHORT_OF_THE_OPTIMUM, which must then say they did not (they fall short on
 * data so ill-conditioned that the method itself is slow there; the list is the honest record).
 * Separable data without a penalty has no optimum: no fit may say it converged, and the warning
 * says why.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { Runtime, glm } from "../src/index.js";
import type { FitWarning } from "../src/glm/options.js";

interface Problem {
  name: string;
  dataset: string;
  family: "logistic" | "normal" | "poisson";
  regularizer: "none" | "l1" | "l2" | "elastic_net";
  lambda: number;
  l1Ratio: number | null;
  fitIntercept: boolean;
  objective: number;
  separable: boolean;
}

const dir = new URL("./fixtures/glm-conformance/", import.meta.url);
const problems = (JSON.parse(readFileSync(new URL("optima.json", dir), "utf8")) as { problems: Problem[] }).problems;

/** The CSV's rows (every column but the last) and its last column, the target. */
function dataset(name: string): { X: number[][]; y: number[] } {
  const lines = readFileSync(new URL(name, dir), "utf8").trim().split("\n").slice(1);
  const rows = lines.map((l) => l.split(",").map(Number));
  const p = rows[0]!.length - 1;
  return { X: rows.map((r) => r.slice(0, p)), y: rows.map((r) => r[p]!) };
}

/**
 * Fits that stop short of the optimum at default settings (and say so): breast cancer without an
 * intercept, where nothing can absorb the column means, so the uncentered columns (radius,
 * perimeter, area, ... all far from 0) are nearly collinear with each other (a scaled Hessian
 * conditioned near 1e9): lbfgs, gradient descent and ADMM crawl there. Newton and proximal
 * gradient reach it. A full (not diagonal) change of variables would fix it; see the note of the
 * issue "Solvers that reach the optimum on real, unscaled data".
 */
const SHORT_OF_THE_OPTIMUM = new Set([
  "breast_cancer-l2-lam1-nointercept/lbfgs",
  "breast_cancer-l2-lam1-nointercept/gradient_descent",
  "breast_cancer-l2-lam1-nointercept/admm",
]);

const ESTIMATORS = { logistic: glm.LogisticRegression, normal: glm.LinearRegression, poisson: glm.PoissonRegression } as const;

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.start({ threads: 2 });
});
afterAll(async () => {
  await rt.close();
});

describe("solver conformance on raw and ill-conditioned data", () => {
  for (const problem of problems) {
    const smooth = problem.regularizer === "none" || problem.regularizer === "l2";
    const solvers = smooth
      ? (["lbfgs", "newton", "gradient_descent", "proximal_grad", "admm"] as const)
      : (["proximal_grad", "admm"] as const);
    it(`${problem.name}: ${solvers.join(", ")}`, async () => {
      const { X, y } = dataset(problem.dataset);
      for (const solver of solvers) {
        const label = `${problem.name}/${solver}`;
        const warnings: FitWarning[] = [];
        const model = await new ESTIMATORS[problem.family]({
          solver,
          regularizer: problem.regularizer,
          lambda: problem.lambda,
          l1Ratio: problem.l1Ratio ?? 0.5,
          fitIntercept: problem.fitIntercept,
          runtime: rt,
        }).fit(X, y, { onWarning: (w) => warnings.push(w) });
        if (problem.separable) {
          expect(model.converged, label).toBe(false);
          // separation certified by the coefficients (every row on its side), or probabilities of 0 or 1 seen
          expect(
            warnings.some((w) => w.code === "WEFT_NO_FINITE_OPTIMUM" || w.code === "WEFT_SATURATED"),
            label,
          ).toBe(true);
          continue;
        }
        const gap = (model.objective - problem.objective) / Math.abs(problem.objective);
        expect(gap, label).toBeGreaterThan(-1e-9); // nothing is below the optimum
        if (model.converged) expect(gap, `${label} says it converged`).toBeLessThanOrEqual(1e-6);
        if (SHORT_OF_THE_OPTIMUM.has(label)) {
          if (!model.converged)
            expect(
              warnings.map((w) => w.code),
              label,
            ).toContain("WEFT_NOT_CONVERGED");
        } else {
          expect(model.converged, `${label}: optimality ${model.optimality}, gap ${gap}`).toBe(true);
          expect(model.optimality, label).toBeLessThanOrEqual(1e-6);
        }
      }
    });
  }
});
