// Verification of a proposal by the engine: apply the text changes, parse the edited files again, analyse them with
// the one evaluator, and compare with the analysis before the edit on the common refinement of both analyses'
// classes (the panel's diff, core/panel-data.ts). Also turns the final texts into minimal line edits and unified
// diff hunks (the `diff` package). Pure: no LSP imports.
import { diffLines, structuredPatch } from 'diff';
import { parseFiles, type InputFile, type ParseOptions } from '../parse';
import { analyze, type Analysis } from '../analysis';
import { panelData } from '../panel-data';
import { ConnSet } from '../ports';
import type { Cluster } from '../model';
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

/** Parses the files and analyses them from scratch (no reuse: the verification does not depend on caches). */
export function analyseFiles(files: ReadonlyMap<string, string>, parse: ParseOptions, model: ModelOptions): Reanalysis {
  const input: InputFile[] = [...files].map(([path, text]) => ({ path, text }));
  const cluster = parseFiles(input, parse);
  return { cluster, analysis: analyze(cluster, model) };
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
