/**
 * scikit-learn habits: classes of any two labels (strings included) learned at fit and kept in
 * the saved model; GridSearchCV's predict, predictProba, decisionFunction and score through the
 * refitted best candidate; fitTransform and inverseTransform; Pipeline and GridSearchCV taking
 * what the estimators take (rows of numbers, { data, shape }, string labels).
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import {
  ArgumentError,
  GridSearchCV,
  LinearRegression,
  LogisticRegression,
  MinMaxScaler,
  Pipeline,
  PolynomialFeatures,
  Runtime,
  StandardScaler,
  WeftError,
  array,
  type ChunkedArray,
} from "../src/index.js";

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.start({ threads: 2 });
});
afterAll(async () => {
  await rt.close();
});

/** 120 rows of three features and a 0/1 label that no hyperplane separates exactly. */
const N = 120;
const rows = Array.from({ length: N }, (_, i) => [Math.sin(i), Math.cos(0.7 * i), ((i * 37) % 11) / 5 - 1]);
const codes = rows.map(([a, b, c], i) => +(a! - 0.5 * b! + 0.3 * c! + 0.4 * Math.sin(3.1 * i) > 0));
const values = async (x: ChunkedArray) => Array.from((await x.compute({ runtime: rt })) as Float64Array);
const logistic = <L extends number | string = number>() => new LogisticRegression<L>({ runtime: rt, lambda: 0.5 });

describe("LogisticRegression classes", () => {
  it("learns two string labels, sorted; predicts them; its coefficients are those of the 0/1 fit", async () => {
    const labels = codes.map((c) => (c === 1 ? "yes" : "no"));
    const named = await logistic<string>().fit(rows, labels);
    const coded = await logistic().fit(rows, codes);
    expect(named.classes).toEqual(["no", "yes"]);
    expect(Array.from(named.coef!)).toEqual(Array.from(coded.coef!));
    const predicted = await named.predict(rows);
    expect(predicted).toEqual(Array.from(await coded.predict(rows), (c) => (c === 1 ? "yes" : "no")));
    // the probability is that of the positive class, classes[1]
    expect(Array.from(await named.predictProba(rows))).toEqual(Array.from(await coded.predictProba(rows)));
    expect(await named.score(rows, labels)).toBe(await coded.score(rows, codes));
    await expect(
      named.score(
        rows,
        labels.map((l, i) => (i === 4 ? "maybe" : l)),
      ),
    ).rejects.toThrow(/'y' must be labels the model knows/);
  });

  it("takes any two numbers (-1/1, 1/2, 2/10 sorted as numbers) and predicts them", async () => {
    const coded = await logistic().fit(rows, codes);
    for (const [negative, positive] of [
      [-1, 1],
      [1, 2],
      [2, 10],
    ] as const) {
      const y = codes.map((c) => (c === 1 ? positive : negative));
      const model = await logistic().fit(rows, y);
      expect(model.classes).toEqual([negative, positive]);
      expect(Array.from(model.coef!)).toEqual(Array.from(coded.coef!));
      const predicted = await model.predict(rows);
      expect(predicted).toBeInstanceOf(Float64Array);
      expect(Array.from(predicted)).toEqual(Array.from(await coded.predict(rows), (c) => (c === 1 ? positive : negative)));
      expect(await model.score(rows, y)).toBe(await coded.score(rows, codes));
    }
    // strings sort by code point, as np.unique: "B" (66) before "a" (97)
    const mixedCase = await logistic<string>().fit(
      rows,
      codes.map((c) => (c === 1 ? "a" : "B")),
    );
    expect(mixedCase.classes).toEqual(["B", "a"]);
    expect(Array.from(mixedCase.coef!)).toEqual(Array.from(coded.coef!));
  });

  it("keeps the classes in the model JSON; a file without them (saved before) loads as 0 and 1; bad ones are refused", async () => {
    const named = await logistic<string>().fit(
      rows,
      codes.map((c) => (c === 1 ? "spam" : "ham")),
    );
    const json = JSON.parse(JSON.stringify(named.toJSON()));
    expect(json.classes).toEqual(["ham", "spam"]);
    const loaded = LogisticRegression.fromJSON<string>(json);
    expect(loaded.classes).toEqual(["ham", "spam"]);
    expect(await loaded.predict(rows)).toEqual(await named.predict(rows));
    const { classes: _, ...old } = json;
    const legacy = LogisticRegression.fromJSON(old);
    expect(legacy.classes).toEqual([0, 1]);
    expect(Array.from(await legacy.predict(rows)).every((v) => v === 0 || v === 1)).toBe(true);
    for (const classes of [["b", "a"], ["a"], [0, "a"], [1, 1], [0, Number.NaN]]) {
      expect(() => LogisticRegression.fromJSON({ ...json, classes })).toThrow(ArgumentError);
    }
  });
});

describe("LogisticRegression classes: a model file saved before them", () => {
  it("loads as classes 0 and 1 and predicts what the version that saved it predicted", async () => {
    // written by toJSON() at f83ea4f, fitted on the 40 rows below; the predictions are that version's
    const saved = JSON.parse(readFileSync(new URL("./fixtures/logistic-model-before-classes.json", import.meta.url), "utf8"));
    expect(saved.classes).toBeUndefined();
    const old = Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(0.7 * i)]);
    const thenPredicted = [
      0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1,
    ];
    const model = LogisticRegression.fromJSON(saved);
    expect(model.classes).toEqual([0, 1]);
    expect(Array.from(await model.predict(old))).toEqual(thenPredicted);
    expect(await model.score(old, thenPredicted)).toBe(1);
    // saved again, it says its classes
    expect(model.toJSON()).toEqual({ ...saved, classes: [0, 1] });
  });
});

describe("LogisticRegression classes: types (checked by npm run typecheck)", () => {
  it("types predict by the label type, which Pipeline and GridSearchCV infer from their estimator", () => {
    const named = new LogisticRegression<string>({ runtime: rt });
    const pipe = new Pipeline([
      ["scale", new StandardScaler({ runtime: rt })],
      ["clf", named],
    ]);
    expectTypeOf(named.predict).returns.resolves.toEqualTypeOf<string[]>();
    expectTypeOf(pipe).toEqualTypeOf<Pipeline<string>>();
    expectTypeOf(new GridSearchCV(pipe, { clf__lambda: [1] }).predict).returns.resolves.toEqualTypeOf<string[]>();
    expectTypeOf(new GridSearchCV(named, { lambda: [1] }).predict).returns.resolves.toEqualTypeOf<string[]>();
    // numeric labels need no declaration
    expectTypeOf(new LogisticRegression().predict).returns.resolves.toEqualTypeOf<Float64Array>();
    expectTypeOf(new GridSearchCV(new LogisticRegression(), { lambda: [1] }).predict).returns.resolves.toEqualTypeOf<Float64Array>();
    expectTypeOf(new GridSearchCV(new LinearRegression(), { lambda: [1] }).predict).returns.resolves.toEqualTypeOf<Float64Array>();
    expectTypeOf(new LogisticRegression<number | string>().predict).returns.resolves.toEqualTypeOf<Float64Array | string[]>();
  });

  it("refuses labels of the other kind at compile time: predict would not return what its type says", () => {
    type YOf<M extends { fit(X: never, y: never): unknown }> = Parameters<M["fit"]>[1];
    expectTypeOf<string[]>().not.toExtend<YOf<LogisticRegression>>();
    expectTypeOf<number[]>().not.toExtend<YOf<LogisticRegression<string>>>();
    expectTypeOf<number[]>().not.toExtend<YOf<Pipeline<string>>>();
    expectTypeOf<string[]>().not.toExtend<YOf<GridSearchCV>>();
    expectTypeOf<string[]>().toExtend<YOf<GridSearchCV<string>>>();
    expectTypeOf<string[] | Float64Array>().toExtend<YOf<LogisticRegression<number | string>>>();
  });
});

describe("LogisticRegression classes: edges", () => {
  it("sorts strings by code point, as np.unique, where JS's < (UTF-16 units) disagrees", async () => {
    // U+FF01 before U+1F600 by code point; by UTF-16 unit the emoji's 0xD83D comes first
    const [bang, smile] = ["\uFF01", "\u{1F600}"];
    expect(smile < bang).toBe(true);
    const model = await logistic<string>().fit(
      rows,
      codes.map((c) => (c === 1 ? smile : bang)),
    );
    expect(model.classes).toEqual([bang, smile]);
    const coded = await logistic().fit(rows, codes);
    expect(Array.from(model.coef!)).toEqual(Array.from(coded.coef!));
    const json = model.toJSON();
    expect(LogisticRegression.fromJSON<string>(json).classes).toEqual([bang, smile]);
    expect(() => LogisticRegression.fromJSON({ ...json, classes: [smile, bang] })).toThrow(ArgumentError);
  });

  it("says a y of the wrong length is that, whatever its classes; labels are numbers or strings", async () => {
    for (const y of [[], ["a"], codes.slice(1)]) {
      await expect(logistic().fit(rows, y as number[])).rejects.toThrow(/'y' must be a 1-D array of 120 values/);
    }
    await expect(logistic().fit(rows, [true, false] as unknown as number[])).rejects.toThrow(/'y' must be labels: numbers or strings/);
    await expect(logistic<string>().fit(rows, ["a", "b", 2, ...codes.slice(3)] as unknown as string[])).rejects.toThrow(
      /all strings.*2 at index 2/,
    );
  });

  it("fits 0/1 labels persisted on the runtime in place (no copy); other labels are coded into a new array", async () => {
    const Xc = array.fromRows(rows, { chunks: 40 });
    const y01 = await array.fromTypedArray(Float64Array.from(codes), { chunks: 40 }).persist({ runtime: rt });
    const ypm = await array
      .fromTypedArray(
        Float64Array.from(codes, (c) => 2 * c - 1),
        { chunks: 40 },
      )
      .persist({ runtime: rt });
    try {
      for (const [y, inPlace] of [
        [y01, true],
        [ypm, false],
      ] as const) {
        const problem = await logistic().createProblem(Xc, y);
        try {
          expect(problem.y === y).toBe(inPlace);
          expect(Array.from((await problem.y.compute({ runtime: rt })) as Float64Array)).toEqual(codes);
        } finally {
          problem.release();
        }
      }
    } finally {
      y01.release();
      ypm.release();
    }
  });
});

describe("GridSearchCV through its best estimator", () => {
  const grid = { lambda: [0.1, 1, 10] };

  it("predict, predictProba, decisionFunction and score are the refitted best candidate's", async () => {
    const search = await new GridSearchCV(logistic(), grid, { runtime: rt, cv: 3 }).fit(rows, codes);
    const best = search.bestEstimator as LogisticRegression;
    expect(best.options.lambda).toBe(search.bestParams!.lambda);
    expect(Array.from(await search.predict(rows))).toEqual(Array.from(await best.predict(rows)));
    expect(Array.from(await search.predictProba(rows))).toEqual(Array.from(await best.predictProba(rows)));
    expect(Array.from(await search.decisionFunction(rows))).toEqual(Array.from(await best.decisionFunction(rows)));
    expect(await search.score(rows, codes)).toBe(await best.score(rows, codes));
  });

  it("refuses before fit and after fit without refit, saying which", async () => {
    const search = new GridSearchCV(logistic(), grid, { runtime: rt, cv: 3 });
    await expect(search.predict(rows)).rejects.toThrow(WeftError);
    await expect(search.predict(rows)).rejects.toThrow(/call fit\(\) first/);
    const noRefit = await new GridSearchCV(logistic(), grid, { runtime: rt, cv: 3, refit: false }).fit(rows, codes);
    await expect(noRefit.score(rows, codes)).rejects.toThrow(/refit: false/);
  });

  it("takes rows of numbers, { data, shape } and string labels, with the results of ChunkedArrays and 0/1 codes", async () => {
    const Xc = array.fromRows(rows, { chunks: 40 });
    const yc = array.fromTypedArray(Float64Array.from(codes), { chunks: 40 });
    const reference = await new GridSearchCV(logistic(), grid, { runtime: rt, cv: 3 }).fit(Xc, yc);
    const scores = reference.cvResults.map((r) => r.meanTestScore);
    const flat = { data: Float64Array.from(rows.flat()), shape: [N, 3] as [number, number] };
    for (const [X, y] of [
      [rows, codes],
      [flat, Float64Array.from(codes)],
    ] as const) {
      const search = await new GridSearchCV(logistic(), grid, { runtime: rt, cv: 3 }).fit(X, y);
      expect(search.cvResults.map((r) => r.meanTestScore)).toEqual(scores);
      expect(search.bestParams).toEqual(reference.bestParams);
    }
    const labels = codes.map((c) => (c === 1 ? "yes" : "no"));
    const named = await new GridSearchCV<string>(logistic<string>(), grid, { runtime: rt, cv: 3 }).fit(rows, labels);
    expect(named.cvResults.map((r) => r.meanTestScore)).toEqual(scores);
    expect(await named.predict(rows)).toEqual(Array.from(await reference.predict(rows), (c) => (c === 1 ? "yes" : "no")));
    expect(await named.score(rows, labels)).toBe(await reference.score(Xc, yc));
  });
});

describe("Pipeline takes what the estimators take", () => {
  const pipeline = () =>
    new Pipeline([
      ["scale", new StandardScaler({ runtime: rt })],
      ["clf", logistic()],
    ]);
  const stringPipeline = () =>
    new Pipeline<string>([
      ["scale", new StandardScaler({ runtime: rt })],
      ["clf", logistic<string>()],
    ]);

  it("rows of numbers and { data, shape } give the ChunkedArray's predictions; string labels come back as strings", async () => {
    const Xc = array.fromRows(rows, { chunks: 40 });
    const reference = await pipeline().fit(Xc, array.fromTypedArray(Float64Array.from(codes)));
    const expected = Array.from(await reference.predict(Xc));
    const fromRows = await pipeline().fit(rows, codes);
    expect(Array.from(await fromRows.predict(rows))).toEqual(expected);
    const flat = { data: Float64Array.from(rows.flat()), shape: [N, 3] as [number, number] };
    expect(Array.from(await fromRows.predict(flat))).toEqual(expected);
    expect(await fromRows.score(rows, codes)).toBe(await reference.score(Xc, array.fromTypedArray(Float64Array.from(codes))));
    const labels = codes.map((c) => (c === 1 ? "yes" : "no"));
    const named = await stringPipeline().fit(rows, labels);
    expect(await named.predict(rows)).toEqual(expected.map((c) => (c === 1 ? "yes" : "no")));
    // the same to rounding: the scaler's statistics are summed over other chunks
    const proba = await reference.predictProba(Xc);
    (await named.predictProba(rows)).forEach((p, i) => expect(p).toBeCloseTo(proba[i]!, 12));
  });
});

describe("fitTransform and inverseTransform", () => {
  // a constant column: StandardScaler keeps scale 1, MinMaxScaler maps it to the low end
  const data = rows.map(([a, b]) => [a! * 3 + 1, b! - 2, 5]);
  const X = () => array.fromRows(data, { chunks: 50 });

  it("fitTransform equals fit then transform", async () => {
    for (const make of [
      () => new StandardScaler({ runtime: rt }),
      () => new MinMaxScaler({ runtime: rt, featureRange: [-1, 2] }),
      () => new PolynomialFeatures({ degree: 2 }),
    ]) {
      const once = await make().fitTransform(X());
      const twice = (await make().fit(X())).transform(X());
      expect(await values(once)).toEqual(await values(twice));
    }
  });

  it("inverseTransform undoes transform, to rounding, constant columns included", async () => {
    const original = data.flat();
    for (const scaler of [new StandardScaler({ runtime: rt }), new MinMaxScaler({ runtime: rt, featureRange: [-1, 2] })]) {
      const back = await values(scaler.inverseTransform(await scaler.fitTransform(X())));
      back.forEach((v, i) => expect(v).toBeCloseTo(original[i]!, 12));
    }
    await expect(async () => new StandardScaler().inverseTransform(X())).rejects.toThrow(/not fitted/);
  });
});
