// Flow import: the three formats normalised to one shape, mapped to the manifests and classified. Fixtures are
// written from the protos' field names (test/fixtures/flows/README.md): goldmane/proto/api.proto and
// whisker-backend/pkg/apis/v1/flows.go (projectcalico/calico), api/v1/flow/flow.proto (cilium, vendored by
// cilium/hubble).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFiles } from '../../server/src/core/index';
import { classifyFlows, detectFormat, endKey, FlowAggregator, normaliseRecord, type ClassifiedFlow, type FlowReport } from '../../server/src/core/flows/index';
import { collectFiles } from '../../server/src/cli/main';
import { repoRoot } from '../helpers/paths';

const FIX = join(repoRoot(), 'test', 'fixtures', 'flows');
const shop = () => analyzeFiles(collectFiles([join(FIX, 'shop')]).files).analysis;

function classify(...files: string[]): FlowReport {
  const agg = new FlowAggregator();
  for (const f of files) agg.addText(f, readFileSync(join(FIX, f), 'utf8'));
  return classifyFlows(agg, shop());
}

function flow(r: FlowReport, src: string, dst: string, protocol: string, port: number | undefined, observed?: string): ClassifiedFlow {
  const f = r.flows.find((x) => x.src === src && x.dst === dst && x.protocol === protocol && x.port === port && (!observed || x.observed === observed));
  assert.ok(f, `no flow ${src} => ${dst} ${protocol} ${port} in ${JSON.stringify(r.flows.map((x) => `${x.src}>${x.dst}:${x.protocol}/${x.port}`))}`);
  return f;
}

test('format detection per record: Whisker FlowResponse, Goldmane Flow / FlowResult, Hubble GetFlowsResponse / Flow', () => {
  assert.equal(detectFormat({ source_name: 'a-*', dest_name: 'b-*', action: 'Allow', protocol: 'tcp' }), 'whisker');
  assert.equal(detectFormat({ Key: { source_name: 'a' } }), 'goldmane');
  assert.equal(detectFormat({ id: '1', flow: { key: { sourceName: 'a' } } }), 'goldmane');
  assert.equal(detectFormat({ flow: { verdict: 'FORWARDED' } }), 'hubble');
  assert.equal(detectFormat({ verdict: 'DROPPED', IP: { source: '10.0.0.1' } }), 'hubble');
  assert.equal(detectFormat({ node_status: {} }), 'hubble');
  assert.equal(detectFormat({ kind: 'Pod' }), undefined);
  assert.equal(detectFormat('text'), undefined);
});

test('Calico names ([FL] felix endpoint.go): <generateName>* is a prefix, pub/pvt are networks; Whisker labels are " | "-joined', () => {
  const { result } = normaliseRecord({
    start_time: '2026-11-03T10:00:00Z', end_time: '2026-11-03T10:00:15Z', action: 'Deny', source_name: 'web-7d4b9c8f5d-*', source_namespace: 'frontend',
    source_labels: 'app=web | pod-template-hash=7d4b9c8f5d', dest_name: 'PRIVATE NETWORK', dest_namespace: '', dest_labels: '', protocol: 'tcp', dest_port: 5432, reporter: 'Src',
    policies: { enforced: [{ kind: 'EndOfTier', name: '', namespace: '', tier: 'default', action: 'Deny', policy_index: 0, rule_index: -1, trigger: { kind: 'NetworkPolicy', name: 'default-deny', namespace: 'frontend', tier: 'default', action: 'Deny' } }], pending: [] },
  });
  assert.ok('record' in result);
  const r = result.record;
  assert.deepEqual(r.src, { type: 'workload', namespace: 'frontend', prefix: 'web-7d4b9c8f5d-', name: 'web-7d4b9c8f5d-*', labels: { app: 'web', 'pod-template-hash': '7d4b9c8f5d' }, labelsPartial: true });
  assert.deepEqual(r.dst, { type: 'network', network: 'pvt', name: 'PRIVATE NETWORK' });
  assert.equal(r.protocol, 'TCP');
  assert.equal(r.port, 5432);
  assert.equal(r.verdict, 'denied');
  assert.equal(r.side, 'src');
  assert.equal(r.start, Date.parse('2026-11-03T10:00:00Z'));
  assert.equal(r.policies[0].kind, 'EndOfTier');
  assert.equal(r.policies[0].trigger, 'NetworkPolicy frontend/default-deny');
  assert.equal(r.policies[0].ruleIndex, -1);
});

test('Goldmane enums as numbers (Go json) and as names with int64 strings (protojson) normalise alike', () => {
  const go = normaliseRecord({ Key: { source_name: 'a-*', source_namespace: 'n', source_type: 1, dest_name: 'pvt', dest_type: 4, dest_port: 443, proto: 'tcp', reporter: 2, action: 1, policies: { enforced_policies: [{ kind: 6, namespace: 'n', name: 'p', tier: 'default', action: 1 }] } }, start_time: 1793700000, num_connections_started: 4 }).result;
  const pj = normaliseRecord({ key: { sourceName: 'a-*', sourceNamespace: 'n', sourceType: 'WorkloadEndpoint', destName: 'pvt', destType: 'Network', destPort: '443', proto: 'tcp', reporter: 'Dst', action: 'Allow', policies: { enforcedPolicies: [{ kind: 'NetworkPolicy', namespace: 'n', name: 'p', tier: 'default', action: 'Allow' }] } }, startTime: '1793700000', numConnectionsStarted: '4' }).result;
  assert.ok('record' in go && 'record' in pj);
  assert.deepEqual(go.record, { ...pj.record, format: 'goldmane' });
  assert.equal(go.record.count, 4);
  assert.equal(go.record.side, 'dst');
  assert.equal(go.record.policies[0].kind, 'NetworkPolicy');
  // PolicyKind 11 = ClusterNetworkPolicy (Calico 3.32), 10 = EndOfTier
  const k = normaliseRecord({ Key: { source_name: 'a', source_namespace: 'n', source_type: 1, dest_name: 'b', dest_namespace: 'n', dest_type: 1, proto: '6', action: 2, policies: { enforced_policies: [{ kind: 11, name: 'c', tier: 'kube-admin', action: 2 }] } } }).result;
  assert.ok('record' in k);
  assert.equal(k.record.protocol, 'TCP');
  assert.equal(k.record.policies[0].kind, 'ClusterNetworkPolicy');
  assert.deepEqual(k.record.src, { type: 'workload', namespace: 'n', podName: 'a', name: 'a' });
  // Pass is not a final action
  assert.ok('error' in normaliseRecord({ Key: { source_name: 'a', action: 3, proto: 'tcp' } }).result);
});

test('Hubble ([HB] flow.proto): replies folded, L7 skipped, policy vs other drops, AUDIT, reserved identities, k8s: labels', () => {
  const base = { verdict: 'FORWARDED', IP: { source: '10.0.0.1', destination: '10.0.0.2' }, l4: { TCP: { source_port: 1234, destination_port: 80 } }, source: { namespace: 'a', pod_name: 'x-5d8f7c9b4-abcde', labels: ['k8s:app=x', 'k8s:io.kubernetes.pod.namespace=a', 'k8s:io.cilium.k8s.policy.cluster=default'], workloads: [{ name: 'x', kind: 'Deployment' }] }, destination: { identity: 2, labels: ['reserved:world'] }, Type: 'L3_L4', traffic_direction: 'EGRESS', event_type: { type: 5 } };
  const ok = normaliseRecord({ flow: base }).result;
  assert.ok('record' in ok);
  assert.deepEqual(ok.record.src, { type: 'workload', namespace: 'a', podName: 'x-5d8f7c9b4-abcde', workload: { name: 'x', kind: 'Deployment' }, rawLabels: base.source.labels, name: 'x-5d8f7c9b4-abcde' });
  // The aggregation keeps the pod's Kubernetes labels (k8s: prefix removed, Cilium's own labels dropped)
  const agg = new FlowAggregator();
  agg.add(ok.record, 'f', 1);
  assert.deepEqual(agg.ends.get(endKey(ok.record.src)), { type: 'workload', namespace: 'a', podName: 'x-5d8f7c9b4-abcde', workload: { name: 'x', kind: 'Deployment' }, labels: { app: 'x' }, name: 'x-5d8f7c9b4-abcde' });
  assert.deepEqual(ok.record.dst, { type: 'address', address: '10.0.0.2', note: 'reserved:world' });
  assert.equal(ok.record.weight, 'connection');
  assert.equal(ok.record.side, 'src');
  assert.deepEqual(normaliseRecord({ flow: { ...base, is_reply: true } }).result, { skip: 'reply (folded into its request)', silent: true });
  assert.ok('skip' in normaliseRecord({ flow: { ...base, l4: { TCP: { destination_port: 80, flags: { SYN: true, ACK: true } } } } }).result, 'SYN-ACK without is_reply is a reply');
  assert.ok('skip' in normaliseRecord({ flow: { ...base, Type: 'L7' } }).result);
  const policyDrop = normaliseRecord({ flow: { ...base, verdict: 'DROPPED', drop_reason_desc: 'POLICY_DENIED' } }).result;
  assert.ok('record' in policyDrop && policyDrop.record.verdict === 'denied');
  const denyDrop = normaliseRecord({ flow: { ...base, verdict: 2, drop_reason_desc: 181 } }).result; // POLICY_DENY, enums as numbers
  assert.ok('record' in denyDrop && denyDrop.record.verdict === 'denied');
  assert.match((normaliseRecord({ flow: { ...base, verdict: 'DROPPED', drop_reason_desc: 'CT_MAP_INSERTION_FAILED' } }).result as { error: string }).error, /not a policy verdict/);
  const audit = normaliseRecord({ flow: { ...base, verdict: 'AUDIT' } }).result;
  assert.ok('record' in audit && audit.record.verdict === 'denied' && audit.record.audit);
  const host = normaliseRecord({ flow: { ...base, source: { identity: 1, labels: ['reserved:host'] } } }).result;
  assert.ok('record' in host && host.record.src.type === 'host');
  const icmp = normaliseRecord({ flow: { ...base, l4: { ICMPv4: { type: 8, code: 0 } } } }).result;
  assert.ok('record' in icmp && icmp.record.protocol === 'ICMP' && icmp.record.port === 8 * 256);
  assert.deepEqual(normaliseRecord({ node_status: { state_change: 'NODE_CONNECTED' } }).result, { skip: 'node status', silent: true });
});

test('Whisker fixture: both reporters folded, pub uncertain where the address matters, unmappable source reported', () => {
  const r = classify('whisker-flows.json');
  // web -> api reported by Src and Dst: one flow
  const wa = r.flows.filter((f) => f.src === 'frontend/web' && f.dst === 'backend/api');
  assert.equal(wa.length, 1);
  assert.deepEqual([wa[0].observed, wa[0].predicted, wa[0].port, wa[0].count], ['allowed', 'allowed', 8080, 1]);
  assert.equal(wa[0].reported?.length, 2);
  // api -> redis: the destination denied (the named-port mistake of the example), the engine agrees
  const ar = flow(r, 'backend/api', 'data/redis', 'TCP', 6379);
  assert.deepEqual([ar.observed, ar.predicted], ['denied', 'denied']);
  assert.ok(ar.reported?.some((p) => p.kind === 'EndOfTier' && p.trigger === 'NetworkPolicy data/redis'));
  // api -> PUBLIC NETWORK:443: api may reach only 203.0.113.0/24 — without an address the verdict is uncertain
  const pub = flow(r, 'backend/api', 'pub', 'TCP', 443);
  assert.equal(pub.predicted, 'uncertain');
  assert.deepEqual(pub.dstCandidates, ['0.0.0.0-203.0.112.255', '203.0.113.0-203.0.113.255', '203.0.114.0-255.255.255.255']);
  assert.ok(pub.uncertain?.length);
  // PUBLIC NETWORK -> web:8080: web accepts 0.0.0.0/0 on http, so every candidate agrees: certain
  assert.equal(flow(r, 'pub', 'frontend/web', 'TCP', 8080).predicted, 'allowed');
  // the staged policy's verdict is carried as `pending`
  assert.equal(flow(r, 'backend/worker', 'data/postgres', 'TCP', 5432).pending, 'denied');
  assert.deepEqual(r.unmatched.map((u) => [u.line, u.count]), [[11, 1]]);
  assert.match(r.unmatched[0].reason, /^source monitoring\/prometheus-server-6b8f9c7d5-\* matches no workload/);
  assert.deepEqual(r.files[0].formats, ['whisker']);
  assert.equal(r.summary.records, 11);
  assert.equal(r.summary.disagree, 0);
});

test('Goldmane fixture: connection counts, StatefulSet pod names, pvt with a single candidate range, host endpoints, ICMP', () => {
  const r = classify('goldmane-flows.ndjson');
  const wa = flow(r, 'frontend/web', 'backend/api', 'TCP', 8080);
  assert.equal(wa.count, 12, 'num_connections_started, Src and Dst reports folded (not added)');
  // postgres-0 is a StatefulSet pod (no GenerateName): data/postgres
  assert.equal(flow(r, 'backend/worker', 'data/postgres', 'TCP', 5432).predicted, 'allowed');
  // protojson FlowResult line
  assert.equal(flow(r, 'backend/api', 'data/postgres', 'TCP', 5432).count, 5);
  // pvt: all RFC 1918 space is inside one external range of the manifests, so the verdict is certain
  const pvt = flow(r, 'backend/api', '0.0.0.0-203.0.112.255', 'TCP', 5432);
  assert.deepEqual([pvt.observed, pvt.predicted], ['denied', 'denied']);
  // ICMP: Kubernetes NetworkPolicy does not decide it
  const icmp = flow(r, 'frontend/web', 'backend/api', 'ICMP', undefined);
  assert.equal(icmp.predicted, 'uncertain');
  assert.match(icmp.uncertain![0], /outside what Kubernetes NetworkPolicy decides/);
  assert.equal(r.unmatched.length, 1);
  assert.match(r.unmatched[0].reason, /node-1 is a node \/ host endpoint/);
  assert.equal(r.unmatched[0].count, 1);
});

test('Hubble fixture: egress+ingress reports folded, replies dropped, world IPs mapped to ranges, disagreement, audit, unmatched', () => {
  const r = classify('hubble-flows.jsonl');
  const wa = flow(r, 'frontend/web', 'backend/api', 'TCP', 8080, 'allowed');
  assert.equal(wa.count, 1);
  assert.deepEqual(wa.reported?.map((p) => `${p.direction}:${p.namespace}/${p.name}`).sort(), ['egress:frontend/web', 'ingress:backend/api']);
  // allowed at egress, dropped at ingress: denied
  const ar = r.flows.filter((f) => f.src === 'backend/api' && f.dst === 'data/redis');
  assert.deepEqual(ar.map((f) => f.observed), ['denied']);
  // a world address maps to the external range holding it
  assert.equal(flow(r, 'backend/api', '203.0.113.0-203.0.113.255', 'TCP', 443).predicted, 'allowed');
  // forwarded in the cluster, denied by the manifests: a disagreement (a policy missing from the repository?)
  const dis = flow(r, 'backend/worker', '0.0.0.0-203.0.112.255', 'TCP', 443);
  assert.deepEqual([dis.observed, dis.predicted, dis.disagreement], ['allowed', 'denied', true]);
  assert.equal(r.summary.disagree, 1);
  // AUDIT: policy would deny, the traffic passed
  const audit = flow(r, 'backend/worker', 'backend/api', 'TCP', 8080);
  assert.deepEqual([audit.observed, audit.audit, audit.predicted], ['denied', true, 'denied']);
  // ICMP echo request (type 8): type*256+code
  assert.equal(flow(r, 'frontend/web', 'backend/api', 'ICMP', 2048).predicted, 'uncertain');
  const reasons = r.unmatched.map((u) => `${u.line}:${u.reason}`);
  assert.equal(reasons.length, 4);
  assert.match(reasons[0], /^12:source reserved:host is a node \/ host endpoint/);
  assert.match(reasons[1], /^13:dropped for a reason other than policy \(CT_MAP_INSERTION_FAILED\)/);
  assert.match(reasons[2], /^16:destination 2001:db8::10: no external endpoint covers this IPv6 address/);
  assert.match(reasons[3], /^17:source monitoring\/prometheus-server matches no workload/);
  assert.deepEqual(r.files[0].skipped, { 'reply (folded into its request)': 2, 'L7 record (its L3/L4 record is used)': 1, 'node status': 1 });
});

test('all three files at once: one report, same flows merged across formats', () => {
  const r = classify('whisker-flows.json', 'goldmane-flows.ndjson', 'hubble-flows.jsonl');
  const wa = flow(r, 'frontend/web', 'backend/api', 'TCP', 8080, 'allowed');
  assert.deepEqual(wa.formats, ['whisker', 'goldmane', 'hubble']);
  assert.equal(r.files.length, 3);
  assert.equal(r.summary.records, 11 + 9 + 19);
});
