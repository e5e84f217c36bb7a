#!/usr/bin/env bash
# Duplicates benchmark (docs/benchmarks.md, "Duplicates by content"): a plain upload beside --skip-duplicates,
# FOLDERS x 1,000 files of 2 KiB into a local folder, each with a fresh journal; first upload, then the same card
# into the next cycle. Prints wall, user and system seconds per run.
#
#   bench/duplicates-bench.sh [WORKDIR] [FOLDERS]      (ferry from src/Ferry.Cli's Release build)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
W=${1:-/tmp/ferry-dupes-bench} FOLDERS=${2:-2}
F=(dotnet "$ROOT/src/Ferry.Cli/bin/Release/net10.0/ferry.dll")
unset AWS_CA_BUNDLE AWS_PROFILE AWS_ENDPOINT_URL
rm -rf "$W"; mkdir -p "$W/src"
for d in $(seq 1 "$FOLDERS"); do
  mkdir -p "$W/src/SN$d"
  for i in $(seq 1 1000); do head -c 2048 /dev/urandom >"$W/src/SN$d/f$i.txt"; done
done
t() { local label=$1; shift; /usr/bin/time -f "$label %e wall %U user %S sys" "$@" >/dev/null 2>>"$W/times"; }
for mode in plain skip; do
  flag=(); [[ $mode == skip ]] && flag=(--skip-duplicates)
  export FERRY_HOME="$W/home-$mode"
  t "$mode first-upload" "${F[@]}" upload "$W/src" "file://$W/out-$mode/C1" -q --check off "${flag[@]}"
  t "$mode next-cycle" "${F[@]}" upload "$W/src" "file://$W/out-$mode/C2" -q --check off "${flag[@]}"
done
cat "$W/times"
