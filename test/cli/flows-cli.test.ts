// `policy-lens flows` and `policy-lens recommend`: the JSON contract, gzip, baselines (saved, git HEAD, a folder),
// --fail-on, bad usage; recommend prints YAML on stdout and the summary on stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { parseAllDocuments } from 'yaml';
import { collectFiles, main } from '../../server/src/cli/main';
import { analyzeFiles } from '../../server/src/core/index';
import { repoRoot } from '../helpers/paths';

const FIX = join(repoRoot(), 'test', 'fixtures', 'flows');
const SHOP = join(FIX, 'shop');

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

interface JsonFlow {
  src: string;
  dst: string;
  protocol: string;
  port: number | null;
  count: number;
  observed: string;
  predicted: string;
  baseline?: string;
  change: string | null;
}

test('flows --output json follows the contract: flows, unmatched, unobserved with reach ids', async () => {
  const r = await run(['flows', join(FIX, 'hubble-flows.jsonl'), '--manifests', SHOP, '--output', 'json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual(Object.keys(j).slice(0, 3), ['flows', 'unmatched', 'unobserved']);
  const f = j.flows.find((x: JsonFlow) => x.src === 'frontend/web' && x.dst === 'backend/api' && x.protocol === 'TCP');
  assert.deepEqual(
    { src: f.src, dst: f.dst, protocol: f.protocol, port: f.port, count: f.count, observed: f.observed, predicted: f.predicted, change: f.change },
    { src: 'frontend/web', dst: 'backend/api', protocol: 'TCP', port: 8080, count: 1, observed: 'allowed', predicted: 'allowed', change: null },
  );
  assert.ok(!('baseline' in f), 'baseline only with --baseline');
  for (const x of j.flows as JsonFlow[]) {
    assert.ok(['allowed', 'denied'].includes(x.observed));
    assert.ok(['allowed', 'denied', 'uncertain'].includes(x.predicted));
  }
  // ids are the ones `reach` prints
  const reach = JSON.parse((await run(['reach', SHOP, '--output', 'json'])).out);
  const ids = new Set(reach.endpoints.map((e: { id: string }) => e.id));
  for (const x of j.flows as JsonFlow[]) {
    assert.ok(ids.has(x.src) && ids.has(x.dst), `${x.src} -> ${x.dst}`);
  }
  for (const u of j.unobserved) assert.ok(ids.has(u.src) && ids.has(u.dst) && Object.keys(u.protocols).length > 0);
  assert.deepEqual(Object.keys(j.unmatched[0]), ['file', 'line', 'reason', 'count']);
  assert.match(j.unmatched[0].file, /hubble-flows\.jsonl$/);
});

test('flows text output, several files at once, gzip and standard input', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pl-flows-'));
  try {
    const gz = join(dir, 'whisker.json.gz');
    writeFileSync(gz, gzipSync(readFileSync(join(FIX, 'whisker-flows.json'))));
    const r = await run(['flows', gz, join(FIX, 'goldmane-flows.ndjson'), '--manifests', SHOP]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n');
    assert.match(lines[0], /^20 records, \d+ observed flows \(\d+ allowed, \d+ denied\)/);
    // 12 connections (Goldmane, both reporters folded) + 1 Whisker flow
    assert.ok(lines.includes('frontend/web => backend/api : TCP 8080  observed allowed x13, predicted allowed'), r.out);
    assert.ok(lines.some((l) => /^unmatched .*whisker\.json\.gz:11: source monitoring\/prometheus-server-6b8f9c7d5-\* matches no workload/.test(l)));
    // a gzip stream on standard input
    let out = '';
    const code = await main(['flows', '-', '--manifests', SHOP, '--output', 'json'], { out: (s) => (out += s), err: () => {}, stdin: Readable.from([gzipSync(readFileSync(join(FIX, 'hubble-flows.jsonl')))]) } as Parameters<typeof main>[1]);
    assert.equal(code, 0);
    assert.equal(JSON.parse(out).summary.records, 19);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('flows --baseline head: observed flows a working-copy change newly blocks, --fail-on newly-blocked exits 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pl-flows-git-'));
  try {
    cpSync(SHOP, join(dir, 'shop'), { recursive: true });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
    git('init', '-q');
    git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'add', '.');
    git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'shop');
    // The change: the API no longer accepts the web tier.
    const p = join(dir, 'shop', 'policies', 'backend.yaml');
    writeFileSync(p, readFileSync(p, 'utf8').replace('app: web', 'app: nobody'));
    const args = ['flows', join(FIX, 'hubble-flows.jsonl'), '--manifests', join(dir, 'shop'), '--baseline', 'head', '--output', 'json'];
    const r = await run(args);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    const wa = j.flows.find((x: JsonFlow) => x.src === 'frontend/web' && x.dst === 'backend/api' && x.protocol === 'TCP');
    assert.deepEqual([wa.baseline, wa.predicted, wa.change], ['allowed', 'denied', 'newly-blocked']);
    assert.equal(j.summary.newlyBlocked, 1);
    for (const x of j.flows as JsonFlow[]) assert.ok(['allowed', 'denied', 'uncertain'].includes(x.baseline!));
    assert.equal((await run([...args, '--fail-on', 'newly-blocked'])).code, 1);
    assert.equal((await run([...args, '--fail-on', 'newly-allowed'])).code, 0);
    // saved = the files on disk = the manifests: nothing changes
    const saved = JSON.parse((await run(['flows', join(FIX, 'hubble-flows.jsonl'), '--manifests', join(dir, 'shop'), '--baseline', 'saved', '--output', 'json'])).out);
    assert.ok(saved.flows.every((x: JsonFlow) => x.change === null));
    // another folder as the baseline: the committed copy
    const other = JSON.parse((await run(['flows', join(FIX, 'hubble-flows.jsonl'), '--manifests', join(dir, 'shop'), '--baseline', SHOP, '--output', 'json'])).out);
    assert.equal(other.summary.newlyBlocked, 1);
    // no git repository: a clear error, exit 2
    const nogit = mkdtempSync(join(tmpdir(), 'pl-nogit-'));
    cpSync(SHOP, nogit, { recursive: true });
    const ng = await run(['flows', join(FIX, 'hubble-flows.jsonl'), '--manifests', nogit, '--baseline', 'head']);
    rmSync(nogit, { recursive: true, force: true });
    assert.equal(ng.code, 2);
    assert.match(ng.err, /no baseline: no git HEAD version of/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('flows --baseline staged: a Calico staged policy newly blocks an observed flow (what-if against the enforced state)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pl-flows-staged-'));
  try {
    writeFileSync(
      join(dir, 'world.yaml'),
      `apiVersion: v1
kind: Pod
metadata: {name: client, namespace: n, labels: {app: client}}
---
apiVersion: v1
kind: Pod
metadata: {name: server, namespace: n, labels: {app: server}}
---
apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata: {name: lock, namespace: n}
spec:
  selector: app == 'server'
  types: [Ingress]
  ingress: [{action: Allow, protocol: TCP, destination: {ports: [80]}}]
`,
    );
    // Whisker records of pods without GenerateName carry the pod name
    const item = (port: number) => ({ action: 'Allow', source_name: 'client', source_namespace: 'n', source_labels: 'app=client', dest_name: 'server', dest_namespace: 'n', dest_labels: 'app=server', protocol: 'tcp', dest_port: port, reporter: 'Dst', policies: { enforced: [], pending: [] } });
    const f = join(dir, 'flows.json');
    writeFileSync(f, JSON.stringify({ total: { totalPages: 1 }, items: [item(80), item(9090)] }));
    const r = await run(['flows', f, '--manifests', join(dir, 'world.yaml'), '--baseline', 'staged', '--output', 'json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    const get = (port: number) => j.flows.find((x: JsonFlow) => x.port === port);
    assert.deepEqual([get(9090).baseline, get(9090).predicted, get(9090).change], ['allowed', 'denied', 'newly-blocked']);
    assert.deepEqual([get(80).baseline, get(80).predicted, get(80).change], ['allowed', 'allowed', null]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad usage exits 2 with a message; unreadable flow files and manifests exit 2', async () => {
  assert.equal((await run(['flows'])).code, 2);
  assert.match((await run(['flows', join(FIX, 'hubble-flows.jsonl')])).err, /no --manifests PATH given/);
  assert.match((await run(['flows', '--manifests', SHOP])).err, /no FLOWFILE given/);
  assert.equal((await run(['flows', join(FIX, 'hubble-flows.jsonl'), '--manifests', SHOP, '--output', 'xml'])).code, 2);
  assert.equal((await run(['flows', join(FIX, 'hubble-flows.jsonl'), '--manifests', SHOP, '--fail-on', 'everything'])).code, 2);
  const missing = await run(['flows', '/nope/flows.json', '--manifests', SHOP]);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /\/nope\/flows\.json: no such file or directory/);
  assert.equal((await run(['flows', join(FIX, 'hubble-flows.jsonl'), '--manifests', '/nope'])).code, 2);
  assert.equal((await run(['recommend', join(FIX, 'hubble-flows.jsonl'), '--manifests', SHOP, '--dialect', 'cilium'])).code, 2);
  assert.equal((await run(['recommend', join(FIX, 'hubble-flows.jsonl'), '--manifests', SHOP, '--dialect', 'cnp', '--staged'])).code, 2);
  assert.equal((await run(['recommend', '--help'])).code, 0);
  // A file that is not flows at all is read, and every record is reported
  const junk = await run(['flows', join(SHOP, 'namespaces.yaml'), '--manifests', SHOP, '--output', 'json']);
  assert.equal(junk.code, 0);
  assert.ok(JSON.parse(junk.out).unmatched.length > 0);
});

test('recommend: YAML on stdout that parses and re-analyses clean; the summary and verification on stderr', async () => {
  for (const dialect of ['kubernetes', 'calico', 'cnp']) {
    // The shop's NetworkPolicies decide before a Baseline ClusterNetworkPolicy: the Admin tier is the one that verifies
    const r = await run(['recommend', join(FIX, 'whisker-flows.json'), join(FIX, 'hubble-flows.jsonl'), '--manifests', SHOP, '--dialect', dialect, ...(dialect === 'cnp' ? ['--cnp-tier', 'admin'] : [])]);
    assert.equal(r.code, 0, r.err);
    const docs = parseAllDocuments(r.out);
    assert.ok(docs.length >= 5);
    for (const d of docs) assert.deepEqual(d.errors, []);
    assert.match(r.err, new RegExp(`^policy-lens recommend: \\d+ ${dialect} policies for \\d+ workloads`));
    assert.match(r.err, /verification: verified — \d+ observed flows stay allowed/);
    // The output re-parses without diagnostics next to the manifests
    const { cluster } = analyzeFiles([...collectFiles([SHOP]).files, { path: 'rec.yaml', text: r.out }]);
    assert.deepEqual(cluster.diagnostics.filter((d) => d.range.file === 'rec.yaml' && d.severity !== 'hint').map((d) => d.message), []);
  }
  // Baseline (the default tier): the flows the NetworkPolicies deny stay blocked, said per flow, exit 1
  const baseline = await run(['recommend', join(FIX, 'hubble-flows.jsonl'), '--manifests', SHOP, '--dialect', 'cnp']);
  assert.equal(baseline.code, 1);
  assert.match(baseline.err, /not allowed: backend\/worker => 0\.0\.0\.0-203\.0\.112\.255 TCP 443 \(a policy of the manifests isolates this workload, so it decides before the Baseline tier/);
  assert.equal((await run(['recommend', join(FIX, 'hubble-flows.jsonl'), '--manifests', SHOP, '--cnp-tier', 'admin'])).code, 2, '--cnp-tier without --dialect cnp');
  const staged = await run(['recommend', join(FIX, 'whisker-flows.json'), '--manifests', SHOP, '--staged']);
  assert.match(staged.out, /kind: StagedNetworkPolicy/);
  assert.match(staged.err, /staged calico policies/);
});
