// The graph view: workloads as nodes in namespace bands, allowed flows as arrows.
import type { Endpoint } from '../../server/src/core/reach-types';
import type { ReachabilityResponse } from '../../server/src/protocol';
import type { ViewState } from './messages';
import { EXTERNAL_GROUP, endpointLabel, groupOf, h, pairStatus, pairTitle, s, visibleEndpoints, type PairView } from './shared';

export function renderGraph(
  resp: ReachabilityResponse,
  state: ViewState,
  pairs: Map<string, PairView>,
  byId: Map<string, Endpoint>,
  select: (src: string, dst: string) => void,
  focus: (id: string | undefined) => void,
): HTMLElement {
  const eps = visibleEndpoints(resp, state);
  if (eps.length === 0) return h('p', { class: 'pl-empty' }, 'No workloads match the filters.');
  const groups: string[] = [];
  for (const e of eps) if (!groups.includes(groupOf(e))) groups.push(groupOf(e));
  // Layout: one horizontal band per namespace (externals last), workloads side by side inside their band.
  const colW = 185;
  const bandH = 96;
  const nodeW = 160;
  const nodeH = 32;
  const left = 16;
  const top = 34;
  const pos = new Map<string, { x: number; y: number }>();
  let maxCols = 0;
  groups.forEach((g, gi) => {
    const members = eps.filter((e) => groupOf(e) === g);
    maxCols = Math.max(maxCols, members.length);
    members.forEach((e, i) => pos.set(e.id, { x: left + i * colW, y: top + gi * bandH }));
  });
  const width = left * 2 + Math.max(1, maxCols) * colW;
  const height = top + groups.length * bandH - 20;
  const svg = s('svg', { class: 'pl-graph', viewBox: `0 0 ${width} ${height}`, width, height, role: 'group', 'aria-label': 'Reachability graph: workloads as nodes grouped by namespace, allowed flows as arrows' });
  const defs = s('defs');
  for (const cls of ['allowed', 'added', 'removed', 'changed', 'selected']) {
    defs.append(s('marker', { id: `arrow-${cls}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: `pl-arrow ${cls}` })));
  }
  svg.append(defs);
  groups.forEach((g, gi) => {
    const y = top + gi * bandH;
    svg.append(s('rect', { x: 4, y: y - 24, width: width - 8, height: nodeH + 34, rx: 8, class: 'pl-band' }));
    svg.append(s('text', { x: left, y: y - 8, class: 'pl-graph-group' }, g === EXTERNAL_GROUP ? 'external / internet' : `namespace ${g}`));
  });
  const related = (p: PairView) => !state.focus || p.src === state.focus || p.dst === state.focus;
  const edges = s('g', { class: 'pl-edges' });
  const visible = new Set(eps.map((e) => e.id));
  const list = [...pairs.values()].filter((p) => (p.now || p.removed) && p.src !== p.dst && visible.has(p.src) && visible.has(p.dst));
  list.sort((a, b) => a.src.localeCompare(b.src) || a.dst.localeCompare(b.dst));
  let edgeIndex = 0;
  for (const p of list) {
    const a = pos.get(p.src)!;
    const b = pos.get(p.dst)!;
    const st = pairStatus(p);
    const selected = state.selected?.src === p.src && state.selected?.dst === p.dst;
    let d: string;
    let lx: number;
    let ly: number;
    if (a.y === b.y) {
      // Same band: an arc above the band; the two directions of a pair use different heights.
      const dir = a.x < b.x ? 1 : -1;
      const x1 = a.x + nodeW / 2 + dir * 10;
      const x2 = b.x + nodeW / 2 - dir * 10;
      const lift = 18 + Math.abs(x2 - x1) / 8 + (dir > 0 ? 0 : 10);
      d = `M ${x1} ${a.y} C ${x1} ${a.y - lift}, ${x2} ${b.y - lift}, ${x2} ${b.y}`;
      lx = (x1 + x2) / 2;
      ly = a.y - lift * 0.75;
    } else {
      // Different bands: leave the source at its bottom (or top), arrive at the destination's top (or bottom);
      // downward and upward flows of the same pair are offset sideways so both stay visible.
      const down = a.y < b.y;
      const off = down ? -12 : 12;
      const x1 = a.x + nodeW / 2 + off;
      const x2 = b.x + nodeW / 2 + off;
      const y1 = down ? a.y + nodeH : a.y;
      const y2 = down ? b.y : b.y + nodeH;
      if (Math.abs(b.y - a.y) <= bandH) {
        // Adjacent bands: nothing in between, a smooth curve.
        const bend = (y2 - y1) / 2;
        d = `M ${x1} ${y1} C ${x1} ${y1 + bend}, ${x2} ${y2 - bend}, ${x2} ${y2}`;
        lx = (x1 + x2) / 2;
        ly = (y1 + y2) / 2;
      } else {
        // Bands in between: run through the empty gap between node columns next to the destination, so the
        // arrow never crosses a workload; a per-edge lane offset keeps parallel arrows apart.
        const lane = (edgeIndex % 5) * 3;
        const srcCol = Math.round((a.x - left) / colW);
        const dstCol = Math.round((b.x - left) / colW);
        // The gap left of the destination when coming from the left, else the gap right of it.
        const gapCol = srcCol < dstCol ? dstCol : dstCol + 1;
        const cx = left + gapCol * colW - (colW - nodeW) / 2 + (lane - 6);
        const yA = down ? y1 + 10 + lane : y1 - 10 - lane;
        const yB = down ? y2 - 10 - lane : y2 + 10 + lane;
        d = `M ${x1} ${y1} V ${yA} H ${cx} V ${yB} H ${x2} V ${y2}`;
        lx = cx + 4;
        ly = (yA + yB) / 2;
      }
    }
    edgeIndex++;
    const label = `${pairTitle(byId, p.src, p.dst)}: ${st.cls} ${st.text}`;
    const g = s('g', {
      class: `pl-edge ${st.cls}${selected ? ' selected' : ''}${related(p) ? '' : ' dim'}`,
      tabindex: 0, role: 'button', 'aria-label': label, 'data-src': p.src, 'data-dst': p.dst, 'data-focus-key': `edge-${p.src}-${p.dst}`,
    });
    g.append(s('title', {}, label));
    g.append(s('path', { d, class: 'pl-edge-hit' }));
    g.append(s('path', { d, class: 'pl-edge-line', 'marker-end': `url(#arrow-${selected ? 'selected' : st.cls})` }));
    if (selected || (state.focus && related(p))) {
      g.append(s('text', { x: lx + 4, y: ly, class: 'pl-edge-label' }, st.text));
    }
    const act = () => select(p.src, p.dst);
    g.addEventListener('click', act);
    g.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        act();
      }
    });
    edges.append(g);
  }
  svg.append(edges);
  const nodes = s('g', { class: 'pl-nodes' });
  for (const e of eps) {
    const p = pos.get(e.id)!;
    const isFocus = state.focus === e.id;
    const dim = state.focus && !isFocus && !list.some((x) => related(x) && (x.src === e.id || x.dst === e.id));
    const g = s('g', {
      class: `pl-node${e.kind === 'External' ? ' external' : ''}${isFocus ? ' focus' : ''}${dim ? ' dim' : ''}`,
      tabindex: 0, role: 'button', 'data-id': e.id, 'data-focus-key': `node-${e.id}`,
      'aria-label': `${e.kind} ${e.id}${isFocus ? ' (blast radius shown)' : ''}. Press Enter to show its blast radius.`,
      'aria-pressed': String(isFocus),
    });
    g.append(s('title', {}, `${e.kind} ${e.id}`));
    g.append(s('rect', { x: p.x, y: p.y, width: nodeW, height: nodeH, rx: 6 }));
    const text = endpointLabel(e, e.id);
    g.append(s('text', { x: p.x + 10, y: p.y + 20 }, text.length > 24 ? `${text.slice(0, 23)}…` : text));
    const act = () => focus(isFocus ? undefined : e.id);
    g.addEventListener('click', act);
    g.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        act();
      }
    });
    nodes.append(g);
  }
  svg.append(nodes);
  const wrap = h('div', { class: 'pl-graph-wrap' });
  wrap.append(h('p', { class: 'pl-hint' }, 'Click an arrow for its explanation; click a workload to highlight its blast radius.'));
  wrap.append(svg);
  return wrap;
}