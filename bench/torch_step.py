"""The report's PyTorch training step and pipeline on fixed in-memory data, for
bench/bench.ts to compare against. Prints one JSON line.

  /usr/bin/python3 bench/torch_step.py --steps 200 --batch 64 --threads 2

- step:     the report's ConvNet + CrossEntropyLoss + SGD(momentum 0.9) on one
            fixed normalised batch (the bare training step).
- pipeline: the same step fed by the report's DataLoader (RandomCrop(32, 4),
            RandomHorizontalFlip, ToTensor, Normalize; num_workers=2) over
            uint8 images held in memory, as torchvision's CIFAR10 does.
- eval:     forward + loss + argmax at batch 500 over normalised data.
"""
import argparse
import json
import time

import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from report_torch import TRAIN_TRANSFORM, ConvNet, InMemory  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--images", type=int, default=4096)
    ap.add_argument("--no-pipeline", action="store_true")
    ap.add_argument("--eval-reps", type=int, default=0, help="default: max(4, steps // 20)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(a.images, 32, 32, 3), dtype=np.uint8)
    labels = rng.integers(0, 10, size=a.images)
    model = ConvNet()
    crit = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step(x, y):
        opt.zero_grad()
        loss = crit(model(x), y)
        loss.backward()
        opt.step()
        return loss

    x = torch.randn(a.batch, 3, 32, 32)
    y = torch.from_numpy(labels[: a.batch]).long()
    for _ in range(10):
        step(x, y)
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step(x, y)
    step_s = (time.perf_counter() - t0) / a.steps

    xe = torch.randn(500, 3, 32, 32)
    ye = torch.from_numpy(labels[:500]).long()
    with torch.no_grad():
        for _ in range(2):
            crit(model(xe), ye)
        reps = a.eval_reps or max(4, a.steps // 20)
        t0 = time.perf_counter()
        for _ in range(reps):
            logits = model(xe)
            crit(logits, ye).item()
            logits.argmax(1)
        eval_s = (time.perf_counter() - t0) / reps

    out = {
        "backend": "pytorch",
        "torch": torch.__version__,
        "threads": a.threads,
        "batchSize": a.batch,
        "stepImgPerSec": a.batch / step_s,
        "evalImgPerSec": 500 / eval_s,
    }
    if not a.no_pipeline:
        loader = torch.utils.data.DataLoader(
            InMemory(images, labels, TRAIN_TRANSFORM), batch_size=a.batch, shuffle=True, num_workers=2
        )
        n = 0
        it = iter(loader)
        xb, yb = next(it)  # worker start-up is not counted
        step(xb, yb)
        t0 = time.perf_counter()
        for xb, yb in it:
            step(xb, yb)
            n += len(yb)
        out["trainImgPerSec"] = n / (time.perf_counter() - t0)
        out["pipelineImages"] = n
    print(json.dumps(out))


if __name__ == "__main__":
    main()
