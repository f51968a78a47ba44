// Expands NCA's grouped fw-rules back into facts: which endpoints a rule side covers, which address
// intervals, and which connections (as a Policy Lens ConnSet).
//
// Label expressions (nca/FWRules/FWRule.py LabelExpr) describe the pods of the rule's namespaces whose label
// value is in a set; NCA prints the shorter of the set and its complement, so `k!=v` and `k not in (..)`
// only cover pods that HAVE the label k (NCA prefixes `has(k) and` when some pod lacks it; when no pod lacks it
// both readings agree). `has(k)` = any value, `!has(k)` = no such label.
//
// Connections are mapped onto the Policy Lens universe: TCP/UDP/SCTP ports 1-65535, ICMP/ICMPv6 as
// type*256+code, other protocols as [0,0] under their Calico key (name for the named ones, else the number).
// NCA's universe has every IP protocol 0-255, so "All connections" / "All but ..." are intersected with ours.
// Source ports are projected away (Policy Lens treats a source-port match as matching: they are ephemeral).
import { ConnSet, MAX_PORT, MIN_PORT, ICMP_MAX } from '../../../server/src/core/ports';
import { parseCidr, parseIPv4, parseIPv6, type Family } from '../../../server/src/core/ip';
import type { Conn, Cube, Side } from './output';
import type { NcaPod } from './scheme';

// ---------- label expressions ----------

type LExpr =
  | { op: 'and' | 'or'; args: LExpr[] }
  | { op: 'has' | 'nothas'; key: string }
  | { op: 'in' | 'notin'; key: string; values: string[] };

class LabelParser {
  private i = 0;
  constructor(private readonly s: string) {}

  parse(): LExpr {
    const e = this.or();
    this.ws();
    if (this.i !== this.s.length) throw new Error(`unexpected "${this.s.slice(this.i)}" in label expression "${this.s}"`);
    return e;
  }

  private ws(): void {
    while (this.s[this.i] === ' ') this.i++;
  }

  private word(w: string): boolean {
    this.ws();
    if (this.s.startsWith(w, this.i) && (this.s[this.i + w.length] === ' ' || this.s[this.i + w.length] === undefined)) {
      this.i += w.length;
      return true;
    }
    return false;
  }

  private or(): LExpr {
    const args = [this.and()];
    while (this.word('or')) args.push(this.and());
    return args.length === 1 ? args[0] : { op: 'or', args };
  }

  private and(): LExpr {
    const args = [this.atom()];
    while (this.word('and')) args.push(this.atom());
    return args.length === 1 ? args[0] : { op: 'and', args };
  }

  private token(): string {
    this.ws();
    const m = /^[^\s=!(){},]+/.exec(this.s.slice(this.i));
    if (!m) throw new Error(`expected a label key/value at "${this.s.slice(this.i)}" in "${this.s}"`);
    this.i += m[0].length;
    return m[0];
  }

  private expect(c: string): void {
    this.ws();
    if (!this.s.startsWith(c, this.i)) throw new Error(`expected "${c}" at "${this.s.slice(this.i)}" in "${this.s}"`);
    this.i += c.length;
  }

  private values(): string[] {
    this.expect('(');
    const end = this.s.indexOf(')', this.i);
    if (end < 0) throw new Error(`unclosed value list in "${this.s}"`);
    const vals = this.s.slice(this.i, end).split(',').map((v) => v.trim());
    this.i = end + 1;
    return vals;
  }

  private atom(): LExpr {
    this.ws();
    const c = this.s[this.i];
    if (c === '(' || c === '{') {
      this.i++;
      const e = this.or();
      this.expect(c === '(' ? ')' : '}');
      return e;
    }
    if (this.s.startsWith('!has(', this.i) || this.s.startsWith('has(', this.i)) {
      const neg = c === '!';
      this.i += neg ? 5 : 4;
      const key = this.token();
      this.expect(')');
      return { op: neg ? 'nothas' : 'has', key };
    }
    const key = this.token();
    this.ws();
    if (this.s.startsWith('!=', this.i)) {
      this.i += 2;
      return { op: 'notin', key, values: [this.token()] };
    }
    if (this.s[this.i] === '=') {
      this.i++;
      return { op: 'in', key, values: [this.token()] };
    }
    if (this.word('not')) {
      if (!this.word('in')) throw new Error(`expected "in" after "not" in "${this.s}"`);
      return { op: 'notin', key, values: this.values() };
    }
    if (this.word('in')) return { op: 'in', key, values: this.values() };
    throw new Error(`cannot parse label expression "${this.s}"`);
  }
}

const exprCache = new Map<string, LExpr>();

export function parseLabelExpr(s: string): LExpr {
  let e = exprCache.get(s);
  if (!e) exprCache.set(s, (e = new LabelParser(s).parse()));
  return e;
}

export function evalLabelExpr(e: LExpr, labels: Record<string, string>): boolean {
  switch (e.op) {
    case 'and':
      return e.args.every((a) => evalLabelExpr(a, labels));
    case 'or':
      return e.args.some((a) => evalLabelExpr(a, labels));
    case 'has':
      return e.key in labels;
    case 'nothas':
      return !(e.key in labels);
    case 'in':
      return e.key in labels && e.values.includes(labels[e.key]);
    case 'notin':
      return e.key in labels && !e.values.includes(labels[e.key]);
  }
}

/** True when the pod element text is a label expression (not `*` and not a list of endpoint names). */
export function isLabelExpr(pods: string): boolean {
  return /=|\bhas\(|\sin\s*\(/.test(pods);
}

/**
 * Endpoints (indices into `pods`) a rule side covers. `byDeployment`: names are owner names for owned pods
 * (NCA's default outputEndpoints "deployments"), else pod names.
 */
export function sidePods(side: Side, pods: NcaPod[], byDeployment: boolean): number[] {
  if (side.kind === 'workload') return pods.flatMap((p, i) => (p.workload === side.name ? [i] : []));
  if (side.kind !== 'pods') return [];
  // NCA prints host endpoints (no namespace) with the namespace "None"
  const inNs = (p: NcaPod) => side.namespaces.includes(p.hostEndpoint ? 'None' : p.namespace);
  const text = side.pods.trim();
  const out: number[] = [];
  if (text === '*') {
    pods.forEach((p, i) => {
      if (inNs(p)) out.push(i);
    });
    return out;
  }
  if (isLabelExpr(text)) {
    const e = parseLabelExpr(text);
    pods.forEach((p, i) => {
      if (inNs(p) && evalLabelExpr(e, p.labels)) out.push(i);
    });
    return out;
  }
  const names = text.split(',').map((x) => x.trim());
  pods.forEach((p, i) => {
    const shown = byDeployment && p.owner ? p.owner : p.name;
    if (inNs(p) && names.includes(shown)) out.push(i);
  });
  return out;
}

// ---------- addresses ----------

export interface Interval {
  family: Family;
  lo: bigint;
  hi: bigint;
}

/** `a/b` or `lo-hi` (IPv4 or IPv6). */
export function parseBlock(s: string): Interval {
  const t = s.trim();
  if (t.includes('/')) {
    const c = parseCidr(t);
    if (typeof c === 'string') throw new Error(`bad CIDR "${t}": ${c}`);
    return { family: c.family, lo: c.lo, hi: c.hi };
  }
  const dash = t.indexOf('-', 1);
  const [a, b] = dash > 0 ? [t.slice(0, dash), t.slice(dash + 1)] : [t, t];
  const v4a = parseIPv4(a);
  const v4b = parseIPv4(b);
  if (v4a !== undefined && v4b !== undefined) return { family: 4, lo: v4a, hi: v4b };
  const v6a = parseIPv6(a);
  const v6b = parseIPv6(b);
  if (v6a !== undefined && v6b !== undefined) return { family: 6, lo: v6a, hi: v6b };
  throw new Error(`bad address block "${t}"`);
}

// ---------- connections ----------

/** IANA protocol numbers of the names NCA prints that Policy Lens does not name itself. */
const PROTOCOL_NUMBERS: Record<string, number> = { ICMP: 1, TCP: 6, UDP: 17, ICMPv6: 58, SCTP: 132, UDPLite: 136, VRRP: 112, GRE: 47, ESP: 50, AH: 51, IGMP: 2, IPIP: 94 };
const NAMED = new Set(['TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPv6', 'UDPLite']);
const PORT_PROTOS = ['TCP', 'UDP', 'SCTP'];

/** Policy Lens key of a protocol NCA printed (name or number). */
export function protocolKey(p: string): string {
  if (NAMED.has(p)) return p;
  if (/^\d+$/.test(p)) {
    const n = Number(p);
    const named = Object.entries(PROTOCOL_NUMBERS).find(([k, v]) => v === n && NAMED.has(k));
    return named ? named[0] : p;
  }
  const n = PROTOCOL_NUMBERS[p];
  if (n === undefined) throw new Error(`unknown protocol name "${p}" in NCA output`);
  return String(n);
}

function rangesOf(list: string[] | undefined, lo: number, hi: number): [number, number][] {
  if (!list) return [[lo, hi]];
  return list.map((x) => {
    const m = /^(\d+)(?:-(\d+))?$/.exec(x.trim());
    if (!m) throw new Error(`bad range "${x}"`);
    return [Number(m[1]), Number(m[2] ?? m[1])];
  });
}

/** One cube as a ConnSet restricted to `universe`. Throws for dimensions we cannot represent. */
export function cubeToConnSet(cube: Cube, universe: ConnSet): ConnSet {
  if (cube.other.length) throw new Error(`connection dimensions ${cube.other.join(',')} are not modelled`);
  let protos = universe.protocols();
  if (cube.protocols) {
    const keys = cube.protocols.names.map(protocolKey);
    protos = cube.protocols.negated ? protos.filter((p) => !keys.includes(p)) : protos.filter((p) => keys.includes(p));
  }
  let acc = ConnSet.EMPTY;
  for (const p of protos) {
    if (PORT_PROTOS.includes(p)) {
      if (cube.icmpType || cube.icmpCode) continue;
      for (const [lo, hi] of rangesOf(cube.dstPorts, MIN_PORT, MAX_PORT)) acc = acc.union(ConnSet.of(p, lo, hi));
    } else if (p === 'ICMP' || p === 'ICMPv6') {
      if (cube.dstPorts) continue;
      const types = rangesOf(cube.icmpType, 0, 255);
      const codes = rangesOf(cube.icmpCode, 0, 255);
      for (const [tlo, thi] of types) {
        for (let t = tlo; t <= thi; t++) for (const [clo, chi] of codes) acc = acc.union(ConnSet.of(p, t * 256 + clo, t * 256 + chi));
      }
    } else {
      if (cube.dstPorts || cube.icmpType || cube.icmpCode) continue;
      acc = acc.union(ConnSet.of(p, 0, 0));
    }
  }
  return acc.intersect(universe);
}

/** NCA connections as a ConnSet within `universe` (source ports projected away, see above). */
export function connToConnSet(conn: Conn, universe: ConnSet): ConnSet {
  if (conn.kind === 'all') return universe;
  if (conn.kind === 'cubes') return conn.cubes.reduce((acc, c) => acc.union(cubeToConnSet(c, universe)), ConnSet.EMPTY);
  // "All but" the cubes: only cubes without a source-port restriction remove something once source ports
  // are projected away (the other source ports of those connections stay allowed).
  return conn.cubes.filter((c) => !c.srcPorts).reduce((acc, c) => acc.subtract(cubeToConnSet(c, universe)), universe);
}

/** NCA's ICMP types are 0-254; Policy Lens has 0-255. Type 255 is left out of every comparison. */
export function withoutIcmpType255(c: ConnSet): ConnSet {
  return c.subtract(ConnSet.of('ICMP', 255 * 256, ICMP_MAX)).subtract(ConnSet.of('ICMPv6', 255 * 256, ICMP_MAX));
}
