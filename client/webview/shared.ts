// Shared pieces of the reachability panel renderer: the model and callbacks, DOM helpers, labels, and the
// pair-level helpers the graph view uses (expanded from PanelData for the visible endpoints). No VS Code API here
// (the browser playground reuses the renderer). The words come from the one formatter (core/explain/format.ts).
import type { SourceRange } from '../../server/src/core/model';
import type { Endpoint, ProtocolPorts } from '../../server/src/core/reach-types';
import type { ExplainResponse, FlowsResponse, ReachabilityResponse } from '../../server/src/protocol';
import { describeConns } from '../../server/src/core/explain/format';
import { externalName } from '../../server/src/core/explain/externals';
import { cellValue, indexPanel, isExternal, type Item, type PanelIndex } from './data';
import type { ExportFormat, ViewState } from './messages';

export interface PanelModel {
  response?: ReachabilityResponse;
  state: ViewState;
  /** Explanations received for pairs, keyed by `pairKey(src, dst)`. */
  explanations: Map<string, ExplainResponse>;
  /** Last error from the server (the last good response is still shown). */
  error?: string;
  /** Hide the compare selector (e.g. the playground has no saved/HEAD baseline). */
  hideCompare?: boolean;
  /** What the diff compares with, in words, when the host knows better than the compare mode (the playground). */
  baselineName?: string;
  /** The newest content version the host announced; the data is out of date while its version is older. */
  latestVersion?: number;
  /** A refresh is under way. */
  refreshing?: boolean;
  /** Progress of the analysis under way (from the server), if it reports any. */
  progress?: { version: number; done: number; total: number };
  /** Imported flow logs classified against the workspace (the observed-flows overlay), when there are any. */
  flows?: FlowsResponse;
  /** Why the flow logs could not be classified. */
  flowsError?: string;
}

export interface PanelCallbacks {
  /** The view state changed (filters, view, selection, focus, compare); re-render and persist it. */
  setState(state: ViewState): void;
  /** Show the explanation of a pair (allowed or not). */
  explain(src: string, dst: string): void;
  /** Jump to a source range. */
  open(range: SourceRange): void;
  /** Save or copy exported text (CSV or markdown). */
  export?(format: ExportFormat, action: 'save' | 'copy', text: string): void;
}

export const pairKey = (src: string, dst: string) => `${src}\u0000${dst}`;

export const EXTERNAL_GROUP = 'external';

const indexes = new WeakMap<object, PanelIndex>();
/** The index of a response's PanelData (built once per response). */
export function panelIndex(resp: ReachabilityResponse): PanelIndex {
  let idx = indexes.get(resp.data);
  if (!idx) indexes.set(resp.data, (idx = indexPanel(resp.data)));
  return idx;
}

// ---------------------------------------------------------------- pair helpers (graph view)

export interface PairView {
  src: string;
  dst: string;
  /** Allowed now (after filters). */
  now?: ProtocolPorts;
  /** Allowed now but not in the baseline. */
  added?: ProtocolPorts;
  /** Allowed in the baseline but not now. */
  removed?: ProtocolPorts;
}

export function groupOf(e: Endpoint): string {
  return e.kind === 'External' ? EXTERNAL_GROUP : e.namespace ?? '';
}

export function namespacesOf(resp: ReachabilityResponse): string[] {
  const set = new Set<string>();
  for (const e of resp.data.endpoints) if (e.kind !== 'External' && e.namespace) set.add(e.namespace);
  return [...set].sort();
}

/** The endpoints shown under the current namespace/external filters, ordered by group then name. */
export function visibleEndpoints(resp: ReachabilityResponse, state: ViewState): Endpoint[] {
  const eps = resp.data.endpoints.filter((e) =>
    e.kind === 'External' ? state.showExternal : state.namespaces === null || state.namespaces.includes(e.namespace ?? ''),
  );
  const rank = (e: Endpoint) => (e.kind === 'External' ? 1 : 0);
  return eps.sort((a, b) => rank(a) - rank(b) || groupOf(a).localeCompare(groupOf(b)) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/**
 * Every pair of visible endpoints with something allowed or changed, expanded from the classes (quadratic in the
 * visible endpoints: for the graph of small workspaces only).
 */
export function pairViews(resp: ReachabilityResponse, state: ViewState): Map<string, PairView> {
  const idx = panelIndex(resp);
  const eps = visibleEndpoints(resp, state).map((e) => idx.byId.get(e.id)!);
  const item = (i: number): Item => ({ kind: 'ep', key: idx.data.endpoints[i].id, ns: '', eps: [i], label: '', depth: 1, id: idx.data.endpoints[i].id });
  const out = new Map<string, PairView>();
  for (const s of eps) {
    for (const d of eps) {
      if (s === d) continue;
      if (isExternal(idx.data.endpoints[s]) && isExternal(idx.data.endpoints[d])) continue;
      const v = cellValue(idx, item(s), item(d), state);
      if (!v.now && !v.added && !v.removed) continue;
      const src = idx.data.endpoints[s].id;
      const dst = idx.data.endpoints[d].id;
      out.set(pairKey(src, dst), { src, dst, now: v.now, added: v.added, removed: v.removed });
    }
  }
  return out;
}

export function pairStatus(p: PairView | undefined): { cls: string; text: string } {
  if (!p || (!p.now && !p.removed)) return { cls: 'denied', text: 'denied' };
  if (p.added && p.removed) return { cls: 'changed', text: `${describeConns(p.now)} (changed)` };
  if (p.added) return { cls: 'added', text: describeConns(p.now) };
  if (p.removed && !p.now) return { cls: 'removed', text: describeConns(p.removed) };
  if (p.removed) return { cls: 'changed', text: describeConns(p.now) };
  return { cls: 'allowed', text: describeConns(p.now) };
}

// ---------------------------------------------------------------- DOM helpers

export type Attrs = Record<string, string | number | boolean | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string | undefined | false)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  for (const c of children) if (c !== undefined && c !== false) el.append(c);
  return el;
}

export const SVG_NS = 'http://www.w3.org/2000/svg';
export function s(tag: string, attrs: Attrs = {}, ...children: (Node | string)[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag) as SVGElement;
  setAttrs(el, attrs);
  for (const c of children) el.append(c);
  return el;
}

export function setAttrs(el: Element, attrs: Attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
}

/** An external endpoint id as people read it (CIDR list); other ids unchanged. */
export function rangeLabel(range: string): string {
  return externalName(range);
}

export function endpointLabel(e: Endpoint | undefined, id: string): string {
  if (!e) return id;
  if (e.kind === 'External') return externalName(e.name || e.id);
  return e.name;
}

export function pairTitle(byId: Map<string, Endpoint>, src: string, dst: string): string {
  const f = (id: string) => {
    const e = byId.get(id);
    return e && e.kind !== 'External' ? id : endpointLabel(e, id);
  };
  return `${f(src)} → ${f(dst)}`;
}

export function shortFile(p: string): string {
  const m = /[^/\\]+$/.exec(p);
  return m ? decodeURIComponent(m[0]) : p;
}

export function link(text: string, range: SourceRange | undefined, cb: PanelCallbacks, key = text): HTMLElement {
  if (!range) return h('span', {}, text);
  const a = h('a', { href: '#', class: 'pl-link', title: `${shortFile(range.file)}:${range.start.line + 1}`, 'data-focus-key': `link-${key}` }, text);
  a.addEventListener('click', (ev) => {
    ev.preventDefault();
    cb.open(range);
  });
  return a;
}
