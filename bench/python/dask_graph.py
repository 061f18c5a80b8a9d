"""Dask's side of `weft bench graph`: the seed expression sum(exp(x) - 1/x) over N chunks,
its task counts before and after dask.optimization.fuse (default and ave_width=2), and the
time of each step per 1,000 tasks (median of several runs after warm-up). Prints one JSON
object. Run by bench/graph.ts when python3 with dask is installed (Debian: python3-dask).

    python3 bench/python/dask_graph.py 1000 [repeats]
"""
import json
import statistics
import sys
import time

import dask
import dask.array as da
from dask.optimization import cull, fuse


def seed(chunks):
    x = da.random.random((chunks * 10,), chunks=10)
    y = da.exp(x) - 1 / x
    return y.sum()


def per_1000(seconds, tasks):
    return 1000 * 1000 * seconds / tasks


def main():
    chunks = int(sys.argv[1])
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    rows = {"materialize": [], "cull": [], "fuse": [], "fuseAveWidth2": [], "arrayOptimize": []}
    counts = {}
    for rep in range(repeats + 2):
        total = seed(chunks)
        keys = [total.__dask_keys__()] if not isinstance(total.__dask_keys__(), list) else total.__dask_keys__()
        t0 = time.perf_counter()
        dsk = dict(total.__dask_graph__())
        t1 = time.perf_counter()
        culled, deps = cull(dsk, keys)
        t2 = time.perf_counter()
        fused, _ = fuse(culled, keys, dependencies=deps)
        t3 = time.perf_counter()
        fused2, _ = fuse(culled, keys, dependencies=deps, ave_width=2)
        t4 = time.perf_counter()
        optimized = total.__dask_optimize__(total.__dask_graph__(), keys)
        optimized_tasks = len(dict(optimized))
        t5 = time.perf_counter()
        n = len(dsk)
        counts = {"materialized": n, "culled": len(culled), "fused": len(fused), "fusedAveWidth2": len(fused2),
                  "arrayOptimized": optimized_tasks}
        if rep < 2:
            continue  # warm-up
        rows["materialize"].append(per_1000(t1 - t0, n))
        rows["cull"].append(per_1000(t2 - t1, n))
        rows["fuse"].append(per_1000(t3 - t2, len(culled)))
        rows["fuseAveWidth2"].append(per_1000(t4 - t3, len(culled)))
        rows["arrayOptimize"].append(per_1000(t5 - t4, n))
    print(json.dumps({
        "dask": dask.__version__,
        "chunks": chunks,
        "tasks": counts,
        "msPer1000Tasks": {k: statistics.median(v) for k, v in rows.items()},
    }))


if __name__ == "__main__":
    main()
