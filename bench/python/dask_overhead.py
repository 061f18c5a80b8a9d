"""Dask's side of `weft bench overhead`: per-task overhead of trivial tasks (a chain, and a wide
map then a sum) on the synchronous and threaded schedulers, and the time per iteration of a
logistic-regression gradient over 10 chunks of a 1,000 x 100 problem (dask.array, both
schedulers) beside NumPy's. Prints one JSON object.

usage: dask_overhead.py TASKS ITERATIONS
"""
import json
import sys
import time

import dask
import dask.array as da
import numpy as np


def inc(x):
    return x + 1


def sum_list(xs):
    return sum(xs)


def chain(n):
    dsk = {("c", 0): (inc, 0)}
    for i in range(1, n):
        dsk[("c", i)] = (inc, ("c", i - 1))
    return dsk, ("c", n - 1)


def wide(n):
    dsk = {("m", i): (inc, i) for i in range(n)}
    dsk["total"] = (sum_list, [("m", i) for i in range(n)])
    return dsk, "total"


def per_task_us(get, build, n, repeats=3):
    samples = []
    for _ in range(repeats):
        dsk, out = build(n)
        t0 = time.perf_counter()
        get(dsk, out)
        samples.append((time.perf_counter() - t0) / len(dsk) * 1e6)
    return sorted(samples)[len(samples) // 2]


def main():
    tasks = int(sys.argv[1])
    iterations = int(sys.argv[2])
    sys.setrecursionlimit(max(10000, 4 * tasks))
    result = {"dask": dask.__version__, "tasks": tasks, "usPerTask": {}}
    for name, get in (("sync", dask.get), ("threads", dask.threaded.get)):
        result["usPerTask"][name] = {
            "chain": per_task_us(get, chain, tasks),
            "map": per_task_us(get, wide, tasks),
        }

    rng = np.random.default_rng(0)
    X = rng.standard_normal((1000, 100))
    y = (rng.random(1000) < 0.5).astype(float)
    w = rng.standard_normal(100) / 10
    Xd = da.from_array(X, chunks=(100, 100))
    yd = da.from_array(y, chunks=100)

    def numpy_grad():
        mu = 1 / (1 + np.exp(-(X @ w)))
        return X.T @ (mu - y)

    def dask_grad(scheduler):
        mu = 1 / (1 + da.exp(-(Xd @ w)))
        return (Xd.T @ (mu - yd)).compute(scheduler=scheduler)

    def ms_per_iteration(fn):
        fn()
        samples = []
        for _ in range(3):
            t0 = time.perf_counter()
            for _ in range(iterations):
                fn()
            samples.append((time.perf_counter() - t0) / iterations * 1e3)
        return sorted(samples)[1]

    result["iterationMs"] = {
        "numpy": ms_per_iteration(numpy_grad),
        "sync": ms_per_iteration(lambda: dask_grad("sync")),
        "threads": ms_per_iteration(lambda: dask_grad("threads")),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
