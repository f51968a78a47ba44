#!/usr/bin/env bash
# Sets up a fresh machine and runs every test suite:
#   unit + conformance + language-server tests (node:test), the real-VS-Code end-to-end tests
#   (code-server + Debian chromium) and the browser-playground end-to-end test.
# Usage: bash scripts/test-all.sh          (what CI runs via .ci/run)
#        SKIP_E2E=1 bash scripts/test-all.sh   (node tests only)
set -euo pipefail
cd "$(dirname "$0")/.."

npm ci --no-audit --no-fund
npm run build
npm test

if [ "${SKIP_E2E:-}" = "1" ]; then
  echo "SKIP_E2E=1: end-to-end suites skipped"
  exit 0
fi
if [ -f test/e2e/run.sh ]; then
  npm run test:e2e
fi
if node -e 'process.exit(require("./package.json").scripts["test:playground"] ? 0 : 1)'; then
  npm run test:playground
fi
