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

export interface Connection {
  src: string;
  dst: string;
  protocols: ProtocolPorts;
  explanation: Explanation;
}

export interface ReachResult {
  endpoints: Endpoint[];
  /** Allowed connections; pairs with nothing allowed are omitted, as are self-connections. */
  connections: Connection[];
  diagnostics: Diagnostic[];
}
