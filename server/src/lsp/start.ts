// Wires the Policy Lens language features to an LSP connection. server.ts calls startServer with the
// real (node IPC / stdio) connection; tests call it with a connection over in-memory streams.
import {
  CodeActionKind,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fileURLToPath } from 'node:url';
import { codeActions } from './actions';
import { complete } from './completion';
import { RuleDocs, toLspDiagnostic } from './diagnostics';
import { hover } from './hover';
import { findExtensionRoot, SchemaRegistry } from './schemas';
import { documentSymbols } from './symbols';
import { looksLikeManifestDraft, WorkspaceIndex } from './workspace';
import type { AnalyzeOptions } from '../core/analysis';
import { isCniSetting } from '../core/policy/cni';

export interface ServerOptions {
  /** Folder holding schemas/ and docs/rules (default: found by walking up from this module). */
  extensionRoot?: string;
  /** Hook to attach more features (the reachability service) once the index exists. */
  onReady?: (index: WorkspaceIndex, notifyChanged: (listener: () => void) => void, initializationOptions: InitOptions, folders: string[]) => void;
}

/** initializationOptions understood by the server (sent by the client). */
export interface InitOptions {
  /** Namespace assumed for objects without metadata.namespace (default `default`). */
  defaultNamespace?: string;
  /** Debounce of the reachability re-analysis (ms). */
  reachabilityDebounceMs?: number;
  /** False in VS Code's Restricted Mode (and when a client does not say): no git runs, so no HEAD baseline. */
  workspaceTrusted?: boolean;
  /** Re-analyse from scratch on every change instead of incrementally (for benchmarks comparing both). */
  reachabilityFromScratch?: boolean;
  /** Setting policyLens.cni: auto (detect), kubernetes, calico or cilium. */
  cni?: string;
  /** Settings policyLens.cilium.*: agent settings that override the cilium-config ConfigMap. */
  cilium?: { policyEnforcementMode?: string; policyCidrMatchMode?: string; clusterName?: string };
  /** Setting policyLens.kubernetes.ipBlockAppliesToPods: Kubernetes ipBlock peers also match pod IPs. */
  ipBlockAppliesToPods?: boolean;
}

/** The analysis options of the settings (initializationOptions, or the `policyLens` section of a configuration change). */
export function analyzeOptionsOf(
  settings:
    | {
        cni?: unknown;
        cilium?: { policyEnforcementMode?: unknown; policyCidrMatchMode?: unknown; clusterName?: unknown };
        ipBlockAppliesToPods?: unknown;
        kubernetes?: { ipBlockAppliesToPods?: unknown };
      }
    | undefined,
): AnalyzeOptions {
  const v = settings?.kubernetes?.ipBlockAppliesToPods ?? settings?.ipBlockAppliesToPods;
  const out: AnalyzeOptions = { ipBlockMatchesPods: v === true };
  if (isCniSetting(settings?.cni) && settings.cni !== 'auto') out.cni = settings.cni;
  const c = settings?.cilium;
  const cilium: NonNullable<AnalyzeOptions['cilium']> = {};
  const mode = c?.policyEnforcementMode;
  if (mode === 'default' || mode === 'always' || mode === 'never') cilium.policyEnforcementMode = mode;
  if (c?.policyCidrMatchMode === 'nodes') cilium.policyCidrMatchMode = 'nodes';
  else if (c?.policyCidrMatchMode === 'default') cilium.policyCidrMatchMode = '';
  if (typeof c?.clusterName === 'string' && c.clusterName) cilium.clusterName = c.clusterName;
  if (Object.keys(cilium).length) out.cilium = cilium;
  return out;
}

export interface ServerHandle {
  index: WorkspaceIndex;
  /** Resolves when the initial workspace indexing finished. */
  indexed: Promise<void>;
}

export function startServer(connection: Connection, opts: ServerOptions = {}): ServerHandle {
  const root = opts.extensionRoot ?? findExtensionRoot();
  const schemas = new SchemaRegistry(root);
  const docs = new RuleDocs(root);
  const documents = new TextDocuments(TextDocument);
  let index = new WorkspaceIndex();
  let folders: string[] = [];
  let initOptions: InitOptions = {};
  let progressSupported = false;
  let watcherRegistration = false;
  const listeners: (() => void)[] = [];
  let resolveIndexed: () => void = () => {};
  const indexed = new Promise<void>((r) => (resolveIndexed = r));
  /** Last published diagnostics per URI (JSON), to avoid re-sending unchanged lists. */
  const published = new Map<string, string>();
  /** URIs whose diagnostics must be sent even if unchanged (the edited documents). */
  const mustPublish = new Set<string>();
  let scheduled = false;

  const handle: ServerHandle = { index, indexed };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const init = (params.initializationOptions ?? {}) as InitOptions;
    initOptions = init;
    index = new WorkspaceIndex({ defaultNamespace: typeof init.defaultNamespace === 'string' && init.defaultNamespace ? init.defaultNamespace : undefined, analyzeOptions: analyzeOptionsOf(init) });
    handle.index = index;
    progressSupported = !!params.capabilities.window?.workDoneProgress;
    watcherRegistration = !!params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    const fromFolders = (params.workspaceFolders ?? []).map((f) => f.uri);
    if (fromFolders.length === 0 && params.rootUri) fromFolders.push(params.rootUri);
    folders = fromFolders.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        completionProvider: { triggerCharacters: [':', ' ', '-'], resolveProvider: false },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix], resolveProvider: false },
        documentSymbolProvider: true,
        workspace: { workspaceFolders: { supported: true } },
      },
      serverInfo: { name: 'policy-lens', version: '0.1.0' },
    };
  });

  const publishAll = () => {
    scheduled = false;
    let result;
    try {
      result = index.project.result();
    } catch (e) {
      connection.console.error(`[policy-lens] analysis failed: ${e instanceof Error ? e.stack : String(e)}`);
      return;
    }
    for (const uri of index.project.paths()) {
      const findings = result.findings.get(uri) ?? [];
      const text = index.project.getText(uri) ?? '';
      // Only YAML that holds (or is becoming) Kubernetes objects gets diagnostics; other YAML is left alone.
      const relevant = index.isOpen(uri) ? looksLikeManifestDraft(text) : true;
      const diags = relevant ? findings.map((f) => toLspDiagnostic(f, docs)) : [];
      const key = JSON.stringify(diags);
      if (!mustPublish.has(uri) && published.get(uri) === key) continue;
      published.set(uri, key);
      void connection.sendDiagnostics({ uri, version: index.version(uri), diagnostics: diags });
    }
    for (const uri of [...published.keys()]) {
      if (!index.project.hasFile(uri)) {
        published.delete(uri);
        void connection.sendDiagnostics({ uri, diagnostics: [] });
      }
    }
    mustPublish.clear();
    for (const l of listeners) l();
  };

  const schedule = (uri?: string) => {
    if (uri) mustPublish.add(uri);
    if (scheduled) return;
    scheduled = true;
    setImmediate(publishAll);
  };

  documents.onDidOpen((e) => {
    index.setOpen(e.document.uri, e.document.getText(), e.document.version);
    schedule(e.document.uri);
  });
  documents.onDidChangeContent((e) => {
    index.setOpen(e.document.uri, e.document.getText(), e.document.version);
    schedule(e.document.uri);
  });
  documents.onDidClose((e) => {
    void index.close(e.document.uri).then(() => schedule());
  });

  // Settings pushed by the client (synchronize.configurationSection = policyLens): ipBlock, the CNI and Cilium settings.
  connection.onDidChangeConfiguration((p) => {
    const section = (p.settings as { policyLens?: Parameters<typeof analyzeOptionsOf>[0] } | undefined)?.policyLens;
    if (!section) return;
    index.project.setAnalyzeOptions(analyzeOptionsOf(section));
    schedule();
  });

  connection.onDidChangeWatchedFiles(async (p) => {
    for (const ch of p.changes) {
      if (index.isOpen(ch.uri)) continue;
      if (ch.type === FileChangeType.Deleted) index.deleted(ch.uri);
      else await index.reloadFromDisk(ch.uri);
    }
    schedule();
  });

  connection.onInitialized(async () => {
    if (watcherRegistration) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{yaml,yml}' }] }).catch(() => undefined);
    }
    opts.onReady?.(index, (l) => listeners.push(l), initOptions, folders);
    const progress = progressSupported ? await connection.window.createWorkDoneProgress().catch(() => undefined) : undefined;
    try {
      progress?.begin('Policy Lens: indexing manifests', 0, 'listing files', false);
      const n = await index.indexFolders(folders, (done, total) => progress?.report(Math.round((done / Math.max(1, total)) * 100), `${done}/${total} files`));
      // Buffers opened while indexing win over what was read from disk.
      for (const d of documents.all()) index.setOpen(d.uri, d.getText(), d.version);
      connection.console.log(`[policy-lens] indexed ${n} YAML files in ${folders.length} folder(s)`);
    } catch (e) {
      connection.console.error(`[policy-lens] indexing failed: ${String(e)}`);
    } finally {
      progress?.done();
      resolveIndexed();
      schedule();
    }
  });

  const offsetOf = (uri: string, pos: { line: number; character: number }) => documents.get(uri)?.offsetAt(pos);

  connection.onCompletion((p) => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return null;
    try {
      return complete(index.project, schemas, doc.uri, doc.getText(), p.position.line, p.position.character, doc.offsetAt(p.position));
    } catch (e) {
      connection.console.error(`[policy-lens] completion failed: ${String(e)}`);
      return null;
    }
  });

  connection.onHover((p) => {
    const off = offsetOf(p.textDocument.uri, p.position);
    if (off === undefined) return null;
    try {
      return hover(index.project, schemas, p.textDocument.uri, off);
    } catch (e) {
      connection.console.error(`[policy-lens] hover failed: ${String(e)}`);
      return null;
    }
  });

  connection.onCodeAction((p) => {
    try {
      return codeActions(index, p);
    } catch (e) {
      connection.console.error(`[policy-lens] code actions failed: ${String(e)}`);
      return [];
    }
  });

  connection.onDocumentSymbol((p) => {
    try {
      return documentSymbols(index.project, p.textDocument.uri);
    } catch (e) {
      connection.console.error(`[policy-lens] symbols failed: ${String(e)}`);
      return [];
    }
  });

  connection.onShutdown(() => undefined);
  documents.listen(connection);
  return handle;
}
