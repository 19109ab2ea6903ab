#!/usr/bin/env bash
# Runs one of the auth bench's programs in the backend's environment (see bench/README.md):
#
#   bench/auth/run.sh [--rev REV] [run|profile|breakdown|argon2_hash] [OPTIONS]
#
# --rev REV benches the backend as committed at REV instead of the working tree (see
# bench/lib/backend.sh; from b2e15e5 on: before it, the common-password list was not committed).
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib/backend.sh

program="run"
case "${1:-}" in
  run|profile|breakdown|argon2_hash) program="$1"; shift ;;
esac
uv run --project "$project" --frozen python "bench/auth/$program.py" "$@"
