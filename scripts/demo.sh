#!/usr/bin/env bash
# Ferry's main job on embedded defaults: starts a local S3 server (s3rver, installed from npm),
# generates a small field-data folder C1/<serial>/<timestamp>.WAV, uploads it with `ferry upload`,
# proves it with `ferry verify`, runs the upload again (nothing to do), downloads it back, and shows
# the session history.
# Everything lives under .demo/ (journal, data, server files); the server is stopped at the end.
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
cd "$FERRY_ROOT"

ferry_require_dotnet
command -v python3 >/dev/null 2>&1 && command -v curl >/dev/null 2>&1 || ferry_apt python3 curl
ferry_install_s3rver
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
demo="$FERRY_ROOT/.demo"
rm -rf "$demo/s3" "$demo/field" "$demo/home" "$demo/back"
mkdir -p "$demo/s3" "$demo/field"

ferry_log "building ferry"
dotnet publish src/Ferry.Cli -c Release -o "$demo/bin" -nologo -v quiet
ferry="$demo/bin/ferry"

port=$(ferry_free_port)
ferry_log "starting s3rver on 127.0.0.1:$port"
node --openssl-legacy-provider "$S3RVER_JS" -d "$demo/s3" -a 127.0.0.1 -p "$port" --silent --configure-bucket field-project >"$demo/s3rver.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done

ferry_log "generating field data: 3 recorders x 40 recordings in $demo/field/C1"
python3 - "$demo/field" <<'PY'
import os, sys, random
root = sys.argv[1]
rnd = random.Random(7)
for serial in ("950349", "950351", "950402"):
    folder = os.path.join(root, "C1", serial)
    os.makedirs(folder, exist_ok=True)
    for i in range(40):
        name = f"2026{(i % 12) + 1:02d}{(i % 28) + 1:02d}_{i % 24:02d}{i % 60:02d}00.WAV"
        with open(os.path.join(folder, name), "wb") as f:
            f.write(rnd.randbytes(rnd.randint(20_000, 200_000)))
with open(os.path.join(root, "C1", "950349", "long_recording.WAV"), "wb") as f:
    f.write(rnd.randbytes(24 * 1024 * 1024))
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
