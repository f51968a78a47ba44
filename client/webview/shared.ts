// Shared pieces of the reachability panel renderer: the model and callbacks, pure view helpers (exported for tests),
// DOM helpers and labels. No VS Code API here (the browser playground reuses the renderer).
import type { SourceRange } from '../../server/src/core/model';
import type { Connection, Endpoint, Explanation, ProtocolPorts } from '../../server/src/core/reach-types';
import type { ReachabilityResponse } from '../../server/src/protocol';
import { formatIcmpRange } from '../../server/src/core/ports';
import type { ViewState } from './messages';

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

export const EXTERNAL_GROUP = 'external';

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

export function endpointLabel(e: Endpoint | undefined, id: string): string {
  if (!e) return id;
  if (e.kind === 'External') return rangeLabel(e.name || e.id);
  return e.name;
}

export function pairTitle(byId: Map<string, Endpoint>, src: string, dst: string): string {
  const f = (id: string) => {
    const e = byId.get(id);
    return e && e.kind !== 'External' ? id : endpointLabel(e, id);
  };
  return `${f(src)} → ${f(dst)}`;
}

export function pairStatus(p: PairView | undefined): { cls: string; text: string } {
  if (!p || (!p.now && !p.removed)) return { cls: 'denied', text: 'denied' };
  if (p.added && p.removed) return { cls: 'changed', text: `${formatPorts(p.now)} (changed)` };
  if (p.added) return { cls: 'added', text: formatPorts(p.now) };
  if (p.removed && !p.now) return { cls: 'removed', text: formatPorts(p.removed) };
  if (p.removed) return { cls: 'changed', text: formatPorts(p.now) };
  return { cls: 'allowed', text: formatPorts(p.now) };
}

export function shortFile(p: string): string {
  const m = /[^/\\]+$/.exec(p);
  return m ? decodeURIComponent(m[0]) : p;
}

export function link(text: string, range: SourceRange | undefined, cb: PanelCallbacks): HTMLElement {
  if (!range) return h('span', {}, text);
  const a = h('a', { href: '#', class: 'pl-link', title: `${shortFile(range.file)}:${range.start.line + 1}`, 'data-focus-key': `link-${text}` }, text);
  a.addEventListener('click', (ev) => {
    ev.preventDefault();
    cb.open(range);
  });
  return a;
}
