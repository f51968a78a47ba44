// Mocha suite running inside a real VS Code extension host (code-server), against the examples/shop workspace
// (a fresh git-committed copy made by test/e2e/run.sh). Uses only the public vscode API plus the extension's
// returned API object (client/src/extension.ts `PolicyLensApi`).
'use strict';
const assert = require('node:assert');
const vscode = require('vscode');

const EXT_ID = 'policy-lens.policy-lens';

function wsUri(rel) {
  return vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, rel);
}

const { waitFor } = require('../wait');

async function openDoc(rel) {
  const doc = await vscode.workspace.openTextDocument(wsUri(rel));
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

/** Replaces the whole text of a document in its editor buffer (not saved). */
async function setText(doc, text) {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), text);
  assert.ok(await vscode.workspace.applyEdit(edit), 'applyEdit failed');
}

async function revert(doc) {
  await vscode.window.showTextDocument(doc, { preview: false });
  await vscode.commands.executeCommand('workbench.action.files.revert');
}

function conn(resp, src, dst) {
  return resp.result.connections.find((c) => c.src === src && c.dst === dst);
}

/** What the panel's compact PanelData allows from src to dst (the class pair's connections), or undefined. */
function panelConn(resp, src, dst) {
  const d = resp.data;
  const idx = (id) => d.endpoints.findIndex((e) => e.id === id);
  const cls = (i) => d.classes.findIndex((c) => c.members.includes(i));
  const s = cls(idx(src));
  const t = cls(idx(dst));
  const cell = d.cells.find(([a, b]) => a === s && b === t);
  return cell && d.conns[cell[2]];
}

function positionOf(doc, needle, nth = 0) {
  let from = 0;
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = doc.getText().indexOf(needle, from);
    assert.ok(at >= 0, `"${needle}" not found in ${doc.uri.path}`);
    from = at + 1;
  }
  return doc.positionAt(at);
}

suite('Policy Lens in a real VS Code', function () {
  /** @type {import('../../../client/src/extension').PolicyLensApi} */
  let api;

  suiteSetup(async function () {
    this.timeout(60000);
    await openDoc('policies/data.yaml');
    const ext = vscode.extensions.getExtension(EXT_ID);
    assert.ok(ext, `extension ${EXT_ID} is not installed`);
    api = await ext.activate();
    assert.ok(api && typeof api.reachability === 'function', 'activate() did not return the Policy Lens API');
  });

  test('the language server reports the deliberate mistake in the Problems (diagnostics) of policies/data.yaml', async () => {
    const uri = wsUri('policies/data.yaml');
    const diags = await waitFor('a diagnostic about the undefined named port "redis-port"', () => {
      const ds = vscode.languages.getDiagnostics(uri).filter((d) => /redis-port/.test(d.message));
      return ds.length ? ds : undefined;
    });
    const doc = await vscode.workspace.openTextDocument(uri);
    const d = diags[0];
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Warning);
    // The range is exactly the offending value.
    assert.strictEqual(doc.getText(d.range), 'redis-port');
  });

  test('completion offers NetworkPolicy spec fields', async () => {
    const text = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: scratch\n  namespace: frontend\nspec:\n  \n';
    const doc = await vscode.workspace.openTextDocument({ language: 'yaml', content: text });
    await vscode.window.showTextDocument(doc, { preview: false });
    try {
      const labels = await waitFor('completion items for spec', async () => {
        const l = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(6, 2));
        const ls = (l ? l.items : []).map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
        return ls.includes('podSelector') ? ls : undefined;
      });
      for (const want of ['podSelector', 'policyTypes', 'ingress', 'egress']) {
        assert.ok(labels.includes(want), `completion lacks ${want}: ${labels.join(', ')}`);
      }
    } finally {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });

  test('hover on a field explains it', async () => {
    const doc = await openDoc('policies/backend.yaml');
    const pos = positionOf(doc, 'podSelector').translate(0, 2);
    const hovers = await waitFor('a hover', async () => {
      const h = await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, pos);
      return h && h.length ? h : undefined;
    });
    const text = hovers
      .flatMap((h) => h.contents)
      .map((c) => (typeof c === 'string' ? c : c.value))
      .join('\n');
    assert.match(text, /pod/i, `hover text: ${text}`);
  });

  test('the reachability request matches the example policies (default deny, DNS, web -> api)', async () => {
    const r = await api.reachability('none');
    assert.strictEqual(r.stale, false);
    // frontend/web egress rule 0 and backend/api ingress rule 0 both allow TCP 8080 (named port "http" on api).
    assert.deepStrictEqual(conn(r, 'frontend/web', 'backend/api')?.protocols, { TCP: [[8080, 8080]] });
    // allow-dns in every namespace: UDP and TCP 53 to kube-dns.
    assert.deepStrictEqual(conn(r, 'backend/worker', 'kube-system/coredns')?.protocols, { TCP: [[53, 53]], UDP: [[53, 53]] });
    // default-deny: nothing else leaves frontend/web.
    assert.strictEqual(conn(r, 'frontend/web', 'data/postgres'), undefined);
    const ex = await api.explain('frontend/web', 'data/postgres');
    assert.ok(ex.egress && ex.egress.isolated, 'egress of frontend/web should be isolated');
    assert.ok(ex.egress.selectedBy.some((p) => p.policy === 'frontend/default-deny'), JSON.stringify(ex.egress.selectedBy));
    assert.strictEqual(ex.egress.allowedBy.length, 0);
  });

  test('a quick fix repairs the mistake; the diagnostic goes away and the reachability follows the unsaved buffer', async () => {
    const doc = await openDoc('policies/data.yaml');
    const before = await api.reachability('saved');
    assert.strictEqual(conn(before, 'backend/api', 'data/redis'), undefined, 'the named port matches nothing on redis, so nothing is allowed yet');
    const diag = await waitFor('the named-port diagnostic', () => vscode.languages.getDiagnostics(doc.uri).find((d) => /redis-port/.test(d.message)));
    const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', doc.uri, diag.range, vscode.CodeActionKind.QuickFix.value);
    const fix = (actions || []).find((a) => a.edit && a.edit.size > 0);
    assert.ok(fix, `no quick fix with an edit; got: ${(actions || []).map((a) => a.title).join(' | ')}`);
    try {
      assert.ok(await vscode.workspace.applyEdit(fix.edit));
      assert.match(doc.lineAt(diag.range.start.line).text, /port:\s*redis$/);
      await waitFor('the diagnostic to disappear', () => !vscode.languages.getDiagnostics(doc.uri).some((d) => /redis-port/.test(d.message)));
      const after = await waitFor('reachability to allow api -> redis', async () => {
        const r = await api.reachability('saved');
        return conn(r, 'backend/api', 'data/redis') ? r : undefined;
      });
      assert.deepStrictEqual(conn(after, 'backend/api', 'data/redis').protocols, { TCP: [[6379, 6379]] });
      // Impact preview against the saved file: exactly this flow is newly allowed, nothing newly blocked.
      assert.ok(after.diff, 'compare=saved returns a diff');
      assert.deepStrictEqual(after.diff.added.map((c) => `${c.src}>${c.dst}`), ['backend/api>data/redis']);
      assert.deepStrictEqual(after.diff.removed, []);
    } finally {
      await revert(doc);
    }
  });

  test('"How do I allow this?": a verified proposal applied with policyLens.applySuggestion; code actions in context', async () => {
    const doc = await openDoc('policies/data.yaml');
    const answer = await api.suggest({ src: 'backend/api', dst: 'data/redis', port: 6379 });
    assert.strictEqual(answer.mode, 'allow');
    const p = answer.proposals.find((x) => x.exact && x.edit.documentChanges.every((c) => c.textDocument && c.textDocument.uri.endsWith('/policies/data.yaml')));
    assert.ok(p, `no exact proposal editing data.yaml: ${answer.proposals.map((x) => x.title).join(' | ')}`);
    try {
      assert.strictEqual(await vscode.commands.executeCommand('policyLens.applySuggestion', p.edit), true);
      const after = await waitFor('reachability to allow api -> redis', async () => {
        const r = await api.reachability('saved');
        return conn(r, 'backend/api', 'data/redis') ? r : undefined;
      });
      assert.deepStrictEqual(conn(after, 'backend/api', 'data/redis').protocols, { TCP: [[6379, 6379]] });
      assert.deepStrictEqual(after.diff.added.map((c) => `${c.src}>${c.dst}`), ['backend/api>data/redis']);
      assert.deepStrictEqual(after.diff.removed, []);
    } finally {
      await revert(doc);
    }
    // The panel explains a pair: the policies it involves offer the verified edits as code actions.
    await api.explain('backend/api', 'data/redis');
    const pos = positionOf(doc, 'name: redis');
    const actions = await waitFor('verified code actions', async () => {
      const list = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', doc.uri, new vscode.Range(pos, pos));
      return (list || []).some((a) => /\(verified\)/.test(a.title)) ? list : undefined;
    });
    assert.ok(actions.find((a) => /^Allow TCP 6379 from backend\/api to data\/redis \(verified\): /.test(a.title)));
  });

  test('live: the server notifies changes while typing and keeps the last good state when the YAML breaks', async () => {
    const doc = await openDoc('policies/frontend.yaml');
    const good = await api.reachability('none');
    const original = doc.getText();
    try {
      await setText(doc, original.replace('  ingress:\n', '  ingress: [\n'));
      await api.waitForChange(good.version, 15000);
      const r = await api.reachability('none');
      assert.strictEqual(r.stale, true);
      assert.ok(r.staleFiles.some((f) => f.endsWith('frontend.yaml')), JSON.stringify(r.staleFiles));
      // Last good state of frontend.yaml still applies: the internet may reach web on 8080.
      const internet = r.result.connections.filter((c) => c.dst === 'frontend/web');
      assert.ok(internet.length > 0 && internet.every((c) => c.protocols.TCP?.[0]?.[0] === 8080), JSON.stringify(internet));
      // Fixing the YAML with a real change (web may also reach api on 9090) is picked up again.
      await setText(doc, original.replace('          port: 8080\n', '          port: 8080\n        - protocol: TCP\n          port: 9090\n'));
      const fixed = await waitFor('the fixed state', async () => {
        const x = await api.reachability('saved');
        return !x.stale ? x : undefined;
      });
      // api's ingress only admits the named port http (8080), so 9090 stays blocked: the result is unchanged.
      assert.deepStrictEqual(conn(fixed, 'frontend/web', 'backend/api').protocols, { TCP: [[8080, 8080]] });
      assert.deepStrictEqual(fixed.diff, { added: [], removed: [] });
    } finally {
      await revert(doc);
    }
  });

  test('impact preview against git HEAD shows newly blocked flows after a saved change', async () => {
    const doc = await openDoc('policies/backend.yaml');
    const original = doc.getText();
    // The worker may no longer reach postgres: change its egress port.
    const idx = original.lastIndexOf('port: 5432');
    await setText(doc, original.slice(0, idx) + 'port: 5433' + original.slice(idx + 'port: 5432'.length));
    await doc.save();
    try {
      const head = await waitFor('HEAD diff', async () => {
        const r = await api.reachability('head');
        return r.diff && r.diff.removed.length ? r : undefined;
      });
      assert.deepStrictEqual(head.diff.removed.map((c) => `${c.src}>${c.dst}`), ['backend/worker>data/postgres']);
      assert.deepStrictEqual(head.diff.added, []);
      const saved = await api.reachability('saved');
      assert.deepStrictEqual(saved.diff, { added: [], removed: [] }, 'buffer equals disk after save');
    } finally {
      await setText(doc, original);
      await doc.save();
    }
  });

  test('"Policy Lens: Show Reachability" opens the webview panel beside the editor and feeds it', async () => {
    await openDoc('policies/data.yaml');
    await vscode.commands.executeCommand('policyLens.showReachability');
    const tab = await waitFor('the reachability webview tab', () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('policyLens.reachability')),
    );
    assert.strictEqual(tab.label, 'Policy Lens: Reachability');
    // Beside: the panel is in another group than the YAML editor.
    assert.ok(vscode.window.tabGroups.all.length >= 2, 'panel opened beside the editor');
    const panel = api.panel();
    assert.ok(panel, 'panel object');
    await panel.whenReady();
    const resp = await waitFor('the panel to receive reachability', () => panel.response);
    assert.strictEqual(resp.result, undefined, 'the panel gets the compact PanelData only');
    assert.deepStrictEqual(panelConn(resp, 'frontend/web', 'backend/api'), { TCP: [[8080, 8080]] });
  });

  test('compare and blast-radius commands drive the open panel', async () => {
    const panel = api.panel();
    assert.ok(panel, 'the panel is open (previous test)');
    await vscode.commands.executeCommand('policyLens.compareReachability', 'head');
    assert.strictEqual(panel.compareMode, 'head');
    const r = await waitFor('a HEAD diff in the panel', () => panel.response && panel.response.compare === 'head' && panel.response.data.diff);
    assert.deepStrictEqual([r.added, r.removed], [[], []], 'workspace equals HEAD again');
    await vscode.commands.executeCommand('policyLens.showBlastRadius', 'backend/api');
    await vscode.commands.executeCommand('policyLens.compareReachability', 'none');
    assert.strictEqual(panel.compareMode, 'none');
    const plain = await waitFor('a response without diff', () => panel.response && !panel.response.data.diff && panel.response);
    assert.ok(panelConn(plain, 'backend/api', 'data/postgres'));
  });

  test('observed traffic: Import Flow Logs classifies Hubble and Whisker files against the workspace; a verified recommendation opens as a new document', async () => {
    const fixtures = require('node:path').resolve(__dirname, '../../fixtures/flows');
    const files = [require('node:path').join(fixtures, 'hubble-flows.jsonl'), require('node:path').join(fixtures, 'whisker-flows.json')];
    const resp = await vscode.commands.executeCommand('policyLens.importFlows', files);
    assert.ok(resp, 'the import command answers');
    assert.deepStrictEqual(api.flows.files(), files, 'the files are remembered for the panel');
    const wa = resp.flows.find((f) => f.src === 'frontend/web' && f.dst === 'backend/api' && f.protocol === 'TCP' && f.observed === 'allowed');
    assert.ok(wa, 'web -> api observed');
    assert.strictEqual(wa.predicted, 'allowed');
    assert.ok(resp.pairs.some((p) => p.src === 'backend/worker' && p.disagreements === 1), 'the disagreement is on the overlay');
    assert.ok(resp.unmatched.some((u) => /monitoring\/prometheus/.test(u.reason)), 'unmappable records are reported');
    // Impact preview on real traffic: an unsaved edit that stops the API accepting the web tier
    const doc = await openDoc('policies/backend.yaml');
    const original = doc.getText();
    await setText(doc, original.replace('app: web', 'app: nobody'));
    try {
      const preview = await waitFor('a newly blocked observed flow', async () => {
        const r = await api.flows.flows('saved');
        return r.flows.some((f) => f.change === 'newly-blocked') ? r : undefined;
      });
      const blocked = preview.flows.filter((f) => f.change === 'newly-blocked').map((f) => `${f.src}>${f.dst}:${f.port}`);
      assert.deepStrictEqual(blocked, ['frontend/web>backend/api:8080']);
    } finally {
      await setText(doc, original);
      await doc.save();
    }
    const rec = await vscode.commands.executeCommand('policyLens.recommendPolicies', { dialect: 'kubernetes' });
    assert.strictEqual(rec.verification.status, 'verified', JSON.stringify(rec.verification));
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor && editor.document.isUntitled && editor.document.languageId === 'yaml', 'an unsaved YAML document');
    assert.match(editor.document.getText(), /# Verification: verified/);
    assert.match(editor.document.getText(), /kind: NetworkPolicy/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await vscode.commands.executeCommand('policyLens.clearFlows');
    assert.deepStrictEqual(api.flows.files(), []);
  });
});
