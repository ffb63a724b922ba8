#!/usr/bin/env bash
# One epoch of cross-entropy on a whole image-folder data set (default: the shared CIFAR-10
# copy) with lossbench's CLI on the cpu backend, and with the report's PyTorch pipeline
# (tools/torch_reference_run.py), alternating for ROUNDS rounds (default 3) on the same
# machine; prints each round's training rates and ratio, then the median ratio.
#   tools/e2e_vs_torch.sh [ARCHIVE.tar.gz] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
archive=${1:-../shared/data/cifar10-jpg.tar.gz}
rounds=${2:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar xzf "$archive" -C "$tmp"

ratios=()
for r in $(seq 1 "$rounds"); do
  deno task train --loss ce --epochs 1 --backend cpu --data "$archive" --out "$tmp/ours.csv" \
    > /dev/null 2>&1
  ours=$(tail -1 "$tmp/ours.csv" | cut -d, -f9)
  torch_line=$(/usr/bin/python3 tools/torch_reference_run.py --data "$tmp" --loss ce --epochs 1 |
    tail -1)
  theirs=${torch_line##* }
  ratio=$(python3 -c "print('%.2f' % ($ours / $theirs))")
  ratios+=("$ratio")
  echo "{\"round\": $r, \"lossbenchTrainImgPerSec\": $(printf %.0f "$ours"), \"torchPipelineTrainImgPerSec\": $(printf %.0f "$theirs"), \"ratio\": $ratio}"
done
python3 -c "import statistics, sys; r = [float(x) for x in sys.argv[1:]]; print('{\"rounds\": %d, \"medianRatio\": %.2f, \"min\": %.2f, \"max\": %.2f}' % (len(r), statistics.median(r), min(r), max(r)))" "${ratios[@]}"
