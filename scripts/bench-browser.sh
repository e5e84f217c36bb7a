#!/usr/bin/env bash
# Times a folder upload from headless Chromium (the web app's upload page) beside `ferry upload` on the same
# s3rver, and the page's longest main-thread task. Dataset: the shared benchmark's `small` (20,000 x 4 KiB)
# unless a folder is given. Usage: scripts/bench-browser.sh [FOLDER]
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
cd "$FERRY_ROOT"

folder=${1:-}
if [[ -z $folder ]]; then
  folder="${XDG_CACHE_HOME:-$HOME/.cache}/ferry-bench-browser/small"
  [[ -f "$folder.ferry-bench.json" ]] || bash ../shared/bench/gen-dataset.sh small "$folder" >&2
fi

ferry_require_dotnet
ferry_install_s3rver
[[ -x /usr/bin/chromium ]] || ferry_apt chromium
dotnet build bench/Ferry.Web.Bench -c Release -nologo -v quiet >/dev/null
dotnet bench/Ferry.Web.Bench/bin/Release/net10.0/Ferry.Web.Bench.dll "$folder"
