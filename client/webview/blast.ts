// The blast-radius view: everything one workload can reach and everything that can reach it.
import type { Endpoint } from '../../server/src/core/reach-types';
import type { ReachabilityResponse } from '../../server/src/protocol';
import type { ViewState } from './messages';
import { endpointLabel, formatPorts, h, pairStatus, pairViews, type PairView } from './shared';

/** Blast radius of one endpoint: what it can reach and what can reach it (filters applied). */
export function blastRadius(resp: ReachabilityResponse, state: ViewState, id: string): { out: PairView[]; in: PairView[] } {
  const pairs = pairViews(resp, state);
  const outs: PairView[] = [];
  const ins: PairView[] = [];
  for (const p of pairs.values()) {
    if (!p.now && !p.added && !p.removed) continue;
    if (p.src === id && p.dst !== id) outs.push(p);
    if (p.dst === id && p.src !== id) ins.push(p);
  }
  const by = (k: 'src' | 'dst') => (a: PairView, b: PairView) => a[k].localeCompare(b[k]);
  return { out: outs.sort(by('dst')), in: ins.sort(by('src')) };
}

export function renderBlast(
  resp: ReachabilityResponse,
  state: ViewState,
  byId: Map<string, Endpoint>,
  select: (src: string, dst: string) => void,
  focus: (id: string | undefined) => void,
): HTMLElement {
  const wrap = h('div', { class: 'pl-blast' });
  const workloads = resp.result!.endpoints.filter((e) => e.kind !== 'External').sort((a, b) => a.id.localeCompare(b.id));
  const sel = h('select', { id: 'pl-blast-select', 'data-focus-key': 'blast-select', 'aria-label': 'Workload' });
  sel.append(h('option', { value: '', selected: !state.focus }, 'Pick a workload…'));
  for (const w of workloads) sel.append(h('option', { value: w.id, selected: state.focus === w.id }, `${w.id} (${w.kind})`));
  sel.addEventListener('change', () => focus(sel.value || undefined));
  wrap.append(h('label', { class: 'pl-field' }, 'Blast radius of ', sel));
  if (!state.focus || !byId.has(state.focus)) {
    wrap.append(h('p', { class: 'pl-hint' }, 'Pick a workload to list everything it can reach (including external CIDRs) and everything that can reach it.'));
    return wrap;
  }
  const br = blastRadius(resp, state, state.focus);
  const list = (title: string, items: PairView[], other: 'src' | 'dst') => {
    const sec = h('section', { class: 'pl-blast-col', 'aria-label': title });
    sec.append(h('h3', {}, `${title} (${items.filter((p) => p.now).length})`));
    if (items.length === 0) sec.append(h('p', { class: 'pl-hint' }, 'nothing'));
    const ul = h('ul');
    for (const p of items) {
      const st = pairStatus(p);
      const id = p[other];
      const e = byId.get(id);
      const btn = h('button', { class: `pl-blast-item ${st.cls}`, 'data-src': p.src, 'data-dst': p.dst, 'data-focus-key': `blast-${p.src}-${p.dst}` },
        h('span', { class: 'pl-blast-name' }, e?.kind === 'External' ? `${endpointLabel(e, id)} (external)` : id),
        h('span', { class: 'pl-blast-ports' }, st.cls === 'removed' ? `newly blocked: ${formatPorts(p.removed)}` : st.text));
      btn.addEventListener('click', () => select(p.src, p.dst));
      ul.append(h('li', {}, btn));
    }
    sec.append(ul);
    return sec;
  };
  wrap.append(h('div', { class: 'pl-blast-cols' }, list('Can reach', br.out, 'dst'), list('Reachable from', br.in, 'src')));
  return wrap;
}