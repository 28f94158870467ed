#!/usr/bin/env bash
# The method table of docs/RESULTS.md (see scripts/docs-numbers.sh): `dnt
# forecast` on its default config (beam_wireless.csv, 100 BSs) or, with
# FORECAST_ARGS="--generated", on generated planted clusters; seeds 1..3,
# mean +- sample sd of each method's test NRMSE and MAE, its simulated time
# and bytes to the common target, the simulated time of its kept model, its
# bytes up + down, its rounds (epochs for local_only and centralized), and
# the clustering.
set -euo pipefail
DNT=${DNT:-build/dnt}
ARGS=${FORECAST_ARGS:-}
out=$(mktemp -d)
for s in 1 2 3; do
  # shellcheck disable=SC2086
  "$DNT" forecast $ARGS --seed "$s" --threads 2 --quiet --out "$out/s$s" >/dev/null 2>&1
done
echo "Made by \`dnt forecast${ARGS:+ $ARGS} --seed S --threads 2\` for S = 1, 2, 3 (mean +- sd over the seeds)."
echo
echo "| method | test NRMSE | test MAE | simulated s to target | MB to target | simulated s of the kept model | MB up + down | rounds |"
echo "|---|---|---|---|---|---|---|---|"
jq -rs '
  def ms(f): (map(f) | map(select(. != null))) as $v
    | if ($v | length) == 0 then "-"
      else ($v | add / length) as $m
        | (if ($v | length) > 1 then (($v | map((. - $m) * (. - $m)) | add) / (($v | length) - 1) | sqrt) else 0 end) as $sd
        | "\($m * 10000 | round / 10000) +- \($sd * 10000 | round / 10000)" end;
  . as $runs
  | ["persistence", "seasonal_naive", "linear_ar", "local_only", "centralized", "fedavg",
     "clustered_sync", "clustered_sync_async", "async_only"][] as $k
  | "| \($k) | \($runs | ms(.metrics[$k].nrmse)) | \($runs | ms(.metrics[$k].mae)) | \($runs | ms(.metrics[$k].time_to_target_s)) | \($runs | ms(if .metrics[$k].bytes_to_target == null then null else .metrics[$k].bytes_to_target / 1e6 end)) | \($runs | ms(.metrics[$k].simulated_time_s)) | \($runs | ms((.metrics[$k].bytes_up + .metrics[$k].bytes_down) / 1e6)) | \($runs | ms(.metrics[$k].rounds)) |"
' "$out"/s*/summary.json
echo
jq -rs '"Clustering (\(.[0].metrics.clustering.method)): k = \(map(.metrics.clustering.k) | map(tostring) | join(", ")), modularity \(map(.metrics.clustering.modularity * 1000 | round / 1000) | map(tostring) | join(", "))" + (if .[0].metrics.clustering.ari != null then ", adjusted Rand index against the plant \(map(.metrics.clustering.ari * 1000 | round / 1000) | map(tostring) | join(", "))" else "" end) + "; common target NRMSE \(map(.metrics.target_nrmse * 10000 | round / 10000) | map(tostring) | join(", ")); wall \(map(.wall_seconds | round) | map(tostring) | join(", ")) s."' "$out"/s*/summary.json
rm -rf "$out"
