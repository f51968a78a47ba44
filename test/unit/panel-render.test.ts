// Tests of the reachability panel's pure view logic (client/webview/render.ts): port formatting, the port /
// protocol filters, joining current connections with the impact diff, visible endpoints and the blast radius.
// The DOM rendering itself is exercised in a real VS Code by test/e2e/ui.js.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, diffReach, panelData, parseFiles, reach } from '../../server/src/core/index';
import type { ReachabilityResponse } from '../../server/src/protocol';
import { DEFAULT_VIEW_STATE, type ViewState } from '../../client/webview/messages';
import { blastRadius, filterPorts, formatPorts, namespacesOf, pairKey, pairViews, rangeLabel, visibleEndpoints } from '../../client/webview/render';

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

function response(port = 443, basePort?: number): ReachabilityResponse {
  const files = [
    { path: '/w/pods.yaml', text: pods },
    { path: '/w/np.yaml', text: policies(port) },
  ];
  const result = reach(files);
  const r: ReachabilityResponse = { compare: 'none', data: panelData(analyze(parseFiles(files))), result, version: 1, stale: false, staleFiles: [] };
  if (basePort !== undefined) {
    r.diff = diffReach(reach([files[0], { path: '/w/np.yaml', text: policies(basePort) }]), result);
  }
  return r;
}

const state = (patch: Partial<ViewState> = {}): ViewState => ({ ...DEFAULT_VIEW_STATE, ...patch });

describe('panel view logic', () => {
  it('formats port sets compactly', () => {
    assert.equal(formatPorts({ TCP: [[80, 80], [8000, 8080]], UDP: [[53, 53]] }), 'TCP 80, 8000-8080 · UDP 53');
    assert.equal(formatPorts({ TCP: [[1, 65535]] }), 'TCP all');
    assert.equal(formatPorts({ SCTP: [[1, 65535]], TCP: [[1, 65535]], UDP: [[1, 65535]] }), 'all');
    assert.equal(formatPorts(undefined), '');
    // Calico: ICMP values encode type*256+code; protocols without ports are [0,0].
    assert.equal(formatPorts({ ICMP: [[2048, 2303]], TCP: [[443, 443]] }), 'ICMP type 8 · TCP 443');
    assert.equal(formatPorts({ ICMP: [[768, 768]] }), 'ICMP type 3 code 0');
    assert.equal(formatPorts({ UDPLite: [[0, 0]] }), 'protocol UDPLite');
    const every = { ICMP: [[0, 65535]], ICMPv6: [[0, 65535]], SCTP: [[1, 65535]], TCP: [[1, 65535]], UDP: [[1, 65535]], UDPLite: [[0, 0]] } as Record<string, [number, number][]>;
    assert.equal(formatPorts(every), 'all');
    const { ICMP: _icmp, ...noIcmp } = every;
    assert.equal(formatPorts(noIcmp), 'ICMPv6 all · SCTP all · TCP all · UDP all · protocol UDPLite', 'not "all" when ICMP is missing');
  });

  it('labels external address ranges as CIDRs when they are exactly one block', () => {
    assert.equal(rangeLabel('203.0.113.0-203.0.113.255'), '203.0.113.0/24');
    assert.equal(rangeLabel('0.0.0.0-255.255.255.255'), '0.0.0.0/0');
    assert.equal(rangeLabel('10.0.0.5-10.0.0.5'), '10.0.0.5/32');
    assert.equal(rangeLabel('0.0.0.0-203.0.112.255'), '0.0.0.0-203.0.112.255', 'not a single block');
    assert.equal(rangeLabel('10.0.0.1-10.0.0.2'), '10.0.0.1-10.0.0.2', 'unaligned');
  });

  it('filters by protocol and by a single port', () => {
    const pp = { TCP: [[53, 53], [8000, 9000]] as [number, number][], UDP: [[53, 53]] as [number, number][] };
    assert.deepEqual(filterPorts(pp, 'any', ''), pp);
    assert.deepEqual(filterPorts(pp, 'UDP', ''), { UDP: [[53, 53]] });
    assert.deepEqual(filterPorts(pp, 'any', '8080'), { TCP: [[8080, 8080]] });
    assert.deepEqual(filterPorts(pp, 'any', '53'), { TCP: [[53, 53]], UDP: [[53, 53]] });
    assert.equal(filterPorts(pp, 'TCP', '7000'), undefined);
    assert.equal(filterPorts(pp, 'SCTP', ''), undefined);
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

  it('marks newly allowed and newly blocked parts of a pair from the impact diff', () => {
    const r = response(8443, 443);
    const views = pairViews(r, state());
    const ext = [...views.values()].find((v) => v.src === 'back/api' && v.dst.startsWith('198.51.100.0'));
    assert.ok(ext, 'api -> external range');
    assert.deepEqual(ext.now, { TCP: [[8443, 8443]] });
    assert.deepEqual(ext.added, { TCP: [[8443, 8443]] });
    assert.deepEqual(ext.removed, { TCP: [[443, 443]] });
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

  it('computes the blast radius: what api can reach (only the external CIDR) and who can reach it', () => {
    const r = response();
    const br = blastRadius(r, state(), 'back/api');
    assert.ok(br.out.length >= 1);
    assert.ok(br.out.every((p) => p.dst.startsWith('198.51.100.')), JSON.stringify(br.out.map((p) => p.dst)));
    assert.deepEqual(br.out[0].now, { TCP: [[443, 443]] });
    assert.deepEqual(br.in.map((p) => p.src), ['front/web']);
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
    const result = reach(files);
    const data = panelData(analyze(parseFiles(files)));
    assert.ok(data.endpoints.some((e) => e.id === 'api.example.com' && e.kind === 'External'), 'the compact payload has the domain endpoint');
    const r: ReachabilityResponse = { compare: 'none', data, result, version: 1, stale: false, staleFiles: [] };
    const ext = visibleEndpoints(r, state()).filter((e) => e.kind === 'External').map((e) => e.id);
    assert.ok(ext.includes('api.example.com'), ext.join(' '));
    assert.equal(rangeLabel('api.example.com'), 'api.example.com');
    const v = pairViews(r, state()).get(pairKey('front/web', 'api.example.com'));
    assert.deepEqual(v?.now, { TCP: [[443, 443]] });
    assert.deepEqual(blastRadius(r, state(), 'front/web').out.filter((x) => x.dst === 'api.example.com').map((x) => x.now), [{ TCP: [[443, 443]] }]);
  });
});
