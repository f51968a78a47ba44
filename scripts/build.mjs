// Bundles every entry point with esbuild into dist/.
// Entries whose source file does not exist yet are skipped with a note.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const production = process.argv.includes('--production');
// Optional entry names to build only some bundles: node scripts/build.mjs cli server
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));

/** @type {Array<import('esbuild').BuildOptions & {entry: string}>} */
const entries = [
  // VS Code extension client (node, vscode provided by the host)
  { name: 'client', entry: 'client/src/extension.ts', outfile: 'dist/client/extension.js', platform: 'node', format: 'cjs', external: ['vscode'] },
  // Language server (node IPC)
  { name: 'server', entry: 'server/src/server.ts', outfile: 'dist/server/server.js', platform: 'node', format: 'cjs' },
  // Command-line interface
  { name: 'cli', entry: 'server/src/cli/main.ts', outfile: 'dist/cli.js', platform: 'node', format: 'cjs' },
  // Flow-file reader thread of `policy-lens flows` / `recommend` (beside dist/cli.js)
  { name: 'cli', entry: 'server/src/flows-worker.ts', outfile: 'dist/flows-worker.js', platform: 'node', format: 'cjs' },
  // Webview panel script (browser)
  { name: 'webview', entry: 'client/webview/main.ts', outfile: 'dist/webview/panel.js', platform: 'browser', format: 'iife' },
  // The graph's layout worker (elkjs, EPL-2.0: the banner names it and THIRD-PARTY-NOTICES.md carries its terms)
  { name: 'graph-worker', entry: 'client/webview/graph-worker.ts', outfile: 'dist/webview/graph-worker.js', platform: 'browser', format: 'iife',
    banner: { js: '/*! Policy Lens graph layout worker. Includes elkjs 0.12.1 (Eclipse Layout Kernel, https://github.com/kieler/elkjs), EPL-2.0 OR GPL-3.0-or-later; see THIRD-PARTY-NOTICES.md. */' } },
];

let built = 0;
for (const { name, entry, ...opts } of entries) {
  if (only.length && !only.includes(name)) continue;
  const abs = join(root, entry);
  if (!existsSync(abs)) {
    console.log(`skip ${entry} (not present)`);
    continue;
  }
  await build({
    entryPoints: [abs],
    bundle: true,
    target: 'es2022',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    ...opts,
    outfile: join(root, opts.outfile),
  });
  built++;
}
console.log(`built ${built} bundle(s)`);
