// The suggestion code actions on a ClusterNetworkPolicy document (server/src/lsp/suggest.ts with the CNP writer),
// over in-memory streams on examples/cluster-policy: the Baseline CNP that denies sandbox/toolbox -> storefront/web
// (network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go: Baseline after NetworkPolicy, lower priority first).
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

const EXAMPLE = join(repoRoot(), 'examples', 'cluster-policy');
const POLICIES = pathToFileURL(join(EXAMPLE, 'policies.yaml')).href;
const WORKLOADS = pathToFileURL(join(EXAMPLE, 'workloads.yaml')).href;

let server: TestServer;
before(async () => {
  server = await startTestServer(EXAMPLE, {}, (connection, index) => registerSuggest(connection, index));
});
after(async () => {
  await server.stop();
});

test('code actions on the denying Baseline ClusterNetworkPolicy offer the verified CNP proposals', async () => {
  await server.client.sendNotification(SUGGEST_CONTEXT_NOTIFICATION, { src: 'sandbox/toolbox', dst: 'storefront/web' });
  const text = readFileSync(join(EXAMPLE, 'policies.yaml'), 'utf8');
  const line = text.split('\n').findIndex((l) => l.includes('name: baseline-no-dev-ingress'));
  const range = { start: { line, character: 2 }, end: { line, character: 2 } };
  const actions = (await server.client.sendRequest('textDocument/codeAction', { textDocument: { uri: POLICIES }, range, context: { diagnostics: [] } })) as CodeAction[];
  const verified = actions.filter((a) => /\(verified\)/.test(a.title));
  assert.ok(verified.length >= 1, actions.map((a) => a.title).join('\n'));
  assert.match(verified[0].title, /^Allow TCP 8080, 9100 from sandbox\/toolbox to storefront\/web \(verified\): Add ClusterNetworkPolicy accept-toolbox-to-web to the Baseline tier with priority 99/);
  const edited = applyWorkspaceEdit(verified[0].edit as never, POLICIES, text, null);
  const files = [
    { path: POLICIES, text: edited },
    { path: WORKLOADS, text: readFileSync(join(EXAMPLE, 'workloads.yaml'), 'utf8') },
  ];
  const a = analyze(parseFiles(files));
  assert.ok(a.allowedBetween('sandbox/toolbox', 'storefront/web').has('TCP', 8080));
  assert.ok(a.allowedBetween('sandbox/toolbox', 'storefront/web').has('TCP', 9100));
});
