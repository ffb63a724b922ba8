"""Plain in-memory PyTorch training steps and evaluations of the model
plug-ins, for bench/bench.ts to interleave with lossbench's own (and for
tools/gpu_check.sh on CUDA). One long-lived process serves many rounds: each stdin line
is one request, answered with one JSON line; the first line printed is
{"ready": true, "torch": version}.

  /usr/bin/python3 bench/torch_models.py [--threads 1] [--device cpu|cuda]

Requests (threads defaults to --threads; torch.set_num_threads per request):
  {"op": "step", "model": name, "steps": n, "batch": b, "threads": t}
      the model in train mode (batch norm on batch statistics), CrossEntropyLoss
      and SGD(lr 0.01, momentum 0.9) on one fixed random batch
  {"op": "eval", "model": name, "reps": n, "batch": b, "threads": t}
      model.eval() under no_grad: loss, argmax and max softmax, as the trainer's
      evaluation reads them back, on one fixed random batch
  {"op": "epoch", "model": name, "reps": n, "images": m, "batch": b, "threads": t}
      n epochs over m uint8 images held in memory, each batch augmented as the
      report's transforms do (random crop 32 of the 4-px zero padding, horizontal
      flip, normalisation), batched in tensor ops in this process, then a step
  {"op": "trial", "model": name, "reps": n, "images": m, "test": k, "epochs": e, ...}
      n short tuned runs, each from a fresh model: m images (a tenth held out for
      validation), e epochs as "epoch" does with SGD(weight_decay 5e-4), clip_grad_norm_(5)
      and a cosine lr, each epoch then evaluated on the validation split and on k test
      images (loss, argmax, max softmax, confusion matrix)
answered with {"op", "model", "imgPerSec", "ms", "cpuPerWall"} (imgPerSec: images trained
per second, for "trial" counting every epoch's; ms per step, per batch, per epoch, per run; 
cpuPerWall is the process's CPU time over wall time while timing: about the threads used).
torch.set_num_threads does not reach Debian's OpenBLAS (its GEMMs ran on 2 threads when asked
for 1), so the BLAS gets the same count through openblas_set_num_threads.
A request without "op" is a step. The models are the fixture script's
(tools/make_model_fixtures.py). With --device cuda (tools/gpu_check.sh) the
model and batch live on the GPU and each timing waits for the GPU to finish.
"""
import argparse
import ctypes
import json
import os
import sys
import time

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from make_model_fixtures import REGISTERED  # noqa: E402
from report_torch import MEAN, STD  # noqa: E402


def blas_threads():
    """A setter for OpenBLAS's thread count, or a no-op when torch does not use OpenBLAS."""
    for name in ("libopenblas.so.0", "libopenblasp.so.0", "libopenblas.so"):
        try:
            lib = ctypes.CDLL(name)
            return lib.openblas_set_num_threads
        except (OSError, AttributeError):
            continue
    return lambda n: None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--device", default="cpu")
    a = ap.parse_args()
    dev = torch.device(a.device)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    torch.manual_seed(1)
    crit = nn.CrossEntropyLoss()
    models = {}
    batches = {}

    def model_for(name):
        if name not in models:
            model = REGISTERED[name](3, 32, 32, 10).to(dev)
            opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
            models[name] = (model, opt)
        return models[name]

    def batch(b):
        if b not in batches:
            batches[b] = (torch.randn(b, 3, 32, 32).to(dev), torch.randint(0, 10, (b,)).to(dev))
        return batches[b]

    def step(model, opt, x, y):
        opt.zero_grad()
        crit(model(x), y).backward()
        opt.step()

    def evaluate(model, x, y):
        logits = model(x)
        crit(logits, y).item()
        logits.argmax(1)
        torch.softmax(logits, 1).max(1)

    mean = torch.tensor(MEAN).view(1, 3, 1, 1).to(dev)
    std = torch.tensor(STD).view(1, 3, 1, 1).to(dev)
    pool = {}

    def images(m):
        """m random uint8 CHW images and their labels, padded by 4 for the crops."""
        if m not in pool:
            g = torch.Generator().manual_seed(m)
            x = torch.randint(0, 256, (m, 3, 32, 32), dtype=torch.uint8, generator=g)
            pool[m] = (F.pad(x, (4, 4, 4, 4)).to(dev), torch.randint(0, 10, (m,), generator=g).to(dev))
        return pool[m]

    ar32 = torch.arange(32, device=dev)
    ch = torch.arange(3, device=dev).view(1, 3, 1, 1)

    def augment(xp):
        """Random crops and flips of padded uint8 images, normalised: (B, 3, 32, 32) floats."""
        b = xp.shape[0]
        dy = torch.randint(0, 9, (b, 1), device=dev)
        dx = torch.randint(0, 9, (b, 1), device=dev)
        flip = torch.rand(b, 1, device=dev) < 0.5
        cols = torch.where(flip, dx + 31 - ar32, dx + ar32)
        rows = dy + ar32
        bi = torch.arange(b, device=dev).view(b, 1, 1, 1)
        x = xp[bi, ch, rows.view(b, 1, 32, 1), cols.view(b, 1, 1, 32)]
        return (x.float() / 255 - mean) / std

    def epoch(model, opt, xp, yl, batch, idx, clip=None):
        model.train()
        for s in range(0, len(idx), batch):
            i = idx[s : s + batch]
            opt.zero_grad()
            crit(model(augment(xp[i])), yl[i]).backward()
            if clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            opt.step()

    def evaluate_split(model, xp, yl, idx):
        model.eval()
        conf = torch.zeros(100, dtype=torch.long)
        with torch.no_grad():
            for s in range(0, len(idx), 500):
                i = idx[s : s + 500]
                x = (xp[i][:, :, 4:36, 4:36].float() / 255 - mean) / std
                logits = model(x)
                crit(logits, yl[i]).item()
                pred = logits.argmax(1)
                torch.softmax(logits, 1).max(1)
                conf += torch.bincount(yl[i] * 10 + pred, minlength=100).cpu()

    def trial(name, m, k, epochs, batch):
        model = REGISTERED[name](3, 32, 32, 10).to(dev)
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
        xp, yl = images(m)
        xt, yt = images(k + 1)
        val = m // 10
        order = torch.randperm(m, device=dev)
        held, kept = order[:val], order[val:]
        for e in range(epochs):
            for gr in opt.param_groups:
                gr["lr"] = 0.005 * (1 + math.cos(math.pi * e / epochs))
            epoch(model, opt, xp, yl, batch, kept[torch.randperm(len(kept), device=dev)], 5.0)
            evaluate_split(model, xp, yl, held)
            evaluate_split(model, xt, yt, torch.arange(k, device=dev))

    set_blas_threads = blas_threads()
    warm = set()
    ready = {"ready": True, "torch": torch.__version__, "device": a.device}
    if dev.type == "cuda":
        ready["gpu"] = torch.cuda.get_device_name(dev)
    print(json.dumps(ready), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        op = req.get("op", "step")
        threads = req.get("threads", a.threads)
        torch.set_num_threads(threads)
        set_blas_threads(threads)
        model, opt = model_for(req["model"])
        x, y = batch(req["batch"])
        per = req["batch"]
        if op == "epoch":
            xp, yl = images(req["images"])
            run = lambda: epoch(model, opt, xp, yl, req["batch"], torch.randperm(len(yl), device=dev))  # noqa: E731
            n = req["reps"]
            per = req["images"]
        elif op == "trial":
            m, k, e, b = req["images"], req["test"], req["epochs"], req["batch"]
            run = lambda: trial(req["model"], m, k, e, b)  # noqa: E731
            n = req["reps"]
            per = (m - m // 10) * e
        elif op == "step":
            model.train()
            run = lambda: step(model, opt, x, y)  # noqa: E731
            n = req["steps"]
        else:
            model.eval()
            run = lambda: evaluate(model, x, y)  # noqa: E731
            n = req["reps"]
        with torch.no_grad() if op == "eval" else torch.enable_grad():
            key = (op, req["model"], per)
            if key not in warm:  # allocator, kernels chosen
                for _ in range(3 if op in ("step", "eval") else 1):
                    run()
                warm.add(key)
            sync()
            t0, c0 = time.perf_counter(), time.process_time()
            for _ in range(n):
                run()
            sync()
            wall = time.perf_counter() - t0
            cpu = time.process_time() - c0
            dt = wall / n
        out = {
            "op": op,
            "model": req["model"],
            "imgPerSec": per / dt,
            "ms": dt * 1000,
            "cpuPerWall": cpu / wall,
        }
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
