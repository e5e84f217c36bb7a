#!/usr/bin/env bash
# Helpers shared by Ferry's scripts: installing what the project needs on a fresh Debian machine.
set -euo pipefail

FERRY_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# s3rver run through tools/s3rver/durable-s3rver.js, which answers a PUT only once its bytes are on disk (see that file).
S3RVER_JS="$FERRY_ROOT/tools/s3rver/durable-s3rver.js"
S3RVER_PACKAGE="$FERRY_ROOT/tools/s3rver/node_modules/s3rver/bin/s3rver.js"

ferry_log() { printf '[ferry] %s\n' "$*" >&2; }

# apt-get install PACKAGES... (only those missing; apt-get update once if an install needs it)
ferry_apt() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  ((${#missing[@]})) || return 0
  local sudo=()
  [[ $(id -u) == 0 ]] || sudo=(sudo)
  ferry_log "installing ${missing[*]} (apt)"
  "${sudo[@]}" apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 ||
    { "${sudo[@]}" apt-get update -q >/dev/null && "${sudo[@]}" apt-get install -y -q "${missing[@]}" >/dev/null; }
}

# Node.js and npm (Debian's, when the machine has none; the server's build also needs them for the web app),
# then s3rver from the committed lock file.
ferry_install_s3rver() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || ferry_apt nodejs npm
  if [[ ! -f $S3RVER_PACKAGE ]]; then
    ferry_log "installing s3rver (npm ci in tools/s3rver)"
    (cd "$FERRY_ROOT/tools/s3rver" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}

ferry_require_dotnet() {
  command -v dotnet >/dev/null 2>&1 || { ferry_log "the .NET SDK (10) is required: install it, then run this again"; exit 2; }
}

# Prints a free TCP port on 127.0.0.1.
ferry_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null ||
    node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
