#!/usr/bin/python3
"""Reference fixtures for lossbench's training options (weightDecay, gradClip, schedule),
computed with PyTorch.

Usage (Debian's torch lives in the system python):

    /usr/bin/python3 tools/make_optimizer_fixtures.py   # rewrites tests/fixtures/reference_optimizer.json

Deterministic: same torch version, same bytes. tests/train_options.test.ts checks
ml/optimizer.ts and ml/schedule.ts against it.

What it records:

  "sgd": cases of five optim.SGD steps on three parameter tensors with fixed gradients
    (set on .grad, so no model is involved), each with the lr dropping after step 3:
      - weight decay with momentum 0.9, and without momentum;
      - clip_grad_norm_(params, max_norm) before each step, with max_norm chosen so that
        the first steps are not clipped and the later ones are, and one where no step is;
      - clipping and weight decay together (clip acts on .grad; SGD adds the decay inside
        step, so the decay term is never clipped).
    Per step: the lr, the total gradient norm clip_grad_norm_ returned, the weights and
    the momentum buffers after the step.
  "schedules": the lr each epoch trains with (read before the optimizer step, the
    scheduler stepped once per epoch, as in the report) for
      - CosineAnnealingLR(T_max=epochs, eta_min=0);
      - SequentialLR([LinearLR(start_factor=1/(w+1), end_factor=1, total_iters=w),
                      CosineAnnealingLR(T_max=epochs-w)], milestones=[w]):
        a linear warmup (lr·(e+1)/(w+1) in epoch e < w), then cosine from lr to 0.

Floats are plain JSON numbers: every float32 is exact as a double.
"""

import json
import os

import torch
import torch.nn as nn
import torch.optim as optim
from torch.optim import lr_scheduler as sched

OUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "reference_optimizer.json"
)
SHAPES = {"w": [3, 4], "b": [4], "c": [2, 3, 2]}
LRS = [0.1, 0.1, 0.1, 0.01, 0.01]
# Gradient scale per step: growing, so a fixed max_norm clips the later steps only.
SCALES = [0.2, 0.5, 1.0, 2.0, 4.0]


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def initial():
    g = torch.Generator().manual_seed(1)
    weights = {n: torch.randn(s, generator=g) for n, s in SHAPES.items()}
    grads = [
        {n: torch.randn(s, generator=g) * SCALES[k] for n, s in SHAPES.items()}
        for k in range(len(LRS))
    ]
    return weights, grads


def sgd_case(momentum, weight_decay, max_norm):
    weights, grads = initial()
    params = {n: nn.Parameter(w.clone()) for n, w in weights.items()}
    opt = optim.SGD(params.values(), lr=LRS[0], momentum=momentum, weight_decay=weight_decay)
    steps = []
    for lr, g in zip(LRS, grads):
        opt.param_groups[0]["lr"] = lr
        for n, p in params.items():
            p.grad = g[n].clone()
        step = {"lr": lr}
        if max_norm is not None:
            total = nn.utils.clip_grad_norm_(params.values(), max_norm)
            step["norm"] = float(total)
            step["clipped"] = bool(float(total) > max_norm)
        opt.step()
        step["weights"] = {n: flat(p) for n, p in params.items()}
        if momentum:
            step["momentum"] = {
                n: flat(opt.state[p]["momentum_buffer"]) for n, p in params.items()
            }
        steps.append(step)
    return {
        "momentum": momentum,
        "weightDecay": weight_decay,
        "gradClip": max_norm,
        "steps": steps,
    }


def schedule_case(lr0, epochs, warmup):
    p = nn.Parameter(torch.zeros(1))
    opt = optim.SGD([p], lr=lr0, momentum=0.9)
    if warmup:
        s = sched.SequentialLR(
            opt,
            [
                sched.LinearLR(opt, start_factor=1 / (warmup + 1), end_factor=1.0, total_iters=warmup),
                sched.CosineAnnealingLR(opt, T_max=epochs - warmup, eta_min=0),
            ],
            milestones=[warmup],
        )
    else:
        s = sched.CosineAnnealingLR(opt, T_max=epochs, eta_min=0)
    lrs = []
    for _ in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])  # the lr this epoch trains with
        opt.step()
        s.step()
    return {"lr": lr0, "epochs": epochs, "warmupEpochs": warmup, "lrs": lrs}


def main():
    torch.set_num_threads(1)  # fixed reduction order: same bytes every run
    weights, grads = initial()
    # The steps' raw gradient norms are 0.85, 2.5, 6.3, 8.0 and 19: max_norm 5 clips steps 3-5.
    sgd = {
        "shapes": SHAPES,
        "initial": {n: flat(w) for n, w in weights.items()},
        "grads": [{n: flat(t) for n, t in g.items()} for g in grads],
        "cases": {
            "wd": sgd_case(0.9, 0.05, None),
            "wd_no_momentum": sgd_case(0.0, 0.05, None),
            "clip": sgd_case(0.9, 0.0, 5.0),
            "clip_never": sgd_case(0.9, 0.0, 1000.0),
            "clip_wd": sgd_case(0.9, 0.05, 5.0),
            "clip_no_momentum": sgd_case(0.0, 0.0, 5.0),
        },
    }
    schedules = [
        schedule_case(0.1, 10, 0),
        schedule_case(0.01, 20, 0),
        schedule_case(0.1, 10, 3),
        schedule_case(0.05, 8, 1),
        schedule_case(0.1, 5, 4),  # the cosine part is one epoch long
        schedule_case(0.01, 1, 0),
    ]
    out = {
        "generator": "tools/make_optimizer_fixtures.py",
        "torch": torch.__version__,
        "sgd": sgd,
        "schedules": schedules,
    }
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.relpath(OUT)} ({os.path.getsize(OUT)} bytes)")
    for name, c in sgd["cases"].items():
        if c["gradClip"] is not None:
            print(name, [(round(s["norm"], 3), s["clipped"]) for s in c["steps"]])
    for s in schedules:
        print(s["epochs"], s["warmupEpochs"], [round(v, 6) for v in s["lrs"]])


if __name__ == "__main__":
    main()
