#!/usr/bin/env bash
# The batched-forecaster table of docs/PERFORMANCE.md (see scripts/docs-numbers.sh).
set -euo pipefail
bench=${BENCH_SEQ_FORECAST:-build/bench/bench_seq_forecast}
echo "Made by \`$bench\` (Release build; wall clock on a shared 2-core machine)."
echo
"$bench"
