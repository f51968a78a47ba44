#!/usr/bin/env bash
# Builds production bundles and packages the extension with vsce: policy-lens-<version>.vsix in the repo root
# (OUT=path to change). vsce (@vscode/vsce) is installed on first use into .e2e-work/tools (git-ignored).
# The marketplace page is docs/marketplace.md (its relative links and images resolve against docs/ in the
# repository); LICENSE, CHANGELOG.md, the icon and the files .vscodeignore lists go into the package.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT WORK="${WORK:-$ROOT/.e2e-work}" E2E_TOOLS_ONLY=1
source "$ROOT/test/e2e/install.sh"
VERSION=$(node -p 'require(process.argv[1]).version' "$ROOT/package.json")
OUT="${OUT:-$ROOT/policy-lens-$VERSION.vsix}"
(cd "$ROOT" && node scripts/build.mjs --production)
REPO=https://github.com/policy-lens/policy-lens
(cd "$ROOT" && "$TOOLS/node_modules/.bin/vsce" package --no-dependencies --readme-path docs/marketplace.md \
   --baseContentUrl "$REPO/blob/main/docs" --baseImagesUrl "$REPO/raw/main/docs" \
   --out "$OUT")
# Leave development bundles (with source maps) in dist/ again for F5 debugging and the e2e extension-host run.
(cd "$ROOT" && node scripts/build.mjs >/dev/null)
echo "packaged $OUT"
