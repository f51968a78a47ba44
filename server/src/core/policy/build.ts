// Assembles the policy model of a cluster from every dialect's lowering, and the world the matchers look at.
//
// Tier layout (which one applies is the CNI's: core/policy/cni.ts, the setting or detected from the objects; Calico
// objects are ignored when the CNI is not Calico, Cilium objects when it is not Cilium):
// * Cilium: buildCiliumModel in build-cilium.ts (deny rules, then allow rules; ClusterNetworkPolicy Admin before and
//   Baseline after when the agent enforces it).
// * Kubernetes (plain NetworkPolicy semantics): the Admin tier (ClusterNetworkPolicy tier Admin and AdminNetworkPolicy, by priority, end
//   action Pass), one tier holding every NetworkPolicy (end action Deny for isolated endpoints), the Baseline tier
//   (ClusterNetworkPolicy tier Baseline by priority, then the BaselineAdminNetworkPolicy; end action Pass), then
//   the default: allow ([TIERS] in dialects/admin/lower.ts). Empty tiers are left out.
// * With Calico resources: Calico's tiers by order (the default tier at 1,000,000 holds the Kubernetes
//   NetworkPolicies at order 1000, [K8S] in dialects/calico/lower.ts), a tier's policies by order then name,
//   then the namespace profile (allow). The universe adds ICMP, ICMPv6 and every protocol the rules name.
//   ClusterNetworkPolicies join the Calico tiers kube-admin (order 1,000) and kube-baseline (10,000,000), both
//   with default action Pass, at order = priority ([CALICO] in dialects/admin/lower.ts); ANP/BANP likewise (BANP
//   after every ordered policy of kube-baseline).
import type { Cluster, Labels } from '../model';
import { ConnSet, ICMP_MAX } from '../ports';
import { lowerNetworkPolicy } from '../dialects/kubernetes/lower';
import { calicoExtraProtocols, calicoSortKey, calicoTierInfo, DEFAULT_TIER, enforcedCalicoPolicies, lowerCalicoPolicy } from '../dialects/calico/lower';
import { K8S_NETWORK_POLICY_ORDER, KUBE_ADMIN_TIER, KUBE_BASELINE_TIER } from '../dialects/calico/model';
import { clusterPolicyOrder, evaluatedClusterPolicies, lowerClusterPolicy, nodesKeyOf, type ClusterLowerEnv } from '../dialects/admin/lower';
import type { Policy, PolicyModel, Tier, WorldView } from './ir';
import { chooseCni, ciliumSettings, cniName, describeChoice, type CniSetting } from './cni';
import { buildCiliumModel } from './build-cilium';
import { ciliumExtraProtocols } from '../dialects/cilium/lower';
import type { CiliumOptions } from '../dialects/cilium/model';

export interface ModelOptions {
  /** Evaluate Calico staged policies as if they were enforced (what-if). */
  staged?: boolean;
  /**
   * Kubernetes NetworkPolicy ipBlock peers also match pods whose every pod IP is inside (whether a CNI does this is
   * implementation-specific). Default false: ipBlock matches external addresses only.
   */
  ipBlockMatchesPods?: boolean;
  /** Which CNI enforces the manifests (default auto: detected from the objects). */
  cni?: CniSetting;
  /** Cilium agent settings (override the cilium-config ConfigMap). */
  cilium?: CiliumOptions;
}

/** Universes are interned by content so that memoised lowerings stay valid across analyses. */
const universes = new Map<string, ConnSet>();
function intern(c: ConnSet): ConnSet {
  const k = JSON.stringify(c.toJSON());
  let u = universes.get(k);
  if (!u) universes.set(k, (u = c));
  return u;
}

/** The Kubernetes universe: every TCP, UDP and SCTP port. */
export const KUBERNETES_UNIVERSE = ConnSet.ALL;

function byName<T extends { display: string }>(a: T, b: T): number {
  return a.display < b.display ? -1 : a.display > b.display ? 1 : 0;
}


/**
 * Whether Kubernetes NetworkPolicy ipBlock peers match pods: Calico converts ipBlock to nets, which match any address
 * including pod IPs; Cilium's CIDR rules never match pods; plain Kubernetes leaves it to the setting.
 */
export function ipBlockMatchesPodsUnder(cni: 'kubernetes' | 'calico' | 'cilium', opts: ModelOptions): boolean {
  return cni === 'calico' ? true : cni === 'cilium' ? false : !!opts.ipBlockMatchesPods;
}

/**
 * Which semantics evaluate the cluster, in words: the CNI and how it was chosen, the cluster-policy kinds in play,
 * and (when ipBlock peers exist) how ipBlock reads.
 */
export function evaluatedAs(c: Cluster, opts: ModelOptions = {}): string {
  const choice = chooseCni(c, opts.cni);
  const cni = choice.cni;
  const parts = [cniName(cni)];
  const cps = clusterPoliciesUnder(c, cni, opts);
  if (cps.some((p) => p.kind === 'ClusterNetworkPolicy')) parts.push('ClusterNetworkPolicy');
  if (cps.some((p) => p.kind !== 'ClusterNetworkPolicy')) parts.push('AdminNetworkPolicy (deprecated)');
  // "Calico + ClusterNetworkPolicy (detected: …)": the semantics first, then how the CNI was chosen.
  let out = parts.join(' + ') + describeChoice(choice).slice(cniName(cni).length);
  if (c.policies.some((p) => [...(p.ingress ?? []), ...(p.egress ?? [])].some((r) => r.peers?.some((x) => x.ipBlock)))) {
    out += ipBlockMatchesPodsUnder(cni, opts) ? '; ipBlock also matches pod IPs' : '; ipBlock matches external addresses only';
  }
  return out;
}

/**
 * The cluster policies the CNI enforces: Cilium 1.20 enforces ClusterNetworkPolicy only with
 * enable-k8s-cluster-network-policy and has no AdminNetworkPolicy/BaselineAdminNetworkPolicy; the others all.
 */
function clusterPoliciesUnder(c: Cluster, cni: 'kubernetes' | 'calico' | 'cilium', opts: ModelOptions) {
  const all = evaluatedClusterPolicies(c.clusterPolicies).sort(clusterPolicyOrder);
  if (cni !== 'cilium') return all;
  return ciliumSettings(c, opts.cilium).clusterNetworkPolicy ? all.filter((p) => p.kind === 'ClusterNetworkPolicy') : [];
}

/** TCP/UDP/SCTP plus ICMP and ICMPv6 and the named extra protocols (Calico, Cilium). */
function withIcmp(extra: string[]): ConnSet {
  let u = ConnSet.ALL.union(ConnSet.of('ICMP', 0, ICMP_MAX)).union(ConnSet.of('ICMPv6', 0, ICMP_MAX));
  for (const p of extra) u = u.union(ConnSet.of(p, 0, 0));
  return intern(u);
}

function clusterEnv(cluster: Cluster, universe: ConnSet, calico: boolean): ClusterLowerEnv {
  const nodes = cluster.nodes ?? [];
  return { universe, calico, nodes, nodesKey: nodesKeyOf(nodes) };
}

export function buildModel(cluster: Cluster, opts: ModelOptions = {}): PolicyModel {
  const cni = chooseCni(cluster, opts.cni).cni;
  const k8sOpts = { ipBlockMatchesPods: ipBlockMatchesPodsUnder(cni, opts) };
  const clusterPolicies = clusterPoliciesUnder(cluster, cni, opts);
  if (cni === 'cilium') {
    const universe = withIcmp(ciliumExtraProtocols(cluster.cilium));
    const env = clusterEnv(cluster, universe, false);
    const admin = clusterPolicies.filter((p) => p.tier === 'Admin').map((p) => lowerClusterPolicy(p, env));
    const baseline = clusterPolicies.filter((p) => p.tier === 'Baseline').map((p) => lowerClusterPolicy(p, env));
    return buildCiliumModel(cluster, universe, opts.cilium, {
      before: admin.length ? [{ name: KUBE_ADMIN_TIER, label: 'Admin tier', endAction: 'Pass', policies: admin }] : [],
      after: baseline.length ? [{ name: KUBE_BASELINE_TIER, label: 'Baseline tier', endAction: 'Pass', policies: baseline }] : [],
    });
  }
  if (cni === 'kubernetes') {
    const universe = KUBERNETES_UNIVERSE;
    const env = clusterEnv(cluster, universe, false);
    const policies = cluster.policies.map((p) => lowerNetworkPolicy(p, universe, k8sOpts)).sort(byName);
    const admin = clusterPolicies.filter((p) => p.tier === 'Admin').map((p) => lowerClusterPolicy(p, env));
    const baseline = clusterPolicies.filter((p) => p.tier === 'Baseline').map((p) => lowerClusterPolicy(p, env));
    const tiers: Tier[] = [
      { name: KUBE_ADMIN_TIER, label: 'Admin tier', endAction: 'Pass' as const, policies: admin },
      { name: 'kubernetes', label: 'Kubernetes NetworkPolicy', endAction: 'Deny' as const, policies },
      { name: KUBE_BASELINE_TIER, label: 'Baseline tier', endAction: 'Pass' as const, policies: baseline },
    ].filter((t) => t.policies.length > 0);
    const defaultLabel = clusterPolicies.length ? 'no tier decided it, and Kubernetes allows by default' : 'no policy isolates it, and Kubernetes allows by default';
    return { universe, tiers, defaultLabel, boundaries: [], networkSets: [] };
  }
  const input = cluster.calico ?? { policies: [], networkSets: [], tiers: [] };
  const universe = withIcmp(calicoExtraProtocols(input));
  interface Placed { tier: string; order: number; name: string; policy: Policy }
  const placed: Placed[] = [];
  for (const p of enforcedCalicoPolicies(input, !!opts.staged)) {
    const k = calicoSortKey(p);
    placed.push({ tier: p.tier, order: k.order, name: k.name, policy: lowerCalicoPolicy(p, universe) });
  }
  for (const p of cluster.policies) {
    placed.push({ tier: DEFAULT_TIER, order: K8S_NETWORK_POLICY_ORDER, name: `${p.name}/${p.namespace}/KubernetesNetworkPolicy`, policy: lowerNetworkPolicy(p, universe, k8sOpts) });
  }
  const env = clusterEnv(cluster, universe, true);
  for (const p of clusterPolicies) {
    placed.push({ tier: p.tier === 'Admin' ? KUBE_ADMIN_TIER : KUBE_BASELINE_TIER, order: p.priority ?? Infinity, name: `${p.name}//${p.kind}`, policy: lowerClusterPolicy(p, env) });
  }
  placed.sort((a, b) => a.order - b.order || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const tierNames = new Set<string>(placed.map((p) => p.tier));
  for (const t of input.tiers) tierNames.add(t.metadata.name);
  const infos = [...tierNames].map((name) => ({ name, ...calicoTierInfo(input, name) }));
  infos.sort((a, b) => Number(a.missing) - Number(b.missing) || a.order - b.order || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const tiers: Tier[] = infos.map((t) => ({
    name: t.name,
    label: `Calico tier ${t.name}`,
    order: Number.isFinite(t.order) ? t.order : undefined,
    endAction: t.defaultAction,
    range: t.tier?.metadata.nameRange ?? t.tier?.range,
    policies: placed.filter((p) => p.tier === t.name).map((p) => p.policy),
  }));
  const networkSets = input.networkSets.map((s) => ({
    namespace: s.namespaced ? s.metadata.namespace : undefined,
    labels: s.metadata.labels,
    nets: s.nets.map((n) => ({ family: n.cidr.family, lo: n.cidr.lo, hi: n.cidr.hi })),
  }));
  return {
    universe,
    tiers: tiers.filter((t) => t.policies.length > 0),
    defaultLabel: "the namespace's profile allows what passed every tier (Calico)",
    boundaries: networkSets.flatMap((s) => s.nets),
    networkSets,
  };
}

/** The endpoints side of the world: workloads, namespace labels and a namespace index. */
export function buildWorld(cluster: Cluster): WorldView {
  const nsLabels = new Map<string, Labels>();
  for (const ns of cluster.namespaces) nsLabels.set(ns.name, ns.labels);
  const byNamespace = new Map<string, number[]>();
  cluster.workloads.forEach((w, i) => {
    let l = byNamespace.get(w.namespace);
    if (!l) byNamespace.set(w.namespace, (l = []));
    l.push(i);
  });
  return { workloads: cluster.workloads, nsLabels, byNamespace };
}
