// Typed model of the projectcalico.org/v3 resources Policy Lens reasons about.
// Pure data: no vscode / LSP imports. Field names follow the Calico API (api/pkg/apis/projectcalico/v3) and
// https://docs.tigera.io/calico/latest/reference/resources/ .
import type { Cidr } from '../../ip';
import type { Labels, SourceRange } from '../../model';
import type { SelectorNode } from './selector';

export const CALICO_API_VERSION = 'projectcalico.org/v3';

export type CalicoPolicyKind =
  | 'NetworkPolicy'
  | 'GlobalNetworkPolicy'
  | 'StagedNetworkPolicy'
  | 'StagedGlobalNetworkPolicy';
export type CalicoKind = CalicoPolicyKind | 'NetworkSet' | 'GlobalNetworkSet' | 'Tier';
export const CALICO_KINDS: readonly CalicoKind[] = [
  'NetworkPolicy',
  'GlobalNetworkPolicy',
  'StagedNetworkPolicy',
  'StagedGlobalNetworkPolicy',
  'NetworkSet',
  'GlobalNetworkSet',
  'Tier',
];

export type CalicoAction = 'Allow' | 'Deny' | 'Log' | 'Pass';
export const CALICO_ACTIONS: readonly CalicoAction[] = ['Allow', 'Deny', 'Log', 'Pass'];
export type CalicoPolicyType = 'Ingress' | 'Egress';
export type TierDefaultAction = 'Deny' | 'Pass';
/** StagedNetworkPolicy / StagedGlobalNetworkPolicy spec.stagedAction (default Set). */
export type StagedAction = 'Set' | 'Delete' | 'Learn' | 'Ignore';
export const STAGED_ACTIONS: readonly StagedAction[] = ['Set', 'Delete', 'Learn', 'Ignore'];

export type CalicoProtocolName = 'TCP' | 'UDP' | 'ICMP' | 'ICMPv6' | 'SCTP' | 'UDPLite';
/** IANA numbers of the named protocols. */
export const CALICO_PROTOCOL_NUMBERS: Readonly<Record<CalicoProtocolName, number>> = {
  ICMP: 1,
  TCP: 6,
  UDP: 17,
  ICMPv6: 58,
  SCTP: 132,
  UDPLite: 136,
};

/** Well-known tiers (api/pkg/apis/projectcalico/v3/tier.go). */
export const DEFAULT_TIER = 'default';
export const DEFAULT_TIER_ORDER = 1_000_000;
export const KUBE_ADMIN_TIER = 'kube-admin';
export const KUBE_ADMIN_TIER_ORDER = 1_000;
export const KUBE_BASELINE_TIER = 'kube-baseline';
export const KUBE_BASELINE_TIER_ORDER = 10_000_000;
/** Kubernetes NetworkPolicies are enforced as Calico policies in the default tier at this order. */
export const K8S_NETWORK_POLICY_ORDER = 1000;

export interface CalicoProtocol {
  /** The canonical name when the protocol is one of the named ones (also when written as its number). */
  name?: CalicoProtocolName;
  /** Protocol number 1-255. */
  number: number;
  /** As written in YAML (e.g. `TCP`, `6`). */
  written: string;
  range?: SourceRange;
}

/** Whether this protocol has ports (TCP 6, UDP 17, SCTP 132), per numorstring.Protocol.SupportsPorts. */
export function protocolSupportsPorts(p: CalicoProtocol): boolean {
  return p.number === 6 || p.number === 17 || p.number === 132;
}

/** A parsed selector field. `ast` is undefined when the text does not parse (a diagnostic was emitted). */
export interface CalicoSelector {
  /** The selector text (YAML-decoded value). */
  text: string;
  ast?: SelectorNode;
  /** Calico's canonical form; undefined when it does not parse. */
  canonical?: string;
  /** Range of the whole YAML scalar. */
  range?: SourceRange;
  /**
   * File offset (UTF-16) of each character of `text`, plus one entry for the end (length text.length + 1), so
   * selector offsets map to the file even through YAML quoting. Undefined when the mapping is unknown.
   */
  offsets?: number[];
}

/** One entry of `ports` / `notPorts`: a number, a "lo:hi" range or a named port. */
export type CalicoPort =
  | { kind: 'range'; min: number; max: number; range?: SourceRange }
  | { kind: 'named'; name: string; range?: SourceRange };

export interface ServiceAccountMatch {
  names?: string[];
  selector?: CalicoSelector;
  range?: SourceRange;
}

export interface ServiceMatch {
  name: string;
  namespace?: string;
  range?: SourceRange;
}

export interface CalicoNet {
  /** As written. */
  text: string;
  /** Address interval; a bare IP address (accepted in NetworkSets) is a /32 or /128. */
  cidr: Cidr;
  range?: SourceRange;
}

/** Source / destination match criteria; every present field must match (AND). */
export interface EntityRule {
  nets?: CalicoNet[];
  notNets?: CalicoNet[];
  selector?: CalicoSelector;
  notSelector?: CalicoSelector;
  namespaceSelector?: CalicoSelector;
  serviceAccounts?: ServiceAccountMatch;
  services?: ServiceMatch;
  ports?: CalicoPort[];
  notPorts?: CalicoPort[];
  range?: SourceRange;
}

export interface IcmpMatch {
  type?: number;
  code?: number;
  range?: SourceRange;
}

export interface CalicoRule {
  /** 0-based index in its direction's list. */
  index: number;
  direction: CalicoPolicyType;
  action: CalicoAction;
  ipVersion?: 4 | 6;
  protocol?: CalicoProtocol;
  notProtocol?: CalicoProtocol;
  icmp?: IcmpMatch;
  notICMP?: IcmpMatch;
  source: EntityRule;
  destination: EntityRule;
  /** True when the rule has an `http` match (application layer policy; not evaluated offline). */
  hasHttpMatch: boolean;
  annotations?: Record<string, string>;
  range?: SourceRange;
  actionRange?: SourceRange;
}

export interface CalicoMetadata {
  name: string;
  /** Namespaced kinds only. */
  namespace?: string;
  /** True when metadata.namespace was absent and the default namespace was assumed. */
  namespaceDefaulted?: boolean;
  labels: Labels;
  range?: SourceRange;
  nameRange?: SourceRange;
}

/** Shared by every resource: `invalid` is true when an error-severity diagnostic was reported for it, i.e. the
 * Calico API server would reject the object (analysis may still use the best-effort model). */
export interface CalicoResourceBase {
  apiVersion: typeof CALICO_API_VERSION;
  invalid: boolean;
}

export interface CalicoPolicy extends CalicoResourceBase {
  kind: CalicoPolicyKind;
  /** `namespace/name` for namespaced kinds, `name` for global ones. */
  id: string;
  metadata: CalicoMetadata;
  /** True for NetworkPolicy / StagedNetworkPolicy. */
  namespaced: boolean;
  /** True for the Staged* kinds: they never enforce traffic. */
  staged: boolean;
  stagedAction?: StagedAction;
  /** spec.tier, defaulted to "default". */
  tier: string;
  tierDefaulted: boolean;
  /** spec.order; undefined = "infinite" (applied last in its tier). */
  order?: number;
  /** spec.selector; absent/empty = all(). Always set (all() when absent). */
  selector: CalicoSelector;
  selectorDefaulted: boolean;
  /** spec.namespaceSelector (global kinds only); undefined when absent. */
  namespaceSelector?: CalicoSelector;
  /** spec.serviceAccountSelector; undefined when absent (= all()). */
  serviceAccountSelector?: CalicoSelector;
  /** Effective types after Calico defaulting. */
  types: CalicoPolicyType[];
  /** spec.types as written; undefined when absent or empty (then `types` was defaulted). */
  declaredTypes?: CalicoPolicyType[];
  ingress: CalicoRule[];
  egress: CalicoRule[];
  /** GlobalNetworkPolicy host-endpoint options. */
  doNotTrack?: boolean;
  preDNAT?: boolean;
  applyOnForward?: boolean;
  range?: SourceRange;
  specRange?: SourceRange;
  typesRange?: SourceRange;
  orderRange?: SourceRange;
  tierRange?: SourceRange;
}

export interface CalicoNetworkSet extends CalicoResourceBase {
  kind: 'NetworkSet' | 'GlobalNetworkSet';
  /** `namespace/name` for NetworkSet, `name` for GlobalNetworkSet. */
  id: string;
  metadata: CalicoMetadata;
  namespaced: boolean;
  nets: CalicoNet[];
  range?: SourceRange;
}

export interface CalicoTier extends CalicoResourceBase {
  kind: 'Tier';
  id: string;
  metadata: CalicoMetadata;
  /** spec.order; undefined = "infinite" (last). */
  order?: number;
  /** spec.defaultAction, defaulted to Deny. */
  defaultAction: TierDefaultAction;
  defaultActionDefaulted: boolean;
  range?: SourceRange;
  orderRange?: SourceRange;
}

export type CalicoResource = CalicoPolicy | CalicoNetworkSet | CalicoTier;

export function isCalicoPolicy(r: CalicoResource): r is CalicoPolicy {
  return r.kind !== 'NetworkSet' && r.kind !== 'GlobalNetworkSet' && r.kind !== 'Tier';
}
export function isCalicoNetworkSet(r: CalicoResource): r is CalicoNetworkSet {
  return r.kind === 'NetworkSet' || r.kind === 'GlobalNetworkSet';
}
export function isCalicoTier(r: CalicoResource): r is CalicoTier {
  return r.kind === 'Tier';
}

/**
 * Calico's defaulting of spec.types when it is absent or empty (api/pkg/defaults/networkpolicy.go,
 * "Types" in https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#spec):
 * no egress rules -> [Ingress] (even with no ingress rules either); egress but no ingress rules -> [Egress];
 * both -> [Ingress, Egress].
 */
export function defaultPolicyTypes(ingressRuleCount: number, egressRuleCount: number): CalicoPolicyType[] {
  if (egressRuleCount === 0) return ['Ingress'];
  if (ingressRuleCount === 0) return ['Egress'];
  return ['Ingress', 'Egress'];
}

/** The tiers Calico always has, for evaluation when no Tier resource is given. */
export function builtinTier(name: string): { order: number; defaultAction: TierDefaultAction } | undefined {
  if (name === DEFAULT_TIER) return { order: DEFAULT_TIER_ORDER, defaultAction: 'Deny' };
  if (name === KUBE_ADMIN_TIER) return { order: KUBE_ADMIN_TIER_ORDER, defaultAction: 'Pass' };
  if (name === KUBE_BASELINE_TIER) return { order: KUBE_BASELINE_TIER_ORDER, defaultAction: 'Pass' };
  return undefined;
}
