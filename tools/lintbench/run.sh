#!/bin/sh
# Runs alex and write-good (npm) on BenchmarkLintCorpus's text. The linters
# are installed once into a cache directory, never into the repository.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${LINTBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/postmortem-lintbench}
if [ ! -d "$cache/node_modules/alex" ] || [ ! -d "$cache/node_modules/write-good" ]; then
  mkdir -p "$cache"
  (cd "$cache" && npm install --no-audit --no-fund --silent alex@11 write-good@1 >/dev/null)
fi
LINTBENCH_MODULES="$cache/node_modules" node "$root/tools/lintbench/lintbench.mjs" "$root"
