// The extension package's metadata and first-run contributions: a real repository, an icon, the files the
// walkthrough and the .vsix need, and docs that list every command and every `compareWith` value. The .vsix itself
// is built and installed by test/e2e/run.sh.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPOSITORY_URL } from '../../server/src/repository';

// The test runner starts in the repository root (scripts/test.mjs).
const root = process.cwd();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const ignore = readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1));
const shipped = (rel: string) => ignore.some((g) => g === rel || (g.endsWith('/**') && rel.startsWith(g.slice(0, -2))));

describe('extension package', () => {
  it('names the real repository; no placeholder URL is left in the repository', () => {
    assert.equal(pkg.repository.url, `${REPOSITORY_URL}.git`);
    assert.equal(pkg.license, 'Apache-2.0');
    assert.match(readFileSync(join(root, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0, January 2004/);
    const files = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
    const offenders = files.filter((f) => existsSync(join(root, f)) && !/\.(png|jpg|ico)$/.test(f) && readFileSync(join(root, f), 'utf8').includes('example' + '.invalid'));
    assert.deepEqual(offenders, []);
  });

  it('has a 128x128 PNG icon (with its SVG source) that the package ships', () => {
    const png = readFileSync(join(root, pkg.icon));
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    assert.equal(png.readUInt32BE(16), 128);
    assert.equal(png.readUInt32BE(20), 128);
    assert.ok(existsSync(join(root, pkg.icon.replace(/\.png$/, '.svg'))));
    assert.ok(shipped(pkg.icon));
  });

  it('the activity-bar view, walkthrough and examples are wired and shipped', () => {
    const c = pkg.contributes;
    const container = c.viewsContainers.activitybar[0];
    assert.ok(existsSync(join(root, container.icon)) && shipped(container.icon));
    assert.ok(c.views[container.id].some((v: { id: string }) => v.id === 'policyLens.start'));
    const welcome = c.viewsWelcome.find((w: { view: string }) => w.view === 'policyLens.start').contents as string;
    for (const cmd of ['policyLens.showReachability', 'policyLens.openExample', 'policyLens.gettingStarted']) {
      assert.ok(welcome.includes(`command:${cmd}`), cmd);
      assert.ok(c.commands.some((x: { command: string }) => x.command === cmd), cmd);
    }
    const walkthrough = c.walkthroughs[0];
    // policyLens.gettingStarted opens it on its first step.
    assert.equal(walkthrough.steps[0].id, 'openExample');
    // client/src/first-run.ts opens `publisher.name#id`.
    assert.match(readFileSync(join(root, 'client/src/first-run.ts'), 'utf8'), new RegExp(`'${pkg.publisher}\\.${pkg.name}#${walkthrough.id}'`));
    for (const s of walkthrough.steps) {
      assert.ok(existsSync(join(root, s.media.image)), s.media.image);
      assert.ok(shipped(s.media.image), `${s.media.image} is in the .vsix`);
      assert.ok(s.media.altText);
    }
    // Every example Open Example Workspace offers (client/src/first-run.ts) is in the .vsix.
    const offered = [...readFileSync(join(root, 'client/src/first-run.ts'), 'utf8').matchAll(/\{ name: '([a-z-]+)', label:/g)].map((m) => m[1]);
    assert.deepEqual(offered, ['shop', 'calico', 'cluster-policy']);
    for (const ex of offered) assert.ok(shipped(`examples/${ex}/policies.yaml`) && existsSync(join(root, 'examples', ex)), ex);
    for (const f of ['LICENSE', 'CHANGELOG.md', 'THIRD-PARTY-NOTICES.md', 'dist/webview/graph-worker.js']) assert.ok(shipped(f), f);
  });

  it('the docs list every command and every compareWith value', () => {
    const panelDoc = readFileSync(join(root, 'docs/vscode-panel.md'), 'utf8');
    const market = readFileSync(join(root, 'docs/marketplace.md'), 'utf8');
    for (const { command, title } of pkg.contributes.commands as { command: string; title: string }[]) {
      assert.ok(panelDoc.includes(`\`${command}\``), `docs/vscode-panel.md lists ${command}`);
      assert.ok(market.includes(title.replace(/…$/, '')), `docs/marketplace.md lists "${title}"`);
    }
    const values: string[] = pkg.contributes.configuration.properties['policyLens.reachability.compareWith'].enum;
    const line = (doc: string) => doc.split('\n').find((l) => l.includes('`policyLens.reachability.compareWith`') && /`none`/.test(l)) ?? '';
    for (const v of values) {
      assert.ok(line(panelDoc).includes(`\`${v}\``), `docs/vscode-panel.md: compareWith ${v}`);
      assert.ok(line(market).includes(`\`${v}\``), `docs/marketplace.md: compareWith ${v}`);
    }
    // Images of the marketplace page exist (vsce turns the relative links into repository URLs).
    for (const m of market.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) assert.ok(existsSync(join(root, 'docs', m[1])), m[1]);
  });
});
