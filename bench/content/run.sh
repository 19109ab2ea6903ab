#!/usr/bin/env bash
# Runs the content bench (catalog_bench.py) in the backend's environment (see bench/README.md):
#
#   bench/content/run.sh [--rev REV] [OPTIONS]
#
# --rev REV benches the backend as committed at REV instead of the working tree (see
# bench/lib/backend.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib/backend.sh

uv run --project "$project" --frozen python bench/content/catalog_bench.py "$@"
