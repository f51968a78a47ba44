// Text-based YAML context at a cursor, robust to half-typed (unparseable) documents: the path of
// keys and `-` items from the document root, whether a key or a value is being typed, and the
// document's kind/apiVersion. Works on block-style YAML (what people type); flow collections only
// on the cursor line.
import { LineIndex } from '../core/lines';

export interface CursorContext {
  /** Keys and `-` (sequence item) from the document root to the mapping/sequence the cursor is in. */
  path: string[];
  mode: 'key' | 'value';
  /** Value mode: the key whose value is typed. */
  key?: string;
  /** Partial word before the cursor. */
  prefix: string;
  /** Character where the partial word starts. */
  wordStart: number;
  /** Column where a key at this position starts. */
  keyColumn: number;
  /** Value mode inside a flow sequence `[a, b|`. */
  inFlowSeq: boolean;
  /** Keys already present in the mapping at the cursor (key mode). */
  siblings: Set<string>;
  kind?: string;
  apiVersion?: string;
  /** First and last line of the document holding the cursor. */
  docStart: number;
  docEnd: number;
}

interface LineShape {
  indent: number;
  /** Columns of `- ` markers at the start of the content. */
  dashes: number[];
  /** Column of the key (or of the scalar content after the dashes). */
  contentCol: number;
  key?: string;
  /** Text after `key:` (trimmed), '' when none. */
  value?: string;
  blank: boolean;
}

// A plain key may hold `:` not followed by white space (Cilium label keys such as `k8s:app`).
const KEY_RE = /^("[^"]*"|'[^']*'|[^\s#'"{[\]},:](?:[^#:]|:(?=[^\s#]))*?)\s*:(?=\s|$)\s*(.*)$/;

function unquote(k: string): string {
  return (k.startsWith('"') && k.endsWith('"')) || (k.startsWith("'") && k.endsWith("'")) ? k.slice(1, -1) : k;
}

export function shapeOf(line: string): LineShape {
  const m = /^(\s*)/.exec(line)!;
  const indent = m[1].length;
  let i = indent;
  const dashes: number[] = [];
  while (line[i] === '-' && (line[i + 1] === ' ' || line[i + 1] === '\t' || i + 1 === line.length)) {
    dashes.push(i);
    i++;
    while (line[i] === ' ' || line[i] === '\t') i++;
  }
  const rest = line.slice(i);
  const blank = rest.trim() === '' || rest.trimStart().startsWith('#');
  const km = KEY_RE.exec(rest);
  if (km) {
    const value = km[2].replace(/\s+#.*$/, '').trim();
    return { indent, dashes, contentCol: i, key: unquote(km[1].trim()), value: value.startsWith('#') ? '' : value, blank: false };
  }
  return { indent, dashes, contentCol: i, blank: blank && dashes.length === 0 };
}

function isDocMarker(line: string): boolean {
  return /^(---|\.\.\.)(\s|$)/.test(line);
}

/** Lines of a text read one at a time (a LineIndex: no splitting of large documents per request). */
export interface TextLines {
  readonly length: number;
  at(i: number): string;
}

export function textLines(index: LineIndex): TextLines {
  return { length: index.lineCount, at: (i) => index.lineText(i) };
}

export function documentBounds(lines: TextLines, line: number): [number, number] {
  let s = line;
  while (s > 0 && !isDocMarker(lines.at(s))) s--;
  let e = line + 1;
  while (e < lines.length && !isDocMarker(lines.at(e))) e++;
  return [s, e - 1];
}

function topLevel(lines: TextLines, from: number, to: number, key: string): string | undefined {
  const re = new RegExp(`^${key}:\\s*(["']?)([^"'#\\s]+)\\1`);
  for (let i = from; i <= to; i++) {
    const m = re.exec(lines.at(i));
    if (m) return m[2];
  }
  return undefined;
}

/** Path of parents for a position at `col` on line `line` (scanning upward). */
export function parentsAbove(lines: TextLines, line: number, col: number, docStart: number): string[] | undefined {
  const path: string[] = [];
  let t = col;
  for (let i = line - 1; i >= docStart && t > 0; i--) {
    const l = lines.at(i);
    if (isDocMarker(l)) break;
    const s = shapeOf(l);
    if (s.blank) continue;
    if (s.key !== undefined && s.contentCol < t) {
      if (s.value && /^[|>]/.test(s.value)) return undefined; // inside a block scalar
      if (s.value && !/^&\S+$/.test(s.value) && !/^!\S+$/.test(s.value)) return undefined; // malformed: scalar parent
      path.push(s.key);
      t = s.contentCol;
    } else if (s.key === undefined && s.contentCol < t && s.dashes.length === 0) {
      return undefined; // a plain scalar line above at lower indentation (multi-line scalar)
    }
    for (let d = s.dashes.length - 1; d >= 0; d--) {
      if (s.dashes[d] < t) {
        path.push('-');
        t = s.dashes[d];
      }
    }
  }
  return path.reverse();
}

/** Keys already present in the block mapping whose keys start at `col`, around `line`. */
function siblingKeys(lines: TextLines, line: number, col: number, docStart: number, docEnd: number): Set<string> {
  const out = new Set<string>();
  for (let i = line - 1; i >= docStart; i--) {
    if (isDocMarker(lines.at(i))) break;
    const s = shapeOf(lines.at(i));
    if (s.blank || s.contentCol > col) continue;
    if (s.contentCol < col) break;
    if (s.key !== undefined) out.add(s.key);
    if (s.dashes.length) break; // first key of this sequence item
  }
  for (let i = line + 1; i <= docEnd && i < lines.length; i++) {
    if (isDocMarker(lines.at(i))) break;
    const s = shapeOf(lines.at(i));
    if (s.blank || s.contentCol > col) continue;
    if (s.contentCol < col || s.dashes.length) break;
    if (s.key !== undefined) out.add(s.key);
  }
  return out;
}

/** Cursor context at a line / character of a text (lines as the LSP counts them: "\n", "\r\n" and "\r"). */
export function cursorContext(text: string | LineIndex, line: number, character: number): CursorContext | undefined {
  const lines = textLines(typeof text === 'string' ? new LineIndex(text) : text);
  if (line < 0 || line >= lines.length) return undefined;
  const cur = lines.at(line);
  const before = cur.slice(0, character);
  if (/^(---|\.\.\.)/.test(before)) return undefined;
  const [docStart, docEnd] = documentBounds(lines, line);
  const kind = topLevel(lines, docStart, docEnd, 'kind');
  const apiVersion = topLevel(lines, docStart, docEnd, 'apiVersion');
  if (before.includes('#') && /(^|\s)#/.test(before)) return undefined; // in a comment
  const s = shapeOf(before);
  const inner = s.dashes.map(() => '-');
  const rest = before.slice(s.contentCol);
  const km = KEY_RE.exec(rest);
  if (km) {
    // Value position: `key: val|`
    const key = unquote(km[1].trim());
    let val = km[2];
    let inFlowSeq = false;
    if (val.startsWith('[')) {
      inFlowSeq = true;
      val = val.slice(val.lastIndexOf(',') >= 0 ? val.lastIndexOf(',') + 1 : 1);
    }
    if (/^[|>]/.test(val) || val.startsWith('{')) return undefined;
    const prefix = val.trimStart().replace(/^["']/, '');
    const parents = parentsAbove(lines, line, s.dashes.length ? s.dashes[0] : s.contentCol, docStart);
    if (!parents) return undefined;
    return { path: [...parents, ...inner], mode: 'value', key, prefix, wordStart: character - prefix.length, keyColumn: s.contentCol, inFlowSeq, siblings: new Set(), kind, apiVersion, docStart, docEnd };
  }
  if (/[:{}[\],]/.test(rest)) return undefined;
  const prefix = rest;
  const col = s.contentCol;
  const parents = parentsAbove(lines, line, s.dashes.length ? s.dashes[0] : col, docStart);
  if (!parents) return undefined;
  const siblings = s.dashes.length ? new Set<string>() : siblingKeys(lines, line, col, docStart, docEnd);
  return { path: [...parents, ...inner], mode: 'key', prefix, wordStart: col, keyColumn: col, inFlowSeq: false, siblings, kind, apiVersion, docStart, docEnd };
}
