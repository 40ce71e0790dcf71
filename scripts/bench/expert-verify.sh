#!/usr/bin/env bash
# Benchmark baseline: a deep check with the aws CLI. Download the staging and check its
# checksums file with sha256sum.
# Usage: expert-verify.sh <work-dir> <s3-prefix-of-the-staging>
set -euo pipefail
work=$1 prefix=$2
mkdir -p "$work"
export AWS_CONFIG_FILE="$work/aws-config"
printf '[default]\ns3 =\n  max_concurrent_requests = 16\n  multipart_chunksize = 64MB\n' >"$AWS_CONFIG_FILE"
aws s3 cp --only-show-errors --recursive "$prefix" "$work/staging"
cd "$work/staging" && sha256sum --quiet -c checksums.sha256
