#!/usr/bin/env bash
# Validates action.yml, every workflow and every example workflow against GitHub's schemas with
# @action-validator/cli (one file per call: the command takes a single path).
set -euo pipefail
cd "$(dirname "$0")/.."
validator=node_modules/.bin/action-validator
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# The validator's bundled schema (0.6.0) predates the node24 runtime and rejects `using: node24`
# alone; everything else in action.yml is checked on a copy that names node20 instead, and the
# runtime itself is pinned here.
grep -qx '  using: node24' action.yml || { echo "action.yml: runs.using is not node24" >&2; exit 1; }
sed 's/^  using: node24$/  using: node20/' action.yml >"$scratch/action.yml"

# Nor does it know the `attestations` permission (actions/attest needs `attestations: write`, a verifying job `read`):
# workflows are checked on a copy without that one line.
failed=0
check() {
  local label=$1 path=$2 copy
  copy="$scratch/checked-$(basename "$path")"
  grep -Ev '^ *attestations: (read|write)$' "$path" >"$copy"
  if "$validator" "$copy"; then echo "valid: $label"; else echo "INVALID: $label" >&2; failed=1; fi
}
check action.yml "$scratch/action.yml"
for file in .github/workflows/*.yml docs/examples/*.yml; do check "$file" "$file"; done

# README's yaml blocks that are whole workflows (they have jobs:), each as its own file.
awk -v dir="$scratch" '
  /^```yaml$/ { n++; file = dir "/readme-" n ".yml"; inside = 1; next }
  /^```$/ { inside = 0; next }
  inside { print > file }
' README.md
for file in "$scratch"/readme-*.yml; do
  [ -e "$file" ] || continue
  if grep -q '^jobs:' "$file"; then check "README.md yaml block ${file##*/readme-}" "$file"; fi
done
exit "$failed"
