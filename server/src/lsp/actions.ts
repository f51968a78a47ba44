// Quick fixes. Edits are computed from the server's current text of each document and sent as
// versioned TextDocumentEdits, so the client refuses to apply them to a buffer that changed since
// (an edit can never land on the wrong text). Findings are only used when they were computed from the
// document's current text; otherwise only the current documents' own findings are fixed.
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type TextDocumentEdit } from 'vscode-languageserver';
import { computeFix, namespaceLabelFix, type FixEdit } from '../core/lint/fixes';
import type { Finding, LintProject, ProjectResult } from '../core/lint/project';
import { isSuppressed, parseSuppressions } from '../core/lint/suppress';
import { SOURCE } from './diagnostics';
import { migrationFix } from '../core/dialects/admin/migrate';
import type { WorkspaceIndex } from './workspace';

function overlaps(f: Finding, r: CodeActionParams['range']): boolean {
  const a = f.range;
  const before = a.end.line < r.start.line || (a.end.line === r.start.line && a.end.character < r.start.character);
  const after = a.start.line > r.end.line || (a.start.line === r.end.line && a.start.character > r.end.character);
  return !before && !after;
}

function sameDiag(d: Diagnostic, f: Finding): boolean {
  return d.code === f.code && d.range.start.line === f.range.start.line && d.range.start.character === f.range.start.character;
}

/** Fixable single-document findings of the current text overlapping a range (when the workspace result is stale). */
function currentLocalFindings(project: LintProject, uri: string, range: CodeActionParams['range']): Finding[] {
  const lines = project.lines(uri);
  const text = project.getText(uri);
  if (!lines || text === undefined) return [];
  const from = lines.offset(range.start.line, 0);
  const to = lines.offset(range.end.line + 1, 0);
  const sup = parseSuppressions(text, lines);
  const out: Finding[] = [];
  for (const c of project.chunks(uri)) {
    if (c.startOffset + c.text.length < from || c.startOffset > to) continue;
    for (const lf of c.entry.local) {
      if (!lf.fix) continue;
      const f: Finding = { code: lf.code, severity: lf.severity, message: lf.message, range: project.rangeIn(uri, c, lf.start, lf.end), fix: lf.fix };
      if (!isSuppressed(sup, f.code, f.range.start.line)) out.push(f);
    }
  }
  return out;
}

/** More code action providers per workspace index (e.g. the verified suggestions, lsp/suggest.ts). */
export const codeActionProviders = new WeakMap<WorkspaceIndex, ((params: CodeActionParams) => CodeAction[])[]>();

export function codeActions(index: WorkspaceIndex, params: CodeActionParams, result?: ProjectResult): CodeAction[] {
  const only = params.context.only;
  if (only && !only.some((k) => k === CodeActionKind.QuickFix || k.startsWith(CodeActionKind.QuickFix))) return [];
  const uri = params.textDocument.uri;
  const project = index.project;
  const text = project.getText(uri);
  if (text === undefined) return [];
  const r = result ?? project.result();
  const fresh = r.texts.get(uri) === text;
  const candidates = fresh ? r.findings.get(uri) ?? [] : currentLocalFindings(project, uri, params.range);
  const findings = candidates.filter((f) => f.fix && overlaps(f, params.range));
  const out: CodeAction[] = [];
  const docEdit = (fileUri: string, edits: FixEdit[], base: number): TextDocumentEdit => {
    const lines = project.lines(fileUri)!;
    return {
      textDocument: { uri: fileUri, version: index.version(fileUri) ?? null },
      edits: edits.map((e) => ({ range: { start: lines.position(e.start + base), end: lines.position(e.end + base) }, newText: e.newText })),
    };
  };
  for (const f of findings) {
    const chunk = project.chunkAt(uri, f.range.startOffset);
    if (!chunk || !f.fix) continue;
    const diag = params.context.diagnostics.find((d) => d.source === SOURCE && sameDiag(d, f));
    if (f.fix.kind === 'migrate-to-cnp') {
      // Offered only when the engine proved the rewrite keeps every verdict, and never over aliases (a rewrite of the
      // whole document would replace them with copies of their anchors).
      if (chunk.entry.parsed.protectedSpans.length) continue;
      const m = migrationFix(project, uri, f.range.startOffset);
      if (m) out.push({ title: m.title, kind: CodeActionKind.QuickFix, diagnostics: diag ? [diag] : undefined, edit: { documentChanges: [docEdit(uri, m.edits, chunk.startOffset)] } });
      continue;
    }
    if (f.fix.kind === 'add-namespace-labels') {
      for (const ns of f.fix.namespaces) {
        // Another file's offsets are only valid when the result was computed from its current text.
        if (r.texts.get(ns.file) !== project.getText(ns.file)) continue;
        const nsChunk = project.chunkAt(ns.file, ns.offset);
        if (!nsChunk) continue;
        const fix = namespaceLabelFix(nsChunk.entry.parsed, ns.name, f.fix.labels);
        if (!fix) continue;
        out.push({
          title: fix.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: diag ? [diag] : undefined,
          edit: { documentChanges: [docEdit(ns.file, fix.edits, nsChunk.startOffset)] },
        });
      }
      continue;
    }
    for (const fix of computeFix(chunk.entry.parsed, f.fix, f.range.startOffset - chunk.startOffset)) {
      out.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        isPreferred: fix.preferred,
        diagnostics: diag ? [diag] : undefined,
        edit: { documentChanges: [docEdit(uri, fix.edits, chunk.startOffset)] },
      });
    }
  }
  for (const provider of codeActionProviders.get(index) ?? []) out.push(...provider(params));
  return out;
}
