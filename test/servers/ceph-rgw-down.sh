#!/usr/bin/env bash
# Stops the daemons ceph-rgw-up.sh started (and only those: the PIDs in its data directory),
# then removes the data directory.
# Usage: test/servers/ceph-rgw-down.sh [DATA_DIR]   (default /tmp/riva-ceph-rgw)
set -uo pipefail

DATA_DIR=${1:-${RIVA_CEPH_DIR:-/tmp/riva-ceph-rgw}}
[ -d "$DATA_DIR/run" ] || exit 0

pids=()
for pid_file in "$DATA_DIR"/run/*.pid; do
  [ -f "$pid_file" ] || continue
  pid=$(cat "$pid_file")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null && pids+=("$pid")
  fi
done
for pid in "${pids[@]}"; do
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
done
rm -rf "$DATA_DIR"
echo "ceph-rgw-down: stopped ${#pids[@]} daemons" >&2
