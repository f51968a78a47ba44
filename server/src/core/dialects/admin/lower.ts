// ClusterNetworkPolicy (v1alpha2) and AdminNetworkPolicy / BaselineAdminNetworkPolicy (v1alpha1) -> the policy
// model (core/policy/ir.ts).
//
// Semantics (kubernetes-sigs/network-policy-api: [T] apis/v1alpha2/clusternetworkpolicy_types.go, [T1]
// apis/v1alpha1/*.go, [O] site-src/api-overview.md):
// [TIERS]   Admin tier -> NetworkPolicy tier -> Baseline tier -> default allow. Inside a tier, policies by
//           ascending priority; inside a policy, rules in written order; the first rule that matches decides.
// [ACTION]  Accept (v1alpha1: Allow) accepts for this direction: no later CNP or NetworkPolicy rule of that
//           direction is consulted (an egress Accept does not bypass the destination's ingress rules). Deny drops.
//           Pass skips the rest of the current tier (Admin Pass -> NetworkPolicy, then Baseline; Baseline Pass ->
//           the default allow).
// [ISO]     No implicit isolation: a CNP selecting a pod isolates nothing; what no rule decides goes on to the next
//           tier (the tier's end action is Pass).
// [SUBJECT] subject.namespaces: every pod of the selected namespaces; subject.pods: pods matching podSelector in
//           namespaces matching namespaceSelector.
// [PEERS]   namespaces | pods as for the subject; networks: CIDRs, which also match pod-to-pod traffic ("0.0.0.0/0
//           ... will allow or deny all IPv4 pod-to-pod traffic as well"): a workload matches when every pod IP of it
//           (Pod status.podIP/podIPs) is inside; nodes: the addresses of the selected Node objects; domainNames:
//           named external destinations (`*.` matches one or more whole labels).
// [PORTS]   protocols/ports absent = every port and protocol; tcp/udp/sctp destinationPort number or range; a named
//           port resolves on the destination pod's container ports.
// [FAIL]    "If an implementation sees no fields are set ... it should fail closed": an Accept/Allow rule with such a
//           peer matches nothing, a Deny or Pass rule becomes "deny all".
// [CALICO]  With Calico resources present, evaluated as Calico 3.32 does (libcalico-go conversion of
//           ClusterNetworkPolicy to a GlobalNetworkPolicy): Admin in tier kube-admin, Baseline in kube-baseline, order
//           = priority, Accept = Allow, policy types only for directions with rules; nodes and domainNames peers are
//           not supported there, so their rules fail closed.
import type { ConnSet } from '../../ports';
import { ConnSet as CS, MAX_PORT, MIN_PORT } from '../../ports';
import type { ConnSpec, Dialect, Direction, Matcher, NamedPort, Policy, Rule, RuleAction } from '../../policy/ir';
import { addressMatcher, domainMatcher, NOTHING, type AddressBlock } from '../../policy/matchers';
import { selectorMatches } from '../../selectors';
import { podsInNamespacesMatcher } from '../kubernetes/lower';
import type { ClusterNode, ClusterPeer, ClusterPolicy, ClusterRule } from './model';

export interface ClusterLowerEnv {
  universe: ConnSet;
  /** Calico resources are present: evaluate as Calico 3.32 does [CALICO]. */
  calico: boolean;
  /** Node objects of the world (for `nodes` peers). */
  nodes: ClusterNode[];
  /** A key of `nodes` (labels and addresses), part of the memo key. */
  nodesKey: string;
}

export function nodesKeyOf(nodes: ClusterNode[]): string {
  return nodes.map((n) => `${n.name}{${Object.entries(n.labels).sort().map(([k, v]) => `${k}=${v}`).join(',')}}${n.addresses.map((a) => a.text).join(',')}`).join(';');
}

const DIALECT: Record<ClusterPolicy['kind'], Dialect> = { ClusterNetworkPolicy: 'cnp', AdminNetworkPolicy: 'anp', BaselineAdminNetworkPolicy: 'banp' };

function ruleAction(r: ClusterRule): RuleAction | undefined {
  if (r.action === 'Accept' || r.action === 'Allow') return 'Allow';
  return r.action;
}

/** Why a peer cannot be evaluated (the rule then fails closed), or undefined. */
export function peerFailure(peer: ClusterPeer, calico: boolean): string | undefined {
  if (!peer.kind) return peer.unknownFields.length ? `unknown peer field ${peer.unknownFields.map((f) => `"${f}"`).join(', ')}` : 'a peer with no field';
  if (peer.networks && peer.networks.some((n) => !n.cidr)) return 'an invalid CIDR';
  if (calico && (peer.nodes || peer.domainNames)) return `Calico 3.32 does not support ${peer.nodes ? 'nodes' : 'domainNames'} peers`;
  return undefined;
}

function peerMatchers(peer: ClusterPeer, env: ClusterLowerEnv): Matcher[] {
  const out: Matcher[] = [];
  if (peer.kind === 'namespaces' || peer.kind === 'pods') {
    out.push(podsInNamespacesMatcher(peer.namespaceSelector ?? { matchLabels: {}, matchExpressions: [] }, peer.kind === 'pods' ? peer.podSelector : undefined));
  }
  if (peer.networks) {
    const blocks: AddressBlock[] = peer.networks.filter((n) => n.cidr).map((n) => ({ family: n.cidr!.family, lo: n.cidr!.lo, hi: n.cidr!.hi, except: [] }));
    out.push(blocks.length ? addressMatcher(blocks, 'cnp-net', { pods: true }) : NOTHING);
  }
  if (peer.nodes) {
    const sel = peer.nodes;
    const blocks: AddressBlock[] = env.nodes.filter((n) => selectorMatches(sel, n.labels)).flatMap((n) => n.addresses.map((a) => ({ family: a.family, lo: a.value, hi: a.value, except: [] })));
    out.push(blocks.length ? addressMatcher(blocks, 'cnp-nodes') : NOTHING);
  }
  if (peer.domainNames) out.push(peer.domainNames.length ? domainMatcher(peer.domainNames.map((d) => d.text), 'cnp-dns') : NOTHING);
  return out;
}

/** The connections of a rule's protocols/ports (undefined = the whole universe). */
export function clusterRuleConns(r: ClusterRule, universe: ConnSet): ConnSpec {
  if (!r.ports) return { base: universe };
  let ranges = CS.EMPTY;
  const named: NamedPort[] = [];
  for (const p of r.ports) {
    if (p.name !== undefined) named.push({ name: p.name });
    else if (p.protocol) ranges = ranges.union(CS.of(p.protocol, p.start ?? MIN_PORT, p.end ?? MAX_PORT));
  }
  return { base: universe, ports: { ranges, named } };
}

function lowerRule(r: ClusterRule, env: ClusterLowerEnv): Rule | undefined {
  const action = ruleAction(r);
  if (!action) return undefined; // no valid action: the API server rejects the object; the rule is ignored
  const failures = r.peers.map((p) => peerFailure(p, env.calico)).filter((x): x is string => !!x);
  const base = { index: r.index, name: r.name, range: r.range };
  if (failures.length) {
    const why = [...new Set(failures)].join('; ');
    // [FAIL] Calico's conversion drops an Accept rule and replaces a Deny/Pass rule by a bare "deny all" rule.
    if (action === 'Allow') return { ...base, action, peers: [], conns: { base: env.universe }, note: `fails closed (${why}): it matches nothing` };
    return { ...base, action: 'Deny', conns: { base: env.universe }, note: `fails closed (${why}): it denies all traffic` };
  }
  return { ...base, action, peers: r.peers.flatMap((p) => peerMatchers(p, env)), conns: clusterRuleConns(r, env.universe) };
}

/** The subject matcher [SUBJECT]; an invalid subject selects nothing. */
export function clusterSubjectMatcher(p: ClusterPolicy): Matcher {
  if (!p.subject.valid || !p.subject.namespaceSelector) return NOTHING;
  return podsInNamespacesMatcher(p.subject.namespaceSelector, p.subject.podSelector);
}

const cache = new WeakMap<ClusterPolicy, { universe: ConnSet; calico: boolean; nodesKey: string; policy: Policy }>();

/**
 * Lowers one CNP/ANP/BANP. Memoised per parsed object, universe, Calico mode and nodes, so an unchanged policy
 * keeps its Policy/Rule objects across analyses.
 */
export function lowerClusterPolicy(p: ClusterPolicy, env: ClusterLowerEnv): Policy {
  const hit = cache.get(p);
  if (hit && hit.universe === env.universe && hit.calico === env.calico && hit.nodesKey === env.nodesKey) return hit.policy;
  const ingress = p.ingress.map((r) => lowerRule(r, env)).filter((r): r is Rule => !!r);
  const egress = p.egress.map((r) => lowerRule(r, env)).filter((r): r is Rule => !!r);
  // "CNPs with no ingress rules do not affect ingress traffic" (and likewise egress).
  const directions: Direction[] = [];
  if (ingress.length) directions.push('Ingress');
  if (egress.length) directions.push('Egress');
  const policy: Policy = {
    uid: `${p.kind} ${p.name}`,
    dialect: DIALECT[p.kind],
    kind: p.kind,
    name: p.name,
    display: p.name,
    priority: p.priority,
    range: p.nameRange ?? p.range,
    subject: clusterSubjectMatcher(p),
    directions,
    // [ISO] no implicit isolation; under Calico the policy types of the converted GlobalNetworkPolicy (the tiers'
    // default action is Pass either way).
    isolates: env.calico ? [...directions] : [],
    ingress,
    egress,
  };
  cache.set(p, { universe: env.universe, calico: env.calico, nodesKey: env.nodesKey, policy });
  return policy;
}

/**
 * Evaluation order inside a tier [TIERS]: ascending priority (BANP, which has none, after every Baseline CNP), then
 * name. The API leaves the order of equal priorities undefined; the `cnp-priority-tie` lint reports overlapping ones.
 */
export function clusterPolicyOrder(a: ClusterPolicy, b: ClusterPolicy): number {
  const pa = a.priority ?? Infinity;
  const pb = b.priority ?? Infinity;
  if (pa !== pb) return pa - pb;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0;
}

/** Policies that take part in evaluation: ANP/CNP need a priority (the API server rejects them without one). */
export function evaluatedClusterPolicies(ps: ClusterPolicy[] | undefined): ClusterPolicy[] {
  return (ps ?? []).filter((p) => p.kind === 'BaselineAdminNetworkPolicy' || p.priority !== undefined);
}
