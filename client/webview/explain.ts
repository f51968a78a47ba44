// The explanation pane: the verdict of the selected pair in plain words, then per direction a compact table of the
// trace (tier → policy → rule → action → traffic), each rule linking to its file:line. Words and rows come from the
// one formatter (server/src/core/explain/format.ts); this file only lays them out.
import { describeVerdict, directionHeading, isolationWords, traceRows } from '../../server/src/core/explain/format';
import type { DirectionTrace, Trace } from '../../server/src/core/reach-types';
import { describeConns } from '../../server/src/core/explain/format';
import { ConnSet } from '../../server/src/core/ports';
import { cellValue, type PanelIndex } from './data';
import { h, link, pairKey, shortFile, type PanelCallbacks, type PanelModel } from './shared';
import { endpointLabel } from './shared';

export function renderExplanation(model: PanelModel, idx: PanelIndex | undefined, cb: PanelCallbacks): HTMLElement {
  const pane = h('aside', { class: 'pl-explain', 'aria-label': 'Explanation', 'aria-live': 'polite', id: 'pl-explain' });
  const sel = model.state.selected;
  if (!sel || !idx) {
    pane.append(h('p', { class: 'pl-hint' }, 'Select a cell, an arrow or a blast-radius entry to see which policy rule allows the flow, or why it is denied.'));
    return pane;
  }
  const si = idx.byId.get(sel.src);
  const di = idx.byId.get(sel.dst);
  if (si === undefined || di === undefined) {
    pane.append(h('p', { class: 'pl-hint' }, `${sel.src} → ${sel.dst} is no longer in the workspace.`));
    return pane;
  }
  const name = (i: number) => {
    const e = idx.data.endpoints[i];
    return e.kind === 'External' ? endpointLabel(e, e.id) : e.id;
  };
  pane.append(h('h2', {}, `${name(si)} → ${name(di)}`));
  if (sel.note) pane.append(h('p', { class: 'pl-hint', 'data-testid': 'group-note' }, sel.note));
  else if (sel.rowLabel || sel.colLabel) {
    pane.append(h('p', { class: 'pl-hint', 'data-testid': 'group-note' },
      `Shown for one pair of ${sel.rowLabel ?? name(si)} → ${sel.colLabel ?? name(di)}: no policy tells the members of these groups apart, so every pair between them is the same.`));
  }
  // The change against the baseline (from the panel data, as the matrix shows it).
  const one = (i: number) => ({ kind: 'ep' as const, key: '', ns: '', eps: [i], label: '', depth: 1 as const, id: '' });
  const v = cellValue(idx, one(si), one(di), { port: '', protocol: 'any' });
  const ex = model.explanations.get(pairKey(sel.src, sel.dst));
  if (!ex) {
    pane.append(h('p', { class: 'pl-hint' }, 'Loading the explanation…'));
    return pane;
  }
  const t = ex.trace;
  if (t.problem) {
    pane.append(h('p', { 'data-testid': 'verdict' }, t.problem));
    return pane;
  }
  const allowed = Object.keys(t.allowed).length > 0;
  pane.append(h('p', { class: `pl-verdict ${allowed ? 'allowed' : 'denied'}`, 'data-testid': 'verdict' }, describeVerdict(t)));
  if (v.added) pane.append(h('p', { class: 'pl-added-text' }, `+ Newly allowed by the current edits: ${describeConns(v.added)}`));
  if (v.removed) pane.append(h('p', { class: 'pl-removed-text' }, `− Newly blocked by the current edits: ${describeConns(v.removed)}`));
  const universe = universeOf(t);
  for (const d of [t.egress, t.ingress]) if (d) pane.append(directionTable(d, cb, universe));
  if (t.evaluatedAs) pane.append(h('p', { class: 'pl-hint' }, `Evaluated as ${t.evaluatedAs}.`));
  return pane;
}

/**
 * Every connection a direction decides: each is decided by exactly one step (a rule, a tier's end, or the default),
 * so the union of the steps is the universe the formatter needs for "all traffic except …".
 */
function universeOf(t: Trace): ConnSet | undefined {
  let u = ConnSet.EMPTY;
  for (const d of [t.egress, t.ingress]) for (const s of d?.steps ?? []) u = u.union(ConnSet.fromProtocolPorts(s.conns));
  return u.isEmpty() ? undefined : u;
}

function directionTable(d: DirectionTrace, cb: PanelCallbacks, universe: ConnSet | undefined): HTMLElement {
  const sec = h('section', { class: 'pl-dir', 'data-direction': d.direction });
  sec.append(h('h3', {}, directionHeading(d, universe)));
  const iso = h('p', { class: 'pl-isolation' }, isolationWords(d));
  const policies = [...new Map(d.selectedBy.map((p) => [p.policy, p] as const)).values()];
  policies.forEach((p, i) => iso.append(i ? ', ' : ' ', link(p.policy, p.range, cb, `sel-${d.direction}-${p.policy}`)));
  sec.append(iso);
  const rows = traceRows(d, universe);
  const table = h('table', { class: 'pl-trace' });
  table.append(h('colgroup', {}, h('col', { class: 'pl-col-action' }), h('col', { class: 'pl-col-who' }), h('col', { class: 'pl-col-what' })));
  table.append(h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'action'), h('th', { scope: 'col' }, 'policy / rule'), h('th', { scope: 'col' }, 'traffic'))));
  const body = h('tbody');
  let tier: string | undefined;
  rows.forEach((r, i) => {
    if (r.tier !== tier) {
      tier = r.tier;
      if (r.tier) body.append(h('tr', { class: 'pl-trace-tier' }, h('th', { colspan: 3, scope: 'rowgroup' }, r.tier)));
    }
    const where = r.range ? `${shortFile(r.range.file)}:${r.range.start.line + 1}` : '';
    const rule = r.range ? link(r.rule, r.range, cb, `${d.direction}-${i}`) : h('span', {}, r.rule);
    body.append(h('tr', { class: `pl-trace-row ${r.action.toLowerCase()}` },
      h('td', { class: `pl-action ${r.action.toLowerCase()}` }, r.action),
      h('td', {}, h('div', { class: 'pl-trace-who' }, r.who), h('div', { class: 'pl-trace-rule' }, rule, where ? h('span', { class: 'pl-where' }, ` · ${where}`) : undefined)),
      h('td', {}, r.what, r.note ? h('div', { class: 'pl-hint' }, r.note) : undefined)));
  });
  table.append(body);
  sec.append(table);
  return sec;
}
