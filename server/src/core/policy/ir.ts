// The one policy model every dialect lowers into (Kubernetes NetworkPolicy, Calico, ClusterNetworkPolicy,
// AdminNetworkPolicy/BaselineAdminNetworkPolicy, ...), and the only thing the evaluator reads.
//
//   tiers in order -> policies in order -> rules in order
//
// * A rule has an action (Allow, Deny, Pass, Log), the peers it matches (matchers, OR-ed), an optional constraint
//   on the policy's own endpoint, the connections it covers (possibly named ports resolved on the destination) and
//   its source range. Within one direction the first rule that covers a connection decides it (Log records and
//   continues; Pass leaves the tier).
// * A policy selects its subject endpoints (a matcher) for the directions it applies to. When a policy that
//   `isolates` a direction selects an endpoint, the tier "applies" to that endpoint: whatever no rule of the tier
//   decided gets the tier's end action (Deny: dropped; Pass: handed to the next tier). A tier where no isolating
//   policy selects the endpoint is transparent (its rules still run; undecided traffic goes on).
// * What leaves the last tier undecided gets the model's default action (allowed: Kubernetes allows traffic no
//   policy isolates; Calico's namespace profile allows what passed every tier).
// * A connection needs the egress of its source and the ingress of its destination to allow it.
//
// Pure data plus closures: no vscode / LSP / Node imports (core purity invariant).
import type { Labels, SourceRange, Workload } from '../model';
import type { ConnSet } from '../ports';
import type { Family } from '../ip';

export type Direction = 'Ingress' | 'Egress';
export const DIRECTIONS: readonly Direction[] = ['Egress', 'Ingress'];
export type RuleAction = 'Allow' | 'Deny' | 'Pass' | 'Log';

/** Which language a policy was written in. */
export type Dialect = 'kubernetes' | 'calico' | 'cnp' | 'anp' | 'banp' | 'cilium';

/** An external address interval (an "atom": no policy boundary falls inside it), with the network sets holding it. */
export interface AddressAtom {
  family: Family;
  lo: bigint;
  hi: bigint;
  /** Labels of Calico network sets whose nets contain the whole interval (selectors reach addresses through them). */
  sets: { namespace?: string; labels: Labels }[];
}

/** What a matcher can look at. Indices are positions in `workloads`. */
export interface WorldView {
  readonly workloads: readonly Workload[];
  /** Labels of every namespace (including kubernetes.io/metadata.name). */
  readonly nsLabels: ReadonlyMap<string, Labels>;
  /** Workload indices per namespace. */
  readonly byNamespace: ReadonlyMap<string, readonly number[]>;
}

/**
 * A predicate over endpoints (workloads, external address atoms, named external destinations), interned by `key`:
 * two matchers with the same key must match exactly the same endpoints in every world.
 */
export interface Matcher {
  readonly key: string;
  /** Every workload index it matches (may use the world's namespace index to avoid a full scan). */
  workloads(world: WorldView): number[];
  /** Does it match workload `i`? (Used when only a few workloads changed.) */
  matchesWorkload(world: WorldView, i: number): boolean;
  /** Does it match every address of the atom? (Atoms are cut at every boundary, so it is all or nothing.) */
  matchesAtom(atom: AddressAtom): boolean;
  /** Does it match a named external destination (a DNS name such as `api.example.com`)? */
  matchesDomain?(domain: string): boolean;
  /** Address interval boundaries this matcher needs (external atoms are cut there). */
  boundaries?(): { family: Family; lo: bigint; hi: bigint }[];
  /** DNS names this matcher introduces as named external endpoints. */
  domains?(): string[];
}

/** A named port a rule refers to; resolved on the destination workload's container ports. */
export interface NamedPort {
  name: string;
  /** Only container ports of this protocol; undefined = any protocol of a port with that name. */
  protocol?: string;
}

/** Port list of a rule: constant (protocol, port-range) pairs plus named ports. */
export interface PortList {
  ranges: ConnSet;
  named: NamedPort[];
}

/**
 * The connections a rule covers: `base` ∩ (ports ∪ named ports of the destination) − (notPorts ∪ named notPorts).
 * `ports` undefined = no port restriction.
 */
export interface ConnSpec {
  base: ConnSet;
  ports?: PortList;
  notPorts?: PortList;
}

export interface Rule {
  /** 0-based index in the direction's list as written. */
  index: number;
  /** Rule name, where the dialect has one (ClusterNetworkPolicy). */
  name?: string;
  action: RuleAction;
  /** Peers the rule matches (any of them); undefined = every peer. An empty list matches nothing. */
  peers?: Matcher[];
  /** Constraint on the policy's own endpoint (Calico: the destination of an ingress rule); undefined = none. */
  self?: Matcher;
  conns: ConnSpec;
  range?: SourceRange;
  /** A note the explanation shows with this rule (e.g. "L7 rules apply at the proxy", "fails closed"). */
  note?: string;
}

export interface Policy {
  /** Unique in the model, e.g. `NetworkPolicy shop/allow-web`. */
  uid: string;
  dialect: Dialect;
  /** The resource kind as written (NetworkPolicy, GlobalNetworkPolicy, ClusterNetworkPolicy, ...). */
  kind: string;
  name: string;
  namespace?: string;
  /** How explanations name it: `namespace/name` for namespaced policies, `name` for cluster-wide ones. */
  display: string;
  /** Precedence inside its tier as written (Calico order, CNP priority); for display. */
  priority?: number;
  range?: SourceRange;
  /** Endpoints the policy applies to. */
  subject: Matcher;
  /** Directions whose rules count. */
  directions: Direction[];
  /** Directions for which selecting an endpoint makes the tier's end action apply to it. */
  isolates: Direction[];
  ingress: Rule[];
  egress: Rule[];
}

export interface Tier {
  /** Stable name (`kube-admin`, `default`, `kube-baseline`, a Calico tier name, `kubernetes`). */
  name: string;
  /** How explanations name it ("Admin tier", "Kubernetes NetworkPolicy", "Calico tier security"). */
  label: string;
  order?: number;
  /** What the tier does with traffic none of its rules decided, for endpoints it applies to. */
  endAction: 'Deny' | 'Pass';
  range?: SourceRange;
  policies: Policy[];
}

export interface PolicyModel {
  /** Every connection the world knows (Kubernetes: all TCP/UDP/SCTP ports; Calico and Cilium add ICMP, ...). */
  universe: ConnSet;
  tiers: Tier[];
  /** How explanations name what allows traffic that left the last tier undecided. */
  defaultLabel: string;
  /** Extra address boundaries (e.g. Calico network sets), besides those of the matchers. */
  boundaries: { family: Family; lo: bigint; hi: bigint }[];
  /** Network sets: give external atoms their labels. */
  networkSets: { namespace?: string; labels: Labels; nets: { family: Family; lo: bigint; hi: bigint }[] }[];
}

/** The rules of a policy for a direction. */
export function rulesOf(p: Policy, d: Direction): Rule[] {
  return d === 'Ingress' ? p.ingress : p.egress;
}
