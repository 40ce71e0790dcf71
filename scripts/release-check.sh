#!/usr/bin/env bash
# Exercises the release script (scripts/release.ts) on a scratch clone of this repository's HEAD,
# so nothing here is tagged: two real releases, the tags they leave, the major tag moving, and
# the refusals that must change nothing (a stale dist/ among them). Three builds of dist/ in all.
# Removes the clone afterwards.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/riva-release-check.XXXXXX")
clone="$scratch/repo"
# ncc keeps a build cache per project folder under XDG_CACHE_HOME: keep the clone's with the clone.
export XDG_CACHE_HOME="$scratch/cache"
cleanup() { rm -rf "$scratch"; }
trap cleanup EXIT

fail() { echo "release check: $*" >&2; exit 1; }

git clone --quiet "$repo" "$clone"
# A real node_modules folder inside the clone (hard links when the file system allows): the
# bundle's module ids come from paths relative to the project, so a symlink would change them.
cp -al "$repo/node_modules" "$clone/node_modules" 2>/dev/null || {
  rm -rf "$clone/node_modules"
  cp -a "$repo/node_modules" "$clone/node_modules"
}
git -C "$clone" config user.name 'Release Check'
git -C "$clone" config user.email 'release-check@localhost'

release() { (cd "$clone" && npm run --silent release -- "$@"); }
commit_of() { git -C "$clone" rev-parse "$1^{commit}"; }

# A refusal names its reason and leaves HEAD, the tree and the tags as they were.
expect_refusal() {
  local reason=$1
  shift
  local head tags output
  head=$(git -C "$clone" rev-parse HEAD)
  tags=$(git -C "$clone" tag --list)
  if output=$(release "$@" 2>&1); then fail "release $* succeeded; expected a refusal ($reason)"; fi
  grep -q -- "$reason" <<<"$output" || fail "release $* refused without naming '$reason': $output"
  [ "$(git -C "$clone" rev-parse HEAD)" = "$head" ] || fail "a refused release $* moved HEAD"
  [ "$(git -C "$clone" tag --list)" = "$tags" ] || fail "a refused release $* changed the tags"
  echo "refused as expected ($reason): release $*"
}

current=$(cd "$clone" && node -p "require('./package.json').version")
echo untracked >"$clone/untracked.txt"
expect_refusal 'uncommitted or untracked' major
rm "$clone/untracked.txt"
[ -z "$(git -C "$clone" status --porcelain)" ] || fail "the refusal left changes in the tree"
expect_refusal 'not greater than the current' "$current"
expect_refusal 'neither major, minor, patch' 1.0

# A committed dist/ file that no build makes: stale, refused after the build, nothing changed.
echo '// left over from an older build' >"$clone/dist/leftover.js"
git -C "$clone" add dist/leftover.js
git -C "$clone" commit --quiet -m 'A stale dist/'
expect_refusal 'dist/leftover.js (deleted)' major
[ -z "$(git -C "$clone" status --porcelain)" ] || fail "the stale-dist refusal left changes in the tree"
git -C "$clone" rm --quiet dist/leftover.js
git -C "$clone" commit --quiet -m 'dist/ as the build makes it'

# First release: a new major.
release major
first=$(git -C "$clone" rev-parse HEAD)
version=$(cd "$clone" && node -p "require('./package.json').version")
major=v${version%%.*}
[ "$(commit_of "v$version")" = "$first" ] || fail "v$version does not point at the release commit"
[ "$(commit_of "$major")" = "$first" ] || fail "$major does not point at the release commit"
[ "$(git -C "$clone" cat-file -t "v$version")" = tag ] || fail "v$version is not an annotated tag"
[ "$(cd "$clone" && node dist/cli/index.js --version)" = "$version" ] || fail "the rebuilt bundle does not report $version"
grep -q "^## v$version - " "$clone/CHANGELOG.md" || fail "CHANGELOG.md has no v$version section"
git -C "$clone" tag --list --format='%(contents)' "v$version" | grep -q '^### ' ||
  fail "v$version's message does not carry the changelog section"
[ -z "$(git -C "$clone" status --porcelain)" ] || fail "the release left changes in the tree"
echo "released v$version; $major at $first"

# Nothing new under Unreleased: nothing to release.
expect_refusal 'section is empty' patch

# A change lands, then a second release of the same major moves the major tag.
sed -i 's/^## Unreleased$/## Unreleased\n\n### Fixed\n- A change worth releasing./' "$clone/CHANGELOG.md"
git -C "$clone" commit --quiet -am 'A change worth releasing'
release minor
second=$(git -C "$clone" rev-parse HEAD)
next=$(cd "$clone" && node -p "require('./package.json').version")
[ "$second" != "$first" ] || fail "the second release made no commit"
[ "$(commit_of "v$next")" = "$second" ] || fail "v$next does not point at the second release commit"
[ "$(commit_of "$major")" = "$second" ] || fail "$major did not move to the second release"
[ "$(commit_of "v$version")" = "$first" ] || fail "v$version moved"
echo "released v$next; $major moved from $first to $second"
echo "release check passed"
