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
import type { Connection as LspConnection } from 'vscode-languageserver';
import { analyze, diffReach, parseFiles, type AnalyzeOptions } from './core/index';
import type { Cluster } from './core/model';
import type { Explanation, ReachResult } from './core/reach-types';
import {
  EXPLAIN_REQUEST,
  REACHABILITY_CHANGED_NOTIFICATION,
  REACHABILITY_REQUEST,
  type ExplainParams,
  type ReachabilityChangedParams,
  type ReachabilityParams,
  type ReachabilityResponse,
} from './protocol';

export interface SourceFile {
  path: string;
  text: string;
}

export interface ReachabilityOptions {
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

export interface ReachabilityHandle {
  /** Tell the reachability service that some file changed; re-analyses (debounced) and notifies the client. */
  filesChanged(): void;
  /** Computes the response directly (used by the request handler and tests). */
  compute(params?: ReachabilityParams): Promise<ReachabilityResponse>;
  /** Explains one pair against the current state. */
  explain(params: ExplainParams): Explanation;
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

interface Current {
  sig: string;
  version: number;
  cluster: Cluster;
  analysis: ReturnType<typeof analyze>;
  result: ReachResult;
  staleFiles: string[];
  /** What-if analysis with Calico staged policies applied, computed on first use. */
  whatIf?: { analysis: ReturnType<typeof analyze>; result: ReachResult };
}

/**
 * Keeps the last good text per file and produces the current analysis. Exported for tests; the LSP glue is
 * `registerReachability`.
 */
export class ReachabilityModel {
  private lastGood = new Map<string, string>();
  private brokenCache = new Map<string, { text: string; broken: boolean }>();
  private current?: Current;
  private version = 0;
  /** Signature of the raw files (as returned by getFiles) and the version it was given. */
  private rawSig?: string;
  private baselineCache = new Map<string, { sig: string; result: ReachResult }>();

  constructor(
    private readonly getFiles: () => SourceFile[],
    private readonly opts: ReachabilityOptions = {},
  ) {}

  private analyzeOpts(): AnalyzeOptions {
    return this.opts.analyzeOptions?.() ?? {};
  }

  private isBroken(file: SourceFile): boolean {
    const cached = this.brokenCache.get(file.path);
    if (cached && cached.text === file.text) return cached.broken;
    const broken = isBrokenYaml(parseFiles([file], { defaultNamespace: this.opts.defaultNamespace }));
    this.brokenCache.set(file.path, { text: file.text, broken });
    return broken;
  }

  /** The files to analyse: each broken file replaced by its last good text (or dropped if it never parsed). */
  effectiveFiles(): { files: SourceFile[]; staleFiles: string[] } {
    const files: SourceFile[] = [];
    const staleFiles: string[] = [];
    const seen = new Set<string>();
    for (const f of this.getFiles()) {
      seen.add(f.path);
      if (!this.isBroken(f)) {
        this.lastGood.set(f.path, f.text);
        files.push(f);
        continue;
      }
      staleFiles.push(f.path);
      const good = this.lastGood.get(f.path);
      if (good !== undefined) files.push({ path: f.path, text: good });
    }
    for (const p of [...this.lastGood.keys()]) if (!seen.has(p)) this.lastGood.delete(p);
    for (const p of [...this.brokenCache.keys()]) if (!seen.has(p)) this.brokenCache.delete(p);
    return { files, staleFiles };
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

  /** Current analysis; re-analyses only when some file's content changed. */
  refresh(): Current {
    const version = this.contentVersion();
    if (this.current && this.current.version === version) return this.current;
    const { files, staleFiles } = this.effectiveFiles();
    const sig = signature(files) + '|' + staleFiles.join('\u0000') + '|' + JSON.stringify(this.analyzeOpts());
    if (this.current && this.current.sig === sig) {
      // Only broken files changed: same analysis, newer content version.
      this.current = { ...this.current, version };
      return this.current;
    }
    const cluster = parseFiles(files, { defaultNamespace: this.opts.defaultNamespace });
    const analysis = analyze(cluster, this.analyzeOpts());
    this.current = { sig, version, cluster, analysis, result: analysis.result(), staleFiles };
    return this.current;
  }

  /** The current state with Calico staged policies applied as if enforced (what-if). */
  private whatIf(cur: Current): { analysis: ReturnType<typeof analyze>; result: ReachResult } {
    if (!cur.whatIf) {
      const analysis = analyze(cur.cluster, { ...this.analyzeOpts(), staged: true });
      cur.whatIf = { analysis, result: analysis.result() };
    }
    return cur.whatIf;
  }

  private async baseline(kind: 'saved' | 'head'): Promise<ReachResult> {
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
    if (cached && cached.sig === sig) return cached.result;
    const result = analyze(parseFiles(files, { defaultNamespace: this.opts.defaultNamespace }), this.analyzeOpts()).result();
    this.baselineCache.set(kind, { sig, result });
    return result;
  }

  async compute(params: ReachabilityParams = {}): Promise<ReachabilityResponse> {
    const cur = this.refresh();
    const response: ReachabilityResponse = {
      result: cur.result,
      version: cur.version,
      stale: cur.staleFiles.length > 0,
      staleFiles: cur.staleFiles,
    };
    const compare = params.compare ?? 'none';
    if (compare === 'staged') {
      const w = this.whatIf(cur);
      response.result = w.result;
      response.diff = diffReach(cur.result, w.result);
    } else if (compare === 'saved' || compare === 'head') {
      try {
        const before = await this.baseline(compare);
        response.diff = diffReach(before, cur.result);
      } catch (e) {
        if (!(e instanceof BaselineUnavailable)) throw e;
        response.baselineError = e.message;
      }
    }
    return response;
  }

  explain(params: ExplainParams): Explanation {
    const cur = this.refresh();
    return (params.staged ? this.whatIf(cur).analysis : cur.analysis).explain(params.src, params.dst);
  }
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

  const reqDisposable = connection.onRequest(REACHABILITY_REQUEST, async (params: ReachabilityParams | undefined) => {
    return model.compute(params ?? {});
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
