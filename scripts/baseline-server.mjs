// Builds the language server of another commit (for before/after benchmarks in one run): `git archive` of its
// server/, schemas/, docs/ and package.json into bench-results/baseline-<sha>/, bundled with this tree's esbuild and
// node_modules. Returns the path of the bundle (dist/server/server.js under that folder).
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);

export function buildBaselineServer(ref) {
  const sha = execFileSync('git', ['rev-parse', '--short', ref], { cwd: root, encoding: 'utf8' }).trim();
  const dir = join(root, 'bench-results', `baseline-${sha}`);
  const out = join(dir, 'dist', 'server', 'server.js');
  if (!existsSync(out)) {
    mkdirSync(dir, { recursive: true });
    const tar = execFileSync('git', ['archive', sha, 'server', 'schemas', 'docs', 'package.json'], { cwd: root, maxBuffer: 256 * 1024 * 1024 });
    const x = spawnSync('tar', ['-x', '-C', dir], { input: tar });
    if (x.status !== 0) throw new Error(`tar failed: ${x.stderr}`);
    const { buildSync } = require('esbuild');
    buildSync({ entryPoints: [join(dir, 'server', 'src', 'server.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'es2022', outfile: out, logLevel: 'warning' });
  }
  return { sha, out };
}
