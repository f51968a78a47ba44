// Server side of the Policy Lens reachability preview: the `policyLens/reachability` and `policyLens/explain`
// requests and the debounced `policyLens/reachabilityChanged` notification (see protocol.ts).
//
// Wiring (server.ts):
//   const reach = registerReachability(connection, () => filesOfWorkspace());
//   documents.onDidChangeContent(() => reach.filesChanged());   // also after watched-file changes
//
// Behaviour:
// * Analyses the files returned by `getFiles()` with the pure core (parseFiles + analyze).
// * A file whose YAML is broken (a `yaml*` error diagnostic) is replaced by its last good text, so the panel keeps
//   showing the last good state; the response says `stale: true` and lists those files.
// * `compare: 'saved'` diffs against the files' contents on disk; `compare: 'head'` against `git show HEAD:<file>`
//   run in the file's folder (a file unknown to HEAD/disk is absent from the baseline, so all its flows are "added").
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LSPErrorCodes, ResponseError, type CancellationToken, type Connection as LspConnection } from 'vscode-languageserver';
import { LineCounter } from 'yaml';
import { analyzeIncremental, ClusterBuilder, diffReach, panelDataAsync, PanelCancelled, ParseContext, parseFiles, type Analysis, type AnalyzeOptions, type PanelProgress } from './core/index';
import type { Cluster } from './core/model';
import type { ReachResult } from './core/reach-types';
import { explanationOf } from './core/explain/format';
import {
  EXPLAIN_REQUEST,
  REACHABILITY_CHANGED_NOTIFICATION,
  REACHABILITY_PROGRESS_NOTIFICATION,
  type ReachabilityProgressParams,
  REACHABILITY_REQUEST,
  type ExplainParams,
  type ExplainResponse,
  type PanelData,
  type ReachabilityChangedParams,
  type ReachabilityParams,
  type ReachabilityResponse,
} from './protocol';

export interface SourceFile {
  path: string;
  text: string;
}

export interface ReachabilityOptions {
  /** How long the payload computation runs before yielding to the event loop (ms, default 25). */
  sliceMs?: number;
  /** Delay between the last change and the re-analysis + notification. Default 250 ms. */
  debounceMs?: number;
  /** Namespace assumed for objects without metadata.namespace. */
  defaultNamespace?: string;
  /** Reads the saved (disk) version of a file; undefined when it does not exist. Default: fs read of the path/URI. */
  readSaved?: (path: string) => Promise<string | undefined>;
  /**
   * Reads the git HEAD version of a file; undefined when HEAD has no such file; throws BaselineUnavailable when there
   * is no HEAD at all. Default: `git show HEAD:./name`.
   */
  readHead?: (path: string) => Promise<string | undefined>;
  /** Analysis options (e.g. whether Kubernetes ipBlock matches pod IPs), read at every analysis (settings may change). */
  analyzeOptions?: () => AnalyzeOptions;
}

export interface ComputeControl {
  /** An LSP cancellation of the request. */
  cancelled?: () => boolean;
  progress?: (p: ReachabilityProgressParams) => void;
}

export interface ReachabilityHandle {
  /** Tell the reachability service that some file changed; re-analyses (debounced) and notifies the client. */
  filesChanged(): void;
  /** Computes the response directly (used by the request handler and tests). */
  compute(params?: ReachabilityParams): Promise<ReachabilityResponse>;
  /** Explains one pair against the current state. */
  explain(params: ExplainParams): ExplainResponse;
  dispose(): void;
}

/** A file is broken when parsing it reports a YAML-level error (its objects cannot be trusted). */
function isBrokenYaml(cluster: Cluster): boolean {
  return cluster.diagnostics.some((d) => d.severity === 'error' && /^yaml/i.test(d.code));
}

/** Converts a `file:` URI or a plain path to a filesystem path; undefined for other schemes (untitled:, ...). */
export function toFsPath(pathOrUri: string): string | undefined {
  if (pathOrUri.startsWith('file:')) {
    try {
      return fileURLToPath(pathOrUri);
    } catch {
      return undefined;
    }
  }
  if (/^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(pathOrUri)) return undefined;
  return pathOrUri;
}

async function defaultReadSaved(path: string): Promise<string | undefined> {
  const fsPath = toFsPath(path);
  if (!fsPath) return undefined;
  try {
    return await readFile(fsPath, 'utf8');
  } catch {
    return undefined;
  }
}

async function defaultReadHead(path: string): Promise<string | undefined> {
  const fsPath = toFsPath(path);
  if (!fsPath) return undefined;
  return new Promise((resolve, reject) => {
    // `HEAD:./name` is resolved relative to the working directory, so no repository root lookup is needed.
    execFile(
      'git',
      ['show', `HEAD:./${basename(fsPath)}`],
      { cwd: dirname(fsPath), maxBuffer: 64 * 1024 * 1024, encoding: 'utf8', timeout: 10_000 },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        // A file git knows nothing about at HEAD is simply absent from the baseline; anything else (no git, not a
        // repository, no commit yet) means there is no HEAD baseline at all.
        if (/exists on disk, but not in|does not exist in/i.test(String(stderr))) return resolve(undefined);
        const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'git is not installed' : String(stderr).trim().split('\n')[0] || err.message;
        reject(new BaselineUnavailable(`no git HEAD baseline for ${basename(fsPath)}: ${why}`));
      },
    );
  });
}

/** Thrown by a baseline reader when the baseline does not exist at all (not merely lacks one file). */
export class BaselineUnavailable extends Error {}

function signature(files: SourceFile[]): string {
  // Cheap content key: paths, lengths and a 32-bit FNV-1a hash of every text.
  let out = '';
  for (const f of files) {
    let h = 0x811c9dc5;
    for (let i = 0; i < f.text.length; i++) {
      h ^= f.text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    out += `${f.path}\u0000${f.text.length}\u0000${(h >>> 0).toString(16)}\u0001`;
  }
  return out;
}

/** The workspace as the reachability service sees it: a content version and the parsed cluster. */
export interface WorkspaceSnapshot {
  /** Changes whenever some analysed text changed. */
  key: string;
  cluster: Cluster;
  /** Files whose YAML is broken (their last good objects are used, or none if they never parsed). */
  staleFiles: string[];
  /** Paths of every file, for the saved / HEAD baselines. */
  paths: string[];
}

interface Current {
  key: string;
  version: number;
  cluster: Cluster;
  analysis: Analysis;
  staleFiles: string[];
  /** What-if analysis with Calico staged policies applied, computed on first use. */
  whatIf?: Analysis;
  /** Payloads by compare mode and baseline signature. */
  payloads: Map<string, PanelData>;
  legacy?: ReachResult;
}

/**
 * Keeps the last good objects per file and produces the current analysis, incrementally: each analysis reuses the
 * previous one wherever the change cannot have affected it (core analyzeIncremental). Exported for tests; the LSP
 * glue is `registerReachability`.
 */
export class ReachabilityModel {
  private lastGood = new Map<string, { text: string; cluster: Cluster }>();
  private parsed = new Map<string, { text: string; cluster: Cluster; broken: boolean }>();
  private current?: Current;
  private previous?: Analysis;
  private previousWhatIf?: Analysis;
  private version = 0;
  /** Signature of the raw files (as returned by getFiles) and the version it was given. */
  private rawSig?: string;
  private baselineCache = new Map<string, { sig: string; analysis: Analysis }>();

  constructor(
    private readonly getFiles: () => SourceFile[],
    private readonly opts: ReachabilityOptions = {},
  ) {}

  private analyzeOpts(): AnalyzeOptions {
    return this.opts.analyzeOptions?.() ?? {};
  }

  /** Parses one file (cached by text); broken YAML falls back to the file's last good objects. */
  private fileCluster(f: SourceFile): { cluster?: Cluster; broken: boolean } {
    let p = this.parsed.get(f.path);
    if (!p || p.text !== f.text) {
      const cluster = parseFiles([f], { defaultNamespace: this.opts.defaultNamespace });
      p = { text: f.text, cluster, broken: isBrokenYaml(cluster) };
      this.parsed.set(f.path, p);
    }
    if (!p.broken) {
      this.lastGood.set(f.path, { text: f.text, cluster: p.cluster });
      return { cluster: p.cluster, broken: false };
    }
    return { cluster: this.lastGood.get(f.path)?.cluster, broken: true };
  }

  /** The cluster to analyse: every file's objects (the last good ones for broken files), merged. */
  snapshot(): WorkspaceSnapshot {
    const files = this.getFiles();
    const staleFiles: string[] = [];
    const parts: Cluster[] = [];
    const seen = new Set<string>();
    let key = '';
    for (const f of files) {
      seen.add(f.path);
      const r = this.fileCluster(f);
      if (r.broken) staleFiles.push(f.path);
      if (r.cluster) parts.push(r.cluster);
      key += `${f.path}\u0000${r.broken ? 'broken:' : ''}${r.cluster ? this.lastGood.get(f.path)?.text.length : '-'}\u0001`;
    }
    for (const p of [...this.lastGood.keys()]) if (!seen.has(p)) this.lastGood.delete(p);
    for (const p of [...this.parsed.keys()]) if (!seen.has(p)) this.parsed.delete(p);
    return { key: signature(files.map((f) => ({ path: f.path, text: this.lastGood.get(f.path)?.text ?? '' }))) + '|' + staleFiles.join('\u0000') + key + JSON.stringify(this.analyzeOpts()), cluster: mergeClusters(parts), staleFiles, paths: files.map((f) => f.path) };
  }

  /**
   * The version of the workspace content, bumped whenever some file's text changed. Cheap (hashes the texts, parses
   * nothing), so change notifications cost nothing while no panel asks for the analysis itself.
   */
  contentVersion(): number {
    const sig = signature(this.getFiles()) + JSON.stringify(this.analyzeOpts());
    if (sig !== this.rawSig) {
      this.rawSig = sig;
      this.version++;
    }
    return this.version;
  }

  /** Current analysis; re-analyses (incrementally) only when some file's content changed. */
  refresh(): Current {
    const version = this.contentVersion();
    if (this.current && this.current.version === version) return this.current;
    const snap = this.snapshot();
    if (this.current && this.current.key === snap.key) {
      // Only broken files changed: same analysis, newer content version.
      this.current = { ...this.current, version };
      return this.current;
    }
    const analysis = analyzeIncremental(snap.cluster, this.previous, this.analyzeOpts());
    this.previous = analysis;
    this.current = { key: snap.key, version, cluster: snap.cluster, analysis, staleFiles: snap.staleFiles, payloads: new Map() };
    return this.current;
  }

  /** The current state with Calico staged policies applied as if enforced (what-if). */
  private whatIf(cur: Current): Analysis {
    if (!cur.whatIf) {
      cur.whatIf = analyzeIncremental(cur.cluster, this.previousWhatIf, { ...this.analyzeOpts(), staged: true });
      this.previousWhatIf = cur.whatIf;
    }
    return cur.whatIf;
  }

  private async baseline(kind: 'saved' | 'head'): Promise<Analysis> {
    const read = kind === 'saved' ? this.opts.readSaved ?? defaultReadSaved : this.opts.readHead ?? defaultReadHead;
    const paths = this.getFiles().map((f) => f.path);
    const texts = await Promise.all(paths.map((p) => read(p)));
    const files: SourceFile[] = [];
    paths.forEach((p, i) => {
      const t = texts[i];
      if (t !== undefined) files.push({ path: p, text: t });
    });
    // A baseline file with broken YAML contributes nothing it cannot parse; the parser reports it, we just analyse.
    const sig = signature(files) + JSON.stringify(this.analyzeOpts());
    const cached = this.baselineCache.get(kind);
    if (cached && cached.sig === sig) return cached.analysis;
    // Files whose baseline text equals the current text reuse their parsed objects.
    const parts = files.map((f) => {
      const p = this.parsed.get(f.path);
      return p && p.text === f.text ? p.cluster : parseFiles([f], { defaultNamespace: this.opts.defaultNamespace });
    });
    const analysis = analyzeIncremental(mergeClusters(parts), cached?.analysis, this.analyzeOpts());
    this.baselineCache.set(kind, { sig, analysis });
    return analysis;
  }

  /** Bumped on every change signal; an analysis that started before a newer change is superseded. */
  private changeTicks = 0;

  /** A file changed (the server says so before the debounced notification): running payloads are superseded. */
  changed(): void {
    this.changeTicks++;
  }

  /**
   * The response for `params`. The payload is computed cooperatively (yielding to the event loop every slice);
   * `control.cancelled` (an LSP cancellation) or a newer change aborts it with `PanelCancelled`.
   */
  async compute(params: ReachabilityParams = {}, control: ComputeControl = {}): Promise<ReachabilityResponse> {
    const ticks = this.changeTicks;
    const cur = this.refresh();
    const compare = params.compare ?? 'none';
    let shown = cur.analysis;
    let baseline: Analysis | undefined;
    let baselineError: string | undefined;
    if (compare === 'staged') {
      shown = this.whatIf(cur);
      baseline = cur.analysis;
    } else if (compare === 'saved' || compare === 'head') {
      try {
        baseline = await this.baseline(compare);
      } catch (e) {
        if (!(e instanceof BaselineUnavailable)) throw e;
        baselineError = e.message;
      }
    }
    const response: ReachabilityResponse = {
      version: cur.version,
      stale: cur.staleFiles.length > 0,
      staleFiles: cur.staleFiles,
      compare,
      data: await this.payload(cur, compare, shown, baseline, () => this.changeTicks !== ticks || !!control.cancelled?.(), control.progress),
    };
    if (baselineError) response.baselineError = baselineError;
    if (params.legacy) {
      // The full expanded result (every connection with its rules); only for small workspaces.
      response.result = shown.result();
      if (baseline) response.diff = diffReach(baseline.result(), response.result);
    }
    return response;
  }

  /** The payload for a compare mode, cached per analysis and baseline. */
  private async payload(cur: Current, compare: string, shown: Analysis, baseline: Analysis | undefined, cancelled: () => boolean, progress?: (p: PanelProgress & { version: number }) => void): Promise<PanelData> {
    const key = `${compare}|${baseline ? this.baselineId(baseline) : '-'}`;
    const hit = cur.payloads.get(key);
    if (hit) return hit;
    const data = await panelDataAsync(shown, { baseline, leftOut: leftOutOf(cur.cluster) }, {
      pause: () => new Promise<void>((r) => setImmediate(r)),
      cancelled,
      sliceMs: this.opts.sliceMs,
      progress: progress && ((p) => progress({ ...p, version: cur.version })),
    });
    cur.payloads.set(key, data);
    return data;
  }

  private baselineIds = new WeakMap<Analysis, number>();
  private nextBaselineId = 1;
  private baselineId(a: Analysis): number {
    let id = this.baselineIds.get(a);
    if (id === undefined) this.baselineIds.set(a, (id = this.nextBaselineId++));
    return id;
  }

  /** The analysis a request refers to (the what-if state when `staged`). */
  analysisFor(staged?: boolean): Analysis {
    const cur = this.refresh();
    return staged ? this.whatIf(cur) : cur.analysis;
  }

  explain(params: ExplainParams): ExplainResponse {
    const a = this.analysisFor(params.staged);
    const trace = a.trace(params.src, params.dst);
    return { ...explanationOf(trace), trace };
  }
}

/** Objects of policy kinds that are not modelled, counted per kind. */
function leftOutOf(c: Cluster): { kind: string; count: number }[] {
  const list = (c as Cluster & { leftOut?: { kind: string }[] }).leftOut ?? [];
  const m = new Map<string, number>();
  for (const x of list) m.set(x.kind, (m.get(x.kind) ?? 0) + 1);
  return [...m].map(([kind, count]) => ({ kind, count })).sort((a, b) => (a.kind < b.kind ? -1 : 1));
}

/** Merges per-file clusters (as parseFiles of all files would): pods of one owner folded, namespaces merged. */
function mergeClusters(parts: Cluster[]): Cluster {
  const cluster: Cluster = { namespaces: [], workloads: [], policies: [], diagnostics: [] };
  const b = new ClusterBuilder(cluster);
  for (const m of parts) {
    for (const ns of m.namespaces) if (ns.range) b.addNamespace({ ...ns, labels: { ...ns.labels } });
    for (const w of m.workloads) b.addWorkload({ ...w, labels: { ...w.labels }, ports: [...w.ports] }, new ParseContext(w.range?.file ?? '', 0, new LineCounter(), 'default', cluster.diagnostics));
    cluster.policies.push(...m.policies);
    if (m.calico) {
      const cc = (cluster.calico ??= { policies: [], networkSets: [], tiers: [] });
      cc.policies.push(...m.calico.policies);
      cc.networkSets.push(...m.calico.networkSets);
      cc.tiers.push(...m.calico.tiers);
    }
    if (m.clusterPolicies) (cluster.clusterPolicies ??= []).push(...m.clusterPolicies);
    if (m.nodes) (cluster.nodes ??= []).push(...m.nodes);
    const lo = (m as Cluster & { leftOut?: unknown[] }).leftOut;
    if (lo) ((cluster as Cluster & { leftOut?: unknown[] }).leftOut ??= []).push(...lo);
    cluster.diagnostics.push(...m.diagnostics);
  }
  b.finish();
  return cluster;
}

export function registerReachability(
  connection: LspConnection,
  getFiles: () => SourceFile[],
  opts: ReachabilityOptions = {},
): ReachabilityHandle {
  const model = new ReachabilityModel(getFiles, opts);
  const debounceMs = opts.debounceMs ?? 250;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastNotified = -1;
  let disposed = false;

  const log = (msg: string) => connection.console.error(`[policy-lens reachability] ${msg}`);

  const reqDisposable = connection.onRequest(REACHABILITY_REQUEST, async (params: ReachabilityParams | undefined, token: CancellationToken) => {
    try {
      return await model.compute(params ?? {}, {
        cancelled: () => !!token?.isCancellationRequested,
        progress: (p) => void connection.sendNotification(REACHABILITY_PROGRESS_NOTIFICATION, p satisfies ReachabilityProgressParams),
      });
    } catch (e) {
      if (e instanceof PanelCancelled) throw new ResponseError(LSPErrorCodes.RequestCancelled, `reachability analysis ${e.message}`);
      throw e;
    }
  });
  const explainDisposable = connection.onRequest(EXPLAIN_REQUEST, (params: ExplainParams) => model.explain(params));

  const run = () => {
    timer = undefined;
    if (disposed) return;
    try {
      // Only the content version: the analysis runs when a client asks for it (an open panel re-requests).
      const version = model.contentVersion();
      if (version !== lastNotified) {
        lastNotified = version;
        const p: ReachabilityChangedParams = { version };
        void connection.sendNotification(REACHABILITY_CHANGED_NOTIFICATION, p);
      }
    } catch (e) {
      // The core never throws by contract; if it does, keep serving the previous state and say why in the log.
      log(`analysis failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    }
  };

  return {
    filesChanged() {
      if (disposed) return;
      model.changed();
      if (timer) clearTimeout(timer);
      timer = setTimeout(run, debounceMs);
    },
    compute: (params) => model.compute(params),
    explain: (params) => model.explain(params),
    dispose() {
      disposed = true;
      if (timer) clearTimeout(timer);
      reqDisposable.dispose();
      explainDisposable.dispose();
    },
  };
}
