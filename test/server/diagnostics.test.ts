// Server-level diagnostics tests over in-memory LSP streams. Each folder under test/server/fixtures is
// a workspace; every *.yaml in it carries its expected diagnostics inline (`#  ^ np-code` comments,
// see harness.ts). The rules' spec references are cited in the fixture files next to each case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expectedDiagnostics, FIXTURES, startTestServer } from './harness';

const workspaces = readdirSync(FIXTURES).filter((d) => statSync(join(FIXTURES, d)).isDirectory()).sort();

for (const ws of workspaces) {
  test(`fixture workspace ${ws}: diagnostics match the inline expectations`, async () => {
    const dir = join(FIXTURES, ws);
    const server = await startTestServer(dir);
    try {
      const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
      // Open the first file; the others are analysed from disk by the workspace index.
      const first = files[0];
      const firstUri = pathToFileURL(join(dir, first)).href;
      await server.open(firstUri, readFileSync(join(dir, first), 'utf8'));
      await new Promise((r) => setTimeout(r, 50));
      for (const f of files) {
        const uri = pathToFileURL(join(dir, f)).href;
        const text = readFileSync(join(dir, f), 'utf8');
        const expected = expectedDiagnostics(text).map((e) => `${f}:${e.line + 1}:${e.character} ${e.code}`).sort();
        const got = (server.diagnostics.get(uri)?.diagnostics ?? []).map((d) => `${f}:${d.range.start.line + 1}:${d.range.start.character} ${d.code}`).sort();
        assert.deepEqual(got, expected, `diagnostics of ${ws}/${f}:\n${(server.diagnostics.get(uri)?.diagnostics ?? []).map((d) => `  ${d.range.start.line + 1}:${d.range.start.character} ${d.code} ${d.message}`).join('\n')}`);
        for (const d of server.diagnostics.get(uri)?.diagnostics ?? []) {
          assert.equal(d.source, 'policy-lens');
          assert.ok(typeof d.code === 'string' && d.code.length > 0);
          const href = d.codeDescription?.href ?? '';
          assert.ok(href.endsWith(`/docs/rules/${d.code}.md`), `doc link for ${d.code}: ${href}`);
          assert.ok(existsSync(fileURLToPath(href)), `doc page exists: ${href}`);
          assert.ok(d.message.length > 10);
        }
      }
    } finally {
      await server.stop();
    }
  });
}
