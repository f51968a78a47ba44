// Least-privilege policy recommended from observed traffic, verified with the engine before it is shown.
//
// What is generated. Every workload of the manifests that appears in an observed flow (as either end) is isolated
// for ingress and egress and gets exactly the connections it was observed to make or accept (allowed flows; Hubble
// AUDIT flows count as traffic that happened), plus DNS egress to kube-dns (kept so name resolution does not break).
// Peers are chosen by stable labels (app.kubernetes.io/name, …, app, …; never pod-template-hash and the other labels
// controllers add), extended until they select exactly the intended workloads of the manifests; other namespaces
// by kubernetes.io/metadata.name; external addresses as /32 (/128) blocks merged into exact CIDRs; Calico's `pvt` as
// the RFC 1918 ranges and `pub` as everything else (both flagged as broad); network sets by their nets (Calico: by
// their labels when they have some).
//
// Dialects:
// * kubernetes — networking.k8s.io/v1 NetworkPolicy, one per workload (Kubernetes API reference: policyTypes, from/to
//   peers with namespaceSelector+podSelector, ipBlock, ports {protocol, port}).
// * calico — projectcalico.org/v3 NetworkPolicy, or StagedNetworkPolicy with `staged` (docs.tigera.io
//   reference/resources/networkpolicy and stagednetworkpolicy: selector, types, Allow rules with protocol, source /
//   destination namespaceSelector, selector, nets, ports; ICMP type/code).
// * cnp — policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy, Baseline tier by default or Admin (network-policy-api
//   apis/v1alpha2/clusternetworkpolicy_types.go: subject {pods {namespaceSelector, podSelector}}, rules {name,
//   action Accept|Deny, from/to [{pods} | {namespaces} | {networks}], protocols [{tcp|udp|sctp {destinationPort
//   {number} | {range {start, end}}}}]}, at most 25 rules per direction and 25 peers / protocols per rule, priority
//   0–1000, no implicit isolation — so each policy ends with an explicit Deny rule. Baseline rules apply only to pods
//   no NetworkPolicy selects, so they never override what NetworkPolicies decide; Admin rules are decided before
//   NetworkPolicies (the recommendation becomes what the subjects may do). Ingress peers cannot be networks: ingress
//   from outside the cluster is left as it is.
//
// Verification (the recommendation applied as enforced policy — a staged recommendation is checked as the same
// policy, enforced): with B = what the manifests allow, R = what the manifests plus the recommendation allow and
// O = the observed allowed flows,
//   (a) every observed allowed flow the dialect can express is allowed by R, and
//   (b) nothing is newly allowed except observed flows and the kept DNS egress: for every pair of endpoints
//       (workloads and external ranges), R(s, d) ⊆ B(s, d) ∪ O(s, d) ∪ DNS(s, d).
// The removed part B − R is the least-privilege gain (the matrix diff). ClusterNetworkPolicy is verified only when the
// engine evaluates it (probed, never assumed); otherwise the result says "not verified".
import { rangeToCidrs as cidrCover } from '../explain/externals';
import { stringify } from 'yaml';
import { analyzeFiles, type Analysis, type InputFile, type ParseOptions } from '../index';
import type { AnalyzeOptions } from '../analysis';
import type { Labels, Workload } from '../model';
import { ConnSet, PORT_PROTOCOLS } from '../ports';
import { FAMILY_MAX, parseIPv4, parseIPv6, type Family } from '../ip';
import type { ProtocolPorts } from '../reach-types';
import type { FlowAggregator } from './aggregate';
import { foldCounts } from './aggregate';
import { decide, flowConns, hasCalicoUniverse, mergeFlows, type MergedFlow } from './classify';
import { EndpointResolver, isControllerLabel } from './resolve';
import type { FlowEnd } from './types';

export type RecommendDialect = 'kubernetes' | 'calico' | 'cnp';

export interface RecommendOptions extends ParseOptions {
  dialect?: RecommendDialect;
  /** Calico StagedNetworkPolicy instead of NetworkPolicy (implies the calico dialect). */
  staged?: boolean;
  /** Run the verification (default true). */
  verify?: boolean;
  /** Engine support for ClusterNetworkPolicy; probed when undefined. */
  cnpSupported?: boolean;
  /**
   * Tier of ClusterNetworkPolicy recommendations. `Baseline` (default) never overrides NetworkPolicies: its rules
   * apply only to pods no NetworkPolicy selects. `Admin` is decided before NetworkPolicies: the recommendation is what
   * the subjects may do, whatever their namespaces' NetworkPolicies say.
   */
  cnpTier?: 'Baseline' | 'Admin';
  /** How the manifests are analysed (the CNI whose semantics apply), before and after the recommendation. */
  analyze?: AnalyzeOptions;
}

export interface PairDiff {
  src: string;
  dst: string;
  protocols: ProtocolPorts;
}

export interface Verification {
  status: 'verified' | 'violations' | 'not-verified';
  /** Why it was not verified. */
  reason?: string;
  /** (a) observed allowed flows the recommendation does not allow. */
  missing: { src: string; dst: string; protocol: string; port?: number; why?: string }[];
  /** (b) connections newly allowed beyond the observed flows and DNS. */
  widened: PairDiff[];
  /** Observed flows checked for (a); pairs checked for (b). */
  checkedFlows: number;
  checkedPairs: number;
  /** Observed flows the engine cannot check (connections between pods of one workload). */
  unverifiable: number;
}

export interface Recommendation {
  dialect: RecommendDialect;
  staged: boolean;
  yaml: string;
  /** Generated objects (as written to `yaml`). */
  objects: Record<string, unknown>[];
  /** Workloads that got a policy. */
  workloads: string[];
  /** Observed allowed flows turned into rules. */
  flowsUsed: number;
  /** Observed flows left out, and why. */
  skipped: { src: string; dst: string; protocol: string; port?: number; reason: string }[];
  /** Rules broader than the observed traffic (no address recorded, labels that cannot tell workloads apart). */
  warnings: string[];
  verification: Verification;
  /** What the recommendation changes between endpoints (B → R): `removed` is the least-privilege gain. */
  diff: { added: PairDiff[]; removed: PairDiff[] };
}

// ---------------------------------------------------------------- peers and rules (dialect independent)

type Peer =
  | { kind: 'workload'; w: Workload }
  | { kind: 'cidr'; family: Family; lo: bigint; hi: bigint }
  | { kind: 'networkset'; name: string; namespace?: string; labels: Labels; cidrs: string[] }
  /** Every IPv4 address outside the RFC 1918 ranges (Calico's `pub`). */
  | { kind: 'public' };

interface PortSpec {
  protocol: string;
  /** undefined: every port of the protocol (TCP/UDP/SCTP) or the whole protocol. ICMP: type*256+code. */
  port?: number;
}

interface SubjectRules {
  w: Workload;
  ingress: Map<string, { peer: Peer; ports: Map<string, PortSpec> }>;
  egress: Map<string, { peer: Peer; ports: Map<string, PortSpec> }>;
  /** Connections to pods of the same workload (kept, not verifiable). */
}

const PRIVATE_V4: [string, string][] = [
  ['10.0.0.0', '10.255.255.255'],
  ['172.16.0.0', '172.31.255.255'],
  ['192.168.0.0', '192.168.255.255'],
];

const DNS = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } as Labels, ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] };

/** Label keys in order of preference for selecting a workload (stable ones first). */
const PREFERRED_KEYS = ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/component', 'app.kubernetes.io/part-of', 'app', 'k8s-app', 'name', 'component', 'role', 'tier'];
/** Labels that change from release to release: used only when nothing else tells workloads apart. */
const UNSTABLE_KEYS = new Set(['app.kubernetes.io/version', 'version', 'helm.sh/chart', 'chart', 'heritage', 'release-date']);

const portKey = (p: PortSpec) => `${p.protocol}/${p.port ?? '*'}`;

function peerKey(p: Peer): string {
  if (p.kind === 'workload') return `w:${p.w.id}`;
  if (p.kind === 'cidr') return `c:${p.family}:${p.lo}-${p.hi}`;
  if (p.kind === 'public') return 'p:';
  return `s:${p.namespace ?? ''}/${p.name}`;
}

function parseAddr(s: string): { family: Family; v: bigint } | undefined {
  const v4 = parseIPv4(s);
  if (v4 !== undefined) return { family: 4, v: v4 };
  const v6 = parseIPv6(s);
  return v6 !== undefined ? { family: 6, v: v6 } : undefined;
}

/** The exact CIDR cover of an address range (core/explain/externals.ts). */
export function rangeToCidrs(family: Family, lo: bigint, hi: bigint): string[] {
  return cidrCover({ family, lo, hi });
}

/** Merges address peers into maximal ranges (exactly the same addresses). */
function mergeCidrPeers(peers: Peer[]): Peer[] {
  const cidr = peers.filter((p): p is Extract<Peer, { kind: 'cidr' }> => p.kind === 'cidr').sort((a, b) => a.family - b.family || (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const out: Peer[] = peers.filter((p) => p.kind !== 'cidr');
  let cur: Extract<Peer, { kind: 'cidr' }> | undefined;
  for (const p of cidr) {
    if (cur && cur.family === p.family && p.lo <= cur.hi + 1n) {
      if (p.hi > cur.hi) cur = { ...cur, hi: p.hi };
    } else {
      if (cur) out.push(cur);
      cur = { ...p };
    }
  }
  if (cur) out.push(cur);
  return out;
}

// ---------------------------------------------------------------- label selection

interface Selection {
  labels: Labels;
  /** Workloads of the namespace it selects besides the intended one. */
  extra: Workload[];
}

/** matchLabels that select `w` and as few other workloads of its namespace as possible, stable keys first. */
export function chooseSelector(w: Workload, sameNamespace: readonly Workload[]): Selection {
  const keys = Object.keys(w.labels).filter((k) => !isControllerLabel(k));
  const stable = keys.filter((k) => !UNSTABLE_KEYS.has(k));
  const ordered = [...PREFERRED_KEYS.filter((k) => stable.includes(k)), ...stable.filter((k) => !PREFERRED_KEYS.includes(k)).sort(), ...keys.filter((k) => UNSTABLE_KEYS.has(k)).sort()];
  const others = sameNamespace.filter((o) => o.id !== w.id);
  const selects = (labels: Labels, o: Workload) => Object.entries(labels).every(([k, v]) => o.labels[k] === v);
  const labels: Labels = {};
  let extra = others.filter((o) => selects(labels, o));
  for (const k of ordered) {
    if (extra.length === 0 && Object.keys(labels).length > 0) break;
    const next = { ...labels, [k]: w.labels[k] };
    const nextExtra = extra.filter((o) => selects(next, o));
    // Add the key when it narrows the selection, or when nothing is chosen yet (a readable selector).
    if (nextExtra.length < extra.length || Object.keys(labels).length === 0) {
      Object.assign(labels, next);
      extra = nextExtra;
    }
  }
  return { labels, extra };
}

// ---------------------------------------------------------------- building the rules from observed flows

interface Built {
  subjects: Map<string, SubjectRules>;
  flowsUsed: MergedFlow[];
  skipped: Recommendation['skipped'];
  warnings: string[];
}

function expressible(dialect: RecommendDialect, protocol: string): boolean {
  if ((PORT_PROTOCOLS as readonly string[]).includes(protocol)) return true;
  return dialect === 'calico' && (protocol === 'ICMP' || protocol === 'ICMPv6' || /^\d+$/.test(protocol) || protocol === 'UDPLite');
}

/** Peers standing for one described end (several for network sets / private ranges). */
function externalPeers(e: FlowEnd, analysis: Analysis, warnings: Set<string>): Peer[] | string {
  if (e.type === 'address') {
    const a = parseAddr(e.address ?? '');
    if (!a) return `"${e.address}" is not an address`;
    return [{ kind: 'cidr', family: a.family, lo: a.v, hi: a.v }];
  }
  if (e.type === 'network') {
    const priv = PRIVATE_V4.map(([lo, hi]) => ({ kind: 'cidr' as const, family: 4 as Family, lo: parseIPv4(lo)!, hi: parseIPv4(hi)! }));
    if (e.network === 'pvt') {
      warnings.add('Calico records no address for private-network peers (pvt): the rules allow all of 10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16');
      return priv;
    }
    warnings.add('Calico records no address for public-network peers (pub): the rules allow every IPv4 address outside the private ranges');
    return [{ kind: 'public' }];
  }
  if (e.type === 'networkset' || e.type === 'named') {
    const set = (analysis.cluster.calico?.networkSets ?? []).find((s) => s.metadata.name === e.name && (e.namespace ? s.namespaced && s.metadata.namespace === e.namespace : !s.namespaced));
    if (!set) return `network set ${e.name} is not in the manifests`;
    return [{ kind: 'networkset', name: set.metadata.name, namespace: set.namespaced ? set.metadata.namespace : undefined, labels: set.metadata.labels ?? {}, cidrs: set.nets.flatMap((n) => rangeToCidrs(n.cidr.family, n.cidr.lo, n.cidr.hi)) }];
  }
  return `${e.type} endpoints are not modelled`;
}

function build(analysis: Analysis, merged: MergedFlow[], dialect: RecommendDialect): Built {
  const subjects = new Map<string, SubjectRules>();
  const skipped: Recommendation['skipped'] = [];
  const warnings = new Set<string>();
  const flowsUsed: MergedFlow[] = [];
  const wl = (id: string) => {
    const i = analysis.workloadIndex(id);
    return i === undefined ? undefined : analysis.workloads[i];
  };
  // The DNS servers are left as they are (every workload keeps DNS), and client rules to them on 53 are the kept
  // DNS rule.
  const isDns = (w: Workload) => w.namespace === DNS.namespace && Object.entries(DNS.labels).every(([k, v]) => w.labels[k] === v);
  const isDnsPort = (p: PortSpec) => p.port === 53 && (p.protocol === 'UDP' || p.protocol === 'TCP');
  const subject = (w: Workload): SubjectRules => {
    let s = subjects.get(w.id);
    if (!s) subjects.set(w.id, (s = { w, ingress: new Map(), egress: new Map() }));
    return s;
  };
  const addRule = (map: SubjectRules['ingress'], peer: Peer, port: PortSpec) => {
    const k = peerKey(peer);
    let r = map.get(k);
    if (!r) map.set(k, (r = { peer, ports: new Map() }));
    r.ports.set(portKey(port), port);
  };
  for (const m of merged) {
    // Every workload seen in a flow is isolated, even if only denied traffic was seen for it.
    for (const id of [...m.src.ids, ...m.dst.ids]) {
      const w = wl(id);
      if (w && !isDns(w)) subject(w);
    }
    const { allowed } = foldCounts(m.counters);
    if (allowed <= 0 && m.audit <= 0) continue;
    const label = { src: m.src.display, dst: m.dst.display, protocol: m.protocol, port: m.port };
    if (!expressible(dialect, m.protocol)) {
      skipped.push({ ...label, reason: `${m.protocol} cannot be written in ${dialect === 'cnp' ? 'ClusterNetworkPolicy' : 'Kubernetes NetworkPolicy'}; it will be blocked for the isolated workloads` });
      continue;
    }
    const port: PortSpec = { protocol: m.protocol, port: m.port };
    const srcW = m.src.ids.map(wl).filter((w): w is Workload => !!w);
    const dstW = m.dst.ids.map(wl).filter((w): w is Workload => !!w);
    if (!srcW.length && !dstW.length) {
      skipped.push({ ...label, reason: 'both ends are outside the cluster' });
      continue;
    }
    if (m.src.ids.length > 1 && srcW.length) warnings.add(`${m.src.display} could be any of ${m.src.ids.join(', ')}: rules are written for all of them`);
    if (m.dst.ids.length > 1 && dstW.length) warnings.add(`${m.dst.display} could be any of ${m.dst.ids.join(', ')}: rules are written for all of them`);
    // Peers for each end: workloads, or the external addresses the records name.
    const endPeers = (ws: Workload[], ends: Map<string, FlowEnd>): Peer[] | string => {
      if (ws.length) return ws.map((w) => ({ kind: 'workload' as const, w }));
      const out: Peer[] = [];
      for (const e of ends.values()) {
        const p = externalPeers(e, analysis, warnings);
        if (typeof p === 'string') return p;
        out.push(...p);
      }
      return out;
    };
    const srcPeers = endPeers(srcW, m.srcEnds);
    const dstPeers = endPeers(dstW, m.dstEnds);
    if (typeof srcPeers === 'string' || typeof dstPeers === 'string') {
      skipped.push({ ...label, reason: typeof srcPeers === 'string' ? srcPeers : (dstPeers as string) });
      continue;
    }
    if (dialect === 'cnp' && !srcW.length) warnings.add('ClusterNetworkPolicy ingress rules cannot name networks: ingress from outside the cluster is left as it is');
    for (const w of dstW) {
      if (isDns(w)) continue;
      for (const p of srcPeers) if (!(dialect === 'cnp' && p.kind !== 'workload')) addRule(subject(w).ingress, p, port);
    }
    for (const w of srcW) {
      if (isDns(w)) continue;
      for (const p of dstPeers) if (!(p.kind === 'workload' && isDns(p.w) && isDnsPort(port))) addRule(subject(w).egress, p, port);
    }
    flowsUsed.push(m);
  }
  const seen = new Set<string>();
  const uniqueSkipped = skipped.filter((x) => {
    const k = JSON.stringify(x);
    return !seen.has(k) && !!seen.add(k);
  });
  return { subjects, flowsUsed, skipped: uniqueSkipped, warnings: [...warnings] };
}

// ---------------------------------------------------------------- dialects

interface Ctx {
  analysis: Analysis;
  byNs: Map<string, Workload[]>;
  warnings: Set<string>;
  selectorCache: Map<string, Selection>;
  /** Workloads a generated policy selects besides its subject (their own traffic changes too). */
  alsoSelected: Set<string>;
}

function selectionOf(ctx: Ctx, w: Workload): Selection {
  let sel = ctx.selectorCache.get(w.id);
  if (!sel) {
    sel = chooseSelector(w, ctx.byNs.get(w.namespace) ?? []);
    if (sel.extra.length) ctx.warnings.add(`${w.id} cannot be told apart by labels from ${sel.extra.map((o) => o.id).join(', ')}: its selector also selects them`);
    ctx.selectorCache.set(w.id, sel);
  }
  return sel;
}

function selectorOf(ctx: Ctx, w: Workload): Labels {
  return selectionOf(ctx, w).labels;
}

/** The selector of a policy's subject: what it selects besides the subject is affected too. */
function subjectSelector(ctx: Ctx, w: Workload): Labels {
  const sel = selectionOf(ctx, w);
  for (const o of sel.extra) ctx.alsoSelected.add(o.id);
  return sel.labels;
}

/** Groups rules by identical port sets (one rule per set, with all its peers). */
function groupByPorts(rules: Map<string, { peer: Peer; ports: Map<string, PortSpec> }>): { peers: Peer[]; ports: PortSpec[] }[] {
  const groups = new Map<string, { peers: Peer[]; ports: PortSpec[] }>();
  for (const r of rules.values()) {
    const ports = [...r.ports.values()].sort((a, b) => (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : (a.port ?? -1) - (b.port ?? -1)));
    const k = ports.map(portKey).join(',');
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { peers: [], ports }));
    g.peers.push(r.peer);
  }
  return [...groups.values()].map((g) => ({ ...g, peers: mergeCidrPeers(g.peers).sort((a, b) => (peerKey(a) < peerKey(b) ? -1 : 1)) }));
}

const PUBLIC_EXCEPT = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

function cidrsOf(p: Peer): string[] {
  if (p.kind === 'cidr') return rangeToCidrs(p.family, p.lo, p.hi);
  if (p.kind === 'networkset') return p.cidrs;
  if (p.kind === 'public') {
    // The exact cover of 0.0.0.0/0 minus the private ranges (for dialects without `except`).
    const out: string[] = [];
    let cur = 0n;
    for (const [lo, hi] of PRIVATE_V4) {
      const l = parseIPv4(lo)!;
      if (l > cur) out.push(...rangeToCidrs(4, cur, l - 1n));
      cur = parseIPv4(hi)! + 1n;
    }
    out.push(...rangeToCidrs(4, cur, FAMILY_MAX[4]));
    return out;
  }
  return [];
}

function policyName(w: Workload, used: Set<string>, suffix = 'least-privilege', prefix = ''): string {
  let base = `${prefix}${w.name}-${suffix}`.toLowerCase().replace(/[^a-z0-9.-]/g, '-').slice(0, 240);
  if (used.has(base)) base = `${base}-${w.kind.toLowerCase()}`;
  let n = base;
  for (let i = 2; used.has(n); i++) n = `${base}-${i}`;
  used.add(n);
  return n;
}

const nsSelector = (ns: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': ns } });

function k8sPorts(ports: PortSpec[]): Record<string, unknown>[] {
  return ports.map((p) => (p.port === undefined ? { protocol: p.protocol } : { protocol: p.protocol, port: p.port }));
}

function kubernetesPolicies(ctx: Ctx, subjects: SubjectRules[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const used = new Map<string, Set<string>>();
  for (const s of subjects) {
    const w = s.w;
    const names = used.get(w.namespace) ?? new Set<string>();
    used.set(w.namespace, names);
    const k8sPeer = (p: Peer): Record<string, unknown>[] => {
      if (p.kind === 'workload') {
        const podSelector = { matchLabels: selectorOf(ctx, p.w) };
        return p.w.namespace === w.namespace ? [{ podSelector }] : [{ namespaceSelector: nsSelector(p.w.namespace), podSelector }];
      }
      if (p.kind === 'public') return [{ ipBlock: { cidr: '0.0.0.0/0', except: PUBLIC_EXCEPT } }];
      return cidrsOf(p).map((cidr) => ({ ipBlock: { cidr } }));
    };
    const ingress = groupByPorts(s.ingress).map((g) => ({ from: g.peers.flatMap(k8sPeer), ports: k8sPorts(g.ports) }));
    const egress = groupByPorts(s.egress).map((g) => ({ to: g.peers.flatMap(k8sPeer), ports: k8sPorts(g.ports) }));
    egress.push({ to: [{ namespaceSelector: nsSelector(DNS.namespace), podSelector: { matchLabels: DNS.labels } }], ports: k8sPorts(DNS.ports) });
    out.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: policyName(w, names), namespace: w.namespace, labels: { 'app.kubernetes.io/managed-by': 'policy-lens' } },
      spec: { podSelector: { matchLabels: subjectSelector(ctx, w) }, policyTypes: ['Ingress', 'Egress'], ingress, egress },
    });
  }
  return out;
}

function calicoSelector(labels: Labels): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k} == '${labels[k].replace(/'/g, "\\'")}'`);
  return parts.length ? parts.join(' && ') : 'all()';
}

function calicoPolicies(ctx: Ctx, subjects: SubjectRules[], staged: boolean): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const used = new Map<string, Set<string>>();
  for (const s of subjects) {
    const w = s.w;
    const names = used.get(w.namespace) ?? new Set<string>();
    used.set(w.namespace, names);
    const entity = (p: Peer): Record<string, unknown> => {
      if (p.kind === 'workload') {
        const sel = calicoSelector(selectorOf(ctx, p.w));
        return p.w.namespace === w.namespace ? { selector: sel } : { namespaceSelector: `projectcalico.org/name == '${p.w.namespace}'`, selector: sel };
      }
      if (p.kind === 'networkset' && Object.keys(p.labels).length) {
        return { namespaceSelector: p.namespace ? `projectcalico.org/name == '${p.namespace}'` : 'global()', selector: calicoSelector(p.labels) };
      }
      if (p.kind === 'public') return { nets: ['0.0.0.0/0'], notNets: PUBLIC_EXCEPT };
      return { nets: cidrsOf(p) };
    };
    const rules = (rs: SubjectRules['ingress'], direction: 'Ingress' | 'Egress') => {
      const list: Record<string, unknown>[] = [];
      for (const g of groupByPorts(rs)) {
        // One rule per (peer, protocol): Calico rules name one protocol.
        const byProto = new Map<string, PortSpec[]>();
        for (const p of g.ports) byProto.set(p.protocol, [...(byProto.get(p.protocol) ?? []), p]);
        for (const peer of g.peers) {
          for (const [protocol, ports] of byProto) {
            const ent = entity(peer);
            const rule: Record<string, unknown> = { action: 'Allow', protocol };
            const dest: Record<string, unknown> = direction === 'Egress' ? { ...ent } : {};
            if (protocol === 'ICMP' || protocol === 'ICMPv6') {
              // One rule per ICMP type/code (Calico's icmp matches one type and code).
              for (const p of ports) {
                const r = { ...rule, ...(p.port !== undefined ? { icmp: { type: p.port >> 8, code: p.port & 255 } } : {}) };
                list.push(direction === 'Ingress' ? { ...r, source: ent } : { ...r, destination: dest });
              }
              continue;
            }
            const numbers = ports.filter((p) => p.port !== undefined).map((p) => p.port!);
            if (numbers.length && ports.every((p) => p.port !== undefined)) dest.ports = numbers;
            if (direction === 'Ingress') list.push({ ...rule, source: ent, ...(dest.ports ? { destination: { ports: dest.ports } } : {}) });
            else list.push({ ...rule, destination: dest });
          }
        }
      }
      return list;
    };
    const egress = rules(s.egress, 'Egress');
    for (const p of DNS.ports) {
      egress.push({ action: 'Allow', protocol: p.protocol, destination: { namespaceSelector: `projectcalico.org/name == '${DNS.namespace}'`, selector: calicoSelector(DNS.labels), ports: [p.port] } });
    }
    out.push({
      apiVersion: 'projectcalico.org/v3',
      kind: staged ? 'StagedNetworkPolicy' : 'NetworkPolicy',
      metadata: { name: policyName(w, names), namespace: w.namespace, labels: { 'app.kubernetes.io/managed-by': 'policy-lens' } },
      spec: { selector: calicoSelector(subjectSelector(ctx, w)), types: ['Ingress', 'Egress'], ingress: rules(s.ingress, 'Ingress'), egress },
    });
  }
  return out;
}

const CNP_MAX = 25;

function cnpProtocols(ports: PortSpec[]): Record<string, unknown>[] {
  return ports.map((p) => ({ [p.protocol.toLowerCase()]: { destinationPort: p.port === undefined ? { range: { start: 1, end: 65535 } } : { number: p.port } } }));
}

function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out.length ? out : [[]];
}

function cnpPolicies(ctx: Ctx, subjects: SubjectRules[], tier: 'Baseline' | 'Admin'): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const used = new Set<string>();
  const BASE_PRIORITY = 500;
  for (const s of subjects) {
    const w = s.w;
    const pods = (x: Workload) => ({ pods: { namespaceSelector: nsSelector(x.namespace), podSelector: { matchLabels: selectorOf(ctx, x) } } });
    const peerOf = (p: Peer): Record<string, unknown>[] => (p.kind === 'workload' ? [pods(p.w)] : chunks(cidrsOf(p), CNP_MAX).map((c) => ({ networks: c })));
    const accept = (groups: { peers: Peer[]; ports: PortSpec[] }[], dir: 'from' | 'to') =>
      groups.flatMap((g) => {
        const peers = g.peers.flatMap(peerOf);
        return chunks(peers, CNP_MAX).flatMap((ps) => chunks(g.ports, CNP_MAX).map((pr) => ({ name: '', action: 'Accept', [dir]: ps, protocols: cnpProtocols(pr) })));
      });
    const ingress: Record<string, unknown>[] = accept(groupByPorts(s.ingress), 'from');
    const egress: Record<string, unknown>[] = [
      { name: 'dns', action: 'Accept', to: [{ pods: { namespaceSelector: nsSelector(DNS.namespace), podSelector: { matchLabels: DNS.labels } } }], protocols: cnpProtocols(DNS.ports) },
      ...accept(groupByPorts(s.egress), 'to'),
    ];
    ingress.forEach((r, i) => (r.name = `accept-${i + 1}`));
    egress.forEach((r, i) => (r.name ||= `accept-${i}`));
    // No implicit isolation in CNP: deny what no Accept rule took, last.
    ingress.push({ name: 'deny-other-pods', action: 'Deny', from: [{ namespaces: {} }] });
    egress.push({ name: 'deny-other', action: 'Deny', to: [{ namespaces: {} }, { networks: ['0.0.0.0/0', '::/0'] }] });
    // At most 25 rules per direction: split into policies of increasing priority (first match wins across them).
    const ins = chunks(ingress, CNP_MAX);
    const egs = chunks(egress, CNP_MAX);
    const n = Math.max(ins.length, egs.length);
    for (let i = 0; i < n; i++) {
      const spec: Record<string, unknown> = {
        tier,
        priority: Math.min(1000, BASE_PRIORITY + i),
        subject: { pods: { namespaceSelector: nsSelector(w.namespace), podSelector: { matchLabels: subjectSelector(ctx, w) } } },
      };
      if (ins[i]?.length) spec.ingress = ins[i];
      if (egs[i]?.length) spec.egress = egs[i];
      out.push({
        apiVersion: 'policy.networking.k8s.io/v1alpha2',
        kind: 'ClusterNetworkPolicy',
        metadata: { name: policyName(w, used, n > 1 ? `least-privilege-${i + 1}` : 'least-privilege', `${w.namespace}-`), labels: { 'app.kubernetes.io/managed-by': 'policy-lens' } },
        spec,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------- the engine's support for ClusterNetworkPolicy

let cnpProbe: boolean | undefined;

/**
 * Does the engine evaluate ClusterNetworkPolicy? Probed on a tiny world instead of assumed: a Baseline policy that
 * accepts TCP 80 from `a` and denies every other pod must leave a→b TCP 80 allowed, a→b TCP 81 and c→b denied.
 */
export function engineEvaluatesCnp(): boolean {
  if (cnpProbe !== undefined) return cnpProbe;
  const text = `apiVersion: v1
kind: Pod
metadata: {name: a, namespace: probe, labels: {app: a}}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: probe, labels: {app: b}}
---
apiVersion: v1
kind: Pod
metadata: {name: c, namespace: probe, labels: {app: c}}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: probe}
spec:
  tier: Baseline
  priority: 10
  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: b}}}}
  ingress:
  - {action: Accept, from: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: a}}}}], protocols: [{tcp: {destinationPort: {number: 80}}}]}
  - {action: Deny, from: [{namespaces: {}}]}
`;
  try {
    const { analysis } = analyzeFiles([{ path: 'cnp-probe.yaml', text }]);
    const ab = analysis.allowedBetween('probe/a', 'probe/b');
    cnpProbe = ab.has('TCP', 80) && !ab.has('TCP', 81) && analysis.allowedBetween('probe/c', 'probe/b').isEmpty();
  } catch {
    cnpProbe = false;
  }
  return cnpProbe;
}

// ---------------------------------------------------------------- verification

function verify(files: InputFile[], enforcedYaml: string, before: Analysis, built: Built, touched: Set<string>, opts: ParseOptions, analyzeOpts: AnalyzeOptions): { verification: Verification; diff: Recommendation['diff'] } {
  const { analysis: after } = analyzeFiles([...files, { path: 'policy-lens-recommendation.yaml', text: enforcedYaml }], opts, analyzeOpts);
  const missing: Verification['missing'] = [];
  let unverifiable = 0;
  const rAfter = new EndpointResolver(after);
  const rBefore = new EndpointResolver(before);
  // O(s, d): the observed connections per endpoint pair of the re-analysis.
  const observed = new Map<string, ConnSet>();
  const key = (s: string, d: string) => `${s}\u0000${d}`;
  let checkedFlows = 0;
  const calicoAfter = hasCalicoUniverse(after);
  const idsIn = (ends: Map<string, FlowEnd>): string[] | undefined => {
    const out = new Set<string>();
    for (const [k, e] of ends) {
      const r = rAfter.resolve(k, e);
      if (r.problem) return undefined;
      // pub/pvt stand for IPv4 ranges in the generated rules (Calico's private ranges are IPv4).
      for (const id of r.ids) if (e.type !== 'network' || !id.includes(':')) out.add(id);
    }
    return [...out];
  };
  for (const m of built.flowsUsed) {
    const srcIds = idsIn(m.srcEnds);
    const dstIds = idsIn(m.dstEnds);
    if (!srcIds || !dstIds) {
      missing.push({ src: m.src.display, dst: m.dst.display, protocol: m.protocol, port: m.port, why: 'the flow no longer maps to the manifests' });
      continue;
    }
    const { conns } = flowConns(m.protocol, m.port);
    for (const s of srcIds) for (const d of dstIds) observed.set(key(s, d), (observed.get(key(s, d)) ?? ConnSet.EMPTY).union(conns));
    checkedFlows++;
    const dec = decide(after, srcIds, dstIds, m.protocol, m.port, calicoAfter);
    if (dec.verdict === 'allowed') continue;
    if (dec.reasons.some((r) => r.includes('pods of one workload'))) {
      unverifiable++;
      continue;
    }
    missing.push({ src: m.src.display, dst: m.dst.display, protocol: m.protocol, port: m.port, why: dec.reasons.join('; ') || undefined });
  }
  // DNS allowance: every generated egress may reach kube-dns on 53.
  const dnsTargets = after.workloads.filter((w) => w.namespace === DNS.namespace && Object.entries(DNS.labels).every(([k, v]) => w.labels[k] === v)).map((w) => w.id);
  const dnsConns = DNS.ports.reduce((acc, p) => acc.union(ConnSet.of(p.protocol, p.port, p.port)), ConnSet.EMPTY);
  // B's universe: compare only what the manifests alone can decide (TCP/UDP/SCTP when they are Kubernetes-only).
  const limit = hasCalicoUniverse(before) ? undefined : ConnSet.ALL;
  const widened: PairDiff[] = [];
  const added: PairDiff[] = [];
  const removed: PairDiff[] = [];
  const wl = after.workloads.map((w) => w.id);
  const atoms = after.endpoints().filter((e) => e.kind === 'External').map((e) => e.id);
  const beforeId = (id: string): string | undefined => {
    if (after.workloadIndex(id) !== undefined) return before.workloadIndex(id) !== undefined ? id : undefined;
    const lo = id.slice(0, id.indexOf('-'));
    const r = rBefore.resolve(`a\t${lo}`, { type: 'address', address: lo });
    return r.problem ? undefined : r.ids[0];
  };
  let checkedPairs = 0;
  const check = (s: string, d: string) => {
    if (s === d) return;
    let a = after.allowedBetween(s, d);
    const bs = beforeId(s);
    const bd = beforeId(d);
    // An address family the manifests name no range of (e.g. IPv6 brought in by a generated `::/0`) has no external
    // endpoint in the manifests' analysis: nothing to compare with.
    if ((!bs && after.workloadIndex(s) === undefined) || (!bd && after.workloadIndex(d) === undefined)) return;
    checkedPairs++;
    let b = bs && bd ? before.allowedBetween(bs, bd) : ConnSet.EMPTY;
    if (limit) {
      a = a.intersect(limit);
      b = b.intersect(limit);
    }
    const extra = a.subtract(b);
    const gone = b.subtract(a);
    if (!extra.isEmpty()) {
      added.push({ src: s, dst: d, protocols: extra.toJSON() });
      let unexplained = extra.subtract(observed.get(key(s, d)) ?? ConnSet.EMPTY);
      if (touched.has(s) && dnsTargets.includes(d)) unexplained = unexplained.subtract(dnsConns);
      if (!unexplained.isEmpty()) widened.push({ src: s, dst: d, protocols: unexplained.toJSON() });
    }
    if (!gone.isEmpty()) removed.push({ src: s, dst: d, protocols: gone.toJSON() });
  };
  // Only pairs with a touched end can change.
  for (const s of wl) {
    const sTouched = touched.has(s);
    for (const d of wl) if (sTouched || touched.has(d)) check(s, d);
    if (sTouched) for (const x of atoms) check(s, x);
  }
  for (const x of atoms) for (const d of wl) if (touched.has(d)) check(x, d);
  const status = missing.length || widened.length ? 'violations' : 'verified';
  return { verification: { status, missing, widened, checkedFlows, checkedPairs, unverifiable }, diff: { added, removed } };
}

// ---------------------------------------------------------------- entry point

function toYaml(objects: Record<string, unknown>[], header: string[]): string {
  const head = header.map((l) => `# ${l}`).join('\n');
  const docs = objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false }).trimEnd());
  return `${head}${head ? '\n' : ''}${docs.join('\n---\n')}\n`;
}

/**
 * Recommends least-privilege policy for the workloads of `files` (the manifests) from the observed flows in `agg`,
 * and verifies it with the engine.
 */
export function recommendPolicies(agg: FlowAggregator, files: InputFile[], opts: RecommendOptions = {}): Recommendation {
  const staged = !!opts.staged;
  const dialect: RecommendDialect = staged ? 'calico' : opts.dialect ?? 'kubernetes';
  const parseOpts: ParseOptions = { defaultNamespace: opts.defaultNamespace };
  // Calico policies are enforced by Calico: unless a CNI is set, the manifests are read as Calico reads them (e.g.
  // ipBlock matching pod IPs), before and after, so the verification compares policies and not two CNIs.
  const setting = opts.analyze?.cni && opts.analyze.cni !== 'auto' ? opts.analyze.cni : dialect === 'calico' ? 'calico' : undefined;
  const analyzeOpts: AnalyzeOptions = { ...opts.analyze, ...(setting ? { cni: setting } : {}) };
  const { analysis } = analyzeFiles(files, parseOpts, analyzeOpts);
  const resolver = new EndpointResolver(analysis);
  // Flows stay apart by the ends the records name (two addresses in one external range may differ in verdict).
  const { merged } = mergeFlows(agg, resolver, undefined, { merge: false });
  const built = build(analysis, merged, dialect);
  const byNs = new Map<string, Workload[]>();
  for (const w of analysis.workloads) byNs.set(w.namespace, [...(byNs.get(w.namespace) ?? []), w]);
  const ctx: Ctx = { analysis, byNs, warnings: new Set(built.warnings), selectorCache: new Map(), alsoSelected: new Set() };
  const subjects = [...built.subjects.values()].sort((a, b) => (a.w.id < b.w.id ? -1 : 1));
  const cnpTier = opts.cnpTier ?? 'Baseline';
  const make = (st: boolean) => (dialect === 'kubernetes' ? kubernetesPolicies(ctx, subjects) : dialect === 'calico' ? calicoPolicies(ctx, subjects, st) : cnpPolicies(ctx, subjects, cnpTier));
  const objects = make(staged);
  const header = [
    `Least-privilege ${dialect === 'cnp' ? `ClusterNetworkPolicy (${cnpTier} tier)` : dialect === 'calico' ? (staged ? 'Calico StagedNetworkPolicy' : 'Calico NetworkPolicy') : 'Kubernetes NetworkPolicy'} recommended by policy-lens from ${agg.records || [...agg.flows.values()].reduce((n, f) => n + f.records, 0)} observed flow records.`,
    `Allows exactly the observed allowed flows of ${subjects.length} workloads (plus DNS to kube-dns); review before applying.`,
  ];
  const yaml = toYaml(objects, header);
  let verification: Verification = { status: 'not-verified', reason: 'verification was not asked for', missing: [], widened: [], checkedFlows: 0, checkedPairs: 0, unverifiable: 0 };
  let diff: Recommendation['diff'] = { added: [], removed: [] };
  if (opts.verify !== false) {
    if (dialect === 'cnp' && !(opts.cnpSupported ?? engineEvaluatesCnp())) {
      verification = { ...verification, reason: 'the engine does not evaluate ClusterNetworkPolicy yet: the recommendation is written per the v1alpha2 API but not checked' };
    } else {
      const enforced = staged ? toYaml(make(false), []) : yaml;
      ({ verification, diff } = verify(files, enforced, analysis, built, new Set([...built.subjects.keys(), ...ctx.alsoSelected]), parseOpts, { ...analyzeOpts, cni: analysis.cni.cni }));
      if (dialect === 'cnp' && cnpTier === 'Baseline') {
        // Baseline rules do not reach pods a NetworkPolicy selects: say so where that is why a flow stays blocked.
        for (const m of verification.missing) {
          const decidedElsewhere = (analysis.workloadIndex(m.src) !== undefined && analysis.isolated(m.src, 'Egress')) || (analysis.workloadIndex(m.dst) !== undefined && analysis.isolated(m.dst, 'Ingress'));
          if (decidedElsewhere) m.why = [m.why, 'a policy of the manifests isolates this workload, so it decides before the Baseline tier (use the Admin tier or the kubernetes dialect)'].filter(Boolean).join('; ');
        }
      }
    }
  }
  return {
    dialect,
    staged,
    yaml,
    objects,
    workloads: subjects.map((s) => s.w.id),
    flowsUsed: built.flowsUsed.length,
    skipped: built.skipped,
    warnings: [...ctx.warnings],
    verification,
    diff,
  };
}
