"""NumPy's and dask.array's side of `weft bench fresh`: work written as a user's own code, a fresh
expression each time.

1. sum(exp(x) - 1/x) over x in chunks of VALUES values (uniform on [0.5, 1.5)), for each chunk
   count: dask.array (threaded scheduler, the graph built anew for every compute, as a user's
   loop does) and NumPy on the whole array.
2. Gradient descent written by hand, w -= step * X.T @ (sigmoid(X @ w) - y), on the spec's
   synthetic problem (the very numbers weft makes) for each rows:cols:chunks size: NumPy (X in
   one array) and dask.array (X in `chunks` row chunks, threaded); the ms of an iteration
   (median after one warm-up iteration) and NumPy's w after ITERS iterations from w = 0, for
   weft to check its iterates against.

Prints one JSON object. Each part runs in a process of its own (dask.array's 100,000-chunk graphs
left the process slow for what came after it: NumPy's gradient descent took 9 ms an iteration
instead of 1).

usage: fresh_reference.py expression CHUNKS[,CHUNKS...] VALUES BUDGET_SECONDS
       fresh_reference.py gd ROWS:COLS:CHUNKS[,...] ITERS STEP_TIMES_ROWS BUDGET_SECONDS
"""
import json
import sys
import time

import numpy as np

from synthetic import problem


def median_ms(fn, repeats, budget):
    """Median ms of fn over up to `repeats` runs after one warm-up, stopping once `budget` seconds are spent."""
    start = time.perf_counter()
    fn()
    samples = []
    while len(samples) < repeats and (not samples or time.perf_counter() - start < budget):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1e3)
    return sorted(samples)[len(samples) // 2], len(samples)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def main():
    try:
        import dask
        import dask.array as da
        dask_version = dask.__version__
    except ImportError:
        da = None
        dask_version = None
    out = {"numpy": np.__version__, "dask": dask_version}
    if sys.argv[1] == "expression":
        out["expression"] = expression([int(c) for c in sys.argv[2].split(",")], int(sys.argv[3]), float(sys.argv[4]), da)
    else:
        sizes = [tuple(int(v) for v in s.split(":")) for s in sys.argv[2].split(",")]
        out["gd"] = gradient_descent(sizes, int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), da)
    print(json.dumps(out))


def expression(chunk_counts, values, budget, da):
    rows = []
    rng = np.random.default_rng(0)
    for chunks in chunk_counts:
        x = rng.uniform(0.5, 1.5, chunks * values)
        numpy_ms, _ = median_ms(lambda: (np.exp(x) - 1 / x).sum(), 7, budget)
        row = {"chunks": chunks, "numpyMs": numpy_ms, "daskMs": None, "daskRuns": 0}
        if da is not None:
            def fresh():
                xd = da.from_array(x, chunks=values)
                return (da.exp(xd) - 1 / xd).sum().compute(scheduler="threads")
            row["daskMs"], row["daskRuns"] = median_ms(fresh, 5, budget)
        rows.append(row)
        del x
    return rows


def gradient_descent(sizes, iters, step_times_rows, budget, da):
    rows_out = []
    for rows, cols, chunks in sizes:
        X, y = problem(rows, cols)
        step = step_times_rows / rows
        w = np.zeros(cols)
        samples = []
        for it in range(iters + 1):
            t0 = time.perf_counter()
            w = w - step * (X.T @ (sigmoid(X @ w) - y))
            if it > 0:
                samples.append((time.perf_counter() - t0) * 1e3)
        # the iterates after `iters` iterations from w = 0, for weft to compare
        w_check = np.zeros(cols)
        for _ in range(iters):
            w_check = w_check - step * (X.T @ (sigmoid(X @ w_check) - y))
        row = {"rows": rows, "cols": cols, "chunks": chunks, "step": step, "iterations": iters,
               "numpyMs": sorted(samples)[len(samples) // 2], "numpyW": w_check.tolist(), "daskMs": None, "daskIterations": 0}
        if da is not None:
            Xd = da.from_array(X, chunks=(rows // chunks, cols))
            yd = da.from_array(y, chunks=rows // chunks)
            wd = np.zeros(cols)
            dask_samples = []
            start = time.perf_counter()
            for it in range(iters + 1):
                t0 = time.perf_counter()
                g = (Xd.T @ (1.0 / (1.0 + da.exp(-(Xd @ wd))) - yd)).compute(scheduler="threads")
                wd = wd - step * g
                if it > 0:
                    dask_samples.append((time.perf_counter() - t0) * 1e3)
                if it > 0 and time.perf_counter() - start > budget:
                    break
            row["daskMs"] = sorted(dask_samples)[len(dask_samples) // 2]
            row["daskIterations"] = len(dask_samples)
        rows_out.append(row)
        del X, y
    return rows_out


if __name__ == "__main__":
    main()
