// Incremental lint project: holds the text of every manifest file, splits files into YAML documents,
// caches per-document work (AST, single-document findings, model objects) by document text, and
// caches the workspace-wide result per project version. Used by the language server and usable by
// the browser playground (pure: no LSP / node imports).
import { isScalar, LineCounter, type Pair } from 'yaml';
import { ClusterBuilder, ParseContext, parseFiles, type InputFile, type ParseOptions } from '../parse';
import type { Cluster, Diagnostic, NetworkPolicy, SourceRange } from '../model';
import { asMap, asSeq, findNodeAt, keySpan, nodeSpan, pairOf, valueOf } from './ast';
import { parseChunk, positionOf, splitDocuments, type Chunk, type ParsedChunk } from './chunks';
import { lintChunk, type LocalFinding } from './doc-rules';
import { lintCalico } from '../dialects/calico/lint';
import { mergeCiliumInput } from '../dialects/cilium/model';
import { lintCilium, lintCiliumChunk } from '../dialects/cilium/lint';
import { chooseCni } from '../policy/cni';
import { lintClusterPolicies } from '../dialects/admin/lint';
import { podIpSplitDiagnostics } from './pod-ips';
import type { AnalyzeOptions } from '../analysis';
import { isSuppressed, parseSuppressions, type Suppressions } from './suppress';
import { lintWorkspace, WorkspaceFacts, type Finding, type RangeRefiner } from './workspace-rules';

export type { Finding } from './workspace-rules';

export type ModelParser = (files: InputFile[], opts: ParseOptions) => Cluster;

interface ChunkEntry {
  parsed: ParsedChunk;
  local: LocalFinding[];
  /** Model of this document alone. Its ranges are moved in place to the chunk's current position. */
  model: Cluster;
  /** Every SourceRange object inside `model` (each once). */
  ranges: SourceRange[];
  /** Position the ranges currently describe. */
  at: { line: number; offset: number; doc: number };
}

/** A chunk of a file together with its cached work. */
export interface PlacedChunk extends Chunk {
  entry: ChunkEntry;
}

interface FileState {
  path: string;
  text: string;
  chunks: PlacedChunk[];
  suppressions?: Suppressions;
}

export interface ProjectResult {
  version: number;
  cluster: Cluster;
  facts: WorkspaceFacts;
  /** Findings per file path (model diagnostics + lint findings, suppressions applied), sorted by position. */
  findings: Map<string, Finding[]>;
}

export interface ProjectOptions extends ParseOptions {
  /** Model parser (default: the core's parseFiles). */
  parse?: ModelParser;
  /** Options of the analysis the workspace lints consult (e.g. the CNI, ipBlockMatchesPods). */
  analyzeOptions?: AnalyzeOptions;
}

function isRange(v: object): v is SourceRange {
  return 'startOffset' in v && 'endOffset' in v && 'start' in v && 'file' in v;
}

/** Collects every SourceRange object reachable from a value (each object once). */
function collectRanges(v: unknown, out: Set<SourceRange>): void {
  if (Array.isArray(v)) {
    for (const x of v) collectRanges(x, out);
  } else if (v && typeof v === 'object') {
    if (isRange(v)) {
      out.add(v);
      return;
    }
    for (const x of Object.values(v)) collectRanges(x, out);
  }
}

/** Moves an entry's model ranges (in place) to the chunk's position in the file. */
function place(e: ChunkEntry, c: Chunk): void {
  const dl = c.startLine - e.at.line;
  const doff = c.startOffset - e.at.offset;
  const ddoc = c.docIndex - e.at.doc;
  if (dl === 0 && doff === 0 && ddoc === 0) return;
  for (const r of e.ranges) {
    r.start.line += dl;
    r.end.line += dl;
    r.startOffset += doff;
    r.endOffset += doff;
    r.doc += ddoc;
  }
  e.at = { line: c.startLine, offset: c.startOffset, doc: c.docIndex };
}

/** Copy of a workload / namespace that the cluster builder may mutate without touching the cache. */
function own<T extends object>(v: T): T {
  const out = { ...v } as Record<string, unknown>;
  for (const [k, x] of Object.entries(out)) {
    if (Array.isArray(x)) out[k] = [...x];
    else if (k === 'labels' && x && typeof x === 'object') out[k] = { ...(x as object) };
  }
  return out as T;
}

export class LintProject {
  private readonly files = new Map<string, FileState>();
  private version = 0;
  private cache?: ProjectResult;
  private readonly parse: ModelParser;
  readonly parseOptions: ParseOptions;
  private analyzeOpts: AnalyzeOptions;

  constructor(opts: ProjectOptions = {}) {
    this.parse = opts.parse ?? ((files, o) => parseFiles(files, o));
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

  /** Sets (or replaces) a file's text. Only documents whose text changed are parsed again. */
  setFile(path: string, text: string): void {
    const prev = this.files.get(path);
    if (prev && prev.text === text) return;
    const old = new Map<string, ChunkEntry>();
    for (const c of prev?.chunks ?? []) old.set(c.text, c.entry);
    const chunks = splitDocuments(text).map((c) => {
      // Reuse the cached work of an unchanged document (each cache entry serves one chunk only).
      const reuse = old.get(c.text);
      if (reuse) old.delete(c.text);
      return { ...c, entry: reuse ?? this.build(path, c.text) };
    });
    this.files.set(path, { path, text, chunks });
    this.version++;
  }

  removeFile(path: string): void {
    if (this.files.delete(path)) this.version++;
  }

  hasFile(path: string): boolean {
    return this.files.has(path);
  }

  getText(path: string): string | undefined {
    return this.files.get(path)?.text;
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

  private build(path: string, text: string): ChunkEntry {
    const parsed = parseChunk(text);
    let local: LocalFinding[] = [];
    try {
      local = [...lintChunk(parsed), ...lintCiliumChunk(parsed)];
    } catch (e) {
      local = [{ code: 'np-internal', severity: 'error', message: `Policy Lens could not check this document: ${String(e)}`, start: 0, end: 0 }];
    }
    let model: Cluster;
    // Only objects with a kind become model objects; skip the model parser for other documents.
    if (parsed.kind === undefined && !/^\s*kind\s*:/m.test(text)) model = { namespaces: [], workloads: [], policies: [], diagnostics: syntaxOnly(path, parsed) };
    else {
      try {
        model = this.parse([{ path, text }], this.parseOptions);
      } catch (e) {
        model = { namespaces: [], workloads: [], policies: [], diagnostics: [{ code: 'np-internal', severity: 'error', message: `Policy Lens could not read this document: ${String(e)}`, range: { file: path, doc: 0, start: { line: 0, character: 0 }, end: { line: 0, character: 0 }, startOffset: 0, endOffset: 0 } }] };
      }
    }
    const set = new Set<SourceRange>();
    collectRanges(model, set);
    return { parsed, local, model, ranges: [...set], at: { line: 0, offset: 0, doc: 0 } };
  }

  /** Converts a chunk-relative span to a file range. */
  rangeIn(path: string, c: PlacedChunk, start: number, end: number): SourceRange {
    const s = positionOf(c.entry.parsed.lineStarts, start);
    const e = positionOf(c.entry.parsed.lineStarts, end);
    return {
      file: path,
      doc: c.docIndex,
      start: { line: s.line + c.startLine, character: s.character },
      end: { line: e.line + c.startLine, character: e.character },
      startOffset: start + c.startOffset,
      endOffset: end + c.startOffset,
    };
  }

  /** The workspace-wide result; recomputed only when some file changed. */
  result(): ProjectResult {
    if (this.cache && this.cache.version === this.version) return this.cache;
    const cluster: Cluster = { namespaces: [], workloads: [], policies: [], diagnostics: [] };
    const b = new ClusterBuilder(cluster);
    const findings = new Map<string, Finding[]>();
    for (const f of this.files.values()) {
      const list: Finding[] = [];
      findings.set(f.path, list);
      for (const c of f.chunks) {
        const m = c.entry.model;
        place(c.entry, c);
        for (const ns of m.namespaces) b.addNamespace(own(ns));
        if (m.workloads.length) {
          const ctx = new ParseContext(f.path, c.docIndex, new LineCounter(), this.parseOptions.defaultNamespace ?? 'default', cluster.diagnostics);
          for (const w of m.workloads) b.addWorkload(own(w), ctx);
        }
        for (const p of m.policies) cluster.policies.push(p);
        if (m.calico) {
          const cc = (cluster.calico ??= { policies: [], networkSets: [], tiers: [] });
          cc.policies.push(...m.calico.policies);
          cc.networkSets.push(...m.calico.networkSets);
          cc.tiers.push(...m.calico.tiers);
        }
        mergeCiliumInput(cluster, m);
        if (m.cniMarkers) (cluster.cniMarkers ??= []).push(...m.cniMarkers);
        if (m.clusterPolicies) (cluster.clusterPolicies ??= []).push(...m.clusterPolicies);
        if (m.nodes) (cluster.nodes ??= []).push(...m.nodes);
        for (const d of m.diagnostics) cluster.diagnostics.push(d);
        for (const lf of c.entry.local) list.push({ code: lf.code, severity: lf.severity, message: lf.message, range: this.rangeIn(f.path, c, lf.start, lf.end), fix: lf.fix });
      }
    }
    b.finish();
    for (const d of cluster.diagnostics) findings.get(d.range.file)?.push({ code: d.code, severity: d.severity, message: d.message, range: d.range, fix: d.fix ?? (d.code === 'cnp-protocol-no-port' ? { kind: 'cnp-all-ports' } : undefined) });
    const facts = new WorkspaceFacts(cluster, this.analyzeOpts);
    let ws: Finding[] = [];
    try {
      ws = lintWorkspace(cluster, this.refiner(), facts);
      if (cluster.calico) ws.push(...lintCalico(cluster));
      if (cluster.cilium || cluster.calico || cluster.clusterPolicies?.length) ws.push(...lintCilium(cluster, { cni: chooseCni(cluster, this.analyzeOpts.cni), analysis: () => facts.analysis(), cilium: this.analyzeOpts.cilium }));
      if (cluster.clusterPolicies?.length) ws.push(...lintClusterPolicies(cluster, { analysis: () => facts.analysis(), cni: chooseCni(cluster, this.analyzeOpts.cni).cni }));
      ws.push(...podIpSplitDiagnostics(cluster, this.analyzeOpts));
    } catch (e) {
      const first = this.files.values().next().value as FileState | undefined;
      if (first) ws = [{ code: 'np-internal', severity: 'error', message: `Policy Lens workspace checks failed: ${String(e)}`, range: { file: first.path, doc: 0, start: { line: 0, character: 0 }, end: { line: 0, character: 0 }, startOffset: 0, endOffset: 0 } }];
    }
    for (const w of ws) findings.get(w.range.file)?.push(w);
    for (const [path, list] of findings) {
      const f = this.files.get(path)!;
      if (f.suppressions === undefined) f.suppressions = parseSuppressions(f.text);
      const sup = f.suppressions;
      const kept = sup.file.size === 0 && sup.lines.size === 0 ? list : list.filter((d) => !isSuppressed(sup, d.code, d.range.start.line));
      kept.sort((a, b) => a.range.startOffset - b.range.startOffset || a.code.localeCompare(b.code));
      findings.set(path, kept);
    }
    this.cache = { version: this.version, cluster, facts, findings };
    return this.cache;
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

function syntaxOnly(path: string, parsed: ParsedChunk): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const err of parsed.doc.errors) {
    const [s, e] = err.pos;
    const a = positionOf(parsed.lineStarts, s);
    const b = positionOf(parsed.lineStarts, Math.max(e, s));
    out.push({ code: 'yaml-syntax', severity: 'error', message: err.message.split('\n')[0], range: { file: path, doc: 0, start: a, end: b, startOffset: s, endOffset: Math.max(e, s) } });
  }
  return out;
}
