// ClusterNetworkPolicy / AdminNetworkPolicy parse diagnostics and semantic lints. Sources
// (kubernetes-sigs/network-policy-api): [CNP-TYPES] apis/v1alpha2/clusternetworkpolicy_types.go and the CRD it
// generates (validation markers: enums, Minimum/Maximum, MinItems/MaxItems, MinProperties/MaxProperties, CEL rules);
// [ANP-TYPES] apis/v1alpha1/*.go; [CNP-OVERVIEW] site-src/api-overview.md; [CNP-BLOG] site-src/blog/posts/
// ClusterNetworkPolicy.md (v1alpha1 -> v1alpha2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFiles } from '../../server/src/core/index';
import { analyze } from '../../server/src/core/analysis';
import { lintClusterPolicies } from '../../server/src/core/dialects/admin/lint';
import { podIpSplitDiagnostics } from '../../server/src/core/lint/pod-ips';
import { LintProject } from '../../server/src/core/lint/project';
import { repoRoot } from '../helpers/paths';

const world = `apiVersion: v1
kind: Namespace
metadata: {name: data, labels: {team: data}}
---
apiVersion: v1
kind: Namespace
metadata: {name: dev, labels: {env: dev}}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: data, labels: {app: db}}
spec: {containers: [{name: c, image: x, ports: [{name: pg, containerPort: 5432}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: tool, namespace: dev, labels: {app: tool}}
spec: {containers: [{name: c, image: x}]}
---
`;

const head = (name: string, tier = 'Admin', priority = 10) => `apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n  tier: ${tier}\n  priority: ${priority}\n`;

function parseDiags(yaml: string) {
  return parseFiles([{ path: 'p.yaml', text: yaml }]).diagnostics.map((d) => ({ code: d.code, severity: d.severity, line: d.range.start.line, message: d.message }));
}

function lints(yaml: string) {
  const cluster = parseFiles([{ path: 'l.yaml', text: world + yaml }]);
  return lintClusterPolicies(cluster, { analysis: () => analyze(cluster) }).map((d) => ({ code: d.code, severity: d.severity, message: d.message, line: d.range.start.line, fix: d.fix }));
}

test('[CNP-TYPES] parse: tier enum, priority 0..1000, subject exactly one of namespaces|pods, action enum', () => {
  const d = parseDiags(`apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: x}
spec:
  tier: admin
  priority: 1001
  subject: {namespaces: {}, pods: {podSelector: {}}}
  ingress:
  - action: Allow
    from: [{namespaces: {}}]
`);
  assert.deepEqual(
    d.map((x) => `${x.code}@${x.line}`),
    ['cnp-field-value@4', 'cnp-field-value@5', 'cnp-one-of@6', 'cnp-field-value@8'],
  );
  assert.match(d[0].message, /did you mean "Admin"/);
  assert.match(d[3].message, /renamed Allow to Accept/);
});

test('[CNP-TYPES] parse: `tcp: {}` is rejected (minProperties), port range start < end, named port format, >25 rules', () => {
  const rules = Array.from({ length: 26 }, () => '  - {action: Deny, from: [{namespaces: {}}]}').join('\n');
  const d = parseDiags(`${head('x')}  subject: {namespaces: {}}
  egress:
  - action: Deny
    to: [{namespaces: {}}]
    protocols: [{tcp: {}}, {udp: {destinationPort: {range: {start: 60, end: 50}}}}, {destinationNamedPort: Web_Port}]
  ingress:
${rules}
`);
  assert.deepEqual(d.map((x) => x.code).sort(), ['cnp-field-value', 'cnp-field-value', 'cnp-protocol-no-port', 'cnp-too-many']);
  assert.match(d.find((x) => x.code === 'cnp-protocol-no-port')!.message, /range: \{start: 1, end: 65535\}/);
  assert.match(d.find((x) => x.code === 'cnp-too-many')!.message, /26 items; the ClusterNetworkPolicy CRD allows at most 25/);
});

test('[CNP-TYPES] parse: ingress peers are namespaces|pods only; an unknown peer field fails the rule closed', () => {
  const d = parseDiags(`${head('x')}  subject: {namespaces: {}}
  ingress:
  - action: Deny
    from: [{networks: [10.0.0.0/8]}]
`);
  assert.deepEqual(d.map((x) => `${x.severity} ${x.code}`), ['warning cnp-unknown-field', 'warning cnp-fail-closed']);
  assert.match(d[0].message, /`networks` is only an egress peer/);
  assert.match(d[1].message, /a Deny or Pass rule denies all traffic/);
});

test('[CNP-TYPES] parse: domainNames only in Accept rules; named ports not with networks/nodes/domainNames (CEL)', () => {
  const d = parseDiags(`${head('x')}  subject: {namespaces: {}}
  egress:
  - action: Deny
    to: [{domainNames: [example.com]}]
  - action: Accept
    to: [{networks: [10.0.0.0/8]}]
    protocols: [{destinationNamedPort: web}]
`);
  assert.deepEqual(d.map((x) => x.code), ['cnp-domain-names-action', 'cnp-named-port-external']);
});

test('[ANP-TYPES] parse: BaselineAdminNetworkPolicy must be named default and has no Pass; AdminNetworkPolicy uses Allow', () => {
  const d = parseDiags(`apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: mine}
spec:
  subject: {namespaces: {}}
  ingress:
  - {action: Pass, from: [{namespaces: {}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: a}
spec:
  priority: 5
  subject: {namespaces: {}}
  egress:
  - {action: Accept, to: [{namespaces: {}}], ports: [{portNumber: {protocol: TCP, port: 80}}]}
`);
  assert.deepEqual(d.map((x) => x.code), ['banp-name', 'cnp-field-value', 'cnp-field-value']);
  assert.match(d[2].message, /v1alpha1 uses Allow/);
});

test('cnp-priority-tie: two policies of one tier at the same priority that can match the same traffic [CNP-TYPES Priority]', () => {
  const a = `${head('a', 'Admin', 10)}  subject: {namespaces: {matchLabels: {team: data}}}\n  ingress: [{action: Deny, from: [{namespaces: {}}]}]\n---\n`;
  const b = `${head('b', 'Admin', 10)}  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: db}}}}\n  ingress: [{action: Accept, from: [{namespaces: {matchLabels: {env: dev}}}]}]\n---\n`;
  const f = lints(a + b).filter((x) => x.code === 'cnp-priority-tie');
  assert.equal(f.length, 2);
  assert.match(f[0].message, /both in the Admin tier at priority 10 and can match the same traffic \(e\.g\. all traffic from dev\/tool to data\/db\)/);
  assert.match(f[0].message, /evaluates a before b/);
  // Different tiers, different priorities, or disjoint traffic: no tie.
  assert.deepEqual(lints(a + b.replace('priority: 10', 'priority: 11')).filter((x) => x.code === 'cnp-priority-tie'), []);
  assert.deepEqual(lints(a + b.replace('tier: Admin', 'tier: Baseline')).filter((x) => x.code === 'cnp-priority-tie'), []);
  const c = `${head('c', 'Admin', 10)}  subject: {namespaces: {matchLabels: {env: dev}}}\n  ingress: [{action: Accept, from: [{namespaces: {}}]}]\n---\n`;
  assert.deepEqual(lints(a + c).filter((x) => x.code === 'cnp-priority-tie'), [], 'no common subject');
});

test('cnp-shadowed-rule: a rule an earlier rule of the same policy already covers [CNP-TYPES rule order]', () => {
  const y = `${head('s')}  subject: {namespaces: {}}
  ingress:
  - {action: Deny, from: [{namespaces: {}}], protocols: [{tcp: {destinationPort: {range: {start: 1, end: 1024}}}}]}
  - {action: Accept, from: [{pods: {namespaceSelector: {matchLabels: {env: dev}}, podSelector: {matchLabels: {app: tool}}}}], protocols: [{tcp: {destinationPort: {number: 80}}}]}
  - {action: Accept, from: [{namespaces: {matchLabels: {env: dev}}}], protocols: [{tcp: {destinationPort: {number: 8080}}}]}
  egress:
  - {action: Accept, to: [{networks: [10.0.0.0/8]}]}
  - {action: Deny, to: [{networks: [10.1.0.0/16, 10.2.0.0/16]}]}
  - {action: Deny, to: [{networks: [10.1.0.0/16, 192.168.0.0/16]}]}
`;
  const f = lints(y).filter((x) => x.code === 'cnp-shadowed-rule');
  assert.deepEqual(f.map((x) => x.line), [world.split('\n').length - 1 + 9, world.split('\n').length - 1 + 13]);
  assert.match(f[0].message, /ingress rule 1 above it \(Deny\)/);
});

test('cnp-overrides-networkpolicy: an Admin Deny/Accept makes a namespace NetworkPolicy unreachable for that traffic', () => {
  const np = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-dev, namespace: data}\nspec:\n  podSelector: {}\n  ingress: [{from: [{namespaceSelector: {matchLabels: {env: dev}}}], ports: [{port: 5432}]}]\n---\n`;
  const deny = `${head('deny-dev')}  subject: {namespaces: {matchLabels: {team: data}}}\n  ingress: [{name: no-dev, action: Deny, from: [{namespaces: {matchLabels: {env: dev}}}]}]\n---\n`;
  const f = lints(np + deny).filter((x) => x.code === 'cnp-overrides-networkpolicy');
  assert.equal(f.length, 1);
  assert.match(f[0].message, /Admin-tier Deny denies TCP 5432 from dev\/tool to data\/db before NetworkPolicy data\/allow-dev .* is consulted: that NetworkPolicy allows it/);
  const accept = deny.replace('action: Deny', 'action: Accept').replace(', from: [{namespaces: {matchLabels: {env: dev}}}]', ', from: [{namespaces: {matchLabels: {env: dev}}}], protocols: [{tcp: {destinationPort: {number: 22}}}]');
  const g = lints(np + accept).filter((x) => x.code === 'cnp-overrides-networkpolicy');
  assert.equal(g.length, 1);
  assert.match(g[0].message, /accepts TCP 22 .* would deny it/);
  // Pass delegates: nothing to report. A Deny on traffic the NetworkPolicy denies anyway: nothing either.
  assert.deepEqual(lints(np + deny.replace('action: Deny', 'action: Pass')).filter((x) => x.code === 'cnp-overrides-networkpolicy'), []);
  const denyOther = deny.replace('{namespaces: {matchLabels: {env: dev}}}', '{namespaces: {matchLabels: {env: prod}}}');
  assert.deepEqual(lints(np + denyOther).filter((x) => x.code === 'cnp-overrides-networkpolicy'), []);
});

test('anp-deprecated: v1alpha1 kinds are flagged with the migration quick fix [CNP-BLOG]', () => {
  const anp = `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: a}\nspec:\n  priority: 5\n  subject: {namespaces: {}}\n  ingress: [{action: Allow, from: [{namespaces: {}}]}]\n`;
  const f = lints(anp).filter((x) => x.code === 'anp-deprecated');
  assert.equal(f.length, 1);
  assert.deepEqual(f[0].fix, { kind: 'migrate-to-cnp' });
});

test('cnp-nodes-not-modelled and cnp-calico-unsupported-peer', () => {
  const y = `${head('n')}  subject: {namespaces: {}}\n  egress: [{action: Deny, to: [{nodes: {}}]}]\n`;
  assert.deepEqual(lints(y).map((x) => x.code), ['cnp-nodes-not-modelled']);
  const node = `apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nstatus: {addresses: [{type: InternalIP, address: 192.168.0.1}]}\n---\n`;
  assert.deepEqual(lints(node + y).map((x) => x.code), []);
  const calico = `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata: {name: m}\nspec: {nets: [192.0.2.0/24]}\n---\n`;
  const f = lints(calico + y);
  assert.deepEqual(f.map((x) => x.code), ['cnp-calico-unsupported-peer']);
  assert.match(f[0].message, /the rule denies all traffic/);
});

test('pod-ips-split: a workload whose pod IPs are on both sides of a CIDR peer gets a warning, not a silent verdict', () => {
  const pods = `apiVersion: v1\nkind: Pod\nmetadata: {name: api-1, namespace: dev, labels: {app: api}, ownerReferences: [{kind: ReplicaSet, name: api, controller: true}]}\nstatus: {podIP: 10.0.9.1}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: api-2, namespace: dev, labels: {app: api}, ownerReferences: [{kind: ReplicaSet, name: api, controller: true}]}\nstatus: {podIPs: [{ip: 10.0.8.1}, {ip: "fd00::1"}]}\n---\n`;
  const y = pods + `${head('n')}  subject: {namespaces: {}}\n  egress: [{action: Deny, to: [{networks: [10.0.9.0/24]}]}]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: b, namespace: data}\nspec:\n  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}}]}]\n`;
  const cluster = parseFiles([{ path: 'l.yaml', text: world + y }]);
  assert.deepEqual(cluster.workloads.find((w) => w.id === 'dev/api')?.ips, ['10.0.9.1', '10.0.8.1', 'fd00::1']);
  const d = podIpSplitDiagnostics(cluster);
  assert.equal(d.length, 1);
  assert.match(d[0].message, /ReplicaSet dev\/api have IPs inside 10\.0\.9\.0\/24 \(10\.0\.9\.1\) and outside it \(10\.0\.8\.1, fd00::1\)/);
  // ipBlock 10.0.0.0/8 splits the IPv4 and IPv6 addresses, but only counts when ipBlock applies to pods.
  assert.equal(podIpSplitDiagnostics(cluster, { ipBlockMatchesPods: true }).length, 2);
  // The lint project reports it too, with the project's analysis options.
  const p = new LintProject({ analyzeOptions: { ipBlockMatchesPods: true } });
  p.setFile('l.yaml', world + y);
  assert.equal(p.result().findings.get('l.yaml')!.filter((f) => f.code === 'pod-ips-split').length, 2);
});

test('every cnp-*/anp-*/banp-*/pod-ips-* code used by the dialect has a docs/rules page listed in the rules index', () => {
  const root = repoRoot();
  const codes = new Set<string>();
  for (const f of ['server/src/core/dialects/admin/parse.ts', 'server/src/core/dialects/admin/lint.ts', 'server/src/core/lint/pod-ips.ts']) {
    for (const m of readFileSync(join(root, f), 'utf8').matchAll(/'((?:cnp|anp|banp|pod-ips)-[a-z-]+)'/g)) codes.add(m[1]);
  }
  assert.ok(codes.size >= 15, [...codes].join(' '));
  const index = readFileSync(join(root, 'docs/rules/README.md'), 'utf8');
  for (const c of codes) {
    assert.ok(existsSync(join(root, 'docs/rules', `${c}.md`)), `missing docs/rules/${c}.md`);
    assert.ok(index.includes(`(${c}.md)`), `docs/rules/README.md does not list ${c}`);
  }
  assert.ok(readdirSync(join(root, 'docs/rules')).length > 0);
});
