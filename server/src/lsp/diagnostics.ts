// Converts lint findings to LSP diagnostics (code, codeDescription link to docs/rules/<id>.md, source).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { Finding } from '../core/lint/project';
import { RULE_DOCS_URL } from '../repository';

export const SOURCE = 'policy-lens';

const SEVERITY: Record<Finding['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** Links rule ids to their documentation pages. */
export class RuleDocs {
  private readonly pages = new Set<string>();
  private readonly base: string;
  constructor(extensionRoot: string | undefined) {
    const dir = extensionRoot ? join(extensionRoot, 'docs', 'rules') : undefined;
    // Without the extension's own copy (e.g. a server started by another client), link the repository's pages.
    this.base = dir ? pathToFileURL(dir).href + '/' : RULE_DOCS_URL;
    if (dir && existsSync(dir)) for (const f of readdirSync(dir)) if (f.endsWith('.md')) this.pages.add(f.slice(0, -3));
  }
  href(code: string): string {
    return this.base + (this.pages.size === 0 || this.pages.has(code) ? `${code}.md` : 'README.md');
  }
}

export function toLspDiagnostic(f: Finding, docs: RuleDocs): Diagnostic {
  return {
    range: { start: f.range.start, end: f.range.end },
    severity: SEVERITY[f.severity] ?? DiagnosticSeverity.Warning,
    code: f.code,
    codeDescription: { href: docs.href(f.code) },
    source: SOURCE,
    message: f.message,
    data: f.fix ? { fixable: true } : undefined,
  };
}
