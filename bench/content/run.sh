#!/usr/bin/env bash
# Runs the content bench (catalog_bench.py) in the backend's environment (see bench/README.md):
#
#   bench/content/run.sh [--rev REV] [OPTIONS]
#
# --rev REV benches the backend as committed at REV (a clean `git archive` export with its own
# venv, in a temporary folder removed afterwards) instead of the working tree, as
# bench/auth/run.sh does. Installs wrk and HAProxy from Debian when they are missing.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"

rev=""
if [ "${1:-}" = "--rev" ]; then
  rev="$2"
  shift 2
fi

if ! command -v wrk >/dev/null || ! command -v haproxy >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq wrk haproxy >/dev/null
  else
    echo "wrk and haproxy are needed: sudo apt-get install -y wrk haproxy" >&2
    exit 1
  fi
fi

project="$repo/backend"
commit="$(git rev-parse --short=12 HEAD)"
if [ -n "$rev" ]; then
  commit="$(git rev-parse --short=12 "$rev^{commit}")"
  export_dir="$(mktemp -d /tmp/lw-bench-src-XXXXXX)"
  trap 'rm -rf "$export_dir"' EXIT
  git archive "$commit" backend | tar -x -C "$export_dir"
  project="$export_dir/backend"
  export LW_BENCH_SOURCE="commit $commit (clean export)"
else
  changed="$(git status --porcelain -- backend | wc -l)"
  export LW_BENCH_SOURCE="working tree at $commit ($changed changed or new files under backend/)"
fi
echo "benching the backend: $LW_BENCH_SOURCE" >&2
uv sync --project "$project" --frozen --quiet
uv run --project "$project" --frozen python bench/content/catalog_bench.py "$@"
