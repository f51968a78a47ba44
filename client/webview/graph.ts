// The graph view: namespaces as boxes around their workloads (or one box per namespace once many workloads are
// shown; a click opens it), allowed flows as arrows labelled with their connections in the formatter's words,
// changes against the baseline in colour plus a non-colour mark ("+", "−", "±", dashed). The boxes and arrows are
// placed by ELK (graph-layout.ts) in a web worker; this file draws the result as SVG and exports it as SVG / PNG.
import type { PanelIndex } from './data';
import { buildGraph, type GraphEdge, type GraphModel, type GraphNode } from './graph-model';
import { crossings, elkInput, hasGraphWorker, headerText, LABEL_LINE, layoutInWorker, LINE, readLayout, SMALL_LINE, type Measure, type Placed } from './graph-layout';
import type { ViewState } from './messages';
import { overlayBadge, overlayMark, overlayWords, type OverlayIndex } from './overlay';
import { h, s } from './shared';

export interface GraphContext {
  idx: PanelIndex;
  state: ViewState;
  /** The observed-flows overlay, when flow logs are imported and it is shown. */
  overlay?: OverlayIndex;
  update(patch: Partial<ViewState>): void;
  /** Select a pair of boxes: show its explanation (representative endpoints, with the boxes' labels). */
  select(sel: NonNullable<ViewState['selected']>): void;
}

/**
 * Beyond this many boxes or arrows a drawing is no longer readable (and ELK needs many seconds): the graph asks to
 * show the flows of one namespace, close namespaces or filter instead.
 */
export const GRAPH_MAX_BOXES = 150;
export const GRAPH_MAX_ARROWS = 150;

// ---------------------------------------------------------------- text measurement

let canvasCtx: CanvasRenderingContext2D | null | undefined;
function measureFor(): Measure {
  if (canvasCtx === undefined) canvasCtx = document.createElement('canvas').getContext('2d');
  const cs = getComputedStyle(document.body);
  const size = parseFloat(cs.fontSize) || 13;
  const family = cs.fontFamily || 'sans-serif';
  const width = (font: string, fallback: number) => (t: string) => {
    if (!canvasCtx) return t.length * fallback;
    canvasCtx.font = font;
    return canvasCtx.measureText(t).width;
  };
  // Node text is 1em, semi-bold for the name; small text (sub lines, arrow labels) is 0.88em.
  return { text: width(`600 ${size}px ${family}`, size * 0.62), small: width(`${size * 0.88}px ${family}`, size * 0.55) };
}

// ---------------------------------------------------------------- layout cache

interface Laid {
  placed: Placed;
  ms: number;
}
const cache = new Map<string, Laid>();
const CACHE_SIZE = 12;
/** The newest graph asked for, and what to do when its layout arrives. */
let wanted: { key: string; done: (l: Laid | Error) => void } | undefined;
let pendingKey: string | undefined;

function cached(key: string): Laid | undefined {
  const v = cache.get(key);
  if (v) {
    cache.delete(key);
    cache.set(key, v);
  }
  return v;
}

function requestLayout(key: string, input: ReturnType<typeof elkInput>, done: (l: Laid | Error) => void) {
  wanted = { key, done };
  if (pendingKey === key) return;
  pendingKey = key;
  layoutInWorker(input).then(
    (r) => {
      const laid = { placed: readLayout(r.graph), ms: r.ms };
      cache.set(key, laid);
      while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
      if (pendingKey === key) pendingKey = undefined;
      if (wanted?.key === key) wanted.done(laid);
    },
    (e: Error) => {
      if (pendingKey === key) pendingKey = undefined;
      if (e.message !== 'superseded' && wanted?.key === key) wanted.done(e);
    },
  );
}

/** Below this width (CSS px) for the drawing the compact layout is used (see elkInput). */
const COMPACT_BELOW = 900;

/** Width left for the graph: the panel minus the explanation pane when it sits beside the view (panel.css). */
function availableWidth(): number {
  const w = document.documentElement.clientWidth;
  return w > 1000 ? w - 420 : w - 30;
}

// ---------------------------------------------------------------- zoom (kept across re-renders, not persisted)

let zoom: number | 'fit' = 'fit';

// ---------------------------------------------------------------- view

export function renderGraph(ctx: GraphContext): HTMLElement {
  const { idx, state } = ctx;
  const model = buildGraph(idx, state);
  const wrap = h('div', { class: 'pl-graph-wrap', 'data-testid': 'graph' });
  const leaves = model.nodes.filter((n) => !n.container);
  wrap.append(renderBar(ctx, model));
  if (leaves.length === 0) {
    wrap.append(h('p', { class: 'pl-empty' }, 'No workloads match the filters.'));
    return wrap;
  }
  const area = h('div', { class: 'pl-graph-scroll', tabindex: -1 });
  wrap.append(area, renderLegend(idx, model));
  if (leaves.length > GRAPH_MAX_BOXES || model.edges.length > GRAPH_MAX_ARROWS) {
    area.append(renderTooBig(ctx, model, leaves.length));
    return wrap;
  }
  if (!hasGraphWorker()) {
    area.append(h('p', { class: 'pl-empty' }, 'The graph layout is not available here; use the matrix.'));
    return wrap;
  }
  const compact = availableWidth() < COMPACT_BELOW;
  const input = elkInput(model, measureFor(), { compact });
  const key = JSON.stringify(input);
  const draw = (laid: Laid) => {
    area.replaceChildren(drawSvg(ctx, model, laid));
    applyZoom(area);
  };
  // "Fit" follows the panel's width (also once the view is attached and laid out by the browser); crossing the
  // compact threshold (e.g. the panel maximised) lays the graph out again for the new width.
  let relayout: ReturnType<typeof setTimeout> | undefined;
  new ResizeObserver(() => {
    applyZoom(area);
    if (relayout) clearTimeout(relayout);
    relayout = setTimeout(() => {
      if (area.isConnected && (availableWidth() < COMPACT_BELOW) !== compact) ctx.update({});
    }, 250);
  }).observe(area);
  const hit = cached(key);
  if (hit) {
    draw(hit);
    return wrap;
  }
  const progress = h('div', { class: 'pl-progress', 'data-testid': 'graph-progress' }, h('span', { class: 'pl-spinner', 'aria-hidden': 'true' }),
    `Laying out ${leaves.length} boxes and ${model.edges.length} arrows…`);
  area.append(progress);
  requestLayout(key, input, (r) => {
    if (!area.isConnected) return;
    if (r instanceof Error) area.replaceChildren(h('p', { class: 'pl-error', 'data-testid': 'graph-error' }, `The graph could not be laid out: ${r.message}`));
    else draw(r);
  });
  return wrap;
}

/** Too many boxes or arrows: offer the flows of one namespace (busiest first) instead of an unreadable drawing. */
function renderTooBig(ctx: GraphContext, model: GraphModel, boxes: number): HTMLElement {
  const box = h('div', { class: 'pl-graph-toobig', 'data-testid': 'graph-too-big' });
  box.append(h('p', {}, `${boxes} boxes and ${model.edges.length} arrows are too many to read in one drawing${model.focus ? '' : ' (the most this graph draws is ' + GRAPH_MAX_ARROWS + ' arrows)'}.`));
  if (!model.focus) {
    box.append(h('p', {}, 'Show the flows into and out of one namespace:'));
    const list = h('div', { class: 'pl-graph-focus-list' });
    for (const ns of [...model.namespaces].sort((a, b) => b.arrows - a.arrows || a.name.localeCompare(b.name, 'en', { numeric: true }))) {
      const b = h('button', { class: 'pl-gbtn', 'data-graph-focus': ns.key, 'data-focus-key': `graph-focus-${ns.key}` }, `${ns.name} (${ns.arrows})`);
      b.addEventListener('click', () => ctx.update({ graphFocus: ns.key }));
      list.append(b);
    }
    box.append(list);
  }
  box.append(h('p', { class: 'pl-hint' }, 'Or close namespaces (Close all), narrow the namespaces or search in the toolbar, or use the matrix.'));
  return box;
}

function renderBar(ctx: GraphContext, model: GraphModel): HTMLElement {
  const groups = model.nodes.filter((n) => n.toggle && (n.kind === 'namespace' || n.kind === 'externals'));
  const bar = h('div', { class: 'pl-graph-bar' });
  const openAll = h('button', { class: 'pl-gbtn', 'data-graph-action': 'open-all', 'data-focus-key': 'graph-open-all', title: 'Show every workload inside its namespace' }, 'Open all');
  const closeAll = h('button', { class: 'pl-gbtn', 'data-graph-action': 'close-all', 'data-focus-key': 'graph-close-all', title: 'One box per namespace' }, 'Close all');
  const setAll = (open: boolean) => {
    const next: Record<string, boolean> = {};
    for (const n of groups) next[n.group ?? n.key] = open;
    ctx.update({ graphOpen: next });
  };
  openAll.addEventListener('click', () => setAll(true));
  closeAll.addEventListener('click', () => setAll(false));
  const zoomOut = h('button', { class: 'pl-gbtn', 'data-graph-action': 'zoom-out', 'aria-label': 'Zoom out', title: 'Zoom out' }, '−');
  const zoomIn = h('button', { class: 'pl-gbtn', 'data-graph-action': 'zoom-in', 'aria-label': 'Zoom in', title: 'Zoom in' }, '+');
  const fit = h('button', { class: 'pl-gbtn', 'data-graph-action': 'fit', title: 'Fit the width of the panel' }, 'Fit');
  const actual = h('button', { class: 'pl-gbtn', 'data-graph-action': 'actual-size', title: 'Actual size' }, '100%');
  const step = (f: number) => () => {
    const area = bar.parentElement?.querySelector<HTMLElement>('.pl-graph-scroll');
    const cur = area ? currentScale(area) : 1;
    zoom = Math.min(3, Math.max(0.2, Math.round(cur * f * 100) / 100));
    if (area) applyZoom(area);
  };
  zoomOut.addEventListener('click', step(1 / 1.25));
  zoomIn.addEventListener('click', step(1.25));
  fit.addEventListener('click', () => {
    zoom = 'fit';
    const area = bar.parentElement?.querySelector<HTMLElement>('.pl-graph-scroll');
    if (area) applyZoom(area);
  });
  actual.addEventListener('click', () => {
    zoom = 1;
    const area = bar.parentElement?.querySelector<HTMLElement>('.pl-graph-scroll');
    if (area) applyZoom(area);
  });
  const hint = model.openByDefault
    ? 'Click an arrow to see why it is allowed, a workload to highlight what it can reach.'
    : `${model.workloads} workloads, one box per namespace: click one to open it, an arrow to see why it is allowed.`;
  // Show the flows of one namespace only (any size; the way into graphs too large to draw at once).
  const focus = h('select', { id: 'pl-graph-focus', 'data-focus-key': 'graph-focus', 'aria-label': 'Show the flows of' });
  focus.append(h('option', { value: '', selected: !model.focus }, 'all namespaces'));
  for (const ns of model.namespaces) focus.append(h('option', { value: ns.key, selected: model.focus === ns.key }, `${ns.name} only`));
  focus.addEventListener('change', () => ctx.update({ graphFocus: focus.value || undefined }));
  const focusHint = model.focus ? `Only the flows into and out of ${model.namespaces.find((n) => n.key === model.focus)?.name ?? model.focus}.` : hint;
  bar.append(h('span', { class: 'pl-graph-tools' }, h('label', { class: 'pl-field' }, 'Flows of ', focus), openAll, closeAll, zoomOut, fit, actual, zoomIn));
  const highlighted = ctx.state.focus !== undefined && ctx.idx.byId.has(ctx.state.focus);
  if (highlighted) {
    const clear = h('button', { class: 'pl-gbtn', 'data-graph-action': 'clear-highlight', 'data-focus-key': 'graph-clear-highlight' }, 'Clear');
    clear.addEventListener('click', () => ctx.update({ focus: undefined }));
    bar.append(h('span', { class: 'pl-hint pl-graph-highlight', 'data-testid': 'graph-highlight' }, `Highlighted: what ${ctx.state.focus} can reach and what can reach it. `, clear));
  } else bar.append(h('span', { class: 'pl-hint' }, focusHint));
  return bar;
}

function renderLegend(idx: PanelIndex, model: GraphModel): HTMLElement {
  const kinds = new Set(model.edges.map((e) => e.value.kind));
  const diff = !!idx.data.diff;
  const item = (cls: string, mark: string, words: string) => [h('span', { class: `pl-gkey ${cls}` }, h('span', { class: 'pl-gkey-line' }), mark), ` ${words} `];
  const parts: (Node | string)[] = [...item('allowed', '', 'allowed')];
  if (diff) parts.push(...item('added', '+', 'newly allowed'), ...item('removed', '−', 'newly blocked (dashed)'), ...item('changed', '±', 'changed'));
  if (kinds.has('partial')) parts.push(...item('partial', '◐', 'between some of the workloads only'));
  if (model.edges.some((e) => model.nodes.find((n) => n.key === e.src)?.container)) parts.push(h('span', { class: 'pl-gkey from-box' }, '●', h('span', { class: 'pl-gkey-line' })), ' from a box\u2019s border: every workload in it ');
  parts.push(h('span', { class: 'pl-swatch external' }, '⬚'), ' external peers (dashed box)');
  return h('div', { class: 'pl-legend pl-graph-legend', 'aria-label': 'Graph legend' }, ...parts);
}

function currentScale(area: HTMLElement): number {
  const svg = area.querySelector<SVGSVGElement>('svg.pl-graph');
  if (!svg) return 1;
  const natural = Number(svg.dataset.width) || 1;
  return svg.getBoundingClientRect().width / natural || 1;
}

/** "Fit" never shrinks text below this scale (a wider drawing scrolls sideways instead). */
const MIN_FIT = 0.7;

/** Sizes the SVG: "fit" shrinks it to the panel width (never enlarges, never below MIN_FIT); a number is a fixed scale. */
function applyZoom(area: HTMLElement) {
  const svg = area.querySelector<SVGSVGElement>('svg.pl-graph');
  if (!svg) return;
  const w = Number(svg.dataset.width);
  const hgt = Number(svg.dataset.height);
  if (zoom === 'fit' && area.clientWidth === 0) return;
  const avail = Math.max(200, area.clientWidth - 4);
  const scale = zoom === 'fit' ? Math.max(MIN_FIT, Math.min(1, avail / w)) : zoom;
  svg.setAttribute('width', String(Math.round(w * scale)));
  svg.setAttribute('height', String(Math.round(hgt * scale)));
  svg.dataset.scale = scale.toFixed(3);
}

// ---------------------------------------------------------------- SVG

const ARROW_KINDS = ['allowed', 'added', 'removed', 'changed', 'partial', 'selected'];

function edgeClass(e: GraphEdge): string {
  const k = e.value.kind;
  return k === 'partial' ? 'partial' : k === 'added' || k === 'removed' || k === 'changed' ? k : 'allowed';
}

function drawSvg(ctx: GraphContext, model: GraphModel, laid: Laid): SVGElement {
  const { idx, state } = ctx;
  const { placed } = laid;
  const W = placed.width;
  const H = placed.height;
  const svg = s('svg', {
    class: 'pl-graph', viewBox: `0 0 ${W} ${H}`, width: W, height: H, 'data-width': W, 'data-height': H, 'data-layout-ms': laid.ms,
    role: 'group', 'aria-label': 'Reachability graph: namespaces as boxes around their workloads, allowed flows as labelled arrows',
  });
  const defs = s('defs');
  for (const cls of ARROW_KINDS) {
    defs.append(s('marker', { id: `pl-arrow-${cls}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse', markerUnits: 'strokeWidth' },
      s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: `pl-arrow ${cls}` })));
    // Arrows from a box's border (every workload inside) start with a dot.
    defs.append(s('marker', { id: `pl-dot-${cls}`, viewBox: '0 0 10 10', refX: 5, refY: 5, markerWidth: 5, markerHeight: 5, markerUnits: 'strokeWidth' },
      s('circle', { cx: 5, cy: 5, r: 4.5, class: `pl-arrow ${cls}` })));
  }
  svg.append(defs);

  // Which boxes hold the focused workload (blast radius highlight) and which arrows touch them.
  const focusEp = state.focus !== undefined ? idx.byId.get(state.focus) : undefined;
  const holds = (n: GraphNode) => focusEp !== undefined && n.item.eps.includes(focusEp);
  const byKey = new Map(model.nodes.map((n) => [n.key, n] as const));
  const related = (e: GraphEdge) => focusEp === undefined || holds(byKey.get(e.src)!) || holds(byKey.get(e.dst)!);
  const touched = new Set<string>();
  for (const e of model.edges) if (focusEp !== undefined && related(e)) touched.add(e.src).add(e.dst);
  const sel = state.selected;
  const isSelected = (e: GraphEdge) => !!sel && ((sel.row === e.src && sel.col === e.dst) || (!sel.row && !sel.col && !!e.rep && idx.data.endpoints[e.rep.src].id === sel.src && idx.data.endpoints[e.rep.dst].id === sel.dst && byKey.get(e.src)?.item.eps.length === 1 && byKey.get(e.dst)?.item.eps.length === 1));

  // Containers (open namespaces / classes), outermost first.
  const boxes = s('g', { class: 'pl-containers' });
  for (const n of model.nodes) {
    if (!n.container) continue;
    const b = placed.boxes.get(n.key);
    if (!b) continue;
    const g = s('g', { class: `pl-container ${n.kind}`, 'data-key': n.key });
    g.append(s('rect', { x: b.x, y: b.y, width: b.width, height: b.height, rx: 8, class: 'pl-container-box' }));
    const hb = placed.headers.get(n.key) ?? { x: b.x + 10, y: b.y + 6, width: b.width - 20, height: LINE + 6 };
    const head = s('g', {
      class: 'pl-container-head', tabindex: 0, role: 'button', 'data-toggle': n.key, 'data-focus-key': `graph-toggle-${n.key}`, 'aria-expanded': 'true',
      'aria-label': `${headerText(n)}: close to one box`,
    });
    head.append(s('title', {}, `${headerText(n)} — click to show as one box`));
    head.append(s('rect', { x: hb.x, y: hb.y, width: hb.width, height: hb.height, rx: 4, class: 'pl-head-hit' }));
    head.append(s('text', { x: hb.x + 2, y: hb.y + LINE - 1, class: 'pl-container-label' }, `▾ ${headerText(n)}`));
    const act = () => ctx.update({ graphOpen: { ...(state.graphOpen ?? {}), [n.group ?? n.key]: false } });
    head.addEventListener('click', act);
    onEnter(head, act);
    g.append(head);
    boxes.append(g);
  }
  svg.append(boxes);

  // Arrows, then their labels above every arrow.
  const edges = s('g', { class: 'pl-edges' });
  const labels = s('g', { class: 'pl-edge-labels' });
  for (const e of model.edges) {
    const r = placed.routes.get(e.key);
    if (!r || r.points.length < 2) continue;
    const cls = edgeClass(e);
    const selected = isSelected(e);
    const a = byKey.get(e.src)!;
    const b = byKey.get(e.dst)!;
    const d = r.points.map((p, i) => `${i ? 'L' : 'M'} ${round(p.x)} ${round(p.y)}`).join(' ');
    const words = e.lines.join(' ');
    // The observed flows over the arrow's pairs (a box's arrow: every workload in it).
    const m = ctx.overlay ? overlayMark(ctx.overlay, a.item.eps, b.item.eps) : undefined;
    const title = `${a.container ? 'every workload in ' : ''}${nodeTitle(a)} → ${b.container ? 'every workload in ' : ''}${nodeTitle(b)}: ${words}${m ? `; ${overlayWords(m)}` : ''}`;
    const srcId = e.rep ? idx.data.endpoints[e.rep.src].id : undefined;
    const dstId = e.rep ? idx.data.endpoints[e.rep.dst].id : undefined;
    const g = s('g', {
      class: `pl-edge ${cls}${selected ? ' selected' : ''}${related(e) ? '' : ' dim'}${m ? ` has-ov ov-${m.state}` : ''}`, 'data-overlay': m?.state,
      tabindex: 0, role: 'button', 'aria-label': title, 'data-edge': e.key, 'data-src-key': e.src, 'data-dst-key': e.dst,
      'data-src': a.item.eps.length === 1 ? srcId : undefined, 'data-dst': b.item.eps.length === 1 ? dstId : undefined,
      'data-focus-key': `edge-${e.key}`, 'aria-pressed': String(selected),
    });
    g.append(s('title', {}, title));
    g.append(s('path', { d, class: 'pl-edge-hit' }));
    const mk = selected ? 'selected' : cls;
    g.append(s('path', { d, class: 'pl-edge-line', 'marker-end': `url(#pl-arrow-${mk})`, 'marker-start': a.container ? `url(#pl-dot-${mk})` : undefined }));
    const act = () => {
      if (!e.rep) return;
      const group = a.item.eps.length > 1 || b.item.eps.length > 1;
      const what = `${a.item.eps.length > 1 ? `every workload in ${nodeTitle(a)}` : nodeTitle(a)} → ${b.item.eps.length > 1 ? `every workload in ${nodeTitle(b)}` : nodeTitle(b)}`;
      const pair = `${srcId} → ${dstId}`;
      const note = !group ? undefined : e.value.kind === 'partial'
        ? `Shown for ${pair}. The arrow stands for ${what}, whose pairs do not all allow the same (◐): open the boxes to see each.`
        : `Shown for ${pair}. The arrow stands for ${what}; every such pair allows the same (${words}).`;
      ctx.select({ src: srcId!, dst: dstId!, row: e.src, col: e.dst, rowLabel: a.item.eps.length > 1 ? nodeTitle(a) : undefined, colLabel: b.item.eps.length > 1 ? nodeTitle(b) : undefined, note });
    };
    g.addEventListener('click', act);
    onEnter(g, act);
    edges.append(g);
    if (r.label) {
      const lb = r.label;
      const lg = s('g', { class: `pl-edge-label ${cls}${selected ? ' selected' : ''}${related(e) ? '' : ' dim'}`, 'data-edge': e.key, 'aria-hidden': 'true' });
      lg.append(s('rect', { x: lb.x, y: lb.y, width: lb.width, height: lb.height, rx: 3, class: 'pl-edge-label-bg' }));
      e.lines.forEach((line, i) => lg.append(s('text', { x: lb.x + 4, y: lb.y + 2 + (i + 1) * LABEL_LINE - 4 }, line)));
      lg.addEventListener('click', act);
      labels.append(lg);
    }
    if (m) {
      // The mark sits at the start of the label (or of the arrow's middle segment): glyph and count, as in the matrix.
      // After the label when it fits in the drawing, else before it, else on the label's corner.
      const text = overlayBadge(m);
      const w = 8 + text.length * 7;
      const lb = r.label;
      const x0 = lb ? (lb.x + lb.width + 3 + w <= W ? lb.x + lb.width + 3 : lb.x - 3 - w >= 0 ? lb.x - 3 - w : lb.x + lb.width - w) : Math.max(0, Math.min(W - w, midpoint(r.points).x + 4));
      const y0 = lb ? lb.y : Math.max(0, midpoint(r.points).y - LABEL_LINE / 2);
      const badge = s('g', { class: `pl-edge-ov ov-${m.state}${related(e) ? '' : ' dim'}`, 'aria-hidden': 'true', 'data-edge': e.key });
      badge.append(s('rect', { x: round(x0), y: round(y0), width: w, height: LABEL_LINE, rx: 3, class: 'pl-edge-ov-bg' }));
      badge.append(s('text', { x: round(x0 + w / 2), y: round(y0 + LABEL_LINE - 4), 'text-anchor': 'middle' }, text));
      badge.addEventListener('click', act);
      labels.append(badge);
    }
  }
  svg.append(edges, labels);

  // Leaf boxes.
  const nodes = s('g', { class: 'pl-nodes' });
  for (const n of model.nodes) {
    if (n.container) continue;
    const b = placed.boxes.get(n.key);
    if (!b) continue;
    const isFocus = focusEp !== undefined && n.kind === 'workload' && n.item.eps[0] === focusEp;
    const dim = focusEp !== undefined && !holds(n) && !touched.has(n.key);
    const g = s('g', {
      class: `pl-node ${n.kind}${n.toggle ? ' group' : ''}${isFocus ? ' focus' : ''}${dim ? ' dim' : ''}${n.within ? ` within-${edgeClass({ value: n.within.value } as GraphEdge)}` : ''}`,
      tabindex: 0, role: 'button', 'data-key': n.key, 'data-id': n.kind === 'workload' ? n.id : undefined, 'data-focus-key': `graph-node-${n.key}`,
      'aria-label': nodeAria(n, isFocus), 'aria-pressed': n.kind === 'workload' ? String(isFocus) : undefined,
      'aria-expanded': n.toggle === 'open' ? 'false' : undefined, 'data-toggle': n.toggle === 'open' ? n.key : undefined,
    });
    g.append(s('title', {}, nodeTooltip(idx, n)));
    g.append(s('rect', { x: b.x, y: b.y, width: b.width, height: b.height, rx: n.kind === 'namespace' || n.kind === 'externals' ? 8 : 5 }));
    let y = b.y + 7;
    const x = b.x + 10;
    n.lines.forEach((line, i) => {
      y += LINE;
      g.append(s('text', { x, y: y - 4, class: 'pl-node-name' }, i === 0 && n.toggle === 'open' ? `▸ ${line}` : line));
    });
    if (n.sub) {
      y += SMALL_LINE;
      g.append(s('text', { x, y: y - 3, class: 'pl-node-sub' }, n.sub));
    }
    if (n.within) {
      y += SMALL_LINE;
      g.append(s('text', { x, y: y - 3, class: `pl-node-within ${edgeClass({ value: n.within.value } as GraphEdge)}` }, n.within.text));
    }
    const act = () => {
      if (n.toggle === 'open') ctx.update({ graphOpen: { ...(state.graphOpen ?? {}), [n.group ?? n.key]: true } });
      else if (n.kind === 'workload') ctx.update({ focus: isFocus ? undefined : n.id, selected: undefined });
    };
    g.addEventListener('click', act);
    onEnter(g, act);
    nodes.append(g);
  }
  svg.append(nodes);
  return svg;
}

function onEnter(el: Element, act: () => void) {
  el.addEventListener('keydown', (ev) => {
    const k = (ev as KeyboardEvent).key;
    if (k === 'Enter' || k === ' ') {
      ev.preventDefault();
      act();
    }
  });
}

const round = (v: number) => Math.round(v * 10) / 10;

/** The middle of a polyline (for the overlay mark of an arrow without a label). */
function midpoint(points: { x: number; y: number }[]): { x: number; y: number } {
  const m = Math.floor((points.length - 1) / 2);
  const a = points[m];
  const b = points[Math.min(points.length - 1, m + 1)];
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

function nodeTitle(n: GraphNode): string {
  if (n.kind === 'workload') return n.id!;
  if (n.kind === 'namespace') return `namespace ${n.item.ns}`;
  if (n.kind === 'class') return `${n.item.ns}/${n.lines[0]} (${n.item.eps.length} workloads)`;
  if (n.kind === 'externals') return 'external peers';
  return n.lines.join(' ');
}

function nodeAria(n: GraphNode, isFocus: boolean): string {
  if (n.toggle === 'open') return `${nodeTitle(n)}, ${n.sub ?? ''}${n.within ? `, ${n.within.text}` : ''}. Press Enter to open.`;
  if (n.kind === 'workload') return `${n.sub ?? 'workload'} ${n.id}${n.within ? `, ${n.within.text}` : ''}${isFocus ? ' (what it can reach is highlighted)' : ''}. Press Enter to highlight what it can reach.`;
  return `external peers ${n.lines.join(' ')}`;
}

function nodeTooltip(idx: PanelIndex, n: GraphNode): string {
  const lines = [nodeTitle(n)];
  if (n.sub) lines.push(n.sub);
  if (n.kind === 'external' && n.item.eps.length > 1) lines.push(`${n.item.eps.length} address ranges that behave alike`);
  if (n.kind === 'class') lines.push(...n.item.eps.slice(0, 12).map((i) => `  ${idx.data.endpoints[i].id}`), ...(n.item.eps.length > 12 ? [`  … and ${n.item.eps.length - 12} more`] : []));
  if (n.within) lines.push(n.within.text);
  return lines.join('\n');
}

// ---------------------------------------------------------------- checks and export

/** Arrows of the drawn graph that pass through a box they do not connect (for tests; see graph-layout.ts). */
export function graphCrossings(model: GraphModel, placed: Placed): string[] {
  const ends = new Map(model.edges.map((e) => [e.key, [e.src, e.dst] as [string, string]]));
  return crossings(placed, model.nodes.filter((n) => !n.container).map((n) => n.key), (k) => ends.get(k) ?? ['', '']);
}

const STYLE_PROPS = ['fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-dasharray', 'stroke-opacity', 'stroke-linejoin', 'stroke-linecap', 'opacity', 'font-family', 'font-size', 'font-weight', 'text-decoration', 'paint-order'];

/**
 * The drawn graph as a standalone SVG document: theme colours resolved into presentation attributes (the CSS
 * variables of the webview mean nothing outside it; attributes, unlike inline styles, are allowed by the strict
 * CSP), click targets and tooltips dropped, a background in the current theme's colour.
 */
export function graphSvgText(root: ParentNode = document): string | undefined {
  const svg = root.querySelector<SVGSVGElement>('svg.pl-graph');
  if (!svg) return undefined;
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const src = [svg, ...Array.from(svg.querySelectorAll('*'))];
  const dst = [clone, ...Array.from(clone.querySelectorAll('*'))];
  src.forEach((el, i) => {
    const out = dst[i] as SVGElement;
    if (el.tagName !== 'title') {
      const cs = getComputedStyle(el);
      for (const p of STYLE_PROPS) {
        const v = cs.getPropertyValue(p);
        if (v) out.setAttribute(p, v);
      }
    }
    for (const a of ['class', 'tabindex', 'role', 'aria-pressed', 'aria-label', 'aria-expanded', 'aria-hidden', 'data-focus-key']) out.removeAttribute(a);
  });
  // Click targets (wide transparent strokes, header hit areas) are not part of the picture.
  for (const [el, i] of src.map((e, k) => [e, k] as const)) {
    if (el.classList.contains('pl-edge-hit') || el.classList.contains('pl-head-hit')) dst[i].remove();
  }
  for (const el of Array.from(clone.querySelectorAll('title'))) el.remove();
  const W = svg.dataset.width!;
  const H = svg.dataset.height!;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', W);
  clone.setAttribute('height', H);
  const bg = getComputedStyle(document.body).backgroundColor || '#ffffff';
  const rect = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  rect.setAttribute('width', '100%');
  rect.setAttribute('height', '100%');
  rect.setAttribute('fill', bg);
  clone.insertBefore(rect, clone.firstChild);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}\n`;
}

/** The drawn graph as a PNG (base64, without the data: prefix), twice the natural size when it fits a canvas. */
export async function graphPngBase64(root: ParentNode = document): Promise<string | undefined> {
  const text = graphSvgText(root);
  const svg = root.querySelector<SVGSVGElement>('svg.pl-graph');
  if (!text || !svg) return undefined;
  const W = Number(svg.dataset.width);
  const H = Number(svg.dataset.height);
  const scale = Math.max(0.25, Math.min(2, 16000 / Math.max(W, H), Math.sqrt(120e6 / (W * H))));
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(W * scale);
  canvas.height = Math.round(H * scale);
  const c = canvas.getContext('2d');
  if (!c) return undefined;
  c.scale(scale, scale);
  c.drawImage(img, 0, 0, W, H);
  return canvas.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
}
