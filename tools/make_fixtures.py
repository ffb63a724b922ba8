#!/usr/bin/python3
"""Reference fixtures for lossbench's parity tests, computed with PyTorch and sklearn.

Usage (Debian's torch lives in the system python, not a pyenv one):

    /usr/bin/python3 tools/make_fixtures.py        # rewrites tests/fixtures/reference_*.json

Needs python3-torch and python3-sklearn. Deterministic: same torch version, same bytes.

What it records, so tests/parity_*.test.ts and tests/metrics_*.test.ts can check
the tfjs engine against the report's own code rather than against itself:

  reference_convnet.json
    - cases "cifar" (8 × 3×32×32, the report's ConvNet class verbatim) and "gray28"
      (4 × 1×28×28, same layers with fc1's in-features derived from the input shape):
      PyTorch-default-initialised weights, the normalized input batch, labels, logits,
      and for l1 / ce / focal γ∈{0, 0.5, 2} the loss and the gradient of all 8 params.
    - "sgd": optim.SGD(momentum=0.9) with ce on the cifar batch: 3 steps at lr 0.01,
      then 2 at lr 0.005 (as after a StepLR decay); the weights after each step.
    - "steplr": the lr StepLR gives in each epoch, for two schedules.
  reference_metrics.json
    - fixed predictions/labels (a class never predicted, a class that never occurs,
      one in neither): sklearn's confusion matrix, accuracy, macro F1 (default labels,
      as the report most likely called it, and labels=range(C)), per-class F1.

Layout: tensors stay in PyTorch layout (NCHW images, conv [out,in,kh,kw], linear
[out,in], fc1's inputs in CHW order); the TS tests do the transposes. Tensors are
{"shape": [...], "f32": base64 of little-endian float32} (exact, and a third of the
size of decimal text); scalars and small lists are plain JSON numbers.
"""

import base64
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

try:
    import sklearn
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score
except ImportError:
    sys.exit("make_fixtures: needs sklearn (apt-get install -y python3-sklearn)")

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures")
MEAN = (0.4914, 0.4822, 0.4465)
STD = (0.2023, 0.1994, 0.2010)


# --- The report's code, verbatim (section 3.2 and 4.1) -------------------------------


class ConvNet(nn.Module):
    def __init__(self):
        super(ConvNet, self).__init__()
        self.conv1 = nn.Conv2d(3, 4, 3)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(4, 8, 3)
        self.fc1 = nn.Linear(8 * 6 * 6, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        x = x.view(-1, 8 * 6 * 6)
        x = torch.relu(self.fc1(x))
        x = self.fc2(x)
        return x


class FocalLoss(nn.Module):
    def __init__(self, gamma=2):
        super(FocalLoss, self).__init__()
        self.gamma = gamma

    def forward(self, input, target):
        ce_loss = F.cross_entropy(input, target, reduction="none")
        pt = torch.exp(-ce_loss)
        focal_loss = (1 - pt) ** self.gamma * ce_loss
        return torch.mean(focal_loss)


# --- The same net for other input shapes (the engine derives fc1 from the shape) ----


class ShapedConvNet(nn.Module):
    def __init__(self, channels, height, width, classes=10):
        super().__init__()
        side = lambda n: (n - 2) // 2  # valid 3×3 conv, then 2×2/2 pool (floor)
        self.flat = 8 * side(side(height)) * side(side(width))
        self.conv1 = nn.Conv2d(channels, 4, 3)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(4, 8, 3)
        self.fc1 = nn.Linear(self.flat, 32)
        self.fc2 = nn.Linear(32, classes)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        x = x.reshape(-1, self.flat)  # CHW order, like the report's view()
        x = torch.relu(self.fc1(x))
        return self.fc2(x)


def l1_loss(logits, target):
    # The study's L1: nn.L1Loss() between softmax probabilities and one-hot targets
    # (L1Loss cannot take class indices; see docs/design.md "Training semantics").
    return nn.L1Loss()(torch.softmax(logits, 1), F.one_hot(target, logits.shape[1]).float())


LOSSES = {
    "l1": l1_loss,
    "ce": nn.CrossEntropyLoss(),
    "focal_0": FocalLoss(gamma=0),
    "focal_0.5": FocalLoss(gamma=0.5),
    "focal_2": FocalLoss(gamma=2),
}

PARAMS = [
    "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
    "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias",
]  # fmt: skip


# --- Encoding ------------------------------------------------------------------------


def enc(t):
    t = t.detach().to(torch.float32).contiguous()
    raw = t.numpy().astype("<f4").tobytes()
    return {"shape": list(t.shape), "f32": base64.b64encode(raw).decode("ascii")}


def floats(t):
    return [float(v) for v in t.detach().to(torch.float32).flatten()]


def state(model):
    sd = model.state_dict()
    return {name: enc(sd[name]) for name in PARAMS}


# --- Fixtures ------------------------------------------------------------------------


def batch(n, channels, height, width, labels):
    # Like ToTensor() + Normalize(): uint8 pixels → [0,1] → per-channel standardise.
    pixels = torch.randint(0, 256, (n, channels, height, width), dtype=torch.uint8)
    x = pixels.float() / 255.0
    mean = torch.tensor(MEAN[:channels]).view(1, channels, 1, 1)
    std = torch.tensor(STD[:channels]).view(1, channels, 1, 1)
    return (x - mean) / std, torch.tensor(labels, dtype=torch.int64)


def model_case(model, x, y):
    out = {
        "input": enc(x),
        "labels": y.tolist(),
        "weights": state(model),
        "logits": {"shape": [x.shape[0], 10], "data": floats(model(x))},
        "losses": {},
    }
    for name, crit in LOSSES.items():
        model.zero_grad()
        loss = crit(model(x), y)
        loss.backward()
        out["losses"][name] = {
            "value": loss.item(),
            "grads": {p: enc(dict(model.named_parameters())[p].grad) for p in PARAMS},
        }
    model.zero_grad()
    return out


def sgd_case(model, x, y, lrs=(0.01, 0.01, 0.01, 0.005, 0.005), momentum=0.9):
    # Continues from the case's initial weights (the test rebuilds them from there).
    # The lr drops after step 3, as StepLR does between epochs: PyTorch keeps the
    # momentum buffer unscaled (v = μv + g; w -= lr·v), which differs from the
    # v = μv - lr·g convention only once the lr changes, so steps 4-5 pin it.
    opt = optim.SGD(model.parameters(), lr=lrs[0], momentum=momentum)
    crit = nn.CrossEntropyLoss()
    out = {"loss": "ce", "lrs": list(lrs), "momentum": momentum, "losses": [], "weights": []}
    for lr in lrs:
        opt.param_groups[0]["lr"] = lr
        opt.zero_grad()
        loss = crit(model(x), y)
        loss.backward()
        opt.step()
        out["losses"].append(loss.item())
        out["weights"].append(state(model))
    return out


def steplr_case(lr0, step_size, gamma, epochs):
    p = nn.Parameter(torch.zeros(1))
    opt = optim.SGD([p], lr=lr0, momentum=0.9)
    sched = optim.lr_scheduler.StepLR(opt, step_size=step_size, gamma=gamma)
    lrs = []
    for _ in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])  # the lr this epoch trains with
        opt.step()
        sched.step()  # once per epoch, as in the report
    return {"lr0": lr0, "stepSize": step_size, "stepGamma": gamma, "lrs": lrs}


def metrics_fixture():
    # 6 classes: 2 never predicted, 4 never occurs in the labels, 5 in neither.
    classes = 6
    labels = [0, 0, 0, 1, 1, 2, 2, 3, 3, 3, 3, 1, 0, 2, 3]
    preds = [0, 1, 0, 1, 4, 0, 3, 3, 3, 1, 4, 1, 0, 0, 3]
    everything = list(range(classes))
    zero_div = f1_score(labels, preds, average=None, labels=everything, zero_division=0)
    return {
        "sklearn": sklearn.__version__,
        "classes": classes,
        "labels": labels,
        "preds": preds,
        "confusion": confusion_matrix(labels, preds, labels=everything).tolist(),
        "accuracy": float(accuracy_score(labels, preds)),
        # The report's call was most likely f1_score(y_true, y_pred, average='macro'):
        # it averages over the classes present in labels or predictions only.
        "f1_macro": float(f1_score(labels, preds, average="macro")),
        "f1_macro_all_labels": float(
            f1_score(labels, preds, average="macro", labels=everything, zero_division=0)
        ),
        "f1_per_class": [float(v) for v in zero_div],
    }


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)  # fixed reduction order: same bytes every run

    cifar = ConvNet()
    x, y = batch(8, 3, 32, 32, [3, 8, 8, 0, 6, 6, 1, 9])
    cifar_case = model_case(cifar, x, y)
    sgd = sgd_case(cifar, x, y)  # mutates cifar: after model_case

    gray = ShapedConvNet(1, 28, 28)
    gx, gy = batch(4, 1, 28, 28, [7, 2, 1, 0])
    gray_case = model_case(gray, gx, gy)

    convnet = {
        "generator": "tools/make_fixtures.py",
        "torch": torch.__version__,
        "spec": {
            "cifar": {"height": 32, "width": 32, "channels": 3, "classes": 10},
            "gray28": {"height": 28, "width": 28, "channels": 1, "classes": 10},
        },
        "cases": {"cifar": cifar_case, "gray28": gray_case},
        "sgd": sgd,
        "steplr": [steplr_case(0.01, 2, 0.5, 7), steplr_case(0.1, 3, 0.1, 10)],
    }
    metrics = {"generator": "tools/make_fixtures.py", **metrics_fixture()}

    os.makedirs(OUT_DIR, exist_ok=True)
    for name, data in [("reference_convnet.json", convnet), ("reference_metrics.json", metrics)]:
        path = os.path.join(OUT_DIR, name)
        with open(path, "w") as f:
            json.dump(data, f, indent=1)
            f.write("\n")
        print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
