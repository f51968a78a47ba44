// Policy Lens VS Code client: starts the language server over node IPC, and owns the reachability panel.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import {
  EXPLAIN_REQUEST,
  REACHABILITY_CHANGED_NOTIFICATION,
  REACHABILITY_PROGRESS_NOTIFICATION,
  type ReachabilityProgressParams,
  REACHABILITY_REQUEST,
  SUGGEST_CONTEXT_NOTIFICATION,
  SUGGEST_REQUEST,
  WORKSPACE_TRUSTED_NOTIFICATION,
  type ExplainParams,
  type ExplainResponse,
  type ReachabilityChangedParams,
  type ReachabilityParams,
  type ReachabilityResponse,
  type SuggestContextParams,
  type SuggestParams,
  type SuggestResponse,
  type SuggestWorkspaceEdit,
} from '../../server/src/protocol';
import { ReachabilityPanel, type CompareMode, type ReachabilitySource } from './panel';
import { registerFirstRun } from './first-run';
import { mcpServerDefinitions, registerAiIntegration } from './ai';
import { TOOL_REQUEST, type ToolParams, type ToolResponse } from '../../server/src/protocol';
import { FlowImports } from './flows';

let client: LanguageClient | undefined;

/** What `activate` returns: used by the e2e suite and by other extensions. */
export interface PolicyLensApi {
  client(): LanguageClient | undefined;
  /** The reachability; by default with the expanded `result`/`diff` too (legacy: true) for tests. */
  reachability(compare?: CompareMode, legacy?: boolean): Promise<ReachabilityResponse>;
  explain(src: string, dst: string, staged?: boolean): Promise<ExplainResponse>;
  /** "How do I allow / block this?": verified proposals with their WorkspaceEdits (policyLens/suggest). */
  suggest(params: SuggestParams): Promise<SuggestResponse>;
  /** Applies a proposal's WorkspaceEdit (what the `policyLens.applySuggestion` command does). */
  applySuggestion(edit: SuggestWorkspaceEdit): Promise<boolean>;
  panel(): ReachabilityPanel | undefined;
  /** Resolves once the client saw a `reachabilityChanged` notification with version > `after`. */
  waitForChange(after: number, timeoutMs?: number): Promise<number>;
  /** The MCP server definitions the extension offers to VS Code (command, args, env per workspace folder). */
  mcpServerDefinitions(): { label: string; command: string; args: string[]; env: Record<string, string | number | null> }[];
  /** Imported flow files and their classification (policyLens/flows), for the panel overlay. */
  flows: FlowImports;
}

export async function activate(context: vscode.ExtensionContext): Promise<PolicyLensApi> {
  const output = vscode.window.createOutputChannel('Policy Lens');
  context.subscriptions.push(output);
  registerFirstRun(context);

  const serverModule = context.asAbsolutePath('dist/server/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'yaml' },
      { scheme: 'untitled', language: 'yaml' },
    ],
    synchronize: {
      configurationSection: 'policyLens',
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml}'),
    },
    // A function: evaluated at every (re)start, so a restarted server sees the current Workspace Trust.
    initializationOptions: () => ({
      reachabilityDebounceMs: vscode.workspace.getConfiguration('policyLens').get<number>('reachability.debounceMs', 250),
      cni: vscode.workspace.getConfiguration('policyLens').get<string>('cni', 'auto'),
      cilium: vscode.workspace.getConfiguration('policyLens').get<Record<string, unknown>>('cilium', {}),
      ipBlockAppliesToPods: vscode.workspace.getConfiguration('policyLens').get<boolean>('kubernetes.ipBlockAppliesToPods', false),
      // Restricted Mode: the server runs no git (no Git HEAD baseline). See package.json capabilities.untrustedWorkspaces.
      workspaceTrusted: vscode.workspace.isTrusted,
    }),
    outputChannel: output,
  };
  client = new LanguageClient('policyLens', 'Policy Lens', serverOptions, clientOptions);

  let lastVersion = 0;
  const versionEmitter = new vscode.EventEmitter<number>();
  context.subscriptions.push(versionEmitter);

  const source: ReachabilitySource = {
    async reachability(compare, legacy, token) {
      if (!client) throw new Error('Policy Lens language server is not running');
      // The panel renders the compact PanelData; `legacy` (every connection expanded) is for the test API only.
      const params: ReachabilityParams = legacy ? { compare, legacy } : { compare };
      const r = await client.sendRequest<ReachabilityResponse>(REACHABILITY_REQUEST, params, token);
      return r;
    },
    async explain(src, dst, staged) {
      if (!client) throw new Error('Policy Lens language server is not running');
      const params: ExplainParams = { src, dst, staged };
      const r = await client.sendRequest<ExplainResponse>(EXPLAIN_REQUEST, params);
      // The pair the user looks at: code actions on its policies offer the verified allow/block edits.
      const ctx: SuggestContextParams = { src, dst, staged };
      void client.sendNotification(SUGGEST_CONTEXT_NOTIFICATION, ctx);
      return r;
    },
  };

  const suggestFlow = async (params: SuggestParams): Promise<SuggestResponse> => {
    await ensureStarted();
    if (!client) throw new Error('Policy Lens language server is not running');
    return client.sendRequest<SuggestResponse>(SUGGEST_REQUEST, params);
  };
  /** Applies a WorkspaceEdit computed by the server (versioned: refused when a buffer changed since). */
  const applySuggestion = async (edit: SuggestWorkspaceEdit): Promise<boolean> => {
    await ensureStarted();
    if (!client || !edit) return false;
    const we = await client.protocol2CodeConverter.asWorkspaceEdit(edit as Parameters<typeof client.protocol2CodeConverter.asWorkspaceEdit>[0]);
    const ok = we ? await vscode.workspace.applyEdit(we) : false;
    if (!ok) void vscode.window.showWarningMessage('Policy Lens: the suggestion could not be applied (a file changed since it was computed). Ask again.');
    return ok;
  };

  const started = client.start().then(
    () => {
      client!.onNotification(REACHABILITY_CHANGED_NOTIFICATION, (p: ReachabilityChangedParams) => {
        lastVersion = Math.max(lastVersion, p.version);
        versionEmitter.fire(p.version);
        ReachabilityPanel.current?.notifyVersion(p.version);
        void ReachabilityPanel.current?.refresh();
      });
      client!.onNotification(REACHABILITY_PROGRESS_NOTIFICATION, (p: ReachabilityProgressParams) => {
        ReachabilityPanel.current?.notifyProgress(p.version, p.done, p.total);
      });
    },
    (e) => {
      output.appendLine(`Policy Lens language server failed to start: ${e instanceof Error ? e.message : String(e)}`);
      void vscode.window.showErrorMessage('Policy Lens: the language server failed to start (see the "Policy Lens" output).');
    },
  );
  context.subscriptions.push({ dispose: () => void client?.stop() });

  const ensureStarted = async () => {
    await started;
  };

  // Trust granted while running (Restricted Mode left): tell the server, which then may read the Git HEAD baseline.
  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(async () => {
      await ensureStarted();
      await client?.sendNotification(WORKSPACE_TRUSTED_NOTIFICATION, {});
      await ReachabilityPanel.current?.refresh();
    }),
  );

  const flows = new FlowImports(context, { client: () => client, ensureStarted, output, changed: () => void ReachabilityPanel.current?.refresh() });
  flows.register();
  const panelDeps = { extensionUri: context.extensionUri, source, ensureStarted, output, flows };

  registerAiIntegration(
    context,
    async (params: ToolParams) => {
      await ensureStarted();
      if (!client) throw new Error('Policy Lens language server is not running');
      return client.sendRequest<ToolResponse>(TOOL_REQUEST, params);
    },
    output,
  );

  context.subscriptions.push(
    vscode.commands.registerCommand('policyLens.showReachability', async () => {
      await ensureStarted();
      return ReachabilityPanel.show(panelDeps);
    }),
    vscode.commands.registerCommand('policyLens.refreshReachability', async () => {
      await ensureStarted();
      await ReachabilityPanel.current?.refresh();
    }),
    vscode.commands.registerCommand('policyLens.compareReachability', async (mode?: CompareMode) => {
      if (!mode) {
        const pick = await vscode.window.showQuickPick(
          [
            { label: 'Saved file', description: 'highlight flows the unsaved edits add or remove', mode: 'saved' as const },
            { label: 'Git HEAD', description: 'highlight flows added or removed since the last commit', mode: 'head' as const },
            { label: 'Staged policies (what-if)', description: 'apply Calico staged policies and highlight what they would allow or block', mode: 'staged' as const },
            { label: 'No comparison', mode: 'none' as const },
          ],
          { title: 'Policy Lens: compare reachability with…' },
        );
        if (!pick) return;
        mode = pick.mode;
      }
      await ensureStarted();
      const panel = await ReachabilityPanel.show(panelDeps);
      await panel.setCompare(mode);
    }),
    vscode.commands.registerCommand('policyLens.showBlastRadius', async (workloadId?: string) => {
      await ensureStarted();
      if (!workloadId) {
        const r = await source.reachability('none');
        const items = r.data.endpoints
          .filter((e) => e.kind !== 'External')
          .map((e) => ({ label: e.id, description: e.kind }));
        const pick = await vscode.window.showQuickPick(items, { title: 'Policy Lens: blast radius of…' });
        if (!pick) return;
        workloadId = pick.label;
      }
      const panel = await ReachabilityPanel.show(panelDeps);
      panel.focusWorkload(workloadId);
    }),
    vscode.commands.registerCommand('policyLens.applySuggestion', (edit: SuggestWorkspaceEdit) => applySuggestion(edit)),
    vscode.commands.registerCommand('policyLens.suggest', async (src?: string, dst?: string, port?: number) => {
      await ensureStarted();
      if (!src || !dst) {
        const r = await source.reachability('none');
        const items = r.data.endpoints.map((e) => ({ label: e.id, description: e.kind }));
        const s = await vscode.window.showQuickPick(items, { title: 'Policy Lens: allow or block a flow — source' });
        if (!s) return;
        const d = await vscode.window.showQuickPick(items.filter((i) => i.label !== s.label), { title: `Policy Lens: from ${s.label} to…` });
        if (!d) return;
        const p = await vscode.window.showInputBox({ title: 'Port (optional)', prompt: 'A TCP port, or empty for the destination\'s declared ports', validateInput: (v) => (v === '' || /^\d+$/.test(v) ? undefined : 'a port number or nothing') });
        if (p === undefined) return;
        src = s.label;
        dst = d.label;
        port = p ? Number(p) : undefined;
      }
      const answer = await suggestFlow({ src, dst, port });
      if (answer.problem || answer.proposals.length === 0) {
        void vscode.window.showInformationMessage(`Policy Lens: ${answer.problem ?? answer.notes.join(' ')}`);
        return;
      }
      const pick = await vscode.window.showQuickPick(
        answer.proposals.map((p) => ({ label: p.title, description: p.exact ? 'verified, exact' : 'verified, also changes other flows', detail: p.preview.split('\n').filter((l) => /^[+-][^+-]/.test(l)).slice(0, 4).join('  '), proposal: p })),
        { title: `Policy Lens: how to ${answer.mode} ${src} → ${dst}`, matchOnDetail: true },
      );
      if (pick) await applySuggestion(pick.proposal.edit);
    }),
    vscode.commands.registerCommand('policyLens.restartServer', async () => {
      await client?.restart();
    }),
    vscode.window.registerWebviewPanelSerializer(ReachabilityPanel.viewType, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        ReachabilityPanel.revive(panel, state, panelDeps);
      },
    }),
  );

  // Fallback refresh while typing: even without a server notification (e.g. a compare baseline changing on save)
  // the panel re-queries; the server answers from its cache when nothing changed.
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  const scheduleRefresh = (doc: vscode.TextDocument) => {
    if (doc.languageId !== 'yaml' || !ReachabilityPanel.current) return;
    if (typingTimer) clearTimeout(typingTimer);
    const ms = vscode.workspace.getConfiguration('policyLens').get<number>('reachability.debounceMs', 250);
    typingTimer = setTimeout(() => void ReachabilityPanel.current?.refresh(), ms + 150);
  };
  context.subscriptions.push(
    vscode.workspace.onDidChangeTextDocument((e) => scheduleRefresh(e.document)),
    vscode.workspace.onDidSaveTextDocument((d) => scheduleRefresh(d)),
    { dispose: () => typingTimer && clearTimeout(typingTimer) },
  );

  return {
    client: () => client,
    reachability: async (compare = 'none', legacy = true) => {
      await ensureStarted();
      return source.reachability(compare, legacy);
    },
    explain: async (src, dst) => {
      await ensureStarted();
      return source.explain(src, dst);
    },
    suggest: suggestFlow,
    applySuggestion,
    panel: () => ReachabilityPanel.current,
    mcpServerDefinitions: () => mcpServerDefinitions(context).map((d) => ({ label: d.label, command: d.command, args: d.args, env: d.env })),
    flows,
    waitForChange(after, timeoutMs = 10_000) {
      if (lastVersion > after) return Promise.resolve(lastVersion);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          sub.dispose();
          reject(new Error(`no reachabilityChanged notification after version ${after} within ${timeoutMs} ms`));
        }, timeoutMs);
        const sub = versionEmitter.event((v) => {
          if (v > after) {
            clearTimeout(t);
            sub.dispose();
            resolve(v);
          }
        });
      });
    },
  };
}

export async function deactivate(): Promise<void> {
  if (client) await client.stop();
  client = undefined;
}
