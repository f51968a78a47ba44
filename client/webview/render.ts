// DOM-only renderer of the reachability panel: matrix, graph, blast radius, filters and the explanation pane.
// No VS Code API here (the browser playground reuses it); all interaction goes through `PanelCallbacks`.
import type { SourceRange } from '../../server/src/core/model';
import type { Connection, Endpoint, Explanation, ProtocolPorts, RuleRef } from '../../server/src/core/reach-types';
import type { ReachabilityResponse } from '../../server/src/protocol';
import { formatIcmpRange } from '../../server/src/core/ports';
import type { CompareMode, ViewKind, ViewState } from './messages';

export interface PanelModel {
  response?: ReachabilityResponse;
  state: ViewState;
  /** Explanations received for pairs, keyed by `pairKey(src, dst)`. */
  explanations: Map<string, Explanation>;
  /** Last error from the server (the last good response is still shown). */
  error?: string;
  /** Hide the compare selector (e.g. the playground has no saved/HEAD baseline). */
  hideCompare?: boolean;
}

export interface PanelCallbacks {
  /** The view state changed (filters, view, selection, focus, compare); re-render and persist it. */
  setState(state: ViewState): void;
  /** Show the explanation of a pair (allowed or not). */
  explain(src: string, dst: string): void;
  /** Jump to a source range. */
  open(range: SourceRange): void;
}

export const pairKey = (src: string, dst: string) => `${src}\u0000${dst}`;

const EXTERNAL_GROUP = 'external';

// ---------------------------------------------------------------- pure helpers (exported for tests)

/** Formats allowed ports, e.g. `TCP 80, 8000-8080 · UDP 53`; every port of a protocol is `TCP all`. */
export function formatPorts(pp: ProtocolPorts | undefined): string {
  if (!pp) return '';
  const parts: string[] = [];
  for (const proto of Object.keys(pp).sort()) {
    const ranges = pp[proto];
    if (!ranges || ranges.length === 0) continue;
    const full = ranges.length === 1 && ranges[0][0] <= 1 && ranges[0][1] >= 65535;
    if (proto === 'ICMP' || proto === 'ICMPv6') {
      // Calico ICMP values encode type*256+code (server/src/core/ports.ts).
      parts.push(full ? `${proto} all` : `${proto} ${ranges.map(([a, b]) => formatIcmpRange(a, b)).join(', ')}`);
      continue;
    }
    if (ranges.length === 1 && ranges[0][0] === 0 && ranges[0][1] === 0) {
      parts.push(`protocol ${proto}`); // a protocol without ports (Calico rules may name any IP protocol)
      continue;
    }
    const text = full ? 'all' : ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(', ');
    parts.push(`${proto} ${text}`);
  }
  const all = ['SCTP', 'TCP', 'UDP'];
  // Everything: all TCP/UDP/SCTP ports (Kubernetes), plus, with Calico, all ICMP/ICMPv6 and any named protocols.
  const extras = parts.filter((p) => !all.some((a) => p === `${a} all`));
  const calicoAll = extras.includes('ICMP all') && extras.includes('ICMPv6 all') && extras.every((p) => p.endsWith(' all') || p.startsWith('protocol '));
  if (all.every((p) => parts.includes(`${p} all`)) && (extras.length === 0 || calicoAll)) return 'all';
  return parts.join(' · ');
}

function isEmpty(pp: ProtocolPorts | undefined): boolean {
  return !pp || Object.values(pp).every((r) => !r || r.length === 0);
}

/** Keeps the part of `pp` that matches the protocol ("any" or a name) and port ("" or a number) filters. */
export function filterPorts(pp: ProtocolPorts | undefined, protocol: string, port: string): ProtocolPorts | undefined {
  if (!pp) return undefined;
  const wantPort = port.trim() === '' ? undefined : Number(port.trim());
  const out: ProtocolPorts = {};
  for (const [proto, ranges] of Object.entries(pp)) {
    if (protocol !== 'any' && proto !== protocol) continue;
    if (wantPort === undefined || !Number.isInteger(wantPort)) {
      if (ranges.length) out[proto] = ranges;
      continue;
    }
    if (ranges.some(([a, b]) => a <= wantPort && wantPort <= b)) out[proto] = [[wantPort, wantPort]];
  }
  return isEmpty(out) ? undefined : out;
}

export interface PairView {
  src: string;
  dst: string;
  /** Allowed now (after filters). */
  now?: ProtocolPorts;
  /** Allowed now but not in the baseline. */
  added?: ProtocolPorts;
  /** Allowed in the baseline but not now. */
  removed?: ProtocolPorts;
  connection?: Connection;
}

/** Joins current connections with the diff into one record per pair, applying the port/protocol filters. */
export function pairViews(resp: ReachabilityResponse, state: Pick<ViewState, 'port' | 'protocol'>): Map<string, PairView> {
  const out = new Map<string, PairView>();
  const get = (src: string, dst: string) => {
    const k = pairKey(src, dst);
    let v = out.get(k);
    if (!v) out.set(k, (v = { src, dst }));
    return v;
  };
  for (const c of resp.result!.connections) {
    const f = filterPorts(c.protocols, state.protocol, state.port);
    if (f) Object.assign(get(c.src, c.dst), { now: f, connection: c });
  }
  for (const c of resp.diff?.added ?? []) {
    const f = filterPorts(c.protocols, state.protocol, state.port);
    if (f) get(c.src, c.dst).added = f;
  }
  for (const c of resp.diff?.removed ?? []) {
    const f = filterPorts(c.protocols, state.protocol, state.port);
    if (f) get(c.src, c.dst).removed = f;
  }
  return out;
}

export function groupOf(e: Endpoint): string {
  return e.kind === 'External' ? EXTERNAL_GROUP : e.namespace ?? '';
}

export function namespacesOf(resp: ReachabilityResponse): string[] {
  const set = new Set<string>();
  for (const e of resp.result!.endpoints) if (e.kind !== 'External' && e.namespace) set.add(e.namespace);
  return [...set].sort();
}

/** The endpoints shown under the current namespace/external filters, ordered by group then name. */
export function visibleEndpoints(resp: ReachabilityResponse, state: ViewState): Endpoint[] {
  const eps = resp.result!.endpoints.filter((e) =>
    e.kind === 'External' ? state.showExternal : state.namespaces === null || state.namespaces.includes(e.namespace ?? ''),
  );
  const rank = (e: Endpoint) => (e.kind === 'External' ? 1 : 0);
  return eps.sort((a, b) => rank(a) - rank(b) || groupOf(a).localeCompare(groupOf(b)) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** Blast radius of one endpoint: what it can reach and what can reach it (filters applied). */
export function blastRadius(resp: ReachabilityResponse, state: ViewState, id: string): { out: PairView[]; in: PairView[] } {
  const pairs = pairViews(resp, state);
  const outs: PairView[] = [];
  const ins: PairView[] = [];
  for (const p of pairs.values()) {
    if (!p.now && !p.added && !p.removed) continue;
    if (p.src === id && p.dst !== id) outs.push(p);
    if (p.dst === id && p.src !== id) ins.push(p);
  }
  const by = (k: 'src' | 'dst') => (a: PairView, b: PairView) => a[k].localeCompare(b[k]);
  return { out: outs.sort(by('dst')), in: ins.sort(by('src')) };
}

// ---------------------------------------------------------------- DOM helpers

type Attrs = Record<string, string | number | boolean | undefined>;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string | undefined | false)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  for (const c of children) if (c !== undefined && c !== false) el.append(c);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
function s(tag: string, attrs: Attrs = {}, ...children: (Node | string)[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag) as SVGElement;
  setAttrs(el, attrs);
  for (const c of children) el.append(c);
  return el;
}

function setAttrs(el: Element, attrs: Attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
}

/** `a.b.c.d-e.f.g.h` as a CIDR when the range is exactly one CIDR block (IPv4); otherwise unchanged. */
export function rangeLabel(range: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)-(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(range);
  if (!m) return range;
  const n = m.slice(1).map(Number);
  const lo = ((n[0] << 24) >>> 0) + (n[1] << 16) + (n[2] << 8) + n[3];
  const hi = ((n[4] << 24) >>> 0) + (n[5] << 16) + (n[6] << 8) + n[7];
  const size = hi - lo + 1;
  const bits = Math.log2(size);
  if (!Number.isInteger(bits) || lo % size !== 0) return range;
  return `${n.slice(0, 4).join('.')}/${32 - bits}`;
}

function endpointLabel(e: Endpoint | undefined, id: string): string {
  if (!e) return id;
  if (e.kind === 'External') return rangeLabel(e.name || e.id);
  return e.name;
}

function pairTitle(byId: Map<string, Endpoint>, src: string, dst: string): string {
  const f = (id: string) => {
    const e = byId.get(id);
    return e && e.kind !== 'External' ? id : endpointLabel(e, id);
  };
  return `${f(src)} → ${f(dst)}`;
}

function pairStatus(p: PairView | undefined): { cls: string; text: string } {
  if (!p || (!p.now && !p.removed)) return { cls: 'denied', text: 'denied' };
  if (p.added && p.removed) return { cls: 'changed', text: `${formatPorts(p.now)} (changed)` };
  if (p.added) return { cls: 'added', text: formatPorts(p.now) };
  if (p.removed && !p.now) return { cls: 'removed', text: formatPorts(p.removed) };
  if (p.removed) return { cls: 'changed', text: formatPorts(p.now) };
  return { cls: 'allowed', text: formatPorts(p.now) };
}

// ---------------------------------------------------------------- renderer

export function renderPanel(root: HTMLElement, model: PanelModel, cb: PanelCallbacks): void {
  const focusedKey = (document.activeElement as HTMLElement | null)?.dataset?.focusKey;
  root.replaceChildren();
  root.classList.add('pl-panel');
  const { response, state } = model;
  const update = (patch: Partial<ViewState>) => cb.setState({ ...state, ...patch });

  root.append(renderToolbar(model, update));
  const status = h('div', { class: 'pl-status', role: 'status', 'aria-live': 'polite' });
  root.append(status);
  if (model.error) status.append(h('div', { class: 'pl-error' }, `Reachability could not be refreshed: ${model.error}`));

  if (!response) {
    status.append(h('div', {}, 'Analysing the workspace…'));
    return;
  }
  if (response.stale) {
    status.append(
      h('div', { class: 'pl-warning', 'data-testid': 'stale' },
        `YAML is broken in ${response.staleFiles.map(shortFile).join(', ')}; showing the last good state of ${response.staleFiles.length === 1 ? 'that file' : 'those files'}.`),
    );
  }
  const errors = response.result!.diagnostics.filter((d) => d.severity === 'error').length;
  const summary = h('div', { class: 'pl-summary' },
    `${response.result!.endpoints.filter((e) => e.kind !== 'External').length} workloads, ${response.result!.connections.length} allowed connections`,
    errors ? ` · ${errors} error${errors === 1 ? '' : 's'} in the policies` : '');
  if (response.diff) {
    const a = response.diff.added.length;
    const r = response.diff.removed.length;
    const base = state.compare === 'head' ? 'git HEAD' : state.compare === 'staged' ? 'the enforced policies (what-if: staged policies applied)' : 'the saved files';
    summary.append(' · ', h('span', { class: 'pl-added-text' }, `${a} newly allowed`), ', ', h('span', { class: 'pl-removed-text' }, `${r} newly blocked`), ` vs ${base}`);
  }
  status.append(summary);
  if (response.baselineError) status.append(h('div', { class: 'pl-warning', 'data-testid': 'baseline-error' }, `Impact preview unavailable: ${response.baselineError}`));

  const byId = new Map(response.result!.endpoints.map((e) => [e.id, e] as const));
  const pairs = pairViews(response, state);
  const body = h('div', { class: 'pl-body' });
  const main = h('div', { class: 'pl-main', role: 'tabpanel', id: `pl-view-${state.view}`, 'aria-labelledby': `pl-tab-${state.view}` });
  body.append(main);
  const select = (src: string, dst: string) => {
    update({ selected: { src, dst } });
    cb.explain(src, dst);
  };
  if (state.view === 'matrix') main.append(renderMatrix(response, state, pairs, byId, select));
  else if (state.view === 'graph') main.append(renderGraph(response, state, pairs, byId, select, (id) => update({ focus: id })));
  else main.append(renderBlast(response, state, byId, select, (id) => update({ focus: id })));
  body.append(renderExplanation(model, pairs, byId, cb));
  root.append(body);

  if (focusedKey) {
    const again = root.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(focusedKey)}"]`);
    again?.focus();
  }
}

function shortFile(p: string): string {
  const m = /[^/\\]+$/.exec(p);
  return m ? decodeURIComponent(m[0]) : p;
}

function renderToolbar(model: PanelModel, update: (p: Partial<ViewState>) => void): HTMLElement {
  const { state, response } = model;
  const bar = h('div', { class: 'pl-toolbar' });
  const tabs = h('div', { class: 'pl-tabs', role: 'tablist', 'aria-label': 'View' });
  const views: [ViewKind, string][] = [['matrix', 'Matrix'], ['graph', 'Graph'], ['blast', 'Blast radius']];
  for (const [v, label] of views) {
    const b = h('button', {
      class: 'pl-tab', role: 'tab', id: `pl-tab-${v}`, 'aria-selected': String(state.view === v), 'aria-controls': `pl-view-${v}`,
      tabindex: state.view === v ? 0 : -1, 'data-focus-key': `tab-${v}`, 'data-view': v,
    }, label);
    b.addEventListener('click', () => update({ view: v }));
    b.addEventListener('keydown', (ev) => {
      const i = views.findIndex(([x]) => x === v);
      const d = ev.key === 'ArrowRight' ? 1 : ev.key === 'ArrowLeft' ? -1 : 0;
      if (!d) return;
      ev.preventDefault();
      const next = views[(i + d + views.length) % views.length][0];
      update({ view: next });
    });
    tabs.append(b);
  }
  bar.append(tabs);

  if (!model.hideCompare) {
    const cmp = h('select', { id: 'pl-compare', 'data-focus-key': 'compare' });
    for (const [v, label] of [['none', 'No comparison'], ['saved', 'Compare with saved'], ['head', 'Compare with git HEAD'], ['staged', 'What-if: staged policies']] as [CompareMode, string][]) {
      cmp.append(h('option', { value: v, selected: state.compare === v }, label));
    }
    cmp.addEventListener('change', () => update({ compare: cmp.value as CompareMode }));
    bar.append(h('label', { class: 'pl-field' }, 'Impact ', cmp));
  }

  const nsBox = h('details', { class: 'pl-ns' });
  const all = response ? namespacesOf(response) : [];
  const shown = state.namespaces === null ? all : state.namespaces;
  nsBox.append(h('summary', { 'data-focus-key': 'ns-summary' }, `Namespaces (${state.namespaces === null ? 'all' : `${shown.filter((n) => all.includes(n)).length}/${all.length}`})`));
  const list = h('div', { class: 'pl-ns-list', role: 'group', 'aria-label': 'Namespaces' });
  for (const ns of all) {
    const cbx = h('input', { type: 'checkbox', checked: shown.includes(ns), 'data-focus-key': `ns-${ns}`, 'data-ns': ns });
    cbx.addEventListener('change', () => {
      const cur = new Set(state.namespaces === null ? all : state.namespaces);
      if (cbx.checked) cur.add(ns);
      else cur.delete(ns);
      const next = all.filter((n) => cur.has(n));
      update({ namespaces: next.length === all.length ? null : next });
    });
    list.append(h('label', {}, cbx, ` ${ns}`));
  }
  const ext = h('input', { type: 'checkbox', checked: state.showExternal, 'data-focus-key': 'ns-external' });
  ext.addEventListener('change', () => update({ showExternal: ext.checked }));
  list.append(h('label', {}, ext, ' external / internet'));
  nsBox.append(list);
  nsBox.open = nsDropdownOpen;
  nsBox.addEventListener('toggle', () => (nsDropdownOpen = nsBox.open));
  bar.append(nsBox);

  const port = h('input', { id: 'pl-port', type: 'text', inputmode: 'numeric', size: 6, placeholder: 'any', value: state.port, 'data-focus-key': 'port', 'aria-label': 'Port filter' });
  let portTimer: ReturnType<typeof setTimeout> | undefined;
  port.addEventListener('input', () => {
    if (portTimer) clearTimeout(portTimer);
    portTimer = setTimeout(() => update({ port: port.value }), 300);
  });
  bar.append(h('label', { class: 'pl-field' }, 'Port ', port));

  const proto = h('select', { id: 'pl-protocol', 'data-focus-key': 'protocol', 'aria-label': 'Protocol filter' });
  const protos = new Set(['TCP', 'UDP', 'SCTP']);
  for (const c of response?.result?.connections ?? []) for (const p of Object.keys(c.protocols)) protos.add(p);
  proto.append(h('option', { value: 'any', selected: state.protocol === 'any' }, 'any'));
  for (const p of [...protos].sort()) proto.append(h('option', { value: p, selected: state.protocol === p }, p));
  proto.addEventListener('change', () => update({ protocol: proto.value }));
  bar.append(h('label', { class: 'pl-field' }, 'Protocol ', proto));
  return bar;
}
// Whether the namespace dropdown is open, kept across re-renders.
let nsDropdownOpen = false;

function renderMatrix(
  resp: ReachabilityResponse,
  state: ViewState,
  pairs: Map<string, PairView>,
  byId: Map<string, Endpoint>,
  select: (src: string, dst: string) => void,
): HTMLElement {
  const eps = visibleEndpoints(resp, state);
  if (eps.length === 0) return h('p', { class: 'pl-empty' }, 'No workloads match the filters.');
  const groups: { name: string; eps: Endpoint[] }[] = [];
  for (const e of eps) {
    const g = groupOf(e);
    if (groups.length && groups[groups.length - 1].name === g) groups[groups.length - 1].eps.push(e);
    else groups.push({ name: g, eps: [e] });
  }
  const table = h('table', { class: 'pl-matrix', role: 'grid', 'aria-label': 'Reachability matrix: rows are sources, columns are destinations' });
  const thead = h('thead');
  const r1 = h('tr', {}, h('th', { rowspan: 2, class: 'pl-corner', scope: 'col' }, 'from ↓ / to →'));
  for (const g of groups) r1.append(h('th', { colspan: g.eps.length, scope: 'colgroup', class: 'pl-group' }, g.name === EXTERNAL_GROUP ? 'external' : g.name));
  const r2 = h('tr');
  for (const e of eps) r2.append(h('th', { scope: 'col', class: 'pl-colhead', title: e.id }, h('span', {}, endpointLabel(e, e.id))));
  thead.append(r1, r2);
  table.append(thead);
  const tbody = h('tbody');
  eps.forEach((src, ri) => {
    const tr = h('tr');
    const g = groups.find((x) => x.eps[0] === src);
    if (g) tbody.append(h('tr', { class: 'pl-grouprow' }, h('th', { colspan: eps.length + 1, scope: 'rowgroup', class: 'pl-group' }, g.name === EXTERNAL_GROUP ? 'external / internet' : `namespace ${g.name}`)));
    tr.append(h('th', { scope: 'row', class: 'pl-rowhead', title: src.id }, endpointLabel(src, src.id)));
    eps.forEach((dst, ci) => {
      if (src.id === dst.id || (src.kind === 'External' && dst.kind === 'External')) {
        tr.append(h('td', { class: 'pl-cell pl-self', 'aria-label': 'not applicable' }, ''));
        return;
      }
      const p = pairs.get(pairKey(src.id, dst.id));
      const st = pairStatus(p);
      const selected = state.selected?.src === src.id && state.selected?.dst === dst.id;
      const btn = h('button', {
        class: `pl-cellbtn ${st.cls}${selected ? ' selected' : ''}`,
        'data-src': src.id, 'data-dst': dst.id, 'data-row': ri, 'data-col': ci, 'data-focus-key': `cell-${src.id}-${dst.id}`,
        'aria-label': `${pairTitle(byId, src.id, dst.id)}: ${st.cls === 'denied' ? 'denied' : `${st.cls} ${st.text}`}`,
        'aria-pressed': String(selected),
        title: `${pairTitle(byId, src.id, dst.id)}\n${st.cls === 'denied' ? 'denied' : st.text}${p?.added ? `\nnewly allowed: ${formatPorts(p.added)}` : ''}${p?.removed ? `\nnewly blocked: ${formatPorts(p.removed)}` : ''}`,
      }, st.cls === 'denied' ? '·' : st.text);
      btn.addEventListener('click', () => select(src.id, dst.id));
      btn.addEventListener('keydown', (ev) => moveInGrid(table, ev, ri, ci));
      tr.append(h('td', { class: 'pl-cell' }, btn));
    });
    tbody.append(tr);
  });
  table.append(tbody);
  return h('div', { class: 'pl-matrix-wrap' }, table);
}

function moveInGrid(table: HTMLElement, ev: KeyboardEvent, row: number, col: number) {
  const d: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  const m = d[ev.key];
  if (!m) return;
  ev.preventDefault();
  let [r, c] = [row + m[0], col + m[1]];
  for (let i = 0; i < 200; i++) {
    const next = table.querySelector<HTMLElement>(`button[data-row="${r}"][data-col="${c}"]`);
    if (next) {
      next.focus();
      return;
    }
    if (!table.querySelector(`[data-row="${r}"]`) && !table.querySelector(`[data-col="${c}"]`)) return;
    r += m[0];
    c += m[1];
  }
}

function renderGraph(
  resp: ReachabilityResponse,
  state: ViewState,
  pairs: Map<string, PairView>,
  byId: Map<string, Endpoint>,
  select: (src: string, dst: string) => void,
  focus: (id: string | undefined) => void,
): HTMLElement {
  const eps = visibleEndpoints(resp, state);
  if (eps.length === 0) return h('p', { class: 'pl-empty' }, 'No workloads match the filters.');
  const groups: string[] = [];
  for (const e of eps) if (!groups.includes(groupOf(e))) groups.push(groupOf(e));
  // Layout: one horizontal band per namespace (externals last), workloads side by side inside their band.
  const colW = 185;
  const bandH = 96;
  const nodeW = 160;
  const nodeH = 32;
  const left = 16;
  const top = 34;
  const pos = new Map<string, { x: number; y: number }>();
  let maxCols = 0;
  groups.forEach((g, gi) => {
    const members = eps.filter((e) => groupOf(e) === g);
    maxCols = Math.max(maxCols, members.length);
    members.forEach((e, i) => pos.set(e.id, { x: left + i * colW, y: top + gi * bandH }));
  });
  const width = left * 2 + Math.max(1, maxCols) * colW;
  const height = top + groups.length * bandH - 20;
  const svg = s('svg', { class: 'pl-graph', viewBox: `0 0 ${width} ${height}`, width, height, role: 'group', 'aria-label': 'Reachability graph: workloads as nodes grouped by namespace, allowed flows as arrows' });
  const defs = s('defs');
  for (const cls of ['allowed', 'added', 'removed', 'changed', 'selected']) {
    defs.append(s('marker', { id: `arrow-${cls}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: `pl-arrow ${cls}` })));
  }
  svg.append(defs);
  groups.forEach((g, gi) => {
    const y = top + gi * bandH;
    svg.append(s('rect', { x: 4, y: y - 24, width: width - 8, height: nodeH + 34, rx: 8, class: 'pl-band' }));
    svg.append(s('text', { x: left, y: y - 8, class: 'pl-graph-group' }, g === EXTERNAL_GROUP ? 'external / internet' : `namespace ${g}`));
  });
  const related = (p: PairView) => !state.focus || p.src === state.focus || p.dst === state.focus;
  const edges = s('g', { class: 'pl-edges' });
  const visible = new Set(eps.map((e) => e.id));
  const list = [...pairs.values()].filter((p) => (p.now || p.removed) && p.src !== p.dst && visible.has(p.src) && visible.has(p.dst));
  list.sort((a, b) => a.src.localeCompare(b.src) || a.dst.localeCompare(b.dst));
  let edgeIndex = 0;
  for (const p of list) {
    const a = pos.get(p.src)!;
    const b = pos.get(p.dst)!;
    const st = pairStatus(p);
    const selected = state.selected?.src === p.src && state.selected?.dst === p.dst;
    let d: string;
    let lx: number;
    let ly: number;
    if (a.y === b.y) {
      // Same band: an arc above the band; the two directions of a pair use different heights.
      const dir = a.x < b.x ? 1 : -1;
      const x1 = a.x + nodeW / 2 + dir * 10;
      const x2 = b.x + nodeW / 2 - dir * 10;
      const lift = 18 + Math.abs(x2 - x1) / 8 + (dir > 0 ? 0 : 10);
      d = `M ${x1} ${a.y} C ${x1} ${a.y - lift}, ${x2} ${b.y - lift}, ${x2} ${b.y}`;
      lx = (x1 + x2) / 2;
      ly = a.y - lift * 0.75;
    } else {
      // Different bands: leave the source at its bottom (or top), arrive at the destination's top (or bottom);
      // downward and upward flows of the same pair are offset sideways so both stay visible.
      const down = a.y < b.y;
      const off = down ? -12 : 12;
      const x1 = a.x + nodeW / 2 + off;
      const x2 = b.x + nodeW / 2 + off;
      const y1 = down ? a.y + nodeH : a.y;
      const y2 = down ? b.y : b.y + nodeH;
      if (Math.abs(b.y - a.y) <= bandH) {
        // Adjacent bands: nothing in between, a smooth curve.
        const bend = (y2 - y1) / 2;
        d = `M ${x1} ${y1} C ${x1} ${y1 + bend}, ${x2} ${y2 - bend}, ${x2} ${y2}`;
        lx = (x1 + x2) / 2;
        ly = (y1 + y2) / 2;
      } else {
        // Bands in between: run through the empty gap between node columns next to the destination, so the
        // arrow never crosses a workload; a per-edge lane offset keeps parallel arrows apart.
        const lane = (edgeIndex % 5) * 3;
        const srcCol = Math.round((a.x - left) / colW);
        const dstCol = Math.round((b.x - left) / colW);
        // The gap left of the destination when coming from the left, else the gap right of it.
        const gapCol = srcCol < dstCol ? dstCol : dstCol + 1;
        const cx = left + gapCol * colW - (colW - nodeW) / 2 + (lane - 6);
        const yA = down ? y1 + 10 + lane : y1 - 10 - lane;
        const yB = down ? y2 - 10 - lane : y2 + 10 + lane;
        d = `M ${x1} ${y1} V ${yA} H ${cx} V ${yB} H ${x2} V ${y2}`;
        lx = cx + 4;
        ly = (yA + yB) / 2;
      }
    }
    edgeIndex++;
    const label = `${pairTitle(byId, p.src, p.dst)}: ${st.cls} ${st.text}`;
    const g = s('g', {
      class: `pl-edge ${st.cls}${selected ? ' selected' : ''}${related(p) ? '' : ' dim'}`,
      tabindex: 0, role: 'button', 'aria-label': label, 'data-src': p.src, 'data-dst': p.dst, 'data-focus-key': `edge-${p.src}-${p.dst}`,
    });
    g.append(s('title', {}, label));
    g.append(s('path', { d, class: 'pl-edge-hit' }));
    g.append(s('path', { d, class: 'pl-edge-line', 'marker-end': `url(#arrow-${selected ? 'selected' : st.cls})` }));
    if (selected || (state.focus && related(p))) {
      g.append(s('text', { x: lx + 4, y: ly, class: 'pl-edge-label' }, st.text));
    }
    const act = () => select(p.src, p.dst);
    g.addEventListener('click', act);
    g.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        act();
      }
    });
    edges.append(g);
  }
  svg.append(edges);
  const nodes = s('g', { class: 'pl-nodes' });
  for (const e of eps) {
    const p = pos.get(e.id)!;
    const isFocus = state.focus === e.id;
    const dim = state.focus && !isFocus && !list.some((x) => related(x) && (x.src === e.id || x.dst === e.id));
    const g = s('g', {
      class: `pl-node${e.kind === 'External' ? ' external' : ''}${isFocus ? ' focus' : ''}${dim ? ' dim' : ''}`,
      tabindex: 0, role: 'button', 'data-id': e.id, 'data-focus-key': `node-${e.id}`,
      'aria-label': `${e.kind} ${e.id}${isFocus ? ' (blast radius shown)' : ''}. Press Enter to show its blast radius.`,
      'aria-pressed': String(isFocus),
    });
    g.append(s('title', {}, `${e.kind} ${e.id}`));
    g.append(s('rect', { x: p.x, y: p.y, width: nodeW, height: nodeH, rx: 6 }));
    const text = endpointLabel(e, e.id);
    g.append(s('text', { x: p.x + 10, y: p.y + 20 }, text.length > 24 ? `${text.slice(0, 23)}…` : text));
    const act = () => focus(isFocus ? undefined : e.id);
    g.addEventListener('click', act);
    g.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        act();
      }
    });
    nodes.append(g);
  }
  svg.append(nodes);
  const wrap = h('div', { class: 'pl-graph-wrap' });
  wrap.append(h('p', { class: 'pl-hint' }, 'Click an arrow for its explanation; click a workload to highlight its blast radius.'));
  wrap.append(svg);
  return wrap;
}

function renderBlast(
  resp: ReachabilityResponse,
  state: ViewState,
  byId: Map<string, Endpoint>,
  select: (src: string, dst: string) => void,
  focus: (id: string | undefined) => void,
): HTMLElement {
  const wrap = h('div', { class: 'pl-blast' });
  const workloads = resp.result!.endpoints.filter((e) => e.kind !== 'External').sort((a, b) => a.id.localeCompare(b.id));
  const sel = h('select', { id: 'pl-blast-select', 'data-focus-key': 'blast-select', 'aria-label': 'Workload' });
  sel.append(h('option', { value: '', selected: !state.focus }, 'Pick a workload…'));
  for (const w of workloads) sel.append(h('option', { value: w.id, selected: state.focus === w.id }, `${w.id} (${w.kind})`));
  sel.addEventListener('change', () => focus(sel.value || undefined));
  wrap.append(h('label', { class: 'pl-field' }, 'Blast radius of ', sel));
  if (!state.focus || !byId.has(state.focus)) {
    wrap.append(h('p', { class: 'pl-hint' }, 'Pick a workload to list everything it can reach (including external CIDRs) and everything that can reach it.'));
    return wrap;
  }
  const br = blastRadius(resp, state, state.focus);
  const list = (title: string, items: PairView[], other: 'src' | 'dst') => {
    const sec = h('section', { class: 'pl-blast-col', 'aria-label': title });
    sec.append(h('h3', {}, `${title} (${items.filter((p) => p.now).length})`));
    if (items.length === 0) sec.append(h('p', { class: 'pl-hint' }, 'nothing'));
    const ul = h('ul');
    for (const p of items) {
      const st = pairStatus(p);
      const id = p[other];
      const e = byId.get(id);
      const btn = h('button', { class: `pl-blast-item ${st.cls}`, 'data-src': p.src, 'data-dst': p.dst, 'data-focus-key': `blast-${p.src}-${p.dst}` },
        h('span', { class: 'pl-blast-name' }, e?.kind === 'External' ? `${endpointLabel(e, id)} (external)` : id),
        h('span', { class: 'pl-blast-ports' }, st.cls === 'removed' ? `newly blocked: ${formatPorts(p.removed)}` : st.text));
      btn.addEventListener('click', () => select(p.src, p.dst));
      ul.append(h('li', {}, btn));
    }
    sec.append(ul);
    return sec;
  };
  wrap.append(h('div', { class: 'pl-blast-cols' }, list('Can reach', br.out, 'dst'), list('Reachable from', br.in, 'src')));
  return wrap;
}

function renderExplanation(model: PanelModel, pairs: Map<string, PairView>, byId: Map<string, Endpoint>, cb: PanelCallbacks): HTMLElement {
  const pane = h('aside', { class: 'pl-explain', 'aria-label': 'Explanation', 'aria-live': 'polite', id: 'pl-explain' });
  const sel = model.state.selected;
  if (!sel) {
    pane.append(h('p', { class: 'pl-hint' }, 'Select a cell or an arrow to see which policy rule allows the flow, or why it is denied.'));
    return pane;
  }
  const p = pairs.get(pairKey(sel.src, sel.dst));
  const st = pairStatus(p);
  pane.append(h('h2', {}, pairTitle(byId, sel.src, sel.dst)));
  pane.append(h('p', { class: `pl-verdict ${st.cls}`, 'data-testid': 'verdict' },
    st.cls === 'denied' ? 'Denied' : st.cls === 'removed' ? `Newly blocked (was allowed: ${formatPorts(p?.removed)})` : `Allowed: ${formatPorts(p?.now)}`));
  if (p?.added) pane.append(h('p', { class: 'pl-added-text' }, `Newly allowed by the current edits: ${formatPorts(p.added)}`));
  if (p?.removed && p.now) pane.append(h('p', { class: 'pl-removed-text' }, `Newly blocked by the current edits: ${formatPorts(p.removed)}`));
  const ex = model.explanations.get(pairKey(sel.src, sel.dst));
  if (!ex) {
    pane.append(h('p', { class: 'pl-hint' }, 'Loading the explanation…'));
    return pane;
  }
  pane.append(h('p', { class: 'pl-summary-text', 'data-testid': 'explanation' }, ex.summary));
  const dirBlock = (title: string, v: Explanation['egress']) => {
    if (!v) return undefined;
    const sec = h('section', { class: 'pl-dir' });
    sec.append(h('h3', {}, title));
    sec.append(h('p', {}, v.text));
    if (v.selectedBy.length) {
      const ul = h('ul', { class: 'pl-refs' });
      for (const r of v.selectedBy) ul.append(h('li', {}, 'selected by ', link(r.policy, r.range, cb)));
      sec.append(h('div', { class: 'pl-reflabel' }, 'Policies isolating it:'), ul);
    }
    if (v.allowedBy.length) {
      const ul = h('ul', { class: 'pl-refs' });
      for (const r of v.allowedBy) ul.append(h('li', {}, link(ruleLabel(r), r.range, cb), ` — ${formatPorts(r.protocols) || 'nothing'}`));
      sec.append(h('div', { class: 'pl-reflabel' }, 'Allowed by:'), ul);
    }
    return sec;
  };
  const e1 = dirBlock('Egress of the source', ex.egress);
  const e2 = dirBlock('Ingress of the destination', ex.ingress);
  if (e1) pane.append(e1);
  if (e2) pane.append(e2);
  return pane;
}

function ruleLabel(r: RuleRef): string {
  return `${r.policy} ${r.direction.toLowerCase()} rule ${r.ruleIndex + 1}`;
}

function link(text: string, range: SourceRange | undefined, cb: PanelCallbacks): HTMLElement {
  if (!range) return h('span', {}, text);
  const a = h('a', { href: '#', class: 'pl-link', title: `${shortFile(range.file)}:${range.start.line + 1}`, 'data-focus-key': `link-${text}` }, text);
  a.addEventListener('click', (ev) => {
    ev.preventDefault();
    cb.open(range);
  });
  return a;
}
