// Compiles the project with tsc (which also type-checks) and runs every compiled
// test file under out/test with node's built-in test runner.
// Usage: node scripts/test.mjs [substring-filter]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
// A private output folder per run, so concurrent runs (several developers in one tree) don't clash.
const outDir = join(root, 'out', `test-run-${process.pid}`);
rmSync(outDir, { recursive: true, force: true });
process.on('exit', () => rmSync(outDir, { recursive: true, force: true }));
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', root, '--outDir', outDir], { stdio: 'inherit' });
// The playground's browser sources have their own tsconfig (bundler resolution); type-check them too.
if (existsSync(join(root, 'playground/tsconfig.json'))) {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'playground'), '--noEmit'], { stdio: 'inherit' });
}

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}
const filter = process.argv[2];
const files = walk(join(outDir, 'test')).filter((f) => !f.includes('/e2e/') && (!filter || f.includes(filter))).sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
