// The `policy-lens reach` command: JSON contract, text output, --explain, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { main } from '../../server/src/cli/main';
import { corporaDir, repoRoot } from '../helpers/paths';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

const boutique = join(corporaDir(), 'netpol-analyzer', 'tests', 'onlineboutique');

test('reach --output json follows the contract: endpoints with ids, connections with inclusive port ranges', async () => {
  const r = await run(['reach', boutique, '--output', 'json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  const fe = j.endpoints.find((e: { id: string }) => e.id === 'default/frontend-99684f7f8');
  assert.deepEqual(Object.keys(fe).sort(), ['id', 'kind', 'labels', 'name', 'namespace']);
  assert.equal(fe.kind, 'ReplicaSet');
  assert.equal(fe.labels.app, 'frontend');
  const c = j.connections.find((x: { src: string; dst: string }) => x.src === 'default/frontend-99684f7f8' && x.dst === 'default/cartservice-74f56fd4b');
  assert.deepEqual(c.protocols, { TCP: [[7070, 7070]] });
  assert.ok(c.explanation.ingress.isolated);
  assert.ok(c.explanation.ingress.allowedBy.length >= 1);
  assert.equal(typeof c.explanation.ingress.allowedBy[0].policy, 'string');
  assert.equal(typeof c.explanation.ingress.allowedBy[0].ruleIndex, 'number');
  // a pair with nothing allowed is omitted
  assert.ok(!j.connections.some((x: { src: string; dst: string }) => x.src === 'default/cartservice-74f56fd4b' && x.dst === 'default/frontend-99684f7f8'));
  // external peers are endpoints of kind External
  assert.ok(j.endpoints.some((e: { id: string; kind: string }) => e.id === '0.0.0.0-255.255.255.255' && e.kind === 'External'));
});

test('reach text output: a summary line and one line per connection', async () => {
  const r = await run(['reach', boutique]);
  assert.equal(r.code, 0);
  const lines = r.out.trim().split('\n');
  assert.match(lines[0], /^12 workloads, 11 network policies, 17 allowed connections$/);
  assert.ok(lines.includes('default/loadgenerator-555fbdc87d => default/frontend-99684f7f8 : TCP 8080'));
});

test('reach --explain SRC DST explains allowed and denied pairs', async () => {
  const ok = await run(['reach', boutique, '--explain', 'default/frontend-99684f7f8', 'default/cartservice-74f56fd4b']);
  assert.equal(ok.code, 0);
  assert.match(ok.out, /Allowed: TCP 7070/);
  assert.match(ok.out, /netpols\.yaml:\d+/);
  const no = await run(['reach', boutique, '--explain', 'default/cartservice-74f56fd4b', 'default/frontend-99684f7f8']);
  assert.match(no.out, /Denied/);
  const unknown = await run(['reach', boutique, '--explain', 'default/nope', 'default/frontend-99684f7f8']);
  assert.equal(unknown.code, 1);
});

test('bad usage and missing paths exit 2 with a message; broken YAML is reported with file:line:col', async () => {
  assert.equal((await run(['reach'])).code, 2);
  assert.equal((await run(['reach', boutique, '--output', 'xml'])).code, 2);
  const missing = await run(['reach', '/definitely/not/here']);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /no such file/);
  const bad = await run(['reach', join(repoRoot(), 'test', 'fixtures', 'broken.yaml')]);
  assert.equal(bad.code, 0);
  assert.match(bad.err, /broken\.yaml:\d+:\d+: error \[yaml-syntax\]/);
});

test('reach on the Calico example: tiers, Pass, staged policies counted but not enforced', async () => {
  const dir = join(repoRoot(), 'examples', 'calico');
  const r = await run(['reach', dir]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '', 'the example has no diagnostics');
  const lines = r.out.trim().split('\n');
  assert.equal(lines[0], '5 workloads, 1 Kubernetes and 3 Calico policies (1 staged, not enforced), 38 allowed connections');
  assert.ok(lines.includes('frontend/web => backend/api : TCP 9000'));
  assert.ok(lines.includes('backend/api => 203.0.113.0-203.0.113.255 : TCP 443'));
  assert.ok(lines.includes('frontend/web => kube-system/coredns : UDP 53'));
  // The staged policy is not enforced: every internal workload may still scrape the API's metrics.
  assert.ok(lines.includes('backend/worker => backend/api : TCP 9090'));
  const ex = await run(['reach', dir, '--explain', 'frontend/web', 'backend/api']);
  // Every step of the trace, tier by tier, with file:line (allowing and denying steps alike).
  assert.match(ex.out, /Calico tier platform\n\s+platform\.dns-then-pass\s+egress rule 2\s+Pass\s+all traffic\s+\S*policies\.yaml:\d+/);
  assert.match(ex.out, /frontend\/web-egress\s+egress rule 1\s+Allow\s+TCP 9000\s+\S*policies\.yaml:\d+/);
  assert.match(ex.out, /end of tier\s+default action Deny\s+Deny\s+all traffic except TCP 9000/);
});
