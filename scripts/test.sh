#!/usr/bin/env bash
# Runs every test of Ferry: unit tests, the storage contract suite on both stores, engine tests
# against a real s3rver with injected faults, CLI tests (exit codes, kill -9 and resume; run twice: with the full
# build and with the native build, src/Ferry.Cli.Native published with Native AOT), and server
# API tests on SQLite and on a real PostgreSQL (a throwaway cluster on a free loopback port), and the
# web app end to end in Debian's headless Chromium driven by Playwright (screenshots in artifacts/), and the
# deployment files (compose config, dashboards' SQL against PostgreSQL).
# Installs what it needs (Node/npm, PostgreSQL, Chromium and gcc from apt if missing, s3rver and the web
# app's build tools from npm, NuGet packages) and ends
# with one line "N passed, N failed, N skipped". Exit code: 0 when every test passed.
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
cd "$FERRY_ROOT"

ferry_require_dotnet
command -v python3 >/dev/null 2>&1 && command -v curl >/dev/null 2>&1 || ferry_apt python3 curl
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ferry_apt postgresql
[[ -x /usr/bin/chromium ]] || ferry_apt chromium
# Native AOT (the native build) links with the system's C toolchain (its runtime pack brings zlib and brotli).
command -v clang >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || ferry_apt gcc
# deploy/compose.yaml is checked with `docker compose config` (no engine needed); Debian's docker-compose when the plugin is missing.
docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1 || ferry_apt docker-compose
ferry_install_s3rver
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Tests never talk to AWS: drop ambient settings that could point them elsewhere.
unset AWS_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_DEFAULT_PROFILE || true
# Ferry asks EC2 instance metadata last (as the AWS SDKs do); tests must never reach 169.254.169.254.
export AWS_EC2_METADATA_DISABLED=true

results="$FERRY_ROOT/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

ferry_log "building"
dotnet build Ferry.slnx -c Release -nologo -v quiet
ferry_log "testing"
rc=0
for project in tests/Ferry.*.Tests; do
  name=$(basename "$project")
  dotnet test "$project" -c Release --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    -- RunConfiguration.TestSessionTimeout=1200000 || rc=$?
done

# The native build (src/Ferry.Cli.Native, Native AOT): published once, then every CLI test runs again with it in place of
# ferry.dll for every command but serve, worker and db, which stay on the full build as in a deployment
# (tests/Ferry.Testing/FerryProcess.cs).
ferry_log "publishing the native build"
native="$FERRY_ROOT/artifacts/native"
rm -rf "$native"
publish_failed=0
if dotnet publish src/Ferry.Cli.Native -c Release --use-current-runtime -nologo -v quiet -o "$native"; then
  ferry_log "testing the CLI again with the native build"
  FERRY_TEST_NATIVE_CLI="$native/ferry" dotnet test tests/Ferry.Cli.Tests -c Release --no-build -nologo \
    --logger "trx;LogFileName=Ferry.Cli.Tests.Native.trx" --results-directory "$results" \
    -- RunConfiguration.TestSessionTimeout=1200000 || rc=$?
else
  echo "the native build could not be published (see above); counted as one failed test" >&2
  publish_failed=1
  rc=1
fi

# A test host that ends before its exit handler runs leaves its throwaway PostgreSQL cluster running
# (tests/Ferry.Testing/PostgresServer.cs removes such clusters at its next start): stop and remove them here too.
for folder in "${TMPDIR:-/tmp}"/ferry-pg-*; do
  [[ -d $folder ]] || continue
  owner=$(basename "$folder" | cut -d- -f3)
  kill -0 "$owner" 2>/dev/null && continue
  if [[ -r $folder/db/postmaster.pid ]]; then
    read -r postmaster <"$folder/db/postmaster.pid" || true
    kill -QUIT "$postmaster" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$postmaster" 2>/dev/null || break; sleep 0.2; done
  fi
  rm -rf "$folder" || true
done

# Totals from the TRX files (one per test project, and Ferry.Cli.Tests.Native.trx for the native pass).
python3 - "$results" "$publish_failed" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
passed = skipped = 0
failed = int(sys.argv[2])  # the native build's publish, when it failed
for path in glob.glob(sys.argv[1] + "/*.trx"):
    counters = ET.parse(path).getroot().find(".//{*}Counters")
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0)) + int(counters.get("aborted", 0))
    skipped += int(counters.get("notExecuted", 0))
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit "$rc"
