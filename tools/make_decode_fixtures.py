#!/usr/bin/env python3
"""Generates the decoder fixtures: small JPEG and PNG files written by PIL
(libjpeg-turbo, zlib) from seeded synthetic pixels, and the SHA-256 of the
pixels PIL decodes from each file, which lossbench must reproduce exactly.

    /usr/bin/python3 tools/make_decode_fixtures.py

Writes tests/fixtures/decode/*.jpg|*.png and tests/fixtures/decode/pil.json:
{ "pil": "...", "libjpeg": "...", "files": { name: { width, height, gray,
subsampling, rgb, l? } } } where rgb is the SHA-256 of
np.asarray(Image.open(f).convert("RGB")) (what torchvision's ImageFolder feeds
a model), and l that of .convert("L") for files stored gray (lossbench keeps an
all-gray set at one channel). Needs Debian's python3-pil and python3-numpy.
The files are generated, not taken from any data set; rerunning rewrites the
same bytes as long as PIL and libjpeg-turbo are the same versions.
"""
import hashlib
import io
import json
import os
import subprocess

import numpy as np
from PIL import Image, JpegImagePlugin

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "decode")
rng = np.random.default_rng(20261203)


def picture(w, h, gray=False):
    """Smooth gradients, sharp edges and noise: every DCT frequency and chroma matter."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 128 + 100 * np.sin(x / max(w, 1) * 6.3 + y / max(h, 1) * 2.1)
    g = np.where((x // 3 + y // 4) % 2 == 0, 40.0, 210.0)
    b = 255 * (x + y) / max(w + h - 2, 1)
    img = np.stack([r, g, b], -1) + rng.normal(0, 18, (h, w, 3))
    img = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    pil = Image.fromarray(img, "RGB")
    return pil.convert("L") if gray else pil


def libjpeg_version():
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libjpeg62-turbo"],
                             capture_output=True, text=True, check=True).stdout
        return f"libjpeg62-turbo {out}"
    except Exception:
        return "unknown"


SUBSAMPLING = {0: "4:4:4", 1: "4:2:2", 2: "4:2:0"}
# name: (width, height, gray, save options)
JPEGS = {}
for q in (50, 75, 90, 95, 100):
    for ss in (0, 1, 2):
        JPEGS[f"q{q}_{SUBSAMPLING[ss].replace(':', '')}"] = (32, 32, False, dict(quality=q, subsampling=ss))
for w, h in ((17, 13), (33, 31), (1, 1), (7, 9), (40, 24)):
    for ss in (1, 2):
        JPEGS[f"odd{w}x{h}_{SUBSAMPLING[ss].replace(':', '')}"] = (
            w, h, False, dict(quality=85, subsampling=ss))
for ss in (0, 2):
    JPEGS[f"progressive_{SUBSAMPLING[ss].replace(':', '')}"] = (
        32, 32, False, dict(quality=80, subsampling=ss, progressive=True))
JPEGS["optimized_420"] = (32, 32, False, dict(quality=70, subsampling=2, optimize=True))
JPEGS["progressive_odd19x21_420"] = (19, 21, False, dict(quality=60, subsampling=2, progressive=True))
for q in (50, 90):
    JPEGS[f"gray_q{q}"] = (32, 32, True, dict(quality=q))
JPEGS["gray_odd15x11_progressive"] = (15, 11, True, dict(quality=75, progressive=True))

PNGS = {
    "rgb": lambda: picture(32, 32),
    "rgba": lambda: Image.merge("RGBA", (*picture(20, 12).split(), picture(20, 12, True))),
    "gray": lambda: picture(13, 17, True),
    "gray_alpha": lambda: Image.merge("LA", (picture(16, 16, True), picture(16, 16, True))),
    "palette": lambda: picture(24, 24).quantize(37),
    "bilevel": lambda: picture(19, 7, True).convert("1"),
}


def digest(img):
    return hashlib.sha256(np.ascontiguousarray(np.asarray(img)).tobytes()).hexdigest()


def main():
    os.makedirs(OUT, exist_ok=True)
    files = {}
    for name, (w, h, gray, opts) in JPEGS.items():
        buf = io.BytesIO()
        picture(w, h, gray).save(buf, "JPEG", **opts)
        files[f"{name}.jpg"] = buf.getvalue()
    for name, make in PNGS.items():
        buf = io.BytesIO()
        make().save(buf, "PNG")
        files[f"{name}.png"] = buf.getvalue()
    record = {}
    for fname, data in sorted(files.items()):
        with open(os.path.join(OUT, fname), "wb") as f:
            f.write(data)
        img = Image.open(io.BytesIO(data))
        img.load()
        gray = img.mode in ("L", "LA", "1")
        entry = {"width": img.width, "height": img.height, "gray": gray, "mode": img.mode}
        if img.format == "JPEG" and not gray:
            entry["subsampling"] = SUBSAMPLING[JpegImagePlugin.get_sampling(img)]
        entry["rgb"] = digest(img.convert("RGB"))
        if gray:
            entry["l"] = digest(img.convert("L"))
        record[fname] = entry
    meta = {"pil": Image.__version__, "libjpeg": libjpeg_version(), "files": record}
    with open(os.path.join(OUT, "pil.json"), "w") as f:
        json.dump(meta, f, indent=2, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(record)} files and pil.json to {os.path.normpath(OUT)}")


main()
