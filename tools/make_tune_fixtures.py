#!/usr/bin/python3
"""Reference numbers for the tuning stage (ml/tune/sampler.ts, stats/expected_max.ts).

Usage (Debian's python3-scipy lives in the system python):

    /usr/bin/python3 tools/make_tune_fixtures.py   # rewrites tests/fixtures/tune_reference.json

- Sobol and Halton: SciPy's unscrambled sequences (scipy.stats.qmc, Joe-Kuo direction numbers),
  the first 64 points in 12 dimensions; lossbench adds only a seeded shift modulo 1 on top.
- Expected best validation score over n trials (Dodge et al., EMNLP 2019, "Show your work"): for
  small N, the mean and sd of max(v_i1..v_in) over every one of the N^n draws with replacement,
  enumerated with itertools (no formula); for a 12-trial vector, the closed form
  E = sum_i v_(i) [(i/N)^n - ((i-1)/N)^n] evaluated in NumPy float64, the variance likewise from
  E[max^2]. Ties in v are kept (the empirical CDF treats them as one value twice).
"""
import itertools
import json
import pathlib

import numpy as np
from scipy.stats import qmc


def enumerate_max(v, n):
    maxes = np.array([max(c) for c in itertools.product(v, repeat=n)], dtype=np.float64)
    return float(maxes.mean()), float(np.sqrt(maxes.var()))


def closed_form(v, n):
    s = np.sort(np.asarray(v, dtype=np.float64))
    N = len(s)
    i = np.arange(1, N + 1)
    w = (i / N) ** n - ((i - 1) / N) ** n
    mean = float(np.dot(w, s))
    second = float(np.dot(w, s * s))
    return mean, float(np.sqrt(max(0.0, second - mean * mean)))


def main():
    out = {
        "sobol": qmc.Sobol(d=12, scramble=False).random(64).tolist(),
        "halton": qmc.Halton(d=12, scramble=False).random(64).tolist(),
        "expectedMax": [],
    }
    small = [
        [0.61, 0.55, 0.72, 0.55, 0.40],
        [0.1, 0.3, 0.2],
        [0.5],
        [2.5, 1.25, 2.5, 0.75],
    ]
    for v in small:
        rows = [enumerate_max(v, n) for n in range(1, len(v) + 1)]
        out["expectedMax"].append({
            "values": v,
            "method": "enumeration",
            "mean": [r[0] for r in rows],
            "sd": [r[1] for r in rows],
        })
    rng = np.random.default_rng(19)
    v = np.round(rng.uniform(0.1, 0.8, size=12), 4).tolist()
    rows = [closed_form(v, n) for n in range(1, 13)]
    out["expectedMax"].append({
        "values": v,
        "method": "closed form (NumPy)",
        "mean": [r[0] for r in rows],
        "sd": [r[1] for r in rows],
    })
    # The closed form agrees with enumeration where both run (a check of this script).
    for case in out["expectedMax"][:4]:
        for n in range(1, len(case["values"]) + 1):
            m, s = closed_form(case["values"], n)
            assert abs(m - case["mean"][n - 1]) < 1e-12 and abs(s - case["sd"][n - 1]) < 1e-9
    path = pathlib.Path(__file__).resolve().parent.parent / "tests/fixtures/tune_reference.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
