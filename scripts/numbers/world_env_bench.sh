#!/usr/bin/env bash
# The world-to-agent bridge table of docs/PERFORMANCE.md (see scripts/docs-numbers.sh).
set -euo pipefail
bench=${DNT_BENCH_DIR:-build/bench}/bench_world_env
echo "Made by \`build/bench/bench_world_env --markdown\` (CPU microseconds per instance step; 20,000 steps, episodes of 200)."
echo
"$bench" --markdown
