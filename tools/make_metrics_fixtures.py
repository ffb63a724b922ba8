#!/usr/bin/python3
"""Reference numbers for the study's per-epoch metrics and the imbalance profile,
and for the metrics computed from predictions (NLL, Brier score).

Usage:

    /usr/bin/python3 tools/make_metrics_fixtures.py
    # rewrites tests/fixtures/reference_prediction_metrics.json (needs torch, python3-torch)
    # and tests/fixtures/reference_study_metrics.json (needs sklearn, python3-sklearn;
    # skipped, saying so, where sklearn is missing)

Deterministic: fixed numpy seeds.

What it records in reference_prediction_metrics.json, for tests/metrics_predictions.test.ts:

  - "cases": float32 logits (n × K) and labels, each with PyTorch's negative
    log-likelihood F.cross_entropy(logits.double(), labels) (the mean of −log p_y,
    in nats) and the Brier score, the mean over samples of Σ_k (p_k − y_k)² summed
    over the K classes (Brier 1950's multi-class form), with p = softmax in float64.
    One case has margins so large that float32's softmax rounds p_y to 0.

What it records, for tests/metrics_study.test.ts and tests/conditions_imbalance.test.ts:

  - "cases": fixed (labels, preds, confidence, correct) sets, each with sklearn's
    confusion matrix (labels=range(K)), balanced_accuracy_score,
    the worst per-class recall over classes present in the labels, and
    precision_recall_fscore_support(labels=range(K), zero_division=0); and the
    expected calibration error with 15 equal-width bins as in Guo et al. 2017's
    code (bins (lo, hi] from np.linspace(0, 1, 16)), with per-bin count, mean
    confidence and accuracy. One case has a class only ever predicted, one never
    predicted, and confidences exactly on bin edges.
  - "imbalance_exp": ⌊n_max · ρ^(−i/(K−1))⌋ computed exactly (Python's Decimal at
    60 digits), so float rounding in the TS code shows up as a mismatch.
"""

import json
import os
import sys
import warnings
from decimal import Decimal, getcontext

import numpy as np

try:
    import sklearn
    from sklearn.metrics import (
        balanced_accuracy_score,
        confusion_matrix,
        precision_recall_fscore_support,
        recall_score,
    )
except ImportError:
    sklearn = None

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures")
OUT = os.path.join(FIXTURES, "reference_study_metrics.json")
OUT_PREDICTIONS = os.path.join(FIXTURES, "reference_prediction_metrics.json")
BINS = 15


def ece_guo(confidences, correct, n_bins=BINS):
    """Guo et al. 2017's ECE (as in their temperature-scaling code), in numpy."""
    edges = np.linspace(0, 1, n_bins + 1)
    ece = 0.0
    count, conf, acc = [], [], []
    for lo, hi in zip(edges[:-1], edges[1:]):
        in_bin = (confidences > lo) & (confidences <= hi)
        prop = in_bin.mean()
        count.append(int(in_bin.sum()))
        if in_bin.sum() > 0:
            a = correct[in_bin].mean()
            c = confidences[in_bin].mean()
            ece += abs(c - a) * prop
            conf.append(float(c))
            acc.append(float(a))
        else:
            conf.append(0.0)
            acc.append(0.0)
    return float(ece), count, conf, acc, [float(e) for e in edges]


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def case(name, k, labels, preds, confidence):
    labels = np.asarray(labels, dtype=np.int64)
    preds = np.asarray(preds, dtype=np.int64)
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = (labels == preds).astype(np.float64)
    present = sorted(set(labels.tolist()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # classes only predicted: sklearn warns, then drops them
        bal = balanced_accuracy_score(labels, preds)
    recall_present = recall_score(labels, preds, labels=present, average=None, zero_division=0)
    p, r, f, _ = precision_recall_fscore_support(
        labels, preds, labels=list(range(k)), zero_division=0
    )
    ece, count, conf, acc, edges = ece_guo(confidence, correct)
    return {
        "name": name,
        "classes": k,
        "labels": labels.tolist(),
        "preds": preds.tolist(),
        "confidence": confidence.tolist(),
        "correct": correct.astype(int).tolist(),
        "confusion": confusion_matrix(labels, preds, labels=list(range(k))).tolist(),
        "balanced_accuracy": float(bal),
        "worst_class_accuracy": float(recall_present.min()),
        "precision": p.tolist(),
        "recall": r.tolist(),
        "f1": f.tolist(),
        "ece": ece,
        "bin_edges": edges,
        "bin_count": count,
        "bin_confidence": conf,
        "bin_accuracy": acc,
    }


def prediction_case(name, logits, labels):
    """NLL and Brier score of float32 logits, by PyTorch in float64."""
    import torch
    import torch.nn.functional as F

    z = torch.tensor(np.asarray(logits, dtype=np.float32)).double()
    y = torch.tensor(np.asarray(labels, dtype=np.int64))
    p = torch.softmax(z, dim=1)
    onehot = F.one_hot(y, z.shape[1]).double()
    return {
        "name": name,
        "classes": int(z.shape[1]),
        # float32 values, written exactly (a float32 is a float64 with a short mantissa).
        "logits": [float(v) for v in np.asarray(logits, dtype=np.float32).reshape(-1)],
        "labels": y.tolist(),
        "nll": F.cross_entropy(z, y).item(),
        "brier": ((p - onehot) ** 2).sum(dim=1).mean().item(),
        # What float32 softmax would say for p_y (shows where float64 matters).
        "min_p_label_float32": float(torch.softmax(z.float(), 1)[torch.arange(len(y)), y].min()),
    }


def main_predictions():
    import torch

    rng = np.random.default_rng(20261203)
    cases = []
    n, k = 257, 10  # not a multiple of the test's batch sizes
    labels = rng.integers(0, k, n)
    logits = rng.normal(0, 2.0, (n, k)).astype(np.float32)
    logits[np.arange(n), labels] += rng.uniform(-1, 5, n).astype(np.float32)
    cases.append(prediction_case("random10", logits, labels))
    # Confidently wrong and confidently right: float32 softmax rounds p_y to 0 on
    # the wrong ones, float64 log-softmax keeps −log p_y finite (about 160 nats).
    z = np.zeros((6, 3), dtype=np.float32)
    z[:, 0] = [80, -80, 80, 0, 30, 1e-3]
    z[:, 1] = [-80, 80, 0, 0, -30, 0]
    cases.append(prediction_case("extreme", z, [1, 1, 0, 2, 0, 2]))
    # All logits equal: NLL log K, Brier 1 − 1/K.
    cases.append(prediction_case("uniform", np.zeros((4, 5), dtype=np.float32), [0, 1, 2, 4]))
    cases.append(prediction_case("one", np.array([[0.5, -1.25]], dtype=np.float32), [1]))
    out = {
        "generator": "tools/make_metrics_fixtures.py",
        "torch": torch.__version__,
        "numpy": np.__version__,
        "cases": cases,
    }
    with open(OUT_PREDICTIONS, "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")
    print(f"wrote {os.path.relpath(OUT_PREDICTIONS)}")


def main():
    main_predictions()
    if sklearn is None:
        print("make_metrics_fixtures: skipped reference_study_metrics.json: needs sklearn "
              "(apt-get install -y python3-sklearn)", file=sys.stderr)
        return
    rng = np.random.default_rng(20240607)
    cases = []

    # A trained-looking 10-class set: logits lean toward the label.
    n, k = 3000, 10
    labels = rng.integers(0, k, n)
    logits = rng.normal(0, 1.5, (n, k))
    logits[np.arange(n), labels] += rng.uniform(0, 4, n)
    probs = softmax(logits)
    cases.append(case("random10", k, labels, probs.argmax(1), probs.max(1)))

    # Class 5 is never a label (only predicted), class 4 is never predicted, class 6
    # is in neither; some confidences sit exactly on bin edges, one is exactly 1.
    k = 7
    # 0.7333333333333334, one ulp above edges[11], is in bin 11 although
    # ceil(p · 15) − 1 says 10: binning by arithmetic alone would get it wrong.
    labels = [0, 0, 0, 1, 1, 2, 2, 3, 3, 3, 3, 1, 0, 2, 3, 4, 4, 1, 0, 3]
    preds = [0, 1, 0, 1, 5, 0, 3, 3, 3, 1, 5, 1, 0, 0, 3, 0, 2, 5, 0, 1]
    edges = np.linspace(0, 1, BINS + 1)
    conf = [edges[1], edges[2], edges[7], edges[8], 1.0, 0.3, 0.5, 0.55, 0.99, 0.2,
            edges[14], 0.71, 0.42, 0.15, edges[3], 0.9, 0.61, 0.35,
            np.nextafter(edges[11], 2), edges[11]]
    cases.append(case("edges", k, labels, preds, conf))

    # Perfectly calibrated bins would give 0; a tiny set checks the weighting by |B|.
    cases.append(case("small", 3, [0, 1, 2, 2], [0, 2, 2, 1], [0.9, 0.4, 0.8, 0.6]))

    getcontext().prec = 60
    imbalance = []
    for n_max, rho, kk in [(5000, 100, 10), (5000, 10, 10), (5000, 50, 10), (500, 100, 10),
                           (1000, 8, 4), (600, 100, 3), (4321, 7.5, 6), (5000, 200, 10),
                           (100, 1, 5), (5000, 100, 100),
                           (5000, 32, 6), (16, 32, 6)]:
        counts = [int((Decimal(n_max) * Decimal(rho) ** (Decimal(-i) / Decimal(kk - 1)))
                      .to_integral_value(rounding="ROUND_FLOOR")) for i in range(kk)]
        imbalance.append({"n_max": n_max, "ratio": rho, "classes": kk, "counts": counts})

    out = {
        "generator": "tools/make_metrics_fixtures.py",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "bins": BINS,
        "cases": cases,
        "imbalance_exp": imbalance,
    }
    with open(OUT, "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")
    print(f"wrote {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
