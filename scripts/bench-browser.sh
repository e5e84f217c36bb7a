#!/usr/bin/env bash
# Times a folder upload from headless Chromium (the web app's upload page) beside `ferry upload` on the same
# s3rver, and the page's longest main-thread task. Dataset: the shared benchmark's `small` (20,000 x 4 KiB)
# unless a folder is given. --browser-only leaves out the CLI run (for folders too large to upload twice in one
# measuring slot: the 100,000-file folder). --no-build runs what was built (build first at low priority, outside
# any measuring lock). It also reports the longest main-thread time blocked after the browser handed over the file
# list and the page's memory (JS heap from CDP Performance.getMetrics, Chromium processes' RSS): by the long-task API
# (tasks Chromium attributes to the page) and, unless FERRY_BENCH_TRACE is set, from a light trace of the whole run
# (whatever the main thread ran, with the CPU time the thread got in each long task).
# FERRY_BENCH_PROFILE=FILE also writes the page's main-thread CPU profile during the upload (.cpuprofile).
# FERRY_BENCH_HEAP_PROFILE=FILE also writes where the page allocated, during the upload, what is still alive or a major
# garbage collection collected (CDP HeapProfiler sampling; a .heapprofile that Chromium's DevTools open).
# FERRY_BENCH_TRACE=FILE writes a Chromium trace (timeline, GC, IPC) of FERRY_BENCH_TRACE_SECONDS (20) of the upload,
# from FERRY_BENCH_TRACE_AFTER seconds after Start (60 by default), or after choosing the folder begins with
# FERRY_BENCH_TRACE_FROM=choose (Chromium fills the input first: 30-58 s for 100,000 files here, so the hand-over
# comes that long after): what the page's long tasks are, native work included.
# FERRY_BENCH_START=after-checks chooses Start once the page's checks have answered (as the page asks) instead of as soon
# as Start is enabled, when the checks worker reads every file's head beside the upload.
# FERRY_BENCH_NICE_PEERS=N (1-19) runs s3rver and the Ferry server at that niceness (every thread), so the browser gets a
# core first, as on a laptop where neither runs.
# Usage: scripts/bench-browser.sh [--browser-only] [--no-build] [FOLDER]
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
cd "$FERRY_ROOT"

only=() build=1
while [[ ${1:-} == --* ]]; do
  case $1 in
    --browser-only) only=(--browser-only) ;;
    --no-build) build=0 ;;
    *) echo "bench-browser.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
folder=${1:-}
if [[ -z $folder ]]; then
  folder="${XDG_CACHE_HOME:-$HOME/.cache}/ferry-bench-browser/small"
  [[ -f "$folder.ferry-bench.json" ]] || bash ../shared/bench/gen-dataset.sh small "$folder" >&2
fi

ferry_require_dotnet
ferry_install_s3rver
[[ -x /usr/bin/chromium ]] || ferry_apt chromium
[[ $build == 0 ]] || dotnet build bench/Ferry.Web.Bench -c Release -nologo -v quiet >/dev/null
dotnet bench/Ferry.Web.Bench/bin/Release/net10.0/Ferry.Web.Bench.dll "${only[@]}" "$folder"
