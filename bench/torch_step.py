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

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvNet(nn.Module):  # the report's model
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(4, 8, 3)
        self.fc1 = nn.Linear(8 * 6 * 6, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


class InMemory(torch.utils.data.Dataset):
    """uint8 HWC images → PIL → transform, like torchvision.datasets.CIFAR10."""

    def __init__(self, images, labels, transform):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        from PIL import Image

        return self.transform(Image.fromarray(self.images[i])), int(self.labels[i])


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
        import torchvision.transforms as T

        tf = T.Compose([
            T.RandomCrop(32, padding=4),
            T.RandomHorizontalFlip(),
            T.ToTensor(),
            T.Normalize((0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010)),
        ])
        loader = torch.utils.data.DataLoader(
            InMemory(images, labels, tf), batch_size=a.batch, shuffle=True, num_workers=2
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
