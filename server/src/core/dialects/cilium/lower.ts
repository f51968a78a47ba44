// CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy -> the policy model (core/policy/ir.ts).
//
// Semantics (cite these in tests):
// [DENY]     docs.cilium.io security/policy/deny: "Deny policies take precedence over allow policies, regardless of
//            whether they are a Cilium Network Policy, a Clusterwide Cilium Network Policy or even a Kubernetes
//            Network Policy"; pods enter default-deny as soon as a single policy selects them (also deny-only ones).
// [DEFAULT]  docs.cilium.io security/policy/intro "Endpoint default policy" and pkg/policy/api rule.go
//            EnableDefaultDeny: a direction becomes default-deny when a rule with rules for that direction (ingress
//            or ingressDeny; egress or egressDeny) selects the endpoint, unless enableDefaultDeny says false for
//            it; "if multiple policies apply to an endpoint, default deny will be enabled if any policy requests
//            it". With enable-non-default-deny-policies=false the field is ignored (always default-deny).
// [MODES]    docs.cilium.io "Policy Enforcement Modes": default; always (every endpoint is default-deny in both
//            directions); never (nothing is enforced).
// [UNION]    intro "Rule Basics": allow rules form a union (order is irrelevant).
// [L3EMPTY]  pkg/policy/api ingress.go/egress.go and k8s/apis/cilium.io/utils mergeEndpointSelectors: an empty
//            non-nil fromEndpoints / fromEntities / fromCIDR / fromCIDRSet / fromNodes selects nothing; a rule
//            without any L3 field and with toPorts or icmps applies to every peer; a rule with neither (`{}`)
//            allows nothing (but still makes the direction default-deny).
// [ENTITIES] pkg/policy/api entity.go, docs "Entities based": cluster = every pod of the local cluster plus host,
//            remote-node, init, ingress, health, unmanaged and kube-apiserver; world = everything outside the
//            cluster; all = cluster + world.
// [CIDR]     ingress.go / egress.go FromCIDR/ToCIDR, docs "IP/CIDR based": CIDR rules only apply to peers outside
//            the cluster; "by default, CIDR-based selectors do not match in-cluster entities (pods or nodes)";
//            --policy-cidr-match-mode=nodes lets them select nodes (never pods).
// [L4]       docs "Layer 4 Policies" and l4.go PortProtocol: with no L4 rule every protocol is allowed, ICMP
//            included; protocol ANY or empty = TCP, UDP and SCTP; port 0 = every port; endPort makes a range; a port
//            name resolves on the destination pod; ICMP is matched with `icmps` (type only: every code).
// [L7]       docs "Layer 7 Policies": L7 rules are enforced by the proxy on traffic the L3/L4 rule allows.
// [FQDN]     docs "DNS based": toFQDNs selects peers outside the cluster by DNS name (through the DNS proxy).
import type { Labels, Workload } from '../../model';
import { ConnSet, ICMP_MAX, MAX_PORT, MIN_PORT } from '../../ports';
import type { ConnSpec, Matcher, NamedPort, Policy, Rule, WorldView } from '../../policy/ir';
import { addressMatcher, NOTHING, workloadMatcher, type AddressBlock } from '../../policy/matchers';
import { selectorMatches, selectorKey } from '../../selectors';
import { ciliumSelectorMatches, effectivePeerSelector, effectiveSubjectSelector, pinnedNamespace, podIdentityLabels, selectorText, worldLabels } from './labels';
import type { CiliumCidrGroup, CiliumCidrRule, CiliumInput, CiliumPeerRule, CiliumPolicy, CiliumRule, CiliumSelector } from './model';

export interface CiliumLowerEnv {
  universe: ConnSet;
  /** io.cilium.k8s.policy.cluster of every pod. */
  clusterName: string;
  cidrGroups: CiliumCidrGroup[];
  /** enable-non-default-deny-policies (default true). */
  nonDefaultDenyPolicies: boolean;
}

const PORT_PROTOS = ['TCP', 'UDP', 'SCTP'];

// ---------------------------------------------------------------- identity labels per workload (cached)

const labelCache = new WeakMap<Workload, { nsl: Labels | undefined; cluster: string; labels: Labels }>();

/** The Cilium identity labels of a workload in a world (cached per workload object). */
export function identityOf(w: Workload, world: WorldView, clusterName: string): Labels {
  const nsl = world.nsLabels.get(w.namespace);
  const hit = labelCache.get(w);
  if (hit && hit.nsl === nsl && hit.cluster === clusterName) return hit.labels;
  const labels = podIdentityLabels(w, nsl, clusterName);
  labelCache.set(w, { nsl, cluster: clusterName, labels });
  return labels;
}

// ---------------------------------------------------------------- matchers

/** The endpoints a rule applies to (endpointSelector, namespace pinned for a CiliumNetworkPolicy). */
export function ciliumSubjectMatcher(p: CiliumPolicy, r: CiliumRule, clusterName: string): Matcher {
  if (!r.endpointSelector) return NOTHING; // host policy (nodeSelector): nodes are not endpoints here
  const eff = effectiveSubjectSelector(r.endpointSelector, p.namespace);
  const ns = p.namespace;
  return workloadMatcher(`cilium-subject|${clusterName}|${selectorText(eff)}`, (w, world) => ciliumSelectorMatches(eff, { k8s: identityOf(w, world, clusterName) }), ns !== undefined ? { namespaces: () => [ns] } : {});
}

/** A fromEndpoints/toEndpoints selector (namespace injected as Cilium does). */
export function ciliumEndpointMatcher(sel: CiliumSelector, policyNs: string | undefined, clusterName: string): Matcher {
  const eff = effectivePeerSelector(sel, policyNs);
  const ns = pinnedNamespace(eff);
  return workloadMatcher(`cilium-ep|${clusterName}|${selectorText(eff)}`, (w, world) => ciliumSelectorMatches(eff, { k8s: identityOf(w, world, clusterName) }), {
    namespaces: ns !== undefined ? () => [ns] : undefined,
    atom: (a) => ciliumSelectorMatches(eff, worldLabels(a.family)),
  });
}

const isService = (d: string) => d.startsWith('service:');

/** [ENTITIES] An entity: all, world, world-ipv4/6 and cluster are modelled; the others match no endpoint here. */
export function ciliumEntityMatcher(name: string): Matcher {
  const key = `cilium-entity|${name}`;
  switch (name) {
    case 'all':
      return workloadMatcher(key, () => true, { atom: () => true, domain: () => true });
    case 'cluster':
      return workloadMatcher(key, () => true, { domain: isService });
    case 'world':
      return workloadMatcher(key, () => false, { namespaces: () => [], atom: () => true, domain: (d) => !isService(d) });
    case 'world-ipv4':
      return workloadMatcher(key, () => false, { namespaces: () => [], atom: (a) => a.family === 4 });
    case 'world-ipv6':
      return workloadMatcher(key, () => false, { namespaces: () => [], atom: (a) => a.family === 6 });
    default:
      return { ...NOTHING, key };
  }
}

/** DNS names / patterns of toFQDNs as named external destinations (Cilium pattern semantics [FQDN]). */
export function fqdnMatcher(names: string[], patterns: string[]): Matcher {
  const norm = (s: string) => s.toLowerCase().replace(/\.$/, '');
  const ns = names.map(norm);
  const ps = patterns.map(norm);
  const res = ps.map((p) => {
    if (p === '*') return /^.*$/;
    let body = p;
    let prefix = '';
    if (body.startsWith('**.')) {
      prefix = '(?:[-a-z0-9_]+\\.)+';
      body = body.slice(3);
    }
    const rx = body
      .split('*')
      .map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[-a-z0-9_]*');
    return new RegExp(`^${prefix}${rx}$`);
  });
  return {
    key: `cilium-fqdn|${[...ns].sort().join(',')}|${[...ps].sort().join(',')}`,
    workloads: () => [],
    matchesWorkload: () => false,
    matchesAtom: () => false,
    matchesDomain: (d) => {
      const x = norm(d);
      return ns.includes(x) || ps.includes(x) || res.some((r) => r.test(x));
    },
    domains: () => [...ns, ...ps],
  };
}

/** A named external destination that is not modelled further (toServices, toGroups). */
export function namedMatcher(prefix: 'service' | 'group', text: string): Matcher {
  const id = `${prefix}:${text}`;
  return { key: `cilium-${prefix}|${text}`, workloads: () => [], matchesWorkload: () => false, matchesAtom: () => false, matchesDomain: (d) => d === id, domains: () => [id] };
}

/** The address blocks of CIDR rules, with CIDR groups resolved. */
export function cidrBlocks(rules: CiliumCidrRule[], groups: CiliumCidrGroup[]): AddressBlock[] {
  const out: AddressBlock[] = [];
  for (const r of rules) {
    if (r.cidr) {
      const c = r.cidr;
      out.push({ family: c.family, lo: c.lo, hi: c.hi, except: r.except.filter((e) => e.cidr && e.cidr.family === c.family).map((e) => ({ lo: e.cidr!.lo, hi: e.cidr!.hi })) });
      continue;
    }
    const gs = r.groupRef !== undefined ? groups.filter((g) => g.name === r.groupRef) : r.groupSelector ? groups.filter((g) => selectorMatches(r.groupSelector!, g.labels)) : [];
    for (const g of gs) for (const c of g.cidrs) out.push({ family: c.cidr.family, lo: c.cidr.lo, hi: c.cidr.hi, except: [] });
  }
  return out;
}

// ---------------------------------------------------------------- rules

/** Does the rule have an L4 part (toPorts or icmps)? */
export function hasL4(r: CiliumPeerRule): boolean {
  return !!(r.toPorts?.length || r.icmps?.length);
}

/** [L3EMPTY] Does an empty peer list make the rule select nothing? */
export function selectsNothing(r: CiliumPeerRule): boolean {
  return r.emptyL3.some((e) => /Endpoints$|Nodes$|Entities$|CIDR$|CIDRSet$/.test(e.field));
}

/** The peers a rule matches (undefined = every peer). */
export function rulePeers(p: CiliumPolicy, r: CiliumPeerRule, env: CiliumLowerEnv): Matcher[] | undefined {
  if (selectsNothing(r)) return [];
  if (r.l3.length === 0) return hasL4(r) ? undefined : [];
  const out: Matcher[] = [];
  for (const s of r.endpoints ?? []) out.push(ciliumEndpointMatcher(s, p.namespace, env.clusterName));
  for (const e of r.entities ?? []) out.push(ciliumEntityMatcher(e.name));
  if (r.cidrs?.length) {
    const blocks = cidrBlocks(r.cidrs, env.cidrGroups);
    out.push(blocks.length ? addressMatcher(blocks, 'cilium-cidr') : NOTHING);
  }
  if (r.fqdns?.length) out.push(fqdnMatcher(r.fqdns.flatMap((f) => (f.matchName ? [f.matchName] : [])), r.fqdns.flatMap((f) => (f.matchPattern ? [f.matchPattern] : []))));
  for (const s of r.services ?? []) out.push(namedMatcher('service', s.text));
  for (const g of r.groups ?? []) out.push(namedMatcher('group', g.text));
  // fromNodes/toNodes: nodes are not endpoints of the model (they match nothing here).
  return out;
}

/** [L4] The connections a rule covers. */
export function ruleConns(r: CiliumPeerRule, universe: ConnSet): ConnSpec {
  if (!hasL4(r)) return { base: universe };
  let ranges = ConnSet.EMPTY;
  const named: NamedPort[] = [];
  for (const pr of r.toPorts ?? []) {
    if (pr.ports.length === 0) {
      for (const proto of PORT_PROTOS) ranges = ranges.union(ConnSet.of(proto, MIN_PORT, MAX_PORT));
      continue;
    }
    for (const pp of pr.ports) {
      const protos = pp.protocol === 'ANY' ? PORT_PROTOS : [pp.protocol];
      if (pp.protocol === 'VRRP' || pp.protocol === 'IGMP') {
        ranges = ranges.union(ConnSet.of(pp.protocol, 0, 0));
        continue;
      }
      if (typeof pp.port === 'string') {
        named.push({ name: pp.port, protocol: pp.protocol === 'ANY' ? undefined : pp.protocol });
        continue;
      }
      const lo = pp.port ?? MIN_PORT;
      const hi = pp.port === undefined ? MAX_PORT : pp.endPort ?? pp.port;
      for (const proto of protos) ranges = ranges.union(ConnSet.of(proto, lo, hi));
    }
  }
  for (const ic of r.icmps ?? []) ranges = ranges.union(ConnSet.of(ic.family === 'IPv6' ? 'ICMPv6' : 'ICMP', ic.type * 256, Math.min(ICMP_MAX, ic.type * 256 + 255)));
  return { base: universe, ports: { ranges, named } };
}

const NOT_MODELLED_ENTITIES = new Set(['host', 'remote-node', 'kube-apiserver', 'ingress', 'init', 'health', 'unmanaged']);

/** The note the explanation shows with a rule (L7, DNS names, unmodelled peers). */
export function ruleNote(r: CiliumPeerRule): string | undefined {
  const notes: string[] = [];
  const l7 = (r.toPorts ?? []).filter((p) => p.l7);
  if (l7.length) notes.push(`L7 ${[...new Set(l7.map((p) => p.l7!.kind.toUpperCase()))].join('/')} rules apply at the proxy; the L3/L4 verdict is shown`);
  if (r.fqdns?.length) notes.push('toFQDNs: DNS names are learnt by the DNS proxy; shown as named destinations');
  if (r.services?.length) notes.push('toServices: shown as named destinations, not resolved to pods');
  if (r.groups?.length) notes.push('toGroups: cloud groups are not modelled');
  if (r.nodes?.length) notes.push('nodes are not modelled');
  const ents = (r.entities ?? []).filter((e) => NOT_MODELLED_ENTITIES.has(e.name)).map((e) => e.name);
  if (ents.length) notes.push(`entit${ents.length === 1 ? 'y' : 'ies'} ${ents.join(', ')} not modelled`);
  if (r.cidrs?.some((c) => !c.cidr)) notes.push('CIDR groups resolved from CiliumCIDRGroup objects in the workspace');
  return notes.length ? notes.join('; ') : undefined;
}

function lowerRule(p: CiliumPolicy, r: CiliumPeerRule, env: CiliumLowerEnv): Rule {
  return { index: r.index, action: r.deny ? 'Deny' : 'Allow', peers: rulePeers(p, r, env), conns: ruleConns(r, env.universe), range: r.range, note: ruleNote(r) };
}

/** How explanations name one rule of a policy (the spec index when the policy has `specs`). */
export function ruleDisplay(p: CiliumPolicy, r: CiliumRule): string {
  if (p.rules.length <= 1) return p.id;
  return `${p.id} (${r.index < 0 ? 'spec' : `specs[${r.index}]`})`;
}

/** [DEFAULT] Directions a rule makes default-deny for the endpoints it selects. */
export function isolatingDirections(r: CiliumRule, nonDefaultDenyPolicies: boolean): ('Ingress' | 'Egress')[] {
  const out: ('Ingress' | 'Egress')[] = [];
  if (r.ingress.length + r.ingressDeny.length > 0 && (!nonDefaultDenyPolicies || r.enableDefaultDeny.ingress !== false)) out.push('Ingress');
  if (r.egress.length + r.egressDeny.length > 0 && (!nonDefaultDenyPolicies || r.enableDefaultDeny.egress !== false)) out.push('Egress');
  return out;
}

export interface LoweredCiliumRule {
  /** Deny rules (for the deny tier), when the rule has any. */
  deny?: Policy;
  /** Allow rules and the default-deny effect (for the allow tier). */
  allow: Policy;
}

const cache = new WeakMap<CiliumPolicy, { key: string; universe: ConnSet; out: LoweredCiliumRule[] }>();

function envKey(env: CiliumLowerEnv): string {
  return `${env.clusterName}|${env.nonDefaultDenyPolicies}|${env.cidrGroups.map((g) => `${g.name}:${JSON.stringify(g.labels)}:${g.cidrs.map((c) => c.text).join(',')}`).join(';')}`;
}

/**
 * Lowers one policy: per rule (`spec` / each of `specs`), a deny-tier policy holding its deny rules and an
 * allow-tier policy holding its allow rules and isolating the directions it makes default-deny. Memoised per
 * parsed object, universe and environment (unchanged policies keep their Policy/Rule objects).
 */
export function lowerCiliumPolicy(p: CiliumPolicy, env: CiliumLowerEnv): LoweredCiliumRule[] {
  const key = envKey(env);
  const hit = cache.get(p);
  if (hit && hit.universe === env.universe && hit.key === key) return hit.out;
  const out: LoweredCiliumRule[] = [];
  for (const r of p.rules) {
    if (!r.endpointSelector) continue; // host policies (nodeSelector) are not modelled
    const display = ruleDisplay(p, r);
    const subject = ciliumSubjectMatcher(p, r, env.clusterName);
    const uid = `${p.kind} ${p.id}${p.rules.length > 1 ? `#${r.index}` : ''}`;
    const base = { dialect: 'cilium' as const, kind: p.kind, name: p.name, namespace: p.namespace, display, range: p.nameRange ?? p.range, subject };
    const dirs: ('Ingress' | 'Egress')[] = [];
    if (r.ingress.length + r.ingressDeny.length) dirs.push('Ingress');
    if (r.egress.length + r.egressDeny.length) dirs.push('Egress');
    const lowered: LoweredCiliumRule = {
      allow: {
        ...base,
        uid: `${uid} allow`,
        directions: dirs,
        isolates: isolatingDirections(r, env.nonDefaultDenyPolicies),
        ingress: r.ingress.map((x) => lowerRule(p, x, env)),
        egress: r.egress.map((x) => lowerRule(p, x, env)),
      },
    };
    if (r.ingressDeny.length + r.egressDeny.length) {
      lowered.deny = {
        ...base,
        uid: `${uid} deny`,
        directions: [...(r.ingressDeny.length ? ['Ingress' as const] : []), ...(r.egressDeny.length ? ['Egress' as const] : [])],
        isolates: [],
        ingress: r.ingressDeny.map((x) => lowerRule(p, x, env)),
        egress: r.egressDeny.map((x) => lowerRule(p, x, env)),
      };
    }
    out.push(lowered);
  }
  cache.set(p, { key, universe: env.universe, out });
  return out;
}

/** Protocols Cilium rules name beyond TCP/UDP/SCTP/ICMP/ICMPv6 (VRRP, IGMP): they join the universe. */
export function ciliumExtraProtocols(input: CiliumInput | undefined): string[] {
  const out = new Set<string>();
  for (const p of input?.policies ?? []) {
    if (p.rejected) continue;
    for (const r of p.rules) for (const pr of [...r.ingress, ...r.ingressDeny, ...r.egress, ...r.egressDeny]) for (const t of pr.toPorts ?? []) for (const pp of t.ports) if (pp.protocol === 'VRRP' || pp.protocol === 'IGMP') out.add(pp.protocol);
  }
  return [...out].sort();
}

export { selectorKey };
