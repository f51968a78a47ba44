// The `policyLens/tool` request behind the VS Code language-model tools: the engine tools answer from the server's
// workspace index, so an unsaved buffer counts, and paths are shown relative to the workspace folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import { WorkspaceIndex } from '../../server/src/lsp/workspace';
import { indexWorkspace, runTool } from '../../server/src/lsp/tools';
import { repoRoot } from '../helpers/paths';

const SHOP = join(repoRoot(), 'examples', 'shop');

test('policyLens/tool answers from the index: open buffers win over disk, paths relative to the folder', async () => {
  const index = new WorkspaceIndex();
  await index.indexFolders([SHOP]);
  const ws = indexWorkspace(index, [SHOP]);
  const before = runTool(ws, { tool: 'explain', input: { src: 'frontend/web', dst: 'backend/api' } });
  assert.ok(before.ok);
  assert.equal((before.result as { verdict: string }).verdict, 'allowed');
  // an unsaved edit: the backend API policy no longer lets the web frontend in
  const uri = pathToFileURL(join(SHOP, 'policies', 'backend.yaml')).href;
  const text = readFileSync(join(SHOP, 'policies', 'backend.yaml'), 'utf8').replace('app: web', 'app: nobody');
  index.setOpen(uri, text, 2);
  const after = runTool(ws, { tool: 'explain', input: { src: 'frontend/web', dst: 'backend/api' } });
  assert.ok(after.ok);
  assert.equal((after.result as { verdict: string }).verdict, 'denied');
  const check = runTool(ws, { tool: 'check', input: { files: ['policies/backend.yaml'] } });
  assert.ok(check.ok);
  const findings = (check.result as { findings: { code: string; file: string }[] }).findings;
  assert.ok(findings.every((f) => f.file === 'policies/backend.yaml'));
  assert.ok(findings.some((f) => f.code === 'np-selector-no-match'), JSON.stringify(findings));
  const reach = runTool(ws, { tool: 'reach', input: { to: 'backend/api' } });
  assert.ok(reach.ok);
  assert.ok(!(reach.result as { connections: { src: string }[] }).connections.some((c) => c.src === 'frontend/web'));
  const wi = runTool(ws, { tool: 'what_if', input: { changes: [{ file: 'policies/backend.yaml' }] } });
  assert.ok(wi.ok);
  const bad = runTool(ws, { tool: 'blast_radius', input: { workload: 'backend/apii' } });
  assert.deepEqual(bad.ok, false);
  assert.match((bad as { error: string }).error, /did you mean backend\/api/);
  assert.equal(runTool(ws, { tool: 'explain', input: {} }).ok, false);
  assert.equal(runTool(ws, { tool: 'nope' as never, input: {} }).ok, false);
});
