// Typed model of the cluster-scoped policies of the Kubernetes Network Policy API (policy.networking.k8s.io):
// ClusterNetworkPolicy v1alpha2 (CNP) and the deprecated v1alpha1 AdminNetworkPolicy (ANP) and
// BaselineAdminNetworkPolicy (BANP). The three share one shape here: the tier they belong to, a priority, a subject
// and ordered ingress/egress rules whose action applies to the peers and ports they match.
//
// Field names and limits follow kubernetes-sigs/network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go and
// apis/v1alpha1/{adminnetworkpolicy,baselineadminnetworkpolicy,shared_types}.go. Pure data: no vscode / LSP imports.
import type { Cidr } from '../../ip';
import type { LabelSelector, Protocol, SourceRange } from '../../model';

export const POLICY_API_GROUP = 'policy.networking.k8s.io';
export const CNP_API_VERSION = 'policy.networking.k8s.io/v1alpha2';
export const ANP_API_VERSION = 'policy.networking.k8s.io/v1alpha1';

export type ClusterPolicyKind = 'ClusterNetworkPolicy' | 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy';
export const CLUSTER_POLICY_KINDS: readonly ClusterPolicyKind[] = ['ClusterNetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy'];

/** CNP spec.tier; ANP is always Admin, BANP always Baseline. */
export type ClusterTier = 'Admin' | 'Baseline';

/** Actions as written: CNP Accept/Deny/Pass, ANP Allow/Deny/Pass, BANP Allow/Deny. */
export type ClusterAction = 'Accept' | 'Allow' | 'Deny' | 'Pass';

/** Limits of the CRDs: CNP 25 rules per direction and 25 peers per rule; ANP/BANP 100 of each. */
export const CNP_MAX_ITEMS = 25;
export const ANP_MAX_ITEMS = 100;
/** Networks, domainNames and protocols lists: at most 25 items in every version. */
export const MAX_LIST_ITEMS = 25;
export const MAX_PRIORITY = 1000;
export const MAX_RULE_NAME = 100;

export type PeerKind = 'namespaces' | 'pods' | 'networks' | 'nodes' | 'domainNames';

export interface ClusterNet {
  /** As written. */
  text: string;
  /** Undefined when the text is not a valid CIDR (the CRD's isCIDR rule rejects it). */
  cidr?: Cidr;
  range?: SourceRange;
}

export interface DomainName {
  text: string;
  range?: SourceRange;
}

/**
 * One entry of `from`/`to`. Exactly one field should be set; `kind` is undefined when none we recognise is
 * (then the rule fails closed, as the API asks implementations to do with fields they do not know).
 */
export interface ClusterPeer {
  kind?: PeerKind;
  /** `namespaces`, or `pods.namespaceSelector` (absent there = every namespace). */
  namespaceSelector?: LabelSelector;
  /** `pods.podSelector`. */
  podSelector?: LabelSelector;
  networks?: ClusterNet[];
  nodes?: LabelSelector;
  domainNames?: DomainName[];
  /** Keys of the peer we do not recognise (as written). */
  unknownFields: string[];
  range?: SourceRange;
}

/**
 * A port match, normalised over both versions: CNP `tcp|udp|sctp: {destinationPort: {number}|{range}}` or
 * `destinationNamedPort`; ANP/BANP `portNumber`, `portRange` or `namedPort`.
 */
export interface ClusterPort {
  /** Undefined for a named port. */
  protocol?: Protocol;
  /** First and last port; both undefined = every port of the protocol (CNP `tcp: {}`). */
  start?: number;
  end?: number;
  /** Container port name, resolved on the destination pod. */
  name?: string;
  range?: SourceRange;
}

export interface ClusterRule {
  direction: 'Ingress' | 'Egress';
  /** 0-based index in its direction's list. */
  index: number;
  name?: string;
  /** Undefined when absent or not one of the version's actions (the API server rejects the object). */
  action?: ClusterAction;
  peers: ClusterPeer[];
  /** Undefined = every port and protocol. */
  ports?: ClusterPort[];
  range?: SourceRange;
  actionRange?: SourceRange;
  nameRange?: SourceRange;
  /** Range of the `from`/`to` key. */
  peersRange?: SourceRange;
  portsRange?: SourceRange;
}

export interface ClusterSubject {
  /** Namespaces whose pods are selected (`namespaces`, or `pods.namespaceSelector`). */
  namespaceSelector?: LabelSelector;
  /** `pods.podSelector`; undefined for a `namespaces` subject (every pod of the namespaces). */
  podSelector?: LabelSelector;
  /** False when the subject does not set exactly one of namespaces/pods (the object is rejected; selects nothing). */
  valid: boolean;
  range?: SourceRange;
}

export interface ClusterPolicy {
  kind: ClusterPolicyKind;
  apiVersion: string;
  name: string;
  tier: ClusterTier;
  /** Undefined for BANP (it has no priority) or when absent/invalid. */
  priority?: number;
  subject: ClusterSubject;
  ingress: ClusterRule[];
  egress: ClusterRule[];
  /** True when the API server would reject the object (an error diagnostic was reported). */
  invalid: boolean;
  range?: SourceRange;
  nameRange?: SourceRange;
  tierRange?: SourceRange;
  priorityRange?: SourceRange;
}

/** A Node: its labels (for `nodes` peers) and the addresses in status.addresses. */
export interface ClusterNode {
  name: string;
  labels: Record<string, string>;
  addresses: { text: string; family: 4 | 6; value: bigint }[];
  range?: SourceRange;
}

export function isClusterPolicyKind(kind: string): kind is ClusterPolicyKind {
  return (CLUSTER_POLICY_KINDS as readonly string[]).includes(kind);
}

/** The apiVersion a kind is defined in. */
export function apiVersionOf(kind: ClusterPolicyKind): string {
  return kind === 'ClusterNetworkPolicy' ? CNP_API_VERSION : ANP_API_VERSION;
}

/** Rules-per-direction and peers-per-rule limit of a kind. */
export function maxItems(kind: ClusterPolicyKind): number {
  return kind === 'ClusterNetworkPolicy' ? CNP_MAX_ITEMS : ANP_MAX_ITEMS;
}

/** The actions a kind accepts. */
export function actionsOf(kind: ClusterPolicyKind): readonly ClusterAction[] {
  if (kind === 'ClusterNetworkPolicy') return ['Accept', 'Deny', 'Pass'];
  if (kind === 'AdminNetworkPolicy') return ['Allow', 'Deny', 'Pass'];
  return ['Allow', 'Deny'];
}

/** How explanations and lints name a policy: `ClusterNetworkPolicy deny-dev`. */
export function policyLabel(p: ClusterPolicy): string {
  return `${p.kind} ${p.name}`;
}

/** All rules of a policy, ingress first. */
export function rulesOfPolicy(p: ClusterPolicy): ClusterRule[] {
  return [...p.ingress, ...p.egress];
}
