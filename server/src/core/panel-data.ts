// The compact reachability payload the panel renders (PanelData in server/src/protocol.ts): equivalence classes
// and class-pair connection sets, the difference with a baseline on the common refinement of both analyses'
// classes, and the posture summary. Computed from an Analysis without expanding to workload pairs.
import type { Analysis } from './analysis';
import { ConnSet } from './ports';
import type { Endpoint, ProtocolPorts } from './reach-types';
import type { Direction } from './policy/ir';
import { namedAddressSets } from './explain/externals';
import { rangeLabel } from './ip';

/**
 * The compact panel payload (`data` of the policyLens/reachability response; protocol.ts names it PanelData).
 * 5,000 workloads stay a few MB: cells are per class pair, never per workload pair.
 */
export interface PanelPayload {
  /** Workloads first (sorted by namespace, then name), then external endpoints. Cells refer to endpoints by index. */
  endpoints: Endpoint[];
  /** Each workload is in exactly one class (members: endpoint indices, sorted); each external endpoint is a class of its own. */
  classes: { members: number[] }[];
  /** Distinct connection sets; cells refer to them by index. */
  conns: ProtocolPorts[];
  /**
   * Allowed class pairs [srcClass, dstClass, connIndex]. A pair (c, c) holds between distinct members of c.
   * Pairs with nothing allowed are absent; external -> external pairs are never analysed.
   */
  cells: [number, number, number][];
  /** What changed against the baseline (see PanelDiff). */
  diff?: PanelDiff;
  /** At-a-glance findings. */
  posture: Posture;
  /** Objects of policy kinds that are not modelled (their rules are not part of this reachability). */
  leftOut: { kind: string; count: number }[];
  /** Counts of diagnostics by severity over the analysed files. */
  problems: { errors: number; warnings: number };
  /** Which semantics evaluated the workspace ("Kubernetes NetworkPolicy", "Calico", ...). */
  evaluatedAs: string;
  /**
   * Address sets the manifests name (Calico NetworkSets / GlobalNetworkSets, Cilium CIDR groups), as range ids
   * (`lo-hi`, merged): a group of external peers that is exactly one of them is named by it.
   */
  addressSets?: { label: string; ranges: string[] }[];
}

/**
 * The difference with the baseline, on the common refinement of the current and the baseline classes: every group
 * is a set of endpoint indices that both analyses treat alike. Each entry [srcGroup, dstGroup, connIndex] says which
 * connections (PanelPayload.conns) became newly allowed (`added`) or newly blocked (`removed`) between every member
 * of the source group and every member of the destination group (distinct endpoints). An external endpoint is a
 * group of its own, compared with the baseline's external ranges it overlaps (what any of them gained or lost).
 */
export interface PanelDiff {
  groups: number[][];
  added: [number, number, number][];
  removed: [number, number, number][];
}

export interface Posture {
  /**
   * Workloads open for ingress / egress (endpoint indices): every peer is allowed all traffic on that side, i.e. no
   * policy of any tier restricts it.
   */
  notIsolatedIngress: number[];
  notIsolatedEgress: number[];
  /** Workloads some external address can reach, and workloads that can reach some external endpoint. */
  reachableFromOutside: number[];
  canReachInternet: number[];
  /** Namespaces holding a workload that is open in some direction (no default deny). */
  namespacesWithoutDefaultDeny: string[];
  /** The workloads that reach the most other workloads, most first: [endpoint index, reachable count]. */
  largestBlastRadius: [number, number][];
}

class ConnTable {
  readonly list: ProtocolPorts[] = [];
  private readonly index = new Map<string, number>();
  /** By identity first: the evaluator hands out the same set object for the same result most of the time. */
  private readonly byObject = new Map<ConnSet, number>();
  add(c: ConnSet): number {
    const hit = this.byObject.get(c);
    if (hit !== undefined) return hit;
    const i = this.addByValue(c);
    this.byObject.set(c, i);
    return i;
  }
  private addByValue(c: ConnSet): number {
    const j = c.toJSON();
    const k = JSON.stringify(j);
    let i = this.index.get(k);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(j);
      this.index.set(k, i);
    }
    return i;
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Endpoint order of the panel: workloads by namespace then name, then external endpoints as the analysis has them. */
function endpointOrder(a: Analysis): { endpoints: Endpoint[]; wlPos: number[]; extPos: number[] } {
  const ws = a.workloads.map((_, i) => i).sort((x, y) => cmp(a.workloads[x].namespace, a.workloads[y].namespace) || cmp(a.workloads[x].name, a.workloads[y].name) || cmp(a.workloads[x].id, a.workloads[y].id));
  const all = a.endpoints();
  const endpoints: Endpoint[] = [];
  const wlPos: number[] = new Array(a.workloads.length);
  for (const i of ws) {
    wlPos[i] = endpoints.length;
    endpoints.push(all[i]);
  }
  const extPos: number[] = [];
  for (let k = a.workloads.length; k < all.length; k++) {
    extPos.push(endpoints.length);
    endpoints.push(all[k]);
  }
  return { endpoints, wlPos, extPos };
}

export interface PanelDataOptions {
  baseline?: Analysis;
  leftOut?: { kind: string; count: number }[];
}

/** Computes the payload in one go. */
export function panelData(a: Analysis, opts: PanelDataOptions = {}): PanelPayload {
  const it = panelDataSteps(a, opts);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}

export interface PanelProgress {
  /** Rows done and rows in all (a row = one class of the current analysis, then one diff group). */
  done: number;
  total: number;
}

/**
 * Computes the payload cooperatively: every ~`sliceMs` it awaits `pause()` (the server yields to its event loop
 * there, so hovers and completions stay responsive) and reports progress; `cancelled()` true aborts with
 * `PanelCancelled` (a newer text superseded this analysis).
 */
export async function panelDataAsync(
  a: Analysis,
  opts: PanelDataOptions,
  control: { pause: () => Promise<void>; cancelled?: () => boolean; progress?: (p: PanelProgress) => void; sliceMs?: number; now?: () => number },
): Promise<PanelPayload> {
  const it = panelDataSteps(a, opts);
  const now = control.now ?? (() => Date.now());
  const slice = control.sliceMs ?? 25;
  let t0 = now();
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
    if (now() - t0 >= slice) {
      control.progress?.(r.value);
      await control.pause();
      if (control.cancelled?.()) throw new PanelCancelled();
      t0 = now();
    }
  }
}

export class PanelCancelled extends Error {
  constructor() {
    super('superseded by a newer analysis');
  }
}

function* panelDataSteps(a: Analysis, opts: PanelDataOptions): Generator<PanelProgress, PanelPayload, void> {
  const ev = a.evaluation;
  const { endpoints, wlPos, extPos } = endpointOrder(a);
  const C = ev.classes.length;
  const K = ev.externals.length;
  const conns = new ConnTable();
  const classes: { members: number[] }[] = ev.classes.map((cl) => ({ members: cl.members.map((i) => wlPos[i]).sort((x, y) => x - y) }));
  for (let k = 0; k < K; k++) classes.push({ members: [extPos[k]] });
  const cells: [number, number, number][] = [];
  const baseGroups = opts.baseline ? ev.classes.length : 0;
  const total = C + baseGroups;
  for (let x = 0; x < C; x++) {
    yield { done: x, total };
    // Only the columns the source's egress allows anything to need the destination's ingress.
    for (const [y, c] of pairsOf(ev, x)) {
      if (x === y && ev.classes[x].members.length < 2) continue;
      cells.push([x, y, conns.add(c)]);
    }
    if (K) {
      const eRow = ev.rowCells(x, 'Egress');
      const iRow = ev.rowCells(x, 'Ingress');
      for (let k = 0; k < K; k++) {
        const out = Array.isArray(eRow) ? eRow[C + k] : eRow;
        if (out && !out.isEmpty()) cells.push([x, C + k, conns.add(out)]);
        if (ev.externals[k].kind !== 'address') continue;
        const inn = Array.isArray(iRow) ? iRow[C + k] : iRow;
        if (inn && !inn.isEmpty()) cells.push([C + k, x, conns.add(inn)]);
      }
    }
  }
  const payload: PanelPayload = {
    endpoints,
    classes,
    conns: conns.list,
    cells,
    posture: posture(a, wlPos, cells, C),
    leftOut: opts.leftOut ?? [],
    problems: {
      errors: a.cluster.diagnostics.filter((d) => d.severity === 'error').length,
      warnings: a.cluster.diagnostics.filter((d) => d.severity === 'warning').length,
    },
    evaluatedAs: a.evaluatedAs,
  };
  const sets = namedAddressSets(a.cluster);
  if (sets.length) payload.addressSets = sets.map((x) => ({ label: x.label, ranges: x.ranges.map((r) => rangeLabel(r.family, r.lo, r.hi)) }));
  if (opts.baseline) payload.diff = yield* diffOnClasses(a, opts.baseline, wlPos, extPos, conns, C, total);
  payload.conns = conns.list;
  return payload;
}

function posture(a: Analysis, wlPos: number[], cells: [number, number, number][], C: number): PanelPayload['posture'] {
  const ev = a.evaluation;
  const members = (c: number) => ev.classes[c].members.map((i) => wlPos[i]);
  const notIn: number[] = [];
  const notOut: number[] = [];
  const nsOpen = new Set<string>();
  // Open in a direction: every peer gets (or may be sent) all traffic on that side, whichever tier decides it (a
  // ClusterNetworkPolicy or Calico rule can close a workload that no NetworkPolicy selects).
  const universe = a.universe;
  const open = (c: number, d: 'Ingress' | 'Egress'): boolean => {
    const row = ev.rowCells(c, d);
    if (!Array.isArray(row)) return !!row && (row as ConnSet).contains(universe);
    for (let k = 0; k < row.length; k++) {
      if (d === 'Ingress' && k >= C && ev.externals[k - C]?.kind !== 'address') continue; // names only egress
      if (k === c && ev.classes[c].members.length < 2) continue; // a workload's traffic to itself is not analysed
      const cell = row[k];
      if (!cell || !cell.contains(universe)) return false;
    }
    return true;
  };
  for (let c = 0; c < C; c++) {
    const i = !open(c, 'Ingress');
    const e = !open(c, 'Egress');
    if (!i) notIn.push(...members(c));
    if (!e) notOut.push(...members(c));
    if (!i || !e) for (const w of ev.classes[c].members) nsOpen.add(a.workloads[w].namespace);
  }
  const fromOutside = new Set<number>();
  const toOutside = new Set<number>();
  const reach = new Array<number>(C).fill(0);
  for (const [x, y] of cells) {
    if (x >= C && y < C) fromOutside.add(y);
    else if (x < C && y >= C) toOutside.add(x);
    else if (x < C && y < C) reach[x] += x === y ? ev.classes[x].members.length - 1 : ev.classes[y].members.length;
  }
  const sorted = (xs: number[]) => xs.sort((p, q) => p - q);
  const blast: [number, number][] = [];
  for (let c = 0; c < C; c++) if (reach[c] > 0) for (const m of members(c)) blast.push([m, reach[c]]);
  blast.sort((p, q) => q[1] - p[1] || p[0] - q[0]);
  return {
    notIsolatedIngress: sorted(notIn),
    notIsolatedEgress: sorted(notOut),
    reachableFromOutside: sorted([...fromOutside].flatMap(members)),
    canReachInternet: sorted([...toOutside].flatMap(members)),
    namespacesWithoutDefaultDeny: [...nsOpen].sort(cmp),
    largestBlastRadius: blast.slice(0, 10),
  };
}

/**
 * The difference with a baseline analysis on groups: workloads grouped by (current class, baseline class); each
 * external endpoint its own group, compared with the baseline's external ranges it overlaps (the union of what
 * they gained and lost). Workloads that exist only in the baseline are not shown (they are not endpoints now);
 * workloads that exist only now are compared with "nothing allowed".
 */
/** Per class: the classes it may reach and what (non-empty class pairs only), computed once per evaluation. */
const pairsCache = new WeakMap<object, (Map<number, ConnSet> | undefined)[]>();
function pairsOf(ev: Analysis['evaluation'], a: number): Map<number, ConnSet> {
  let arr = pairsCache.get(ev);
  if (!arr) pairsCache.set(ev, (arr = new Array(ev.classes.length)));
  let m = arr[a];
  if (m) return m;
  // Derived from an evaluation with the same classes: where the source's egress row and every target's ingress row
  // are the very same rows, its class pairs are too.
  const base = ev.base;
  const old = base && pairsCache.get(base)?.[a];
  if (old && ev.sameRow(base!, a, 'Egress')) {
    const C0 = ev.classes.length;
    if (ev.egressTargets(a).every((b) => b >= C0 || ev.sameRow(base!, b, 'Ingress'))) {
      arr[a] = old;
      return old;
    }
  }
  const C = ev.classes.length;
  m = new Map<number, ConnSet>();
  for (const b of ev.egressTargets(a)) {
    if (b >= C) break;
    const c = ev.classPair(a, b);
    if (!c.isEmpty()) m.set(b, c);
  }
  arr[a] = m;
  return m;
}

function* diffOnClasses(cur: Analysis, base: Analysis, wlPos: number[], extPos: number[], conns: ConnTable, doneBefore: number, total: number): Generator<PanelProgress, NonNullable<PanelPayload['diff']>, void> {
  const ev = cur.evaluation;
  const bv = base.evaluation;
  const groupKey = new Map<string, number>();
  const groups: number[][] = [];
  const groupOfWl: number[] = [];
  const rep: { cc: number; bc: number | undefined }[] = [];
  cur.workloads.forEach((w, i) => {
    const bi = bv.workloadIndex(w.id);
    const bc = bi === undefined ? undefined : bv.classOf[bi];
    const key = `${ev.classOf[i]}|${bc ?? '-'}`;
    let g = groupKey.get(key);
    if (g === undefined) {
      g = groups.length;
      groupKey.set(key, g);
      groups.push([]);
      rep.push({ cc: ev.classOf[i], bc });
    }
    groups[g].push(wlPos[i]);
    groupOfWl.push(g);
  });
  const G = groups.length;
  // Externals: each its own group, with the baseline external columns it overlaps.
  const extBase: number[][] = ev.externals.map((x) => {
    const out: number[] = [];
    bv.externals.forEach((y, k) => {
      if (x.atom && y.atom) {
        if (x.atom.family === y.atom.family && y.atom.lo <= x.atom.hi && x.atom.lo <= y.atom.hi) out.push(k);
      } else if (x.domain !== undefined && x.domain === y.domain) out.push(k);
    });
    return out;
  });
  ev.externals.forEach((_, k) => groups.push([extPos[k]]));
  for (const g of groups) g.sort((x, y) => x - y);
  const added: [number, number, number][] = [];
  const removed: [number, number, number][] = [];
  const record = (sg: number, dg: number, now: ConnSet, before: ConnSet[]) => {
    let plus = ConnSet.EMPTY;
    let minus = ConnSet.EMPTY;
    if (before.length === 0) plus = now;
    for (const b of before) {
      plus = plus.union(now.subtract(b));
      minus = minus.union(b.subtract(now));
    }
    if (!plus.isEmpty()) added.push([sg, dg, conns.add(plus)]);
    if (!minus.isEmpty()) removed.push([sg, dg, conns.add(minus)]);
  };
  const BC = bv.classes.length;
  const C = ev.classes.length;
  // Only pairs that one side allows anything for can differ: walk the sparse allowed class pairs of both sides.
  const byCc = new Map<number, number[]>();
  const byBc = new Map<number, number[]>();
  for (let g = 0; g < G; g++) {
    let l = byCc.get(rep[g].cc);
    if (!l) byCc.set(rep[g].cc, (l = []));
    l.push(g);
    if (rep[g].bc !== undefined) {
      let m = byBc.get(rep[g].bc!);
      if (!m) byBc.set(rep[g].bc!, (m = []));
      m.push(g);
    }
  }
  const isEmptyOrNone = (x: ConnSet | undefined) => !x || x.isEmpty();
  for (let s = 0; s < G; s++) {
    yield { done: doneBefore + Math.floor(((total - doneBefore) * s) / Math.max(1, G)), total };
    const cs = rep[s].cc;
    const bs = rep[s].bc;
    const cand = new Set<number>();
    for (const cc of pairsOf(ev, cs).keys()) for (const d of byCc.get(cc) ?? []) cand.add(d);
    if (bs !== undefined) for (const bc of pairsOf(bv, bs).keys()) for (const d of byBc.get(bc) ?? []) cand.add(d);
    for (const d of [...cand].sort((x, y) => x - y)) {
      if (s === d && groups[s].length < 2) continue;
      const now = pairsOf(ev, cs).get(rep[d].cc) ?? ConnSet.EMPTY;
      const before = bs === undefined || rep[d].bc === undefined ? ConnSet.EMPTY : pairsOf(bv, bs).get(rep[d].bc!) ?? ConnSet.EMPTY;
      if (now === before) continue;
      record(s, d, now, [before]);
    }
    const curOut = ev.rowCells(cs, 'Egress');
    const curIn = ev.rowCells(cs, 'Ingress');
    const baseOut = bs === undefined ? undefined : bv.rowCells(bs, 'Egress');
    const baseIn = bs === undefined ? undefined : bv.rowCells(bs, 'Ingress');
    const at = (row: ReturnType<typeof ev.rowCells> | undefined, j: number) => (row === undefined ? undefined : row instanceof ConnSet ? row : row[j]);
    for (let k = 0; k < ev.externals.length; k++) {
      const ks = extBase[k];
      const nowOut = at(curOut, C + k) ?? ConnSet.EMPTY;
      const beforeOut = ks.length ? ks.map((j) => at(baseOut, BC + j) ?? ConnSet.EMPTY) : [ConnSet.EMPTY];
      if (!(isEmptyOrNone(nowOut) && beforeOut.every((b) => b.isEmpty()))) record(s, G + k, nowOut, beforeOut);
      if (ev.externals[k].kind === 'address') {
        const nowIn = at(curIn, C + k) ?? ConnSet.EMPTY;
        const beforeIn = ks.length ? ks.map((j) => (bv.externals[j].kind === 'address' ? at(baseIn, BC + j) ?? ConnSet.EMPTY : ConnSet.EMPTY)) : [ConnSet.EMPTY];
        if (!(isEmptyOrNone(nowIn) && beforeIn.every((b) => b.isEmpty()))) record(G + k, s, nowIn, beforeIn);
      }
    }
  }
  void groupOfWl;
  return { groups, added, removed };
}
