#!/usr/bin/python3
"""PyTorch reference fixtures for the model plug-ins (ml/models/), checked by
tests/models_parity.test.ts.

    /usr/bin/python3 tools/make_model_fixtures.py   # rewrites tests/fixtures/reference_models.json

Needs Debian's python3-torch (the system python). Deterministic: same torch, same bytes.

Per model case (convnet_bn as registered; mlp as the same code with narrow hidden
layers, since the registered 512/256 one would make a multi-megabyte fixture):
  - weights drawn here from a fixed seed (batch-norm affine and running statistics
    away from their initial 1/0 too, so eval and train modes differ) and written
    out, so the tests need not reproduce any random generator;
  - a small normalised batch and labels;
  - logits in eval mode, logits in train mode, the running statistics after that
    one train-mode forward, the cross-entropy loss and its gradient for every
    parameter (train mode);
  - two steps of optim.SGD(lr=0.01, momentum=0.9) with cross-entropy in train mode
    on that batch: the parameters and running statistics afterwards.
And for every registered model at CIFAR-10's 32×32×3 → 10: PyTorch's parameter
count sum(p.numel() for p in model.parameters()) and the multiply-adds of its
convolutions and linear layers, counted by forward hooks.

Layout: converted here to the engine's (NHWC input, conv [kh,kw,in,out], linear
[in,out], and the MLP's first layer rows in HWC flatten order), so that a test
failure is the engine's maths. Tensors are {"shape", "f32": base64 of
little-endian float32}.
"""

import base64
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "reference_models.json"
)


# --- The models, in PyTorch (must describe the same networks as ml/models/*.ts) ------------


class ConvNet(nn.Module):
    """The report's ConvNet, fc1's in-features derived from the input."""

    def __init__(self, c, h, w, k):
        super().__init__()
        side = lambda n: ((n - 2) // 2 - 2) // 2  # noqa: E731
        self.flat = 8 * side(h) * side(w)
        self.conv1 = nn.Conv2d(c, 4, 3)
        self.conv2 = nn.Conv2d(4, 8, 3)
        self.fc1 = nn.Linear(self.flat, 32)
        self.fc2 = nn.Linear(32, k)

    def forward(self, x):
        x = F.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = F.max_pool2d(torch.relu(self.conv2(x)), 2)
        return self.fc2(torch.relu(self.fc1(x.flatten(1))))


class ConvNetBN(nn.Module):
    WIDTHS = (16, 32, 64)

    def __init__(self, c, h, w, k):
        super().__init__()
        cin = c
        for i, width in enumerate(self.WIDTHS, 1):
            setattr(self, f"conv{i}", nn.Conv2d(cin, width, 3, padding=1, bias=False))
            setattr(self, f"bn{i}", nn.BatchNorm2d(width, eps=1e-5, momentum=0.1))
            cin = width
        self.fc = nn.Linear(cin, k)

    def forward(self, x):
        for i in range(1, len(self.WIDTHS) + 1):
            x = torch.relu(getattr(self, f"bn{i}")(getattr(self, f"conv{i}")(x)))
            if i < len(self.WIDTHS):
                x = F.max_pool2d(x, 2)
        return self.fc(x.mean((2, 3)))


class MLP(nn.Module):
    def __init__(self, c, h, w, k, hidden=(512, 256)):
        super().__init__()
        sizes = [c * h * w, *hidden, k]
        self.layers = len(sizes) - 1
        for i in range(self.layers):
            setattr(self, f"fc{i + 1}", nn.Linear(sizes[i], sizes[i + 1]))

    def forward(self, x):
        x = x.flatten(1)
        for i in range(1, self.layers + 1):
            x = getattr(self, f"fc{i}")(x)
            if i < self.layers:
                x = torch.relu(x)
        return x


REGISTERED = {"convnet": ConvNet, "convnet_bn": ConvNetBN, "mlp": MLP}


# --- Encoding and layout -------------------------------------------------------------------


def enc(t):
    t = t.detach().contiguous().to(torch.float32)
    raw = t.numpy().astype("<f4").tobytes()
    return {"shape": list(t.shape), "f32": base64.b64encode(raw).decode("ascii")}


def to_engine(name, t, chw=None):
    """A PyTorch parameter, gradient or buffer in the engine's layout."""
    t = t.detach()
    if t.dim() == 4:  # conv [out, in, kh, kw] → [kh, kw, in, out]
        return t.permute(2, 3, 1, 0)
    if t.dim() == 2:  # linear [out, in] → [in, out]
        if chw is not None:  # first layer after a flatten: CHW inputs → HWC rows
            c, h, w = chw
            return t.reshape(t.shape[0], c, h, w).permute(2, 3, 1, 0).reshape(h * w * c, -1)
        return t.t()
    return t


def engine_state(model, chw_first=None, grads=False):
    out = {}
    for name, p in model.named_parameters():
        v = p.grad if grads else p
        out[name] = enc(to_engine(name, v, chw_first if name == "fc1.weight" else None))
    if not grads:
        for name, b in model.named_buffers():
            if name.endswith("num_batches_tracked"):
                continue  # only used when momentum is None; the engine has no such buffer
            out[name] = enc(b)
    return out


def buffers(model):
    return {n: enc(b) for n, b in model.named_buffers() if not n.endswith("num_batches_tracked")}


# --- Cases ---------------------------------------------------------------------------------


def randomise(model, gen):
    """Fixed weights: PyTorch's default ranges for conv/linear, batch norm moved off 1/0."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.startswith("bn"):
                if name.endswith("weight"):
                    p.copy_(torch.rand(p.shape, generator=gen) + 0.5)
                else:
                    p.copy_(torch.rand(p.shape, generator=gen) - 0.5)
            else:
                bound = 1 / p[0].numel() ** 0.5 if p.dim() > 1 else 0.1  # weights: 1/√fan_in
                p.copy_((torch.rand(p.shape, generator=gen) * 2 - 1) * bound)
        for name, b in model.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(torch.rand(b.shape, generator=gen) - 0.5)
            elif name.endswith("running_var"):
                b.copy_(torch.rand(b.shape, generator=gen) * 1.5 + 0.5)


def model_case(name, model, spec, gen, n=6, hidden=None):
    c, h, w, k = spec["channels"], spec["height"], spec["width"], spec["classes"]
    randomise(model, gen)
    chw = (c, h, w) if name == "mlp" else None
    x = torch.randn(n, c, h, w, generator=gen)
    y = torch.randint(0, k, (n,), generator=gen)
    case = {
        "spec": spec,
        "input": enc(x.permute(0, 2, 3, 1)),  # NHWC
        "labels": y.tolist(),
        "weights": engine_state(model, chw),
    }
    if hidden is not None:
        case["hidden"] = list(hidden)
    start = {k_: v.clone() for k_, v in model.state_dict().items()}

    model.eval()
    with torch.no_grad():
        case["evalLogits"] = enc(model(x))
    model.train()
    model.zero_grad()
    logits = model(x)
    loss = F.cross_entropy(logits, y)
    loss.backward()
    case["trainLogits"] = enc(logits)
    case["loss"] = loss.item()
    case["grads"] = engine_state(model, chw, grads=True)
    case["buffersAfterForward"] = buffers(model)

    model.load_state_dict(start)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    for _ in range(2):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    case["sgd"] = {"lr": 0.01, "momentum": 0.9, "steps": 2, "after": engine_state(model, chw)}
    return case


def macs(model, c, h, w):
    total = 0

    def hook(mod, inp, out):
        nonlocal total
        if isinstance(mod, nn.Conv2d):
            kh, kw = mod.kernel_size
            total += out[0].numel() * (mod.in_channels // mod.groups) * kh * kw
        elif isinstance(mod, nn.Linear):
            total += mod.in_features * mod.out_features

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, c, h, w))
    for hd in hs:
        hd.remove()
    return total


def main():
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(20240601)
    cifar = {"height": 32, "width": 32, "channels": 3, "classes": 10}
    sizes = {}
    for name, cls in REGISTERED.items():
        m = cls(3, 32, 32, 10)
        sizes[name] = {
            "params": sum(p.numel() for p in m.parameters()),
            "macsPerImage": macs(m, 3, 32, 32),
            "buffers": sorted(n for n, _ in m.named_buffers() if not n.endswith("num_batches_tracked")),
        }
    small = {"height": 8, "width": 8, "channels": 3, "classes": 10}
    odd = {"height": 9, "width": 7, "channels": 2, "classes": 5}
    hidden = (24, 12)
    cases = {
        "convnet_bn": model_case("convnet_bn", ConvNetBN(3, 8, 8, 10), small, gen),
        "convnet_bn_odd": model_case("convnet_bn", ConvNetBN(2, 9, 7, 5), odd, gen, n=3),
        "mlp": model_case("mlp", MLP(3, 8, 8, 10, hidden), small, gen, hidden=hidden),
        "mlp_odd": model_case("mlp", MLP(2, 9, 7, 5, hidden), odd, gen, n=3, hidden=hidden),
    }
    fixture = {"torch": torch.__version__, "cifarSpec": cifar, "sizes": sizes, "cases": cases}
    with open(OUT, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.relpath(OUT)} ({os.path.getsize(OUT) // 1024} KiB)")


if __name__ == "__main__":
    main()
