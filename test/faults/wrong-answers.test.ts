/**
 * Bad input that gave a silently wrong answer or an unclear error (the issue "Faults and bad
 * input", items 9 and 10), each now a typed error naming the argument: a released persisted
 * array read again (it returned another array's data), score() with y of the wrong length (it
 * returned a number), a NaN feature at prediction (it predicted class 0), fromJSON(null) (a
 * TypeError), a saved model's kind of "constructor" (a "not a function"), estimator options of
 * the wrong type (accepted).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { ArgumentError, Runtime, WeftError, array, glm, writeNpy } from "../../src/index.js";

let rt: Runtime;
const dir = mkdtempSync(join(tmpdir(), "weft-wrong-"));
beforeAll(async () => {
  rt = await Runtime.start({ threads: 2 });
});
afterAll(async () => {
  await rt.close();
  rmSync(dir, { recursive: true, force: true });
});

const X = [
  [0.5, 1],
  [1.5, -1],
  [2, 0.3],
  [-1, 2],
  [0.2, -0.4],
  [1, 1],
];
const y = [0, 1, 1, 0, 0, 1];

describe("no silently wrong answers", () => {
  it("a released persisted array cannot be read again (it read another array's memory)", async () => {
    const a = await array.arange(1000, { chunks: 100 }).persist({ runtime: rt });
    const doubled = a.mul(2);
    a.release();
    await array.full([1000], 7, { chunks: 100 }).persist({ runtime: rt }); // reuses the freed memory
    await expect(doubled.sum().compute({ runtime: rt })).rejects.toThrow(/was released/);
    await expect(doubled.sum().compute({ runtime: rt })).rejects.toThrow(WeftError);
  });

  it("score() with y of the wrong length, and a NaN feature at prediction, are errors naming the argument", async () => {
    const model = await new glm.LogisticRegression({ runtime: rt }).fit(X, y);
    await expect(model.score(X, [0, 1])).rejects.toThrow(/'y' must be 6 values \(one per row of X\); received "2 values"/);
    await expect(new glm.LinearRegression({ runtime: rt }).fit(X, y).then((m) => m.score(X, y.slice(1)))).rejects.toThrow(ArgumentError);
    await expect(model.predict([[0.5, NaN]])).rejects.toThrow(/'X' must be finite values; received "a non-finite value in row 0/);
    await expect(
      model.predictProba([
        [1, 1],
        [Infinity, 0],
      ]),
    ).rejects.toThrow(/row 1/);
  });

  it("weft predict on a NaN feature fails (it wrote NaN probabilities and exited 0)", async () => {
    // NPY keeps NaN as a value (a CSV reader treats "NaN" as missing, by --missing)
    const train = join(dir, "train.npy"),
      bad = join(dir, "bad.npy"),
      model = join(dir, "m.json");
    await writeNpy(train, Float64Array.from(X.flatMap((r, i) => [...r, y[i]!])), [6, 3]);
    await writeNpy(bad, Float64Array.of(1, 2, 0, NaN, 1, 0), [2, 3]);
    const io = { out: () => {}, err: () => {} };
    expect(await main(["fit", train, "--target", "2", "--out", model, "--quiet", "--threads", "1"], io)).toBe(0);
    const err: string[] = [];
    const code = await main(["predict", model, bad, "--quiet", "--threads", "1"], { out: () => {}, err: (s) => err.push(s) });
    expect(code).not.toBe(0);
    expect(err.join("\n")).toMatch(/finite values; received "a non-finite value in row 1/);
  });
});

describe("clear errors for malformed models and options", () => {
  it("fromJSON of null, of another kind, of a kind named like an Object method", async () => {
    expect(() => glm.LogisticRegression.fromJSON(null as never)).toThrow(/'json' must be a saved LogisticRegression/);
    expect(() => glm.LogisticRegression.fromJSON({ kind: "LinearRegression", coef: [1], intercept: 0 } as never)).toThrow(ArgumentError);
    const model = join(dir, "ctor.json"),
      data = join(dir, "x.csv");
    writeFileSync(model, JSON.stringify({ kind: "constructor", features: ["a"], coef: [1], intercept: 0 }));
    writeFileSync(data, "a\n1\n");
    const err: string[] = [];
    expect(await main(["predict", model, data, "--quiet"], { out: () => {}, err: (s) => err.push(s) })).not.toBe(0);
    expect(err.join("\n")).toMatch(/a model file written by 'weft fit --out'/);
  });

  it("estimator options of the wrong type are refused at construction", () => {
    const make = (options: Record<string, unknown>) => () => new glm.LogisticRegression(options as never);
    expect(make({ fitIntercept: "no" })).toThrow(/'fitIntercept' must be true or false/);
    expect(make({ tol: "1e-3" })).toThrow(/'tol' must be a finite number > 0/);
    expect(make({ abstol: "x" })).toThrow(/'abstol' must be a finite number > 0/);
    expect(make({ fista: 1 })).toThrow(/'fista' must be true or false/);
    expect(make({ onIteration: "log" })).toThrow(/'onIteration' must be a function/);
    expect(make({ signal: {} })).toThrow(/'signal' must be an AbortSignal/);
    expect(make({ maxIter: 2.5 })).toThrow(/'maxIter' must be a whole number >= 1/);
  });
});
