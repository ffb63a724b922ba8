#!/usr/bin/python3
"""Reference numbers for stats/friedman.ts and stats/improvement.ts (comparisons across conditions).

Usage (Debian's python3-scipy and python3-statsmodels live in the system python):

    /usr/bin/python3 tools/make_across_fixtures.py   # rewrites tests/fixtures/across_reference.json

What each case records:
  friedman:    scores[N conditions][k losses], higher better. Mean ranks from scipy.stats.rankdata on
               the negated scores (1 = best, ties averaged); chi2 and p from
               scipy.stats.friedmanchisquare (tie-corrected); Iman-Davenport
               F = (N-1) chi2 / (N(k-1) - chi2) with p from scipy.stats.f.sf; Nemenyi's CD with
               q = scipy.stats.studentized_range.ppf(1 - alpha, k, inf) / sqrt(2); the pairs' z
               tests (scipy.stats.norm) Holm-adjusted by statsmodels.stats.multitest.multipletests.
  q:           q_alpha for k = 2..10 at alpha 0.05 and 0.10, with Demsar's (2006) printed table.
  improvement: rliable's probability of improvement: per condition scipy.stats.mannwhitneyu(x, y)
               U / (|x| |y|), averaged; and a 20,000-rep stratified bootstrap percentile interval
               (numpy), to which the JS bootstrap (its own generator) must come within Monte Carlo
               error.
"""

import json
import os
import sys

import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(__file__), "..", "tests", "fixtures", "across_reference.json")
rng = np.random.default_rng(20061)

DEMSAR_Q05 = [1.960, 2.343, 2.569, 2.728, 2.850, 2.949, 3.031, 3.102, 3.164]
DEMSAR_Q10 = [1.645, 2.052, 2.291, 2.459, 2.589, 2.693, 2.780, 2.855, 2.920]


def qalpha(k, alpha):
    return float(stats.studentized_range.ppf(1 - alpha, k, np.inf) / np.sqrt(2))


q = {"0.05": [qalpha(k, 0.05) for k in range(2, 11)],
     "0.1": [qalpha(k, 0.10) for k in range(2, 11)]}
for got, pub in zip(q["0.05"], DEMSAR_Q05):
    assert abs(got - pub) < 1e-3, (got, pub)  # the table truncates (2.3437 -> 2.343)
for got, pub in zip(q["0.1"], DEMSAR_Q10):
    assert abs(got - pub) < 1e-3, (got, pub)  # the table truncates (2.3437 -> 2.343)


def friedman_case(name, scores, alpha=0.05):
    s = np.array(scores, dtype=float)
    n, k = s.shape
    ranks = np.array([stats.rankdata(-row) for row in s])
    mean_ranks = ranks.mean(axis=0)
    chi2, p = stats.friedmanchisquare(*[s[:, j] for j in range(k)])
    denom = n * (k - 1) - chi2
    f = (n - 1) * chi2 / denom if denom > 1e-12 else None
    pf = float(stats.f.sf(f, k - 1, (k - 1) * (n - 1))) if f is not None else 0.0
    cd = qalpha(k, alpha) * np.sqrt(k * (k + 1) / (6 * n))
    se = np.sqrt(k * (k + 1) / (6 * n))
    pairs = [(a, b) for a in range(k) for b in range(a + 1, k)]
    z = [(mean_ranks[a] - mean_ranks[b]) / se for a, b in pairs]
    ps = [float(2 * stats.norm.sf(abs(x))) for x in z]
    holm = multipletests(ps, method="holm")[1]
    return {"name": name, "scores": s.tolist(), "alpha": alpha, "meanRanks": mean_ranks.tolist(),
            "chi2": float(chi2), "p": float(p), "f": None if f is None else float(f), "pF": pf,
            "cd": float(cd),
            "pairs": [{"a": a, "b": b, "z": float(zz), "p": pp, "pHolm": float(h)}
                      for (a, b), zz, pp, h in zip(pairs, z, ps, holm)]}


friedman = [
    friedman_case("4 losses x 3 conditions", rng.normal(0.6, 0.05, (3, 4)).round(4)),
    friedman_case("5 losses x 8 conditions", rng.normal(0.6, 0.05, (8, 5)).round(4)),
    friedman_case("3 losses x 10 conditions, a clear order",
                  (np.array([0.70, 0.65, 0.60]) + rng.normal(0, 0.02, (10, 3))).round(4)),
    friedman_case("ties within conditions", [[0.5, 0.5, 0.4, 0.6], [0.3, 0.3, 0.3, 0.2],
                                             [0.7, 0.6, 0.6, 0.6], [0.5, 0.4, 0.5, 0.5]]),
    friedman_case("alpha 0.10, 6 losses x 4 conditions", rng.normal(0.5, 0.1, (4, 6)).round(3),
                  alpha=0.10),
]


def boot(x, y, reps=20000):
    vals = np.empty(reps)
    for r in range(reps):
        tot = 0.0
        for xs, ys in zip(x, y):
            xb = rng.choice(xs, len(xs), replace=True)
            yb = rng.choice(ys, len(ys), replace=True)
            tot += (xb[:, None] > yb[None, :]).mean() + 0.5 * (xb[:, None] == yb[None, :]).mean()
        vals[r] = tot / len(x)
    return [float(np.percentile(vals, 2.5)), float(np.percentile(vals, 97.5))]


def improvement_case(name, x, y):
    per = [stats.mannwhitneyu(xs, ys).statistic / (len(xs) * len(ys)) for xs, ys in zip(x, y)]
    return {"name": name, "x": [list(map(float, a)) for a in x], "y": [list(map(float, b)) for b in y],
            "p": float(np.mean(per)), "ci95": boot(x, y)}


improvement = [
    improvement_case("3 conditions x 5 seeds, X ahead",
                     [rng.normal(0.62, 0.01, 5).round(4) for _ in range(3)],
                     [rng.normal(0.60, 0.01, 5).round(4) for _ in range(3)]),
    improvement_case("2 conditions, unequal seeds, ties",
                     [[0.5, 0.52, 0.5, 0.51], [0.3, 0.31, 0.33]],
                     [[0.5, 0.5, 0.49], [0.31, 0.31, 0.3, 0.35, 0.29]]),
]

with open(OUT, "w") as f:
    json.dump({"source": "tools/make_across_fixtures.py (scipy, statsmodels)", "q": q,
               "demsarQ05": DEMSAR_Q05, "demsarQ10": DEMSAR_Q10, "friedman": friedman,
               "improvement": improvement}, f, indent=1)
print(json.dumps({"q05": q["0.05"]}, indent=None))
for c in friedman:
    print(c["name"], c["chi2"], c["p"], c["f"], c["pF"], c["cd"])
for c in improvement:
    print(c["name"], c["p"], c["ci95"])
