// The language server's policyLens/suggest request and the suggestion code actions (server/src/lsp/suggest.ts), over
// in-memory streams on the shop example.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction } from 'vscode-languageserver';
import { analyze, parseFiles } from '../../server/src/core/index';
import { registerSuggest } from '../../server/src/lsp/suggest';
import { SUGGEST_CONTEXT_NOTIFICATION, SUGGEST_REQUEST, type SuggestResponse } from '../../server/src/protocol';
import { repoRoot } from '../helpers/paths';
import { applyWorkspaceEdit, startTestServer, type TestServer } from './harness';

const SHOP = join(repoRoot(), 'examples', 'shop');
const DATA = pathToFileURL(join(SHOP, 'policies', 'data.yaml')).href;
const FRONTEND = pathToFileURL(join(SHOP, 'policies', 'frontend.yaml')).href;

function shopFiles(): { path: string; text: string }[] {
  const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : /\.ya?ml$/.test(n) ? [join(d, n)] : []));
  return walk(SHOP).map((p) => ({ path: pathToFileURL(p).href, text: readFileSync(p, 'utf8') }));
}

let server: TestServer;
before(async () => {
  server = await startTestServer(SHOP, {}, (connection, index) => registerSuggest(connection, index));
});
after(async () => {
  await server.stop();
});

test('policyLens/suggest answers verified proposals with WorkspaceEdits that apply to the workspace files', async () => {
  const r = (await server.client.sendRequest(SUGGEST_REQUEST, { src: 'backend/api', dst: 'data/redis', port: 6379 })) as SuggestResponse;
  assert.equal(r.problem, undefined);
  assert.equal(r.mode, 'allow');
  assert.ok(r.proposals.length >= 2);
  const p = r.proposals[0];
  assert.ok(p.exact);
  assert.match(p.preview, /^--- a\/policies\/data\.yaml\n\+\+\+ b\/policies\/data\.yaml\n@@/);
  const change = p.edit.documentChanges[0] as { textDocument: { uri: string; version: number | null } };
  assert.equal(change.textDocument.uri, DATA);
  assert.equal(change.textDocument.version, null); // not open: applies to the file as on disk
  const files = shopFiles();
  const edited = files.map((f) => (f.path === DATA ? { ...f, text: applyWorkspaceEdit(p.edit as never, DATA, f.text, null) } : f));
  const a = analyze(parseFiles(edited));
  assert.ok(a.allowedBetween('backend/api', 'data/redis').has('TCP', 6379));
});

test('an open buffer gets versioned edits (the client refuses them once the buffer changed)', async () => {
  const text = readFileSync(join(SHOP, 'policies', 'data.yaml'), 'utf8');
  await server.open(DATA, text, 7);
  const r = (await server.client.sendRequest(SUGGEST_REQUEST, { src: 'backend/worker', dst: 'data/redis', port: 6379 })) as SuggestResponse;
  const dataChange = (x: SuggestResponse['proposals'][number]) => x.edit.documentChanges.find((c) => 'textDocument' in c && c.textDocument.uri === DATA) as { textDocument: { version: number | null } } | undefined;
  const p = r.proposals.find(dataChange);
  assert.ok(p, r.proposals.map((x) => x.title).join('\n'));
  assert.equal(dataChange(p)!.textDocument.version, 7);
  assert.throws(() => applyWorkspaceEdit(p.edit as never, DATA, text, 8), /version/);
});

test('code actions: on a policy involved in the pair the user looks at, the verified proposals are offered', async () => {
  await server.client.sendNotification(SUGGEST_CONTEXT_NOTIFICATION, { src: 'backend/api', dst: 'data/redis' });
  // Cursor on the redis policy (data.yaml, second document).
  const text = readFileSync(join(SHOP, 'policies', 'data.yaml'), 'utf8');
  const line = text.split('\n').findIndex((l) => l.includes('name: redis'));
  const range = { start: { line, character: 2 }, end: { line, character: 2 } };
  const actions = (await server.client.sendRequest('textDocument/codeAction', { textDocument: { uri: DATA }, range, context: { diagnostics: [] } })) as CodeAction[];
  const verified = actions.filter((a) => /\(verified\)/.test(a.title));
  assert.ok(verified.length >= 1, actions.map((a) => a.title).join('\n'));
  assert.match(verified[0].title, /^Allow TCP 6379 from backend\/api to data\/redis \(verified\): /);
  assert.ok(verified[0].edit);
  // A policy the pair does not involve gets none.
  const other = (await server.client.sendRequest('textDocument/codeAction', { textDocument: { uri: FRONTEND }, range: { start: { line: 5, character: 2 }, end: { line: 5, character: 2 } }, context: { diagnostics: [] } })) as CodeAction[];
  assert.equal(other.filter((a) => /\(verified\)/.test(a.title)).length, 0);
});
