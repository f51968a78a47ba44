// Custom LSP messages between the Policy Lens client (panel) and server. Defined once, imported by both.
// Pure types and names: no vscode / LSP imports here, so the webview and playground can use them too.
import type { Connection, Endpoint, Explanation, ProtocolPorts, ReachResult, Trace } from './core/reach-types';
import type { PortabilityReport } from './tools/portability';
import type { Position } from './core/model';
import type { Proposal, SuggestMode, SuggestResult } from './core/suggest/types';
import type { ClassifiedFlow, FlowFileSummary, FlowSummary, UnmatchedRecord, UnobservedPair } from './core/flows/types';
import type { Recommendation } from './core/flows/recommend';

/** Client -> server request: the reachability of the whole workspace (open buffers take precedence over disk). */
export const REACHABILITY_REQUEST = 'policyLens/reachability';
export interface ReachabilityParams {
  /**
   * Compare the current state with a baseline and return the differences. `staged` is the Calico what-if: the
   * result has staged policies applied (never enforced in a cluster) and the diff is against the enforced policies.
   * `cni` is the portability check: the baseline is the same manifests as `cni` enforces them (default: Calico when
   * the workspace is evaluated as Cilium, else Cilium), so `added` = allowed under the workspace's CNI but not under
   * `cni`, `removed` = allowed under `cni` but not here; the response carries the reasons (`portability`).
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

/**
 * Client -> server notification: the user granted Workspace Trust (VS Code's onDidGrantWorkspaceTrust). The server
 * starts with `initializationOptions.workspaceTrusted`; absent or false means Restricted Mode (no git is run).
 * Trust is never revoked within a session (VS Code reloads the window for that).
 */
export const WORKSPACE_TRUSTED_NOTIFICATION = 'policyLens/workspaceTrusted';

/** Server -> client notification: the reachability changed (sent after debounced re-analysis). */
export const REACHABILITY_CHANGED_NOTIFICATION = 'policyLens/reachabilityChanged';
export interface ReachabilityChangedParams {
  version: number;
}

// ---------------------------------------------------------------- compact panel payload (policyLens/reachability)

/**
 * The reachability of the workspace in the compact form the panel renders: equivalence classes of endpoints (no
 * policy can tell the members of a class apart, so every pair between two classes has the same connections) and
 * the allowed class pairs; the diff against a baseline on groups; the posture summary. Defined (and documented
 * field by field) in the core, which computes it: server/src/core/panel-data.ts.
 */
import type { PanelPayload } from './core/panel-data';
export type { PanelDiff, Posture } from './core/panel-data';
export type PanelData = PanelPayload;

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

// ---------------------------------------------------------------- suggestions (policyLens/suggest)

/**
 * Client -> server request: "How do I allow / block this?" for one pair (and optionally one protocol/port). The
 * answer lists verified proposals (core/suggest), each with the LSP WorkspaceEdit that applies it; the client applies
 * one with the `policyLens.applySuggestion` command (vscode.workspace.applyEdit).
 */
export const SUGGEST_REQUEST = 'policyLens/suggest';
export interface SuggestParams {
  src: string;
  dst: string;
  /** TCP, UDP, SCTP (Calico: also ICMP, ICMPv6, ...). Default TCP when a port is given. */
  protocol?: string;
  /** A port or an inclusive range. Default: the destination's declared container ports (allow), what is allowed (block). */
  port?: number | [number, number];
  /** allow / block; default: block when the flow is already allowed, else allow. */
  mode?: SuggestMode;
  /** Suggest against the what-if state with Calico staged policies applied. */
  staged?: boolean;
}

/** An LSP WorkspaceEdit (structurally: documentChanges of versioned text edits and file creations). */
export interface SuggestWorkspaceEdit {
  documentChanges: (
    | { textDocument: { uri: string; version: number | null }; edits: { range: { start: Position; end: Position }; newText: string }[] }
    | { kind: 'create'; uri: string; options?: { ignoreIfExists?: boolean } }
  )[];
}

export interface SuggestionProposal extends Proposal {
  /** Applies the proposal; versioned, so it is refused if an open buffer changed since. */
  edit: SuggestWorkspaceEdit;
  /** The edits as a unified diff (file names relative to the workspace folder when possible). */
  preview: string;
}

export interface SuggestResponse extends Omit<SuggestResult, 'proposals'> {
  proposals: SuggestionProposal[];
}

/**
 * Client -> server notification: the pair the user is looking at (sent when the panel explains a pair). Code actions
 * on the policies involved in that pair then offer the verified "Allow ..." / "Block ..." edits.
 */
export const SUGGEST_CONTEXT_NOTIFICATION = 'policyLens/suggestContext';
export interface SuggestContextParams {
  src: string;
  dst: string;
  staged?: boolean;
}
// ---------------------------------------------------------------- observed traffic (flow logs)

/**
 * Client -> server request: import observed flow files (Calico Whisker / Goldmane JSON, Hubble `-o jsonpb`; gzip
 * accepted; read and streamed by the server) and classify them against the workspace. The panel overlays the answer
 * on the matrix, the graph and the blast radius. Sent again (with the same files) when the workspace changes; the
 * server keeps the aggregated flows and only re-classifies.
 */
export const FLOWS_REQUEST = 'policyLens/flows';
export interface FlowsParams {
  /** Flow files: filesystem paths or file: URIs. */
  files: string[];
  /**
   * Impact preview: the observed flows the current buffers newly block or allow compared with a baseline — the files
   * on disk (`saved`), git HEAD (`head`), or (`staged`) the enforced policies, the current state being the what-if
   * with Calico staged policies applied. Default `none`.
   */
  compare?: 'none' | 'saved' | 'head' | 'staged';
  /**
   * Also list the allowed endpoint pairs no flow was observed on (default true). A number lists them only up to that
   * many pairs: above it `unobserved` is empty and `unobservedOmitted` says so (summary.unobservedPairs counts them).
   */
  unobserved?: boolean | number;
}
export interface FlowsResponse {
  /** The workspace content version the flows were classified against (as in reachabilityChanged). */
  version: number;
  /** Per flow file: formats found, record counts, skipped records by reason, unmatched count, read error. */
  files: (FlowFileSummary & { error?: string })[];
  /**
   * Every observed flow (aggregated over records), classified: `observed` (dataplane) vs `predicted` (engine),
   * `disagreement`, `uncertain` reasons, with `compare` also `baseline` and `change` (newly-blocked / newly-allowed).
   * The dataplane's side of the trace is `reported` (the policies the dataplane named); the engine's side is the
   * existing policyLens/explain request for (src, dst) — for candidates, for each candidate pair.
   */
  flows: ClassifiedFlow[];
  /** The overlay per endpoint pair (matrix cell / graph edge). */
  pairs: FlowPairOverlay[];
  /** Records that map to nothing in the manifests, or could not be read, with file:line and reason. */
  unmatched: UnmatchedRecord[];
  /** Allowed pairs on which no flow was observed (least-privilege slack). */
  unobserved: UnobservedPair[];
  /** Set when the unobserved pairs were more than the request's limit and are not listed. */
  unobservedOmitted?: boolean;
  summary: FlowSummary;
  /** Why the comparison is missing although one was asked for. */
  baselineError?: string;
}

/** What the panel shows on one endpoint pair (src, dst are endpoint ids as in PanelData / ReachResult). */
export interface FlowPairOverlay {
  src: string;
  dst: string;
  /**
   * `observed-allowed`, `observed-denied`, or `mixed` (some flows of the pair allowed, some denied). A pair allowed by
   * the engine with no overlay entry is "allowed but never observed" (listed in FlowsResponse.unobserved).
   */
  state: 'observed-allowed' | 'observed-denied' | 'mixed';
  allowedCount: number;
  deniedCount: number;
  /** Indices into FlowsResponse.flows. */
  flows: number[];
  /** Flows of the pair where the engine's verdict differs from the observed one. */
  disagreements: number;
  uncertain: number;
  newlyBlocked: number;
  newlyAllowed: number;
  /** True when some flow of the pair only may be between these endpoints (its end has several candidates). */
  ambiguous?: boolean;
}

/** Client -> server request: least-privilege policy from observed flows, verified with the engine. */
export const RECOMMEND_REQUEST = 'policyLens/recommend';
export interface RecommendParams {
  files: string[];
  dialect?: 'kubernetes' | 'calico' | 'cnp';
  /** Calico StagedNetworkPolicy (implies the calico dialect). */
  staged?: boolean;
  /** ClusterNetworkPolicy tier (default Baseline). */
  cnpTier?: 'Baseline' | 'Admin';
}
export type RecommendResponse = Omit<Recommendation, 'objects'> & { files: (FlowFileSummary & { error?: string })[] };
