#!/usr/bin/env bash
# Measures the server's batch paths on SQLite and on PostgreSQL, through real HTTP to a `ferry serve` process:
#   - registering 300,000 files in one session, in batches of 10,000 (and registering them again: resume);
#   - presigning URLs (batches of 10,000 paths), URLs per second;
#   - the progress query (GET /api/sessions/ID) with 300,000 file rows, median and p95 of 50 calls.
# Usage: scripts/bench-server.sh [--files N]. Needs python3; starts its own PostgreSQL cluster (apt package postgresql).
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
cd "$FERRY_ROOT"

files=300000
while (($#)); do
  case $1 in
    --files) files=$2; shift 2 ;;
    *) ferry_log "unknown option $1"; exit 2 ;;
  esac
done

ferry_require_dotnet
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ferry_apt postgresql
dotnet build src/Ferry.Cli -c Release -nologo -v quiet >/dev/null
ferry="dotnet $FERRY_ROOT/src/Ferry.Cli/bin/Release/net10.0/ferry.dll"

work=$(mktemp -d /tmp/ferry-bench-server.XXXXXX)
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort | tail -1)
pg_port=$(ferry_free_port)
as_pg=()
[[ $(id -u) == 0 ]] && { chown postgres "$work"; as_pg=(runuser -u postgres --); }
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null || true
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

"${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg" -U postgres --auth=trust -E UTF8 >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -w -l "$work/pg.log" -o "-p $pg_port -k $work -c listen_addresses=127.0.0.1" start >/dev/null

run() { # NAME CONNECTION
  local name=$1 db=$2 port
  port=$(ferry_free_port)
  export FERRY_HOME="$work/home-$name" FERRY_ADMIN_PASSWORD=bench-admin-password
  export AWS_ACCESS_KEY_ID=AKIDBENCHMARK AWS_SECRET_ACCESS_KEY=bench-secret-for-signing  # presigning signs locally; nothing is sent
  $ferry db migrate --db "$db" >/dev/null
  $ferry serve --db "$db" --urls "http://127.0.0.1:$port" >"$work/serve-$name.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  python3 - "$name" "http://127.0.0.1:$port" "$files" <<'PY'
import json, statistics, sys, time, urllib.request
name, base, files = sys.argv[1], sys.argv[2], int(sys.argv[3])
def call(method, path, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method, headers={"content-type": "application/json"})
    if token: req.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.loads(r.read() or b"null")
token = call("POST", "/api/auth/login", {"username": "admin", "password": "bench-admin-password"})["access_token"]
project = call("POST", "/api/projects", {"name": "bench", "bucket_name": "bench-bucket", "region": "us-east-1", "endpoint_url": "http://127.0.0.1:9"}, token)
cycle = call("POST", f"/api/projects/{project['id']}/cycles", {"name": "C1"}, token)
session = call("POST", "/api/sessions", {"project_id": project["id"], "cycle_id": cycle["id"], "local_directory": "/bench"}, token)
sid = session["id"]
paths = [f"{950000 + i // 1000}/{20250909 + i % 7}_{i:07d}.WAV" for i in range(files)]
batches = [paths[i:i + 10000] for i in range(0, files, 10000)]
def register():
    start = time.perf_counter()
    for batch in batches:
        call("POST", f"/api/sessions/{sid}/files", {"files": [{"path": p, "size": 1048576, "last_modified": "2025-09-09T09:20:00Z"} for p in batch]}, token)
    return time.perf_counter() - start
first = register()
again = register()
start = time.perf_counter()
signed = 0
for batch in batches[:10]:
    signed += len(call("POST", f"/api/sessions/{sid}/presign", {"paths": batch}, token)["uploads"])
presign = time.perf_counter() - start
latencies = []
for _ in range(50):
    t = time.perf_counter()
    s = call("GET", f"/api/sessions/{sid}", token=token)
    latencies.append((time.perf_counter() - t) * 1000)
assert s["total_files"] == files, s
latencies.sort()
print(f"{name}: register {files:,} files in {first:.1f} s ({files / first:,.0f} files/s); again (resume) {again:.1f} s; "
      f"presign {signed:,} URLs in {presign:.2f} s ({signed / presign:,.0f} URLs/s); "
      f"progress query median {statistics.median(latencies):.1f} ms, p95 {latencies[int(len(latencies) * 0.95) - 1]:.1f} ms")
PY
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
}

run sqlite "Data Source=$work/bench.db"
run postgresql "Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
