#!/usr/bin/env bash
# Installs the Debian packages that dnt needs to build, test and draw figures.
# Idempotent; runs as root or through sudo.
#   scripts/install-deps.sh          build + test dependencies
#   scripts/install-deps.sh --bench  also the benchmark peers (python3-torch, ~1 GB)
set -euo pipefail

bench=0
for arg in "$@"; do
  case "$arg" in
    --bench) bench=1 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "install-deps.sh: unknown option '$arg' (expected --bench)" >&2; exit 2 ;;
  esac
done

packages=(
  build-essential cmake pkg-config git ca-certificates
  libopenblas-dev liblapacke-dev libsqlite3-dev libjansson-dev libigraph-dev
  libopenmpi-dev openmpi-bin libmicrohttpd-dev gnuplot-nox
  clang libclang-rt-dev valgrind
)
[ "$bench" = 1 ] && packages+=(python3 python3-torch python3-numpy hyperfine)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && { echo "install-deps.sh: all packages present"; exit 0; }

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
