// Assembles the policy model of a cluster from every dialect's lowering, and the world the matchers look at.
//
// Tier layout:
// * Kubernetes only: one tier holding every NetworkPolicy (end action Deny for isolated endpoints), then the
//   default: allow.
// * Which layout applies is the CNI's (core/policy/cni.ts: the setting, or detected from the objects). Cilium:
//   buildCiliumModel in build-cilium.ts. Calico objects are ignored when the CNI is not Calico, Cilium objects
//   when it is not Cilium.
// * With Calico resources: Calico's tiers by order (the default tier at 1,000,000 holds the Kubernetes
//   NetworkPolicies at order 1000, [K8S] in dialects/calico/lower.ts), a tier's policies by order then name,
//   then the namespace profile (allow). The universe adds ICMP, ICMPv6 and every protocol the rules name.
import type { Cluster, Labels } from '../model';
import { ConnSet, ICMP_MAX } from '../ports';
import { lowerNetworkPolicy } from '../dialects/kubernetes/lower';
import { calicoExtraProtocols, calicoSortKey, calicoTierInfo, DEFAULT_TIER, enforcedCalicoPolicies, lowerCalicoPolicy } from '../dialects/calico/lower';
import { K8S_NETWORK_POLICY_ORDER } from '../dialects/calico/model';
import type { Policy, PolicyModel, Tier, WorldView } from './ir';
import { chooseCni, describeChoice, type CniSetting } from './cni';
import { buildCiliumModel } from './build-cilium';
import { ciliumExtraProtocols } from '../dialects/cilium/lower';
import type { CiliumOptions } from '../dialects/cilium/model';

export interface ModelOptions {
  /** Evaluate Calico staged policies as if they were enforced (what-if). */
  staged?: boolean;
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

function hasCalico(c: Cluster): boolean {
  return !!c.calico && (c.calico.policies.length > 0 || c.calico.networkSets.length > 0 || c.calico.tiers.length > 0);
}

/** Which semantics evaluate the cluster, in words (names the CNI and how it was chosen). */
export function evaluatedAs(c: Cluster, opts: ModelOptions = {}): string {
  return describeChoice(chooseCni(c, opts.cni));
}

/** TCP/UDP/SCTP plus ICMP and ICMPv6 and the named extra protocols (Calico, Cilium). */
function withIcmp(extra: string[]): ConnSet {
  let u = ConnSet.ALL.union(ConnSet.of('ICMP', 0, ICMP_MAX)).union(ConnSet.of('ICMPv6', 0, ICMP_MAX));
  for (const p of extra) u = u.union(ConnSet.of(p, 0, 0));
  return intern(u);
}

export function buildModel(cluster: Cluster, opts: ModelOptions = {}): PolicyModel {
  const cni = chooseCni(cluster, opts.cni).cni;
  if (cni === 'cilium') return buildCiliumModel(cluster, withIcmp(ciliumExtraProtocols(cluster.cilium)), opts.cilium);
  if (cni === 'kubernetes') {
    const universe = KUBERNETES_UNIVERSE;
    const policies = cluster.policies.map((p) => lowerNetworkPolicy(p, universe)).sort(byName);
    const tiers: Tier[] = policies.length ? [{ name: 'kubernetes', label: 'Kubernetes NetworkPolicy', endAction: 'Deny', policies }] : [];
    return { universe, tiers, defaultLabel: 'allowed (Kubernetes allows what no policy isolates)', boundaries: [], networkSets: [] };
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
    placed.push({ tier: DEFAULT_TIER, order: K8S_NETWORK_POLICY_ORDER, name: `${p.name}/${p.namespace}/KubernetesNetworkPolicy`, policy: lowerNetworkPolicy(p, universe) });
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
    defaultLabel: 'allowed by the namespace profile (Calico allows what passed every tier)',
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
