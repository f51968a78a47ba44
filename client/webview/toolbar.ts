// The panel's toolbar: view tabs, compare selector, namespace filter, search, port / protocol filters, export menu.
import type { CompareMode, ExportFormat, ViewKind, ViewState } from './messages';
import { h, namespacesOf, type PanelModel } from './shared';

// Whether the namespace dropdown / export menu are open, kept across re-renders.
let nsDropdownOpen = false;
let exportOpen = false;

export function renderToolbar(model: PanelModel, update: (p: Partial<ViewState>) => void, exportAs: (f: ExportFormat, action: 'save' | 'copy') => void): HTMLElement {
  const { state, response } = model;
  const bar = h('div', { class: 'pl-toolbar' });
  const tabs = h('div', { class: 'pl-tabs', role: 'tablist', 'aria-label': 'View' });
  const views: [ViewKind, string][] = [['matrix', 'Matrix'], ['graph', 'Graph'], ['blast', 'Blast radius']];
  for (const [v, label] of views) {
    const b = h('button', {
      class: 'pl-tab', role: 'tab', id: `pl-tab-${v}`, 'aria-selected': String(state.view === v), 'aria-controls': `pl-view-${v}`,
      tabindex: state.view === v ? 0 : -1, 'data-focus-key': `tab-${v}`, 'data-view': v,
    }, label);
    b.addEventListener('click', () => update({ view: v }));
    b.addEventListener('keydown', (ev) => {
      const i = views.findIndex(([x]) => x === v);
      const d = ev.key === 'ArrowRight' ? 1 : ev.key === 'ArrowLeft' ? -1 : 0;
      if (!d) return;
      ev.preventDefault();
      update({ view: views[(i + d + views.length) % views.length][0] });
    });
    tabs.append(b);
  }
  bar.append(tabs);

  if (!model.hideCompare) {
    const cmp = h('select', { id: 'pl-compare', 'data-focus-key': 'compare' });
    for (const [v, label] of [['none', 'No comparison'], ['saved', 'Compare with saved'], ['head', 'Compare with git HEAD'], ['staged', 'What-if: staged policies']] as [CompareMode, string][]) {
      cmp.append(h('option', { value: v, selected: state.compare === v }, label));
    }
    cmp.addEventListener('change', () => update({ compare: cmp.value as CompareMode }));
    bar.append(h('label', { class: 'pl-field' }, 'Impact ', cmp));
  }

  const search = h('input', { id: 'pl-search', type: 'search', size: 18, placeholder: 'workload, namespace, app=web', value: state.search ?? '', 'data-focus-key': 'search', 'aria-label': 'Search workloads by name, namespace or label' });
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    if (searchTimer) clearTimeout(searchTimer);
    searchTimer = setTimeout(() => update({ search: search.value }), 250);
  });
  bar.append(h('label', { class: 'pl-field' }, 'Find ', search));

  const nsBox = h('details', { class: 'pl-ns' });
  const all = response ? namespacesOf(response) : [];
  const shown = state.namespaces === null ? all : state.namespaces;
  const nsSummary = h('summary', { 'data-focus-key': 'ns-summary' }, `Namespaces (${state.namespaces === null ? 'all' : `${shown.filter((n) => all.includes(n)).length}/${all.length}`})`);
  // Remember the intent at once: a re-render may come before the (asynchronous) toggle event.
  nsSummary.addEventListener('click', () => (nsDropdownOpen = !nsBox.open));
  nsBox.append(nsSummary);
  const list = h('div', { class: 'pl-ns-list', role: 'group', 'aria-label': 'Namespaces' });
  for (const ns of all) {
    const cbx = h('input', { type: 'checkbox', checked: shown.includes(ns), 'data-focus-key': `ns-${ns}`, 'data-ns': ns });
    cbx.addEventListener('change', () => {
      const cur = new Set(state.namespaces === null ? all : state.namespaces);
      if (cbx.checked) cur.add(ns);
      else cur.delete(ns);
      const next = all.filter((n) => cur.has(n));
      update({ namespaces: next.length === all.length ? null : next });
    });
    list.append(h('label', {}, cbx, ` ${ns}`));
  }
  const ext = h('input', { type: 'checkbox', checked: state.showExternal, 'data-focus-key': 'ns-external' });
  ext.addEventListener('change', () => update({ showExternal: ext.checked }));
  list.append(h('label', {}, ext, ' external peers'));
  nsBox.append(list);
  nsBox.open = nsDropdownOpen;
  nsBox.addEventListener('toggle', () => (nsDropdownOpen = nsBox.open));
  bar.append(nsBox);

  const port = h('input', { id: 'pl-port', type: 'text', inputmode: 'numeric', size: 5, placeholder: 'any', value: state.port, 'data-focus-key': 'port', 'aria-label': 'Port filter' });
  let portTimer: ReturnType<typeof setTimeout> | undefined;
  port.addEventListener('input', () => {
    if (portTimer) clearTimeout(portTimer);
    portTimer = setTimeout(() => update({ port: port.value }), 300);
  });
  bar.append(h('label', { class: 'pl-field' }, 'Port ', port));

  const proto = h('select', { id: 'pl-protocol', 'data-focus-key': 'protocol', 'aria-label': 'Protocol filter' });
  const protos = new Set(['TCP', 'UDP', 'SCTP']);
  for (const c of response?.data.conns ?? []) for (const p of Object.keys(c)) protos.add(p);
  proto.append(h('option', { value: 'any', selected: state.protocol === 'any' }, 'any'));
  for (const p of [...protos].sort()) proto.append(h('option', { value: p, selected: state.protocol === p }, p));
  proto.addEventListener('change', () => update({ protocol: proto.value }));
  bar.append(h('label', { class: 'pl-field' }, 'Protocol ', proto));

  const exp = h('details', { class: 'pl-export' });
  const expSummary = h('summary', { 'data-focus-key': 'export-summary' }, 'Export');
  expSummary.addEventListener('click', () => (exportOpen = !exp.open));
  exp.append(expSummary);
  const menu = h('div', { class: 'pl-menu', role: 'menu', 'aria-label': 'Export the matrix' });
  for (const [f, a, label] of [['csv', 'save', 'Save as CSV…'], ['csv', 'copy', 'Copy as CSV'], ['markdown', 'save', 'Save as markdown…'], ['markdown', 'copy', 'Copy as markdown (PR comment)']] as [ExportFormat, 'save' | 'copy', string][]) {
    const b = h('button', { role: 'menuitem', 'data-export': `${f}-${a}`, 'data-focus-key': `export-${f}-${a}`, disabled: !response }, label);
    b.addEventListener('click', () => {
      exportOpen = false;
      exp.open = false;
      exportAs(f, a);
    });
    menu.append(b);
  }
  // Pictures of the graph (only while it is shown: the picture is the drawing on screen).
  for (const [f, label] of [['svg', 'Save graph as SVG…'], ['png', 'Save graph as PNG…']] as [ExportFormat, string][]) {
    const b = h('button', { role: 'menuitem', 'data-export': `${f}-save`, 'data-focus-key': `export-${f}-save`, disabled: !response || state.view !== 'graph',
      title: state.view === 'graph' ? undefined : 'Switch to the graph view first' }, label);
    b.addEventListener('click', () => {
      exportOpen = false;
      exp.open = false;
      exportAs(f, 'save');
    });
    menu.append(b);
  }
  exp.append(menu);
  // Open towards the side with room (the toolbar wraps, so Export can be anywhere in a row).
  const place = () => {
    menu.classList.remove('flip');
    if (exp.open && menu.getBoundingClientRect().right > document.documentElement.clientWidth) menu.classList.add('flip');
  };
  exp.open = exportOpen;
  exp.addEventListener('toggle', () => {
    exportOpen = exp.open;
    place();
  });
  if (exportOpen) requestAnimationFrame(place);
  bar.append(exp);
  return bar;
}
