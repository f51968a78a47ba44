// Language-server side of the suggestions (core/suggest): the `policyLens/suggest` request (proposals with their
// WorkspaceEdits), the `policyLens/suggestContext` notification (the pair the user is looking at), and code actions
// on the policies involved in that pair ("Allow ... (verified)" / "Block ... (verified)").
//
// The analysis: by default built here from the workspace index (parse + analyse, cached per project version and
// what-if mode). `SuggestServiceOptions.analysis` lets the server hand in the reachability service's current analysis
// instead, so that one analysis serves the panel, explanations and suggestions.
import { CodeActionKind, type CodeAction, type CodeActionParams, type Connection } from 'vscode-languageserver';
import { analyze, parseFiles, type Analysis, type InputFile } from '../core/index';
import { renderPreview, suggest, type FileEdit } from '../core/suggest/index';
import { describeConns } from '../core/explain/format';
import { ConnSet } from '../core/ports';
import { LineIndex } from '../core/lines';
import {
  SUGGEST_CONTEXT_NOTIFICATION,
  SUGGEST_REQUEST,
  type SuggestContextParams,
  type SuggestionProposal,
  type SuggestParams,
  type SuggestResponse,
  type SuggestWorkspaceEdit,
} from '../protocol';
import { codeActionProviders } from './actions';
import type { WorkspaceIndex } from './workspace';

export interface SuggestServiceOptions {
  defaultNamespace?: string;
  /**
   * The files and the analysis of the current workspace state (staged: Calico staged policies applied). The analysis
   * must be of exactly these files. Default: parse and analyse `index.getFiles()` here.
   */
  analysis?: (staged: boolean) => { files: InputFile[]; analysis: Analysis };
}

function commonDir(paths: string[]): string {
  if (paths.length === 0) return '';
  let prefix = paths[0].slice(0, paths[0].lastIndexOf('/') + 1);
  for (const p of paths) while (prefix && !p.startsWith(prefix)) prefix = prefix.slice(0, prefix.lastIndexOf('/', prefix.length - 2) + 1);
  return prefix;
}

export class SuggestService {
  private states = new Map<boolean, { version: number; files: InputFile[]; analysis: Analysis }>();
  private answers = new Map<string, SuggestResponse>();
  private answersVersion = -1;
  /** The pair the user last looked at (panel explanation or suggestion request). */
  context?: SuggestContextParams;

  constructor(
    private readonly index: WorkspaceIndex,
    private readonly opts: SuggestServiceOptions = {},
  ) {}

  private state(staged: boolean): { files: InputFile[]; analysis: Analysis } {
    if (this.opts.analysis) return this.opts.analysis(staged);
    const version = this.index.project.projectVersion;
    const hit = this.states.get(staged);
    if (hit && hit.version === version) return hit;
    const files = this.index.getFiles();
    const analysis = analyze(parseFiles(files, { defaultNamespace: this.opts.defaultNamespace }), { ...this.index.project.analyzeOptions, staged });
    const s = { version, files, analysis };
    this.states.set(staged, s);
    return s;
  }

  private workspaceEdit(edits: FileEdit[]): SuggestWorkspaceEdit {
    const documentChanges: SuggestWorkspaceEdit['documentChanges'] = [];
    for (const e of edits) {
      if (e.create) documentChanges.push({ kind: 'create', uri: e.file, options: { ignoreIfExists: true } });
      documentChanges.push({
        textDocument: { uri: e.file, version: e.create ? null : this.index.version(e.file) ?? null },
        edits: e.edits.map((x) => ({ range: { start: x.start, end: x.end }, newText: x.newText })),
      });
    }
    return { documentChanges };
  }

  /** Answers `policyLens/suggest` (cached per workspace version and parameters). */
  suggest(params: SuggestParams): SuggestResponse {
    const version = this.index.project.projectVersion;
    if (version !== this.answersVersion) {
      this.answers.clear();
      this.answersVersion = version;
    }
    const key = JSON.stringify([params.src, params.dst, params.protocol ?? null, params.port ?? null, params.mode ?? null, !!params.staged]);
    const hit = this.answers.get(key);
    if (hit) return hit;
    const { files, analysis } = this.state(!!params.staged);
    const r = suggest({
      files,
      analysis,
      request: { src: params.src, dst: params.dst, protocol: params.protocol, port: params.port, mode: params.mode },
      parse: { defaultNamespace: this.opts.defaultNamespace },
      model: { ...analysis.modelOptions, staged: !!params.staged },
    });
    const base = commonDir(files.map((f) => f.path));
    const proposals: SuggestionProposal[] = r.proposals.map((p) => ({ ...p, edit: this.workspaceEdit(p.edits), preview: renderPreview(p.edits, (f) => decodeURIComponent(f.startsWith(base) ? f.slice(base.length) : f)) }));
    const answer: SuggestResponse = { ...r, proposals };
    this.answers.set(key, answer);
    return answer;
  }

  /**
   * Code actions on a policy involved in the remembered pair: the verified proposals as one-click edits. "Involved":
   * the policy's document holds a policy or rule that the pair's explanation trace names (a policy selecting either
   * end, or a rule or tier that decided part of the flow).
   */
  codeActions(params: CodeActionParams): CodeAction[] {
    const ctx = this.context;
    if (!ctx) return [];
    const only = params.context.only;
    if (only && !only.some((k) => k === CodeActionKind.QuickFix || k.startsWith(CodeActionKind.QuickFix))) return [];
    const uri = params.textDocument.uri;
    const text = this.index.project.getText(uri);
    if (text === undefined) return [];
    const offset = new LineIndex(text).offset(params.range.start.line, params.range.start.character);
    const chunk = this.index.project.chunkAt(uri, offset);
    // Only policy documents (cheap check before any analysis).
    if (!chunk || !/NetworkPolicy$/.test(chunk.entry.parsed.kind ?? '')) return [];
    const { analysis } = this.state(!!ctx.staged);
    const t = analysis.trace(ctx.src, ctx.dst);
    if (t.problem) return [];
    const inChunk = (r: { file: string; startOffset: number } | undefined) => !!r && r.file === uri && r.startOffset >= chunk.startOffset && r.startOffset < chunk.startOffset + chunk.text.length;
    const involved = [t.egress, t.ingress].some((d) => d && (d.selectedBy.some((p) => inChunk(p.range)) || d.steps.some((s) => inChunk(s.range))));
    if (!involved) return [];
    const answer = this.suggest({ src: ctx.src, dst: ctx.dst, staged: ctx.staged });
    if (answer.problem) return [];
    const verb = answer.mode === 'allow' ? 'Allow' : 'Block';
    const what = `${describeConns(ConnSet.fromProtocolPorts(answer.requested))} from ${answer.src} to ${answer.dst}`;
    return answer.proposals.slice(0, 3).map((p, i) => ({
      title: `${verb} ${what} (verified): ${p.title}`,
      kind: CodeActionKind.QuickFix,
      isPreferred: i === 0 && p.exact,
      edit: p.edit,
    }));
  }
}

/** Registers `policyLens/suggest`, `policyLens/suggestContext` and the suggestion code actions. */
export function registerSuggest(connection: Pick<Connection, 'onRequest' | 'onNotification'>, index: WorkspaceIndex, opts: SuggestServiceOptions = {}): SuggestService {
  const service = new SuggestService(index, opts);
  connection.onRequest(SUGGEST_REQUEST, (params: SuggestParams) => {
    service.context = { src: params.src, dst: params.dst, staged: params.staged };
    return service.suggest(params);
  });
  connection.onNotification(SUGGEST_CONTEXT_NOTIFICATION, (params: SuggestContextParams) => {
    service.context = params && typeof params.src === 'string' && typeof params.dst === 'string' ? params : undefined;
  });
  const providers = codeActionProviders.get(index) ?? [];
  providers.push((p) => service.codeActions(p));
  codeActionProviders.set(index, providers);
  return service;
}
