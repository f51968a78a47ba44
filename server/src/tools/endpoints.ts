// Endpoint selection for requirements (verify rules, MCP filters): globs over ids and namespaces, Kubernetes
// set-based label selector strings ("app=web, tier in (a,b), !legacy"), CIDRs and "internet" over external ranges.
// Matching uses the core's selectorMatches; nothing here evaluates policy.
import { ConnSet, selectorMatches, type Cluster, type Endpoint, type LabelSelector, type Labels, type SelectorRequirement } from '../core/index';
import { overlaps, rangeOfCidr, rangeOfId, type AddressRange } from './externals';

/** Parses a Kubernetes set-based selector string; a string error when it is not one. Empty string = everything. */
export function parseSelectorString(s: string): LabelSelector | string {
  const sel: LabelSelector = { matchLabels: {}, matchExpressions: [] };
  const parts = s.split(/,(?![^()]*\))/).map((p) => p.trim()).filter(Boolean);
  for (const p of parts) {
    let m: RegExpExecArray | null;
    if ((m = /^([A-Za-z0-9._/-]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(p))) {
      const values = m[3].split(',').map((v) => v.trim()).filter(Boolean);
      sel.matchExpressions.push({ key: m[1], operator: m[2] === 'in' ? 'In' : 'NotIn', values } as SelectorRequirement);
    } else if ((m = /^([A-Za-z0-9._/-]+)\s*!=\s*([A-Za-z0-9._-]*)$/.exec(p))) {
      sel.matchExpressions.push({ key: m[1], operator: 'NotIn', values: [m[2]] } as SelectorRequirement);
    } else if ((m = /^([A-Za-z0-9._/-]+)\s*==?\s*([A-Za-z0-9._-]*)$/.exec(p))) {
      sel.matchExpressions.push({ key: m[1], operator: 'In', values: [m[2]] } as SelectorRequirement);
    } else if ((m = /^!\s*([A-Za-z0-9._/-]+)$/.exec(p))) {
      sel.matchExpressions.push({ key: m[1], operator: 'DoesNotExist', values: [] } as SelectorRequirement);
    } else if ((m = /^([A-Za-z0-9._/-]+)$/.exec(p))) {
      sel.matchExpressions.push({ key: m[1], operator: 'Exists', values: [] } as SelectorRequirement);
    } else return `"${p}" is not a label requirement (key=value, key!=value, key in (a,b), key notin (a,b), key, !key)`;
  }
  return sel;
}

/** `*` matches any run of characters (including `/`), `?` one character. */
export function globMatch(glob: string, s: string): boolean {
  const re = new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(s);
}

/** Address ranges that are not the public internet (RFC 1918, CGNAT, loopback, link-local, ULA, ...). */
const NON_PUBLIC = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '0.0.0.0/8', '::1/128', 'fc00::/7', 'fe80::/10'].map((c) => rangeOfCidr(c) as AddressRange);

/** True when some address of the range is public (outside NON_PUBLIC). */
export function hasPublicAddress(r: AddressRange): boolean {
  // Subtract the non-public ranges of the family; anything left is public.
  let pieces: [bigint, bigint][] = [[r.lo, r.hi]];
  for (const np of NON_PUBLIC) {
    if (np.family !== r.family) continue;
    const next: [bigint, bigint][] = [];
    for (const [lo, hi] of pieces) {
      if (np.hi < lo || np.lo > hi) next.push([lo, hi]);
      else {
        if (lo < np.lo) next.push([lo, np.lo - 1n]);
        if (hi > np.hi) next.push([np.hi + 1n, hi]);
      }
    }
    pieces = next;
  }
  return pieces.length > 0;
}

/** Which endpoints a requirement side names. Every field given must hold (AND); a list inside a field is an OR. */
export interface EndpointSpec {
  /** Workload id globs (`namespace/name`, `data/*`). */
  workload?: string | string[];
  /** Namespace name globs. */
  namespace?: string | string[];
  /** Pod label selector string. */
  labels?: string;
  /** Namespace label selector string (namespaces without a Namespace object have kubernetes.io/metadata.name only). */
  namespaceLabels?: string;
  /** External addresses: `any` (every external range), `internet` (ranges holding a public address). */
  external?: 'any' | 'internet';
  /** External addresses in these CIDRs (ranges overlapping them). */
  cidr?: string | string[];
}

export interface CompiledSpec {
  describe: string;
  matches(e: Endpoint): boolean;
}

function list(v: string | string[] | undefined): string[] | undefined {
  return v === undefined ? undefined : Array.isArray(v) ? v.map(String) : [String(v)];
}

/** Namespace labels as the API server sets them: a Namespace object's labels plus kubernetes.io/metadata.name. */
export function namespaceLabelsOf(cluster: Cluster): (ns: string) => Labels {
  const known = new Map(cluster.namespaces.map((n) => [n.name, n.labels]));
  return (ns) => ({ ...(known.get(ns) ?? {}), 'kubernetes.io/metadata.name': ns });
}

/** Compiles a spec; returns an error string for a malformed one. `undefined` spec = every workload (no externals). */
export function compileSpec(spec: EndpointSpec | string | undefined, nsLabels: (ns: string) => Labels): CompiledSpec | string {
  if (spec === undefined || spec === null) return { describe: 'every workload', matches: (e) => e.kind !== 'External' };
  if (typeof spec === 'string') {
    if (spec === 'internet' || spec === 'external') return compileSpec({ external: spec === 'internet' ? 'internet' : 'any' }, nsLabels);
    const r = rangeOfCidr(spec);
    if (typeof r !== 'string' && /[./:]/.test(spec) && !spec.includes('*')) return compileSpec({ cidr: spec }, nsLabels);
    return compileSpec({ workload: spec }, nsLabels);
  }
  if (typeof spec !== 'object' || Array.isArray(spec)) return 'an endpoint must be a string or a mapping';
  const known = ['workload', 'namespace', 'labels', 'namespaceLabels', 'external', 'cidr'];
  for (const k of Object.keys(spec)) if (!known.includes(k)) return `unknown endpoint field "${k}" (use ${known.join(', ')})`;
  const workloads = list(spec.workload);
  const namespaces = list(spec.namespace);
  let podSel: LabelSelector | undefined;
  let nsSel: LabelSelector | undefined;
  if (spec.labels !== undefined) {
    const s = parseSelectorString(String(spec.labels));
    if (typeof s === 'string') return s;
    podSel = s;
  }
  if (spec.namespaceLabels !== undefined) {
    const s = parseSelectorString(String(spec.namespaceLabels));
    if (typeof s === 'string') return s;
    nsSel = s;
  }
  const cidrs: AddressRange[] = [];
  for (const c of list(spec.cidr) ?? []) {
    const r = rangeOfCidr(c);
    if (typeof r === 'string') return `invalid CIDR "${c}": ${r}`;
    cidrs.push(r);
  }
  if (spec.external !== undefined && spec.external !== 'any' && spec.external !== 'internet') return `external must be "any" or "internet", not "${String(spec.external)}"`;
  const wantsExternal = spec.external !== undefined || cidrs.length > 0;
  const wantsWorkload = workloads || namespaces || podSel || nsSel;
  if (wantsExternal && wantsWorkload) return 'an endpoint is either workloads (workload, namespace, labels, namespaceLabels) or external addresses (external, cidr), not both';
  const parts: string[] = [];
  if (workloads) parts.push(`workload ${workloads.join(' or ')}`);
  if (namespaces) parts.push(`namespace ${namespaces.join(' or ')}`);
  if (spec.labels !== undefined) parts.push(`labels ${spec.labels}`);
  if (spec.namespaceLabels !== undefined) parts.push(`namespace labels ${spec.namespaceLabels}`);
  if (spec.external) parts.push(spec.external === 'internet' ? 'the internet (public addresses)' : 'any external address');
  if (cidrs.length) parts.push(`addresses in ${list(spec.cidr)!.join(' or ')}`);
  return {
    describe: parts.join(', ') || 'every workload',
    matches(e: Endpoint): boolean {
      if (e.kind === 'External') {
        if (!wantsExternal) return false;
        const r = rangeOfId(e.id);
        if (!r) return false;
        if (spec.external === 'internet' && !hasPublicAddress(r)) return false;
        if (cidrs.length && !cidrs.some((c) => overlaps(c, r))) return false;
        return true;
      }
      if (wantsExternal) return false;
      if (workloads && !workloads.some((g) => globMatch(g, e.id))) return false;
      if (namespaces && !namespaces.some((g) => globMatch(g, e.namespace ?? ''))) return false;
      if (podSel && !selectorMatches(podSel, e.labels)) return false;
      if (nsSel && !selectorMatches(nsSel, nsLabels(e.namespace ?? ''))) return false;
      return true;
    },
  };
}

/**
 * Parses connection specs: "TCP/8443", "TCP/8000-8080", "UDP/53", "TCP" (all its ports), "8443" (TCP, UDP and SCTP),
 * "ICMP" (whole protocol, Calico). Undefined or empty = undefined (the caller decides what "no ports" means).
 */
export function parsePorts(v: unknown): ConnSet | undefined | string {
  if (v === undefined || v === null) return undefined;
  const items = Array.isArray(v) ? v : [v];
  if (items.length === 0) return undefined;
  let acc = ConnSet.EMPTY;
  for (const it of items) {
    const s = String(it).trim();
    const m = /^(?:([A-Za-z][A-Za-z0-9]*)(?:\/|$))?(?:(\d+)(?:-(\d+))?)?$/.exec(s);
    if (!m || (!m[1] && !m[2])) return `"${s}" is not a port spec (TCP/8443, TCP/8000-8080, UDP, 53)`;
    const proto = m[1]?.toUpperCase();
    const lo = m[2] ? Number(m[2]) : undefined;
    const hi = m[3] ? Number(m[3]) : lo;
    if (lo !== undefined && (lo < 1 || hi! > 65535 || hi! < lo)) return `"${s}": ports must be 1-65535, low to high`;
    const protos = proto ? [proto] : ['TCP', 'UDP', 'SCTP'];
    for (const p of protos) {
      if (['TCP', 'UDP', 'SCTP'].includes(p)) acc = acc.union(ConnSet.of(p, lo ?? 1, hi ?? 65535));
      else if (lo !== undefined) return `"${s}": protocol ${p} has no ports`;
      else acc = acc.union(p === 'ICMP' || p === 'ICMPV6' ? ConnSet.of(p === 'ICMP' ? 'ICMP' : 'ICMPv6', 0, 255 * 256 + 255) : ConnSet.of(p, 0, 0));
    }
  }
  return acc;
}
