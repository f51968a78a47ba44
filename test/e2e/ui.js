// UI end-to-end test: headless Chromium (playwright-core) drives code-server's real VS Code workbench with the
// packaged Policy Lens .vsix installed and a copy of examples/shop open.
// Usage: node ui.js <base-url> <workspace> <screenshot-dir> <results-json>
'use strict';
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { launchChromium } = require('./browser');
const { waitFor } = require('./wait');

const [base, workspace, shots, resultsFile] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });

let passed = 0;
let failed = 0;
let page;

async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`  ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`  FAIL ${name}: ${e && e.message ? e.message.split('\n').slice(0, 6).join('\n       ') : e}`);
    await shot(`fail-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`).catch(() => {});
  }
}

async function shot(name) {
  await page.screenshot({ path: join(shots, `${name}.png`) });
}

/** Polls every 150 ms (see wait.js). */
const waitUntil = (what, fn, timeoutMs = 20000) => waitFor(what, fn, timeoutMs, 150);

async function runCommand(title) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10000 });
  await page.keyboard.press('Enter');
}

async function quickOpen(path) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(path);
  const name = path.split('/').pop();
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 15000 });
  await page.keyboard.press('Enter');
  await page.locator('.editor-group-container.active .tab.active', { hasText: name }).waitFor({ timeout: 10000 });
}

/** Moves the cursor of the active editor to a 1-based line/column through the Go to Line quick input. */
async function gotoLine(line, col) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}:${col}`);
  await page.keyboard.press('Enter');
}

/** Focuses the first editor group (the panel lives in the second), so files open next to the panel. */
async function focusEditors() {
  await runCommand('View: Focus First Editor Group');
}

/** The reachability panel's document: webview iframe -> its inner #active-frame. */
function panel() {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
}

async function main() {
  const browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const cspViolations = [];
  page.on('console', (m) => {
    if (/Content[- ]Security[- ]Policy|Refused to (load|execute|apply)/i.test(m.text()) && /panel|webview|vscode-cdn|vscode-resource/i.test(m.text() + (m.location().url || ''))) cspViolations.push(m.text());
  });
  await page.goto(`${base}/?folder=${encodeURIComponent(workspace)}`);

  await check('workbench loads with the example workspace', async () => {
    await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'policies' }).waitFor({ timeout: 30000 });
  });

  await check('Problems panel shows the deliberate mistake in policies/data.yaml', async () => {
    await quickOpen('policies/data.yaml');
    await runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    await waitUntil('the named-port warning in Problems', async () => {
      const t = await page.locator('.markers-panel').innerText();
      return /"redis-port"/.test(t);
    }, 30000);
    await shot('01-problems');
  });

  await check('hover on a policy field shows documentation', async () => {
    await page.locator('.monaco-editor .view-line span', { hasText: 'podSelector' }).first().hover();
    await waitUntil('hover widget', async () => {
      const h = page.locator('.monaco-hover:not(.hidden)').first();
      return (await h.isVisible()) && /pod/i.test(await h.innerText());
    });
    await shot('02-hover');
  });

  await check('quick fix (Ctrl+.) replaces the undefined named port and the warning disappears', async () => {
    const lines = readFileSync(join(workspace, 'policies/data.yaml'), 'utf8').split('\n');
    const i = lines.findIndex((l) => /port: redis-port/.test(l));
    await gotoLine(i + 1, lines[i].indexOf('redis-port') + 2);
    const menu = page.locator('.action-widget:not(.action-list-submenu-panel)').first();
    // Ctrl+. right after the Go to Line input closes is sometimes swallowed; retry a few times.
    for (let attempt = 0; ; attempt++) {
      await page.keyboard.press('Control+.');
      try {
        await menu.waitFor({ state: 'visible', timeout: 4000 });
        break;
      } catch (e) {
        if (attempt >= 3) throw e;
        await page.locator('.monaco-editor .view-line span', { hasText: 'redis-port' }).last().click();
      }
    }
    await shot('03a-quick-fix-menu');
    const item = menu.locator('.monaco-list-row', { hasText: 'Change the port to "redis"' }).first();
    await item.click();
    await waitUntil('the fixed line', async () => (await page.locator('.monaco-editor .view-line', { hasText: 'port: redis' }).allInnerTexts()).some((x) => /port:\s*redis\s*$/.test(x)));
    await waitUntil('the warning to leave Problems', async () => !/"redis-port"/.test(await page.locator('.markers-panel').innerText()));
    await shot('03b-quick-fix-applied');
    await runCommand('File: Revert File');
    await waitUntil('the warning to come back after revert', async () => /"redis-port"/.test(await page.locator('.markers-panel').innerText()));
  });

  await check('completion suggests NetworkPolicy fields', async () => {
    // A new empty line at indentation 2 inside the first policy's spec (auto-indent is off in the test settings).
    const lines = readFileSync(join(workspace, 'policies/data.yaml'), 'utf8').split('\n');
    const n = lines.findIndex((l) => /^  policyTypes:/.test(l)) + 1;
    await page.keyboard.press('Escape');
    await gotoLine(n, 1);
    await page.keyboard.press('Enter');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.type('  ');
    await page.keyboard.press('Control+Space');
    await waitUntil('suggest widget with ingress/egress', async () => {
      const w = page.locator('.suggest-widget');
      return (await w.isVisible()) && /egress/.test(await w.innerText());
    });
    await shot('03-completion');
    await page.keyboard.press('Escape');
    await runCommand('File: Revert File');
  });

  await check('"Policy Lens: Show Reachability" opens the matrix beside the editor', async () => {
    // More room for the reachability panel in the screenshots (the command's title differs between versions).
    await runCommand('View: Hide Panel').catch(() => runCommand('View: Close Panel')).catch(() => page.keyboard.press('Escape'));
    await runCommand('Policy Lens: Show Reachability');
    await panel().locator('table.pl-matrix').waitFor({ timeout: 30000 });
    await waitUntil('allowed cells', async () => (await panel().locator('.pl-cellbtn.allowed').count()) > 3);
    await shot('04-matrix');
  });

  await check('clicking a matrix cell explains the flow with links to the rules', async () => {
    await panel().locator('button.pl-cellbtn[data-src="frontend/web"][data-dst="backend/api"]').click();
    const ex = panel().locator('#pl-explain');
    await waitUntil('explanation text', async () => /frontend\/web/.test(await ex.innerText()) && (await ex.locator('a.pl-link').count()) > 0);
    const text = await ex.innerText();
    if (!/Allowed: TCP 8080/.test(text)) throw new Error(`verdict missing: ${text}`);
    if (!/backend\/api ingress rule 1/.test(text)) throw new Error(`ingress rule link missing: ${text}`);
    if (!/frontend\/web egress rule 1/.test(text)) throw new Error(`egress rule link missing: ${text}`);
    await shot('05-explanation');
  });

  await check('a denied cell explains why (default deny)', async () => {
    await panel().locator('button.pl-cellbtn[data-src="frontend/web"][data-dst="data/postgres"]').click();
    const ex = panel().locator('#pl-explain');
    await waitUntil('denied explanation', async () => {
      const t = await ex.innerText();
      return /Denied/.test(t) && /default-deny/.test(t);
    });
  });

  await check('a rule link jumps to the policy source', async () => {
    await panel().locator('button.pl-cellbtn[data-src="frontend/web"][data-dst="backend/api"]').click();
    await panel().locator('#pl-explain a.pl-link', { hasText: 'backend/api ingress rule 1' }).click();
    await page.locator('.editor-group-container .tab.active', { hasText: 'backend.yaml' }).first().waitFor({ timeout: 10000 });
    // The panel stays visible in its own group.
    await panel().locator('#pl-explain').waitFor({ timeout: 5000 });
    await shot('06-jump-to-source');
  });

  await check('matrix is keyboard accessible (arrow keys move between cells, Enter explains)', async () => {
    const cell = panel().locator('button.pl-cellbtn[data-src="backend/api"][data-dst="data/postgres"]');
    await cell.focus();
    await page.keyboard.press('ArrowDown');
    const focused = await panel().locator('button.pl-cellbtn:focus').getAttribute('data-src');
    if (focused !== 'backend/worker') throw new Error(`ArrowDown focused ${focused}`);
    await page.keyboard.press('Enter');
    await waitUntil('explanation of worker -> postgres', async () => /backend\/worker → data\/postgres/.test(await panel().locator('#pl-explain').innerText()));
  });

  await check('graph view draws workloads, flows and external destinations', async () => {
    await panel().locator('button.pl-tab[data-view="graph"]').click();
    await panel().locator('svg.pl-graph').waitFor();
    const edges = await panel().locator('g.pl-edge').count();
    const ext = await panel().locator('g.pl-node.external').count();
    if (edges < 5 || ext < 1) throw new Error(`edges=${edges} externals=${ext}`);
    // Activate the edge from the keyboard (SVG edges are focusable buttons).
    await panel().locator('g.pl-edge[data-src="backend/api"][data-dst="data/postgres"]').focus();
    await page.keyboard.press('Enter');
    await waitUntil('edge explanation', async () => /backend\/api → data\/postgres/.test(await panel().locator('#pl-explain').innerText()));
    await shot('07-graph');
  });

  await check('blast radius of backend/api lists external egress and its callers', async () => {
    await panel().locator('button.pl-tab[data-view="blast"]').click();
    await panel().locator('#pl-blast-select').selectOption('backend/api');
    const t = await waitUntil('blast lists', async () => {
      const x = await panel().locator('.pl-blast').innerText();
      return /Can reach/.test(x) && /203\.0\.113\.0/.test(x) ? x : undefined;
    });
    if (!/frontend\/web/.test(t) || !/data\/postgres/.test(t)) throw new Error(t);
    await shot('08-blast-radius');
  });

  await check('filters: port 53 keeps only DNS flows', async () => {
    await panel().locator('button.pl-tab[data-view="matrix"]').click();
    await panel().locator('#pl-port').fill('53');
    await waitUntil('filtered matrix', async () => {
      const cells = await panel().locator('.pl-cellbtn.allowed').allInnerTexts();
      return cells.length > 0 && cells.every((c) => /53/.test(c)) && (await panel().locator('.pl-cellbtn.allowed[data-dst="backend/api"]').count()) === 0;
    });
    await shot('09-filter-port-53');
    await panel().locator('#pl-port').fill('');
  });

  await check('namespace filter hides the unchecked namespace from the matrix', async () => {
    await panel().locator('details.pl-ns summary').click();
    await panel().locator('input[data-ns="kube-system"]').uncheck();
    await waitUntil('no coredns column', async () => (await panel().locator('button.pl-cellbtn[data-dst="kube-system/coredns"]').count()) === 0
      && (await panel().locator('button.pl-cellbtn[data-dst="backend/api"]').count()) > 0);
    await shot('09b-filter-namespace');
    await panel().locator('input[data-ns="kube-system"]').check();
    await panel().locator('details.pl-ns summary').click();
  });

  await check('the webview ran under its strict CSP without violations', async () => {
    if (cspViolations.length) throw new Error(cspViolations.slice(0, 3).join('\n'));
  });

  await check('live impact preview: typing a change highlights newly blocked flows before saving', async () => {
    await focusEditors();
    await quickOpen('policies/backend.yaml');
    // Change the worker's postgres egress port (the last `port: 5432` in the file) to 5433 without saving.
    // Monaco renders only visible lines, so go to the line by number.
    const lines = readFileSync(join(workspace, 'policies/backend.yaml'), 'utf8').split('\n');
    let n = -1;
    lines.forEach((l, i) => { if (/port: 5432/.test(l)) n = i + 1; });
    await gotoLine(n, 1);
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('3');
    await waitUntil('a removed cell', async () => (await panel().locator('button.pl-cellbtn.removed[data-src="backend/worker"][data-dst="data/postgres"]').count()) === 1, 20000);
    await shot('10-impact-preview');
    await runCommand('File: Revert File');
    await waitUntil('the removed cell to go away', async () => (await panel().locator('button.pl-cellbtn.removed').count()) === 0, 20000);
  });

  await check('panel state is restored after a window reload (webview serializer)', async () => {
    await panel().locator('button.pl-tab[data-view="blast"]').click();
    await panel().locator('#pl-blast-select').selectOption('backend/worker');
    await page.waitForTimeout(500);
    await runCommand('Developer: Reload Window');
    await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
    await waitUntil('restored blast radius view', async () => {
      const sel = await panel().locator('#pl-blast-select').inputValue({ timeout: 2000 });
      return sel === 'backend/worker';
    }, 45000);
    await shot('11-restored');
  });

  await browser.close();
}

main()
  .catch((e) => {
    failed++;
    console.log(`  FAIL driver: ${e && e.stack ? e.stack : e}`);
  })
  .finally(() => {
    writeFileSync(resultsFile, JSON.stringify({ passed, failed }));
    console.log(`UI tests: ${passed} passed, ${failed} failed`);
    process.exit(failed ? 1 : 0);
  });
