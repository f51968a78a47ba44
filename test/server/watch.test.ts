// Files created, changed and deleted on disk (workspace/didChangeWatchedFiles) update the index and the
// diagnostics of closed files; closing a buffer falls back to the disk contents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startTestServer } from './harness';

const POLICY = (cidr: string) => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: w, namespace: shop}\nspec:\n  podSelector: {}\n  ingress:\n    - from:\n        - ipBlock: {cidr: ${cidr}}\n`;

test('watched-file changes and buffer close keep diagnostics in sync with the disk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'policy-lens-watch-'));
  const file = join(dir, 'p.yaml');
  const uri = pathToFileURL(file).href;
  writeFileSync(join(dir, 'other.yml'), 'not: kubernetes\n');
  const server = await startTestServer(dir);
  try {
    assert.deepEqual(server.handle.index.project.paths(), [], 'non-manifest YAML is not indexed');
    writeFileSync(file, POLICY('10.0.0.0/33'));
    let next = server.nextDiagnostics(uri);
    await server.client.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri, type: 1 }] });
    assert.deepEqual((await next).map((d) => d.code), ['np-invalid-cidr']);
    // Open a buffer with different (unsaved) content: the buffer wins.
    assert.deepEqual(await server.open(uri, POLICY('10.0.0.0/8')), []);
    // Closing it falls back to the disk contents.
    next = server.nextDiagnostics(uri);
    await server.client.sendNotification('textDocument/didClose', { textDocument: { uri } });
    assert.deepEqual((await next).map((d) => d.code), ['np-invalid-cidr']);
    // Deleting the file clears its diagnostics.
    unlinkSync(file);
    next = server.nextDiagnostics(uri);
    await server.client.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri, type: 3 }] });
    assert.deepEqual(await next, []);
    assert.equal(server.handle.index.project.hasFile(uri), false);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
