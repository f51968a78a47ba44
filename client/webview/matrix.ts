// The matrix view: sources as rows, destinations as columns, grouped by namespace.
import type { Endpoint } from '../../server/src/core/reach-types';
import type { ReachabilityResponse } from '../../server/src/protocol';
import type { ViewState } from './messages';
import { EXTERNAL_GROUP, endpointLabel, formatPorts, groupOf, h, pairKey, pairStatus, pairTitle, visibleEndpoints, type PairView } from './shared';

export function renderMatrix(
  resp: ReachabilityResponse,
  state: ViewState,
  pairs: Map<string, PairView>,
  byId: Map<string, Endpoint>,
  select: (src: string, dst: string) => void,
): HTMLElement {
  const eps = visibleEndpoints(resp, state);
  if (eps.length === 0) return h('p', { class: 'pl-empty' }, 'No workloads match the filters.');
  const groups: { name: string; eps: Endpoint[] }[] = [];
  for (const e of eps) {
    const g = groupOf(e);
    if (groups.length && groups[groups.length - 1].name === g) groups[groups.length - 1].eps.push(e);
    else groups.push({ name: g, eps: [e] });
  }
  const table = h('table', { class: 'pl-matrix', role: 'grid', 'aria-label': 'Reachability matrix: rows are sources, columns are destinations' });
  const thead = h('thead');
  const r1 = h('tr', {}, h('th', { rowspan: 2, class: 'pl-corner', scope: 'col' }, 'from ↓ / to →'));
  for (const g of groups) r1.append(h('th', { colspan: g.eps.length, scope: 'colgroup', class: 'pl-group' }, g.name === EXTERNAL_GROUP ? 'external' : g.name));
  const r2 = h('tr');
  for (const e of eps) r2.append(h('th', { scope: 'col', class: 'pl-colhead', title: e.id }, h('span', {}, endpointLabel(e, e.id))));
  thead.append(r1, r2);
  table.append(thead);
  const tbody = h('tbody');
  eps.forEach((src, ri) => {
    const tr = h('tr');
    const g = groups.find((x) => x.eps[0] === src);
    if (g) tbody.append(h('tr', { class: 'pl-grouprow' }, h('th', { colspan: eps.length + 1, scope: 'rowgroup', class: 'pl-group' }, g.name === EXTERNAL_GROUP ? 'external / internet' : `namespace ${g.name}`)));
    tr.append(h('th', { scope: 'row', class: 'pl-rowhead', title: src.id }, endpointLabel(src, src.id)));
    eps.forEach((dst, ci) => {
      if (src.id === dst.id || (src.kind === 'External' && dst.kind === 'External')) {
        tr.append(h('td', { class: 'pl-cell pl-self', 'aria-label': 'not applicable' }, ''));
        return;
      }
      const p = pairs.get(pairKey(src.id, dst.id));
      const st = pairStatus(p);
      const selected = state.selected?.src === src.id && state.selected?.dst === dst.id;
      const btn = h('button', {
        class: `pl-cellbtn ${st.cls}${selected ? ' selected' : ''}`,
        'data-src': src.id, 'data-dst': dst.id, 'data-row': ri, 'data-col': ci, 'data-focus-key': `cell-${src.id}-${dst.id}`,
        'aria-label': `${pairTitle(byId, src.id, dst.id)}: ${st.cls === 'denied' ? 'denied' : `${st.cls} ${st.text}`}`,
        'aria-pressed': String(selected),
        title: `${pairTitle(byId, src.id, dst.id)}\n${st.cls === 'denied' ? 'denied' : st.text}${p?.added ? `\nnewly allowed: ${formatPorts(p.added)}` : ''}${p?.removed ? `\nnewly blocked: ${formatPorts(p.removed)}` : ''}`,
      }, st.cls === 'denied' ? '·' : st.text);
      btn.addEventListener('click', () => select(src.id, dst.id));
      btn.addEventListener('keydown', (ev) => moveInGrid(table, ev, ri, ci));
      tr.append(h('td', { class: 'pl-cell' }, btn));
    });
    tbody.append(tr);
  });
  table.append(tbody);
  return h('div', { class: 'pl-matrix-wrap' }, table);
}

function moveInGrid(table: HTMLElement, ev: KeyboardEvent, row: number, col: number) {
  const d: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  const m = d[ev.key];
  if (!m) return;
  ev.preventDefault();
  let [r, c] = [row + m[0], col + m[1]];
  for (let i = 0; i < 200; i++) {
    const next = table.querySelector<HTMLElement>(`button[data-row="${r}"][data-col="${c}"]`);
    if (next) {
      next.focus();
      return;
    }
    if (!table.querySelector(`[data-row="${r}"]`) && !table.querySelector(`[data-col="${c}"]`)) return;
    r += m[0];
    c += m[1];
  }
}