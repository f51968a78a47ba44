// Objects of network-policy kinds Policy Lens does not model never vanish silently: each gets a kind-not-modelled
// information on its `kind` and is recorded in Cluster.leftOut (one table: server/src/core/unmodelled.ts).
// Kinds: network-policy-api versions other than the modelled ClusterNetworkPolicy v1alpha2 / ANP / BANP v1alpha1
// (https://network-policy-api.sigs.k8s.io/reference/spec/), Calico resources
// (https://docs.tigera.io/calico/latest/reference/resources/), Antrea (https://antrea.io/docs/main/docs/antrea-network-policy/), Multus
// (https://github.com/k8snetworkplumbingwg/multi-networkpolicy). Cilium policies are modelled (core/dialects/cilium).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFiles } from '../../server/src/core/index';
import { LintProject } from '../../server/src/core/lint/project';
import { leftOutSummary, unmodelledKind, UNMODELLED_KINDS } from '../../server/src/core/unmodelled';

const obj = (apiVersion: string, kind: string, name: string, ns?: string) => `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\n${ns ? `  namespace: ${ns}\n` : ''}spec: {}\n`;

test('unmodelled network-policy kinds are left out with an information on their kind', () => {
  const docs = [
    obj('policy.networking.k8s.io/v1alpha1', 'ClusterNetworkPolicy', 'cnp'),
    obj('policy.networking.k8s.io/v1beta1', 'AdminNetworkPolicy', 'anp'),
    obj('policy.networking.k8s.io/v1alpha2', 'FancyClusterPolicy', 'x'),
    obj('k8s.cni.cncf.io/v1beta1', 'MultiNetworkPolicy', 'mnp', 'shop'),
    obj('networking.gke.io/v1alpha1', 'FQDNNetworkPolicy', 'fqdn', 'shop'),
    obj('projectcalico.org/v3', 'HostEndpoint', 'eth0'),
    obj('projectcalico.org/v3', 'Profile', 'kns.shop'),
    obj('crd.antrea.io/v1beta1', 'NetworkPolicy', 'anp', 'shop'),
    obj('example.com/v1', 'FancyNetworkPolicy', 'x'),
    // Modelled or not network policy: not left out.
    obj('networking.k8s.io/v1', 'NetworkPolicy', 'np', 'shop'),
    obj('policy.networking.k8s.io/v1alpha2', 'ClusterNetworkPolicy', 'modelled'),
    obj('policy.networking.k8s.io/v1alpha1', 'BaselineAdminNetworkPolicy', 'default'),
    obj('projectcalico.org/v3', 'GlobalNetworkPolicy', 'gnp'),
    obj('cilium.io/v2', 'CiliumNetworkPolicy', 'cnp', 'shop'),
    obj('v1', 'ConfigMap', 'cm', 'shop'),
  ];
  const text = docs.join('---\n');
  const c = parseFiles([{ path: 'x.yaml', text }]);
  assert.deepEqual(
    c.leftOut.map((o) => `${o.apiVersion} ${o.kind} ${o.namespace ?? ''}/${o.name}`),
    [
      'policy.networking.k8s.io/v1alpha1 ClusterNetworkPolicy /cnp',
      'policy.networking.k8s.io/v1beta1 AdminNetworkPolicy /anp',
      'policy.networking.k8s.io/v1alpha2 FancyClusterPolicy /x',
      'k8s.cni.cncf.io/v1beta1 MultiNetworkPolicy shop/mnp',
      'networking.gke.io/v1alpha1 FQDNNetworkPolicy shop/fqdn',
      'projectcalico.org/v3 HostEndpoint /eth0',
      'projectcalico.org/v3 Profile /kns.shop',
      'crd.antrea.io/v1beta1 NetworkPolicy shop/anp',
      'example.com/v1 FancyNetworkPolicy /x',
    ],
  );
  const infos = c.diagnostics.filter((d) => d.code === 'kind-not-modelled');
  assert.equal(infos.length, 9);
  for (const [i, d] of infos.entries()) {
    assert.equal(d.severity, 'info');
    assert.equal(text.slice(d.range.startOffset, d.range.endOffset), c.leftOut[i].kind);
    assert.equal(d.message, `${c.leftOut[i].kind} (${c.leftOut[i].apiVersion}) is not modelled yet: its rules are not part of the reachability.`);
  }
  assert.equal(c.policies.length, 1);
  assert.equal(c.calico?.policies.length, 1);
  assert.equal(c.cilium?.policies.length, 1, "CiliumNetworkPolicy is read by the Cilium dialect");
  // The modelled network-policy-api kinds go to their own parser (core/dialects/admin), not to the table.
  // (the CNP with an empty spec is rejected by that parser with its own diagnostics; the BANP is read.)
  assert.deepEqual(c.clusterPolicies?.map((p) => p.name), ['default']);
  assert.equal(leftOutSummary(c.leftOut), '9 objects of unmodelled kinds left out (ClusterNetworkPolicy, AdminNetworkPolicy, FancyClusterPolicy, MultiNetworkPolicy, FQDNNetworkPolicy, HostEndpoint, Profile, NetworkPolicy, FancyNetworkPolicy)');
  assert.equal(leftOutSummary([]), '');
});

test('left-out objects inside a List, and through the language server project (ranges in the file)', () => {
  const text = `apiVersion: v1\nkind: List\nitems:\n- apiVersion: k8s.cni.cncf.io/v1beta1\n  kind: MultiNetworkPolicy\n  metadata: {name: a}\n- apiVersion: k8s.cni.cncf.io/v1beta1\n  kind: MultiNetworkPolicy\n  metadata: {name: b}\n---\n${obj('crd.antrea.io/v1beta1', 'ClusterNetworkPolicy', 'acnp')}`;
  const p = new LintProject();
  p.setFile('f.yaml', text);
  const r = p.result();
  assert.deepEqual(r.cluster.leftOut.map((o) => `${o.kind}/${o.name}@${o.range.start.line}:${o.range.start.character}`), ['MultiNetworkPolicy/a@4:8', 'MultiNetworkPolicy/b@7:8', 'ClusterNetworkPolicy/acnp@11:6']);
  assert.deepEqual((r.findings.get('f.yaml') ?? []).map((f) => `${f.code}@${f.range.start.line}`), ['kind-not-modelled@4', 'kind-not-modelled@7', 'kind-not-modelled@11']);
  assert.equal(leftOutSummary(r.cluster.leftOut), '3 objects of unmodelled kinds left out (MultiNetworkPolicy ×2, ClusterNetworkPolicy)');
});

test('a misspelt Calico kind is an error with a suggestion, not an unmodelled kind', () => {
  const c = parseFiles([{ path: 'x.yaml', text: obj('projectcalico.org/v3', 'NetworkPolcy', 'x', 'a') }]);
  assert.deepEqual(c.leftOut, []);
  assert.deepEqual(c.diagnostics.map((d) => [d.code, d.severity]), [['calico-kind-unsupported', 'error']]);
  assert.match(c.diagnostics[0].message, /did you mean "NetworkPolicy"/);
});

test('the table: one row per kind, looked up by API group', () => {
  assert.ok(unmodelledKind('k8s.cni.cncf.io/v1beta1', 'MultiNetworkPolicy'));
  assert.ok(unmodelledKind('projectcalico.org/v3', 'IPPool'));
  assert.equal(unmodelledKind('v1', 'ConfigMap'), undefined);
  assert.equal(unmodelledKind('apps/v1', 'Deployment'), undefined);
  const keys = UNMODELLED_KINDS.map((u) => `${u.group}/${u.kind}`);
  assert.equal(new Set(keys).size, keys.length);
});
