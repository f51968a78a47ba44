// The reachability webview panel: creates/revives the webview, feeds it server responses, answers its messages.
import * as vscode from 'vscode';
import type { SourceRange } from '../../server/src/core/model';
import type { ExplainResponse, FlowsParams, FlowsResponse, ReachabilityResponse } from '../../server/src/protocol';
import { DEFAULT_VIEW_STATE, type CompareMode, type ExportFormat, type FromWebview, type ToWebview, type ViewState } from '../webview/messages';
import { checkWebviewMessage, isCompareMode, mayOpen, ShownFiles } from './webview-guard';

export type { CompareMode };

export interface ReachabilitySource {
  /** `token`: cancelled when a newer refresh supersedes this one (the server stops the analysis). */
  reachability(compare: CompareMode, legacy?: boolean, token?: vscode.CancellationToken): Promise<ReachabilityResponse>;
  explain(src: string, dst: string, staged?: boolean): Promise<ExplainResponse>;
}

/** The imported flow logs (client/src/flows.ts FlowImports): what the panel overlays. */
export interface FlowSource {
  /** The flow files imported for this workspace (none: no overlay). */
  files(): string[];
  /** Classifies them against the workspace (policyLens/flows). */
  flows(compare?: FlowsParams['compare']): Promise<FlowsResponse>;
}

export interface PanelDeps {
  extensionUri: vscode.Uri;
  source: ReachabilitySource;
  ensureStarted(): Promise<void>;
  output: vscode.OutputChannel;
  /** Observed flows to overlay (absent: the panel has no overlay). */
  flows?: FlowSource;
}

function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 32; i++) s += chars.charAt(Math.floor(Math.random() * chars.length));
  return s;
}

/** Maps a `file` of a SourceRange (a URI or a filesystem path, as the server received it) to a vscode Uri. */
export function rangeUri(file: string): vscode.Uri {
  return /^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(file) && !/^[a-zA-Z]:[\\/]/.test(file) ? vscode.Uri.parse(file) : vscode.Uri.file(file);
}

export class ReachabilityPanel {
  static readonly viewType = 'policyLens.reachability';
  static current: ReachabilityPanel | undefined;

  private compare: CompareMode;
  private seq = 0;
  /** The refresh in flight: a refresh for a newer content version or another comparison cancels it; one for the
   * same version and comparison waits for it (restarting it would only throw the work away). */
  private inFlight?: { cts: vscode.CancellationTokenSource; compare: CompareMode; version: number; promise: Promise<ReachabilityResponse | undefined> };
  /** The newest content version the server announced. */
  private latestVersion = 0;
  private disposables: vscode.Disposable[] = [];
  private ready = false;
  private lastResponse?: ReachabilityResponse;
  /** Files of the source ranges the webview was given: the only ones (with workspace files) it may have opened. */
  private readonly shown = new ShownFiles();
  /** Refused webview messages logged so far (the log is capped so a misbehaving webview cannot flood it). */
  private refusedLogged = 0;
  /** Last explanation sent to the webview (for tests and diagnostics). */
  lastExplanation?: { src: string; dst: string; explanation: ExplainResponse };
  /** Last observed-flows overlay sent to the webview (for tests and diagnostics); undefined when none is shown. */
  lastFlows?: FlowsResponse;
  /** Sequence of flow requests: only the newest answer is sent. */
  private flowsSeq = 0;
  /** Last export the webview asked for (for tests and diagnostics). */
  lastExport?: { format: string; action: string; text: string; uri?: string };
  private readyWaiters: (() => void)[] = [];

  static async show(deps: PanelDeps): Promise<ReachabilityPanel> {
    if (ReachabilityPanel.current) {
      ReachabilityPanel.current.panel.reveal(undefined, true);
      return ReachabilityPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(
      ReachabilityPanel.viewType,
      'Policy Lens: Reachability',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      ReachabilityPanel.webviewOptions(deps.extensionUri),
    );
    return new ReachabilityPanel(panel, deps, undefined);
  }

  static revive(panel: vscode.WebviewPanel, state: unknown, deps: PanelDeps): ReachabilityPanel {
    panel.webview.options = ReachabilityPanel.webviewOptions(deps.extensionUri);
    // The persisted state comes from the webview too: only a valid compare mode is taken from it.
    const view = (state as { view?: Partial<ViewState> } | undefined)?.view;
    const compare = typeof view === 'object' && view !== null && isCompareMode(view.compare) ? view.compare : undefined;
    return new ReachabilityPanel(panel, deps, compare ? { compare } : undefined);
  }

  private static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
      retainContextWhenHidden: false,
    };
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: PanelDeps,
    restored: Partial<ViewState> | undefined,
  ) {
    ReachabilityPanel.current = this;
    this.compare =
      restored?.compare ??
      vscode.workspace.getConfiguration('policyLens').get<CompareMode>('reachability.compareWith', DEFAULT_VIEW_STATE.compare);
    panel.webview.html = this.html();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => void this.receive(m)),
      panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.visible) void this.refresh();
      }),
    );
  }

  private html(): string {
    const webview = this.panel.webview;
    const base = vscode.Uri.joinPath(this.deps.extensionUri, 'dist', 'webview');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(base, 'panel.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(base, 'panel.css'));
    const graphWorker = webview.asWebviewUri(vscode.Uri.joinPath(base, 'graph-worker.js'));
    const n = nonce();
    const csp = [
      `default-src 'none'`,
      `style-src ${webview.cspSource}`,
      `img-src ${webview.cspSource} data:`,
      `font-src ${webview.cspSource}`,
      `script-src 'nonce-${n}'`,
      // The graph's layout worker: its script is fetched from the extension's own files and started from a blob.
      `connect-src ${webview.cspSource}`,
      `worker-src blob:`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Policy Lens: Reachability</title>
</head>
<body class="pl-webview">
<main id="root" aria-label="Policy Lens reachability" data-graph-worker="${graphWorker}"></main>
<script nonce="${n}" src="${script}"></script>
</body>
</html>`;
  }

  private post(msg: ToWebview) {
    void this.panel.webview.postMessage(msg);
  }

  /** Resolves when the webview script has loaded and said `ready`. */
  whenReady(): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((r) => this.readyWaiters.push(r));
  }

  /** Every message from the webview is checked first; what is refused is logged (capped) and otherwise ignored. */
  private async receive(raw: unknown) {
    const checked = checkWebviewMessage(raw);
    if (!checked.ok) return this.refused(checked.reason);
    await this.onMessage(checked.message);
  }

  private refused(reason: string) {
    if (this.refusedLogged >= 50) return;
    this.refusedLogged++;
    this.deps.output.appendLine(`ignored a message from the reachability webview: ${reason}${this.refusedLogged === 50 ? ' (further ones are not logged)' : ''}`);
  }

  private async onMessage(m: FromWebview) {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.compare = m.state.compare;
        this.readyWaiters.splice(0).forEach((r) => r());
        await this.refresh();
        break;
      case 'state':
        if (m.state.compare !== this.compare) {
          this.compare = m.state.compare;
          await this.refresh();
        }
        break;
      case 'explain':
        try {
          await this.deps.ensureStarted();
          const explanation = await this.deps.source.explain(m.src, m.dst, this.compare === 'staged');
          this.lastExplanation = { src: m.src, dst: m.dst, explanation };
          this.shown.add(explanation);
          this.post({ type: 'explanation', src: m.src, dst: m.dst, explanation });
        } catch (e) {
          this.post({ type: 'error', message: `explain failed: ${errText(e)}` });
        }
        break;
      case 'open': {
        const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
        if (!mayOpen(m.range.file, this.shown.set, folders)) return this.refused(`open: ${m.range.file.slice(0, 200)} is neither a file the panel showed nor inside the workspace`);
        try {
          await this.open(m.range);
        } catch (e) {
          this.deps.output.appendLine(`could not open ${m.range.file}: ${errText(e)}`);
        }
        break;
      }
      case 'export':
        await this.export(m.format, m.action, m.text);
        break;
    }
  }

  /** Saves exported text (or a picture of the graph: SVG text, PNG as base64) through a save dialog, or copies text. */
  async export(format: ExportFormat, action: 'save' | 'copy', text: string) {
    this.lastExport = { format, action, text };
    if (format === 'svg' || format === 'png') {
      await this.saveGraphPicture(format, text);
      return;
    }
    const what = format === 'csv' ? 'CSV' : 'markdown';
    if (action === 'copy') {
      await vscode.env.clipboard.writeText(text);
      void vscode.window.showInformationMessage(`Policy Lens: reachability copied as ${what}.`);
      return;
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = format === 'csv' ? 'reachability.csv' : 'reachability.md';
    const uri = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters: format === 'csv' ? { CSV: ['csv'] } : { Markdown: ['md'] },
      title: `Policy Lens: save the reachability as ${what}`,
    });
    if (!uri) return;
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    this.lastExport.uri = uri.toString();
    void vscode.window.showInformationMessage(`Policy Lens: reachability saved to ${uri.fsPath || uri.toString()}.`);
  }

  private async saveGraphPicture(format: 'svg' | 'png', data: string) {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `reachability-graph.${format}`;
    const uri = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters: format === 'svg' ? { 'SVG image': ['svg'] } : { 'PNG image': ['png'] },
      title: `Policy Lens: save the reachability graph as ${format.toUpperCase()}`,
    });
    if (!uri) return;
    const bytes = format === 'png' ? Buffer.from(data, 'base64') : new TextEncoder().encode(data);
    await vscode.workspace.fs.writeFile(uri, bytes);
    if (this.lastExport) this.lastExport.uri = uri.toString();
    void vscode.window.showInformationMessage(`Policy Lens: graph saved to ${uri.fsPath || uri.toString()}.`);
  }

  /** The server announced a newer workspace content version: the webview shows "updating" until data catches up. */
  notifyVersion(version: number) {
    this.latestVersion = Math.max(this.latestVersion, version);
    if (this.ready) this.post({ type: 'version', version });
  }

  /** Progress of a long analysis (policyLens/reachabilityProgress). */
  notifyProgress(version: number, done: number, total: number) {
    if (this.ready) this.post({ type: 'progress', version, done, total });
  }

  async open(range: SourceRange) {
    const uri = rangeUri(range.file);
    const sel = new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
    // Open in the editor group the panel is not in.
    const column = this.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: column, selection: sel, preserveFocus: false });
    editor.revealRange(sel, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  /** Re-queries the server and pushes the response; on failure the webview keeps its last good state. */
  async refresh(): Promise<ReachabilityResponse | undefined> {
    if (!this.ready) return undefined;
    const running = this.inFlight;
    if (running && running.compare === this.compare && running.version >= this.latestVersion) return running.promise;
    running?.cts.cancel();
    const mine = ++this.seq;
    const cts = new vscode.CancellationTokenSource();
    const promise = this.request(mine, cts);
    this.inFlight = { cts, compare: this.compare, version: this.latestVersion, promise };
    return promise;
  }

  private async request(mine: number, cts: vscode.CancellationTokenSource): Promise<ReachabilityResponse | undefined> {
    // Show progress only when the answer takes a moment (cached answers come back at once).
    const slow = setTimeout(() => mine === this.seq && this.post({ type: 'refreshing' }), 300);
    try {
      await this.deps.ensureStarted();
      const response = await this.deps.source.reachability(this.compare, false, cts.token);
      if (mine !== this.seq) return response; // a newer refresh is under way
      this.lastResponse = response;
      this.shown.reset(response);
      this.post({ type: 'update', response });
      // The overlay follows every re-analysis while flow files are imported (the server keeps the parsed flows and
      // only re-classifies them).
      await this.refreshFlows();
      return response;
    } catch (e) {
      // A superseded request was cancelled on purpose: the newer refresh answers.
      if (mine !== this.seq || cts.token.isCancellationRequested) return undefined;
      this.deps.output.appendLine(`reachability request failed: ${errText(e)}`);
      this.post({ type: 'error', message: errText(e) });
      return undefined;
    } finally {
      clearTimeout(slow);
      if (this.inFlight?.cts === cts) this.inFlight = undefined;
      cts.dispose();
    }
  }

  /**
   * Classifies the imported flow files against the workspace (in the panel's comparison, so the overlay's
   * predictions are those of the state the matrix shows, and a baseline adds newly blocked / allowed) and sends the
   * overlay to the webview; with no flow files, tells the webview to drop it. Failures are shown, never thrown.
   */
  async refreshFlows(): Promise<FlowsResponse | undefined> {
    const source = this.deps.flows;
    if (!this.ready || !source) return undefined;
    const mine = ++this.flowsSeq;
    const files = source.files();
    if (files.length === 0) {
      if (this.lastFlows) this.post({ type: 'flows' });
      this.lastFlows = undefined;
      return undefined;
    }
    try {
      const flows = await source.flows(this.compare);
      if (mine !== this.flowsSeq) return flows;
      this.lastFlows = flows;
      this.post({ type: 'flows', flows });
      return flows;
    } catch (e) {
      if (mine !== this.flowsSeq) return undefined;
      this.deps.output.appendLine(`observed flows request failed: ${errText(e)}`);
      this.lastFlows = undefined;
      this.post({ type: 'flows', error: errText(e) });
      return undefined;
    }
  }

  async setCompare(mode: CompareMode) {
    this.compare = mode;
    await this.whenReady();
    this.post({ type: 'compare', compare: mode });
    await this.refresh();
  }

  focusWorkload(id: string) {
    void this.whenReady().then(() => this.post({ type: 'focus', workload: id }));
  }

  get response(): ReachabilityResponse | undefined {
    return this.lastResponse;
  }

  get compareMode(): CompareMode {
    return this.compare;
  }

  dispose() {
    if (ReachabilityPanel.current === this) ReachabilityPanel.current = undefined;
    this.seq++;
    this.inFlight?.cts.cancel();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
