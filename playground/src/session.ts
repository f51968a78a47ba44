// The playground's analysis session: everything the Policy Lens worker answers, over one YAML text.
// Pure (no DOM, no worker globals) so node tests can drive it; worker.ts only forwards messages.
// * diagnostics: the language server's lint project (model diagnostics + lint rules, suppressions applied);
// * reachability: parse + analyse, keeping the last good text while the YAML is broken (like the server's
//   reachability service), optionally diffed against a baseline text;
// * explanations: the trace of the last analysed text (Analysis.trace) with its words, as the server's explain;
// * hover and completion: the language server's own providers (server/src/lsp/hover.ts, completion.ts);
// * quick fixes: the core's fix computations (server/src/core/lint/fixes.ts), as the server's code actions.
import { analyze, diffReach, panelData, parseFiles, type Analysis, type ReachResult } from '../../server/src/core/index';
import { explanationOf } from '../../server/src/core/explain/format';
import type { Cluster } from '../../server/src/core/model';
import { capFindings, LintProject, type Finding } from '../../server/src/core/lint/project';
import { LineIndex } from '../../server/src/core/lines';
import { computeFix, namespaceLabelFix, type FixEdit } from '../../server/src/core/lint/fixes';
import { migrationFix } from '../../server/src/core/dialects/admin/migrate';
import { hover } from '../../server/src/lsp/hover';
import { complete } from '../../server/src/lsp/completion';
import type { SchemaRegistry } from '../../server/src/lsp/schemas';
import type { ExplainResponse, ReachabilityResponse } from '../../server/src/protocol';
import { PLAYGROUND_FILE, type PlaygroundCompletion, type PlaygroundDiagnostic, type PlaygroundFix, type Pos } from './protocol';

/** Same test as the server's reachability service: a YAML-level error means the file's objects can't be trusted. */
function isBrokenYaml(cluster: Cluster): boolean {
  return cluster.diagnostics.some((d) => d.severity === 'error' && /^yaml/i.test(d.code));
}

const before = (a: Pos, b: Pos) => a.line < b.line || (a.line === b.line && a.character < b.character);

export class PlaygroundSession {
  private readonly project = new LintProject();
  private version = 0;
  private lastGood?: string;
  private current?: { text: string; analysis: Analysis; stale: boolean; result?: ReachResult };
  private baselineCache?: { text: string; analysis: Analysis; result?: ReachResult };

  constructor(
    private readonly schemas: SchemaRegistry,
    readonly file = PLAYGROUND_FILE,
  ) {}

  private findings(text: string): Finding[] {
    this.project.setFile(this.file, text);
    return this.project.result().findings.get(this.file) ?? [];
  }

  diagnostics(text: string): PlaygroundDiagnostic[] {
    // At most MAX_FINDINGS_PER_FILE markers, like the language server.
    return capFindings(this.file, this.findings(text)).map((f) => ({
      code: f.code,
      severity: f.severity,
      message: f.message,
      start: f.range.start,
      end: f.range.end,
      fixable: !!f.fix,
    }));
  }

  /**
   * The reachability of `text` (or of its last good version while its YAML is broken), diffed with `baseline` if
   * given: the same compact PanelData the language server sends (core panelData()). `legacy` adds the expanded
   * result and diff (tests).
   */
  reachability(text: string, baseline?: string, opts: { legacy?: boolean } = {}): ReachabilityResponse {
    if (!this.current || this.current.text !== text) {
      const cluster = parseFiles([{ path: this.file, text }]);
      const broken = isBrokenYaml(cluster);
      if (!broken) this.lastGood = text;
      const used = broken ? (this.lastGood === undefined ? [] : [{ path: this.file, text: this.lastGood }]) : undefined;
      const analysis = analyze(used ? parseFiles(used) : cluster);
      this.current = { text, analysis, stale: broken };
      this.version++;
    }
    let base: Analysis | undefined;
    if (baseline !== undefined) {
      if (!this.baselineCache || this.baselineCache.text !== baseline) {
        this.baselineCache = { text: baseline, analysis: analyze(parseFiles([{ path: this.file, text: baseline }])) };
      }
      base = this.baselineCache.analysis;
    }
    const response: ReachabilityResponse = {
      compare: baseline !== undefined ? 'saved' : 'none',
      data: panelData(this.current.analysis, { baseline: base }),
      version: this.version,
      stale: this.current.stale,
      staleFiles: this.current.stale ? [this.file] : [],
    };
    if (opts.legacy) {
      const cur = this.current;
      response.result = cur.result ??= cur.analysis.result();
      if (base && this.baselineCache) response.diff = diffReach((this.baselineCache.result ??= base.result()), response.result);
    }
    return response;
  }

  /** Explains one pair (allowed or not) against the last analysed text: words and trace, as the server's explain. */
  explain(src: string, dst: string): ExplainResponse | undefined {
    if (!this.current) return undefined;
    const trace = this.current.analysis.trace(src, dst);
    return { ...explanationOf(trace), trace };
  }

  private offset(text: string, p: Pos): number {
    return (this.project.getText(this.file) === text ? this.project.lines(this.file)! : new LineIndex(text)).offset(p.line, p.character);
  }

  /** Markdown hover at a position: the language server's hover. */
  hover(text: string, p: Pos): { markdown: string; range?: { start: Pos; end: Pos } } | undefined {
    this.project.setFile(this.file, text);
    const h = hover(this.project, this.schemas, this.file, this.offset(text, p));
    if (!h) return undefined;
    const c = h.contents;
    const markdown = typeof c === 'string' ? c : Array.isArray(c) ? c.map((x) => (typeof x === 'string' ? x : x.value)).join('\n\n') : c.value;
    return { markdown, range: h.range };
  }

  /** Completion items at a position: the language server's completion. */
  completions(text: string, p: Pos): PlaygroundCompletion[] {
    this.project.setFile(this.file, text);
    const list = complete(this.project, this.schemas, this.file, text, p.line, p.character, this.offset(text, p));
    return list.items.map((i) => ({
      label: i.label,
      kind: i.kind ?? 1,
      detail: i.detail,
      documentation: typeof i.documentation === 'string' ? i.documentation : i.documentation?.value,
      insertText: i.insertText ?? i.label,
      snippet: i.insertTextFormat === 2,
      sortText: i.sortText,
    }));
  }

  /** Quick fixes for the diagnostics overlapping a range, with their edits as positions in `text`. */
  fixes(text: string, start: Pos, end: Pos): PlaygroundFix[] {
    const out: PlaygroundFix[] = [];
    const lines = new LineIndex(text);
    const edits = (list: FixEdit[], base: number) =>
      list.map((e) => ({ start: lines.position(e.start + base), end: lines.position(e.end + base), newText: e.newText }));
    for (const f of this.findings(text)) {
      if (!f.fix || before(f.range.end, start) || before(end, f.range.start)) continue;
      const chunk = this.project.chunkAt(this.file, f.range.startOffset);
      if (!chunk) continue;
      const diagnostic = { code: f.code, start: f.range.start };
      if (f.fix.kind === 'migrate-to-cnp') {
        const m = migrationFix(this.project, this.file, f.range.startOffset);
        if (m) out.push({ title: m.title, preferred: false, diagnostic, edits: edits(m.edits, chunk.startOffset) });
        continue;
      }
      if (f.fix.kind === 'add-namespace-labels') {
        for (const ns of f.fix.namespaces) {
          // Only namespaces defined in this text can be edited here.
          if (ns.file !== this.file) continue;
          const nsChunk = this.project.chunkAt(this.file, ns.offset);
          if (!nsChunk) continue;
          const fix = namespaceLabelFix(nsChunk.entry.parsed, ns.name, f.fix.labels);
          if (fix) out.push({ title: fix.title, preferred: false, diagnostic, edits: edits(fix.edits, nsChunk.startOffset) });
        }
        continue;
      }
      const parsed = chunk.entry.parsed;
      for (const fix of computeFix(parsed, f.fix, f.range.startOffset - chunk.startOffset)) {
        out.push({ title: fix.title, preferred: !!fix.preferred, diagnostic, edits: edits(fix.edits, chunk.startOffset) });
      }
    }
    return out;
  }
}
