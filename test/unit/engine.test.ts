// NetworkPolicy semantics, one test per rule, each citing the Kubernetes documentation:
// [NP]  https://kubernetes.io/docs/concepts/services-networking/network-policies/
// [API] https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeFiles, ConnSet, diffReach, reach } from '../../server/src/core/index';

function ns(name: string, labels: Record<string, string> = {}): string {
  return `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n  labels: ${JSON.stringify(labels)}\n---\n`;
}

function pod(namespace: string, name: string, labels: Record<string, string>, ports: { name?: string; port: number; protocol?: string }[] = []): string {
  const p = ports.map((x) => `      - {${x.name ? `name: ${x.name}, ` : ''}containerPort: ${x.port}, protocol: ${x.protocol ?? 'TCP'}}`).join('\n');
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\n  labels: ${JSON.stringify(labels)}\nspec:\n  containers:\n    - name: c\n      image: x\n${ports.length ? `      ports:\n${p}\n` : ''}---\n`;
}

const base = ns('shop', { team: 'shop' }) + ns('web', { team: 'frontend' }) + ns('other') +
  pod('shop', 'api', { app: 'api' }, [{ name: 'http', port: 8080 }, { name: 'dns', port: 53, protocol: 'UDP' }]) +
  pod('shop', 'db', { app: 'db' }, [{ name: 'pg', port: 5432 }]) +
  pod('web', 'ui', { app: 'web' }) +
  pod('other', 'bot', { app: 'web' });

function conns(yaml: string, src: string, dst: string): string {
  const { analysis } = analyzeFiles([{ path: 't.yaml', text: base + yaml }]);
  return analysis.allowedBetween(src, dst).toString();
}

test('[NP] "By default, a pod is non-isolated for egress and ingress": no policies, everything allowed', () => {
  assert.equal(conns('', 'web/ui', 'shop/api'), 'All Connections');
});

test('[NP] a pod selected by an Ingress policy without rules is isolated for ingress only (default deny ingress)', () => {
  const p = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n`;
  assert.equal(conns(p, 'web/ui', 'shop/api'), 'No Connections');
  assert.equal(conns(p, 'shop/api', 'web/ui'), 'All Connections', 'egress of the isolated pod is untouched');
});

test('[API] policyTypes defaulting: absent policyTypes => Ingress, plus Egress when egress rules exist', () => {
  const withEgress = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: api}}\n  egress:\n  - to: [{podSelector: {matchLabels: {app: db}}}]\n`;
  // Ingress is defaulted in, with no ingress rules: api's ingress is denied.
  assert.equal(conns(withEgress, 'web/ui', 'shop/api'), 'No Connections');
  // Egress is defaulted in: api may reach db only.
  assert.equal(conns(withEgress, 'shop/api', 'shop/db'), 'All Connections');
  assert.equal(conns(withEgress, 'shop/api', 'web/ui'), 'No Connections');
  const { cluster } = analyzeFiles([{ path: 't.yaml', text: withEgress }]);
  assert.deepEqual(cluster.policies[0].policyTypes, ['Ingress', 'Egress']);
  // `egress: []` has no rules, so Egress is not defaulted in.
  const emptyEgress = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {}\n  egress: []\n`;
  assert.deepEqual(analyzeFiles([{ path: 't.yaml', text: emptyEgress }]).cluster.policies[0].policyTypes, ['Ingress']);
  assert.equal(conns(emptyEgress, 'shop/api', 'web/ui'), 'All Connections');
});

test('[API] rules of a direction missing from explicit policyTypes have no effect', () => {
  const p = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  ingress:\n  - {}\n  egress:\n  - to: [{podSelector: {}}]\n`;
  assert.equal(conns(p, 'web/ui', 'shop/api'), 'All Connections', 'ingress not isolated');
  assert.equal(conns(p, 'shop/api', 'web/ui'), 'No Connections', 'egress only to pods of shop');
  assert.equal(conns(p, 'shop/api', 'shop/db'), 'All Connections');
});

test('[API] podSelector alone in a peer selects pods in the policy\'s own namespace', () => {
  const p = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from: [{podSelector: {}}]\n`;
  assert.equal(conns(p, 'shop/api', 'shop/db'), 'All Connections');
  assert.equal(conns(p, 'web/ui', 'shop/db'), 'No Connections');
});

test('[API] namespaceSelector {} alone selects all pods in all namespaces', () => {
  const p = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from: [{namespaceSelector: {}}]\n`;
  assert.equal(conns(p, 'web/ui', 'shop/db'), 'All Connections');
  assert.equal(conns(p, 'other/bot', 'shop/db'), 'All Connections');
  assert.equal(conns(p, '0.0.0.0-255.255.255.255', 'shop/db'), 'No Connections', 'namespaceSelector does not match external addresses');
});

test('[NP] namespaceSelector and podSelector in ONE peer are ANDed; as two peers they are ORed', () => {
  const and = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: api}}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {team: frontend}}\n      podSelector: {matchLabels: {app: web}}\n`;
  const or = and.replace('      podSelector: {matchLabels: {app: web}}', '    - podSelector: {matchLabels: {app: web}}');
  assert.equal(conns(and, 'web/ui', 'shop/api'), 'All Connections');
  assert.equal(conns(and, 'other/bot', 'shop/api'), 'No Connections', 'app=web in a namespace without team=frontend');
  assert.equal(conns(and, 'shop/db', 'shop/api'), 'No Connections');
  // OR: every pod of team=frontend namespaces, or app=web pods of shop
  assert.equal(conns(or, 'web/ui', 'shop/api'), 'All Connections');
  assert.equal(conns(or, 'other/bot', 'shop/api'), 'No Connections', 'podSelector-only peer is limited to shop');
});

test('[API] a rule without `from` (or with an empty list) matches all sources, pods and external', () => {
  const p = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {}\n  ingress:\n  - ports: [{port: 8080}]\n`;
  assert.equal(conns(p, 'other/bot', 'shop/api'), 'TCP 8080');
  assert.equal(conns(p, '0.0.0.0-255.255.255.255', 'shop/api'), 'TCP 8080');
});

test('[API] ports: protocol defaults to TCP; missing port = all ports of the protocol; endPort makes a range', () => {
  const p = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {}\n  ingress:\n  - ports:\n    - port: 8080\n    - protocol: UDP\n    - {port: 9000, endPort: 9010, protocol: SCTP}\n`;
  assert.equal(conns(p, 'web/ui', 'shop/db'), 'SCTP 9000-9010; TCP 8080; UDP (all ports)');
});

test('[API] a named port is resolved on the destination pod, by name and protocol', () => {
  const p = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {}\n  ingress:\n  - ports: [{port: http}, {port: dns, protocol: UDP}, {port: pg, protocol: UDP}]\n`;
  assert.equal(conns(p, 'web/ui', 'shop/api'), 'TCP 8080; UDP 53');
  assert.equal(conns(p, 'web/ui', 'shop/db'), 'No Connections', 'db names pg as TCP, and defines neither http nor dns');
  // Egress: the name resolves on the destination too.
  const e = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: e, namespace: web}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - ports: [{port: pg}]\n`;
  assert.equal(conns(e, 'web/ui', 'shop/db'), 'TCP 5432');
  assert.equal(conns(e, 'web/ui', 'shop/api'), 'No Connections');
  assert.equal(conns(e, 'web/ui', '0.0.0.0-255.255.255.255'), 'No Connections', 'a named port cannot resolve on an external address');
});

test('[API] ipBlock: addresses in cidr except the except ranges', () => {
  const p = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]\n`;
  const { analysis } = analyzeFiles([{ path: 't.yaml', text: base + p }]);
  const ids = analysis.atoms.map((a) => a.id);
  assert.deepEqual(ids, ['0.0.0.0-9.255.255.255', '10.0.0.0-10.0.255.255', '10.1.0.0-10.1.255.255', '10.2.0.0-10.255.255.255', '11.0.0.0-255.255.255.255']);
  assert.equal(analysis.allowedBetween('shop/api', '10.0.0.0-10.0.255.255').toString(), 'All Connections');
  assert.equal(analysis.allowedBetween('shop/api', '10.1.0.0-10.1.255.255').toString(), 'No Connections');
  assert.equal(analysis.allowedBetween('shop/api', '11.0.0.0-255.255.255.255').toString(), 'No Connections');
  assert.equal(analysis.allowedBetween('shop/api', 'web/ui').toString(), 'No Connections', 'ipBlock does not match pods');
});

test('[NP] policies are additive: the union of all rules of all selecting policies', () => {
  const p = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: api}}\n  ingress: [{ports: [{port: 80}]}]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: b, namespace: shop}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: 443}], from: [{namespaceSelector: {matchLabels: {team: frontend}}}]}]\n`;
  assert.equal(conns(p, 'web/ui', 'shop/api'), 'TCP 80,443');
  assert.equal(conns(p, 'other/bot', 'shop/api'), 'TCP 80');
});

test('[NP] both sides must allow: egress of the source AND ingress of the destination', () => {
  const p = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: eg, namespace: web}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{ports: [{port: 80}, {port: 443}]}]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: in, namespace: shop}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: 443}, {port: 8443}]}]\n`;
  assert.equal(conns(p, 'web/ui', 'shop/api'), 'TCP 443');
});

test('[label selectors] matchExpressions In / NotIn / Exists / DoesNotExist are ANDed with matchLabels', () => {
  // https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#resources-that-support-set-based-requirements
  const mk = (expr: string) => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress:\n  - from: [{namespaceSelector: {}, podSelector: {matchExpressions: [${expr}]}}]\n`;
  assert.equal(conns(mk('{key: app, operator: In, values: [web, x]}'), 'web/ui', 'shop/db'), 'All Connections');
  assert.equal(conns(mk('{key: app, operator: NotIn, values: [web]}'), 'web/ui', 'shop/db'), 'No Connections');
  assert.equal(conns(mk('{key: app, operator: NotIn, values: [web]}'), 'shop/api', 'shop/db'), 'All Connections');
  assert.equal(conns(mk('{key: tier, operator: NotIn, values: [x]}'), 'web/ui', 'shop/db'), 'All Connections', 'NotIn matches objects without the key');
  assert.equal(conns(mk('{key: app, operator: Exists}'), 'web/ui', 'shop/db'), 'All Connections');
  assert.equal(conns(mk('{key: app, operator: DoesNotExist}'), 'web/ui', 'shop/db'), 'No Connections');
});

test('[labels] namespaces carry kubernetes.io/metadata.name even when not declared', () => {
  // https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-metadata-name
  const p = pod('undeclared', 'x', { app: 'x' }) + `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: undeclared}}}]\n`;
  assert.equal(conns(p, 'undeclared/x', 'shop/api'), 'All Connections');
  assert.equal(conns(p, 'web/ui', 'shop/api'), 'No Connections');
});

test('policy without metadata.namespace applies to the default namespace, flagged as defaulted', () => {
  const text = pod('default', 'a', { app: 'a' }) + pod('default', 'b', { app: 'b' }) + `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec:\n  podSelector: {matchLabels: {app: a}}\n  policyTypes: [Ingress]\n`;
  const { cluster, analysis } = analyzeFiles([{ path: 't.yaml', text }]);
  assert.equal(cluster.policies[0].namespace, 'default');
  assert.equal(cluster.policies[0].namespaceDefaulted, true);
  assert.equal(analysis.allowedBetween('default/b', 'default/a').toString(), 'No Connections');
  const other = analyzeFiles([{ path: 't.yaml', text: text.replace(/namespace: default/g, 'namespace: prod') }], { defaultNamespace: 'prod' });
  assert.equal(other.analysis.allowedBetween('prod/b', 'prod/a').toString(), 'No Connections');
});

test('controllers: pod template labels and ports; pods of one owner fold into one workload', () => {
  const text = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: c, image: x, ports: [{name: http, containerPort: 80}]}]\n---\n` +
    `apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly, namespace: shop}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        metadata: {labels: {app: batch}}\n        spec: {containers: [{name: c, image: x}]}\n---\n` +
    `apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: rs-1, namespace: shop, labels: {app: x}, ownerReferences: [{kind: ReplicaSet, name: rs, controller: true}]}\n  spec: {containers: [{name: c, image: x}]}\n- metadata: {name: rs-2, namespace: shop, labels: {app: x}, ownerReferences: [{kind: ReplicaSet, name: rs, controller: true}]}\n  spec: {containers: [{name: c, image: x}]}\n`;
  const { cluster } = analyzeFiles([{ path: 't.yaml', text }]);
  const byId = new Map(cluster.workloads.map((w) => [w.id, w]));
  assert.deepEqual([...byId.keys()].sort(), ['shop/nightly', 'shop/rs', 'shop/web']);
  assert.deepEqual(byId.get('shop/web')!.labels, { app: 'web' });
  assert.deepEqual(byId.get('shop/web')!.ports, [{ name: 'http', containerPort: 80, protocol: 'TCP' }]);
  assert.equal(byId.get('shop/nightly')!.kind, 'CronJob');
  assert.equal(byId.get('shop/rs')!.kind, 'ReplicaSet');
  assert.equal(byId.get('shop/rs')!.podCount, 2);
});

test('bad YAML never throws: a diagnostic with a range, and the other documents still count', () => {
  const text = `${pod('shop', 'ok', { app: 'ok' })}apiVersion: v1\nkind: Pod\nmetadata: {name: broken\n---\n${pod('shop', 'ok2', { app: 'ok2' })}`;
  const { cluster } = analyzeFiles([{ path: 'bad.yaml', text }]);
  const syn = cluster.diagnostics.filter((d) => d.code === 'yaml-syntax');
  assert.ok(syn.length > 0);
  assert.equal(syn[0].range.file, 'bad.yaml');
  assert.ok(syn[0].range.start.line >= 10, `range points into the broken document (line ${syn[0].range.start.line})`);
  assert.deepEqual(cluster.workloads.map((w) => w.id).filter((id) => id.startsWith('shop/ok')).sort(), ['shop/ok', 'shop/ok2']);
});

test('wrongly typed fields give invalid-field diagnostics at the value, not a crash', () => {
  const text = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {matchExpressions: [{key: app, operator: Maybe}]}\n  ingress: notalist\n  policyTypes: [Ingress, Sideways]\n`;
  const { cluster, analysis } = analyzeFiles([{ path: 't.yaml', text: base + text }]);
  const msgs = cluster.diagnostics.map((d) => `${d.code}@${d.range.start.line}`);
  const off = base.split('\n').length - 1;
  assert.ok(msgs.includes(`invalid-field@${off + 4}`), msgs.join(' '));
  assert.ok(msgs.includes(`invalid-field@${off + 5}`), msgs.join(' '));
  assert.ok(msgs.includes(`invalid-field@${off + 6}`), msgs.join(' '));
  // An invalid selector selects nothing (the API server would reject the object).
  assert.equal(analysis.allowedBetween('web/ui', 'shop/api').toString(), 'All Connections');
});

test('explanations name the isolating policies and the rule that allowed, or why nothing did', () => {
  const p = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-web, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: api}}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {team: frontend}}}]\n    ports: [{port: http}]\n`;
  const { analysis } = analyzeFiles([{ path: 't.yaml', text: base + p }]);
  const ok = analysis.explain('web/ui', 'shop/api');
  assert.match(ok.summary, /^Allowed: TCP 8080\./);
  assert.equal(ok.ingress!.isolated, true);
  assert.deepEqual(ok.ingress!.selectedBy.map((s) => s.policy), ['shop/allow-web']);
  assert.equal(ok.ingress!.allowedBy[0].ruleIndex, 0);
  assert.ok(ok.ingress!.allowedBy[0].range!.start.line > 0);
  assert.equal(ok.egress!.isolated, false);
  const no = analysis.explain('other/bot', 'shop/api');
  assert.match(no.summary, /^Denied by the ingress side of shop\/api\./);
  assert.match(no.ingress!.text, /isolated for ingress by shop\/allow-web, and no ingress rule of that policy matches other\/bot/);
  assert.match(analysis.explain('nope/x', 'shop/api').summary, /Unknown endpoint "nope\/x"/);
});

test('reach() result: connections omit denied pairs and self pairs; diffReach reports added and removed ports', () => {
  const before = reach([{ path: 't.yaml', text: base }]);
  const p = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: api}}}], ports: [{port: 5432}]}]\n`;
  const after = reach([{ path: 't.yaml', text: base + p }]);
  assert.ok(!after.connections.some((c) => c.src === c.dst));
  assert.ok(!after.connections.some((c) => c.src === 'web/ui' && c.dst === 'shop/db'));
  const d = diffReach(before, after);
  assert.equal(d.added.length, 0);
  const removed = new Map(d.removed.map((c) => [`${c.src}>${c.dst}`, ConnSet.fromProtocolPorts(c.protocols).toString()]));
  assert.equal(removed.get('web/ui>shop/db'), 'All Connections');
  assert.equal(removed.get('shop/api>shop/db'), 'SCTP (all ports); TCP 1-5431,5433-65535; UDP (all ports)');
  assert.ok(!removed.has('shop/db>shop/api'));
  assert.deepEqual(diffReach(after, before).added.length, d.removed.length);
});
