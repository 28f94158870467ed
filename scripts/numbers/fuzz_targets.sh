#!/usr/bin/env bash
# The libFuzzer targets and their committed corpora (docs/TESTING.md): one row
# per fuzz/fuzz_<x>.c, with the first sentence of its header comment.
set -euo pipefail
echo 'Made by `bash scripts/numbers/fuzz_targets.sh`.'
echo
echo "| target | what it fuzzes | committed corpus (inputs, bytes) |"
echo "|---|---|---:|"
for f in fuzz/fuzz_*.c; do
  name=$(basename "$f" .c)
  what=$(awk '/\*\//{print; exit} {print}' "$f" | sed 's|^/\* *||; s|^ \* *||; s|\*/||' |
    tr '\n' ' ' | sed "s/^$name: *//; s/\. .*//; s/  */ /g; s/ *$//")
  dir=fuzz/corpus/${name#fuzz_}
  n=$(find "$dir" -type f 2>/dev/null | wc -l)
  bytes=$(find "$dir" -type f -printf '%s\n' 2>/dev/null | awk '{s += $1} END {print s + 0}')
  echo "| $name | $what | $n, $bytes |"
done
