#!/usr/bin/env python3
"""Where does lossbench's training differ in distribution from the report's
PyTorch pipeline? Replays, in PyTorch, the report's CE training with each piece
taken either from PyTorch or from lossbench (what tools/parity_dump_plan.ts
wrote: its decoded pixels, initial weights, sample order and augmentation).

    deno run -A --lock=dev.lock tools/parity_dump_plan.ts ARCHIVE DUMP EPOCHS SEED...
    nice /usr/bin/python3 tools/parity_probe.py --dump DUMP check
    nice /usr/bin/python3 tools/parity_probe.py --dump DUMP train --init torch|lossbench \
        --plan torch|lossbench --seeds 1 2 3 [--epochs 1]
    deno run -A --lock=dev.lock tools/parity_steps.ts ARCHIVE DUMP 781 SEED...
    nice /usr/bin/python3 tools/parity_probe.py --dump DUMP steps --seeds SEED...

`check` compares, on lossbench's own pixels: fillBatch's augmented batches with
torchvision's RandomCrop(32, padding=4) → RandomHorizontalFlip → ToTensor →
Normalize given the same crop offsets and flips; the plan's offsets and flips
with torchvision's distribution; and lossbench's initial weights with
PyTorch's default initialisation (per layer bound and moments over the seeds).

`steps` replays tools/parity_steps.ts's first steps of epoch 1 (lossbench's own
trainStep on its own batches) in PyTorch from the same weights and batches, and
prints how far the losses and weights have drifted apart, beside how far two
PyTorch runs drift whose initial weights differ by one float32 ulp.

`train` runs the report's ConvNet, SGD(0.01, momentum 0.9), StepLR(10, 0.5),
batch 64, last partial batch kept, in one process (augmentation vectorised in
NumPy with torchvision's semantics), and prints each epoch's test accuracy.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report_torch import MEAN, STD, ConvNet  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--dump", required=True)
sub = ap.add_subparsers(dest="cmd", required=True)
sub.add_parser("check")
st = sub.add_parser("steps")
st.add_argument("--seeds", type=int, nargs="+", default=[1])
tr = sub.add_parser("train")
tr.add_argument("--init", choices=["torch", "lossbench"], default="torch")
tr.add_argument("--plan", choices=["torch", "lossbench"], default="torch")
tr.add_argument("--seeds", type=int, nargs="+", default=[1])
tr.add_argument("--epochs", type=int, default=1)
args = ap.parse_args()
torch.set_num_threads(1)
meta = json.load(open(os.path.join(args.dump, "meta.json")))
H, W, C = meta["height"], meta["width"], meta["channels"]


def u8(name, n):
    return np.fromfile(os.path.join(args.dump, name), np.uint8).reshape(n, H, W, C) if n else None


train_x, test_x = u8("train_x.u8", meta["train"]), u8("test_x.u8", meta["test"])
train_y = np.fromfile(os.path.join(args.dump, "train_y.u8"), np.uint8).astype(np.int64)
test_y = np.fromfile(os.path.join(args.dump, "test_y.u8"), np.uint8).astype(np.int64)
mean = torch.tensor(MEAN).view(1, 3, 1, 1)
std = torch.tensor(STD).view(1, 3, 1, 1)
SHAPES = [("conv1.weight", (4, 3, 3, 3)), ("conv1.bias", (4,)), ("conv2.weight", (8, 4, 3, 3)),
          ("conv2.bias", (8,)), ("fc1.weight", (32, 288)), ("fc1.bias", (32,)),
          ("fc2.weight", (10, 32)), ("fc2.bias", (10,))]


def lossbench_init(seed):
    flat = np.fromfile(os.path.join(args.dump, f"init-s{seed}.f32"), np.float32)
    out, at = {}, 0
    for name, shape in SHAPES:
        k = int(np.prod(shape))
        out[name] = torch.from_numpy(flat[at:at + k].reshape(shape).copy())
        at += k
    assert at == len(flat)
    return out


def lossbench_plan(seed, epoch):
    p = np.fromfile(os.path.join(args.dump, f"plan-s{seed}-e{epoch}.i32"), np.int32).reshape(-1, 4)
    return p[:, 0].astype(np.int64), p[:, 1] + 4, p[:, 2] + 4, p[:, 3].astype(bool)


def torch_plan(gen, n):
    """DataLoader(shuffle=True)'s order; RandomCrop's top/left in [0, 8]; flip with p ½."""
    order = torch.randperm(n, generator=gen).numpy()
    top = torch.randint(0, 9, (n,), generator=gen).numpy()
    left = torch.randint(0, 9, (n,), generator=gen).numpy()
    flip = (torch.rand(n, generator=gen) < 0.5).numpy()
    return order, top, left, flip


def to_tensor(u8_nhwc):
    """ToTensor (÷255) then Normalize, as torchvision computes them, NCHW."""
    x = torch.from_numpy(np.ascontiguousarray(u8_nhwc)).permute(0, 3, 1, 2).float().div(255)
    return (x - mean) / std


def augment(padded, idx, top, left, flip):
    """Crop 32×32 at (top, left) of the zero-padded uint8 images, then flip: RandomCrop → Flip."""
    rows = top[:, None] + np.arange(H)[None, :]
    cols = left[:, None] + np.arange(W)[None, :]
    cols = np.where(flip[:, None], cols[:, ::-1], cols)
    return padded[idx[:, None, None], rows[:, :, None], cols[:, None, :]]


def check():
    import torchvision.transforms.functional as TF
    from PIL import Image

    for seed in meta["seeds"]:
        fill = np.fromfile(os.path.join(args.dump, f"fill-s{seed}.f32"), np.float32).reshape(-1, H, W, C)
        idx, top, left, flip = lossbench_plan(seed, 0)
        worst = 0.0
        for i in range(len(fill)):
            img = TF.pad(Image.fromarray(train_x[idx[i]]), 4, fill=0)
            img = TF.crop(img, int(top[i]), int(left[i]), H, W)
            if flip[i]:
                img = TF.hflip(img)
            ref = TF.normalize(TF.to_tensor(img), MEAN, STD).permute(1, 2, 0).numpy()
            worst = max(worst, float(np.abs(ref - fill[i]).max()))
        vec = to_tensor(augment(np.pad(train_x, ((0, 0), (4, 4), (4, 4), (0, 0))), idx[:len(fill)],
                                top[:len(fill)], left[:len(fill)], flip[:len(fill)]))
        worst_vec = float(np.abs(vec.permute(0, 2, 3, 1).numpy() - fill).max())
        print(f"seed {seed}: fillBatch vs torchvision on {len(fill)} images: max |diff| {worst:.2e}; "
              f"vs this tool's vectorised augmentation {worst_vec:.2e}")
        n = len(idx)
        print(f"  plan: order is a permutation {bool((np.sort(idx) == np.arange(n)).all())}; "
              f"offsets {np.bincount(top, minlength=9).tolist()} / {np.bincount(left, minlength=9).tolist()}; "
              f"flipped {flip.mean():.4f}")
    from scipy.stats import kstest

    print("init: per layer over the seeds, w·√fan_in: max |·|, mean, sd·√3 (U(−1, 1): 1, 0, 1), "
          "KS p against U(−1, 1)")
    ours = [lossbench_init(s) for s in meta["seeds"]]
    theirs = []
    for s in meta["seeds"]:
        torch.manual_seed(s)
        theirs.append(dict(ConvNet().named_parameters()))
    for name, shape in SHAPES:
        # A bias shares its layer's fan_in: the weight's size over its output count.
        fan_in = int(np.prod(dict(SHAPES)[name.replace(".bias", ".weight")][1:]))
        a = np.concatenate([o[name].numpy().ravel() for o in ours])
        b = np.concatenate([t[name].detach().numpy().ravel() for t in theirs])
        r = np.sqrt(fan_in)
        stats = lambda v: (f"{np.abs(v).max() * r:.3f} {v.mean() * r:+.3f} {v.std() * r * np.sqrt(3):.3f} "
                           f"p {kstest(v * r, 'uniform', args=(-1, 2)).pvalue:.2f}")
        print(f"  {name:13s} fan_in {fan_in:3d}  lossbench {stats(a)}   PyTorch {stats(b)}")


def train(seed):
    torch.manual_seed(seed)
    model = ConvNet()
    if args.init == "lossbench":
        with torch.no_grad():
            for name, p in model.named_parameters():
                p.copy_(lossbench_init(seed)[name])
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
    gen = torch.Generator().manual_seed(seed)
    padded = np.pad(train_x, ((0, 0), (4, 4), (4, 4), (0, 0)))
    test = to_tensor(test_x)
    n, accs = len(train_y), []
    for epoch in range(args.epochs):
        plan = lossbench_plan(seed, epoch) if args.plan == "lossbench" else torch_plan(gen, n)
        model.train()
        for s in range(0, n, 64):
            sl = slice(s, s + 64)
            idx = plan[0][sl]
            x = to_tensor(augment(padded, idx, plan[1][sl], plan[2][sl], plan[3][sl]))
            opt.zero_grad()
            F.cross_entropy(model(x), torch.from_numpy(train_y[idx])).backward()
            opt.step()
        sched.step()
        model.eval()
        with torch.no_grad():
            acc = sum((model(test[i:i + 500]).argmax(1).numpy() == test_y[i:i + 500]).sum()
                      for i in range(0, len(test_y), 500)) / len(test_y)
        accs.append(float(acc))
    return accs


def replay(seed, count, nudge):
    """PyTorch's losses and final weights over lossbench's first `count` batches from
    lossbench's initial weights, each weight moved `nudge` float32 ulps (0: as they are)."""
    model = ConvNet()
    init = lossbench_init(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            w = init[name].numpy()
            for _ in range(nudge):
                w = np.nextafter(w, np.float32(np.inf))
            p.copy_(torch.from_numpy(w))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    idx, top, left, flip = lossbench_plan(seed, 0)
    padded = np.pad(train_x, ((0, 0), (4, 4), (4, 4), (0, 0)))
    losses = []
    for b in range(count):
        sl = slice(64 * b, 64 * b + 64)
        x = to_tensor(augment(padded, idx[sl], top[sl], left[sl], flip[sl]))
        opt.zero_grad()
        loss = F.cross_entropy(model(x), torch.from_numpy(train_y[idx[sl]]))
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return np.array(losses), np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])


def steps(seed):
    """lossbench's steps (tools/parity_steps.ts) against PyTorch's on the same weights and
    batches, and, as the yardstick, PyTorch against itself from weights one ulp away."""
    ref = np.array(json.load(open(os.path.join(args.dump, f"steps-s{seed}.json")))["losses"])
    flat = np.fromfile(os.path.join(args.dump, f"steps-s{seed}.f32"), np.float32)
    ours, w = replay(seed, len(ref), 0)
    ours1, w1 = replay(seed, len(ref), 1)
    marks = [k for k in (1, 10, 100, 300, len(ref)) if k <= len(ref)]
    rel = lambda a, b: ", ".join(f"{k}: {abs(a[k - 1] - b[k - 1]) / abs(b[k - 1]):.1e}" for k in marks)
    print(f"seed {seed}, {len(ref)} steps, loss rel. diff after step …")
    print(f"  lossbench vs PyTorch:          {rel(ref, ours)}; final weights max|diff| "
          f"{np.abs(flat - w).max():.1e}; mean loss {ref.mean():.4f} vs {ours.mean():.4f}")
    print(f"  PyTorch vs PyTorch (1 ulp):    {rel(ours1, ours)}; final weights max|diff| "
          f"{np.abs(w1 - w).max():.1e}; mean loss {ours1.mean():.4f} vs {ours.mean():.4f}")


if args.cmd == "check":
    check()
elif args.cmd == "steps":
    for seed in args.seeds:
        steps(seed)
else:
    for seed in args.seeds:
        accs = train(seed)
        print(json.dumps({"init": args.init, "plan": args.plan, "seed": seed, "test_acc": accs}), flush=True)
