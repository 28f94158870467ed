#!/usr/bin/env bash
# The what-if forks table of docs/PERFORMANCE.md (see scripts/docs-numbers.sh).
set -euo pipefail
bench=${DNT_BENCH_DIR:-build/bench}/bench_whatif
echo "Made by \`build/bench/bench_whatif --markdown\` (medians of 5 alternating measurements; the 125-BS generated cellular world, a policy acting every step, 3 metrics)."
echo
"$bench" --markdown
