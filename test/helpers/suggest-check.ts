// Independent checks of a suggestion proposal (core/suggest): apply its text edits to the original files, parse and
// analyse from scratch, and compare endpoint by endpoint with the analysis before — without the panel diff the
// suggestion engine uses — against the effect the proposal promises.
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { analyze, ConnSet, parseFiles, type Analysis, type InputFile } from '../../server/src/core/index';
import { lineStarts, offsetOf } from '../../server/src/core/lint/chunks';
import type { FileEdit, Proposal, SuggestResult } from '../../server/src/core/suggest/index';
import { parseCidr, parseIPv4, parseIPv6, formatAddr, FAMILY_MAX, type Family } from '../../server/src/core/ip';

/** Applies a proposal's edits (by offsets, checking that the positions agree) to the files. */
export function applyProposal(files: InputFile[], edits: FileEdit[]): InputFile[] {
  const out = new Map(files.map((f) => [f.path, f.text]));
  for (const fe of edits) {
    const text = out.get(fe.file) ?? '';
    if (!fe.create) assert.ok(out.has(fe.file), `edit of an unknown file ${fe.file}`);
    const starts = lineStarts(text);
    const sorted = [...fe.edits].sort((a, b) => b.startOffset - a.startOffset);
    for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i].endOffset <= sorted[i - 1].startOffset, 'overlapping edits');
    let t = text;
    for (const e of sorted) {
      assert.equal(offsetOf(starts, text.length, e.start.line, e.start.character), e.startOffset, 'start position and offset disagree');
      assert.equal(offsetOf(starts, text.length, e.end.line, e.end.character), e.endOffset, 'end position and offset disagree');
      t = t.slice(0, e.startOffset) + e.newText + t.slice(e.endOffset);
    }
    out.set(fe.file, t);
  }
  return [...out].map(([path, text]) => ({ path, text }));
}

interface Seg {
  family: Family;
  lo: bigint;
  hi: bigint;
}

/** The common refinement of both analyses' external address atoms. */
function segments(a: Analysis, b: Analysis): Seg[] {
  const pts = new Map<Family, Set<bigint>>();
  for (const x of [...a.atoms, ...b.atoms]) {
    let s = pts.get(x.family);
    if (!s) pts.set(x.family, (s = new Set()));
    s.add(x.lo);
    if (x.hi < FAMILY_MAX[x.family]) s.add(x.hi + 1n);
  }
  const out: Seg[] = [];
  for (const [family, s] of pts) {
    const sorted = [...s].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    sorted.forEach((lo, i) => out.push({ family, lo, hi: i + 1 < sorted.length ? sorted[i + 1] - 1n : FAMILY_MAX[family] }));
  }
  return out;
}

function atomOf(a: Analysis, s: Seg): string | undefined {
  return a.atoms.find((x) => x.family === s.family && x.lo <= s.lo && s.hi <= x.hi)?.id;
}

type Changes = Map<string, ConnSet>;

function addTo(m: Changes, k: string, c: ConnSet): void {
  if (c.isEmpty()) return;
  m.set(k, (m.get(k) ?? ConnSet.EMPTY).union(c));
}

/** Pairwise changes from `before` to `after` (externals reported by the `after` atom holding each segment). */
export function pairwiseChanges(before: Analysis, after: Analysis): { added: Changes; removed: Changes } {
  const added: Changes = new Map();
  const removed: Changes = new Map();
  const ids = after.workloads.map((w) => w.id);
  for (const s of ids) {
    for (const d of ids) {
      if (s === d) continue;
      const now = after.allowedBetween(s, d);
      const was = before.workloadIndex(s) !== undefined && before.workloadIndex(d) !== undefined ? before.allowedBetween(s, d) : ConnSet.EMPTY;
      addTo(added, `${s} > ${d}`, now.subtract(was));
      addTo(removed, `${s} > ${d}`, was.subtract(now));
    }
  }
  for (const seg of segments(before, after)) {
    const ip = formatAddr(seg.family, seg.lo);
    const atom = atomOf(after, seg)!;
    for (const w of ids) {
      const inBefore = before.workloadIndex(w) !== undefined;
      for (const [s, d, k] of [
        [w, ip, `${w} > ${atom}`],
        [ip, w, `${atom} > ${w}`],
      ]) {
        const now = after.allowedBetween(s, d);
        const was = inBefore ? before.allowedBetween(s, d) : ConnSet.EMPTY;
        addTo(added, k, now.subtract(was));
        addTo(removed, k, was.subtract(now));
      }
    }
  }
  return { added, removed };
}

function effectMap(list: Proposal['effect']['added']): Changes {
  const m: Changes = new Map();
  for (const c of list) addTo(m, `${c.src} > ${c.dst}`, ConnSet.fromProtocolPorts(c.protocols));
  return m;
}

function show(m: Changes): Record<string, string> {
  return Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, v.toString()]));
}

/** The address interval of a request endpoint that is not a workload. */
function interval(id: string): Seg | undefined {
  const v4 = parseIPv4(id);
  if (v4 !== undefined) return { family: 4, lo: v4, hi: v4 };
  const v6 = parseIPv6(id);
  if (v6 !== undefined) return { family: 6, lo: v6, hi: v6 };
  const c = parseCidr(id);
  if (typeof c !== 'string') return c;
  const m = /^([^-]+)-([^-]+)$/.exec(id);
  if (m) {
    const lo = parseIPv4(m[1]) ?? parseIPv6(m[1]);
    const hi = parseIPv4(m[2]) ?? parseIPv6(m[2]);
    if (lo !== undefined && hi !== undefined) return { family: parseIPv4(m[1]) !== undefined ? 4 : 6, lo, hi };
  }
  return undefined;
}

/**
 * Asserts that a proposal is verified: its edits apply, the edited files parse without YAML errors and without new
 * error diagnostics, the requested flow is now allowed (blocked), and the reachability changed exactly as its effect
 * says (nothing removed for allow, nothing added for block). Returns the analysis after the edit.
 */
export function assertVerified(files: InputFile[], before: Analysis, r: SuggestResult, p: Proposal, reqSrc: string, reqDst: string, staged = false): Analysis {
  const edited = applyProposal(files, p.edits);
  for (const f of edited) {
    if (files.find((x) => x.path === f.path)?.text === f.text) continue;
    for (const d of parseAllDocuments(f.text)) assert.deepEqual(d.errors.map((e) => e.message), [], `YAML errors in ${f.path} after "${p.title}"`);
  }
  const cluster = parseFiles(edited);
  const errs = (c: { diagnostics: { severity: string; code: string }[] }) => c.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code).sort();
  assert.deepEqual(errs(cluster), errs(before.cluster), `new error diagnostics after "${p.title}"`);
  const after = analyze(cluster, { staged });
  const want = ConnSet.fromProtocolPorts(r.requested);
  // The requested flow, on every endpoint of the request (an address interval may be several atoms after the edit).
  const ends = (id: string) => {
    const iv = interval(id);
    if (!iv) return [id];
    return after.atoms.filter((x) => x.family === iv.family && x.lo <= iv.hi && iv.lo <= x.hi).map((x) => formatAddr(x.family, x.lo > iv.lo ? x.lo : iv.lo));
  };
  for (const s of ends(reqSrc)) {
    for (const d of ends(reqDst)) {
      const now = after.allowedBetween(s, d);
      if (r.mode === 'allow') assert.ok(now.contains(want), `"${p.title}": ${s} -> ${d} allows ${now} after the edit, not all of ${want}`);
      else assert.ok(now.intersect(want).isEmpty(), `"${p.title}": ${s} -> ${d} still allows ${now.intersect(want)}`);
    }
  }
  const truth = pairwiseChanges(before, after);
  if (p.effect.omitted === 0) {
    assert.deepEqual(show(truth.added), show(effectMap(p.effect.added)), `added flows of "${p.title}"`);
    assert.deepEqual(show(truth.removed), show(effectMap(p.effect.removed)), `removed flows of "${p.title}"`);
  }
  if (r.mode === 'allow') assert.equal(truth.removed.size, 0, `"${p.title}" removes flows`);
  else assert.equal(truth.added.size, 0, `"${p.title}" adds flows`);
  const extras = (r.mode === 'allow' ? p.effect.added : p.effect.removed).filter((c) => !c.requested);
  assert.equal(p.exact, extras.length === 0 && p.effect.omitted === 0);
  if (!p.exact) assert.match(p.title, r.mode === 'allow' ? /also allows/ : /also blocks/);
  return after;
}
