#!/usr/bin/env bash
# Runs the progress bench in the backend's environment (see bench/README.md):
#
#   bench/progress/run.sh [--rev REV] [OPTIONS of run.py]
#
# --rev REV benches the backend as committed at REV instead of the working tree (see
# bench/lib/backend.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib/backend.sh

uv run --project "$project" --frozen python -u bench/progress/run.py "$@"
