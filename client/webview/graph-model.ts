// The graph view's pure model over PanelData: which boxes the graph draws (namespaces, classes of workloads,
// workloads, merged external peers), which of them are open containers, and the arrows between them with their
// connections in the formatter's words. The grouping is the matrix's (data.ts buildItems / cellValue), so both
// views agree on every value; only the open/closed defaults differ: the graph shows namespaces as single boxes
// once more than GRAPH_EXPAND_LIMIT workloads are shown, and a click opens one. No DOM here (unit-tested in
// test/unit/graph.test.ts).
import { buildItems, cellValue, conns, EXTERNAL_NS, plural, representatives, visibleSets, type CellValue, type Item, type PanelIndex } from './data';
import type { ViewState } from './messages';

/** Above this many shown workloads the graph starts with every namespace closed (one box per namespace). */
export const GRAPH_EXPAND_LIMIT = 30;

export type GraphNodeKind = 'namespace' | 'class' | 'workload' | 'external' | 'externals';

export interface GraphNode {
  /** The matrix item key (`ns:frontend`, `cls:…`, `frontend/web`, `ext:…`): also the layout id. */
  key: string;
  kind: GraphNodeKind;
  /** What the box says (never shortened), one entry per line. */
  lines: string[];
  /** Smaller second text, e.g. "12 workloads · click to open". */
  sub?: string;
  item: Item;
  /** Key of the open container drawn around this node. */
  parent?: string;
  /** An open namespace or class: a box around its children (no arrows of its own). */
  container: boolean;
  /** Can be opened (closed namespace / class / external peers) or closed (open container). */
  toggle?: 'open' | 'close';
  /** The key the open/closed choice is stored under (ViewState.graphOpen); the node key unless it is a copy. */
  group?: string;
  /** External peers are drawn twice: as sources of flows into the cluster (top) and destinations (bottom). */
  side?: 'in' | 'out';
  /** Flows between distinct members of this box (closed groups only), when something is allowed or changed. */
  within?: { value: CellValue; text: string };
  /** The endpoint id of a single workload or of the first merged external range. */
  id?: string;
}

export interface GraphEdge {
  key: string;
  src: string;
  dst: string;
  value: CellValue;
  /** The label in the formatter's words, with "+"/"−"/"±"/"◐" marks; one entry per line. */
  lines: string[];
  /** Representative endpoints (indices into PanelData.endpoints) for the explanation. */
  rep?: { src: number; dst: number };
}

export interface GraphModel {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Workloads shown (after the namespace / search filters). */
  workloads: number;
  /** Namespaces start open (few workloads) or closed (the namespace-level view). */
  openByDefault: boolean;
  /** The box whose flows alone are shown (ViewState.graphFocus), when it exists. */
  focus?: string;
  /** Namespace boxes (keys and names) with the number of arrows into and out of each, before any focus. */
  namespaces: { key: string; name: string; arrows: number }[];
}

/** Is a graph group open (the user's choice, else the size-based default)? */
export function graphOpen(state: ViewState, key: string, openByDefault: boolean): boolean {
  const v = state.graphOpen?.[key];
  if (v !== undefined) return v;
  if (key.startsWith('cls:')) return false;
  return openByDefault;
}

/** Breaks a label into lines of at most `width` characters at "; ", ", " or spaces (words are never cut). */
export function wrapWords(text: string, width = 34): string[] {
  if (text.length <= width) return [text];
  const tokens = text.split(/(?<=[;,] )|(?<= )/);
  const lines: string[] = [];
  let cur = '';
  for (const t of tokens) {
    if (cur && (cur + t).trimEnd().length > width) {
      lines.push(cur.trimEnd());
      cur = '';
    }
    cur += t;
  }
  if (cur.trim()) lines.push(cur.trimEnd());
  return lines;
}

/**
 * An arrow's words: what is allowed now, with the change against the baseline marked without colour:
 * "+ TCP 443" (newly allowed, nothing before), "− TCP 5432" (newly blocked, nothing left),
 * "TCP 80, 443 (+ TCP 443)", "TCP 80 (− TCP 443)", "◐ TCP 8080" (allowed between some of the workloads only).
 */
export function edgeWords(v: CellValue): string {
  const now = v.now ? conns(v.now) : undefined;
  const plus = v.added ? `+ ${conns(v.added)}` : undefined;
  const minus = v.removed ? `− ${conns(v.removed)}` : undefined;
  const change = [plus, minus].filter(Boolean).join(', ');
  if (!now) return minus ?? '';
  if (v.kind === 'partial' && !change) return `◐ ${now}`;
  if (!change) return now;
  if (v.added && !v.removed && conns(v.added) === now) return plus!;
  return `${now} (${change})`;
}

export function buildGraph(idx: PanelIndex, state: ViewState): GraphModel {
  const { rows } = visibleSets(idx, { ...state, posture: undefined });
  const workloads = rows.filter((i) => i < idx.firstExternal).length;
  const openByDefault = workloads <= GRAPH_EXPAND_LIMIT;
  const open = new Proxy({} as Record<string, boolean>, {
    get: (_t, k) => (typeof k === 'string' ? graphOpen(state, k, openByDefault) : undefined),
  });
  const items = buildItems(idx, { ...state, open }, rows);
  const nodes: GraphNode[] = [];
  let nsKey: string | undefined;
  let clsKey: string | undefined;
  for (const it of items) {
    if (it.kind === 'ns') {
      nsKey = it.open ? it.key : undefined;
      clsKey = undefined;
      if (it.external) {
        const n = it.eps.length;
        nodes.push({ key: it.key, kind: 'externals', item: it, container: it.open, toggle: it.open ? 'close' : 'open',
          lines: ['external peers'], sub: it.open ? undefined : `${plural(n, 'address range')} · open to list`, });
      } else {
        nodes.push({ key: it.key, kind: 'namespace', item: it, container: it.open, toggle: it.open ? 'close' : 'open',
          lines: [it.open ? `namespace ${it.ns}` : it.ns], sub: it.open ? undefined : `${plural(it.eps.length, 'workload')} · open to show`, });
      }
      continue;
    }
    if (it.kind === 'class') {
      clsKey = it.open ? it.key : undefined;
      nodes.push({ key: it.key, kind: 'class', item: it, parent: nsKey, container: it.open, toggle: it.open ? 'close' : 'open',
        lines: [it.label.replace(/ \(\d+ workloads\)$/, '')], sub: it.open ? undefined : `${plural(it.eps.length, 'workload')} alike · open to show` });
      continue;
    }
    const external = it.ns === EXTERNAL_NS;
    const parent = it.depth === 2 ? clsKey : nsKey;
    const e = idx.data.endpoints[it.eps[0]];
    nodes.push({
      key: it.key, kind: external ? 'external' : 'workload', item: it, parent, container: false, id: it.id,
      lines: external ? it.label.split(/(?<=,) /) : [it.label],
      sub: external ? undefined : e.kind && e.kind !== 'Pod' ? e.kind : undefined,
    });
  }
  // Flows inside a closed group (between distinct members).
  for (const n of nodes) {
    if (n.container || n.item.eps.length < 2 || n.kind === 'externals') continue;
    const v = cellValue(idx, n.item, n.item, state);
    if (v.now || v.removed) n.within = { value: v, text: `within: ${edgeWords(v)}` };
  }
  const leaves = nodes.filter((n) => !n.container);
  const edges: GraphEdge[] = [];
  for (const a of leaves) {
    for (const b of leaves) {
      if (a === b) continue;
      const v = cellValue(idx, a.item, b.item, state);
      if (v.kind === 'none' || v.kind === 'self' || (!v.now && !v.removed)) continue;
      edges.push({ key: `${a.key}\u2192${b.key}`, src: a.key, dst: b.key, value: v, lines: wrapWords(edgeWords(v)), rep: representatives(a.item, b.item) });
    }
  }
  const split = splitExternals(nodes, edges);
  const all = { nodes: split.nodes, edges: aggregate(split.nodes, split.edges) };
  const namespaces = namespaceDegrees(all.nodes, all.edges);
  const focus = state.graphFocus && all.nodes.some((n) => (n.group ?? n.key) === state.graphFocus) ? state.graphFocus : undefined;
  return { ...(focus ? focusOn(all.nodes, all.edges, focus) : all), workloads, openByDefault, focus, namespaces };
}

/** The namespace (and external peers) boxes with the number of arrows touching each (themselves or inside). */
function namespaceDegrees(nodes: GraphNode[], edges: GraphEdge[]): GraphModel['namespaces'] {
  const parent = new Map(nodes.map((n) => [n.key, n.parent] as const));
  const top = (k: string) => {
    let cur = k;
    for (let p = parent.get(cur); p; p = parent.get(cur)) cur = p;
    return nodes.find((n) => n.key === cur)!;
  };
  const count = new Map<string, number>();
  for (const e of edges) for (const k of new Set([top(e.src), top(e.dst)].map((n) => n.group ?? n.key))) count.set(k, (count.get(k) ?? 0) + 1);
  const out: GraphModel['namespaces'] = [];
  for (const n of nodes) {
    if (n.parent || (n.kind !== 'namespace' && n.kind !== 'externals')) continue;
    const key = n.group ?? n.key;
    if (out.some((o) => o.key === key)) continue;
    out.push({ key, name: n.kind === 'externals' ? 'external peers' : n.item.ns, arrows: count.get(key) ?? 0 });
  }
  return out;
}

/** Only the arrows into and out of one box (or anything inside it), and the boxes they connect. */
function focusOn(nodes: GraphNode[], edges: GraphEdge[], focus: string): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const parent = new Map(nodes.map((n) => [n.key, n.parent] as const));
  const focused = new Set(nodes.filter((n) => (n.group ?? n.key) === focus).map((n) => n.key));
  const inFocus = (k: string) => {
    for (let c: string | undefined = k; c; c = parent.get(c)) if (focused.has(c)) return true;
    return false;
  };
  const kept = edges.filter((e) => inFocus(e.src) || inFocus(e.dst));
  const keep = new Set<string>();
  const withAncestors = (k: string) => {
    for (let c: string | undefined = k; c; c = parent.get(c)) keep.add(c);
  };
  for (const e of kept) {
    withAncestors(e.src);
    withAncestors(e.dst);
  }
  for (const n of nodes) if (inFocus(n.key)) withAncestors(n.key);
  return { nodes: nodes.filter((n) => keep.has(n.key)), edges: kept };
}

/**
 * Fewer, clearer arrows: when every box inside an open container has the same arrow (same words, same change) to
 * the same box outside it, one arrow from the container's border replaces them ("everything in namespace data may
 * reach coredns on TCP 53; UDP 53"); the same for arrows into a container. Containers holding other open
 * containers keep their arrows as they are.
 */
export function aggregate(nodes: GraphNode[], edges: GraphEdge[]): GraphEdge[] {
  const children = new Map<string, string[]>();
  const inside = new Map<string, string>();
  for (const n of nodes) {
    if (!n.parent) continue;
    inside.set(n.key, n.parent);
    let l = children.get(n.parent);
    if (!l) children.set(n.parent, (l = []));
    l.push(n.key);
  }
  const leafOnly = [...children].filter(([, kids]) => kids.length >= 2 && kids.every((k) => !children.has(k)));
  const within = (key: string, box: string) => {
    for (let k: string | undefined = key; k; k = inside.get(k)) if (k === box) return true;
    return false;
  };
  const sig = (e: GraphEdge) => `${e.value.kind}\u0000${e.lines.join('\n')}`;
  const pass = (list: GraphEdge[], end: 'src' | 'dst'): GraphEdge[] => {
    const other = end === 'src' ? 'dst' : 'src';
    let out = list;
    for (const [box, kids] of leafOnly) {
      const kidSet = new Set(kids);
      const byOther = new Map<string, GraphEdge[]>();
      for (const e of out) {
        if (!kidSet.has(e[end]) || within(e[other], box)) continue;
        let l = byOther.get(e[other]);
        if (!l) byOther.set(e[other], (l = []));
        l.push(e);
      }
      const replace = new Set<GraphEdge>();
      const added: GraphEdge[] = [];
      for (const [o, es] of byOther) {
        if (es.length !== kids.length || new Set(es.map(sig)).size !== 1) continue;
        for (const e of es) replace.add(e);
        const src = end === 'src' ? box : o;
        const dst = end === 'src' ? o : box;
        added.push({ ...es[0], key: `${src}\u2192${dst}`, src, dst });
      }
      if (replace.size) out = [...out.filter((e) => !replace.has(e)), ...added];
    }
    return out;
  };
  return pass(pass(edges, 'src'), 'dst');
}

const isExternalNode = (n: GraphNode) => n.kind === 'external' || n.kind === 'externals';

/**
 * Draws external peers twice: where flows come from (first in the model, so the layout puts them on top) and
 * where flows go to (last: at the bottom). Flows then read in one direction, and the cycles through "the
 * internet" (a workload both reachable from and reaching the same range) no longer tangle the drawing.
 */
function splitExternals(nodes: GraphNode[], edges: GraphEdge[]): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const copy = (n: GraphNode, side: 'in' | 'out'): GraphNode => {
    const c: GraphNode = { ...n, key: `${side}:${n.key}`, side, group: n.key, parent: n.parent ? `${side}:${n.parent}` : undefined };
    if (n.kind === 'externals') c.lines = [side === 'in' ? 'from outside the cluster' : 'to outside the cluster'];
    return c;
  };
  const ext = new Set(nodes.filter(isExternalNode).map((n) => n.key));
  const renamed = edges.map((e) => {
    const src = ext.has(e.src) ? `in:${e.src}` : e.src;
    const dst = ext.has(e.dst) ? `out:${e.dst}` : e.dst;
    return src === e.src && dst === e.dst ? e : { ...e, src, dst, key: `${src}\u2192${dst}` };
  });
  const used = new Set(renamed.flatMap((e) => [e.src, e.dst]));
  const sides = (side: 'in' | 'out') => {
    const leaves = nodes.filter((n) => isExternalNode(n) && !n.container && used.has(`${side}:${n.key}`)).map((n) => copy(n, side));
    const parents = new Set(leaves.map((l) => l.parent));
    const boxes = nodes.filter((n) => isExternalNode(n) && n.container && parents.has(`${side}:${n.key}`)).map((n) => copy(n, side));
    return [...boxes, ...leaves];
  };
  // External peers with no flow at all still show (once), so a filter never makes them vanish silently.
  const lonely = nodes.filter((n) => isExternalNode(n) && !n.container && !used.has(`in:${n.key}`) && !used.has(`out:${n.key}`));
  const lonelyBoxes = nodes.filter((n) => isExternalNode(n) && n.container && lonely.some((l) => l.parent === n.key));
  return {
    nodes: [...sides('in'), ...nodes.filter((n) => !isExternalNode(n)), ...sides('out'), ...lonelyBoxes, ...lonely],
    edges: renamed,
  };
}
