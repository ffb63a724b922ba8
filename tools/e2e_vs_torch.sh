#!/usr/bin/env bash
# One epoch of cross-entropy on a whole image-folder data set (default: the
# shared CIFAR-10 copy), first with lossbench's CLI on the cpu backend, then
# with the report's PyTorch pipeline (tools/torch_reference_run.py), back to
# back on the same machine; prints both training rates and their ratio.
#   tools/e2e_vs_torch.sh [ARCHIVE.tar.gz]
set -euo pipefail
cd "$(dirname "$0")/.."
archive=${1:-../shared/data/cifar10-jpg.tar.gz}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar xzf "$archive" -C "$tmp"

deno task train --loss ce --epochs 1 --backend cpu --data "$archive" --out "$tmp/ours.csv" >&2
ours=$(tail -1 "$tmp/ours.csv" | cut -d, -f9)
torch_line=$(/usr/bin/python3 tools/torch_reference_run.py --data "$tmp" --loss ce --epochs 1 | tail -1)
echo "torch: $torch_line" >&2
theirs=${torch_line##* }
python3 -c "print('{\"lossbenchTrainImgPerSec\": %.0f, \"torchPipelineTrainImgPerSec\": %.0f, \"ratio\": %.2f}' % ($ours, $theirs, $ours / $theirs))"
