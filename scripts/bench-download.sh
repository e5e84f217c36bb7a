#!/usr/bin/env bash
# Download benchmark: `ferry download` beside `rclone copy` in the opposite direction (bucket -> folder),
# same s3rver, same data, one run. Uses ../shared/bench (s3rver, datasets) like compare.sh does.
#
#   scripts/bench-download.sh [--datasets small,medium,large] [--rounds N] [--ferry PATH] [--wan D[,U[,W]]] [--drop-caches]
#   (FERRY_BENCH_DIR=DIR names the kit when it is not ../shared/bench beside the checkout)
#
# --drop-caches (root) empties the page cache before every timed run: s3rver's CPU for the same work grows with the
# page cache its earlier runs left (up to 2x here), which otherwise favours whichever tool ran first.
# --wan puts both tools behind ../shared/bench/wan-proxy.py (D ms each way, optional shared up/down
# Mbit/s caps), as compare.sh --wan does; the dataset is uploaded over loopback, only downloads cross it.
#
# Per dataset: one fresh s3rver and bucket, the dataset uploaded once with ferry (so objects carry
# SHA-256 metadata), then per round each tool downloads into a fresh empty folder (order rotated),
# timed with GNU time (wall s, peak RSS, CPU s), and the result compared byte for byte with the
# source (diff -r). Prints a table of medians and ferry/rclone ratios.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=${FERRY_BENCH_DIR:-$ROOT/../shared/bench} # the shared benchmark kit (s3rver, datasets, wan-proxy.py)
[[ -d $BENCH ]] || { echo "needs ../shared/bench beside the project" >&2; exit 2; }
datasets=small,medium,large rounds=3 ferry='' wan='' drop=''
while (($#)); do
  case $1 in
    --datasets) datasets=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --ferry) ferry=$2; shift 2 ;;
    --wan) wan=$2; shift 2 ;;
    --drop-caches) drop=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
"$BENCH/setup.sh" -q
# shellcheck source=/dev/null
. "$BENCH/lib.sh"
if [[ -z $ferry ]]; then
  dotnet publish "$ROOT/src/Ferry.Cli" -c Release -o "$ROOT/artifacts/bench-bin" -nologo -v quiet
  ferry="$ROOT/artifacts/bench-bin/ferry"
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-dl-bench.XXXXXX")
state="$work/server"
wanpid=''
stop_wan() { if [[ -n $wanpid ]]; then kill "$wanpid" 2>/dev/null || true; wait "$wanpid" 2>/dev/null || true; wanpid=''; fi; }
trap 'stop_wan; "$BENCH/s3rver.sh" stop --state "$state" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1 FERRY_HOME="$work/ferry-home"
unset AWS_CA_BUNDLE AWS_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3
: >"$work/rclone.conf"
results="$work/results.tsv"
: >"$results"

timed() { # LABEL CMD...
  local label=$1; shift
  sync
  [[ -z $drop ]] || echo 3 >/proc/sys/vm/drop_caches
  /usr/bin/time -f '%e %M %U %S' -o "$work/time" "$@" >"$work/$label.log" 2>&1 || { echo "FAILED: $label" >&2; tail -5 "$work/$label.log" >&2; return 1; }
  read -r wall rss user sys <"$work/time"
  printf '%s\t%s\t%s\t%s\n' "$wall" "$((rss / 1024))" "$(echo "$user + $sys" | bc)" "ok"
}

IFS=, read -r -a DATASETS <<<"$datasets"
for ds in "${DATASETS[@]}"; do
  src="${FERRY_BENCH_DATA:-$BENCH_CACHE/datasets}/$ds"
  "$BENCH/gen-dataset.sh" "$ds" "$src" >/dev/null
  bucket="dl-$ds"
  ep=$(TMPDIR="$work" "$BENCH/s3rver.sh" start --state "$state" --bucket "$bucket" --log "$work/s3rver-$ds.log")
  "$ferry" upload "$src" "s3://$bucket/$ds" --endpoint "$ep" -q >/dev/null
  if [[ -n $wan ]]; then # the same server, a wide-area link away (as compare.sh --wan)
    IFS=, read -r d u w <<<"$wan"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    python3 "$BENCH/wan-proxy.py" --listen "$port" --upstream "${ep#http://}" --delay-ms "$d" \
      --up-mbit "${u:-0}" --down-mbit "${w:-0}" >"$work/wan-$ds.log" 2>&1 &
    wanpid=$!
    for _ in $(seq 50); do grep -q ready "$work/wan-$ds.log" 2>/dev/null && break; sleep 0.1; done
    ep=http://127.0.0.1:$port
  fi
  for r in $(seq "$rounds"); do
    order=(rclone ferry); ((r % 2)) || order=(ferry rclone)
    for tool in "${order[@]}"; do
      out="$work/out-$tool"; rm -rf "$out" "$FERRY_HOME"; mkdir -p "$out"
      if [[ $tool == rclone ]]; then
        line=$(timed "$ds-$tool-$r" env RCLONE_CONFIG="$work/rclone.conf" rclone copy ":s3,provider=Other,env_auth=true,region=us-east-1,endpoint='$ep':$bucket/$ds" "$out" --transfers 16 --checkers 16 --fast-list)
      else
        line=$(timed "$ds-$tool-$r" "$ferry" download "s3://$bucket/$ds" "$out" --endpoint "$ep" -q)
      fi
      diff -r "$src" "$out" >/dev/null || line="${line%ok}DIFFERENT"
      printf '%s\t%s\t%s\t%s\n' "$ds" "$tool" "$r" "$line" >>"$results"
      echo "[$(date +%H:%M:%S)] $ds r$r $tool: $line" >&2
    done
  done
  stop_wan
  "$BENCH/s3rver.sh" stop --state "$state"
done

[[ -n $wan ]] && echo "wan: $wan (ms each way[,up,down Mbit/s])"
python3 - "$results" <<'PY'
import sys, statistics, collections
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
by = collections.defaultdict(list)
for ds, tool, r, wall, rss, cpu, status in rows:
    by[(ds, tool)].append((float(wall), int(rss), float(cpu), status))
print(f"{'dataset':8} {'tool':7} {'ok':>5} {'median_s':>9} {'min-max_s':>13} {'cpu_s':>6} {'RSS_MiB':>8} {'vs_rclone':>9}")
for ds in dict.fromkeys(r[0] for r in rows):
    med = {}
    for tool in ("rclone", "ferry"):
        runs = by[(ds, tool)]
        ok = [x for x in runs if x[3] == "ok"]
        walls = [x[0] for x in ok]
        med[tool] = statistics.median(walls) if walls else float("nan")
        ratio = f"{med[tool] / med['rclone']:.2f}x" if tool == "ferry" and ok and med.get("rclone") else "-"
        print(f"{ds:8} {tool:7} {len(ok)}/{len(runs):<3} {med[tool]:9.2f} {min(walls or [0]):6.2f}-{max(walls or [0]):<6.2f} "
              f"{statistics.median([x[2] for x in ok] or [0]):6.2f} {max([x[1] for x in ok] or [0]):8d} {ratio:>9}")
PY
