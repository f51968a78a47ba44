// The suggestion code actions on a CiliumNetworkPolicy document (server/src/lsp/suggest.ts with the Cilium writer),
// over in-memory streams on examples/cilium: blocking frontend/web -> backend/api TCP 9000, which the CNP backend/api
// allows (docs.cilium.io "Deny Policies": deny rules take precedence over every allow, so an ingressDeny rule for the
// pair blocks it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction } from 'vscode-languageserver';
import { analyze, parseFiles } from '../../server/src/core/index';
import { registerSuggest } from '../../server/src/lsp/suggest';
import { SUGGEST_CONTEXT_NOTIFICATION } from '../../server/src/protocol';
import { repoRoot } from '../helpers/paths';
import { applyWorkspaceEdit, startTestServer, type TestServer } from './harness';

const EXAMPLE = join(repoRoot(), 'examples', 'cilium');
const POLICIES = pathToFileURL(join(EXAMPLE, 'policies.yaml')).href;
const CLUSTER = pathToFileURL(join(EXAMPLE, 'cluster.yaml')).href;

let server: TestServer;
before(async () => {
  server = await startTestServer(EXAMPLE, {}, (connection, index) => registerSuggest(connection, index));
});
after(async () => {
  await server.stop();
});

test('code actions on the allowing CiliumNetworkPolicy offer the verified ingressDeny proposal', async () => {
  await server.client.sendNotification(SUGGEST_CONTEXT_NOTIFICATION, { src: 'frontend/web', dst: 'backend/api', port: 9000 });
  const text = readFileSync(join(EXAMPLE, 'policies.yaml'), 'utf8');
  const lines = text.split('\n');
  const line = lines.findIndex((l, i) => l.includes('name: api') && lines[i - 2]?.includes('kind: CiliumNetworkPolicy'));
  assert.ok(line > 0);
  const range = { start: { line, character: 2 }, end: { line, character: 2 } };
  const actions = (await server.client.sendRequest('textDocument/codeAction', { textDocument: { uri: POLICIES }, range, context: { diagnostics: [] } })) as CodeAction[];
  const verified = actions.filter((a) => /\(verified\)/.test(a.title));
  assert.ok(verified.length >= 1, actions.map((a) => a.title).join('\n'));
  assert.match(verified[0].title, /^Block TCP 9000 from frontend\/web to backend\/api \(verified\): Add an ingressDeny rule to CiliumNetworkPolicy backend\/api denying TCP 9000/);
  const edited = applyWorkspaceEdit(verified[0].edit as never, POLICIES, text, null);
  const a = analyze(parseFiles([
    { path: POLICIES, text: edited },
    { path: CLUSTER, text: readFileSync(join(EXAMPLE, 'cluster.yaml'), 'utf8') },
  ]));
  assert.equal(a.allowedBetween('frontend/web', 'backend/api').has('TCP', 9000), false);
  assert.ok(a.allowedBetween('backend/api', 'backend/db').has('TCP', 5432));
});
