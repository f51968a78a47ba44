#!/usr/bin/env bash
# The standalone language server with a real non-VS-Code client: headless Neovim (Debian's `neovim`, installed with
# apt when missing) starts `bin/policy-lens-language-server.js --stdio` through its built-in LSP client, opens a
# manifest of examples/shop, and reports the diagnostics, a hover and the diagnostics after an edit (neovim.lua).
# Writes {"passed":n,"failed":m} to $1 (default: .e2e-work/results/nvim.json) and prints "N passed, M failed".
set -uo pipefail
ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
WORK="${WORK:-$ROOT/.e2e-work}"
RESULT="${1:-$WORK/results/nvim.json}"
mkdir -p "$(dirname "$RESULT")"
log() { echo "[e2e-nvim] $*" >&2; }
fail_all() { log "$*"; echo '{"passed":0,"failed":1}' > "$RESULT"; echo "0 passed, 1 failed"; exit 1; }

if ! command -v nvim >/dev/null 2>&1; then
  log "apt-get install neovim"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq neovim >/dev/null || fail_all "could not install neovim"
fi
[ -f "$ROOT/dist/server/server.js" ] || (cd "$ROOT" && node scripts/build.mjs server >/dev/null) || fail_all "build failed"

WS="$WORK/ws-nvim"
rm -rf "$WS"; mkdir -p "$WS"; cp -r "$ROOT/examples/shop/." "$WS/"
OUT="$WORK/nvim-result.json"; rm -f "$OUT"
log "nvim $(nvim --version | head -1 | cut -d' ' -f2) --headless"
PL_WS="$WS" PL_OUT="$OUT" PL_SERVER="$ROOT/bin/policy-lens-language-server.js" \
  timeout 120 nvim --headless --clean -n -u "$ROOT/test/e2e/neovim.lua" >"$WORK/nvim.log" 2>&1
[ -f "$OUT" ] || { cat "$WORK/nvim.log" >&2; fail_all "neovim wrote no result"; }

node - "$OUT" "$RESULT" <<'JS'
const [out, resultFile] = process.argv.slice(2);
const r = JSON.parse(require('fs').readFileSync(out, 'utf8'));
let passed = 0, failed = 0;
const check = (name, ok, detail) => {
  if (ok) { passed++; console.log(`  ✔ ${name}`); }
  else { failed++; console.log(`  ✗ ${name}: ${detail}`); }
};
const diags = Array.isArray(r.diagnostics) ? r.diagnostics : [];
check('neovim started the server and received its diagnostics (np-named-port-undefined at 50:17, source policy-lens)',
  diags.some((d) => d.code === 'np-named-port-undefined' && d.line === 49 && d.col === 16 && d.source === 'policy-lens'),
  JSON.stringify({ diags, errors: r.errors }));
check('hover on a peer podSelector lists the workloads it selects', typeof r.hover === 'string' && /backend\/api/.test(r.hover), JSON.stringify(r.hover));
const after = Array.isArray(r.after_edit) ? r.after_edit : [];
check('an edit in neovim is re-checked: the typo `portz` is flagged on line 48', after.some((d) => d.line === 47 && /portz/.test(d.message)), JSON.stringify(after));
require('fs').writeFileSync(resultFile, JSON.stringify({ passed, failed }));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
JS
