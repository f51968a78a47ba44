// Tests of the observed-flows overlay's view model (client/webview/overlay.ts): the server's classification of flow
// logs (FlowService = policyLens/flows, on the shop fixture and on a world with a class of replicas) laid over the
// panel's items — marks per endpoint pair for each state (observed allowed, observed denied, mixed, disagreement,
// allowed but never observed), aggregates on collapsed namespaces and classes (the same whether computed for the
// whole matrix at once or per cell), the observed side of the explanation, and the words. The DOM is exercised in a
// real VS Code by test/e2e/ui.js.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { collectFiles } from '../../server/src/cli/main';
import { analyze, panelData, parseFiles, type InputFile } from '../../server/src/core/index';
import { FlowService } from '../../server/src/flows';
import type { FlowsResponse } from '../../server/src/protocol';
import { buildItems, indexPanel, visibleSets, type Item, type PanelIndex } from '../../client/webview/data';
import { DEFAULT_VIEW_STATE, type ViewState } from '../../client/webview/messages';
import {
  flowConnWords,
  indexOverlay,
  observedPeers,
  observedRows,
  OVERLAY_GLYPH,
  overlayBadge,
  overlayCells,
  overlayMark,
  overlayRepresentative,
  overlaySummary,
  overlayWords,
  reportedWords,
  type OverlayIndex,
} from '../../client/webview/overlay';
import { repoRoot } from '../helpers/paths';

const FIX = join(repoRoot(), 'test', 'fixtures', 'flows');
const state = (patch: Partial<ViewState> = {}): ViewState => ({ ...DEFAULT_VIEW_STATE, ...patch });

async function world(files: InputFile[], flowFiles: string[]): Promise<{ idx: PanelIndex; flows: FlowsResponse; ov: OverlayIndex }> {
  const idx = indexPanel(panelData(analyze(parseFiles(files))));
  const flows = await new FlowService(() => files).flows({ files: flowFiles });
  return { idx, flows, ov: indexOverlay(idx, flows) };
}

const shop = () => world(collectFiles([join(FIX, 'shop')]).files, [join(FIX, 'hubble-flows.jsonl'), join(FIX, 'whisker-flows.json')]);
const at = (idx: PanelIndex, id: string) => {
  const i = idx.byId.get(id);
  assert.ok(i !== undefined, `no endpoint ${id}`);
  return i;
};

/** Every cell of a matrix: the all-at-once aggregation equals the per-cell one over the items' endpoints. */
function assertCellsConsistent(idx: PanelIndex, ov: OverlayIndex, st: ViewState): { rows: Item[]; cols: Item[]; marks: ReturnType<typeof overlayCells> } {
  const sets = visibleSets(idx, st);
  const rows = buildItems(idx, st, sets.rows);
  const cols = buildItems(idx, st, sets.cols).filter((c) => !(c.kind === 'ns' && c.open));
  const marks = overlayCells(ov, rows, cols);
  rows.forEach((r, ri) => cols.forEach((c, ci) => {
    const want = r.kind === 'ns' && r.open ? undefined : overlayMark(ov, r.eps, c.eps);
    assert.deepEqual(marks(ri, ci), want, `${r.key} -> ${c.key}`);
  }));
  return { rows, cols, marks };
}

describe('observed-flows overlay on the shop fixture (Hubble + Whisker logs)', () => {
  it('indexes every observed pair and every allowed-but-unobserved pair onto the panel endpoints', async () => {
    const { flows, ov } = await shop();
    assert.equal(ov.outside, 0);
    assert.equal(ov.byPair.size, flows.pairs.length);
    assert.equal([...ov.unobservedBySrc.values()].reduce((n, s) => n + s.size, 0), flows.unobserved.length);
    assert.ok(flows.unobserved.length > 0);
  });

  it('marks each endpoint pair by its state, with a glyph and words (never colour alone)', async () => {
    const { idx, ov } = await shop();
    const mark = (s: string, d: string) => overlayMark(ov, [at(idx, s)], [at(idx, d)]);
    // Observed and allowed, as the manifests predict (Whisker: web -> api TCP 8080; Hubble: the ICMP echo denied).
    const mixed = mark('frontend/web', 'backend/api')!;
    assert.equal(mixed.state, 'mixed');
    assert.deepEqual([mixed.allowedFlows, mixed.deniedFlows, mixed.disagreements, mixed.uncertain], [1, 1, 0, 1]);
    assert.equal(overlayBadge(mixed), `${OVERLAY_GLYPH.mixed} 2`);
    assert.equal(overlayWords(mixed), 'observed: 2 flows (1 allowed, 1 denied); 1 uncertain');
    const ok = mark('backend/worker', 'data/postgres')!;
    assert.deepEqual([ok.state, overlayBadge(ok), overlayWords(ok)], ['observed-allowed', '●', 'observed: 1 flow, allowed']);
    const denied = mark('backend/api', 'data/redis')!;
    assert.deepEqual([denied.state, overlayBadge(denied), overlayWords(denied)], ['observed-denied', '⊘', 'observed: 1 flow, denied']);
    // The disagreement: the dataplane let worker reach 0.0.0.0-203.0.112.255:443, the manifests deny it.
    const dis = mark('backend/worker', '0.0.0.0-203.0.112.255')!;
    assert.equal(dis.state, 'disagree');
    assert.equal(overlayBadge(dis), '⚠');
    assert.match(overlayWords(dis), /^observed: 1 flow, allowed; 1 disagreement with the manifests/);
    // Allowed by the manifests, never observed: least-privilege slack.
    const slack = mark('0.0.0.0-203.0.112.255', 'kube-system/coredns')!;
    assert.deepEqual([slack.state, overlayBadge(slack), overlayWords(slack)], ['unobserved', '◌', 'allowed but never observed (least-privilege slack)']);
    // Nothing observed and nothing allowed: no mark.
    assert.equal(mark('data/redis', 'frontend/web'), undefined);
    // `pub` has three candidate ranges: the flow is on each candidate pair, said to be ambiguous.
    assert.match(overlayWords(mark('backend/api', '203.0.114.0-255.255.255.255')!), /may be between other endpoints/);
  });

  it('aggregates on collapsed namespaces and external peers (the same for the whole matrix as per cell)', async () => {
    const { idx, ov } = await shop();
    const closed = state({ open: { '*': false } });
    const { rows, cols, marks } = assertCellsConsistent(idx, ov, closed);
    const ri = rows.findIndex((r) => r.key === 'ns:backend');
    const ci = cols.findIndex((c) => c.key === 'ns:external');
    const m = marks(ri, ci)!;
    assert.equal(m.state, 'disagree', 'a disagreement inside the collapsed pair of groups outranks the rest');
    assert.equal(overlayBadge(m), '⚠');
    // backend -> external: api's two flows to 203.0.113.0/24 and `pub`, worker's flow to 0.0.0.0-203.0.112.255.
    assert.equal(overlayWords(m).split('; ')[0], `observed: ${m.flows.length} flows, allowed on ${m.observedPairs} pairs`);
    assert.deepEqual([m.flows.length, m.disagreements], [3, 1]);
    assert.match(overlayWords(m), /1 disagreement with the manifests/);
    // The cell explains the pair with the disagreement, so its flows show beside the engine's trace.
    const rep = overlayRepresentative(ov, rows[ri].eps, cols[ci].eps)!;
    assert.deepEqual([idx.data.endpoints[rep.src].id, idx.data.endpoints[rep.dst].id], ['backend/worker', '0.0.0.0-203.0.112.255']);
    // Every namespace open (workload rows) is consistent too.
    assertCellsConsistent(idx, ov, state({ open: { '*': true } }));
  });

  it('lists the observed side of a pair: connection, count, both verdicts and the policies the dataplane reported', async () => {
    const { ov } = await shop();
    const dis = observedRows(ov, 'backend/worker', '0.0.0.0-203.0.112.255');
    assert.equal(dis.length, 1);
    assert.deepEqual([dis[0].conn, dis[0].observed, dis[0].predicted, dis[0].disagreement], ['TCP 443', 'allowed', 'denied', true]);
    const web = observedRows(ov, 'frontend/web', 'backend/api');
    assert.deepEqual(web.map((r) => r.conn).sort(), ['ICMP type 8 code 0', 'TCP 8080'].sort());
    const tcp = web.find((r) => r.conn === 'TCP 8080')!;
    assert.equal(tcp.observed, 'allowed');
    assert.equal(tcp.count, 2);
    // Whisker reported both ends' NetworkPolicies (frontend/web egress, backend/api ingress).
    assert.ok(tcp.reported.some((p) => p.includes('backend/api') && p.startsWith('allow')), tcp.reported.join(' | '));
    const icmp = web.find((r) => r.conn.startsWith('ICMP'))!;
    assert.equal(icmp.predicted, 'uncertain');
    assert.match(icmp.uncertain.join(' '), /network plugin/);
    assert.deepEqual(observedRows(ov, 'data/redis', 'frontend/web'), []);
  });

  it('lists the observed peers the blast radius does not (flows the manifests do not allow)', async () => {
    const { idx, ov } = await shop();
    const w = at(idx, 'backend/worker');
    // The blast radius of worker lists what the manifests allow: postgres (5432) and coredns (DNS).
    const allowed = new Set([at(idx, 'data/postgres'), at(idx, 'kube-system/coredns')]);
    const ids = (xs: number[]) => xs.map((i) => idx.data.endpoints[i].id);
    assert.deepEqual(ids(observedPeers(ov, w, 'out', allowed)).sort(), ['0.0.0.0-203.0.112.255', 'backend/api', 'data/redis']);
    assert.deepEqual(ids(observedPeers(ov, at(idx, 'data/redis'), 'in', new Set())).sort(), ['backend/api', 'backend/worker']);
    assert.deepEqual(observedPeers(ov, at(idx, 'kube-system/coredns'), 'out', new Set()), []);
  });

  it('says what was imported in the server\'s numbers', async () => {
    const { flows } = await shop();
    const s = overlaySummary(flows);
    assert.ok(s.startsWith(`${flows.summary.flows} observed flows from 2 files (${flows.summary.observedAllowed} allowed, ${flows.summary.observedDenied} denied)`), s);
    assert.match(s, /· 1 disagreement ·/);
    assert.match(s, new RegExp(`${flows.summary.unobservedPairs} allowed pairs never observed`));
    // Above the panel's limit the server counts the slack pairs without listing them: the strip says why no cell
    // carries the slack mark.
    const omitted = overlaySummary({ ...flows, unobserved: [], unobservedOmitted: true });
    assert.match(omitted, new RegExp(`${flows.summary.unobservedPairs} allowed pairs never observed \\(too many to mark in the matrix\\)`));
  });

  it('words a flow\'s connection with the formatter, and a reported policy as the dataplane named it', () => {
    assert.equal(flowConnWords({ protocol: 'UDP', port: 53 }), 'UDP 53');
    assert.equal(flowConnWords({ protocol: 'TCP' }), 'all TCP ports (no destination port recorded)');
    assert.equal(reportedWords({ kind: 'NetworkPolicy', namespace: 'backend', name: 'api', tier: 'default', action: 'Allow', ruleIndex: 0, direction: 'ingress' }),
      'allow · backend/api (NetworkPolicy, tier default) rule 1 · ingress');
    assert.equal(reportedWords({ kind: 'EndOfTier', name: 'default', tier: 'default', action: 'Deny', ruleIndex: -1, trigger: 'backend/api' }),
      'deny · default (EndOfTier, tier default) (end of tier) — triggered by backend/api');
  });
});

// ---------------------------------------------------------------- a class of replicas (collapsed class rows)

const replicaManifests: InputFile[] = [
  {
    path: '/w/pods.yaml',
    text: [1, 2, 3].map((i) => `apiVersion: v1
kind: Pod
metadata: {name: web-${i}, namespace: front, labels: {app: web}}
spec: {containers: [{name: c, image: x}]}
---
`).join('') + `apiVersion: v1
kind: Pod
metadata: {name: api, namespace: back, labels: {app: api}}
spec: {containers: [{name: c, image: x}]}
`,
  },
  // api admits only app=web on TCP 8080 (https://kubernetes.io/docs/concepts/services-networking/network-policies/).
  {
    path: '/w/np.yaml',
    text: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: back}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Ingress]
  ingress:
    - from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: web}}}]
      ports: [{protocol: TCP, port: 8080}]
`,
  },
];

/** Whisker `GET /flows` items (field names of the Whisker backend's FlowResponse, see test/fixtures/flows/README.md). */
const whisker = (src: string, port: number, action: 'Allow' | 'Deny') => ({
  start_time: '2026-11-03T10:00:00Z', end_time: '2026-11-03T10:00:15Z', action,
  source_name: src, source_namespace: 'front', source_labels: 'app=web',
  dest_name: 'api', dest_namespace: 'back', dest_labels: 'app=api',
  protocol: 'tcp', dest_port: port, reporter: 'Dst',
  policies: { enforced: [{ kind: 'NetworkPolicy', name: 'api', namespace: 'back', tier: 'default', action, policy_index: 0, rule_index: action === 'Allow' ? 0 : -1, trigger: null }], pending: [] },
  packets_in: 1, packets_out: 1, bytes_in: 10, bytes_out: 10,
});

describe('observed-flows overlay on a collapsed class of replicas', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pl-overlay-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // web-1 -> api TCP 8080 allowed (as the manifests say); web-2 -> api TCP 9090 allowed (the manifests deny it: a
  // disagreement); web-3 sends nothing (allowed on 8080, never observed).
  const file = join(dir, 'flows.json');
  writeFileSync(file, JSON.stringify({ total: { totalPages: 1 }, items: [whisker('web-1', 8080, 'Allow'), whisker('web-2', 9090, 'Allow')] }));

  it('a collapsed class row aggregates its members: 2 observed flows, 1 disagreement, 1 pair never observed', async () => {
    const { idx, flows, ov } = await world(replicaManifests, [file]);
    assert.equal(flows.summary.disagree, 1, JSON.stringify(flows.summary));
    const st = state({ open: { 'ns:front': true, 'ns:back': true } });
    const { rows, cols, marks } = assertCellsConsistent(idx, ov, st);
    const ri = rows.findIndex((r) => r.kind === 'class');
    assert.ok(ri >= 0 && !(rows[ri] as { open: boolean }).open, 'the three replicas are one collapsed class row');
    assert.equal(rows[ri].eps.length, 3);
    const ci = cols.findIndex((c) => c.kind === 'ep' && c.id === 'back/api');
    const m = marks(ri, ci)!;
    assert.equal(m.state, 'disagree');
    assert.deepEqual([m.flows.length, m.observedPairs, m.disagreements, m.unobservedPairs], [2, 2, 1, 1]);
    assert.equal(overlayBadge(m), '⚠');
    assert.equal(overlayWords(m), "observed: 2 flows, allowed on 2 pairs; 1 disagreement with the manifests (the engine's verdict differs from the dataplane's); allowed but never observed on 1 pair");
    // The collapsed namespace row says the same.
    const closed = assertCellsConsistent(idx, ov, state({ open: { '*': false } }));
    const nr = closed.rows.findIndex((r) => r.key === 'ns:front');
    const nc = closed.cols.findIndex((c) => c.key === 'ns:back');
    assert.deepEqual(closed.marks(nr, nc), m);
    // Selecting the class cell explains web-2 -> api: the pair with the disagreement.
    const rep = overlayRepresentative(ov, rows[ri].eps, cols[ci].eps)!;
    assert.equal(idx.data.endpoints[rep.src].id, 'front/web-2');
  });

  it('the class opened: one workload row per state (agreeing, disagreeing, never observed)', async () => {
    const { idx, ov } = await world(replicaManifests, [file]);
    const classKey = buildItems(idx, state(), visibleSets(idx, state()).rows).find((r) => r.kind === 'class')!.key;
    const { rows, cols, marks } = assertCellsConsistent(idx, ov, state({ open: { 'ns:front': true, 'ns:back': true, [classKey]: true } }));
    const ci = cols.findIndex((c) => c.kind === 'ep' && c.id === 'back/api');
    const of = (id: string) => marks(rows.findIndex((r) => r.kind === 'ep' && r.id === id), ci);
    assert.equal(of('front/web-1')?.state, 'observed-allowed');
    assert.equal(of('front/web-2')?.state, 'disagree');
    assert.equal(of('front/web-3')?.state, 'unobserved');
    const rows2 = observedRows(ov, 'front/web-2', 'back/api');
    assert.deepEqual(rows2.map((r) => [r.conn, r.observed, r.predicted, r.disagreement]), [['TCP 9090', 'allowed', 'denied', true]]);
  });
});
