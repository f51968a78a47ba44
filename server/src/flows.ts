// Server side of observed traffic: the `policyLens/flows` request (import flow files, classify them against the
// workspace, impact preview against a baseline) and `policyLens/recommend` (least-privilege policy from them).
//
// Wiring (server.ts): registerFlows(connection, () => index.getFiles(), { defaultNamespace, state: (staged) => reach.state(staged) })
//
// * Flow files are streamed from disk (gzip detected by its magic bytes) into an aggregation that is kept per file
//   (keyed by path, size and modification time), so a re-classification after an edit reads nothing again.
// * The analysis is the reachability service's (one analysis in the server, `state` option); without it (tests) the
//   workspace is parsed and analysed on demand and cached by the text of its files.
// * Baselines: `saved` reads the files from disk, `head` asks git for their HEAD version, `staged` classifies the
//   what-if state (Calico staged policies applied) against the enforced one.
import { stat } from 'node:fs/promises';
import type { Connection as LspConnection } from 'vscode-languageserver';
import { analyze, parseFiles, type Analysis, type Cluster, type InputFile } from './core/index';
import { classifyFlows, FlowAggregator, type FlowReport } from './core/flows/index';
import { recommendPolicies } from './core/flows/recommend';
import { readFlowFile } from './flow-files';
import { NoHeadBaseline, readHeadVersion } from './git-show';
import {
  FLOWS_REQUEST,
  RECOMMEND_REQUEST,
  type FlowPairOverlay,
  type FlowsParams,
  type FlowsResponse,
  type RecommendParams,
  type RecommendResponse,
} from './protocol';
import { BaselineUnavailable, contentSignature as signature, defaultReadSaved, toFsPath, type SourceFile } from './reachability';

export interface FlowServiceOptions {
  defaultNamespace?: string;
  /** Reads a file's saved version (default: from disk). */
  readSaved?: (path: string) => Promise<string | undefined>;
  /** Reads a file's git HEAD version (default: git show); throws NoHeadBaseline or BaselineUnavailable when there is
   * no HEAD baseline (server.ts passes the Workspace Trust reader: no git in Restricted Mode). */
  readHead?: (path: string) => Promise<string | undefined>;
  /**
   * The workspace's current analysis and the texts it was built from, when the reachability service keeps it
   * (`ReachabilityHandle.state`; `staged`: the what-if with Calico staged policies applied). Without it the flow
   * service parses and analyses the files itself, cached by their text.
   */
  state?: (staged?: boolean) => { files: SourceFile[]; analysis: Analysis };
}


/** The overlay per endpoint pair, from classified flows. */
export function pairOverlay(report: FlowReport): FlowPairOverlay[] {
  const pairs = new Map<string, FlowPairOverlay>();
  report.flows.forEach((f, i) => {
    const srcs = f.srcCandidates ?? [f.src];
    const dsts = f.dstCandidates ?? [f.dst];
    const ambiguous = srcs.length > 1 || dsts.length > 1;
    for (const s of srcs) {
      for (const d of dsts) {
        const k = `${s}\u0000${d}`;
        let p = pairs.get(k);
        if (!p) pairs.set(k, (p = { src: s, dst: d, state: 'observed-allowed', allowedCount: 0, deniedCount: 0, flows: [], disagreements: 0, uncertain: 0, newlyBlocked: 0, newlyAllowed: 0 }));
        p.flows.push(i);
        if (f.observed === 'allowed') p.allowedCount += f.count;
        else p.deniedCount += f.count;
        if (f.disagreement) p.disagreements++;
        if (f.predicted === 'uncertain') p.uncertain++;
        if (f.change === 'newly-blocked') p.newlyBlocked++;
        if (f.change === 'newly-allowed') p.newlyAllowed++;
        if (ambiguous) p.ambiguous = true;
      }
    }
  });
  for (const p of pairs.values()) p.state = p.allowedCount && p.deniedCount ? 'mixed' : p.deniedCount ? 'observed-denied' : 'observed-allowed';
  return [...pairs.values()];
}


async function gitReadHead(path: string): Promise<string | undefined> {
  const fsPath = toFsPath(path);
  return fsPath ? readHeadVersion(fsPath) : undefined;
}

/** Flow import and classification, independent of the LSP connection (tests drive it directly). */
export class FlowService {
  /** Aggregation per flow file, with the file's identity when it was read. */
  private perFile = new Map<string, { stamp: string; agg: FlowAggregator; error?: string }>();
  private analysisCache?: { sig: string; cluster: Cluster; analysis: Analysis; version: number };
  private version = 0;

  constructor(
    private readonly getFiles: () => SourceFile[],
    private readonly opts: FlowServiceOptions = {},
  ) {}

  /** Reads (or reuses) one flow file's aggregation. */
  private async fileAgg(file: string): Promise<{ agg: FlowAggregator; error?: string }> {
    const fsPath = toFsPath(file) ?? file;
    let stamp: string;
    try {
      const st = await stat(fsPath);
      stamp = `${st.size}:${st.mtimeMs}`;
    } catch (e) {
      const agg = new FlowAggregator();
      return { agg, error: `${fsPath}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}` };
    }
    const cached = this.perFile.get(fsPath);
    if (cached && cached.stamp === stamp) return cached;
    const agg = new FlowAggregator();
    let error: string | undefined;
    try {
      await readFlowFile(fsPath, agg);
    } catch (e) {
      error = `${fsPath}: ${(e as Error).message}`;
    }
    const entry = { stamp, agg, error };
    this.perFile.set(fsPath, entry);
    return entry;
  }

  /** One aggregation over all files (merged from the per-file ones). */
  private async aggregate(files: string[]): Promise<{ agg: FlowAggregator; errors: Map<string, string> }> {
    const errors = new Map<string, string>();
    const parts: FlowAggregator[] = [];
    for (const f of files) {
      const { agg, error } = await this.fileAgg(f);
      if (error) errors.set(toFsPath(f) ?? f, error);
      parts.push(agg);
    }
    for (const k of [...this.perFile.keys()]) if (!files.some((f) => (toFsPath(f) ?? f) === k)) this.perFile.delete(k);
    return { agg: FlowAggregator.merge(parts), errors };
  }

  /** Versions of the analyses handed over by `state` (a new analysis object is a new version). */
  private seen = new WeakMap<Analysis, number>();

  private current(): { cluster: Cluster; analysis: Analysis; version: number; files: SourceFile[] } {
    if (this.opts.state) {
      const { files, analysis } = this.opts.state();
      let version = this.seen.get(analysis);
      if (version === undefined) this.seen.set(analysis, (version = ++this.version));
      return { cluster: analysis.cluster, analysis, version, files };
    }
    const files = this.getFiles();
    const sig = signature(files);
    if (!this.analysisCache || this.analysisCache.sig !== sig) {
      const cluster = parseFiles(files, { defaultNamespace: this.opts.defaultNamespace });
      this.analysisCache = { sig, cluster, analysis: analyze(cluster), version: ++this.version };
    }
    return { ...this.analysisCache, files };
  }

  private async baselineFiles(kind: 'saved' | 'head', paths: string[]): Promise<InputFile[]> {
    const read = kind === 'saved' ? this.opts.readSaved ?? defaultReadSaved : this.opts.readHead ?? gitReadHead;
    const out: InputFile[] = [];
    for (const p of paths) {
      const t = await read(p);
      if (t !== undefined) out.push({ path: p, text: t });
    }
    return out;
  }

  async flows(params: FlowsParams): Promise<FlowsResponse> {
    const { agg, errors } = await this.aggregate(params.files ?? []);
    const cur = this.current();
    let analysis = cur.analysis;
    let baseline: Analysis | undefined;
    let baselineLabel: string | undefined;
    let baselineError: string | undefined;
    const compare = params.compare ?? 'none';
    if (compare === 'staged') {
      analysis = this.opts.state ? this.opts.state(true).analysis : analyze(cur.cluster, { ...cur.analysis.modelOptions, staged: true });
      baseline = cur.analysis;
      baselineLabel = 'the enforced policies';
    } else if (compare === 'saved' || compare === 'head') {
      try {
        const files = await this.baselineFiles(compare, cur.files.map((f) => f.path));
        baseline = analyze(parseFiles(files, { defaultNamespace: this.opts.defaultNamespace }), cur.analysis.modelOptions);
        baselineLabel = compare === 'saved' ? 'the saved files' : 'git HEAD';
      } catch (e) {
        // No HEAD (no git, no repository, Restricted Mode): the response says why instead of failing.
        if (!(e instanceof NoHeadBaseline) && !(e instanceof BaselineUnavailable)) throw e;
        baselineError = e.message;
      }
    }
    const report = classifyFlows(agg, analysis, { baseline, baselineLabel, unobserved: params.unobserved !== false, unobservedLimit: typeof params.unobserved === 'number' ? params.unobserved : undefined });
    const files = report.files.map((f) => (errors.has(f.file) ? { ...f, error: errors.get(f.file) } : f));
    for (const [file, error] of errors) if (!files.some((f) => f.file === file)) files.push({ file, formats: [], records: 0, skipped: {}, unmatched: 0, error });
    return { version: cur.version, files, flows: report.flows, pairs: pairOverlay(report), unmatched: report.unmatched, unobserved: report.unobserved, summary: report.summary, ...(report.unobservedOmitted ? { unobservedOmitted: true } : {}), ...(baselineError ? { baselineError } : {}) };
  }

  async recommend(params: RecommendParams): Promise<RecommendResponse> {
    const { agg, errors } = await this.aggregate(params.files ?? []);
    const cur = this.current();
    const rec = recommendPolicies(agg, cur.files, { dialect: params.dialect, staged: params.staged, cnpTier: params.cnpTier, defaultNamespace: this.opts.defaultNamespace, analyze: cur.analysis.modelOptions });
    const { objects: _objects, ...rest } = rec;
    void _objects;
    const files = agg.fileSummaries().map((f) => (errors.has(f.file) ? { ...f, error: errors.get(f.file) } : f));
    return { ...rest, files };
  }
}

export function registerFlows(connection: LspConnection, getFiles: () => SourceFile[], opts: FlowServiceOptions = {}): FlowService {
  const service = new FlowService(getFiles, opts);
  connection.onRequest(FLOWS_REQUEST, (params: FlowsParams) => service.flows(params ?? { files: [] }));
  connection.onRequest(RECOMMEND_REQUEST, (params: RecommendParams) => service.recommend(params ?? { files: [] }));
  return service;
}
