// A YAML stream as documents: splitting a file into one chunk per document, and THE parse of one document that the
// model parser, the lint rules, hover, completion, symbols and quick fixes all share (parseChunk). Pure: no LSP /
// Node imports (also used by the CLI and the browser playground).
//
// YAML 1.2 (§9.1, "c-forbidden"): a line that starts with `---` or `...` followed by white space or a line break
// ends any block scalar, flow collection or quoted scalar, so splitting on such lines is exactly what a full-stream
// parser does. Line breaks are "\n", "\r\n" and "\r" (core/lines.ts).
import { parseDocument, type Document } from 'yaml';
import { isLineBreakChar, LineIndex, normalizeLoneCR } from './lines';
import { expandAliases, type AliasProblem } from './yaml';

export interface Chunk {
  /** Text of this document (from its `---` line, if any, up to the next marker). */
  text: string;
  /** Offset of the chunk's first character in the file. */
  startOffset: number;
  /** 0-based line of the chunk's first character in the file. */
  startLine: number;
  /** 0-based index of the YAML document in the file (matches `yaml`'s parseAllDocuments). */
  docIndex: number;
}

function markerAt(text: string, i: number, ch: number): boolean {
  if (text.charCodeAt(i) !== ch || text.charCodeAt(i + 1) !== ch || text.charCodeAt(i + 2) !== ch) return false;
  const c = text.charCodeAt(i + 3);
  return Number.isNaN(c) || c === 32 || c === 9 || isLineBreakChar(c);
}

/** `---` (directives end / document start) at offset i. */
function isStartMarkerAt(text: string, i: number): boolean {
  return markerAt(text, i, 45);
}

/** `...` (document end) at offset i. */
function isEndMarkerAt(text: string, i: number): boolean {
  return markerAt(text, i, 46);
}

/** True when the text holds nothing but blank lines, comments and directives. */
function onlyTrivia(text: string): { trivia: boolean; directives: boolean } {
  let directives = false;
  for (const line of new LineIndex(text).lines()) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    if (line.startsWith('%')) {
      directives = true;
      continue;
    }
    return { trivia: false, directives };
  }
  return { trivia: true, directives };
}

export function splitDocuments(text: string): Chunk[] {
  const n = text.length;
  const bounds: { offset: number; line: number }[] = [{ offset: 0, line: 0 }];
  let line = 0;
  let i = 0;
  let afterEnd = false;
  // Next line break at or after j: indexOf is native (fast); texts without "\r" need only "\n".
  const hasCR = text.indexOf('\r') >= 0;
  let nextCR = hasCR ? text.indexOf('\r') : -1;
  const breakAt = (j: number): number => {
    const lf = text.indexOf('\n', j);
    if (!hasCR) return lf < 0 ? n : lf;
    if (nextCR >= 0 && nextCR < j) nextCR = text.indexOf('\r', j);
    const cr = nextCR;
    if (cr < 0) return lf < 0 ? n : lf;
    return lf < 0 ? cr : Math.min(lf, cr);
  };
  while (i <= n) {
    // i is a line start.
    if (i > 0 && (afterEnd || isStartMarkerAt(text, i)) && i < n) {
      if (bounds[bounds.length - 1].offset !== i) bounds.push({ offset: i, line });
    }
    afterEnd = isEndMarkerAt(text, i);
    const j = breakAt(i);
    if (j >= n) break;
    i = text.charCodeAt(j) === 13 && text.charCodeAt(j + 1) === 10 ? j + 2 : j + 1;
    line++;
  }
  const raw: Chunk[] = [];
  for (let k = 0; k < bounds.length; k++) {
    const end = k + 1 < bounds.length ? bounds[k + 1].offset : n;
    raw.push({ text: text.slice(bounds[k].offset, end), startOffset: bounds[k].offset, startLine: bounds[k].line, docIndex: 0 });
  }
  // A part that does not start with `---` is a document only if it has content. Comments and directives before a
  // document belong to it; comments after a `...` belong to the document they follow; a leading part of comments
  // only is not a document.
  const out: Chunk[] = [];
  for (let k = 0; k < raw.length; k++) {
    const c = raw[k];
    if (raw.length > 1 && !isStartMarkerAt(c.text, 0)) {
      const t = onlyTrivia(c.text);
      if (t.trivia) {
        if (t.directives && k + 1 < raw.length) {
          raw[k + 1] = { ...raw[k + 1], text: c.text + raw[k + 1].text, startOffset: c.startOffset, startLine: c.startLine };
          continue;
        }
        if (out.length > 0) {
          const prev = out[out.length - 1];
          out[out.length - 1] = { ...prev, text: prev.text + c.text };
          continue;
        }
        if (k + 1 < raw.length) continue;
      }
    }
    out.push(c);
  }
  out.forEach((c, d) => (c.docIndex = d));
  return out;
}

/** A parsed chunk: the YAML AST (aliases expanded) plus cheap facts about the document. */
export interface ParsedChunk {
  /** The text the parser read: the chunk text with lone "\r" turned into "\n" (same length and offsets). */
  text: string;
  doc: Document.Parsed;
  /** Line index of the chunk text (positions relative to the chunk). */
  lines: LineIndex;
  apiVersion?: string;
  kind?: string;
  /** Alias problems (unknown anchor, alias bomb): reported as diagnostics at the alias. */
  aliasProblems: AliasProblem[];
  /** True when alias expansion was refused (alias bomb): the document must not be read as an object. */
  aliasBomb: boolean;
  /** [start, end) of alias uses and of the anchored nodes they copy: quick fixes never edit these. */
  protectedSpans: [number, number][];
}

/** Parser options shared by every caller (the CLI and the language server report the same YAML errors). */
const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: true } as const;

/** Parses one document (one chunk of splitDocuments). The one YAML parse of the core. */
export function parseChunk(text: string): ParsedChunk {
  const src = normalizeLoneCR(text);
  const doc = parseDocument(src, PARSE_OPTIONS) as Document.Parsed;
  // Aliases need a `*`, merge keys a `<<`: most documents have neither, and skip the walk.
  const alias = src.indexOf('*') >= 0 || src.indexOf('<<') >= 0 ? expandAliases(doc) : { problems: [], protectedSpans: [] };
  const aliasBomb = alias.problems.some((p) => p.code === 'yaml-alias-bomb');
  const c = doc.contents as unknown as { items?: { key: unknown; value: unknown }[] } | null;
  let apiVersion: string | undefined;
  let kind: string | undefined;
  if (c && Array.isArray(c.items)) {
    for (const it of c.items) {
      const k = scalarOf(it.key);
      if (k === 'kind') kind = stringOf(it.value);
      else if (k === 'apiVersion') apiVersion = stringOf(it.value);
    }
  }
  return { text: src, doc, lines: new LineIndex(src), apiVersion, kind, aliasProblems: alias.problems, aliasBomb, protectedSpans: alias.protectedSpans };
}

function scalarOf(n: unknown): unknown {
  return n && typeof n === 'object' && 'value' in n ? (n as { value: unknown }).value : undefined;
}
function stringOf(n: unknown): string | undefined {
  const v = scalarOf(n);
  return typeof v === 'string' ? v : undefined;
}

/**
 * A copy of a string that does not share memory with the string it was sliced from. Chunk texts (and everything the
 * parser slices from them) would otherwise keep every past version of a large file alive.
 */
export function detachedCopy(s: string): string {
  return s.length < 13 ? s : (s + ' ').slice(0, -1);
}
