// Calico authoring lints (server/src/core/lint/calico.ts). Sources: docs.tigera.io/calico/latest
// network-policy/policy-tiers/tiered-policy (Log continues; end-of-tier default Deny),
// reference/resources/globalnetworkpolicy (selector also applies to host endpoints),
// reference/resources/networkpolicy ("order": ties are broken by name).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFiles } from '../../server/src/core/index';
import { lintCalico } from '../../server/src/core/dialects/calico/lint';

const base = `apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: c, image: x}]}
---
`;

function lint(yaml: string): { code: string; line: number; message: string }[] {
  const cluster = parseFiles([{ path: 'l.yaml', text: base + yaml }]);
  return lintCalico(cluster).map((d) => ({ code: d.code, line: d.range.start.line, message: d.message }));
}

test('calico-log-only-deny: a Log-only direction ends in the end-of-tier Deny (Log continues)', () => {
  const logOnly = `apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: audit, namespace: shop}\nspec:\n  selector: app == 'api'\n  ingress: [{action: Log}]\n`;
  const f = lint(logOnly);
  assert.deepEqual(f.map((x) => x.code), ['calico-log-only-deny']);
  assert.equal(f[0].line, 7, 'points at metadata.name');
  assert.match(f[0].message, /1 workload\(s\)/);
  // Followed by an Allow: fine.
  assert.deepEqual(lint(logOnly.replace('[{action: Log}]', '[{action: Log}, {action: Allow}]')), []);
  // Another policy of the same tier allows for the same endpoint: fine.
  const other = `---\napiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: allow, namespace: shop}\nspec:\n  selector: all()\n  ingress: [{action: Allow}]\n`;
  assert.deepEqual(lint(logOnly + other), []);
});

test('calico-gnp-all-host-endpoints: GlobalNetworkPolicy selecting all() also catches host endpoints', () => {
  const gnp = `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: deny-all}\nspec:\n  selector: all()\n  types: [Ingress]\n`;
  assert.deepEqual(lint(gnp).map((x) => x.code), ['calico-gnp-all-host-endpoints']);
  assert.deepEqual(lint(gnp.replace('all()', 'has(projectcalico.org/namespace)')), []);
  assert.deepEqual(lint(gnp.replace('kind: GlobalNetworkPolicy\nmetadata: {name: deny-all}', 'kind: NetworkPolicy\nmetadata: {name: deny-all, namespace: shop}')), [], 'namespaced policies never select host endpoints');
});

test('calico-shadowed-rule: a rule after a broader terminal rule can never match', () => {
  const p = `apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  selector: app == 'api'\n  ingress:\n  - action: Deny\n    protocol: TCP\n    destination: {ports: ['1:1024']}\n  - action: Allow\n    protocol: TCP\n    source: {selector: app == 'web'}\n    destination: {ports: [80, 443]}\n  - action: Allow\n    protocol: TCP\n    destination: {ports: [8080]}\n`;
  const f = lint(p);
  assert.deepEqual(f.map((x) => `${x.code}@${x.line}`), ['calico-shadowed-rule@14']);
  // A Log rule does not shadow.
  assert.deepEqual(lint(p.replace('action: Deny', 'action: Log')), []);
});

test('calico-same-order-overlap: same tier, same order, overlapping endpoints', () => {
  const mk = (name: string, order: number, selector: string) => `apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: shop}\nspec:\n  order: ${order}\n  selector: ${selector}\n  ingress: [{action: Allow}]\n---\n`;
  assert.deepEqual(lint(mk('a', 10, "app == 'api'") + mk('b', 10, 'all()')).map((x) => x.code), ['calico-same-order-overlap', 'calico-same-order-overlap']);
  assert.deepEqual(lint(mk('a', 10, "app == 'api'") + mk('b', 11, 'all()')), []);
  assert.deepEqual(lint(mk('a', 10, "app == 'api'") + mk('b', 10, "app == 'db'")), [], 'no common endpoint');
});

test('np-dns-blocked asks the Calico engine: DNS allowed by a higher tier is not reported', async () => {
  // Calico evaluates tiers in order (network-policy/policy-tiers/tiered-policy); a Kubernetes policy sits in the
  // default tier, so an Allow for DNS in an earlier tier decides before the Kubernetes egress policy.
  const { LintProject } = await import('../../server/src/core/lint/project');
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { repoRoot } = await import('../helpers/paths');
  const dir = join(repoRoot(), 'examples', 'calico');
  const codes = (policies: string) => {
    const p = new LintProject();
    p.setFile(join(dir, 'workloads.yaml'), readFileSync(join(dir, 'workloads.yaml'), 'utf8'));
    p.setFile(join(dir, 'policies.yaml'), policies);
    return [...p.result().findings.values()].flat().map((f) => f.code);
  };
  const text = readFileSync(join(dir, 'policies.yaml'), 'utf8');
  assert.ok(!codes(text).includes('np-dns-blocked'), codes(text).join(','));
  // Without the platform tier's DNS allow, the Kubernetes egress policy of web blocks DNS.
  const withoutDns = text.replace(/    - action: Allow\n      protocol: UDP\n[\s\S]*?ports: \[53\]\n/, '');
  assert.notEqual(withoutDns, text);
  assert.ok(codes(withoutDns).includes('np-dns-blocked'), codes(withoutDns).join(','));
});
