// Custom LSP messages between the Policy Lens client (panel) and server. Defined once, imported by both.
// Pure types and names: no vscode / LSP imports here, so the webview and playground can use them too.
import type { Connection, Endpoint, Explanation, ProtocolPorts, ReachResult, Trace } from './core/reach-types';
import type { PortabilityReport } from './tools/portability';

/** Client -> server request: the reachability of the whole workspace (open buffers take precedence over disk). */
export const REACHABILITY_REQUEST = 'policyLens/reachability';
export interface ReachabilityParams {
  /**
   * Compare the current state with a baseline and return the differences. `staged` is the Calico what-if: the
   * result has staged policies applied (never enforced in a cluster) and the diff is against the enforced policies.
   * `cni` is the portability check: the baseline is the same manifests as `cni` enforces them (default: Calico when
   * the workspace is evaluated as Cilium, else Cilium); the response carries the reasons (`portability`).
   */
  compare?: 'none' | 'saved' | 'head' | 'staged' | 'cni';
  /** With compare 'cni': the CNI to compare with (kubernetes, calico or cilium). */
  cni?: string;
  /** Also return the expanded result (every connection) and its diff: for tests and small workspaces only. */
  legacy?: boolean;
}
export interface ReachDiff {
  /** Connections (or parts of them) allowed now but not in the baseline. */
  added: Connection[];
  /** Connections (or parts of them) allowed in the baseline but not now. */
  removed: Connection[];
}
export interface ReachabilityResponse {
  /** The workspace content version this answer analysed (see policyLens/reachabilityChanged). */
  version: number;
  /** The comparison that `data.diff` answers. */
  compare: 'none' | 'saved' | 'head' | 'staged' | 'cni';
  /** Which CNI's semantics evaluated the workspace, and how it was chosen (setting, detected or default). */
  cni?: { cni: 'kubernetes' | 'calico' | 'cilium'; how: 'setting' | 'detected' | 'default'; evaluatedAs: string };
  /**
   * With compare 'cni': every flow whose verdict differs between the baseline CNI and the workspace's CNI, with
   * what each allows and the reasons (a kind one CNI ignores, ICMP, ipBlock and pod addresses, named ports, ...).
   */
  portability?: PortabilityReport;
  /** The reachability in the compact form the panel renders. */
  data: PanelData;
  /** With `legacy`: every connection, expanded. */
  result?: ReachResult;
  /** True when some YAML is broken and the last good state of those files is shown. */
  stale: boolean;
  /** Files whose last good state was used. */
  staleFiles: string[];
  diff?: ReachDiff;
  /** Why `diff` is absent although a comparison was asked for (e.g. the workspace is not a git repository). */
  baselineError?: string;
}

/** Client -> server request: explain one (src, dst) pair, allowed or not. */
export const EXPLAIN_REQUEST = 'policyLens/explain';
export interface ExplainParams {
  src: string;
  dst: string;
  /** Explain the what-if state with Calico staged policies applied. */
  staged?: boolean;
}
/** The explanation in words plus the structured trace every surface renders. */
export type ExplainResponse = Explanation & { trace: Trace };

/** Server -> client notification while a reachability answer is being computed (long analyses only). */
export const REACHABILITY_PROGRESS_NOTIFICATION = 'policyLens/reachabilityProgress';
export interface ReachabilityProgressParams {
  /** The content version being analysed. */
  version: number;
  done: number;
  total: number;
}

/** Server -> client notification: the reachability changed (sent after debounced re-analysis). */
export const REACHABILITY_CHANGED_NOTIFICATION = 'policyLens/reachabilityChanged';
export interface ReachabilityChangedParams {
  version: number;
}

// ---------------------------------------------------------------- compact panel payload (policyLens/reachability v2)

/**
 * The reachability of the workspace in the compact form the panel renders: equivalence classes of endpoints (no
 * policy can tell the members of a class apart, so every pair between two classes has the same connections) and
 * the allowed class pairs. 5,000 workloads stay a few MB. Explanations are fetched on demand (policyLens/explain).
 */
export interface PanelData {
  /** Workloads first (sorted by namespace, then name), then external endpoints. Cells refer to endpoints by index. */
  endpoints: Endpoint[];
  /** Each workload is in exactly one class; each external endpoint is a class of its own. */
  classes: PanelClass[];
  /** Distinct connection sets; cells refer to them by index. */
  conns: ProtocolPorts[];
  /**
   * Allowed class pairs [srcClass, dstClass, connIndex]. A pair (c, c) holds between distinct members of c.
   * Pairs with nothing allowed are absent; external -> external pairs are never analysed.
   */
  cells: [number, number, number][];
  /** What changed against the baseline, on groups of endpoints (see PanelDiff). */
  diff?: PanelDiff;
  /** At-a-glance findings (computed by the server). */
  posture?: Posture;
  /** Objects of policy kinds that are not modelled (their rules are not part of this reachability). */
  leftOut: { kind: string; count: number }[];
  /** Counts of diagnostics by severity over the analysed files. */
  problems: { errors: number; warnings: number };
  /** Which semantics evaluated the workspace ("Kubernetes NetworkPolicy", "Calico", ...). */
  evaluatedAs: string;
}

export interface PanelClass {
  /** Endpoint indices, sorted. */
  members: number[];
}

/**
 * The difference with the baseline, on the common refinement of the current and the baseline classes: every group
 * is a set of endpoints that both analyses treat alike. Each entry [srcGroup, dstGroup, connIndex] says which
 * connections (PanelData.conns) became newly allowed (`added`) or newly blocked (`removed`) between every member of
 * the source group and every member of the destination group (distinct endpoints).
 */
export interface PanelDiff {
  groups: number[][];
  added: [number, number, number][];
  removed: [number, number, number][];
}

export interface Posture {
  /** Workloads no policy isolates for ingress / egress (endpoint indices). */
  notIsolatedIngress: number[];
  notIsolatedEgress: number[];
  /** Workloads some external address can reach, and workloads that can reach some external address. */
  reachableFromOutside: number[];
  canReachInternet: number[];
  /** Namespaces holding workloads where some workload is not isolated in both directions (no default deny). */
  namespacesWithoutDefaultDeny: string[];
  /** The workloads that reach the most other workloads, most first: [endpoint index, reachable count]. */
  largestBlastRadius: [number, number][];
}

// ---------------------------------------------------------------- engine tools (VS Code language-model tools)

/**
 * Client -> server request: run one engine tool (reach, explain, what_if, check, blast_radius; server/src/tools/)
 * against the server's state (workspace manifests, open buffers taking precedence). The client's language-model
 * tools forward to it, so assistants in VS Code get the same answers as `policy-lens mcp`.
 */
export const TOOL_REQUEST = 'policyLens/tool';
export interface ToolParams {
  tool: 'reach' | 'explain' | 'what_if' | 'check' | 'blast_radius';
  input: Record<string, unknown>;
}
export type ToolResponse = { ok: true; result: Record<string, unknown> } | { ok: false; error: string };
