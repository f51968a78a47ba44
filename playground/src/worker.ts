// Policy Lens web worker of the playground: runs the pure core next to the page, no server round trip.
// * diagnostics: the language server's lint project (model diagnostics + lint rules, suppressions applied);
// * reachability: parse + analyse, keeping the last good text while the YAML is broken (like the server's
//   reachability service), optionally diffed against a baseline text;
// * explanations: Analysis.explain of the last analysed text;
// * hover: the language server's hover (server/src/lsp/hover.ts) over the bundled JSON Schemas.
import { analyze, diffReach, parseFiles, type Analysis, type ReachResult } from '../../server/src/core/index';
import type { Cluster } from '../../server/src/core/model';
import { LintProject } from '../../server/src/core/lint/project';
import { lineStarts, offsetOf } from '../../server/src/core/lint/chunks';
import { hover } from '../../server/src/lsp/hover';
import { SchemaRegistry } from '../../server/src/lsp/schemas';
import type { ReachabilityResponse } from '../../server/src/protocol';
import { VIRTUAL_ROOT } from './shims/fs';
import { PLAYGROUND_FILE, type PlaygroundDiagnostic, type WorkerRequest, type WorkerResponse } from './protocol';

const FILE = PLAYGROUND_FILE;
const project = new LintProject();
const schemas = new SchemaRegistry(VIRTUAL_ROOT);

let version = 0;
let lastGood: string | undefined;
let current: { text: string; analysis: Analysis; result: ReachResult; stale: boolean } | undefined;
let baselineCache: { text: string; result: ReachResult } | undefined;

/** Same test as the server's reachability service: a YAML-level error means the file's objects can't be trusted. */
function isBrokenYaml(cluster: Cluster): boolean {
  return cluster.diagnostics.some((d) => d.severity === 'error' && /^yaml/i.test(d.code));
}

function diagnosticsOf(text: string): PlaygroundDiagnostic[] {
  project.setFile(FILE, text);
  const findings = project.result().findings.get(FILE) ?? [];
  return findings.map((f) => ({
    code: f.code,
    severity: f.severity,
    message: f.message,
    start: f.range.start,
    end: f.range.end,
    fixable: !!f.fix,
  }));
}

function reachability(text: string, baseline: string | undefined): ReachabilityResponse {
  if (!current || current.text !== text) {
    const cluster = parseFiles([{ path: FILE, text }]);
    const broken = isBrokenYaml(cluster);
    if (!broken) lastGood = text;
    const used = broken ? lastGood : text;
    const usedCluster = broken ? parseFiles(used === undefined ? [] : [{ path: FILE, text: used }]) : cluster;
    const analysis = analyze(usedCluster);
    current = { text, analysis, result: analysis.result(), stale: broken };
    version++;
  }
  const response: ReachabilityResponse = {
    result: current.result,
    version,
    stale: current.stale,
    staleFiles: current.stale ? [FILE] : [],
  };
  if (baseline !== undefined) {
    if (!baselineCache || baselineCache.text !== baseline) {
      baselineCache = { text: baseline, result: analyze(parseFiles([{ path: FILE, text: baseline }])).result() };
    }
    response.diff = diffReach(baselineCache.result, current.result);
  }
  return response;
}

function handle(req: WorkerRequest): WorkerResponse {
  switch (req.type) {
    case 'analyze': {
      const t0 = performance.now();
      const diagnostics = diagnosticsOf(req.text);
      const response = reachability(req.text, req.baseline);
      return { id: req.id, type: 'analyzed', diagnostics, response, ms: Math.round(performance.now() - t0) };
    }
    case 'explain': {
      if (!current) return { id: req.id, type: 'failed', message: 'nothing analysed yet' };
      return { id: req.id, type: 'explained', explanation: current.analysis.explain(req.src, req.dst) };
    }
    case 'hover': {
      project.setFile(FILE, req.text);
      const offset = offsetOf(lineStarts(req.text), req.text.length, req.position.line, req.position.character);
      const h = hover(project, schemas, FILE, offset);
      if (!h) return { id: req.id, type: 'hovered' };
      const c = h.contents;
      const markdown = typeof c === 'string' ? c : 'value' in c ? c.value : undefined;
      return { id: req.id, type: 'hovered', markdown, range: h.range };
    }
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
