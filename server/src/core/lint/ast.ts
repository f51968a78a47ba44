// Small helpers over the `yaml` AST. Pure: no LSP imports.
import { isMap, isPair, isScalar, isSeq, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { lineEndAt, lineStartAt, nextLineStart } from '../lines';
import { isAliasExpanded } from '../yaml';

export { isAliasExpanded } from '../yaml';

export type AnyNode = Node | null | undefined;

export function asMap(n: unknown): YAMLMap | undefined {
  return isMap(n) ? (n as YAMLMap) : undefined;
}
export function asSeq(n: unknown): YAMLSeq | undefined {
  return isSeq(n) ? (n as YAMLSeq) : undefined;
}

export function keyName(p: Pair): string | undefined {
  if (isScalar(p.key)) {
    const v = p.key.value;
    return typeof v === 'string' ? v : v === null || v === undefined ? undefined : String(v);
  }
  return undefined;
}

export function pairOf(map: unknown, key: string): Pair | undefined {
  const m = asMap(map);
  if (!m) return undefined;
  for (const it of m.items) if (isPair(it) && keyName(it as Pair) === key) return it as Pair;
  return undefined;
}

export function valueOf(map: unknown, key: string): AnyNode {
  const p = pairOf(map, key);
  return p ? (p.value as AnyNode) : undefined;
}

export function hasKey(map: unknown, key: string): boolean {
  return pairOf(map, key) !== undefined;
}

export function scalar(n: unknown): unknown {
  return isScalar(n) ? n.value : undefined;
}

/** [start, end) offsets of a node, with trailing white space trimmed. */
export function nodeSpan(n: unknown, text: string): [number, number] | undefined {
  const r = (n as { range?: [number, number, number] } | null | undefined)?.range;
  if (!r) return undefined;
  let end = r[1];
  while (end > r[0] && /\s/.test(text[end - 1])) end--;
  return [r[0], end];
}

/** Span of a whole pair: from the key to the end of the value. */
export function pairSpan(p: Pair, text: string): [number, number] | undefined {
  const k = nodeSpan(p.key, text);
  if (!k) return undefined;
  const v = p.value ? nodeSpan(p.value, text) : undefined;
  return [k[0], v && v[1] > k[1] ? v[1] : k[1]];
}

/** Span of a pair's key. */
export function keySpan(p: Pair, text: string): [number, number] | undefined {
  return nodeSpan(p.key, text);
}

/** Start of the line that holds `offset`. */
export function lineStartOf(text: string, offset: number): number {
  return lineStartAt(text, offset);
}

/** Offset just after the line break that ends the line holding `offset` (or the text length). */
export function lineEndAfter(text: string, offset: number): number {
  return nextLineStart(text, offset);
}

/** Offset of the line break ending the line holding `offset` (or the text length). */
export function lineEnd(text: string, offset: number): number {
  return lineEndAt(text, offset);
}

/** Column of `offset` in its line. */
export function columnOf(text: string, offset: number): number {
  return offset - lineStartOf(text, offset);
}

/** For a block sequence item starting at `itemStart`, the offset of its `-` (or undefined for flow items). */
export function dashOffset(text: string, itemStart: number): number | undefined {
  let i = itemStart - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t')) i--;
  return i >= 0 && text[i] === '-' ? i : undefined;
}

/** True when the collection is written in flow style (`{...}` / `[...]`). */
export function isFlow(n: unknown): boolean {
  return !!(n as { flow?: boolean } | undefined)?.flow;
}

/** True for a map with no pairs (e.g. `{}`) or a null/absent value. */
export function isEmptyValue(n: unknown): boolean {
  if (n === null || n === undefined) return true;
  if (isScalar(n)) return n.value === null || n.value === undefined || n.value === '';
  const m = asMap(n);
  if (m) return m.items.length === 0;
  const s = asSeq(n);
  if (s) return s.items.length === 0;
  return false;
}

/** Plain JS value of a node, or undefined. */
export function toJS(n: unknown): unknown {
  if (n === null || n === undefined) return undefined;
  const t = n as { toJSON?: () => unknown };
  try {
    return typeof t.toJSON === 'function' ? t.toJSON() : undefined;
  } catch {
    return undefined;
  }
}

/** The collection/scalar node that starts at `offset`, and the pair holding it as value (if any). */
export function findNodeAt(root: unknown, offset: number): { node: Node; pair?: Pair } | undefined {
  let found: { node: Node; pair?: Pair } | undefined;
  const visit = (n: unknown, pair?: Pair): boolean => {
    const r = (n as { range?: [number, number, number] } | null)?.range;
    if (!r) return false;
    if (r[0] === offset && !found) found = { node: n as Node, pair };
    if (found) return true;
    if (offset < r[0] || offset > r[2]) return false;
    if (isAliasExpanded(n)) return false; // a copy made by alias expansion: its parts all sit on the alias
    const m = asMap(n);
    if (m) {
      for (const p of m.items) if (visit((p as Pair).value, p as Pair)) return true;
      return false;
    }
    const s = asSeq(n);
    if (s) for (const it of s.items) if (visit(it)) return true;
    return false;
  };
  visit(root);
  return found;
}
