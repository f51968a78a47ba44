// Least-privilege recommendations from observed flows: the generated policy per dialect, its verification, and the
// round trip recommend → re-analyse → compare as a property over random worlds, checked by an oracle that samples
// concrete addresses instead of reusing the recommender's own comparison.
// Sources: Kubernetes NetworkPolicy API reference (policyTypes, from/to peers, namespaceSelector + podSelector,
// ipBlock except, ports); Calico reference resources/networkpolicy and stagednetworkpolicy (selector, types, Allow
// rules, nets / notNets, namespaceSelector projectcalico.org/name); network-policy-api
// apis/v1alpha2/clusternetworkpolicy_types.go (tier, priority 0–1000, subject.pods, Accept/Deny, pods / namespaces /
// networks peers, protocols tcp/udp/sctp destinationPort number|range, max 25 rules and peers, no implicit isolation).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFiles, ConnSet, type Analysis, type InputFile } from '../../server/src/core/index';
import { collectFiles } from '../../server/src/cli/main';
import { repoRoot } from '../helpers/paths';
import { EndpointResolver, FlowAggregator, type FlowEnd, type FlowRecord } from '../../server/src/core/flows/index';
import { chooseSelector, engineEvaluatesCnp, rangeToCidrs, recommendPolicies } from '../../server/src/core/flows/recommend';

function rec(src: FlowEnd, dst: FlowEnd, port: number, verdict: 'allowed' | 'denied' = 'allowed', protocol = 'TCP'): FlowRecord {
  return { format: 'hubble', src, dst, protocol, port, verdict, side: 'src', count: 1, weight: 'connection', policies: [] };
}
const pod = (ns: string, name: string): FlowEnd => ({ type: 'workload', namespace: ns, workload: { name, kind: 'Deployment' } });
const ip = (address: string): FlowEnd => ({ type: 'address', address });

const OPEN = `
apiVersion: v1
kind: Namespace
metadata: {name: a}
---
apiVersion: v1
kind: Namespace
metadata: {name: b}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: a}
spec: {template: {metadata: {labels: {app.kubernetes.io/name: web, app.kubernetes.io/version: "1.2", tier: front}}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: b}
spec: {template: {metadata: {labels: {app: api, tier: back}}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: batch, namespace: b}
spec: {template: {metadata: {labels: {app: batch, tier: back}}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: coredns, namespace: kube-system}
spec: {template: {metadata: {labels: {k8s-app: kube-dns}}}}
`;

function openAgg(): FlowAggregator {
  const agg = new FlowAggregator();
  agg.add(rec(pod('a', 'web'), pod('b', 'api'), 8080), 'f', 1);
  agg.add(rec(pod('b', 'api'), ip('203.0.113.9'), 443), 'f', 2);
  agg.add(rec(pod('b', 'api'), ip('203.0.113.10'), 443), 'f', 3);
  agg.add(rec(pod('a', 'web'), pod('kube-system', 'coredns'), 53, 'allowed', 'UDP'), 'f', 4);
  agg.add(rec(pod('b', 'batch'), pod('b', 'api'), 8080, 'denied'), 'f', 5);
  return agg;
}

const files: InputFile[] = [{ path: 'open.yaml', text: OPEN }];

test('selectors: stable labels first (app.kubernetes.io/*), never the version; extended until they tell workloads apart', () => {
  const { analysis } = analyzeFiles(files);
  const w = (id: string) => analysis.workloads[analysis.workloadIndex(id)!];
  const ns = (n: string) => analysis.workloads.filter((x) => x.namespace === n);
  assert.deepEqual(chooseSelector(w('a/web'), ns('a')), { labels: { 'app.kubernetes.io/name': 'web' }, extra: [] });
  assert.deepEqual(chooseSelector(w('b/api'), ns('b')).labels, { app: 'api' }, 'tier=back would also select batch');
  const twins = analyzeFiles([{ path: 't.yaml', text: 'apiVersion: v1\nkind: Pod\nmetadata: {name: x, namespace: n, labels: {app: same}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: y, namespace: n, labels: {app: same}}\n' }]).analysis;
  const sel = chooseSelector(twins.workloads[0], twins.workloads);
  assert.deepEqual(sel.extra.map((x) => x.id), ['n/y'], 'identical labels cannot be told apart: reported');
});

test('exact CIDR cover of address ranges', () => {
  assert.deepEqual(rangeToCidrs(4, 0xcb00710an - 1n, 0xcb00710an), ['203.0.113.9/32', '203.0.113.10/32']);
  assert.deepEqual(rangeToCidrs(4, 0n, 0xffffffffn), ['0.0.0.0/0']);
  assert.deepEqual(rangeToCidrs(4, 0x0a000000n, 0x0affffffn), ['10.0.0.0/8']);
  assert.deepEqual(rangeToCidrs(6, 0n, 1n), ['::/127']);
});

test('kubernetes dialect: one isolating policy per observed workload, observed peers and ports, DNS kept, verified', () => {
  const r = recommendPolicies(openAgg(), files);
  assert.equal(r.dialect, 'kubernetes');
  assert.deepEqual(r.workloads, ['a/web', 'b/api', 'b/batch'], 'kube-dns is left as it is; batch was seen (denied) so it is isolated too');
  const docs = parseAllDocuments(r.yaml).map((d) => d.toJS());
  const api = docs.find((d) => d.metadata.name === 'api-least-privilege');
  assert.deepEqual(api.spec.podSelector, { matchLabels: { app: 'api' } });
  assert.deepEqual(api.spec.policyTypes, ['Ingress', 'Egress']);
  assert.deepEqual(api.spec.ingress, [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'a' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'web' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }]);
  assert.deepEqual(api.spec.egress[0], { to: [{ ipBlock: { cidr: '203.0.113.9/32' } }, { ipBlock: { cidr: '203.0.113.10/32' } }], ports: [{ protocol: 'TCP', port: 443 }] });
  assert.deepEqual(api.spec.egress[1].ports, [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]);
  const web = docs.find((d) => d.metadata.name === 'web-least-privilege');
  assert.deepEqual(web.spec.ingress, [], 'no ingress observed: isolated, nothing allowed');
  assert.equal(web.spec.egress.length, 2, 'web -> api, and the kept DNS rule (the observed DNS flow is the same rule)');
  const batch = docs.find((d) => d.metadata.name === 'batch-least-privilege');
  assert.deepEqual([batch.spec.ingress, batch.spec.egress.length], [[], 1], 'denied flows are not allowed');
  assert.equal(r.verification.status, 'verified', JSON.stringify(r.verification));
  assert.equal(r.verification.checkedFlows, 4, 'web->api, api->203.0.113.9, api->203.0.113.10, web->kube-dns');
  assert.ok(r.diff.removed.some((p) => p.src === 'b/batch' && p.dst === 'b/api'), 'the slack batch -> api is removed');
  assert.ok(r.diff.removed.some((p) => p.src === 'a/web' && p.dst === '0.0.0.0-203.0.113.8'));
});

test('calico dialect and staged: selectors, nets, per-protocol Allow rules; staged is verified as the same policy enforced', () => {
  const r = recommendPolicies(openAgg(), files, { dialect: 'calico' });
  const docs = parseAllDocuments(r.yaml).map((d) => d.toJS());
  const api = docs.find((d) => d.metadata.name === 'api-least-privilege');
  assert.equal(api.apiVersion, 'projectcalico.org/v3');
  assert.equal(api.kind, 'NetworkPolicy');
  assert.equal(api.spec.selector, "app == 'api'");
  assert.deepEqual(api.spec.types, ['Ingress', 'Egress']);
  assert.deepEqual(api.spec.ingress, [{ action: 'Allow', protocol: 'TCP', source: { namespaceSelector: "projectcalico.org/name == 'a'", selector: "app.kubernetes.io/name == 'web'" }, destination: { ports: [8080] } }]);
  assert.deepEqual(api.spec.egress[0], { action: 'Allow', protocol: 'TCP', destination: { nets: ['203.0.113.9/32', '203.0.113.10/32'], ports: [443] } });
  assert.equal(r.verification.status, 'verified', JSON.stringify(r.verification));
  const staged = recommendPolicies(openAgg(), files, { staged: true });
  assert.equal(staged.dialect, 'calico');
  assert.ok(parseAllDocuments(staged.yaml).every((d) => d.toJS().kind === 'StagedNetworkPolicy'));
  assert.equal(staged.verification.status, 'verified');
  // The staged file changes nothing enforced
  const withStaged = analyzeFiles([...files, { path: 'rec.yaml', text: staged.yaml }]).analysis;
  assert.ok(withStaged.allowedBetween('b/batch', 'b/api').has('TCP', 8080));
  assert.ok(analyzeFiles([...files, { path: 'rec.yaml', text: staged.yaml }]).cluster.diagnostics.filter((d) => d.severity === 'error').length === 0);
});

test('cnp dialect: Baseline ClusterNetworkPolicy per the v1alpha2 API, explicit Deny last; verified only if the engine evaluates CNP', () => {
  const r = recommendPolicies(openAgg(), files, { dialect: 'cnp' });
  const docs = parseAllDocuments(r.yaml).map((d) => d.toJS());
  const api = docs.find((d) => d.metadata.name === 'b-api-least-privilege');
  assert.equal(api.apiVersion, 'policy.networking.k8s.io/v1alpha2');
  assert.equal(api.kind, 'ClusterNetworkPolicy');
  assert.equal(api.metadata.namespace, undefined, 'cluster-scoped');
  assert.equal(api.spec.tier, 'Baseline');
  assert.ok(api.spec.priority >= 0 && api.spec.priority <= 1000);
  assert.deepEqual(api.spec.subject, { pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'b' } }, podSelector: { matchLabels: { app: 'api' } } } });
  assert.deepEqual(api.spec.ingress[0], { name: 'accept-1', action: 'Accept', from: [{ pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'a' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'web' } } } }], protocols: [{ tcp: { destinationPort: { number: 8080 } } }] });
  assert.deepEqual(api.spec.ingress.at(-1), { name: 'deny-other-pods', action: 'Deny', from: [{ namespaces: {} }] });
  assert.deepEqual(api.spec.egress[0].protocols, [{ udp: { destinationPort: { number: 53 } } }, { tcp: { destinationPort: { number: 53 } } }]);
  assert.deepEqual(api.spec.egress[1], { name: 'accept-1', action: 'Accept', to: [{ networks: ['203.0.113.9/32', '203.0.113.10/32'] }], protocols: [{ tcp: { destinationPort: { number: 443 } } }] });
  assert.deepEqual(api.spec.egress.at(-1), { name: 'deny-other', action: 'Deny', to: [{ namespaces: {} }, { networks: ['0.0.0.0/0', '::/0'] }] });
  for (const d of docs) {
    for (const dir of ['ingress', 'egress']) {
      const rules = d.spec[dir] ?? [];
      assert.ok(rules.length <= 25);
      for (const rule of rules) {
        assert.ok(['Accept', 'Deny', 'Pass'].includes(rule.action));
        assert.ok((rule.from ?? rule.to).length >= 1 && (rule.from ?? rule.to).length <= 25);
        for (const p of rule.from ?? rule.to) assert.equal(Object.keys(p).length, 1, 'a peer sets exactly one field');
        if (dir === 'ingress') for (const p of rule.from) assert.ok(!('networks' in p), 'ingress peers cannot be networks');
      }
    }
  }
  if (engineEvaluatesCnp()) assert.equal(r.verification.status, 'verified', JSON.stringify(r.verification));
  else {
    assert.equal(r.verification.status, 'not-verified');
    assert.match(r.verification.reason!, /does not evaluate ClusterNetworkPolicy/);
  }
  // With support forced off, never a claim of verification
  assert.equal(recommendPolicies(openAgg(), files, { dialect: 'cnp', cnpSupported: false }).verification.status, 'not-verified');
});

test('cnp tiers on manifests with NetworkPolicies: Baseline cannot open what they deny (said), Admin decides before them (verified)', { skip: !engineEvaluatesCnp() && 'the engine does not evaluate ClusterNetworkPolicy' }, () => {
  const shop = collectFiles([join(repoRoot(), 'test', 'fixtures', 'flows', 'shop')]).files;
  const agg = new FlowAggregator();
  agg.addText('hubble', readFileSync(join(repoRoot(), 'test', 'fixtures', 'flows', 'hubble-flows.jsonl'), 'utf8'));
  const base = recommendPolicies(agg, shop, { dialect: 'cnp' });
  assert.equal(base.verification.status, 'violations');
  // worker -> 198.51.100.7:443 was forwarded in the cluster; the shop's NetworkPolicy for worker denies it
  const w = base.verification.missing.find((m) => m.src === 'backend/worker' && m.port === 443)!;
  assert.match(w.why!, /decides before the Baseline tier/);
  assert.deepEqual(base.verification.widened, []);
  const admin = recommendPolicies(agg, shop, { dialect: 'cnp', cnpTier: 'Admin' });
  assert.ok(parseAllDocuments(admin.yaml).every((d) => d.toJS().spec.tier === 'Admin'));
  assert.equal(admin.verification.status, 'verified', JSON.stringify(admin.verification));
  assert.ok(admin.diff.removed.length > 0 || admin.diff.added.length > 0);
});

test('what cannot be written is left out and said: ICMP in Kubernetes NetworkPolicy, both ends outside', () => {
  const agg = openAgg();
  agg.add(rec(pod('a', 'web'), pod('b', 'api'), 8 * 256, 'allowed', 'ICMP'), 'f', 9);
  agg.add(rec(ip('198.51.100.1'), ip('198.51.100.2'), 80), 'f', 10);
  const r = recommendPolicies(agg, files);
  assert.deepEqual(r.skipped.map((s) => s.reason.slice(0, 30)), ['ICMP cannot be written in Kube', 'both ends are outside the clus']);
  const c = recommendPolicies(agg, files, { dialect: 'calico' });
  const api = parseAllDocuments(c.yaml).map((d) => d.toJS()).find((d) => d.metadata.name === 'api-least-privilege');
  assert.ok(api.spec.ingress.some((x: { protocol: string; icmp?: unknown }) => x.protocol === 'ICMP' && JSON.stringify(x.icmp) === '{"type":8,"code":0}'));
  assert.equal(c.verification.status, 'verified', JSON.stringify(c.verification));
});

// ---------------------------------------------------------------- property: recommend → re-analyse → compare

interface World {
  text: string;
  workloads: { ns: string; name: string }[];
}

const NS = ['n0', 'n1'];
const PORTS = [80, 443, 5432, 8080];
const IPS = ['10.1.2.3', '192.0.2.7', '192.0.2.8', '8.8.8.8', '203.0.113.50'];
const SAMPLE_IPS = [...IPS, '10.9.9.9', '192.0.2.200', '172.16.0.1', '1.1.1.1', '255.255.255.255', '0.0.0.0'];

const worldArb = (distinct: boolean) =>
  fc
    .record({
      wls: fc.array(fc.record({ ns: fc.constantFrom(...NS), tier: fc.constantFrom('t0', 't1'), port: fc.constantFrom(...PORTS), named: fc.boolean() }), { minLength: 2, maxLength: 5 }),
      pols: fc.array(
        fc.record({
          ns: fc.constantFrom(...NS),
          sel: fc.oneof(fc.constant(''), fc.constantFrom('t0', 't1').map((t) => `tier: ${t}`), fc.nat(4).map((i) => `app: w${i}`)),
          types: fc.constantFrom('[Ingress]', '[Egress]', '[Ingress, Egress]'),
          peer: fc.oneof(fc.constant('{}'), fc.constantFrom('t0', 't1').map((t) => `{podSelector: {matchLabels: {tier: ${t}}}}`), fc.constant('{namespaceSelector: {}}'), fc.constantFrom('192.0.2.0/24', '10.0.0.0/8').map((c) => `{ipBlock: {cidr: ${c}}}`)),
          port: fc.option(fc.constantFrom(...PORTS), { nil: undefined }),
        }),
        { maxLength: 3 },
      ),
      dns: fc.boolean(),
      twins: fc.boolean(),
    })
    .map(({ wls, pols, dns, twins }): World => {
      const docs: string[] = NS.map((n) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${n}, labels: {env: ${n === 'n0' ? 'dev' : 'prod'}}}`);
      const workloads: World['workloads'] = [];
      wls.forEach((w, i) => {
        // distinct: a unique app label per workload; otherwise two may share all labels
        const app = distinct || !twins ? `w${i}` : `w${Math.min(i, 1)}`;
        const port = w.named ? `{name: web, containerPort: ${w.port}}` : `{containerPort: ${w.port}}`;
        docs.push(`apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w${i}, namespace: ${w.ns}}\nspec: {template: {metadata: {labels: {app: ${app}, tier: ${w.tier}}}, spec: {containers: [{name: c, image: i, ports: [${port}]}]}}}`);
        workloads.push({ ns: w.ns, name: `w${i}` });
      });
      if (dns) {
        docs.push('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: coredns, namespace: kube-system}\nspec: {template: {metadata: {labels: {k8s-app: kube-dns}}}}');
        workloads.push({ ns: 'kube-system', name: 'coredns' });
      }
      pols.forEach((p, i) => {
        const dir = p.types.includes('Ingress') ? 'ingress' : 'egress';
        const peerKey = dir === 'ingress' ? 'from' : 'to';
        const ports = p.port ? `, ports: [{port: ${p.port}}]` : '';
        docs.push(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p${i}, namespace: ${p.ns}}\nspec:\n  podSelector: {${p.sel ? `matchLabels: {${p.sel}}` : ''}}\n  policyTypes: ${p.types}\n  ${dir}: [{${peerKey}: [${p.peer}]${ports}}]`);
      });
      return { text: docs.join('\n---\n'), workloads };
    });

const flowArb = (n: number) =>
  fc.record({
    src: fc.oneof(fc.nat(n - 1).map((i) => ({ w: i })), fc.constantFrom(...IPS).map((a) => ({ ip: a }))),
    dst: fc.oneof(fc.nat(n - 1).map((i) => ({ w: i })), fc.constantFrom(...IPS).map((a) => ({ ip: a }))),
    port: fc.constantFrom(...PORTS, 53),
    protocol: fc.constantFrom('TCP', 'TCP', 'UDP'),
    verdict: fc.constantFrom<'allowed' | 'denied'>('allowed', 'allowed', 'denied'),
  });

/** Oracle: (a) observed allowed flows allowed after; (b) nothing else newly allowed — sampled on concrete addresses. */
function oracle(world: World, flows: FlowRecord[], yaml: string): string[] {
  const problems: string[] = [];
  const before = analyzeFiles([{ path: 'w.yaml', text: world.text }]).analysis;
  const after = analyzeFiles([{ path: 'w.yaml', text: world.text }, { path: 'r.yaml', text: yaml }]).analysis;
  const errors = analyzeFiles([{ path: 'r.yaml', text: yaml }]).cluster.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) problems.push(`generated YAML has errors: ${errors.map((d) => d.message).join('; ')}`);
  const idOf = (a: Analysis, e: FlowEnd) => {
    const r = new EndpointResolver(a).resolve(JSON.stringify(e), e);
    return r.problem ? undefined : r.ids[0];
  };
  const ends = [...world.workloads.map((w) => ({ id: `${w.ns}/${w.name}`, end: pod(w.ns, w.name) })), ...SAMPLE_IPS.map((a) => ({ id: a, end: ip(a) }))];
  const observed = new Map<string, ConnSet>();
  const keyOf = (s: FlowEnd, d: FlowEnd) => `${JSON.stringify(s)}>${JSON.stringify(d)}`;
  for (const f of flows) {
    if (f.verdict !== 'allowed') continue;
    const k = keyOf(f.src, f.dst);
    observed.set(k, (observed.get(k) ?? ConnSet.EMPTY).union(ConnSet.of(f.protocol, f.port!, f.port!)));
    if (f.src.type === 'address' && f.dst.type === 'address') continue;
    const s = idOf(after, f.src);
    const d = idOf(after, f.dst);
    if (!s || !d || s === d) continue;
    if (!after.allowedBetween(s, d).has(f.protocol, f.port!)) problems.push(`(a) ${s} -> ${d} ${f.protocol} ${f.port} observed allowed, not allowed after`);
  }
  const dns = ConnSet.of('UDP', 53, 53).union(ConnSet.of('TCP', 53, 53));
  for (const s of ends) {
    for (const d of ends) {
      if (s.id === d.id || (s.end.type === 'address' && d.end.type === 'address')) continue;
      const sa = idOf(after, s.end);
      const da = idOf(after, d.end);
      const sb = idOf(before, s.end);
      const db = idOf(before, d.end);
      if (!sa || !da || !sb || !db || sa === da) continue;
      let extra = after.allowedBetween(sa, da).intersect(ConnSet.ALL).subtract(before.allowedBetween(sb, db).intersect(ConnSet.ALL));
      extra = extra.subtract(observed.get(keyOf(s.end, d.end)) ?? ConnSet.EMPTY);
      if (d.id === 'kube-system/coredns') extra = extra.subtract(dns);
      if (!extra.isEmpty()) problems.push(`(b) ${s.id} -> ${d.id} newly allowed: ${extra}`);
    }
  }
  return problems;
}

function flowsFor(world: World, raw: { src: { w?: number; ip?: string }; dst: { w?: number; ip?: string }; port: number; protocol: string; verdict: 'allowed' | 'denied' }[]): FlowRecord[] {
  const end = (x: { w?: number; ip?: string }): FlowEnd => (x.ip !== undefined ? ip(x.ip) : pod(world.workloads[x.w!].ns, world.workloads[x.w!].name));
  return raw.map((f) => rec(end(f.src), end(f.dst), f.port, f.verdict, f.protocol));
}

for (const dialect of ['kubernetes', 'calico'] as const) {
  test(`property (${dialect}): on random worlds with distinguishable workloads, the recommendation verifies and the oracle agrees`, () => {
    fc.assert(
      fc.property(
        worldArb(true).chain((w) => fc.tuple(fc.constant(w), fc.array(flowArb(w.workloads.length), { minLength: 1, maxLength: 8 }))),
        ([world, raw]) => {
          const flows = flowsFor(world, raw);
          const agg = new FlowAggregator();
          flows.forEach((f, i) => agg.add(f, 'flows', i + 1));
          const r = recommendPolicies(agg, [{ path: 'w.yaml', text: world.text }], { dialect });
          const problems = oracle(world, flows, r.yaml);
          assert.deepEqual(problems, [], `${world.text}\n--- flows\n${JSON.stringify(raw)}\n--- recommendation\n${r.yaml}`);
          assert.equal(r.verification.status, 'verified', JSON.stringify(r.verification));
          assert.deepEqual(r.verification.missing, []);
        },
      ),
      { numRuns: Number(process.env.FLOWS_PROPERTY_RUNS ?? (dialect === 'kubernetes' ? 60 : 30)) },
    );
  });
}

for (const cnpTier of ['Baseline', 'Admin'] as const) {
  test(`property (cnp, ${cnpTier}): the verification holds exactly when the oracle finds nothing`, { skip: !engineEvaluatesCnp() && 'the engine does not evaluate ClusterNetworkPolicy' }, () => {
    fc.assert(
      fc.property(
        worldArb(true).chain((w) => fc.tuple(fc.constant(w), fc.array(flowArb(w.workloads.length), { minLength: 1, maxLength: 8 }))),
        ([world, raw]) => {
          const flows = flowsFor(world, raw);
          const agg = new FlowAggregator();
          flows.forEach((f, i) => agg.add(f, 'flows', i + 1));
          const r = recommendPolicies(agg, [{ path: 'w.yaml', text: world.text }], { dialect: 'cnp', cnpTier });
          const problems = oracle(world, flows, r.yaml);
          assert.equal(r.verification.status === 'verified', problems.length === 0, `${JSON.stringify(r.verification)}\n${problems.join('\n')}\n${world.text}\n--- flows\n${JSON.stringify(raw)}\n${r.yaml}`);
          // Admin decides before NetworkPolicies: only what CNP cannot name (ingress from outside) can stay blocked
          if (cnpTier === 'Admin') for (const m of r.verification.missing) assert.match(m.src, /^\d/, JSON.stringify(m));
        },
      ),
      { numRuns: Number(process.env.FLOWS_PROPERTY_RUNS ?? 30) },
    );
  });
}

test('property: when workloads cannot be told apart by labels, the verification says so exactly when the oracle finds widening', () => {
  fc.assert(
    fc.property(
      worldArb(false).chain((w) => fc.tuple(fc.constant(w), fc.array(flowArb(w.workloads.length), { minLength: 1, maxLength: 8 }))),
      ([world, raw]) => {
        const flows = flowsFor(world, raw);
        const agg = new FlowAggregator();
        flows.forEach((f, i) => agg.add(f, 'flows', i + 1));
        const r = recommendPolicies(agg, [{ path: 'w.yaml', text: world.text }]);
        const problems = oracle(world, flows, r.yaml);
        assert.equal(r.verification.status === 'verified', problems.length === 0, `${JSON.stringify(r.verification)}\n${problems.join('\n')}\n${world.text}\n${r.yaml}`);
      },
    ),
    { numRuns: Number(process.env.FLOWS_PROPERTY_RUNS ?? 60) },
  );
});
