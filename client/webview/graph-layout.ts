// Layout of the graph view by the Eclipse Layout Kernel (elkjs): the layered algorithm with namespaces (and open
// classes) as compound nodes, orthogonal edge routing around the boxes and edge labels placed on their edges.
// This file builds ELK's JSON input from the graph model, reads the laid-out result back into absolute boxes and
// polylines, checks the drawing's geometry (no arrow through a box it does not connect) and talks to the layout
// worker (graph-worker.ts), so a large layout never blocks the panel. No DOM rendering here.
import type { ElkExtendedEdge, ElkLabel, ElkNode } from 'elkjs/lib/elk-api';
import type { GraphModel } from './graph-model';

/** Text widths in pixels (the webview measures with a canvas; tests approximate). */
export interface Measure {
  text(s: string): number;
  small(s: string): number;
}

export const LINE = 17;
export const SMALL_LINE = 15;
export const LABEL_LINE = 15;
const PAD_X = 10;
const PAD_Y = 7;
const MIN_NODE_W = 96;

/** The ELK options of the graph (see https://eclipse.dev/elk/reference/algorithms/org-eclipse-elk-layered.html). */
export const ROOT_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.edgeRouting': 'ORTHOGONAL',
    'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.spacing.nodeNode': '28',
  'elk.layered.spacing.nodeNodeBetweenLayers': '44',
  'elk.spacing.edgeNode': '18',
  'elk.layered.spacing.edgeNodeBetweenLayers': '18',
  'elk.spacing.edgeEdge': '10',
  'elk.layered.spacing.edgeEdgeBetweenLayers': '10',
  'elk.spacing.edgeLabel': '4',
  'elk.spacing.labelNode': '6',
  'elk.padding': '[top=12,left=12,bottom=12,right=12]',
  // Absolute coordinates for boxes, routes and labels.
  'elk.json.shapeCoords': 'ROOT',
  'elk.json.edgeCoords': 'ROOT',
};

/** The layout id of a container's header box. */
export const headerId = (key: string) => `${key}\u0000header`;

/** Size of a leaf box from its text. */
export function nodeSize(n: GraphModel['nodes'][number], m: Measure): { width: number; height: number } {
  const widths = [...n.lines.map((l) => m.text(l)), n.sub ? m.small(n.sub) : 0, n.within ? m.small(n.within.text) : 0];
  const width = Math.max(MIN_NODE_W, Math.ceil(Math.max(...widths)) + 2 * PAD_X + (n.toggle ? 16 : 0));
  const height = 2 * PAD_Y + n.lines.length * LINE + (n.sub ? SMALL_LINE : 0) + (n.within ? SMALL_LINE : 0);
  return { width, height };
}

/** The header text of an open container. */
export function headerText(n: GraphModel['nodes'][number]): string {
  return n.kind === 'class' ? `${n.lines[0]} (${n.item.eps.length} workloads)` : n.lines[0];
}

/**
 * ELK's input for a graph model; ids are the model's node and edge keys. `compact` (a narrow panel, e.g. beside
 * the editor) places nodes with ELK's SIMPLE strategy: about half as wide as the default (Brandes–Köpf, which
 * straightens arrows), at the price of more bends.
 */
export function elkInput(model: GraphModel, m: Measure, opts: { compact?: boolean } = {}): ElkNode {
  const layoutOptions = opts.compact ? { ...ROOT_OPTIONS, 'elk.layered.nodePlacement.strategy': 'SIMPLE' } : ROOT_OPTIONS;
  const root: ElkNode = { id: '\u0000root', layoutOptions, children: [], edges: [] };
  const byKey = new Map<string, ElkNode>();
  for (const n of model.nodes) {
    let el: ElkNode;
    if (n.container) {
      const text = headerText(n);
      const w = Math.ceil(m.text(text)) + 16;
      // The header is a box of its own inside the container (the first child, so it sits top left): ELK routes
      // arrows around it like around any box, so no arrow crosses a namespace's name.
      el = {
        id: n.key,
        children: [{ id: headerId(n.key), width: w, height: LINE + 6, layoutOptions: {
          'elk.layered.layering.layerConstraint': 'FIRST',
        } }],
        layoutOptions: {
          'elk.padding': '[top=10,left=12,bottom=12,right=12]',
          'elk.separateConnectedComponents': 'false',
        },
      };
    } else {
      el = { id: n.key, ...nodeSize(n, m) };
    }
    byKey.set(n.key, el);
    const parent = n.parent ? byKey.get(n.parent) : root;
    (parent ?? root).children!.push(el);
  }
  for (const e of model.edges) {
    const width = Math.ceil(Math.max(...e.lines.map((l) => m.small(l)))) + 8;
    const label: ElkLabel = { id: `${e.key}\u0000label`, text: e.lines.join('\n'), width, height: e.lines.length * LABEL_LINE + 4, layoutOptions: { 'elk.edgeLabels.placement': 'CENTER' } };
    root.edges!.push({ id: e.key, sources: [e.src], targets: [e.dst], labels: [label] } as ElkExtendedEdge);
  }
  return root;
}

// ---------------------------------------------------------------- reading the layout back

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Placed {
  width: number;
  height: number;
  /** Every node (leaves and containers) by key, absolute. */
  boxes: Map<string, Box>;
  /** Header label of each container, absolute. */
  headers: Map<string, Box>;
  /** Each edge's route (absolute polyline, first point at the source) and label box. */
  routes: Map<string, { points: { x: number; y: number }[]; label?: Box }>;
}

/** Reads ELK's output (absolute coordinates: see ROOT_OPTIONS) into boxes and polylines. */
export function readLayout(out: ElkNode): Placed {
  const boxes = new Map<string, Box>();
  const headers = new Map<string, Box>();
  const routes: Placed['routes'] = new Map();
  const visit = (n: ElkNode) => {
    for (const c of n.children ?? []) {
      boxes.set(c.id, { x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0 });
      const head = c.children?.find((k) => k.id === headerId(c.id));
      if (head) headers.set(c.id, { x: head.x ?? 0, y: head.y ?? 0, width: head.width ?? 0, height: head.height ?? 0 });
      visit(c);
    }
    for (const e of (n.edges ?? []) as ElkExtendedEdge[]) {
      const points: { x: number; y: number }[] = [];
      for (const s of e.sections ?? []) {
        if (points.length === 0) points.push(s.startPoint);
        points.push(...(s.bendPoints ?? []), s.endPoint);
      }
      const l = e.labels?.[0];
      routes.set(e.id, { points, label: l && l.x !== undefined ? { x: l.x, y: l.y ?? 0, width: l.width ?? 0, height: l.height ?? 0 } : undefined });
    }
  };
  visit(out);
  return { width: Math.ceil(out.width ?? 0), height: Math.ceil(out.height ?? 0), boxes, headers, routes };
}

// ---------------------------------------------------------------- geometry checks (tests and e2e)

/** Does the segment p-q pass through the inside of box b (shrunk by `inset` so touching a border is fine)? */
export function segmentHitsBox(p: { x: number; y: number }, q: { x: number; y: number }, b: Box, inset = 1): boolean {
  const x0 = b.x + inset;
  const y0 = b.y + inset;
  const x1 = b.x + b.width - inset;
  const y1 = b.y + b.height - inset;
  if (x1 <= x0 || y1 <= y0) return false;
  // Liang–Barsky clipping of the segment against the rectangle.
  let t0 = 0;
  let t1 = 1;
  const dx = q.x - p.x;
  const dy = q.y - p.y;
  const edges: [number, number][] = [[-dx, p.x - x0], [dx, x1 - p.x], [-dy, p.y - y0], [dy, y1 - p.y]];
  for (const [pp, qq] of edges) {
    if (pp === 0) {
      if (qq < 0) return false;
      continue;
    }
    const r = qq / pp;
    if (pp < 0) {
      if (r > t1) return false;
      if (r > t0) t0 = r;
    } else {
      if (r < t0) return false;
      if (r < t1) t1 = r;
    }
  }
  return t1 - t0 > 1e-9;
}

/**
 * Arrows that pass through a box other than their own two ends (leaf boxes), or through a container's header.
 * `ends(edgeKey)` names the two boxes an edge connects.
 */
export function crossings(placed: Placed, leaves: Iterable<string>, ends: (edge: string) => [string, string]): string[] {
  const out: string[] = [];
  const leafList = [...leaves];
  for (const [key, r] of placed.routes) {
    const [a, b] = ends(key);
    for (let i = 0; i + 1 < r.points.length; i++) {
      const p = r.points[i];
      const q = r.points[i + 1];
      for (const k of leafList) {
        if (k === a || k === b) continue;
        const box = placed.boxes.get(k);
        if (box && segmentHitsBox(p, q, box)) out.push(`${key} crosses box ${k}`);
      }
      for (const [k, hb] of placed.headers) if (segmentHitsBox(p, q, hb)) out.push(`${key} crosses the header of ${k}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------- the layout worker

export interface LayoutRequest {
  id: number;
  graph: ElkNode;
}
export type LayoutResponse = { id: number; graph: ElkNode; ms: number } | { id: number; error: string };

export type WorkerFactory = () => Worker | Promise<Worker>;

let factory: WorkerFactory | undefined;
let worker: Promise<Worker> | undefined;
let busy: { id: number; reject: (e: Error) => void } | undefined;
let seq = 0;

/** The host (VS Code webview, playground) says how to start the layout worker (dist/webview/graph-worker.js). */
export function setGraphWorkerFactory(f: WorkerFactory | undefined): void {
  factory = f;
  stopWorker();
}

export function hasGraphWorker(): boolean {
  return factory !== undefined;
}

function stopWorker() {
  const w = worker;
  worker = undefined;
  void w?.then((x) => x.terminate(), () => undefined);
  busy?.reject(new Error('superseded'));
  busy = undefined;
}

/**
 * Lays out a graph in the worker. A request made while another is still running ends that one (ELK runs
 * synchronously inside the worker, so the worker is restarted): only the newest layout matters.
 */
export function layoutInWorker(graph: ElkNode): Promise<{ graph: ElkNode; ms: number }> {
  if (!factory) return Promise.reject(new Error('no graph layout worker'));
  if (busy) stopWorker();
  const f = factory;
  if (!worker) worker = Promise.resolve().then(f);
  const id = ++seq;
  const w = worker;
  return new Promise((resolve, reject) => {
    busy = { id, reject };
    w.then((x) => {
      if (busy?.id !== id) return;
      x.onmessage = (ev: MessageEvent<LayoutResponse>) => {
        if (ev.data.id !== id) return;
        busy = undefined;
        if ('error' in ev.data) reject(new Error(ev.data.error));
        else resolve({ graph: ev.data.graph, ms: ev.data.ms });
      };
      x.onerror = (ev) => {
        if (busy?.id !== id) return;
        busy = undefined;
        worker = undefined;
        reject(new Error(ev.message || 'the graph layout worker failed'));
      };
      x.postMessage({ id, graph } satisfies LayoutRequest);
    }, (e: unknown) => {
      if (busy?.id === id) busy = undefined;
      worker = undefined;
      reject(e instanceof Error ? e : new Error(String(e)));
    });
  });
}

/**
 * A worker factory for hosts whose worker script lives on another origin (VS Code serves webview resources from
 * its resource origin, and a Worker must be same-origin): fetch the script once and start it from a blob: URL.
 * Needs `connect-src` for the script's origin and `worker-src blob:` in the page's Content Security Policy.
 */
export function workerFromUrl(url: string): WorkerFactory {
  let blobUrl: Promise<string> | undefined;
  return async () => {
    blobUrl ??= fetch(url)
      .then((r) => {
        if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
        return r.text();
      })
      .then((text) => URL.createObjectURL(new Blob([text], { type: 'text/javascript' })));
    try {
      return new Worker(await blobUrl);
    } catch (e) {
      blobUrl = undefined;
      throw e;
    }
  };
}
