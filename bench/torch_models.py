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
answered with {"op", "model", "imgPerSec", "ms", "cpuPerWall"} (ms per step or per batch;
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

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from make_model_fixtures import REGISTERED  # noqa: E402


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
        if op == "step":
            model.train()
            run = lambda: step(model, opt, x, y)  # noqa: E731
            n = req["steps"]
        else:
            model.eval()
            run = lambda: evaluate(model, x, y)  # noqa: E731
            n = req["reps"]
        with torch.no_grad() if op == "eval" else torch.enable_grad():
            key = (op, req["model"], req["batch"])
            if key not in warm:  # allocator, kernels chosen
                for _ in range(3):
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
            "imgPerSec": req["batch"] / dt,
            "ms": dt * 1000,
            "cpuPerWall": cpu / wall,
        }
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
