// Messages between the reachability webview (client/webview/main.ts) and the extension (client/src/panel.ts),
// and the persisted view state. Pure types: no vscode API, usable by the browser playground too.
import type { SourceRange } from '../../server/src/core/model';
import type { ExplainResponse, FlowsResponse, ReachabilityResponse } from '../../server/src/protocol';

export type CompareMode = 'none' | 'saved' | 'head' | 'staged';
export type ViewKind = 'matrix' | 'graph' | 'blast';
/** A posture finding (PanelData.posture) the matrix is narrowed to. */
export type PostureKey = 'notIsolatedIngress' | 'notIsolatedEgress' | 'reachableFromOutside' | 'canReachInternet' | 'namespacesWithoutDefaultDeny';
/** Text exports of the matrix (csv, markdown) and pictures of the graph (svg; png is sent as base64). */
export type ExportFormat = 'csv' | 'markdown' | 'svg' | 'png';

/** Everything the user chose in the panel; saved with the webview state so it survives reloads. */
export interface ViewState {
  view: ViewKind;
  /** Namespaces shown; null = all. */
  namespaces: string[] | null;
  /** Port filter as typed ("" = any). */
  port: string;
  /** "any" or a protocol name. */
  protocol: string;
  showExternal: boolean;
  /** Selected (src, dst) pair whose explanation is shown. */
  selected?: {
    src: string;
    dst: string;
    /** Matrix row/column item keys and labels when the pair stands for groups of workloads. */
    row?: string;
    col?: string;
    rowLabel?: string;
    colLabel?: string;
    /** Says what the shown pair stands for, when the view knows better than "a pair of two classes" (the graph). */
    note?: string;
  };
  /** Workload whose blast radius is shown. */
  focus?: string;
  compare: CompareMode;
  /** Search over workloads (name, namespace, `key=value` labels); "" = everything. */
  search?: string;
  /** Namespaces / classes opened or closed by the user (key -> open); others use the size-based default. */
  open?: Record<string, boolean>;
  /** Graph boxes (namespaces, classes, external peers) opened or closed by the user (key -> open). */
  graphOpen?: Record<string, boolean>;
  /** The graph shows only the flows into and out of this box (a namespace key such as `ns:backend`). */
  graphFocus?: string;
  /** Narrow the matrix to one posture finding. */
  posture?: PostureKey;
  /** Show the observed-flows overlay when flow logs are imported (undefined = shown). */
  overlay?: boolean;
}

export const DEFAULT_VIEW_STATE: ViewState = {
  view: 'matrix',
  namespaces: null,
  port: '',
  protocol: 'any',
  showExternal: true,
  compare: 'saved',
};

export type ToWebview =
  | { type: 'update'; response: ReachabilityResponse }
  | { type: 'explanation'; src: string; dst: string; explanation: ExplainResponse }
  /** The latest workspace content version the server announced (policyLens/reachabilityChanged). */
  | { type: 'version'; version: number }
  /** The extension started a refresh (the panel shows progress until the next update or error). */
  | { type: 'refreshing' }
  /** Progress of a long analysis of content `version` (policyLens/reachabilityProgress). */
  | { type: 'progress'; version: number; done: number; total: number }
  | { type: 'error'; message: string }
  | { type: 'focus'; workload: string }
  | { type: 'compare'; compare: CompareMode }
  /**
   * The observed-flows overlay: the imported flow logs classified against the workspace (policyLens/flows), sent
   * after every update while flow files are imported; `flows` absent = no flow files (the overlay is removed).
   * `error`: the classification failed (the last good overlay is dropped).
   */
  | { type: 'flows'; flows?: FlowsResponse; error?: string };

export type FromWebview =
  | { type: 'ready'; state: ViewState }
  | { type: 'explain'; src: string; dst: string }
  | { type: 'open'; range: SourceRange }
  | { type: 'state'; state: ViewState }
  /** Export text produced by the panel: save it to a file or copy it to the clipboard. */
  | { type: 'export'; format: ExportFormat; action: 'save' | 'copy'; text: string };
