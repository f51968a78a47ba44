// ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2) and AdminNetworkPolicy / BaselineAdminNetworkPolicy
// (v1alpha1) evaluation. Sources (kubernetes-sigs/network-policy-api):
// [CNP-TYPES]  apis/v1alpha2/clusternetworkpolicy_types.go (tier, priority, subject, rules, actions, peers,
//              protocols, fail-closed peers, DomainName)
// [ANP-TYPES]  apis/v1alpha1/{adminnetworkpolicy,baselineadminnetworkpolicy,shared_types}.go
// [CNP-OVERVIEW] site-src/api-overview.md (tiers, actions, "no implicit isolation", protocols)
// [CALICO-CNP] projectcalico/calico libcalico-go/lib/backend/k8s/conversion/clusternetworkpolicy.go (tier kube-admin /
//              kube-baseline, order = priority, Accept -> Allow, failed rules replaced by "deny all" or dropped)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, parseFiles, type AnalyzeOptions } from '../../server/src/core/index';

const world = `apiVersion: v1
kind: Namespace
metadata: {name: data, labels: {team: data}}
---
apiVersion: v1
kind: Namespace
metadata: {name: dev, labels: {env: dev}}
---
apiVersion: v1
kind: Namespace
metadata: {name: prod, labels: {env: prod}}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: data, labels: {app: db}}
spec: {containers: [{name: c, image: x, ports: [{name: pg, containerPort: 5432}, {name: dns, containerPort: 53, protocol: UDP}]}]}
status: {podIP: 10.0.1.5}
---
apiVersion: v1
kind: Pod
metadata: {name: cache, namespace: data, labels: {app: cache}}
spec: {containers: [{name: c, image: x}]}
status: {podIP: 10.0.1.6}
---
apiVersion: v1
kind: Pod
metadata: {name: tool, namespace: dev, labels: {app: tool}}
spec: {containers: [{name: c, image: x}]}
status: {podIP: 10.0.2.7}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: prod, labels: {app: web}}
spec: {containers: [{name: c, image: x}]}
status: {podIP: 10.0.3.8}
---
`;

function cnp(name: string, tier: 'Admin' | 'Baseline', priority: number, body: string): string {
  return `apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n  tier: ${tier}\n  priority: ${priority}\n${body}\n---\n`;
}

const toData = `  subject:\n    namespaces: {matchLabels: {team: data}}\n`;

function analysis(yaml: string, opts: AnalyzeOptions = {}, allowErrors = false) {
  const cluster = parseFiles([{ path: 'c.yaml', text: world + yaml }]);
  if (!allowErrors) {
    const errors = cluster.diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors.map((d) => `${d.code}: ${d.message}`), []);
  }
  return { cluster, a: analyze(cluster, opts) };
}

function allowed(yaml: string, src: string, dst: string, opts: AnalyzeOptions = {}): string {
  return analysis(yaml, opts).a.allowedBetween(src, dst).toString();
}

const ALL = 'All Connections';
const NONE = 'No Connections';

const npDenyAllIngress = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: data}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
`;

test('[CNP-TYPES Tier] an Admin Deny wins over a NetworkPolicy that allows the traffic; later tiers never see it', () => {
  const y =
    cnp('deny-dev', 'Admin', 10, `${toData}  ingress:\n  - name: no-dev\n    action: Deny\n    from: [{namespaces: {matchLabels: {env: dev}}}]\n    protocols: [{tcp: {destinationPort: {number: 5432}}}]`) +
    `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-all, namespace: data}\nspec: {podSelector: {}, ingress: [{}]}\n`;
  assert.equal(allowed(y, 'dev/tool', 'data/db'), 'SCTP (all ports); TCP 1-5431,5433-65535; UDP (all ports)');
  assert.equal(allowed(y, 'prod/web', 'data/db'), ALL);
});

test('[CNP-TYPES Accept] an Admin Accept wins over a NetworkPolicy that isolates the pod', () => {
  const y = cnp('allow-prod', 'Admin', 5, `${toData}  ingress:\n  - action: Accept\n    from: [{namespaces: {matchLabels: {env: prod}}}]`) + npDenyAllIngress;
  assert.equal(allowed(y, 'prod/web', 'data/db'), ALL);
  assert.equal(allowed(y, 'dev/tool', 'data/db'), NONE);
});

test('[CNP-TYPES Tier] a Baseline rule only decides for pods no NetworkPolicy selects (NetworkPolicy always decides for its pods)', () => {
  const base = cnp('default', 'Baseline', 10, `  subject:\n    namespaces: {}\n  ingress:\n  - action: Deny\n    from: [{namespaces: {}}]`);
  // No NetworkPolicy: the Baseline Deny applies.
  assert.equal(allowed(base, 'prod/web', 'data/db'), NONE);
  assert.equal(allowed(base, 'data/db', 'prod/web'), NONE);
  // A NetworkPolicy allowing prod in namespace data decides for data's pods; the Baseline Deny is never reached.
  const np = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-prod, namespace: data}\nspec:\n  podSelector: {}\n  ingress: [{from: [{namespaceSelector: {matchLabels: {env: prod}}}]}]\n---\n`;
  assert.equal(allowed(base + np, 'prod/web', 'data/db'), ALL);
  // ... and it isolates: dev is denied by the NetworkPolicy tier itself.
  assert.equal(allowed(base + np, 'dev/tool', 'data/db'), NONE);
});

test('[CNP-TYPES Priority] lower priority values are evaluated first', () => {
  const deny = cnp('deny', 'Admin', 20, `${toData}  ingress:\n  - action: Deny\n    from: [{namespaces: {}}]`);
  const accept = (p: number) => cnp('accept', 'Admin', p, `${toData}  ingress:\n  - action: Accept\n    from: [{namespaces: {matchLabels: {env: dev}}}]`);
  assert.equal(allowed(deny + accept(10), 'dev/tool', 'data/db'), ALL);
  assert.equal(allowed(deny + accept(30), 'dev/tool', 'data/db'), NONE);
});

test('[CNP-TYPES Ingress] rules in written order, the first matching rule decides', () => {
  const rules = (first: string, second: string) =>
    cnp('ordered', 'Admin', 1, `${toData}  ingress:\n  - action: ${first}\n    from: [{namespaces: {matchLabels: {env: dev}}}]\n  - action: ${second}\n    from: [{namespaces: {}}]`);
  assert.equal(allowed(rules('Accept', 'Deny'), 'dev/tool', 'data/db'), ALL);
  assert.equal(allowed(rules('Accept', 'Deny'), 'prod/web', 'data/db'), NONE);
  assert.equal(allowed(rules('Deny', 'Accept'), 'dev/tool', 'data/db'), NONE);
});

test('[CNP-TYPES Pass] Pass skips the rest of the Admin tier: the NetworkPolicy decides, then Baseline', () => {
  const pass = cnp('delegate', 'Admin', 1, `${toData}  ingress:\n  - action: Pass\n    from: [{namespaces: {matchLabels: {env: dev}}}]`);
  const deny = cnp('deny-all', 'Admin', 2, `${toData}  ingress:\n  - action: Deny\n    from: [{namespaces: {}}]`);
  const baseDeny = cnp('base', 'Baseline', 1, `${toData}  ingress:\n  - action: Deny\n    from: [{namespaces: {matchLabels: {env: dev}}}]`);
  assert.equal(allowed(pass + deny, 'dev/tool', 'data/db'), ALL, 'passed traffic skips the later Admin Deny');
  assert.equal(allowed(pass + deny, 'prod/web', 'data/db'), NONE);
  assert.equal(allowed(pass + deny + baseDeny, 'dev/tool', 'data/db'), NONE, 'no NetworkPolicy selects db: Baseline decides');
  const npAllowDev = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-dev, namespace: data}\nspec:\n  podSelector: {}\n  ingress: [{from: [{namespaceSelector: {matchLabels: {env: dev}}}]}]\n---\n`;
  assert.equal(allowed(pass + deny + baseDeny + npAllowDev, 'dev/tool', 'data/db'), ALL, 'a NetworkPolicy selecting db decides before Baseline');
});

test('[CNP-TYPES Pass] Pass is allowed in the Baseline tier and leads to the default allow', () => {
  const y = cnp('b', 'Baseline', 1, `${toData}  ingress:\n  - action: Pass\n    from: [{namespaces: {matchLabels: {env: dev}}}]\n  - action: Deny\n    from: [{namespaces: {}}]`);
  assert.equal(allowed(y, 'dev/tool', 'data/db'), ALL);
  assert.equal(allowed(y, 'prod/web', 'data/db'), NONE);
});

test('[CNP-OVERVIEW] no implicit isolation: a CNP that selects a pod with an Accept rule denies nothing else', () => {
  const y = cnp('accept-prod', 'Admin', 1, `${toData}  ingress:\n  - action: Accept\n    from: [{namespaces: {matchLabels: {env: prod}}}]\n    protocols: [{tcp: {destinationPort: {number: 5432}}}]`);
  const { a } = analysis(y);
  assert.equal(a.allowedBetween('dev/tool', 'data/db').toString(), ALL);
  assert.equal(a.isolated('data/db', 'Ingress'), false);
  const t = a.trace('prod/web', 'data/db');
  assert.equal(t.ingress?.isolated, false);
  assert.deepEqual(t.ingress?.selectedBy.map((p) => `${p.policyKind} ${p.policy} ${p.tier}`), ['ClusterNetworkPolicy accept-prod kube-admin']);
});

test('[CNP-TYPES Egress Accept] an egress Accept does not bypass the ingress rules at the destination', () => {
  const y = cnp('egress-ok', 'Admin', 1, `  subject:\n    namespaces: {matchLabels: {env: dev}}\n  egress:\n  - action: Accept\n    to: [{namespaces: {}}]`) + npDenyAllIngress;
  assert.equal(allowed(y, 'dev/tool', 'data/db'), NONE);
  assert.equal(allowed(y, 'dev/tool', 'prod/web'), ALL);
});

test('[CNP-TYPES Subject] subject.pods selects pods by podSelector inside namespaces by namespaceSelector; peers likewise', () => {
  const y = cnp(
    'pods',
    'Admin',
    1,
    `  subject:\n    pods: {namespaceSelector: {matchLabels: {team: data}}, podSelector: {matchLabels: {app: db}}}\n  ingress:\n  - action: Deny\n    from: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: tool}}}}]`,
  );
  assert.equal(allowed(y, 'dev/tool', 'data/db'), NONE);
  assert.equal(allowed(y, 'dev/tool', 'data/cache'), ALL, 'cache is not a subject');
  assert.equal(allowed(y, 'prod/web', 'data/db'), ALL, 'web is not a peer');
});

test('[CNP-TYPES Protocols] absent = every port; tcp/udp/sctp number or range; destinationNamedPort on the destination pod', () => {
  const deny = (protocols: string) => cnp('p', 'Admin', 1, `${toData}  ingress:\n  - action: Deny\n    from: [{namespaces: {}}]\n    protocols: ${protocols}`);
  assert.equal(allowed(deny('[{udp: {destinationPort: {number: 53}}}]'), 'prod/web', 'data/db'), 'SCTP (all ports); TCP (all ports); UDP 1-52,54-65535');
  assert.equal(allowed(deny('[{sctp: {destinationPort: {range: {start: 9000, end: 9010}}}}]'), 'prod/web', 'data/db'), 'SCTP 1-8999,9011-65535; TCP (all ports); UDP (all ports)');
  // named port `pg` is TCP 5432 on db; cache has no such port
  assert.equal(allowed(deny('[{destinationNamedPort: pg}]'), 'prod/web', 'data/db'), 'SCTP (all ports); TCP 1-5431,5433-65535; UDP (all ports)');
  assert.equal(allowed(deny('[{destinationNamedPort: pg}]'), 'prod/web', 'data/cache'), ALL);
});

test('[CNP-TYPES Protocols] `tcp: {}` is rejected by the CRD; Policy Lens reports it and reads it as every TCP port', () => {
  const y = cnp('p', 'Admin', 1, `${toData}  ingress:\n  - action: Deny\n    from: [{namespaces: {}}]\n    protocols: [{tcp: {}}]`);
  const { cluster, a } = analysis(y, {}, true);
  assert.ok(cluster.diagnostics.some((d) => d.code === 'cnp-protocol-no-port' && d.severity === 'error'));
  assert.equal(a.allowedBetween('prod/web', 'data/db').toString(), 'SCTP (all ports); UDP (all ports)');
});

test('[CNP-TYPES EgressPeer] networks match external addresses and also pods whose IPs are inside ("0.0.0.0/0 ... pod-to-pod traffic as well")', () => {
  const y = cnp('nets', 'Admin', 1, `  subject:\n    namespaces: {matchLabels: {env: dev}}\n  egress:\n  - action: Accept\n    to: [{networks: [10.0.1.5/32, 203.0.113.0/24]}]\n  - action: Deny\n    to: [{networks: [0.0.0.0/0]}]`);
  const { a } = analysis(y);
  assert.equal(a.allowedBetween('dev/tool', 'data/db').toString(), ALL, 'db 10.0.1.5 is inside the Accept');
  assert.equal(a.allowedBetween('dev/tool', 'data/cache').toString(), NONE, 'cache 10.0.1.6 falls to the Deny 0.0.0.0/0');
  assert.equal(a.allowedBetween('dev/tool', '203.0.113.9').toString(), ALL);
  assert.equal(a.allowedBetween('dev/tool', '198.51.100.1').toString(), NONE);
});

test('[CNP-TYPES EgressPeer] without pod IPs in the manifests, 0.0.0.0/0 still covers every pod; narrower blocks cannot match', () => {
  const dep = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: svc, namespace: prod}\nspec:\n  selector: {matchLabels: {app: svc}}\n  template: {metadata: {labels: {app: svc}}}\n---\n`;
  const deny = (cidr: string) => dep + cnp('n', 'Admin', 1, `  subject:\n    namespaces: {matchLabels: {env: dev}}\n  egress:\n  - action: Deny\n    to: [{networks: [${cidr}]}]`);
  assert.equal(allowed(deny('0.0.0.0/0'), 'dev/tool', 'prod/svc'), NONE);
  assert.equal(allowed(deny('10.0.0.0/8'), 'dev/tool', 'prod/svc'), ALL);
  assert.equal(allowed(deny('"::/0"'), 'dev/tool', 'prod/svc'), ALL, 'pods of unknown address are taken as IPv4');
});

test('[CNP-TYPES EgressPeer] a workload whose pods are on both sides of a CIDR does not match it (and the lints say so)', () => {
  const two = `apiVersion: v1\nkind: Pod\nmetadata: {name: api-1, namespace: prod, labels: {app: api}, ownerReferences: [{kind: ReplicaSet, name: api, controller: true}]}\nstatus: {podIP: 10.0.9.1}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: api-2, namespace: prod, labels: {app: api}, ownerReferences: [{kind: ReplicaSet, name: api, controller: true}]}\nstatus: {podIP: 10.0.8.1}\n---\n`;
  const y = two + cnp('n', 'Admin', 1, `  subject:\n    namespaces: {matchLabels: {env: dev}}\n  egress:\n  - action: Deny\n    to: [{networks: [10.0.9.0/24]}]`);
  const { cluster, a } = analysis(y);
  const api = cluster.workloads.find((w) => w.id === 'prod/api');
  assert.deepEqual(api?.ips, ['10.0.9.1', '10.0.8.1']);
  assert.equal(a.allowedBetween('dev/tool', 'prod/api').toString(), ALL);
});

test('[CNP-TYPES DomainName] domainNames are named external endpoints: in the result, the matrix and the explanation', () => {
  const y = cnp('dns', 'Admin', 1, `  subject:\n    namespaces: {matchLabels: {env: prod}}\n  egress:\n  - name: allow-api\n    action: Accept\n    to: [{domainNames: [api.example.com, "*.storage.example.com"]}]\n  - action: Deny\n    to: [{networks: [0.0.0.0/0, "::/0"]}]`);
  const { a } = analysis(y);
  const ids = a.endpoints().filter((e) => e.kind === 'External').map((e) => e.id);
  assert.ok(ids.includes('api.example.com') && ids.includes('*.storage.example.com'), ids.join(' '));
  assert.equal(a.allowedBetween('prod/web', 'api.example.com').toString(), ALL);
  assert.equal(a.allowedBetween('prod/web', '8.8.8.8').toString(), NONE);
  assert.equal(a.allowedBetween('dev/tool', 'api.example.com').toString(), ALL, 'no policy for dev');
  const conn = a.result().connections.find((c) => c.src === 'prod/web' && c.dst === 'api.example.com');
  assert.ok(conn);
  const e = a.explain('prod/web', 'api.example.com');
  assert.match(e.summary, /dns egress rule 1 \(allow-api\) allows all traffic/);
});

test('[CNP-TYPES Nodes] nodes peers match the addresses of the selected Node objects; without Node objects they match nothing', () => {
  const node = `apiVersion: v1\nkind: Node\nmetadata: {name: n1, labels: {role: infra}}\nstatus: {addresses: [{type: InternalIP, address: 192.168.0.10}, {type: Hostname, address: n1}]}\n---\n`;
  const y = cnp('nodes', 'Admin', 1, `  subject:\n    namespaces: {matchLabels: {env: dev}}\n  egress:\n  - action: Deny\n    to: [{nodes: {matchLabels: {role: infra}}}]`);
  assert.equal(allowed(node + y, 'dev/tool', '192.168.0.10'), NONE);
  assert.equal(allowed(node + y, 'dev/tool', '192.168.0.11'), ALL);
  assert.equal(allowed(y, 'dev/tool', '192.168.0.10'), ALL);
});

test('[CNP-TYPES EgressPeer fail closed] a peer with no recognised field: Accept matches nothing, Deny/Pass deny all', () => {
  const rule = (action: string) => cnp('future', 'Admin', 1, `  subject:\n    namespaces: {matchLabels: {env: dev}}\n  egress:\n  - action: ${action}\n    to: [{services: {name: x}}]\n    protocols: [{tcp: {destinationPort: {number: 80}}}]`);
  assert.equal(allowed(rule('Accept') + `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: d, namespace: dev}\nspec: {podSelector: {}, policyTypes: [Egress]}\n`, 'dev/tool', 'prod/web'), NONE, 'Accept matched nothing: the NetworkPolicy denies');
  assert.equal(allowed(rule('Deny'), 'dev/tool', 'prod/web'), NONE, 'every port, not only TCP 80');
  assert.equal(allowed(rule('Pass'), 'dev/tool', 'prod/web'), NONE);
  const t = analysis(rule('Pass')).a.trace('dev/tool', 'prod/web');
  assert.match(t.egress?.steps[0].note ?? '', /fails closed \(unknown peer field "services"\): it denies all traffic/);
});

test('[ANP-TYPES] AdminNetworkPolicy Allow/Deny/Pass and BaselineAdminNetworkPolicy Allow/Deny around NetworkPolicy', () => {
  const anp = `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: a}
spec:
  priority: 3
  subject: {namespaces: {matchLabels: {team: data}}}
  ingress:
  - {action: Allow, from: [{namespaces: {matchLabels: {env: prod}}}], ports: [{portNumber: {protocol: TCP, port: 5432}}]}
  - {action: Pass, from: [{namespaces: {matchLabels: {env: dev}}}]}
  - {action: Deny, from: [{namespaces: {}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  ingress:
  - {action: Deny, from: [{namespaces: {matchLabels: {env: dev}}}], ports: [{portRange: {protocol: UDP, start: 50, end: 60}}]}
---
`;
  assert.equal(allowed(anp, 'prod/web', 'data/db'), 'TCP 5432');
  assert.equal(allowed(anp, 'dev/tool', 'data/db'), 'SCTP (all ports); TCP (all ports); UDP 1-49,61-65535');
  assert.equal(allowed(anp + npDenyAllIngress, 'dev/tool', 'data/db'), NONE, 'the NetworkPolicy decides before the BANP');
});

test('[CALICO-CNP] with Calico resources, CNPs sit in tiers kube-admin (before default) and kube-baseline (after), order = priority', () => {
  const gnpDeny = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: admin-deny}
spec:
  tier: kube-admin
  order: 50
  selector: app == 'db'
  ingress: [{action: Deny}]
---
`;
  const accept = (p: number) => cnp('accept-dev', 'Admin', p, `${toData}  ingress:\n  - action: Accept\n    from: [{namespaces: {matchLabels: {env: dev}}}]`);
  const { a } = analysis(gnpDeny + accept(10));
  assert.equal(a.evaluatedAs.startsWith('Calico + ClusterNetworkPolicy'), true);
  assert.deepEqual(a.model.tiers.map((t) => t.name), ['kube-admin']);
  assert.deepEqual(a.model.tiers[0].policies.map((p) => p.display), ['accept-dev', 'admin-deny']);
  // Accept = Allow; the universe of a Calico world has ICMP too and a CNP rule without protocols covers it.
  assert.equal(a.allowedBetween('dev/tool', 'data/db').toString(), 'ICMP; ICMPv6; SCTP (all ports); TCP (all ports); UDP (all ports)');
  assert.equal(allowed(gnpDeny + accept(60), 'dev/tool', 'data/db'), NONE);
  // Baseline after the default tier: a Calico default-tier policy decides first.
  const base = cnp('base', 'Baseline', 1, `${toData}  ingress:\n  - action: Deny\n    from: [{namespaces: {}}]`);
  const dflt = `apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: allow-dev, namespace: data}\nspec:\n  selector: app == 'db'\n  ingress: [{action: Allow, source: {namespaceSelector: env == 'dev'}}]\n---\n`;
  const b = analysis(base + dflt).a;
  assert.deepEqual(b.model.tiers.map((t) => t.name), ['default', 'kube-baseline']);
  assert.equal(b.allowedBetween('dev/tool', 'data/db').toString(), 'ICMP; ICMPv6; SCTP (all ports); TCP (all ports); UDP (all ports)');
  assert.equal(b.allowedBetween('prod/web', 'data/db').toString(), NONE, 'default tier end-of-tier Deny (the Calico policy selects db)');
  assert.equal(b.allowedBetween('prod/web', 'data/cache').toString(), NONE, 'Baseline Deny');
});

test('[CALICO-CNP] Calico 3.32 does not support domainNames and nodes peers: such rules fail closed', () => {
  const gns = `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata: {name: m, labels: {m: x}}\nspec: {nets: [192.0.2.0/24]}\n---\n`;
  const y = cnp('dns', 'Admin', 1, `  subject:\n    namespaces: {matchLabels: {env: prod}}\n  egress:\n  - action: Accept\n    to: [{domainNames: [api.example.com]}]\n  - action: Pass\n    to: [{nodes: {}}]`);
  const { a } = analysis(gns + y);
  assert.equal(a.allowedBetween('prod/web', 'data/db').toString(), NONE, 'the Pass rule became deny all');
  const t = a.trace('prod/web', 'data/db');
  assert.match(t.egress?.steps.map((s) => s.note).join(' ') ?? '', /Calico 3\.32 does not support nodes peers/);
});

test('[K8S ipBlock] ipBlock matches external addresses only by default; the option makes it match pod IPs, and the trace says which', () => {
  const np = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-block, namespace: data}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{ipBlock: {cidr: 10.0.2.0/24}}]}]
`;
  const off = analysis(np).a;
  assert.equal(off.allowedBetween('dev/tool', 'data/db').toString(), NONE);
  assert.equal(off.allowedBetween('10.0.2.1', 'data/db').toString(), ALL);
  assert.match(off.evaluatedAs, /ipBlock matches external addresses only/);
  const on = analysis(np, { ipBlockMatchesPods: true }).a;
  assert.equal(on.allowedBetween('dev/tool', 'data/db').toString(), ALL);
  assert.match(on.evaluatedAs, /ipBlock also matches pod IPs/);
  const t = on.trace('dev/tool', 'data/db');
  assert.match(t.ingress?.steps[0].note ?? '', /also matches pods/);
});

test('[CNP-TYPES] a ClusterNetworkPolicy without tier or priority is rejected by the API server and not evaluated', () => {
  const y = `apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: broken}\nspec:\n  priority: 1\n  subject: {namespaces: {}}\n  ingress: [{action: Deny, from: [{namespaces: {}}]}]\n`;
  const { cluster, a } = analysis(y, {}, true);
  assert.ok(cluster.diagnostics.some((d) => d.code === 'cnp-required' && /spec\.tier is required/.test(d.message)));
  assert.equal(a.allowedBetween('dev/tool', 'data/db').toString(), ALL);
});
