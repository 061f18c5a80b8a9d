/**
 * REPORT.md's "GLM solvers on raw data" section (and the same table for bench/README.md): weft's
 * solvers and scikit-learn's on the unscaled conformance problems, each with its time,
 * iterations, relative gap to the known optimum and whether it said it converged.
 */
import type { GlmRawReport, GlmRawRow } from "../glm-raw.js";

/** A relative gap as 3.1e-9 ("0" when exact). */
export function formatGap(gap: number): string {
  if (!Number.isFinite(gap)) return "-";
  return gap === 0 ? "0" : gap.toExponential(1).replace("e+", "e");
}

/** The raw-data table, in markdown: problem, solver, seconds, iterations, gap, converged. */
export function glmRawTable(raw: GlmRawReport): string {
  const rows: GlmRawRow[] = [];
  // problem by problem: weft's solvers, then scikit-learn's
  for (const p of raw.problems)
    rows.push(
      ...raw.results.filter((x) => x.problem === p.name && !x.estimator),
      ...raw.results.filter((x) => x.problem === p.name && x.estimator),
    );
  return [
    "| problem | solver | seconds | iterations | gap to the optimum | converged |",
    "| --- | --- | ---: | ---: | ---: | --- |",
    ...rows.map(
      (x) =>
        `| ${x.problem} | ${x.solver} | ${Number.isFinite(x.seconds) ? x.seconds.toFixed(4) : "-"} | ${x.nIter ?? "–"} | ${formatGap(x.gap)} | ${x.converged ? "yes" : "no"} |`,
    ),
  ].join("\n");
}

/** The section's lines (heading, sentence, table, notes), ending with a blank line. */
export function renderGlmRaw(raw: GlmRawReport | { missing: string } | undefined): string[] {
  const out = ["## GLM solvers on raw data", ""];
  if (!raw) return [...out, "Not measured: this report's glm suite has no raw-data part.", ""];
  if ("missing" in raw) return [...out, `Not measured: ${raw.missing}.`, ""];
  out.push(
    "weft's solvers and scikit-learn's on scikit-learn's bundled data sets (breast_cancer, wine, iris, diabetes) and the synthetic ill-conditioned sets of test/fixtures/glm-conformance, unscaled, lambda 1 with an intercept, each solver at its default settings; the gap is relative to the optimum computed with scipy (optima.json).",
    "",
    glmRawTable(raw),
    "",
    `weft: ${raw.threads} threads, X given as JS rows (persisted inside fit()), median of ${raw.repeats} fit${raw.repeats === 1 ? "" : "s"}. ` +
      "scikit-learn: LogisticRegression(C = 1/lambda), Ridge(alpha = lambda), PoissonRegressor(alpha = lambda/n), its own tol and max_iter; its gap is weft's objective at its coefficients; converged = no ConvergenceWarning.",
    "",
  );
  if ("missing" in raw.sklearn) out.push(`scikit-learn (raw data): not measured: ${raw.sklearn.missing}.`, "");
  return out;
}
