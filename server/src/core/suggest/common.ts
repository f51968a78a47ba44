// Helpers shared by the suggestion search and the dialect writers: endpoints of a request, label subsets that
// select a workload, CIDRs of an address interval, port lists, names. Pure: no LSP imports.
import type { Labels, Workload } from '../model';
import { ConnSet, ICMP_MAX, MAX_PORT, MIN_PORT, PORT_PROTOCOLS } from '../ports';
import { describeConns } from '../explain/format';
import { parseRangeId, rangeToCidrs } from '../explain/externals';
import { addressInterval, type Family } from '../ip';
import type { Analysis } from '../analysis';
import type { EndpointInfo, SideRequest, StepCandidate, TextChange } from './types';
import type { Dialect, Direction, Matcher } from '../policy/ir';
import type { YAMLSeq } from 'yaml';
import type { SourceRange } from '../model';
import { nodeSpan } from '../lint/ast';
import { YamlDoc } from './yaml-edit';

/** Label keys that change with every rollout or pod: never used to select a workload. */
const VOLATILE = new Set(['pod-template-hash', 'controller-revision-hash', 'statefulset.kubernetes.io/pod-name', 'pod-template-generation', 'job-name', 'controller-uid', 'batch.kubernetes.io/controller-uid', 'batch.kubernetes.io/job-name']);
/** Label keys people select workloads by, most conventional first. */
const PREFERRED = ['app.kubernetes.io/name', 'app', 'k8s-app', 'name', 'app.kubernetes.io/instance', 'component', 'app.kubernetes.io/component', 'role', 'tier'];

/** Words for a connection set ("TCP 8080", "all traffic"). */
export function connWords(c: ConnSet, universe?: ConnSet): string {
  return describeConns(c, universe);
}

/** The CIDRs that exactly cover an address interval (largest aligned blocks first; at most 65 of them). */
export function intervalCidrs(family: Family, lo: bigint, hi: bigint): string[] {
  return rangeToCidrs({ family, lo, hi }).slice(0, 65);
}

/** Resolves one endpoint of a request in an analysis. */
export function resolveEndpoint(a: Analysis, id: string): EndpointInfo | { problem: string } {
  const wi = a.workloadIndex(id);
  if (wi !== undefined) return { id, workload: a.workloads[wi] };
  const ext = a.evaluation.externals;
  const k = a.evaluation.externalIndex(id);
  let iv: { family: Family; lo: bigint; hi: bigint } | undefined;
  if (k !== undefined) {
    const x = ext[k];
    if (!x.atom) return { problem: `${id} is a DNS name: suggestions for named external destinations are not supported.` };
    iv = { family: x.atom.family, lo: x.atom.lo, hi: x.atom.hi };
  } else {
    // An IP address or CIDR, or an address range as the analysis writes external endpoints (`10.0.0.0-10.255.255.255`).
    iv = addressInterval(id) ?? parseRangeId(id);
  }
  if (!iv) return { problem: `Unknown endpoint "${id}". Endpoints are workloads as namespace/name, external address ranges, or an IP address or CIDR.` };
  const atom = ext.find((x) => x.atom && x.atom.family === iv!.family && x.atom.lo <= iv!.lo && iv!.lo <= x.atom.hi);
  return { id: atom?.id ?? id, interval: iv, cidrs: intervalCidrs(iv.family, iv.lo, iv.hi) };
}

/** Ids of the endpoints of `a` that stand for `e` (the workload, or the external atoms overlapping its interval). */
export function endpointIds(a: Analysis, e: EndpointInfo): string[] {
  if (e.workload) return a.workloadIndex(e.workload.id) !== undefined ? [e.workload.id] : [];
  const iv = e.interval!;
  return a.evaluation.externals.filter((x) => x.atom && x.atom.family === iv.family && x.atom.lo <= iv.hi && iv.lo <= x.atom.hi).map((x) => x.id);
}

/** Does a matcher match the endpoint (a workload, or the external atom holding the interval)? */
export function matcherMatches(a: Analysis, m: Matcher, e: EndpointInfo): boolean {
  if (e.workload) {
    const i = a.workloadIndex(e.workload.id);
    return i !== undefined && m.matchesWorkload(a.world, i);
  }
  const iv = e.interval!;
  const atoms = a.evaluation.externals.filter((x) => x.atom && x.atom.family === iv.family && x.atom.lo <= iv.hi && iv.lo <= x.atom.hi);
  return atoms.length > 0 && atoms.every((x) => m.matchesAtom(x.atom!));
}

/** Workloads of a namespace. */
export function workloadsIn(a: Analysis, ns: string): Workload[] {
  return (a.world.byNamespace.get(ns) ?? []).map((i) => a.workloads[i]);
}

function matchesAll(sel: Labels, labels: Labels): boolean {
  for (const [k, v] of Object.entries(sel)) if (labels[k] !== v) return false;
  return true;
}

/**
 * The labels to select workload `w` by within its namespace: the smallest, most conventional subset of its labels
 * that selects exactly the workloads its full label set selects. `twins` are the other workloads of the namespace
 * that any label selector picking `w` also picks (no selector can tell them apart).
 */
export function labelChoice(a: Analysis, w: Workload, preferredKeys: readonly string[] = []): { labels: Labels; twins: Workload[] } {
  const peers = workloadsIn(a, w.namespace);
  const target = peers.filter((x) => matchesAll(w.labels, x.labels));
  const keys = Object.keys(w.labels).filter((k) => !VOLATILE.has(k));
  const rank = (k: string) => {
    const p = preferredKeys.indexOf(k);
    if (p >= 0) return p;
    const q = PREFERRED.indexOf(k);
    return q >= 0 ? 100 + q : 1000;
  };
  keys.sort((x, y) => rank(x) - rank(y) || (x < y ? -1 : x > y ? 1 : 0));
  const subsets: string[][] = [];
  for (let i = 0; i < keys.length; i++) subsets.push([keys[i]]);
  for (let i = 0; i < keys.length && subsets.length < 200; i++) for (let j = i + 1; j < keys.length; j++) subsets.push([keys[i], keys[j]]);
  for (let i = 0; i < keys.length && subsets.length < 400; i++) for (let j = i + 1; j < keys.length; j++) for (let k = j + 1; k < keys.length; k++) subsets.push([keys[i], keys[j], keys[k]]);
  for (const s of subsets) {
    const sel: Labels = {};
    for (const k of s) sel[k] = w.labels[k];
    if (peers.filter((x) => matchesAll(sel, x.labels)).length === target.length) return { labels: sel, twins: target.filter((x) => x.id !== w.id) };
  }
  const sel: Labels = {};
  for (const k of Object.keys(w.labels).sort()) sel[k] = w.labels[k];
  return { labels: sel, twins: target.filter((x) => x.id !== w.id) };
}

/** Label keys the workspace's policies already select by (most used first), to keep new selectors familiar. */
export function usedSelectorKeys(a: Analysis): string[] {
  const count = new Map<string, number>();
  const add = (k: string) => count.set(k, (count.get(k) ?? 0) + 1);
  for (const p of a.cluster.policies) {
    for (const k of Object.keys(p.podSelector.matchLabels)) add(k);
    for (const r of [...(p.ingress ?? []), ...(p.egress ?? [])]) for (const peer of r.peers ?? []) for (const k of Object.keys(peer.podSelector?.matchLabels ?? {})) add(k);
  }
  for (const p of a.cluster.calico?.policies ?? []) for (const m of p.selector.text.matchAll(/([A-Za-z0-9_./-]+)\s*==/g)) add(m[1]);
  return [...count].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).map(([k]) => k);
}

export interface K8sPort {
  protocol: string;
  port?: number | string;
  endPort?: number;
}

/**
 * A Kubernetes `ports` list covering exactly `c` (TCP/UDP/SCTP only), or undefined when `c` holds other protocols
 * (ICMP and the like cannot be written in a Kubernetes port list).
 */
export function k8sPorts(c: ConnSet): K8sPort[] | undefined {
  const out: K8sPort[] = [];
  for (const p of c.protocols()) {
    if (!(PORT_PROTOCOLS as readonly string[]).includes(p)) return undefined;
    for (const [lo, hi] of c.ranges(p)) {
      if (lo === MIN_PORT && hi === MAX_PORT) out.push({ protocol: p });
      else if (lo === hi) out.push({ protocol: p, port: lo });
      else out.push({ protocol: p, port: lo, endPort: hi });
    }
  }
  return out;
}

/** The named container port of `w` that is exactly `c` (one protocol, one port), if any. */
export function namedPortFor(w: Workload | undefined, c: ConnSet): { name: string; protocol: string } | undefined {
  if (!w) return undefined;
  const ps = c.protocols();
  if (ps.length !== 1) return undefined;
  const rs = c.ranges(ps[0]);
  if (rs.length !== 1 || rs[0][0] !== rs[0][1]) return undefined;
  const cp = w.ports.find((x) => x.name && x.protocol === ps[0] && x.containerPort === rs[0][0]);
  return cp ? { name: cp.name!, protocol: cp.protocol } : undefined;
}

/** The connections the destination's declared container ports stand for (empty when it declares none). */
export function declaredPorts(w: Workload | undefined): ConnSet {
  let c = ConnSet.EMPTY;
  for (const p of w?.ports ?? []) c = c.union(ConnSet.of(p.protocol, p.containerPort, p.containerPort));
  return c;
}

/** The whole-protocol set for a protocol name of the universe. */
export function wholeProtocol(universe: ConnSet, p: string): ConnSet {
  if ((PORT_PROTOCOLS as readonly string[]).includes(p)) return ConnSet.of(p, MIN_PORT, MAX_PORT);
  if (p === 'ICMP' || p === 'ICMPv6') return ConnSet.of(p, 0, ICMP_MAX);
  return universe.intersect(ConnSet.of(p, 0, 0));
}

/** A DNS-label-safe name fragment. */
export function slug(s: string): string {
  const out = s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').replace(/-{2,}/g, '-');
  return out.slice(0, 40).replace(/-+$/, '') || 'x';
}

/** Short name of an endpoint for a policy name ("web", "203-0-113-0-24"). */
export function endpointSlug(e: EndpointInfo): string {
  if (e.workload) return slug(e.workload.name);
  return slug(e.cidrs && e.cidrs.length === 1 ? e.cidrs[0].replace(/\/(32|128)$/, '') : 'external');
}

/** A name not in `taken` (appends -2, -3, ...); at most 63 characters. */
export function uniqueName(base: string, taken: Set<string>): string {
  const b = base.slice(0, 55).replace(/-+$/, '');
  if (!taken.has(b)) return b;
  for (let i = 2; ; i++) if (!taken.has(`${b}-${i}`)) return `${b}-${i}`;
}

/** How a request names its peer in words ("backend/api", "203.0.113.0/24"). */
export function endpointWords(e: EndpointInfo): string {
  if (e.workload) return e.workload.id;
  return e.cidrs && e.cidrs.length <= 3 ? e.cidrs.join(', ') : e.id;
}

/** "from backend/api" / "to backend/api". */
export function peerPhrase(req: SideRequest): string {
  return `${req.side === 'Ingress' ? 'from' : 'to'} ${endpointWords(req.peer)}`;
}

export function directionWord(d: Direction): string {
  return d === 'Ingress' ? 'ingress' : 'egress';
}

// ---------------------------------------------------------------- edits shared by the dialect writers

/** The YAML document a parsed object (its `range`) comes from, as the request's state holds its file. */
export function docOf(req: SideRequest, object: { range?: SourceRange }): YamlDoc | undefined {
  const r = object.range;
  if (!r) return undefined;
  const text = req.state.files.get(r.file);
  return text === undefined ? undefined : YamlDoc.at(r.file, text, r.startOffset);
}

/** Index of the YAML sequence item that starts at a model range. */
export function itemIndex(doc: YamlDoc, seq: YAMLSeq | undefined, range: { startOffset: number } | undefined): number | undefined {
  if (!seq || !range) return undefined;
  const i = seq.items.findIndex((it) => nodeSpan(it, doc.text)?.[0] === range.startOffset - doc.base);
  return i >= 0 ? i : undefined;
}

/** A dialect's step candidate builder: undefined when there is no change or some change could not be made. */
export function candidateOf(dialect: Dialect): (title: string, kind: StepCandidate['kind'], changes: (TextChange | undefined)[], cost: number) => StepCandidate | undefined {
  return (title, kind, changes, cost) => (changes.length === 0 || changes.some((c) => !c) ? undefined : { title, kind, dialect, changes: changes as TextChange[], cost });
}
