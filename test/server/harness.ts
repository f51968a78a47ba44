// Runs the Policy Lens language server in-process over in-memory streams and talks LSP to it.
import { PassThrough } from 'node:stream';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createConnection, createMessageConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-languageserver/node';
import type { CodeAction, CompletionItem, CompletionList, Diagnostic, DocumentSymbol, Hover, PublishDiagnosticsParams, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import { startServer, type ServerHandle } from '../../server/src/lsp/start';
import { cancelUndispatched } from '../../server/src/lsp/cancel';
import { LineIndex } from '../../server/src/core/lines';
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
  /** Also calls `listener` for every publishDiagnostics (the harness keeps its own handler). */
  onPublish(listener: (p: PublishDiagnosticsParams) => void): void;
  stop(): Promise<void>;
}

/**
 * `attach` registers more features on the server connection once the index exists (as server.ts does).
 * `opts.cancelUndispatched: false` leaves out server.ts's connection strategy for queued cancelled requests.
 */
export async function startTestServer(
  workspace: string | undefined,
  init: Record<string, unknown> = {},
  attach?: (connection: ReturnType<typeof createConnection>, index: WorkspaceIndex) => void,
  opts: { cancelUndispatched?: boolean } = {},
): Promise<TestServer> {
  const up = new PassThrough();
  const down = new PassThrough();
  // Like server.ts: queued requests that are cancelled are answered without running their handler.
  const serverConn =
    opts.cancelUndispatched === false
      ? createConnection(ProposedFeatures.all, new StreamMessageReader(up), new StreamMessageWriter(down))
      : createConnection(ProposedFeatures.all, new StreamMessageReader(up), new StreamMessageWriter(down), cancelUndispatched);
  const handle = startServer(serverConn, attach ? { onReady: (index) => attach(serverConn, index) } : {});
  serverConn.listen();
  const client = createMessageConnection(new StreamMessageReader(down), new StreamMessageWriter(up));
  const diagnostics = new Map<string, PublishDiagnosticsParams>();
  const waiters: { uri: string; resolve: (d: Diagnostic[]) => void }[] = [];
  const serverRequests: { method: string; params: unknown }[] = [];
  const publishListeners: ((p: PublishDiagnosticsParams) => void)[] = [];
  client.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    diagnostics.set(p.uri, p);
    for (const l of publishListeners) l(p);
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
    onPublish: (l) => void publishListeners.push(l),
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
  const text = src.slice(0, i) + src.slice(i + 3);
  return { text, ...new LineIndex(text).position(i) };
}

/**
 * Expected diagnostics written inline as comments under the line they point at:
 *   `#   ^ np-code` — a diagnostic with this code starts at the caret's column on the nearest line above
 *   that is not itself an expectation comment.
 */
export function expectedDiagnostics(text: string): { line: number; character: number; code: string }[] {
  const lines = new LineIndex(text).lines();
  const out: { line: number; character: number; code: string }[] = [];
  let target = -1;
  lines.forEach((l, i) => {
    const m = /^#(\s*)\^\s+([a-z][a-z0-9-]*)\s*$/.exec(l);
    if (m) out.push({ line: target, character: l.indexOf('^'), code: m[2] });
    else target = i;
  });
  return out;
}

/** Applies LSP text edits the way a client does (positions per the LSP line breaks "\n", "\r\n", "\r"). */
export function applyTextEdits(text: string, edits: TextEdit[]): string {
  const lines = new LineIndex(text);
  const off = (p: { line: number; character: number }) => lines.offset(p.line, p.character);
  const abs = edits.map((e) => ({ s: off(e.range.start), e: off(e.range.end), t: e.newText })).sort((a, b) => b.s - a.s);
  for (let i = 1; i < abs.length; i++) if (abs[i].e > abs[i - 1].s) throw new Error('overlapping edits');
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

/** Every range lies inside the document: line < line count, character <= that line's length (UTF-16). */
export function assertInside(text: string, ranges: { start: { line: number; character: number }; end: { line: number; character: number } }[], what = 'range'): void {
  const li = new LineIndex(text);
  for (const r of ranges) {
    for (const p of [r.start, r.end]) {
      assert.ok(p.line >= 0 && p.line < li.lineCount, `${what} line ${p.line} outside 0..${li.lineCount - 1}`);
      assert.ok(p.character >= 0 && p.character <= li.lineLength(p.line), `${what} ${p.line}:${p.character} past the line's length ${li.lineLength(p.line)}`);
    }
    assert.ok(r.start.line < r.end.line || (r.start.line === r.end.line && r.start.character <= r.end.character), `${what} ends before it starts`);
  }
}

