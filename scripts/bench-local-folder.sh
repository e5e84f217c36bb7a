#!/usr/bin/env bash
# Ferry against rclone copying many tiny files into a local folder (docs/benchmarks.md, issue 16's 300,000-file rows).
#
#   scripts/bench-local-folder.sh FERRY_BINARY [PAIRS] [DATA_DIR]
#
# FERRY_BINARY: usually the native build (dotnet publish src/Ferry.Cli.Native -c Release --use-current-runtime -o /tmp/native).
# PAIRS (default 4): first runs, the order alternated per pair (rclone first in odd pairs), then as many reruns with
# nothing to do, alternated the same way. DATA_DIR (default /tmp/p300/big) is made when missing: 600 folders × 500
# files of 1–6 random bytes. Before every run the output (and Ferry's journal) is removed for a first run, then
# `sync` and, when writable (root), /proc/sys/vm/drop_caches. After every run `sync` is timed: what the tool left
# to write back. Prints one line per run (/usr/bin/time: wall s, peak RSS KiB, user and system CPU s).
set -euo pipefail
ferry=${1:?usage: bench-local-folder.sh FERRY_BINARY [PAIRS] [DATA_DIR]}
pairs=${2:-4}
data=${3:-/tmp/p300/big}
work=$(mktemp -d /tmp/ferry-bench-local.XXXXXX)
trap 'rm -rf "$work"' EXIT
command -v rclone >/dev/null || { echo "rclone is not installed (../shared/bench/setup.sh installs it)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time is not installed (apt-get install time)" >&2; exit 2; }

if [[ ! -d $data ]]; then
  echo "making $data (300,000 files)"
  rm -rf "$data.partial"
  python3 - "$data.partial" <<'EOF'
import os, sys
root = sys.argv[1]
for d in range(600):
    folder = os.path.join(root, f"s{d:04d}")
    os.makedirs(folder)
    for f in range(500):
        with open(os.path.join(folder, f"f{f:05d}.bin"), "wb") as out:
            out.write(os.urandom(1 + (d * 500 + f) % 6))
EOF
  mv "$data.partial" "$data"
fi
[[ -w /proc/sys/vm/drop_caches ]] || echo "warning: not root, so the page cache is not dropped before runs (the reads are then warm)" >&2

settle() {
  sync
  if [[ -w /proc/sys/vm/drop_caches ]]; then echo 3 > /proc/sys/vm/drop_caches; fi
  sleep 2
}

# measure NAME COMMAND...: one run, its line, then the time of a sync after it.
measure() {
  local name=$1
  shift
  settle
  /usr/bin/time -f "$name %e s %M KiB %U u %S s" "$@" > /dev/null 2> "$work/$name.err" || { tail -5 "$work/$name.err" >&2; exit 1; }
  tail -1 "$work/$name.err"
  /usr/bin/time -f "  sync after $name %e s" sync 2>&1
}

ferry_run() { measure "$1" env FERRY_HOME="$work/home" "$ferry" upload "$data" "file://$work/out-ferry"; }
rclone_run() { measure "$1" env -u AWS_CA_BUNDLE rclone copy --transfers 16 --checkers 16 "$data" "$work/out-rclone"; }
fresh() { rm -rf "$work/out-ferry" "$work/out-rclone" "$work/home"; mkdir -p "$work/out-ferry" "$work/out-rclone"; }

for ((i = 1; i <= pairs; i++)); do
  echo "first run, pair $i"
  fresh
  if ((i % 2)); then rclone_run rclone; ferry_run ferry; else ferry_run ferry; rclone_run rclone; fi
done

# The last pair left both outputs (and Ferry's journal) in place: reruns with nothing to do.
for ((i = 1; i <= pairs; i++)); do
  echo "rerun, pair $i"
  if ((i % 2)); then rclone_run rclone-rerun; ferry_run ferry-rerun; else ferry_run ferry-rerun; rclone_run rclone-rerun; fi
done
