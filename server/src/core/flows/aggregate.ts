// Streaming aggregation of flow records: records are folded by (source, destination, protocol, port) as they arrive,
// so memory grows with the number of distinct flows, not with the number of records. The aggregation does not depend
// on the manifests: ends are keyed by what the records say (pod / workload / address / network), and are mapped to
// endpoints of an analysis only when classifying (classify.ts), so one aggregation serves the current state and any
// baseline.
//
// Folding ([GM] FlowKey.reporter "whether this flow was generated at the initiating or terminating end", [HB]
// traffic_direction): one connection between two pods is reported by both ends (Calico reporter Src and Dst; Hubble
// EGRESS at the source's node and INGRESS at the destination's). Counts are kept per reporting side and verdict; the
// connections that passed are those the destination side allowed (or, without a destination report, the source
// side), the denied ones are those either side denied. Replies are dropped while normalising (formats.ts).
import { JsonRecordReader } from './reader';
import { hubblePodLabels, normaliseRecord } from './formats';
import type { FlowEnd, FlowFileSummary, FlowFormat, FlowRecord, ObservedVerdict, ReportedPolicy, UnmatchedRecord } from './types';
import { FLOW_FORMATS } from './types';

/** Stable key of a flow end, as the record describes it. */
export function endKey(e: FlowEnd): string {
  switch (e.type) {
    case 'workload':
      if (e.workload) return `w\t${e.namespace ?? ''}\t~${e.workload.kind ?? ''}/${e.workload.name}`;
      if (e.prefix !== undefined) return `w\t${e.namespace ?? ''}\t*${e.prefix}`;
      if (e.podName) return `w\t${e.namespace ?? ''}\t=${e.podName}`;
      return `w\t${e.namespace ?? ''}\t#${labelKey(e.labels)}`;
    case 'address':
      return `a\t${e.address}`;
    case 'network':
      return `n\t${e.network}`;
    case 'networkset':
      return `s\t${e.namespace ?? ''}\t${e.name}`;
    case 'host':
      return `h\t${e.name ?? e.note ?? ''}`;
    case 'named':
      return `c\t${e.namespace ?? ''}\t${e.name}`;
    default:
      return `u\t${e.note ?? ''}`;
  }
}

function labelKey(l: FlowEnd['labels']): string {
  if (!l) return '';
  return Object.keys(l)
    .sort()
    .map((k) => `${k}=${l[k]}`)
    .join(',');
}

/** The description of an end as the aggregation keeps it (Hubble labels parsed now, once per end). */
function keptEnd(e: FlowEnd): FlowEnd {
  if (!e.rawLabels) return e;
  const { rawLabels, ...rest } = e;
  const labels = hubblePodLabels(rawLabels);
  return labels ? { ...rest, labels } : rest;
}

/** Counters of one aggregated flow: index = weight (0 connection, 1 packet) * 6 + side (src 0, dst 1, unknown 2) * 2 + verdict (allowed 0, denied 1). */
export type Counters = number[];
const SIDE = { src: 0, dst: 1, unknown: 2 } as const;

export interface AggregatedFlow {
  src: string;
  dst: string;
  protocol: string;
  port?: number;
  counters: Counters;
  /** Connections reported as AUDIT (counted as denied). */
  audit: number;
  records: number;
  first?: number;
  last?: number;
  /** Reported policies, deduplicated, at most MAX_POLICIES. */
  policies: ReportedPolicy[];
  /** Keys of `policies` (for deduplication; at most MAX_POLICIES, so a list). */
  policyKeys?: string[];
  /** Records in a row whose policies added nothing new (sampling, see add()). */
  policyMisses: number;
  pendingAllowed: number;
  pendingDenied: number;
  formats: number;
  file: string;
  line: number;
}

const MAX_POLICIES = 16;
/** Records in a row without a new reported policy after which a flow's policies are no longer read. */
const POLICY_SAMPLE = 8;

export function policyKey(p: ReportedPolicy): string {
  return `${p.pending ? 'p' : 'e'}|${p.direction ?? ''}|${p.kind ?? ''}|${p.tier ?? ''}|${p.namespace ?? ''}|${p.name}|${p.action ?? ''}|${p.ruleIndex ?? ''}|${p.trigger ?? ''}`;
}

/** Allowed and denied connection counts of an aggregated flow after folding reports of both ends. */
export function foldCounts(c: Counters): { allowed: number; denied: number } {
  // Per side: connection-level counts when the side has any, else packet-level counts.
  const side = (s: number) => {
    const ca = c[s * 2];
    const cd = c[s * 2 + 1];
    if (ca + cd > 0) return { a: ca, d: cd, any: true };
    const pa = c[6 + s * 2];
    const pd = c[6 + s * 2 + 1];
    return { a: pa, d: pd, any: pa + pd > 0 };
  };
  const src = side(SIDE.src);
  const dst = side(SIDE.dst);
  const unk = side(SIDE.unknown);
  if (!src.any && !dst.any) return { allowed: unk.a, denied: unk.d };
  let allowed: number;
  if (dst.any && src.any) allowed = Math.max(dst.a, src.a - dst.d, 0);
  else allowed = dst.any ? dst.a : src.a;
  // Reports without a side only add denials the sided reports do not already show.
  const denied = src.d + dst.d || unk.d;
  return { allowed, denied };
}

export interface AggregatorState {
  records: number;
  flows: [string, AggregatedFlow][];
  ends: [string, FlowEnd][];
  unmatched: [string, UnmatchedRecord][];
  files: [string, FlowFileSummary][];
}

export class FlowAggregator {
  readonly flows = new Map<string, AggregatedFlow>();
  /** One representative description per end key (the first record's). */
  readonly ends = new Map<string, FlowEnd>();
  private readonly unmatchedByKey = new Map<string, UnmatchedRecord>();
  private readonly files = new Map<string, FlowFileSummary>();
  records = 0;

  /** Summary of one file (created on first use). */
  fileSummary(file: string): FlowFileSummary {
    let f = this.files.get(file);
    if (!f) this.files.set(file, (f = { file, formats: [], records: 0, skipped: {}, unmatched: 0 }));
    return f;
  }

  fileSummaries(): FlowFileSummary[] {
    return [...this.files.values()];
  }

  /** Records that could not be used, one entry per (file, reason). */
  unmatched(): UnmatchedRecord[] {
    return [...this.unmatchedByKey.values()];
  }

  /** Reports an unusable record (or `count` of them). */
  problem(file: string, line: number, reason: string, count = 1): void {
    const key = `${file}\u0000${reason}`;
    const u = this.unmatchedByKey.get(key);
    if (u) u.count += count;
    else this.unmatchedByKey.set(key, { file, line, reason, count });
    this.fileSummary(file).unmatched += count;
  }

  /** A Hubble reply, recognised without parsing the line ([HB] `"is_reply":true` as jsonpb writes it). */
  static isHubbleReplyLine(text: string): boolean {
    const i = text.indexOf('"is_reply":true');
    return i > 0 && text.charCodeAt(i - 1) !== 92 && text.startsWith('{"flow":');
  }

  /** Counts a record skipped without parsing it. */
  skipRecord(file: string, reason: string): void {
    const fs = this.fileSummary(file);
    fs.records++;
    this.records++;
    if (!fs.formats.includes('hubble')) fs.formats.push('hubble');
    fs.skipped[reason] = (fs.skipped[reason] ?? 0) + 1;
  }

  /** Adds one parsed JSON value read from `file` at `line`. */
  addValue(file: string, line: number, value: unknown): void {
    const fs = this.fileSummary(file);
    fs.records++;
    this.records++;
    const { format, result } = normaliseRecord(value);
    if (format && !fs.formats.includes(format)) fs.formats.push(format);
    if ('error' in result) return this.problem(file, line, result.error);
    if ('skip' in result) {
      fs.skipped[result.skip] = (fs.skipped[result.skip] ?? 0) + 1;
      return;
    }
    this.add(result.record, file, line);
  }

  /** Adds one normalised record. */
  add(r: FlowRecord, file: string, line: number): void {
    const sk = endKey(r.src);
    const dk = endKey(r.dst);
    if (!this.ends.has(sk)) this.ends.set(sk, keptEnd(r.src));
    if (!this.ends.has(dk)) this.ends.set(dk, keptEnd(r.dst));
    const key = `${sk}\u0001${dk}\u0001${r.protocol}\u0001${r.port ?? ''}`;
    let f = this.flows.get(key);
    if (!f) {
      f = {
        src: sk,
        dst: dk,
        protocol: r.protocol,
        port: r.port,
        counters: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        audit: 0,
        records: 0,
        policies: [],
        pendingAllowed: 0,
        pendingDenied: 0,
        formats: 0,
        file,
        line,
        // Every field present from the start: one object shape for all flows.
        first: undefined,
        last: undefined,
        policyKeys: undefined,
        policyMisses: 0,
      };
      this.flows.set(key, f);
    }
    f.records++;
    f.counters[(r.weight === 'packet' ? 6 : 0) + SIDE[r.side] * 2 + (r.verdict === 'denied' ? 1 : 0)] += r.count;
    if (r.audit) f.audit += r.count;
    if (r.start !== undefined && (f.first === undefined || r.start < f.first)) f.first = r.start;
    const end = r.end ?? r.start;
    if (end !== undefined && (f.last === undefined || end > f.last)) f.last = end;
    if (r.pendingVerdict === 'allowed') f.pendingAllowed += r.count;
    else if (r.pendingVerdict === 'denied') f.pendingDenied += r.count;
    f.formats |= 1 << FLOW_FORMATS.indexOf(r.format);
    // Reported policies are sampled: once POLICY_SAMPLE records in a row named nothing new, later ones are not read.
    if (r.policies.length && f.policies.length < MAX_POLICIES && f.policyMisses < POLICY_SAMPLE) {
      const keys = (f.policyKeys ??= []);
      const before = f.policies.length;
      for (const p of r.policies) {
        if (f.policies.length >= MAX_POLICIES) break;
        const k = policyKey(p);
        if (!keys.includes(k)) {
          keys.push(k);
          f.policies.push(p);
        }
      }
      f.policyMisses = f.policies.length > before ? 0 : f.policyMisses + 1;
    }
  }

  /** Plain data (structured-cloneable) of this aggregation, e.g. to send it from a worker thread. */
  toState(): AggregatorState {
    return { records: this.records, flows: [...this.flows], ends: [...this.ends], unmatched: [...this.unmatchedByKey], files: [...this.files] };
  }

  static fromState(s: AggregatorState): FlowAggregator {
    const a = new FlowAggregator();
    a.records = s.records;
    for (const [k, v] of s.flows) a.flows.set(k, v);
    for (const [k, v] of s.ends) a.ends.set(k, v);
    for (const [k, v] of s.unmatched) a.unmatchedByKey.set(k, v);
    for (const [k, v] of s.files) a.files.set(k, v);
    return a;
  }

  /** One aggregation holding several (e.g. one per file, kept separately so a changed file is read again alone). */
  static merge(parts: FlowAggregator[]): FlowAggregator {
    if (parts.length === 1) return parts[0];
    const out = new FlowAggregator();
    for (const p of parts) {
      out.records += p.records;
      for (const [k, e] of p.ends) if (!out.ends.has(k)) out.ends.set(k, e);
      for (const [k, u] of p.unmatchedByKey) {
        const prev = out.unmatchedByKey.get(k);
        if (prev) prev.count += u.count;
        else out.unmatchedByKey.set(k, { ...u });
      }
      for (const [k, f] of p.files) if (!out.files.has(k)) out.files.set(k, { ...f, skipped: { ...f.skipped }, formats: [...f.formats] });
      for (const [k, f] of p.flows) {
        const prev = out.flows.get(k);
        if (!prev) {
          out.flows.set(k, { ...f, counters: [...f.counters], policies: [...f.policies], policyKeys: f.policies.map(policyKey) });
          continue;
        }
        for (let i = 0; i < 12; i++) prev.counters[i] += f.counters[i];
        prev.audit += f.audit;
        prev.records += f.records;
        if (f.first !== undefined && (prev.first === undefined || f.first < prev.first)) prev.first = f.first;
        if (f.last !== undefined && (prev.last === undefined || f.last > prev.last)) prev.last = f.last;
        prev.pendingAllowed += f.pendingAllowed;
        prev.pendingDenied += f.pendingDenied;
        prev.formats |= f.formats;
        const keys = (prev.policyKeys ??= prev.policies.map(policyKey));
        for (const q of f.policies) {
          if (prev.policies.length >= MAX_POLICIES) break;
          const pk = policyKey(q);
          if (!keys.includes(pk)) {
            keys.push(pk);
            prev.policies.push(q);
          }
        }
      }
    }
    return out;
  }

  /** A streaming reader feeding this aggregator with the records of one file. */
  reader(file: string): JsonRecordReader {
    this.fileSummary(file);
    return new JsonRecordReader(
      (v, line) => this.addValue(file, line, v),
      (line, message) => this.problem(file, line, message),
      // Hubble replies (a large share of `hubble observe` output) are recognised without parsing them.
      (text) => {
        if (!FlowAggregator.isHubbleReplyLine(text)) return false;
        this.skipRecord(file, 'reply (folded into its request)');
        return true;
      },
    );
  }

  /** Reads a whole text (for small inputs and tests; files are streamed with `reader`). */
  addText(file: string, text: string): void {
    const r = this.reader(file);
    r.push(text);
    r.end();
  }
}

export function formatsOf(mask: number): FlowFormat[] {
  return FLOW_FORMATS.filter((_, i) => mask & (1 << i));
}

export function verdictCounts(f: AggregatedFlow): { verdict: ObservedVerdict; count: number }[] {
  const { allowed, denied } = foldCounts(f.counters);
  const out: { verdict: ObservedVerdict; count: number }[] = [];
  if (allowed > 0) out.push({ verdict: 'allowed', count: allowed });
  if (denied > 0) out.push({ verdict: 'denied', count: denied });
  return out;
}
