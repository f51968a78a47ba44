// Tests of the reachability panel's pure view model (client/webview/data.ts, shared.ts) over the compact PanelData:
// the port / protocol filters, rows and columns by namespace and class, cell values (checked against the expanded
// reachability of the same files), the impact diff, the blast radius, posture filters, search and the CSV /
// markdown export. The DOM rendering itself is exercised in a real VS Code by test/e2e/ui.js.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, panelData, parseFiles, reach, ConnSet } from '../../server/src/core/index';
import type { ReachabilityResponse } from '../../server/src/protocol';
import { DEFAULT_VIEW_STATE, type ViewState } from '../../client/webview/messages';
import { panelStatus, rangeLabel, blastRadius, buildItems, cellValue, classLabel, exportCsv, exportMarkdown, filterPorts, indexPanel, namespacesOf, pairKey, pairViews, visibleEndpoints, visibleSets } from '../../client/webview/render';
import type { Item } from '../../client/webview/data';
import { countOf } from '../../server/src/core/explain/format';

const pods = `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: front, labels: {app: web}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: back, labels: {app: api}}
spec: {containers: [{name: c, image: x, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: back, labels: {app: db}}
spec: {containers: [{name: c, image: x}]}
`;

// api: ingress only from front/web on 8080 (a named port, resolved on api itself), egress only to 198.51.100.0/24:443.
// See https://kubernetes.io/docs/concepts/services-networking/network-policies/ (ipBlock, named ports, isolation).
const policies = (port: number) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: back}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Ingress, Egress]
  ingress:
    - from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: web}}}]
      ports: [{port: http}]
  egress:
    - to: [{ipBlock: {cidr: 198.51.100.0/24}}]
      ports: [{protocol: TCP, port: ${port}}]
`;

function response(port = 443, basePort?: number, podsText = pods): ReachabilityResponse {
  const files = [
    { path: '/w/pods.yaml', text: podsText },
    { path: '/w/np.yaml', text: policies(port) },
  ];
  const baseline = basePort === undefined ? undefined : analyze(parseFiles([files[0], { path: '/w/np.yaml', text: policies(basePort) }]));
  return { compare: baseline ? 'saved' : 'none', data: panelData(analyze(parseFiles(files)), { baseline }), version: 1, stale: false, staleFiles: [] };
}

/** Three web replicas (one class), as a Deployment's pods would be. */
const replicas = pods.replace(/apiVersion: v1\nkind: Pod\nmetadata: \{name: web,[^]*?\n---\n/, [1, 2, 3].map((i) => `apiVersion: v1
kind: Pod
metadata: {name: web-${i}, namespace: front, labels: {app: web, pod: web-${i}}}
spec: {containers: [{name: c, image: x}]}
---
`).join(''));


const response0 = () => response();
const state = (patch: Partial<ViewState> = {}): ViewState => ({ ...DEFAULT_VIEW_STATE, ...patch });
const ep = (idx: ReturnType<typeof indexPanel>, id: string): Item => ({ kind: 'ep', key: id, ns: '', eps: [idx.byId.get(id)!], label: id, depth: 1, id });

describe('panel view model', () => {
  it('filters by protocol and by a single port', () => {
    const pp = { TCP: [[53, 53], [8000, 9000]] as [number, number][], UDP: [[53, 53]] as [number, number][] };
    assert.deepEqual(filterPorts(pp, 'any', ''), pp);
    assert.deepEqual(filterPorts(pp, 'UDP', ''), { UDP: [[53, 53]] });
    assert.deepEqual(filterPorts(pp, 'any', '8080'), { TCP: [[8080, 8080]] });
    assert.deepEqual(filterPorts(pp, 'any', '53'), { TCP: [[53, 53]], UDP: [[53, 53]] });
    assert.equal(filterPorts(pp, 'TCP', '7000'), undefined);
    assert.equal(filterPorts(pp, 'SCTP', ''), undefined);
  });

  it('every workload-to-endpoint cell equals the expanded reachability of the same files', () => {
    for (const podsText of [pods, replicas]) {
      const files = [{ path: '/w/pods.yaml', text: podsText }, { path: '/w/np.yaml', text: policies(443) }];
      const expected = new Map(reach(files).connections.map((c) => [pairKey(c.src, c.dst), ConnSet.fromProtocolPorts(c.protocols)] as const));
      const idx = indexPanel(response(443, undefined, podsText).data);
      let allowed = 0;
      for (const s of idx.data.endpoints) {
        for (const d of idx.data.endpoints) {
          if (s.id === d.id || (s.kind === 'External' && d.kind === 'External')) continue;
          const v = cellValue(idx, ep(idx, s.id), ep(idx, d.id), state());
          const want = expected.get(pairKey(s.id, d.id));
          assert.equal(!!v.now, !!want, `${s.id} -> ${d.id}`);
          if (want) {
            allowed++;
            assert.ok(ConnSet.fromProtocolPorts(v.now!).equals(want), `${s.id} -> ${d.id}: ${JSON.stringify(v.now)}`);
            assert.equal(v.kind, 'allowed');
          } else assert.equal(v.kind, 'denied');
        }
      }
      assert.equal(allowed, expected.size);
    }
  });

  it('joins connections with the filters: web -> api only on TCP 8080', () => {
    const r = response();
    const all = pairViews(r, state());
    assert.deepEqual(all.get(pairKey('front/web', 'back/api'))?.now, { TCP: [[8080, 8080]] });
    // db is not selected by any policy: it is reachable on every port and protocol from web.
    assert.ok(all.get(pairKey('front/web', 'back/db'))?.now);
    const udp = pairViews(r, state({ protocol: 'UDP' }));
    assert.equal(udp.get(pairKey('front/web', 'back/api')), undefined, 'no UDP to api');
    const p80 = pairViews(r, state({ port: '80' }));
    assert.equal(p80.get(pairKey('front/web', 'back/api')), undefined, 'api admits only 8080');
    assert.deepEqual(p80.get(pairKey('front/web', 'back/db'))?.now, { SCTP: [[80, 80]], TCP: [[80, 80]], UDP: [[80, 80]] });
  });

  it('marks newly allowed and newly blocked parts of a pair from the diff on groups', () => {
    const r = response(8443, 443);
    const idx = indexPanel(r.data);
    const ext = idx.data.endpoints.find((e) => e.id.startsWith('198.51.100.0'))!;
    const v = cellValue(idx, ep(idx, 'back/api'), ep(idx, ext.id), state());
    assert.deepEqual(v.now, { TCP: [[8443, 8443]] });
    assert.deepEqual(v.added, { TCP: [[8443, 8443]] });
    assert.deepEqual(v.removed, { TCP: [[443, 443]] });
    assert.equal(v.kind, 'changed');
    assert.equal(v.text, '± TCP 8443');
    // Unchanged pairs carry no change marks.
    assert.equal(cellValue(idx, ep(idx, 'front/web'), ep(idx, 'back/api'), state()).kind, 'allowed');
  });

  it('limits the endpoints to the chosen namespaces and hides externals on request', () => {
    const r = response();
    assert.deepEqual(namespacesOf(r), ['back', 'front']);
    const onlyBack = visibleEndpoints(r, state({ namespaces: ['back'], showExternal: false })).map((e) => e.id);
    assert.deepEqual(onlyBack, ['back/api', 'back/db']);
    const withExt = visibleEndpoints(r, state({ namespaces: ['front'] }));
    assert.equal(withExt[0].id, 'front/web');
    assert.ok(withExt.slice(1).every((e) => e.kind === 'External'), 'externals come last');
  });

  it('rows: namespaces, then classes of ≥ 2 workloads collapsed to one row that expands to its workloads', () => {
    const idx = indexPanel(response(443, undefined, replicas).data);
    const { rows } = visibleSets(idx, state());
    const items = buildItems(idx, state(), rows);
    const labels = items.map((i) => `${i.kind}:${i.label}`);
    assert.deepEqual(labels.slice(0, 6), ['ns:back (2 workloads)', 'ep:api', 'ep:db', 'ns:front (3 workloads)', 'class:app=web (3 workloads)', 'ns:external peers (2)']);
    const cls = items.find((i) => i.kind === 'class')!;
    const open = buildItems(idx, state({ open: { [cls.key]: true } }), rows);
    assert.deepEqual(open.filter((i) => i.depth === 2).map((i) => i.label), ['web-1', 'web-2', 'web-3']);
    // The class's cell towards api is the members' (all alike), and web-1 -> web-2 is a pair inside the class.
    assert.deepEqual(cellValue(idx, cls, ep(idx, 'back/api'), state()).now, { TCP: [[8080, 8080]] });
    assert.equal(cellValue(idx, ep(idx, 'front/web-1'), ep(idx, 'front/web-1'), state()).kind, 'self');
    assert.equal(cellValue(idx, ep(idx, 'front/web-1'), ep(idx, 'front/web-2'), state()).kind, 'allowed');
    // A closed namespace aggregates its class pairs: front -> back allows TCP 8080 to api and everything to db
    // (both allowed, differently); back -> front allows db -> web only (api's egress is external only).
    const closed = buildItems(idx, state({ open: { 'ns:back': false, 'ns:front': false } }), rows);
    const [back, front] = closed;
    assert.equal(back.kind, 'ns');
    const agg = cellValue(idx, front, back, state());
    assert.equal(agg.kind, 'partial');
    assert.deepEqual(agg.some, [2, 2]);
    assert.equal(agg.text, '◐ all traffic');
    const some = cellValue(idx, back, front, state());
    assert.deepEqual([some.kind, some.text], ['partial', '◐ 1/2']);
    assert.equal(cellValue(idx, back, back, state()).kind, 'denied', 'api -> db and db -> api are both denied');
    // External peers are merged into recognisable CIDR lists; external -> external is not analysed.
    const ext = items.filter((i) => i.ns !== '' && i.kind === 'ep' && i.id.includes('-'));
    assert.deepEqual(ext.map((i) => i.label), ['0.0.0.0/0 except 198.51.100.0/24', '198.51.100.0/24']);
    assert.equal(cellValue(idx, ext[0], ext[1], state()).kind, 'none');
  });

  it('counts in the formatter\'s words', () => {
    assert.equal(countOf(1, 'policy'), '1 policy');
    assert.equal(countOf(3, 'policy'), '3 policies');
    assert.equal(countOf(2, 'workload'), '2 workloads');
    assert.equal(countOf(2, 'key'), '2 keys');
    assert.equal(countOf(0, 'namespace'), '0 namespaces');
  });

  it('names a class by the labels its members share', () => {
    const e = (labels: Record<string, string>, name = 'x') => ({ id: `n/${name}`, kind: 'Pod', name, namespace: 'n', labels });
    assert.equal(classLabel([e({ app: 'web', pod: 'a' }), e({ app: 'web', pod: 'b' })]), 'app=web (2 workloads)');
    assert.equal(classLabel([e({ team: 'x', a: '1' }, 'p1'), e({ team: 'x', a: '2' }, 'p2')]), 'team=x (2 workloads)');
    assert.equal(classLabel([e({ a: '1' }, 'p1'), e({ a: '2' }, 'p2')]), 'p1 … (2 workloads)');
  });

  it('search by name, namespace or label; posture findings narrow rows or columns', () => {
    const idx = indexPanel(response(443, undefined, replicas).data);
    const ids = (xs: number[]) => xs.map((i) => idx.data.endpoints[i].id);
    assert.deepEqual(ids(visibleSets(idx, state({ search: 'app=web', showExternal: false })).rows), ['front/web-1', 'front/web-2', 'front/web-3']);
    assert.deepEqual(ids(visibleSets(idx, state({ search: 'back db' })).rows), ['back/db']);
    // api is the only workload isolated for ingress: the others are the columns of "not isolated for ingress".
    const p = visibleSets(idx, state({ posture: 'notIsolatedIngress' }));
    assert.deepEqual(ids(p.cols), ['back/db', 'front/web-1', 'front/web-2', 'front/web-3']);
    assert.equal(p.rows.length, idx.data.endpoints.length, 'every source');
    const out = visibleSets(idx, state({ posture: 'canReachInternet' }));
    assert.ok(ids(out.cols).every((id) => id.includes('-') && /^\d/.test(id)), 'columns are external peers');
    assert.ok(ids(out.rows).includes('back/api'));
  });

  it('computes the blast radius by group: what api can reach (only the external CIDR) and who can reach it', () => {
    const r = response(443, undefined, replicas);
    const idx = indexPanel(r.data);
    const br = blastRadius(idx, state(), 'back/api')!;
    assert.deepEqual(br.out.map((e) => [e.label, e.value.text]), [['198.51.100.0/24', 'TCP 443']]);
    assert.deepEqual(br.in.map((e) => [e.ns, e.label, e.eps.length, e.value.text]), [['front', 'app=web (3 workloads)', 3, 'TCP 8080']]);
    assert.equal(blastRadius(idx, state(), 'nope/nothing'), undefined);
  });

  it('names a group of external peers by the NetworkSet it is exactly (Calico GlobalNetworkSet nets)', () => {
    // https://docs.tigera.io/calico/latest/reference/resources/globalnetworkset: a named set of CIDRs policies select
    // (from a namespaced policy with namespaceSelector: global()).
    const text = `apiVersion: v1
kind: Pod
metadata: {name: api, namespace: back, labels: {app: api}}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: partners, labels: {role: partners}}
spec: {nets: [203.0.113.0/24]}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: api, namespace: back}
spec:
  selector: app == 'api'
  types: [Egress]
  egress: [{action: Allow, protocol: TCP, destination: {namespaceSelector: global(), selector: role == 'partners', ports: [443]}}]
`;
    const data = panelData(analyze(parseFiles([{ path: 'p.yaml', text }])));
    assert.deepEqual(data.addressSets, [{ label: 'GlobalNetworkSet partners', ranges: ['203.0.113.0-203.0.113.255'] }]);
    const idx = indexPanel(data);
    const items = buildItems(idx, state({ open: { '*': true } }), idx.data.endpoints.map((_, i) => i));
    const labels = items.filter((i) => i.kind === 'ep' && i.ns !== 'back').map((i) => i.label);
    assert.ok(labels.includes('GlobalNetworkSet partners (203.0.113.0/24)'), labels.join(' | '));
  });

  it('exports the matrix as CSV and as markdown for a pull request', () => {
    const idx = indexPanel(response(8443, 443, replicas).data);
    const csv = exportCsv(idx, state());
    const lines = csv.trim().split('\n');
    assert.equal(lines[0], 'from,to,allowed,newly allowed,newly blocked,from workloads,to workloads');
    assert.ok(lines.includes('front/app=web (3 workloads),back/api,TCP 8080,,,front/web-1 front/web-2 front/web-3,back/api'), csv);
    assert.ok(lines.includes('back/api,198.51.100.0/24,TCP 8443,TCP 8443,TCP 443,back/api,198.51.100.0-198.51.100.255'), csv);
    const md = exportMarkdown(idx, state(), { baseline: 'the saved files' });
    assert.match(md, /^### Reachability \(Kubernetes NetworkPolicy[^)]*\)/);
    assert.match(md, /#### Changes vs the saved files\n\n\| from \| to \| newly allowed \| newly blocked \|/);
    assert.match(md, /\| back\/api \| 198\.51\.100\.0\/24 \| TCP 8443 \| TCP 443 \|/);
    assert.match(md, /\| front\/app=web \(3 workloads\) \| back\/api \| TCP 8080 \|/);
  });

  it('says when what it shows is older than the text: analysing, updating (with progress), out of date', () => {
    const response = { ...response0(), version: 4 };
    assert.deepEqual(panelStatus({}), { kind: 'progress', text: 'Analysing the workspace…' });
    assert.equal(panelStatus({ response, latestVersion: 4 }), undefined, 'current');
    assert.deepEqual(panelStatus({ response, latestVersion: 5 }), { kind: 'progress', text: 'Updating… the matrix below still shows the previous analysis.' });
    assert.deepEqual(panelStatus({ response, latestVersion: 5, progress: { version: 5, done: 1, total: 4 } })?.text, 'Updating… 25% the matrix below still shows the previous analysis.');
    assert.deepEqual(panelStatus({ response, refreshing: true })?.kind, 'progress', 'a slow refresh (e.g. another comparison)');
    assert.deepEqual(panelStatus({ response, latestVersion: 5, error: 'boom' }), { kind: 'out-of-date', text: 'Out of date: the last refresh failed (boom). The matrix shows the analysis of an earlier text.' });
    assert.equal(panelStatus({ error: 'boom' })?.kind, 'error');
  });
  it('shows ClusterNetworkPolicy domainNames as named external endpoints (matrix rows/columns and blast radius)', () => {
    // network-policy-api apis/v1alpha2 ClusterNetworkPolicyEgressPeer.DomainNames: named external destinations.
    const cnp = `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: egress-allowlist}
spec:
  tier: Admin
  priority: 1
  subject: {namespaces: {}}
  egress:
    - {action: Accept, to: [{domainNames: [api.example.com]}], protocols: [{tcp: {destinationPort: {number: 443}}}]}
    - {action: Deny, to: [{networks: [0.0.0.0/0, "::/0"]}]}
`;
    const files = [{ path: '/w/pods.yaml', text: pods }, { path: '/w/cnp.yaml', text: cnp }];
    const data = panelData(analyze(parseFiles(files)));
    assert.ok(data.endpoints.some((e) => e.id === 'api.example.com' && e.kind === 'External'), 'the compact payload has the domain endpoint');
    const r: ReachabilityResponse = { compare: 'none', data, version: 1, stale: false, staleFiles: [] };
    const ext = visibleEndpoints(r, state()).filter((e) => e.kind === 'External').map((e) => e.id);
    assert.ok(ext.includes('api.example.com'), ext.join(' '));
    assert.equal(rangeLabel('api.example.com'), 'api.example.com');
    const v = pairViews(r, state()).get(pairKey('front/web', 'api.example.com'));
    assert.deepEqual(v?.now, { TCP: [[443, 443]] });
    // The matrix column of the domain is its own (named by the domain), and the blast radius lists it.
    const idx = indexPanel(data);
    const cols = buildItems(idx, state(), visibleSets(idx, state()).cols);
    assert.ok(cols.some((c) => c.kind === 'ep' && c.label === 'api.example.com'), cols.map((c) => c.label).join(' | '));
    const br = blastRadius(idx, state(), 'front/web')!;
    assert.deepEqual(br.out.filter((x) => x.label === 'api.example.com').map((x) => x.value.now), [{ TCP: [[443, 443]] }]);
  });
});
