// The graph layout worker (dist/webview/graph-worker.js): runs the Eclipse Layout Kernel (elkjs, EPL-2.0; see
// THIRD-PARTY-NOTICES.md) off the panel's main thread. One request at a time: { id, graph } -> { id, graph, ms }.
import ELK from 'elkjs/lib/elk.bundled.js';
import type { LayoutRequest, LayoutResponse } from './graph-layout';

const elk = new ELK();
const post = (m: LayoutResponse) => (self as unknown as { postMessage(m: LayoutResponse): void }).postMessage(m);

self.onmessage = async (ev: MessageEvent<LayoutRequest>) => {
  const { id, graph } = ev.data;
  const t0 = performance.now();
  try {
    const out = await elk.layout(graph);
    post({ id, graph: out, ms: Math.round(performance.now() - t0) });
  } catch (e) {
    post({ id, error: e instanceof Error ? e.message : String(e) });
  }
};
