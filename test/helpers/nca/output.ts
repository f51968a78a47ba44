// Parser for network-config-analyzer's connectivity-map "fw-rules" output (txt, yaml, json, csv, md).
//
// Each rule is `src -> dst : connections`; a side is either
//   - namespaces + a pod element: `[*]` (all pods of those namespaces), a label expression as NCA prints it
//     (nca/FWRules/FWRule.py LabelExpr: `k=v`, `k!=v`, `k in (a,b)`, `k not in (a,b)`, `has(k)`, `!has(k)`,
//     joined with `and` / `or`, grouped with `(...)` or `{...}`), or a list of endpoint names `a, b`;
//   - an IP block (`src: 0.0.0.0/0,::/0`, or ranges `a.b.c.d-e.f.g.h,...`), or a DNS name (Istio ServiceEntry).
// Connections: `All connections`, `All but {cube},{cube}`, or cubes `{protocols:TCP, UDP,dst_ports:53,80-90}`
// with the dimensions protocols, src_ports, dst_ports, icmp_type, icmp_code (and Istio ones we do not model).
import { parseAllDocuments } from 'yaml';

export type Side =
  | { kind: 'pods'; namespaces: string[]; pods: string }
  /** txt_no_fw_rules: one workload, `ns/name[Kind]` (NCA's workload name, see scheme.ts NcaPod.workload). */
  | { kind: 'workload'; name: string }
  | { kind: 'ip'; blocks: string[] }
  | { kind: 'dns'; name: string };

export interface Cube {
  /** Protocol names/numbers as printed, or undefined = every protocol. `negated` for "all but X, Y". */
  protocols?: { names: string[]; negated: boolean };
  srcPorts?: string[];
  dstPorts?: string[];
  icmpType?: string[];
  icmpCode?: string[];
  /** Dimensions we cannot represent (e.g. Istio methods/paths/hosts). */
  other: string[];
}

export type Conn = { kind: 'all' } | { kind: 'allBut'; cubes: Cube[] } | { kind: 'cubes'; cubes: Cube[] };

export interface Rule {
  src: Side;
  dst: Side;
  conn: Conn;
  text: string;
}

export interface Section {
  /** The config name(s) of this section ("np1" or, for two-config outputs, both). */
  config: string;
  rules: Rule[];
}

const DIMS = ['protocols', 'src_ports', 'dst_ports', 'icmp_type', 'icmp_code', 'methods', 'paths', 'hosts'];

function splitList(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

function parseProtocols(v: string): { names: string[]; negated: boolean } {
  const t = v.trim();
  if (t.startsWith('all but ')) return { names: splitList(t.slice('all but '.length)), negated: true };
  return { names: splitList(t), negated: false };
}

/** Parses the inside of one `{...}` cube of the txt format. */
function parseCubeText(body: string): Cube {
  const cube: Cube = { other: [] };
  const re = new RegExp(`(?:^|,)(${DIMS.join('|')}):`, 'g');
  const marks: { dim: string; start: number; valueStart: number }[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(body))) marks.push({ dim: m[1], start: m.index, valueStart: m.index + m[0].length });
  if (!marks.length || marks[0].start !== 0) throw new Error(`cannot parse connection cube "{${body}}"`);
  marks.forEach((mk, i) => {
    const value = body.slice(mk.valueStart, i + 1 < marks.length ? marks[i + 1].start : body.length);
    setDim(cube, mk.dim, value);
  });
  return cube;
}

function setDim(cube: Cube, dim: string, value: string | string[] | number | number[]): void {
  const list = Array.isArray(value) ? value.map(String) : splitList(String(value));
  switch (dim) {
    case 'protocols':
      cube.protocols = parseProtocols(Array.isArray(value) ? value.join(', ') : String(value));
      break;
    case 'src_ports':
      cube.srcPorts = list;
      break;
    case 'dst_ports':
      cube.dstPorts = list;
      break;
    case 'icmp_type':
      cube.icmpType = list;
      break;
    case 'icmp_code':
      cube.icmpCode = list;
      break;
    default:
      cube.other.push(dim);
  }
}

/** Splits `{a},{b}` into the cube bodies (braces do not nest inside a cube). */
function splitCubes(s: string): string[] {
  const out: string[] = [];
  const rest = s.replace(/\{([^{}]*)\}/g, (_, body: string) => {
    out.push(body);
    return '';
  });
  if (!out.length || rest.replace(/,/g, '').trim() !== '') throw new Error(`cannot parse connections "${s}"`);
  return out;
}

export function parseConnText(s: string): Conn {
  const t = s.trim();
  if (t === 'All connections') return { kind: 'all' };
  if (t.startsWith('All but ')) return { kind: 'allBut', cubes: splitCubes(t.slice('All but '.length)).map(parseCubeText) };
  if (!t.startsWith('{')) throw new Error(`cannot parse connections "${s}"`);
  return { kind: 'cubes', cubes: splitCubes(t).map(parseCubeText) };
}

function parseCubeObj(o: Record<string, unknown>): Cube {
  const cube: Cube = { other: [] };
  for (const [k, v] of Object.entries(o)) setDim(cube, k, v as string | string[]);
  return cube;
}

/** Connections of the yaml/json format: a list of "All connections", {"All but": [cubes]} or cube objects. */
export function parseConnList(list: unknown[]): Conn {
  if (list.length === 1 && list[0] === 'All connections') return { kind: 'all' };
  if (list.length === 1 && list[0] && typeof list[0] === 'object' && 'All but' in (list[0] as object)) {
    return { kind: 'allBut', cubes: ((list[0] as Record<string, unknown>)['All but'] as Record<string, unknown>[]).map(parseCubeObj) };
  }
  return { kind: 'cubes', cubes: list.map((x) => parseCubeObj(x as Record<string, unknown>)) };
}

function bracketed(s: string): string {
  const t = s.trim();
  if (!t.startsWith('[') || !t.endsWith(']')) throw new Error(`expected [..] in "${s}"`);
  return t.slice(1, -1);
}

/** One txt rule line. */
export function parseRuleLine(line: string): Rule {
  const m = /^(?:src_ns: (\[[^\]]*\]) src_pods: \[(.*?)\]|src: (\S+)) (?:dst_ns: (\[[^\]]*\]) dst_pods: \[(.*?)\]|dst: (\S+)) conn: (.+)$/.exec(line.trim());
  if (!m) throw new Error(`cannot parse rule line "${line}"`);
  const side = (ns?: string, pods?: string, other?: string): Side => {
    if (ns !== undefined) return { kind: 'pods', namespaces: splitList(bracketed(ns)), pods: pods ?? '' };
    if (/^[\d.:a-fA-F/,-]+$/.test(other ?? '') && /[./:]/.test(other ?? '')) return { kind: 'ip', blocks: splitList(other!) };
    return { kind: 'dns', name: other ?? '' };
  };
  return { src: side(m[1], m[2], m[3]), dst: side(m[4], m[5], m[6]), conn: parseConnText(m[7]), text: line.trim() };
}

export function parseTxt(text: string): Section[] {
  const out: Section[] = [];
  let cur: Section | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const h = /^final fw rules for query: (.*?), config: (.*):$/.exec(line);
    if (h) {
      cur = { config: h[2], rules: [] };
      out.push(cur);
      continue;
    }
    // txt can be glued to the next header when the output had no final newline
    const glued = /^(.*conn: .*?)(final fw rules for query: .*)$/.exec(line);
    if (glued && cur) {
      cur.rules.push(parseRuleLine(glued[1]));
      const h2 = /^final fw rules for query: (.*?), config: (.*):$/.exec(glued[2]);
      if (h2) {
        cur = { config: h2[2], rules: [] };
        out.push(cur);
      }
      continue;
    }
    if (!cur) throw new Error(`rule before any header: "${line}"`);
    cur.rules.push(parseRuleLine(line));
  }
  return out;
}

interface DictRule {
  src_ns?: string[];
  src_pods?: string[];
  src_ip_block?: string[];
  dst_ns?: string[];
  dst_pods?: string[];
  dst_ip_block?: string[];
  dst_dns_entry?: string[];
  connection: unknown[];
}

function dictSide(ns: string[] | undefined, pods: string[] | undefined, ip: string[] | undefined, dns?: string[]): Side {
  if (ip) return { kind: 'ip', blocks: ip.map(String) };
  if (dns) return { kind: 'dns', name: dns.join(',') };
  return { kind: 'pods', namespaces: (ns ?? []).map(String), pods: (pods ?? []).map(String).join(', ') };
}

/** yaml / json: a list of {query, configs, numerical_result, explanation: [{rules: [...]}]}. */
export function parseDict(doc: unknown): Section[] {
  const out: Section[] = [];
  for (const q of (Array.isArray(doc) ? doc : [doc]) as Record<string, unknown>[]) {
    const configs = (q.configs as string[]) ?? [];
    const rules: Rule[] = [];
    for (const ex of (q.explanation as Record<string, unknown>[]) ?? []) {
      for (const r of (ex.rules as DictRule[]) ?? []) {
        rules.push({
          src: dictSide(r.src_ns, r.src_pods, r.src_ip_block),
          dst: dictSide(r.dst_ns, r.dst_pods, r.dst_ip_block, r.dst_dns_entry),
          conn: parseConnList(r.connection),
          text: JSON.stringify(r),
        });
      }
    }
    out.push({ config: configs.join(','), rules });
  }
  return out;
}

/** csv: header `query,src_ns,src_pods,dst_ns,dst_pods,connection`; md: the same as a table. */
function tableRows(text: string, format: 'csv' | 'md'): string[][] {
  const rows: string[][] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    if (format === 'md') {
      if (/^\|[-| ]+\|$/.test(line)) continue;
      rows.push(line.replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim()));
    } else {
      // RFC 4180-ish split: quoted cells may contain commas
      const cells: string[] = [];
      let cur = '';
      let q = false;
      for (let i = 0; i < line.length; i++) {
        const ch = line[i];
        if (q) {
          if (ch === '"' && line[i + 1] === '"') {
            cur += '"';
            i++;
          } else if (ch === '"') q = false;
          else cur += ch;
        } else if (ch === '"') q = true;
        else if (ch === ',') {
          cells.push(cur);
          cur = '';
        } else cur += ch;
      }
      cells.push(cur);
      rows.push(cells.map((c) => c.trim()));
    }
  }
  return rows;
}

export function parseTable(text: string, format: 'csv' | 'md'): Section[] {
  const out: Section[] = [];
  let cur: Section | undefined;
  for (const row of tableRows(text, format)) {
    if (row[0] === 'query' && row[1] === 'src_ns') continue;
    if (row.length < 6) continue;
    const [query, srcNs, srcPods, dstNs, dstPods, conn] = row;
    if (query) {
      cur = { config: query.includes(', config: ') ? query.split(', config: ')[1] : query, rules: [] };
      out.push(cur);
      continue;
    }
    if (!cur) throw new Error(`rule row before any query row: ${row.join('|')}`);
    const side = (ns: string, pods: string): Side => {
      if (ns === '') {
        if (/^[\d.:a-fA-F/,-]+$/.test(pods)) return { kind: 'ip', blocks: splitList(pods) };
        return { kind: 'dns', name: pods };
      }
      return { kind: 'pods', namespaces: splitList(bracketed(ns)), pods: bracketed(pods) };
    };
    cur.rules.push({ src: side(srcNs, srcPods), dst: side(dstNs, dstPods), conn: parseConnText(conn), text: row.join(' | ') });
  }
  return out;
}

/**
 * txt_no_fw_rules: one line per connected pair of workloads (or workload and address range),
 * `src => dst : connections`, without grouping; a single section.
 */
export function parseNoFwRules(text: string): Section[] {
  const rules: Rule[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^(\S+) => (\S+) : (.+)$/.exec(line);
    if (!m) throw new Error(`cannot parse line "${line}"`);
    const side = (x: string): Side => (/\[[^\]]+\]$/.test(x) ? { kind: 'workload', name: x } : { kind: 'ip', blocks: splitList(x) });
    rules.push({ src: side(m[1]), dst: side(m[2]), conn: parseConnText(m[3]), text: line });
  }
  return [{ config: '', rules }];
}

export function parseOutput(text: string, format: string): Section[] {
  switch (format) {
    case 'txt_no_fw_rules':
      return parseNoFwRules(text);
    case 'txt':
      return parseTxt(text);
    case 'yaml':
      return parseDict(parseAllDocuments(text)[0]?.toJS() ?? []);
    case 'json':
      return parseDict(JSON.parse(text));
    case 'csv':
    case 'md':
      return parseTable(text, format);
    default:
      throw new Error(`output format ${format} is not parsed`);
  }
}
