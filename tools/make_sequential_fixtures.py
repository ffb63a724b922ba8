#!/usr/bin/python3
"""Reference boundaries for stats/sequential.ts (group-sequential, Lan-DeMets O'Brien-Fleming type).

Usage (Debian's python3-scipy lives in the system python):

    /usr/bin/python3 tools/make_sequential_fixtures.py   # rewrites tests/fixtures/sequential_reference.json

An independent computation: stats/sequential.ts integrates the score process recursively on a grid;
this script instead solves each boundary c_k (scipy.optimize.brentq) from the joint distribution
of (Z_1..Z_k), a multivariate normal with Cov(Z_i, Z_j) = sqrt(t_i / t_j), whose central rectangle
probability scipy.stats.multivariate_normal.cdf gives (Genz's algorithm, lower_limit = -upper):

    P(|Z_1| < c_1, ..., |Z_k| < c_k) = 1 - alpha*(t_k),   alpha*(t) = 4 - 4 Phi(z_{1-alpha/4} / sqrt t)

(alpha/2 on each side, each spent by Lan-DeMets' one-sided O'Brien-Fleming function).

It also records the published two-sided alpha = 0.05 Lan-DeMets O'Brien-Fleming boundaries for
K = 2..5 equally spaced looks (as tabulated by, e.g., R's ldbounds / gsDesign with sfLDOF), and
asserts that SciPy's solution reproduces them to the 3 decimals they are printed with.
Genz's algorithm is quasi-Monte Carlo (about 1e-6 of noise in each probability here), so the
solved boundaries are good to about 2e-3 (a smaller alpha, deeper in the tail, is noisier: at alpha = 0.05/6 the
solved c was off by 8e-3, at 0.01 by 6e-3, where the grid integration met its target to 3e-6;
so only alpha = 0.05 is recorded);
tests/stats_sequential.test.ts allows 3e-3, and 5e-4 against the published tables. Takes ~4 min.
"""

import json
import os
import sys

import numpy as np
from scipy import optimize, stats

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(__file__), "..", "tests", "fixtures", "sequential_reference.json")

PUBLISHED = {
    2: [2.963, 1.969],
    3: [3.710, 2.511, 1.993],
    4: [4.333, 2.963, 2.359, 2.014],
    5: [4.877, 3.357, 2.680, 2.290, 2.031],
}


def spend(t, alpha):
    # alpha/2 per side, each with the one-sided Lan-DeMets O'Brien-Fleming function (sfLDOF).
    return 4 * stats.norm.sf(stats.norm.isf(alpha / 4) / np.sqrt(t)) if t < 1 else alpha


def inside(cs, ts):
    """P(|Z_i| < c_i for every i) for the sequential z statistics at fractions ts."""
    k = len(cs)
    if k == 1:
        return 1 - 2 * stats.norm.sf(cs[0])
    cov = np.array([[np.sqrt(min(a, b) / max(a, b)) for b in ts] for a in ts])
    upper = np.array(cs, dtype=float)
    return float(stats.multivariate_normal.cdf(upper, mean=np.zeros(k), cov=cov,
                                               lower_limit=-upper, maxpts=100_000 * k,
                                               abseps=1e-8, releps=0))


def solve(ts, alpha):
    cs = []
    for k, t in enumerate(ts):
        target = 1 - spend(t, alpha)
        if k == 0:
            cs.append(float(stats.norm.isf(spend(t, alpha) / 2)))
            continue
        # Genz's sampler is quasi-random: ~1e-6 of noise in the probability, ~1e-3 in c.
        def f(c):
            return inside(cs + [c], ts[: k + 1]) - target
        cs.append(float(optimize.brentq(f, 0.5, 12, xtol=1e-9)))
    return cs


cases = []
for K in (2, 3, 4, 5):
    ts = [i / K for i in range(1, K + 1)]
    cs = solve(ts, 0.05)
    for got, pub in zip(cs, PUBLISHED[K]):
        assert abs(got - pub) <= 6e-4, (K, cs, PUBLISHED[K])
    cases.append({"name": f"K={K} equally spaced", "alpha": 0.05, "fractions": ts,
                  "boundaries": cs, "published": PUBLISHED[K]})

# Unequal fractions, as an experiment's looks are: 3 seeds, then 2 more at a time, up to 15.
looks = [3, 5, 7, 9, 11, 13, 15]
for alpha in (0.05,):
    ts = [n / 15 for n in looks]
    cases.append({"name": f"seeds {looks} of 15, alpha={alpha:.6g}", "alpha": alpha,
                  "fractions": ts, "boundaries": solve(ts, alpha)})
# A look that stopped short of the maximum and then spent the rest at t = 1.
ts = [0.2, 0.45, 0.6, 1.0]
cases.append({"name": "irregular 0.2, 0.45, 0.6, 1", "alpha": 0.05, "fractions": ts,
              "boundaries": solve(ts, 0.05)})

with open(OUT, "w") as f:
    json.dump({"source": "tools/make_sequential_fixtures.py (scipy.stats.multivariate_normal, "
               "brentq)", "cases": cases}, f, indent=1)
for c in cases:
    print(c["name"], " ".join(f"{x:.4f}" for x in c["boundaries"]))
