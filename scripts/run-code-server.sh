#!/usr/bin/env bash
# Starts a real VS Code (code-server) on 127.0.0.1 with Policy Lens installed and examples/shop open.
#   bash scripts/run-code-server.sh            # port 8080 (PORT=... to change; 0 = any free port)
# First run installs Node 24, code-server, chromium deps and the packaging tools into .e2e-work/ (a few minutes);
# later runs reuse them. Every run rebuilds and reinstalls the extension from the current sources.
# Stop with Ctrl+C.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT WORK="${WORK:-$ROOT/.e2e-work}"
bash "$ROOT/test/e2e/install.sh"
source "$ROOT/test/e2e/install.sh"
source "$ROOT/test/e2e/codeserver.sh"

PORT="${PORT:-8080}"
[ "$PORT" = 0 ] && PORT=$(free_port)
WS="${WORKSPACE:-$ROOT/examples/shop}"
STATE="$WORK/state-run"
cs_prepare "$STATE"

echo "building and packaging the extension..."
package_vsix
cs_run "$STATE" --install-extension "$WORK/policy-lens.vsix" --force >"$STATE/install-extension.log" 2>&1 \
  || { cat "$STATE/install-extension.log" >&2; exit 1; }

trap 'cs_stop' EXIT INT TERM
cs_start "$STATE" "$PORT" "$WS"
URL="http://127.0.0.1:$PORT/?folder=$WS"
echo
echo "Policy Lens is running in code-server $(cd "$WORK/cs/node_modules/code-server" && node -p 'require("./package.json").version') with $WS open:"
echo "  $URL"
echo "Open policies/*.yaml, then run \"Policy Lens: Show Reachability\" from the command palette (F1). Ctrl+C stops."
echo "(log: $STATE/code-server.log)"
wait "$CS_PID"
