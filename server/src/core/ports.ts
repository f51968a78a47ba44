// Connection-set algebra: for each protocol, a sorted list of disjoint, non-adjacent inclusive port ranges.
// Protocols without ports (Calico ICMP, numeric protocols) use the single range [0, 0] to mean "the whole protocol".
import type { PortRange, ProtocolPorts } from './reach-types';

export const MIN_PORT = 1;
export const MAX_PORT = 65535;
export const PORT_PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;

/**
 * Results of set operations, memoised by the operands' identities: the evaluator combines the same few sets over
 * and over (a rule's ports with every peer column), so this keeps allocation (and GC) down. Bounded.
 */
const MEMO_LIMIT = 1 << 18;
type Memo = { size: number; table: Map<number, Map<number, ConnSet>> };
const memo = { union: newMemo(), intersect: newMemo(), subtract: newMemo() };
let nextUid = 1;

function newMemo(): Memo {
  return { size: 0, table: new Map() };
}

function memoised(m: Memo, a: ConnSet, b: ConnSet, compute: () => ConnSet): ConnSet {
  let inner = m.table.get(a.uid);
  let r = inner?.get(b.uid);
  if (r === undefined) {
    if (m.size >= MEMO_LIMIT) {
      m.table.clear();
      m.size = 0;
      inner = undefined;
    }
    r = compute();
    if (!inner) m.table.set(a.uid, (inner = new Map()));
    inner.set(b.uid, r);
    m.size++;
  }
  return r;
}

/** Immutable set of (protocol, port) pairs. */
export class ConnSet {
  /** Identity for memoising operations (not content: equal sets may have different uids). */
  readonly uid = nextUid++;
  private constructor(private readonly map: ReadonlyMap<string, readonly PortRange[]>) {}

  static readonly EMPTY = new ConnSet(new Map());

  /** All TCP, UDP and SCTP ports: what "all connections" means for Kubernetes NetworkPolicy. */
  static readonly ALL = new ConnSet(new Map(PORT_PROTOCOLS.map((p) => [p, [[MIN_PORT, MAX_PORT] as PortRange]])));

  static of(protocol: string, lo = MIN_PORT, hi = MAX_PORT): ConnSet {
    if (lo > hi) return ConnSet.EMPTY;
    return new ConnSet(new Map([[protocol, [[lo, hi] as PortRange]]]));
  }

  static fromProtocolPorts(pp: ProtocolPorts): ConnSet {
    let acc = ConnSet.EMPTY;
    for (const [proto, ranges] of Object.entries(pp)) {
      for (const [lo, hi] of ranges) acc = acc.union(ConnSet.of(proto, lo, hi));
    }
    return acc;
  }

  isEmpty(): boolean {
    return this.map.size === 0;
  }

  protocols(): string[] {
    return [...this.map.keys()].sort();
  }

  ranges(protocol: string): readonly PortRange[] {
    return this.map.get(protocol) ?? [];
  }

  has(protocol: string, port: number): boolean {
    return this.ranges(protocol).some(([lo, hi]) => port >= lo && port <= hi);
  }

  union(other: ConnSet): ConnSet {
    if (other.isEmpty() || other === this) return this;
    if (this.isEmpty()) return other;
    return memoised(memo.union, this, other, () => this.unionOf(other));
  }

  private unionOf(other: ConnSet): ConnSet {
    const out = new Map(this.map);
    for (const [proto, rs] of other.map) {
      const mine = out.get(proto);
      out.set(proto, mine ? mergeRanges([...mine, ...rs]) : rs);
    }
    return new ConnSet(out);
  }

  intersect(other: ConnSet): ConnSet {
    if (this.isEmpty() || other.isEmpty()) return ConnSet.EMPTY;
    if (other === this) return this;
    return memoised(memo.intersect, this, other, () => this.intersectOf(other));
  }

  private intersectOf(other: ConnSet): ConnSet {
    const out = new Map<string, PortRange[]>();
    for (const [proto, rs] of this.map) {
      const theirs = other.map.get(proto);
      if (!theirs) continue;
      const r = intersectRanges(rs, theirs);
      if (r.length) out.set(proto, r);
    }
    return out.size ? new ConnSet(out) : ConnSet.EMPTY;
  }

  subtract(other: ConnSet): ConnSet {
    if (this.isEmpty() || other.isEmpty()) return this;
    if (other === this) return ConnSet.EMPTY;
    return memoised(memo.subtract, this, other, () => this.subtractOf(other));
  }

  private subtractOf(other: ConnSet): ConnSet {
    const out = new Map<string, PortRange[]>();
    for (const [proto, rs] of this.map) {
      const theirs = other.map.get(proto);
      const r = theirs ? subtractRanges(rs, theirs) : (rs as PortRange[]);
      if (r.length) out.set(proto, r);
    }
    return out.size ? new ConnSet(out) : ConnSet.EMPTY;
  }

  equals(other: ConnSet): boolean {
    if (this === other) return true;
    if (this.map.size !== other.map.size) return false;
    for (const [proto, rs] of this.map) {
      const theirs = other.map.get(proto);
      if (!theirs || theirs.length !== rs.length) return false;
      for (let i = 0; i < rs.length; i++) if (rs[i][0] !== theirs[i][0] || rs[i][1] !== theirs[i][1]) return false;
    }
    return true;
  }

  /** True when this set contains every (protocol, port) of `other`. */
  contains(other: ConnSet): boolean {
    return other.subtract(this).isEmpty();
  }

  toJSON(): ProtocolPorts {
    const out: ProtocolPorts = {};
    for (const proto of this.protocols()) out[proto] = this.ranges(proto).map(([lo, hi]) => [lo, hi]);
    return out;
  }

  /**
   * "All Connections" (every TCP/UDP/SCTP port) or e.g. "TCP 80,8080-8090; UDP 53". ICMP/ICMPv6 values encode
   * type*256+code and print as types; other protocols (range [0,0]) print as "protocol N".
   */
  toString(): string {
    if (this.isEmpty()) return 'No Connections';
    if (this.equals(ConnSet.ALL)) return 'All Connections';
    return this.protocols()
      .map((proto) => {
        const rs = this.ranges(proto);
        if (proto === 'ICMP' || proto === 'ICMPv6') {
          if (rs.length === 1 && rs[0][0] === 0 && rs[0][1] === ICMP_MAX) return proto;
          return `${proto} ${rs.map(([lo, hi]) => formatIcmpRange(lo, hi)).join(',')}`;
        }
        if (!(PORT_PROTOCOLS as readonly string[]).includes(proto)) return `protocol ${proto}`;
        if (rs.length === 1 && rs[0][0] === MIN_PORT && rs[0][1] === MAX_PORT) return `${proto} (all ports)`;
        return `${proto} ${rs.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(',')}`;
      })
      .join('; ');
  }
}

/** Largest ICMP value: type 255, code 255 encoded as type*256+code. */
export const ICMP_MAX = 255 * 256 + 255;

/** An ICMP value range (type*256+code) as `type 8`, `type 3 code 1` or `types 0-8`. */
export function formatIcmpRange(lo: number, hi: number): string {
  if (lo % 256 === 0 && hi === lo + 255) return `type ${lo / 256}`;
  if (lo === hi) return `type ${lo >> 8} code ${lo & 255}`;
  return `types ${lo >> 8}-${hi >> 8}`;
}

/** Sorts and merges overlapping or adjacent ranges. */
export function mergeRanges(rs: readonly PortRange[]): PortRange[] {
  const sorted = rs.filter(([lo, hi]) => lo <= hi).map(([lo, hi]) => [lo, hi] as PortRange).sort((a, b) => a[0] - b[0]);
  const out: PortRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push(r);
  }
  return out;
}

function intersectRanges(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  const out: PortRange[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i][0], b[j][0]);
    const hi = Math.min(a[i][1], b[j][1]);
    if (lo <= hi) out.push([lo, hi]);
    if (a[i][1] < b[j][1]) i++;
    else j++;
  }
  return out;
}

function subtractRanges(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  const out: PortRange[] = [];
  for (const [lo0, hi] of a) {
    let lo = lo0;
    for (const [blo, bhi] of b) {
      if (bhi < lo || blo > hi) continue;
      if (blo > lo) out.push([lo, blo - 1]);
      lo = bhi + 1;
      if (lo > hi) break;
    }
    if (lo <= hi) out.push([lo, hi]);
  }
  return out;
}
