#!/usr/bin/env bash
# Regenerates every results table in docs/: each table sits between the lines
#   <!-- numbers:NAME -->   and   <!-- /numbers:NAME -->
# of some doc, and scripts/numbers/NAME.sh prints its markdown (its first line
# names the command that made it). Usage:
#   bash scripts/docs-numbers.sh            every table
#   bash scripts/docs-numbers.sh NAME...    only these
# Needs the binaries in build/ (cmake -S . -B build && cmake --build build);
# DNT overrides the dnt binary. A block no script makes, or a script whose block
# is in no doc, is an error: tables and their makers cannot drift apart.
set -euo pipefail
cd "$(dirname "$0")/.."
export DNT=${DNT:-build/dnt}
[ -x "$DNT" ] || { echo "docs-numbers: $DNT not found; build first" >&2; exit 1; }

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for s in scripts/numbers/*.sh; do
    [ -e "$s" ] && names+=("$(basename "$s" .sh)")
  done
fi
for doc in docs/*.md; do
  for name in $(sed -n 's/^<!-- numbers:\([A-Za-z0-9_-]*\) -->$/\1/p' "$doc"); do
    [ -f "scripts/numbers/$name.sh" ] ||
      { echo "docs-numbers: $doc has block '$name' but scripts/numbers/$name.sh is missing" >&2; exit 1; }
  done
done
for name in "${names[@]}"; do
  doc=$(grep -l -x -- "<!-- numbers:$name -->" docs/*.md | head -n 1 || true)
  [ -n "$doc" ] || { echo "docs-numbers: no doc has a block '$name'" >&2; exit 1; }
  echo "docs-numbers: $name -> $doc" >&2
  out=$(mktemp)
  bash "scripts/numbers/$name.sh" >"$out"
  awk -v name="$name" -v body="$out" '
    $0 == "<!-- numbers:" name " -->" { print; while ((getline line < body) > 0) print line; skip = 1; next }
    $0 == "<!-- /numbers:" name " -->" { skip = 0 }
    !skip { print }' "$doc" >"$doc.tmp.$$"
  mv "$doc.tmp.$$" "$doc"
  rm -f "$out"
done
