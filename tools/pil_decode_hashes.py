#!/usr/bin/env python3
"""Prints `<sha256> <member path>` for every PNG or JPEG member of a .tar.gz (or
.tar): the SHA-256 of the pixels PIL decodes, as Image.open(f).convert("RGB")
(what torchvision's ImageFolder gives a model). tools/check_decode_copy.ts
compares lossbench's decode of every file with these.

    /usr/bin/python3 tools/pil_decode_hashes.py ARCHIVE > hashes.txt
"""
import hashlib
import io
import sys
import tarfile

import numpy as np
from PIL import Image

with tarfile.open(sys.argv[1]) as tar:
    for m in tar:
        if not m.isfile() or not m.name.lower().endswith((".png", ".jpg", ".jpeg")):
            continue
        img = Image.open(io.BytesIO(tar.extractfile(m).read())).convert("RGB")
        print(hashlib.sha256(np.asarray(img).tobytes()).hexdigest(), m.name)
