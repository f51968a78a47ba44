// Invariant 1 of docs/ARCHITECTURE.md: the analysis core imports neither VS Code / LSP packages nor Node-only
// modules, so it bundles for the webview and the playground's web worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths';

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : n.endsWith('.ts') ? [p] : [];
  });
}

const FORBIDDEN = /^(vscode|vscode-languageserver.*|vscode-languageclient.*|node:.*|fs|path|child_process|os|net|http|https|worker_threads)$/;

test('server/src/core imports no vscode, LSP or Node-only modules', () => {
  const files = tsFiles(join(repoRoot(), 'server', 'src', 'core'));
  assert.ok(files.length > 5);
  const bad: string[] = [];
  for (const f of files) {
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(/(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (FORBIDDEN.test(spec)) bad.push(`${f}: ${spec}`);
    }
  }
  assert.deepEqual(bad, []);
});
