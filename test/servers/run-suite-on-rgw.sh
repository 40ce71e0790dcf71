#!/usr/bin/env bash
# Runs the end-to-end suite against a throw-away Ceph RADOS Gateway: up, test, down (always).
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA_DIR=${RIVA_CEPH_DIR:-/tmp/riva-ceph-rgw}
trap 'test/servers/ceph-rgw-down.sh "$DATA_DIR"' EXIT
test/servers/ceph-rgw-up.sh "$DATA_DIR" >/dev/null
set -a
# shellcheck disable=SC1091
. "$DATA_DIR/env"
set +a
npm run test:s3
