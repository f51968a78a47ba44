// The reachability result contract shared by the CLI (`--output json`), the language server's
// `policyLens/reachability` request, the webview panel and the playground.
import type { Diagnostic, Labels, SourceRange } from './model';

/** Inclusive port range. */
export type PortRange = [number, number];

/** Allowed ports per protocol name ("TCP", "UDP", "SCTP"; Calico adds others). A protocol with no ports is omitted. */
export type ProtocolPorts = Record<string, PortRange[]>;

export interface Endpoint {
  /** `namespace/name` for workloads; an address range `a.b.c.d-e.f.g.h` for external peers. */
  id: string;
  /** Workload kind (Pod, Deployment, ReplicaSet, ...) or `External`. */
  kind: string;
  namespace?: string;
  name: string;
  labels: Labels;
  range?: SourceRange;
}

/** A reference to one rule of one policy. */
export interface RuleRef {
  /** `namespace/name` of the policy. */
  policy: string;
  direction: 'Ingress' | 'Egress';
  /** 0-based index of the rule inside the direction's list. */
  ruleIndex: number;
  range?: SourceRange;
  /** What this rule alone contributes for the pair. */
  protocols: ProtocolPorts;
}

export interface PolicyRef {
  policy: string;
  range?: SourceRange;
}

/** Why one direction (egress of the source, ingress of the destination) allowed what it allowed. */
export interface DirectionVerdict {
  /** False when no policy selects the endpoint for this direction: everything is allowed. */
  isolated: boolean;
  /** Policies that select the endpoint for this direction. */
  selectedBy: PolicyRef[];
  /** Rules that allow something for this pair. */
  allowedBy: RuleRef[];
  /** What this direction allows on its own. */
  protocols: ProtocolPorts;
  /** Plain-English sentence. */
  text: string;
}

export interface Explanation {
  /** One plain-English paragraph. */
  summary: string;
  /** Egress side (of the source); absent when the source is external. */
  egress?: DirectionVerdict;
  /** Ingress side (of the destination); absent when the destination is external. */
  ingress?: DirectionVerdict;
}

/** A rule that allowed (part of) a connection: the policy as explanations name it, and the rule's 0-based index. */
export interface AllowingRule {
  policy: string;
  ruleIndex: number;
  range?: SourceRange;
}

/**
 * Which rules allowed a connection, per direction (kept small: one per connection in `reach --output json`);
 * the full trace, denying steps included, comes from `explain`.
 */
export interface ConnectionExplanation {
  /** Egress of the source; absent when the source is external. `isolated: false`: no policy restricts it. */
  egress?: { isolated: boolean; allowedBy: AllowingRule[] };
  /** Ingress of the destination; absent when the destination is external. */
  ingress?: { isolated: boolean; allowedBy: AllowingRule[] };
}

export interface Connection {
  src: string;
  dst: string;
  protocols: ProtocolPorts;
  explanation: ConnectionExplanation;
}

export interface ReachResult {
  endpoints: Endpoint[];
  /** Allowed connections; pairs with nothing allowed are omitted, as are self-connections. */
  connections: Connection[];
  diagnostics: Diagnostic[];
}

// ---------------------------------------------------------------- the explanation trace (one shape for every surface)

/** What decided (part of) one direction of a connection: a rule, a tier's end, or the default. */
export interface TraceStep {
  /** `rule`: a rule of a policy matched; `tier-end`: the tier's end action took what no rule decided; `default`:
   * what left the last tier undecided is allowed (no policy isolates the endpoint, or Calico's namespace profile). */
  kind: 'rule' | 'tier-end' | 'default';
  /** Tier name (`kube-admin`, `default`, `kubernetes`, a Calico tier, ...); absent for `default`. */
  tier?: string;
  /** How the tier is called in words ("Admin tier", "Kubernetes NetworkPolicy", "Calico tier security"). */
  tierLabel?: string;
  /** What happened to `conns`: Allow, Deny, Pass (to the next tier), Log (recorded, evaluation continues). */
  action: 'Allow' | 'Deny' | 'Pass' | 'Log';
  /** For `rule` steps: the policy as explanations name it (`namespace/name`, or `name` for cluster-wide kinds). */
  policy?: string;
  /** Resource kind of the policy (NetworkPolicy, GlobalNetworkPolicy, ClusterNetworkPolicy, ...). */
  policyKind?: string;
  /** 0-based index of the rule inside its direction's list. */
  ruleIndex?: number;
  ruleName?: string;
  /** The connections this step decided (for `rule` steps: those the rule matched and nothing earlier decided). */
  conns: ProtocolPorts;
  /** Source of the rule (or of the Tier object for a tier end). */
  range?: SourceRange;
  /** Extra words the formatter shows with the step (e.g. "L7 rules apply at the proxy"). */
  note?: string;
}

export interface PolicyTraceRef {
  policy: string;
  policyKind: string;
  tier: string;
  range?: SourceRange;
}

/** One direction (egress of the source or ingress of the destination) walked tier by tier. */
export interface DirectionTrace {
  direction: 'Egress' | 'Ingress';
  /** The endpoint whose policies are walked (the source for egress, the destination for ingress). */
  self: string;
  peer: string;
  /** True when some tier's end action applied (an isolating policy selects `self` for this direction). */
  isolated: boolean;
  /** Policies selecting `self` for this direction, in evaluation order. */
  selectedBy: PolicyTraceRef[];
  /** Every decision, in evaluation order. */
  steps: TraceStep[];
  /** What this direction allows on its own. */
  allowed: ProtocolPorts;
}

/** The structured explanation of one (src, dst) pair. CLI, hover, panel and playground render this one shape. */
export interface Trace {
  src: string;
  dst: string;
  /** What is allowed from src to dst (egress ∩ ingress). */
  allowed: ProtocolPorts;
  /** Absent when src is external (no egress policies apply to it). */
  egress?: DirectionTrace;
  /** Absent when dst is external. */
  ingress?: DirectionTrace;
  /** Set instead of the directions when an id is not an endpoint, or src = dst. */
  problem?: string;
  /** Which semantics evaluated it (e.g. "Kubernetes NetworkPolicy", "Calico"), for the header. */
  evaluatedAs?: string;
}
