"""scikit-learn's side of `weft bench glm`: the spec's synthetic problem (shared/specs/
synthetic-data.md, rebuilt here with NumPy's uint64 arithmetic, chunk by chunk) fitted by
LogisticRegression(solver="lbfgs", C = 1 / lambda, fit_intercept=False). Times the fit only and
prints one JSON object per size: seconds, iterations, objective (sum of log-losses + lambda/2 ||w||^2).

usage: sklearn_glm.py ROWS[,ROWS...] COLS LAMBDA REPEATS
"""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
SEED = 20240601


def mix(z):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def uniform(seed, start, n):
    k = np.arange(start, start + n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = mix(np.uint64(seed) + (k + np.uint64(1)) * GOLDEN)
    return (z >> np.uint64(11)).astype(np.float64) * 2.0 ** -53


def normals(seed, start, n):
    # start and n even: pairs (2m, 2m + 1)
    u = uniform(seed, start, n)
    u1, u2 = u[0::2], u[1::2]
    r = np.sqrt(-2.0 * np.log1p(-u1))
    t = 2.0 * np.pi * u2
    z = np.empty(n)
    z[0::2] = r * np.cos(t)
    z[1::2] = r * np.sin(t)
    return z


def problem(rows, cols, seed=SEED, chunk=100_000):
    X = np.empty((rows, cols))
    for r0 in range(0, rows, chunk):
        r1 = min(rows, r0 + chunk)
        X[r0:r1] = normals(seed, r0 * cols, (r1 - r0) * cols).reshape(r1 - r0, cols)
    beta = normals(seed + 1, 0, cols) / np.sqrt(cols)
    p = 1.0 / (1.0 + np.exp(-(X @ beta)))
    y = (uniform(seed + 2, 0, rows) < p).astype(np.float64)
    return X, y


def main():
    sizes = [int(s) for s in sys.argv[1].split(",")]
    cols, lam, repeats = int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    out = {"sklearn": sklearn.__version__, "results": []}
    for rows in sizes:
        X, y = problem(rows, cols)
        samples = []
        for _ in range(repeats):
            model = LogisticRegression(C=1.0 / lam, fit_intercept=False, solver="lbfgs")
            t0 = time.perf_counter()
            model.fit(X, y)
            samples.append(time.perf_counter() - t0)
        w = model.coef_.ravel()
        eta = X @ w
        objective = float(np.sum(np.logaddexp(0, eta) - y * eta) + 0.5 * lam * w @ w)
        out["results"].append({"rows": rows, "cols": cols, "seconds": sorted(samples)[len(samples) // 2],
                               "nIter": int(model.n_iter_[0]), "objective": objective})
        del X, y
    print(json.dumps(out))


if __name__ == "__main__":
    main()
