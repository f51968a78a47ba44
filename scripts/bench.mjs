// `npm run bench`: engine time and memory on generated clusters, then the language-server benchmark
// (scripts/bench-lsp.mjs) when present. Prints figures; asserts nothing (targets are in the README).
//
//   node scripts/bench.mjs            engine + LSP + big document
//   node scripts/bench.mjs engine     engine only (also: lsp, big)
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv[2];
const outDir = join(root, 'out', 'bench');
mkdirSync(outDir, { recursive: true });
await build({ entryPoints: [join(root, 'server/src/core/index.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: join(outDir, 'core.cjs'), logLevel: 'warning' });
const core = createRequire(import.meta.url)(join(outDir, 'core.cjs'));

/** Deterministic PRNG so every run measures the same clusters. */
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/**
 * A cluster of `pods` pods in pods/50 namespaces; each namespace has 10 apps (5 replicas each) in 3 tiers.
 * Every pod also has a unique pod-name label, so grouping must come from what selectors can tell apart.
 * Policies: per namespace a default deny (ingress+egress) and DNS egress; the rest allow app->app on a
 * numeric or named port, from other namespaces by label, or to external CIDRs.
 */
export function generate(pods, policies, seed = 1) {
  const r = rng(seed);
  const nsCount = Math.max(1, Math.round(pods / 50));
  const docs = [];
  for (let n = 0; n < nsCount; n++) docs.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns${n}\n  labels: {team: t${n % 7}, env: ${n % 2 ? 'prod' : 'dev'}}\n`);
  for (let i = 0; i < pods; i++) {
    const n = i % nsCount;
    const app = Math.floor(i / nsCount) % 10;
    docs.push(
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p${i}\n  namespace: ns${n}\n  labels: {app: a${app}, tier: t${app % 3}, pod-name: p${i}}\nspec:\n  containers:\n  - name: c\n    image: img\n    ports:\n    - {name: http, containerPort: ${8000 + app}}\n    - {name: metrics, containerPort: 9090}\n`,
    );
  }
  let made = 0;
  for (let n = 0; n < nsCount && made < policies; n++) {
    docs.push(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-all, namespace: ns${n}}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n`);
    made++;
    if (made < policies) {
      docs.push(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-dns, namespace: ns${n}}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to: [{namespaceSelector: {}, podSelector: {matchLabels: {app: a0}}}]\n    ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]\n`);
      made++;
    }
  }
  while (made < policies) {
    const n = Math.floor(r() * nsCount);
    const kind = Math.floor(r() * 4);
    const a = Math.floor(r() * 10);
    const b = Math.floor(r() * 10);
    let spec;
    if (kind === 0) spec = `  podSelector: {matchLabels: {app: a${a}}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: a${b}}}}]\n    ports: [{port: ${8000 + a}}]\n`;
    else if (kind === 1) spec = `  podSelector: {matchLabels: {app: a${a}}}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {team: t${b % 7}}}, podSelector: {matchExpressions: [{key: tier, operator: In, values: [t${b % 3}]}]}}]\n    ports: [{port: http}]\n`;
    else if (kind === 2) spec = `  podSelector: {matchLabels: {tier: t${a % 3}}}\n  policyTypes: [Egress]\n  egress:\n  - to: [{podSelector: {matchLabels: {app: a${b}}}}, {namespaceSelector: {matchLabels: {env: prod}}}]\n    ports: [{port: 8000, endPort: 8010}]\n`;
    else spec = `  podSelector: {matchLabels: {app: a${a}}}\n  policyTypes: [Egress]\n  egress:\n  - to: [{ipBlock: {cidr: 10.${a}.0.0/16, except: [10.${a}.${b}.0/24]}}]\n    ports: [{port: 443}]\n`;
    docs.push(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p${made}, namespace: ns${n}}\nspec:\n${spec}`);
    made++;
  }
  return [{ path: `gen-${pods}-${policies}.yaml`, text: docs.join('---\n') }];
}

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

if (!only || only === 'big') {
  console.log('\n== Language server, one big document');
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'bench-big.mjs')], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exitCode = r.status ?? 1;
}
