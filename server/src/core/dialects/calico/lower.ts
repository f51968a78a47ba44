// Calico projectcalico.org/v3 -> the policy model (core/policy/ir.ts).
//
// Sources (docs.tigera.io/calico/latest):
// [TIERS]  network-policy/policy-tiers/tiered-policy: "Tiers are ordered... If no policy in the tier applies to
//          the endpoint, the tier is skipped"; Pass "skips to the next tier"; at the end of a tier with policies
//          applying to the endpoint, unmatched traffic gets the tier's defaultAction (Deny unless set to Pass).
// [NP]     reference/resources/networkpolicy: "order: ... policies with lower order are applied first; policies
//          without order are applied last; ties are broken by name"; rule actions Allow, Deny, Log (continue),
//          Pass; `selector`/`namespaceSelector`/`serviceAccounts`/`nets`/`notNets`/`ports`/`notPorts` in entity
//          rules (all present criteria must match); ICMP type/code; protocol / notProtocol.
// [TIER]   reference/resources/tier: default tier order 1,000,000 (applied last among ordered tiers);
//          defaultAction Deny|Pass.
// [K8S]    Kubernetes NetworkPolicies are enforced as policies in the default tier with order 1000
//          (reference/resources/networkpolicy, "Kubernetes network policy").
// [PROF]   a Kubernetes namespace profile allows all traffic; it applies when no tier's policies apply to the
//          endpoint, or traffic passes through the last tier.
// [SEL]    reference/resources/networkpolicy "Selectors": global() matches only non-namespaced resources (so a
//          GlobalNetworkPolicy whose namespaceSelector is global() selects no workload); all() matches everything
//          namespaced.
// Staged policies are never enforced: they are evaluated only in what-if mode (`staged: true`), where each staged
// policy is applied as its enforced counterpart (stagedAction Set) or removes it (Delete).
import type { Labels, Workload } from '../../model';
import { ConnSet, ICMP_MAX, MAX_PORT, MIN_PORT } from '../../ports';
import type { Family } from '../../ip';
import type { AddressAtom, ConnSpec, Direction, Matcher, NamedPort, Policy, Rule, WorldView } from '../../policy/ir';
import { podIpsIn, workloadMatcher } from '../../policy/matchers';
import type { CalicoNetworkSet, CalicoPolicy, CalicoRule, CalicoSelector, CalicoTier, EntityRule, IcmpMatch } from './model';
import { builtinTier, DEFAULT_TIER } from './model';
import { evalSelector } from './selector';

export interface CalicoInput {
  policies: CalicoPolicy[];
  networkSets: CalicoNetworkSet[];
  tiers: CalicoTier[];
}

const PORT_PROTOS = ['TCP', 'UDP', 'SCTP'];

/** Labels a Calico namespace selector sees: the namespace's labels plus projectcalico.org/name. */
export function calicoNamespaceLabels(nsLabels: Labels | undefined, name: string): Labels {
  return { ...(nsLabels ?? {}), 'projectcalico.org/name': name };
}

/** Labels Calico gives a workload endpoint (pod labels plus the projectcalico.org/* ones). */
export function calicoEndpointLabels(w: Workload): Labels {
  const l: Labels = { ...w.labels, 'projectcalico.org/namespace': w.namespace, 'projectcalico.org/orchestrator': 'k8s' };
  if (w.serviceAccount) l['projectcalico.org/serviceaccount'] = w.serviceAccount;
  return l;
}

/** Evaluates a parsed selector field: absent = no constraint; unparsable = matches nothing (the API server rejects it). */
export function calicoSelectorMatches(s: CalicoSelector | undefined, labels: Labels): boolean {
  if (!s) return true;
  if (!s.ast) return false;
  return evalSelector(s.ast, labels);
}

function isGlobalSelector(s: CalicoSelector | undefined): boolean {
  return !!s?.ast && s.ast.type === 'global';
}

/** Does Calico policy `p` apply to workload `w` (any direction)? `nsLabels` are the labels of w's namespace. */
export function calicoPolicyAppliesTo(p: CalicoPolicy, w: Workload, nsLabels: Labels | undefined): boolean {
  if (p.namespaced && p.metadata.namespace !== w.namespace) return false;
  if (!p.namespaced && p.namespaceSelector) {
    // [SEL] global() matches only non-namespaced resources: never a workload endpoint.
    if (isGlobalSelector(p.namespaceSelector)) return false;
    if (!calicoSelectorMatches(p.namespaceSelector, calicoNamespaceLabels(nsLabels, w.namespace))) return false;
  }
  if (p.serviceAccountSelector && !calicoSelectorMatches(p.serviceAccountSelector, { 'projectcalico.org/name': w.serviceAccount ?? 'default' })) return false;
  return calicoSelectorMatches(p.selector, calicoEndpointLabels(w));
}

function selKey(s: CalicoSelector | undefined): string {
  if (!s) return '-';
  return s.ast ? s.canonical ?? s.text : `!invalid:${s.text}`;
}

function subjectMatcher(p: CalicoPolicy): Matcher {
  const ns = p.namespaced ? p.metadata.namespace ?? '' : undefined;
  const key = `calico-subject|${ns ?? '*'}|${p.namespaced ? '' : selKey(p.namespaceSelector)}|${selKey(p.serviceAccountSelector)}|${selKey(p.selector)}`;
  return workloadMatcher(key, (w, world) => calicoPolicyAppliesTo(p, w, world.nsLabels.get(w.namespace)), ns !== undefined ? { namespaces: () => [ns] } : {});
}

/**
 * Entity-rule match for one endpoint (without ports). `policyNs` is the namespace of a namespaced policy.
 * Scope (libcalico-go updateprocessors/rules.go, getEndpointSelector; NetworkPolicy reference "EntityRule"):
 * - with a namespaceSelector, the selector applies in the namespaces it selects; `global()` selects only
 *   non-namespaced resources (GlobalNetworkSets) and `all()` only namespaced ones;
 * - in a namespaced policy, as soon as selector, notSelector, namespaceSelector or serviceAccounts is present,
 *   the match is limited to the policy's own namespace (unless a namespaceSelector says otherwise);
 * - in a global policy, a selector without namespaceSelector applies everywhere.
 */
function entityMatcher(ent: EntityRule, policyNs: string | undefined, ipVersion: 4 | 6 | undefined): Matcher {
  const positive = !!(ent.selector || ent.namespaceSelector || ent.serviceAccounts || (policyNs !== undefined && ent.notSelector));
  const nsOf = (world: WorldView, ns: string) => calicoNamespaceLabels(world.nsLabels.get(ns), ns);
  const inScope = (world: WorldView | undefined, namespaced: boolean, ns: string | undefined): boolean => {
    if (ent.namespaceSelector) {
      if (isGlobalSelector(ent.namespaceSelector)) return !namespaced;
      return namespaced && calicoSelectorMatches(ent.namespaceSelector, world ? nsOf(world, ns ?? '') : calicoNamespaceLabels(undefined, ns ?? ''));
    }
    if (policyNs !== undefined && positive) return namespaced && ns === policyNs;
    return true;
  };
  const inNets = (nets: EntityRule['nets'], a: { family: Family; lo: bigint; hi: bigint }) => !!nets && nets.some((n) => n.cidr.family === a.family && n.cidr.lo <= a.lo && a.hi <= n.cidr.hi);
  const wl = (w: Workload, world: WorldView): boolean => {
    // nets / notNets match a workload endpoint by its pod IPs (all of them inside; a workload without IPs in the
    // manifests is never inside nets and never excluded by notNets, as network-config-analyzer reads Calico).
    if (ent.nets && ent.nets.length && podIpsIn(w, (a) => inNets(ent.nets, a) && (!ipVersion || a.family === ipVersion)) !== 'all') return false;
    if (ent.notNets && ent.notNets.length) {
      const where = podIpsIn(w, (a) => inNets(ent.notNets, a));
      if (where === 'all' || where === 'split') return false;
    }
    if (positive && !inScope(world, true, w.namespace)) return false;
    const labels = calicoEndpointLabels(w);
    if (ent.selector && !calicoSelectorMatches(ent.selector, labels)) return false;
    if (ent.notSelector && calicoSelectorMatches(ent.notSelector, labels)) return false;
    if (ent.serviceAccounts) {
      const sa = w.serviceAccount ?? 'default';
      if (ent.serviceAccounts.names && ent.serviceAccounts.names.length && !ent.serviceAccounts.names.includes(sa)) return false;
      if (ent.serviceAccounts.selector && !calicoSelectorMatches(ent.serviceAccounts.selector, { 'projectcalico.org/name': sa })) return false;
    }
    return true;
  };
  const atom = (a: AddressAtom): boolean => {
    if (ipVersion && a.family !== ipVersion) return false;
    if (ent.nets && ent.nets.length && !inNets(ent.nets, a)) return false;
    if (ent.notNets && inNets(ent.notNets, a)) return false;
    if (ent.serviceAccounts) return false; // addresses have no service account
    if (positive) {
      // Selectors match external addresses only through network sets in scope with matching labels.
      const ok = a.sets.some((s) => inScope(undefined, s.namespace !== undefined, s.namespace) && calicoSelectorMatches(ent.selector, s.labels));
      if (!ok) return false;
    }
    if (ent.notSelector && a.sets.some((s) => calicoSelectorMatches(ent.notSelector, s.labels))) return false;
    return true;
  };
  // A DNS name of unknown address: only an entity without selectors whose nets (if any) cover a whole family.
  const domain = (): boolean => {
    if (positive || ent.serviceAccounts || (ent.notNets && ent.notNets.length)) return false;
    if (!ent.nets || ent.nets.length === 0) return true;
    return ent.nets.some((n) => n.cidr.prefix === 0);
  };
  const key = [
    'calico-entity',
    policyNs ?? '*',
    ipVersion ?? '',
    selKey(ent.selector),
    selKey(ent.notSelector),
    selKey(ent.namespaceSelector),
    ent.serviceAccounts ? `${[...(ent.serviceAccounts.names ?? [])].sort().join(',')}/${selKey(ent.serviceAccounts.selector)}` : '-',
    (ent.nets ?? []).map((n) => n.text).sort().join(','),
    (ent.notNets ?? []).map((n) => n.text).sort().join(','),
  ].join('|');
  const scopedNs = positive && policyNs !== undefined && !ent.namespaceSelector ? policyNs : undefined;
  return workloadMatcher(key, wl, {
    namespaces: scopedNs !== undefined ? () => [scopedNs] : undefined,
    atom,
    domain,
    boundaries: () => [...(ent.nets ?? []), ...(ent.notNets ?? [])].map((n) => ({ family: n.cidr.family, lo: n.cidr.lo, hi: n.cidr.hi })),
  });
}

function protoKey(p: { name?: string; number: number }): string {
  return p.name ?? String(p.number);
}

function protocolSet(key: string): ConnSet {
  if (PORT_PROTOS.includes(key)) return ConnSet.of(key, MIN_PORT, MAX_PORT);
  if (key === 'ICMP' || key === 'ICMPv6') return ConnSet.of(key, 0, ICMP_MAX);
  return ConnSet.of(key, 0, 0);
}

/** ICMP values a match selects (type*256+code), for both ICMP and ICMPv6. */
function icmpMatched(m: IcmpMatch): ConnSet {
  const lo = m.type === undefined ? 0 : m.type * 256 + (m.code ?? 0);
  const hi = m.type === undefined ? ICMP_MAX : m.code === undefined ? m.type * 256 + 255 : lo;
  return ConnSet.of('ICMP', lo, hi).union(ConnSet.of('ICMPv6', lo, hi));
}

const ALL_ICMP = ConnSet.of('ICMP', 0, ICMP_MAX).union(ConnSet.of('ICMPv6', 0, ICMP_MAX));

function portList(ports: EntityRule['ports']): { ranges: ConnSet; named: NamedPort[] } {
  let ranges = ConnSet.EMPTY;
  const named: NamedPort[] = [];
  for (const p of ports ?? []) {
    if (p.kind === 'range') for (const proto of PORT_PROTOS) ranges = ranges.union(ConnSet.of(proto, p.min, p.max));
    else named.push({ name: p.name });
  }
  return { ranges, named };
}

/** The connections a Calico rule covers: protocol, notProtocol, icmp, notICMP, destination ports and notPorts. */
function ruleConns(r: CalicoRule, universe: ConnSet): ConnSpec {
  let c = universe;
  if (r.protocol) c = c.intersect(protocolSet(protoKey(r.protocol)));
  if (r.notProtocol) c = c.subtract(protocolSet(protoKey(r.notProtocol)));
  if (r.icmp) c = c.subtract(ALL_ICMP.subtract(icmpMatched(r.icmp)));
  if (r.notICMP) c = c.subtract(icmpMatched(r.notICMP));
  // Source ports are ephemeral and unknown offline: a source port match is treated as matching.
  const spec: ConnSpec = { base: c };
  if (r.destination.ports && r.destination.ports.length) spec.ports = portList(r.destination.ports);
  if (r.destination.notPorts && r.destination.notPorts.length) spec.notPorts = portList(r.destination.notPorts);
  return spec;
}

function lowerRule(r: CalicoRule, p: CalicoPolicy, direction: Direction, universe: ConnSet): Rule {
  const ns = p.namespaced ? p.metadata.namespace : undefined;
  const peer = entityMatcher(direction === 'Ingress' ? r.source : r.destination, ns, r.ipVersion);
  const self = entityMatcher(direction === 'Ingress' ? r.destination : r.source, ns, undefined);
  return {
    index: r.index,
    action: r.action,
    peers: [peer],
    self: self.key === entityMatcher({}, ns, undefined).key ? undefined : self,
    conns: ruleConns(r, universe),
    range: r.range,
    note: r.hasHttpMatch ? 'its HTTP match applies at the application layer and is not evaluated here' : undefined,
  };
}

const cache = new WeakMap<CalicoPolicy, { universe: ConnSet; policy: Policy }>();

/** Lowers one Calico policy (memoised per parsed object and universe). */
export function lowerCalicoPolicy(p: CalicoPolicy, universe: ConnSet): Policy {
  const hit = cache.get(p);
  if (hit && hit.universe === universe) return hit.policy;
  const policy: Policy = {
    uid: `${p.kind} ${p.id}`,
    dialect: 'calico',
    kind: p.kind,
    name: p.metadata.name,
    namespace: p.namespaced ? p.metadata.namespace : undefined,
    display: p.id,
    priority: p.order,
    range: p.metadata.nameRange ?? p.range,
    subject: subjectMatcher(p),
    directions: [...p.types],
    isolates: [...p.types],
    ingress: p.types.includes('Ingress') ? p.ingress.map((r) => lowerRule(r, p, 'Ingress', universe)) : [],
    egress: p.types.includes('Egress') ? p.egress.map((r) => lowerRule(r, p, 'Egress', universe)) : [],
  };
  cache.set(p, { universe, policy });
  return policy;
}

/** The protocols Calico rules name beyond TCP/UDP/SCTP/ICMP/ICMPv6 (they join the universe as whole protocols). */
export function calicoExtraProtocols(input: CalicoInput): string[] {
  const out = new Set<string>();
  for (const pol of input.policies) {
    for (const r of [...pol.ingress, ...pol.egress]) {
      for (const p of [r.protocol, r.notProtocol]) {
        if (!p) continue;
        const k = protoKey(p);
        if (!PORT_PROTOS.includes(k) && k !== 'ICMP' && k !== 'ICMPv6') out.add(k);
      }
    }
  }
  return [...out].sort();
}

/**
 * The enforced Calico policies: staged kinds never enforce; in what-if mode each staged policy is applied as its
 * enforced counterpart (stagedAction Set, the default) or deletes it (Delete).
 */
export function enforcedCalicoPolicies(input: CalicoInput, staged: boolean): CalicoPolicy[] {
  const enforced = new Map<string, CalicoPolicy>();
  const key = (p: CalicoPolicy) => `${p.namespaced ? 'ns' : 'global'}:${p.metadata.namespace ?? ''}/${p.metadata.name}`;
  for (const p of input.policies) if (!p.staged) enforced.set(key(p), p);
  if (staged) {
    for (const p of input.policies) {
      if (!p.staged) continue;
      if (p.stagedAction === 'Delete') enforced.delete(key(p));
      else if (!p.stagedAction || p.stagedAction === 'Set') enforced.set(key(p), p);
    }
  }
  return [...enforced.values()];
}

/**
 * Calico's sort key inside a tier: order (missing = after every ordered policy), then "name/namespace/kind"
 * (felix/calc/policy_sorter.go); staged kinds sort as their enforced kind.
 */
export function calicoSortKey(p: CalicoPolicy): { order: number; name: string } {
  const kind = p.kind.startsWith('Staged') ? p.kind.slice('Staged'.length) : p.kind;
  return { order: p.order ?? Infinity, name: `${p.metadata.name}/${p.metadata.namespace ?? ''}/${kind}` };
}

/** Tier order and default action, from the Tier object, the built-in tiers, or (missing tier) last with Deny. */
export function calicoTierInfo(input: CalicoInput, name: string): { order: number; defaultAction: 'Deny' | 'Pass'; missing: boolean; tier?: CalicoTier } {
  const t = input.tiers.find((x) => x.metadata.name === name);
  if (t) return { order: t.order ?? Infinity, defaultAction: t.defaultAction, missing: false, tier: t };
  const b = builtinTier(name);
  // A policy in a tier that has no Tier object (and is not built in): the API server would reject it;
  // evaluate it with Deny, after every existing tier (felix TierLess).
  return { order: b?.order ?? Infinity, defaultAction: b?.defaultAction ?? 'Deny', missing: !b };
}

export { DEFAULT_TIER };
