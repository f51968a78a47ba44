#!/usr/bin/env node
// Entry point of the standalone Policy Lens language server for editors other than VS Code (Neovim, Helix, ...):
//   policy-lens-language-server --stdio
// Runs the bundled server (npm run build makes dist/server/server.js); the transport (--stdio, --node-ipc,
// --socket=N, --pipe=NAME) is read from the command line by vscode-languageserver.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const bundle = join(__dirname, '..', 'dist', 'server', 'server.js');
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write('Usage: policy-lens-language-server --stdio\n\nThe Policy Lens language server (LSP) for Kubernetes NetworkPolicy and Calico manifests.\nTransports: --stdio, --node-ipc, --socket=PORT, --pipe=NAME. See docs/editors.md for Neovim and Helix setups.\n');
  process.exit(0);
}
if (!existsSync(bundle)) {
  console.error('policy-lens-language-server: dist/server/server.js is missing; run `npm run build` first.');
  process.exit(2);
}
if (!process.argv.slice(2).some((a) => /^--(stdio|node-ipc|socket|pipe)/.test(a))) process.argv.push('--stdio');
require(bundle);
