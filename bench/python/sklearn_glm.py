"""scikit-learn's side of `weft bench glm`: the spec's synthetic problem (docs/specs/
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

from synthetic import problem


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
