#!/usr/bin/env bash
# lossbench on a real GPU (tfjs WebGPU over Vulkan), next to PyTorch CUDA.
#
# 1. Where Deno is (and dl.deno.land, or DENORT_BIN naming a denort binary):
#      tools/gpu_check.sh pack [--target x86_64-unknown-linux-gnu] [OUT.tar.gz]
#    `deno compile`s bench/gpu_check.ts (WebGPU enabled) into one binary and packs it with this
#    script and the PyTorch side (bench/torch_models.py, tools/make_model_fixtures.py) into
#    OUT (default dist/lossbench-gpu-check.tar.gz). The GPU machine needs no Deno.
# 2. On the GPU machine (a Vulkan driver: `vulkaninfo --summary` lists the GPU; for the PyTorch
#    column, a python3 whose torch sees CUDA):
#      tar xzf lossbench-gpu-check.tar.gz && lossbench-gpu-check/gpu_check.sh \
#        [--steps N] [--models a,b|all] [--allow-fallback]
#    (or, in a checkout with Deno: tools/gpu_check.sh run …). It prints the adapter, the
#    WebGPU-vs-cpu parity of two ConvNet training steps, each model's step img/s (and the
#    ConvNet's eval) on WebGPU and on the cpu backend, the same on PyTorch CUDA when present,
#    then a table side by side. Record the table in the README's Performance section.
# Exit status: 0 done; 1 WebGPU and cpu disagree; 2 no WebGPU adapter (no Vulkan driver);
# 3 only a software adapter (pass --allow-fallback to check correctness anyway); 4 neither the
# compiled binary nor Deno to run it; 5 bad usage.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin_name=lossbench-gpu-check
# PyTorch's side: the interpreter, and the device (TORCH_DEVICE=cpu exercises the column without
# a GPU; its numbers are then PyTorch cpu's, labelled as such).
py=${PYTHON:-python3}
torch_device=${TORCH_DEVICE:-cuda}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pack() {
  local target=x86_64-unknown-linux-gnu out=""
  while [ $# -gt 0 ]; do
    case $1 in
      --target) target=$2; shift 2 ;;
      *) out=$1; shift ;;
    esac
  done
  local root; root=$(cd "$here/.." && pwd)
  out=${out:-$root/dist/$bin_name.tar.gz}
  local stage=$tmp/stage
  local dir=$stage/$bin_name
  mkdir -p "$dir/bench" "$dir/tools" "$(dirname "$out")"
  (cd "$root" && deno compile -A --unstable-webgpu --target "$target" \
    --output "$dir/$bin_name" bench/gpu_check.ts)
  cp "$root/tools/gpu_check.sh" "$dir/gpu_check.sh"
  cp "$root/bench/torch_models.py" "$dir/bench/"
  cp "$root/tools/make_model_fixtures.py" "$dir/tools/"
  tar czf "$out" -C "$stage" "$bin_name"
  echo "packed $out ($(du -h "$out" | cut -f1)); on the GPU machine:" >&2
  echo "  tar xzf $(basename "$out") && $bin_name/gpu_check.sh" >&2
}

run() {
  # The compiled binary beside this script (packed layout), else Deno in a checkout.
  local -a check
  if [ -x "$here/$bin_name" ]; then
    check=("$here/$bin_name")
    torch_py=$here/bench/torch_models.py
  elif command -v deno >/dev/null && [ -f "$here/../bench/gpu_check.ts" ]; then
    check=(deno run -A --unstable-webgpu "$here/../bench/gpu_check.ts")
    torch_py=$here/../bench/torch_models.py
  else
    echo "gpu_check: no $bin_name beside this script and no deno to run bench/gpu_check.ts" >&2
    echo "  (build one where Deno is: tools/gpu_check.sh pack)" >&2
    exit 4
  fi
  if command -v vulkaninfo >/dev/null; then
    echo "# vulkaninfo --summary (devices):" >&2
    vulkaninfo --summary 2>/dev/null | grep -E "deviceName|driverName|driverInfo" >&2 || true
  else
    echo "# vulkaninfo not installed (apt-get install vulkan-tools to list Vulkan devices)" >&2
  fi
  local lines=$tmp/lossbench.jsonl torch_lines=$tmp/torch.jsonl
  local rc=0
  "${check[@]}" "$@" | tee "$lines" || rc=$?
  [ "$rc" -eq 0 ] || { echo "gpu_check: stopped with status $rc (see the error line above)" >&2; exit "$rc"; }

  local probe="import torch, sys; sys.exit(0 if '$torch_device' == 'cpu' or torch.cuda.is_available() else 1)"
  if ! "$py" -c "$probe" 2>/dev/null; then
    echo "# PyTorch CUDA not present ($py: no torch, or torch without a CUDA device): no CUDA column" >&2
    table "$lines"
    return
  fi
  "$py" - "$torch_py" "$lines" "$torch_device" >"$torch_lines" <<'PY'
import json, subprocess, sys
torch_py, lines, device = sys.argv[1:4]
rows = [json.loads(l) for l in open(lines) if l.startswith("{")]
models = [r["model"] for r in rows if r.get("backend") == "webgpu"]
p = subprocess.Popen([sys.executable, torch_py, "--device", device], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, text=True)
print(p.stdout.readline().strip())
def ask(req):
    p.stdin.write(json.dumps(req) + "\n"); p.stdin.flush()
    return json.loads(p.stdout.readline())
for m in models:
    ask({"op": "step", "model": m, "steps": 5, "batch": 64})  # warm-up, cuDNN autotune
    out = {"backend": "pytorch-" + device, "model": m, "batch": 64,
           "stepImgPerSec": round(ask({"op": "step", "model": m, "steps": 200, "batch": 64})["imgPerSec"], 1)}
    if m == "convnet":
        out["evalImgPerSec"] = round(ask({"op": "eval", "model": m, "reps": 50, "batch": 500})["imgPerSec"], 1)
    print(json.dumps(out))
p.stdin.close(); p.wait()
PY
  cat "$torch_lines"
  table "$lines" "$torch_lines"
}

# Step (and eval) img/s per model: WebGPU, cpu, PyTorch on its device, WebGPU ÷ PyTorch.
table() {
  "$py" - "$torch_device" "$@" <<'PY' || true
import json, sys
device = sys.argv[1]
rows = [json.loads(l) for f in sys.argv[2:] for l in open(f) if l.startswith('{"backend"')]
by = {}
for r in rows:
    by.setdefault(r["model"], {})[r["backend"]] = r
print(f"\n| model | measure | webgpu | cpu | pytorch {device} | webgpu ÷ pytorch {device} |")
print("|---|---|---|---|---|---|")
for m, b in by.items():
    for key, label in (("stepImgPerSec", "train step, batch 64"), ("evalImgPerSec", "eval, batch 500")):
        if key not in b.get("webgpu", {}):
            continue
        g, c, t = (b.get(k, {}).get(key) for k in ("webgpu", "cpu", "pytorch-" + device))
        ratio = f"{g / t:.2f}" if g and t else "—"
        fmt = lambda v: f"{v:,.0f}" if v else "—"
        print(f"| {m} | {label} | {fmt(g)} | {fmt(c)} | {fmt(t)} | {ratio} |")
PY
}

case ${1:-run} in
  pack) shift; pack "$@" ;;
  run) [ $# -gt 0 ] && shift; run "$@" ;;
  -h | --help) sed -n '2,22p' "$0" ;;
  --*) run "$@" ;;
  *) echo "usage: $0 [pack [--target T] [OUT.tar.gz] | run [--steps N] [--models …] [--allow-fallback]]" >&2; exit 5 ;;
esac
