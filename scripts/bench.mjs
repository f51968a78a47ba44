// `npm run bench`: engine time and memory on generated clusters, then the language-server benchmark
// (scripts/bench-lsp.mjs) when present. Prints figures; asserts nothing (targets are in the README).
//
//   node scripts/bench.mjs            engine + LSP
//   node scripts/bench.mjs engine     engine only
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { generate, rng } from './gen-workspace.mjs';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv[2];
const outDir = join(root, 'out', 'bench');
mkdirSync(outDir, { recursive: true });
await build({ entryPoints: [join(root, 'server/src/core/index.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: join(outDir, 'core.cjs'), logLevel: 'warning' });
const core = createRequire(import.meta.url)(join(outDir, 'core.cjs'));

function mib(b) {
  return (b / 1024 / 1024).toFixed(1);
}

function time(fn) {
  const t = process.hrtime.bigint();
  const v = fn();
  return [v, Number(process.hrtime.bigint() - t) / 1e6];
}

if (!only || only === 'engine') {
  console.log('== Engine (Kubernetes NetworkPolicy), full workload x workload matrix');
  console.log('pods  policies  parse_ms  analyze_ms  matrix_ms  total_ms  classes  allowed_pairs  explain_p50_ms  heap_MiB  rss_MiB');
  for (const [pods, pols] of [
    [100, 50],
    [1000, 500],
    [5000, 2000],
  ]) {
    const files = generate(pods, pols);
    global.gc?.();
    const [cluster, parseMs] = time(() => core.parseFiles(files));
    const [analysis, analyzeMs] = time(() => core.analyze(cluster));
    const [pairs, matrixMs] = time(() => analysis.countAllowedPairs());
    const ids = cluster.workloads.map((w) => w.id);
    const r = rng(7);
    const samples = [];
    for (let i = 0; i < 50; i++) {
      const s = ids[Math.floor(r() * ids.length)];
      const d = ids[Math.floor(r() * ids.length)];
      samples.push(time(() => analysis.explain(s, d))[1]);
    }
    samples.sort((a, b) => a - b);
    const mem = process.memoryUsage();
    console.log(
      [pods, pols, parseMs.toFixed(0), analyzeMs.toFixed(0), matrixMs.toFixed(0), (parseMs + analyzeMs + matrixMs).toFixed(0), analysis.evaluation.classes.length, pairs, samples[25].toFixed(2), mib(mem.heapUsed), mib(mem.rss)]
        .map(String)
        .join('  '),
    );
  }
  console.log('target: 5000 pods x 2000 policies, analyze + matrix under 2000 ms on 2 cores');
}

if (!only || only === 'lsp') {
  const lsp = join(root, 'scripts', 'bench-lsp.mjs');
  if (existsSync(lsp)) {
    console.log('\n== Language server');
    const r = spawnSync(process.execPath, [lsp], { stdio: 'inherit', cwd: root });
    if (r.status !== 0) process.exitCode = r.status ?? 1;
  } else {
    console.log('\n(language-server benchmark scripts/bench-lsp.mjs not present)');
  }
}
