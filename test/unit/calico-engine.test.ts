// Calico evaluation semantics. Sources (docs.tigera.io/calico/latest):
// [TIERS] network-policy/policy-tiers/tiered-policy   [NP] reference/resources/networkpolicy
// [GNP] reference/resources/globalnetworkpolicy       [TIER] reference/resources/tier
// [STAGED] network-policy/staged-network-policies     [NSET] reference/resources/networkset
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, parseFiles } from '../../server/src/core/index';

const pods = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: v1
kind: Namespace
metadata: {name: web, labels: {team: web}}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: c, image: x, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop, labels: {app: db}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: ui, namespace: web, labels: {app: ui}}
spec: {containers: [{name: c, image: x}]}
---
`;

function run(yaml: string, src: string, dst: string, staged = false): string {
  const cluster = parseFiles([{ path: 'c.yaml', text: pods + yaml }]);
  const errors = cluster.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => `${d.code}: ${d.message}`), []);
  return analyze(cluster, { staged }).allowedBetween(src, dst).toString();
}

const k8sAllowAll = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all, namespace: shop}
spec:
  podSelector: {}
  ingress: [{}]
---
`;

test('[NP] with Calico resources and no policy for the endpoint, the namespace profile allows every protocol (incl. ICMP)', () => {
  const ns = `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata: {name: ext, labels: {kind: ext}}\nspec: {nets: [192.0.2.0/24]}\n`;
  assert.equal(run(ns, 'web/ui', 'shop/api'), 'ICMP; ICMPv6; SCTP (all ports); TCP (all ports); UDP (all ports)');
});

test('[NP][GNP] a lower-order GlobalNetworkPolicy Deny wins over a Kubernetes policy (default tier, order 1000)', () => {
  const gnp = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-web-to-shop}
spec:
  order: 10
  selector: projectcalico.org/namespace == 'shop'
  ingress:
  - action: Deny
    source: {namespaceSelector: team == 'web'}
`;
  assert.equal(run(k8sAllowAll + gnp, 'web/ui', 'shop/api'), 'No Connections');
  assert.match(run(k8sAllowAll + gnp, 'shop/db', 'shop/api'), /TCP \(all ports\)/);
  // with a higher order than 1000, the Kubernetes allow decides first
  assert.match(run(k8sAllowAll + gnp.replace('order: 10', 'order: 2000'), 'web/ui', 'shop/api'), /TCP \(all ports\)/);
});

test('[TIERS] end of tier: a policy that selects the endpoint but only logs denies the rest (default action Deny)', () => {
  const logOnly = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: log-only, namespace: shop}
spec:
  selector: app == 'api'
  ingress: [{action: Log}]
`;
  assert.equal(run(logOnly, 'web/ui', 'shop/api'), 'No Connections');
  assert.match(run(logOnly, 'web/ui', 'shop/db'), /TCP/, 'db is not selected: profile allows');
  const cluster = parseFiles([{ path: 'c.yaml', text: pods + logOnly }]);
  const e = analyze(cluster).explain('web/ui', 'shop/api');
  assert.match(e.ingress!.text, /logs/);
  assert.match(e.ingress!.text, /end of Calico tier default: .* is denied \(the tier default action Deny\)/);
});

test('[TIERS][TIER] Pass skips to the next tier; a tier with defaultAction Pass passes unmatched traffic on', () => {
  const tiers = `apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: 100}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.pass-shop}
spec:
  tier: security
  order: 1
  selector: all()
  ingress:
  - action: Pass
    source: {namespaceSelector: team == 'shop'}
  - action: Deny
    protocol: TCP
    destination: {ports: [22]}
  - action: Allow
---
`;
  // shop -> shop: passed to the default tier, where a Kubernetes policy allows only TCP 8080
  const k8s = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: only-8080, namespace: shop}
spec:
  podSelector: {}
  ingress: [{ports: [{port: 8080}]}]
`;
  assert.equal(run(tiers + k8s, 'shop/db', 'shop/api'), 'TCP 8080');
  // web -> shop: decided in the security tier: everything but TCP 22
  assert.equal(run(tiers + k8s, 'web/ui', 'shop/api'), 'ICMP; ICMPv6; SCTP (all ports); TCP 1-21,23-65535; UDP (all ports)');
  // defaultAction Pass: a tier whose only policy matches nothing hands traffic to the next tier (here: the profile)
  const passTier = `apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: audit}
spec: {order: 50, defaultAction: Pass}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: audit.nothing}
spec:
  tier: audit
  selector: all()
  ingress: [{action: Deny, source: {selector: app == 'nobody'}}]
`;
  assert.match(run(passTier, 'web/ui', 'shop/api'), /TCP \(all ports\)/);
  assert.equal(run(passTier.replace(', defaultAction: Pass', ''), 'web/ui', 'shop/api'), 'No Connections');
});

test('[NP] policies in a tier run by order, ties by name; policies without order come last', () => {
  const mk = (name: string, order: string, action: string) => `apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: shop}\nspec:\n  ${order}selector: app == 'api'\n  ingress: [{action: ${action}}]\n---\n`;
  assert.equal(run(mk('a', 'order: 5\n  ', 'Deny') + mk('b', 'order: 5\n  ', 'Allow'), 'web/ui', 'shop/api'), 'No Connections');
  assert.match(run(mk('b', 'order: 5\n  ', 'Deny') + mk('a', 'order: 5\n  ', 'Allow'), 'web/ui', 'shop/api'), /TCP/);
  assert.match(run(mk('first', '', 'Deny') + mk('second', 'order: 500\n  ', 'Allow'), 'web/ui', 'shop/api'), /TCP/, 'no order = after order 500');
});

test('[STAGED] staged policies are never enforced; the what-if mode applies them', () => {
  const staged = `apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata: {name: lock, namespace: shop}
spec:
  selector: app == 'api'
  ingress: [{action: Allow, protocol: TCP, destination: {ports: [http]}}]
`;
  assert.match(run(staged, 'web/ui', 'shop/api'), /UDP \(all ports\)/);
  assert.equal(run(staged, 'web/ui', 'shop/api', true), 'TCP 8080', 'named port resolved on the destination');
});

test('[NP][NSET] nets, notNets and selectors over NetworkSets; ICMP and notProtocol', () => {
  const eg = `apiVersion: projectcalico.org/v3
kind: NetworkSet
metadata: {name: partners, namespace: shop, labels: {role: partner}}
spec: {nets: [198.51.100.0/24]}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: egress, namespace: shop}
spec:
  selector: app == 'api'
  types: [Egress]
  egress:
  - action: Allow
    protocol: TCP
    destination: {selector: role == 'partner', ports: [443]}
  - action: Allow
    protocol: ICMP
    icmp: {type: 8}
    destination: {nets: [203.0.113.0/24]}
  - action: Allow
    notProtocol: TCP
    destination: {selector: app == 'db'}
`;
  const cluster = parseFiles([{ path: 'c.yaml', text: pods + eg }]);
  const a = analyze(cluster);
  const atomIds = a.atoms.map((x) => x.id);
  assert.ok(atomIds.includes('198.51.100.0-198.51.100.255'));
  assert.equal(a.allowedBetween('shop/api', '198.51.100.0-198.51.100.255').toString(), 'TCP 443');
  assert.equal(a.allowedBetween('shop/api', '203.0.113.0-203.0.113.255').toString(), 'ICMP type 8');
  assert.equal(a.allowedBetween('shop/api', '0.0.0.0-198.51.99.255').toString(), 'No Connections');
  assert.equal(a.allowedBetween('shop/api', 'shop/db').toString(), 'ICMP; ICMPv6; SCTP (all ports); UDP (all ports)');
  assert.equal(a.allowedBetween('shop/api', 'web/ui').toString(), 'No Connections');
});

test('[NP] in a namespaced policy, notSelector / serviceAccounts alone still limit the match to the policy namespace', () => {
  // libcalico-go updateprocessors/rules.go (getEndpointSelector): a namespaced policy scopes any selector-like
  // entity field to its own namespace; "anywhere" applies only to GlobalNetworkPolicy.
  const p = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: not-db, namespace: shop}
spec:
  selector: app == 'api'
  ingress:
  - action: Allow
    source: {notSelector: app == 'db'}
`;
  assert.equal(run(p, 'shop/db', 'shop/api'), 'No Connections');
  assert.equal(run(p, 'web/ui', 'shop/api'), 'No Connections', 'other namespace: out of scope');
  const cluster = parseFiles([{ path: 'c.yaml', text: pods + p }]);
  assert.equal(analyze(cluster).allowedBetween('0.0.0.0-255.255.255.255', 'shop/api').toString(), 'No Connections', 'external addresses are out of scope');
  // The same rule in a GlobalNetworkPolicy matches everything but db, anywhere (incl. external addresses).
  const g = p.replace('kind: NetworkPolicy\nmetadata: {name: not-db, namespace: shop}', 'kind: GlobalNetworkPolicy\nmetadata: {name: not-db}');
  assert.match(run(g, 'web/ui', 'shop/api'), /TCP \(all ports\)/);
  const gc = parseFiles([{ path: 'c.yaml', text: pods + g }]);
  assert.match(analyze(gc).allowedBetween('0.0.0.0-255.255.255.255', 'shop/api').toString(), /TCP \(all ports\)/);
  assert.equal(run(g, 'shop/db', 'shop/api'), 'No Connections');
});

test('[NP] namespaceSelector global() selects only global resources (GlobalNetworkSets), all() only namespaced ones', () => {
  const sets = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: g, labels: {zone: x}}
spec: {nets: [192.0.2.0/24]}
---
apiVersion: projectcalico.org/v3
kind: NetworkSet
metadata: {name: n, namespace: shop, labels: {zone: x}}
spec: {nets: [198.51.100.0/24]}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: out, namespace: shop}
spec:
  selector: app == 'api'
  types: [Egress]
  egress:
  - action: Allow
    destination: {namespaceSelector: global(), selector: zone == 'x'}
`;
  const a = analyze(parseFiles([{ path: 'c.yaml', text: pods + sets }]));
  assert.match(a.allowedBetween('shop/api', '192.0.2.0-192.0.2.255').toString(), /TCP \(all ports\)/);
  assert.equal(a.allowedBetween('shop/api', '198.51.100.0-198.51.100.255').toString(), 'No Connections');
  assert.equal(a.allowedBetween('shop/api', 'shop/db').toString(), 'No Connections');
  const b = analyze(parseFiles([{ path: 'c.yaml', text: pods + sets.replace('global()', 'all()') }]));
  assert.equal(b.allowedBetween('shop/api', '192.0.2.0-192.0.2.255').toString(), 'No Connections');
  assert.match(b.allowedBetween('shop/api', '198.51.100.0-198.51.100.255').toString(), /TCP \(all ports\)/);
});

test('[TIER] a policy whose tier has no Tier object is evaluated after every existing tier', () => {
  // felix TierLess: tiers without a Tier resource sort after all real tiers.
  const y = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: ghost.deny}
spec:
  tier: ghost
  order: 1
  selector: app == 'api'
  ingress: [{action: Deny}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: allow}
spec:
  selector: app == 'api'
  ingress: [{action: Allow}]
`;
  assert.match(run(y, 'web/ui', 'shop/api'), /TCP \(all ports\)/);
});

test('[SEL][GNP] a GlobalNetworkPolicy whose namespaceSelector is global() selects no workload (global() matches only non-namespaced resources)', () => {
  // docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors: "global() matches all non-namespaced
  // resources"; workload endpoints are namespaced, so the policy is enforced on no pod.
  const gnp = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: host-only}
spec:
  namespaceSelector: global()
  types: [Ingress]
  ingress: [{action: Deny}]
`;
  const cluster = parseFiles([{ path: 'c.yaml', text: pods + gnp }]);
  assert.ok(cluster.diagnostics.some((d) => d.code === 'calico-selector-global'), 'the misuse is reported');
  const a = analyze(cluster);
  assert.equal(a.isolated('shop/api', 'Ingress'), false, 'global() does not isolate any pod');
  assert.equal(a.allowedBetween('web/ui', 'shop/api').toString(), 'ICMP; ICMPv6; SCTP (all ports); TCP (all ports); UDP (all ports)');
});

test('[SEL][GNP] a namespaceSelector that no namespace satisfies selects no workload', () => {
  const gnp = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: nowhere}
spec:
  namespaceSelector: has(team) && !has(team)
  types: [Ingress]
  ingress: [{action: Deny}]
`;
  const cluster = parseFiles([{ path: 'c.yaml', text: pods + gnp }]);
  const a = analyze(cluster);
  for (const w of ['shop/api', 'shop/db', 'web/ui']) assert.equal(a.isolated(w, 'Ingress'), false, w);
  assert.match(a.allowedBetween('web/ui', 'shop/api').toString(), /TCP \(all ports\)/);
});
