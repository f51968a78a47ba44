// Style-preserving text edits on one YAML document of a file, for the suggestion writers. Built on the lint AST
// helpers (lint/ast.ts) and the quick-fix machinery (lint/fixes.ts): a change is a text replacement computed from the
// document's AST, written in the document's own indentation, sequence indentation and block/flow style, and it is
// only returned when the edited document still parses without YAML errors (editsAreSafe). Pure: no LSP imports.
import { Document, isMap, isScalar, isSeq, visit, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { asMap, asSeq, columnOf, dashOffset, isFlow, keySpan, lineEnd, lineStartOf, nodeSpan, valueOf } from '../lint/ast';
import { parseChunk, splitDocuments } from '../documents';
import { editsAreSafe, seqItemLines, seqStyle, spaces } from '../lint/fixes';
import type { TextChange } from './types';

export interface YamlStyle {
  /** Spaces per nesting level of block mappings. */
  indent: number;
  /** True when block sequences under a key are indented (`key:\n  - a`), false for `key:\n- a`. */
  indentSeq: boolean;
  /** True when lists of scalars are written in flow style (`types: [Ingress]`, `ports: [53]`). */
  flowScalarLists: boolean;
  /**
   * True when small nested mappings under a key are written in flow style (`podSelector: {matchLabels: {app: web}}`):
   * new mappings of scalars and mappings that fit in one short line follow that style.
   */
  flowSmallMaps?: boolean;
}

export const DEFAULT_STYLE: YamlStyle = { indent: 2, indentSeq: true, flowScalarLists: false };

/** Longest flow mapping written on one line when `flowSmallMaps` is set. */
const SMALL_FLOW = 72;

type Path = (string | number)[];

// ---------------------------------------------------------------- rendering

const AMBIGUOUS = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$/;
const NUMBERISH = /^([-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o?[0-7]+|\d+(:[0-5]?\d)+(\.\d*)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$/;

/** A scalar as YAML text that reads back as the same string/number under YAML 1.1 and 1.2, usable in flow context. */
export function scalarText(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return 'null';
  const s = String(v);
  if (s !== '' && /^[A-Za-z0-9_./][A-Za-z0-9_./ =!&|()'-]*$/.test(s) && !/\s$/.test(s) && !AMBIGUOUS.test(s) && !NUMBERISH.test(s)) return s;
  return JSON.stringify(s);
}

/** A value in flow style on one line: `{action: Allow, destination: {ports: [80]}}`. */
export function flowText(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(flowText).join(', ')}]`;
  if (v && typeof v === 'object') return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${scalarText(k)}: ${flowText(x)}`).join(', ')}}`;
  return scalarText(v);
}

/** A value in block style, as lines starting at column 0 (nested lines relative to it). */
export function blockLines(v: unknown, style: YamlStyle): string[] {
  if (v === null || typeof v !== 'object') return [scalarText(v)];
  // YAML 1.1 output quotes strings that YAML 1.1 readers (Kubernetes' go-yaml) would read as booleans or numbers.
  const doc = new Document(v, { version: '1.1' });
  if (style.flowScalarLists) {
    visit(doc, {
      Seq(_, node) {
        if (node.items.length && node.items.every((it) => isScalar(it))) node.flow = true;
      },
    });
  }
  if (style.flowSmallMaps) {
    // A mapping that is the value of a key (not a list item, not the root), holds only scalars and mappings, and fits
    // in a short line is written in flow style, as the document does.
    const small = (n: unknown): boolean => isScalar(n) || (isMap(n) && n.items.every((p) => isScalar(p.key) && small(p.value)));
    visit(doc, {
      Pair(_, pair) {
        const v = pair.value;
        if (isMap(v) && small(v) && flowText(v.toJSON()).length <= SMALL_FLOW) v.flow = true;
      },
    });
  }
  const text = doc.toString({ indent: style.indent, indentSeq: style.indentSeq, lineWidth: 0, minContentWidth: 0, flowCollectionPadding: false });
  return text.replace(/\n+$/, '').split('\n');
}

/** A whole document (block style), ending with a line break. */
export function documentText(v: unknown, style: YamlStyle, comment?: string): string {
  const head = comment ? comment.split('\n').map((l) => `# ${l}`.trimEnd()).join('\n') + '\n' : '';
  return head + blockLines(v, style).join('\n') + '\n';
}

// ---------------------------------------------------------------- style detection

function detectStyle(text: string, root: YAMLMap): YamlStyle {
  let indent: number | undefined;
  let indentSeq: boolean | undefined;
  let flowScalarLists: boolean | undefined;
  let flowSmallMaps: boolean | undefined;
  const visit = (n: unknown, depth: number): void => {
    if (depth > 12 || (indent !== undefined && indentSeq !== undefined && flowScalarLists !== undefined && flowSmallMaps !== undefined)) return;
    const sq = asSeq(n);
    if (sq && sq.items.length && flowScalarLists === undefined && sq.items.every((it) => isScalar(it))) flowScalarLists = isFlow(sq);
    const m = asMap(n);
    if (!m || isFlow(m)) {
      const s = asSeq(n);
      if (s && !isFlow(s)) for (const it of s.items) visit(it, depth + 1);
      return;
    }
    for (const p of m.items as Pair[]) {
      const ks = keySpan(p, text);
      if (!ks) continue;
      const kc = columnOf(text, ks[0]);
      const cm = asMap(p.value);
      if (cm && cm.items.length && flowSmallMaps === undefined && isFlow(cm)) flowSmallMaps = true;
      if (cm && !isFlow(cm) && cm.items.length && indent === undefined) {
        const cs = keySpan(cm.items[0] as Pair, text);
        if (cs && columnOf(text, cs[0]) > kc && lineStartOf(text, cs[0]) !== lineStartOf(text, ks[0])) indent = columnOf(text, cs[0]) - kc;
      }
      const cq = asSeq(p.value);
      if (cq && !isFlow(cq) && cq.items.length && indentSeq === undefined) {
        const st = seqStyle(text, cq);
        if (st) indentSeq = st.dash > kc;
      }
      visit(p.value, depth + 1);
    }
  };
  visit(root, 0);
  return { indent: indent ?? DEFAULT_STYLE.indent, indentSeq: indentSeq ?? DEFAULT_STYLE.indentSeq, flowScalarLists: flowScalarLists ?? DEFAULT_STYLE.flowScalarLists, flowSmallMaps: flowSmallMaps ?? false };
}

// ---------------------------------------------------------------- one document of a file

export class YamlDoc {
  private constructor(
    readonly file: string,
    /** Text of the document (its chunk of the file). */
    readonly text: string,
    /** Offset of the document in the file. */
    readonly base: number,
    readonly root: YAMLMap,
    readonly style: YamlStyle,
  ) {}

  /** The document of `fileText` that holds `offset`; undefined when it has YAML errors or is not a mapping. */
  static at(file: string, fileText: string, offset: number): YamlDoc | undefined {
    const chunks = splitDocuments(fileText);
    const c = chunks.find((ch) => ch.startOffset <= offset && offset < ch.startOffset + ch.text.length) ?? chunks[chunks.length - 1];
    if (!c) return undefined;
    const parsed = parseChunk(c.text);
    if (parsed.doc.errors.length) return undefined;
    const root = asMap(parsed.doc.contents);
    if (!root) return undefined;
    return new YamlDoc(file, c.text, c.startOffset, root, detectStyle(c.text, root));
  }

  /** The node at a path of keys and sequence indices. */
  get(path: Path): unknown {
    let n: unknown = this.root;
    for (const k of path) {
      if (typeof k === 'number') n = asSeq(n)?.items[k];
      else n = valueOf(n, k);
      if (n === undefined) return undefined;
    }
    return n;
  }

  /** The pair holding the last key of the path. */
  pair(path: Path): Pair | undefined {
    const parent = asMap(this.get(path.slice(0, -1)));
    const key = path[path.length - 1];
    if (!parent || typeof key !== 'string') return undefined;
    return parent.items.find((p) => isScalar((p as Pair).key) && ((p as Pair).key as { value: unknown }).value === key) as Pair | undefined;
  }

  private change(start: number, end: number, newText: string): TextChange | undefined {
    if (!editsAreSafe(this.text, [{ start, end, newText }])) return undefined;
    return { file: this.file, start: this.base + start, end: this.base + end, newText };
  }

  /** True when the items of a block sequence are flow mappings (`- {a: 1}`): new items follow that style. */
  private flowItems(seq: YAMLSeq): boolean {
    return seq.items.length > 0 && seq.items.every((it) => (isMap(it) || isSeq(it)) && isFlow(it));
  }

  private itemText(seq: YAMLSeq, value: unknown, content: number): string {
    if (this.flowItems(seq) || value === null || typeof value !== 'object') return flowText(value);
    return blockLines(value, this.style).map((l, i) => (i === 0 ? l : l === '' ? '' : spaces(content) + l)).join('\n');
  }

  /** Appends an item to a sequence (block or flow). */
  appendItem(seq: YAMLSeq, value: unknown): TextChange | undefined {
    const span = nodeSpan(seq, this.text);
    if (!span) return undefined;
    if (isFlow(seq)) {
      if (seq.items.length === 0) return this.change(span[0], span[1], `[${flowText(value)}]`);
      const last = nodeSpan(seq.items[seq.items.length - 1], this.text);
      if (!last) return undefined;
      return this.change(last[1], last[1], `, ${flowText(value)}`);
    }
    const st = seqStyle(this.text, seq);
    const last = nodeSpan(seq.items[seq.items.length - 1], this.text);
    if (!st || !last) return undefined;
    const at = lineEnd(this.text, last[1]);
    return this.change(at, at, `\n${spaces(st.dash)}- ${this.itemText(seq, value, st.content)}`);
  }

  /** Inserts an item before item `index` of a sequence. */
  insertItem(seq: YAMLSeq, index: number, value: unknown): TextChange | undefined {
    if (index >= seq.items.length) return this.appendItem(seq, value);
    const item = nodeSpan(seq.items[index], this.text);
    if (!item) return undefined;
    if (isFlow(seq)) return this.change(item[0], item[0], `${flowText(value)}, `);
    const st = seqStyle(this.text, seq);
    const dash = dashOffset(this.text, item[0]);
    if (!st || dash === undefined) return undefined;
    const ls = lineStartOf(this.text, dash);
    if (this.text.slice(ls, dash).trim() !== '') return undefined;
    return this.change(ls, ls, `${spaces(st.dash)}- ${this.itemText(seq, value, st.content)}\n`);
  }

  /** Removes item `index` of a sequence (the caller makes sure the sequence does not become empty). */
  removeItem(seq: YAMLSeq, index: number): TextChange | undefined {
    const spans = seq.items.map((it) => nodeSpan(it, this.text));
    const s = spans[index];
    if (!s) return undefined;
    if (isFlow(seq)) {
      if (index + 1 < spans.length && spans[index + 1]) return this.change(s[0], spans[index + 1]![0], '');
      if (index > 0 && spans[index - 1]) return this.change(spans[index - 1]![1], s[1], '');
      return this.change(s[0], s[1], '');
    }
    const lines = seqItemLines(this.text, seq.items[index] as Node);
    if (!lines) return undefined;
    return this.change(lines[0], lines[1], '');
  }

  /** Replaces item `index` of a sequence with a new value (same style). */
  replaceItem(seq: YAMLSeq, index: number, value: unknown): TextChange | undefined {
    const s = nodeSpan(seq.items[index], this.text);
    if (!s) return undefined;
    if (isFlow(seq)) return this.change(s[0], s[1], flowText(value));
    const st = seqStyle(this.text, seq);
    if (!st) return undefined;
    return this.change(s[0], s[1], this.itemText(seq, value, columnOf(this.text, s[0])));
  }

  /** Adds `key: value` at the end of a mapping (block or flow). */
  addPair(map: YAMLMap, key: string, value: unknown): TextChange | undefined {
    const span = nodeSpan(map, this.text);
    if (!span) return undefined;
    if (isFlow(map)) {
      const entry = `${scalarText(key)}: ${flowText(value)}`;
      if (map.items.length === 0) return this.change(span[0], span[1], `{${entry}}`);
      const lastPair = map.items[map.items.length - 1] as Pair;
      const last = nodeSpan(lastPair.value, this.text) ?? keySpan(lastPair, this.text);
      if (!last) return undefined;
      return this.change(last[1], last[1], `, ${entry}`);
    }
    const first = keySpan(map.items[0] as Pair, this.text);
    const lastPair = map.items[map.items.length - 1] as Pair;
    const end = nodeSpan(lastPair.value, this.text)?.[1] ?? keySpan(lastPair, this.text)?.[1];
    if (!first || end === undefined) return undefined;
    const col = columnOf(this.text, first[0]);
    const at = lineEnd(this.text, end);
    return this.change(at, at, `\n${spaces(col)}${this.pairLines(key, value, col)}`);
  }

  private pairLines(key: string, value: unknown, col: number): string {
    return blockLines({ [key]: value }, this.style)
      .map((l, i) => (i === 0 || l === '' ? l : spaces(col) + l))
      .join('\n');
  }

  /**
   * Replaces a pair (key and value) with `key: value` (e.g. `ingress: []` by a block list); with `newKey`, the pair is
   * written under that key instead (e.g. Cilium's `fromEntities: [world]` by `fromCIDRSet: [...]`).
   */
  replacePair(map: YAMLMap, pair: Pair, value: unknown, newKey?: string): TextChange | undefined {
    const ks = keySpan(pair, this.text);
    if (!ks) return undefined;
    const key = newKey ?? String((pair.key as { value: unknown }).value);
    const vs = pair.value ? nodeSpan(pair.value, this.text) : undefined;
    const end = vs && vs[1] > ks[1] ? vs[1] : lineEnd(this.text, ks[1]);
    if (isFlow(map)) return this.change(ks[0], end, `${scalarText(key)}: ${flowText(value)}`);
    return this.change(ks[0], end, this.pairLines(key, value, columnOf(this.text, ks[0])));
  }

  /** Sets `key` of a mapping: adds the pair, or replaces its value. */
  setKey(map: YAMLMap, key: string, value: unknown): TextChange | undefined {
    const pair = map.items.find((p) => isScalar((p as Pair).key) && ((p as Pair).key as { value: unknown }).value === key) as Pair | undefined;
    return pair ? this.replacePair(map, pair, value) : this.addPair(map, key, value);
  }

  /**
   * Appends an item to the sequence at `path` (a key of the mapping at `path[:-1]`), creating the key when it is
   * absent, null or an empty flow sequence in a block mapping.
   */
  appendAt(path: Path, value: unknown): TextChange | undefined {
    const seq = asSeq(this.get(path));
    const parent = asMap(this.get(path.slice(0, -1)));
    const key = path[path.length - 1] as string;
    if (seq && (seq.items.length > 0 || isFlow(parent))) return this.appendItem(seq, value);
    if (!parent) return undefined;
    return this.setKey(parent, key, [value]);
  }
}

/** Appends a new document to a file: `---` separator, optional comment lines, the object in block style. */
export function appendDocument(file: string, fileText: string, value: unknown, style: YamlStyle, comment?: string): TextChange {
  const sep = fileText.trim() === '' ? '' : `${fileText.endsWith('\n') ? '' : '\n'}---\n`;
  return { file, start: fileText.length, end: fileText.length, newText: sep + documentText(value, style, comment) };
}

/** The style of the last document of a file (the default style for an empty or broken file). */
export function fileStyle(file: string, fileText: string): YamlStyle {
  return YamlDoc.at(file, fileText, Math.max(0, fileText.length - 1))?.style ?? DEFAULT_STYLE;
}

/** True when some `port:` value of the text is a name (the file uses named ports). */
export function usesNamedPorts(text: string): boolean {
  return /^\s*(-\s*)?port:\s*["']?[a-z][a-z0-9-]*["']?\s*(#.*)?$/m.test(text) || /[{,]\s*port:\s*["']?[a-z][a-z0-9-]*["']?\s*[,}]/.test(text);
}
