#!/usr/bin/env bash
# Sets up a fresh machine and runs every test suite:
#   unit + conformance + language-server tests (node:test), the real-VS-Code end-to-end tests
#   (code-server + Debian chromium) and the browser-playground end-to-end test.
# Ends with one line adding up all suites: `total: N passed, M failed, K skipped`.
# Usage: bash scripts/test-all.sh          (what CI runs via .ci/run)
#        SKIP_E2E=1 bash scripts/test-all.sh   (node tests only)
set -euo pipefail
cd "$(dirname "$0")/.."

logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
passed=0
failed=0
skipped=0

# node:test spec reporter summary lines: "ℹ pass N", "ℹ fail N", "ℹ skipped N"
count_node() {
  local p f s
  p=$(grep -E '^ℹ pass [0-9]+$' "$1" | tail -1 | grep -oE '[0-9]+' || echo 0)
  f=$(grep -E '^ℹ fail [0-9]+$' "$1" | tail -1 | grep -oE '[0-9]+' || echo 0)
  s=$(grep -E '^ℹ skipped [0-9]+$' "$1" | tail -1 | grep -oE '[0-9]+' || echo 0)
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}
# e2e drivers end with "N passed, M failed"
count_plain() {
  local line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -1 || true)
  [ -n "$line" ] || return 0
  passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
  failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
}
summary() { echo "total: ${passed} passed, ${failed} failed, ${skipped} skipped"; }

npm ci --no-audit --no-fund
npm run build
npm test 2>&1 | tee "$logs/node.log" || { count_node "$logs/node.log"; summary; exit 1; }
count_node "$logs/node.log"

if [ "${SKIP_E2E:-}" = "1" ]; then
  echo "SKIP_E2E=1: end-to-end suites skipped"
  summary
  exit 0
fi
if [ -f test/e2e/run.sh ]; then
  bash test/e2e/run.sh 2>&1 | tee "$logs/e2e.log" || { count_plain "$logs/e2e.log"; summary; exit 1; }
  count_plain "$logs/e2e.log"
fi
if node -e 'process.exit(require("./package.json").scripts["test:playground"] ? 0 : 1)'; then
  npm run test:playground 2>&1 | tee "$logs/playground.log" || { count_plain "$logs/playground.log"; summary; exit 1; }
  count_plain "$logs/playground.log"
fi
summary
