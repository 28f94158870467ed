#!/usr/bin/env bash
# The generated planted-cluster table of docs/RESULTS.md: forecast_table.sh
# with --generated (100 BSs, 5 planted clusters).
set -euo pipefail
FORECAST_ARGS="--generated" exec "$(dirname "$0")/forecast_table.sh"
