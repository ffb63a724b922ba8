#!/usr/bin/env python3
"""Parity with the report's PyTorch pipeline: CE for 20 epochs on 3 seeds on an
image-folder archive (default the shared CIFAR-10 JPEG copy), once with
lossbench's CLI (cpu backend) and once with tools/torch_reference_run.py, then a
per-epoch table of test accuracy: each side's mean and seed sd, the gap
(lossbench − PyTorch), the gap's standard error sqrt(sd_l²/n + sd_t²/n),
Welch's t-test p (SciPy) and that p Holm-adjusted over the table's epochs (bold
below 0.05: a gap beyond seed noise). When both sides draw from one
distribution, twenty unadjusted tests at 0.05 still flag one epoch per table on
average (20 × 0.05), and at least one in up to 64% of tables (1 − 0.95²⁰, for
independent epochs); Holm's adjustment keeps the chance that any epoch of the
table is flagged below 5%.

    nice /usr/bin/python3 tools/parity_vs_torch.py [--data ARCHIVE] [--out DIR]
        [--seeds 1 2 3] [--epochs 20] [--only torch|lossbench|table]

Each run's output goes to DIR (default .lossbench/parity, git-ignored) under
its final name only when the run finished, so an interrupted invocation resumes
where it stopped, and invocations in parallel (e.g. --seeds 3 beside the rest)
skip a run another one is writing and --only table prints what is there (partial runs count only
for the epochs they reached). lossbench's runs are named by the JPEG decoder
they used (--decoder, default libjpeg-turbo; jpeg-js measures the former gap).
"""
import argparse
import csv
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "cifar10-jpg.tar.gz"))
ap.add_argument("--out", default=os.path.join(ROOT, ".lossbench", "parity"))
ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
ap.add_argument("--epochs", type=int, default=20)
ap.add_argument("--only", choices=["torch", "lossbench", "table"])
ap.add_argument("--decoder", default="libjpeg-turbo", choices=["libjpeg-turbo", "jpeg-js"],
                help="lossbench's JPEG decoder (LOSSBENCH_JPEG_DECODER); jpeg-js shows the old gap")
args = ap.parse_args()
os.makedirs(args.out, exist_ok=True)


def torch_log(seed):
    return os.path.join(args.out, f"torch-ce-e{args.epochs}-s{seed}.log")


def ours_csv(seed):
    return os.path.join(args.out, f"lossbench-{args.decoder}-ce-e{args.epochs}-s{seed}.csv")


def busy(final):
    """A run another invocation is writing (its partial output touched within 15 minutes)."""
    part = final + ".part"
    if os.path.exists(part) and time.time() - os.path.getmtime(part) < 900:
        print(f"{os.path.basename(final)}: another invocation is writing it, skipped", file=sys.stderr)
        return True
    return False


def run_torch():
    extracted = os.path.join(args.out, "extracted")
    if not os.path.exists(os.path.join(extracted, ".done")):
        shutil.rmtree(extracted, ignore_errors=True)
        with tarfile.open(args.data) as t:
            t.extractall(extracted)  # our own archive (tar members are checked by lossbench)
        open(os.path.join(extracted, ".done"), "w").close()
    for seed in args.seeds:
        final = torch_log(seed)
        if os.path.exists(final) or busy(final):
            continue
        with open(final + ".part", "w") as log:
            subprocess.run(
                [sys.executable, os.path.join(ROOT, "tools", "torch_reference_run.py"),
                 "--data", extracted, "--loss", "ce", "--epochs", str(args.epochs),
                 "--seed", str(seed)],
                stdout=log, check=True, cwd=os.path.join(ROOT, "tools"))
        os.rename(final + ".part", final)


def run_lossbench():
    for seed in args.seeds:
        final = ours_csv(seed)
        if os.path.exists(final) or busy(final):
            continue
        subprocess.run(
            ["deno", "task", "train", "--loss", "ce", "--epochs", str(args.epochs),
             "--backend", "cpu", "--seed", str(seed), "--data", args.data,
             "--out", final + ".part"],
            stdout=subprocess.DEVNULL, check=True, cwd=ROOT,
            env={**os.environ, "LOSSBENCH_JPEG_DECODER": args.decoder})
        os.rename(final + ".part", final)


def accuracies(path, kind):
    """Per-epoch test accuracy from a finished or partial run's output ([] if none)."""
    for p in (path, path + ".part"):
        if not os.path.exists(p):
            continue
        if kind == "torch":
            return [float(m.group(1)) for m in re.finditer(r"test_acc (\S+)", open(p).read())]
        return [float(r["test_acc"]) for r in csv.DictReader(open(p))]
    return []


def welch_p(a, b):
    """Welch's two-sided t-test p (SciPy), NaN with fewer than two values a side."""
    if len(a) < 2 or len(b) < 2:
        return float("nan")
    from scipy.stats import ttest_ind

    return float(ttest_ind(a, b, equal_var=False).pvalue)


def holm(ps):
    """Holm's step-down adjustment of p-values (NaN stays NaN and is not counted)."""
    idx = sorted((i for i, p in enumerate(ps) if not math.isnan(p)), key=lambda i: ps[i])
    out, running = [float("nan")] * len(ps), 0.0
    for rank, i in enumerate(idx):
        running = max(running, min(1.0, (len(idx) - rank) * ps[i]))
        out[i] = running
    return out


def table():
    ours = [accuracies(ours_csv(s), "lossbench") for s in args.seeds]
    theirs = [accuracies(torch_log(s), "torch") for s in args.seeds]
    print(f"lossbench's JPEG decoder: {args.decoder}; seeds {' '.join(map(str, args.seeds))}; test accuracy in %")
    print("| epoch | PyTorch mean | sd | lossbench mean | sd | gap | SE of gap | Welch p | Holm p |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: | :---: |")
    sd = lambda xs: statistics.stdev(xs) if len(xs) > 1 else float("nan")
    f = lambda x: "–" if math.isnan(x) else f"{x:.2f}"
    bold = lambda p: "–" if math.isnan(p) else (f"{p:.3f}" if p >= 0.05 else f"**{p:.3f}**")
    rows = []
    for e in range(args.epochs):
        t = [100 * a[e] for a in theirs if len(a) > e]
        o = [100 * a[e] for a in ours if len(a) > e]
        if not t and not o:
            break
        rows.append((e, t, o, welch_p(t, o)))
    for (e, t, o, p), adj in zip(rows, holm([r[3] for r in rows])):
        mt = statistics.mean(t) if t else float("nan")
        mo = statistics.mean(o) if o else float("nan")
        gap = mo - mt
        se = math.sqrt(sd(t) ** 2 / len(t) + sd(o) ** 2 / len(o)) if t and o else float("nan")
        n = "" if len(t) == len(o) == len(args.seeds) else f" (n={len(t)}/{len(o)})"
        print(f"| {e + 1}{n} | {f(mt)} | {f(sd(t))} | {f(mo)} | {f(sd(o))} | {f(gap)} | {f(se)} | "
              f"{bold(p)} | {bold(adj)} |")


if args.only in (None, "torch"):
    run_torch()
if args.only in (None, "lossbench"):
    run_lossbench()
table()
