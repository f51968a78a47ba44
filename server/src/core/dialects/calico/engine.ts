// Calico policy evaluation: tiers, order, Allow/Deny/Log/Pass, end-of-tier default action, profiles.
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
// [PROF]   network-policy/... "profiles": a Kubernetes namespace profile allows all traffic; it applies when no
//          tier's policies apply to the endpoint, or traffic passes through the last tier.
// Staged policies are never enforced: they are evaluated only in what-if mode (`staged: true`).
import type { Labels, Workload } from '../../model';
import type { CalicoNetworkSet, CalicoPolicy, CalicoRule, CalicoSelector, CalicoTier, EntityRule, IcmpMatch } from './model';
import { builtinTier, DEFAULT_TIER, K8S_NETWORK_POLICY_ORDER } from './model';
import { evalSelector } from './selector';
import { ConnSet, ICMP_MAX, MAX_PORT, MIN_PORT } from '../../ports';
import type { Family } from '../../ip';
import type { ProtocolPorts } from '../../reach-types';

/** Connections in Calico mode: ports for TCP/UDP/SCTP; ICMP/ICMPv6 as type*256+code; other protocols as [0,0]. */
export { ICMP_MAX };

export interface CalicoInput {
  policies: CalicoPolicy[];
  networkSets: CalicoNetworkSet[];
  tiers: CalicoTier[];
}

/** An endpoint of the evaluation: a workload, or an external address interval (possibly inside network sets). */
export type CalicoEndpoint =
  | { type: 'workload'; w: Workload; labels: Labels; nsLabels: Labels }
  | { type: 'external'; family: Family; lo: bigint; hi: bigint; sets: CalicoNetworkSet[] };

/** A Kubernetes NetworkPolicy as seen by the Calico evaluator (the default tier at order 1000). */
export interface K8sPolicyView {
  id: string;
  name: string;
  namespace: string;
  selects(w: Workload, direction: 'Ingress' | 'Egress'): boolean;
  /** What each rule of the direction allows towards the peer, in rule order. */
  ruleConns(direction: 'Ingress' | 'Egress', self: Workload, peer: CalicoEndpoint, universe: ConnSet): { index: number; conns: ConnSet; range?: import('../../model').SourceRange }[];
  range?: import('../../model').SourceRange;
}

export interface TraceStep {
  tier: string;
  policy?: string;
  ruleIndex?: number;
  action: 'Allow' | 'Deny' | 'Pass' | 'Log' | 'EndOfTier' | 'Profile';
  conns: ProtocolPorts;
  range?: import('../../model').SourceRange;
}

export interface DirectionResult {
  allowed: ConnSet;
  /** True when at least one tier had a policy selecting the endpoint. */
  isolated: boolean;
  policies: { id: string; range?: import('../../model').SourceRange }[];
  trace: TraceStep[];
}

interface PolicyEntry {
  tier: string;
  order: number;
  name: string;
  id: string;
  calico?: CalicoPolicy;
  k8s?: K8sPolicyView;
}

interface TierInfo {
  name: string;
  order: number;
  defaultAction: 'Deny' | 'Pass';
  /** No Tier object and not a built-in tier. */
  missing: boolean;
}

const PORT_PROTOS = ['TCP', 'UDP', 'SCTP'];

/** Labels a Calico namespace selector sees: the namespace's labels plus projectcalico.org/name. */
export function calicoNamespaceLabels(nsLabels: Labels | undefined, name: string): Labels {
  return { ...(nsLabels ?? {}), 'projectcalico.org/name': name };
}

/** Evaluates a parsed selector field: absent = no constraint; unparsable = matches nothing (the API server rejects it). */
export function calicoSelectorMatches(s: CalicoSelector | undefined, labels: Labels): boolean {
  if (!s) return true;
  if (!s.ast) return false;
  return evalSelector(s.ast, labels);
}

/** Does Calico policy `p` apply to workload `w` (any direction)? `nsLabels` are the labels of w's namespace. */
export function calicoPolicyAppliesTo(p: CalicoPolicy, w: Workload, nsLabels: Labels | undefined): boolean {
  if (p.namespaced && p.metadata.namespace !== w.namespace) return false;
  if (!p.namespaced && p.namespaceSelector && !calicoSelectorMatches(p.namespaceSelector, calicoNamespaceLabels(nsLabels, w.namespace))) return false;
  if (p.serviceAccountSelector && !calicoSelectorMatches(p.serviceAccountSelector, { 'projectcalico.org/name': w.serviceAccount ?? 'default' })) return false;
  return calicoSelectorMatches(p.selector, CalicoEvaluator.endpointLabels(w));
}

function protoKey(p: { name?: string; number: number }): string {
  return p.name ?? String(p.number);
}

export class CalicoEvaluator {
  readonly universe: ConnSet;
  private readonly entries: PolicyEntry[];
  private readonly tiers: TierInfo[];

  constructor(
    private readonly input: CalicoInput,
    k8s: K8sPolicyView[],
    private readonly nsLabels: Map<string, Labels>,
    readonly opts: { staged?: boolean } = {},
  ) {
    // Universe: every port of TCP/UDP/SCTP, all ICMP types/codes, plus each other protocol the rules name.
    let u = ConnSet.EMPTY;
    for (const p of PORT_PROTOS) u = u.union(ConnSet.of(p, MIN_PORT, MAX_PORT));
    u = u.union(ConnSet.of('ICMP', 0, ICMP_MAX)).union(ConnSet.of('ICMPv6', 0, ICMP_MAX));
    for (const pol of input.policies) {
      for (const r of [...pol.ingress, ...pol.egress]) {
        for (const p of [r.protocol, r.notProtocol]) {
          if (p && !PORT_PROTOS.includes(protoKey(p)) && protoKey(p) !== 'ICMP' && protoKey(p) !== 'ICMPv6') u = u.union(ConnSet.of(protoKey(p), 0, 0));
        }
      }
    }
    this.universe = u;

    // Enforced policies; in what-if mode staged Set/Delete actions are applied on top.
    const enforced = new Map<string, CalicoPolicy>();
    const key = (p: CalicoPolicy) => `${p.namespaced ? 'ns' : 'global'}:${p.metadata.namespace ?? ''}/${p.metadata.name}`;
    for (const p of input.policies) if (!p.staged) enforced.set(key(p), p);
    if (opts.staged) {
      for (const p of input.policies) {
        if (!p.staged) continue;
        if (p.stagedAction === 'Delete') enforced.delete(key(p));
        else if (!p.stagedAction || p.stagedAction === 'Set') enforced.set(key(p), p);
      }
    }
    // Ties in order are broken by the key "name/namespace/kind" (felix/calc/policy_sorter.go); Kubernetes
    // policies are keyed by their plain name and kind KubernetesNetworkPolicy.
    const kindKey = (p: CalicoPolicy) => (p.kind.startsWith('Staged') ? p.kind.slice('Staged'.length) : p.kind);
    this.entries = [...enforced.values()].map((p) => ({ tier: p.tier, order: p.order ?? Infinity, name: `${p.metadata.name}/${p.metadata.namespace ?? ''}/${kindKey(p)}`, id: p.id, calico: p }));
    for (const v of k8s) this.entries.push({ tier: DEFAULT_TIER, order: K8S_NETWORK_POLICY_ORDER, name: `${v.name}/${v.namespace}/KubernetesNetworkPolicy`, id: v.id, k8s: v });
    this.entries.sort((a, b) => a.order - b.order || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

    const tiers = new Map<string, TierInfo>();
    for (const t of input.tiers) tiers.set(t.metadata.name, { name: t.metadata.name, order: t.order ?? Infinity, defaultAction: t.defaultAction, missing: false });
    for (const e of this.entries) {
      if (tiers.has(e.tier)) continue;
      const b = builtinTier(e.tier);
      // A policy in a tier that has no Tier object (and is not built in): the API server would reject it;
      // evaluate it with Deny, after every existing tier (felix TierLess).
      tiers.set(e.tier, { name: e.tier, order: b?.order ?? Infinity, defaultAction: b?.defaultAction ?? 'Deny', missing: !b });
    }
    this.tiers = [...tiers.values()].sort((a, b) => Number(a.missing) - Number(b.missing) || a.order - b.order || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Labels Calico gives a workload endpoint (pod labels plus the projectcalico.org/* ones). */
  static endpointLabels(w: Workload): Labels {
    const l: Labels = { ...w.labels, 'projectcalico.org/namespace': w.namespace, 'projectcalico.org/orchestrator': 'k8s' };
    if (w.serviceAccount) l['projectcalico.org/serviceaccount'] = w.serviceAccount;
    return l;
  }

  private nsLabelsOf(ns: string): Labels {
    return calicoNamespaceLabels(this.nsLabels.get(ns), ns);
  }

  private sel(s: CalicoSelector | undefined, labels: Labels): boolean {
    return calicoSelectorMatches(s, labels);
  }

  /** Does policy `p` apply to workload endpoint `w` for `direction`? */
  private selects(e: PolicyEntry, w: Workload, direction: 'Ingress' | 'Egress'): boolean {
    if (e.k8s) return e.k8s.selects(w, direction);
    const p = e.calico!;
    return p.types.includes(direction) && calicoPolicyAppliesTo(p, w, this.nsLabels.get(w.namespace));
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
  entityMatches(ent: EntityRule, ep: CalicoEndpoint, policyNs: string | undefined): boolean {
    const positive = !!(ent.selector || ent.namespaceSelector || ent.serviceAccounts || (policyNs !== undefined && ent.notSelector));
    const inScope = (namespaced: boolean, ns: string | undefined): boolean => {
      if (ent.namespaceSelector) {
        if (isGlobalSelector(ent.namespaceSelector)) return !namespaced;
        return namespaced && this.sel(ent.namespaceSelector, this.nsLabelsOf(ns ?? ''));
      }
      if (policyNs !== undefined && positive) return namespaced && ns === policyNs;
      return true;
    };
    if (ep.type === 'workload') {
      if (ent.nets && ent.nets.length) return false; // pods have no addresses in manifests
      if (positive && !inScope(true, ep.w.namespace)) return false;
      if (ent.selector && !this.sel(ent.selector, ep.labels)) return false;
      if (ent.notSelector && this.sel(ent.notSelector, ep.labels)) return false;
      if (ent.serviceAccounts) {
        const sa = ep.w.serviceAccount ?? 'default';
        if (ent.serviceAccounts.names && ent.serviceAccounts.names.length && !ent.serviceAccounts.names.includes(sa)) return false;
        if (ent.serviceAccounts.selector && !this.sel(ent.serviceAccounts.selector, { 'projectcalico.org/name': sa })) return false;
      }
      return true;
    }
    // external address interval
    if (ent.nets && ent.nets.length && !ent.nets.some((n) => n.cidr.family === ep.family && n.cidr.lo <= ep.lo && ep.hi <= n.cidr.hi)) return false;
    if (ent.notNets && ent.notNets.some((n) => n.cidr.family === ep.family && n.cidr.lo <= ep.lo && ep.hi <= n.cidr.hi)) return false;
    if (ent.serviceAccounts) return false; // addresses have no service account
    if (positive) {
      // Selectors match external addresses only through network sets in scope with matching labels.
      const ok = ep.sets.some((s) => inScope(s.namespaced, s.metadata.namespace) && this.sel(ent.selector, s.metadata.labels));
      if (!ok) return false;
    }
    if (ent.notSelector && ep.sets.some((s) => this.sel(ent.notSelector, s.metadata.labels))) return false;
    return true;
  }

  /** Connections a Calico rule matches between `self` (the policy's endpoint) and `peer`. */
  private ruleConns(r: CalicoRule, policy: CalicoPolicy, direction: 'Ingress' | 'Egress', self: CalicoEndpoint, peer: CalicoEndpoint): ConnSet {
    const src = direction === 'Ingress' ? peer : self;
    const dst = direction === 'Ingress' ? self : peer;
    const ns = policy.namespaced ? policy.metadata.namespace : undefined;
    if (r.ipVersion && ((src.type === 'external' && src.family !== r.ipVersion) || (dst.type === 'external' && dst.family !== r.ipVersion))) return ConnSet.EMPTY;
    if (!this.entityMatches(r.source, src, ns) || !this.entityMatches(r.destination, dst, ns)) return ConnSet.EMPTY;
    let c = this.universe;
    if (r.protocol) c = c.intersect(this.protocolSet(protoKey(r.protocol)));
    if (r.notProtocol) c = c.subtract(this.protocolSet(protoKey(r.notProtocol)));
    if (r.icmp) c = c.subtract(this.icmpSet(r.icmp, true));
    if (r.notICMP) c = c.subtract(this.icmpSet(r.notICMP, false));
    if (r.destination.ports && r.destination.ports.length) c = c.intersect(this.portSet(r.destination.ports, dst));
    if (r.destination.notPorts && r.destination.notPorts.length) c = c.subtract(this.portSet(r.destination.notPorts, dst));
    // Source ports are ephemeral and unknown offline: a source port match is treated as matching.
    return c;
  }

  private protocolSet(key: string): ConnSet {
    if (PORT_PROTOS.includes(key)) return ConnSet.of(key, MIN_PORT, MAX_PORT);
    if (key === 'ICMP' || key === 'ICMPv6') return ConnSet.of(key, 0, ICMP_MAX);
    return ConnSet.of(key, 0, 0);
  }

  /** `keep`: the ICMP values the match removes when used as `icmp` (everything but the matched type/code). */
  private icmpSet(m: IcmpMatch, keep: boolean): ConnSet {
    const lo = m.type === undefined ? 0 : m.type * 256 + (m.code ?? 0);
    const hi = m.type === undefined ? ICMP_MAX : m.code === undefined ? m.type * 256 + 255 : lo;
    let matched = ConnSet.EMPTY;
    for (const p of ['ICMP', 'ICMPv6']) matched = matched.union(ConnSet.of(p, lo, hi));
    if (!keep) return matched; // notICMP removes the matched type/code
    // icmp restricts ICMP traffic to the matched type/code: remove the rest of ICMP
    return ConnSet.of('ICMP', 0, ICMP_MAX).union(ConnSet.of('ICMPv6', 0, ICMP_MAX)).subtract(matched);
  }

  /** Ports of an entity: numbers and ranges for every port protocol; named ports resolve on the endpoint. */
  private portSet(ports: EntityRule['ports'] & object, ep: CalicoEndpoint): ConnSet {
    let acc = ConnSet.EMPTY;
    for (const p of ports) {
      if (p.kind === 'range') {
        for (const proto of PORT_PROTOS) acc = acc.union(ConnSet.of(proto, p.min, p.max));
      } else if (ep.type === 'workload') {
        for (const cp of ep.w.ports) if (cp.name === p.name) acc = acc.union(ConnSet.of(cp.protocol, cp.containerPort, cp.containerPort));
      }
    }
    return acc;
  }

  /** Evaluates one direction for `self` (a workload) against `peer`. */
  evaluate(direction: 'Ingress' | 'Egress', self: Extract<CalicoEndpoint, { type: 'workload' }>, peer: CalicoEndpoint): DirectionResult {
    let remaining = this.universe;
    let allowed = ConnSet.EMPTY;
    const trace: TraceStep[] = [];
    const policies: { id: string; range?: import('../../model').SourceRange }[] = [];
    let isolated = false;
    for (const tier of this.tiers) {
      const applying = this.entries.filter((e) => e.tier === tier.name && this.selects(e, self.w, direction));
      if (applying.length === 0) continue; // [TIERS] a tier with no policy for the endpoint is skipped
      isolated = true;
      let passed = ConnSet.EMPTY;
      for (const e of applying) {
        policies.push({ id: e.id, range: e.calico?.metadata.nameRange ?? e.k8s?.range });
        const rules: { index: number; action: CalicoRule['action']; conns: ConnSet; range?: import('../../model').SourceRange }[] = e.k8s
          ? e.k8s.ruleConns(direction, self.w, peer, this.universe).map((x) => ({ ...x, action: 'Allow' as const }))
          : (direction === 'Ingress' ? e.calico!.ingress : e.calico!.egress).map((r) => ({ index: r.index, action: r.action, conns: this.ruleConns(r, e.calico!, direction, self, peer), range: r.range }));
        for (const r of rules) {
          if (remaining.isEmpty()) break;
          const hit = r.conns.intersect(remaining);
          if (hit.isEmpty()) continue;
          trace.push({ tier: tier.name, policy: e.id, ruleIndex: r.index, action: r.action, conns: hit.toJSON(), range: r.range });
          if (r.action === 'Log') continue; // Log records and continues
          remaining = remaining.subtract(hit);
          if (r.action === 'Allow') allowed = allowed.union(hit);
          else if (r.action === 'Pass') passed = passed.union(hit);
        }
      }
      if (!remaining.isEmpty()) {
        trace.push({ tier: tier.name, action: 'EndOfTier', conns: remaining.toJSON() });
        if (tier.defaultAction === 'Pass') passed = passed.union(remaining);
      }
      remaining = passed;
      if (remaining.isEmpty()) break;
    }
    if (!remaining.isEmpty()) {
      // [PROF] the namespace profile allows what no tier decided
      trace.push({ tier: '(profile)', action: 'Profile', conns: remaining.toJSON() });
      allowed = allowed.union(remaining);
    }
    return { allowed, isolated, policies, trace };
  }

  /** All address boundaries Calico resources introduce (nets, notNets, network sets). */
  addressBoundaries(): { family: Family; lo: bigint; hi: bigint }[] {
    const out: { family: Family; lo: bigint; hi: bigint }[] = [];
    for (const s of this.input.networkSets) for (const n of s.nets) out.push(n.cidr);
    for (const p of this.input.policies) {
      for (const r of [...p.ingress, ...p.egress]) {
        for (const ent of [r.source, r.destination]) for (const n of [...(ent.nets ?? []), ...(ent.notNets ?? [])]) out.push(n.cidr);
      }
    }
    return out;
  }

  /** Network sets containing an address interval. */
  setsContaining(family: Family, lo: bigint, hi: bigint): CalicoNetworkSet[] {
    return this.input.networkSets.filter((s) => s.nets.some((n) => n.cidr.family === family && n.cidr.lo <= lo && hi <= n.cidr.hi));
  }
}

function isGlobalSelector(s: CalicoSelector): boolean {
  return !!s.ast && s.ast.type === 'global';
}
