// Kubernetes networking.k8s.io/v1 NetworkPolicy -> the policy model (core/policy/ir.ts).
//
// Semantics (https://kubernetes.io/docs/concepts/services-networking/network-policies/ and the API reference
// https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/):
// - A policy selects the pods of its namespace matching spec.podSelector, for the directions of its (defaulted)
//   policyTypes; selecting a pod for a direction isolates it for that direction.
// - Rules only allow; a direction allows the union of the rules of every policy selecting the pod (order is
//   irrelevant). Isolated traffic that no rule allows is denied: the tier's end action is Deny.
// - A rule with no/empty `from`/`to` matches every peer (pods and external addresses); no/empty `ports` matches
//   every port and protocol. Peers: podSelector alone = pods of the policy's namespace; namespaceSelector alone =
//   all pods of the selected namespaces; both = pods matching podSelector in the selected namespaces (AND);
//   ipBlock = addresses in cidr minus except (external addresses only by default: whether a CNI applies ipBlock to
//   pod IPs is implementation-specific: the concepts page meant ipBlock for cluster-external addresses and leaves
//   pod IPs to the network plugin; with `ipBlockMatchesPods` a pod whose every IP is inside matches too). A peer with none
//   of the three fields is rejected by the API server: it matches nothing here.
// - A named port resolves on the destination pod: its container port with that name and protocol. endPort makes
//   port..endPort a range.
import type { Labels, NetworkPolicy, Peer, PolicyPort, PolicyRule, Workload } from '../../model';
import { ConnSet, MAX_PORT, MIN_PORT } from '../../ports';
import { selectorKey, selectorMatches } from '../../selectors';
import { parseCidr } from '../../ip';
import type { ConnSpec, Matcher, NamedPort, Policy, Rule, WorldView } from '../../policy/ir';
import { addressMatcher, NOTHING, workloadMatcher, type AddressBlock } from '../../policy/matchers';

/**
 * The labels pod selectors are matched against. Default: the pod's labels. A CNI may match them against labels of
 * its own (Cilium: the pod's security-identity labels, which add io.kubernetes.pod.namespace,
 * io.cilium.k8s.policy.* and namespace labels and drop labels such as pod-template-hash); `tag` keeps the matcher
 * keys of different views apart.
 */
export interface PodLabelView {
  tag: string;
  labels(w: Workload, world: WorldView): Labels;
}

const labelsOf = (view: PodLabelView | undefined, w: Workload, world: WorldView): Labels => (view ? view.labels(w, world) : w.labels);

/** Pods of `namespace` matching a Kubernetes label selector. */
export function podSelectorMatcher(namespace: string, sel: import('../../model').LabelSelector, view?: PodLabelView): Matcher {
  return workloadMatcher(`k8s-pods${view ? `/${view.tag}` : ''}|${namespace}|${selectorKey(sel)}`, (w, world) => selectorMatches(sel, labelsOf(view, w, world)), { namespaces: () => [namespace] });
}

/** Namespaces a Kubernetes namespace selector picks in the world. */
export function namespacesMatching(world: WorldView, sel: import('../../model').LabelSelector): string[] {
  const out: string[] = [];
  for (const [name, labels] of world.nsLabels) if (selectorMatches(sel, labels)) out.push(name);
  return out;
}

/** Pods matching `podSelector` (all when undefined) in the namespaces `nsSelector` picks. */
export function podsInNamespacesMatcher(nsSel: import('../../model').LabelSelector, podSel: import('../../model').LabelSelector | undefined, tag = 'k8s-nspods', view?: PodLabelView): Matcher {
  return workloadMatcher(`${tag}${view ? `/${view.tag}` : ''}|${selectorKey(nsSel)}|${podSel ? selectorKey(podSel) : '*'}`, (w, world) => !podSel || selectorMatches(podSel, labelsOf(view, w, world)), {
    namespaces: (world) => namespacesMatching(world, nsSel),
  });
}

/** Parsed ipBlock -> address block, or undefined for an invalid CIDR (rejected by the API server: matches nothing). */
export function ipBlockOf(cidr: string, except: string[]): AddressBlock | undefined {
  const c = parseCidr(cidr);
  if (typeof c === 'string') return undefined;
  const ex: { lo: bigint; hi: bigint }[] = [];
  for (const e of except) {
    const ec = parseCidr(e);
    if (typeof ec !== 'string' && ec.family === c.family) ex.push({ lo: ec.lo, hi: ec.hi });
  }
  return { family: c.family, lo: c.lo, hi: c.hi, except: ex };
}

export interface KubernetesLowerOptions {
  /** ipBlock peers also match pods whose every IP is inside (CNI-specific; default: external addresses only). */
  ipBlockMatchesPods?: boolean;
  /** The labels pod selectors see (default: the pods' labels; Cilium: their identity labels). */
  podLabels?: PodLabelView;
  /** The explanation note of ipBlock rules, when the CNI (not the setting) decides how ipBlock reads. */
  ipBlockNote?: string;
}

/** The explanation note of a rule with ipBlock peers: which reading of ipBlock applied. */
export function ipBlockNote(matchesPods: boolean): string {
  return matchesPods
    ? 'its ipBlock also matches pods whose IPs are inside (setting ipBlockAppliesToPods on)'
    : 'its ipBlock matches external addresses only, not pod IPs (CNI-specific; setting ipBlockAppliesToPods off)';
}

function peerMatcher(policyNs: string, peer: Peer, opts: KubernetesLowerOptions): Matcher {
  if (peer.ipBlock) {
    const b = ipBlockOf(peer.ipBlock.cidr, peer.ipBlock.except);
    return b ? addressMatcher([b], 'ipblock', { pods: !!opts.ipBlockMatchesPods }) : NOTHING;
  }
  if (!peer.podSelector && !peer.namespaceSelector) return NOTHING;
  if (!peer.namespaceSelector) return podSelectorMatcher(policyNs, peer.podSelector!, opts.podLabels);
  return podsInNamespacesMatcher(peer.namespaceSelector, peer.podSelector, 'k8s-nspods', opts.podLabels);
}

/** The connections of a rule's `ports` (undefined = every connection of the universe). */
export function portsSpec(ports: PolicyPort[] | undefined, universe: ConnSet): ConnSpec {
  if (!ports) return { base: universe };
  let ranges = ConnSet.EMPTY;
  const named: NamedPort[] = [];
  for (const pp of ports) {
    if (pp.port === undefined) ranges = ranges.union(ConnSet.of(pp.protocol, MIN_PORT, MAX_PORT));
    else if (typeof pp.port === 'number') {
      const end = pp.endPort !== undefined && pp.endPort >= pp.port ? pp.endPort : pp.port;
      ranges = ranges.union(ConnSet.of(pp.protocol, pp.port, end));
    } else named.push({ name: pp.port, protocol: pp.protocol });
  }
  return { base: universe, ports: { ranges, named } };
}

function lowerRule(p: NetworkPolicy, r: PolicyRule, universe: ConnSet, opts: KubernetesLowerOptions): Rule {
  const rule: Rule = {
    index: r.index,
    action: 'Allow',
    peers: r.peers ? r.peers.map((peer) => peerMatcher(p.namespace, peer, opts)) : undefined,
    conns: portsSpec(r.ports, universe),
    range: r.range,
  };
  if (r.peers?.some((peer) => peer.ipBlock)) rule.note = opts.ipBlockNote ?? ipBlockNote(!!opts.ipBlockMatchesPods);
  return rule;
}

const cache = new WeakMap<NetworkPolicy, { universe: ConnSet; key: string; policy: Policy }>();

/**
 * Lowers one NetworkPolicy. The result is memoised per parsed object and universe, so an unchanged policy keeps
 * its Policy/Rule objects across analyses (the evaluator reuses rows of unchanged chains).
 */
export function lowerNetworkPolicy(p: NetworkPolicy, universe: ConnSet, opts: KubernetesLowerOptions = {}): Policy {
  const view = opts.podLabels;
  const key = `${!!opts.ipBlockMatchesPods}|${view?.tag ?? ''}|${opts.ipBlockNote ?? ''}`;
  const hit = cache.get(p);
  if (hit && hit.universe === universe && hit.key === key) return hit.policy;
  const policy: Policy = {
    uid: `NetworkPolicy ${p.namespace}/${p.name}`,
    dialect: 'kubernetes',
    kind: 'NetworkPolicy',
    name: p.name,
    namespace: p.namespace,
    display: `${p.namespace}/${p.name}`,
    range: p.nameRange ?? p.range,
    subject: podSelectorMatcher(p.namespace, p.podSelector, view),
    directions: [...p.policyTypes],
    isolates: [...p.policyTypes],
    // Rules of a direction missing from policyTypes have no effect.
    ingress: p.policyTypes.includes('Ingress') ? (p.ingress ?? []).map((r) => lowerRule(p, r, universe, opts)) : [],
    egress: p.policyTypes.includes('Egress') ? (p.egress ?? []).map((r) => lowerRule(p, r, universe, opts)) : [],
  };
  cache.set(p, { universe, key, policy });
  return policy;
}
