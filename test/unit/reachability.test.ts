// Tests of the language server's reachability service (server/src/reachability.ts): last-good state for broken
// YAML, saved / git HEAD baselines, version bumps, debounced notifications and the LSP request handlers.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import type { Connection as LspConnection } from 'vscode-languageserver';
import { ReachabilityModel, registerReachability, toFsPath, type SourceFile } from '../../server/src/reachability';
import { EXPLAIN_REQUEST, REACHABILITY_CHANGED_NOTIFICATION, REACHABILITY_REQUEST } from '../../server/src/protocol';
import type { ReachabilityResponse } from '../../server/src/protocol';
import { ConnSet, type ProtocolPorts } from '../../server/src/core/index';
import { repoRoot } from '../helpers/paths';

const workloads = `apiVersion: v1
kind: Pod
metadata: {name: client, namespace: app, labels: {role: client}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: app, labels: {role: db}}
spec: {containers: [{name: c, image: x, ports: [{name: sql, containerPort: 5432}]}]}
`;

// https://kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation :
// a pod selected by an Ingress policy only accepts what some rule allows.
const policy = (port: number | string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: app}
spec:
  podSelector: {matchLabels: {role: db}}
  policyTypes: [Ingress]
  ingress:
    - from: [{podSelector: {matchLabels: {role: client}}}]
      ports: [{protocol: TCP, port: ${typeof port === 'number' ? port : JSON.stringify(port)}}]
`;

const brokenPolicy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: app
spec:
  podSelector: [
`;

type Conn = { src: string; dst: string; protocols: ProtocolPorts };

/** The compact payload expanded to endpoint pairs (what the panel shows cell by cell). */
function expand(r: ReachabilityResponse, list: [number, number, number][], groups: number[][]): Conn[] {
  const m = new Map<string, Conn & { set: ConnSet }>();
  for (const [x, y, k] of list) {
    for (const s of groups[x]) for (const d of groups[y]) {
      if (s === d) continue;
      const src = r.data.endpoints[s].id;
      const dst = r.data.endpoints[d].id;
      const prev = m.get(`${src}>${dst}`);
      const set = (prev?.set ?? ConnSet.EMPTY).union(ConnSet.fromProtocolPorts(r.data.conns[k]));
      m.set(`${src}>${dst}`, { src, dst, protocols: set.toJSON(), set });
    }
  }
  return [...m.values()].map(({ src, dst, protocols }) => ({ src, dst, protocols })).sort((a, b) => (a.src + a.dst < b.src + b.dst ? -1 : 1));
}
const conns = (r: ReachabilityResponse) => expand(r, r.data.cells, r.data.classes.map((c) => c.members));
const diffOf = (r: ReachabilityResponse) => r.data.diff && { added: expand(r, r.data.diff.added, r.data.diff.groups), removed: expand(r, r.data.diff.removed, r.data.diff.groups) };

function find(r: ReachabilityResponse, src: string, dst: string) {
  return conns(r).find((c) => c.src === src && c.dst === dst);
}

describe('ReachabilityModel', () => {
  it('analyses the current files and bumps the version only when some content changed', async () => {
    let files: SourceFile[] = [
      { path: '/w/pods.yaml', text: workloads },
      { path: '/w/np.yaml', text: policy(5432) },
    ];
    const m = new ReachabilityModel(() => files);
    const a = await m.compute();
    assert.equal(a.stale, false);
    assert.deepEqual(a.staleFiles, []);
    assert.equal(a.data.diff, undefined, 'no diff without compare');
    assert.deepEqual(find(a, 'app/client', 'app/db')?.protocols, { TCP: [[5432, 5432]] });
    // db is isolated for ingress, client is not selected by any policy (egress not isolated): db -> client open.
    assert.ok(find(a, 'app/db', 'app/client'));
    const again = await m.compute();
    assert.equal(again.version, a.version, 'same content, same version');
    files = [files[0], { path: '/w/np.yaml', text: policy(6000) }];
    const b = await m.compute();
    assert.ok(b.version > a.version);
    assert.deepEqual(find(b, 'app/client', 'app/db')?.protocols, { TCP: [[6000, 6000]] });
  });

  it('keeps the last good state of a file whose YAML is broken and reports it as stale', async () => {
    let files: SourceFile[] = [
      { path: '/w/pods.yaml', text: workloads },
      { path: '/w/np.yaml', text: policy(5432) },
    ];
    const m = new ReachabilityModel(() => files);
    const good = await m.compute();
    files = [files[0], { path: '/w/np.yaml', text: brokenPolicy }];
    const stale = await m.compute();
    assert.equal(stale.stale, true);
    assert.deepEqual(stale.staleFiles, ['/w/np.yaml']);
    assert.deepEqual(conns(stale), conns(good), 'last good state is analysed');
    // Recovering with new content uses the new content.
    files = [files[0], { path: '/w/np.yaml', text: policy(7000) }];
    const fixed = await m.compute();
    assert.equal(fixed.stale, false);
    assert.deepEqual(find(fixed, 'app/client', 'app/db')?.protocols, { TCP: [[7000, 7000]] });
  });

  it('drops a broken file that never parsed (nothing to fall back to) but still says it is stale', async () => {
    const files: SourceFile[] = [
      { path: '/w/pods.yaml', text: workloads },
      { path: '/w/np.yaml', text: brokenPolicy },
    ];
    const r = await new ReachabilityModel(() => files).compute();
    assert.equal(r.stale, true);
    // Without the policy nothing is isolated: every pair of pods is allowed (Kubernetes default: non-isolated).
    assert.ok(find(r, 'app/client', 'app/db'));
    assert.ok(find(r, 'app/db', 'app/client'));
  });

  it('what-if compare applies Calico staged policies and diffs against the enforced state', async () => {
    // https://docs.tigera.io/calico/latest/network-policy/staged-network-policies : staged policies are never
    // enforced; Policy Lens previews them as a what-if.
    const staged = `apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata: {name: lock-client, namespace: app}
spec:
  selector: role == 'client'
  types: [Ingress]
  ingress: [{action: Deny}]
`;
    const files: SourceFile[] = [
      { path: '/w/pods.yaml', text: workloads },
      { path: '/w/staged.yaml', text: staged },
    ];
    const m = new ReachabilityModel(() => files);
    const enforced = await m.compute();
    assert.ok(find(enforced, 'app/db', 'app/client'), 'staged policy not enforced');
    assert.equal(enforced.data.diff, undefined);
    const whatIf = await m.compute({ compare: 'staged' });
    assert.equal(find(whatIf, 'app/db', 'app/client'), undefined, 'what-if applies the staged deny');
    assert.deepEqual(diffOf(whatIf)?.added, []);
    // Everything that could reach client before is blocked: db and every external address.
    assert.deepEqual(diffOf(whatIf)?.removed.map((c) => [c.src, c.dst]).filter(([, d]) => d === 'app/client').sort(), [['0.0.0.0-255.255.255.255', 'app/client'], ['app/db', 'app/client']]);
    assert.match(m.explain({ src: 'app/db', dst: 'app/client', staged: true }).summary, /^Denied by the ingress side of app\/client/);
    assert.match(m.explain({ src: 'app/db', dst: 'app/client' }).summary, /^Allowed/);
  });

  it('compares with another CNI (portability): the diff is what changes on that CNI, with the reasons', async () => {
    const cnp = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: db, namespace: app}
spec:
  endpointSelector: {matchLabels: {role: db}}
  ingress:
  - fromEndpoints: [{matchLabels: {role: client}}]
    toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
`;
    const files: SourceFile[] = [
      { path: '/w/pods.yaml', text: workloads },
      { path: '/w/cnp.yaml', text: cnp },
    ];
    const m = new ReachabilityModel(() => files);
    const r = await m.compute({ compare: 'cni', cni: 'calico' });
    assert.equal(r.compare, 'cni');
    assert.deepEqual(r.cni?.cni, 'cilium');
    assert.match(r.data.evaluatedAs, /^Cilium \(detected: CiliumNetworkPolicy app\/db\)/);
    // On Calico the CiliumNetworkPolicy is ignored: client -> db loses nothing and gains everything but TCP 5432.
    const d = diffOf(r)!;
    assert.deepEqual(d.added, []);
    assert.ok(d.removed.some((c) => c.src === 'app/client' && c.dst === 'app/db' && ConnSet.fromProtocolPorts(c.protocols).has('ICMP', 2048) && !ConnSet.fromProtocolPorts(c.protocols).has('TCP', 5432)));
    const flow = r.portability!.flows.find((f) => f.src === 'app/client' && f.dst === 'app/db')!;
    assert.deepEqual(flow.words, { calico: 'all traffic, ICMP included', cilium: 'TCP 5432' });
    assert.match(flow.reasons[0].text, /CiliumNetworkPolicy app\/db puts app\/db in default-deny for ingress under Cilium/);
  });

  it('the Calico example: "What-if: staged policies" blocks backend/worker -> backend/api metrics, Prometheus keeps them', async () => {
    // examples/calico/policies.yaml: the staged api-metrics policy (order 50, before the api policy) allows metrics
    // only from monitoring/prometheus and denies them otherwise; enforced today, every internal workload may scrape.
    const { readFileSync } = await import('node:fs');
    const root = join(repoRoot(), 'examples', 'calico');
    const files: SourceFile[] = ['workloads.yaml', 'policies.yaml'].map((f) => ({ path: join(root, f), text: readFileSync(join(root, f), 'utf8') }));
    const m = new ReachabilityModel(() => files);
    const enforced = await m.compute();
    assert.deepEqual(find(enforced, 'backend/worker', 'backend/api')?.protocols, { TCP: [[9090, 9090]] });
    const whatIf = await m.compute({ compare: 'staged' });
    const d = diffOf(whatIf)!;
    assert.deepEqual(d.added, []);
    assert.deepEqual(d.removed.map((c) => [c.src, c.dst, c.protocols]), [['backend/worker', 'backend/api', { TCP: [[9090, 9090]] }]]);
    assert.deepEqual(find(whatIf, 'monitoring/prometheus', 'backend/api')?.protocols, { TCP: [[9090, 9090]] });
  });

  it('compares with the saved files: newly allowed and newly blocked flows', async () => {
    let files: SourceFile[] = [
      { path: '/w/pods.yaml', text: workloads },
      { path: '/w/np.yaml', text: policy(5432) },
    ];
    const disk = new Map(files.map((f) => [f.path, f.text]));
    const m = new ReachabilityModel(() => files, { readSaved: async (p) => disk.get(p) });
    const same = await m.compute({ compare: 'saved' });
    assert.deepEqual(diffOf(same), { added: [], removed: [] });
    files = [files[0], { path: '/w/np.yaml', text: policy(8080) }];
    const changed = await m.compute({ compare: 'saved' });
    assert.deepEqual(diffOf(changed)?.added.map((c) => [c.src, c.dst, c.protocols]), [['app/client', 'app/db', { TCP: [[8080, 8080]] }]]);
    assert.deepEqual(diffOf(changed)?.removed.map((c) => [c.src, c.dst, c.protocols]), [['app/client', 'app/db', { TCP: [[5432, 5432]] }]]);
    // Saving makes the diff empty again.
    disk.set('/w/np.yaml', policy(8080));
    assert.deepEqual(diffOf(await m.compute({ compare: 'saved' })), { added: [], removed: [] });
  });

  it('compares with git HEAD via `git show HEAD:./file` (an untracked file counts as entirely new)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-reach-'));
    try {
      const git = (...args: string[]) =>
        execFileSync('git', ['-c', 'user.email=t@localhost', '-c', 'user.name=t', ...args], { cwd: dir, stdio: 'pipe' });
      git('init', '-q');
      writeFileSync(join(dir, 'pods.yaml'), workloads);
      writeFileSync(join(dir, 'np.yaml'), policy(5432));
      git('add', 'pods.yaml', 'np.yaml');
      git('commit', '-q', '-m', 'base');
      // Working tree: the policy now admits 9000; a new, uncommitted file adds a policy isolating the client.
      const isolateClient = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-deny, namespace: app}
spec: {podSelector: {matchLabels: {role: client}}, policyTypes: [Ingress]}
`;
      const files: SourceFile[] = [
        { path: join(dir, 'pods.yaml'), text: workloads },
        // Paths may also arrive as file: URIs (that is what the language server sees).
        { path: pathToFileURL(join(dir, 'np.yaml')).toString(), text: policy(9000) },
        { path: join(dir, 'new.yaml'), text: isolateClient },
      ];
      const r = await new ReachabilityModel(() => files).compute({ compare: 'head' });
      const fmt = (cs: { src: string; dst: string; protocols: unknown }[] | undefined) => (cs ?? []).map((c) => [c.src, c.dst, c.protocols]);
      assert.deepEqual(fmt(diffOf(r)?.added), [['app/client', 'app/db', { TCP: [[9000, 9000]] }]]);
      const removed = fmt(diffOf(r)?.removed);
      assert.deepEqual(removed.find((x) => x[0] === 'app/client'), ['app/client', 'app/db', { TCP: [[5432, 5432]] }]);
      // client-deny isolates the client for ingress: db -> client (all ports at HEAD) is now blocked entirely.
      const dbToClient = removed.find((x) => x[0] === 'app/db');
      assert.ok(dbToClient && dbToClient[1] === 'app/client', JSON.stringify(removed));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a missing HEAD baseline (not a git repository) instead of a bogus diff', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-nogit-'));
    try {
      // GIT_CEILING_DIRECTORIES keeps git from finding a repository above the temp folder.
      process.env.GIT_CEILING_DIRECTORIES = tmpdir();
      writeFileSync(join(dir, 'np.yaml'), policy(5432));
      const files: SourceFile[] = [
        { path: join(dir, 'pods.yaml'), text: workloads },
        { path: join(dir, 'np.yaml'), text: policy(5432) },
      ];
      const r = await new ReachabilityModel(() => files).compute({ compare: 'head' });
      assert.equal(r.data.diff, undefined);
      assert.match(r.baselineError ?? '', /no git HEAD baseline/);
      assert.ok(find(r, 'app/client', 'app/db'), 'the current state is still returned');
    } finally {
      delete process.env.GIT_CEILING_DIRECTORIES;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ClusterNetworkPolicies in separate files reach the panel, and the ipBlock setting re-analyses when it changes', async () => {
    // network-policy-api apis/v1alpha2: an Admin Deny; Kubernetes ipBlock vs pod IPs is CNI-specific (setting).
    const ips = workloads.replace('metadata: {name: client, namespace: app, labels: {role: client}}', 'metadata: {name: client, namespace: app, labels: {role: client}}\nstatus: {podIP: 10.9.0.1}');
    const cnp = `apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: no-client-egress}\nspec:\n  tier: Admin\n  priority: 1\n  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {role: db}}}}\n  egress: [{action: Deny, to: [{namespaces: {}}]}]\n`;
    const block = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: db, namespace: app}\nspec:\n  podSelector: {matchLabels: {role: db}}\n  ingress: [{from: [{ipBlock: {cidr: 10.9.0.0/16}}]}]\n`;
    const files: SourceFile[] = [
      { path: '/w/pods.yaml', text: ips },
      { path: '/w/cnp.yaml', text: cnp },
      { path: '/w/np.yaml', text: block },
    ];
    let ipPods = false;
    const m = new ReachabilityModel(() => files, { analyzeOptions: () => ({ ipBlockMatchesPods: ipPods }) });
    const a = await m.compute();
    assert.equal(find(a, 'app/db', 'app/client'), undefined, 'the Admin Deny from the second file applies');
    assert.equal(find(a, 'app/client', 'app/db'), undefined, 'ipBlock: external addresses only');
    ipPods = true;
    const b = await m.compute();
    assert.ok(b.version > a.version, 'a settings change is a new version');
    assert.ok(find(b, 'app/client', 'app/db'), 'ipBlock now matches the client pod IP');
    assert.match(m.explain({ src: 'app/client', dst: 'app/db' }).summary, /ipBlock also matches pods/);
  });

  it('maps file: URIs and plain paths to filesystem paths and refuses other schemes', () => {
    assert.equal(toFsPath('file:///tmp/a%20b.yaml'), '/tmp/a b.yaml');
    assert.equal(toFsPath('/tmp/x.yaml'), '/tmp/x.yaml');
    assert.equal(toFsPath('untitled:Untitled-1'), undefined);
  });

  it('explains a denied pair against the current state', () => {
    const other = `apiVersion: v1
kind: Pod
metadata: {name: other, namespace: app, labels: {role: other}}
spec: {containers: [{name: c, image: x}]}
`;
    const files: SourceFile[] = [
      { path: '/w/pods.yaml', text: workloads },
      { path: '/w/other.yaml', text: other },
      { path: '/w/np.yaml', text: policy(5432) },
    ];
    const m = new ReachabilityModel(() => files);
    // other -> db: db is isolated for ingress and its only rule admits role=client, so nothing is allowed.
    const denied = m.explain({ src: 'app/other', dst: 'app/db' });
    assert.equal(denied.ingress?.isolated, true);
    assert.deepEqual(denied.ingress?.selectedBy.map((p) => p.policy), ['app/db']);
    assert.deepEqual(denied.ingress?.allowedBy, []);
    // client -> db: allowed by rule 0 of app/db.
    const allowed = m.explain({ src: 'app/client', dst: 'app/db' });
    assert.ok(allowed.ingress?.allowedBy.some((r) => r.policy === 'app/db' && r.ruleIndex === 0));
  });
});

describe('registerReachability (LSP glue)', () => {
  function fakeConnection() {
    const requests = new Map<string, (params: unknown) => unknown>();
    const notifications: { method: string; params: unknown }[] = [];
    const conn = {
      onRequest(method: string, handler: (params: unknown) => unknown) {
        requests.set(method, handler);
        return { dispose: () => requests.delete(method) };
      },
      sendNotification(method: string, params: unknown) {
        notifications.push({ method, params });
        return Promise.resolve();
      },
      console: { error() {}, log() {}, info() {}, warn() {} },
    };
    return { conn: conn as unknown as LspConnection, requests, notifications };
  }

  it('serves both requests and sends one debounced notification per burst of changes', async () => {
    const { conn, requests, notifications } = fakeConnection();
    let files: SourceFile[] = [
      { path: '/w/pods.yaml', text: workloads },
      { path: '/w/np.yaml', text: policy(5432) },
    ];
    const handle = registerReachability(conn, () => files, { debounceMs: 20 });
    const r = (await requests.get(REACHABILITY_REQUEST)!({ compare: 'none' })) as ReachabilityResponse;
    assert.ok(find(r, 'app/client', 'app/db'));
    const ex = (await requests.get(EXPLAIN_REQUEST)!({ src: 'app/client', dst: 'app/db' })) as { summary: string };
    assert.equal(typeof ex.summary, 'string');
    assert.ok(ex.summary.length > 0);

    files = [files[0], { path: '/w/np.yaml', text: policy(1234) }];
    handle.filesChanged();
    handle.filesChanged();
    handle.filesChanged();
    await new Promise((res) => setTimeout(res, 80));
    assert.equal(notifications.length, 1);
    assert.equal(notifications[0].method, REACHABILITY_CHANGED_NOTIFICATION);
    assert.ok((notifications[0].params as { version: number }).version > r.version);

    // No content change: no new notification.
    handle.filesChanged();
    await new Promise((res) => setTimeout(res, 60));
    assert.equal(notifications.length, 1);
    handle.dispose();
    assert.equal(requests.size, 0, 'dispose unregisters the handlers');
  });
});

describe('ReachabilityModel cancellation', () => {
  it('a change that arrives while the payload is computed supersedes it; the next request answers the new text', async () => {
    let files: SourceFile[] = [
      { path: '/w/pods.yaml', text: workloads },
      { path: '/w/np.yaml', text: policy(5432) },
    ];
    const m = new ReachabilityModel(() => files, { sliceMs: 0 });
    const progress: number[] = [];
    const running = m.compute({}, { progress: (p) => progress.push(p.done) });
    // The text changes while the first answer is being computed (it yields after every row).
    files = [files[0], { path: '/w/np.yaml', text: policy(6000) }];
    m.changed();
    await assert.rejects(running, /superseded/);
    const fresh = await m.compute();
    assert.deepEqual(find(fresh, 'app/client', 'app/db')?.protocols, { TCP: [[6000, 6000]] });
  });

  it('a change signal without a text change (diagnostics of the same texts published) supersedes nothing', async () => {
    const files: SourceFile[] = [
      { path: '/w/pods.yaml', text: workloads },
      { path: '/w/np.yaml', text: policy(5432) },
    ];
    const m = new ReachabilityModel(() => files, { sliceMs: 0 });
    const running = m.compute({}, { progress: () => m.changed() });
    assert.deepEqual(find(await running, 'app/client', 'app/db')?.protocols, { TCP: [[5432, 5432]] });
    // A forced signal (workspace trust granted: the HEAD baseline changes) does.
    const m2 = new ReachabilityModel(() => files, { sliceMs: 0 });
    await assert.rejects(m2.compute({}, { progress: () => m2.changed(true) }), /superseded/);
  });

  it('an LSP cancellation aborts the computation', async () => {
    const files: SourceFile[] = [
      { path: '/w/pods.yaml', text: workloads },
      { path: '/w/np.yaml', text: policy(5432) },
    ];
    const m = new ReachabilityModel(() => files, { sliceMs: 0 });
    await assert.rejects(m.compute({}, { cancelled: () => true }), /superseded/);
    assert.ok(find(await m.compute(), 'app/client', 'app/db'), 'a later request still answers');
  });
});

describe('ReachabilityModel merging', () => {
  it('folding pods of one owner across documents never changes the parsed objects the lint project caches', async () => {
    const pod = (name: string, port: number) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: app
  labels: {role: web}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-abc, controller: true}]
spec: {containers: [{name: c, image: x, ports: [{name: http, containerPort: ${port}}]}]}
`;
    let files: SourceFile[] = [{ path: '/w/pods.yaml', text: `${pod('web-abc-1', 8080)}---\n${pod('web-abc-2', 9090)}` }];
    const m = new ReachabilityModel(() => files);
    const endpoint = (r: ReachabilityResponse) => r.data.endpoints.filter((e) => e.id === 'app/web-abc');
    const first = await m.compute();
    assert.equal(endpoint(first).length, 1, 'the two pods are one workload');
    // Recompute several times with an unrelated change: nothing accumulates in the cached per-document objects.
    for (let i = 0; i < 3; i++) {
      files = [files[0], { path: '/w/other.yaml', text: `apiVersion: v1\nkind: Namespace\nmetadata: {name: n${i}}\n` }];
      await m.compute();
    }
    const project = (m as unknown as { project: import('../../server/src/core/lint/project').LintProject }).project;
    const cached = project.models('/w/pods.yaml').flatMap((c) => c.workloads);
    assert.deepEqual(cached.map((w) => [w.podCount, w.ports.length]), [[1, 1], [1, 1]], 'each document keeps its own pod');
  });
});
