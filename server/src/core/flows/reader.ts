// Streaming reader of JSON records: text arrives in chunks, records leave one at a time with their 1-based line, so
// a file of a million flows is never held (or parsed) as one value. Accepted layouts (auto-detected):
// * one JSON value per line (NDJSON: `hubble observe -o jsonpb`, Goldmane's emitter);
// * server-sent events (`data: {…}` lines, Whisker `GET /flows?watch=true`);
// * a JSON array of records (`[{…},{…}]`), pretty-printed or not;
// * a list envelope whose records are in an `items` or `flows` array (Whisker `GET /flows` answers
//   `{"total":{…},"items":[…]}`, Goldmane's FlowListResult is `{"meta":{…},"flows":[…]}`); the array is streamed.
// * pretty-printed records one after another (e.g. `jq .` output).
// Pure: no Node modules; the caller decodes bytes (and gzip) into text.

export type RecordSink = (value: unknown, line: number) => void;
export type ErrorSink = (line: number, message: string) => void;

/** First keys that mark a list envelope (its records are streamed from the array under ENVELOPE_ARRAYS). */
const ENVELOPE_FIRST_KEYS = new Set(['total', 'meta', 'items', 'flows']);
const ENVELOPE_ARRAYS = new Set(['items', 'flows']);

type Mode = 'undecided' | 'lines' | 'scan';

interface Frame {
  /** `envelope`: the top-level list envelope, reading its keys; `array`: an array whose elements are records. */
  kind: 'envelope' | 'array';
}

const isWs = (c: number) => c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff;

export class JsonRecordReader {
  private buf = '';
  /** Index in `buf` of the next character to consume. */
  private pos = 0;
  /** 1-based line number of `buf[lineAt]`. */
  private line = 1;
  private lineAt = 0;
  private mode: Mode = 'undecided';
  private stack: Frame[] = [];
  private ended = false;
  /** Set once a JSON error made the rest of a scanned value unreadable. */
  private broken = false;

  constructor(
    private readonly onRecord: RecordSink,
    private readonly onError: ErrorSink,
    /** Lines (of line-by-line input) the caller recognises without parsing and takes care of; true = skip. */
    private readonly skipLine?: (text: string, line: number) => boolean,
  ) {}

  push(text: string): void {
    if (this.ended || !text) return;
    // compact() after every push keeps only unconsumed text in the buffer.
    this.buf += text;
    this.process(false);
    this.compact();
  }

  end(): void {
    if (this.ended) return;
    this.process(true);
    this.ended = true;
    this.buf = '';
    this.pos = 0;
    this.lineAt = 0;
  }

  /** Drops consumed text so the buffer holds only what is still needed. */
  private compact(): void {
    if (this.pos === 0) return;
    this.lineTo(this.pos);
    this.buf = this.buf.slice(this.pos);
    this.lineAt -= this.pos;
    this.pos = 0;
  }

  /** Advances the line counter to index `i` of the buffer and returns the line of that index. */
  private lineTo(i: number): number {
    let j = this.buf.indexOf('\n', this.lineAt);
    while (j !== -1 && j < i) {
      this.line++;
      this.lineAt = j + 1;
      j = this.buf.indexOf('\n', this.lineAt);
    }
    if (this.lineAt < i && j === -1) this.lineAt = i; // no newline before i: still the same line
    return this.line;
  }

  private process(final: boolean): void {
    for (;;) {
      if (this.mode === 'undecided' && !this.decide(final)) return;
      if (this.mode === 'lines') {
        if (!this.processLines(final)) return;
        continue; // switched to scan mode
      }
      this.processScan(final);
      return;
    }
  }

  /** Picks a mode from the first non-blank characters; false when more text is needed. */
  private decide(final: boolean): boolean {
    let i = this.pos;
    while (i < this.buf.length && isWs(this.buf.charCodeAt(i))) i++;
    if (i >= this.buf.length) {
      if (final) this.mode = 'lines';
      return final;
    }
    const c = this.buf[i];
    if (c === '[') {
      this.mode = 'scan';
      return true;
    }
    if (c !== '{') {
      this.mode = 'lines';
      return true;
    }
    // An object: a list envelope is scanned (its array streamed), anything else is read line by line.
    const key = this.firstKey(i);
    if (key === undefined) {
      if (!final && this.buf.length - i < 4096) return false;
      this.mode = 'lines';
      return true;
    }
    this.mode = ENVELOPE_FIRST_KEYS.has(key) ? 'scan' : 'lines';
    return true;
  }

  /** The first key of the object starting at `i`, or undefined when not (yet) readable. */
  private firstKey(i: number): string | undefined {
    let j = i + 1;
    while (j < this.buf.length && isWs(this.buf.charCodeAt(j))) j++;
    if (this.buf[j] !== '"') return undefined;
    const end = this.stringEnd(j);
    if (end < 0) return undefined;
    try {
      return JSON.parse(this.buf.slice(j, end)) as string;
    } catch {
      return undefined;
    }
  }

  // ---------------------------------------------------------------- lines mode

  /** Returns true when it switched to scan mode (the caller continues), false when it needs more text. */
  private processLines(final: boolean): boolean {
    for (;;) {
      let nl = this.buf.indexOf('\n', this.pos);
      if (nl === -1) {
        if (!final || this.pos >= this.buf.length) return false;
        nl = this.buf.length;
      }
      const start = this.pos;
      let text = this.buf.slice(start, nl);
      const lineNo = this.lineTo(start);
      this.pos = Math.min(nl + 1, this.buf.length);
      if (text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
      let t = text.trim();
      if (t.charCodeAt(0) === 0xfeff) t = t.slice(1).trim();
      if (!t) continue;
      const c0 = t.charCodeAt(0);
      // Server-sent events: `data: <json>`; other fields (event:, id:, retry:, comments) carry no record.
      if (c0 === 123 || c0 === 91) {
        /* a JSON value: the common case */
      } else if (t.startsWith('data:')) t = t.slice(5).trim();
      else if (/^(event|id|retry):/.test(t) || t.startsWith(':')) continue;
      else if (t.startsWith('error:')) {
        this.onError(lineNo, `the server reported an error: ${t.slice(6).trim()}`);
        continue;
      }
      if (!t) continue;
      const first = t[0];
      if (first !== '{' && first !== '[') {
        this.onError(lineNo, `not JSON: ${preview(t)}`);
        continue;
      }
      if (this.skipLine?.(t, lineNo)) continue;
      let value: unknown;
      try {
        value = JSON.parse(t);
      } catch (e) {
        if (opensStructure(t)) {
          // A pretty-printed value spans lines: scan from here.
          this.pos = start;
          this.mode = 'scan';
          return true;
        }
        this.onError(lineNo, `invalid JSON: ${errorText(e)}`);
        continue;
      }
      this.emitValue(value, lineNo);
    }
  }

  /** A parsed top-level value: an array or a list envelope gives its elements, anything else is one record. */
  private emitValue(value: unknown, line: number): void {
    if (Array.isArray(value)) {
      for (const v of value) this.onRecord(v, line);
      return;
    }
    if (value && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length && ENVELOPE_FIRST_KEYS.has(keys[0])) {
        for (const k of ENVELOPE_ARRAYS) {
          const arr = o[k];
          if (Array.isArray(arr)) {
            for (const v of arr) this.onRecord(v, line);
            return;
          }
        }
      }
    }
    this.onRecord(value, line);
  }

  // ---------------------------------------------------------------- scan mode

  private processScan(final: boolean): void {
    const b = () => this.buf;
    for (;;) {
      let i = this.pos;
      while (i < b().length && (isWs(b().charCodeAt(i)) || (this.stack.length > 0 && b()[i] === ','))) i++;
      this.pos = i;
      if (i >= b().length) {
        if (final && this.stack.length > 0 && !this.broken) this.onError(this.lineTo(i), 'unexpected end of file inside a JSON list');
        return;
      }
      const top = this.stack[this.stack.length - 1];
      const c = b()[i];
      if (!top) {
        if (c === '[') {
          this.stack.push({ kind: 'array' });
          this.pos = i + 1;
          continue;
        }
        if (c === '{') {
          const key = this.firstKey(i);
          if (key === undefined && !final && b().length - i < 4096) return;
          if (key !== undefined && ENVELOPE_FIRST_KEYS.has(key)) {
            this.stack.push({ kind: 'envelope' });
            this.pos = i + 1;
            continue;
          }
          if (!this.record(i, final)) return;
          continue;
        }
        // Not JSON at the top level: report the line and go on with the next one.
        const nl = b().indexOf('\n', i);
        if (nl === -1 && !final) return;
        const line = this.lineTo(i);
        this.onError(line, `not JSON: ${preview(b().slice(i, nl === -1 ? b().length : nl))}`);
        this.pos = nl === -1 ? b().length : nl + 1;
        // Back to line-by-line reading: the rest may be NDJSON.
        this.mode = 'lines';
        if (!this.processLines(final)) return;
        continue;
      }
      if (top.kind === 'array') {
        if (c === ']') {
          this.stack.pop();
          this.pos = i + 1;
          continue;
        }
        if (!this.record(i, final)) return;
        continue;
      }
      // Envelope: `"key": value` pairs; the records array is streamed, other values skipped.
      if (c === '}') {
        this.stack.pop();
        this.pos = i + 1;
        continue;
      }
      if (c !== '"') return this.fail(i, `expected a key in the list envelope, found ${preview(b().slice(i, i + 20))}`);
      const kEnd = this.stringEnd(i);
      if (kEnd < 0) {
        if (final) this.fail(i, 'unexpected end of file in a key');
        return;
      }
      let j = kEnd;
      while (j < b().length && isWs(b().charCodeAt(j))) j++;
      if (j >= b().length) {
        if (final) this.fail(i, 'unexpected end of file after a key');
        return;
      }
      if (b()[j] !== ':') return this.fail(j, 'expected ":" after a key');
      j++;
      while (j < b().length && isWs(b().charCodeAt(j))) j++;
      if (j >= b().length) {
        if (final) this.fail(i, 'unexpected end of file after a key');
        return;
      }
      const key = JSON.parse(b().slice(i, kEnd)) as string;
      if (ENVELOPE_ARRAYS.has(key) && b()[j] === '[') {
        this.stack.push({ kind: 'array' });
        this.pos = j + 1;
        continue;
      }
      const vEnd = this.valueEnd(j);
      if (vEnd === -1) {
        if (final) this.fail(j, 'unexpected end of file in the list envelope');
        return;
      }
      if (vEnd === -2) return this.fail(j, 'invalid JSON in the list envelope');
      this.pos = vEnd;
    }
  }

  /** Reads one record value starting at `i`; false when more text is needed. */
  private record(i: number, final: boolean): boolean {
    const end = this.valueEnd(i);
    if (end === -1) {
      if (final) {
        this.onError(this.lineTo(i), 'unexpected end of file inside a record');
        this.pos = this.buf.length;
        this.broken = true;
      }
      return false;
    }
    const line = this.lineTo(i);
    if (end === -2) {
      this.onError(line, 'invalid JSON');
      // Skip to the next line and continue there.
      const nl = this.buf.indexOf('\n', i);
      this.pos = nl === -1 ? this.buf.length : nl + 1;
      return true;
    }
    this.pos = end;
    let value: unknown;
    try {
      value = JSON.parse(this.buf.slice(i, end));
    } catch (e) {
      this.onError(line, `invalid JSON: ${errorText(e)}`);
      return true;
    }
    this.onRecord(value, line);
    return true;
  }

  private fail(i: number, message: string): void {
    this.onError(this.lineTo(i), message);
    this.broken = true;
    this.stack = [];
    this.pos = this.buf.length;
  }

  /** Index just after the string starting at `i` (a `"`), or -1 when it does not end in the buffer. */
  private stringEnd(i: number): number {
    const b = this.buf;
    let j = i + 1;
    for (;;) {
      const q = b.indexOf('"', j);
      if (q === -1) return -1;
      // Count the backslashes before the quote: an odd number escapes it.
      let k = q - 1;
      let n = 0;
      while (k > i && b.charCodeAt(k) === 92) {
        n++;
        k--;
      }
      if (n % 2 === 0) return q + 1;
      j = q + 1;
    }
  }

  /** Index just after the JSON value starting at `i`; -1 when incomplete, -2 when it is not a JSON value. */
  private valueEnd(i: number): number {
    const b = this.buf;
    const c = b[i];
    if (c === '"') return this.stringEnd(i);
    if (c === '{' || c === '[') {
      let depth = 0;
      let j = i;
      while (j < b.length) {
        const ch = b.charCodeAt(j);
        if (ch === 34) {
          const e = this.stringEnd(j);
          if (e < 0) return -1;
          j = e;
          continue;
        }
        if (ch === 123 || ch === 91) depth++;
        else if (ch === 125 || ch === 93) {
          depth--;
          if (depth === 0) return j + 1;
          if (depth < 0) return -2;
        }
        j++;
      }
      return -1;
    }
    // number, true, false, null
    let j = i;
    while (j < b.length) {
      const ch = b[j];
      if (ch === ',' || ch === ']' || ch === '}' || isWs(b.charCodeAt(j))) break;
      j++;
    }
    if (j === i) return -2;
    if (j >= b.length) return -1;
    return j;
  }
}

function opensStructure(t: string): boolean {
  return t === '{' || t === '[' || /^\[\s*\{$/.test(t) || /[{[,:]$/.test(t);
}

function preview(s: string): string {
  const t = s.trim();
  return JSON.stringify(t.length > 60 ? `${t.slice(0, 57)}...` : t);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
