"""The spec's synthetic problem (docs/specs/synthetic-data.md), rebuilt with NumPy's uint64
arithmetic, chunk by chunk: the data weft's benchmarks make with array.random.logisticProblem,
value for value, for the Python references that must run on the same numbers.
"""
import numpy as np

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
