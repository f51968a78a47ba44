// Server side of observed traffic: FlowService (policyLens/flows and policyLens/recommend) on the shop fixture, the
// per-pair overlay the panel renders, impact preview against saved / HEAD baselines, and the requests registered by
// the real server entry (server.ts) over stdio.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import { collectFiles } from '../../server/src/cli/main';
import { FlowService } from '../../server/src/flows';
import { NoHeadBaseline } from '../../server/src/git-show';
import { FLOWS_REQUEST, RECOMMEND_REQUEST, type FlowsResponse, type RecommendResponse } from '../../server/src/protocol';
import { repoRoot } from '../helpers/paths';

const FIX = join(repoRoot(), 'test', 'fixtures', 'flows');
const SHOP = join(FIX, 'shop');
const shopFiles = () => collectFiles([SHOP]).files;

test('policyLens/flows: classified flows, the per-pair overlay, unmatched records, file summaries', async () => {
  const svc = new FlowService(shopFiles);
  const r = await svc.flows({ files: [join(FIX, 'hubble-flows.jsonl'), pathToFileURL(join(FIX, 'whisker-flows.json')).href] });
  assert.equal(r.files.length, 2);
  assert.deepEqual(r.files.map((f) => f.formats[0]).sort(), ['hubble', 'whisker']);
  const pair = r.pairs.find((p) => p.src === 'frontend/web' && p.dst === 'backend/api')!;
  assert.equal(pair.state, 'mixed', 'TCP 8080 allowed, ICMP denied');
  assert.ok(pair.flows.every((i) => r.flows[i].src === 'frontend/web' && r.flows[i].dst === 'backend/api'));
  const dis = r.pairs.find((p) => p.src === 'backend/worker' && p.dst === '0.0.0.0-203.0.112.255')!;
  assert.deepEqual([dis.state, dis.disagreements], ['observed-allowed', 1]);
  // pub has three candidate ranges: the flow shows on each candidate pair, marked ambiguous
  const amb = r.pairs.filter((p) => p.src === 'backend/api' && p.ambiguous);
  assert.equal(amb.length, 3);
  // the dataplane's side of each flow's trace
  const wa = r.flows[pair.flows.find((i) => r.flows[i].protocol === 'TCP')!];
  assert.ok(wa.reported!.some((p) => p.name === 'api' && p.namespace === 'backend'));
  assert.ok(r.unmatched.length >= 5);
  assert.ok(r.unobserved.length > 0);
  assert.equal(r.summary.records, 30);
  // A missing file is reported, the others still classified
  const miss = await svc.flows({ files: [join(FIX, 'nope.json'), join(FIX, 'hubble-flows.jsonl')] });
  assert.match(miss.files.find((f) => f.error)!.error!, /nope\.json: no such file/);
  assert.equal(miss.summary.records, 19);
});

test('impact preview: compare saved / head; a missing HEAD is a baselineError, not a failure', async () => {
  const files = shopFiles();
  // The buffers: the API no longer accepts the web tier; the saved files are the fixture as it is.
  const edited = files.map((f) => (f.path.endsWith('backend.yaml') && f.path.includes('policies') ? { ...f, text: f.text.replace('app: web', 'app: nobody') } : f));
  const saved = new Map(files.map((f) => [f.path, f.text]));
  const svc = new FlowService(() => edited, {
    readSaved: async (p) => saved.get(p),
    readHead: async () => {
      throw new NoHeadBaseline('no git HEAD version of backend.yaml: not a git repository');
    },
  });
  const r = await svc.flows({ files: [join(FIX, 'hubble-flows.jsonl')], compare: 'saved' });
  const wa = r.flows.find((f) => f.src === 'frontend/web' && f.dst === 'backend/api' && f.protocol === 'TCP')!;
  assert.deepEqual([wa.baseline, wa.predicted, wa.change], ['allowed', 'denied', 'newly-blocked']);
  assert.equal(r.pairs.find((p) => p.src === 'frontend/web' && p.dst === 'backend/api')!.newlyBlocked, 1);
  const h = await svc.flows({ files: [join(FIX, 'hubble-flows.jsonl')], compare: 'head' });
  assert.match(h.baselineError!, /not a git repository/);
  assert.equal(h.flows[0].change, undefined);
});

test('the unobserved pairs are listed up to the requested limit, else counted only (the panel asks with a limit)', async () => {
  const svc = new FlowService(shopFiles);
  const all = await svc.flows({ files: [join(FIX, 'hubble-flows.jsonl')] });
  const n = all.unobserved.length;
  assert.ok(n > 1);
  assert.equal(all.summary.unobservedPairs, n);
  const within = await svc.flows({ files: [join(FIX, 'hubble-flows.jsonl')], unobserved: n });
  assert.equal(within.unobserved.length, n);
  assert.equal(within.unobservedOmitted, undefined);
  const over = await svc.flows({ files: [join(FIX, 'hubble-flows.jsonl')], unobserved: n - 1 });
  assert.deepEqual([over.unobserved.length, over.unobservedOmitted, over.summary.unobservedPairs], [0, true, n]);
});

test('flow files are read once and re-read when they change on disk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pl-flowsvc-'));
  try {
    const f = join(dir, 'flows.jsonl');
    copyFileSync(join(FIX, 'hubble-flows.jsonl'), f);
    const svc = new FlowService(shopFiles);
    const a = await svc.flows({ files: [f], unobserved: false });
    assert.equal(a.summary.records, 19);
    assert.deepEqual(a.unobserved, []);
    copyFileSync(join(FIX, 'goldmane-flows.ndjson'), f);
    utimesSync(f, new Date(), new Date(Date.now() + 5000));
    const b = await svc.flows({ files: [f] });
    assert.equal(b.summary.records, 9);
    assert.deepEqual(b.files[0].formats, ['goldmane']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('server.ts over stdio registers policyLens/flows and policyLens/recommend', async () => {
  const entry = join(__dirname, '..', '..', 'server', 'src', 'server.js');
  const child = spawn(process.execPath, [entry, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  conn.onNotification(() => undefined);
  conn.onRequest(() => null);
  conn.listen();
  try {
    await conn.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(SHOP).href, workspaceFolders: [{ uri: pathToFileURL(SHOP).href, name: 'ws' }], capabilities: {}, initializationOptions: {} });
    await conn.sendNotification('initialized', {});
    // The index fills asynchronously: ask until the workspace's workloads are known.
    let r: FlowsResponse | undefined;
    for (let i = 0; i < 100; i++) {
      r = (await conn.sendRequest(FLOWS_REQUEST, { files: [join(FIX, 'hubble-flows.jsonl')] })) as FlowsResponse;
      if (r.summary.flows === 8 && r.summary.unmatchedRecords === 4) break; // all of the workspace indexed
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.ok(r!.flows.some((f) => f.src === 'frontend/web' && f.dst === 'backend/api'), JSON.stringify(r!.summary));
    const rec = (await conn.sendRequest(RECOMMEND_REQUEST, { files: [join(FIX, 'hubble-flows.jsonl')], dialect: 'kubernetes' })) as RecommendResponse;
    assert.match(rec.yaml, /kind: NetworkPolicy/);
    assert.equal(rec.verification.status, 'verified');
    await conn.sendRequest('shutdown');
    await conn.sendNotification('exit');
  } finally {
    conn.dispose();
    child.kill();
  }
});
