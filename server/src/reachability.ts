// Server side of the Policy Lens reachability preview: the `policyLens/reachability` and `policyLens/explain`
// requests and the debounced `policyLens/reachabilityChanged` notification (see protocol.ts).
//
// Wiring (server.ts):
//   const reach = registerReachability(connection, () => filesOfWorkspace());
//   documents.onDidChangeContent(() => reach.filesChanged());   // also after watched-file changes
//
// Behaviour:
// * Analyses the language server's lint project (its per-document parses) with the pure core, incrementally.
// * A file whose YAML is broken (a `yaml*` error diagnostic) is replaced by its last good text, so the panel keeps
//   showing the last good state; the response says `stale: true` and lists those files.
// * `compare: 'saved'` diffs against the files' contents on disk; `compare: 'head'` against `git show HEAD:<file>`
//   run in the file's folder (a file unknown to HEAD/disk is absent from the baseline, so all its flows are "added").
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LSPErrorCodes, ResponseError, type CancellationToken, type Connection as LspConnection } from 'vscode-languageserver';
import { analyzeIncremental, diffReach, panelDataAsync, PanelCancelled, type Analysis, type AnalyzeOptions, type PanelProgress } from './core/index';
import { mergeClusters } from './core/parse';
import { LintProject } from './core/lint/project';
import type { Cluster } from './core/model';
import type { ReachResult } from './core/reach-types';
import { explanationOf } from './core/explain/format';
import { isCniSetting, type Cni } from './core/policy/cni';
import { portability, type PortabilityReport } from './tools/portability';
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
  /** Never reuse the previous analysis (benchmarks compare this with the incremental path). */
  fromScratch?: boolean;
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
  /**
   * Analysis options (e.g. whether Kubernetes ipBlock matches pod IPs), read at every analysis (settings may change).
   * Default: the lint project's options (the server sets them from the settings).
   */
  analyzeOptions?: () => AnalyzeOptions;
}

export interface ComputeControl {
  /** An LSP cancellation of the request. */
  cancelled?: () => boolean;
  progress?: (p: ReachabilityProgressParams) => void;
}

export interface ReachabilityHandle {
  /**
   * Tell the reachability service that some file changed; re-analyses (debounced) and notifies the client. `force`:
   * something besides the texts changed (workspace trust: the HEAD baseline), so running payloads are superseded.
   */
  filesChanged(force?: boolean): void;
  /** Computes the response directly (used by the request handler and tests). */
  compute(params?: ReachabilityParams): Promise<ReachabilityResponse>;
  /** Explains one pair against the current state. */
  explain(params: ExplainParams): ExplainResponse;
  /** The shared current analysis and the texts it was built from. */
  state(staged?: boolean): { files: SourceFile[]; analysis: Analysis };
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

/** A file's saved text (from disk); undefined when it cannot be read. */
export async function defaultReadSaved(path: string): Promise<string | undefined> {
  const fsPath = toFsPath(path);
  if (!fsPath) return undefined;
  try {
    return await readFile(fsPath, 'utf8');
  } catch {
    return undefined;
  }
}

export async function defaultReadHead(path: string): Promise<string | undefined> {
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

/** Cheap content key of files: paths, lengths and a 32-bit FNV-1a hash of every text (also the flow service's cache key). */
export function contentSignature(files: SourceFile[]): string {
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

/** The objects of one file: the parsed model of each of its documents (shared with the lint project's cache). */
type FileParts = Cluster[];

interface Current {
  /** Identity of the analysed parts (changes when some analysed document changed). */
  key: string;
  version: number;
  cluster: Cluster;
  analysis: Analysis;
  staleFiles: string[];
  /** What-if analysis with Calico staged policies applied, computed on first use. */
  whatIf?: Analysis;
  /** The same cluster analysed as other CNIs enforce it (compare: 'cni'), computed on first use. */
  asCni?: Map<Cni, Analysis>;
  /** Payloads by compare mode and baseline. */
  payloads: Map<string, PanelData>;
}

/** A file is broken when one of its documents reports a YAML-level error (its objects cannot be trusted). */
function brokenParts(parts: FileParts): boolean {
  return parts.some((m) => m.diagnostics.some((d) => d.severity === 'error' && /^yaml/i.test(d.code)));
}

/** Every document model of a project's files, per file. */
function partsOf(project: LintProject, path: string): FileParts {
  return project.models(path);
}

/**
 * Produces the current analysis from the lint project's per-document parses (one parse per document change, shared
 * with diagnostics, hover and completion), incrementally: each analysis reuses the previous one wherever the change
 * cannot have affected it (core analyzeIncremental). A file whose YAML is broken keeps contributing its last good
 * objects. Exported for tests; the LSP glue is `registerReachability`.
 */
export class ReachabilityModel {
  private readonly project: LintProject;
  /** When the model was given a file list (tests), it keeps its own project in sync with it. */
  private readonly getFiles?: () => SourceFile[];
  private lastGood = new Map<string, FileParts>();
  /** The text each file's analysed objects come from (its last good text while its YAML is broken). */
  private analysedText = new Map<string, string>();
  private current?: Current;
  private previous?: Analysis;
  private previousWhatIf?: Analysis;
  private baselines = new Map<string, { project: LintProject; sig: string; analysis?: Analysis }>();

  constructor(
    source: (() => SourceFile[]) | LintProject,
    private readonly opts: ReachabilityOptions = {},
  ) {
    if (source instanceof LintProject) this.project = source;
    else {
      this.getFiles = source;
      this.project = new LintProject({ defaultNamespace: opts.defaultNamespace });
    }
  }

  /** Brings the own project up to date with the file list (no-op when the server's project is used). */
  private sync(): void {
    if (!this.getFiles) return;
    const files = this.getFiles();
    const seen = new Set<string>();
    for (const f of files) {
      seen.add(f.path);
      this.project.setFile(f.path, f.text);
    }
    for (const p of this.project.paths()) if (!seen.has(p)) this.project.removeFile(p);
  }

  private analyzeOpts(): AnalyzeOptions {
    return this.opts.analyzeOptions?.() ?? this.project.analyzeOptions;
  }

  /** Options of the last contentVersion(), and how often they changed (a change is a new version too). */
  private optsKey = '';
  private optsChanges = 0;

  /**
   * The version of the workspace content: the project's version (it changes whenever some file's text changed),
   * plus changes of the analysis options. Cheap: nothing is parsed for it that the language server does not parse
   * anyway.
   */
  contentVersion(): number {
    this.sync();
    const k = JSON.stringify(this.analyzeOpts());
    if (k !== this.optsKey) {
      if (this.optsKey !== '') this.optsChanges++;
      this.optsKey = k;
    }
    return this.project.projectVersion + this.optsChanges;
  }

  /** The cluster to analyse: every file's objects (the last good ones for broken files), merged. */
  private snapshot(): { key: string; cluster: Cluster; staleFiles: string[] } {
    const staleFiles: string[] = [];
    const parts: Cluster[] = [];
    const ids: string[] = [];
    const paths = this.project.paths();
    for (const path of paths) {
      let p = partsOf(this.project, path);
      if (brokenParts(p)) {
        staleFiles.push(path);
        p = this.lastGood.get(path) ?? [];
      } else {
        this.lastGood.set(path, p);
        this.analysedText.set(path, this.project.getText(path) ?? '');
      }
      for (const m of p) {
        parts.push(m);
        ids.push(String(this.partId(m)));
      }
    }
    const live = new Set(paths);
    for (const k of [...this.lastGood.keys()]) if (!live.has(k)) this.lastGood.delete(k);
    for (const k of [...this.analysedText.keys()]) if (!live.has(k)) this.analysedText.delete(k);
    return { key: `${ids.join(',')}|${staleFiles.join('\u0000')}|${JSON.stringify(this.analyzeOpts())}`, cluster: mergeClusters(parts, { defaultNamespace: this.opts.defaultNamespace }), staleFiles };
  }

  private partIds = new WeakMap<Cluster, number>();
  private nextPartId = 1;
  private partId(m: Cluster): number {
    let id = this.partIds.get(m);
    if (id === undefined) this.partIds.set(m, (id = this.nextPartId++));
    return id;
  }

  /** Current analysis; re-analyses (incrementally) only when some analysed document changed. */
  refresh(): Current {
    const version = this.contentVersion();
    if (this.current && this.current.version === version) return this.current;
    const snap = this.snapshot();
    if (this.current && this.current.key === snap.key) {
      // Only broken files changed: same analysis, newer content version.
      this.current = { ...this.current, version, staleFiles: snap.staleFiles };
      return this.current;
    }
    const analysis = analyzeIncremental(snap.cluster, this.opts.fromScratch ? undefined : this.previous, this.analyzeOpts());
    this.previous = analysis;
    this.current = { key: snap.key, version, cluster: snap.cluster, analysis, staleFiles: snap.staleFiles, payloads: new Map() };
    return this.current;
  }

  /** The current state analysed as another CNI enforces it (the portability comparison). */
  private asCni(cur: Current, cni: Cni): Analysis {
    cur.asCni ??= new Map();
    let a = cur.asCni.get(cni);
    if (!a) {
      a = cni === cur.analysis.cni.cni ? cur.analysis : analyzeIncremental(cur.cluster, this.opts.fromScratch ? undefined : this.previousAsCni.get(cni), { ...this.analyzeOpts(), cni });
      cur.asCni.set(cni, a);
      this.previousAsCni.set(cni, a);
    }
    return a;
  }
  private previousAsCni = new Map<Cni, Analysis>();

  /** The current state with Calico staged policies applied as if enforced (what-if). */
  private whatIf(cur: Current): Analysis {
    if (!cur.whatIf) {
      cur.whatIf = analyzeIncremental(cur.cluster, this.opts.fromScratch ? undefined : this.previousWhatIf, { ...this.analyzeOpts(), staged: true });
      this.previousWhatIf = cur.whatIf;
    }
    return cur.whatIf;
  }

  /**
   * The saved / HEAD baseline: the files' texts as read from disk or git, parsed by a project of their own (so a
   * document that did not change since the last baseline is not parsed again), analysed incrementally.
   */
  private async baseline(kind: 'saved' | 'head'): Promise<Analysis> {
    const read = kind === 'saved' ? this.opts.readSaved ?? defaultReadSaved : this.opts.readHead ?? defaultReadHead;
    const paths = this.project.paths();
    const texts = await Promise.all(paths.map((p) => read(p)));
    const files: SourceFile[] = [];
    paths.forEach((p, i) => {
      const t = texts[i];
      if (t !== undefined) files.push({ path: p, text: t });
    });
    const sig = contentSignature(files) + JSON.stringify(this.analyzeOpts());
    let b = this.baselines.get(kind);
    if (b && b.sig === sig && b.analysis) return b.analysis;
    if (!b) this.baselines.set(kind, (b = { project: new LintProject({ defaultNamespace: this.opts.defaultNamespace }), sig }));
    const seen = new Set(files.map((f) => f.path));
    for (const f of files) b.project.setFile(f.path, f.text);
    for (const p of b.project.paths()) if (!seen.has(p)) b.project.removeFile(p);
    // A baseline file with broken YAML contributes what the parser could read of it.
    const parts = b.project.paths().flatMap((p) => partsOf(b!.project, p));
    b.analysis = analyzeIncremental(mergeClusters(parts, { defaultNamespace: this.opts.defaultNamespace }), b.analysis, this.analyzeOpts());
    b.sig = sig;
    return b.analysis;
  }

  /** Bumped by a forced change signal (e.g. workspace trust granted: the HEAD baseline changes, not the texts). */
  private changeTicks = 0;

  /**
   * Some file may have changed: a running payload is superseded when the texts it analyses changed since it began
   * (the project's version moved). The signal also comes after diagnostics of the very texts the payload analyses
   * were published, so a signal alone supersedes nothing; `force` does (the baseline changed, not the texts).
   */
  changed(force = false): void {
    this.sync();
    if (force) this.changeTicks++;
  }

  /**
   * The response for `params`. The payload is computed cooperatively (yielding to the event loop every slice);
   * `control.cancelled` (an LSP cancellation) or a newer change aborts it with `PanelCancelled`.
   */
  async compute(params: ReachabilityParams = {}, control: ComputeControl = {}): Promise<ReachabilityResponse> {
    const ticks = this.changeTicks;
    const cur = this.refresh();
    // The texts this payload analyses (refresh() brought the project up to date with them).
    const projectVersion = this.project.projectVersion;
    const compare = params.compare ?? 'none';
    let shown = cur.analysis;
    let baseline: Analysis | undefined;
    let baselineError: string | undefined;
    let portabilityReport: PortabilityReport | undefined;
    if (compare === 'staged') {
      shown = this.whatIf(cur);
      baseline = cur.analysis;
    } else if (compare === 'cni') {
      // The same manifests as another CNI enforces them (the baseline): the diff says what the workspace's CNI
      // allows that the other does not (added) and the reverse (removed); the portability report says why.
      const other = params.cni && isCniSetting(params.cni) && params.cni !== 'auto' ? params.cni : cur.analysis.cni.cni === 'cilium' ? 'calico' : 'cilium';
      baseline = this.asCni(cur, other);
      const mine = cur.analysis.cni.cni;
      if (other !== mine) portabilityReport = portability((c) => this.asCni(cur, c), [other, mine], { display: (f) => f });
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
      data: await this.payload(cur, compare, shown, baseline, () => this.changeTicks !== ticks || this.project.projectVersion !== projectVersion || !!control.cancelled?.(), control.progress),
    };
    if (baselineError) response.baselineError = baselineError;
    response.cni = { cni: cur.analysis.cni.cni, how: cur.analysis.cni.how, evaluatedAs: cur.analysis.evaluatedAs };
    if (portabilityReport) response.portability = portabilityReport;
    if (params.legacy) {
      // The full expanded result (every connection with its rules); only for small workspaces.
      response.result = shown.result();
      if (baseline) response.diff = diffReach(baseline.result(), response.result);
    }
    return response;
  }

  /** The payload for a compare mode, cached per analysis and baseline. */
  private async payload(cur: Current, compare: string, shown: Analysis, baseline: Analysis | undefined, cancelled: () => boolean, progress?: (p: PanelProgress & { version: number }) => void): Promise<PanelData> {
    const key = `${compare}|${baseline ? this.baselineId(baseline) : '-'}`; // (a CNI baseline has its own id)
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

  /**
   * The current analysis (or the what-if one) and exactly the texts it was built from (last good texts of broken
   * files): the one analysis the panel, explanations, suggestions and language-model tools share.
   */
  state(staged = false): { files: SourceFile[]; analysis: Analysis } {
    const analysis = this.analysisFor(staged);
    const files: SourceFile[] = [];
    for (const path of this.project.paths()) {
      const text = this.analysedText.get(path);
      if (text !== undefined) files.push({ path, text });
    }
    return { files, analysis };
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

export function registerReachability(
  connection: LspConnection,
  getFiles: (() => SourceFile[]) | LintProject,
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
    filesChanged(force?: boolean) {
      if (disposed) return;
      model.changed(force);
      if (timer) clearTimeout(timer);
      timer = setTimeout(run, debounceMs);
    },
    compute: (params) => model.compute(params),
    explain: (params) => model.explain(params),
    state: (staged) => model.state(staged),
    dispose() {
      disposed = true;
      if (timer) clearTimeout(timer);
      reqDisposable.dispose();
      explainDisposable.dispose();
    },
  };
}
