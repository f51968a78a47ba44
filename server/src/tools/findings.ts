// Lint findings as plain, serialisable records (1-based positions, stable fingerprints), computed by the SAME
// LintProject the language server publishes from (per-document rules + workspace rules + suppression comments).
// Used by `policy-lens check`, the MCP `check` tool and the VS Code language-model `check` tool.
import { lineEndAt, lineStartAt } from '../core/lines';
import { createHash } from 'node:crypto';
import { LintProject, type Finding } from '../core/lint/project';
import type { AnalyzeOptions, InputFile, ParseOptions } from '../core/index';
import { isYamlPath, looksLikeManifest } from '../lsp/workspace';

export type CheckSeverity = 'error' | 'warning' | 'information' | 'hint';

export interface CheckFinding {
  /** Stable rule id (the diagnostic code; docs/rules/<code>.md). */
  code: string;
  severity: CheckSeverity;
  message: string;
  /** File as shown to the user (relative path, or whatever the caller passed). */
  file: string;
  /** 1-based line and column (UTF-16 code units, as LSP and SARIF's default column kind). */
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  /** Stable across runs while the flagged text, rule and file stay the same (line moves do not change it). */
  fingerprint: string;
}

export const SEVERITY_RANK: Record<CheckSeverity, number> = { hint: 0, information: 1, warning: 2, error: 3 };

const FROM_FINDING: Record<Finding['severity'], CheckSeverity> = { error: 'error', warning: 'warning', info: 'information', hint: 'hint' };

/**
 * Which files the language server would lint: files found in folders must be YAML (`.yaml`/`.yml`) and look like
 * Kubernetes manifests (kind + apiVersion), exactly as the server's workspace index decides for files on disk.
 * A file named explicitly only needs to look like a manifest.
 */
export function isLintedFile(path: string, text: string, explicit: boolean): boolean {
  return (explicit || isYamlPath(path)) && looksLikeManifest(text);
}

function snippet(text: string, f: Finding): string {
  let s = text.slice(f.range.startOffset, Math.max(f.range.startOffset, f.range.endOffset));
  if (!s.trim()) {
    s = text.slice(lineStartAt(text, f.range.startOffset), lineEndAt(text, f.range.startOffset));
  }
  return s.replace(/\s+/g, ' ').trim();
}

/**
 * The findings of a project, with `display(path)` giving the file name to report. Order: by file (as given), then
 * position. The fingerprint hashes rule id, displayed file, the flagged text and its occurrence number.
 */
export function projectFindings(project: LintProject, display: (path: string) => string = (p) => p, only?: (path: string) => boolean): CheckFinding[] {
  const result = project.result();
  const out: CheckFinding[] = [];
  for (const path of project.paths()) {
    if (only && !only(path)) continue;
    const text = project.getText(path) ?? '';
    const file = display(path);
    const seen = new Map<string, number>();
    for (const f of result.findings.get(path) ?? []) {
      const snip = snippet(text, f);
      const key = `${f.code}\u0000${file}\u0000${snip}`;
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      const fingerprint = createHash('sha256').update(`${key}\u0000${n}`).digest('hex').slice(0, 32);
      out.push({
        code: f.code,
        severity: FROM_FINDING[f.severity] ?? 'warning',
        message: f.message,
        file,
        startLine: f.range.start.line + 1,
        startColumn: f.range.start.character + 1,
        endLine: f.range.end.line + 1,
        endColumn: f.range.end.character + 1,
        fingerprint,
      });
    }
  }
  return out;
}

/** Lints a set of files as one workspace (files that are not manifests are left out, as the server does). */
export function lintFiles(files: (InputFile & { explicit?: boolean })[], opts: ParseOptions = {}, display?: (path: string) => string, analyzeOptions: AnalyzeOptions = {}): { findings: CheckFinding[]; linted: string[] } {
  const project = new LintProject({ defaultNamespace: opts.defaultNamespace, analyzeOptions });
  const linted: string[] = [];
  for (const f of files) {
    if (!isLintedFile(f.path, f.text, !!f.explicit)) continue;
    project.setFile(f.path, f.text);
    linted.push(f.path);
  }
  return { findings: projectFindings(project, display), linted };
}

export function countBySeverity(findings: CheckFinding[]): Record<CheckSeverity, number> {
  const c: Record<CheckSeverity, number> = { error: 0, warning: 0, information: 0, hint: 0 };
  for (const f of findings) c[f.severity]++;
  return c;
}
