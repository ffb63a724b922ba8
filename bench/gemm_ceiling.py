# /usr/bin/python3 bench/gemm_ceiling.py M,K,N,tA,tB ...
# PyTorch's sgemm on the given shapes (tA/tB 0 or 1: operand given transposed, as the mlp's
# gradients are), torch.set_num_threads(1): one JSON line of GMAC/s (best of 30 calls each),
# with the threads the process ran and its CPU time over wall time. Whether the BLAS behind
# torch really runs on one thread is up to the environment (OPENBLAS_NUM_THREADS), which is
# why bench/gemm_ceiling.ts runs this twice.
import json
import os
import sys
import time

import torch

torch.set_num_threads(1)
out = {"torch": torch.__version__, "shapes": []}
cpu0, wall0 = time.process_time(), time.perf_counter()
for arg in sys.argv[1:]:
    M, K, N, tA, tB = (int(v) for v in arg.split(","))
    a = torch.randn(K, M).t() if tA else torch.randn(M, K)
    b = torch.randn(N, K).t() if tB else torch.randn(K, N)
    for _ in range(5):
        a @ b
    best = float("inf")
    for _ in range(30):
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
    out["shapes"].append(M * K * N / best / 1e9)
out["threads"] = len(os.listdir("/proc/self/task"))
out["cpuOverWall"] = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
print(json.dumps(out))
