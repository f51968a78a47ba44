// Checks of the drawn reachability graph, computed from the rendered SVG inside the webview (used by ui.js):
//  * no arrow segment passes through a box other than its own two ends, nor through a namespace's header;
//  * every arrow label lies beside its own arrow (within a few pixels) and over no box;
//  * every box shows its whole text (names are never cut), every header fits its box.
'use strict';

/** Runs in the webview document: returns a list of problems (empty when the drawing is clean). */
function inspectGraph() {
  const out = [];
  const svg = document.querySelector('svg.pl-graph');
  if (!svg) return ['no graph is drawn'];
  const box = (el) => {
    const r = el.getBBox();
    return { x: r.x, y: r.y, width: r.width, height: r.height };
  };
  // Liang–Barsky: does segment p-q pass through the inside of b (shrunk by 1 so touching a border is fine)?
  const hits = (p, q, b) => {
    const x0 = b.x + 1, y0 = b.y + 1, x1 = b.x + b.width - 1, y1 = b.y + b.height - 1;
    if (x1 <= x0 || y1 <= y0) return false;
    let t0 = 0, t1 = 1;
    const dx = q.x - p.x, dy = q.y - p.y;
    for (const [pp, qq] of [[-dx, p.x - x0], [dx, x1 - p.x], [-dy, p.y - y0], [dy, y1 - p.y]]) {
      if (pp === 0) { if (qq < 0) return false; continue; }
      const r = qq / pp;
      if (pp < 0) { if (r > t1) return false; if (r > t0) t0 = r; } else { if (r < t0) return false; if (r < t1) t1 = r; }
    }
    return t1 - t0 > 1e-9;
  };
  const overlaps = (a, b) => a.x < b.x + b.width - 1 && b.x < a.x + a.width - 1 && a.y < b.y + b.height - 1 && b.y < a.y + a.height - 1;
  const points = (d) => {
    const pts = [];
    const re = /([ML])\s*(-?[\d.]+)\s+(-?[\d.]+)/g;
    let m;
    while ((m = re.exec(d))) pts.push({ x: Number(m[2]), y: Number(m[3]) });
    return pts;
  };
  const distToPath = (pts, b) => {
    let best = Infinity;
    const cx = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
    for (let i = 0; i + 1 < pts.length; i++) {
      const p = pts[i], q = pts[i + 1];
      for (let t = 0; t <= 1; t += 0.02) {
        const x = p.x + (q.x - p.x) * t, y = p.y + (q.y - p.y) * t;
        const dx = x - cx(x, b.x, b.x + b.width), dy = y - cx(y, b.y, b.y + b.height);
        best = Math.min(best, Math.hypot(dx, dy));
      }
    }
    return best;
  };
  const nodes = [...svg.querySelectorAll('g.pl-node')].map((g) => ({ key: g.dataset.key, rect: box(g.querySelector('rect')), g }));
  const headers = [...svg.querySelectorAll('g.pl-container-head')].map((g) => ({ key: g.dataset.toggle, rect: box(g.querySelector('rect')), g }));
  const containers = new Map([...svg.querySelectorAll('g.pl-container')].map((g) => [g.dataset.key, box(g.querySelector('rect.pl-container-box'))]));
  const edges = [...svg.querySelectorAll('g.pl-edge')];
  if (nodes.length === 0) out.push('no boxes');
  for (const g of edges) {
    const pts = points(g.querySelector('path.pl-edge-line').getAttribute('d'));
    const a = g.dataset.srcKey, b = g.dataset.dstKey;
    for (let i = 0; i + 1 < pts.length; i++) {
      for (const n of nodes) if (n.key !== a && n.key !== b && hits(pts[i], pts[i + 1], n.rect)) out.push(`arrow ${a} -> ${b} crosses the box ${n.key}`);
      for (const h of headers) if (hits(pts[i], pts[i + 1], h.rect)) out.push(`arrow ${a} -> ${b} crosses the header of ${h.key}`);
    }
    const label = svg.querySelector(`g.pl-edge-label[data-edge="${CSS.escape(g.dataset.edge)}"] rect`);
    if (!label) { out.push(`arrow ${a} -> ${b} has no label`); continue; }
    const lb = box(label);
    const d = distToPath(pts, lb);
    if (d > 12) out.push(`the label of ${a} -> ${b} is ${Math.round(d)} px away from its arrow`);
    for (const n of nodes) if (overlaps(lb, n.rect)) out.push(`the label of ${a} -> ${b} covers the box ${n.key}`);
  }
  for (const n of nodes) {
    for (const t of n.g.querySelectorAll('text')) {
      const tb = box(t);
      if (tb.x < n.rect.x || tb.x + tb.width > n.rect.x + n.rect.width + 0.5 || tb.y + tb.height > n.rect.y + n.rect.height + 0.5) out.push(`text cut in box ${n.key}: "${t.textContent}"`);
      if (/…$/.test(t.textContent)) out.push(`text shortened in box ${n.key}: "${t.textContent}"`);
    }
  }
  for (const h of headers) {
    const c = containers.get(h.key);
    const tb = box(h.g.querySelector('text'));
    if (c && (tb.x + tb.width > c.x + c.width || tb.x < c.x)) out.push(`the header of ${h.key} sticks out of its box`);
  }
  return [...new Set(out)].slice(0, 12);
}

/** The problems of the graph shown in the panel frame (a playwright FrameLocator). */
async function graphProblems(frame) {
  return frame.locator('body').evaluate(inspectGraph);
}

module.exports = { graphProblems, inspectGraph };
