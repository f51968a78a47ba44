// First run, in the real extension host: the contributed activity-bar view, walkthrough and commands exist, and
// "Open Example Workspace" copies the example the .vsix ships into a new folder (here without opening it).
'use strict';
const assert = require('node:assert');
const os = require('node:os');
const path = require('node:path');
const fs = require('node:fs');
const vscode = require('vscode');

const EXT_ID = 'policy-lens.policy-lens';

suite('Policy Lens first run', function () {
  test('package.json contributes the activity-bar view, its welcome buttons and the Getting Started walkthrough', async () => {
    const ext = vscode.extensions.getExtension(EXT_ID);
    assert.ok(ext, 'extension installed');
    const c = ext.packageJSON.contributes;
    assert.deepStrictEqual(c.viewsContainers.activitybar.map((v) => v.id), ['policyLens']);
    assert.ok(c.viewsWelcome.some((w) => w.view === 'policyLens.start' && /command:policyLens\.openExample/.test(w.contents) && /command:policyLens\.showReachability/.test(w.contents)));
    const steps = c.walkthroughs[0].steps;
    assert.ok(steps.length >= 4);
    for (const s of steps) {
      const img = s.media && s.media.image;
      assert.ok(img && fs.existsSync(path.join(ext.extensionPath, img)), `walkthrough image ${img} is in the extension`);
    }
    assert.ok(fs.existsSync(path.join(ext.extensionPath, ext.packageJSON.icon)), 'icon shipped');
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['policyLens.openExample', 'policyLens.gettingStarted', 'policyLens.showReachability']) assert.ok(commands.includes(id), id);
  });

  test('"Open Example Workspace" copies the shipped example into a new folder', async () => {
    await vscode.extensions.getExtension(EXT_ID).activate();
    const into = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-example-'));
    const first = await vscode.commands.executeCommand('policyLens.openExample', 'shop', vscode.Uri.file(into), false);
    assert.strictEqual(path.basename(first.fsPath), 'policy-lens-shop');
    for (const f of ['namespaces.yaml', 'apps/frontend.yaml', 'policies/data.yaml']) assert.ok(fs.existsSync(path.join(first.fsPath, f)), f);
    // A second copy never overwrites the first.
    const second = await vscode.commands.executeCommand('policyLens.openExample', 'shop', vscode.Uri.file(into), false);
    assert.strictEqual(path.basename(second.fsPath), 'policy-lens-shop-2');
    const calico = await vscode.commands.executeCommand('policyLens.openExample', 'calico', vscode.Uri.file(into), false);
    assert.ok(fs.readdirSync(calico.fsPath).length > 0);
    fs.rmSync(into, { recursive: true, force: true });
  });
});
