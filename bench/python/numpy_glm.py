"""NumPy's logistic loss and gradient, the reference for weft's fused kernel: X @ w, the
sigmoid, the loss, and X.T @ (mu - y), on the same sizes as `weft bench kernels` (64 MiB of X).
Prints GB/s of X read per p (median of 9 runs after 3 warm-up runs). Not yet wired into the
suite (the overhead-report issue does that); run by hand:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 python3 bench/python/numpy_glm.py
"""
import time

import numpy as np

for p in [16, 64, 100, 256, 1024]:
    n = (8 << 20) // p
    X = np.sin(np.arange(n * p, dtype=np.float64)).reshape(n, p)
    w = np.full(p, 0.3 / np.sqrt(p))
    y = (np.arange(n) % 3 == 0).astype(np.float64)

    def loss_and_gradient():
        eta = X @ w
        mu = 1 / (1 + np.exp(-eta))
        loss = np.sum(np.logaddexp(0, eta) - y * eta)
        return loss, X.T @ (mu - y)

    for _ in range(3):
        loss_and_gradient()
    times = []
    for _ in range(9):
        t0 = time.perf_counter()
        loss_and_gradient()
        times.append(time.perf_counter() - t0)
    t = sorted(times)[4]
    print(f"p={p}: {8 * n * (p + 1) / t / 1e9:.1f} GB/s")
