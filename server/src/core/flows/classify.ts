// Classification of aggregated observed flows against an analysis (and optionally a baseline analysis):
// predicted = what the engine allows between the mapped endpoints for the flow's protocol and port
// (Analysis.allowedBetween(src, dst).has(protocol, port)), the impact of a change (newly blocked / newly allowed), and
// the allowed pairs no flow was observed on (least-privilege slack).
//
// Uncertainty: a record that lacks what a decision needs is evaluated over every value it may stand for — every
// candidate endpoint (a Calico aggregated name matching several workloads, `pub`/`pvt` without an address, a network
// set spanning several ranges), every port (no port recorded), every ICMP type (Calico records none). The verdict is
// certain only when all of them agree; otherwise it is `uncertain`, with the reason, never a guess.
import type { Analysis } from '../index';
import { ConnSet, ICMP_MAX, MAX_PORT, MIN_PORT, PORT_PROTOCOLS } from '../ports';
import type { ProtocolPorts } from '../reach-types';
import type { FlowAggregator, AggregatedFlow } from './aggregate';
import { foldCounts, formatsOf, policyKey } from './aggregate';
import { EndpointResolver, type Resolution } from './resolve';
import type { ClassifiedFlow, FlowEnd, FlowReport, FlowSummary, ObservedVerdict, PredictedVerdict, ReportedPolicy, UnmatchedRecord, UnobservedPair } from './types';

export interface ClassifyOptions {
  /** The analysis of the baseline (impact preview: which observed flows the change newly blocks or allows). */
  baseline?: Analysis;
  /** How the baseline is called in reasons ("the baseline", "git HEAD", …). */
  baselineLabel?: string;
  /** The allowed pairs no flow was observed on: listed (default, `true` or `'list'`), only counted (`'count'`: large
   * workspaces have millions), or not computed (`false`). */
  unobserved?: boolean | 'list' | 'count';
  /** List at most this many unobserved pairs; above it none is listed (`unobservedOmitted`), all are counted. */
  unobservedLimit?: number;
}

/** True when the analysis's universe has protocols beyond TCP/UDP/SCTP (Calico semantics: ICMP and others). */
export function hasCalicoUniverse(a: Analysis): boolean {
  return a.universe.protocols().some((p) => !(PORT_PROTOCOLS as readonly string[]).includes(p));
}

/** The connections a flow stands for, and why that set is wider than one (protocol, port). */
export function flowConns(protocol: string, port: number | undefined): { conns: ConnSet; reason?: string } {
  if ((PORT_PROTOCOLS as readonly string[]).includes(protocol)) {
    if (port !== undefined) return { conns: ConnSet.of(protocol, port, port) };
    return { conns: ConnSet.of(protocol, MIN_PORT, MAX_PORT), reason: 'no destination port recorded' };
  }
  if (protocol === 'ICMP' || protocol === 'ICMPv6') {
    if (port !== undefined) return { conns: ConnSet.of(protocol, port, port) };
    return { conns: ConnSet.of(protocol, 0, ICMP_MAX), reason: `${protocol} type and code not recorded` };
  }
  return { conns: ConnSet.of(protocol, 0, 0) };
}

export interface Decision {
  verdict: PredictedVerdict;
  reasons: string[];
}

/** The engine's verdict for a flow between candidate endpoints. */
export function decide(analysis: Analysis, srcIds: string[], dstIds: string[], protocol: string, port: number | undefined, calico = hasCalicoUniverse(analysis)): Decision {
  const reasons: string[] = [];
  if (!calico && !(PORT_PROTOCOLS as readonly string[]).includes(protocol)) {
    return { verdict: 'uncertain', reasons: [`${protocol} is outside what Kubernetes NetworkPolicy decides (TCP, UDP, SCTP): it depends on the network plugin`] };
  }
  const { conns, reason } = flowConns(protocol, port);
  let all = true;
  let none = true;
  let pairs = 0;
  for (const s of srcIds) {
    for (const d of dstIds) {
      if (s === d) {
        reasons.push(`source and destination are both ${s}: the engine does not analyse connections between pods of one workload`);
        all = none = false;
        continue;
      }
      if (analysis.workloadIndex(s) === undefined && analysis.workloadIndex(d) === undefined) {
        reasons.push('both ends are outside the cluster');
        all = none = false;
        continue;
      }
      pairs++;
      const a = analysis.allowedBetween(s, d);
      if (!a.contains(conns)) all = false;
      if (!a.intersect(conns).isEmpty()) none = false;
      if (!all && !none) break;
    }
    if (!all && !none) break;
  }
  if (pairs > 0 && all) return { verdict: 'allowed', reasons: [] };
  if (pairs > 0 && none) return { verdict: 'denied', reasons: [] };
  if (reason) reasons.push(`${reason}, and the allowed ports differ`);
  if (srcIds.length > 1) reasons.push(`the source may be any of ${srcIds.length} endpoints, which are treated differently`);
  if (dstIds.length > 1) reasons.push(`the destination may be any of ${dstIds.length} endpoints, which are treated differently`);
  return { verdict: 'uncertain', reasons: [...new Set(reasons)] };
}

/** Aggregated flows whose ends map to the same endpoints, merged (e.g. the pods of one workload). */
export interface MergedFlow {
  src: Resolution;
  dst: Resolution;
  /** The ends as the records describe them (several when several end keys map to the same endpoints). */
  srcEnds: Map<string, FlowEnd>;
  dstEnds: Map<string, FlowEnd>;
  protocol: string;
  port?: number;
  counters: number[];
  audit: number;
  records: number;
  first?: number;
  last?: number;
  policies: ReportedPolicy[];
  policyKeys?: Set<string>;
  pendingAllowed: number;
  pendingDenied: number;
  formats: number;
  file: string;
  line: number;
  baseSrc?: Resolution;
  baseDst?: Resolution;
}

function mergeInto(m: MergedFlow, f: AggregatedFlow): void {
  for (let i = 0; i < 12; i++) m.counters[i] += f.counters[i];
  m.audit += f.audit;
  m.records += f.records;
  if (f.first !== undefined && (m.first === undefined || f.first < m.first)) m.first = f.first;
  if (f.last !== undefined && (m.last === undefined || f.last > m.last)) m.last = f.last;
  if (f.policies.length && m.policies.length < 16) {
    const keys = (m.policyKeys ??= new Set(m.policies.map(policyKey)));
    for (const p of f.policies) {
      const k = policyKey(p);
      if (m.policies.length < 16 && !keys.has(k)) {
        keys.add(k);
        m.policies.push(p);
      }
    }
  }
  m.pendingAllowed += f.pendingAllowed;
  m.pendingDenied += f.pendingDenied;
  m.formats |= f.formats;
}

const pairKey = (s: string, d: string) => `${s}\u0000${d}`;

/**
 * Maps every aggregated flow to endpoints of `cur` (and `base`) and merges flows that map to the same endpoints.
 * Flows with an end that maps to nothing are returned as unmatched (file, line, reason, count).
 */
export function mergeFlows(agg: FlowAggregator, cur: EndpointResolver, base?: EndpointResolver, opts: { merge?: boolean } = {}): { merged: MergedFlow[]; unmatched: UnmatchedRecord[] } {
  const unmatched: UnmatchedRecord[] = [];
  const merged = new Map<string, MergedFlow>();
  for (const f of agg.flows.values()) {
    const sEnd = agg.ends.get(f.src)!;
    const dEnd = agg.ends.get(f.dst)!;
    const s = cur.resolve(f.src, sEnd);
    const d = cur.resolve(f.dst, dEnd);
    if (s.problem || d.problem) {
      unmatched.push({ file: f.file, line: f.line, reason: s.problem ? `source ${s.problem}` : `destination ${d.problem}`, count: f.records });
      continue;
    }
    const bs = base?.resolve(f.src, sEnd);
    const bd = base?.resolve(f.dst, dEnd);
    // Without merging (opts.merge false), every aggregated flow stays apart (its own record ends and verdicts).
    const key = opts.merge === false ? `${f.src}\u0002${f.dst}\u0002${f.protocol}\u0002${f.port ?? ''}` : `${s.ids.join(',')}\u0001${d.ids.join(',')}\u0001${f.protocol}\u0001${f.port ?? ''}\u0001${bs ? bs.ids.join(',') : ''}\u0001${bd ? bd.ids.join(',') : ''}`;
    let m = merged.get(key);
    if (!m) {
      m = { src: s, dst: d, srcEnds: new Map(), dstEnds: new Map(), protocol: f.protocol, port: f.port, counters: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], audit: 0, records: 0, policies: [], pendingAllowed: 0, pendingDenied: 0, formats: 0, file: f.file, line: f.line, baseSrc: bs, baseDst: bd };
      merged.set(key, m);
    }
    if (!m.srcEnds.has(f.src)) m.srcEnds.set(f.src, sEnd);
    if (!m.dstEnds.has(f.dst)) m.dstEnds.set(f.dst, dEnd);
    mergeInto(m, f);
  }
  return { merged: [...merged.values()], unmatched };
}

/** Classifies an aggregation against `analysis`. */
export function classifyFlows(agg: FlowAggregator, analysis: Analysis, opts: ClassifyOptions = {}): FlowReport {
  const cur = new EndpointResolver(analysis);
  const base = opts.baseline ? new EndpointResolver(opts.baseline) : undefined;
  const unmatched = new Map(agg.unmatched().map((u) => [`${u.file}\u0000${u.reason}`, { ...u }]));
  const files = agg.fileSummaries().map((f) => ({ ...f, skipped: { ...f.skipped } }));
  const { merged, unmatched: unmapped } = mergeFlows(agg, cur, base);
  for (const u of unmapped) {
    const k = `${u.file}\u0000${u.reason}`;
    const prev = unmatched.get(k);
    if (prev) prev.count += u.count;
    else unmatched.set(k, { ...u });
    const fs = files.find((x) => x.file === u.file);
    if (fs) fs.unmatched += u.count;
  }

  const calicoCur = hasCalicoUniverse(analysis);
  const calicoBase = opts.baseline ? hasCalicoUniverse(opts.baseline) : false;
  const flows: ClassifiedFlow[] = [];
  const observedPairs = new Set<string>();
  for (const m of merged) {
    const { allowed, denied } = foldCounts(m.counters);
    const pred = decide(analysis, m.src.ids, m.dst.ids, m.protocol, m.port, calicoCur);
    let basePred: Decision | undefined;
    if (opts.baseline) {
      if (m.baseSrc?.problem || m.baseDst?.problem) {
        basePred = { verdict: 'uncertain', reasons: [`not in ${opts.baselineLabel ?? 'the baseline'}: ${(m.baseSrc?.problem ? m.baseSrc.problem : m.baseDst!.problem)!}`] };
      } else basePred = decide(opts.baseline, m.baseSrc!.ids, m.baseDst!.ids, m.protocol, m.port, calicoBase);
    }
    for (const s of m.src.ids) for (const d of m.dst.ids) observedPairs.add(pairKey(s, d));
    const notes = [...(m.src.notes ?? []), ...(m.dst.notes ?? [])];
    const pending: ClassifiedFlow['pending'] = m.pendingAllowed && m.pendingDenied ? 'mixed' : m.pendingAllowed ? 'allowed' : m.pendingDenied ? 'denied' : undefined;
    const parts: { verdict: ObservedVerdict; count: number }[] = [];
    if (allowed > 0) parts.push({ verdict: 'allowed', count: allowed });
    if (denied > 0) parts.push({ verdict: 'denied', count: denied });
    for (const part of parts) {
      const c: ClassifiedFlow = {
        src: m.src.display,
        dst: m.dst.display,
        protocol: m.protocol,
        port: m.port,
        count: part.count,
        observed: part.verdict,
        predicted: pred.verdict,
        formats: formatsOf(m.formats),
        origin: { file: m.file, line: m.line },
      };
      if (m.src.ids.length > 1) c.srcCandidates = m.src.ids;
      if (m.dst.ids.length > 1) c.dstCandidates = m.dst.ids;
      if (basePred) {
        c.baseline = basePred.verdict;
        c.change = basePred.verdict === 'allowed' && pred.verdict === 'denied' ? 'newly-blocked' : basePred.verdict === 'denied' && pred.verdict === 'allowed' ? 'newly-allowed' : null;
      }
      if (pred.verdict !== 'uncertain' && pred.verdict !== part.verdict) c.disagreement = true;
      const reasons = [...pred.reasons, ...(basePred && basePred.verdict === 'uncertain' ? basePred.reasons.map((r) => `baseline: ${r}`) : [])];
      if (reasons.length) c.uncertain = reasons;
      if (part.verdict === 'denied' && m.audit > 0) c.audit = true;
      if (m.policies.length) c.reported = m.policies;
      if (pending) c.pending = pending;
      if (m.first !== undefined) c.firstSeen = m.first;
      if (m.last !== undefined) c.lastSeen = m.last;
      if (notes.length) c.notes = [...new Set(notes)];
      flows.push(c);
    }
  }
  flows.sort(compareFlows);

  let unobservedCount = 0;
  let unobserved: UnobservedPair[] = [];
  const limit = opts.unobservedLimit ?? Infinity;
  if (opts.unobserved !== false) {
    const list = opts.unobserved !== 'count';
    unobservedCount = forEachUnobserved(analysis, observedPairs, (s, d, protocols) => {
      if (list && unobserved.length <= limit) unobserved.push({ src: s, dst: d, protocols });
    });
  }
  const unobservedOmitted = unobserved.length > limit;
  if (unobservedOmitted) unobserved = [];
  const unmatchedList = [...unmatched.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  const summary: FlowSummary = {
    records: agg.records,
    flows: flows.length,
    observedAllowed: flows.filter((f) => f.observed === 'allowed').length,
    observedDenied: flows.filter((f) => f.observed === 'denied').length,
    agree: flows.filter((f) => f.predicted === f.observed).length,
    disagree: flows.filter((f) => f.disagreement).length,
    uncertain: flows.filter((f) => f.predicted === 'uncertain').length,
    unmatchedRecords: unmatchedList.reduce((n, u) => n + u.count, 0),
    unobservedPairs: unobservedCount,
  };
  if (opts.baseline) {
    summary.newlyBlocked = flows.filter((f) => f.change === 'newly-blocked').length;
    summary.newlyAllowed = flows.filter((f) => f.change === 'newly-allowed').length;
  }
  return { flows, unmatched: unmatchedList, unobserved, ...(unobservedOmitted ? { unobservedOmitted } : {}), files, summary };
}

function compareFlows(a: ClassifiedFlow, b: ClassifiedFlow): number {
  return cmp(a.src, b.src) || cmp(a.dst, b.dst) || cmp(a.protocol, b.protocol) || (a.port ?? -1) - (b.port ?? -1) || cmp(a.observed, b.observed);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Allowed endpoint pairs (workload ↔ workload, workload ↔ external) on which no flow was observed. */
export function unobservedPairs(analysis: Analysis, observed: Set<string>): UnobservedPair[] {
  const out: UnobservedPair[] = [];
  forEachUnobserved(analysis, observed, (s, d, protocols) => out.push({ src: s, dst: d, protocols }));
  return out;
}

/** Calls `visit` for every allowed, never observed pair (from the engine's streamed connections); returns how many. */
function forEachUnobserved(analysis: Analysis, observed: Set<string>, visit: (src: string, dst: string, protocols: ProtocolPorts) => void): number {
  let n = 0;
  for (const c of analysis.connections()) {
    if (observed.has(pairKey(c.src, c.dst))) continue;
    n++;
    visit(c.src, c.dst, c.protocols);
  }
  return n;
}
