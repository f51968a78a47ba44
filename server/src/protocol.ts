// Custom LSP messages between the Policy Lens client (panel) and server. Defined once, imported by both.
// Pure types and names: no vscode / LSP imports here, so the webview and playground can use them too.
import type { Connection, Explanation, ReachResult } from './core/reach-types';

/** Client -> server request: the reachability of the whole workspace (open buffers take precedence over disk). */
export const REACHABILITY_REQUEST = 'policyLens/reachability';
export interface ReachabilityParams {
  /**
   * Compare the current state with a baseline and return the differences. `staged` is the Calico what-if: the
   * result has staged policies applied (never enforced in a cluster) and the diff is against the enforced policies.
   */
  compare?: 'none' | 'saved' | 'head' | 'staged';
}
export interface ReachDiff {
  /** Connections (or parts of them) allowed now but not in the baseline. */
  added: Connection[];
  /** Connections (or parts of them) allowed in the baseline but not now. */
  removed: Connection[];
}
export interface ReachabilityResponse {
  result: ReachResult;
  /** Increases with every analysis. */
  version: number;
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
export type ExplainResponse = Explanation;

/** Server -> client notification: the reachability changed (sent after debounced re-analysis). */
export const REACHABILITY_CHANGED_NOTIFICATION = 'policyLens/reachabilityChanged';
export interface ReachabilityChangedParams {
  version: number;
}
