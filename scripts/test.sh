#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this script):
#   1. installs the Debian packages (scripts/install-deps.sh; no-op when present)
#   2. Release build with -Werror, CTest
#   3. ASan + UBSan build with -Werror, CTest (leaks fail the run)
#   4. libFuzzer targets (clang), each for FUZZ_SECONDS (8 s: ten targets,
#      about the 80 s the stage took with four at 20 s), from a copy of its
#      seed corpus; a crash is kept as build-fuzz/<target>-crash-* and fails
# Build folders: build-test/, build-asan/, build-fuzz/. Long runs: docs/TESTING.md.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
fuzz_seconds=${FUZZ_SECONDS:-8}

bash scripts/install-deps.sh

echo "== Release build and tests =="
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Release -DDNT_WERROR=ON >/dev/null
cmake --build build-test -j"$jobs"
ctest --test-dir build-test -j"$jobs" --output-on-failure

echo "== Sanitizer build (ASan + UBSan) and tests =="
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DDNT_SANITIZE=ON -DDNT_WERROR=ON \
  -DDNT_BENCH=OFF -DCMAKE_C_FLAGS="-O1" >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  DNT_SANITIZED=1 ctest --test-dir build-asan -j"$jobs" --output-on-failure

echo "== Fuzz targets (${fuzz_seconds}s each) =="
CC=clang cmake -S . -B build-fuzz -DDNT_FUZZ=ON -DDNT_TESTS=OFF -DDNT_BENCH=OFF \
  -DDNT_MPI=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-fuzz -j"$jobs" --target fuzz_all
for target in build-fuzz/fuzz/fuzz_*; do
  [ -x "$target" ] || continue
  name=$(basename "$target")
  corpus=fuzz/corpus/${name#fuzz_}
  work=$(mktemp -d)
  cp -r "$corpus"/. "$work"/ 2>/dev/null || true
  echo "-- $name"
  "$target" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="build-fuzz/$name-" "$work" \
    >"build-fuzz/$name.log" 2>&1 || { tail -n 40 "build-fuzz/$name.log"; exit 1; }
  tail -n 1 "build-fuzz/$name.log"
  rm -rf "$work"
done
echo "== all test stages passed =="
