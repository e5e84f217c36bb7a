#!/usr/bin/env bash
# Times one folder three ways against one fresh s3rver: `ferry upload` (direct), `ferry upload --server` (through an
# upload session: presigned PUTs, the server verifies) and an upload job (`ferry jobs queue`, run by the server's
# in-process worker), after one untimed 20-file upload through the server (a server that has been running), and
# prints wall time, files/s and CPU seconds (the client's from /usr/bin/time, the server's and s3rver's from /proc,
# user + system) for each, and how many /complete calls the server answered for `--server`. Usage:
#   scripts/bench-server-verify.sh FERRY_DLL FOLDER
# FERRY_DLL is a built ferry.dll (e.g. src/Ferry.Cli/bin/Release/net10.0/ferry.dll of the commit to measure); FOLDER
# must be under a folder the server may read (its parent is passed as --allowed-root). Needs the shared benchmark's
# s3rver (../shared/bench/setup.sh). Run it under `nice -n 19` on a shared machine.
set -euo pipefail

dll=$(realpath "$1")
folder=$(realpath "$2")
bench=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../shared/bench" 2>/dev/null && pwd || echo /work/shared/bench)
work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-bench-verify.XXXXXX")
files=$(find "$folder" -type f | wc -l)
spid=''

cleanup() {
  [[ -n $spid ]] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null || true
  bash "$bench/s3rver.sh" stop --state "$work/s3" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

endpoint=$(bash "$bench/s3rver.sh" start --state "$work/s3" --bucket direct --bucket warm --bucket session --bucket job)
unset AWS_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_CA_BUNDLE AWS_SESSION_TOKEN AWS_DEFAULT_REGION
export HOME=$work FERRY_HOME=$work/ferry AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=$work/none AWS_SHARED_CREDENTIALS_FILE=$work/none
export FERRY_ADMIN_PASSWORD=bench-admin-password FERRY_PASSWORD=bench-admin-password
export Ferry__Storage__AllowPrivateEndpoints=true

s3pid=$(cat "$work/s3/pid")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"

dotnet "$dll" db migrate >/dev/null
dotnet "$dll" serve --urls "$url" --allowed-root "$(dirname "$folder")" --worker >"$work/serve.log" 2>&1 &
spid=$!
for _ in $(seq 120); do curl -fs "$url/healthz" >/dev/null 2>&1 && break; sleep 1; done

# CPU seconds (user + system) of a process so far.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }
api() { curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

token=$(curl -fsS -H 'Content-Type: application/json' -d '{"username":"admin","password":"bench-admin-password"}' "$url/api/auth/login" | json '["access_token"]')
company=$(api "$url/api/auth/me" | json '["company_id"]')
location=$(api -d "{\"name\":\"bench\",\"endpoint_url\":\"$endpoint\",\"region\":\"us-east-1\",\"credential_source\":\"default\"}" "$url/api/storage-locations" | json '["id"]')
for bucket in warm session job; do
  api -d "{\"company_id\":$company,\"bucket_pattern\":\"$bucket\",\"shared\":false}" "$url/api/storage-locations/$location/grants" >/dev/null
  id=$(api -d "{\"name\":\"bench-$bucket\",\"bucket_name\":\"$bucket\",\"region\":\"us-east-1\",\"endpoint_url\":\"$endpoint\"}" "$url/api/projects" | json '["id"]')
  api -d '{"name":"C1"}' "$url/api/projects/$id/cycles" >/dev/null
done
dotnet "$dll" login "$url" --username admin >/dev/null

report() { # NAME WALL CLIENT_CPU SERVER_CPU S3RVER_CPU
  awk -v n="$1" -v w="$2" -v c="$3" -v s="$4" -v r="$5" -v f="$files" \
    'BEGIN { printf "%-22s %7.1f s %6.0f files/s   cpu: client %6.1f s  server %6.1f s  s3rver %6.1f s  total %6.1f s\n", n, w, f / w, c, s, r, c + s + r }'
}

# Direct, then through the server; /usr/bin/time gives the client's wall and CPU time.
run() { # NAME ARGS...
  local name=$1; shift
  local s0 r0
  s0=$(cpu "$spid"); r0=$(cpu "$s3pid")
  /usr/bin/time -f '%e %U %S' -o "$work/time" dotnet "$dll" "$@" -q >"$work/out" 2>&1 || { cat "$work/out" >&2; exit 1; }
  read -r wall user sys <"$work/time"
  report "$name" "$wall" "$(echo "$user + $sys" | bc)" "$(echo "$(cpu "$spid") - $s0" | bc)" "$(echo "$(cpu "$s3pid") - $r0" | bc)"
}
# A server that has been running: one small upload through it first, untimed (its first session pays start-up costs
# a long-running server has paid: compiling its request paths, the database's first queries).
mkdir -p "$work/warm"
for i in $(seq 20); do head -c 4096 /dev/urandom >"$work/warm/$i.bin"; done
dotnet "$dll" upload "$work/warm" --server "$url" --project bench-warm --cycle C1 -q >/dev/null
completes() { { curl -fs "$url/metrics" || true; } | awk '/^http_server_request_duration_seconds_count/ && /complete"/ && /status_code="200"/ { n += $NF } END { print n + 0 }'; }
warm_completes=$(completes)
run "ferry upload (direct)" upload "$folder" "s3://direct/x" --endpoint "$endpoint"
run "ferry upload --server" upload "$folder" --server "$url" --project bench-session --cycle C1
# How the server verified them: /complete calls (OpenTelemetry's request counter) and listings that fell back to HEAD.
echo "  through the server: $(( $(completes) - warm_completes )) /complete calls, $(grep -c 'checked with HEAD instead' "$work/serve.log" || true) calls that fell back to HEAD for a failed listing"

# The job: from queueing to the job's completed status (the idle worker polls every second or two).
s0=$(cpu "$spid"); r0=$(cpu "$s3pid")
start=$(date +%s.%N)
job=$(dotnet "$dll" jobs queue "$folder" --project bench-job --cycle C1 --server "$url" --json | json '["id"]')
while :; do
  status=$(api "$url/api/jobs/$job" | json '["status"]')
  [[ $status == completed ]] && break
  [[ $status == failed || $status == cancelled ]] && { api "$url/api/jobs/$job" >&2; exit 1; }
  sleep 0.2
done
wall=$(echo "$(date +%s.%N) - $start" | bc)
report "upload job" "$wall" 0 "$(echo "$(cpu "$spid") - $s0" | bc)" "$(echo "$(cpu "$s3pid") - $r0" | bc)"
echo "files: $files; dll: $dll"
