// Incremental lint project: holds the text of every manifest file, splits files into YAML documents, and caches
// per-document work — THE parse (core/documents.ts parseChunk), single-document findings and the document's model —
// by document text; the workspace-wide result is cached per project version. Used by the language server and the
// browser playground (pure: no LSP / node imports).
//
// Every document is parsed once per change and the parse is shared by diagnostics, completion, hover, symbols, quick
// fixes and the panel (result().cluster / lastGoodCluster()). Work is lazy: setFile only splits the text; documents
// are parsed when something needs them. result() does everything at once; resultAsync() does the same in slices that
// yield to the caller's event loop and stops when superseded, so huge workspaces never block a language server.
import { isScalar, type Pair } from 'yaml';
import { ClusterBuilder, collectRanges, documentModel, emptyCluster, mergeDocumentModel, shiftRanges, type InputFile, type ParseOptions } from '../parse';
import type { Cluster, SourceRange, NetworkPolicy } from '../model';
import { LineIndex } from '../lines';
import { rangeIn as makeRange } from '../yaml';
import { asMap, asSeq, findNodeAt, keySpan, nodeSpan, pairOf, valueOf } from './ast';
import { detachedCopy, parseChunk, splitDocuments, type Chunk, type ParsedChunk } from '../documents';
import { lintChunk, type LocalFinding } from './doc-rules';
import { lintCalico } from '../dialects/calico/lint';
import { lintCilium, lintCiliumChunk } from '../dialects/cilium/lint';
import { chooseCni } from '../policy/cni';
import { lintClusterPolicies } from '../dialects/admin/lint';
import { podIpSplitDiagnostics } from './pod-ips';
import type { AnalyzeOptions } from '../analysis';
import { isSuppressed, parseSuppressions, type Suppressions } from './suppress';
import { lintWorkspaceSteps, WorkspaceFacts, type Finding, type RangeRefiner } from './workspace-rules';

export type { Finding } from './workspace-rules';

/** At most this many diagnostics per file; the rest is summarised by one `too-many-problems` information. */
export const MAX_FINDINGS_PER_FILE = 1000;

export interface ChunkEntry {
  /** The chunk text as it is in the file (parsed.text differs only by lone "\r" turned into "\n"). */
  source: string;
  parsed: ParsedChunk;
  local: LocalFinding[];
  /** `local` as findings with ranges (placed with the model's ranges). */
  findings: Finding[];
  /** Model of this document alone. Its ranges are moved in place to the chunk's current position. */
  model: Cluster;
  /** Every SourceRange object inside `model` (each once). */
  ranges: SourceRange[];
  /** Position the ranges currently describe. */
  at: { line: number; offset: number; doc: number };
  /** The document has a YAML-level error: its objects cannot be trusted (the panel uses the file's last good state). */
  broken: boolean;
}

/** A chunk of a file together with its cached work (built on first access of `entry`). */
export interface PlacedChunk extends Chunk {
  readonly entry: ChunkEntry;
  /** True once the entry exists (no parse needed to read it). */
  readonly built: boolean;
}

interface FileState {
  path: string;
  text: string;
  chunks: PlacedChunk[];
  lines?: LineIndex;
  suppressions?: Suppressions;
}

export interface ProjectResult {
  version: number;
  cluster: Cluster;
  facts: WorkspaceFacts;
  /**
   * Findings per file path (model diagnostics + lint findings, suppressions applied), sorted by position. Editors
   * show at most MAX_FINDINGS_PER_FILE of them (capFindings); the CLI reports all.
   */
  findings: Map<string, Finding[]>;
  /** The text of every file this result was computed from (compare with getText before using offsets). */
  texts: Map<string, string>;
  /** Files with a YAML-level error (yaml-syntax, yaml-alias-bomb errors): their objects cannot be trusted. */
  brokenFiles: Set<string>;
}

/** How resultAsync shares the thread: `yieldNow` resolves on a later turn of the event loop. */
export interface SliceControl {
  yieldNow: () => Promise<void>;
  /** Stop (resolve undefined) when this returns true after a yield: cancelled or superseded. */
  shouldStop?: () => boolean;
  /** Time slice in ms between yields (default 20). */
  sliceMs?: number;
  /** Called after each yield while documents are being parsed (e.g. to publish partialFindings of huge files). */
  onParseProgress?: () => void;
}

export interface ProjectOptions extends ParseOptions {
  /** Options of the analysis the workspace lints consult (e.g. ipBlockMatchesPods). */
  analyzeOptions?: AnalyzeOptions;
}

/** YAML-level errors make a document's objects untrustworthy (same test as the panel's stale state). */
function isBrokenModel(m: Cluster): boolean {
  return m.diagnostics.some((d) => d.severity === 'error' && d.code.startsWith('yaml'));
}

function place(e: ChunkEntry, c: Chunk): void {
  shiftRanges(e.ranges, c.startLine - e.at.line, c.startOffset - e.at.offset, c.docIndex - e.at.doc);
  e.at = { line: c.startLine, offset: c.startOffset, doc: c.docIndex };
}

const SEVERITY_RANK: Record<Finding['severity'], number> = { error: 0, warning: 1, info: 2, hint: 3 };

/**
 * What an editor shows of a file's findings (sorted by position): the most severe `max` (then the earliest), after one
 * too-many-problems information at the start of the file saying how many were dropped.
 */
export function capFindings(path: string, sorted: Finding[], max = MAX_FINDINGS_PER_FILE): Finding[] {
  if (sorted.length <= max) return sorted;
  const order = sorted.map((f, i) => i).sort((a, b) => SEVERITY_RANK[sorted[a].severity] - SEVERITY_RANK[sorted[b].severity] || a - b);
  const keep = new Set(order.slice(0, max));
  const kept = sorted.filter((_, i) => keep.has(i));
  const dropped = sorted.length - max;
  const zero = { line: 0, character: 0 };
  kept.unshift({
    code: 'too-many-problems',
    severity: 'info',
    message: `${dropped} more problem${dropped === 1 ? '' : 's'} not shown: this file has ${sorted.length} problems and at most ${max} are listed (the most severe first).`,
    range: { file: path, doc: 0, start: zero, end: { ...zero }, startOffset: 0, endOffset: 0 },
  });
  return kept;
}

/** A chunk whose entry is built on first access. */
class Placed implements PlacedChunk {
  constructor(
    private readonly builder: (path: string, text: string) => ChunkEntry,
    private readonly path: string,
    readonly text: string,
    readonly startOffset: number,
    readonly startLine: number,
    readonly docIndex: number,
    private e: ChunkEntry | undefined,
  ) {}

  get entry(): ChunkEntry {
    return (this.e ??= this.builder(this.path, this.text));
  }

  get built(): boolean {
    return this.e !== undefined;
  }
}

function zeroRange(file: string): SourceRange {
  return { file, doc: 0, start: { line: 0, character: 0 }, end: { line: 0, character: 0 }, startOffset: 0, endOffset: 0 };
}

export class LintProject {
  private readonly files = new Map<string, FileState>();
  private version = 0;
  private cache?: ProjectResult;
  private last?: ProjectResult;
  /** Per file: the chunk models of its last version without YAML errors (for lastGoodCluster). */
  private readonly lastGood = new Map<string, { text: string; models: Cluster[] }>();
  private lastGoodCache?: { version: number; cluster: Cluster; staleFiles: string[] };
  readonly parseOptions: ParseOptions;
  private analyzeOpts: AnalyzeOptions;

  constructor(opts: ProjectOptions = {}) {
    this.parseOptions = { defaultNamespace: opts.defaultNamespace };
    this.analyzeOpts = { ...(opts.analyzeOptions ?? {}) };
  }

  /** Options of the analysis the lints consult. */
  get analyzeOptions(): AnalyzeOptions {
    return this.analyzeOpts;
  }

  /** Changes the analysis options (e.g. a setting changed); the next result() recomputes the workspace lints. */
  setAnalyzeOptions(opts: AnalyzeOptions): void {
    if (JSON.stringify(opts) === JSON.stringify(this.analyzeOpts)) return;
    this.analyzeOpts = { ...opts };
    this.version++;
  }

  get projectVersion(): number {
    return this.version;
  }

  /** Sets (or replaces) a file's text. Only splits it: documents are parsed when needed, unchanged ones never again. */
  setFile(path: string, text: string): void {
    const prev = this.files.get(path);
    if (prev && prev.text === text) return;
    const split = splitDocuments(text);
    // Reuse the cached work of unchanged documents (each cache entry serves one chunk only): first the documents
    // before and after the edited region, aligned by position (a native string comparison each), then by text.
    const before = prev?.chunks ?? [];
    const reuse: (ChunkEntry | undefined)[] = new Array(split.length);
    const used = new Set<ChunkEntry>();
    let head = 0;
    while (head < split.length && head < before.length && before[head].built && before[head].text === split[head].text) {
      reuse[head] = before[head].entry;
      used.add(reuse[head]!);
      head++;
    }
    for (let tail = 0; tail < split.length - head && tail < before.length - head; tail++) {
      const o = before[before.length - 1 - tail];
      if (!o.built || o.text !== split[split.length - 1 - tail].text) break;
      reuse[split.length - 1 - tail] = o.entry;
      used.add(o.entry);
    }
    let byText: Map<string, ChunkEntry> | undefined;
    for (let i = 0; i < split.length; i++) {
      if (reuse[i]) continue;
      if (!byText) {
        byText = new Map();
        for (const c of before) if (c.built && !used.has(c.entry)) byText.set(c.entry.source, c.entry);
      }
      const e = byText.get(split[i].text);
      if (e) {
        byText.delete(split[i].text);
        reuse[i] = e;
      }
    }
    const chunks = split.map((c, i) => this.placed(path, c, reuse[i]));
    this.files.set(path, { path, text, chunks });
    this.version++;
  }

  private placed(path: string, c: Chunk, reuse: ChunkEntry | undefined): PlacedChunk {
    return new Placed(this.builder, path, reuse ? reuse.source : c.text, c.startOffset, c.startLine, c.docIndex, reuse);
  }

  private readonly builder = (path: string, text: string): ChunkEntry => this.build(path, text);

  removeFile(path: string): void {
    if (this.files.delete(path)) {
      this.lastGood.delete(path);
      this.version++;
    }
  }

  hasFile(path: string): boolean {
    return this.files.has(path);
  }

  getText(path: string): string | undefined {
    return this.files.get(path)?.text;
  }

  /** The line index of a file's current text (built once per text). */
  lines(path: string): LineIndex | undefined {
    const f = this.files.get(path);
    if (!f) return undefined;
    return (f.lines ??= new LineIndex(f.text));
  }

  paths(): string[] {
    return [...this.files.keys()];
  }

  inputFiles(): InputFile[] {
    return [...this.files.values()].map((f) => ({ path: f.path, text: f.text }));
  }

  chunks(path: string): PlacedChunk[] {
    return this.files.get(path)?.chunks ?? [];
  }

  /** Number of documents not parsed yet (work pending before a result can be computed). */
  pendingDocuments(): number {
    let n = 0;
    for (const f of this.files.values()) for (const c of f.chunks) if (!c.built) n++;
    return n;
  }

  /**
   * The parsed model of each document of a file, with its ranges at the document's current position — what the
   * reachability service analyses (the same parse the diagnostics use; no lint runs for it).
   */
  models(path: string): Cluster[] {
    return this.chunks(path).map((c) => {
      place(c.entry, c);
      return c.entry.model;
    });
  }

  /** The chunk holding a file offset. */
  chunkAt(path: string, offset: number): PlacedChunk | undefined {
    const cs = this.chunks(path);
    let lo = 0;
    let hi = cs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (cs[mid].startOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return cs[lo];
  }

  private build(path: string, chunkText: string): ChunkEntry {
    // The chunk text is kept detached from the file text so that old versions of large files can be collected.
    const text = detachedCopy(chunkText);
    const parsed = parseChunk(text);
    let local: LocalFinding[] = [];
    if (!parsed.aliasBomb) {
      try {
        local = [...lintChunk(parsed), ...lintCiliumChunk(parsed)];
      } catch (e) {
        local = [{ code: 'np-internal', severity: 'error', message: `Policy Lens could not check this document: ${String(e)}`, start: 0, end: 0 }];
      }
    }
    const model = documentModel(parsed, path, this.parseOptions);
    const findings: Finding[] = local.map((lf) => ({ code: lf.code, severity: lf.severity, message: lf.message, range: makeRange(parsed.lines, path, 0, lf.start, lf.end), fix: lf.fix }));
    const ranges = collectRanges(model);
    for (const f of findings) ranges.push(f.range);
    return { source: text, parsed, local, findings, model, ranges, at: { line: 0, offset: 0, doc: 0 }, broken: isBrokenModel(model) };
  }

  /** Converts a chunk-relative span to a file range (clamped into the chunk). */
  rangeIn(path: string, c: PlacedChunk, start: number, end: number): SourceRange {
    const r = makeRange(c.entry.parsed.lines, path, c.docIndex, start, end);
    r.start.line += c.startLine;
    r.end.line += c.startLine;
    r.startOffset += c.startOffset;
    r.endOffset += c.startOffset;
    return r;
  }

  /** True when result() would return without computing anything. */
  isFresh(): boolean {
    return !!this.cache && this.cache.version === this.version;
  }

  /** The most recent complete result, possibly of an older version (undefined before the first one). */
  lastResult(): ProjectResult | undefined {
    return this.last;
  }

  /** The workspace-wide result; recomputed only when some file changed. Synchronous: parses what is pending. */
  result(): ProjectResult {
    if (this.cache && this.cache.version === this.version) return this.cache;
    const steps = this.resultSteps();
    let r = steps.next();
    while (!r.done) r = steps.next();
    return r.value;
  }

  /**
   * result() in time slices: parses pending documents and computes the workspace result, yielding to the caller
   * between slices. Resolves undefined when `shouldStop` says so or when the project changed meanwhile (superseded);
   * the documents parsed so far stay cached.
   */
  async resultAsync(ctl: SliceControl): Promise<ProjectResult | undefined> {
    const slice = ctl.sliceMs ?? 20;
    const version = this.version;
    let t0 = Date.now();
    const pause = async (): Promise<boolean> => {
      if (Date.now() - t0 < slice) return true;
      await ctl.yieldNow();
      t0 = Date.now();
      return !(ctl.shouldStop?.() || this.version !== version);
    };
    // 1. Parse pending documents (the expensive part), a few at a time.
    for (const f of [...this.files.values()]) {
      for (const c of f.chunks) {
        if (c.built) continue;
        void c.entry;
        const t = t0;
        if (!(await pause())) return undefined;
        if (t !== t0) ctl.onParseProgress?.();
      }
    }
    if (this.cache && this.cache.version === this.version) return this.cache;
    // 2. Merge and run the workspace rules.
    const steps = this.resultSteps();
    for (let r = steps.next(); ; r = steps.next()) {
      if (r.done) return r.value;
      if (!(await pause())) return undefined;
    }
  }

  /** The result computation as steps (each `yield` is a safe point to pause). */
  private *resultSteps(): Generator<void, ProjectResult> {
    const version = this.version;
    const cluster = emptyCluster();
    const b = new ClusterBuilder(cluster, true);
    const findings = new Map<string, Finding[]>();
    const texts = new Map<string, string>();
    const brokenFiles = new Set<string>();
    let n = 0;
    for (const f of this.files.values()) {
      const list: Finding[] = [];
      findings.set(f.path, list);
      texts.set(f.path, f.text);
      let broken = false;
      for (const c of f.chunks) {
        const e = c.entry;
        place(e, c);
        if (e.broken) broken = true;
        mergeDocumentModel(b, e.model);
        for (const x of e.findings) list.push(x);
        if (++n % 64 === 0) yield;
      }
      if (broken) brokenFiles.add(f.path);
      else this.lastGood.set(f.path, { text: f.text, models: f.chunks.map((c) => c.entry.model) });
    }
    b.finish();
    for (const d of cluster.diagnostics) findings.get(d.range.file)?.push({ code: d.code, severity: d.severity, message: d.message, range: d.range, fix: d.fix ?? (d.code === 'cnp-protocol-no-port' ? { kind: 'cnp-all-ports' } : undefined) });
    const facts = new WorkspaceFacts(cluster, this.analyzeOpts);
    yield;
    let ws: Finding[] = [];
    try {
      yield* lintWorkspaceSteps(cluster, this.refiner(), facts, ws);
      if (cluster.calico) ws.push(...lintCalico(cluster));
      if (cluster.cilium || cluster.calico || cluster.clusterPolicies?.length) ws.push(...lintCilium(cluster, { cni: chooseCni(cluster, this.analyzeOpts.cni), analysis: () => facts.analysis(), cilium: this.analyzeOpts.cilium }));
      if (cluster.clusterPolicies?.length) ws.push(...lintClusterPolicies(cluster, { analysis: () => facts.analysis(), cni: chooseCni(cluster, this.analyzeOpts.cni).cni }));
      ws.push(...podIpSplitDiagnostics(cluster, this.analyzeOpts));
    } catch (e) {
      const first = this.files.values().next().value as FileState | undefined;
      ws = first ? [{ code: 'np-internal', severity: 'error', message: `Policy Lens workspace checks failed: ${String(e)}`, range: zeroRange(first.path) }] : [];
    }
    for (const w of ws) findings.get(w.range.file)?.push(w);
    for (const [path, list] of findings) {
      const f = this.files.get(path)!;
      if (f.suppressions === undefined) f.suppressions = parseSuppressions(f.text, this.lines(path));
      const sup = f.suppressions;
      const kept = sup.file.size === 0 && sup.lines.size === 0 ? list : list.filter((d) => !isSuppressed(sup, d.code, d.range.start.line));
      kept.sort((a, b) => a.range.startOffset - b.range.startOffset || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
      findings.set(path, kept);
      yield;
    }
    const result: ProjectResult = { version, cluster, facts, findings, texts, brokenFiles };
    this.cache = result;
    this.last = result;
    return result;
  }

  /** Files with documents not parsed yet. */
  filesWithPendingDocuments(): string[] {
    const out: string[] = [];
    for (const f of this.files.values()) if (f.chunks.some((c) => !c.built)) out.push(f.path);
    return out;
  }

  /**
   * The findings of a file from its documents parsed so far, without the workspace rules (suppressions applied,
   * capped at MAX_FINDINGS_PER_FILE), after an analysis-in-progress information: what a huge file shows while the
   * rest of it is being analysed.
   */
  partialFindings(path: string): Finding[] {
    const f = this.files.get(path);
    if (!f) return [];
    const list: Finding[] = [];
    for (const c of f.chunks) {
      if (!c.built) continue;
      const e = c.entry;
      place(e, c);
      for (const x of e.findings) list.push(x);
      for (const d of e.model.diagnostics) list.push({ code: d.code, severity: d.severity, message: d.message, range: d.range });
    }
    if (f.suppressions === undefined) f.suppressions = parseSuppressions(f.text, this.lines(path));
    const sup = f.suppressions;
    const kept = sup.file.size === 0 && sup.lines.size === 0 ? list : list.filter((d) => !isSuppressed(sup, d.code, d.range.start.line));
    kept.sort((a, b) => a.range.startOffset - b.range.startOffset || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
    const out = capFindings(path, kept);
    const read = f.chunks.filter((c) => c.built).length;
    if (read < f.chunks.length) {
      out.unshift({
        code: 'analysis-in-progress',
        severity: 'info',
        message: `Policy Lens is still reading this file (${read.toLocaleString('en-US')} of ${f.chunks.length.toLocaleString('en-US')} documents so far): these are the problems found so far; the rest, and the checks across documents, follow.`,
        range: zeroRange(path),
      });
    }
    return out;
  }

  /** Files whose current YAML is broken (see ProjectResult.brokenFiles). */
  brokenFiles(): Set<string> {
    return this.result().brokenFiles;
  }

  /**
   * The combined cluster the reachability panel should analyse: every file's current objects, except that a file
   * whose YAML is broken contributes the objects of its last version that parsed (nothing if it never did).
   * `staleFiles` lists the broken files. Cached per project version; no parse beyond result()'s. Ranges of a stale
   * file's objects may already describe positions in its current text.
   */
  lastGoodCluster(): { cluster: Cluster; staleFiles: string[] } {
    if (this.lastGoodCache && this.lastGoodCache.version === this.version) return this.lastGoodCache;
    const r = this.result();
    if (r.brokenFiles.size === 0) {
      this.lastGoodCache = { version: this.version, cluster: r.cluster, staleFiles: [] };
      return this.lastGoodCache;
    }
    const cluster = emptyCluster();
    const b = new ClusterBuilder(cluster, true);
    const staleFiles: string[] = [];
    for (const f of this.files.values()) {
      if (!r.brokenFiles.has(f.path)) {
        for (const c of f.chunks) mergeDocumentModel(b, c.entry.model);
        continue;
      }
      staleFiles.push(f.path);
      for (const m of this.lastGood.get(f.path)?.models ?? []) mergeDocumentModel(b, m);
    }
    b.finish();
    this.lastGoodCache = { version: this.version, cluster, staleFiles };
    return this.lastGoodCache;
  }

  /** Locates the chunk and chunk-relative offset of a file range. */
  locate(r: SourceRange): { chunk: PlacedChunk; rel: number } | undefined {
    const c = this.chunkAt(r.file, r.startOffset);
    if (!c) return undefined;
    return { chunk: c, rel: r.startOffset - c.startOffset };
  }

  private refiner(): RangeRefiner {
    const span = (c: PlacedChunk, path: string, s: [number, number] | undefined) => (s ? this.rangeIn(path, c, s[0], s[1]) : undefined);
    return {
      keyOfValue: (vr) => {
        const loc = this.locate(vr);
        if (!loc) return undefined;
        const hit = findNodeAt(loc.chunk.entry.parsed.doc.contents, loc.rel);
        return hit?.pair ? span(loc.chunk, vr.file, keySpan(hit.pair, loc.chunk.entry.parsed.text)) : undefined;
      },
      childOf: (mr, key, part) => {
        const loc = this.locate(mr);
        if (!loc) return undefined;
        const hit = findNodeAt(loc.chunk.entry.parsed.doc.contents, loc.rel);
        const p = hit ? pairOf(hit.node, key) : undefined;
        if (!p) return undefined;
        const t = loc.chunk.entry.parsed.text;
        return span(loc.chunk, mr.file, part === 'key' ? keySpan(p, t) : nodeSpan(p.value, t) ?? keySpan(p, t));
      },
      policyTypeEntry: (policy: NetworkPolicy, type) => {
        if (!policy.range) return undefined;
        const loc = this.locate(policy.range);
        if (!loc) return undefined;
        const t = loc.chunk.entry.parsed.text;
        const spec = asMap(valueOf(loc.chunk.entry.parsed.doc.contents, 'spec'));
        const types = asSeq(valueOf(spec, 'policyTypes'));
        const item = types?.items.find((i) => isScalar(i) && i.value === type);
        if (item) return span(loc.chunk, policy.range.file, nodeSpan(item, t));
        const p = pairOf(spec, type === 'Egress' ? 'egress' : 'ingress') as Pair | undefined;
        return p ? span(loc.chunk, policy.range.file, keySpan(p, t)) : undefined;
      },
    };
  }
}

/** A result with nothing in it (before the first analysis finished). */
export function emptyProjectResult(): ProjectResult {
  const cluster = emptyCluster();
  return { version: -1, cluster, facts: new WorkspaceFacts(cluster), findings: new Map(), texts: new Map(), brokenFiles: new Set() };
}
