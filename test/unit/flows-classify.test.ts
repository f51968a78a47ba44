// Mapping observed flow ends to manifest workloads, classification with uncertainty, impact against a baseline and
// the allowed-but-never-observed pairs.
// Pod naming per the Kubernetes documentation: a Deployment's pods are `<deployment>-<pod-template-hash>-<random>`
// (concepts/workloads/controllers/deployment, "pod-template-hash label"), ReplicaSet / DaemonSet / Job pods are
// created from generateName `<owner>-` (reference "metadata.generateName"), StatefulSet pods are `<name>-<ordinal>`
// (concepts/workloads/controllers/statefulset, "Pod Identity"), a CronJob's Jobs are `<cronjob>-<scheduled time>`.
// Calico aggregates by GenerateName and writes `<generateName>*` (felix/collector/types/endpoint/endpoint.go).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeFiles, type Analysis } from '../../server/src/core/index';
import { classifyFlows, decide, EndpointResolver, FlowAggregator, type FlowEnd, type FlowRecord } from '../../server/src/core/flows/index';

const WORLD = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: a}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: i, ports: [{name: http, containerPort: 8080}]}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web-admin, namespace: shop}
spec: {template: {metadata: {labels: {app: web-admin}}, spec: {containers: [{name: c, image: i, ports: [{name: http, containerPort: 9090}]}]}}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec: {template: {metadata: {labels: {app: db}}, spec: {containers: [{name: c, image: i}]}}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: shop}
spec: {template: {metadata: {labels: {app: agent}}, spec: {containers: [{name: c, image: i}]}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: report, namespace: shop}
spec: {jobTemplate: {spec: {template: {metadata: {labels: {app: report}}, spec: {containers: [{name: c, image: i}]}}}}}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: api-6d5f8b7c9, namespace: shop}
spec: {template: {metadata: {labels: {app: api, pod-template-hash: 6d5f8b7c9}}, spec: {containers: [{name: c, image: i}]}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchExpressions: [{key: app, operator: In, values: [web, web-admin]}]}
  ingress:
  - from: [{podSelector: {matchLabels: {app: agent}}}]
    ports: [{port: http}]
  - from: [{ipBlock: {cidr: 192.0.2.0/24}}]
    ports: [{port: 8080}]
`;

const world = (extra = ''): Analysis => analyzeFiles([{ path: 'w.yaml', text: WORLD + extra }]).analysis;

function resolve(a: Analysis, e: FlowEnd): string[] | string {
  const r = new EndpointResolver(a).resolve(JSON.stringify(e), e);
  return r.problem ?? r.ids;
}

test('pod names and GenerateName prefixes map to their controllers', () => {
  const a = world();
  const w = (fields: Partial<FlowEnd>): FlowEnd => ({ type: 'workload', namespace: 'shop', ...fields });
  assert.deepEqual(resolve(a, w({ prefix: 'web-7c9d8f6b5-' })), ['shop/web'], 'Deployment pods: <deployment>-<hash>-*');
  assert.deepEqual(resolve(a, w({ prefix: 'web-admin-5f7d9c8b6-' })), ['shop/web-admin'], 'a longer name does not map to the shorter Deployment');
  assert.deepEqual(resolve(a, w({ podName: 'web-7c9d8f6b5-x2x9k' })), ['shop/web']);
  assert.deepEqual(resolve(a, w({ podName: 'db-0' })), ['shop/db'], 'StatefulSet pods: <name>-<ordinal>');
  assert.deepEqual(resolve(a, w({ prefix: 'agent-' })), ['shop/agent'], 'DaemonSet pods: generateName <name>-');
  assert.deepEqual(resolve(a, w({ podName: 'agent-k2j4x' })), ['shop/agent']);
  assert.deepEqual(resolve(a, w({ prefix: 'report-29345670-' })), ['shop/report'], 'CronJob: <cronjob>-<time>-*');
  assert.deepEqual(resolve(a, w({ prefix: 'api-6d5f8b7c9-' })), ['shop/api-6d5f8b7c9'], 'a ReplicaSet in the manifests');
  assert.deepEqual(resolve(a, w({ workload: { name: 'api', kind: 'Deployment' } })), ['shop/api-6d5f8b7c9'], 'Hubble workloads[0] names the Deployment; the manifests hold its ReplicaSet');
  assert.deepEqual(resolve(a, w({ workload: { name: 'db', kind: 'StatefulSet' } })), ['shop/db']);
  // No name matches: the labels decide when one workload's template labels are all on the pod
  assert.deepEqual(resolve(a, w({ podName: 'frontend-abc12', labels: { app: 'web', extra: 'x' } })), ['shop/web']);
  assert.match(resolve(a, w({ podName: 'nothing-0', labels: { app: 'nope' } })) as string, /matches no workload of the manifests in namespace shop/);
  assert.match(resolve(a, { type: 'workload', namespace: 'other', podName: 'web-1' }) as string, /namespace other/);
});

test('labels that contradict the pod template are noted (the manifests may not match the cluster)', () => {
  const a = world();
  const e: FlowEnd = { type: 'workload', namespace: 'shop', prefix: 'web-7c9d8f6b5-', labels: { app: 'frontend', 'pod-template-hash': '7c9d8f6b5' }, labelsPartial: true };
  const r = new EndpointResolver(a).resolve('k', e);
  assert.deepEqual(r.ids, ['shop/web']);
  assert.match(r.notes![0], /app=frontend observed, app=web in the manifests/);
  // pod-template-hash and other controller labels never conflict
  const ok = new EndpointResolver(a).resolve('k2', { ...e, labels: { app: 'web', 'pod-template-hash': 'zzz' } });
  assert.equal(ok.notes, undefined);
});

test('external addresses map to the range holding them; pub/pvt to every range they may be', () => {
  const a = world();
  assert.deepEqual(resolve(a, { type: 'address', address: '192.0.2.77' }), ['192.0.2.0-192.0.2.255']);
  assert.deepEqual(resolve(a, { type: 'address', address: '8.8.8.8' }), ['0.0.0.0-192.0.1.255']);
  assert.match(resolve(a, { type: 'address', address: 'fe80::1' }) as string, /no external endpoint covers this IPv6 address/);
  assert.match(resolve(a, { type: 'address', address: 'not-an-ip' }) as string, /not an IP address/);
  // RFC 1918 (pvt) lies below 192.0.2.0 except 192.168.0.0/16, above it
  assert.deepEqual(resolve(a, { type: 'network', network: 'pvt' }), ['0.0.0.0-192.0.1.255', '192.0.3.0-255.255.255.255']);
  assert.deepEqual(resolve(a, { type: 'network', network: 'pub' }), ['0.0.0.0-192.0.1.255', '192.0.2.0-192.0.2.255', '192.0.3.0-255.255.255.255']);
  assert.match(resolve(a, { type: 'host', name: 'node-1' }) as string, /node \/ host endpoint/);
});

test('uncertainty: a decision over candidates is certain only when every candidate agrees', () => {
  const a = world();
  // agent -> web on 8080 (named port http resolves to 8080 on web): allowed
  assert.deepEqual(decide(a, ['shop/agent'], ['shop/web'], 'TCP', 8080), { verdict: 'allowed', reasons: [] });
  // agent -> web or web-admin on 8080: the named port resolves to 9090 on web-admin: uncertain
  const two = decide(a, ['shop/agent'], ['shop/web', 'shop/web-admin'], 'TCP', 8080);
  assert.equal(two.verdict, 'uncertain');
  assert.match(two.reasons.join(' '), /destination may be any of 2 endpoints/);
  // every candidate denies: certain
  assert.equal(decide(a, ['shop/db', 'shop/report'], ['shop/web', 'shop/web-admin'], 'TCP', 8080).verdict, 'denied');
  // no port recorded: certain only when all ports agree
  const noPort = decide(a, ['shop/agent'], ['shop/web'], 'TCP', undefined);
  assert.equal(noPort.verdict, 'uncertain');
  assert.match(noPort.reasons[0], /no destination port recorded/);
  assert.equal(decide(a, ['shop/db'], ['shop/agent'], 'TCP', undefined).verdict, 'allowed', 'agent is not isolated: every port allowed');
  // pods of one workload: the engine does not analyse it
  assert.match(decide(a, ['shop/web'], ['shop/web'], 'TCP', 8080).reasons[0], /pods of one workload/);
  // both ends outside
  assert.equal(decide(a, ['0.0.0.0-192.0.1.255'], ['192.0.2.0-192.0.2.255'], 'TCP', 1).verdict, 'uncertain');
});

function rec(src: FlowEnd, dst: FlowEnd, port: number, verdict: 'allowed' | 'denied', side: FlowRecord['side'] = 'src', count = 1): FlowRecord {
  return { format: 'goldmane', src, dst, protocol: 'TCP', port, verdict, side, count, weight: 'connection', policies: [] };
}

const AGENT: FlowEnd = { type: 'workload', namespace: 'shop', prefix: 'agent-' };
const WEB: FlowEnd = { type: 'workload', namespace: 'shop', prefix: 'web-7c9d8f6b5-' };
const DB: FlowEnd = { type: 'workload', namespace: 'shop', podName: 'db-0' };

test('reporter folding: Src and Dst reports of the same connections are not added; either side denying denies', () => {
  const agg = new FlowAggregator();
  agg.add(rec(AGENT, WEB, 8080, 'allowed', 'src', 10), 'f', 1);
  agg.add(rec(AGENT, WEB, 8080, 'allowed', 'dst', 7), 'f', 2);
  agg.add(rec(AGENT, WEB, 8080, 'denied', 'dst', 3), 'f', 3); // egress allowed 10, ingress denied 3 of them
  const r = classifyFlows(agg, world(), { unobserved: false });
  assert.deepEqual(r.flows.map((f) => [f.observed, f.count]), [
    ['allowed', 7],
    ['denied', 3],
  ]);
});

test('impact preview: flows newly blocked / newly allowed by a change, uncertain when the baseline lacks an end', () => {
  const before = world();
  const after = world(`---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: lock-agent, namespace: shop}
spec:
  podSelector: {matchLabels: {app: agent}}
  policyTypes: [Egress]
  egress: [{to: [{podSelector: {matchLabels: {app: db}}}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: new, namespace: shop}
spec: {template: {metadata: {labels: {app: new}}, spec: {containers: [{name: c, image: i}]}}}
`);
  const agg = new FlowAggregator();
  agg.add(rec(AGENT, WEB, 8080, 'allowed'), 'f', 1);
  agg.add(rec(AGENT, DB, 5432, 'allowed'), 'f', 2);
  agg.add(rec(DB, WEB, 8080, 'denied'), 'f', 3);
  agg.add(rec({ type: 'workload', namespace: 'shop', prefix: 'new-5d4c3b2a1-' }, DB, 5432, 'allowed'), 'f', 4);
  const r = classifyFlows(agg, after, { baseline: before, baselineLabel: 'git HEAD', unobserved: false });
  const get = (src: string, dst: string) => r.flows.find((f) => f.src === src && f.dst === dst)!;
  assert.deepEqual([get('shop/agent', 'shop/web').baseline, get('shop/agent', 'shop/web').predicted, get('shop/agent', 'shop/web').change], ['allowed', 'denied', 'newly-blocked']);
  assert.equal(get('shop/agent', 'shop/db').change, null);
  assert.equal(get('shop/db', 'shop/web').change, null);
  const fresh = get('shop/new', 'shop/db');
  assert.equal(fresh.baseline, 'uncertain');
  assert.match(fresh.uncertain![0], /^baseline: not in git HEAD/);
  assert.equal(r.summary.newlyBlocked, 1);
  assert.equal(r.summary.newlyAllowed, 0);
  // Reverse: the change newly allows
  const back = classifyFlows(agg, before, { baseline: after, unobserved: false });
  assert.equal(back.flows.find((f) => f.src === 'shop/agent' && f.dst === 'shop/web')!.change, 'newly-allowed');
});

test('unobserved: allowed pairs on which no flow was seen (least-privilege slack)', () => {
  const a = world();
  const agg = new FlowAggregator();
  agg.add(rec(AGENT, WEB, 8080, 'allowed'), 'f', 1);
  const r = classifyFlows(agg, a);
  assert.ok(!r.unobserved.some((u) => u.src === 'shop/agent' && u.dst === 'shop/web'), 'observed pairs are not slack');
  const slack = r.unobserved.find((u) => u.src === 'shop/agent' && u.dst === 'shop/web-admin');
  assert.deepEqual(slack?.protocols, { TCP: [[9090, 9090]] });
  assert.ok(r.unobserved.some((u) => u.src === '192.0.2.0-192.0.2.255' && u.dst === 'shop/web'));
  // every listed pair is allowed by the engine
  for (const u of r.unobserved) assert.ok(!a.allowedBetween(u.src, u.dst).isEmpty());
  assert.equal(r.summary.unobservedPairs, r.unobserved.length);
});
