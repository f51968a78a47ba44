// Policy Lens web worker of the playground: runs the pure core next to the page, no server round trip.
// The work itself is in session.ts; this file answers the page's requests (protocol.ts) one by one.
import { SchemaRegistry } from '../../server/src/lsp/schemas';
import { VIRTUAL_ROOT } from './shims/fs';
import { PlaygroundSession } from './session';
import type { WorkerRequest, WorkerResponse } from './protocol';

// The schemas come from the bundle (shims/fs.ts serves them under VIRTUAL_ROOT).
const session = new PlaygroundSession(new SchemaRegistry(VIRTUAL_ROOT));

function handle(req: WorkerRequest): WorkerResponse {
  switch (req.type) {
    case 'analyze': {
      const t0 = performance.now();
      const diagnostics = session.diagnostics(req.text);
      const response = session.reachability(req.text, req.baseline);
      return { id: req.id, type: 'analyzed', diagnostics, response, ms: Math.round(performance.now() - t0) };
    }
    case 'explain': {
      const explanation = session.explain(req.src, req.dst);
      return explanation ? { id: req.id, type: 'explained', explanation } : { id: req.id, type: 'failed', message: 'nothing analysed yet' };
    }
    case 'hover': {
      const h = session.hover(req.text, req.position);
      return { id: req.id, type: 'hovered', markdown: h?.markdown, range: h?.range };
    }
    case 'complete':
      return { id: req.id, type: 'completed', items: session.completions(req.text, req.position) };
    case 'fixes':
      return { id: req.id, type: 'fixed', fixes: session.fixes(req.text, req.start, req.end) };
  }
}

self.onmessage = (ev: MessageEvent<WorkerRequest>) => {
  const req = ev.data;
  let res: WorkerResponse;
  try {
    res = handle(req);
  } catch (e) {
    res = { id: req?.id ?? -1, type: 'failed', message: e instanceof Error ? e.message : String(e) };
  }
  (self as unknown as { postMessage(m: WorkerResponse): void }).postMessage(res);
};
