"""Dask distributed on the logistic problem `weft bench cluster` measures: a LocalCluster of
worker processes (one thread each), each reading its own rows of the same .npy file (X's columns,
then y), persisted; then `iterations` gradients X^T (sigmoid(X w) - y), each a compute of a new
graph (Dask's way of running an iteration). Per iteration: the wall time, and the busiest
worker's time in tasks (from the task stream); their difference is Dask's own cost per iteration.

    python3 dask_cluster.py PATH WORKERS ITERATIONS  ->  JSON on stdout
"""
import json
import sys
import time

import numpy as np


def load_rows(path, start, end, cols):
    m = np.load(path, mmap_mode="r")
    return np.ascontiguousarray(m[start:end, :cols]), np.ascontiguousarray(m[start:end, cols])


def main():
    path, workers, iterations = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    import dask
    import dask.array as da
    from dask.distributed import Client, LocalCluster

    shape = np.load(path, mmap_mode="r").shape
    rows, cols = shape[0], shape[1] - 1
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    try:
        bounds = [(rows * k // workers, rows * (k + 1) // workers) for k in range(workers)]
        parts = [dask.delayed(load_rows, nout=2)(path, a, b, cols) for a, b in bounds]
        X = da.concatenate([da.from_delayed(p[0], shape=(b - a, cols), dtype=float) for p, (a, b) in zip(parts, bounds)])
        y = da.concatenate([da.from_delayed(p[1], shape=(b - a,), dtype=float) for p, (a, b) in zip(parts, bounds)])
        X, y = client.persist([X, y])
        from distributed import get_task_stream, wait

        wait([X, y])
        w = np.full(cols, 0.01)

        def gradient(w):
            return (X.T @ (1 / (1 + da.exp(-(X @ w))) - y)).compute()

        gradient(w)  # warm
        walls, busiest = [], []
        for i in range(iterations):
            w = w + 1e-9
            with get_task_stream(client) as ts:
                t0 = time.perf_counter()
                gradient(w)
                walls.append(time.perf_counter() - t0)
            per_worker = {}
            for task in ts.data:
                for s in task["startstops"]:
                    if s["action"] == "compute":
                        per_worker[task["worker"]] = per_worker.get(task["worker"], 0) + s["stop"] - s["start"]
            busiest.append(max(per_worker.values()) if per_worker else 0.0)
        wall = float(np.median(walls)) * 1000
        busy = float(np.median(busiest)) * 1000
        print(json.dumps({"workers": workers, "iterations": iterations, "msPerIteration": wall, "busiestWorkerMs": busy,
                          "overheadMs": wall - busy, "version": dask.__version__}))
    finally:
        client.close()
        cluster.close()


if __name__ == "__main__":
    main()
