#!/usr/bin/env bash
# End-to-end tests of Policy Lens in a REAL VS Code (code-server on Node 24, driven by Debian chromium):
#   1. extension-host suite: mocha inside code-server's node extension host (vscode API: diagnostics, completion,
#      hover, quick fix, reachability requests, live updates, impact preview, panel) -- test/e2e/suite/
#   2. UI suite: playwright-core clicks through the workbench (Problems, hover, completion, the reachability panel,
#      cell/edge explanations, jump to source, graph, blast radius, filters, state restore) -- test/e2e/ui.js
#   3. another editor: headless Neovim as the LSP client of the standalone policy-lens-language-server
#      (diagnostics, hover, edit) -- test/e2e/neovim.sh
# Installs everything it needs (apt + npm into .e2e-work/, cached), builds and packages the .vsix, then prints
# `N passed, M failed` (all suites) and exits non-zero on any failure. Screenshots: .e2e-work/screenshots/.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export ROOT WORK="${WORK:-$ROOT/.e2e-work}"
START=$(date +%s)
# Install first in a child shell (so an install failure still ends with the tally line), then source it for its
# variables (everything is cached by then).
bash "$ROOT/test/e2e/install.sh" || { echo "e2e install failed" >&2; echo "0 passed, 1 failed"; exit 1; }
source "$ROOT/test/e2e/install.sh"
set +e
source "$ROOT/test/e2e/codeserver.sh"
SHOTS="$WORK/screenshots"
RESULTS="$WORK/results"
rm -rf "$SHOTS" "$RESULTS"; mkdir -p "$SHOTS" "$RESULTS"
export NODE_PATH="$TOOLS/node_modules" CHROMIUM POLICY_LENS_E2E_TOOLS="$TOOLS"

fail_setup() { echo "e2e setup failed: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

echo "[e2e] build + package"
package_vsix || fail_setup "vsce package"

cleanup() { cs_stop; }
trap cleanup EXIT

# E2E_ONLY=api|ui|nvim runs one suite (for debugging); CI runs all.
ONLY="${E2E_ONLY:-}"

# ---- 1. extension-host suite
if [ "$ONLY" != ui ] && [ "$ONLY" != nvim ]; then
STATE="$WORK/state-api"
rm -rf "$STATE"; cs_prepare "$STATE"
WS="$WORK/ws-api"; make_workspace "$WS"
PORT=$(free_port)
echo "[e2e] extension-host suite (code-server on 127.0.0.1:$PORT)"
if cs_start "$STATE" "$PORT" "$WS" --vscode-option enable-smoke-test-driver; then
  node "$ROOT/test/e2e/ext-host-runner.js" "http://127.0.0.1:$PORT" "$WS" "$ROOT" "$ROOT/test/e2e/suite/index.js" "$RESULTS/api.json"
else
  echo '{"passed":0,"failed":1}' > "$RESULTS/api.json"
fi
cs_stop
else echo '{"passed":0,"failed":0}' > "$RESULTS/api.json"; fi

# ---- 2. UI suite against the installed .vsix
if [ "$ONLY" = api ] || [ "$ONLY" = nvim ]; then echo '{"passed":0,"failed":0}' > "$RESULTS/ui.json"; fi
STATE="$WORK/state-ui"
[ -f "$RESULTS/ui.json" ] || rm -rf "$STATE"; cs_prepare "$STATE"
[ -f "$RESULTS/ui.json" ] || cs_run "$STATE" --install-extension "$WORK/policy-lens.vsix" --force >"$STATE/install-extension.log" 2>&1 \
  || { cat "$STATE/install-extension.log"; echo '{"passed":0,"failed":1}' > "$RESULTS/ui.json"; }
WS="$WORK/ws-ui"; make_workspace "$WS"
PORT=$(free_port)
if [ ! -f "$RESULTS/ui.json" ]; then
  echo "[e2e] UI suite (code-server on 127.0.0.1:$PORT)"
  if cs_start "$STATE" "$PORT" "$WS"; then
    node "$ROOT/test/e2e/ui.js" "http://127.0.0.1:$PORT" "$WS" "$SHOTS" "$RESULTS/ui.json"
  else
    echo '{"passed":0,"failed":1}' > "$RESULTS/ui.json"
  fi
  cs_stop
fi

# ---- 3. headless Neovim with the standalone language server
if [ -z "$ONLY" ] || [ "$ONLY" = nvim ]; then
  echo "[e2e] Neovim + policy-lens-language-server --stdio"
  bash "$ROOT/test/e2e/neovim.sh" "$RESULTS/nvim.json"
else echo '{"passed":0,"failed":0}' > "$RESULTS/nvim.json"; fi

read -r P F < <(node -e '
  let p = 0, f = 0;
  for (const n of ["api", "ui", "nvim"]) {
    try { const r = require(process.argv[1] + "/" + n + ".json"); p += r.passed; f += r.failed; }
    catch { f += 1; }
  }
  console.log(p, f);' "$RESULTS")
echo "[e2e] screenshots in $SHOTS; took $(( $(date +%s) - START )) s"
echo "$P passed, $F failed"
[ "$F" = 0 ] && [ "$P" -gt 0 ]
