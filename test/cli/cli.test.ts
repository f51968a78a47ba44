// The `policy-lens reach` command: JSON contract, text output, --explain, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { main } from '../../server/src/cli/main';
import { corporaDir, repoRoot } from '../helpers/paths';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, {
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
  });
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

test("reach text output in the formatter's words: posture, then connections; external ranges merged and in CIDR form", async () => {
  const r = await run(['reach', join(repoRoot(), 'examples/shop')]);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trimEnd().split('\n');
  assert.equal(lines[0], '6 workloads, 11 network policies, 12 allowed connections');
  const at = (heading: string) => lines.indexOf(heading);
  assert.ok(at('Posture:') > 0 && at('Posture:') < at('Between workloads (8):'));
  assert.ok(lines.includes('- 1 namespace without a default deny: kube-system'));
  assert.ok(lines.includes('- 2 workloads are reachable from outside the cluster: frontend/web, kube-system/coredns'));
  assert.ok(lines.includes('backend/api => kube-system/coredns : TCP 53; UDP 53'));
  // The internet is one peer, not three ranges cut at 203.0.113.0/24 (where web and coredns get the same connections).
  assert.deepEqual(lines.slice(at('From outside the cluster (2):') + 1, at('From outside the cluster (2):') + 3), ['0.0.0.0/0 => frontend/web : TCP 8080', '0.0.0.0/0 => kube-system/coredns : all traffic']);
  assert.ok(lines.includes('backend/api => 203.0.113.0/24 : TCP 443'));
  assert.ok(!r.out.includes('All Connections'));
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

test('reach --explain accepts an IP address or a CIDR for an end and says which external range holds it', async () => {
  const shop = join(repoRoot(), 'examples/shop');
  const ip = await run(['reach', shop, '--explain', 'backend/api', '203.0.113.7']);
  assert.equal(ip.code, 0);
  assert.match(ip.out, /^203\.0\.113\.7 is in the external range 203\.0\.113\.0-203\.0\.113\.255 \(203\.0\.113\.0\/24\)/);
  assert.match(ip.out, /Allowed: TCP 443/);
  const cidr = await run(['reach', shop, '--explain', '8.8.8.8', 'frontend/web']);
  assert.equal(cidr.code, 0);
  assert.match(cidr.out, /Allowed: TCP 8080/);
  const block = await run(['reach', shop, '--explain', 'backend/api', '203.0.113.0/24']);
  assert.equal(block.code, 0);
  assert.match(block.out, /Allowed: TCP 443/);
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
  assert.equal(lines[0], '5 workloads, 1 Kubernetes and 3 Calico policies (1 staged, not enforced), 24 allowed connections');
  assert.ok(lines.includes('frontend/web => backend/api : TCP 9000'));
  assert.ok(lines.includes('backend/api => GlobalNetworkSet payment-provider (203.0.113.0/24) : TCP 443'), 'an external peer that is exactly a GlobalNetworkSet is named by it');
  assert.ok(lines.includes('frontend/web => kube-system/coredns : UDP 53'));
  // The staged policy is not enforced: every internal workload may still scrape the API's metrics.
  assert.ok(lines.includes('backend/worker => backend/api : TCP 9090'));
  const ex = await run(['reach', dir, '--explain', 'frontend/web', 'backend/api']);
  // Every step of the trace, tier by tier, with file:line (allowing and denying steps alike).
  assert.match(ex.out, /Calico tier platform\n\s+platform\.dns-then-pass\s+egress rule 2\s+Pass\s+all traffic\s+\S*policies\.yaml:\d+/);
  assert.match(ex.out, /frontend\/web-egress\s+egress rule 1\s+Allow\s+TCP 9000\s+\S*policies\.yaml:\d+/);
  assert.match(ex.out, /end of tier\s+default action Deny\s+Deny\s+all traffic except TCP 9000/);
});

test('reach on the ClusterNetworkPolicy example: Admin -> NetworkPolicy -> Baseline, domain names as external endpoints', async () => {
  // network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go: tiers Admin, NetworkPolicy, Baseline in order.
  const dir = join(repoRoot(), 'examples', 'cluster-policy');
  const r = await run(['reach', dir]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '', 'the example has no diagnostics');
  const lines = r.out.trim().split('\n');
  assert.match(lines[0], /^6 workloads, 2 network policies, 3 cluster network policies, \d+ allowed connections$/);
  assert.ok(lines.includes('storefront/web => payments/api : TCP 8443'), 'the NetworkPolicy allows it');
  assert.ok(lines.includes('platform/prometheus => payments/api : TCP 9100'), 'the Admin Accept wins over the NetworkPolicy');
  assert.ok(lines.includes('payments/api => api.gateway.example.com : TCP 443'), 'domainNames Accept');
  assert.ok(!lines.some((l) => l.startsWith('payments/api => 0.0.0.0')), 'the Admin Deny of the internet wins over the NetworkPolicy ipBlock');
  assert.ok(!lines.some((l) => l.startsWith('sandbox/toolbox => payments/')), 'Admin Deny from dev namespaces');
  assert.ok(!lines.includes('sandbox/toolbox => storefront/web : all traffic'), 'Baseline Deny (no NetworkPolicy selects web)');
  assert.ok(lines.includes('storefront/web => sandbox/toolbox : all traffic'));
  // --explain shows every tier the traffic went through, with file:line.
  const ex = await run(['reach', dir, '--explain', 'storefront/web', 'payments/api']);
  assert.match(ex.out, /evaluated as Kubernetes NetworkPolicy \+ ClusterNetworkPolicy/);
  assert.match(ex.out, /Admin tier\n\s+end of tier\s+default action Pass\s+Pass\s+all traffic\n\s+Kubernetes NetworkPolicy\n\s+payments\/api\s+ingress rule 1\s+Allow\s+TCP 8443\s+\S*policies\.yaml:\d+/);
  const dom = await run(['reach', dir, '--explain', 'payments/api', 'api.gateway.example.com']);
  assert.match(dom.out, /protect-payments\s+egress rule 2 \(payment-gateway\)\s+Allow\s+TCP 443/);
  assert.match(dom.out, /protect-payments\s+egress rule 3 \(nothing-else-leaves\)\s+Deny\s+all traffic except TCP 443/);
  const base = await run(['reach', dir, '--explain', 'sandbox/toolbox', 'storefront/web']);
  assert.match(base.out, /Baseline tier\n\s+baseline-no-dev-ingress\s+ingress rule 1 \(dev-namespaces-stay-out\)\s+Deny\s+all traffic/);
});

test('reach --output json: a ClusterNetworkPolicy world prints the same JSON shape (domain names are External endpoints)', async () => {
  const r = await run(['reach', join(repoRoot(), 'examples', 'cluster-policy'), '--output', 'json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual(Object.keys(j).sort(), ['connections', 'endpoints']);
  for (const e of j.endpoints) assert.deepEqual(Object.keys(e).sort(), e.kind === 'External' ? ['id', 'kind', 'labels', 'name'] : ['id', 'kind', 'labels', 'name', 'namespace']);
  assert.ok(j.endpoints.some((e: { id: string; kind: string }) => e.id === 'api.gateway.example.com' && e.kind === 'External'));
  for (const c of j.connections) assert.deepEqual(Object.keys(c).sort(), ['dst', 'explanation', 'protocols', 'src']);
  const c = j.connections.find((x: { src: string; dst: string }) => x.src === 'platform/prometheus' && x.dst === 'payments/api');
  assert.deepEqual(c.protocols, { TCP: [[9100, 9100]] });
  assert.equal(c.explanation.ingress.allowedBy[0].policy, 'allow-monitoring');
});

test('--ipblock-matches-pods: Kubernetes ipBlock also matches pods by status.podIP, and --explain says which reading applied', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'pl-ipblock-'));
  try {
    writeFileSync(
      join(dir, 'w.yaml'),
      `apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {app: a}}\nstatus: {podIP: 10.1.0.5}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: y, labels: {app: b}}\nstatus: {podIP: 10.2.0.5}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: only-block, namespace: y}\nspec:\n  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 10.1.0.0/16}}]}]\n`,
    );
    const off = await run(['reach', dir, '--explain', 'x/a', 'y/b']);
    assert.match(off.out, /Denied/);
    assert.match(off.out, /ipBlock matches external addresses only/);
    const on = await run(['reach', dir, '--ipblock-matches-pods', '--explain', 'x/a', 'y/b']);
    assert.match(on.out, /Allowed: all traffic/);
    assert.match(on.out, /ipBlock also matches pod IPs/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
