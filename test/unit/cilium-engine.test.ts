// CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy evaluation (L3/L4) on the one policy model.
// Sources (docs.cilium.io, security/policy/*, and cilium/cilium pkg/policy/api):
// [INTRO]   intro.rst "Policy Enforcement Modes", "Endpoint default policy", "Rule Basics"
// [DENY]    deny.rst "Deny Policies" (the allow/deny enforcement table)
// [L3]      layer3.rst "Endpoints based", "Entities based", "IP/CIDR based", "DNS based"
// [L4]      layer4.rst "Limit ingress/egress ports", "Limit ICMP/ICMPv6 types"
// [K8S]     kubernetes.rst "Namespaces", "ServiceAccounts", "Clusterwide Policies"
// [API]     pkg/policy/api ingress.go / egress.go (FromEndpoints: "an empty non-nil FromEndpoints does not select
//           anything, nil FromEndpoints is implicitly treated as a wildcard selector if ToPorts are also
//           specified"), rule.go (EnableDefaultDeny), l4.go (PortProtocol), icmp.go, entity.go
// [UTILS]   pkg/k8s/apis/cilium.io/utils getEndpointSelector / ParseToCiliumRule (namespace injection)
// [FILTER]  pkg/labelsfilter/filter.go defaultLabelPrefixCfg (identity-relevant labels)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, parseFiles } from '../../server/src/core/index';
import type { AnalyzeOptions } from '../../server/src/core/analysis';
import { explanationOf, renderTraceText } from '../../server/src/core/explain/format';

const world = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: v1
kind: Namespace
metadata: {name: web, labels: {team: web}}
---
apiVersion: v1
kind: Pod
metadata: {name: backend, namespace: shop, labels: {role: backend, pod-template-hash: abc}}
spec: {serviceAccountName: api-sa, containers: [{name: c, image: x, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: frontend, namespace: shop, labels: {role: frontend}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: shop, labels: {role: other}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: ui, namespace: web, labels: {role: frontend}}
spec: {containers: [{name: c, image: x}]}
---
`;

const ALL = 'ICMP; ICMPv6; SCTP (all ports); TCP (all ports); UDP (all ports)';

function run(yaml: string, opts: AnalyzeOptions = { cni: 'cilium' }) {
  const cluster = parseFiles([{ path: 'c.yaml', text: world + yaml }]);
  const errors = cluster.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => `${d.code}: ${d.message}`), []);
  const a = analyze(cluster, opts);
  return { a, conn: (s: string, d: string) => a.allowedBetween(s, d).toString() };
}

const l3 = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: l3-rule, namespace: shop}
spec:
  endpointSelector: {matchLabels: {role: backend}}
  ingress:
  - fromEndpoints:
    - matchLabels: {role: frontend}
`;

test('[INTRO][L3] a CNP with an ingress section puts the selected endpoint in default-deny for ingress; fromEndpoints allows every protocol, ICMP included', () => {
  const { conn, a } = run(l3);
  assert.equal(conn('shop/frontend', 'shop/backend'), ALL);
  assert.equal(conn('shop/other', 'shop/backend'), 'No Connections');
  // egress of backend is not restricted (no egress section)
  assert.equal(conn('shop/backend', 'shop/other'), ALL);
  assert.match(a.evaluatedAs, /^Cilium/);
});

test('[K8S][UTILS] fromEndpoints of a CiliumNetworkPolicy only selects pods of the policy namespace unless it names io.kubernetes.pod.namespace', () => {
  const { conn } = run(l3);
  assert.equal(conn('web/ui', 'shop/backend'), 'No Connections'); // role=frontend but in namespace web
  const cross = l3.replace('matchLabels: {role: frontend}', "matchLabels: {role: frontend, 'k8s:io.kubernetes.pod.namespace': web}");
  assert.equal(run(cross).conn('web/ui', 'shop/backend'), ALL);
  assert.equal(run(cross).conn('shop/frontend', 'shop/backend'), 'No Connections');
  // a namespace-labels key also stops the injection: pods of every namespace labelled team=web
  const nsLabels = l3.replace('matchLabels: {role: frontend}', "matchLabels: {'io.cilium.k8s.namespace.labels.team': web}");
  assert.equal(run(nsLabels).conn('web/ui', 'shop/backend'), ALL);
  assert.equal(run(nsLabels).conn('shop/frontend', 'shop/backend'), 'No Connections');
});

test('[L3] an empty selector in fromEndpoints of a CNP selects every pod of the policy namespace; in a CCNP every pod of the cluster', () => {
  const cnp = l3.replace('- matchLabels: {role: frontend}', '- {}');
  assert.equal(run(cnp).conn('shop/other', 'shop/backend'), ALL);
  assert.equal(run(cnp).conn('web/ui', 'shop/backend'), 'No Connections');
  const ccnp = `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: from-all-pods}
spec:
  endpointSelector: {matchLabels: {role: backend}}
  ingress:
  - fromEndpoints: [{}]
`;
  assert.equal(run(ccnp).conn('web/ui', 'shop/backend'), ALL);
  // ... but not outside addresses: the CCNP selector gets io.kubernetes.pod.namespace Exists
  assert.equal(run(ccnp).conn('8.8.8.8', 'shop/backend'), 'No Connections');
});

test('[API] an empty non-nil fromEndpoints list selects nothing; `ingress: [{}]` allows nothing but enables default-deny', () => {
  const empty = l3.replace('  - fromEndpoints:\n    - matchLabels: {role: frontend}\n', '  - fromEndpoints: []\n');
  const r = run(empty);
  assert.equal(r.conn('shop/frontend', 'shop/backend'), 'No Connections');
  assert.ok(r.a.isolated('shop/backend', 'Ingress'));
  const idiom = l3.replace('  - fromEndpoints:\n    - matchLabels: {role: frontend}\n', '  - {}\n');
  assert.equal(run(idiom).conn('shop/frontend', 'shop/backend'), 'No Connections');
});

test('[API][L4] a rule with toPorts and no L3 field applies to every peer, on those ports only (no ICMP)', () => {
  const ports = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: l4, namespace: shop}
spec:
  endpointSelector: {matchLabels: {role: backend}}
  ingress:
  - toPorts:
    - ports: [{port: "80", protocol: TCP}, {port: "8000", endPort: 8080, protocol: ANY}]
`;
  const { conn } = run(ports);
  assert.equal(conn('web/ui', 'shop/backend'), 'SCTP 8000-8080; TCP 80,8000-8080; UDP 8000-8080');
  assert.equal(conn('1.2.3.4', 'shop/backend'), 'SCTP 8000-8080; TCP 80,8000-8080; UDP 8000-8080');
});

test('[L4] port "0" is every port of the protocol; a named port resolves on the destination pod', () => {
  const p = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: l4, namespace: shop}
spec:
  endpointSelector: {}
  ingress:
  - fromEndpoints: [{matchLabels: {role: frontend}}]
    toPorts:
    - ports: [{port: "0", protocol: UDP}, {port: http, protocol: TCP}]
`;
  const { conn } = run(p);
  assert.equal(conn('shop/frontend', 'shop/backend'), 'TCP 8080; UDP (all ports)');
  assert.equal(conn('shop/frontend', 'shop/other'), 'UDP (all ports)'); // other has no port named http
});

test('[L4] icmps select ICMP types (every code) by number or name; ICMPv6 with family IPv6', () => {
  const p = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: icmp, namespace: shop}
spec:
  endpointSelector: {matchLabels: {role: backend}}
  egress:
  - icmps:
    - fields:
      - type: 8
        family: IPv4
      - type: EchoRequest
        family: IPv6
`;
  const { conn } = run(p);
  assert.equal(conn('shop/backend', 'shop/other'), 'ICMP type 8; ICMPv6 type 128');
});

test('[DENY] deny takes precedence over allow, also over a Kubernetes NetworkPolicy allow (deny.rst table, second column)', () => {
  const knpAllowAll = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all, namespace: shop}
spec:
  podSelector: {matchLabels: {role: backend}}
  ingress: [{}]
---
`;
  const deny80 = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: deny-80, namespace: shop}
spec:
  endpointSelector: {matchLabels: {role: backend}}
  ingressDeny:
  - fromEndpoints: [{matchLabels: {role: frontend}}]
    toPorts:
    - ports: [{port: "80", protocol: TCP}]
`;
  const { conn, a } = run(knpAllowAll + deny80);
  const c = conn('shop/frontend', 'shop/backend');
  assert.match(c, /TCP 1-79,81-65535/); // curl server:81 allowed, server:80 denied
  assert.match(c, /ICMP/); // ping allowed (the Kubernetes rule without ports allows every protocol)
  assert.equal(conn('shop/other', 'shop/backend'), ALL);
  // the trace evaluates deny first
  const t = a.trace('shop/frontend', 'shop/backend');
  const tiers = t.ingress!.steps.map((s) => s.tier);
  assert.equal(tiers[0], 'cilium-deny');
});

test('[DENY] a deny-only policy puts the pod in default-deny (deny.rst table, last column: everything denied)', () => {
  const deny80 = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: deny-80, namespace: shop}
spec:
  endpointSelector: {matchLabels: {role: backend}}
  ingressDeny:
  - toPorts:
    - ports: [{port: "80", protocol: TCP}]
`;
  const { conn } = run(deny80);
  assert.equal(conn('shop/frontend', 'shop/backend'), 'No Connections');
});

test('[DENY] an L3 deny denies every protocol even where a CCNP allows it (deny.rst table, third column)', () => {
  const p = `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: allow}
spec:
  endpointSelector: {matchLabels: {role: backend}}
  ingress:
  - fromEndpoints: [{matchLabels: {role: frontend}}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: deny, namespace: shop}
spec:
  endpointSelector: {matchLabels: {role: backend}}
  ingressDeny:
  - fromEndpoints: [{matchLabels: {role: frontend}}]
`;
  const { conn } = run(p);
  assert.equal(conn('shop/frontend', 'shop/backend'), 'No Connections');
  // the deny names role=frontend in the CNP's namespace only; the CCNP still allows web/ui (role=frontend)
  assert.equal(conn('web/ui', 'shop/backend'), ALL);
  assert.equal(conn('shop/other', 'shop/backend'), 'No Connections');
});

test('[API] enableDefaultDeny: false keeps a policy from putting endpoints in default-deny ([INTRO] "Rules with EnableDefaultDeny disabled are ignored when determining the default mode")', () => {
  const p = l3.replace('spec:\n', 'spec:\n  enableDefaultDeny: {ingress: false}\n');
  const { conn, a } = run(p);
  assert.equal(conn('shop/other', 'shop/backend'), ALL);
  assert.equal(a.isolated('shop/backend', 'Ingress'), false);
  // any other policy selecting it still enables default deny ("enabled if any policy requests it")
  const both = p + '---\n' + l3.replace('l3-rule', 'l3-rule-2');
  assert.equal(run(both).conn('shop/other', 'shop/backend'), 'No Connections');
  // with enable-non-default-deny-policies=false in cilium-config the field is ignored
  const cfg = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cilium-config, namespace: kube-system}\ndata: {enable-non-default-deny-policies: "false"}\n---\n`;
  assert.equal(run(cfg + p).conn('shop/other', 'shop/backend'), 'No Connections');
});

test('[INTRO] policyEnforcementMode always: default-deny everywhere; never: nothing enforced (read from cilium-config enable-policy)', () => {
  const cfg = (mode: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cilium-config, namespace: kube-system}\ndata: {enable-policy: ${mode}}\n---\n`;
  const always = run(cfg('always') + l3, {});
  assert.match(always.a.evaluatedAs, /Cilium \(detected: ConfigMap kube-system\/cilium-config\)/);
  assert.equal(always.conn('shop/other', 'web/ui'), 'No Connections');
  assert.equal(always.conn('shop/frontend', 'shop/backend'), 'No Connections'); // frontend's egress is default-deny too
  const never = run(cfg('never') + l3, {});
  assert.equal(never.conn('shop/other', 'shop/backend'), ALL);
  // the option given by a setting wins over the ConfigMap
  assert.equal(run(cfg('never') + l3, { cilium: { policyEnforcementMode: 'default' } }).conn('shop/other', 'shop/backend'), 'No Connections');
});

test('[L3] entities: cluster selects pods, world selects outside addresses, all selects both ([API] entity.go)', () => {
  const p = (e: string) => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: ent, namespace: shop}
spec:
  endpointSelector: {matchLabels: {role: backend}}
  egress:
  - toEntities: [${e}]
`;
  assert.equal(run(p('cluster')).conn('shop/backend', 'web/ui'), ALL);
  assert.equal(run(p('cluster')).conn('shop/backend', '8.8.8.8'), 'No Connections');
  assert.equal(run(p('world')).conn('shop/backend', 'web/ui'), 'No Connections');
  assert.equal(run(p('world')).conn('shop/backend', '8.8.8.8'), ALL);
  assert.equal(run(p('all')).conn('shop/backend', '8.8.8.8'), ALL);
  assert.equal(run(p('all')).conn('shop/backend', 'web/ui'), ALL);
  assert.equal(run(p('world-ipv6')).conn('shop/backend', '8.8.8.8'), 'No Connections');
  // host and the other reserved entities are not endpoints of the model: nothing here
  assert.equal(run(p('host')).conn('shop/backend', 'web/ui'), 'No Connections');
});

test('[L3] toCIDR / toCIDRSet with except select outside addresses; a bare address is a /32', () => {
  const p = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: cidr, namespace: shop}
spec:
  endpointSelector: {matchLabels: {role: backend}}
  egress:
  - toCIDR: [20.1.1.1]
  - toCIDRSet:
    - cidr: 10.0.0.0/8
      except: [10.96.0.0/12]
`;
  const { conn } = run(p);
  assert.equal(conn('shop/backend', '20.1.1.1'), ALL);
  assert.equal(conn('shop/backend', '20.1.1.2'), 'No Connections');
  assert.equal(conn('shop/backend', '10.1.2.3'), ALL);
  assert.equal(conn('shop/backend', '10.96.0.1'), 'No Connections');
  // CIDR rules never select pods
  assert.equal(conn('shop/backend', 'web/ui'), 'No Connections');
});

test('[K8S][FILTER] identity labels: service account, namespace labels; pod-template-hash is not part of the identity', () => {
  const p = (sel: string) => `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: sa}
spec:
  endpointSelector: {matchLabels: {role: frontend}}
  ingress:
  - fromEndpoints: [{matchLabels: {${sel}}}]
`;
  assert.equal(run(p("'io.cilium.k8s.policy.serviceaccount': api-sa")).conn('shop/backend', 'shop/frontend'), ALL);
  assert.equal(run(p("'io.cilium.k8s.policy.serviceaccount': api-sa")).conn('shop/other', 'shop/frontend'), 'No Connections');
  assert.equal(run(p("'k8s:io.cilium.k8s.namespace.labels.team': shop")).conn('shop/other', 'shop/frontend'), ALL);
  assert.equal(run(p('pod-template-hash: abc')).conn('shop/backend', 'shop/frontend'), 'No Connections');
  assert.equal(run(p("'io.cilium.k8s.policy.cluster': default")).conn('shop/backend', 'shop/frontend'), ALL);
});

test('[K8S] the endpointSelector of a CiliumNetworkPolicy always applies in the policy namespace', () => {
  const p = l3.replace('endpointSelector: {matchLabels: {role: backend}}', 'endpointSelector: {}');
  const { a } = run(p);
  assert.ok(a.isolated('shop/other', 'Ingress'));
  assert.equal(a.isolated('web/ui', 'Ingress'), false);
});

test('[L3] toFQDNs names become named external destinations; a wildcard pattern matches one label', () => {
  const p = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: fqdn, namespace: shop}
spec:
  endpointSelector: {matchLabels: {role: backend}}
  egress:
  - toFQDNs: [{matchName: api.example.com}, {matchPattern: "*.cilium.io"}]
    toPorts: [{ports: [{port: "443", protocol: TCP}]}]
`;
  const { conn, a } = run(p);
  assert.equal(conn('shop/backend', 'api.example.com'), 'TCP 443');
  assert.equal(conn('shop/backend', '*.cilium.io'), 'TCP 443');
  assert.equal(conn('shop/frontend', 'api.example.com'), ALL); // not selected: not restricted
  const t = a.trace('shop/backend', 'api.example.com');
  assert.match(t.egress!.steps[0].note ?? '', /DNS proxy/);
});

test('[INTRO] L7 rules are parsed and noted in the trace; the L3/L4 verdict is computed', () => {
  const p = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: l7, namespace: shop}
spec:
  endpointSelector: {matchLabels: {role: backend}}
  ingress:
  - fromEndpoints: [{matchLabels: {role: frontend}}]
    toPorts:
    - ports: [{port: "8080", protocol: TCP}]
      rules:
        http: [{method: GET, path: /public}]
`;
  const { conn, a } = run(p);
  assert.equal(conn('shop/frontend', 'shop/backend'), 'TCP 8080');
  assert.match(a.trace('shop/frontend', 'shop/backend').ingress!.steps[0].note ?? '', /L7 HTTP rules apply at the proxy/);
});

test('[L4][K8S] under Cilium a Kubernetes NetworkPolicy rule without ports allows every protocol, ICMP included', () => {
  const knp = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-frontend, namespace: shop}
spec:
  podSelector: {matchLabels: {role: backend}}
  ingress:
  - from: [{podSelector: {matchLabels: {role: frontend}}}]
`;
  assert.equal(run(knp).conn('shop/frontend', 'shop/backend'), ALL);
  // as plain Kubernetes NetworkPolicy the universe has no ICMP
  assert.equal(run(knp, { cni: 'kubernetes' }).conn('shop/frontend', 'shop/backend'), 'All Connections');
});

test('CNI selection: cilium.io objects mean Cilium, projectcalico.org objects Calico; the setting wins; other CNIs ignore the kinds', () => {
  const cluster = parseFiles([{ path: 'c.yaml', text: world + l3 }]);
  assert.equal(analyze(cluster).cni.cni, 'cilium');
  assert.match(analyze(cluster).evaluatedAs, /Cilium \(detected: CiliumNetworkPolicy shop\/l3-rule\)/);
  const k = analyze(cluster, { cni: 'kubernetes' });
  assert.equal(k.evaluatedAs, 'Kubernetes NetworkPolicy (CNI set to kubernetes)');
  assert.equal(k.allowedBetween('shop/other', 'shop/backend').toString(), 'All Connections');
  const calico = analyze(cluster, { cni: 'calico' });
  assert.match(calico.allowedBetween('shop/other', 'shop/backend').toString(), /ICMP/);
  const plain = parseFiles([{ path: 'c.yaml', text: world }]);
  assert.equal(analyze(plain).evaluatedAs, 'Kubernetes NetworkPolicy');
});

test('[L3] toCIDRSet with cidrGroupRef / cidrGroupSelector resolves CiliumCIDRGroup objects (pkg/policy/api cidr.go CIDRRule)', () => {
  const groups = `apiVersion: cilium.io/v2alpha1
kind: CiliumCIDRGroup
metadata: {name: partners, labels: {team: pay}}
spec:
  externalCIDRs: [203.0.113.0/24, 198.51.100.7/32]
---
`;
  const byRef = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: partners, namespace: shop}
spec:
  endpointSelector: {matchLabels: {role: backend}}
  egress:
  - toCIDRSet: [{cidrGroupRef: partners}]
`;
  const r = run(groups + byRef);
  assert.equal(r.conn('shop/backend', '203.0.113.9'), ALL);
  assert.equal(r.conn('shop/backend', '198.51.100.7'), ALL);
  assert.equal(r.conn('shop/backend', '198.51.100.8'), 'No Connections');
  const bySel = byRef.replace('{cidrGroupRef: partners}', '{cidrGroupSelector: {matchLabels: {team: pay}}}');
  assert.equal(run(groups + bySel).conn('shop/backend', '203.0.113.9'), ALL);
  assert.equal(run(groups + bySel.replace('team: pay', 'team: ops')).conn('shop/backend', '203.0.113.9'), 'No Connections');
});

test('[K8SNP] under Cilium a Kubernetes NetworkPolicy selector sees the identity labels (io.cilium.k8s.policy.*, pod namespace) and not pod-template-hash', () => {
  const knp = (sel: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: k, namespace: shop}
spec:
  podSelector: {matchLabels: {role: backend}}
  ingress:
  - from: [{podSelector: {${sel}}}]
`;
  const sa = knp("matchLabels: {'io.cilium.k8s.policy.serviceaccount': default}");
  assert.equal(run(sa).conn('shop/frontend', 'shop/backend'), ALL);
  assert.equal(run(sa, { cni: 'kubernetes' }).conn('shop/frontend', 'shop/backend'), 'No Connections');
  const cluster = knp("matchExpressions: [{key: io.cilium.k8s.policy.cluster, operator: Exists}]");
  assert.equal(run(cluster).conn('shop/other', 'shop/backend'), ALL);
  // the peer stays in the policy namespace: web/ui is not selected
  assert.equal(run(cluster).conn('web/ui', 'shop/backend'), 'No Connections');
  const hash = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: k, namespace: shop}
spec:
  podSelector: {matchLabels: {pod-template-hash: abc}}
  policyTypes: [Ingress]
`;
  assert.equal(run(hash).a.isolated('shop/backend', 'Ingress'), false);
  assert.equal(run(hash, { cni: 'calico' }).a.isolated('shop/backend', 'Ingress'), true);
});

test('[API] `specs` holds several rules, each with its own endpointSelector; traces name the spec', () => {
  const p = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: multi, namespace: shop}
specs:
- endpointSelector: {matchLabels: {role: backend}}
  ingress:
  - fromEndpoints: [{matchLabels: {role: frontend}}]
- endpointSelector: {matchLabels: {role: frontend}}
  egress:
  - toEndpoints: [{matchLabels: {role: backend}}]
`;
  const { conn, a } = run(p);
  assert.equal(conn('shop/frontend', 'shop/backend'), ALL);
  assert.equal(conn('shop/frontend', 'shop/other'), 'No Connections');
  assert.equal(conn('shop/other', 'shop/backend'), 'No Connections');
  assert.match(a.trace('shop/frontend', 'shop/backend').ingress!.steps[0].policy ?? '', /shop\/multi \(specs\[0\]\)/);
});

test('[API] a policy the agent rejects has no effect, and the trace wording: deny tier first, then default deny', () => {
  const bad = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: bad, namespace: shop}
spec:
  endpointSelector: {}
  egress:
  - toEndpoints: [{}]
    toEntities: [world]
`;
  const cluster = parseFiles([{ path: 'c.yaml', text: world + bad }]);
  assert.ok(cluster.diagnostics.some((d) => d.code === 'cilium-policy-rejected'));
  assert.equal(analyze(cluster, { cni: 'cilium' }).isolated('shop/backend', 'Egress'), false);
  const deny = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: d, namespace: shop}
spec:
  endpointSelector: {matchLabels: {role: backend}}
  ingress:
  - fromEndpoints: [{matchLabels: {role: frontend}}]
    toPorts: [{ports: [{port: "8080", protocol: TCP}]}]
  ingressDeny:
  - fromEndpoints: [{matchLabels: {role: frontend}}]
    toPorts: [{ports: [{port: "8080", protocol: TCP}]}]
`;
  const r = run(deny);
  const t = r.a.trace('shop/frontend', 'shop/backend');
  const text = renderTraceText(t, () => 'c.yaml:1', r.a.universe);
  assert.match(text, /Cilium deny rules\n\s+shop\/d\s+ingressDeny rule 1\s+Deny\s+TCP 8080/);
  assert.match(text, /Cilium allow rules\n\s+default deny\s+ingress default-deny\s+Deny\s+all traffic except TCP 8080 \(no allow rule matched\)/);
  assert.match(text, /evaluated as Cilium/);
  assert.match(explanationOf(t).summary, /default deny: .* that no allow rule matched is dropped/);
});

// Field notes §1.2 "Cilium's plan" (CFP-42904, cilium/design-cfps#84: Admin band < NetworkPolicy band < Baseline
// band) and §1.5 (Cilium 1.20 enforces ClusterNetworkPolicy only with enable-k8s-cluster-network-policy, cilium PR
// #47227; no AdminNetworkPolicy/BaselineAdminNetworkPolicy).
test('[CNP] with enable-k8s-cluster-network-policy: Admin tier, then Cilium deny/allow, then Baseline; without it ignored', () => {
  const cnp = (name: string, tier: string, body: string) => `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: ${name}}
spec:
  tier: ${tier}
  priority: 10
  subject:
    namespaces: {matchLabels: {team: shop}}
${body}---
`;
  const adminPass = cnp('pass-web', 'Admin', `  ingress:\n  - action: Pass\n    from: [{namespaces: {matchLabels: {team: web}}}]\n`);
  const adminDeny = cnp('deny-web', 'Admin', `  ingress:\n  - action: Deny\n    from: [{namespaces: {matchLabels: {team: web}}}]\n`);
  const baseDeny = cnp('base-deny', 'Baseline', `  ingress:\n  - action: Deny\n    from: [{namespaces: {}}]\n`);
  const allowWeb = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: allow-web, namespace: shop}
spec:
  endpointSelector: {matchLabels: {role: backend}}
  ingress:
  - fromEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: web}}]
---
`;
  const config = (on: boolean) => `apiVersion: v1
kind: ConfigMap
metadata: {name: cilium-config, namespace: kube-system}
data: {enable-k8s-cluster-network-policy: "${on}"}
---
`;
  // Flag on: Admin Deny wins over the Cilium allow.
  const on = run(config(true) + adminDeny + allowWeb + baseDeny, {});
  assert.deepEqual(on.a.model.tiers.map((t) => t.name), ['kube-admin', 'cilium-allow', 'kube-baseline']);
  assert.match(on.a.evaluatedAs, /^Cilium \+ ClusterNetworkPolicy \(detected: ConfigMap kube-system\/cilium-config\)/);
  assert.equal(on.conn('web/ui', 'shop/backend'), 'No Connections');
  // Admin Pass: the Cilium allow decides; for pods no Cilium policy selects, the Baseline Deny decides.
  const pass = run(config(true) + adminPass + allowWeb + baseDeny, {});
  assert.equal(pass.conn('web/ui', 'shop/backend'), ALL);
  assert.equal(pass.conn('web/ui', 'shop/frontend'), 'No Connections', 'Baseline Deny after the Cilium tiers');
  assert.equal(pass.conn('shop/other', 'shop/frontend'), 'No Connections');
  // Flag off (Cilium's default): ClusterNetworkPolicy is not enforced, and the lint says so.
  const off = run(config(false) + adminDeny + allowWeb + baseDeny, {});
  assert.deepEqual(off.a.model.tiers.map((t) => t.name), ['cilium-allow']);
  assert.equal(off.conn('web/ui', 'shop/backend'), ALL);
  assert.equal(off.conn('shop/other', 'shop/frontend'), ALL);
  assert.doesNotMatch(off.a.evaluatedAs, /ClusterNetworkPolicy/);
  // Under Kubernetes semantics the same objects are enforced.
  const k = run(config(false) + adminDeny + allowWeb + baseDeny, { cni: 'kubernetes' });
  assert.equal(k.conn('shop/other', 'shop/frontend'), 'No Connections');
});
