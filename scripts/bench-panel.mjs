// Panel benchmark (issue 10): drives the built language server over stdio as VS Code does, on a generated
// workspace (one workloads file + one file per 100 policies): `policyLens/reachability` cold, then a one-line
// edit to an open policy file followed by the request again (5 edits, median), response size and server RSS.
// Each size runs twice in the same process tree: the incremental path (default) and from scratch
// (initializationOptions.reachabilityFromScratch), so both figures stand side by side.
//
//   node scripts/bench-panel.mjs [--sizes 1000x500,5000x2000] [--edits 5]
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { generate } from './gen-workspace.mjs';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const rpc = require('vscode-jsonrpc/node');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : def;
};
const sizes = opt('--sizes', '1000x500,5000x2000').split(',').map((s) => s.split('x').map(Number));
const EDITS = Number(opt('--edits', '5'));


/** Splits the generated documents into workloads.yaml and policies-NNN.yaml (100 policies each). */
function workspace(dir, pods, policies) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const docs = generate(pods, policies)[0].text.split('---\n');
  const wl = docs.filter((d) => !d.includes('kind: NetworkPolicy'));
  const pol = docs.filter((d) => d.includes('kind: NetworkPolicy'));
  writeFileSync(join(dir, 'workloads.yaml'), wl.join('---\n'));
  const files = [];
  for (let i = 0; i < pol.length; i += 100) {
    const f = join(dir, `policies-${String(i / 100).padStart(3, '0')}.yaml`);
    writeFileSync(f, pol.slice(i, i + 100).join('---\n'));
    files.push(f);
  }
  return files;
}

function treeRssMiB(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(s)[1]) / 1024;
  } catch {
    return NaN;
  }
}

async function run(dir, policyFiles, fromScratch) {
  const child = spawn(process.execPath, ['--max-old-space-size=4096', join(root, 'dist', 'server', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  // The server's stderr is kept: when it dies, the bench says why instead of a broken pipe.
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  child.on('exit', (code, signal) => {
    if (code !== 0 && code !== null) console.error(`server exited with ${code}${signal ? ` (${signal})` : ''}:\n${stderr}`);
  });
  const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  let indexed;
  const indexedP = new Promise((r) => (indexed = r));
  conn.onNotification('window/logMessage', (p) => {
    if (/indexed \d+ YAML files/.test(p.message)) indexed();
  });
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('workspace/configuration', () => []);
  conn.onNotification(() => {});
  conn.listen();
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, treeRssMiB(child.pid))), 50);
  const uri = pathToFileURL(dir).href;
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: uri, workspaceFolders: [{ uri, name: 'bench' }], capabilities: {}, initializationOptions: { reachabilityDebounceMs: 0, reachabilityFromScratch: fromScratch } });
  conn.sendNotification('initialized', {});
  await indexedP;
  const t0 = performance.now();
  const cold = await conn.sendRequest('policyLens/reachability', { compare: 'none' });
  const coldMs = performance.now() - t0;
  const size = JSON.stringify(cold).length;
  // Open one policy file and edit one line (a port number) EDITS times.
  const file = policyFiles[Math.floor(policyFiles.length / 2)];
  const furi = pathToFileURL(file).href;
  let text = readFileSync(file, 'utf8');
  conn.sendNotification('textDocument/didOpen', { textDocument: { uri: furi, languageId: 'yaml', version: 1, text } });
  await conn.sendRequest('policyLens/reachability', { compare: 'none' });
  const times = [];
  let changed = 0;
  for (let i = 0; i < EDITS; i++) {
    const m = /port: (\d+)\}/.exec(text.slice(text.length / 2)) ?? /port: (\d+)/.exec(text);
    const at = text.indexOf(m[0], m.index ?? 0);
    const next = text.slice(0, at) + m[0].replace(m[1], String(Number(m[1]) + 1)) + text.slice(at + m[0].length);
    text = next;
    const t = performance.now();
    conn.sendNotification('textDocument/didChange', { textDocument: { uri: furi, version: i + 2 }, contentChanges: [{ text }] });
    const r = await conn.sendRequest('policyLens/reachability', { compare: 'none' });
    times.push(performance.now() - t);
    if (r.data.cells.length !== cold.data.cells.length || JSON.stringify(r.data.conns) !== JSON.stringify(cold.data.conns)) changed++;
  }
  times.sort((a, b) => a - b);
  const rss = treeRssMiB(child.pid);
  clearInterval(sampler);
  // Shut the server down as a client does and let it exit by itself before the connection goes: nothing may be
  // written into its closed pipe afterwards.
  const exited = new Promise((r) => child.once('exit', r));
  child.stdin.on('error', () => {});
  await conn.sendRequest('shutdown');
  await conn.sendNotification('exit').catch(() => {});
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  conn.dispose();
  child.kill();
  return { coldMs, editMedianMs: times[Math.floor(times.length / 2)], sizeMB: size / 1e6, rssMiB: rss, peakMiB: peak, classes: cold.data.classes.length, cells: cold.data.cells.length, changed };
}

const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
console.log('== Panel: policyLens/reachability over stdio (server as VS Code drives it)');
console.log('| workspace | path | cold request ms | edit → panel data ms (median of 5) | payload MB | server RSS MiB (peak) | classes | cells |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
const targets = { 1000: 100, 5000: 300 };
const results = [];
for (const [pods, policies] of sizes) {
  const dir = join(root, 'bench-results', `panel-${pods}x${policies}`);
  const files = workspace(dir, pods, policies);
  for (const fromScratch of [false, true]) {
    const r = await run(dir, files, fromScratch);
    results.push({ pods, policies, fromScratch, ...r });
    console.log(`| ${pods} × ${policies} | ${fromScratch ? 'from scratch' : 'incremental'} | ${fmt(r.coldMs)} | ${fmt(r.editMedianMs)} | ${fmt(r.sizeMB, 2)} | ${fmt(r.rssMiB)} (${fmt(r.peakMiB)}) | ${r.classes} | ${r.cells} |`);
  }
  rmSync(dir, { recursive: true, force: true });
}
console.log('\nTargets (issue 10): edit → panel data < 100 ms at 1,000 × 500 and < 300 ms at 5,000 × 2,000; payload < 5 MB and');
console.log('server RSS < 500 MiB at 5,000 × 2,000. Before this work (issue 10 table, same machine): 1,000 × 500 cold 2.1 s, edit 1.7–2.6 s,');
console.log('57.7 MB, 556 MiB; 5,000 × 2,000 no answer within 9 minutes.');
for (const r of results.filter((x) => !x.fromScratch)) {
  const t = targets[r.pods];
  if (t) console.log(`${r.editMedianMs < t ? 'PASS' : 'MISS'}  edit → panel data at ${r.pods} × ${r.policies}: ${fmt(r.editMedianMs)} ms (target < ${t})`);
  if (r.pods === 5000) {
    console.log(`${r.sizeMB < 5 ? 'PASS' : 'MISS'}  payload at 5,000 × 2,000: ${fmt(r.sizeMB, 2)} MB (target < 5)`);
    console.log(`${r.rssMiB < 500 ? 'PASS' : 'MISS'}  server RSS at 5,000 × 2,000: ${fmt(r.rssMiB)} MiB (target < 500)`);
  }
}
