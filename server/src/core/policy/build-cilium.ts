// The tier layout of a cluster enforced by Cilium (called from build.ts).
//
//   [Admin tier]          ClusterNetworkPolicy tier Admin, when enforced (Cilium 1.20 --enable-k8s-cluster-network-policy)
//   Cilium deny rules     every ingressDeny/egressDeny rule of CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy:
//                         action Deny, end action Pass, isolates nothing ([DENY]: deny wins over any allow)
//   Cilium allow rules    allow rules of CNP/CCNP and the Kubernetes NetworkPolicies (a union, [UNION]); end action
//                         Deny for endpoints in default-deny: some policy with rules for the direction (allow or
//                         deny) selects them, unless enableDefaultDeny says false ([DEFAULT]); with
//                         policyEnforcementMode always every endpoint ([MODES])
//   [Baseline tier]       ClusterNetworkPolicy tier Baseline, when enforced
//   default               allowed
// policyEnforcementMode never: nothing is enforced (no tiers). Sources: dialects/cilium/lower.ts.
// The universe is TCP/UDP/SCTP plus ICMP and ICMPv6 (a rule without L4 part allows them too), plus VRRP/IGMP when
// rules name them.
// [K8SNP] Kubernetes NetworkPolicies are translated into Cilium rules (cilium/cilium pkg/k8s network_policy.go):
// their pod selectors match the pods' security-identity labels (so `io.kubernetes.pod.namespace`,
// `io.cilium.k8s.policy.cluster` and `io.cilium.k8s.policy.serviceaccount` work in a podSelector, and labels outside
// the identity, such as pod-template-hash, never match).
import type { Cluster } from '../model';
import type { ConnSet } from '../ports';
import { lowerNetworkPolicy, type PodLabelView } from '../dialects/kubernetes/lower';
import { identityOf, lowerCiliumPolicy, type CiliumLowerEnv } from '../dialects/cilium/lower';
import type { CiliumOptions } from '../dialects/cilium/model';
import type { Policy, PolicyModel, Tier } from './ir';
import { ALL_WORKLOADS } from './matchers';
import { ciliumSettings } from './cni';

export const CILIUM_DENY_TIER = 'cilium-deny';
export const CILIUM_ALLOW_TIER = 'cilium-allow';

function byName(a: Policy, b: Policy): number {
  return a.display < b.display ? -1 : a.display > b.display ? 1 : 0;
}

const enforcementPolicies = new Map<string, Policy>();

/** [MODES] policyEnforcementMode always: every endpoint is in default-deny in both directions. */
function alwaysEnforced(): Policy {
  let p = enforcementPolicies.get('always');
  if (!p) {
    p = { uid: 'cilium policy enforcement always', dialect: 'cilium', kind: 'policyEnforcementMode', name: 'always', display: 'policyEnforcementMode: always', subject: ALL_WORKLOADS, directions: ['Ingress', 'Egress'], isolates: ['Ingress', 'Egress'], ingress: [], egress: [] };
    enforcementPolicies.set('always', p);
  }
  return p;
}

/**
 * The model of a cluster as Cilium enforces it. `around` holds tiers other dialects place around Cilium's
 * (ClusterNetworkPolicy Admin before, Baseline after), already lowered with `universe`.
 */
export function buildCiliumModel(cluster: Cluster, universe: ConnSet, opts: CiliumOptions = {}, around: { before?: Tier[]; after?: Tier[] } = {}): PolicyModel {
  const s = ciliumSettings(cluster, opts);
  const defaultLabel = s.policyEnforcementMode === 'never' ? "Cilium's policyEnforcementMode is never: no policy is enforced" : 'no policy puts it in default-deny, and Cilium allows by default';
  if (s.policyEnforcementMode === 'never') return { universe, tiers: [], defaultLabel, boundaries: [], networkSets: [] };
  const env: CiliumLowerEnv = { universe, clusterName: s.clusterName, cidrGroups: cluster.cilium?.cidrGroups ?? [], nonDefaultDenyPolicies: s.nonDefaultDenyPolicies };
  const deny: Policy[] = [];
  const allow: Policy[] = [];
  for (const p of cluster.cilium?.policies ?? []) {
    if (p.rejected) continue;
    for (const l of lowerCiliumPolicy(p, env)) {
      if (l.deny) deny.push(l.deny);
      allow.push(l.allow);
    }
  }
  // Cilium matches the selectors of Kubernetes NetworkPolicies against the pods' identity labels ([K8SNP]).
  const view: PodLabelView = { tag: `cilium:${s.clusterName}`, labels: (w, world) => identityOf(w, world, s.clusterName) };
  for (const p of cluster.policies) allow.push(lowerNetworkPolicy(p, universe, { podLabels: view, ipBlockMatchesPods: false, ipBlockNote: 'its ipBlock matches addresses outside the cluster only: Cilium CIDR rules never match pods' }));
  deny.sort(byName);
  allow.sort(byName);
  if (s.policyEnforcementMode === 'always') allow.unshift(alwaysEnforced());
  const tiers: Tier[] = [
    ...(around.before ?? []),
    { name: CILIUM_DENY_TIER, label: 'Cilium deny rules', endAction: 'Pass' as const, policies: deny },
    { name: CILIUM_ALLOW_TIER, label: 'Cilium allow rules', endAction: 'Deny' as const, policies: allow },
    ...(around.after ?? []),
  ].filter((t) => t.policies.length > 0);
  return { universe, tiers, defaultLabel, boundaries: [], networkSets: [] };
}
