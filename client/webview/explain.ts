// The explanation pane: the verdict of the selected pair and the policies/rules behind it.
import type { Endpoint, Explanation, RuleRef } from '../../server/src/core/reach-types';
import { formatPorts, h, link, pairKey, pairStatus, pairTitle, type PairView, type PanelCallbacks, type PanelModel } from './shared';

export function renderExplanation(model: PanelModel, pairs: Map<string, PairView>, byId: Map<string, Endpoint>, cb: PanelCallbacks): HTMLElement {
  const pane = h('aside', { class: 'pl-explain', 'aria-label': 'Explanation', 'aria-live': 'polite', id: 'pl-explain' });
  const sel = model.state.selected;
  if (!sel) {
    pane.append(h('p', { class: 'pl-hint' }, 'Select a cell or an arrow to see which policy rule allows the flow, or why it is denied.'));
    return pane;
  }
  const p = pairs.get(pairKey(sel.src, sel.dst));
  const st = pairStatus(p);
  pane.append(h('h2', {}, pairTitle(byId, sel.src, sel.dst)));
  pane.append(h('p', { class: `pl-verdict ${st.cls}`, 'data-testid': 'verdict' },
    st.cls === 'denied' ? 'Denied' : st.cls === 'removed' ? `Newly blocked (was allowed: ${formatPorts(p?.removed)})` : `Allowed: ${formatPorts(p?.now)}`));
  if (p?.added) pane.append(h('p', { class: 'pl-added-text' }, `Newly allowed by the current edits: ${formatPorts(p.added)}`));
  if (p?.removed && p.now) pane.append(h('p', { class: 'pl-removed-text' }, `Newly blocked by the current edits: ${formatPorts(p.removed)}`));
  const ex = model.explanations.get(pairKey(sel.src, sel.dst));
  if (!ex) {
    pane.append(h('p', { class: 'pl-hint' }, 'Loading the explanation…'));
    return pane;
  }
  pane.append(h('p', { class: 'pl-summary-text', 'data-testid': 'explanation' }, ex.summary));
  const dirBlock = (title: string, v: Explanation['egress']) => {
    if (!v) return undefined;
    const sec = h('section', { class: 'pl-dir' });
    sec.append(h('h3', {}, title));
    sec.append(h('p', {}, v.text));
    if (v.selectedBy.length) {
      const ul = h('ul', { class: 'pl-refs' });
      for (const r of v.selectedBy) ul.append(h('li', {}, 'selected by ', link(r.policy, r.range, cb)));
      sec.append(h('div', { class: 'pl-reflabel' }, 'Policies isolating it:'), ul);
    }
    if (v.allowedBy.length) {
      const ul = h('ul', { class: 'pl-refs' });
      for (const r of v.allowedBy) ul.append(h('li', {}, link(ruleLabel(r), r.range, cb), ` — ${formatPorts(r.protocols) || 'nothing'}`));
      sec.append(h('div', { class: 'pl-reflabel' }, 'Allowed by:'), ul);
    }
    return sec;
  };
  const e1 = dirBlock('Egress of the source', ex.egress);
  const e2 = dirBlock('Ingress of the destination', ex.ingress);
  if (e1) pane.append(e1);
  if (e2) pane.append(e2);
  return pane;
}

function ruleLabel(r: RuleRef): string {
  return `${r.policy} ${r.direction.toLowerCase()} rule ${r.ruleIndex + 1}`;
}