// Policy Lens as AI tools in a real VS Code: every language-model tool (contributes.languageModelTools +
// vscode.lm.registerTool) called through vscode.lm.invokeTool and checked against the extension's own reachability
// answer; the MCP server definition the extension offers (mcpServerDefinitionProviders) started as VS Code would
// and asked for its tools over stdio. Workspace: the examples/shop copy made by test/e2e/run.sh.
'use strict';
const assert = require('node:assert');
const { spawn } = require('node:child_process');
const vscode = require('vscode');

const EXT_ID = 'policy-lens.policy-lens';
const TOOLS = ['reach', 'explain', 'what_if', 'check', 'blast_radius'];

async function invoke(tool, input) {
  const r = await vscode.lm.invokeTool(`policy-lens_${tool}`, { input, toolInvocationToken: undefined });
  const text = r.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
  return text.startsWith('Error: ') ? { error: text.slice(7) } : JSON.parse(text);
}

suite('Policy Lens language-model tools and MCP server in a real VS Code', function () {
  let api;

  suiteSetup(async function () {
    this.timeout(60000);
    const ext = vscode.extensions.getExtension(EXT_ID);
    api = await ext.activate();
  });

  test('the five tools are registered in vscode.lm.tools with their input schemas', function () {
    for (const t of TOOLS) {
      const info = vscode.lm.tools.find((x) => x.name === `policy-lens_${t}`);
      assert.ok(info, `policy-lens_${t} is registered`);
      assert.equal(info.inputSchema.type, 'object');
    }
  });

  test('reach through vscode.lm.invokeTool equals the language server reachability', async function () {
    this.timeout(30000);
    const r = await invoke('reach', { limit: 5000 });
    const expected = (await api.reachability('none')).result.connections.map((c) => `${c.src} ${c.dst} ${JSON.stringify(c.protocols)}`).sort();
    assert.deepEqual(r.connections.map((c) => `${c.src} ${c.dst} ${JSON.stringify(c.protocols)}`).sort(), expected);
    const dataOnly = await invoke('reach', { to: 'data/*', includeExternal: false });
    assert.deepEqual(dataOnly.connections.map((c) => `${c.src} ${c.dst} ${c.ports}`).sort(), ['backend/api data/postgres TCP 5432', 'backend/worker data/postgres TCP 5432']);
  });

  test('explain through vscode.lm.invokeTool: verdict and rules from the engine; unknown ids answered as errors', async function () {
    const ok = await invoke('explain', { src: 'frontend/web', dst: 'backend/api' });
    assert.equal(ok.verdict, 'allowed');
    assert.deepEqual(ok.allowed, (await api.reachability('none')).result.connections.find((c) => c.src === 'frontend/web' && c.dst === 'backend/api').protocols);
    assert.deepEqual(ok.ingress.allowedBy.map((x) => `${x.policy} ${x.file}:${x.line}`), ['backend/api policies/backend.yaml:15']);
    const no = await invoke('explain', { src: 'backend/api', dst: 'frontend/web' });
    assert.equal(no.verdict, 'denied');
    const bad = await invoke('explain', { src: 'frontend/webb', dst: 'backend/api' });
    assert.match(bad.error, /Unknown endpoint "frontend\/webb".*frontend\/web/);
  });

  test('what_if, check and blast_radius through vscode.lm.invokeTool', async function () {
    this.timeout(30000);
    const open = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: redis-open, namespace: data}\nspec:\n  podSelector: {matchLabels: {app: redis}}\n  ingress:\n    - {}\n';
    const w = await invoke('what_if', { changes: [{ file: 'policies/redis-open.yaml', content: open }] });
    assert.ok(w.summary.added > 0 && w.summary.newExposure > 0, JSON.stringify(w.summary));
    assert.ok(w.changes.some((c) => c.dst === 'data/redis' && c.after.rules.some((x) => x.policy === 'data/redis-open')));
    assert.ok(w.findings.some((f) => f.code === 'np-allow-all' && f.file === 'policies/redis-open.yaml'));
    // nothing was written to the workspace
    const files = await vscode.workspace.findFiles('policies/redis-open.yaml');
    assert.equal(files.length, 0);
    const c = await invoke('check', {});
    const diags = vscode.languages.getDiagnostics(vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, 'policies/data.yaml'));
    assert.ok(c.findings.some((f) => f.code === 'np-named-port-undefined' && f.file === 'policies/data.yaml'));
    if (diags.length) assert.ok(diags.some((d) => d.code === 'np-named-port-undefined' || (d.code && d.code.value === 'np-named-port-undefined')));
    const b = await invoke('blast_radius', { workload: 'frontend/web', maxHops: 3 });
    assert.deepEqual(b.canReach.map((x) => x.dst).sort(), ['backend/api', 'kube-system/coredns']);
    assert.ok(b.transitiveReach.some((x) => x.id === 'data/postgres' && x.hops === 2));
  });

  test('the MCP server definition offered to VS Code starts and lists the engine tools over stdio', async function () {
    this.timeout(30000);
    const defs = api.mcpServerDefinitions();
    assert.equal(defs.length, 1);
    const d = defs[0];
    assert.deepEqual(d.args.slice(1), ['mcp', vscode.workspace.workspaceFolders[0].uri.fsPath]);
    const child = spawn(d.command, d.args, { env: { ...process.env, ...d.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const replies = new Map();
    let buf = '';
    child.stdout.on('data', (chunk) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (!line.trim()) continue;
        const msg = JSON.parse(line);
        if (msg.id !== undefined) replies.set(msg.id, msg);
      }
    });
    const send = (m) => child.stdin.write(`${JSON.stringify(m)}\n`);
    const reply = async (id) => {
      for (let i = 0; i < 200 && !replies.has(id); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(replies.has(id), `no reply to request ${id}`);
      return replies.get(id);
    };
    try {
      send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'e2e', version: '0' } } });
      const init = await reply(1);
      assert.equal(init.result.serverInfo.name, 'policy-lens');
      send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
      const list = await reply(2);
      assert.deepEqual(list.result.tools.map((t) => t.name).sort(), [...TOOLS].sort());
      send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'explain', arguments: { src: 'frontend/web', dst: 'backend/api' } } });
      const call = await reply(3);
      assert.equal(call.result.structuredContent.verdict, 'allowed');
    } finally {
      child.kill();
    }
  });
});
