// Verification of a proposal by the engine: apply the text changes, parse the edited files again, analyse them with
// the one evaluator, and compare with the analysis before the edit on the common refinement of both analyses'
// classes (the panel's diff, core/panel-data.ts). Also turns the final texts into minimal line edits and unified
// diff hunks (the `diff` package). Pure: no LSP imports.
import { diffLines, structuredPatch } from 'diff';
import { mergeClusters, parseFiles, type ParseOptions } from '../parse';
import { analyze, analyzeIncremental, type Analysis } from '../analysis';
import { splitDocuments, type Chunk } from '../lint/chunks';
import { panelData } from '../panel-data';
import { ConnSet } from '../ports';
import type { Cluster, SourceRange } from '../model';
import { lineStarts, positionOf } from '../lint/chunks';
import type { ModelOptions } from '../policy/build';
import type { Effect, FileEdit, FlowChange, TextChange, TextEditSpec } from './types';

/** Applies text changes (absolute offsets in the current texts) and returns the new file texts. */
export function applyChanges(files: ReadonlyMap<string, string>, changes: TextChange[]): Map<string, string> {
  const out = new Map(files);
  const byFile = new Map<string, TextChange[]>();
  for (const c of changes) {
    let l = byFile.get(c.file);
    if (!l) byFile.set(c.file, (l = []));
    l.push(c);
  }
  for (const [file, list] of byFile) {
    let text = out.get(file) ?? '';
    // Later offsets first; inserts at the same offset keep their given order.
    const sorted = list.map((c, i) => ({ c, i })).sort((x, y) => y.c.start - x.c.start || y.i - x.i);
    for (const { c } of sorted) text = text.slice(0, c.start) + c.newText + text.slice(c.end);
    out.set(file, text);
  }
  return out;
}

export interface Reanalysis {
  cluster: Cluster;
  analysis: Analysis;
}

function isRange(v: object): v is SourceRange {
  return 'startOffset' in v && 'endOffset' in v && 'start' in v && 'file' in v && 'doc' in v;
}

/** A deep copy of a document's model with every source range moved by (lines, offset, documents). */
function shifted<T>(v: T, dl: number, doff: number, ddoc: number, seen: Map<object, unknown>): T {
  if (!v || typeof v !== 'object') return v;
  const hit = seen.get(v as object);
  if (hit) return hit as T;
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    seen.set(v, out);
    for (const x of v) out.push(shifted(x, dl, doff, ddoc, seen));
    return out as T;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return v;
  if (isRange(v as object)) {
    const r = v as unknown as SourceRange;
    const out: SourceRange = { ...r, doc: r.doc + ddoc, start: { line: r.start.line + dl, character: r.start.character }, end: { line: r.end.line + dl, character: r.end.character }, startOffset: r.startOffset + doff, endOffset: r.endOffset + doff };
    seen.set(v as object, out);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  seen.set(v as object, out);
  for (const [k, x] of Object.entries(v as object)) out[k] = shifted(x, dl, doff, ddoc, seen);
  return out as T;
}

/**
 * Parses the states of a search. Files whose text is the original one are parsed once (whole file, as the
 * reachability service parses them); an edited file is parsed document by document (as the language server's lint
 * project does), each document once (by text) and reused where it did not move, or copied with moved ranges where it
 * did; for the verification, every document the edit changed or added is parsed from scratch. The parts are merged as parseFiles merges files (pods folded into their
 * owners, namespaces merged). Unchanged policies keep their objects, so the incremental analysis of a search state
 * reuses their evaluation.
 */
export class StateParser {
  private readonly whole = new Map<string, Cluster>();
  private readonly docs = new Map<string, Cluster>();
  private readonly placed = new Map<string, Cluster>();

  constructor(
    private readonly parse: ParseOptions,
    private readonly original: ReadonlyMap<string, string>,
  ) {}

  private fileModel(path: string, text: string): Cluster {
    const key = `${path}\u0000${text}`;
    let m = this.whole.get(key);
    if (!m) this.whole.set(key, (m = parseFiles([{ path, text }], this.parse)));
    return m;
  }

  private docModel(path: string, c: Chunk, fresh: boolean): Cluster {
    const key = `${path}\u0000${c.text}`;
    let m = fresh ? undefined : this.docs.get(key);
    if (!m) {
      m = parseFiles([{ path, text: c.text }], this.parse);
      if (fresh) return c.startLine === 0 && c.startOffset === 0 && c.docIndex === 0 ? m : shifted(m, c.startLine, c.startOffset, c.docIndex, new Map());
      this.docs.set(key, m);
    }
    if (c.startLine === 0 && c.startOffset === 0 && c.docIndex === 0) return m;
    const pk = `${key}\u0000${c.startLine}\u0000${c.startOffset}\u0000${c.docIndex}`;
    let p = this.placed.get(pk);
    if (!p) this.placed.set(pk, (p = shifted(m, c.startLine, c.startOffset, c.docIndex, new Map())));
    return p;
  }

  /** The cluster of a state; `verify`: the edited documents are parsed from scratch (not taken from the cache). */
  cluster(files: ReadonlyMap<string, string>, verify = false): Cluster {
    const parts: Cluster[] = [];
    for (const [path, text] of files) {
      const orig = this.original.get(path);
      if (orig === text) {
        parts.push(this.fileModel(path, text));
        continue;
      }
      const before = new Set(orig === undefined ? [] : splitDocuments(orig).map((c) => c.text));
      for (const c of splitDocuments(text)) parts.push(this.docModel(path, c, verify && !before.has(c.text)));
    }
    return mergeClusters(parts, this.parse);
  }

  /** The cluster and analysis of a search state, reusing `previous` wherever the change cannot affect it. */
  analyse(files: ReadonlyMap<string, string>, previous: Analysis, model: ModelOptions): Reanalysis {
    const cluster = this.cluster(files);
    return { cluster, analysis: analyzeIncremental(cluster, previous, model) };
  }

  /** The verification of a final state: edited files parsed from scratch, analysed from scratch. */
  verify(files: ReadonlyMap<string, string>, model: ModelOptions): Reanalysis {
    const cluster = this.cluster(files, true);
    return { cluster, analysis: analyze(cluster, model) };
  }
}

/** Error diagnostics the edit introduced (counted per file and code), as "file: code" strings. */
export function newErrors(before: Cluster, after: Cluster): string[] {
  const count = (c: Cluster) => {
    const m = new Map<string, number>();
    for (const d of c.diagnostics) if (d.severity === 'error') m.set(`${d.range.file}: ${d.code}`, (m.get(`${d.range.file}: ${d.code}`) ?? 0) + 1);
    return m;
  };
  const b = count(before);
  const out: string[] = [];
  for (const [k, n] of count(after)) if (n > (b.get(k) ?? 0)) out.push(k);
  return out;
}

/**
 * The reachability change from `before` to `after`, endpoint pair by endpoint pair. `requested(src, dst)` says
 * whether a pair is (part of) the requested flow; on such pairs the connections inside `want` are marked requested.
 * At most `limit` unrequested pairs are listed per list; the rest are counted in `omitted`.
 */
export function effectOf(before: Analysis, after: Analysis, requested: (src: string, dst: string) => boolean, want: ConnSet, limit = 50): Effect {
  const p = panelData(after, { baseline: before });
  const d = p.diff!;
  const effect: Effect = { added: [], removed: [], omitted: 0 };
  const expand = (entries: [number, number, number][], into: FlowChange[]) => {
    let listed = 0;
    for (const [sg, dg, k] of entries) {
      const conns = ConnSet.fromProtocolPorts(p.conns[k]);
      for (const s of d.groups[sg]) {
        for (const t of d.groups[dg]) {
          if (s === t) continue;
          const src = p.endpoints[s].id;
          const dst = p.endpoints[t].id;
          if (requested(src, dst)) {
            const inside = conns.intersect(want);
            const outside = conns.subtract(want);
            if (!inside.isEmpty()) into.push({ src, dst, protocols: inside.toJSON(), requested: true });
            if (!outside.isEmpty()) into.push({ src, dst, protocols: outside.toJSON(), requested: false });
          } else if (listed < limit) {
            listed++;
            into.push({ src, dst, protocols: conns.toJSON(), requested: false });
          } else effect.omitted++;
        }
      }
    }
    into.sort((x, y) => Number(y.requested) - Number(x.requested) || (x.src < y.src ? -1 : x.src > y.src ? 1 : x.dst < y.dst ? -1 : x.dst > y.dst ? 1 : 0));
  };
  expand(d.added, effect.added);
  expand(d.removed, effect.removed);
  return effect;
}

/** Minimal line edits and unified diff hunks that turn each original text into its final text. */
export function fileEdits(original: ReadonlyMap<string, string>, final: ReadonlyMap<string, string>): FileEdit[] {
  const out: FileEdit[] = [];
  for (const [file, text] of final) {
    const old = original.get(file);
    if (old === text) continue;
    const before = old ?? '';
    const starts = lineStarts(before);
    const edits: TextEditSpec[] = [];
    let offset = 0;
    let pending: { start: number; end: number; newText: string } | undefined;
    const flush = () => {
      if (!pending) return;
      edits.push({ startOffset: pending.start, endOffset: pending.end, start: positionOf(starts, pending.start), end: positionOf(starts, pending.end), newText: pending.newText });
      pending = undefined;
    };
    for (const part of diffLines(before, text)) {
      if (part.added) {
        pending ??= { start: offset, end: offset, newText: '' };
        pending.newText += part.value;
      } else if (part.removed) {
        pending ??= { start: offset, end: offset, newText: '' };
        offset += part.value.length;
        pending.end = offset;
      } else {
        flush();
        offset += part.value.length;
      }
    }
    flush();
    const patch = structuredPatch(file, file, before, text, '', '', { context: 2 });
    const hunks = patch.hunks.map((h) => [`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines].join('\n')).join('\n');
    out.push({ file, create: old === undefined ? true : undefined, edits, hunks });
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : 1));
}

/** A unified-diff-like preview of a proposal's edits; `name` renders a file path (e.g. relative). */
export function renderPreview(edits: FileEdit[], name: (file: string) => string = (f) => f): string {
  return edits.map((e) => `--- ${e.create ? '/dev/null' : `a/${name(e.file)}`}\n+++ b/${name(e.file)}\n${e.hunks}`).join('\n');
}
