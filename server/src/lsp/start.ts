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
import { Cancelled, cancellable, type Checkpoint, yieldToEventLoop } from './cancel';
import { capFindings, emptyProjectResult, type Finding, type ProjectResult } from '../core/lint/project';
import { collectGarbage } from './memory';
import { complete } from './completion';
import { RuleDocs, toLspDiagnostic } from './diagnostics';
import { hover } from './hover';
import { findExtensionRoot, SchemaRegistry } from './schemas';
import { documentSymbols } from './symbols';
import { looksLikeManifestDraft, WorkspaceIndex } from './workspace';
import type { AnalyzeOptions } from '../core/analysis';
import { isCniSetting } from '../core/policy/cni';

/** Time slice of the background analysis between yields to the event loop (ms). */
const SLICE_MS = 10;
/** How long a request waits for a running analysis before it answers from the last complete one (ms). */
const REQUEST_WAIT_MS = 200;
/** A long analysis publishes partial diagnostics of the files it is still parsing after this long (ms)... */
const PARTIAL_AFTER_MS = 2000;
/** ...and then at most this often (ms)... */
const PARTIAL_EVERY_MS = 10000;
/** ...for files with at least this many documents (huge files; others get their complete list only). */
const PARTIAL_MIN_DOCUMENTS = 5000;
/** Closing a document at least this large (UTF-16 units) releases its memory to the system right away. */
const BIG_FILE_CHARS = 1 << 20;

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

  // ---- diagnostics: computed off the request path, in slices, restarted when superseded ----
  let running = false;
  /** Set by every change; a running analysis stops at its next slice and starts over with the newest texts. */
  let dirty = false;
  const idleWaiters: (() => void)[] = [];

  const publishFile = (uri: string, findings: Finding[], force: boolean) => {
    const text = index.project.getText(uri) ?? '';
    // Only YAML that holds (or is becoming) Kubernetes objects gets diagnostics; other YAML is left alone.
    const relevant = index.isOpen(uri) ? looksLikeManifestDraft(text) : true;
    const diags = relevant ? findings.map((f) => toLspDiagnostic(f, docs)) : [];
    const key = JSON.stringify(diags);
    if (!force && published.get(uri) === key) return;
    published.set(uri, key);
    void connection.sendDiagnostics({ uri, version: index.version(uri), diagnostics: diags });
  };

  const publish = (result: ProjectResult) => {
    for (const uri of index.project.paths()) publishFile(uri, capFindings(uri, result.findings.get(uri) ?? []), mustPublish.has(uri));
    for (const uri of [...published.keys()]) {
      if (!index.project.hasFile(uri)) {
        published.delete(uri);
        void connection.sendDiagnostics({ uri, diagnostics: [] });
      }
    }
    mustPublish.clear();
    for (const l of listeners) l();
  };

  /**
   * While a huge analysis runs, publish what is known so far every few seconds: the findings of the documents parsed
   * so far (no workspace rules yet) of the files still being parsed. The complete list replaces them at the end.
   */
  const partialPublisher = () => {
    const started = Date.now();
    let last = 0;
    const version = index.project.projectVersion;
    return () => {
      const now = Date.now();
      if (now - started < PARTIAL_AFTER_MS || now - last < PARTIAL_EVERY_MS || dirty || index.project.projectVersion !== version) return;
      last = now;
      for (const uri of index.project.filesWithPendingDocuments()) {
        if (index.project.chunks(uri).length >= PARTIAL_MIN_DOCUMENTS) publishFile(uri, index.project.partialFindings(uri), false);
      }
    };
  };

  let runStarted = 0;
  const run = async () => {
    try {
      while (dirty) {
        dirty = false;
        runStarted = Date.now();
        let result: ProjectResult | undefined;
        try {
          result = await index.project.resultAsync({ yieldNow: yieldToEventLoop, shouldStop: () => dirty, sliceMs: SLICE_MS, onParseProgress: partialPublisher() });
        } catch (e) {
          connection.console.error(`[policy-lens] analysis failed: ${e instanceof Error ? e.stack : String(e)}`);
          continue;
        }
        // Superseded by a newer change: drop this run, never publish stale diagnostics.
        if (!result || dirty || result.version !== index.project.projectVersion) {
          dirty = true;
          continue;
        }
        publish(result);
      }
    } finally {
      running = false;
      for (const w of idleWaiters.splice(0)) w();
      releaseMemorySoon();
    }
  };

  const schedule = (uri?: string) => {
    if (uri) mustPublish.add(uri);
    dirty = true;
    if (running) return;
    running = true;
    setImmediate(() => void run());
  };

  /** Resolves when the analysis is idle, or after `ms` (whichever is first). */
  const idle = (ms: number): Promise<void> =>
    running
      ? new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(t);
            resolve();
          };
          const t = setTimeout(() => {
            const i = idleWaiters.indexOf(done);
            if (i >= 0) idleWaiters.splice(i, 1);
            resolve();
          }, ms);
          idleWaiters.push(done);
        })
      : Promise.resolve();

  /**
   * The analysis a request answers from: the current one when it is ready within REQUEST_WAIT_MS (always, for
   * workspaces analysed in milliseconds), else the last complete one, so that a huge document being analysed never
   * blocks hover or completion elsewhere.
   */
  const resultFor = async (cp: Checkpoint): Promise<ProjectResult> => {
    const p = index.project;
    // Wait only for an analysis that started recently (a request never waits more than REQUEST_WAIT_MS in total).
    const wait = REQUEST_WAIT_MS - (Date.now() - runStarted);
    if (!p.isFresh() && running && wait > 0) await idle(wait);
    cp.check();
    if (p.isFresh()) return p.result();
    return p.lastResult() ?? emptyProjectResult();
  };

  // ---- memory: after a large file left the project, give its memory back to the system ----
  let bigFileClosed = false;
  const releaseMemorySoon = () => {
    if (!bigFileClosed || running) return;
    bigFileClosed = false;
    setTimeout(() => collectGarbage(), 200);
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
    const size = e.document.getText().length;
    void index.close(e.document.uri).then(() => {
      if (size >= BIG_FILE_CHARS && !index.project.hasFile(e.document.uri)) bigFileClosed = true;
      schedule();
    });
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

  /** Offset of a position in the server's text of a document (the one line index, core/lines.ts). */
  const offsetOf = (uri: string, pos: { line: number; character: number }) => index.project.lines(uri)?.offset(pos.line, pos.character);

  connection.onCompletion((p, token) =>
    cancellable(token, async (cp) => {
      if (!index.project.hasFile(p.textDocument.uri)) return null;
      const result = await resultFor(cp);
      const text = index.project.getText(p.textDocument.uri);
      const lines = index.project.lines(p.textDocument.uri);
      if (text === undefined || !lines) return null;
      try {
        return complete(index.project, schemas, p.textDocument.uri, text, p.position.line, p.position.character, lines.offset(p.position.line, p.position.character), result);
      } catch (e) {
        connection.console.error(`[policy-lens] completion failed: ${String(e)}`);
        return null;
      }
    }),
  );

  connection.onHover((p, token) =>
    cancellable(token, async (cp) => {
      if (offsetOf(p.textDocument.uri, p.position) === undefined) return null;
      const result = await resultFor(cp);
      const off = offsetOf(p.textDocument.uri, p.position);
      if (off === undefined) return null;
      try {
        return hover(index.project, schemas, p.textDocument.uri, off, result);
      } catch (e) {
        connection.console.error(`[policy-lens] hover failed: ${String(e)}`);
        return null;
      }
    }),
  );

  connection.onCodeAction((p, token) =>
    cancellable(token, async (cp) => {
      const result = await resultFor(cp);
      try {
        return codeActions(index, p, result);
      } catch (e) {
        connection.console.error(`[policy-lens] code actions failed: ${String(e)}`);
        return [];
      }
    }),
  );

  connection.onDocumentSymbol((p, token) =>
    cancellable(token, async (cp) => {
      try {
        return await documentSymbols(index.project, p.textDocument.uri, () => cp.tick());
      } catch (e) {
        if (e instanceof Cancelled) throw e;
        connection.console.error(`[policy-lens] symbols failed: ${String(e)}`);
        return [];
      }
    }),
  );

  connection.onShutdown(() => undefined);
  documents.listen(connection);
  return handle;
}
