#!/usr/bin/env bash
# The CartPole-v1 table of docs/RL.md (see scripts/docs-numbers.sh): DQN with
# the task's defaults, seeds 1 to 5, and what holds over them.
set -euo pipefail
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
num() { sed -n "s/^    \"$2\": \([0-9.e+-]*\),*$/\1/p" "$1/summary.json"; }
echo "Made by \`dnt rl --env cartpole --seed S\` for S = 1..5 (Release build, one BLAS thread)."
echo
echo "| seed | mean return (100 episodes) | min | env steps | training time |"
echo "|---|---|---|---|---|"
perfect=0 solved=0
for s in 1 2 3 4 5; do
  "$DNT" rl --env cartpole --seed "$s" --quiet --out "$out/$s" >/dev/null
  d="$out/$s"
  printf '| %s | %.2f +- %.2f | %.0f | %s | %.1f s |\n' "$s" "$(num "$d" mean_return)" \
    "$(num "$d" std_return)" "$(num "$d" min_return)" "$(num "$d" steps)" "$(num "$d" train_seconds)"
  awk -v m="$(num "$d" mean_return)" 'BEGIN {exit !(m >= 475)}' && solved=$((solved + 1))
  awk -v m="$(num "$d" min_return)" 'BEGIN {exit !(m == 500)}' && perfect=$((perfect + 1))
done
echo
echo "Solved (mean >= 475) with $solved of 5 seeds; every one of the 100 evaluation episodes"
echo "reached 500 with $perfect of 5. The step count is where a selection evaluation (20 episodes)"
echo "and its confirmation (100 more) first reached 500 and training stopped; the time includes"
echo "the periodic evaluations."
