"""Plain in-memory PyTorch training steps of the model plug-ins, for
bench/models.ts to interleave with lossbench's own steps. One process serves
many rounds: each stdin line {"model": name, "steps": n, "batch": b} is
answered with one JSON line {"model", "imgPerSec", "stepMs"}; the first line
printed is {"ready": true, "torch": version, "threads": n}.

  /usr/bin/python3 bench/torch_models.py --threads 1

The step: the model in train mode (batch norm on batch statistics),
CrossEntropyLoss and SGD(lr 0.01, momentum 0.9) on one fixed random batch.
The PyTorch models are the fixture script's (tools/make_model_fixtures.py).
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from make_model_fixtures import REGISTERED  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    crit = nn.CrossEntropyLoss()
    setups = {}

    def setup(name, batch):
        key = (name, batch)
        if key not in setups:
            model = REGISTERED[name](3, 32, 32, 10)
            model.train()
            opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
            x = torch.randn(batch, 3, 32, 32)
            y = torch.randint(0, 10, (batch,))
            setups[key] = (model, opt, x, y)
            for _ in range(3):  # warm-up: allocator, kernels chosen
                step(*setups[key])
        return setups[key]

    def step(model, opt, x, y):
        opt.zero_grad()
        crit(model(x), y).backward()
        opt.step()

    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": a.threads}), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        s = setup(req["model"], req["batch"])
        t0 = time.perf_counter()
        for _ in range(req["steps"]):
            step(*s)
        dt = (time.perf_counter() - t0) / req["steps"]
        out = {"model": req["model"], "imgPerSec": req["batch"] / dt, "stepMs": dt * 1000}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
