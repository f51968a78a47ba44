// Calico v3 label-selector language: tokenizer, recursive-descent parser, evaluator and canonical printer.
// Pure TypeScript, no dependencies, safe for node, web workers and webviews.
//
// Behaviour follows Calico's own implementation (projectcalico/calico libcalico-go/lib/selector/{tokenizer,parser})
// and the "Selectors" section of the NetworkPolicy reference
// (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors):
// - whitespace between tokens is only ' ' and '\t' (a newline is NOT whitespace for Calico);
// - label keys are runs of [a-zA-Z0-9_./-], at most 512 characters;
// - string literals use '...' or "..." with no escape sequences;
// - after a label, the operators are ==, !=, in, not in (also "notin"), contains, starts with (also "startswith"),
//   ends with (also "endswith"); word operators need a word boundary after them;
// - has(k), all() and global() are single tokens: "has(" / "all(" / "global(" must be written without a space
//   before the parenthesis;
// - precedence: match operators > ( ) > ! > && > ||; a run of leading '!' collapses to one negation or none;
// - the empty (or blank) selector means all();
// - a != "v" and a not in {...} also match when label a is absent; has(a) / == / in / contains / starts with /
//   ends with need the label present.
// The canonical form is Calico's Selector.String(): && / || groups are always parenthesised, set members are
// sorted (by code point, like Go's byte-wise string order) and de-duplicated, and a literal is quoted with
// '"' unless it contains '"', in which case "'" is used.

/** Source offsets are UTF-16 offsets into the selector string (0-based, end exclusive). */
export interface Span {
  start: number;
  end: number;
}

export type LabelOp = 'eq' | 'ne' | 'contains' | 'startsWith' | 'endsWith';

export interface SelectorAll extends Span {
  type: 'all';
}
export interface SelectorGlobal extends Span {
  type: 'global';
}
export interface SelectorHas extends Span {
  type: 'has';
  key: string;
  keySpan: Span;
}
/** A string literal as written: `span` includes the quotes, `inner` excludes them. */
export interface SelectorLiteral {
  value: string;
  span: Span;
  inner: Span;
}
export interface SelectorCompare extends Span {
  type: LabelOp;
  key: string;
  keySpan: Span;
  opSpan: Span;
  value: string;
  literal: SelectorLiteral;
}
export interface SelectorSet extends Span {
  type: 'in' | 'notIn';
  key: string;
  keySpan: Span;
  opSpan: Span;
  /** Sorted, de-duplicated values (Calico's StringSet). */
  values: string[];
  /** The literals as written, in source order (duplicates kept). */
  literals: SelectorLiteral[];
}
export interface SelectorNot extends Span {
  type: 'not';
  operand: SelectorNode;
}
export interface SelectorAnd extends Span {
  type: 'and';
  operands: SelectorNode[];
}
export interface SelectorOr extends Span {
  type: 'or';
  operands: SelectorNode[];
}

export type SelectorNode =
  | SelectorAll
  | SelectorGlobal
  | SelectorHas
  | SelectorCompare
  | SelectorSet
  | SelectorNot
  | SelectorAnd
  | SelectorOr;

export interface SelectorError extends Span {
  message: string;
}

export type ParseResult =
  | { ok: true; ast: SelectorNode; canonical: string }
  | { ok: false; error: SelectorError };

// ---------------------------------------------------------------------------------------------------------------
// Tokenizer

export type TokenKind =
  | 'label'
  | 'string'
  | 'lbrace'
  | 'rbrace'
  | 'comma'
  | 'eq'
  | 'ne'
  | 'in'
  | 'not'
  | 'notIn'
  | 'contains'
  | 'startsWith'
  | 'endsWith'
  | 'all'
  | 'has'
  | 'lparen'
  | 'rparen'
  | 'and'
  | 'or'
  | 'global'
  | 'eof';

export interface Token extends Span {
  kind: TokenKind;
  /** Label name (label, has) or literal contents (string). */
  value: string;
  /** For `has`: where the label name is. For `string`: the contents without quotes. */
  inner?: Span;
}

export const MAX_LABEL_LENGTH = 512;

function isIdentChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x30 && c <= 0x39) || // 0-9
    c === 0x5f || // _
    c === 0x2e || // .
    c === 0x2f || // /
    c === 0x2d // -
  );
}

function isBlank(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t';
}

export type TokenizeResult = { ok: true; tokens: Token[] } | { ok: false; tokens: Token[]; error: SelectorError };

function describeChar(ch: string): string {
  if (ch === '\n') return 'line break';
  if (ch === '\r') return 'carriage return';
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x20 || cp === 0x7f) return `control character U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return `'${String.fromCodePoint(cp)}'`;
}

/**
 * Splits a selector into tokens with offsets. On error the tokens read so far are returned too (useful for
 * highlighting and completion on incomplete input).
 */
export function tokenizeSelector(src: string): TokenizeResult {
  const tokens: Token[] = [];
  let i = 0;
  const n = src.length;
  const skipBlanks = (j: number): number => {
    while (j < n && isBlank(src[j])) j++;
    return j;
  };
  const identEnd = (j: number): number => {
    while (j < n && isIdentChar(src.charCodeAt(j))) j++;
    return j;
  };
  const fail = (message: string, start: number, end: number): TokenizeResult => ({
    ok: false,
    tokens,
    error: { message, start, end: Math.max(end, start) },
  });
  // Reads a label key at j (already past blanks). Returns its end, or an error result.
  const readIdent = (j: number, what: string): number | TokenizeResult => {
    const e = identEnd(j);
    if (e === j) {
      if (j >= n) return fail(`expected ${what} but the selector ends here`, Math.max(0, n - 1), n);
      const ch = String.fromCodePoint(src.codePointAt(j) ?? 0);
      return fail(
        `unexpected ${describeChar(ch)}; expected ${what} (label names use letters, digits, '_', '.', '/' and '-')`,
        j,
        j + ch.length,
      );
    }
    if (e - j > MAX_LABEL_LENGTH) return fail(`label name is longer than ${MAX_LABEL_LENGTH} characters`, j, e);
    return e;
  };
  // Word operator with a word boundary after it; `words` may be separated by blanks ("not in", "notin").
  // Like Calico: a multi-word operator skips blanks after every word (so "notin" and "not in" both work) and then
  // needs a word boundary; a single-word operator needs the boundary right after the word.
  const cutWords = (j: number, words: string[]): number => {
    let k = j;
    for (const w of words) {
      if (!src.startsWith(w, k)) return -1;
      k += w.length;
      if (words.length > 1) k = skipBlanks(k);
    }
    if (k < n && isIdentChar(src.charCodeAt(k))) return -1;
    return k;
  };

  for (;;) {
    i = skipBlanks(i);
    if (i >= n) {
      tokens.push({ kind: 'eof', value: '', start: n, end: n });
      return { ok: true, tokens };
    }
    const last = tokens.length > 0 ? tokens[tokens.length - 1].kind : undefined;
    const c = src[i];
    const start = i;
    switch (c) {
      case '(':
        tokens.push({ kind: 'lparen', value: '', start, end: i + 1 });
        i++;
        continue;
      case ')':
        tokens.push({ kind: 'rparen', value: '', start, end: i + 1 });
        i++;
        continue;
      case '{':
        tokens.push({ kind: 'lbrace', value: '', start, end: i + 1 });
        i++;
        continue;
      case '}':
        tokens.push({ kind: 'rbrace', value: '', start, end: i + 1 });
        i++;
        continue;
      case ',':
        tokens.push({ kind: 'comma', value: '', start, end: i + 1 });
        i++;
        continue;
      case '"':
      case "'": {
        const close = src.indexOf(c, i + 1);
        if (close < 0) {
          return fail(`unterminated string: no closing ${c} (selector strings have no escape sequences)`, start, n);
        }
        tokens.push({
          kind: 'string',
          value: src.slice(i + 1, close),
          start,
          end: close + 1,
          inner: { start: i + 1, end: close },
        });
        i = close + 1;
        continue;
      }
      case '=':
        if (src[i + 1] === '=') {
          tokens.push({ kind: 'eq', value: '', start, end: i + 2 });
          i += 2;
          continue;
        }
        return fail(`expected '==' (a single '=' is not a selector operator)`, start, i + 1);
      case '!':
        if (src[i + 1] === '=') {
          tokens.push({ kind: 'ne', value: '', start, end: i + 2 });
          i += 2;
        } else {
          tokens.push({ kind: 'not', value: '', start, end: i + 1 });
          i++;
        }
        continue;
      case '&':
        if (src[i + 1] === '&') {
          tokens.push({ kind: 'and', value: '', start, end: i + 2 });
          i += 2;
          continue;
        }
        return fail(`expected '&&' (a single '&' is not a selector operator)`, start, i + 1);
      case '|':
        if (src[i + 1] === '|') {
          tokens.push({ kind: 'or', value: '', start, end: i + 2 });
          i += 2;
          continue;
        }
        return fail(`expected '||' (a single '|' is not a selector operator)`, start, i + 1);
      default:
        break;
    }
    if (last === 'label') {
      const ops: Array<[TokenKind, string[]]> = [
        ['contains', ['contains']],
        ['startsWith', ['starts', 'with']],
        ['endsWith', ['ends', 'with']],
        ['notIn', ['not', 'in']],
        ['in', ['in']],
      ];
      let matched = false;
      for (const [kind, words] of ops) {
        const e = cutWords(i, words);
        if (e >= 0) {
          // The token ends after the last word (not after the blanks that follow it).
          let tokEnd = e;
          while (tokEnd > i && isBlank(src[tokEnd - 1])) tokEnd--;
          tokens.push({ kind, value: '', start, end: tokEnd });
          i = e;
          matched = true;
          break;
        }
      }
      if (matched) continue;
      const labelTok = tokens[tokens.length - 1];
      // "a starts with b": the operator words are there but an unquoted word follows them.
      for (const [kind, words] of ops) {
        if (words.length < 2) continue;
        let k = i;
        let ok = true;
        for (const w of words) {
          if (!src.startsWith(w, k)) {
            ok = false;
            break;
          }
          k = skipBlanks(k + w.length);
        }
        if (ok && k > i && isBlank(src[k - 1]) && isIdentChar(src.charCodeAt(k))) {
          const e = identEnd(k);
          const word = src.slice(k, e);
          const what = kind === 'notIn' ? `a set like {"${word}"}` : `a quoted string`;
          return fail(`expected ${what} after '${words.join(' ')}' but found label '${word}'`, k, e);
        }
      }
      let e = identEnd(i);
      if (e === i) e = i + String.fromCodePoint(src.codePointAt(i) ?? 0).length;
      return fail(
        `expected an operator after label '${labelTok.value}' (==, !=, in, not in, contains, starts with, ends with)`,
        i,
        e,
      );
    }
    if (src.startsWith('has(', i)) {
      let j = skipBlanks(i + 4);
      const r = readIdent(j, "a label name inside 'has(...)'");
      if (typeof r !== 'number') return r;
      const keyStart = j;
      const keyEnd = r;
      j = skipBlanks(r);
      if (src[j] !== ')') {
        return fail(`missing ')' to close 'has(${src.slice(keyStart, keyEnd)}'`, start, j < n ? j + 1 : n);
      }
      tokens.push({
        kind: 'has',
        value: src.slice(keyStart, keyEnd),
        start,
        end: j + 1,
        inner: { start: keyStart, end: keyEnd },
      });
      i = j + 1;
      continue;
    }
    let matchedFn = false;
    for (const [word, kind] of [
      ['all(', 'all'],
      ['global(', 'global'],
    ] as const) {
      if (src.startsWith(word, i)) {
        const j = skipBlanks(i + word.length);
        if (src[j] !== ')') {
          return fail(`missing ')' after '${word}' (it takes no arguments)`, start, j < n ? j + 1 : n);
        }
        tokens.push({ kind, value: '', start, end: j + 1 });
        i = j + 1;
        matchedFn = true;
        break;
      }
    }
    if (matchedFn) continue;
    const r = readIdent(i, "a label name, has(...), all(), global(), '!' or '('");
    if (typeof r !== 'number') return r;
    tokens.push({ kind: 'label', value: src.slice(i, r), start, end: r });
    i = r;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Parser

class SelectorSyntaxError extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
  }
}

const TOKEN_TEXT: Partial<Record<TokenKind, string>> = {
  lbrace: "'{'",
  rbrace: "'}'",
  comma: "','",
  eq: "'=='",
  ne: "'!='",
  in: "'in'",
  not: "'!'",
  notIn: "'not in'",
  contains: "'contains'",
  startsWith: "'starts with'",
  endsWith: "'ends with'",
  all: "'all()'",
  global: "'global()'",
  lparen: "'('",
  rparen: "')'",
  and: "'&&'",
  or: "'||'",
  eof: 'the end of the selector',
};

function describeToken(t: Token): string {
  if (t.kind === 'label') return `label '${t.value}'`;
  if (t.kind === 'string') return `string ${JSON.stringify(t.value)}`;
  if (t.kind === 'has') return `'has(${t.value})'`;
  return TOKEN_TEXT[t.kind] ?? t.kind;
}

function opText(kind: TokenKind): string {
  return TOKEN_TEXT[kind] ?? kind;
}

/** Code-point order, which equals Go's byte-wise order of UTF-8 strings (Calico sorts set members that way). */
export function compareCodePoints(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(j)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  const ra = a.length - i;
  const rb = b.length - j;
  return ra === rb ? 0 : ra < rb ? -1 : 1;
}

function sortedSet(values: string[]): string[] {
  const sorted = [...values].sort(compareCodePoints);
  const out: string[] = [];
  for (const v of sorted) if (out.length === 0 || out[out.length - 1] !== v) out.push(v);
  return out;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(k = 0): Token {
    return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)];
  }

  /** Where to point an error about token t: at EOF, the token before it (so the range is never empty). */
  private errSpan(t: Token): Span {
    if (t.kind === 'eof') {
      const idx = this.tokens.indexOf(t);
      const prev = idx > 0 ? this.tokens[idx - 1] : undefined;
      if (prev) return { start: prev.start, end: prev.end };
      return { start: t.start, end: t.end };
    }
    return { start: t.start, end: t.end };
  }

  private error(message: string, t: Token): never {
    const s = this.errSpan(t);
    throw new SelectorSyntaxError(message, s.start, s.end);
  }

  parseRoot(): SelectorNode {
    if (this.peek().kind === 'eof') {
      return { type: 'all', start: 0, end: 0 };
    }
    const node = this.parseOr();
    const t = this.peek();
    if (t.kind !== 'eof') {
      const hint =
        t.kind === 'rparen'
          ? "unbalanced ')': there is no matching '('"
          : `unexpected ${describeToken(t)} after a complete expression; join expressions with '&&' or '||'`;
      this.error(hint, t);
    }
    return node;
  }

  private parseOr(): SelectorNode {
    const first = this.parseAnd();
    const operands = [first];
    while (this.peek().kind === 'or') {
      this.pos++;
      operands.push(this.parseAnd());
    }
    if (operands.length === 1) return first;
    return { type: 'or', operands, start: first.start, end: operands[operands.length - 1].end };
  }

  private parseAnd(): SelectorNode {
    const first = this.parseOperation();
    const operands = [first];
    while (this.peek().kind === 'and') {
      this.pos++;
      operands.push(this.parseOperation());
    }
    if (operands.length === 1) return first;
    return { type: 'and', operands, start: first.start, end: operands[operands.length - 1].end };
  }

  private parseOperation(): SelectorNode {
    let negated = false;
    let notStart = -1;
    while (this.peek().kind === 'not') {
      if (notStart < 0) notStart = this.peek().start;
      negated = !negated;
      this.pos++;
    }
    const t = this.peek();
    let node: SelectorNode;
    switch (t.kind) {
      case 'has':
        this.pos++;
        node = { type: 'has', key: t.value, keySpan: t.inner!, start: t.start, end: t.end };
        break;
      case 'all':
        this.pos++;
        node = { type: 'all', start: t.start, end: t.end };
        break;
      case 'global':
        this.pos++;
        node = { type: 'global', start: t.start, end: t.end };
        break;
      case 'label':
        node = this.parseLabelOp();
        break;
      case 'lparen': {
        this.pos++;
        node = this.parseOr();
        const close = this.peek();
        if (close.kind !== 'rparen') {
          if (close.kind === 'eof') {
            throw new SelectorSyntaxError("missing ')' to close this '('", t.start, t.end);
          }
          this.error(`expected ')' but found ${describeToken(close)}`, close);
        }
        this.pos++;
        break;
      }
      default: {
        const expected = "a label comparison, has(...), all(), global(), '!' or '('";
        if (t.kind === 'eof') {
          const prev = this.pos > 0 ? this.tokens[this.pos - 1] : undefined;
          const after = prev ? ` after ${describeToken(prev)}` : '';
          this.error(`expected ${expected}${after} but the selector ends here`, t);
        }
        if (t.kind === 'string') {
          this.error(`unexpected ${describeToken(t)}: a string can only follow an operator (label == "value")`, t);
        }
        this.error(`expected ${expected} but found ${describeToken(t)}`, t);
      }
    }
    if (negated) {
      return { type: 'not', operand: node, start: notStart, end: node.end };
    }
    return node;
  }

  private parseLabelOp(): SelectorNode {
    const label = this.peek();
    const op = this.peek(1);
    const keySpan = { start: label.start, end: label.end };
    if (op.kind === 'eof') {
      throw new SelectorSyntaxError(
        `label '${label.value}' must be followed by an operator (==, !=, in, not in, contains, starts with, ends with)`,
        label.start,
        label.end,
      );
    }
    switch (op.kind) {
      case 'eq':
      case 'ne':
      case 'contains':
      case 'startsWith':
      case 'endsWith': {
        const lit = this.peek(2);
        if (lit.kind !== 'string') {
          let msg = `expected a quoted string after ${opText(op.kind)}`;
          if (lit.kind === 'eof') msg += ' but the selector ends here';
          else msg += ` but found ${describeToken(lit)}`;
          if (lit.kind === 'label') msg += `; did you mean "${lit.value}"?`;
          this.error(msg, lit.kind === 'eof' ? op : lit);
        }
        this.pos += 3;
        const type: LabelOp = op.kind === 'eq' ? 'eq' : op.kind === 'ne' ? 'ne' : op.kind;
        return {
          type,
          key: label.value,
          keySpan,
          opSpan: { start: op.start, end: op.end },
          value: lit.value,
          literal: { value: lit.value, span: { start: lit.start, end: lit.end }, inner: lit.inner! },
          start: label.start,
          end: lit.end,
        };
      }
      case 'in':
      case 'notIn': {
        const lbrace = this.peek(2);
        if (lbrace.kind !== 'lbrace') {
          let msg = `expected a set like {"a", "b"} after ${opText(op.kind)}`;
          msg += lbrace.kind === 'eof' ? ' but the selector ends here' : ` but found ${describeToken(lbrace)}`;
          this.error(msg, lbrace.kind === 'eof' ? op : lbrace);
        }
        this.pos += 3;
        const literals: SelectorLiteral[] = [];
        for (;;) {
          const t = this.peek();
          if (t.kind !== 'string') break;
          literals.push({ value: t.value, span: { start: t.start, end: t.end }, inner: t.inner! });
          this.pos++;
          if (this.peek().kind === 'comma') this.pos++;
          else break;
        }
        const rbrace = this.peek();
        if (rbrace.kind !== 'rbrace') {
          if (rbrace.kind === 'eof') {
            throw new SelectorSyntaxError("missing '}' to close this set", lbrace.start, lbrace.end);
          }
          const prev = this.tokens[this.pos - 1];
          const needComma = rbrace.kind === 'string' && prev.kind === 'string';
          this.error(
            needComma
              ? `expected ',' between set members but found ${describeToken(rbrace)}`
              : `expected a quoted string or '}' in the set but found ${describeToken(rbrace)}`,
            rbrace,
          );
        }
        this.pos++;
        return {
          type: op.kind,
          key: label.value,
          keySpan,
          opSpan: { start: op.start, end: op.end },
          values: sortedSet(literals.map((l) => l.value)),
          literals,
          start: label.start,
          end: rbrace.end,
        };
      }
      default:
        if (op.kind === 'lparen' && (label.value === 'has' || label.value === 'all' || label.value === 'global')) {
          this.error(`write '${label.value}(' without a space before the parenthesis`, op);
        }
        this.error(
          `expected an operator after label '${label.value}' (==, !=, in, not in, contains, starts with, ends with) but found ${describeToken(op)}`,
          op,
        );
    }
  }
}

/** Parses a Calico selector. Never throws. */
export function parseSelector(src: string): ParseResult {
  const tk = tokenizeSelector(src);
  if (!tk.ok) return { ok: false, error: tk.error };
  try {
    const ast = new Parser(tk.tokens).parseRoot();
    return { ok: true, ast, canonical: canonicalSelector(ast) };
  } catch (e) {
    if (e instanceof SelectorSyntaxError) {
      return { ok: false, error: { message: e.message, start: e.start, end: e.end } };
    }
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, error: { message: `internal selector parser error: ${message}`, start: 0, end: src.length } };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation and printing

/** Evaluates a parsed selector against a label map, exactly like Calico's Selector.Evaluate. */
export function evalSelector(ast: SelectorNode, labels: Record<string, string>): boolean {
  const get = (k: string): string | undefined => (Object.prototype.hasOwnProperty.call(labels, k) ? labels[k] : undefined);
  switch (ast.type) {
    case 'all':
    case 'global':
      // global() only changes the scope of a namespaceSelector; as a label match it matches everything.
      return true;
    case 'has':
      return get(ast.key) !== undefined;
    case 'eq': {
      const v = get(ast.key);
      return v !== undefined && v === ast.value;
    }
    case 'ne': {
      const v = get(ast.key);
      return v === undefined || v !== ast.value;
    }
    case 'contains': {
      const v = get(ast.key);
      return v !== undefined && v.includes(ast.value);
    }
    case 'startsWith': {
      const v = get(ast.key);
      return v !== undefined && v.startsWith(ast.value);
    }
    case 'endsWith': {
      const v = get(ast.key);
      return v !== undefined && v.endsWith(ast.value);
    }
    case 'in': {
      const v = get(ast.key);
      return v !== undefined && ast.values.includes(v);
    }
    case 'notIn': {
      const v = get(ast.key);
      return v === undefined || !ast.values.includes(v);
    }
    case 'not':
      return !evalSelector(ast.operand, labels);
    case 'and':
      return ast.operands.every((o) => evalSelector(o, labels));
    case 'or':
      return ast.operands.some((o) => evalSelector(o, labels));
  }
}

function quote(s: string): string {
  const q = s.includes('"') ? "'" : '"';
  return q + s + q;
}

const OP_TEXT: Record<LabelOp, string> = {
  eq: ' == ',
  ne: ' != ',
  contains: ' contains ',
  startsWith: ' starts with ',
  endsWith: ' ends with ',
};

/** Calico's canonical string form of a selector (Selector.String()). */
export function canonicalSelector(ast: SelectorNode): string {
  switch (ast.type) {
    case 'all':
      return 'all()';
    case 'global':
      return 'global()';
    case 'has':
      return `has(${ast.key})`;
    case 'eq':
    case 'ne':
    case 'contains':
    case 'startsWith':
    case 'endsWith':
      return ast.key + OP_TEXT[ast.type] + quote(ast.value);
    case 'in':
    case 'notIn':
      return `${ast.key} ${ast.type === 'in' ? 'in' : 'not in'} {${ast.values.map(quote).join(', ')}}`;
    case 'not':
      return '!' + canonicalSelector(ast.operand);
    case 'and':
      return '(' + ast.operands.map(canonicalSelector).join(' && ') + ')';
    case 'or':
      return '(' + ast.operands.map(canonicalSelector).join(' || ') + ')';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers for the language server (completion, hover, semantic checks)

/** Visits every node, parents before children. */
export function walkSelector(ast: SelectorNode, visit: (n: SelectorNode, parent?: SelectorNode) => void): void {
  const go = (n: SelectorNode, p?: SelectorNode): void => {
    visit(n, p);
    if (n.type === 'not') go(n.operand, n);
    else if (n.type === 'and' || n.type === 'or') for (const o of n.operands) go(o, n);
  };
  go(ast);
}

/** Label keys referenced by the selector, in source order, without duplicates. */
export function selectorLabelKeys(ast: SelectorNode): string[] {
  const keys: string[] = [];
  walkSelector(ast, (n) => {
    if ('key' in n && !keys.includes(n.key)) keys.push(n.key);
  });
  return keys;
}

/** True when the selector uses global() anywhere. */
export function selectorUsesGlobal(ast: SelectorNode): boolean {
  let found = false;
  walkSelector(ast, (n) => {
    if (n.type === 'global') found = true;
  });
  return found;
}

export type SelectorHit =
  | { kind: 'key'; node: SelectorHas | SelectorCompare | SelectorSet; key: string; span: Span }
  | { kind: 'value'; node: SelectorCompare | SelectorSet; key: string; value: string; span: Span }
  | { kind: 'operator'; node: SelectorCompare | SelectorSet; span: Span }
  | { kind: 'function'; node: SelectorAll | SelectorGlobal | SelectorHas; span: Span };

const within = (s: Span, offset: number): boolean => offset >= s.start && offset <= s.end;

/**
 * What is at `offset` (a cursor position inside the selector string, 0..length): a label key, a value literal,
 * an operator or a function. Positions at the end of a token count as inside it (cursor just after a word).
 */
export function selectorItemAt(ast: SelectorNode, offset: number): SelectorHit | undefined {
  let hit: SelectorHit | undefined;
  walkSelector(ast, (n) => {
    if (hit || !within(n, offset)) return;
    switch (n.type) {
      case 'has':
        if (within(n.keySpan, offset)) hit = { kind: 'key', node: n, key: n.key, span: n.keySpan };
        else hit = { kind: 'function', node: n, span: { start: n.start, end: n.end } };
        break;
      case 'all':
      case 'global':
        hit = { kind: 'function', node: n, span: { start: n.start, end: n.end } };
        break;
      case 'eq':
      case 'ne':
      case 'contains':
      case 'startsWith':
      case 'endsWith':
        if (within(n.keySpan, offset)) hit = { kind: 'key', node: n, key: n.key, span: n.keySpan };
        else if (within(n.literal.span, offset))
          hit = { kind: 'value', node: n, key: n.key, value: n.value, span: n.literal.span };
        else if (within(n.opSpan, offset)) hit = { kind: 'operator', node: n, span: n.opSpan };
        break;
      case 'in':
      case 'notIn':
        if (within(n.keySpan, offset)) hit = { kind: 'key', node: n, key: n.key, span: n.keySpan };
        else if (within(n.opSpan, offset)) hit = { kind: 'operator', node: n, span: n.opSpan };
        else
          for (const l of n.literals)
            if (within(l.span, offset)) {
              hit = { kind: 'value', node: n, key: n.key, value: l.value, span: l.span };
              break;
            }
        break;
      default:
        break;
    }
  });
  return hit;
}

/** Calico's selector unique id: "s:" + base64url(SHA-224("s:" + canonical)), unpadded. */
export { selectorUid } from './sha224';
