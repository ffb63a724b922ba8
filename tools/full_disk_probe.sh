#!/bin/bash
# A real full disk (needs root for the tmpfs): serves lossbench with its KV on
# a small tmpfs, queues a 48-run grid, fills the disk, waits past Deno KV's
# 60 s expiry collection, kills -9 and restarts while still full, then frees
# the space and waits for the grid to finish. Prints what survived.
#   sudo tools/full_disk_probe.sh [size, default 8m]
set -u
SIZE=${1:-8m}
PORT=${PORT:-18777}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/lb-full-disk-XXXXXX)
MNT=$WORK/disk
mkdir -p "$MNT" && mount -t tmpfs -o size="$SIZE" tmpfs "$MNT" || exit 1
trap 'kill -9 $(cat $WORK/pid) 2>/dev/null; sleep 1; umount "$MNT"; rm -rf "$WORK"' EXIT
cd "$ROOT"
start() {
  LOSSBENCH_KV=$MNT/lossbench.kv LOSSBENCH_CACHE=$WORK/cache LOSSBENCH_LEASE_MS=3000 PORT=$PORT \
    HOST=127.0.0.1 LOSSBENCH_WORKERS=1 LOSSBENCH_BACKEND=cpu deno run -A main.ts >>"$WORK/log" 2>&1 &
  echo $! >"$WORK/pid"
  for _ in $(seq 1 100); do
    curl -s "127.0.0.1:$PORT/api/health" >/dev/null && return 0
    kill -0 "$(cat "$WORK/pid")" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}
statuses() {
  curl -s "127.0.0.1:$PORT/api/runs" | /usr/bin/python3 -c 'import json,sys,collections
r=json.load(sys.stdin)["runs"]; print(dict(collections.Counter(x["status"] for x in r)))' 2>/dev/null
}
files() { ls -la "$MNT" | awk 'NR>3{printf "%s %s; ", $9, $5}'; }
start || { echo "first start failed"; exit 1; }
curl -s -XPOST "127.0.0.1:$PORT/api/experiments" -H 'content-type: application/json' \
  -d '{"data":"synthetic","trainLimit":128,"testLimit":32,"batchSize":64,"epochs":6,"repeats":12,
       "losses":[{"loss":"ce"},{"loss":"l1"},{"loss":"focal","params":{"gamma":2}},{"loss":"gce"}]}' \
  >/dev/null
sleep 8
dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null
echo "full: $(files)"
sleep 75
if kill -0 "$(cat "$WORK/pid")" 2>/dev/null; then echo "alive after 75 s full"; else echo "DIED while full"; fi
echo "runs while full: $(statuses)"
kill -9 "$(cat "$WORK/pid")"
sleep 1
if start; then echo "restarted while full: $(curl -s "127.0.0.1:$PORT/api/health" | head -c 160)"
else echo "restart failed: $(grep -m1 'panicked\|Uncaught' "$WORK/log")"; fi
rm -f "$MNT/filler"
for _ in $(seq 1 90); do
  sleep 2
  S=$(statuses)
  case "$S" in *queued* | *running* | "") ;; *) break ;; esac
done
echo "after freeing the space: $S; $(files)"
echo "panics: $(grep -c panicked "$WORK/log")"
