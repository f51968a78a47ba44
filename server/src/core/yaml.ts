// Typed accessors over the YAML AST that keep source ranges, shared by every dialect's parser: ParseContext
// (ranges and diagnostics of one document), getPair/getNode/getMap/getSeq/getString/getLabels, and the
// Kubernetes metav1.LabelSelector. Never throw: unusable values become diagnostics.
//
// Aliases (`*name`) and merge keys (`<<: *name`) are expanded once, right after parsing (expandAliases, called by
// core/documents.ts parseChunk), so every parser and lint rule sees the objects the API server sees.
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Alias, Document, Node, Pair, YAMLMap } from 'yaml';
import type { Diagnostic, Labels, LabelSelector, SelectorOperator, SelectorRequirement, Severity, SourceRange } from './model';
import type { LineIndex } from './lines';

const SELECTOR_OPERATORS: readonly SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** Per-document parsing context. Offsets are relative to `lines.text` (the document's text). */
export class ParseContext {
  constructor(
    readonly file: string,
    readonly doc: number,
    readonly lines: LineIndex,
    readonly defaultNamespace: string,
    readonly diagnostics: Diagnostic[],
    /** The document text (lets the Calico parser map selector offsets through YAML quoting). */
    readonly text?: string,
  ) {}

  rangeOf(node: Node | Pair | null | undefined, fallback?: SourceRange): SourceRange | undefined {
    const r = node && 'range' in node ? node.range : node && isPairLike(node) ? pairRange(node) : undefined;
    if (!r) return fallback;
    return this.rangeAt(r[0], r[1]);
  }

  /** A range inside the document: offsets are clamped to the text, positions come from the line index. */
  rangeAt(startOffset: number, endOffset: number): SourceRange {
    return rangeIn(this.lines, this.file, this.doc, startOffset, endOffset);
  }

  report(code: string, severity: Severity, message: string, node: Node | Pair | null | undefined, fallback?: SourceRange): void {
    const range = this.rangeOf(node, fallback);
    if (range) this.diagnostics.push({ code, severity, message, range });
  }
}

/** The SourceRange of [start, end) in a text, clamped into it (end >= start). Used for every range the core makes. */
export function rangeIn(lines: LineIndex, file: string, doc: number, startOffset: number, endOffset: number): SourceRange {
  const len = lines.text.length;
  const s = Math.max(0, Math.min(Number.isFinite(startOffset) ? startOffset : 0, len));
  const e = Math.max(s, Math.min(Number.isFinite(endOffset) ? endOffset : s, len));
  return { file, doc, start: lines.position(s), end: lines.position(e), startOffset: s, endOffset: e };
}

// ---------- aliases and merge keys ----------

/**
 * The yaml package's limit on alias expansion (Document.toJS maxAliasCount, default 100): an anchor's use count times
 * the aliases nested in it may not exceed it. Larger expansions are "billion laughs" alias bombs.
 */
export const MAX_ALIAS_COUNT = 100;
/** Hard limit on the nodes created by expansion, whatever the counts say. */
const MAX_EXPANDED_NODES = 200_000;

/** A problem that stops alias expansion of a document: reported with the range of the alias (`*name`). */
export interface AliasProblem {
  code: 'yaml-alias-bomb' | 'yaml-syntax';
  message: string;
  start: number;
  end: number;
}

export interface AliasExpansion {
  /** Problems; when any has code yaml-alias-bomb the document was left unexpanded and must not be used. */
  problems: AliasProblem[];
  /** [start, end) of every alias use (`*name`) and of every anchored node that some alias used. */
  protectedSpans: [number, number][];
}

/** For nodes created by expansion: the [start, end) of the alias (`*name`) they stand for. */
const EXPANDED = new WeakMap<object, [number, number]>();

/** True for a node (or pair) that is a copy of anchored content made by alias/merge expansion. */
export function isAliasExpanded(n: unknown): boolean {
  return !!n && typeof n === 'object' && EXPANDED.has(n);
}

const EXPANDED_DOCS = new WeakSet<object>();

interface AnchorData {
  count: number;
  aliasCount: number;
}

type Slot = { get(): unknown; set(v: unknown): void };

/** Children of a node in document order, as slots that can be replaced. */
function slotsOf(n: unknown): Slot[] {
  const out: Slot[] = [];
  if (isCollection(n)) {
    const items = (n as { items: unknown[] }).items;
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (isPair(it)) {
        const p = it as Pair;
        out.push({ get: () => p.key, set: (v) => (p.key = v) });
        out.push({ get: () => p.value, set: (v) => (p.value = v) });
      } else out.push({ get: () => items[i], set: (v) => (items[i] = v) });
    }
  }
  return out;
}

function isMergeKey(k: unknown): boolean {
  return isScalar(k) && k.value === '<<' && (k.type === 'PLAIN' || k.type === undefined) && !k.tag;
}

/**
 * Replaces every alias of the document by a copy of its anchored node (ranges: the alias's), and applies merge keys
 * (`<<`, https://yaml.org/type/merge.html, which the API server's YAML decoder honours). Idempotent. Counts aliases
 * exactly like the yaml package's toJS (maxAliasCount = MAX_ALIAS_COUNT) and refuses alias bombs, self-referencing
 * anchors and unknown anchors.
 */
export function expandAliases(doc: Document.Parsed | Document): AliasExpansion {
  const res: AliasExpansion = { problems: [], protectedSpans: [] };
  if (EXPANDED_DOCS.has(doc)) return res;
  EXPANDED_DOCS.add(doc);
  const root = doc.contents as unknown;
  // Cheap check first: most documents have neither aliases nor merge keys.
  let hasAlias = false;
  let hasMerge = false;
  {
    const stack: unknown[] = [root];
    while (stack.length) {
      const n = stack.pop();
      if (isAlias(n)) hasAlias = true;
      else if (isPair(n)) {
        if (isMergeKey((n as Pair).key)) hasMerge = true;
        stack.push((n as Pair).key, (n as Pair).value);
      } else if (isCollection(n)) for (const it of (n as { items: unknown[] }).items) stack.push(it);
      if (hasAlias && hasMerge) break;
    }
  }
  if (!hasAlias && !hasMerge) return res;

  // Pass 1 (original tree, document order): resolve every alias to the last anchor defined before it, count uses as
  // the yaml package does, and find bombs, self references and unknown anchors.
  const anchors = new Map<string, Node>();
  const data = new Map<Node, AnchorData>();
  const target = new Map<Alias, Node>();
  // yaml/dist/nodes/Alias.js getAliasCount: an alias counts its anchor's uses times the anchor's own count, a
  // collection the largest of its items (0 when empty), a pair the larger of key and value, anything else 1.
  const aliasCountOf = (n: unknown): number => {
    if (isAlias(n)) {
      const t = target.get(n as Alias);
      const d = t ? data.get(t) : undefined;
      return d ? d.count * d.aliasCount : 0;
    }
    if (isCollection(n)) {
      let c = 0;
      for (const it of (n as { items: unknown[] }).items) c = Math.max(c, aliasCountOf(it));
      return c;
    }
    if (isPair(n)) return Math.max(aliasCountOf((n as Pair).key), aliasCountOf((n as Pair).value));
    return 1;
  };
  {
    // Iterative pre-order walk with an explicit stack; `open` tracks the ancestors (self reference detection).
    const open = new Set<unknown>();
    const stack: { n: unknown; exit?: boolean }[] = [{ n: root }];
    while (stack.length && res.problems.length === 0) {
      const { n, exit } = stack.pop()!;
      if (exit) {
        open.delete(n);
        continue;
      }
      if (isAlias(n)) {
        const a = n as Alias;
        const t = anchors.get(a.source);
        const span: [number, number] = [a.range?.[0] ?? 0, a.range?.[1] ?? 0];
        if (!t) {
          res.problems.push({ code: 'yaml-syntax', message: `Unknown anchor "${a.source}": an alias (*${a.source}) must refer to an anchor (&${a.source}) defined before it.`, start: span[0], end: span[1] });
          continue;
        }
        if (open.has(t)) {
          res.problems.push({ code: 'yaml-alias-bomb', message: `Alias *${a.source} is inside the node anchored &${a.source}: its expansion would never end, and the API server rejects this document. Policy Lens ignores this document.`, start: span[0], end: span[1] });
          continue;
        }
        target.set(a, t);
        // Like yaml's toJS: an anchored node starts with count 1, every alias adds one.
        let d = data.get(t);
        if (!d) data.set(t, (d = { count: 1, aliasCount: 0 }));
        d.count += 1;
        if (d.aliasCount === 0) d.aliasCount = aliasCountOf(t);
        if (d.count * d.aliasCount > MAX_ALIAS_COUNT) {
          res.problems.push({
            code: 'yaml-alias-bomb',
            message: `Too many alias expansions: &${a.source} is used ${d.count - 1} times and holds ${d.aliasCount} nested copies (uses × copies may be at most ${MAX_ALIAS_COUNT}). This looks like an alias bomb; Policy Lens ignores this document.`,
            start: span[0],
            end: span[1],
          });
        }
        continue;
      }
      const anchor = (n as { anchor?: string } | null)?.anchor;
      if (anchor && (isScalar(n) || isCollection(n))) anchors.set(anchor, n as Node);
      if (isPair(n)) {
        stack.push({ n: (n as Pair).value }, { n: (n as Pair).key });
      } else if (isCollection(n)) {
        open.add(n);
        stack.push({ n, exit: true });
        const items = (n as { items: unknown[] }).items;
        for (let i = items.length - 1; i >= 0; i--) stack.push({ n: items[i] });
      }
    }
  }
  if (res.problems.some((p) => p.code === 'yaml-alias-bomb')) return res;
  for (const [a, t] of target) {
    if (a.range) res.protectedSpans.push([a.range[0], a.range[1]]);
    if (t.range) res.protectedSpans.push([t.range[0], t.range[1]]);
  }

  // Pass 2: replace aliases (document order, so a copied anchor is already expanded) and apply merge keys (post-order,
  // once the map's own values are expanded).
  let made = 0;
  const copy = (t: Node, site: [number, number]): Node | undefined => {
    const mark = <T extends object>(x: T): T => {
      EXPANDED.set(x, site);
      return x;
    };
    const shallow = <T extends object>(x: T): T => {
      const c = Object.create(Object.getPrototypeOf(x), Object.getOwnPropertyDescriptors(x)) as T & { range?: number[]; anchor?: string };
      if ('range' in c && c.range) c.range = [site[0], site[1], site[1]];
      if ('anchor' in c) delete c.anchor;
      return mark(c);
    };
    const top = shallow(t);
    const stack: unknown[] = [top];
    while (stack.length) {
      const x = stack.pop();
      if (++made > MAX_EXPANDED_NODES) return undefined;
      if (isCollection(x)) {
        const items = (x as { items: unknown[] }).items.slice();
        (x as { items: unknown[] }).items = items;
        for (let i = 0; i < items.length; i++) {
          const it = items[i];
          if (isPair(it)) {
            const p = shallow(it as Pair);
            if (p.key && typeof p.key === 'object') p.key = shallow(p.key as object);
            if (p.value && typeof p.value === 'object') p.value = shallow(p.value as object);
            items[i] = p;
            stack.push(p.key, p.value);
          } else if (it && typeof it === 'object') {
            items[i] = shallow(it as object);
            stack.push(items[i]);
          }
        }
      }
    }
    return top;
  };
  const merge = (map: YAMLMap): void => {
    if (!map.items.some((p) => isMergeKey((p as Pair).key))) return;
    const explicit = new Set<unknown>();
    for (const p of map.items as Pair[]) if (!isMergeKey(p.key) && isScalar(p.key)) explicit.add(p.key.value);
    const out: Pair[] = [];
    for (const p of map.items as Pair[]) {
      if (!isMergeKey(p.key)) {
        out.push(p);
        continue;
      }
      const sources = isSeq(p.value) ? (p.value.items as unknown[]) : [p.value];
      if (!sources.every((s) => isMap(s))) {
        out.push(p); // not a mapping (or list of mappings): leave the key, the schema checks report it
        continue;
      }
      // Earlier sources win over later ones; keys of the mapping itself win over all of them.
      for (const s of sources as YAMLMap[]) {
        for (const q of s.items as Pair[]) {
          const k = isScalar(q.key) ? q.key.value : q.key;
          if (explicit.has(k)) continue;
          explicit.add(k);
          out.push(q); // the source mapping leaves the tree with its `<<` pair, so its pairs can move here
        }
      }
    }
    map.items = out as typeof map.items;
  };
  {
    const rootSlot: Slot = { get: () => doc.contents, set: (v) => ((doc as { contents: unknown }).contents = v) };
    const stack: { slot?: Slot; post?: YAMLMap }[] = [{ slot: rootSlot }];
    while (stack.length) {
      const { slot, post } = stack.pop()!;
      if (post) {
        merge(post);
        continue;
      }
      let n = slot!.get();
      if (isAlias(n)) {
        const t = target.get(n as Alias);
        const a = n as Alias;
        const c = t ? copy(t, [a.range?.[0] ?? 0, a.range?.[1] ?? 0]) : undefined;
        if (t && !c) {
          res.problems.push({ code: 'yaml-alias-bomb', message: `Alias expansion creates more than ${MAX_EXPANDED_NODES} nodes: this looks like an alias bomb. Policy Lens ignores this document.`, start: a.range?.[0] ?? 0, end: a.range?.[1] ?? 0 });
          return res;
        }
        if (c) slot!.set((n = c));
        continue; // a copy is already expanded (and merged) content
      }
      if (isMap(n)) stack.push({ post: n as YAMLMap });
      if (isCollection(n)) {
        const slots = slotsOf(n);
        for (let i = slots.length - 1; i >= 0; i--) stack.push({ slot: slots[i] });
      }
    }
  }
  return res;
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

