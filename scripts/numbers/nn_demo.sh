#!/usr/bin/env bash
# The nn demonstration table of docs/STUDIES.md (see scripts/docs-numbers.sh).
set -euo pipefail
out=$(mktemp -d)
"$DNT" nn --seed 1 --quiet --out "$out/nn" >/dev/null
echo "Made by \`dnt nn --seed 1\` (beam_wireless.csv column V-0 when ../shared/data is present)."
echo
echo "| model | test RMSE | test MAE |"
echo "|---|---|---|"
sed -n 's/.*"\(lstm_rmse\|lstm_mae\|seasonal_naive_rmse\|seasonal_naive_mae\)": \([0-9.e+-]*\).*/\1 \2/p' "$out/nn/summary.json" |
  awk '{v[$1] = $2} END {printf "| LSTM | %.4f | %.4f |\n| seasonal naive | %.4f | %.4f |\n",
       v["lstm_rmse"], v["lstm_mae"], v["seasonal_naive_rmse"], v["seasonal_naive_mae"]}'
rm -rf "$out"
