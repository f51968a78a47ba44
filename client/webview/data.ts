// The panel's pure view model over PanelData (server/src/protocol.ts): rows and columns as namespace groups,
// classes ("app=web (37 workloads)") that expand to workloads, merged external peers; cell values between any two
// items; the blast radius; CSV / markdown export. No DOM here (unit-tested in test/unit/panel-render.test.ts).
import { countOf, describeConns } from '../../server/src/core/explain/format';
import { addressSetsFromIds, mergeExternals } from '../../server/src/core/explain/externals';
import { ConnSet } from '../../server/src/core/ports';
import type { Endpoint, ProtocolPorts } from '../../server/src/core/reach-types';
import type { PanelData, Posture } from '../../server/src/protocol';
import type { PostureKey, ViewState } from './messages';

/** Index structures over one PanelData (built once per response). */
export interface PanelIndex {
  data: PanelData;
  /** Class of each endpoint. */
  classOf: number[];
  /** Endpoint index by id. */
  byId: Map<string, number>;
  /** Class pair -> conn index. */
  cell: Map<number, number>;
  nClasses: number;
  /** Diff group of each endpoint (undefined without a diff). */
  groupOf?: number[];
  added?: Map<number, number>;
  removed?: Map<number, number>;
  nGroups: number;
  /** Index of the first external endpoint. */
  firstExternal: number;
  /** Rows the matrix has with every namespace open and classes closed (namespaces + classes per namespace). */
  openRows: number;
}

export function indexPanel(data: PanelData): PanelIndex {
  const classOf = new Array<number>(data.endpoints.length).fill(-1);
  data.classes.forEach((c, ci) => c.members.forEach((m) => (classOf[m] = ci)));
  const nClasses = data.classes.length;
  const cell = new Map<number, number>();
  for (const [s, d, k] of data.cells) cell.set(s * nClasses + d, k);
  const byId = new Map(data.endpoints.map((e, i) => [e.id, i] as const));
  let firstExternal = data.endpoints.findIndex((e) => e.kind === 'External');
  if (firstExternal < 0) firstExternal = data.endpoints.length;
  const nsClass = new Set<string>();
  const nss = new Set<string>();
  for (let i = 0; i < firstExternal; i++) {
    const ns = data.endpoints[i].namespace ?? '';
    nss.add(ns);
    nsClass.add(`${ns}\u0000${classOf[i]}`);
  }
  const idx: PanelIndex = { data, classOf, byId, cell, nClasses, nGroups: 0, firstExternal, openRows: nss.size + nsClass.size };
  if (data.diff) {
    const G = data.diff.groups.length;
    const groupOf = new Array<number>(data.endpoints.length).fill(-1);
    data.diff.groups.forEach((g, gi) => g.forEach((m) => (groupOf[m] = gi)));
    idx.groupOf = groupOf;
    idx.nGroups = G;
    idx.added = new Map(data.diff.added.map(([s, d, k]) => [s * G + d, k] as const));
    idx.removed = new Map(data.diff.removed.map(([s, d, k]) => [s * G + d, k] as const));
  }
  return idx;
}

export const isExternal = (e: Endpoint) => e.kind === 'External';

// ---------------------------------------------------------------- connection sets and filters

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
  return Object.values(out).every((r) => r.length === 0) ? undefined : out;
}

function union(a: ProtocolPorts | undefined, b: ProtocolPorts | undefined): ProtocolPorts | undefined {
  if (!a) return b;
  if (!b) return a;
  return ConnSet.fromProtocolPorts(a).union(ConnSet.fromProtocolPorts(b)).toJSON();
}

const words = new WeakMap<ProtocolPorts, string>();
/** Connections in the formatter's words ("TCP 8080", "all traffic"), memoised per set object. */
export function conns(pp: ProtocolPorts | undefined): string {
  if (!pp) return describeConns(pp);
  let w = words.get(pp);
  if (w === undefined) words.set(pp, (w = describeConns(pp)));
  return w;
}

// ---------------------------------------------------------------- items (rows and columns)

export type Item =
  /** A namespace (or the external peers); open: its classes/workloads follow; closed: one aggregated row. */
  | { kind: 'ns'; key: string; ns: string; external: boolean; eps: number[]; open: boolean; label: string; depth: 0 }
  /** Workloads of one class inside one namespace (≥ 2 shown); open: its workloads follow. */
  | { kind: 'class'; key: string; ns: string; eps: number[]; open: boolean; label: string; depth: 1 }
  /** One endpoint, or merged external ranges with identical connections. */
  | { kind: 'ep'; key: string; ns: string; eps: number[]; label: string; depth: 1 | 2; id: string };

export const EXTERNAL_NS = '\u0000external';

const LABEL_KEYS = ['app.kubernetes.io/name', 'app', 'k8s-app', 'name', 'app.kubernetes.io/component', 'component', 'role', 'tier'];

/** "app=web" from the labels all members share, else the first member's name with "…". */
export function classLabel(eps: Endpoint[]): string {
  const common = new Map(Object.entries(eps[0].labels ?? {}));
  for (const e of eps.slice(1)) for (const [k, v] of [...common]) if (e.labels?.[k] !== v) common.delete(k);
  const key = LABEL_KEYS.find((k) => common.has(k)) ?? [...common.keys()].sort()[0];
  const what = key !== undefined ? `${key}=${common.get(key)}` : `${eps[0].name} …`;
  return `${what} (${eps.length} workloads)`;
}

/** Does the endpoint match every search token (workload name/id, namespace, `key=value` label, or a label value)? */
export function matchesSearch(e: Endpoint, search: string): boolean {
  const tokens = search.toLowerCase().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return true;
  const hay = [e.id, e.name, e.namespace ?? '', e.kind, ...Object.entries(e.labels ?? {}).map(([k, v]) => `${k}=${v}`)].map((s) => s.toLowerCase());
  return tokens.every((t) => hay.some((h) => h.includes(t)));
}

/** Row and column endpoint sets under the filters (namespaces, externals, search, posture finding). */
export function visibleSets(idx: PanelIndex, state: ViewState): { rows: number[]; cols: number[] } {
  const eps = idx.data.endpoints;
  const base: number[] = [];
  eps.forEach((e, i) => {
    if (isExternal(e) ? !state.showExternal : state.namespaces !== null && !state.namespaces.includes(e.namespace ?? '')) return;
    if (state.search && !matchesSearch(e, state.search)) return;
    base.push(i);
  });
  const p = state.posture && idx.data.posture ? postureFilter(idx, idx.data.posture, state.posture) : undefined;
  if (!p) return { rows: base, cols: base };
  return { rows: base.filter(p.row), cols: base.filter(p.col) };
}

function postureFilter(idx: PanelIndex, p: Posture, key: PostureKey): { row: (i: number) => boolean; col: (i: number) => boolean } {
  const set = (xs: number[]) => new Set(xs);
  const ext = (i: number) => i >= idx.firstExternal;
  const any = () => true;
  switch (key) {
    case 'notIsolatedIngress': {
      const s = set(p.notIsolatedIngress);
      return { row: any, col: (i) => s.has(i) };
    }
    case 'notIsolatedEgress': {
      const s = set(p.notIsolatedEgress);
      return { row: (i) => s.has(i), col: any };
    }
    case 'reachableFromOutside': {
      const s = set(p.reachableFromOutside);
      return { row: ext, col: (i) => s.has(i) };
    }
    case 'canReachInternet': {
      const s = set(p.canReachInternet);
      return { row: (i) => s.has(i), col: ext };
    }
    case 'namespacesWithoutDefaultDeny': {
      const ns = new Set(p.namespacesWithoutDefaultDeny);
      const inNs = (i: number) => ns.has(idx.data.endpoints[i].namespace ?? '') && !ext(i);
      return { row: any, col: inNs };
    }
  }
}

/** Should an item start open? Classes start closed; namespaces open unless that makes more than 200 rows. */
function defaultOpen(idx: PanelIndex, key: string): boolean {
  if (key.startsWith('cls:')) return false;
  return idx.openRows <= 200;
}

/** Is a namespace / class item open? The user's choice for it, else their "open/close all" (`*`), else by size. */
export function isOpen(idx: PanelIndex, state: ViewState, key: string): boolean {
  return state.open?.[key] ?? state.open?.['*'] ?? defaultOpen(idx, key);
}

/** A signature of everything an external endpoint's class does (its row and column of cells). */
function externalSignature(idx: PanelIndex, ep: number): string {
  const c = idx.classOf[ep];
  const parts: string[] = [];
  for (let x = 0; x < idx.nClasses; x++) {
    const o = idx.cell.get(c * idx.nClasses + x);
    const i = idx.cell.get(x * idx.nClasses + c);
    if (o !== undefined || i !== undefined) parts.push(`${x}:${o ?? ''}:${i ?? ''}`);
  }
  if (idx.groupOf) {
    const g = idx.groupOf[ep];
    for (let y = 0; y < idx.nGroups; y++) {
      const a1 = idx.added!.get(g * idx.nGroups + y);
      const a2 = idx.added!.get(y * idx.nGroups + g);
      const r1 = idx.removed!.get(g * idx.nGroups + y);
      const r2 = idx.removed!.get(y * idx.nGroups + g);
      if (a1 !== undefined || a2 !== undefined || r1 !== undefined || r2 !== undefined) parts.push(`g${y}:${a1 ?? ''}:${a2 ?? ''}:${r1 ?? ''}:${r2 ?? ''}`);
    }
  }
  return parts.join(',');
}

/**
 * The items of one axis, in order: namespaces (sorted), each followed when open by its classes (collapsed to one
 * item when they hold ≥ 2 shown workloads) and workloads; then the external peers, merged when they behave alike.
 */
export function buildItems(idx: PanelIndex, state: ViewState, eps: number[]): Item[] {
  const out: Item[] = [];
  const byNs = new Map<string, number[]>();
  const externals: number[] = [];
  for (const i of eps) {
    const e = idx.data.endpoints[i];
    if (isExternal(e)) externals.push(i);
    else {
      const ns = e.namespace ?? '';
      let l = byNs.get(ns);
      if (!l) byNs.set(ns, (l = []));
      l.push(i);
    }
  }
  const endpoints = idx.data.endpoints;
  for (const ns of [...byNs.keys()].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))) {
    const list = byNs.get(ns)!;
    const key = `ns:${ns}`;
    const open = isOpen(idx, state, key);
    out.push({ kind: 'ns', key, ns, external: false, eps: list, open, label: `${ns} (${plural(list.length, 'workload')})`, depth: 0 });
    if (!open) continue;
    // Classes in the order of their first member (endpoints are sorted by name).
    const byClass = new Map<number, number[]>();
    for (const i of list) {
      const c = idx.classOf[i];
      let l = byClass.get(c);
      if (!l) byClass.set(c, (l = []));
      l.push(i);
    }
    for (const [, members] of byClass) {
      if (members.length === 1) {
        const e = endpoints[members[0]];
        out.push({ kind: 'ep', key: e.id, ns, eps: members, label: e.name, depth: 1, id: e.id });
        continue;
      }
      const ckey = `cls:${ns}|${endpoints[members[0]].id}`;
      const copen = isOpen(idx, state, ckey);
      out.push({ kind: 'class', key: ckey, ns, eps: members, open: copen, label: classLabel(members.map((m) => endpoints[m])), depth: 1 });
      if (copen) for (const m of members) out.push({ kind: 'ep', key: endpoints[m].id, ns, eps: [m], label: endpoints[m].name, depth: 2, id: endpoints[m].id });
    }
  }
  if (externals.length) {
    const key = 'ns:external';
    const open = isOpen(idx, state, key);
    const groups = mergeExternals(externals.map((i) => ({ id: endpoints[i].id, key: externalSignature(idx, i), value: i })), addressSetsFromIds(idx.data.addressSets));
    out.push({ kind: 'ns', key, ns: EXTERNAL_NS, external: true, eps: externals, open, label: `external peers (${groups.length})`, depth: 0 });
    if (open) {
      for (const g of groups) {
        const members = g.ids.map((id) => idx.byId.get(id)!);
        out.push({ kind: 'ep', key: `ext:${g.ids[0]}`, ns: EXTERNAL_NS, eps: members, label: g.name, depth: 1, id: g.ids[0] });
      }
    }
  }
  return out;
}

/** A count with its noun, in the formatter's words ("1 workload", "3 policies"). */
export const plural = (n: number, noun: string) => countOf(n, noun);

// ---------------------------------------------------------------- cells

export type CellKind = 'allowed' | 'denied' | 'added' | 'removed' | 'changed' | 'partial' | 'self' | 'none';

export interface CellValue {
  kind: CellKind;
  /** Short text shown in the cell. */
  text: string;
  now?: ProtocolPorts;
  added?: ProtocolPorts;
  removed?: ProtocolPorts;
  /** For aggregated (namespace) cells: pairs of classes with something allowed, of all pairs. */
  some?: [number, number];
}

const itemClasses = new WeakMap<object, number[]>();
const itemGroups = new WeakMap<object, number[]>();

/** Distinct classes of an item's endpoints (cached per item). */
function classesOf(idx: PanelIndex, it: Item): number[] {
  let v = itemClasses.get(it);
  if (!v) itemClasses.set(it, (v = [...new Set(it.eps.map((i) => idx.classOf[i]))]));
  return v;
}

function groupsOf(idx: PanelIndex, it: Item): number[] {
  if (!idx.groupOf) return [];
  let v = itemGroups.get(it);
  if (!v) itemGroups.set(it, (v = [...new Set(it.eps.map((i) => idx.groupOf![i]))]));
  return v;
}

/** Filtered connection sets per conn index, cached per filter (key -1: nothing allowed). */
const filtered = new WeakMap<PanelIndex, { key: string; sets: Map<number, ProtocolPorts | undefined> }>();
function filteredConn(idx: PanelIndex, k: number, state: Pick<ViewState, 'port' | 'protocol'>): ProtocolPorts | undefined {
  const key = `${state.protocol}|${state.port}`;
  let f = filtered.get(idx);
  if (!f || f.key !== key) filtered.set(idx, (f = { key, sets: new Map() }));
  if (!f.sets.has(k)) f.sets.set(k, filterPorts(idx.data.conns[k], state.protocol, state.port));
  return f.sets.get(k);
}

/**
 * The value of the cell between two items under the port/protocol filters. Items whose endpoints all share one
 * class each give that class pair; namespace items aggregate ("partial" when only some class pairs allow something).
 */
export function cellValue(idx: PanelIndex, r: Item, c: Item, state: Pick<ViewState, 'port' | 'protocol'>): CellValue {
  const extR = r.eps[0] >= idx.firstExternal && r.eps.every((i) => i >= idx.firstExternal);
  const extC = c.eps[0] >= idx.firstExternal && c.eps.every((i) => i >= idx.firstExternal);
  if (extR && extC) return { kind: 'none', text: '' };
  if (r.eps.length === 1 && c.eps.length === 1 && r.eps[0] === c.eps[0]) return { kind: 'self', text: '' };
  const rc = classesOf(idx, r);
  const cc = classesOf(idx, c);
  const n = idx.nClasses;
  const firstExtClass = idx.classOf[idx.firstExternal] ?? n;
  // Distinct connection sets over the class pairs (pairs between distinct endpoints only).
  const seen = new Set<number>();
  let some = 0;
  let total = 0;
  const allowedKinds = new Set<ProtocolPorts | undefined>();
  for (const x of rc) {
    for (const y of cc) {
      if (x >= firstExtClass && y >= firstExtClass) continue;
      if (x === y && idx.data.classes[x].members.length < 2) continue;
      total++;
      const k = idx.cell.get(x * n + y);
      const v = k === undefined ? undefined : filteredConn(idx, k, state);
      allowedKinds.add(v);
      if (v) {
        some++;
        if (k !== undefined) seen.add(k);
      }
    }
  }
  let now: ProtocolPorts | undefined;
  for (const k of seen) now = union(now, filteredConn(idx, k, state));
  const uniform = allowedKinds.size <= 1 || (some === total && new Set([...allowedKinds].map((v) => JSON.stringify(v))).size === 1);
  let added: ProtocolPorts | undefined;
  let removed: ProtocolPorts | undefined;
  if (idx.groupOf) {
    const G = idx.nGroups;
    for (const x of groupsOf(idx, r)) {
      for (const y of groupsOf(idx, c)) {
        const a = idx.added!.get(x * G + y);
        const d = idx.removed!.get(x * G + y);
        if (a !== undefined) added = union(added, filteredConn(idx, a, state));
        if (d !== undefined) removed = union(removed, filteredConn(idx, d, state));
      }
    }
  }
  const base = { now, added, removed };
  if (added && removed) return { ...base, kind: 'changed', text: `± ${conns(now ?? removed)}` };
  if (added) return { ...base, kind: 'added', text: `+ ${conns(added)}` };
  if (removed) return { ...base, kind: now ? 'changed' : 'removed', text: now ? `± ${conns(now)}` : `− ${conns(removed)}` };
  if (!now) return { ...base, kind: 'denied', text: '✕' };
  if (!uniform) return { ...base, kind: 'partial', text: some < total ? `◐ ${some}/${total}` : `◐ ${conns(now)}`, some: [some, total] };
  return { ...base, kind: 'allowed', text: conns(now) };
}

/**
 * Per class (as a destination column): the widest cell text it can show, measured by `width`, over the connection
 * sets of its cells and of the diff entries towards it (with the change mark).
 */
export function columnTextWidths(idx: PanelIndex, state: Pick<ViewState, 'port' | 'protocol'>, width: (s: string) => number): number[] {
  const out = new Array<number>(idx.nClasses).fill(0);
  const text = new Map<number, number>();
  const w = (k: number, mark: string) => {
    let v = text.get(k);
    if (v === undefined) {
      const pp = filteredConn(idx, k, state);
      text.set(k, (v = pp ? width(`${mark}${conns(pp)}`) : 0));
    }
    return v;
  };
  for (const [, y, k] of idx.data.cells) out[y] = Math.max(out[y], w(k, ''));
  const d = idx.data.diff;
  if (d) {
    for (const [, g, k] of [...d.added, ...d.removed]) {
      const y = idx.classOf[d.groups[g][0]];
      out[y] = Math.max(out[y], w(k, '') + width('± '));
    }
  }
  return out;
}

/** Words for a cell in tooltips and screen readers. */
export function cellWords(v: CellValue): string {
  switch (v.kind) {
    case 'self':
      return 'the same workload';
    case 'none':
      return 'not analysed (both external)';
    case 'denied':
      return 'denied';
    case 'partial':
      return v.some![0] < v.some![1]
        ? `allowed between ${v.some![0]} of ${v.some![1]} pairs of groups of workloads (${conns(v.now)} in all); expand to see which`
        : `allowed between every pair of groups of workloads, with different connections (${conns(v.now)} in all); expand to see which`;
    default: {
      const parts = [v.now ? `allowed: ${conns(v.now)}` : 'denied'];
      if (v.added) parts.push(`newly allowed: ${conns(v.added)}`);
      if (v.removed) parts.push(`newly blocked: ${conns(v.removed)}`);
      return parts.join('; ');
    }
  }
}

/** The endpoints an explanation uses for a pair of items: the first member of each (distinct ones). */
export function representatives(r: Item, c: Item): { src: number; dst: number } | undefined {
  const src = r.eps[0];
  const dst = c.eps.find((i) => i !== src);
  return dst === undefined ? undefined : { src, dst };
}

// ---------------------------------------------------------------- blast radius

export interface BlastEntry {
  /** Item label (workload, class of workloads, merged external peers). */
  label: string;
  /** Namespace of the peer workloads ("" for externals). */
  ns: string;
  eps: number[];
  value: CellValue;
}

/** Everything one endpoint can reach and everything that can reach it, by class (filters applied). */
export function blastRadius(idx: PanelIndex, state: ViewState, id: string): { out: BlastEntry[]; in: BlastEntry[] } | undefined {
  const w = idx.byId.get(id);
  if (w === undefined) return undefined;
  const self: Item = { kind: 'ep', key: id, ns: '', eps: [w], label: id, depth: 1, id };
  const { cols } = visibleSets(idx, { ...state, posture: undefined });
  const peers = cols.filter((i) => i !== w);
  // Peers grouped as the matrix groups them with every namespace open and classes collapsed.
  const open: Record<string, boolean> = {};
  const all = buildItems(idx, { ...state, open: new Proxy(open, { get: (_t, k) => (typeof k === 'string' && k.startsWith('ns:') ? true : false) }) as Record<string, boolean> }, peers);
  const out: BlastEntry[] = [];
  const inn: BlastEntry[] = [];
  for (const it of all) {
    if (it.kind === 'ns') continue;
    const o = cellValue(idx, self, it, state);
    const i = cellValue(idx, it, self, state);
    const entry = (v: CellValue) => ({ label: it.label, ns: it.ns === EXTERNAL_NS ? '' : it.ns, eps: it.eps, value: v });
    if (o.now || o.removed) out.push(entry(o));
    if (i.now || i.removed) inn.push(entry(i));
  }
  // External peers are merged by their own behaviour; for one workload, merge those with identical connections.
  return { out: mergeExternalEntries(idx, out), in: mergeExternalEntries(idx, inn) };
}

function mergeExternalEntries(idx: PanelIndex, list: BlastEntry[]): BlastEntry[] {
  const wl = list.filter((e) => e.ns !== '');
  const ext = list.filter((e) => e.ns === '');
  const merged = mergeExternals(
    ext.flatMap((e) => e.eps.map((i) => ({ id: idx.data.endpoints[i].id, key: JSON.stringify([e.value.now, e.value.added, e.value.removed]), value: e }))),
    addressSetsFromIds(idx.data.addressSets),
  ).map((g) => ({ ...g.value, label: g.name, eps: g.ids.map((id) => idx.byId.get(id)!) }));
  return [...wl, ...merged];
}

// ---------------------------------------------------------------- export

export interface ExportRow {
  from: string;
  fromWorkloads: string[];
  to: string;
  toWorkloads: string[];
  value: CellValue;
}

/** Every pair of groups (classes within namespaces, merged externals) with something allowed or changed. */
export function exportRows(idx: PanelIndex, state: ViewState): ExportRow[] {
  const { rows, cols } = visibleSets(idx, state);
  const allOpen = { ...state, open: new Proxy({}, { get: (_t, k) => typeof k === 'string' && k.startsWith('ns:') }) as Record<string, boolean> };
  const ri = buildItems(idx, allOpen, rows).filter((i) => i.kind !== 'ns');
  const ci = buildItems(idx, allOpen, cols).filter((i) => i.kind !== 'ns');
  const name = (it: Item) => (it.ns === EXTERNAL_NS ? it.label : it.kind === 'ep' ? it.id : `${it.ns}/${it.label}`);
  const ids = (it: Item) => it.eps.map((i) => idx.data.endpoints[i].id);
  const out: ExportRow[] = [];
  for (const r of ri) {
    for (const c of ci) {
      const v = cellValue(idx, r, c, state);
      if (!v.now && !v.removed && !v.added) continue;
      out.push({ from: name(r), fromWorkloads: ids(r), to: name(c), toWorkloads: ids(c), value: v });
    }
  }
  return out;
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The matrix as CSV: one line per pair of groups with something allowed or changed. */
export function exportCsv(idx: PanelIndex, state: ViewState): string {
  const lines = [['from', 'to', 'allowed', 'newly allowed', 'newly blocked', 'from workloads', 'to workloads'].join(',')];
  for (const r of exportRows(idx, state)) {
    const v = r.value;
    lines.push([r.from, r.to, v.now ? conns(v.now) : '', v.added ? conns(v.added) : '', v.removed ? conns(v.removed) : '', r.fromWorkloads.join(' '), r.toWorkloads.join(' ')].map(csvField).join(','));
  }
  return lines.join('\n') + '\n';
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The matrix as markdown for a pull-request comment: a summary, the changes (if compared), then allowed flows. */
export function exportMarkdown(idx: PanelIndex, state: ViewState, opts: { baseline?: string; limit?: number } = {}): string {
  const limit = opts.limit ?? 200;
  const rows = exportRows(idx, state);
  const d = idx.data;
  const workloads = d.endpoints.filter((e) => !isExternal(e)).length;
  const out: string[] = [`### Reachability (${d.evaluatedAs})`, '', `${plural(workloads, 'workload')} · ${plural(rows.filter((r) => r.value.now).length, 'allowed flow')} between groups of workloads`];
  const changed = rows.filter((r) => r.value.added || r.value.removed);
  if (d.diff) {
    out.push('', `#### Changes${opts.baseline ? ` vs ${opts.baseline}` : ''}`, '');
    if (changed.length === 0) out.push('No flow changes.');
    else {
      out.push('| from | to | newly allowed | newly blocked |', '| --- | --- | --- | --- |');
      for (const r of changed.slice(0, limit)) out.push(`| ${mdCell(r.from)} | ${mdCell(r.to)} | ${r.value.added ? conns(r.value.added) : ''} | ${r.value.removed ? conns(r.value.removed) : ''} |`);
      if (changed.length > limit) out.push('', `… and ${changed.length - limit} more.`);
    }
  }
  const allowed = rows.filter((r) => r.value.now);
  out.push('', '#### Allowed flows', '', '| from | to | allowed |', '| --- | --- | --- |');
  for (const r of allowed.slice(0, limit)) out.push(`| ${mdCell(r.from)} | ${mdCell(r.to)} | ${conns(r.value.now)} |`);
  if (allowed.length > limit) out.push('', `… and ${allowed.length - limit} more (export as CSV for all).`);
  return out.join('\n') + '\n';
}
