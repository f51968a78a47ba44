// THE table of network-policy kinds Policy Lens does not model (yet). An object of such a kind is left out of the
// reachability: the model parser records it in `Cluster.leftOut` and reports `kind-not-modelled` (information) on
// its `kind`, so it never vanishes without a word. When a kind becomes modelled, its parser handles the object
// before this table is consulted; remove the row here at the same time. Pure.
import type { LeftOutObject } from './model';

export interface UnmodelledKind {
  /** API group (the part of apiVersion before `/`). */
  group: string;
  /** Kind, or '*' for every kind of the group that no parser handles. */
  kind: string;
  /** Where the kind is defined (shown nowhere; keeps the table honest). */
  source: string;
}

export const UNMODELLED_KINDS: readonly UnmodelledKind[] = [
  // Kubernetes network-policy-api (https://network-policy-api.sigs.k8s.io/reference/spec/): ClusterNetworkPolicy
  // v1alpha2 and AdminNetworkPolicy / BaselineAdminNetworkPolicy v1alpha1 are modelled (core/dialects/admin); other
  // versions and kinds of the group are not.
  { group: 'policy.networking.k8s.io', kind: '*', source: 'network-policy-api, versions other than the modelled ones' },
  // cilium.io objects are read by the Cilium dialect (core/dialects/cilium), which reports the kinds it does not model.
  // Calico kinds other than the modelled ones (NetworkPolicy, GlobalNetworkPolicy, their staged forms,
  // NetworkSet, GlobalNetworkSet, Tier): HostEndpoint, Profile, StagedKubernetesNetworkPolicy, ...
  // (https://docs.tigera.io/calico/latest/reference/resources/).
  { group: 'projectcalico.org', kind: '*', source: 'projectcalico.org/v3' },
  // Calico's internal storage API (the CRDs behind projectcalico.org/v3).
  { group: 'crd.projectcalico.org', kind: '*', source: 'crd.projectcalico.org/v1' },
  // Antrea (https://antrea.io/docs/main/docs/antrea-network-policy/).
  { group: 'crd.antrea.io', kind: 'NetworkPolicy', source: 'Antrea-native policy, crd.antrea.io/v1beta1' },
  { group: 'crd.antrea.io', kind: 'ClusterNetworkPolicy', source: 'Antrea-native policy, crd.antrea.io/v1beta1' },
  // Multus multi-network policy (https://github.com/k8snetworkplumbingwg/multi-networkpolicy).
  { group: 'k8s.cni.cncf.io', kind: 'MultiNetworkPolicy', source: 'k8s.cni.cncf.io/v1beta1' },
  // GKE FQDN network policy.
  { group: 'networking.gke.io', kind: 'FQDNNetworkPolicy', source: 'networking.gke.io/v1alpha1' },
  // OVN-Kubernetes egress firewall.
  { group: 'k8s.ovn.org', kind: 'EgressFirewall', source: 'k8s.ovn.org/v1' },
  // Any other *NetworkPolicy kind of any group that no parser handled.
  { group: '*', kind: '*NetworkPolicy', source: 'naming convention' },
];

/** API group of an apiVersion (`group/version`; the core group "" for `v1`). */
export function apiGroup(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** The table row for an object no parser handled, or undefined when such objects are simply not network policy. */
export function unmodelledKind(apiVersion: string, kind: string): UnmodelledKind | undefined {
  const group = apiGroup(apiVersion);
  return UNMODELLED_KINDS.find(
    (u) => (u.group === '*' || u.group === group) && (u.kind === '*' || u.kind === kind || (u.kind.startsWith('*') && kind.endsWith(u.kind.slice(1)))),
  );
}

/** The message of the `kind-not-modelled` diagnostic. */
export function notModelledMessage(apiVersion: string, kind: string): string {
  return `${kind}${apiVersion ? ` (${apiVersion})` : ''} is not modelled yet: its rules are not part of the reachability.`;
}

/**
 * One line for summaries (the CLI text output, the panel header): e.g.
 * "3 objects of unmodelled kinds left out (CiliumNetworkPolicy ×2, AdminNetworkPolicy)"; '' when nothing was left out.
 */
export function leftOutSummary(leftOut: readonly LeftOutObject[]): string {
  if (leftOut.length === 0) return '';
  const counts = new Map<string, number>();
  for (const o of leftOut) counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
  const kinds = [...counts].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(', ');
  return `${leftOut.length} object${leftOut.length === 1 ? '' : 's'} of unmodelled kinds left out (${kinds})`;
}
