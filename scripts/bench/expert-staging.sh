#!/usr/bin/env bash
# Benchmark baseline: what an expert writes with the aws CLI. The archive's copy is made on the
# server; the archive is downloaded once, hashed and extracted as it arrives; the files are hashed
# and uploaded with the CLI's parallel transfers.
# Usage: expert-staging.sh <work-dir> <bucket> <archive-key> <target-prefix>
set -euo pipefail
work=$1 bucket=$2 key=$3 prefix=$4
mkdir -p "$work/extracted"
export AWS_CONFIG_FILE="$work/aws-config"
printf '[default]\ns3 =\n  max_concurrent_requests = 16\n  multipart_chunksize = 64MB\n' >"$AWS_CONFIG_FILE"

aws s3 cp --only-show-errors "s3://$bucket/$key" "s3://$bucket/${prefix}source/archive.tar.gz" &
copy=$!
mkfifo "$work/archive.fifo"
sha256sum <"$work/archive.fifo" >"$work/archive.sha256" &
hash=$!
aws s3 cp --only-show-errors "s3://$bucket/$key" - | tee "$work/archive.fifo" | tar -xzf - -C "$work/extracted"
wait "$hash"
(cd "$work/extracted" && find . -name '*.riva' -print0 | xargs -0 sha256sum) >"$work/files.sha256"
aws s3 cp --only-show-errors --recursive --exclude '*' --include '*.riva' "$work/extracted" "s3://$bucket/${prefix}models/"
wait "$copy"
