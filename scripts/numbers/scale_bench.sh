#!/usr/bin/env bash
# The scaling series of docs/PERFORMANCE.md (see scripts/docs-numbers.sh): about
# 45 s of CPU, most of it the quadratic peer at 100,000 BSs.
set -euo pipefail
bench=${DNT_BENCH_DIR:-build/bench}/bench_scale
echo "Made by \`build/bench/bench_scale --markdown\` (process CPU seconds; Matern sites, generated traffic, seed 1; one child process per size)."
echo
"$bench" --markdown
