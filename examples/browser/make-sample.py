"""Writes sample.csv, the demo's data: 2,000 shoppers with four raw (unscaled) features, whether
they bought (0/1, logistic in the features) and how many items (Poisson). Deterministic (seed 7).

    python3 examples/browser/make-sample.py
"""
import math
import os
import random

random.seed(7)
lines = ["income,age,debt_ratio,visits,bought,items"]
for i in range(2000):
    income = round(random.lognormvariate(10.6, 0.45), 2)
    age = random.randint(18, 80)
    debt = round(random.betavariate(2, 5), 4)
    visits = random.randint(0, 30)
    eta = -4.0 + 0.00004 * income - 0.02 * (age - 45) - 3.0 * debt + 0.18 * visits
    p = 1 / (1 + math.exp(-eta))
    bought = 1 if random.random() < p else 0
    lam = math.exp(-1.0 + 0.000015 * income + 0.05 * visits - 1.0 * debt)
    k, s, u = 0, math.exp(-lam), random.random()  # a Poisson draw by inversion
    acc = s
    while u > acc:
        k += 1
        s *= lam / k
        acc += s
    lines.append(f"{income},{age},{debt},{visits},{bought},{k}")
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "sample.csv"), "w") as f:
    f.write("\n".join(lines) + "\n")
