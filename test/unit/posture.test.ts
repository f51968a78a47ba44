// The posture summary (panel strip and `reach` text output): which workloads are open for ingress / egress, reachable
// from outside, able to reach outside, which namespaces lack a default deny, the largest blast radii.
// Sources: Kubernetes NetworkPolicy — "By default, a pod is non-isolated for egress [ingress]; all outbound [inbound]
// connections are allowed" (https://kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation);
// ClusterNetworkPolicy v1alpha2 — Baseline tier rules decide traffic no NetworkPolicy decided
// (https://network-policy-api.sigs.k8s.io/api-overview/, tiers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeFiles } from '../../server/src/core/index';
import { panelData } from '../../server/src/core/panel-data';
import { describePosture } from '../../server/src/core/explain/format';

const pods = `
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
---
apiVersion: v1
kind: Pod
metadata: {name: tool, namespace: sandbox, labels: {app: tool}}
`;

function posture(policies: string) {
  const { analysis } = analyzeFiles([{ path: 'w.yaml', text: pods }, { path: 'p.yaml', text: policies }]);
  const p = panelData(analysis);
  const ids = (xs: number[]) => xs.map((i) => p.endpoints[i].id);
  return { p: p.posture, ids, words: describePosture(p.posture, (i) => p.endpoints[i].id) };
}

test('without policies every workload is open both ways and every namespace lacks a default deny', () => {
  const { p, ids, words } = posture('');
  assert.deepEqual(ids(p.notIsolatedIngress), ['sandbox/tool', 'shop/api', 'shop/web']);
  assert.deepEqual(ids(p.notIsolatedEgress), ['sandbox/tool', 'shop/api', 'shop/web']);
  assert.deepEqual(p.namespacesWithoutDefaultDeny, ['sandbox', 'shop']);
  assert.equal(words[0], '3 workloads accept traffic from anywhere (no policy restricts their ingress): sandbox/tool, shop/api, shop/web');
});

test('a NetworkPolicy selecting a pod for ingress closes its ingress only', () => {
  const { p, ids } = posture(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-in, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]
`);
  assert.deepEqual(ids(p.notIsolatedIngress), ['sandbox/tool', 'shop/web']);
  assert.deepEqual(ids(p.notIsolatedEgress), ['sandbox/tool', 'shop/api', 'shop/web']);
  // api is closed for ingress but open for egress: shop still has no default deny.
  assert.deepEqual(p.namespacesWithoutDefaultDeny, ['sandbox', 'shop']);
});

test('a Baseline ClusterNetworkPolicy Deny closes a workload that no NetworkPolicy selects', () => {
  const { p, ids, words } = posture(`
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: sandbox-out}
spec:
  tier: Baseline
  priority: 10
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}
  ingress:
  - action: Deny
    from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: sandbox}}}]
`);
  assert.deepEqual(ids(p.notIsolatedIngress), ['sandbox/tool'], 'shop pods refuse sandbox: they do not accept traffic from anywhere');
  assert.deepEqual(p.namespacesWithoutDefaultDeny, ['sandbox', 'shop'], 'shop pods are still open for egress');
  assert.ok(words.some((w) => w.startsWith('1 workload accepts traffic from anywhere')));
});

test('reachable from outside, reaching outside, blast radius', () => {
  const { p, ids, words } = posture(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: all, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
  ingress: [{from: [{podSelector: {}}]}]
  egress: [{to: [{podSelector: {}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: all, namespace: sandbox}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
  egress: [{to: [{ipBlock: {cidr: 203.0.113.0/24}}], ports: [{port: 443}]}]
`);
  assert.deepEqual(ids(p.notIsolatedIngress), []);
  assert.deepEqual(ids(p.reachableFromOutside), []);
  assert.deepEqual(ids(p.canReachInternet), ['sandbox/tool']);
  assert.deepEqual(p.namespacesWithoutDefaultDeny, []);
  assert.deepEqual(p.largestBlastRadius.map(([i, n]) => [ids([i])[0], n]), [['shop/api', 1], ['shop/web', 1]]);
  assert.deepEqual(words, ['1 workload can reach addresses outside the cluster: sandbox/tool', 'largest blast radius: shop/api reaches 1 workload; shop/web reaches 1 workload']);
});
