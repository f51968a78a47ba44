// Observed traffic in VS Code: `Policy Lens: Import Flow Logs…` picks flow files (Calico Whisker / Goldmane JSON,
// Hubble `-o jsonpb`, gzip accepted), remembers them for the workspace and asks the server to classify them
// (policyLens/flows); `Policy Lens: Recommend Least-Privilege Policy…` opens the verified recommendation
// (policyLens/recommend) as a new, unsaved YAML document. The server reads the files itself (no file content goes
// over the connection); the panel renders FlowsResponse (see server/src/protocol.ts).
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  FLOWS_REQUEST,
  RECOMMEND_REQUEST,
  type FlowsParams,
  type FlowsResponse,
  type RecommendParams,
  type RecommendResponse,
} from '../../server/src/protocol';

const STATE_KEY = 'policyLens.flowFiles';

export interface FlowsHost {
  client(): LanguageClient | undefined;
  ensureStarted(): Promise<void>;
  output: vscode.OutputChannel;
  /** Called after an import or a clear (e.g. to refresh the panel). */
  changed(): void;
}

export class FlowImports {
  private readonly emitter = new vscode.EventEmitter<string[]>();
  /** Fires with the imported files whenever they change. */
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly host: FlowsHost,
  ) {
    context.subscriptions.push(this.emitter);
  }

  /** The flow files imported for this workspace (paths). */
  files(): string[] {
    return this.context.workspaceState.get<string[]>(STATE_KEY, []);
  }

  async setFiles(files: string[]): Promise<void> {
    await this.context.workspaceState.update(STATE_KEY, files);
    this.emitter.fire(files);
    this.host.changed();
  }

  /** Classifies the imported files against the workspace (what the panel overlays). */
  async flows(compare: FlowsParams['compare'] = 'none', files = this.files()): Promise<FlowsResponse> {
    await this.host.ensureStarted();
    const c = this.host.client();
    if (!c) throw new Error('Policy Lens language server is not running');
    // The panel marks allowed-but-never-observed pairs; beyond this many it shows their count only (payload size).
    const params: FlowsParams = { files, compare, unobserved: 50_000 };
    return c.sendRequest<FlowsResponse>(FLOWS_REQUEST, params);
  }

  async recommend(params: Omit<RecommendParams, 'files'>, files = this.files()): Promise<RecommendResponse> {
    await this.host.ensureStarted();
    const c = this.host.client();
    if (!c) throw new Error('Policy Lens language server is not running');
    return c.sendRequest<RecommendResponse>(RECOMMEND_REQUEST, { ...params, files });
  }

  register(): void {
    this.context.subscriptions.push(
      // From the palette: a file dialog; from the Explorer's context menu: the clicked file (all selected files);
      // from code: a list of paths.
      vscode.commands.registerCommand('policyLens.importFlows', (files?: string[] | vscode.Uri, selected?: vscode.Uri[]) => this.importCommand(flowFileArgs(files, selected))),
      vscode.commands.registerCommand('policyLens.clearFlows', () => this.setFiles([])),
      vscode.commands.registerCommand('policyLens.recommendPolicies', (opts?: Omit<RecommendParams, 'files'>) => this.recommendCommand(opts)),
    );
  }

  /** Picks flow files (or takes them from the caller), stores them, classifies them and says what was found. */
  async importCommand(given?: string[]): Promise<FlowsResponse | undefined> {
    let files = given;
    if (!files) {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: true,
        openLabel: 'Import flow logs',
        title: 'Policy Lens: import observed flows (Whisker / Goldmane JSON, hubble observe -o jsonpb; .gz accepted)',
        filters: { 'Flow logs': ['json', 'jsonl', 'ndjson', 'log', 'txt', 'gz'], 'All files': ['*'] },
      });
      if (!picked?.length) return undefined;
      files = picked.map((u) => u.fsPath);
    }
    const resp = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Policy Lens: reading flow logs…' },
      () => this.flows('none', files),
    );
    await this.setFiles(files);
    const s = resp.summary;
    const out = this.host.output;
    out.appendLine(`[flows] ${files.join(', ')}`);
    for (const f of resp.files) {
      out.appendLine(`  ${f.file}: ${f.formats.join('+') || 'no known format'}, ${f.records} records${f.unmatched ? `, ${f.unmatched} unmatched` : ''}${Object.keys(f.skipped).length ? `, skipped ${Object.entries(f.skipped).map(([k, n]) => `${n} ${k}`).join(', ')}` : ''}${f.error ? ` — ${f.error}` : ''}`);
    }
    for (const u of resp.unmatched) out.appendLine(`  unmatched ${u.file}:${u.line}: ${u.reason}${u.count > 1 ? ` (${u.count} records)` : ''}`);
    const errors = resp.files.filter((f) => f.error);
    const msg = `Policy Lens: ${s.records} flow records → ${s.flows} flows (${s.observedAllowed} allowed, ${s.observedDenied} denied); ${s.disagree} disagree with the manifests, ${s.uncertain} uncertain, ${s.unmatchedRecords} records unmatched.`;
    if (errors.length) void vscode.window.showWarningMessage(`${msg} ${errors.map((e) => e.error).join('; ')}`);
    else void vscode.window.showInformationMessage(msg);
    return resp;
  }

  /** Asks for a dialect, then opens the verified recommendation as a new unsaved YAML document. */
  async recommendCommand(opts?: Omit<RecommendParams, 'files'>): Promise<RecommendResponse | undefined> {
    if (!this.files().length) {
      void vscode.window.showWarningMessage('Policy Lens: import flow logs first (Policy Lens: Import Flow Logs…).');
      return undefined;
    }
    let params = opts;
    if (!params) {
      const pick = await vscode.window.showQuickPick(
        [
          { label: 'Kubernetes NetworkPolicy', params: { dialect: 'kubernetes' as const } },
          { label: 'Calico NetworkPolicy', params: { dialect: 'calico' as const } },
          { label: 'Calico StagedNetworkPolicy', description: 'not enforced: preview it with the what-if mode', params: { dialect: 'calico' as const, staged: true } },
          { label: 'ClusterNetworkPolicy (Baseline tier)', description: 'never overrides NetworkPolicies', params: { dialect: 'cnp' as const } },
          { label: 'ClusterNetworkPolicy (Admin tier)', description: 'decided before NetworkPolicies', params: { dialect: 'cnp' as const, cnpTier: 'Admin' as const } },
        ],
        { title: 'Policy Lens: recommend least-privilege policy as…' },
      );
      if (!pick) return undefined;
      params = pick.params;
    }
    const rec = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Policy Lens: recommending and verifying…' }, () => this.recommend(params!));
    const v = rec.verification;
    const summary = [
      `Verification: ${v.status === 'not-verified' ? `NOT VERIFIED — ${v.reason}` : v.status === 'verified' ? `verified — ${v.checkedFlows} observed flows stay allowed, nothing else is newly allowed (${v.checkedPairs} pairs checked)` : `${v.missing.length} observed flows not allowed, ${v.widened.length} pairs newly allowed beyond the observed flows`}`,
      `Matrix diff: ${rec.diff.removed.length} endpoint pairs lose connections, ${rec.diff.added.length} gain some.`,
      ...rec.skipped.map((s) => `Left out: ${s.src} => ${s.dst} ${s.protocol}${s.port !== undefined ? ` ${s.port}` : ''}: ${s.reason}`),
      ...rec.warnings.map((w) => `Warning: ${w}`),
    ];
    const content = `${summary.map((l) => `# ${l}`).join('\n')}\n${rec.yaml}`;
    const doc = await vscode.workspace.openTextDocument({ language: 'yaml', content });
    await vscode.window.showTextDocument(doc, { preview: false });
    if (v.status === 'violations') void vscode.window.showWarningMessage(`Policy Lens: the recommendation did not verify (${summary[0]}).`);
    return rec;
  }
}

/** The files a `policyLens.importFlows` call names: paths, or the Explorer's clicked / selected files (URIs). */
export function flowFileArgs(files?: string[] | vscode.Uri, selected?: vscode.Uri[]): string[] | undefined {
  if (Array.isArray(files)) return files.filter((f): f is string => typeof f === 'string');
  if (files instanceof vscode.Uri) {
    const uris = selected?.length ? selected : [files];
    return uris.map((u) => (u.scheme === 'file' ? u.fsPath : u.toString()));
  }
  return undefined;
}
