// The engine tools (reach, explain, what_if, check, blast_radius) behind the MCP server and the VS Code
// language-model tools. Every answer comes from the engine (analyze / explain / allowedBetween / result) or the
// LintProject; this module only selects, filters and shapes. Node-free except through tools/findings.ts (crypto).
import { describeConns } from '../core/explain/format';
import { analyzeFiles, ConnSet, type Analysis, type AnalyzeOptions, type Connection, type InputFile, type ProtocolPorts, type ReachResult } from '../core/index';
import { LintProject } from '../core/lint/project';
import { countBySeverity, isLintedFile, projectFindings, SEVERITY_RANK, type CheckFinding, type CheckSeverity } from './findings';
import { globMatch } from './endpoints';
import { semanticDiff, type FlowChange } from './reach-diff';
import { summaryOf, traceOf, type PairTrace, type ResponsibleRule } from './trace';

/** A user-facing error (bad id, bad path): reported to the caller as a tool error, not a crash. */
export class ToolError extends Error {}

/** Where the tools get their files from: a folder on disk (CLI / MCP) or the language server's open buffers. */
export interface ToolWorkspace {
  /** Every manifest of the workspace. `path` is the workspace's key (a file path or a URI). */
  files(): InputFile[];
  /**
   * The workspace's current analysis and exactly the files it was built from, when something keeps one (the
   * language server's reachability service); else the tools analyse `files()`.
   */
  current?(): { files: InputFile[]; analysis: Analysis };
  /** The lint project of the same files, when the workspace keeps one (the language server); else built here. */
  lintProject?(): LintProject;
  /** Path shown in answers (relative to the workspace root). */
  display(key: string): string;
  /** The workspace key of a path given by the caller (relative to the workspace root). */
  keyOf(file: string): string;
  defaultNamespace?: string;
  /** Analysis options (e.g. the CNI) of every answer. */
  analyzeOptions?: AnalyzeOptions;
}

interface Analysed {
  analysis: Analysis;
  result: ReachResult;
  policies: number;
}

function analyse(ws: ToolWorkspace): Analysed {
  const shared = ws.current?.();
  const { cluster, analysis } = shared ? { cluster: shared.analysis.cluster, analysis: shared.analysis } : analyzeFiles(ws.files(), { defaultNamespace: ws.defaultNamespace }, ws.analyzeOptions);
  return { analysis, result: analysis.result(), policies: cluster.policies.length + (cluster.calico?.policies.length ?? 0) + (cluster.cilium?.policies.length ?? 0) };
}

function analyseFiles(files: InputFile[], defaultNamespace?: string, analyzeOptions?: AnalyzeOptions): Analysed {
  const { cluster, analysis } = analyzeFiles(files, { defaultNamespace }, analyzeOptions);
  return { analysis, result: analysis.result(), policies: cluster.policies.length + (cluster.calico?.policies.length ?? 0) + (cluster.cilium?.policies.length ?? 0) };
}

function conn(c: { src: string; dst: string; protocols: ProtocolPorts }) {
  return { src: c.src, dst: c.dst, protocols: c.protocols, ports: describeConns(c.protocols) };
}

function displayRules(ws: ToolWorkspace, rules: ResponsibleRule[]): ResponsibleRule[] {
  return rules.map((r) => (r.file ? { ...r, file: ws.display(r.file) } : r));
}

export interface ReachArgs {
  from?: string;
  to?: string;
  namespace?: string;
  protocol?: string;
  port?: number;
  includeExternal?: boolean;
  limit?: number;
}

export function reachTool(ws: ToolWorkspace, args: ReachArgs) {
  const { result, policies } = analyse(ws);
  const external = new Set(result.endpoints.filter((e) => e.kind === 'External').map((e) => e.id));
  const nsOf = new Map(result.endpoints.map((e) => [e.id, e.namespace]));
  const proto = args.protocol?.toUpperCase();
  const matching = result.connections.filter((c) => {
    if (args.includeExternal === false && (external.has(c.src) || external.has(c.dst))) return false;
    if (args.from && !globMatch(args.from, c.src)) return false;
    if (args.to && !globMatch(args.to, c.dst)) return false;
    if (args.namespace && nsOf.get(c.src) !== args.namespace && nsOf.get(c.dst) !== args.namespace) return false;
    const cs = ConnSet.fromProtocolPorts(c.protocols);
    const protoKey = proto && cs.protocols().find((p) => p.toUpperCase() === proto);
    if (proto && !protoKey) return false;
    if (args.port !== undefined && !(protoKey ? cs.has(protoKey, args.port) : cs.protocols().some((p) => cs.has(p, args.port!)))) return false;
    return true;
  });
  const limit = args.limit ?? 200;
  return {
    workloads: result.endpoints.length - external.size,
    externalRanges: external.size,
    policies,
    totalConnections: matching.length,
    truncated: matching.length > limit,
    connections: matching.slice(0, limit).map(conn),
  };
}

/** Edit distance (insertions, deletions, substitutions), for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

function unknownEndpoint(result: ReachResult, id: string): ToolError {
  const ids = result.endpoints.filter((e) => e.kind !== 'External').map((e) => e.id);
  const name = id.split('/').pop() ?? id;
  const close = ids
    .map((x) => ({ x, d: Math.min(distance(x, id), x.split('/').pop() === name ? 0 : Infinity) }))
    .filter((c) => c.d <= Math.max(2, Math.floor(id.length / 4)))
    .sort((p, q) => p.d - q.d)
    .slice(0, 5)
    .map((c) => c.x);
  return new ToolError(`Unknown endpoint "${id}". Endpoints are workloads as namespace/name or external ranges as listed by reach${close.length ? `; did you mean ${close.join(', ')}?` : ''}`);
}

function sideOut(ws: ToolWorkspace, s: PairTrace['egress']) {
  return s && { ...s, allowedBy: displayRules(ws, s.allowedBy), steps: s.steps.map((x) => (x.file ? { ...x, file: ws.display(x.file) } : x)) };
}

function need(ok: boolean, what: string): void {
  if (!ok) throw new ToolError(`invalid input: ${what}`);
}

export function explainTool(ws: ToolWorkspace, args: { src: string; dst: string }) {
  need(typeof args?.src === 'string' && typeof args?.dst === 'string', 'src and dst (endpoint ids) are required');
  const { analysis, result } = analyse(ws);
  const ids = new Set(result.endpoints.map((e) => e.id));
  for (const id of [args.src, args.dst]) if (!ids.has(id)) throw unknownEndpoint(result, id);
  if (args.src === args.dst) throw new ToolError(`${args.src} is the same endpoint: connections of a workload to itself are not analysed`);
  const allowed = analysis.allowedBetween(args.src, args.dst);
  const t = traceOf(analysis, args.src, args.dst);
  return {
    src: args.src,
    dst: args.dst,
    verdict: allowed.isEmpty() ? ('denied' as const) : ('allowed' as const),
    allowed: allowed.toJSON(),
    ports: describeConns(allowed),
    ...(t.egress ? { egress: sideOut(ws, t.egress) } : {}),
    ...(t.ingress ? { ingress: sideOut(ws, t.ingress) } : {}),
    summary: summaryOf(analysis, args.src, args.dst),
  };
}

function lintOf(ws: ToolWorkspace, files: InputFile[], reuse: boolean): LintProject {
  if (reuse && ws.lintProject) return ws.lintProject();
  const p = new LintProject({ defaultNamespace: ws.defaultNamespace, analyzeOptions: ws.analyzeOptions });
  for (const f of files) if (isLintedFile(f.path, f.text, false)) p.setFile(f.path, f.text);
  return p;
}

export function checkTool(ws: ToolWorkspace, args: { files?: string[]; minSeverity?: CheckSeverity }) {
  const files = ws.files();
  const project = lintOf(ws, files, true);
  const only = args.files?.length ? new Set(args.files.map((f) => ws.keyOf(f))) : undefined;
  const min = SEVERITY_RANK[args.minSeverity ?? 'hint'];
  const findings = projectFindings(project, (p) => ws.display(p), only ? (p) => only.has(p) : undefined).filter((f) => SEVERITY_RANK[f.severity] >= min);
  const checked = project.paths().filter((p) => !only || only.has(p)).length;
  return { filesChecked: checked, summary: countBySeverity(findings), findings };
}

/** File name used for the `yaml` shorthand of what_if (a new file beside the workspace's manifests). */
export const WHAT_IF_FILE = 'policy-lens-what-if.yaml';

export function whatIfTool(ws: ToolWorkspace, args: { changes?: { file: string; content?: string }[]; yaml?: string; limit?: number }) {
  const changes = [...(args?.changes ?? [])];
  if (typeof args?.yaml === 'string') changes.push({ file: WHAT_IF_FILE, content: args.yaml });
  need(changes.length > 0 && changes.every((c) => typeof c?.file === 'string' && (c.content === undefined || c.content === null || typeof c.content === 'string')), 'give `changes` ({file, content?} entries) or `yaml`');
  const before = ws.files();
  const edited = new Map<string, string | undefined>();
  for (const c of changes) edited.set(ws.keyOf(c.file), c.content ?? undefined);
  const after: InputFile[] = [];
  for (const f of before) {
    if (!edited.has(f.path)) after.push(f);
    else if (edited.get(f.path) !== undefined) after.push({ path: f.path, text: edited.get(f.path)! });
  }
  const known = new Set(before.map((f) => f.path));
  for (const [k, text] of edited) if (!known.has(k) && text !== undefined) after.push({ path: k, text });
  const a = ws.current ? analyse(ws) : analyseFiles(before, ws.defaultNamespace, ws.analyzeOptions);
  const b = analyseFiles(after, ws.defaultNamespace, ws.analyzeOptions);
  const d = semanticDiff(a.analysis, b.analysis, { before: a.result, after: b.result });
  const limit = args.limit ?? 200;
  const flows: FlowChange[] = d.changes.slice(0, limit).map((c) => ({
    ...c,
    before: { ...c.before, rules: displayRules(ws, c.before.rules) },
    after: { ...c.after, rules: displayRules(ws, c.after.rules) },
  }));
  // Diagnostics of the edited files, linted together with the rest of the edited workspace.
  const project = new LintProject({ defaultNamespace: ws.defaultNamespace, analyzeOptions: ws.analyzeOptions });
  for (const f of after) if (isLintedFile(f.path, f.text, edited.has(f.path))) project.setFile(f.path, f.text);
  const findings: CheckFinding[] = projectFindings(project, (p) => ws.display(p), (p) => edited.has(p));
  return {
    summary: d.summary,
    totalChanges: d.changes.length,
    truncated: d.changes.length > limit,
    changes: flows,
    connectionsBefore: a.result.connections.length,
    connectionsAfter: b.result.connections.length,
    findings,
  };
}

export function blastRadiusTool(ws: ToolWorkspace, args: { workload: string; maxHops?: number }) {
  need(typeof args?.workload === 'string', 'workload (namespace/name) is required');
  const { result } = analyse(ws);
  const ep = result.endpoints.find((e) => e.id === args.workload);
  if (!ep) throw unknownEndpoint(result, args.workload);
  const out = new Map<string, Connection[]>();
  const inn = new Map<string, Connection[]>();
  for (const c of result.connections) {
    (out.get(c.src) ?? out.set(c.src, []).get(c.src)!).push(c);
    (inn.get(c.dst) ?? inn.set(c.dst, []).get(c.dst)!).push(c);
  }
  const maxHops = args.maxHops ?? 1;
  const external = new Set(result.endpoints.filter((e) => e.kind === 'External').map((e) => e.id));
  const walk = (adj: Map<string, Connection[]>, next: (c: Connection) => string) => {
    const seen = new Map<string, { hops: number; via?: string }>([[args.workload, { hops: 0 }]]);
    let frontier = [args.workload];
    for (let hop = 1; hop <= maxHops && frontier.length; hop++) {
      const nf: string[] = [];
      for (const id of frontier) {
        for (const c of adj.get(id) ?? []) {
          const n = next(c);
          if (seen.has(n)) continue;
          seen.set(n, { hops: hop, via: hop > 1 ? id : undefined });
          // External ranges are where chains end: an address range does not forward traffic inside the cluster.
          if (!external.has(n)) nf.push(n);
        }
      }
      frontier = nf;
    }
    seen.delete(args.workload);
    return [...seen].map(([id, v]) => ({ id, hops: v.hops, ...(v.via ? { via: v.via } : {}) })).sort((x, y) => x.hops - y.hops || (x.id < y.id ? -1 : 1));
  };
  return {
    workload: args.workload,
    canReach: (out.get(args.workload) ?? []).map(conn),
    reachableFrom: (inn.get(args.workload) ?? []).map(conn),
    transitiveReach: walk(out, (c) => c.dst),
    transitiveReachedBy: walk(inn, (c) => c.src),
  };
}
