// Typed accessors over the YAML AST that keep source ranges, shared by every dialect's parser: ParseContext
// (ranges and diagnostics of one document), getPair/getNode/getMap/getSeq/getString/getLabels, and the
// Kubernetes metav1.LabelSelector. Never throw: unusable values become diagnostics.
import { isMap, isScalar, isSeq, type LineCounter } from 'yaml';
import type { Node, Pair, YAMLMap } from 'yaml';
import type { Diagnostic, Labels, LabelSelector, SelectorOperator, SelectorRequirement, Severity, SourceRange } from './model';

const SELECTOR_OPERATORS: readonly SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** Per-document parsing context. */
export class ParseContext {
  constructor(
    readonly file: string,
    readonly doc: number,
    readonly lineCounter: LineCounter,
    readonly defaultNamespace: string,
    readonly diagnostics: Diagnostic[],
    /** The text the YAML nodes' offsets refer to (lets the Calico parser map selector offsets through quoting). */
    readonly text?: string,
    /** Offset of that text in the file (non-zero when one item of a large List is parsed on its own). */
    readonly offsetBase = 0,
  ) {}

  rangeOf(node: Node | Pair | null | undefined, fallback?: SourceRange): SourceRange | undefined {
    const r = node && 'range' in node ? node.range : node && isPairLike(node) ? pairRange(node) : undefined;
    if (!r) return fallback;
    return this.rangeAt(r[0], r[1]);
  }

  /** A range from offsets in the parsed text (node.range, error positions); `offsetBase` makes them file offsets. */
  rangeAt(startOffset: number, endOffset: number): SourceRange {
    startOffset += this.offsetBase;
    endOffset += this.offsetBase;
    const s = this.lineCounter.linePos(startOffset);
    const e = this.lineCounter.linePos(endOffset);
    return {
      file: this.file,
      doc: this.doc,
      start: { line: s.line - 1, character: s.col - 1 },
      end: { line: e.line - 1, character: e.col - 1 },
      startOffset,
      endOffset,
    };
  }

  report(code: string, severity: Severity, message: string, node: Node | Pair | null | undefined, fallback?: SourceRange): void {
    const range = this.rangeOf(node, fallback);
    if (range) this.diagnostics.push({ code, severity, message, range });
  }
}

function isPairLike(n: unknown): n is Pair {
  return !!n && typeof n === 'object' && 'key' in n && 'value' in n;
}

function pairRange(p: Pair): [number, number] | undefined {
  const k = p.key as Node | null;
  const v = p.value as Node | null;
  const start = k?.range?.[0] ?? v?.range?.[0];
  const end = v?.range?.[1] ?? k?.range?.[1];
  return start === undefined || end === undefined ? undefined : [start, end];
}

// ---------- small typed accessors over the YAML AST ----------

export function getPair(map: YAMLMap | undefined, key: string): Pair | undefined {
  if (!map) return undefined;
  return map.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair | undefined;
}

export function getNode(map: YAMLMap | undefined, key: string): Node | undefined {
  const p = getPair(map, key);
  return (p?.value ?? undefined) as Node | undefined;
}

export function getMap(ctx: ParseContext, map: YAMLMap | undefined, key: string, required = false): YAMLMap | undefined {
  const p = getPair(map, key);
  if (!p) return undefined;
  const v = p.value as Node | null;
  if (v === null || (isScalar(v) && v.value === null)) return required ? undefined : undefined;
  if (isMap(v)) return v;
  ctx.report('invalid-field', 'error', `\`${key}\` must be a mapping (key: value pairs); this value is ignored.`, v ?? p);
  return undefined;
}

export function getSeq(ctx: ParseContext, map: YAMLMap | undefined, key: string): Node[] | undefined {
  const p = getPair(map, key);
  if (!p) return undefined;
  const v = p.value as Node | null;
  if (v === null || (isScalar(v) && v.value === null)) return undefined;
  if (isSeq(v)) return v.items as Node[];
  ctx.report('invalid-field', 'error', `\`${key}\` must be a list; this value is ignored.`, v ?? p);
  return undefined;
}

export function getString(ctx: ParseContext, map: YAMLMap | undefined, key: string): string | undefined {
  const v = getNode(map, key);
  if (v === undefined) return undefined;
  if (isScalar(v)) {
    if (v.value === null) return undefined;
    if (typeof v.value === 'string') return v.value;
    if (typeof v.value === 'number' || typeof v.value === 'boolean') return String(v.value);
  }
  ctx.report('invalid-field', 'error', `\`${key}\` must be a string; this value is ignored.`, v);
  return undefined;
}

export function getLabels(ctx: ParseContext, map: YAMLMap | undefined, key: string): Labels {
  const m = getMap(ctx, map, key);
  const out: Labels = {};
  if (!m) return out;
  for (const p of m.items) {
    const k = isScalar(p.key) ? p.key.value : undefined;
    const v = p.value as Node | null;
    if (typeof k !== 'string' && typeof k !== 'number') {
      ctx.report('invalid-field', 'error', 'Label keys must be strings.', p.key as Node);
      continue;
    }
    if (v === null || (isScalar(v) && v.value === null)) {
      out[String(k)] = '';
      continue;
    }
    if (isScalar(v) && (typeof v.value === 'string' || typeof v.value === 'number' || typeof v.value === 'boolean')) {
      out[String(k)] = String(v.value);
      continue;
    }
    ctx.report('invalid-field', 'error', `Label \`${k}\` must have a string value.`, v);
  }
  return out;
}

export function metaNameRange(ctx: ParseContext, meta: YAMLMap | undefined, obj: YAMLMap): SourceRange | undefined {
  return ctx.rangeOf(getNode(meta, 'name')) ?? ctx.rangeOf(obj);
}

export function parseLabelSelector(ctx: ParseContext, node: Node | null | undefined): LabelSelector {
  const sel: LabelSelector = { matchLabels: {}, matchExpressions: [], range: ctx.rangeOf(node ?? undefined) };
  if (!node || (isScalar(node) && node.value === null)) return sel;
  if (!isMap(node)) {
    ctx.report('invalid-field', 'error', 'A label selector must be a mapping with matchLabels and/or matchExpressions.', node);
    return invalidSelector(sel);
  }
  sel.matchLabels = getLabels(ctx, node, 'matchLabels');
  for (const item of getSeq(ctx, node, 'matchExpressions') ?? []) {
    if (!isMap(item)) {
      ctx.report('invalid-field', 'error', 'A matchExpressions entry must be a mapping with key, operator and values.', item);
      return invalidSelector(sel);
    }
    const key = getString(ctx, item, 'key');
    const op = getString(ctx, item, 'operator');
    const valuesNode = getNode(item, 'values');
    const values: string[] = [];
    if (valuesNode && isSeq(valuesNode)) for (const v of valuesNode.items) if (isScalar(v) && v.value !== null) values.push(String(v.value));
    if (!key) {
      ctx.report('invalid-field', 'error', 'matchExpressions entry has no key.', item);
      return invalidSelector(sel);
    }
    if (!op || !SELECTOR_OPERATORS.includes(op as SelectorOperator)) {
      ctx.report('invalid-field', 'error', `Unknown selector operator "${op ?? ''}"; use In, NotIn, Exists or DoesNotExist.`, getNode(item, 'operator') ?? item);
      return invalidSelector(sel);
    }
    const req: SelectorRequirement = { key, operator: op as SelectorOperator, values };
    sel.matchExpressions.push(req);
  }
  return sel;
}

/** The API server rejects an invalid selector; we model it as one that matches nothing. */
function invalidSelector(sel: LabelSelector): LabelSelector {
  sel.matchLabels = {};
  sel.matchExpressions = [{ key: '', operator: 'In', values: [] }];
  return sel;
}

