// Runs the Policy Lens language server in-process over in-memory streams and talks LSP to it.
import { PassThrough } from 'node:stream';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createConnection, createMessageConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-languageserver/node';
import type { CodeAction, CompletionItem, CompletionList, Diagnostic, DocumentSymbol, Hover, PublishDiagnosticsParams, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import { startServer, type ServerHandle } from '../../server/src/lsp/start';
import type { WorkspaceIndex } from '../../server/src/lsp/workspace';
import { repoRoot } from '../helpers/paths';

export const FIXTURES = join(repoRoot(), 'test', 'server', 'fixtures');

export interface TestServer {
  client: MessageConnection;
  handle: ServerHandle;
  /** Latest diagnostics per URI. */
  diagnostics: Map<string, PublishDiagnosticsParams>;
  open(uri: string, text: string, version?: number): Promise<Diagnostic[]>;
  change(uri: string, text: string, version: number): Promise<Diagnostic[]>;
  /** Waits until the next publishDiagnostics for the URI. */
  nextDiagnostics(uri: string, timeoutMs?: number): Promise<Diagnostic[]>;
  completion(uri: string, line: number, character: number): Promise<CompletionItem[]>;
  hover(uri: string, line: number, character: number): Promise<Hover | null>;
  codeActions(uri: string, diagnostics: Diagnostic[], range?: Diagnostic['range']): Promise<CodeAction[]>;
  symbols(uri: string): Promise<DocumentSymbol[]>;
  serverRequests: { method: string; params: unknown }[];
  stop(): Promise<void>;
}

/** `attach` registers more features on the server connection once the index exists (as server.ts does). */
export async function startTestServer(workspace: string | undefined, init: Record<string, unknown> = {}, attach?: (connection: ReturnType<typeof createConnection>, index: WorkspaceIndex) => void): Promise<TestServer> {
  const up = new PassThrough();
  const down = new PassThrough();
  const serverConn = createConnection(ProposedFeatures.all, new StreamMessageReader(up), new StreamMessageWriter(down));
  const handle = startServer(serverConn, attach ? { onReady: (index) => attach(serverConn, index) } : {});
  serverConn.listen();
  const client = createMessageConnection(new StreamMessageReader(down), new StreamMessageWriter(up));
  const diagnostics = new Map<string, PublishDiagnosticsParams>();
  const waiters: { uri: string; resolve: (d: Diagnostic[]) => void }[] = [];
  const serverRequests: { method: string; params: unknown }[] = [];
  client.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    diagnostics.set(p.uri, p);
    for (const w of waiters.splice(0)) {
      if (w.uri === p.uri) w.resolve(p.diagnostics);
      else waiters.push(w);
    }
  });
  client.onNotification(() => undefined);
  client.onRequest((method: string, params: unknown) => {
    serverRequests.push({ method, params });
    return null;
  });
  client.listen();
  const folders = workspace ? [{ uri: pathToFileURL(workspace).href, name: 'ws' }] : [];
  await client.sendRequest('initialize', {
    processId: null,
    rootUri: folders[0]?.uri ?? null,
    workspaceFolders: folders,
    initializationOptions: init,
    capabilities: {
      window: { workDoneProgress: true },
      workspace: { didChangeWatchedFiles: { dynamicRegistration: true } },
      textDocument: { completion: { completionItem: { snippetSupport: true } }, hover: { contentFormat: ['markdown'] }, publishDiagnostics: { versionSupport: true } },
    },
  });
  await client.sendNotification('initialized', {});
  await handle.indexed;
  const nextDiagnostics = (uri: string, timeoutMs = 5000) =>
    new Promise<Diagnostic[]>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms`)), timeoutMs);
      waiters.push({ uri, resolve: (d) => (clearTimeout(t), resolve(d)) });
    });
  return {
    client,
    handle,
    diagnostics,
    serverRequests,
    nextDiagnostics,
    async open(uri, text, version = 1) {
      const p = nextDiagnostics(uri);
      await client.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version, text } });
      return p;
    },
    async change(uri, text, version) {
      const p = nextDiagnostics(uri);
      await client.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
      return p;
    },
    async completion(uri, line, character) {
      const r = (await client.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line, character } })) as CompletionList | CompletionItem[] | null;
      return Array.isArray(r) ? r : r?.items ?? [];
    },
    hover: (uri, line, character) => client.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character } }) as Promise<Hover | null>,
    codeActions: (uri, diags, range) =>
      client.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: range ?? diags[0].range, context: { diagnostics: diags } }) as Promise<CodeAction[]>,
    symbols: (uri) => client.sendRequest('textDocument/documentSymbol', { textDocument: { uri } }) as Promise<DocumentSymbol[]>,
    async stop() {
      try {
        await client.sendRequest('shutdown');
      } catch {
        // ignore
      }
      client.dispose();
      up.end();
      down.end();
    },
  };
}

/** Removes the `<|>` cursor marker; returns the text and the marker position. */
export function withCursor(src: string): { text: string; line: number; character: number } {
  const i = src.indexOf('<|>');
  if (i < 0) throw new Error('no <|> marker');
  const before = src.slice(0, i);
  const line = before.split('\n').length - 1;
  const character = i - (before.lastIndexOf('\n') + 1);
  return { text: src.slice(0, i) + src.slice(i + 3), line, character };
}

/**
 * Expected diagnostics written inline as comments under the line they point at:
 *   `#   ^ np-code` — a diagnostic with this code starts at the caret's column on the nearest line above
 *   that is not itself an expectation comment.
 */
export function expectedDiagnostics(text: string): { line: number; character: number; code: string }[] {
  const lines = text.split('\n');
  const out: { line: number; character: number; code: string }[] = [];
  let target = -1;
  lines.forEach((l, i) => {
    const m = /^#(\s*)\^\s+([a-z][a-z0-9-]*)\s*$/.exec(l);
    if (m) out.push({ line: target, character: l.indexOf('^'), code: m[2] });
    else target = i;
  });
  return out;
}

export function applyTextEdits(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const off = (p: { line: number; character: number }) => {
    let o = 0;
    for (let i = 0; i < p.line; i++) o += lines[i].length + 1;
    return o + p.character;
  };
  const abs = edits.map((e) => ({ s: off(e.range.start), e: off(e.range.end), t: e.newText })).sort((a, b) => b.s - a.s);
  let out = text;
  for (const e of abs) out = out.slice(0, e.s) + e.t + out.slice(e.e);
  return out;
}

/** Applies a WorkspaceEdit's documentChanges for one URI, checking the version it was computed for. */
export function applyWorkspaceEdit(edit: WorkspaceEdit | undefined, uri: string, text: string, version: number | null): string {
  const changes = (edit?.documentChanges ?? []).filter((c) => 'textDocument' in c && c.textDocument.uri === uri) as { textDocument: { uri: string; version: number | null }; edits: TextEdit[] }[];
  let out = text;
  for (const c of changes) {
    if (c.textDocument.version !== version) throw new Error(`edit for version ${c.textDocument.version}, document is at ${version}`);
    out = applyTextEdits(out, c.edits);
  }
  return out;
}

export function readFixture(...parts: string[]): string {
  return readFileSync(join(FIXTURES, ...parts), 'utf8');
}
