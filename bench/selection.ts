/**
 * `weft bench selection`: GridSearchCV over 10 lambdas x 5 folds of a StandardScaler +
 * LogisticRegression pipeline on the spec's synthetic problem, against the same 50 fits made one
 * by one (each candidate alone: its own fold rows, scaler fit, cold start), both on one runtime
 * with the data persisted first. Checks that both find the same best lambda.
 */
import { availableParallelism, cpus } from "node:os";
import { GridSearchCV, KFold, Pipeline, Runtime, StandardScaler, glm, logLoss, selectRows } from "weftjs";
import { persistLogisticProblem } from "./problem.js";

export interface SelectionReport {
  rows: number;
  cols: number;
  lambdas: number[];
  folds: number;
  seconds: { gridSearch: number; oneByOne: number };
  speedup: number;
  bestLambda: { gridSearch: unknown; oneByOne: unknown };
  machine: { cpu: string; cores: number; node: string };
}

export async function benchSelection(
  options: { quick?: boolean; onProgress?: (done: number, total: number, label: string) => void } = {},
): Promise<SelectionReport> {
  const rows = options.quick ? 20_000 : 1_000_000;
  const cols = 100;
  const lambdas = [0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000, 3000];
  const folds = 5;
  const rt = await Runtime.start({ memory: { initial: 64 << 20 }, profileCapacity: 0 });
  try {
    const { X, y } = await persistLogisticProblem(rt, rows, cols);
    // Both ways run on memory that has been written once already. The first write to fresh
    // memory faults its pages in, which costs about 3 ms per MB on the VMs measured here: the
    // way measured first would otherwise pay it for both.
    const warm = rt.memory.alloc(Math.min(3 * 8 * rows * cols, 2 ** 31));
    warm.u8().fill(1);
    warm.free();
    const pipeline = () =>
      new Pipeline([
        ["scale", new StandardScaler()],
        ["clf", new glm.LogisticRegression({ fitIntercept: true })],
      ]);
    options.onProgress?.(0, 2, "grid search");
    let t0 = performance.now();
    const search = await new GridSearchCV(
      pipeline(),
      { clf__lambda: lambdas },
      { cv: folds, scoring: "log_loss", runtime: rt, refit: false },
    ).fit(X, y);
    const gridSearch = (performance.now() - t0) / 1000;
    options.onProgress?.(1, 2, "one by one");
    t0 = performance.now();
    const splits = new KFold({ nSplits: folds }).split(rows);
    const means: number[] = [];
    for (const lambda of lambdas) {
      let total = 0;
      for (const fold of splits) {
        const p = pipeline().setParams({ clf__lambda: lambda });
        p.final.options.runtime = rt;
        await p.fit(selectRows(X, fold.train), selectRows(y, fold.train));
        const proba = await p.predictProba(selectRows(X, fold.test));
        total += -logLoss((await selectRows(y, fold.test).compute({ runtime: rt })) as Float64Array, proba);
      }
      means.push(total / folds);
    }
    const oneByOne = (performance.now() - t0) / 1000;
    options.onProgress?.(2, 2, "done");
    X.release();
    y.release();
    const best = lambdas[means.indexOf(Math.max(...means))];
    return {
      rows,
      cols,
      lambdas,
      folds,
      seconds: { gridSearch, oneByOne },
      speedup: oneByOne / gridSearch,
      bestLambda: { gridSearch: search.bestParams?.clf__lambda, oneByOne: best },
      machine: { cpu: cpus()[0]?.model ?? "unknown", cores: availableParallelism(), node: process.version },
    };
  } finally {
    await rt.close();
  }
}
