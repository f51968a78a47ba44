// DOM-only renderer of the reachability panel: the frame (toolbar, status and progress, posture strip, the view,
// the explanation pane). The views live in matrix.ts, graph.ts, blast.ts and explain.ts; the pure view model in
// data.ts; shared helpers in shared.ts. No VS Code API here (the browser playground reuses it); all interaction goes
// through `PanelCallbacks`.
import { exportCsv, exportMarkdown, isExternal, plural, type PanelIndex } from './data';
import type { ExportFormat, ViewState } from './messages';
import { renderBlast } from './blast';
import { renderExplanation } from './explain';
import { graphPngBase64, graphSvgText, renderGraph } from './graph';
import { renderMatrix } from './matrix';
import { h, panelIndex, shortFile, type PanelCallbacks, type PanelModel } from './shared';
import { renderToolbar } from './toolbar';
import { OVERLAY_GLYPH, OVERLAY_LEGEND, overlayIndex, overlaySummary, type OverlayState } from './overlay';
import { POSTURE_FINDINGS } from '../../server/src/core/explain/format';

export { blastRadius, buildItems, cellValue, classLabel, exportCsv, exportMarkdown, filterPorts, indexPanel, visibleSets } from './data';
export { namespacesOf, pairKey, pairViews, rangeLabel, visibleEndpoints } from './shared';
export { indexOverlay, overlayCells, overlayMark, overlayWords, overlayBadge, observedRows, overlayRepresentative, overlaySummary } from './overlay';
export type { PairView, PanelCallbacks, PanelModel } from './shared';

/** What the diff compares with, in words. */
export function baselineWords(model: PanelModel): string {
  if (model.baselineName) return model.baselineName;
  const c = model.response?.compare ?? model.state.compare;
  return c === 'head' ? 'git HEAD' : c === 'staged' ? 'the enforced policies (what-if: staged policies applied)' : 'the saved files';
}

/** Flows (endpoint pairs) newly allowed / newly blocked by the diff. */
export function diffCounts(idx: PanelIndex): { added: number; removed: number } {
  const d = idx.data.diff;
  if (!d) return { added: 0, removed: 0 };
  const pairs = (list: [number, number, number][]) => list.reduce((n, [s, t]) => n + (s === t ? d.groups[s].length * (d.groups[s].length - 1) : d.groups[s].length * d.groups[t].length), 0);
  return { added: pairs(d.added), removed: pairs(d.removed) };
}

/**
 * What the panel says about the freshness of what it shows: analysing (nothing yet), updating (the shown analysis is
 * of an older text than the server announced, or a refresh is under way; with the server's progress), out of date
 * (the last refresh failed: the shown analysis is older than the text), or an error with nothing to show.
 */
export function panelStatus(model: Pick<PanelModel, 'response' | 'error' | 'latestVersion' | 'refreshing' | 'progress'>):
  | { kind: 'progress' | 'out-of-date' | 'error'; text: string }
  | undefined {
  const { response } = model;
  if (model.error) {
    return response
      ? { kind: 'out-of-date', text: `Out of date: the last refresh failed (${model.error}). The matrix shows the analysis of an earlier text.` }
      : { kind: 'error', text: `Reachability could not be computed: ${model.error}` };
  }
  const outdated = !!response && model.latestVersion !== undefined && model.latestVersion > response.version;
  if (response && !outdated && !model.refreshing) return undefined;
  const p = model.progress;
  const pct = p && p.total > 0 && (!response || p.version > response.version) ? ` ${Math.min(99, Math.floor((100 * p.done) / p.total))}%` : '';
  return { kind: 'progress', text: !response ? `Analysing the workspace…${pct}` : `Updating…${pct} the matrix below still shows the previous analysis.` };
}

export function renderPanel(root: HTMLElement, model: PanelModel, cb: PanelCallbacks): void {
  const focusedKey = (document.activeElement as HTMLElement | null)?.dataset?.focusKey;
  root.classList.add('pl-panel');
  const { response, state } = model;
  const update = (patch: Partial<ViewState>) => cb.setState({ ...state, ...patch });
  const idx = response ? panelIndex(response) : undefined;
  const exportAs = (format: ExportFormat, action: 'save' | 'copy') => {
    if (!idx) return;
    if (format === 'svg' || format === 'png') {
      // The graph as drawn (see graph.ts); PNG rendering is asynchronous (an image decode and a canvas).
      void (format === 'svg' ? Promise.resolve(graphSvgText()) : graphPngBase64()).then((data) => {
        if (data) cb.export?.(format, 'save', data);
      });
      return;
    }
    const text = format === 'csv' ? exportCsv(idx, state) : exportMarkdown(idx, state, { baseline: idx.data.diff ? baselineWords(model) : undefined });
    cb.export?.(format, action, text);
  };

  const parts: HTMLElement[] = [renderToolbar(model, update, exportAs)];
  const status = h('div', { class: 'pl-status', role: 'status', 'aria-live': 'polite' });
  parts.push(status);
  const st = panelStatus(model);
  if (st) {
    status.append(st.kind === 'progress'
      ? h('div', { class: 'pl-progress', 'data-testid': 'progress' }, h('span', { class: 'pl-spinner', 'aria-hidden': 'true' }), st.text)
      : h('div', { class: 'pl-error', 'data-testid': st.kind }, st.text));
  }
  if (!response || !idx) {
    root.replaceChildren(...parts);
    return;
  }
  if (response.stale) {
    status.append(h('div', { class: 'pl-warning', 'data-testid': 'stale' },
      `YAML is broken in ${response.staleFiles.map(shortFile).join(', ')}; showing the last good state of ${response.staleFiles.length === 1 ? 'that file' : 'those files'}.`));
  }
  const d = response.data;
  const workloads = d.endpoints.filter((e) => !isExternal(e));
  const nss = new Set(workloads.map((e) => e.namespace));
  const summary = h('div', { class: 'pl-summary', 'data-testid': 'summary' },
    h('span', { class: 'pl-evaluated' }, `Evaluated as ${d.evaluatedAs}`),
    ` · ${plural(workloads.length, 'workload')} in ${plural(nss.size, 'namespace')}`,
    d.problems.errors ? ` · ${plural(d.problems.errors, 'error')} in the policies` : '');
  if (d.leftOut.length) {
    const n = d.leftOut.reduce((a, x) => a + x.count, 0);
    summary.append(' · ', h('span', { class: 'pl-leftout', 'data-testid': 'left-out', title: 'Objects of these kinds are not part of this reachability' },
      `${plural(n, 'object')} of unmodelled kinds left out: ${d.leftOut.map((x) => `${x.kind} ×${x.count}`).join(', ')}`));
  }
  if (d.diff) {
    const c = diffCounts(idx);
    summary.append(' · ', h('span', { class: 'pl-added-text' }, `+${c.added.toLocaleString('en-US')} newly allowed`), ', ', h('span', { class: 'pl-removed-text' }, `−${c.removed.toLocaleString('en-US')} newly blocked`), ` vs ${baselineWords(model)}`);
  }
  status.append(summary);
  if (response.baselineError) status.append(h('div', { class: 'pl-warning', 'data-testid': 'baseline-error' }, `Impact preview unavailable: ${response.baselineError}`));
  parts.push(renderPosture(idx, state, update));
  // The observed-flows overlay (imported flow logs), shown in every view unless switched off.
  const ov = model.flows && state.overlay !== false ? overlayIndex(idx, model.flows) : undefined;
  const strip = renderOverlayStrip(model, state, update);
  if (strip) parts.push(strip);

  const body = h('div', { class: 'pl-body' });
  const main = h('div', { class: `pl-main pl-main-${state.view}`, role: 'tabpanel', id: `pl-view-${state.view}`, 'aria-labelledby': `pl-tab-${state.view}` });
  body.append(main);
  let mount: (() => void) | undefined;
  if (state.view === 'matrix') {
    const m = renderMatrix({
      idx,
      state,
      overlay: ov,
      select(row, col, src, dst) {
        const s = idx.data.endpoints[src].id;
        const t = idx.data.endpoints[dst].id;
        update({ selected: { src: s, dst: t, row: row.key, col: col.key, rowLabel: row.eps.length > 1 ? row.label : undefined, colLabel: col.eps.length > 1 ? col.label : undefined } });
        cb.explain(s, t);
      },
      toggle(keys, open) {
        if (keys.length === 1 && keys[0] === '*') return update({ open: { '*': open } });
        const next = { ...(state.open ?? {}) };
        for (const k of keys) next[k] = open;
        update({ open: next });
      },
    });
    main.append(m.el);
    mount = m.mount;
  } else if (state.view === 'graph') {
    main.append(renderGraph({
      idx,
      state,
      overlay: ov,
      update,
      select(sel) {
        update({ selected: sel });
        cb.explain(sel.src, sel.dst);
      },
    }));
  } else {
    main.append(renderBlast(idx, state, (src, dst, l) => {
      update({ selected: { src, dst, rowLabel: l.row, colLabel: l.col } });
      cb.explain(src, dst);
    }, (id) => update({ focus: id, selected: undefined }), ov));
  }
  // In the blast-radius view only pairs of the focused workload are explained (no stale pair from another view).
  const showExplanation = state.view !== 'blast' || (state.selected && (state.selected.src === state.focus || state.selected.dst === state.focus));
  body.append(renderExplanation(showExplanation ? model : { ...model, state: { ...state, selected: undefined } }, idx, cb, ov));
  parts.push(body);
  root.replaceChildren(...parts);
  mount?.();

  if (focusedKey) {
    const again = root.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(focusedKey)}"]`);
    again?.focus();
  }
}

/** The order of the overlay's marks in the legend. */
const OVERLAY_ORDER: OverlayState[] = ['observed-allowed', 'observed-denied', 'mixed', 'disagree', 'unobserved'];

/**
 * The observed-flows strip: what was imported (in the server's numbers), the show/hide switch, and the legend of the
 * marks (glyph and words: never colour alone). Nothing when no flow logs are imported.
 */
function renderOverlayStrip(model: PanelModel, state: ViewState, update: (p: Partial<ViewState>) => void): HTMLElement | undefined {
  if (!model.flows && !model.flowsError) return undefined;
  const strip = h('div', { class: 'pl-overlay-strip', role: 'group', 'aria-label': 'Observed flows overlay', 'data-testid': 'overlay-strip' });
  if (model.flowsError) {
    strip.append(h('span', { class: 'pl-error', 'data-testid': 'overlay-error' }, `Observed flows could not be classified: ${model.flowsError}`));
    return strip;
  }
  const f = model.flows!;
  const shown = state.overlay !== false;
  const toggle = h('button', { class: `pl-chip${shown ? ' active' : ''}`, 'aria-pressed': String(shown), 'data-testid': 'overlay-toggle', 'data-focus-key': 'overlay-toggle',
    title: shown ? 'Hide the observed flows (the imported flow logs stay imported)' : 'Show the observed flows on the matrix, the graph and the blast radius' },
  h('span', { class: 'pl-chip-mark', 'aria-hidden': 'true' }, shown ? '●' : '○'), ` Observed flows: ${shown ? 'shown' : 'hidden'}`);
  toggle.addEventListener('click', () => update({ overlay: !shown }));
  strip.append(toggle, h('span', { class: 'pl-overlay-summary', 'data-testid': 'overlay-summary' }, overlaySummary(f)));
  if (f.baselineError) strip.append(h('span', { class: 'pl-warning' }, `Impact on observed flows unavailable: ${f.baselineError}`));
  const errors = f.files.filter((x) => x.error);
  if (errors.length) strip.append(h('span', { class: 'pl-warning' }, errors.map((x) => x.error).join('; ')));
  if (shown) {
    const legend = h('span', { class: 'pl-overlay-legend', 'aria-label': 'Legend of the observed-flows marks', 'data-testid': 'overlay-legend' });
    for (const st of OVERLAY_ORDER) {
      legend.append(h('span', { class: `pl-ov-key ov-${st}`, title: OVERLAY_LEGEND[st].full },
        h('span', { class: `pl-ov-badge ov-${st}`, 'aria-hidden': 'true' }, OVERLAY_GLYPH[st]), ` ${OVERLAY_LEGEND[st].short}`, h('span', { class: 'pl-sr-only' }, `: ${OVERLAY_LEGEND[st].full}`)));
    }
    strip.append(legend);
  }
  return strip;
}

// The chips' words are the formatter's (core/explain/format.ts POSTURE_FINDINGS), as in the CLI's posture lines.
const POSTURE = POSTURE_FINDINGS;

function renderPosture(idx: PanelIndex, state: ViewState, update: (p: Partial<ViewState>) => void): HTMLElement {
  const strip = h('div', { class: 'pl-posture', role: 'group', 'aria-label': 'Posture at a glance', 'data-testid': 'posture' });
  const p = idx.data.posture;
  if (!p) return strip;
  // Findings with something to show are chips; the ones that pass are said once, in one chip (less to read, and
  // more room for the view beside the editor).
  const passed: string[] = [];
  for (const item of POSTURE) {
    const n = p[item.key].length;
    const active = state.posture === item.key;
    if (n === 0 && !active) {
      passed.push(item.short(0));
      continue;
    }
    const b = h('button', { class: `pl-chip warn${active ? ' active' : ''}`, 'data-posture': item.key, 'aria-pressed': String(active), title: item.title },
      h('span', { class: 'pl-chip-mark', 'aria-hidden': 'true' }, '!'), ` ${item.short(n)}`);
    b.addEventListener('click', () => update({ posture: active ? undefined : item.key, view: 'matrix' }));
    strip.append(b);
  }
  if (passed.length) {
    strip.append(h('span', { class: 'pl-chip ok', 'data-testid': 'posture-passed', title: passed.join('; ') },
      h('span', { class: 'pl-chip-mark', 'aria-hidden': 'true' }, '✓'), ` ${passed.length === POSTURE.length ? 'no posture findings' : `${passed.length} more ${passed.length === 1 ? 'check passes' : 'checks pass'}`}`,
      h('span', { class: 'pl-sr-only' }, `: ${passed.join('; ')}`)));
  }
  const top = p.largestBlastRadius.slice(0, 3);
  if (top.length) {
    strip.append(h('span', { class: 'pl-posture-label' }, 'Largest blast radius:'));
    for (const [i, n] of top) {
      const e = idx.data.endpoints[i];
      const b = h('button', { class: 'pl-chip blast', 'data-blast': e.id, title: `Show what ${e.id} can reach and what can reach it` }, `${e.id} → ${plural(n, 'workload')}`);
      b.addEventListener('click', () => update({ view: 'blast', focus: e.id, selected: undefined }));
      strip.append(b);
    }
  }
  if (state.posture) {
    const clear = h('button', { class: 'pl-chip clear', 'data-testid': 'posture-clear' }, '× show everything');
    clear.addEventListener('click', () => update({ posture: undefined }));
    strip.append(clear);
  }
  return strip;
}
