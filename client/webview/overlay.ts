// The observed-flows overlay's pure view model: the server's classification of imported flow logs
// (policyLens/flows, FlowsResponse in server/src/protocol.ts) laid over the panel's items. The server decides every
// verdict (observed, predicted, disagreement, uncertain, the allowed pairs never observed); this file only adds them
// up per matrix cell, graph arrow or blast-radius entry (a collapsed class or namespace stands for many endpoint
// pairs) and picks the mark and the words. Words come from the one formatter (core/explain/format.ts).
// No DOM here (unit-tested in test/unit/panel-overlay.test.ts).
import { countOf, describeConns } from '../../server/src/core/explain/format';
import { flowConns } from '../../server/src/core/flows/classify';
import type { ClassifiedFlow, ReportedPolicy } from '../../server/src/core/flows/types';
import type { FlowPairOverlay, FlowsResponse } from '../../server/src/protocol';
import type { Item, PanelIndex } from './data';

/** The overlay indexed over one PanelData (endpoint indices instead of ids). */
export interface OverlayIndex {
  flows: FlowsResponse;
  /** Observed pairs by source endpoint index. */
  bySrc: Map<number, { d: number; p: FlowPairOverlay }[]>;
  /** Allowed pairs never observed, by source endpoint index. */
  unobservedBySrc: Map<number, Set<number>>;
  /** Observed pairs by `src\0dst` id. */
  byPair: Map<string, FlowPairOverlay>;
  /** Observed pairs whose ends are not endpoints of the panel data (e.g. the workspace changed since). */
  outside: number;
}

export function indexOverlay(idx: PanelIndex, flows: FlowsResponse): OverlayIndex {
  const bySrc = new Map<number, { d: number; p: FlowPairOverlay }[]>();
  const unobservedBySrc = new Map<number, Set<number>>();
  const byPair = new Map<string, FlowPairOverlay>();
  let outside = 0;
  for (const p of flows.pairs) {
    const s = idx.byId.get(p.src);
    const d = idx.byId.get(p.dst);
    if (s === undefined || d === undefined) {
      outside++;
      continue;
    }
    byPair.set(`${p.src}\u0000${p.dst}`, p);
    let l = bySrc.get(s);
    if (!l) bySrc.set(s, (l = []));
    l.push({ d, p });
  }
  for (const u of flows.unobserved) {
    const s = idx.byId.get(u.src);
    const d = idx.byId.get(u.dst);
    if (s === undefined || d === undefined) continue;
    let set = unobservedBySrc.get(s);
    if (!set) unobservedBySrc.set(s, (set = new Set()));
    set.add(d);
  }
  return { flows, bySrc, unobservedBySrc, byPair, outside };
}

const indexes = new WeakMap<object, { idx: PanelIndex; ov: OverlayIndex }>();
/** The overlay index of a FlowsResponse over a PanelIndex (built once per pair of them). */
export function overlayIndex(idx: PanelIndex, flows: FlowsResponse): OverlayIndex {
  const hit = indexes.get(flows);
  if (hit && hit.idx === idx) return hit.ov;
  const ov = indexOverlay(idx, flows);
  indexes.set(flows, { idx, ov });
  return ov;
}

/**
 * What the overlay says about a set of endpoint pairs (one cell, arrow or entry). `state`, in order of precedence:
 * `disagree` (some observed flow's engine verdict differs from the dataplane's), `mixed` (flows observed allowed and
 * denied), `observed-denied`, `observed-allowed`, `unobserved` (allowed by the manifests, no flow observed: slack).
 */
export type OverlayState = 'disagree' | 'mixed' | 'observed-denied' | 'observed-allowed' | 'unobserved';

export interface OverlayMark {
  state: OverlayState;
  /** Distinct observed flows (indices into FlowsResponse.flows). */
  flows: number[];
  allowedFlows: number;
  deniedFlows: number;
  /** Connections (or records) the flows stand for. */
  allowedCount: number;
  deniedCount: number;
  disagreements: number;
  uncertain: number;
  newlyBlocked: number;
  newlyAllowed: number;
  /** Endpoint pairs with observed flows. */
  observedPairs: number;
  /** Endpoint pairs the manifests allow on which nothing was observed. */
  unobservedPairs: number;
  /** Some flow may be on another pair (an end with several candidate endpoints). */
  ambiguous: boolean;
}

/** Accumulates pairs into a mark. */
class MarkBuilder {
  private flowSet = new Set<number>();
  private observedPairs = 0;
  private unobservedPairs = 0;
  private ambiguous = false;
  addPair(p: FlowPairOverlay) {
    this.observedPairs++;
    for (const i of p.flows) this.flowSet.add(i);
    if (p.ambiguous) this.ambiguous = true;
  }
  addUnobserved() {
    this.unobservedPairs++;
  }
  build(all: ClassifiedFlow[]): OverlayMark | undefined {
    if (this.flowSet.size === 0 && this.unobservedPairs === 0) return undefined;
    const flows = [...this.flowSet].sort((a, b) => a - b);
    const m: OverlayMark = {
      state: 'unobserved', flows, allowedFlows: 0, deniedFlows: 0, allowedCount: 0, deniedCount: 0, disagreements: 0, uncertain: 0,
      newlyBlocked: 0, newlyAllowed: 0, observedPairs: this.observedPairs, unobservedPairs: this.unobservedPairs, ambiguous: this.ambiguous,
    };
    for (const i of flows) {
      const f = all[i];
      if (!f) continue;
      if (f.observed === 'allowed') {
        m.allowedFlows++;
        m.allowedCount += f.count;
      } else {
        m.deniedFlows++;
        m.deniedCount += f.count;
      }
      if (f.disagreement) m.disagreements++;
      if (f.predicted === 'uncertain') m.uncertain++;
      if (f.change === 'newly-blocked') m.newlyBlocked++;
      if (f.change === 'newly-allowed') m.newlyAllowed++;
    }
    if (flows.length) m.state = m.disagreements ? 'disagree' : m.allowedFlows && m.deniedFlows ? 'mixed' : m.deniedFlows ? 'observed-denied' : 'observed-allowed';
    return m;
  }
}

/** The mark of every pair from `srcs` to `dsts` (distinct endpoints), or undefined when the overlay has nothing. */
export function overlayMark(ov: OverlayIndex, srcs: readonly number[], dsts: readonly number[]): OverlayMark | undefined {
  const dset = new Set(dsts);
  const b = new MarkBuilder();
  for (const s of srcs) {
    for (const { d, p } of ov.bySrc.get(s) ?? []) if (dset.has(d) && d !== s) b.addPair(p);
    const un = ov.unobservedBySrc.get(s);
    if (un) for (const d of dsts) if (d !== s && un.has(d)) b.addUnobserved();
  }
  return b.build(ov.flows.flows);
}

/**
 * Marks for every (row, column) of a matrix at once, linear in the overlay's pairs: an endpoint is in up to three
 * row items (its namespace, its class, itself), so each pair feeds up to nine cells. An open namespace row shows
 * nothing (as in the matrix); it is skipped.
 */
export function overlayCells(ov: OverlayIndex, rows: readonly Item[], cols: readonly Item[]): (ri: number, ci: number) => OverlayMark | undefined {
  const where = (items: readonly Item[], skipOpenNs: boolean) => {
    const m = new Map<number, number[]>();
    items.forEach((it, i) => {
      if (skipOpenNs && it.kind === 'ns' && it.open) return;
      for (const e of it.eps) {
        let l = m.get(e);
        if (!l) m.set(e, (l = []));
        l.push(i);
      }
    });
    return m;
  };
  const rowsOf = where(rows, true);
  const colsOf = where(cols, false);
  const n = cols.length;
  const builders = new Map<number, MarkBuilder>();
  const at = (ri: number, ci: number) => {
    const k = ri * n + ci;
    let b = builders.get(k);
    if (!b) builders.set(k, (b = new MarkBuilder()));
    return b;
  };
  for (const [s, list] of ov.bySrc) {
    const rs = rowsOf.get(s);
    if (!rs) continue;
    for (const { d, p } of list) {
      const cs = colsOf.get(d);
      if (!cs) continue;
      for (const ri of rs) for (const ci of cs) at(ri, ci).addPair(p);
    }
  }
  for (const [s, set] of ov.unobservedBySrc) {
    const rs = rowsOf.get(s);
    if (!rs) continue;
    for (const d of set) {
      const cs = colsOf.get(d);
      if (!cs) continue;
      for (const ri of rs) for (const ci of cs) at(ri, ci).addUnobserved();
    }
  }
  const built = new Map<number, OverlayMark | undefined>();
  return (ri, ci) => {
    const k = ri * n + ci;
    if (!built.has(k)) built.set(k, builders.get(k)?.build(ov.flows.flows));
    return built.get(k);
  };
}

// ---------------------------------------------------------------- marks and words

/**
 * The glyph of each state (never colour alone: the glyph, and the words in the title / aria-label, carry it).
 * ⚠ disagreement · ● observed, allowed · ⊘ observed, denied · ◑ observed, some allowed and some denied ·
 * ◌ allowed but never observed.
 */
export const OVERLAY_GLYPH: Record<OverlayState, string> = {
  disagree: '⚠',
  mixed: '◑',
  'observed-denied': '⊘',
  'observed-allowed': '●',
  unobserved: '◌',
};

/** The legend's words for each state: short (they share a strip with the summary), the full meaning as a tooltip. */
export const OVERLAY_LEGEND: Record<OverlayState, { short: string; full: string }> = {
  'observed-allowed': { short: 'observed, allowed', full: 'observed flows, allowed by the dataplane as the manifests say' },
  'observed-denied': { short: 'observed, denied', full: 'observed flows, denied by the dataplane as the manifests say' },
  mixed: { short: 'allowed and denied', full: 'observed flows, some allowed and some denied' },
  disagree: { short: 'disagreement', full: "disagreement: the engine's verdict for the manifests differs from what the dataplane did" },
  unobserved: { short: 'never observed', full: 'allowed by the manifests but never observed (least-privilege slack)' },
};

/** The short badge of a mark: its glyph, with the number of flows (of disagreements) when more than one. */
export function overlayBadge(m: OverlayMark): string {
  const n = m.state === 'disagree' ? m.disagreements : m.state === 'unobserved' ? 0 : m.flows.length;
  return `${OVERLAY_GLYPH[m.state]}${n > 1 ? ` ${n}` : ''}`;
}

/**
 * The overlay of a cell / arrow / entry in words (tooltips, screen readers): "observed: 3 flows (2 allowed, 1
 * denied), 1 disagreement with the manifests, 1 uncertain; allowed but never observed on 4 pairs".
 */
export function overlayWords(m: OverlayMark): string {
  const parts: string[] = [];
  if (m.flows.length) {
    const split = m.allowedFlows && m.deniedFlows ? ` (${m.allowedFlows} allowed, ${m.deniedFlows} denied)` : m.deniedFlows ? ', denied' : ', allowed';
    parts.push(`observed: ${countOf(m.flows.length, 'flow')}${split}${m.observedPairs > 1 ? ` on ${countOf(m.observedPairs, 'pair')}` : ''}`);
    if (m.disagreements) parts.push(`${countOf(m.disagreements, 'disagreement')} with the manifests (the engine's verdict differs from the dataplane's)`);
    if (m.uncertain) parts.push(`${m.uncertain} uncertain`);
    if (m.newlyBlocked) parts.push(`${m.newlyBlocked} newly blocked by the current edits`);
    if (m.newlyAllowed) parts.push(`${m.newlyAllowed} newly allowed by the current edits`);
    if (m.ambiguous) parts.push('some flow may be between other endpoints (an end has several candidates)');
  }
  if (m.unobservedPairs) {
    parts.push(m.flows.length || m.unobservedPairs > 1
      ? `allowed but never observed on ${countOf(m.unobservedPairs, 'pair')}`
      : 'allowed but never observed (least-privilege slack)');
  }
  return parts.join('; ');
}

/** The connection of one observed flow in the formatter's words ("TCP 8080", "ICMP type 8 code 0", "UDP 53"). */
export function flowConnWords(f: Pick<ClassifiedFlow, 'protocol' | 'port'>): string {
  const { conns, reason } = flowConns(f.protocol, f.port);
  return `${describeConns(conns)}${reason ? ` (${reason})` : ''}`;
}

/** One policy the dataplane reported, as it named it: "allow · backend/api (NetworkPolicy, tier default) rule 1". */
export function reportedWords(p: ReportedPolicy): string {
  const name = p.namespace ? `${p.namespace}/${p.name}` : p.name;
  const what = [p.kind, p.tier ? `tier ${p.tier}` : undefined].filter(Boolean).join(', ');
  const rule = p.ruleIndex !== undefined && p.ruleIndex >= 0 ? ` rule ${p.ruleIndex + 1}` : p.ruleIndex === -1 ? ' (end of tier)' : '';
  const side = p.direction ? ` · ${p.direction}` : '';
  const extra = [p.pending ? 'pending (staged)' : undefined, p.trigger ? `triggered by ${p.trigger}` : undefined].filter(Boolean).join(', ');
  return `${p.action ? `${p.action.toLowerCase()} · ` : ''}${name}${what ? ` (${what})` : ''}${rule}${side}${extra ? ` — ${extra}` : ''}`;
}

/** A row of the observed side of the explanation pane: one flow of the selected pair. */
export interface ObservedRow {
  conn: string;
  count: number;
  observed: ClassifiedFlow['observed'];
  predicted: ClassifiedFlow['predicted'];
  disagreement: boolean;
  audit: boolean;
  change?: ClassifiedFlow['change'];
  uncertain: string[];
  reported: string[];
  notes: string[];
  origin: string;
  /** The flow's end names when they are not exactly the selected pair (candidates). */
  between?: string;
}

/** The observed flows of one endpoint pair, in the order the server lists them (disagreements first). */
export function observedRows(ov: OverlayIndex, src: string, dst: string): ObservedRow[] {
  const p = ov.byPair.get(`${src}\u0000${dst}`);
  if (!p) return [];
  const rows = p.flows.map((i) => {
    const f = ov.flows.flows[i];
    const between = f.src !== src || f.dst !== dst ? `${f.src} → ${f.dst}` : undefined;
    return {
      conn: flowConnWords(f),
      count: f.count,
      observed: f.observed,
      predicted: f.predicted,
      disagreement: !!f.disagreement,
      audit: !!f.audit,
      change: f.change,
      uncertain: f.uncertain ?? [],
      reported: (f.reported ?? []).map(reportedWords),
      notes: f.notes ?? [],
      origin: `${f.origin.file.replace(/^.*[\\/]/, '')}:${f.origin.line}`,
      between,
    } satisfies ObservedRow;
  });
  return rows.sort((a, b) => Number(b.disagreement) - Number(a.disagreement));
}

/**
 * The pair to explain for a cell standing for many pairs: one with a disagreement, else one observed denied, else
 * any observed pair (so the explanation pane can show the observed flows beside the engine's trace). Undefined when
 * no pair of the cell has observed flows.
 */
export function overlayRepresentative(ov: OverlayIndex, srcs: readonly number[], dsts: readonly number[]): { src: number; dst: number } | undefined {
  const dset = new Set(dsts);
  let best: { src: number; dst: number; rank: number } | undefined;
  for (const s of srcs) {
    for (const { d, p } of ov.bySrc.get(s) ?? []) {
      if (!dset.has(d) || d === s) continue;
      const rank = p.disagreements ? 3 : p.deniedCount ? 2 : 1;
      if (!best || rank > best.rank) best = { src: s, dst: d, rank };
      if (rank === 3) return { src: s, dst: d };
    }
  }
  return best && { src: best.src, dst: best.dst };
}

/**
 * The peers of endpoint `w` with observed flows from `w` (`out`) or to it (`in`) that are not in `listed` (the blast
 * radius lists only what the manifests allow, so these are flows the dataplane saw that the manifests deny or
 * disagree on), in endpoint order.
 */
export function observedPeers(ov: OverlayIndex, w: number, dir: 'out' | 'in', listed: ReadonlySet<number>): number[] {
  const out = new Set<number>();
  if (dir === 'out') {
    for (const { d } of ov.bySrc.get(w) ?? []) if (d !== w && !listed.has(d)) out.add(d);
  } else {
    for (const [s, list] of ov.bySrc) if (s !== w && !listed.has(s) && list.some((x) => x.d === w)) out.add(s);
  }
  return [...out].sort((a, b) => a - b);
}

/** The overlay's summary line: what was imported and what it shows. */
export function overlaySummary(f: FlowsResponse): string {
  const s = f.summary;
  const parts = [
    `${countOf(s.flows, 'observed flow')} from ${countOf(f.files.length, 'file')} (${s.observedAllowed} allowed, ${s.observedDenied} denied)`,
    `${countOf(s.disagree, 'disagreement')}`,
    `${s.uncertain} uncertain`,
    `${countOf(s.unobservedPairs, 'allowed pair')} never observed${f.unobservedOmitted ? ' (too many to mark in the matrix)' : ''}`,
  ];
  if (s.unmatchedRecords) parts.push(`${countOf(s.unmatchedRecords, 'record')} unmatched`);
  if (s.newlyBlocked) parts.push(`${s.newlyBlocked} newly blocked`);
  if (s.newlyAllowed) parts.push(`${s.newlyAllowed} newly allowed`);
  return parts.join(' · ');
}
