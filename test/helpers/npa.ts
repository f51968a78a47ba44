// Helpers for the np-guard netpol-analyzer corpus (../shared/corpora/netpol-analyzer, Apache-2.0): reading a scenario
// folder, parsing its expected connectivity list, and comparing it with Policy Lens's result.
//
// What is compared:
// - workload pairs: the exact set of `src => dst : connections` lines (workload ids rendered as `ns/name[Kind]`,
//   connections compared as port sets, not as text);
// - external peers: for every workload and direction, the mapping from each IPv4 address to the allowed
//   connections. netpol-analyzer and Policy Lens may cut the address space into different ranges, so the
//   comparison is done per address interval rather than per line.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFiles, ConnSet, type InputFile } from '../../server/src/core/index';
import { parseIPv4 } from '../../server/src/core/ip';
import { corporaDir } from './paths';
import { parseConns } from './npa-conns';

export { parseConns };

export const NPA_BASE = join(corporaDir(), 'netpol-analyzer');

export interface IndexCase {
  testDirName: string;
  category: string;
  plain: boolean;
  expected: Record<string, string>;
}

/** The runs of INDEX.connlist_goodpath.json. */
export function npaCases(): IndexCase[] {
  return (JSON.parse(readFileSync(join(NPA_BASE, 'INDEX.connlist_goodpath.json'), 'utf8')) as { cases: IndexCase[] }).cases;
}

export function readDir(dir: string): InputFile[] {
  const out: InputFile[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...readDir(p));
    else if (/\.(ya?ml|json)$/.test(name)) out.push({ path: p, text: readFileSync(p, 'utf8') });
  }
  return out;
}

export interface Line {
  src: string;
  dst: string;
  conns: ConnSet;
}

export function parseExpected(text: string): Line[] {
  const out: Line[] = [];
  for (const raw of text.split('\n')) {
    const m = /^(\S+) => (\S+) : (.+)$/.exec(raw.trim());
    if (m) out.push({ src: m[1], dst: m[2], conns: parseConns(m[3]) });
  }
  return out;
}

const EXT = /^([\d.]+)-([\d.]+)\[External\]$/;

/** Interval map per (workload, direction): [lo, hi, conns][] over IPv4. */
function externalMap(lines: Line[]): Map<string, [bigint, bigint, ConnSet][]> {
  const m = new Map<string, [bigint, bigint, ConnSet][]>();
  for (const l of lines) {
    const s = EXT.exec(l.src);
    const d = EXT.exec(l.dst);
    const ext = s ?? d;
    if (!ext) continue;
    const key = s ? `in:${l.dst}` : `out:${l.src}`;
    const lo = parseIPv4(ext[1]);
    const hi = parseIPv4(ext[2]);
    if (lo === undefined || hi === undefined) continue; // IPv6 lines are not compared
    if (!m.has(key)) m.set(key, []);
    m.get(key)!.push([lo, hi, l.conns]);
  }
  return m;
}

function connsAt(list: [bigint, bigint, ConnSet][] | undefined, ip: bigint): ConnSet {
  let acc = ConnSet.EMPTY;
  for (const [lo, hi, c] of list ?? []) if (lo <= ip && ip <= hi) acc = acc.union(c);
  return acc;
}

export function compareExternal(expected: Line[], actual: Line[]): string[] {
  const e = externalMap(expected);
  const a = externalMap(actual);
  const problems: string[] = [];
  for (const key of new Set([...e.keys(), ...a.keys()])) {
    const points = new Set<bigint>([0n]);
    for (const [lo, hi] of [...(e.get(key) ?? []), ...(a.get(key) ?? [])]) {
      points.add(lo);
      points.add(hi + 1n);
    }
    for (const p of points) {
      if (p > 0xffffffffn) continue;
      const ce = connsAt(e.get(key), p);
      const ca = connsAt(a.get(key), p);
      if (!ce.equals(ca)) problems.push(`${key} at ${p}: expected ${ce}, got ${ca}`);
    }
  }
  return problems;
}

/** Runs one scenario folder and asserts that Policy Lens's connectivity equals the expected list. */
export function assertNpaRun(c: IndexCase): void {
  const files = readDir(join(NPA_BASE, 'tests', c.testDirName));
  const { analysis } = analyzeFiles(files);
  const result = analysis.result();
  const kindOf = new Map(result.endpoints.map((e) => [e.id, e.kind]));
  const render = (id: string) => (kindOf.get(id) === 'External' ? `${id}[External]` : `${id}[${kindOf.get(id)}]`);
  const actual: Line[] = result.connections.map((x) => ({ src: render(x.src), dst: render(x.dst), conns: ConnSet.fromProtocolPorts(x.protocols) }));
  const expected = parseExpected(readFileSync(join(NPA_BASE, c.expected.txt), 'utf8'));
  assert.ok(expected.length > 0, 'expected output has connection lines');
  const isExt = (l: Line) => l.src.endsWith('[External]') || l.dst.endsWith('[External]');
  const fmt = (l: Line) => `${l.src} => ${l.dst} : ${l.conns}`;
  const expPairs = expected.filter((l) => !isExt(l)).map(fmt).sort();
  const actPairs = actual.filter((l) => !isExt(l)).map(fmt).sort();
  assert.deepEqual(actPairs, expPairs, 'workload-to-workload connections');
  assert.deepEqual(compareExternal(expected, actual), [], 'external (IPv4) connections');
}
