// Typed model of CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy (cilium.io/v2), CiliumCIDRGroup and the
// cilium-config ConfigMap, with source ranges. Pure data (core purity invariant).
//
// Field meanings follow the Go types of cilium/cilium pkg/policy/api (rule.go, ingress.go, egress.go, l4.go,
// icmp.go, entity.go, cidr.go, fqdn.go, service.go, selector.go) and docs.cilium.io "Network Policy" (policy
// language, L3/L4, deny policies, policy enforcement modes). The evaluation semantics are in lower.ts.
import type { Cidr } from '../../ip';
import type { LabelSelector, SourceRange } from '../../model';

export const CILIUM_API_GROUP = 'cilium.io';
export type CiliumPolicyKind = 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
export const CILIUM_POLICY_KINDS: readonly CiliumPolicyKind[] = ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'];

export function isCiliumPolicyKind(kind: string | undefined): kind is CiliumPolicyKind {
  return kind === 'CiliumNetworkPolicy' || kind === 'CiliumClusterwideNetworkPolicy';
}

/**
 * A label key as Cilium reads it in a selector: `source:name` (sources such as `k8s`, `reserved`, `any`), or a
 * bare `name`, which matches a label of that name from any source (pkg/policy/api selector.go, "Cilium's Label key
 * conversion logic").
 */
export interface CiliumLabelKey {
  raw: string;
  source: string;
  name: string;
}

export type CiliumOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface CiliumRequirement {
  key: CiliumLabelKey;
  operator: CiliumOperator;
  values: string[];
  range?: SourceRange;
}

/** An EndpointSelector (a Kubernetes label selector over Cilium identity labels). */
export interface CiliumSelector {
  matchLabels: { key: CiliumLabelKey; value: string; range?: SourceRange }[];
  matchExpressions: CiliumRequirement[];
  range?: SourceRange;
  /** The selector does not validate (the API server rejects the object). */
  invalid?: boolean;
}

/** Entities (pkg/policy/api entity.go). */
export const CILIUM_ENTITIES = ['all', 'world', 'world-ipv4', 'world-ipv6', 'cluster', 'host', 'remote-node', 'kube-apiserver', 'ingress', 'init', 'health', 'unmanaged', 'none'] as const;
export type CiliumEntity = (typeof CILIUM_ENTITIES)[number];

export const ENTITY_DOCS: Record<CiliumEntity, string> = {
  all: 'every endpoint: all pods of every connected cluster and everything outside (world)',
  world: 'everything outside the cluster (same as CIDR 0.0.0.0/0 and ::/0)',
  'world-ipv4': 'everything outside the cluster, IPv4 only',
  'world-ipv6': 'everything outside the cluster, IPv6 only',
  cluster: 'every endpoint inside the local cluster: all pods, plus host, remote-node, init, ingress, health, unmanaged and kube-apiserver',
  host: 'the local host, including host-network pods on it',
  'remote-node': 'every other node (and its host-network pods)',
  'kube-apiserver': 'the Kubernetes API server, inside or outside the cluster',
  ingress: 'the Cilium Envoy instance that handles ingress L7 traffic',
  init: 'endpoints whose security identity is not resolved yet',
  health: 'the Cilium health endpoints',
  unmanaged: 'endpoints not managed by Cilium',
  none: 'nothing (a selector that never matches)',
};

export interface CiliumEntityRef {
  name: string;
  range?: SourceRange;
}

/** fromCIDR/toCIDR entry or fromCIDRSet/toCIDRSet entry. */
export interface CiliumCidrRule {
  text?: string;
  cidr?: Cidr;
  except: { text: string; cidr?: Cidr; range?: SourceRange }[];
  /** cidrGroupRef / cidrGroupSelector (resolved against CiliumCIDRGroup objects). */
  groupRef?: string;
  groupSelector?: LabelSelector;
  range?: SourceRange;
}

export type CiliumProtocol = 'TCP' | 'UDP' | 'SCTP' | 'ANY' | 'VRRP' | 'IGMP';
export const CILIUM_PROTOCOLS: readonly CiliumProtocol[] = ['TCP', 'UDP', 'SCTP', 'VRRP', 'IGMP', 'ANY'];

export interface CiliumPort {
  /** undefined or 0: every port of the protocol; a string is a named port resolved on the destination pod. */
  port?: number | string;
  endPort?: number;
  protocol: CiliumProtocol;
  range?: SourceRange;
}

export type CiliumL7Kind = 'http' | 'kafka' | 'dns' | 'l7';

export interface CiliumPortRule {
  ports: CiliumPort[];
  /** L7 rules (parsed, not evaluated): kind and number of entries. */
  l7?: { kind: CiliumL7Kind; count: number; range?: SourceRange; dnsPatterns?: string[] };
  serverNames?: string[];
  listener?: boolean;
  range?: SourceRange;
}

export interface CiliumIcmp {
  family: 'IPv4' | 'IPv6';
  /** ICMP type number (names are mapped, pkg/policy/api icmp.go). */
  type: number;
  text: string;
  range?: SourceRange;
}

export interface CiliumFqdn {
  matchName?: string;
  matchPattern?: string;
  range?: SourceRange;
}

export interface CiliumServiceRef {
  /** `namespace/name` or `namespace/[selector]`, as shown. */
  text: string;
  range?: SourceRange;
}

/** The L3 peer fields of a rule (pkg/policy/api IngressCommonRule / EgressCommonRule). */
export type CiliumL3Field =
  | 'fromEndpoints'
  | 'fromCIDR'
  | 'fromCIDRSet'
  | 'fromEntities'
  | 'fromGroups'
  | 'fromNodes'
  | 'fromRequires'
  | 'toEndpoints'
  | 'toCIDR'
  | 'toCIDRSet'
  | 'toEntities'
  | 'toServices'
  | 'toGroups'
  | 'toNodes'
  | 'toRequires'
  | 'toFQDNs';

/** One item of ingress / ingressDeny / egress / egressDeny. */
export interface CiliumPeerRule {
  /** 0-based index in its list. */
  index: number;
  direction: 'Ingress' | 'Egress';
  deny: boolean;
  range?: SourceRange;
  /** L3 fields present with at least one entry. */
  l3: CiliumL3Field[];
  /** L3 fields present as an empty list (`fromEndpoints: []`): they select nothing. */
  emptyL3: { field: CiliumL3Field; range?: SourceRange }[];
  endpoints?: CiliumSelector[];
  entities?: CiliumEntityRef[];
  cidrs?: CiliumCidrRule[];
  nodes?: CiliumSelector[];
  services?: CiliumServiceRef[];
  groups?: { text: string; range?: SourceRange }[];
  fqdns?: CiliumFqdn[];
  /** toPorts (undefined = absent or empty). */
  toPorts?: CiliumPortRule[];
  icmps?: CiliumIcmp[];
  authentication?: string;
}

/** One api.Rule: `spec` or an item of `specs`. */
export interface CiliumRule {
  /** -1 for `spec`, else the index in `specs`. */
  index: number;
  range?: SourceRange;
  endpointSelector?: CiliumSelector;
  nodeSelector?: CiliumSelector;
  ingress: CiliumPeerRule[];
  ingressDeny: CiliumPeerRule[];
  egress: CiliumPeerRule[];
  egressDeny: CiliumPeerRule[];
  /** enableDefaultDeny as written (undefined = not set: true for a direction that has rules). */
  enableDefaultDeny: { ingress?: boolean; egress?: boolean; ingressRange?: SourceRange; egressRange?: SourceRange; range?: SourceRange };
  description?: string;
}

export interface CiliumPolicy {
  kind: CiliumPolicyKind;
  name: string;
  /** CiliumNetworkPolicy only. */
  namespace?: string;
  namespaceDefaulted: boolean;
  /** `namespace/name` or `name`. */
  id: string;
  range?: SourceRange;
  nameRange?: SourceRange;
  rules: CiliumRule[];
  /** Why the Cilium agent or the API server refuses this policy (it has no effect); undefined when accepted. */
  rejected?: string;
}

/** CiliumCIDRGroup (cilium.io/v2alpha1 / v2): named external CIDRs referenced by cidrGroupRef / cidrGroupSelector. */
export interface CiliumCidrGroup {
  name: string;
  labels: Record<string, string>;
  cidrs: { text: string; cidr: Cidr }[];
  range?: SourceRange;
}

/** A ConfigMap named cilium-config (the agent configuration). */
export interface CiliumConfigMap {
  namespace: string;
  data: Record<string, string>;
  range?: SourceRange;
  /** Ranges of the data keys, for diagnostics. */
  keyRanges: Record<string, SourceRange>;
}

export interface CiliumInput {
  policies: CiliumPolicy[];
  cidrGroups: CiliumCidrGroup[];
  configs: CiliumConfigMap[];
}

export function emptyCiliumInput(): CiliumInput {
  return { policies: [], cidrGroups: [], configs: [] };
}

/** Adds the Cilium objects of `from` to `into` (merging per-document models). */
export function mergeCiliumInput(into: { cilium?: CiliumInput }, from: { cilium?: CiliumInput }): void {
  if (!from.cilium) return;
  const c = (into.cilium ??= emptyCiliumInput());
  c.policies.push(...from.cilium.policies);
  c.cidrGroups.push(...from.cilium.cidrGroups);
  c.configs.push(...from.cilium.configs);
}

// ---------------------------------------------------------------- identity labels

/** Labels Cilium derives for every Kubernetes pod (source `k8s`); pkg/k8s/apis/cilium.io const.go. */
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const SERVICE_ACCOUNT_LABEL = 'io.cilium.k8s.policy.serviceaccount';
export const CLUSTER_LABEL = 'io.cilium.k8s.policy.cluster';
export const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';

/** ICMP type names (pkg/policy/api icmp.go). */
export const ICMP_V4_TYPES: Record<string, number> = {
  EchoReply: 0,
  DestinationUnreachable: 3,
  Redirect: 5,
  Echo: 8,
  EchoRequest: 8,
  RouterAdvertisement: 9,
  RouterSelection: 10,
  TimeExceeded: 11,
  ParameterProblem: 12,
  Timestamp: 13,
  TimestampReply: 14,
  Photuris: 40,
  ExtendedEchoRequest: 42,
  ExtendedEchoReply: 43,
};

export const ICMP_V6_TYPES: Record<string, number> = {
  DestinationUnreachable: 1,
  PacketTooBig: 2,
  TimeExceeded: 3,
  ParameterProblem: 4,
  EchoRequest: 128,
  EchoReply: 129,
  MulticastListenerQuery: 130,
  MulticastListenerReport: 131,
  MulticastListenerDone: 132,
  RouterSolicitation: 133,
  RouterAdvertisement: 134,
  NeighborSolicitation: 135,
  NeighborAdvertisement: 136,
  RedirectMessage: 137,
  RouterRenumbering: 138,
  ICMPNodeInformationQuery: 139,
  ICMPNodeInformationResponse: 140,
  InverseNeighborDiscoverySolicitation: 141,
  InverseNeighborDiscoveryAdvertisement: 142,
  HomeAgentAddressDiscoveryRequest: 144,
  HomeAgentAddressDiscoveryReply: 145,
  MobilePrefixSolicitation: 146,
  MobilePrefixAdvertisement: 147,
  DuplicateAddressRequestCodeSuffix: 157,
  DuplicateAddressConfirmationCodeSuffix: 158,
  ExtendedEchoRequest: 160,
  ExtendedEchoReply: 161,
};

/** Agent settings that change how policy is enforced (cilium-config keys; docs.cilium.io "Policy Enforcement Modes"). */
export type PolicyEnforcementMode = 'default' | 'always' | 'never';

export interface CiliumOptions {
  /** `enable-policy` (Helm policyEnforcementMode): default, always or never. */
  policyEnforcementMode?: PolicyEnforcementMode;
  /** `policy-cidr-match-mode`: '' (CIDR rules match only outside the cluster) or 'nodes' (also node addresses). */
  policyCidrMatchMode?: '' | 'nodes';
  /** `cluster-name` (the io.cilium.k8s.policy.cluster label of every pod). */
  clusterName?: string;
  /** `enable-k8s-cluster-network-policy` (Cilium 1.20): enforce ClusterNetworkPolicy. */
  clusterNetworkPolicy?: boolean;
  /** `enable-non-default-deny-policies` (default true): whether enableDefaultDeny: false is honoured. */
  nonDefaultDenyPolicies?: boolean;
}
