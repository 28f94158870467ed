#!/usr/bin/env bash
# The Pendulum-v1 table of docs/RL.md (see scripts/docs-numbers.sh): TD3 and
# DDPG with the task's defaults (30,000 env steps), seeds 1 to 5.
set -euo pipefail
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
num() { sed -n "s/^    \"$2\": \([0-9.e+-]*\),*$/\1/p" "$1/summary.json"; }
echo "Made by \`dnt rl --env pendulum --algo td3|ddpg --seed S\` for S = 1..5 (Release build,"
echo "one BLAS thread)."
echo
echo "| seed | TD3 mean return | DDPG mean return |"
echo "|---|---|---|"
above=0
for s in 1 2 3 4 5; do
  row="| $s |"
  for a in td3 ddpg; do
    "$DNT" rl --env pendulum --algo "$a" --seed "$s" --quiet --out "$out/$a$s" >/dev/null
    m=$(num "$out/$a$s" mean_return)
    row="$row $(printf '%.2f +- %.2f' "$m" "$(num "$out/$a$s" std_return)") |"
    awk -v m="$m" 'BEGIN {exit !(m > -200)}' && above=$((above + 1))
  done
  echo "$row"
done
echo
echo "$above of the 10 runs are above -200."
