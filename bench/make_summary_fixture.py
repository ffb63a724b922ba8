"""Writes tests/fixtures/bench_summary.json: numpy's median, quartiles (default
"linear" percentiles) and extremes of a few samples, the reference for
bench/summary.ts (tests/bench_summary.test.ts).

  /usr/bin/python3 bench/make_summary_fixture.py
"""
import json
import os

import numpy as np

rng = np.random.default_rng(14)
samples = [
    [1.0],
    [2.0, 1.0],
    [0.62, 1.20, 1.13, 0.77, 0.72],
    [3.0, 1.0, 2.0, 10.0],
    [float(x) for x in rng.lognormal(0, 0.3, size=9)],
    [float(x) for x in rng.normal(1, 0.2, size=16)],
]
cases = []
for xs in samples:
    a = np.asarray(xs)
    cases.append({
        "values": xs,
        "median": float(np.median(a)),
        "q1": float(np.percentile(a, 25)),
        "q3": float(np.percentile(a, 75)),
        "min": float(a.min()),
        "max": float(a.max()),
    })
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures",
                   "bench_summary.json")
with open(out, "w") as f:
    json.dump({"numpy": np.__version__, "cases": cases}, f, indent=1)
print(f"wrote {out}")
