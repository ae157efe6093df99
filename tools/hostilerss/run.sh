#!/bin/sh
# The CLI's peak resident memory linting each crafted 1 MB postmortem of
# BenchmarkLintHostile (docs/BENCHMARKS.md §4, Hostile Markdown): writes
# the documents, builds postmortem, runs `postmortem lint --format json` on
# each under GNU time (Linux) and prints "max-RSS-KB user-s sys-s construct",
# the largest first.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! [ -x /usr/bin/time ]; then
  echo "hostilerss: needs GNU time at /usr/bin/time" >&2
  exit 1
fi
(cd "$root" && POSTMORTEM_HOSTILE_DIR="$tmp/docs" ${GO:-go} test -count=1 -run='^TestWriteHostileDocs$' ./checks >/dev/null)
(cd "$root" && ${GO:-go} build -o "$tmp/postmortem" ./cmd/postmortem)
for f in "$tmp"/docs/*.md; do
  name=$(basename "$f" .md)
  /usr/bin/time -f "%M %U %S" -o "$tmp/time" "$tmp/postmortem" lint --format json "$f" >/dev/null 2>&1 || true
  echo "$(tail -n 1 "$tmp/time") $name"
done | sort -n -r
