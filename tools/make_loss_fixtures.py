#!/usr/bin/python3
"""Reference values and gradients for lossbench's loss plug-ins, computed with PyTorch.

Usage (Debian's torch lives in the system python, not a pyenv one):

    /usr/bin/python3 tools/make_loss_fixtures.py    # rewrites tests/fixtures/reference_losses.json

Deterministic: same torch version, same bytes. tests/losses_reference.test.ts checks
ml/losses/ against it.

Each loss is written here from its paper (and the authors' reference code where the paper
leaves a choice), in float64 on float32-representable logits, independently of the
TypeScript: torch built-ins where PyTorch has the loss (cross_entropy with
label_smoothing or weight, L1Loss), autograd for d loss / d logits. All are means over
the batch.

Cases: "b8k10" (8×10, exp-like train counts with an empty class that the batch does not
use), "b5k3" (5×3, an empty class that the batch does use: it pins the weight-0 and
count-floor choices) and "b6k4_sharp" (6×4, logits ×5, so some samples are confident).

Layout: {"torch": version, "cases": {name: {"logits": {"shape", "data"}, "labels",
"trainCounts"}}, "results": [{"case", "loss", "params", "value", "grad"}]}, with
"grad" row-major like "logits.data".
"""

import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "reference_losses.json"
)
RCE_A = -4.0  # log 0 in reverse CE (Wang et al. 2019; Ma et al. 2020)


# --- The losses, from the papers ----------------------------------------------------


def ce(z, y, counts):
    return F.cross_entropy(z, y)


def l1(z, y, counts):
    # The report's: nn.L1Loss() between softmax and one-hot (mean over batch × classes).
    return nn.L1Loss()(F.softmax(z, dim=1), F.one_hot(y, z.shape[1]).to(z.dtype))


def mae(z, y, counts):
    # Ghosh et al. 2017: ||e_y - p||_1 = 2 (1 - p_y).
    p_y = F.softmax(z, dim=1).gather(1, y[:, None])[:, 0]
    return (2 * (1 - p_y)).mean()


def focal_terms(z, y, gamma):
    # The report's FocalLoss: p_t = exp(-ce), (1 - p_t)^gamma * ce. (The TS floors
    # 1 - p_t at 1e-12; check_floor below makes sure that never acts on these cases.)
    ce_i = F.cross_entropy(z, y, reduction="none")
    pt = torch.exp(-ce_i)
    return (1 - pt) ** gamma * ce_i


def focal(z, y, counts, gamma):
    return focal_terms(z, y, gamma).mean()


def label_smoothing(z, y, counts, epsilon):
    return F.cross_entropy(z, y, label_smoothing=epsilon)


def gce(z, y, counts, q):
    # Zhang & Sabuncu 2018: (1 - p_y^q) / q.
    p_y = F.softmax(z, dim=1).gather(1, y[:, None])[:, 0]
    return ((1 - p_y**q) / q).mean()


def rce_terms(z, y):
    # -sum_k p_k log q_k, q the one-hot, log 0 := A.
    log_q = torch.full_like(z, RCE_A).scatter(1, y[:, None], 0.0)
    return -(F.softmax(z, dim=1) * log_q).sum(1)


def sce(z, y, counts, alpha, beta):
    # Wang et al. 2019: alpha CE + beta RCE.
    return (alpha * F.cross_entropy(z, y, reduction="none") + beta * rce_terms(z, y)).mean()


def nce_rce(z, y, counts, alpha, beta):
    # Ma et al. 2020: NCE = -log p_y / sum_k -log p_k.
    logp = F.log_softmax(z, dim=1)
    nce = -logp.gather(1, y[:, None])[:, 0] / (-logp.sum(1))
    return (alpha * nce + beta * rce_terms(z, y)).mean()


def cb_weights(counts, beta):
    # Cui et al. 2019: (1 - beta) / (1 - beta^n_c); empty classes 0; the rest scaled to
    # sum to the number of present classes (see ml/losses/counts.ts for why).
    raw = [(1 - beta) / (1 - beta**n) if n > 0 else 0.0 for n in counts]
    present = sum(1 for n in counts if n > 0)
    return torch.tensor([w * present / sum(raw) for w in raw], dtype=torch.float64)


def cb_ce(z, y, counts, beta):
    # w_y * ce_i, mean over the batch (not nn.CrossEntropyLoss(weight=w)'s weighted mean).
    return F.cross_entropy(z, y, weight=cb_weights(counts, beta), reduction="none").mean()


def cb_focal(z, y, counts, beta, gamma):
    # Softmax focal (not Cui et al.'s sigmoid one), weighted per class.
    return (cb_weights(counts, beta)[y] * focal_terms(z, y, gamma)).mean()


def balanced_softmax(z, y, counts):
    # Ren et al. 2020: CE(z + log prior); an empty class counted as 1 image.
    floored = torch.tensor([max(n, 1) for n in counts], dtype=torch.float64)
    return F.cross_entropy(z + torch.log(floored / floored.sum()), y)


SETTINGS = [
    ("ce", {}),
    ("l1", {}),
    ("mae", {}),
    ("focal", {"gamma": 0}),
    ("focal", {"gamma": 0.5}),
    ("focal", {"gamma": 2}),
    ("label_smoothing", {"epsilon": 0.1}),
    ("label_smoothing", {"epsilon": 0.3}),
    ("gce", {"q": 0.7}),
    ("gce", {"q": 0.3}),
    ("gce", {"q": 1}),
    ("sce", {"alpha": 0.1, "beta": 1}),
    ("sce", {"alpha": 1, "beta": 0.5}),
    ("nce_rce", {"alpha": 1, "beta": 1}),
    ("nce_rce", {"alpha": 10, "beta": 0.1}),
    ("cb_ce", {"beta": 0.9999}),
    ("cb_ce", {"beta": 0.99}),
    ("cb_focal", {"beta": 0.9999, "gamma": 2}),
    ("cb_focal", {"beta": 0.99, "gamma": 0.5}),
    ("balanced_softmax", {}),
]
FNS = {
    f.__name__: f
    for f in [ce, l1, mae, focal, label_smoothing, gce, sce, nce_rce, cb_ce, cb_focal,
              balanced_softmax]
}


# --- Cases ----------------------------------------------------------------------------


def make_cases():
    g = torch.Generator().manual_seed(20240611)
    cases = {}

    def add(name, rows, k, scale, counts, labels=None):
        z = (torch.randn(rows, k, generator=g) * scale).to(torch.float32)
        if labels is None:
            present = [c for c in range(k) if counts[c] > 0]
            pick = torch.randint(len(present), (rows,), generator=g)
            labels = [present[i] for i in pick.tolist()]
        cases[name] = {
            "logits": {"shape": [rows, k], "data": [float(v) for v in z.flatten().tolist()]},
            "labels": labels,
            "trainCounts": counts,
        }

    add("b8k10", 8, 10, 2.0, [5000, 2997, 1796, 1077, 645, 387, 232, 0, 83, 50])
    add("b5k3", 5, 3, 3.0, [40, 0, 7], labels=[0, 1, 2, 1, 0])
    add("b6k4_sharp", 6, 4, 5.0, [120, 95, 60, 31])
    return cases


def check_floor(z, y):
    # The TS focal floors 1 - p_t at 1e-12; the reference has no floor, so the cases must
    # keep 1 - p_t well above it (in float32 too) for the two to agree.
    pt = torch.exp(-F.cross_entropy(z, y, reduction="none"))
    assert float((1 - pt).min()) > 1e-6, "a case is too confident for the focal reference"


def main():
    torch.set_default_dtype(torch.float64)
    cases = make_cases()
    results = []
    for case_name, c in cases.items():
        rows, k = c["logits"]["shape"]
        y = torch.tensor(c["labels"], dtype=torch.long)
        check_floor(torch.tensor(c["logits"]["data"]).reshape(rows, k), y)
        for loss, params in SETTINGS:
            z = torch.tensor(c["logits"]["data"], dtype=torch.float64).reshape(rows, k)
            z.requires_grad_(True)
            value = FNS[loss](z, y, c["trainCounts"], **params)
            (grad,) = torch.autograd.grad(value, z)
            assert math.isfinite(float(value)) and torch.isfinite(grad).all()
            results.append({
                "case": case_name,
                "loss": loss,
                "params": params,
                "value": float(value),
                "grad": [float(v) for v in grad.flatten().tolist()],
            })
    with open(OUT, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases, "results": results}, f)
        f.write("\n")
    print(f"wrote {os.path.relpath(OUT)}: {len(results)} results over {len(cases)} cases")


if __name__ == "__main__":
    main()
