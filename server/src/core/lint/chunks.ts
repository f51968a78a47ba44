// Splits a multi-document YAML file into one chunk per document so that an edit only forces the
// changed document to be parsed again. Pure: no LSP / vscode imports (reused by the playground).
//
// YAML 1.2 (§9.1, "c-forbidden"): a line that starts with `---` followed by white space or a line
// break ends any block scalar, flow collection or quoted scalar, so splitting on such lines is
// exactly what a full-stream parser does.
import { parseDocument, type Document } from 'yaml';

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

function isMarkerAt(text: string, i: number): boolean {
  if (text.charCodeAt(i) !== 45 || text.charCodeAt(i + 1) !== 45 || text.charCodeAt(i + 2) !== 45) return false;
  const c = text.charCodeAt(i + 3);
  return Number.isNaN(c) || c === 32 || c === 9 || c === 10 || c === 13;
}

/** True when the text holds nothing but blank lines, comments and directives. */
function onlyTrivia(text: string): { trivia: boolean; directives: boolean } {
  let directives = false;
  for (const line of text.split('\n')) {
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
  const starts: { offset: number; line: number }[] = [];
  let line = 0;
  let i = 0;
  const n = text.length;
  while (i <= n) {
    if (isMarkerAt(text, i) && i > 0) starts.push({ offset: i, line });
    const nl = text.indexOf('\n', i);
    if (nl < 0) break;
    i = nl + 1;
    line++;
  }
  const bounds: { offset: number; line: number }[] = [{ offset: 0, line: 0 }, ...starts];
  const raw: Chunk[] = [];
  for (let k = 0; k < bounds.length; k++) {
    const end = k + 1 < bounds.length ? bounds[k + 1].offset : n;
    raw.push({ text: text.slice(bounds[k].offset, end), startOffset: bounds[k].offset, startLine: bounds[k].line, docIndex: 0 });
  }
  // The part before the first marker is a document only if it has content. A prelude made of
  // comments and directives belongs to the next document.
  const out: Chunk[] = [];
  if (raw.length > 1 && !isMarkerAt(raw[0].text, 0)) {
    const t = onlyTrivia(raw[0].text);
    if (t.trivia) {
      if (t.directives) {
        raw[1] = { ...raw[1], text: raw[0].text + raw[1].text, startOffset: 0, startLine: 0 };
      }
      raw.shift();
    }
  }
  let doc = 0;
  for (const c of raw) {
    c.docIndex = doc++;
    out.push(c);
  }
  return out;
}

/** Sorted offsets of line starts inside a text. */
export function lineStarts(text: string): number[] {
  const out = [0];
  let i = text.indexOf('\n');
  while (i >= 0) {
    out.push(i + 1);
    i = text.indexOf('\n', i + 1);
  }
  return out;
}

/** 0-based line/character of an offset, given the text's line starts. */
export function positionOf(starts: number[], offset: number): { line: number; character: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo] };
}

export function offsetOf(starts: number[], textLength: number, line: number, character: number): number {
  if (line < 0) return 0;
  if (line >= starts.length) return textLength;
  return Math.min(starts[line] + character, line + 1 < starts.length ? starts[line + 1] - 1 : textLength);
}

/** A parsed chunk: the YAML AST plus cheap facts about the document. */
export interface ParsedChunk {
  text: string;
  doc: Document.Parsed;
  lineStarts: number[];
  apiVersion?: string;
  kind?: string;
}

export function parseChunk(text: string): ParsedChunk {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false, strict: false }) as Document.Parsed;
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
  return { text, doc, lineStarts: lineStarts(text), apiVersion, kind };
}

function scalarOf(n: unknown): unknown {
  return n && typeof n === 'object' && 'value' in n ? (n as { value: unknown }).value : undefined;
}
function stringOf(n: unknown): string | undefined {
  const v = scalarOf(n);
  return typeof v === 'string' ? v : undefined;
}
