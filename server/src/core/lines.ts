// The one line index of the core and the language server: offsets <-> 0-based line / UTF-16 character, with the
// end-of-line sequences of the LSP specification ("\n", "\r\n" and "\r" — see "Text Documents" in
// https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#textDocuments),
// which are also YAML 1.2's line breaks (b-break, https://yaml.org/spec/1.2.2/#54-line-break-characters).
// Every position the core or the server publishes is computed here. Pure: no LSP / Node imports.

export interface LinePosition {
  line: number;
  character: number;
}

const LF = 10;
const CR = 13;

/** True for the UTF-16 code units that start a line break ("\n" or "\r"). */
export function isLineBreakChar(code: number): boolean {
  return code === LF || code === CR;
}

/** Offsets of line starts (a typed array for large texts, a plain array for small ones: cheaper to allocate). */
function computeLineStarts(text: string): Uint32Array | number[] {
  // Count first so the array is allocated once (large documents have millions of lines).
  let count = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === LF) count++;
    else if (c === CR) {
      count++;
      if (text.charCodeAt(i + 1) === LF) i++;
    }
  }
  const starts = count > 256 ? new Uint32Array(count) : new Array<number>(count).fill(0);
  let k = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === LF) starts[k++] = i + 1;
    else if (c === CR) {
      if (text.charCodeAt(i + 1) === LF) i++;
      starts[k++] = i + 1;
    }
  }
  return starts;
}

/**
 * Line starts of one text, computed once. Positions are clamped into the text: an offset past the end maps to the
 * end, and a character past the end of its line (or inside its line break) maps to the end of the line's content.
 */
export class LineIndex {
  private starts?: Uint32Array | number[];

  constructor(readonly text: string) {}

  private get lineStarts(): Uint32Array | number[] {
    return (this.starts ??= computeLineStarts(this.text));
  }

  /** Number of lines (a text ending with a line break has an empty last line). */
  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** Offset of the first character of `line` (clamped to the existing lines). */
  lineStart(line: number): number {
    const s = this.lineStarts;
    if (line <= 0) return 0;
    if (line >= s.length) return this.text.length;
    return s[line];
  }

  /** Offset just after the last character of `line`'s content (before its line break). */
  lineContentEnd(line: number): number {
    const s = this.lineStarts;
    if (line < 0) return 0;
    if (line >= s.length - 1) return this.text.length; // the last line has no line break
    let e = s[line + 1];
    if (e > s[line] && this.text.charCodeAt(e - 1) === LF) e--;
    if (e > s[line] && this.text.charCodeAt(e - 1) === CR) e--;
    return e;
  }

  /** Length of `line`'s content in UTF-16 code units (without its line break). */
  lineLength(line: number): number {
    if (line < 0 || line >= this.lineCount) return 0;
    return this.lineContentEnd(line) - this.lineStart(line);
  }

  /** The content of `line`, without its line break ('' for lines that do not exist). */
  lineText(line: number): string {
    if (line < 0 || line >= this.lineCount) return '';
    return this.text.slice(this.lineStart(line), this.lineContentEnd(line));
  }

  /** 0-based line holding `offset` (clamped into the text). */
  lineAt(offset: number): number {
    const s = this.lineStarts;
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Line / character of an offset. Never outside the text: the character is at most the line's length. */
  position(offset: number): LinePosition {
    const line = this.lineAt(offset);
    const o = Math.max(0, Math.min(offset, this.text.length));
    const start = this.lineStart(line);
    return { line, character: Math.min(o, this.lineContentEnd(line)) - start };
  }

  /** Offset of a line / character (clamped: past the last line is the end, past a line's end is that end). */
  offset(line: number, character: number): number {
    if (line < 0) return 0;
    if (line >= this.lineCount) return this.text.length;
    const start = this.lineStart(line);
    return Math.max(start, Math.min(start + Math.max(0, character), this.lineContentEnd(line)));
  }

  /** A position clamped into the text (what a client may legitimately send or receive). */
  clamp(p: LinePosition): LinePosition {
    return this.position(this.offset(p.line, p.character));
  }

  /** The lines as an array of strings (allocates; prefer lineText for single lines of large texts). */
  lines(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.lineCount; i++) out.push(this.lineText(i));
    return out;
  }
}

/** Offset of the start of the line holding `offset` (scanning back to the previous line break). */
export function lineStartAt(text: string, offset: number): number {
  let i = Math.min(offset, text.length) - 1;
  while (i >= 0 && !isLineBreakChar(text.charCodeAt(i))) i--;
  return i + 1;
}

/** Offset of the line break that ends the line holding `offset` (or the text length). */
export function lineEndAt(text: string, offset: number): number {
  let i = Math.max(0, offset);
  while (i < text.length && !isLineBreakChar(text.charCodeAt(i))) i++;
  return i;
}

/** Offset just after the line break that ends the line holding `offset` (or the text length); "\r\n" is one break. */
export function nextLineStart(text: string, offset: number): number {
  const e = lineEndAt(text, offset);
  if (e >= text.length) return text.length;
  return text.charCodeAt(e) === CR && text.charCodeAt(e + 1) === LF ? e + 2 : e + 1;
}

/** The line break a text uses ("\r\n" when its first break is CRLF, "\r" for a lone CR, else "\n"). */
export function eolOf(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === LF) return '\n';
    if (c === CR) return text.charCodeAt(i + 1) === LF ? '\r\n' : '\r';
  }
  return '\n';
}

/**
 * The text with every lone "\r" replaced by "\n". Same length, same offsets; YAML 1.2 and the LSP treat both as one
 * line break, but the `yaml` package only knows "\n" and "\r\n", so the core parses this form.
 */
export function normalizeLoneCR(text: string): string {
  if (text.indexOf('\r') < 0) return text;
  return text.replace(/\r(?!\n)/g, '\n');
}
