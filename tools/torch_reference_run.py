#!/usr/bin/env python3
"""The report's own PyTorch pipeline on an image-folder data set, for comparing
lossbench's curves with the reference on the same data.

    tar xzf ../shared/data/cifar10-jpg.tar.gz -C /tmp/cifar
    /usr/bin/python3 tools/torch_reference_run.py --data /tmp/cifar --loss focal --gamma 2 \
        --epochs 1 --train-limit 2000 --test-limit 2000 --seed 1

--data is a folder holding train/<class>/* and test/<class>/* (searched for
below the given path). The images are decoded into memory first (not timed) and
served like torchvision's CIFAR10 data set, so the timed pipeline is the
report's: PIL transforms in a DataLoader with 2 workers, then the step. Prints one line per epoch: test accuracy and loss, and
training images per second (the whole pipeline: decode, augment, step).
Needs Debian's python3-torch and python3-torchvision.
"""
import argparse
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from PIL import Image
from report_torch import TEST_TRANSFORM, TRAIN_TRANSFORM, ConvNet, InMemory

ap = argparse.ArgumentParser()
ap.add_argument("--data", required=True)
ap.add_argument("--loss", choices=["ce", "l1", "focal"], required=True)
ap.add_argument("--gamma", type=float, default=2.0)
ap.add_argument("--epochs", type=int, default=20)
ap.add_argument("--batch-size", type=int, default=64)
ap.add_argument("--lr", type=float, default=0.01)
ap.add_argument("--momentum", type=float, default=0.9)
ap.add_argument("--step-size", type=int, default=10)
ap.add_argument("--step-gamma", type=float, default=0.5)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--train-limit", type=int)
ap.add_argument("--test-limit", type=int)
args = ap.parse_args()
torch.manual_seed(args.seed)

def find(split):
    for dirpath, _, _ in os.walk(args.data):
        if os.path.basename(dirpath) == split:
            return dirpath
    raise SystemExit(f"no {split}/ folder under {args.data}")


def subset(ds, limit, gen):
    if limit is None or limit >= len(ds):
        return ds
    return torch.utils.data.Subset(ds, torch.randperm(len(ds), generator=gen)[:limit].tolist())


def load(folder, transform):
    """Decodes every image into one uint8 array, as torchvision's CIFAR10 holds them."""
    src = torchvision.datasets.ImageFolder(folder)
    images = np.stack([np.asarray(Image.open(p).convert("RGB")) for p, _ in src.samples])
    return InMemory(images, [label for _, label in src.samples], transform)


gen = torch.Generator().manual_seed(args.seed)
train_set = subset(load(find("train"), TRAIN_TRANSFORM), args.train_limit, gen)
test_set = subset(load(find("test"), TEST_TRANSFORM), args.test_limit, gen)


def criterion(out, target):
    if args.loss == "ce":
        return F.cross_entropy(out, target)
    if args.loss == "l1":
        return F.l1_loss(torch.softmax(out, 1), F.one_hot(target, 10).float())
    ce = F.cross_entropy(out, target, reduction="none")
    return ((1 - torch.exp(-ce)) ** args.gamma * ce).mean()


model = ConvNet()
opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=args.step_size, gamma=args.step_gamma)
train_dl = torch.utils.data.DataLoader(train_set, batch_size=args.batch_size, shuffle=True, num_workers=2)
test_dl = torch.utils.data.DataLoader(test_set, batch_size=500, num_workers=2)
for epoch in range(args.epochs):
    model.train()
    t0 = time.perf_counter()
    for x, y in train_dl:
        opt.zero_grad()
        criterion(model(x), y).backward()
        opt.step()
    train_img_per_s = len(train_set) / (time.perf_counter() - t0)
    sched.step()
    model.eval()
    correct, loss, n = 0, 0.0, 0
    with torch.no_grad():
        for x, y in test_dl:
            out = model(x)
            correct += (out.argmax(1) == y).sum().item()
            loss += criterion(out, y).item() * len(y)
            n += len(y)
    print(
        f"epoch {epoch + 1} test_acc {correct / n:.4f} test_loss {loss / n:.4f} "
        f"train_img_per_s {train_img_per_s:.0f}",
        flush=True,
    )
