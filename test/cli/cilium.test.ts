// The CLI on Cilium manifests: reach says which CNI evaluated (detected from cilium-config), --cni on every
// command, --explain shows deny-first evaluation, and `policy-lens portability`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { main } from '../../server/src/cli/main';
import { repoRoot } from '../helpers/paths';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

const example = join(repoRoot(), 'examples', 'cilium');

test('reach on examples/cilium: evaluated as Cilium (detected from kube-system/cilium-config), no diagnostics', async () => {
  const r = await run(['reach', example]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '', 'the example has no diagnostics');
  const lines = r.out.trim().split('\n');
  assert.equal(lines[0], '4 workloads, 1 Kubernetes and 4 Cilium policies, 10 allowed connections');
  assert.equal(lines[1], 'evaluated as Cilium (detected: ConfigMap kube-system/cilium-config)');
  assert.ok(lines.includes('frontend/web => backend/api : TCP 9000'));
  assert.ok(lines.includes('backend/api => payments.example.com : TCP 443'));
  assert.ok(lines.includes('backend/db => kube-system/coredns : TCP 53; UDP 53'), 'a CCNP allow joins the union with the Kubernetes policy that isolates db');
  assert.ok(!lines.some((l) => /=> backend\/api/.test(l) && l.startsWith('0.0.0.0')), 'the world ingress deny of the backend namespace wins');
});

test('reach --explain: deny rules first, then the allow rules and default deny, with file:line', async () => {
  const r = await run(['reach', example, '--explain', '203.0.113.10', 'backend/api']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Denied by the ingress side of backend\/api\. \(evaluated as Cilium/);
  assert.match(r.out, /Cilium deny rules\n\s+no-world-into-backend\s+ingressDeny rule 1\s+Deny\s+all traffic\s+\S*policies\.yaml:35/);
});

test('--cni: kubernetes ignores the Cilium policies; a bad value is a usage error on every command', async () => {
  const k = await run(['reach', example, '--cni', 'kubernetes']);
  assert.equal(k.code, 0);
  assert.match(k.out, /evaluated as Kubernetes NetworkPolicy \(CNI set to kubernetes\)/);
  assert.ok(k.out.includes('frontend/web => backend/api : all traffic'));
  const j = await run(['reach', example, '--cni=cilium', '--output', 'json']);
  assert.equal(j.code, 0);
  const json = JSON.parse(j.out);
  assert.deepEqual(Object.keys(json), ['endpoints', 'connections'], 'the JSON contract is unchanged');
  for (const cmd of [['reach', example], ['check', example], ['verify', '--rules', 'x.yaml', example], ['diff', '--base', example, example], ['portability', example]]) {
    const bad = await run([...cmd, '--cni', 'flannel']);
    assert.equal(bad.code, 2, cmd.join(' '));
    assert.match(bad.err, /--cni/);
  }
});

test('check --cni calico reports the Cilium policies as ignored (cni-kind-ignored)', async () => {
  const auto = await run(['check', example, '--format', 'json', '--fail-on', 'never']);
  assert.ok(!JSON.parse(auto.out).findings.some((f: { code: string }) => f.code === 'cni-kind-ignored'));
  const calico = await run(['check', example, '--cni', 'calico', '--format', 'json', '--fail-on', 'never']);
  const codes = JSON.parse(calico.out).findings.map((f: { code: string }) => f.code);
  assert.equal(codes.filter((c: string) => c === 'cni-kind-ignored').length, 4);
});

test('diff --cni: the same files under two runs compare clean; verify --cni accepts the option', async () => {
  const d = await run(['diff', '--base', example, example, '--cni', 'cilium', '--format', 'json']);
  assert.equal(d.code, 0, d.err);
  assert.equal(JSON.parse(d.out).changes.length, 0);
});

test('portability: flows that differ between CNIs, with reasons (kind ignored, ICMP in "all traffic")', async () => {
  const r = await run(['portability', example, '--cni', 'calico,cilium,kubernetes', '--format', 'json']);
  assert.equal(r.code, 0, r.err);
  const rep = JSON.parse(r.out);
  assert.deepEqual(rep.cnis, ['calico', 'cilium', 'kubernetes']);
  const f = rep.flows.find((x: { src: string; dst: string }) => x.src === 'frontend/web' && x.dst === 'backend/api');
  assert.deepEqual(f.words, { calico: 'all traffic, ICMP included', cilium: 'TCP 9000', kubernetes: 'all TCP, UDP and SCTP ports' });
  assert.ok(f.reasons.some((x: { code: string; text: string }) => x.code === 'kind-ignored' && /CiliumNetworkPolicy frontend\/web puts frontend\/web in default-deny for egress under Cilium/.test(x.text)));
  assert.ok(f.reasons.some((x: { code: string }) => x.code === 'icmp'));
  assert.ok(rep.summary['kind-ignored'] >= 10);
  // --fail-on-difference for CI
  assert.equal((await run(['portability', example, '--fail-on-difference'])).code, 1);
  // identical semantics: no difference
  const same = await run(['portability', join(repoRoot(), 'examples', 'shop'), '--cni', 'kubernetes,kubernetes']);
  assert.equal(same.code, 2, 'one CNI twice is not a comparison');
  const text = await run(['portability', example, '--cni', 'cilium,kubernetes']);
  assert.match(text.out, /^Compared as Cilium \(CNI set to cilium\) \/ Kubernetes NetworkPolicy \(CNI set to kubernetes\)/);
  assert.match(text.out, /why \[kind-ignored\]: /);
});

// Kubernetes NetworkPolicy ipBlock on pod addresses: Calico turns ipBlock into `nets`, which match any address,
// pods included; Cilium turns it into CIDR rules, which "do not apply to traffic where both sides of the connection
// are either managed by Cilium or use an IP belonging to a node" (docs.cilium.io security/policy/language "IP/CIDR
// based"); the Kubernetes API leaves it to the implementation (NetworkPolicyPeer.ipBlock).
test('portability: an ipBlock aimed at a pod address matches it under Calico, not under Cilium (reason ipblock-pods)', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'pl-ipb-'));
  writeFileSync(
    join(dir, 'all.yaml'),
    `apiVersion: v1
kind: Pod
metadata: {name: client, namespace: app, labels: {role: client}}
spec: {containers: [{name: c, image: x}]}
status: {podIP: 10.0.1.5}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: app, labels: {role: db}}
spec: {containers: [{name: c, image: x, ports: [{containerPort: 5432}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: app}
spec:
  podSelector: {matchLabels: {role: db}}
  policyTypes: [Ingress]
  ingress:
  - from: [{ipBlock: {cidr: 10.0.1.0/24}}]
    ports: [{port: 5432}]
`,
  );
  const r = await run(['portability', dir, '--cni', 'calico,cilium', '--format', 'json']);
  assert.equal(r.code, 0, r.err);
  const rep = JSON.parse(r.out);
  assert.equal(rep.flows.length, 1);
  assert.deepEqual([rep.flows[0].src, rep.flows[0].dst], ['app/client', 'app/db']);
  assert.deepEqual(rep.flows[0].words, { calico: 'TCP 5432', cilium: 'nothing' });
  assert.equal(rep.flows[0].reasons[0].code, 'ipblock-pods');
  assert.match(rep.flows[0].reasons[0].text, /matches pod addresses under Calico; under Cilium address blocks only match addresses outside the cluster/);
});
