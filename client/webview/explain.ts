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
import { OVERLAY_GLYPH, observedRows, overlayBadge, overlayMark, overlayWords, type OverlayIndex } from './overlay';

export function renderExplanation(model: PanelModel, idx: PanelIndex | undefined, cb: PanelCallbacks, ov?: OverlayIndex): HTMLElement {
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
  // The dataplane's side (observed flows of this pair), when flow logs are imported: beside the engine's trace.
  const observed = ov ? renderObserved(ov, sel.src, sel.dst, si, di) : undefined;
  const engine = h('section', { class: 'pl-engine-side', 'aria-label': 'The engine (manifests)', 'data-testid': 'engine-side' });
  if (observed) {
    engine.append(h('h3', { class: 'pl-side-title' }, 'Engine (the manifests)'));
    pane.classList.add('with-observed');
    pane.append(h('div', { class: 'pl-both', 'data-testid': 'both-traces' }, engine, observed));
  } else pane.append(engine);
  engineSide(engine, model, idx, cb, sel, si, di);
  return pane;
}

/** The engine's verdict and trace of the pair (policyLens/explain), with the change against the baseline. */
function engineSide(pane: HTMLElement, model: PanelModel, idx: PanelIndex, cb: PanelCallbacks, sel: { src: string; dst: string }, si: number, di: number): void {
  // The change against the baseline (from the panel data, as the matrix shows it).
  const one = (i: number) => ({ kind: 'ep' as const, key: '', ns: '', eps: [i], label: '', depth: 1 as const, id: '' });
  const v = cellValue(idx, one(si), one(di), { port: '', protocol: 'any' });
  const ex = model.explanations.get(pairKey(sel.src, sel.dst));
  if (!ex) {
    pane.append(h('p', { class: 'pl-hint' }, 'Loading the explanation…'));
    return;
  }
  const t = ex.trace;
  if (t.problem) {
    pane.append(h('p', { 'data-testid': 'verdict' }, t.problem));
    return;
  }
  const allowed = Object.keys(t.allowed).length > 0;
  pane.append(h('p', { class: `pl-verdict ${allowed ? 'allowed' : 'denied'}`, 'data-testid': 'verdict' }, describeVerdict(t)));
  if (v.added) pane.append(h('p', { class: 'pl-added-text' }, `+ Newly allowed by the current edits: ${describeConns(v.added)}`));
  if (v.removed) pane.append(h('p', { class: 'pl-removed-text' }, `− Newly blocked by the current edits: ${describeConns(v.removed)}`));
  const universe = universeOf(t);
  for (const d of [t.egress, t.ingress]) if (d) pane.append(directionTable(d, cb, universe));
  if (t.evaluatedAs) pane.append(h('p', { class: 'pl-hint' }, `Evaluated as ${t.evaluatedAs}.`));
}

/**
 * The dataplane's side of the pair: each observed flow (connection, count, the dataplane's verdict, the engine's
 * prediction, the policies the dataplane reported), or that the manifests allow the pair but nothing was observed.
 * Undefined when the overlay says nothing about the pair.
 */
function renderObserved(ov: OverlayIndex, src: string, dst: string, si: number, di: number): HTMLElement | undefined {
  const rows = observedRows(ov, src, dst);
  const m = overlayMark(ov, [si], [di]);
  if (!m) return undefined;
  const sec = h('section', { class: 'pl-observed-side', 'aria-label': 'The dataplane (observed flows)', 'data-testid': 'observed-side' });
  sec.append(h('h3', { class: 'pl-side-title' }, 'Dataplane (observed flows)'));
  sec.append(h('p', { class: `pl-ov-summary ov-${m.state}` }, h('span', { class: `pl-ov-badge ov-${m.state}`, 'aria-hidden': 'true' }, overlayBadge(m)), ` ${overlayWords(m)}`));
  if (rows.length === 0) {
    sec.append(h('p', { class: 'pl-hint' }, 'The manifests allow this pair, but none of the imported flow logs shows traffic on it: a candidate for a tighter policy.'));
    return sec;
  }
  const list = h('ul', { class: 'pl-obs-list' });
  for (const r of rows) {
    const st = r.disagreement ? 'disagree' : r.observed === 'denied' ? 'observed-denied' : 'observed-allowed';
    const li = h('li', { class: `pl-obs-flow ov-${st}`, 'data-testid': 'observed-flow', 'data-observed': r.observed, 'data-predicted': r.predicted, 'data-disagreement': String(r.disagreement) });
    li.append(h('div', { class: 'pl-obs-head' },
      h('span', { class: `pl-ov-badge ov-${st}`, 'aria-hidden': 'true' }, OVERLAY_GLYPH[st]), ' ',
      h('strong', {}, r.conn), ` × ${r.count}`));
    li.append(h('div', {}, `dataplane: ${r.observed}${r.audit ? ' (audit mode: policy would deny)' : ''} · engine: ${r.predicted}`));
    if (r.disagreement) li.append(h('div', { class: 'pl-obs-disagree' }, 'Disagreement: the dataplane did not do what the manifests say (a manifest missing here, or CNI-specific behaviour).'));
    if (r.change) li.append(h('div', { class: r.change === 'newly-blocked' ? 'pl-removed-text' : 'pl-added-text' }, r.change === 'newly-blocked' ? '− newly blocked by the current edits' : '+ newly allowed by the current edits'));
    if (r.between) li.append(h('div', { class: 'pl-hint' }, `recorded as ${r.between}`));
    if (r.reported.length) {
      li.append(h('div', { class: 'pl-obs-label' }, 'policies the dataplane reported:'));
      li.append(h('ul', { class: 'pl-obs-policies' }, ...r.reported.map((p) => h('li', {}, p))));
    } else li.append(h('div', { class: 'pl-hint' }, 'the dataplane reported no policy'));
    for (const u of r.uncertain) li.append(h('div', { class: 'pl-hint' }, `uncertain: ${u}`));
    for (const n of r.notes) li.append(h('div', { class: 'pl-hint' }, n));
    li.append(h('div', { class: 'pl-hint pl-where' }, `from ${r.origin}`));
    list.append(li);
  }
  sec.append(list);
  return sec;
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
