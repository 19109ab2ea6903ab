# Sourced by the benches' run.sh scripts (auth, content, progress, realtime), from the
# repository root, with the script's arguments as positional parameters:
#
#   source bench/lib/backend.sh   # then: uv run --project "$project" --frozen python ...
#
# Takes a leading `--rev REV` off the arguments: the backend is then benched as committed at REV
# (a clean `git archive` export with its own venv, in a temporary folder removed on exit)
# instead of the working tree, so that the figures belong to one commit. Sets `project` (the
# backend to run) and exports LW_BENCH_SOURCE (what was benched, for the results). Installs wrk
# and HAProxy from Debian when they are missing.

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

project="$PWD/backend"
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
