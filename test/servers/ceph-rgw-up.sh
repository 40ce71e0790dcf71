#!/usr/bin/env bash
# Brings up a throw-away single-node Ceph cluster (one mon, one memstore OSD, RADOS Gateway) on
# 127.0.0.1 from Debian's packages, for the end-to-end suite. No systemd, no containers: every
# daemon runs as a plain process whose PID file lives under the data directory, so
# ceph-rgw-down.sh stops exactly what this started.
#
# Usage: test/servers/ceph-rgw-up.sh [DATA_DIR]   (default /tmp/riva-ceph-rgw)
# Prints, and writes to DATA_DIR/env, the variables the test suite reads:
#   RIVA_TEST_S3_ENDPOINT, RIVA_TEST_S3_ACCESS_KEY_ID, RIVA_TEST_S3_SECRET_ACCESS_KEY, RIVA_TEST_S3_REGION,
#   and for the assumed-role test RIVA_TEST_S3_ROLE_ARN and RIVA_TEST_S3_STS_ENDPOINT
set -euo pipefail

DATA_DIR=${1:-${RIVA_CEPH_DIR:-/tmp/riva-ceph-rgw}}
MON_V2_PORT=${RIVA_CEPH_MON_PORT:-13300}
MON_V1_PORT=${RIVA_CEPH_MON_V1_PORT:-16789}
RGW_PORT=${RIVA_CEPH_RGW_PORT:-17480}
RGW_STS_PORT=${RIVA_CEPH_RGW_STS_PORT:-$((RGW_PORT + 1))}
ACCESS_KEY=${RIVA_CEPH_ACCESS_KEY:-RIVATESTACCESSKEY000}
SECRET_KEY=${RIVA_CEPH_SECRET_KEY:-rivatestsecretkey0000000000000000000000000}
# The OSD keeps every object in memory; 4 GiB holds the test suite, a 1 GiB benchmark needs ~8 GiB.
MEMSTORE_BYTES=${RIVA_CEPH_MEMSTORE_BYTES:-4294967296}
started=$(date +%s)

log() { echo "ceph-rgw-up: $*" >&2; }

if ! command -v ceph-mon >/dev/null || ! command -v ceph-osd >/dev/null || ! command -v radosgw >/dev/null \
  || ! command -v radosgw-admin >/dev/null || ! command -v ceph >/dev/null; then
  log "installing ceph-mon ceph-osd radosgw ceph-common from Debian's packages"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
    ceph-mon ceph-osd radosgw ceph-common curl >/dev/null
fi

if [ -d "$DATA_DIR" ]; then
  "$(dirname "$0")/ceph-rgw-down.sh" "$DATA_DIR" >/dev/null 2>&1 || true
  rm -rf "$DATA_DIR"
fi
mkdir -p "$DATA_DIR"/{run,log,mon,osd,rgw,rgw-sts}
DATA_DIR=$(cd "$DATA_DIR" && pwd)
CONF="$DATA_DIR/ceph.conf"
FSID=$(cat /proc/sys/kernel/random/uuid)

cat >"$CONF" <<CONF
[global]
fsid = $FSID
mon host = [v2:127.0.0.1:$MON_V2_PORT,v1:127.0.0.1:$MON_V1_PORT]
public addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = $DATA_DIR/\$name.keyring
run dir = $DATA_DIR/run
pid file = $DATA_DIR/run/\$name.pid
admin socket = $DATA_DIR/run/\$name.asok
log file = $DATA_DIR/log/\$name.log
mon data = $DATA_DIR/mon/\$cluster-\$id
osd data = $DATA_DIR/osd/\$cluster-\$id
osd objectstore = memstore
memstore device bytes = $MEMSTORE_BYTES
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
mon max pg per osd = 1000
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
# Deleted objects stay in the memstore until garbage collection: collect quickly in tests.
rgw gc obj min wait = 10
rgw gc processor period = 10
rgw gc processor max time = 10

[client.rgw.0]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw data = $DATA_DIR/rgw
rgw dns name = localhost
# STS AssumeRole for the credential chain's assumed-role profiles; the key encrypts session tokens.
rgw sts key = rivateststskey16

# A second gateway of the same cluster that also takes STS session credentials for S3. Apart,
# because with them on, RGW answers a wrong secret with AccessDenied, not SignatureDoesNotMatch.
[client.rgw.1]
rgw frontends = beast endpoint=127.0.0.1:$RGW_STS_PORT
rgw data = $DATA_DIR/rgw-sts
rgw dns name = localhost
rgw sts key = rivateststskey16
rgw s3 auth use sts = true
CONF

ceph_cmd() { ceph -c "$CONF" -n client.admin --keyring "$DATA_DIR/client.admin.keyring" "$@"; }

log "creating keys and the monitor map"
ceph-authtool --create-keyring "$DATA_DIR/mon.a.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool --create-keyring "$DATA_DIR/client.admin.keyring" --gen-key -n client.admin \
  --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
ceph-authtool "$DATA_DIR/mon.a.keyring" --import-keyring "$DATA_DIR/client.admin.keyring" >/dev/null
monmaptool --create --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_V2_PORT,v1:127.0.0.1:$MON_V1_PORT]" \
  "$DATA_DIR/monmap" >/dev/null

log "starting the monitor"
ceph-mon -c "$CONF" --mkfs -i a --monmap "$DATA_DIR/monmap" --keyring "$DATA_DIR/mon.a.keyring"
ceph-mon -c "$CONF" -i a
for _ in $(seq 1 60); do ceph_cmd --connect-timeout 2 -s >/dev/null 2>&1 && break; sleep 0.5; done
ceph_cmd -s >/dev/null

log "creating and starting the OSD (memstore)"
OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
OSD_ID=$(ceph_cmd osd create "$OSD_UUID")
OSD_KEYRING="$DATA_DIR/osd.$OSD_ID.keyring"
ceph-authtool --create-keyring "$OSD_KEYRING" --gen-key -n "osd.$OSD_ID" >/dev/null
ceph_cmd auth add "osd.$OSD_ID" osd 'allow *' mon 'allow profile osd' mgr 'allow profile osd' -i "$OSD_KEYRING" >/dev/null 2>&1
mkdir -p "$DATA_DIR/osd/ceph-$OSD_ID"
ceph-osd -c "$CONF" -i "$OSD_ID" --mkfs --osd-uuid "$OSD_UUID" --keyring "$OSD_KEYRING" >"$DATA_DIR/log/osd-mkfs.log" 2>&1 || {
  log "ceph-osd --mkfs failed:"; tail -n 20 "$DATA_DIR/log/osd-mkfs.log" >&2; exit 1; }
ceph_cmd osd crush add-bucket localhost host >/dev/null 2>&1
ceph_cmd osd crush move localhost root=default >/dev/null 2>&1
ceph_cmd osd crush add "osd.$OSD_ID" 1.0 host=localhost >/dev/null 2>&1
ceph-osd -c "$CONF" -i "$OSD_ID" --keyring "$OSD_KEYRING" 2>>"$DATA_DIR/log/osd-start.log"
for _ in $(seq 1 60); do
  ceph_cmd osd dump 2>/dev/null | grep -q "^osd.$OSD_ID up" && break
  sleep 0.5
done

# start_gateway NAME PORT WHAT: one radosgw of the cluster, waited for until it answers on PORT.
start_gateway() {
  local name=$1 port=$2 what=$3
  log "starting $what on 127.0.0.1:$port"
  ceph_cmd auth get-or-create "client.$name" mon 'allow rw' osd 'allow rwx' -o "$DATA_DIR/client.$name.keyring" >/dev/null
  radosgw -c "$CONF" -n "client.$name" --keyring "$DATA_DIR/client.$name.keyring"
  for _ in $(seq 1 120); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break
    sleep 0.5
  done
  if ! curl -fsS -o /dev/null "http://127.0.0.1:$port/"; then
    log "$what did not answer; its log:"
    tail -n 40 "$DATA_DIR/log/client.$name.log" >&2 || true
    exit 1
  fi
}
start_gateway rgw.0 "$RGW_PORT" "RADOS Gateway"
start_gateway rgw.1 "$RGW_STS_PORT" "the STS gateway"

log "creating the test user"
radosgw-admin -c "$CONF" -n client.admin --keyring "$DATA_DIR/client.admin.keyring" user create \
  --uid=riva-test --display-name="riva-130-stage tests" \
  --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null
# A role the test user may assume, allowed all of S3: a profile with role_arn reaches STS for it.
ROLE_NAME=riva-stage
radosgw-admin -c "$CONF" -n client.admin --keyring "$DATA_DIR/client.admin.keyring" role create \
  --role-name="$ROLE_NAME" --path=/ \
  --assume-role-policy-doc='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam:::user/riva-test"]},"Action":["sts:AssumeRole"]}]}' >/dev/null
radosgw-admin -c "$CONF" -n client.admin --keyring "$DATA_DIR/client.admin.keyring" role-policy put \
  --role-name="$ROLE_NAME" --policy-name=s3 \
  --policy-doc='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*"],"Resource":["arn:aws:s3:::*"]}]}' >/dev/null

cat >"$DATA_DIR/env" <<ENV
RIVA_TEST_S3_ENDPOINT=http://127.0.0.1:$RGW_PORT
RIVA_TEST_S3_ACCESS_KEY_ID=$ACCESS_KEY
RIVA_TEST_S3_SECRET_ACCESS_KEY=$SECRET_KEY
RIVA_TEST_S3_REGION=us-east-1
RIVA_TEST_S3_ROLE_ARN=arn:aws:iam:::role/$ROLE_NAME
RIVA_TEST_S3_STS_ENDPOINT=http://127.0.0.1:$RGW_STS_PORT
ENV
cat "$DATA_DIR/env"
log "S3 answers on http://127.0.0.1:$RGW_PORT after $(( $(date +%s) - started )) s"
