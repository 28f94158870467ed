#!/usr/bin/env bash
# The rules x attacks table of docs/FL.md (see scripts/docs-numbers.sh): mean
# final error over fl.seeds = 5 seeds, +- the sample sd; "div" marks a cell
# where some seed ended above the initial error.
set -euo pipefail
DNT=${DNT:-build/dnt}
out=$(mktemp -d)
"$DNT" fl --quiet --rule all --attack all --seed 1 --out "$out/t" >/dev/null 2>&1
echo "Made by \`dnt fl --rule all --attack all --seed 1\` (seeds 1..5 per cell; mean +- sd of the final error)."
echo
awk -F, 'NR > 1 {
    if (!(($1) in seen)) { seen[$1] = 1; rules[++nr] = $1 }
    if (!(($2) in seena)) { seena[$2] = 1; atks[++na] = $2 }
    cell[$1, $2] = $6 > 0 ? "div" : ($3 == "" ? "-" : sprintf("%.3f +- %.3f", $3, $4))
  }
  END {
    printf "| rule |"; for (a = 1; a <= na; a++) printf " %s |", atks[a]; printf "\n|---|"
    for (a = 1; a <= na; a++) printf "---|"; printf "\n"
    for (r = 1; r <= nr; r++) {
      printf "| %s |", rules[r]
      for (a = 1; a <= na; a++) printf " %s |", cell[rules[r], atks[a]]
      printf "\n"
    }
  }' "$out/t/table.csv"
rm -rf "$out"
