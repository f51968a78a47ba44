// Tests of the graph view's model and layout (client/webview/graph-model.ts, graph-layout.ts): every drawn arrow
// and "within" note agrees with the expanded reachability of the same files (core reach(), the one evaluator),
// every allowed pair is drawn, external peers carry readable names, the namespace-level view starts closed above
// GRAPH_EXPAND_LIMIT workloads, changes are marked without colour, and ELK's layout (run here in node, the same
// library the webview's worker runs) never routes an arrow through a box it does not connect. The SVG drawing and
// its checks in a real VS Code are in test/e2e/ui.js.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import ELK from 'elkjs/lib/elk.bundled.js';
import { analyze, ConnSet, panelData, parseFiles, reach } from '../../server/src/core/index';
import { describeConns } from '../../server/src/core/explain/format';
import type { PanelData } from '../../server/src/protocol';
import { indexPanel } from '../../client/webview/data';
import { DEFAULT_VIEW_STATE, type ViewState } from '../../client/webview/messages';
import { buildGraph, edgeWords, GRAPH_EXPAND_LIMIT, wrapWords, type GraphModel, type GraphNode } from '../../client/webview/graph-model';
import { crossings, elkInput, headerText, readLayout, segmentHitsBox, type Placed } from '../../client/webview/graph-layout';

type File = { path: string; text: string };

function readDir(dir: string): File[] {
  const out: File[] = [];
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...readDir(p));
    else if (/\.ya?ml$/.test(n)) out.push({ path: p, text: readFileSync(p, 'utf8') });
  }
  return out;
}

// The test runner starts in the repository root (scripts/test.mjs).
const shop = readDir(join(process.cwd(), 'examples', 'shop'));

const state = (patch: Partial<ViewState> = {}): ViewState => ({ ...DEFAULT_VIEW_STATE, view: 'graph', compare: 'none', ...patch });

function model(files: File[], patch: Partial<ViewState> = {}, baseline?: File[]): { g: GraphModel; data: PanelData } {
  const data = panelData(analyze(parseFiles(files)), { baseline: baseline ? analyze(parseFiles(baseline)) : undefined }) as PanelData;
  return { g: buildGraph(indexPanel(data), state(patch)), data };
}

/** A generated workspace: `ns` namespaces of `per` workloads; default deny, DNS to kube-system, app chains. */
function generated(ns: number, per: number): File[] {
  const docs: string[] = ['apiVersion: v1\nkind: Namespace\nmetadata: {name: kube-system}\n',
    'apiVersion: v1\nkind: Pod\nmetadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}\nspec: {containers: [{name: c, image: x}]}\n'];
  for (let n = 0; n < ns; n++) {
    docs.push(`apiVersion: v1\nkind: Namespace\nmetadata: {name: team${n}, labels: {team: t${n}}}\n`);
    for (let i = 0; i < per; i++) docs.push(`apiVersion: v1\nkind: Pod\nmetadata: {name: svc${i}, namespace: team${n}, labels: {app: svc${i}}}\nspec: {containers: [{name: c, image: x}]}\n`);
    docs.push(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: team${n}}\nspec: {podSelector: {}, policyTypes: [Ingress, Egress]}\n`);
    docs.push(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: dns, namespace: team${n}}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}]\n    ports: [{port: 53, protocol: UDP}]\n  - to: [{podSelector: {}}]\n  - to: [{namespaceSelector: {matchLabels: {team: t${(n + 1) % ns}}}}]\n    ports: [{port: 8080}]\n`);
    for (let i = 0; i + 1 < per; i++) {
      docs.push(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: in-svc${i + 1}, namespace: team${n}}\nspec:\n  podSelector: {matchLabels: {app: svc${i + 1}}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: svc${i}}}}]\n    ports: [{port: 8080}]\n  - from: [{namespaceSelector: {matchLabels: {team: t${(n + ns - 1) % ns}}}, podSelector: {matchLabels: {app: svc0}}}]\n    ports: [{port: 8080}]\n`);
    }
  }
  return [{ path: '/gen/all.yaml', text: docs.join('---\n') }];
}

/**
 * Checks a graph against the expanded reachability: every arrow's words are exactly the connections of each of its
 * member pairs (or, for "◐" arrows, their union, with some pair different); every allowed pair is drawn.
 */
function checkAgainstReach(files: File[], g: GraphModel, data: PanelData) {
  const r = reach(files);
  const conn = new Map(r.connections.map((c) => [`${c.src}\u0000${c.dst}`, ConnSet.fromProtocolPorts(c.protocols)] as const));
  const id = (i: number) => data.endpoints[i].id;
  const pairs = (a: GraphNode, b: GraphNode) => a.item.eps.flatMap((s) => b.item.eps.filter((d) => d !== s).map((d) => [id(s), id(d)] as const));
  const byKey = new Map(g.nodes.map((n) => [n.key, n] as const));
  const words = (s: ConnSet | undefined) => describeConns(s ?? ConnSet.EMPTY);
  for (const e of g.edges) {
    const a = byKey.get(e.src)!;
    const b = byKey.get(e.dst)!;
    const sets = pairs(a, b).map(([s, d]) => words(conn.get(`${s}\u0000${d}`)));
    assert.ok(sets.length > 0, e.key);
    if (e.value.kind === 'partial') {
      assert.ok(new Set(sets).size > 1, `${e.key}: a ◐ arrow stands for pairs that differ`);
      assert.equal(e.lines.join(' '), `◐ ${describeConns(e.value.now)}`);
    } else {
      for (const w of sets) assert.equal(w, e.lines.join(' '), `${e.key}: every member pair allows exactly the arrow's words`);
    }
  }
  for (const n of g.nodes) {
    if (!n.within) continue;
    const sets = pairs(n, n).map(([s, d]) => words(conn.get(`${s}\u0000${d}`)));
    if (n.within.value.kind !== 'partial') for (const w of sets) assert.equal(`within: ${w}`, n.within.text, n.key);
  }
  // Every allowed pair is drawn: an arrow between boxes holding the two ends (or their containers), or a "within".
  const holders = (epId: string, side: 'in' | 'out') => {
    const i = data.endpoints.findIndex((e) => e.id === epId);
    const out = new Set<string>();
    for (const n of g.nodes) if (n.item.eps.includes(i) && (!n.side || n.side === side)) out.add(n.key);
    return out;
  };
  const edgeSet = new Set(g.edges.map((e) => `${e.src}\u0000${e.dst}`));
  for (const c of r.connections) {
    const hs = holders(c.src, 'in');
    const hd = holders(c.dst, 'out');
    const drawn = [...hs].some((s) => [...hd].some((d) => edgeSet.has(`${s}\u0000${d}`)))
      || [...hs].some((k) => hd.has(k) && byKey.get(k)!.within !== undefined);
    assert.ok(drawn, `${c.src} -> ${c.dst} (${describeConns(ConnSet.fromProtocolPorts(c.protocols))}) is drawn`);
  }
}

/** Text widths for layout tests (the webview measures with a canvas). */
const measure = { text: (s: string) => s.length * 7.5, small: (s: string) => s.length * 6.5 };

async function layout(g: GraphModel, compact = false): Promise<Placed> {
  const out = await new ELK().layout(elkInput(g, measure, { compact }));
  return readLayout(out);
}

function geometryProblems(g: GraphModel, placed: Placed): string[] {
  const ends = new Map(g.edges.map((e) => [e.key, [e.src, e.dst] as [string, string]]));
  const problems = crossings(placed, g.nodes.filter((n) => !n.container).map((n) => n.key), (k) => ends.get(k)!);
  const leaves = [...g.nodes.filter((n) => !n.container).map((n) => [n.key, placed.boxes.get(n.key)!] as const), ...[...placed.headers].map(([k, b]) => [`header of ${k}`, b] as const)];
  for (let i = 0; i < leaves.length; i++) {
    for (let j = i + 1; j < leaves.length; j++) {
      const [ka, a] = leaves[i];
      const [kb, b] = leaves[j];
      if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) problems.push(`${ka} overlaps ${kb}`);
    }
  }
  for (const n of g.nodes) {
    const b = placed.boxes.get(n.key);
    if (!b) {
      problems.push(`${n.key} was not placed`);
      continue;
    }
    if (n.container && measure.text(headerText(n)) + 36 > b.width + 0.5) problems.push(`the header of ${n.key} does not fit (${b.width})`);
    if (n.parent) {
      const p = placed.boxes.get(n.parent)!;
      if (b.x < p.x || b.y < p.y || b.x + b.width > p.x + p.width || b.y + b.height > p.y + p.height) problems.push(`${n.key} lies outside its box ${n.parent}`);
    }
  }
  for (const e of g.edges) {
    const r = placed.routes.get(e.key);
    if (!r || r.points.length < 2) problems.push(`${e.key} has no route`);
    else if (!r.label) problems.push(`${e.key} has no label position`);
  }
  return problems;
}

describe('graph model', () => {
  it('shop: namespaces open, external peers split into sources and destinations with CIDR names', () => {
    const { g } = model(shop);
    assert.equal(g.workloads, 6);
    assert.ok(g.openByDefault);
    const ns = g.nodes.filter((n) => n.kind === 'namespace').map((n) => `${n.key}:${n.container}`);
    assert.deepEqual(ns, ['ns:backend:true', 'ns:data:true', 'ns:frontend:true', 'ns:kube-system:true']);
    const ext = g.nodes.filter((n) => n.kind === 'external').map((n) => `${n.side} ${n.lines.join(' ')}`);
    // The shop's ipBlock 0.0.0.0/0 except 203.0.113.0/24 (frontend ingress) and 203.0.113.0/24 (api egress).
    assert.ok(ext.includes('in 0.0.0.0/0 except 203.0.113.0/24'), ext.join('; '));
    assert.ok(ext.includes('out 203.0.113.0/24'), ext.join('; '));
    // Sources first, destinations last (top and bottom of the drawing).
    assert.equal(g.nodes[0].key, 'in:ns:external');
    assert.equal(g.nodes.filter((n) => n.side !== 'in').some((n, i, a) => n.side === 'out' && a.slice(i).some((m) => m.side !== 'out' && m.kind !== 'external' && m.kind !== 'externals')), false);
  });

  it('shop: every arrow and every allowed pair agrees with the expanded reachability', () => {
    const { g, data } = model(shop);
    checkAgainstReach(shop, g, data);
    const words = new Map(g.edges.map((e) => [e.key, e.lines.join(' ')]));
    assert.equal(words.get('frontend/web\u2192backend/api'), 'TCP 8080');
    // api and worker both reach postgres on 5432: one arrow from the backend box's border.
    assert.equal(words.get('ns:backend\u2192data/postgres'), 'TCP 5432');
    assert.ok(!words.has('backend/worker\u2192data/postgres'));
  });

  it('more than GRAPH_EXPAND_LIMIT workloads: one closed box per namespace; a namespace opens on request', () => {
    const files = generated(4, 9);
    const { g, data } = model(files);
    assert.ok(g.workloads > GRAPH_EXPAND_LIMIT);
    assert.equal(g.openByDefault, false);
    assert.ok(g.nodes.filter((n) => n.kind === 'namespace').every((n) => !n.container && n.toggle === 'open'));
    checkAgainstReach(files, g, data);
    const open = model(files, { graphOpen: { 'ns:team1': true } }).g;
    const team1 = open.nodes.find((n) => n.key === 'ns:team1')!;
    assert.ok(team1.container && team1.toggle === 'close');
    assert.ok(open.nodes.filter((n) => n.parent === 'ns:team1').length >= 2);
    checkAgainstReach(files, open, data);
    // And the other way round: a small workspace with a namespace closed by the user.
    const closed = model(shop, { graphOpen: { 'ns:backend': false } }).g;
    assert.equal(closed.nodes.find((n) => n.key === 'ns:backend')!.container, false);
    checkAgainstReach(shop, closed, model(shop).data);
  });

  it('the flows of one namespace: only arrows into and out of it, and the boxes they connect', () => {
    const files = generated(4, 9);
    const all = model(files).g;
    const team1 = all.namespaces.find((n) => n.key === 'ns:team1')!;
    const { g } = model(files, { graphFocus: 'ns:team1' });
    assert.equal(g.focus, 'ns:team1');
    assert.ok(g.edges.length > 0);
    assert.equal(g.edges.length, team1.arrows);
    for (const e of g.edges) assert.ok(e.src === 'ns:team1' || e.dst === 'ns:team1', e.key);
    const keys = new Set(g.nodes.map((n) => n.key));
    for (const e of g.edges) assert.ok(keys.has(e.src) && keys.has(e.dst));
    assert.ok(g.nodes.length < all.nodes.length);
    // Opened, the focused namespace keeps its workloads; an unknown focus shows everything.
    const open = model(files, { graphFocus: 'ns:team1', graphOpen: { 'ns:team1': true } }).g;
    for (const e of open.edges) assert.ok([e.src, e.dst].some((k) => k === 'ns:team1' || open.nodes.find((n) => n.key === k)?.parent === 'ns:team1'), e.key);
    assert.equal(model(files, { graphFocus: 'ns:gone' }).g.edges.length, all.edges.length);
  });

  it('changes against the baseline are marked with + / − as well as colour', () => {
    const before = shop.map((f) => (f.path.endsWith(join('policies', 'backend.yaml')) ? { ...f, text: f.text.replace(/port: 5432/g, 'port: 5433') } : f));
    const { g } = model(shop, {}, before);
    const marked = g.edges.filter((e) => e.value.kind !== 'allowed' && e.value.kind !== 'partial');
    assert.ok(marked.length > 0);
    for (const e of marked) assert.match(e.lines.join(' '), /^[+−]|\((\+|−)/, e.key);
    // No marks without a baseline.
    for (const e of model(shop).g.edges) assert.doesNotMatch(e.lines.join(' '), /[+−±]/);
    assert.equal(edgeWords({ kind: 'removed', text: '', removed: { TCP: [[5432, 5432]] } }), '− TCP 5432');
    assert.equal(edgeWords({ kind: 'added', text: '', now: { TCP: [[443, 443]] }, added: { TCP: [[443, 443]] } }), '+ TCP 443');
    assert.equal(edgeWords({ kind: 'changed', text: '', now: { TCP: [[80, 80], [443, 443]] }, added: { TCP: [[443, 443]] } }), 'TCP 80, 443 (+ TCP 443)');
  });

  it('wrapWords breaks at separators and never cuts a word', () => {
    assert.deepEqual(wrapWords('TCP 80'), ['TCP 80']);
    const long = 'TCP 80, 443, 8000-8080, 9090; UDP 53, 123; SCTP 3868; ICMP type 8';
    const lines = wrapWords(long, 20);
    assert.equal(lines.join(' ').replace(/\s+/g, ' '), long);
    for (const l of lines) assert.ok(l.length <= 20, l);
    assert.deepEqual(wrapWords('0123456789abcdefghijklmnopqrstuvwxyz', 10), ['0123456789abcdefghijklmnopqrstuvwxyz']);
  });
});

describe('graph layout (ELK)', () => {
  it('segmentHitsBox: through, beside, touching the border', () => {
    const b = { x: 10, y: 10, width: 20, height: 10 };
    assert.equal(segmentHitsBox({ x: 0, y: 15 }, { x: 40, y: 15 }, b), true);
    assert.equal(segmentHitsBox({ x: 0, y: 5 }, { x: 40, y: 5 }, b), false);
    assert.equal(segmentHitsBox({ x: 10, y: 0 }, { x: 10, y: 40 }, b), false, 'along the border');
    assert.equal(segmentHitsBox({ x: 20, y: 0 }, { x: 20, y: 12 }, b), true, 'ends inside');
    assert.equal(segmentHitsBox({ x: 20, y: 0 }, { x: 20, y: 10 }, b), false, 'ends on the border');
  });

  it('shop: no arrow through a box it does not connect, no overlapping boxes, headers fit', async () => {
    const { g } = model(shop);
    const placed = await layout(g);
    assert.equal(placed.headers.size, g.nodes.filter((n) => n.container).length);
    assert.deepEqual(geometryProblems(g, placed), []);
    // The compact layout (narrow panels) keeps the same guarantees and is narrower.
    const compact = await layout(g, true);
    assert.deepEqual(geometryProblems(g, compact), []);
    assert.ok(compact.width < placed.width, `${compact.width} < ${placed.width}`);
    // A closed namespace next to open ones (arrows between the top level and inside boxes).
    const mixed = model(shop, { graphOpen: { 'ns:backend': false, 'ns:external': false } }).g;
    assert.deepEqual(geometryProblems(mixed, await layout(mixed)), []);
  });

  it('generated workspace, namespace view and with every namespace open: the same geometry holds', async () => {
    const files = generated(4, 9);
    const closed = model(files).g;
    assert.deepEqual(geometryProblems(closed, await layout(closed)), []);
    const open = model(files, { graphOpen: { 'ns:team0': true, 'ns:team1': true, 'ns:team2': true, 'ns:team3': true, 'ns:kube-system': true } }).g;
    assert.ok(open.nodes.filter((n) => n.kind === 'workload').length > 30);
    assert.deepEqual(geometryProblems(open, await layout(open)), []);
  });
});
