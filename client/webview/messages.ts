// Messages between the reachability webview (client/webview/main.ts) and the extension (client/src/panel.ts),
// and the persisted view state. Pure types: no vscode API, usable by the browser playground too.
import type { SourceRange } from '../../server/src/core/model';
import type { Explanation } from '../../server/src/core/reach-types';
import type { ReachabilityResponse } from '../../server/src/protocol';

export type CompareMode = 'none' | 'saved' | 'head' | 'staged';
export type ViewKind = 'matrix' | 'graph' | 'blast';

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
  selected?: { src: string; dst: string };
  /** Workload whose blast radius is shown. */
  focus?: string;
  compare: CompareMode;
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
  | { type: 'explanation'; src: string; dst: string; explanation: Explanation }
  | { type: 'error'; message: string }
  | { type: 'focus'; workload: string }
  | { type: 'compare'; compare: CompareMode };

export type FromWebview =
  | { type: 'ready'; state: ViewState }
  | { type: 'explain'; src: string; dst: string }
  | { type: 'open'; range: SourceRange }
  | { type: 'state'; state: ViewState };
