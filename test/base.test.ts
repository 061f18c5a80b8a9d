/**
 * The shared estimator machinery (src/base) on literal inputs: parameters by name and clones
 * (BaseEstimator, as the GLM estimators and transformers use it), and the one check of the data
 * they are given (toMatrix, toVector, vectorValues, checkMatrix), each refusal an ArgumentError
 * naming the argument and the caller. Nothing here computes: no runtime is started.
 */
import { describe, expect, it } from "vitest";
import { ArgumentError, StandardScaler, array, glm } from "../src/index.js";
import {
  BaseEstimator,
  checkMatrix,
  checkParamNames,
  checkRuntime,
  parametersOf,
  toMatrix,
  toVector,
  vectorValues,
} from "../src/base/index.js";

/** The ArgumentError `fn` throws: its argument and the context its message starts with. */
function refusal(fn: () => unknown): { argument: string; message: string } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ArgumentError);
    return { argument: (error as ArgumentError).argument, message: (error as ArgumentError).message };
  }
  throw new Error("expected an ArgumentError");
}

interface ToyOptions {
  depth?: number;
  verbose?: boolean;
  runtime?: unknown;
}

/** A model whose parameters are depth (default 3) and verbose (default false). */
class Toy extends BaseEstimator<ToyOptions> {
  protected readonly kind = "Toy";
  fitted = false;

  constructor(protected options: ToyOptions = {}) {
    super();
    this.options = this.checkedOptions(options, "Toy");
  }

  protected paramDefaults(): Record<string, unknown> {
    return { depth: 3, verbose: false };
  }

  protected checkedOptions(options: ToyOptions, where: string): ToyOptions {
    if (options.depth !== undefined && !(options.depth >= 1)) throw new ArgumentError("depth", "a number >= 1", options.depth, where);
    return options;
  }

  get given(): ToyOptions {
    return this.options;
  }
}

describe("parameters", () => {
  it("getParams lists the defaults, then the options given, never the runtime", () => {
    expect(new Toy().getParams()).toEqual({ depth: 3, verbose: false });
    expect(new Toy({ depth: 5, runtime: "rt" }).getParams()).toEqual({ depth: 5, verbose: false });
    expect(parametersOf({ lambda: 1, runtime: 1, onIteration: 2, signal: 3 })).toEqual({ lambda: 1 });
  });

  it("setParams changes them, checked as the constructor checks them, naming setParams", () => {
    const toy = new Toy();
    expect(toy.setParams({ depth: 7 })).toBe(toy);
    expect(toy.getParams()).toEqual({ depth: 7, verbose: false });
    const bad = refusal(() => toy.setParams({ depth: 0 }));
    expect(bad.argument).toBe("depth");
    expect(bad.message).toMatch(/^Toy\.setParams: /);
    expect(toy.getParams().depth).toBe(7);
  });

  it("setParams refuses an unknown name, naming the valid ones, and what is not an object", () => {
    expect(refusal(() => new Toy().setParams({ dpeth: 1 }))).toEqual({
      argument: "params",
      message: expect.stringMatching(/names among depth, verbose; received "dpeth"/),
    });
    expect(refusal(() => new Toy().setParams({ runtime: 1 })).argument).toBe("params");
    expect(refusal(() => new Toy().setParams(null as never)).argument).toBe("params");
    expect(refusal(() => checkParamNames([1], ["a"], "here")).message).toMatch(/^here: argument 'params' must be an object/);
  });

  it("clone is a new, unfitted model of the same class with the same options", () => {
    const toy = new Toy({ depth: 4, runtime: "rt" });
    toy.fitted = true;
    const copy = toy.clone();
    expect(copy).toBeInstanceOf(Toy);
    expect(copy).not.toBe(toy);
    expect(copy.fitted).toBe(false);
    expect(copy.given).toEqual({ depth: 4, runtime: "rt" });
    copy.setParams({ depth: 9 });
    expect(toy.getParams().depth).toBe(4);
  });

  it("the GLM estimators and transformers share it: defaults, a new penalty's own solver, clones", () => {
    expect(new StandardScaler().getParams()).toEqual({ withMean: true, withStd: true });
    expect(new StandardScaler({ withMean: false }).clone().getParams()).toEqual({ withMean: false, withStd: true });
    expect(refusal(() => new StandardScaler().setParams({ withStd: "no" })).message).toMatch(
      /^StandardScaler\.setParams: argument 'withStd'/,
    );
    const model = new glm.LogisticRegression();
    expect(model.getParams()).toMatchObject({ solver: "lbfgs", regularizer: "l2", lambda: 1 });
    expect(model.setParams({ regularizer: "l1" }).getParams()).toMatchObject({ solver: "proximal_grad", regularizer: "l1" });
    expect(refusal(() => model.setParams({ lamda: 1 })).message).toMatch(/^LogisticRegression\.setParams: /);
    expect(new glm.LinearRegression().clone().getParams()).toMatchObject({ regularizer: "none", lambda: 0 });
  });
});

describe("the data an estimator is given", () => {
  it("rows of numbers become a ChunkedArray, the rows split in 2 x threads chunks unless chunkRows says", () => {
    const X = toMatrix(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      "fit",
      { threads: 1 },
    );
    expect(X.shape).toEqual([3, 2]);
    expect(X.rowChunks).toEqual([2, 1]);
    expect(
      toMatrix(
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        "fit",
        { chunkRows: 1, threads: 1 },
      ).rowChunks,
    ).toEqual([1, 1, 1]);
    const flat = toMatrix({ data: [1, 2, 3, 4, 5, 6], shape: [2, 3] }, "fit", { threads: 2 });
    expect(flat.shape).toEqual([2, 3]);
    const chunked = array.zeros([2, 2]);
    expect(toMatrix(chunked, "fit", { threads: 1 })).toBe(chunked);
  });

  it("a malformed matrix is refused, naming the part that is wrong and the caller", () => {
    const X = (value: unknown) => refusal(() => toMatrix(value as never, "fit", { threads: 1 }));
    expect(X([1, 2, 3])).toEqual({ argument: "X", message: expect.stringMatching(/^fit: .*received "X\[0\] = 1"/) });
    expect(X([[1, 2], [3]]).argument).toBe("X[1]");
    expect(
      X([
        [1, 2],
        [3, "4"],
      ]),
    ).toEqual({ argument: "X[1]", message: expect.stringMatching(/a row of numbers; received "\\"4\\" at column 1"/) });
    expect(X({ data: [1, 2], shape: [2] }).argument).toBe("X.shape");
    expect(X({ data: "1234", shape: [2, 2] }).argument).toBe("X.data");
    expect(X({ data: [1, 2, 3], shape: [2, 2] })).toEqual({
      argument: "X",
      message: expect.stringMatching(/data of shape \[2, 2\] \(4 values\); received "3 values"/),
    });
    expect(X([[]]).message).toMatch(/at least one column/);
    expect(X({ data: [], shape: [0, 2] }).message).toMatch(/at least one row/);
    expect(X("rows").argument).toBe("X");
  });

  it("a transformer takes a 2-D ChunkedArray only", () => {
    expect(refusal(() => checkMatrix([[1, 2]], "StandardScaler.fit")).argument).toBe("X");
    expect(refusal(() => checkMatrix(array.zeros([2]), "StandardScaler.fit")).message).toMatch(
      /^StandardScaler\.fit: .*received "shape \[2\]"/,
    );
  });

  it("a vector: numbers, a Float64Array or a ChunkedArray; score's as many values as rows", async () => {
    expect(toVector([1, 2, 3], "y", "fit").shape).toEqual([3]);
    expect(refusal(() => toVector(["1"] as never, "y", "fit")).message).toMatch(
      /^fit: argument 'y' must be an array of numbers; received "\\"1\\" at index 0"/,
    );
    expect(refusal(() => toVector({} as never, "y", "fit")).argument).toBe("y");
    expect(Array.from(await vectorValues(Float64Array.of(1, 0), 2, undefined, "score"))).toEqual([1, 0]);
    await expect(vectorValues([1, 0, 1], 2, undefined, "score")).rejects.toMatchObject({
      argument: "y",
      message: expect.stringMatching(/^score: .*2 values \(one per row of X\); received "3 values"/),
    });
    await expect(vectorValues(array.zeros([2, 1]), 2, undefined, "score")).rejects.toMatchObject({ argument: "y" });
  });

  it("a runtime option is a Runtime or nothing", () => {
    expect(checkRuntime(undefined, "StandardScaler")).toBeUndefined();
    expect(refusal(() => checkRuntime("rt", "StandardScaler")).argument).toBe("runtime");
  });
});
