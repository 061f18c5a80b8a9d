"""NumPy's (and dask.array's) side of `weft bench array`, on data of the same sizes and
distributions: y = exp(x) - 1/x; y.sum() over N values (x uniform on [0.5, 1.5); dask.array in
`chunks` chunks), and the logistic gradient X.T @ (sigmoid(X @ w) - y) on rows x cols. Prints
one JSON object of median milliseconds.

usage: array_reference.py N CHUNKS ROWS COLS REPEATS
"""
import json
import sys
import time

import numpy as np


def median_ms(fn, repeats):
    fn()
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1e3)
    return sorted(samples)[len(samples) // 2]


def main():
    n, chunks, rows, cols, repeats = (int(a) for a in sys.argv[1:6])
    rng = np.random.default_rng(0)
    x = rng.uniform(0.5, 1.5, n)
    out = {"numpy": {}, "dask": None}
    out["numpy"]["expressionMs"] = median_ms(lambda: (np.exp(x) - 1 / x).sum(), repeats)
    try:
        import dask
        import dask.array as da

        xd = da.from_array(x, chunks=max(1, n // chunks))
        out["dask"] = {
            "version": dask.__version__,
            "expressionMs": median_ms(lambda: (da.exp(xd) - 1 / xd).sum().compute(scheduler="threads"), repeats),
        }
    except ImportError:
        pass
    del x
    X = rng.standard_normal((rows, cols))
    y = (rng.random(rows) < 0.5).astype(np.float64)
    w = rng.standard_normal(cols) / np.sqrt(cols)
    out["numpy"]["gradientMs"] = median_ms(lambda: X.T @ (1 / (1 + np.exp(-(X @ w))) - y), repeats)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
