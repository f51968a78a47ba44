// The blast-radius view: everything one workload can reach and everything that can reach it, by group of workloads
// (classes) and merged external peers, with the connections in the formatter's words.
import { blastRadius, cellWords, plural, type BlastEntry, type PanelIndex } from './data';
import type { ViewState } from './messages';
import { observedPeers, overlayBadge, overlayMark, overlayWords, type OverlayIndex } from './overlay';
import { endpointLabel, h } from './shared';

export function renderBlast(
  idx: PanelIndex,
  state: ViewState,
  select: (src: string, dst: string, label: { row?: string; col?: string }) => void,
  focus: (id: string | undefined) => void,
  ov?: OverlayIndex,
): HTMLElement {
  const wrap = h('div', { class: 'pl-blast' });
  const workloads = idx.data.endpoints.filter((e) => e.kind !== 'External');
  const sel = h('select', { id: 'pl-blast-select', 'data-focus-key': 'blast-select', 'aria-label': 'Workload' });
  sel.append(h('option', { value: '', selected: !state.focus }, 'Pick a workload…'));
  // 5,000 options are fine for a native select; label by namespace/name.
  for (const w of workloads) sel.append(h('option', { value: w.id, selected: state.focus === w.id }, `${w.id} (${w.kind})`));
  sel.addEventListener('change', () => focus(sel.value || undefined));
  wrap.append(h('label', { class: 'pl-field' }, 'Blast radius of ', sel));
  const br = state.focus ? blastRadius(idx, state, state.focus) : undefined;
  if (!state.focus || !br) {
    wrap.append(h('p', { class: 'pl-hint' }, 'Pick a workload to list everything it can reach (including external addresses) and everything that can reach it.'));
    return wrap;
  }
  const count = (list: BlastEntry[]) => {
    const wl = list.filter((e) => e.ns !== '' && e.value.now).reduce((n, e) => n + e.eps.length, 0);
    const ext = list.filter((e) => e.ns === '' && e.value.now).length;
    return `${plural(wl, 'workload')}${ext ? `, ${plural(ext, 'external address group')}` : ''}`;
  };
  const list = (title: string, items: BlastEntry[], dir: 'out' | 'in') => {
    const sec = h('section', { class: 'pl-blast-col', 'aria-label': title });
    sec.append(h('h3', {}, `${title}: ${count(items)}`));
    if (items.length === 0) sec.append(h('p', { class: 'pl-hint' }, 'nothing'));
    const ul = h('ul');
    let ns: string | undefined;
    for (const e of items) {
      if (e.ns !== ns) {
        ns = e.ns;
        ul.append(h('li', { class: 'pl-blast-ns' }, ns === '' ? 'external peers' : `namespace ${ns}`));
      }
      const peer = idx.data.endpoints[e.eps[0]].id;
      const [src, dst] = dir === 'out' ? [state.focus!, peer] : [peer, state.focus!];
      const group = e.eps.length > 1 && e.ns !== '' ? e.label : undefined;
      // The observed flows between the workload and this entry (all its members), when flow logs are imported.
      const w = idx.byId.get(state.focus!)!;
      const m = ov ? (dir === 'out' ? overlayMark(ov, [w], e.eps) : overlayMark(ov, e.eps, [w])) : undefined;
      const btn = h('button', { class: `pl-blast-item ${e.value.kind}${m ? ` has-ov ov-${m.state}` : ''}`, 'data-src': src, 'data-dst': dst, 'data-focus-key': `blast-${src}-${dst}`,
        'data-overlay': m?.state, title: m ? `${cellWords(e.value)}\n${overlayWords(m)}` : cellWords(e.value) },
        h('span', { class: 'pl-blast-name' }, e.ns === '' ? e.label : e.eps.length > 1 ? e.label : idx.data.endpoints[e.eps[0]].name),
        h('span', { class: 'pl-blast-ports' }, e.value.kind === 'allowed' ? e.value.text : `${e.value.text}`),
        m ? h('span', { class: `pl-ov-badge ov-${m.state}` }, h('span', { 'aria-hidden': 'true' }, overlayBadge(m)), h('span', { class: 'pl-sr-only' }, `; ${overlayWords(m)}`)) : undefined);
      btn.addEventListener('click', () => select(src, dst, dir === 'out' ? { col: group } : { row: group }));
      ul.append(h('li', {}, btn));
    }
    sec.append(ul);
    return sec;
  };
  wrap.append(h('div', { class: 'pl-blast-cols' }, list('Can reach', br.out, 'out'), list('Reachable from', br.in, 'in')));
  // Observed flows the lists above do not hold (the manifests do not allow them): denied by the dataplane too, or
  // a disagreement. Only with the overlay shown.
  if (ov) {
    const w = idx.byId.get(state.focus)!;
    const observedOnly = (title: string, dir: 'out' | 'in') => {
      const peers = observedPeers(ov, w, dir, new Set((dir === 'out' ? br.out : br.in).flatMap((e) => e.eps)));
      const sec = h('section', { class: 'pl-blast-col', 'aria-label': title, 'data-testid': `blast-observed-${dir}` });
      sec.append(h('h3', {}, `${title}: ${plural(peers.length, 'peer')}`));
      if (peers.length === 0) sec.append(h('p', { class: 'pl-hint' }, 'nothing'));
      const ul = h('ul');
      for (const p of peers) {
        const peer = idx.data.endpoints[p];
        const [src, dst] = dir === 'out' ? [state.focus!, peer.id] : [peer.id, state.focus!];
        const m = dir === 'out' ? overlayMark(ov, [w], [p])! : overlayMark(ov, [p], [w])!;
        const btn = h('button', { class: `pl-blast-item denied has-ov ov-${m.state}`, 'data-src': src, 'data-dst': dst, 'data-focus-key': `blast-obs-${src}-${dst}`, 'data-overlay': m.state, title: overlayWords(m) },
          h('span', { class: 'pl-blast-name' }, peer.kind === 'External' ? endpointLabel(peer, peer.id) : peer.id),
          h('span', { class: 'pl-blast-ports' }, 'not allowed by the manifests'),
          h('span', { class: `pl-ov-badge ov-${m.state}` }, h('span', { 'aria-hidden': 'true' }, overlayBadge(m)), h('span', { class: 'pl-sr-only' }, `; ${overlayWords(m)}`)));
        btn.addEventListener('click', () => select(src, dst, {}));
        ul.append(h('li', {}, btn));
      }
      sec.append(ul);
      return sec;
    };
    wrap.append(h('div', { class: 'pl-blast-cols pl-blast-observed' }, observedOnly('Observed sending, not allowed', 'out'), observedOnly('Observed receiving, not allowed', 'in')));
  }
  return wrap;
}
