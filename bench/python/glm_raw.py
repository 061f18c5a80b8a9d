"""scikit-learn's side of the raw-data table of `weft bench glm`: the conformance problems of
test/fixtures/glm-conformance (real and synthetic ill-conditioned data, unscaled) fitted by
scikit-learn's own solvers at their default tol and max_iter, each solution evaluated with weft's
objective and compared with the optimum in optima.json.

Objective (weft's): sum of the losses + lambda R(coef), intercept unpenalized; logistic
log(1 + exp(eta)) - y eta, normal (eta - y)^2 / 2, poisson exp(eta) - y eta; R l2 ||w||^2 / 2,
l1 ||w||_1. scikit-learn's estimators minimize a multiple of it (plus a constant for Poisson):
LogisticRegression(C = 1/lambda) the objective / lambda, Ridge(alpha = lambda) twice it,
PoissonRegressor(alpha = lambda / n) the objective / n plus a constant.

Each fit: one warm-up, then REPEATS timed fits, the median reported; n_iter_ and whether a
ConvergenceWarning was raised come from the last one. Prints one JSON object on stdout.

usage: glm_raw.py FIXTURES_DIR PROBLEM[,PROBLEM...] REPEATS
"""
import json
import math
import os
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, PoissonRegressor, Ridge


def load(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64)
    return np.ascontiguousarray(data[:, :-1]), np.ascontiguousarray(data[:, -1])


def objective(family, regularizer, lam, X, y, coef, intercept):
    eta = X @ coef + intercept
    if family == "logistic":
        loss = np.logaddexp(0.0, eta) - y * eta
    elif family == "normal":
        loss = 0.5 * (eta - y) ** 2
    elif family == "poisson":
        loss = np.exp(eta) - y * eta
    else:
        raise ValueError(family)
    if regularizer == "l2":
        penalty = 0.5 * math.fsum(coef * coef)
    elif regularizer == "l1":
        penalty = math.fsum(np.abs(coef))
    else:
        raise ValueError(regularizer)
    return math.fsum(loss) + lam * penalty


def candidates(problem, n):
    """(estimator name, solver name, factory) for the problem's family and penalty."""
    family, regularizer, lam = problem["family"], problem["regularizer"], problem["lambda"]
    if family == "logistic":
        if regularizer == "l1":
            return [("LogisticRegression", "saga", lambda: LogisticRegression(C=1.0 / lam, penalty="l1", solver="saga"))]
        return [("LogisticRegression", s, (lambda s=s: LogisticRegression(C=1.0 / lam, solver=s)))
                for s in ("lbfgs", "newton-cg", "sag", "saga")]
    if family == "normal" and regularizer == "l2":
        return [("Ridge", s, (lambda s=s: Ridge(alpha=lam, solver=s))) for s in ("auto", "sag")]
    if family == "poisson" and regularizer == "l2":
        return [("PoissonRegressor", s, (lambda s=s: PoissonRegressor(alpha=lam / n, solver=s)))
                for s in ("lbfgs", "newton-cholesky")]
    return []


def n_iter(model):
    it = getattr(model, "n_iter_", None)
    if it is None:
        return None  # Ridge's direct solvers (auto = cholesky here) do not iterate
    return int(np.max(np.asarray(it)))


def fit_once(factory, X, y):
    model = factory()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        model.fit(X, y)
        seconds = time.perf_counter() - t0
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    others = sorted({f"{w.category.__name__}: {str(w.message).splitlines()[0][:120]}" for w in caught
                     if not issubclass(w.category, ConvergenceWarning)})
    return model, seconds, converged, others


def main():
    folder, names, repeats = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3])
    with open(os.path.join(folder, "optima.json")) as fh:
        optima = {p["name"]: p for p in json.load(fh)["problems"]}
    out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "results": []}
    for name in names:
        problem = optima[name]
        X, y = load(os.path.join(folder, problem["dataset"]))
        optimum = problem["objective"]
        for estimator, solver, factory in candidates(problem, X.shape[0]):
            fit_once(factory, X, y)  # warm-up
            runs = [fit_once(factory, X, y) for _ in range(repeats)]
            model, _, converged, others = runs[-1]
            coef = np.asarray(model.coef_, dtype=np.float64).ravel()
            intercept = float(np.asarray(model.intercept_).ravel()[0]) if np.ndim(model.intercept_) else float(model.intercept_)
            value = objective(problem["family"], problem["regularizer"], problem["lambda"], X, y, coef, intercept)
            row = {
                "problem": name,
                "solver": f"sklearn-{solver}",
                "estimator": estimator,
                "seconds": sorted(r[1] for r in runs)[len(runs) // 2],
                "nIter": n_iter(model),
                "converged": converged,
                "objective": value,
                "gap": (value - optimum) / abs(optimum),
            }
            if others:
                row["warnings"] = others
            out["results"].append(row)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
