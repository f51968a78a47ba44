// Types of the "How do I allow / block this?" suggestions (core/suggest): the request, the verified proposals, and
// the contract between the search (core/suggest/index.ts) and the per-dialect writers
// (core/dialects/<dialect>/suggest.ts). Pure data: no vscode / LSP imports.
import type { Position, Workload } from '../model';
import type { ProtocolPorts, DirectionTrace, TraceStep } from '../reach-types';
import type { ConnSet } from '../ports';
import type { Family } from '../ip';
import type { Analysis } from '../analysis';
import type { Dialect, Direction, Policy, Tier } from '../policy/ir';

export type SuggestMode = 'allow' | 'block';

export interface SuggestRequest {
  /** Source endpoint: a workload id (namespace/name), an external range id, an IP address or a CIDR. */
  src: string;
  dst: string;
  /** Protocol name (TCP, UDP, SCTP; with Calico also ICMP, ICMPv6, ...). Default TCP when a port is given. */
  protocol?: string;
  /** A port or an inclusive port range. */
  port?: number | [number, number];
  /**
   * `allow`: make the flow allowed; `block`: make it denied. Default: `block` when the requested flow is already
   * entirely allowed, else `allow`.
   */
  mode?: SuggestMode;
}

/** One text replacement in a file: offsets (UTF-16) and positions (0-based line/character) in the original text. */
export interface TextEditSpec {
  startOffset: number;
  endOffset: number;
  start: Position;
  end: Position;
  newText: string;
}

export interface FileEdit {
  /** Path or URI, as given in the input files (or, with `create`, a new file beside them). */
  file: string;
  /** True when the file does not exist yet (the edits then hold its whole text). */
  create?: boolean;
  edits: TextEditSpec[];
  /** The change as unified diff hunks (`@@ -a,b +c,d @@` and lines), without file headers. */
  hunks: string;
}

/** One endpoint pair whose allowed connections the proposal changes. */
export interface FlowChange {
  src: string;
  dst: string;
  protocols: ProtocolPorts;
  /** True for (part of) the requested flow; false for a change the request did not ask for ("also allows ..."). */
  requested: boolean;
}

export interface Effect {
  /** Connections newly allowed. */
  added: FlowChange[];
  /** Connections newly denied. */
  removed: FlowChange[];
  /** Pairs not listed because there were too many (counted endpoint pairs). */
  omitted: number;
}

export type StepKind =
  | 'extend-ports'
  | 'extend-peers'
  | 'add-rule'
  | 'insert-rule'
  | 'new-policy'
  | 'remove-peer'
  | 'exclude-peer'
  | 'remove-port'
  | 'remove-rule';

export interface Proposal {
  /** Stable within one answer (`p1`, `p2`, ...). */
  id: string;
  /** Plain English, e.g. "Add an ingress rule to data/redis allowing TCP 6379 from backend/api". */
  title: string;
  /** The kinds of the steps, in order. */
  kinds: StepKind[];
  dialects: Dialect[];
  /** True when the effect is exactly the requested flow; false when it also changes other flows (listed). */
  exact: boolean;
  edits: FileEdit[];
  /** What the edit does to the reachability, computed by re-parsing the edited files and analysing them again. */
  effect: Effect;
}

export interface SuggestResult {
  src: string;
  dst: string;
  mode: SuggestMode;
  /** The flow the proposals make allowed (allow) or denied (block). */
  requested: ProtocolPorts;
  /** What is allowed between src and dst now. */
  current: ProtocolPorts;
  proposals: Proposal[];
  /** Why there are no (or few) proposals, and other remarks. */
  notes: string[];
  /** Set instead of proposals when the request cannot be answered (unknown endpoint, same workload, ...). */
  problem?: string;
}

// ---------------------------------------------------------------- writer contract

/** An endpoint of the request as the writers see it. */
export interface EndpointInfo {
  /** The id the analysis uses (workload id or external range id). */
  id: string;
  workload?: Workload;
  /** For external endpoints: the requested address interval and its CIDRs. */
  interval?: { family: Family; lo: bigint; hi: bigint };
  cidrs?: string[];
}

/** A text change on the current state of a file (absolute offsets), or a new file. */
export interface TextChange {
  file: string;
  start: number;
  end: number;
  newText: string;
  create?: boolean;
}

/** One step a writer proposes: text changes plus words. */
export interface StepCandidate {
  /** Lower-case sentence fragment ("add an ingress rule to data/redis allowing TCP 6379 from backend/api"). */
  title: string;
  kind: StepKind;
  dialect: Dialect;
  changes: TextChange[];
  /** Lower is preferred (how invasive the step is). */
  cost: number;
}

/** The state a step is computed on. */
export interface SuggestState {
  files: ReadonlyMap<string, string>;
  analysis: Analysis;
}

/**
 * What a writer is asked: change direction `side` of endpoint `self` (the source for Egress, the destination for
 * Ingress) so that `conns` towards/from `peer` become allowed (mode allow) or denied (mode block). `step` is the
 * trace step that decides them now (allow: the first Deny rule or tier end; block: an Allow rule or the default),
 * with its tier and, for rule steps, its policy.
 */
export interface SideRequest {
  mode: SuggestMode;
  state: SuggestState;
  side: Direction;
  self: EndpointInfo & { workload: Workload };
  peer: EndpointInfo;
  /** The destination workload of the flow (named ports resolve on it), if it is a workload. */
  dst?: Workload;
  conns: ConnSet;
  trace: DirectionTrace;
  step: TraceStep;
  tier?: Tier;
  policy?: Policy;
  /** Policies of the step's tier that select `self` for `side`, in evaluation order. */
  tierPolicies: Policy[];
  /** Existing policy names per namespace (and '' for cluster-wide), to pick unused names. */
  takenNames: (namespace: string | undefined) => Set<string>;
}

export interface DialectSuggester {
  readonly dialect: Dialect;
  /** The writer's candidate steps. It may throw: the search then offers nothing from it for this step. */
  propose(req: SideRequest): StepCandidate[];
  /**
   * Why the writer cannot (fully) help with the step of `req`, in words (e.g. a deprecated kind it never edits, a
   * peer its rules cannot name); shown when no proposal is verified.
   */
  why?(req: SideRequest): string | undefined;
}
