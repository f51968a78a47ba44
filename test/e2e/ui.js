// UI end-to-end test: headless Chromium (playwright-core) drives code-server's real VS Code workbench with the
// packaged Policy Lens .vsix installed and a copy of examples/shop open; then generated 200- and 5,000-workload
// workspaces (scripts/gen-workspace.mjs). Every view is photographed beside the editor and maximised, light and dark,
// and checked for clipped headers and cells.
// Usage: node ui.js <base-url> <workspace> <screenshot-dir> <results-json>
'use strict';
const { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { join, dirname } = require('node:path');
const { pathToFileURL } = require('node:url');
const { launchChromium } = require('./browser');
const { waitFor } = require('./wait');
const { graphProblems } = require('./graph-checks');

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
  // A busy machine can take long to capture a frame: allow a minute (the default 30 s timed out under load).
  await page.screenshot({ path: join(shots, `${name}.png`), timeout: 60000 });
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
  const name = path.split('/').pop();
  // File search can be slow while the machine is busy (the first search indexes the folder): retry a few times.
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(path);
    try {
      await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 20000 });
      break;
    } catch (e) {
      if (attempt >= 2) throw e;
    }
  }
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


/** Runs a command by its palette title, accepting the first of several titles that exists (titles vary by version). */
async function runFirstCommand(titles) {
  let last;
  for (const title of titles) {
    try {
      await runCommand(title);
      return;
    } catch (e) {
      last = e;
      await page.keyboard.press('Escape');
    }
  }
  throw last;
}

/**
 * Switches the colour theme with the theme picker ("Preferences: Color Theme", not the marketplace browser that
 * the palette lists first), then waits for the workbench to carry the theme kind (vs / vs-dark).
 */
async function setTheme(name) {
  const dark = /dark/i.test(name);
  const applied = async () => (await page.locator(dark ? '.monaco-workbench.vs-dark' : '.monaco-workbench.vs').count()) > 0;
  if (await applied()) return;
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill('>Preferences: Color Theme');
  const cmd = page.locator('.quick-input-list .monaco-list-row', { hasText: /Preferences: Color Theme(?!s)/ }).first();
  await cmd.waitFor({ timeout: 10000 });
  await cmd.click();
  await waitUntil('the theme picker', async () => /Select Color Theme/i.test((await input.getAttribute('placeholder')) || '') || (await page.locator('.quick-input-widget', { hasText: 'Select Color Theme' }).count()) > 0, 10000).catch(() => {});
  await input.fill(name);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
  await row.waitFor({ timeout: 10000 });
  await row.click();
  await waitUntil(`the ${name} theme`, applied, 15000);
  await page.waitForTimeout(500);
}

/**
 * Inside the webview: the page itself never scrolls; toolbar, posture strip, matrix, legend and explanation lie
 * inside the panel viewport; every header and cell that lies fully inside the matrix's scroll viewport shows its
 * whole text (not cut or ellipsised); the explanation pane does not overflow sideways.
 */
function clipProblems() {
  return panel().locator('body').evaluate(() => {
    const out = [];
    const vw = document.documentElement.clientWidth;
    const vh = document.documentElement.clientHeight;
    const se = document.scrollingElement;
    if (se.scrollWidth > vw + 1) out.push(`the page scrolls sideways (${se.scrollWidth} > ${vw})`);
    if (se.scrollHeight > vh + 1) out.push(`the page scrolls vertically (${se.scrollHeight} > ${vh})`);
    const name = (el) => `${el.className} "${(el.textContent || '').trim().slice(0, 40)}"`;
    const inside = (r, b) => r.left >= b.left - 1 && r.right <= b.right + 1 && r.top >= b.top - 1 && r.bottom <= b.bottom + 1;
    const view = { left: 0, top: 0, right: vw, bottom: vh };
    for (const el of document.querySelectorAll('.pl-toolbar > *, .pl-chip, .pl-matrix, .pl-legend, .pl-explain, .pl-blast, .pl-status > *')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && !inside(r, view)) out.push(`outside the panel: ${name(el)} [${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.right)},${Math.round(r.bottom)}]`);
    }
    const cut = (el) => el && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1);
    const sc = document.querySelector('.pl-cells');
    let shown = 0;
    if (sc) {
      const b = sc.getBoundingClientRect();
      const area = { left: b.left, top: b.top, right: b.left + sc.clientWidth, bottom: b.top + sc.clientHeight };
      for (const el of document.querySelectorAll('.pl-colhead')) {
        const r = el.getBoundingClientRect();
        if (r.left >= area.left - 1 && r.right <= area.right + 1 && cut(el.firstElementChild)) out.push(`column header cut: ${name(el)}`);
      }
      for (const el of document.querySelectorAll('.pl-rowhead')) {
        const r = el.getBoundingClientRect();
        if (r.top >= area.top - 1 && r.bottom <= area.bottom + 1 && cut(el.firstElementChild)) out.push(`row header cut: ${name(el)}`);
      }
      for (const el of document.querySelectorAll('.pl-cellbtn')) {
        const r = el.getBoundingClientRect();
        if (!inside(r, area)) continue;
        shown++;
        if (cut(el)) out.push(`cell cut: ${name(el)}`);
      }
      if (shown === 0) out.push('no matrix cell is visible');
    }
    const ex = document.querySelector('.pl-explain');
    if (ex && ex.scrollWidth > ex.clientWidth + 1) out.push(`the explanation overflows sideways (${ex.scrollWidth} > ${ex.clientWidth})`);
    return out.slice(0, 12);
  });
}

/** Screenshots of the three views (with an explanation shown) and the clipping checks, for one layout and theme. */
async function photographViews(tag, pick) {
  const problems = [];
  for (const view of ['matrix', 'graph', 'blast']) {
    await panel().locator(`button.pl-tab[data-view="${view}"]`).click();
    if (view === 'matrix') {
      await panel().locator('.pl-cellbtn').first().waitFor();
      if (pick) await pick();
    }
    if (view === 'blast') {
      const first = await panel().locator('#pl-blast-select option').nth(1).getAttribute('value');
      const current = await panel().locator('#pl-blast-select').inputValue();
      if (!current) await panel().locator('#pl-blast-select').selectOption(first);
      const item = panel().locator('.pl-blast-item').first();
      if (await item.count()) {
        await item.click();
        await waitUntil('a blast-radius explanation', async () => /Allowed|Denied/.test(await panel().locator('#pl-explain').innerText()));
      }
    }
    // The graph is laid out in a worker: wait for the drawing, then check it (no arrow through a box, labels on
    // their arrows, no cut text; see graph-checks.js).
    if (view === 'graph') await panel().locator('svg.pl-graph').waitFor({ timeout: 90000 });
    await page.waitForTimeout(400);
    await shot(`${tag}-${view}`);
    for (const p of await clipProblems()) problems.push(`${view}: ${p}`);
    if (view === 'graph') for (const p of await graphProblems(panel())) problems.push(`graph: ${p}`);
  }
  await panel().locator('button.pl-tab[data-view="matrix"]').click();
  return problems;
}

/** Beside the editor and maximised, light and dark: screenshots and clipping checks of every view. */
async function layoutMatrix(ws, pick) {
  const problems = [];
  for (const theme of ['Light Modern', 'Dark Modern']) {
    await setTheme(theme);
    const th = theme.startsWith('Light') ? 'light' : 'dark';
    problems.push(...(await photographViews(`L-${ws}-beside-${th}`, pick)).map((p) => `beside ${th} ${p}`));
    await runFirstCommand(['View: Focus Last Editor Group', 'View: Focus Second Editor Group']);
    await runFirstCommand(['View: Toggle Maximize Editor Group', 'View: Maximize Editor Group']);
    await page.waitForTimeout(600);
    problems.push(...(await photographViews(`L-${ws}-maximised-${th}`, pick)).map((p) => `maximised ${th} ${p}`));
    await runFirstCommand(['View: Toggle Maximize Editor Group', 'View: Reset Editor Group Sizes']);
    await page.waitForTimeout(400);
  }
  return problems;
}

/** Opens another folder in the same window and shows the reachability panel beside a file of it. */
async function openWorkspace(dir, file) {
  await page.goto(`${base}/?folder=${encodeURIComponent(dir)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 30000 });
  await quickOpen(file);
  await runCommand('View: Hide Panel').catch(() => page.keyboard.press('Escape'));
  await runCommand('Policy Lens: Show Reachability');
}

/** Writes a generated cluster (scripts/gen-workspace.mjs) as a workspace folder. */
async function generateWorkspace(dir, pods, policies) {
  const { generateFiles } = await import(pathToFileURL(join(__dirname, '..', '..', 'scripts', 'gen-workspace.mjs')).href);
  for (const f of generateFiles(pods, policies)) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.text);
  }
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
    await panel().locator('.pl-matrix .pl-cellbtn').first().waitFor({ timeout: 30000 });
    await waitUntil('allowed cells', async () => (await panel().locator('.pl-cellbtn.allowed').count()) > 3);
    await shot('04-matrix');
  });

  await check('clicking a matrix cell explains the flow with links to the rules', async () => {
    await panel().locator('button.pl-cellbtn[data-src="frontend/web"][data-dst="backend/api"]').click();
    const ex = panel().locator('#pl-explain');
    await waitUntil('explanation text', async () => /frontend\/web/.test(await ex.innerText()) && (await ex.locator('a.pl-link').count()) > 0);
    const text = await ex.innerText();
    if (!/Allowed: TCP 8080/.test(text)) throw new Error(`verdict missing: ${text}`);
    // The trace tables: policy, then its rule linking to file:line, per direction.
    if (!/backend\/api\s+ingress rule 1 · backend\.yaml:\d+/.test(text)) throw new Error(`ingress rule link missing: ${text}`);
    if (!/frontend\/web\s+egress rule 1 · frontend\.yaml:\d+/.test(text)) throw new Error(`egress rule link missing: ${text}`);
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
    await panel().locator('#pl-explain section[data-direction="Ingress"] a.pl-link', { hasText: 'ingress rule 1' }).click();
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

  await check('graph view: namespaces as boxes, labelled arrows, external peers by CIDR, no arrow through a box', async () => {
    await panel().locator('button.pl-tab[data-view="graph"]').click();
    const svg = panel().locator('svg.pl-graph');
    await svg.waitFor({ timeout: 60000 });
    console.log(`       graph layout (ELK in the worker): ${await svg.getAttribute('data-layout-ms')} ms`);
    const edges = await panel().locator('g.pl-edge').count();
    const boxes = await panel().locator('g.pl-container').count();
    if (edges < 5 || boxes < 4) throw new Error(`arrows=${edges} namespace boxes=${boxes}`);
    // External peers are named in full (the shop's ipBlock 0.0.0.0/0 except 203.0.113.0/24).
    const ext = await panel().locator('g.pl-node.external').allTextContents();
    if (!ext.some((t) => /0\.0\.0\.0\/0 except 203\.0\.113\.0\/24/.test(t))) throw new Error(`external names: ${ext.join(' | ')}`);
    // Labels are on the arrows, in the formatter's words.
    const labels = await panel().locator('g.pl-edge-label').allTextContents();
    if (!labels.includes('TCP 8080') || !labels.some((l) => /TCP 53; UDP 53/.test(l))) throw new Error(`labels: ${labels.join(' | ')}`);
    const problems = await graphProblems(panel());
    if (problems.length) throw new Error(problems.join('\n'));
    // api and worker both reach postgres on 5432: one arrow from the backend box; Enter explains a member pair.
    await panel().locator('g.pl-edge[data-src-key="ns:backend"][data-dst="data/postgres"]').focus();
    await page.keyboard.press('Enter');
    await waitUntil('edge explanation', async () => /backend\/api → data\/postgres/.test(await panel().locator('#pl-explain').innerText()));
    await shot('07-graph');
    // Maximised, for the marketplace page and the walkthrough (docs/images/graph.png).
    await runFirstCommand(['View: Focus Last Editor Group', 'View: Focus Second Editor Group']);
    await runFirstCommand(['View: Toggle Maximize Editor Group', 'View: Maximize Editor Group']);
    await page.waitForTimeout(800);
    // Wider now: the graph is laid out again without the compact (narrow-panel) placement.
    await panel().locator('svg.pl-graph').waitFor({ timeout: 60000 });
    await page.waitForTimeout(400);
    await shot('07c-graph-maximised');
    const wide = await graphProblems(panel());
    await runFirstCommand(['View: Toggle Maximize Editor Group', 'View: Reset Editor Group Sizes']);
    if (wide.length) throw new Error(wide.join('\n'));
    // Clicking a workload highlights what it can reach (others dim).
    await panel().locator('g.pl-node[data-id="frontend/web"]').click();
    await waitUntil('blast highlight', async () => (await panel().locator('g.pl-node.focus[data-id="frontend/web"]').count()) === 1 && (await panel().locator('g.pl-edge.dim').count()) > 0);
    await panel().locator('g.pl-node[data-id="frontend/web"]').click();
    // A namespace closes to one box and opens again.
    await panel().locator('g.pl-container-head[data-toggle="ns:data"]').click();
    await panel().locator('g.pl-node[data-key="ns:data"]').waitFor({ timeout: 60000 });
    await panel().locator('g.pl-node[data-key="ns:data"]').click();
    await panel().locator('g.pl-container[data-key="ns:data"]').waitFor({ timeout: 60000 });
  });

  await check('graph export: Save graph as SVG / PNG write the picture through the save dialog', async () => {
    for (const format of ['svg', 'png']) {
      const file = join(workspace, `reachability-graph.${format}`);
      await panel().locator('details.pl-export summary').click();
      await panel().locator(`[data-export="${format}-save"]`).click();
      // VS Code's save dialog (code-server's simple dialog) proposes the workspace folder and the file name.
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 15000 });
      await waitUntil('the proposed file name', async () => (await input.inputValue()).endsWith(`reachability-graph.${format}`), 10000);
      await page.keyboard.press('Enter');
      await waitUntil(`${file} to be written`, async () => existsSync(file) && statSync(file).size > 0, 30000);
      await page.waitForTimeout(300);
      const bytes = readFileSync(file);
      if (format === 'svg') {
        const text = bytes.toString('utf8');
        if (!/^<\?xml/.test(text) || !/<svg[^>]+xmlns="http:\/\/www\.w3\.org\/2000\/svg"/.test(text) || !/namespace backend/.test(text) || !/TCP 8080/.test(text) || /var\(--/.test(text)) throw new Error(`SVG: ${text.slice(0, 300)}`);
      } else if (bytes.subarray(1, 4).toString() !== 'PNG' || bytes.length < 5000) throw new Error(`PNG: ${bytes.length} bytes`);
    }
    await shot('07b-graph-exported');
  });

  await check('blast radius of backend/api lists external egress and its callers', async () => {
    await panel().locator('button.pl-tab[data-view="blast"]').click();
    await panel().locator('#pl-blast-select').selectOption('backend/api');
    const t = await waitUntil('blast lists', async () => {
      const x = await panel().locator('.pl-blast').innerText();
      return /Can reach/.test(x) && /203\.0\.113\.0/.test(x) ? x : undefined;
    });
    if (!/namespace frontend\s+web/.test(t) || !/namespace data\s+postgres/.test(t)) throw new Error(t);
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
    await waitUntil('no coredns column', async () => {
      // A re-render (a late reachability update) can rebuild the filter under the click: uncheck again if it is checked.
      const box = panel().locator('input[data-ns="kube-system"]');
      if ((await box.count()) && (await box.isChecked().catch(() => false))) {
        if (!(await box.isVisible().catch(() => false))) await panel().locator('details.pl-ns summary').click({ timeout: 2000 }).catch(() => {});
        await box.uncheck({ timeout: 2000 }).catch(() => {});
      }
      return (await panel().locator('button.pl-cellbtn[data-dst="kube-system/coredns"]').count()) === 0
        && (await panel().locator('button.pl-cellbtn[data-dst="backend/api"]').count()) > 0;
    });
    await shot('09b-filter-namespace');
    await panel().locator('input[data-ns="kube-system"]').check();
    await panel().locator('details.pl-ns summary').click();
  });

  await check('observed-flows overlay: Import Flow Logs marks the matrix (a disagreement), both traces side by side, toggle, graph and blast marks', async () => {
    // The Hubble fixture (test/fixtures/flows, written for a copy of examples/shop): worker -> 0.0.0.0-203.0.112.255
    // TCP 443 was forwarded, the manifests deny it (a disagreement).
    const flowFile = join(__dirname, '..', 'fixtures', 'flows', 'hubble-flows.jsonl');
    await panel().locator('button.pl-tab[data-view="matrix"]').click();
    // Right-click the file in the Explorer -> "Import Flow Logs" (the file is copied into the workspace first).
    const copied = join(workspace, 'hubble-flows.jsonl');
    copyFileSync(flowFile, copied);
    try {
      await runCommand('View: Show Explorer');
      await runCommand('File: Refresh Explorer').catch(() => page.keyboard.press('Escape'));
      const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'hubble-flows.jsonl' }).first();
      await row.waitFor({ timeout: 20000 });
      await row.click({ button: 'right' });
      const item = page.locator('.monaco-menu .action-item', { hasText: 'Import Flow Logs' }).first();
      await item.waitFor({ timeout: 10000 });
      await item.hover();
      await item.click();
      // Under load a monaco menu can miss the click (the menu stays open): activate the hovered item by keyboard.
      const menu = page.locator('.monaco-menu .action-item', { hasText: 'Import Flow Logs' });
      for (let i = 0; i < 3 && (await menu.count()) > 0 && (await menu.first().isVisible()); i++) {
        await page.waitForTimeout(500);
        if ((await menu.count()) > 0 && (await menu.first().isVisible())) await page.keyboard.press('Enter');
      }
    } catch (e) {
      // Fallback: the command palette and VS Code's open dialog (type the path, accept).
      console.log(`       Explorer context menu failed (${String(e && e.message).split('\n')[0]}); using the open dialog`);
      await page.keyboard.press('Escape');
      await runCommand('Policy Lens: Import Flow Logs');
      const input = page.locator('.quick-input-widget input:not([aria-label="Type the name of a command to run."])');
      await input.waitFor({ state: 'visible', timeout: 15000 });
      await input.fill(flowFile);
      await page.waitForTimeout(400);
      await page.keyboard.press('Enter');
    }
    const strip = panel().locator('[data-testid="overlay-strip"]');
    await strip.waitFor({ timeout: 30000 });
    // The import's summary toast would cover the matrix in the screenshots.
    await runCommand('Notifications: Clear All Notifications').catch(() => page.keyboard.press('Escape'));
    await waitUntil('overlay marks in the matrix', async () => (await panel().locator('.pl-cellbtn[data-overlay]').count()) > 3, 30000);
    const summary = await panel().locator('[data-testid="overlay-summary"]').innerText();
    if (!/8 observed flows from 1 file/.test(summary) || !/1 disagreement/.test(summary)) throw new Error(`summary: ${summary}`);
    const legend = await panel().locator('[data-testid="overlay-legend"]').innerText();
    for (const w of ['observed, allowed', 'observed, denied', 'disagreement', 'never observed']) if (!legend.includes(w)) throw new Error(`legend: ${legend}`);
    await shot('11a-overlay-beside');
    // Maximised (the 1600×1000 window), so every column of the shop's matrix is on screen (the matrix is virtualised).
    await runFirstCommand(['View: Focus Last Editor Group', 'View: Focus Second Editor Group']);
    await runFirstCommand(['View: Toggle Maximize Editor Group', 'View: Maximize Editor Group']);
    await page.waitForTimeout(800);
    let clipped = [];
    try {
      // The disagreement is marked by a glyph and said in words (aria-label), not by colour alone.
      const dis = panel().locator('button.pl-cellbtn[data-overlay="disagree"][data-src="backend/worker"]').first();
      await dis.waitFor({ timeout: 10000 });
      const aria = await dis.getAttribute('aria-label');
      if (!/1 disagreement with the manifests/.test(aria || '') || !/⚠/.test(await dis.innerText())) throw new Error(`disagreement cell: ${aria} / ${await dis.innerText()}`);
      const denied = panel().locator('button.pl-cellbtn[data-overlay="observed-denied"][data-src="backend/api"][data-dst="data/redis"]');
      if ((await denied.count()) !== 1 || !/⊘/.test(await denied.innerText())) throw new Error('observed-denied mark on backend/api -> data/redis missing');
      // Selecting it shows the dataplane's side beside the engine's trace.
      await dis.click();
      const ex = panel().locator('#pl-explain');
      await waitUntil('both traces', async () => {
        // A re-render (the overlay arriving) can swallow a click: click again until the pair is selected.
        if ((await ex.locator('[data-testid="both-traces"]').count()) === 0) await dis.click({ timeout: 2000 }).catch(() => {});
        return (await ex.locator('[data-testid="both-traces"]').count()) === 1 && /Denied/.test(await ex.locator('[data-testid="engine-side"]').innerText());
      });
      const obs = await ex.locator('[data-testid="observed-side"]').innerText();
      if (!/TCP 443/.test(obs) || !/dataplane: allowed · engine: denied/.test(obs) || !/Disagreement/.test(obs)) throw new Error(`observed side: ${obs}`);
      await page.waitForTimeout(400);
      await shot('11-overlay');
      clipped = await clipProblems();
    } finally {
      await runFirstCommand(['View: Toggle Maximize Editor Group', 'View: Reset Editor Group Sizes']);
    }
    if (clipped.length) throw new Error(clipped.join('\n'));
    // The switch hides and shows the overlay (the flow logs stay imported).
    await panel().locator('[data-testid="overlay-toggle"]').click();
    await waitUntil('overlay hidden', async () => (await panel().locator('.pl-cellbtn[data-overlay]').count()) === 0 && (await panel().locator('[data-testid="overlay-strip"]').count()) === 1);
    await panel().locator('[data-testid="overlay-toggle"]').click();
    await waitUntil('overlay shown again', async () => (await panel().locator('.pl-cellbtn[data-overlay]').count()) > 3);
    // Graph arrows and blast-radius entries carry the same marks.
    await panel().locator('button.pl-tab[data-view="graph"]').click();
    await panel().locator('svg.pl-graph').waitFor({ timeout: 60000 });
    await waitUntil('graph marks', async () => (await panel().locator('g.pl-edge.has-ov').count()) > 0 && (await panel().locator('g.pl-edge-ov').count()) > 0);
    await shot('11c-overlay-graph');
    await panel().locator('button.pl-tab[data-view="blast"]').click();
    await panel().locator('#pl-blast-select').selectOption('backend/worker');
    await waitUntil('blast marks', async () => (await panel().locator('.pl-blast-item.has-ov').count()) > 0
      && (await panel().locator('[data-testid="blast-observed-out"] .pl-blast-item[data-overlay="disagree"]').count()) === 1);
    await shot('11d-overlay-blast');
    await panel().locator('button.pl-tab[data-view="matrix"]').click();
    // Clearing the flow logs removes the overlay.
    await runCommand('Policy Lens: Clear Imported Flow Logs');
    await waitUntil('overlay removed', async () => (await panel().locator('[data-testid="overlay-strip"]').count()) === 0 && (await panel().locator('.pl-cellbtn[data-overlay]').count()) === 0, 20000);
    rmSync(join(workspace, 'hubble-flows.jsonl'), { force: true });
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


  await check('posture strip: a finding narrows the matrix and clears again', async () => {
    await panel().locator('button.pl-tab[data-view="matrix"]').click();
    const strip = panel().locator('[data-testid="posture"]');
    const text = await strip.innerText();
    if (!/open for ingress/.test(text) || !/Largest blast radius/.test(text)) throw new Error(text);
    const before = await panel().locator('.pl-colhead').count();
    await strip.locator('[data-posture="reachableFromOutside"]').click();
    await waitUntil('rows narrowed to external peers', async () => (await panel().locator('.pl-rowhead.ns').allInnerTexts()).every((x) => /external peers/.test(x)));
    await shot('12-posture-filter');
    await panel().locator('[data-testid="posture-clear"]').click();
    await waitUntil('all columns back', async () => (await panel().locator('.pl-colhead').count()) === before);
  });

  await check('search by workload narrows rows and columns', async () => {
    await panel().locator('#pl-search').fill('postgres');
    await waitUntil('only postgres', async () => {
      const rows = await panel().locator('.pl-rowhead.ep').allInnerTexts();
      return rows.length === 1 && rows[0].trim() === 'postgres';
    });
    await panel().locator('#pl-search').fill('');
    await waitUntil('all rows back', async () => (await panel().locator('.pl-rowhead.ep').count()) > 3);
  });

  await check('export: "Copy as markdown" hands the matrix to the extension', async () => {
    const item = panel().locator('[data-export="markdown-copy"]');
    for (let i = 0; i < 3 && !(await item.isVisible()); i++) {
      await panel().locator('details.pl-export summary').click();
      await page.waitForTimeout(300);
    }
    await item.click();
    await waitUntil('the copied notification', async () => /copied as markdown/.test(await page.locator('.notifications-toasts').innerText().catch(() => '')), 10000);
    await shot('13-export-copied');
  });

  await check('shop example: every view beside the editor and maximised, light and dark, nothing clipped', async () => {
    await focusEditors();
    await quickOpen('policies/backend.yaml');
    const problems = await layoutMatrix('shop', async () => {
      await panel().locator('button.pl-cellbtn[data-src="frontend/web"][data-dst="backend/api"]').click();
      await waitUntil('explanation', async () => /Allowed/.test(await panel().locator('#pl-explain').innerText()));
    });
    if (problems.length) throw new Error(problems.join('\n'));
  });

  await check('first run: the Policy Lens activity-bar view offers the example and the walkthrough; a status-bar entry opens the panel', async () => {
    await page.locator('.activitybar [aria-label^="Policy Lens"]').first().click();
    await waitUntil('the welcome buttons', async () => /Open Example Workspace/.test(await page.locator('.part.sidebar').innerText()), 15000);
    await shot('17-activity-bar');
    if ((await page.locator('.statusbar-item', { hasText: 'Policy Lens' }).count()) === 0) throw new Error('no Policy Lens status-bar entry');
    // One editor group, so the Welcome page is wide enough to show the step's picture (it hides it when narrow).
    await runCommand('View: Close All Editor Groups');
    await runCommand('Policy Lens: Get Started');
    await waitUntil('the walkthrough', async () => /Get started with Policy Lens/.test(await page.locator('.part.editor').innerText()), 20000);
    await waitUntil('the step picture from the package', async () => page.locator('.part.editor img[alt^="The example shop open in VS Code"]').first().evaluate((i) => i.complete && i.naturalWidth > 0).catch(() => false), 20000);
    await page.waitForTimeout(500);
    await shot('18-walkthrough');
    await runCommand('View: Close Editor');
    await runCommand('View: Show Explorer');
  });

  await check('generated 200-workload workspace: namespaces and classes expand, every view unclipped', async () => {
    const dir = `${workspace}-gen200`;
    await generateWorkspace(dir, 200, 120);
    await openWorkspace(dir, 'policies/ns0.yaml');
    await panel().locator('.pl-cellbtn').first().waitFor({ timeout: 60000 });
    // Large workspaces start with namespaces closed (one row each): open the first one.
    const ns0 = panel().locator('[data-toggle="ns:ns0"]');
    if ((await ns0.getAttribute('aria-expanded')) === 'false') await ns0.click();
    // A class of replicas is one row until opened.
    const cls = panel().locator('.pl-rowhead.class button.pl-toggle').first();
    await cls.waitFor({ timeout: 10000 });
    const label = await cls.innerText();
    if (!/\(\d+ workloads\)/.test(label)) throw new Error(`class row label: ${label}`);
    const rowCount = async () => Number(await panel().locator('.pl-matrix').getAttribute('aria-rowcount'));
    const rows = await rowCount();
    await cls.click();
    await waitUntil('the class opened to its workloads', async () => (await panel().locator('.pl-rowhead.depth-2').count()) > 1);
    await shot('14-gen200-class-open');
    if ((await rowCount()) <= rows) throw new Error('no rows added');
    const problems = await layoutMatrix('gen200', async () => {
      const cell = panel().locator('button.pl-cellbtn.allowed').first();
      await cell.click();
      await waitUntil('explanation', async () => /Allowed/.test(await panel().locator('#pl-explain').innerText()));
    });
    if (problems.length) throw new Error(problems.join('\n'));
  });

  await check('generated 200-workload workspace: the graph starts with one box per namespace and opens one on click', async () => {
    await panel().locator('button.pl-tab[data-view="graph"]').click();
    await panel().locator('svg.pl-graph').waitFor({ timeout: 90000 });
    const closed = await panel().locator('g.pl-node.namespace.group').count();
    if (closed < 2 || (await panel().locator('g.pl-node.workload').count()) > 0) throw new Error(`closed namespace boxes: ${closed}`);
    let problems = await graphProblems(panel());
    if (problems.length) throw new Error(problems.join('\n'));
    await panel().locator('g.pl-node[data-key="ns:ns1"]').click();
    await panel().locator('g.pl-container[data-key="ns:ns1"]').waitFor({ timeout: 90000 });
    console.log(`       gen200 graph with ns1 open: layout ${await panel().locator('svg.pl-graph').getAttribute('data-layout-ms')} ms`);
    problems = await graphProblems(panel());
    await shot('14b-gen200-graph-ns1-open');
    if (problems.length) throw new Error(problems.join('\n'));
    await panel().locator('[data-graph-action="close-all"]').click();
    await panel().locator('g.pl-node[data-key="ns:ns1"]').waitFor({ timeout: 60000 });
    await panel().locator('button.pl-tab[data-view="matrix"]').click();
  });

  await check('generated 5,000-pod workspace: the panel opens, an edit changes a cell', async () => {
    const dir = `${workspace}-gen5000`;
    await generateWorkspace(dir, 5000, 2000);
    const t0 = Date.now();
    await openWorkspace(dir, 'policies/ns0.yaml');
    await panel().locator('.pl-cellbtn[data-row-key="ns:ns0"][data-col-key="ns:ns0"]').waitFor({ timeout: 120000 });
    const openMs = Date.now() - t0;
    await shot('15-gen5000-open');
    const cell = panel().locator('.pl-cellbtn[data-row-key="ns:ns0"][data-col-key="ns:ns0"]');
    const before = await cell.innerText();
    // Unsaved edit (compared with the saved file): every ns0 workload may now talk to every other on TCP 7777.
    await page.keyboard.press('Control+End');
    const t1 = Date.now();
    // One flow-style line: the editor keeps the previous line's indentation on every new line it is given.
    await page.keyboard.insertText('\n---\n{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: e2e-7777, namespace: ns0}, spec: {podSelector: {}, policyTypes: [Ingress, Egress], ingress: [{ports: [{port: 7777}]}], egress: [{ports: [{port: 7777}]}]}}\n');
    // Until the analysis of the new text arrives, the panel says it is updating (never an old result unannounced).
    await waitUntil('the "updating" note', async () => (await panel().locator('[data-testid="progress"]').count()) > 0, 30000);
    await shot('16a-gen5000-updating');
    await waitUntil('the ns0 -> ns0 cell to show the new flow', async () => /7777/.test(await cell.innerText()) && /added|changed/.test(await cell.getAttribute('class')), 120000);
    const editMs = Date.now() - t1;
    console.log(`       5,000 pods: panel open in ${openMs} ms; edit -> cell "${before}" -> "${(await cell.innerText()).trim()}" in ${editMs} ms`);
    await shot('16-gen5000-edited');
    // Scrolling and opening a namespace stay responsive.
    const t2 = Date.now();
    await panel().locator('[data-toggle="ns:ns1"]').click();
    await panel().locator('.pl-rowhead.class').first().waitFor();
    console.log(`       5,000 pods: opening a namespace re-rendered in ${Date.now() - t2} ms`);
    await runCommand('File: Revert File');
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
