#!/usr/bin/env bash
# Ferry's main job on embedded defaults: starts a local S3 server (s3rver, installed from npm),
# generates a small field-data folder C1/<serial>/<timestamp>.WAV, uploads it with `ferry upload`,
# proves it with `ferry verify`, runs the upload again (nothing to do), downloads it back, and shows
# the session history. Then the web side: `ferry db migrate` and `ferry serve` on SQLite, a project
# and cycle created through the API, and cycle C2 uploaded by `ferry upload --server` with URLs the
# server presigns (the CLI holds no S3 credentials) and the server checks.
# Everything lives under .demo/ (journal, data, server files); the servers are stopped at the end.
# With --keep the servers keep running: the script ends by printing the web app's URL, the user name and the file
# holding the admin password (.demo/admin-password, mode 0600), and how to stop them (kill $(cat .demo/pids)).
set -euo pipefail
keep=false
for arg in "$@"; do
  case "$arg" in
    --keep) keep=true ;;
    -h|--help) echo "usage: scripts/demo.sh [--keep]   (--keep: leave the S3 and Ferry servers running and print how to open the web app)"; exit 0 ;;
    *) echo "demo.sh: unknown argument '$arg'; usage: scripts/demo.sh [--keep]" >&2; exit 2 ;;
  esac
done
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
cd "$FERRY_ROOT"

ferry_require_dotnet
command -v python3 >/dev/null 2>&1 && command -v curl >/dev/null 2>&1 || ferry_apt python3 curl
ferry_install_s3rver
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
demo="$FERRY_ROOT/.demo"
if [[ -f "$demo/pids" ]]; then kill $(cat "$demo/pids") 2>/dev/null || true; rm -f "$demo/pids"; fi # a kept demo from before
rm -rf "$demo/s3" "$demo/field" "$demo/home" "$demo/back" "$demo/admin-password"
mkdir -p "$demo/s3" "$demo/field"

ferry_log "building ferry"
dotnet publish src/Ferry.Cli -c Release -o "$demo/bin" -nologo -v quiet
ferry="$demo/bin/ferry"

port=$(ferry_free_port)
ferry_log "starting s3rver on 127.0.0.1:$port"
node --openssl-legacy-provider "$S3RVER_JS" -d "$demo/s3" -a 127.0.0.1 -p "$port" --silent --configure-bucket field-project >"$demo/s3rver.log" 2>&1 &
server=$!
ferry_server=""
trap '$keep || kill "$server" $ferry_server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done

ferry_log "generating field data: 3 recorders x 40 recordings in $demo/field/C1"
python3 - "$demo/field" <<'PY'
import os, sys, random, wave
root = sys.argv[1]
rnd = random.Random(7)

def recording(path, size):
    """A real WAV file (mono, 16-bit, 8 kHz) of about `size` bytes of noise, so ferry's file checks pass it."""
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(rnd.randbytes(size - size % 2))

for serial in ("950349", "950351", "950402"):
    folder = os.path.join(root, "C1", serial)
    os.makedirs(folder, exist_ok=True)
    for i in range(40):
        name = f"2026{(i % 12) + 1:02d}{(i % 28) + 1:02d}_{i % 24:02d}{i % 60:02d}00.WAV"
        recording(os.path.join(folder, name), rnd.randint(20_000, 200_000))
recording(os.path.join(root, "C1", "950349", "long_recording.WAV"), 24 * 1024 * 1024)
PY

export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" FERRY_HOME="$demo/home"

echo; echo "\$ ferry upload .demo/field/C1 s3://field-project/C1 --manifest .demo/C1.manifest.jsonl"
"$ferry" upload "$demo/field/C1" s3://field-project/C1 --manifest "$demo/C1.manifest.jsonl"
echo; echo "\$ ferry verify .demo/field/C1 s3://field-project/C1"
"$ferry" verify "$demo/field/C1" s3://field-project/C1
echo; echo "\$ ferry upload .demo/field/C1 s3://field-project/C1   # again: nothing to do"
"$ferry" upload "$demo/field/C1" s3://field-project/C1
echo; echo "\$ ferry download s3://field-project/C1 .demo/back/C1"
"$ferry" download s3://field-project/C1 "$demo/back/C1"
diff -r "$demo/field/C1" "$demo/back/C1" && echo "(the downloaded copy is identical to the field folder)"
echo; echo "\$ ferry sessions"
"$ferry" sessions

# The web side: the same data in a Ferry server's history.
cp -r "$demo/field/C1" "$demo/field/C2"
rm -f "$demo/home/server.db"*
api_port=$(ferry_free_port)
api="http://127.0.0.1:$api_port"
export FERRY_ADMIN_PASSWORD="demo-admin-$(date +%s)"
(umask 077 && printf '%s\n' "$FERRY_ADMIN_PASSWORD" >"$demo/admin-password")
# s3rver listens on 127.0.0.1, a private address the server refuses to reach unless the operator allows it.
export Ferry__Storage__AllowPrivateEndpoints=true
echo; echo "\$ ferry db migrate && ferry serve --urls $api &"
"$ferry" db migrate
"$ferry" serve --urls "$api" >"$demo/serve.log" 2>&1 &
ferry_server=$!
for _ in $(seq 100); do curl -sf "$api/healthz" >/dev/null && break; sleep 0.2; done
token=$(curl -sf "$api/api/auth/login" -H 'content-type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$FERRY_ADMIN_PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
# Storage is granted, not typed in: the system administrator adds the location and grants the bucket to the company.
company=$(curl -sf "$api/api/auth/me" -H "authorization: Bearer $token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["company_id"])')
location=$(curl -sf "$api/api/storage-locations" -H "authorization: Bearer $token" -H 'content-type: application/json' \
  -d "{\"name\":\"demo s3rver\",\"endpoint_url\":\"http://127.0.0.1:$port\",\"region\":\"us-east-1\",\"credential_source\":\"keys\",\"access_key_id\":\"S3RVER\",\"secret_access_key\":\"S3RVER\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
curl -sf "$api/api/storage-locations/$location/grants" -H "authorization: Bearer $token" -H 'content-type: application/json' \
  -d "{\"company_id\":$company,\"bucket_pattern\":\"field-project\"}" >/dev/null
project=$(curl -sf "$api/api/projects" -H "authorization: Bearer $token" -H 'content-type: application/json' \
  -d "{\"name\":\"Owls\",\"bucket_name\":\"field-project\",\"storage_location_id\":$location}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
curl -sf "$api/api/projects/$project/cycles" -H "authorization: Bearer $token" -H 'content-type: application/json' -d '{"name":"C2"}' >/dev/null
echo "(created storage location 'demo s3rver', granted s3://field-project to the company, and project Owls with cycle C2 through the API)"
echo; echo "\$ ferry login $api --username admin && ferry upload .demo/field/C2 --server $api --project Owls --cycle C2"
FERRY_PASSWORD="$FERRY_ADMIN_PASSWORD" "$ferry" login "$api" --username admin
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$ferry" upload "$demo/field/C2" --server "$api" --project Owls --cycle C2
echo; echo "\$ curl $api/api/sessions   # the server's history"
curl -sf "$api/api/sessions" -H "authorization: Bearer $token" | python3 -c "$(cat <<'PY'
import json, sys
for s in json.load(sys.stdin):
    print(f"session {s['id']}: {s['status']}, {s['uploaded_files']}/{s['total_files']} files, {s['uploaded_bytes']:,} bytes"
          f" into s3://{s['bucket']}/{s['prefix']} from {s['local_directory']} ({s['client']})")
PY
)"
echo "(API docs: $api/docs while the server runs)"
if $keep; then
  echo "$server $ferry_server" >"$demo/pids"
  echo
  echo "The demo servers keep running (--keep):"
  echo "  web app:   $api   (sign in as admin)"
  echo "  password:  $demo/admin-password"
  echo "  S3:        http://127.0.0.1:$port (s3rver, keys S3RVER/S3RVER; bucket field-project)"
  echo "  logs:      $demo/serve.log, $demo/s3rver.log"
  echo "  stop them: kill \$(cat $demo/pids)"
fi
