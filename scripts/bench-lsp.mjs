// Language-server benchmark: drives the Policy Lens server and yaml-language-server (npm devDependency,
// with our schemas/networkpolicy.schema.json) through the same generated files of 10/100/1,000
// NetworkPolicies with the shared LSP bench driver, in one run, and prints both tables and a comparison.
//
//   node scripts/bench-lsp.mjs [--sizes 10,100,1000] [--iterations 20] [--only policy-lens|yaml-language-server]
//                              [--baseline-ref <git ref>]   also measure the policy-lens server of that commit
//
// The driver is `../shared/notes/lsp-bench.mjs` beside the repository (override with LSP_BENCH=path).
// Raw JSON results go to bench-results/ (git-ignored). Prints figures; the targets are checked and
// reported (PASS/MISS), the exit code is 0 unless a server run failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : def;
};
const sizes = opt('--sizes', '10,100,1000');
const iterations = opt('--iterations', '20');
const only = opt('--only', '');
const baselineRef = opt('--baseline-ref', '');

const driver = resolve(process.env.LSP_BENCH ?? join(root, '..', 'shared', 'notes', 'lsp-bench.mjs'));
if (!existsSync(driver)) {
  console.error(`LSP bench driver not found at ${driver} (set LSP_BENCH=/path/to/lsp-bench.mjs)`);
  process.exit(1);
}

// Build the server bundle.
const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
if (b.status !== 0) process.exit(b.status ?? 1);

const outDir = join(root, 'bench-results');
mkdirSync(outDir, { recursive: true });
const workdir = join(outDir, 'lsp-work');
const schema = join(root, 'schemas', 'networkpolicy.schema.json');
const servers = [
  { name: 'policy-lens', cmd: [process.execPath, join(root, 'dist', 'server', 'server.js'), '--stdio'] },
  { name: 'yaml-language-server', cmd: [process.execPath, join(root, 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server'), '--stdio'] },
].filter((s) => !only || s.name === only);
if (baselineRef) {
  const { buildBaselineServer } = await import('./baseline-server.mjs');
  const { sha, out } = buildBaselineServer(baselineRef);
  servers.splice(1, 0, { name: `policy-lens@${sha}`, cmd: [process.execPath, out, '--stdio'] });
}

const results = {};
let failed = false;
for (const s of servers) {
  if (!existsSync(s.cmd[1])) {
    console.log(`\n== ${s.name}: not installed (${s.cmd[1]}); run npm install`);
    failed = true;
    continue;
  }
  const json = join(outDir, `lsp-${s.name}.json`);
  console.log(`\n== ${s.name}`);
  const r = spawnSync(process.execPath, [driver, '--sizes', sizes, '--iterations', iterations, '--kind', 'k8s', '--schema', schema, '--workdir', workdir, '--json', json, '--', ...s.cmd], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0 || !existsSync(json)) {
    failed = true;
    continue;
  }
  results[s.name] = JSON.parse(readFileSync(json, 'utf8')).results;
}

const fmt = (x) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : 'n/a');
const names = Object.keys(results);
if (names.length) {
  console.log('\n== Comparison (ms; RSS in MiB = peak of the server process tree)');
  console.log('| N | server | open→diag | edit→diag med / p95 | completion med / p95 | hover med / p95 | peak RSS | diagnostics |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const n of sizes.split(',').map(Number)) {
    for (const name of names) {
      const r = results[name].find((x) => x.n === n);
      if (!r) continue;
      console.log(`| ${n} | ${name} | ${fmt(r.openToDiagMs)} | ${fmt(r.editToDiagMedianMs)} / ${fmt(r.editToDiagP95Ms)} | ${fmt(r.completionMedianMs)} / ${fmt(r.completionP95Ms)} | ${fmt(r.hoverMedianMs)} / ${fmt(r.hoverP95Ms)} | ${fmt(r.peakTreeRssMB)} | ${r.diagnostics ?? 'n/a'}${r.error ? ` ERROR: ${r.error}` : ''} |`);
    }
  }
  console.log('\nNotes: the generated file sits in the workspace folder, so policy-lens has already parsed it while indexing the');
  console.log('workspace at startup and open→diag reuses that cache (yaml-language-server parses on open). policy-lens reports more');
  console.log('diagnostics than the schema errors the driver expects (N/10): every generated policy has the `- podSelector` /');
  console.log('`- namespaceSelector` OR pattern, reported as np-split-peer (information).');
  const pl = results['policy-lens']?.find((x) => x.n === 1000);
  if (pl) {
    const check = (label, v, max) => console.log(`${v <= max ? 'PASS' : 'MISS'}  ${label}: ${fmt(v)} (target < ${max})`);
    console.log('\nTargets for policy-lens at 1,000 policies:');
    check('edit→diagnostics p95 ms', pl.editToDiagP95Ms, 100);
    check('completion p95 ms', pl.completionP95Ms, 20);
    check('hover p95 ms', pl.hoverP95Ms, 20);
    check('peak RSS MiB', pl.peakTreeRssMB, 200);
  }
}
process.exit(failed ? 1 : 0);
