// The matrix view: sources as rows, destinations as columns, grouped by namespace; classes of workloads that no
// policy tells apart are one row/column ("app=web (37 workloads)") that expands to its workloads. Rows and columns
// are virtualised (@tanstack/virtual-core) so 5,000 workloads render only what is on screen; the row and column
// headers stay in place while the cells scroll (one scroll area, headers follow its offsets).
import { elementScroll, observeElementOffset, observeElementRect, Virtualizer } from '@tanstack/virtual-core';
import { buildItems, cellValue, cellWords, columnTextWidths, EXTERNAL_NS, representatives, visibleSets, type CellValue, type Item, type PanelIndex } from './data';
import type { ViewState } from './messages';
import { overlayBadge, overlayCells, overlayRepresentative, overlayWords, type OverlayIndex } from './overlay';
import { h } from './shared';

export const ROW_H = 28;
const BAND_H = 22;
const LABEL_H = 50;
/** Room for the observed-flows badge at the end of a cell ("⚠ 12"). */
const OVERLAY_W = 30;

export interface MatrixContext {
  idx: PanelIndex;
  state: ViewState;
  /** The observed-flows overlay, when flow logs are imported and it is shown. */
  overlay?: OverlayIndex;
  /** Explain the pair of representative endpoints of two items. */
  select(row: Item, col: Item, src: number, dst: number): void;
  /** Open or close namespace/class items (by key; `*` alone: all of them). */
  toggle(keys: string[], open: boolean): void;
}

/** Things a re-render must keep: scroll offsets and the focused cell. */
const kept: { top: number; left: number; row: number; col: number; focusInGrid: boolean; revealed?: string } = { top: 0, left: 0, row: 0, col: 0, focusInGrid: false };
let unmount: (() => void) | undefined;

let measureCtx: CanvasRenderingContext2D | null | undefined;
const widths = new Map<string, number>();
function textWidth(s: string, font: string): number {
  const key = `${font}\u0000${s}`;
  let w = widths.get(key);
  if (w !== undefined) return w;
  if (measureCtx === undefined) measureCtx = document.createElement('canvas').getContext('2d');
  if (!measureCtx) w = s.length * 7;
  else {
    measureCtx.font = font;
    w = measureCtx.measureText(s).width;
  }
  if (widths.size > 20_000) widths.clear();
  widths.set(key, w);
  return w;
}

/** A comma-separated list shortened to fit `width`: the first items, then "+N more". */
export function fitList(label: string, width: number, measure: (s: string) => number): string {
  if (measure(label) <= width) return label;
  const items = label.split(', ');
  for (let n = items.length - 1; n >= 1; n--) {
    const s = `${items.slice(0, n).join(', ')} +${items.length - n} more`;
    if (measure(s) <= width) return s;
  }
  return `${items[0]}${items.length > 1 ? ` +${items.length - 1} more` : ''}`;
}

export interface MatrixView {
  el: HTMLElement;
  /** Starts the virtualisers once `el` is in the document. */
  mount(): void;
}

export function renderMatrix(ctx: MatrixContext): MatrixView {
  unmount?.();
  unmount = undefined;
  const { idx, state } = ctx;
  const sets = visibleSets(idx, state);
  const rows = buildItems(idx, state, sets.rows);
  // Columns: a namespace that is open shows as a band over its members, not as a column of its own.
  const cols = buildItems(idx, state, sets.cols).filter((c) => !(c.kind === 'ns' && c.open));
  if (rows.length === 0 || cols.length === 0) {
    return { el: h('p', { class: 'pl-empty' }, state.search ? `No workloads match “${state.search}”.` : 'No workloads match the filters.'), mount() {} };
  }
  const font = `12px ${getComputedStyle(document.body).fontFamily || 'sans-serif'}`;
  const boldFont = `600 ${font}`;

  // Column widths from the header (wrapped over up to three lines) and the widest text any cell of the column can
  // have (from the connection sets that reach the column's classes, plus a change mark).
  const classW = columnTextWidths(idx, state, (s) => textWidth(s, boldFont));
  const colW = cols.map((c) => {
    const words = c.label.split(/\s+/);
    const longestWord = Math.max(...words.map((w) => textWidth(w, boldFont)));
    const label = Math.max(longestWord, Math.min(textWidth(c.label, boldFont) / 2.6, 170));
    let cell = textWidth('◐ 100/100', boldFont);
    for (const x of new Set(c.eps.map((i) => idx.classOf[i]))) cell = Math.max(cell, classW[x] ?? 0);
    return Math.ceil(Math.min(240, Math.max(64, label + 14, cell + 16))) + (ctx.overlay ? OVERLAY_W : 0);
  });
  // Overlay marks for every visible cell, aggregated over the endpoint pairs each item stands for.
  const marks = ctx.overlay ? overlayCells(ctx.overlay, rows, cols) : undefined;
  // Row headers: as wide as the labels need, but at most about a third of the panel so cells stay in view; long
  // lists of external addresses are shortened to what fits ("10.0.0.0/8, 192.168.0.0/16 +3 more"; all in the tooltip).
  const pad = (r: Item) => 34 + r.depth * 14;
  const fontOf = (r: Item) => (r.kind === 'ep' ? font : boldFont);
  const cap = Math.max(250, Math.min(380, Math.floor(document.documentElement.clientWidth * 0.32)));
  let widest = 0;
  for (const r of rows.length > 3000 ? rows.slice(0, 3000) : rows) widest = Math.max(widest, textWidth(r.label, fontOf(r)) + pad(r));
  const rowHeadW = Math.ceil(Math.min(cap, Math.max(150, widest)));
  const rowText = (r: Item) => (r.ns === EXTERNAL_NS && r.kind === 'ep' ? fitList(r.label, rowHeadW - pad(r), (s) => textWidth(s, fontOf(r))) : r.label);

  const grid = h('div', { class: 'pl-matrix', role: 'grid', 'aria-label': 'Reachability matrix: rows are sources, columns are destinations', 'aria-rowcount': rows.length + 1, 'aria-colcount': cols.length + 1 });
  grid.style.setProperty('--pl-rowhead-w', `${rowHeadW}px`);
  grid.style.setProperty('--pl-colhead-h', `${BAND_H + LABEL_H}px`);
  const corner = h('div', { class: 'pl-corner' }, h('span', {}, 'from ↓'), h('span', {}, 'to →'));
  const colHeads = h('div', { class: 'pl-colheads', role: 'rowgroup' });
  const colInner = h('div', { class: 'pl-colheads-inner', role: 'row' });
  colHeads.append(colInner);
  const rowHeads = h('div', { class: 'pl-rowheads', role: 'rowgroup' });
  const rowInner = h('div', { class: 'pl-rowheads-inner' });
  rowHeads.append(rowInner);
  const scroller = h('div', { class: 'pl-cells', 'data-testid': 'matrix-scroll' });
  const cellInner = h('div', { class: 'pl-cells-inner', role: 'rowgroup' });
  scroller.append(cellInner);
  grid.append(corner, colHeads, rowHeads, scroller);

  // Namespace spans over the columns (for the band above the column labels).
  const colStart: number[] = [];
  let acc = 0;
  for (const w of colW) {
    colStart.push(acc);
    acc += w;
  }
  const bands: { ns: string; key: string; from: number; to: number; open: boolean }[] = [];
  cols.forEach((c, i) => {
    const last = bands[bands.length - 1];
    if (last && last.ns === c.ns && !(c.kind === 'ns')) last.to = i;
    else bands.push({ ns: c.ns, key: c.kind === 'ns' ? c.key : c.ns === EXTERNAL_NS ? 'ns:external' : `ns:${c.ns}`, from: i, to: i, open: c.kind !== 'ns' });
  });

  const isSelected = (r: Item, c: Item) => state.selected?.row === r.key && state.selected?.col === c.key;

  const rowV = new Virtualizer<HTMLElement, HTMLElement>({
    count: rows.length,
    getScrollElement: () => scroller,
    estimateSize: () => ROW_H,
    overscan: 6,
    initialOffset: kept.top,
    scrollToFn: elementScroll,
    observeElementRect,
    observeElementOffset,
    onChange: () => schedule(),
  });
  const colV = new Virtualizer<HTMLElement, HTMLElement>({
    count: cols.length,
    horizontal: true,
    getScrollElement: () => scroller,
    estimateSize: (i) => colW[i],
    overscan: 3,
    initialOffset: kept.left,
    scrollToFn: elementScroll,
    observeElementRect,
    observeElementOffset,
    onChange: () => schedule(),
  });

  let frame = 0;
  const schedule = () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      paint();
    });
  };

  const cellButton = (ri: number, ci: number, top: number, left: number): HTMLElement => {
    const r = rows[ri];
    const c = cols[ci];
    const v: CellValue = r.kind === 'ns' && r.open ? { kind: 'none', text: '' } : cellValue(idx, r, c, state);
    const active = kept.row === ri && kept.col === ci;
    const m = v.kind === 'none' || v.kind === 'self' ? undefined : marks?.(ri, ci);
    const words = m ? `${cellWords(v)}; ${overlayWords(m)}` : cellWords(v);
    const title = `${r.label} → ${c.label}\n${m ? `${cellWords(v)}\n${overlayWords(m)}` : words}`;
    const cls = `pl-cellbtn ${v.kind}${m ? ` has-ov ov-${m.state}` : ''}${isSelected(r, c) ? ' selected' : ''}`;
    const attrs = {
      class: cls, role: 'gridcell', tabindex: active ? 0 : -1, 'data-row': ri, 'data-col': ci,
      'data-src': r.kind === 'ep' ? r.id : undefined, 'data-dst': c.kind === 'ep' ? c.id : undefined,
      'data-row-key': r.key, 'data-col-key': c.key,
      'aria-label': `${r.label} to ${c.label}: ${words}`, title, 'aria-selected': String(isSelected(r, c)),
      'data-overlay': m?.state,
    };
    const el = v.kind === 'none' || v.kind === 'self' ? h('div', { ...attrs, class: cls }, '')
      : m ? h('button', attrs, h('span', { class: 'pl-cell-text' }, v.text), h('span', { class: `pl-ov-badge ov-${m.state}`, 'aria-hidden': 'true' }, overlayBadge(m)))
      : h('button', attrs, v.text);
    el.style.transform = `translate(${left}px, ${top}px)`;
    el.style.width = `${colW[ci]}px`;
    return el;
  };

  const paint = () => {
    const vr = rowV.getVirtualItems();
    const vc = colV.getVirtualItems();
    const top = scroller.scrollTop;
    const left = scroller.scrollLeft;
    kept.top = top;
    kept.left = left;
    cellInner.style.height = `${rowV.getTotalSize()}px`;
    cellInner.style.width = `${colV.getTotalSize()}px`;
    const hadFocus = cellInner.contains(document.activeElement);
    const cellsFrag = document.createDocumentFragment();
    for (const r of vr) for (const c of vc) cellsFrag.append(cellButton(r.index, c.index, r.start, c.start));
    cellInner.replaceChildren(cellsFrag);
    // Row headers.
    const rf = document.createDocumentFragment();
    for (const r of vr) rf.append(rowHeader(rows[r.index], r.index, r.start));
    rowInner.replaceChildren(rf);
    rowInner.style.height = `${rowV.getTotalSize()}px`;
    rowInner.style.transform = `translateY(${-top}px)`;
    // Column headers and namespace bands.
    const cf = document.createDocumentFragment();
    const first = vc[0]?.index ?? 0;
    const last = vc[vc.length - 1]?.index ?? -1;
    const viewW = scroller.clientWidth;
    for (const b of bands) {
      if (b.to < first || b.from > last) continue;
      const x0 = colStart[b.from];
      const x1 = colStart[b.to] + colW[b.to];
      const band = h('button', {
        class: `pl-band${b.ns === EXTERNAL_NS ? ' external' : ''}`, tabindex: -1, 'data-ns-band': b.ns === EXTERNAL_NS ? 'external' : b.ns,
        title: `${b.open ? 'Collapse' : 'Expand'} ${b.ns === EXTERNAL_NS ? 'the external peers' : `namespace ${b.ns}`}`, 'aria-expanded': String(b.open),
      });
      band.style.transform = `translateX(${x0}px)`;
      band.style.width = `${x1 - x0}px`;
      // Keep the band's name on screen while its columns are.
      const label = h('span', { class: 'pl-band-label' }, `${b.open ? '▾' : '▸'} ${b.ns === EXTERNAL_NS ? 'external' : b.ns}`);
      label.style.marginLeft = `${Math.max(0, Math.min(left - x0, x1 - x0 - 60))}px`;
      band.append(label);
      band.addEventListener('click', () => ctx.toggle([b.key], !b.open));
      cf.append(band);
    }
    for (const c of vc) cf.append(colHeader(cols[c.index], c.index, c.start));
    colInner.replaceChildren(cf);
    colInner.style.width = `${colV.getTotalSize() + viewW}px`;
    colInner.style.transform = `translateX(${-left}px)`;
    if (hadFocus || wantFocus) {
      wantFocus = false;
      cellInner.querySelector<HTMLElement>(`[data-row="${kept.row}"][data-col="${kept.col}"]`)?.focus({ preventScroll: true });
    }
  };
  let wantFocus = kept.focusInGrid;

  const rowHeader = (r: Item, i: number, top: number): HTMLElement => {
    const el = h('div', { class: `pl-rowhead depth-${r.depth} ${r.kind}${r.ns === EXTERNAL_NS ? ' external' : ''}`, role: 'rowheader', 'data-row': i, 'data-key': r.key, title: r.kind === 'ep' && r.ns !== EXTERNAL_NS ? r.id : r.kind === 'ns' && !r.external ? `namespace ${r.label}` : r.label });
    el.style.transform = `translateY(${top}px)`;
    if (r.kind === 'ns' || r.kind === 'class') {
      const b = h('button', { class: 'pl-toggle', 'aria-expanded': String(r.open), 'data-toggle': r.key, tabindex: -1 },
        h('span', { class: 'pl-caret', 'aria-hidden': 'true' }, r.open ? '▾' : '▸'), ' ',
        rowText(r));
      b.addEventListener('click', () => ctx.toggle([r.key], !r.open));
      el.append(b);
    } else el.append(h('span', {}, rowText(r)));
    return el;
  };

  const colHeader = (c: Item, i: number, left: number): HTMLElement => {
    const el = h('div', { class: `pl-colhead ${c.kind}${c.ns === EXTERNAL_NS ? ' external' : ''}`, role: 'columnheader', 'data-col': i, 'data-key': c.key, title: c.kind === 'ep' && c.ns !== EXTERNAL_NS ? c.id : c.label });
    el.style.transform = `translateX(${left}px)`;
    el.style.width = `${colW[i]}px`;
    if (c.kind === 'class' || c.kind === 'ns') {
      const b = h('button', { class: 'pl-toggle', 'aria-expanded': String(c.kind === 'class' && c.open), tabindex: -1 }, `${c.kind === 'class' && c.open ? '▾' : '▸'} ${c.label}`);
      b.addEventListener('click', () => ctx.toggle([c.key], !(c.kind === 'class' && c.open)));
      el.append(b);
    } else el.append(h('span', {}, c.ns === EXTERNAL_NS ? fitList(c.label, (colW[i] - 10) * 2.6, (s) => textWidth(s, boldFont)) : c.label));
    return el;
  };

  const activate = (ri: number, ci: number) => {
    const r = rows[ri];
    const c = cols[ci];
    if (r.kind === 'ns' && r.open) return;
    const v = cellValue(idx, r, c, state);
    if (v.kind === 'none' || v.kind === 'self') return;
    if (v.kind === 'partial' || r.kind === 'ns' || c.kind === 'ns') {
      // An aggregate of several class pairs: open both sides to show which.
      ctx.toggle([r.key, c.key].filter((k) => k.startsWith('ns:') || k.startsWith('cls:')), true);
      return;
    }
    // With observed flows in the cell, explain a pair that has some (a disagreement first), so the observed flows
    // show beside the engine's trace; members of a class are alike for the engine, so its trace is the same.
    const rep = (ctx.overlay && overlayRepresentative(ctx.overlay, r.eps, c.eps)) || representatives(r, c);
    if (rep) ctx.select(r, c, rep.src, rep.dst);
  };

  const move = (dr: number, dc: number, abs?: { row?: number; col?: number }) => {
    let row = abs?.row ?? kept.row + dr;
    let col = abs?.col ?? kept.col + dc;
    row = Math.max(0, Math.min(rows.length - 1, row));
    col = Math.max(0, Math.min(cols.length - 1, col));
    kept.row = row;
    kept.col = col;
    wantFocus = true;
    rowV.scrollToIndex(row, { align: 'auto' });
    colV.scrollToIndex(col, { align: 'auto' });
    paint();
  };

  cellInner.addEventListener('click', (ev) => {
    const t = (ev.target as HTMLElement).closest<HTMLElement>('[data-row][data-col]');
    if (!t) return;
    kept.row = Number(t.dataset.row);
    kept.col = Number(t.dataset.col);
    kept.focusInGrid = true;
    activate(kept.row, kept.col);
  });
  cellInner.addEventListener('focusin', (ev) => {
    const t = (ev.target as HTMLElement).closest<HTMLElement>('[data-row][data-col]');
    if (t) {
      kept.row = Number(t.dataset.row);
      kept.col = Number(t.dataset.col);
    }
    kept.focusInGrid = true;
  });
  cellInner.addEventListener('focusout', () => setTimeout(() => (kept.focusInGrid = cellInner.contains(document.activeElement)), 0));
  scroller.addEventListener('keydown', (ev) => {
    const page = Math.max(1, Math.floor(scroller.clientHeight / ROW_H) - 1);
    const keys: Record<string, () => void> = {
      ArrowUp: () => move(-1, 0),
      ArrowDown: () => move(1, 0),
      ArrowLeft: () => move(0, -1),
      ArrowRight: () => move(0, 1),
      PageUp: () => move(-page, 0),
      PageDown: () => move(page, 0),
      Home: () => move(0, 0, ev.ctrlKey ? { row: 0, col: 0 } : { col: 0 }),
      End: () => move(0, 0, ev.ctrlKey ? { row: rows.length - 1, col: cols.length - 1 } : { col: cols.length - 1 }),
      Enter: () => activate(kept.row, kept.col),
      ' ': () => activate(kept.row, kept.col),
    };
    const f = keys[ev.key];
    if (!f) return;
    ev.preventDefault();
    f();
  });
  if (kept.row >= rows.length) kept.row = 0;
  if (kept.col >= cols.length) kept.col = 0;

  const legend = h('div', { class: 'pl-legend', 'aria-label': 'Legend' },
    h('span', { class: 'pl-swatch allowed' }, 'TCP 80'), ' allowed ',
    h('span', { class: 'pl-swatch denied' }, '✕'), ' denied ',
    h('span', { class: 'pl-swatch added' }, '+'), ' newly allowed ',
    h('span', { class: 'pl-swatch removed' }, '−'), ' newly blocked ',
    h('span', { class: 'pl-swatch changed' }, '±'), ' changed ',
    h('span', { class: 'pl-swatch partial' }, '◐ 2/5'), ' some of the groups inside (click to expand)');
  const openAll = h('button', { class: 'pl-chip', 'data-testid': 'open-all', title: 'Open every namespace and group of workloads' }, 'Open all');
  const closeAll = h('button', { class: 'pl-chip', 'data-testid': 'close-all', title: 'Close every namespace to one row' }, 'Close all');
  openAll.addEventListener('click', () => ctx.toggle(['*'], true));
  closeAll.addEventListener('click', () => ctx.toggle(['*'], false));
  legend.prepend(openAll, closeAll, ' ');
  // A newly selected cell stays in view although the explanation pane beside the matrix may have grown (it does
  // when the pair has observed flows): scroll just enough, once per selection, so later re-renders keep the user's
  // scrolling.
  const revealSelection = () => {
    const sel = state.selected;
    const key = sel?.row && sel.col ? `${sel.row}\u0000${sel.col}` : undefined;
    if (key === kept.revealed) return;
    kept.revealed = key;
    if (!key) return;
    const ri = rows.findIndex((r) => r.key === sel!.row);
    const ci = cols.findIndex((c) => c.key === sel!.col);
    if (ri < 0 || ci < 0) return;
    const x0 = colStart[ci];
    const x1 = x0 + colW[ci];
    if (x1 > scroller.scrollLeft + scroller.clientWidth) scroller.scrollLeft = Math.max(0, x1 - scroller.clientWidth);
    else if (x0 < scroller.scrollLeft) scroller.scrollLeft = x0;
    const y0 = ri * ROW_H;
    if (y0 + ROW_H > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = Math.max(0, y0 + ROW_H - scroller.clientHeight);
    else if (y0 < scroller.scrollTop) scroller.scrollTop = y0;
    kept.top = scroller.scrollTop;
    kept.left = scroller.scrollLeft;
  };
  const el = h('div', { class: 'pl-matrix-wrap' }, grid, legend);
  return {
    el,
    mount() {
      const a = rowV._didMount();
      const b = colV._didMount();
      rowV._willUpdate();
      colV._willUpdate();
      // The cells' area gets its full size first, so the restored scroll offsets are not clamped to an empty area.
      cellInner.style.height = `${rowV.getTotalSize()}px`;
      cellInner.style.width = `${colV.getTotalSize()}px`;
      scroller.scrollTop = kept.top;
      scroller.scrollLeft = kept.left;
      // (The virtualisers follow a changed offset through the scroll event and paint again.)
      revealSelection();
      paint();
      unmount = () => {
        a();
        b();
        if (frame) cancelAnimationFrame(frame);
      };
    },
  };
}
