/**
 * What grid search runs, before anything runs: the plan on literal grids (candidates, groups along
 * lambda, segments, tasks fold by fold), models as specs another process builds, saved pipelines
 * and transformers read back, and the local search's path segments (each starting cold: the same
 * optimum to the solver's tolerance).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ArgumentError,
  array,
  GridSearchCV,
  LinearRegression,
  LogisticRegression,
  MinMaxScaler,
  Pipeline,
  PolynomialFeatures,
  Runtime,
  StandardScaler,
} from "../src/index.js";
import { buildModel, describeModel, loadFitted } from "../src/model_selection/model-spec.js";
import { combinations, planSearch } from "../src/model_selection/search-plan.js";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.start({ threads: 2 });
});
afterAll(async () => {
  await rt.close();
});

describe("the search plan", () => {
  it("combinations: every combination, the last name varying fastest", () => {
    expect(combinations({ a: [1, 2], b: ["x", "y", "z"] })).toEqual([
      { a: 1, b: "x" },
      { a: 1, b: "y" },
      { a: 1, b: "z" },
      { a: 2, b: "x" },
      { a: 2, b: "y" },
      { a: 2, b: "z" },
    ]);
  });

  it("a bare estimator: one group along lambda descending, the whole path in one task per fold", () => {
    const plan = planSearch({ lambda: [0.1, 10, 1] }, 3, undefined);
    expect(plan.groups).toEqual([[1, 2, 0]]);
    expect(plan.tasks).toEqual([
      { fold: 0, group: 0, members: [1, 2, 0] },
      { fold: 1, group: 0, members: [1, 2, 0] },
      { fold: 2, group: 0, members: [1, 2, 0] },
    ]);
  });

  it("a pipeline: groups by the transformers' settings, each path cut into segments; tasks fold by fold, group by group", () => {
    const plan = planSearch({ scale__withStd: [true, false], clf__lambda: [1, 100, 10] }, 2, "clf__", 2);
    // candidates 0-2 scale with std, 3-5 without; lambda 100 (1, 4) first
    expect(plan.groups).toEqual([
      [1, 2, 0],
      [4, 5, 3],
    ]);
    expect(plan.tasks).toEqual([
      { fold: 0, group: 0, members: [1, 2] },
      { fold: 0, group: 0, members: [0] },
      { fold: 0, group: 1, members: [4, 5] },
      { fold: 0, group: 1, members: [3] },
      { fold: 1, group: 0, members: [1, 2] },
      { fold: 1, group: 0, members: [0] },
      { fold: 1, group: 1, members: [4, 5] },
      { fold: 1, group: 1, members: [3] },
    ]);
  });

  it("the final estimator's other parameters stay in the group; equal lambdas keep the grid's order", () => {
    const plan = planSearch({ clf__tol: [1e-6, 1e-8], clf__lambda: [1, 1] }, 1, "clf__");
    expect(plan.groups).toEqual([[0, 1, 2, 3]]);
    expect(plan.tasks).toHaveLength(1);
  });
});

describe("models as specs, and saved", () => {
  const pipe = () =>
    new Pipeline([
      ["poly", new PolynomialFeatures({ degree: 2, includeBias: false })],
      ["minmax", new MinMaxScaler({ featureRange: [-1, 1] })],
      ["scale", new StandardScaler({ withMean: false })],
      ["clf", new LogisticRegression({ lambda: 0.5, solver: "newton" })],
    ]);

  it("a spec builds the same model: kinds and parameters", () => {
    const spec = describeModel(pipe(), "test");
    const built = buildModel(JSON.parse(JSON.stringify(spec)), "test") as Pipeline;
    expect(built.getParams()).toEqual(pipe().getParams());
    expect(built.steps.map(([n, s]) => [n, s.constructor.name])).toEqual(pipe().steps.map(([n, s]) => [n, s.constructor.name]));
    expect((buildModel(describeModel(new LinearRegression({ lambda: 3 }), "test"), "test") as LinearRegression).options.lambda).toBe(3);
  });

  it("a spec names only weft's own classes, in their places, with parameters JSON keeps", () => {
    expect(() => buildModel({ kind: "Function", params: {} }, "test")).toThrow(ArgumentError);
    expect(() => buildModel({ kind: "constructor", params: {} }, "test")).toThrow(/a GLM estimator weft knows/);
    expect(() => buildModel({ kind: "StandardScaler", params: {} }, "test")).toThrow(/GLM estimator/);
    expect(() =>
      buildModel(
        {
          kind: "Pipeline",
          steps: [
            ["clf", { kind: "LogisticRegression", params: {} }],
            ["s", { kind: "StandardScaler", params: {} }],
          ],
        },
        "test",
      ),
    ).toThrow(/steps\[0\]/);
    expect(() => buildModel({ kind: "LogisticRegression", params: { lambda: -1 } }, "test")).toThrow(/lambda/);
    expect(() => buildModel({ kind: "LogisticRegression", params: { nope: 1 } }, "test")).toThrow(/nope/);
    class Custom extends StandardScaler {}
    expect(() =>
      describeModel(
        new Pipeline([
          ["s", new Custom()],
          ["clf", new LogisticRegression()],
        ]),
        "test",
      ),
    ).not.toThrow(); // a subclass is an instance of its class: built as the class
    const odd = new LogisticRegression();
    (odd.options as Record<string, unknown>).lambda = Number.NaN;
    expect(() => describeModel(odd, "test")).toThrow(/estimator\.lambda/);
  });

  it("a fitted pipeline saved as JSON reads back predicting the same", async () => {
    const { X, y } = array.random.logisticProblem({ rows: 300, cols: 4, seed: 4, chunkRows: 100 });
    const fitted = pipe();
    fitted.final.options.runtime = rt;
    await fitted.fit(X, y);
    const json = JSON.parse(JSON.stringify(fitted.toJSON()));
    const back = loadFitted(json, "test") as Pipeline;
    back.final.options.runtime = rt;
    const [want, got] = [await fitted.predictProba(X), await back.predictProba(X)];
    got.forEach((p, i) => expect(p).toBe(want[i]));
    expect(Pipeline.fromJSON(json).getParams()).toEqual(fitted.getParams());
  });

  it("saved transformers are checked when read back", async () => {
    const s = await new StandardScaler().fit(
      array.fromRows([
        [1, 2],
        [3, 5],
      ]),
    );
    expect(s.toJSON()).toEqual({
      kind: "StandardScaler",
      params: { withMean: true, withStd: true },
      nFeatures: 2,
      state: { mean: [2, 3.5], scale: [1, 1.5] },
    });
    expect(StandardScaler.fromJSON(s.toJSON()).mean).toEqual(s.mean);
    expect(() => new StandardScaler().toJSON()).toThrow(/not fitted/);
    expect(() => StandardScaler.fromJSON({ ...s.toJSON(), kind: "MinMaxScaler" })).toThrow(ArgumentError);
    expect(() => StandardScaler.fromJSON({ ...s.toJSON(), state: { mean: [1], scale: [1, 1] } })).toThrow(/state.mean/);
    expect(() => StandardScaler.fromJSON({ ...s.toJSON(), nFeatures: 0 })).toThrow(/nFeatures/);
    const poly = PolynomialFeatures.fromJSON((await new PolynomialFeatures().fit(array.fromRows([[1, 2]]))).toJSON());
    expect(poly.outputFeatures).toBe(6);
    expect(() => Pipeline.fromJSON({ kind: "Pipeline", steps: [["x", { kind: "Nope" } as never]] })).toThrow(/known kind/);
  });
});

describe("path segments in one process", () => {
  it("segments start cold, to the same optimum within the solver's tolerance", async () => {
    const { X, y } = array.random.logisticProblem({ rows: 600, cols: 6, seed: 2, chunkRows: 150 });
    const grid = { lambda: [30, 10, 3, 1, 0.3] };
    const model = () => new LogisticRegression({ tol: 1e-10, runtime: rt });
    const whole = await new GridSearchCV(model(), grid, { cv: 3, scoring: "log_loss", runtime: rt, refit: false }).fit(X, y);
    const cut = await new GridSearchCV(model(), grid, { cv: 3, scoring: "log_loss", runtime: rt, refit: false, pathSegment: 2 }).fit(X, y);
    cut.cvResults.forEach((r, i) => r.testScores.forEach((s, f) => expect(s).toBeCloseTo(whole.cvResults[i]!.testScores[f]!, 7)));
    expect(cut.bestParams).toEqual(whole.bestParams);
  });

  it("a split that fails (more folds than rows) leaves nothing persisted", async () => {
    const before = rt.stats().memory.liveBytes;
    const search = new GridSearchCV(new LogisticRegression({ runtime: rt }), { lambda: [1] }, { cv: 5, runtime: rt });
    await expect(search.fit(array.fromRows([[1], [2], [3]]), array.fromTypedArray([0, 1, 0]))).rejects.toThrow(/folds/);
    expect(rt.stats().memory.liveBytes).toBe(before);
  });
});
