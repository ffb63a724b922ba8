#!/usr/bin/python3
"""Reference numbers for lossbench's statistics (stats/), computed with SciPy.

Usage (Debian's python3-scipy lives in the system python):

    /usr/bin/python3 tools/make_stats_fixtures.py   # rewrites tests/fixtures/stats_reference.json

tests/stats_reference.test.ts checks every statistic in stats/ against these at 1e-9 relative.

What each case records, with SciPy doing the statistics:
  describe:  mean (numpy), sample sd (ddof=1), sem, the 95% t-interval (scipy.stats.t.interval),
             min, max; null where SciPy gives NaN (n = 1) and the degenerate interval for zero
             variance.
  compare:   paired on the common seeds (ascending), as stats/compare.ts pairs them, when at least
             two seeds are common; else Welch. Paired: scipy.stats.ttest_rel p, the t-interval of
             the mean difference (t.ppf at df = n-1), and the Wilcoxon signed-rank p on the
             differences. Welch: scipy.stats.ttest_ind(equal_var=False) p and the Welch interval
             (Welch-Satterthwaite df). P(A > B) by counting, ties 1/2.
  holm:      Holm's step-down adjustment written out (SciPy has none), monotone and capped at 1.

Wilcoxon follows scipy.stats.wilcoxon's default (method="auto") as SciPy >= 1.13 defines it:
exact null distribution without ties or zeros (n <= 50); with ties or zeros and n <= 13 the exact
sign-flip permutation test (scipy.stats.permutation_test, all 2^n flips); otherwise the normal
approximation with tie correction, no continuity correction. Debian's SciPy 1.10 still ran the
exact table on tied ranks after truncating R+ (gh-19872), so this script asks 1.10 for each branch
explicitly; run under SciPy >= 1.13 it also asserts that plain wilcoxon(d) agrees.
"""

import json
import math
import os
import sys

import numpy as np
import scipy
import scipy.stats as st

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(__file__), "..", "tests", "fixtures", "stats_reference.json")
MODERN = tuple(int(x) for x in scipy.__version__.split(".")[:2]) >= (1, 13)


def num(x):
    x = float(x)
    return None if math.isnan(x) else x


def describe(xs):
    x = np.asarray(xs, float)
    n = len(x)
    if n == 0:
        return {"n": 0, "mean": None, "sd": None, "se": None, "ci95": None, "min": None, "max": None}
    out = {"n": n, "mean": float(np.mean(x)), "min": float(x.min()), "max": float(x.max())}
    if n == 1:
        out.update(sd=None, se=None, ci95=None)
    elif np.all(x == x[0]):
        out.update(mean=float(x[0]), sd=0.0, se=0.0, ci95=[float(x[0]), float(x[0])])
    else:
        sem = st.sem(x)
        lo, hi = st.t.interval(0.95, n - 1, loc=np.mean(x), scale=sem)
        out.update(sd=float(np.std(x, ddof=1)), se=float(sem), ci95=[float(lo), float(hi)])
    return out


def wilcoxon_stat(d):
    """R+ over the non-zero differences, ranks of |d| among them (zero_method='wilcox')."""
    d = np.asarray(d, float)
    nz = d[d != 0]
    r = st.rankdata(np.abs(nz))
    return float(np.sum(r[nz > 0]))


def wilcoxon_auto(d):
    d = np.asarray(d, float)
    nz = d[d != 0]
    if len(nz) == 0:
        return None
    r = st.rankdata(np.abs(nz))
    ties = len(np.unique(r)) != len(r)
    zeros = int(np.sum(d == 0))
    r_plus = float(np.sum(r[nz > 0]))
    r_minus = float(np.sum(r[nz < 0]))
    if len(d) <= 50 and not ties and zeros == 0:
        method = "exact"
        p = st.wilcoxon(d, method="exact").pvalue
    elif len(d) <= 13:
        method = "permutation"
        p = st.permutation_test((d,), wilcoxon_stat, permutation_type="samples",
                                vectorized=False, n_resamples=9999,
                                alternative="two-sided").pvalue
    else:
        method = "asymptotic"
        p = st.wilcoxon(d, method="approx").pvalue
    if MODERN:
        ref = st.wilcoxon(d).pvalue
        assert math.isclose(p, ref, rel_tol=1e-12), (list(d), p, ref)
    return {"statistic": min(r_plus, r_minus), "rPlus": r_plus, "pValue": float(p),
            "method": method, "nNonZero": int(len(nz)), "zeros": zeros, "ties": bool(ties)}


def improvement(pairs):
    return sum(1.0 if x > y else 0.5 if x == y else 0.0 for x, y in pairs) / len(pairs)


def compare(a, sa, b, sb, paired=True, resolution=None):
    A, B = dict(zip(sa, a)), dict(zip(sb, b))
    common = sorted(set(sa) & set(sb))
    if paired and len(common) >= 2:
        x = np.array([A[s] for s in common])
        y = np.array([B[s] for s in common])
        d = x - y
        if resolution is not None:
            # Whole multiples of the resolution, as the images they count: SciPy then ranks and
            # tests the true differences, not their float rounding.
            d = np.round(d / resolution) * resolution
            k = np.round(d / resolution)
            out = compare_diffs(k, len(a), len(b))
            for key in ("diff", "sdDiff"):
                out[key] *= resolution
            out["ci95"] = [v * resolution for v in out["ci95"]]
            out["resolution"] = resolution
            out["pImprove"] = float(np.mean(np.where(k > 0, 1.0, np.where(k == 0, 0.5, 0.0))))
            return out
        n = len(d)
        out = {"paired": True, "n": n, "nA": len(a), "nB": len(b), "diff": float(np.mean(d)),
               "pImprove": improvement(list(zip(x, y)))}
        if np.all(d == d[0]):
            # SciPy divides by the zero sd: t = ±inf, p = 0 for a constant non-zero difference,
            # NaN for all zeros. Neither is evidence, so stats/ gives null; record SciPy's anyway.
            out.update(diff=float(d[0]), ci95=[float(d[0])] * 2, pT=None,
                       scipyPT=num(st.ttest_rel(x, y).pvalue))
        else:
            h = st.t.ppf(0.975, n - 1) * st.sem(d)
            out.update(ci95=[float(np.mean(d) - h), float(np.mean(d) + h)],
                       pT=float(st.ttest_rel(x, y).pvalue))
        out["wilcoxon"] = wilcoxon_auto(d)
        return out
    x, y = np.asarray(a, float), np.asarray(b, float)
    out = {"paired": False, "n": len(x) + len(y), "nA": len(x), "nB": len(y),
           "diff": float(np.mean(x) - np.mean(y)),
           "pImprove": improvement([(u, v) for u in x for v in y]), "wilcoxon": None}
    if len(x) < 2 or len(y) < 2:
        out.update(ci95=None, pT=None)
    else:
        vx, vy = np.var(x, ddof=1) / len(x), np.var(y, ddof=1) / len(y)
        se = math.sqrt(vx + vy)
        df = (vx + vy) ** 2 / (vx ** 2 / (len(x) - 1) + vy ** 2 / (len(y) - 1))
        h = st.t.ppf(0.975, df) * se
        diff = np.mean(x) - np.mean(y)
        out.update(ci95=[float(diff - h), float(diff + h)],
                   pT=float(st.ttest_ind(x, y, equal_var=False).pvalue))
    return out


def compare_diffs(k, na, nb):
    """Paired statistics of whole-unit differences k (what compare() does after rounding)."""
    n = len(k)
    out = {"paired": True, "n": n, "nA": na, "nB": nb, "diff": float(np.mean(k)),
           "sdDiff": float(np.std(k, ddof=1))}
    if np.all(k == k[0]):
        out.update(diff=float(k[0]), ci95=[float(k[0])] * 2, pT=None)
    else:
        h = st.t.ppf(0.975, n - 1) * st.sem(k)
        out.update(ci95=[float(np.mean(k) - h), float(np.mean(k) + h)],
                   pT=float(st.ttest_1samp(k, 0).pvalue))
    out["wilcoxon"] = wilcoxon_auto(k)
    return out


def holm(ps):
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i])
    out, running = [0.0] * m, 0.0
    for k, i in enumerate(order):
        running = max(running, (m - k) * ps[i])
        out[i] = min(1.0, running)
    return out


def acc(*ks):
    """Accuracies as a 10,000-image test set gives them."""
    return [k / 10000 for k in ks]


S5, S6, S8, S10 = list(range(1, 6)), list(range(1, 7)), list(range(1, 9)), list(range(1, 11))
rng = np.random.default_rng(7)
b20 = [round(float(v), 6) for v in rng.uniform(0.55, 0.65, 20)]
a20 = [round(v + float(e), 6) for v, e in zip(b20, rng.normal(0.004, 0.01, 20))]
b17 = acc(6000, 6100, 6050, 6200, 6150, 6010, 6120, 6080, 6030, 6170, 6090, 6110, 6060, 6140,
          6020, 6130, 6040)
d17 = [0, 0, 10, -10, 20, 20, 30, -40, 50, 60, 70, -80, 90, 100, 110, 120, 130]
a17 = [(v * 10000 + e) / 10000 for v, e in zip(b17, d17)]

compare_cases = {
    "ordinary n=5": (acc(6123, 6234, 6011, 6342, 6190), S5,
                     acc(6101, 6188, 6050, 6270, 6120), S5),
    "ties n=8": ([0.5, 0.75, 0.625, 0.5, 0.875, 0.25, 0.5, 0.375], S8,
                 [0.25, 0.5, 0.5, 0.75, 0.625, 0.5, 0.375, 0.25], S8),
    "zeros n=8": ([0.5, 0.75, 0.625, 0.5, 0.875, 0.25, 0.5, 0.375], S8,
                  [0.5, 0.5, 0.5, 0.75, 0.875, 0.5, 0.25, 0.25], S8),
    "float near-ties n=7": (acc(6123, 6223, 6323, 6050, 6150, 6400, 6077), S5 + [6, 7],
                            acc(6100, 6200, 6300, 6000, 6100, 6300, 6100), S5 + [6, 7]),
    "n=2": (acc(6200, 6300), [1, 2], acc(6100, 6250), [1, 2]),
    "n=6 exact": (acc(6123, 6234, 6011, 6342, 6190, 6288), S6,
                  acc(6001, 6150, 6050, 6222, 6111, 6171), S6),
    "n=10 exact": (acc(6123, 6234, 6011, 6342, 6190, 6288, 6050, 6177, 6219, 6102), S10,
                   acc(6001, 6250, 6043, 6222, 6111, 6171, 6062, 6100, 6300, 6055), S10),
    "n=20 exact": (a20, list(range(1, 21)), b20, list(range(1, 21))),
    "ties and zeros n=17 (normal approximation)": (a17, list(range(1, 18)), b17,
                                                   list(range(1, 18))),
    "losses n=6": ([1.0523, 1.1011, 0.9987, 1.0745, 1.0333, 1.0600], S6,
                   [1.0811, 1.0902, 1.0421, 1.1123, 1.0530, 1.0702], S6),
    "zero variance, identical differences": ([0.5625, 0.3125, 0.8125, 0.1875], [1, 2, 3, 4],
                                             [0.5, 0.25, 0.75, 0.125], [1, 2, 3, 4]),
    "zero variance, all differences zero": ([0.5, 0.25, 0.75], [1, 2, 3],
                                            [0.5, 0.25, 0.75], [1, 2, 3]),
    "unequal n, disjoint seeds (Welch)": (acc(6123, 6234, 6011, 6342, 6190), S5,
                                          acc(6001, 6150, 6080), [11, 12, 13]),
    "paired: false (Welch)": (acc(6123, 6234, 6011, 6342, 6190), S5,
                              acc(6101, 6188, 6050, 6270, 6120), S5, False),
    "partial overlap (pairs on 4 common seeds)": (acc(6123, 6234, 6011, 6342, 6190, 6288), S6,
                                                  acc(6050, 6222, 6111, 6171, 6300, 6000),
                                                  [3, 4, 5, 6, 7, 8]),
    "Welch with one constant cell": (acc(6100, 6100, 6100), [1, 2, 3],
                                     acc(6123, 6234, 6011, 6342), [4, 5, 6, 7]),
    "Welch with n=1 in A": (acc(6100), [1], acc(6123, 6234, 6011), [4, 5, 6]),
}

# The counter-examples, on a 10,000-image test set (resolution 1e-4).
near_a = acc(6004, 6005, 6006, 5995, 5996, 5997, 6300, 6400)
near_b = acc(5999, 6000, 6001, 6000, 6001, 6002, 6290, 6388)
plus1_a = acc(6001, 6101, 6201, 6301, 6004, 6501)
plus1_b = acc(6000, 6100, 6200, 6300, 6003, 6500)
# A paired t p just under 0.05 (0.0499..0.05), found by a fixed search: the rounding boundary.
bnd_b = acc(6000, 6100, 6050, 6200, 6150, 6010, 6120, 6080)
bnd = None
for extra in range(0, 400):
    k = np.array([30, 10, 25, 5, 40, -20, 15, extra])
    p = st.ttest_1samp(k, 0).pvalue
    if 0.0499 <= p < 0.05:
        bnd = k
        break
assert bnd is not None
bnd_a = [(v * 10000 + e) / 10000 for v, e in zip(bnd_b, bnd)]
rng60 = np.random.default_rng(60)
b60 = [int(v) for v in rng60.integers(5800, 6200, 60)]
k60 = [int(v) for v in rng60.permutation(np.arange(1, 61)) * rng60.choice([-1, 1], 60)]
k60 = [v + 12 if v > 0 else v for v in k60]  # a shift, no ties or zeros
k60 = list(dict.fromkeys(k60))
compare_cases.update({
    "near-tie, rounded to the resolution (issue: true p 0.391)": (near_a, S8, near_b, S8, True, 1e-4),
    "constant +1 image on 6 seeds, rounded to the resolution": (plus1_a, S6, plus1_b, S6, True, 1e-4),
    "zeros without ties n=15 (normal approximation)": (acc(*[6000 + k for k in range(15)]),
                                                       list(range(1, 16)), acc(*[6000] * 15),
                                                       list(range(1, 16)), True, 1e-4),
    "no ties n=60 > 50 (normal approximation)": (acc(*[b + k for b, k in zip(b60, k60)]),
                                                 list(range(1, len(k60) + 1)),
                                                 acc(*b60[:len(k60)]),
                                                 list(range(1, len(k60) + 1)), True, 1e-4),
    "p just under 0.05 (the rounding boundary)": (bnd_a, S8, bnd_b, S8, True, 1e-4),
})

describe_cases = {
    "ordinary n=5": acc(6123, 6234, 6011, 6342, 6190),
    "n=2": acc(6200, 6300),
    "n=1": [0.61],
    "n=0": [],
    "zero variance": [0.6125] * 4,
    "ties n=10": acc(6100, 6100, 6200, 6200, 6200, 6050, 6300, 6300, 6150, 6100),
    "losses n=20": [round(float(v), 6) for v in rng.uniform(0.9, 1.3, 20)],
}

holm_cases = {
    "mixed": [0.01, 0.04, 0.03, 0.005, 0.5, 0.2],
    "capped at 1": [0.4, 0.6, 0.9, 0.02],
    "tied p": [0.02, 0.02, 0.02, 0.001],
    "single": [0.03],
}

fixture = {
    "scipy": scipy.__version__,
    "statsmodels": __import__("statsmodels").__version__,
    "describe": [{"name": k, "values": v, "expected": describe(v)}
                 for k, v in describe_cases.items()],
    "compare": [],
    "holm": [{"name": k, "p": v, "expected": holm(v)} for k, v in holm_cases.items()],
}
for name, case in compare_cases.items():
    a, sa, b, sb = case[:4]
    paired = case[4] if len(case) > 4 else True
    res = case[5] if len(case) > 5 else None
    entry = {"name": name, "a": {"values": a, "seeds": sa}, "b": {"values": b, "seeds": sb},
             "paired": paired, "expected": compare(a, sa, b, sb, paired, res)}
    if res is not None:
        entry["resolution"] = res
    fixture["compare"].append(entry)

# Equivalence (TOST) and power, from statsmodels.
from statsmodels.stats.weightstats import ttost_paired, ttost_ind  # noqa: E402
from statsmodels.stats.power import TTestPower  # noqa: E402

tost_cases = {
    "paired, inside ±δ": (acc(6123, 6234, 6011, 6342, 6190, 6288), acc(6101, 6250, 6020, 6330, 6170, 6300), 0.005),
    "paired, clean CE vs focal-like": (acc(5671, 5702, 5650, 5733, 5601, 5690, 5711, 5644, 5720, 5688),
                                       acc(5610, 5655, 5660, 5650, 5590, 5600, 5680, 5600, 5630, 5640), 0.005),
    "paired, far outside": (acc(6500, 6550, 6490, 6600), acc(6000, 6010, 5990, 6050), 0.005),
}
fixture["tost"] = []
for name, (x, y, delta) in tost_cases.items():
    p, lo, hi = ttost_paired(np.array(x), np.array(y), -delta, delta)
    d = np.array(x) - np.array(y)
    fixture["tost"].append({"name": name, "diff": float(np.mean(d)), "se": float(st.sem(d)),
                            "df": len(d) - 1, "delta": delta, "pValue": float(p),
                            "pLow": float(lo[1]), "pHigh": float(hi[1])})
power = TTestPower()
fixture["power"] = []
for es, n, alpha, alt in [(0.5, 10, 0.05, "two-sided"), (0.61, 10, 0.05 / 6, "two-sided"),
                          (1.2, 3, 0.05, "two-sided"), (0.3, 40, 0.01, "larger"),
                          (0.8, 5, 0.05 / 3, "larger"), (2.0, 4, 0.0083, "two-sided"),
                          # noncentrality past 30 (n = 2): where series for the noncentral t underflow
                          (60.0, 2, 0.05 / 15, "two-sided"), (25.0, 3, 0.05 / 6, "larger")]:
    fixture["power"].append({"es": es, "n": n, "alpha": alpha, "alternative": alt,
                             "power": float(power.power(es, n, alpha, alternative=alt))})
fixture["solve"] = []
for n, es, alpha, alt in [(10, 0.61, 0.05 / 6, "two-sided"), (3, 1.0, 0.05 / 6, "two-sided"),
                          (10, 0.5, 0.05, "larger"), (5, 0.9, 0.05, "two-sided"),
                          (2, 1.0, 0.05 / 15, "two-sided")]:
    fixture["solve"].append({
        "n": n, "es": es, "alpha": alpha, "alternative": alt,
        "effect": float(power.solve_power(nobs=n, alpha=alpha, power=0.8, alternative=alt)),
        "nobs": float(power.solve_power(effect_size=es, alpha=alpha, power=0.8, alternative=alt)),
    })

with open(OUT, "w") as f:
    json.dump(fixture, f, indent=1, allow_nan=False)
    f.write("\n")
print(f"wrote {OUT} (SciPy {scipy.__version__})")
