// Messages between the playground page (main.ts) and the Policy Lens web worker (worker.ts).
// Every request carries an id; the worker answers each with the same id.
import type { ExplainResponse, ReachabilityResponse } from '../../server/src/protocol';

/** File name the playground's single editor document is analysed under. */
export const PLAYGROUND_FILE = 'playground.yaml';

export interface Pos {
  /** 0-based. */
  line: number;
  /** 0-based UTF-16 column. */
  character: number;
}

export interface PlaygroundDiagnostic {
  code: string;
  severity: 'error' | 'warning' | 'info' | 'hint';
  message: string;
  start: Pos;
  end: Pos;
  /** The rule has a quick fix in VS Code. */
  fixable: boolean;
}

/** A completion item of the language server (kind: LSP CompletionItemKind). */
export interface PlaygroundCompletion {
  label: string;
  kind: number;
  detail?: string;
  /** Markdown. */
  documentation?: string;
  insertText: string;
  /** insertText is a snippet (`${1:...}` placeholders). */
  snippet: boolean;
  sortText?: string;
}

/** A quick fix for one diagnostic, as edits of the analysed text. */
export interface PlaygroundFix {
  title: string;
  preferred: boolean;
  /** The diagnostic it fixes (code and start). */
  diagnostic: { code: string; start: Pos };
  edits: { start: Pos; end: Pos; newText: string }[];
}

export type WorkerRequest =
  /** Lint and analyse `text`; with `baseline`, also diff the reachability against that text. */
  | { id: number; type: 'analyze'; text: string; baseline?: string }
  /** Explain one pair against the last analysed text. */
  | { id: number; type: 'explain'; src: string; dst: string }
  /** Hover text at a position of `text` (the same markdown as the VS Code hover). */
  | { id: number; type: 'hover'; text: string; position: Pos }
  /** Completion items at a position of `text` (the VS Code completion). */
  | { id: number; type: 'complete'; text: string; position: Pos }
  /** Quick fixes for the diagnostics of `text` overlapping a range. */
  | { id: number; type: 'fixes'; text: string; start: Pos; end: Pos };

export type WorkerResponse =
  | { id: number; type: 'analyzed'; diagnostics: PlaygroundDiagnostic[]; response: ReachabilityResponse; ms: number }
  | { id: number; type: 'explained'; explanation: ExplainResponse }
  | { id: number; type: 'hovered'; markdown?: string; range?: { start: Pos; end: Pos } }
  | { id: number; type: 'completed'; items: PlaygroundCompletion[] }
  | { id: number; type: 'fixed'; fixes: PlaygroundFix[] }
  | { id: number; type: 'failed'; message: string };
