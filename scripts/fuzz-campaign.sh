#!/usr/bin/env bash
# The long fuzzing campaign of docs/TESTING.md: every libFuzzer target (or the
# ones named) for SECONDS (default 600), two at a time under nice -n 10, each
# from its committed seed corpus fuzz/corpus/<x> into a scratch corpus
# $WORK/<x> (WORK default /tmp/dnt-fuzz-campaign; crashes as $WORK/<x>-crash-*),
# then prints the markdown table of docs/TESTING.md from the logs.
#   scripts/fuzz-campaign.sh [seconds] [target...]
# FUZZ_REPORT_ONLY=1 prints the table of the logs already in $WORK.
# FUZZ_MERGE=1 then minimises each grown corpus into the committed one
# (-merge=1: only inputs that add coverage are copied).
# Needs the fuzz build in build-fuzz/ (configure line in docs/TESTING.md).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
shift || true
work=${WORK:-/tmp/dnt-fuzz-campaign}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in fuzz/fuzz_*.c; do
    n=$(basename "$f" .c)
    targets+=("${n#fuzz_}")
  done
fi
mkdir -p "$work"

run_one() {
  local t=$1
  mkdir -p "$work/$t"
  nice -n 10 "build-fuzz/fuzz/fuzz_$t" "$work/$t" "fuzz/corpus/$t" -max_total_time="$secs" \
    -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/$t-" \
    >"$work/$t.log" 2>&1 || true
}

if [ -z "${FUZZ_REPORT_ONLY:-}" ]; then
  git rev-parse --short HEAD >"$work/revision"
  # two queues, targets dealt alternately
  for q in 0 1; do
    (for i in "${!targets[@]}"; do
      [ $((i % 2)) -eq $q ] && run_one "${targets[$i]}"
    done) &
  done
  wait
fi

rev=$(cat "$work/revision" 2>/dev/null || git rev-parse --short HEAD)
echo "Made by \`scripts/fuzz-campaign.sh $secs\` ($(date -u +%Y-%m-%d), revision $rev, 2 targets at a time on 2 shared cores)."
echo
echo "| target | executions | exec/s | corpus (inputs, bytes) | cov | ft | findings |"
echo "|---|---:|---:|---:|---:|---:|---|"
for t in "${targets[@]}"; do
  log=$work/$t.log
  [ -f "$log" ] || continue
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  last=$(grep -E '^#[0-9]+' "$log" | grep 'cov:' | tail -n 1)
  cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")
  files=$(find "$work/$t" -type f | wc -l)
  bytes=$(du -sb "$work/$t" | cut -f1)
  found=$(find "$work" -maxdepth 1 -name "$t-*" -printf '%f ' | sed "s/$t-//g")
  echo "| $t | ${execs:-?} | ${rate:-?} | $files, $bytes | ${cov:-?} | ${ft:-?} | ${found:-none} |"
  if [ -n "${FUZZ_MERGE:-}" ]; then
    "build-fuzz/fuzz/fuzz_$t" -merge=1 "fuzz/corpus/$t" "$work/$t" >"$work/$t.merge.log" 2>&1
  fi
done
