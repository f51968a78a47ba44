// Quick fixes. Edits are computed from the server's current text of each document and sent as
// versioned TextDocumentEdits, so the client refuses to apply them to a buffer that changed since
// (an edit can never land on the wrong text).
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type TextDocumentEdit } from 'vscode-languageserver';
import { computeFix, namespaceLabelFix, type FixEdit } from '../core/lint/fixes';
import type { Finding } from '../core/lint/project';
import { positionOf } from '../core/lint/chunks';
import { lineStarts } from '../core/lint/chunks';
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

/** More code action providers per workspace index (e.g. the verified suggestions, lsp/suggest.ts). */
export const codeActionProviders = new WeakMap<WorkspaceIndex, ((params: CodeActionParams) => CodeAction[])[]>();

export function codeActions(index: WorkspaceIndex, params: CodeActionParams): CodeAction[] {
  const only = params.context.only;
  if (only && !only.some((k) => k === CodeActionKind.QuickFix || k.startsWith(CodeActionKind.QuickFix))) return [];
  const uri = params.textDocument.uri;
  const project = index.project;
  const text = project.getText(uri);
  if (text === undefined) return [];
  const result = project.result();
  const findings = (result.findings.get(uri) ?? []).filter((f) => f.fix && overlaps(f, params.range));
  const out: CodeAction[] = [];
  const docEdit = (fileUri: string, fileText: string, edits: FixEdit[], base: number): TextDocumentEdit => {
    const starts = lineStarts(fileText);
    return {
      textDocument: { uri: fileUri, version: index.version(fileUri) ?? null },
      edits: edits.map((e) => ({ range: { start: positionOf(starts, e.start + base), end: positionOf(starts, e.end + base) }, newText: e.newText })),
    };
  };
  for (const f of findings) {
    const chunk = project.chunkAt(uri, f.range.startOffset);
    if (!chunk || !f.fix) continue;
    const diag = params.context.diagnostics.find((d) => d.source === SOURCE && sameDiag(d, f));
    const parsed = chunk.entry.parsed;
    if (f.fix.kind === 'migrate-to-cnp') {
      // Offered only when the engine proved the rewrite keeps every verdict.
      const m = migrationFix(project, uri, f.range.startOffset);
      if (m) out.push({ title: m.title, kind: CodeActionKind.QuickFix, diagnostics: diag ? [diag] : undefined, edit: { documentChanges: [docEdit(uri, text, m.edits, chunk.startOffset)] } });
      continue;
    }
    if (f.fix.kind === 'add-namespace-labels') {
      for (const ns of f.fix.namespaces) {
        const nsText = project.getText(ns.file);
        const nsChunk = project.chunkAt(ns.file, ns.offset);
        if (nsText === undefined || !nsChunk) continue;
        const fix = namespaceLabelFix(nsChunk.entry.parsed.text, nsChunk.entry.parsed.doc.contents, ns.name, f.fix.labels);
        if (!fix) continue;
        out.push({
          title: fix.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: diag ? [diag] : undefined,
          edit: { documentChanges: [docEdit(ns.file, nsText, fix.edits, nsChunk.startOffset)] },
        });
      }
      continue;
    }
    for (const fix of computeFix(parsed.text, parsed.doc.contents, f.fix, f.range.startOffset - chunk.startOffset)) {
      out.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        isPreferred: fix.preferred,
        diagnostics: diag ? [diag] : undefined,
        edit: { documentChanges: [docEdit(uri, text, fix.edits, chunk.startOffset)] },
      });
    }
  }
  for (const provider of codeActionProviders.get(index) ?? []) out.push(...provider(params));
  return out;
}
