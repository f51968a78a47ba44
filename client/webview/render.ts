// DOM-only renderer of the reachability panel: the frame (toolbar, status, view, explanation pane). The views live
// in matrix.ts, graph.ts, blast.ts and explain.ts; shared helpers in shared.ts. No VS Code API here (the browser
// playground reuses it); all interaction goes through `PanelCallbacks`.
import type { ViewState } from './messages';
import { blastRadius, renderBlast } from './blast';
import { renderExplanation } from './explain';
import { renderGraph } from './graph';
import { renderMatrix } from './matrix';
import { h, pairViews, shortFile, type PanelCallbacks, type PanelModel } from './shared';
import { renderToolbar } from './toolbar';

export { blastRadius };
export { filterPorts, formatPorts, groupOf, namespacesOf, pairKey, pairViews, rangeLabel, visibleEndpoints } from './shared';
export type { PairView, PanelCallbacks, PanelModel } from './shared';

export function renderPanel(root: HTMLElement, model: PanelModel, cb: PanelCallbacks): void {
  const focusedKey = (document.activeElement as HTMLElement | null)?.dataset?.focusKey;
  root.replaceChildren();
  root.classList.add('pl-panel');
  const { response, state } = model;
  const update = (patch: Partial<ViewState>) => cb.setState({ ...state, ...patch });

  root.append(renderToolbar(model, update));
  const status = h('div', { class: 'pl-status', role: 'status', 'aria-live': 'polite' });
  root.append(status);
  if (model.error) status.append(h('div', { class: 'pl-error' }, `Reachability could not be refreshed: ${model.error}`));

  if (!response) {
    status.append(h('div', {}, 'Analysing the workspace…'));
    return;
  }
  if (response.stale) {
    status.append(
      h('div', { class: 'pl-warning', 'data-testid': 'stale' },
        `YAML is broken in ${response.staleFiles.map(shortFile).join(', ')}; showing the last good state of ${response.staleFiles.length === 1 ? 'that file' : 'those files'}.`),
    );
  }
  const errors = response.result!.diagnostics.filter((d) => d.severity === 'error').length;
  const summary = h('div', { class: 'pl-summary' },
    `${response.result!.endpoints.filter((e) => e.kind !== 'External').length} workloads, ${response.result!.connections.length} allowed connections`,
    errors ? ` · ${errors} error${errors === 1 ? '' : 's'} in the policies` : '');
  if (response.diff) {
    const a = response.diff.added.length;
    const r = response.diff.removed.length;
    const base = state.compare === 'head' ? 'git HEAD' : state.compare === 'staged' ? 'the enforced policies (what-if: staged policies applied)' : 'the saved files';
    summary.append(' · ', h('span', { class: 'pl-added-text' }, `${a} newly allowed`), ', ', h('span', { class: 'pl-removed-text' }, `${r} newly blocked`), ` vs ${base}`);
  }
  status.append(summary);
  if (response.baselineError) status.append(h('div', { class: 'pl-warning', 'data-testid': 'baseline-error' }, `Impact preview unavailable: ${response.baselineError}`));

  const byId = new Map(response.result!.endpoints.map((e) => [e.id, e] as const));
  const pairs = pairViews(response, state);
  const body = h('div', { class: 'pl-body' });
  const main = h('div', { class: 'pl-main', role: 'tabpanel', id: `pl-view-${state.view}`, 'aria-labelledby': `pl-tab-${state.view}` });
  body.append(main);
  const select = (src: string, dst: string) => {
    update({ selected: { src, dst } });
    cb.explain(src, dst);
  };
  if (state.view === 'matrix') main.append(renderMatrix(response, state, pairs, byId, select));
  else if (state.view === 'graph') main.append(renderGraph(response, state, pairs, byId, select, (id) => update({ focus: id })));
  else main.append(renderBlast(response, state, byId, select, (id) => update({ focus: id })));
  body.append(renderExplanation(model, pairs, byId, cb));
  root.append(body);

  if (focusedKey) {
    const again = root.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(focusedKey)}"]`);
    again?.focus();
  }
}