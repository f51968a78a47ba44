// The real server entry (server.ts) in a child process over stdio: diagnostics for an opened file and
// the reachability request registered by server.ts (policyLens/reachability).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type PublishDiagnosticsParams } from 'vscode-languageserver/node';
import { FIXTURES } from './harness';
import { REACHABILITY_REQUEST, type ReachabilityResponse } from '../../server/src/protocol';

test('server.ts over stdio: diagnostics and reachability for the fixture workspace', async () => {
  const entry = join(__dirname, '..', '..', 'server', 'src', 'server.js');
  const child = spawn(process.execPath, [entry, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const diags = new Map<string, PublishDiagnosticsParams>();
  let notify: () => void = () => {};
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    diags.set(p.uri, p);
    notify();
  });
  conn.onRequest(() => null);
  conn.listen();
  try {
    const ws = join(FIXTURES, 'authoring');
    await conn.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(ws).href, workspaceFolders: [{ uri: pathToFileURL(ws).href, name: 'ws' }], capabilities: {}, initializationOptions: { reachabilityDebounceMs: 10 } });
    await conn.sendNotification('initialized', {});
    const policies = pathToFileURL(join(ws, 'policies.yaml')).href;
    // Diagnostics for the workspace files arrive once indexing is done (no didOpen needed).
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no diagnostics for policies.yaml')), 10000);
      notify = () => {
        if (diags.has(policies)) {
          clearTimeout(t);
          resolve();
        }
      };
      notify();
    });
    const codes = diags.get(policies)!.diagnostics.map((d) => d.code);
    assert.ok(codes.includes('np-split-rule') && codes.includes('np-dns-blocked'), codes.join(','));
    const r = (await conn.sendRequest(REACHABILITY_REQUEST, { compare: 'none' })) as ReachabilityResponse;
    const ids = r.data.endpoints.map((e) => e.id);
    assert.ok(r.data.classes.length > 0 && r.data.cells.length > 0, "classes and allowed class pairs");
    assert.ok(ids.includes('shop/api') && ids.includes('web/frontend'), ids.join(','));
    await conn.sendRequest('shutdown');
    await conn.sendNotification('exit');
  } finally {
    conn.dispose();
    child.kill();
  }
});
