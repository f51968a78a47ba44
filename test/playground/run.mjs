// End-to-end test of the browser playground: builds and serves it (scripts/playground.mjs --port 0), drives
// Debian's headless Chromium with playwright-core, and checks what a user sees: the example's matrix, a diagnostic
// after pasting a policy with a mistake, the matrix changing, the hover explanation, the explanation pane, the
// last-good state while the YAML is broken, and sharing by URL fragment.
// Screenshots go to test/playground/screenshots/ (git-ignored). Prints `N passed, M failed`; exits 1 on failure.
//
//   npm run test:playground
//   CHROMIUM=/path/to/chromium npm run test:playground
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const root = new URL('../..', import.meta.url).pathname;
const shots = join(root, 'test', 'playground', 'screenshots');
mkdirSync(shots, { recursive: true });
for (const f of readdirSync(shots)) if (f.startsWith('FAIL-')) rmSync(join(shots, f));
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];
const t0 = Date.now();
// A private build folder, so concurrent runs (and a running `npm run playground`) don't clash.
const buildDir = join(root, 'out', `playground-e2e-${process.pid}`);

// ---------------------------------------------------------------- server

function startServer() {
  const child = spawn(process.execPath, [join(root, 'scripts', 'playground.mjs'), '--port', '0', '--out', buildDir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`playground server did not start within 120 s:\n${out}`)), 120_000);
    const onData = (d) => {
      out += d.toString();
      const m = /Policy Lens playground: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`playground server exited with ${code}:\n${out}`));
    });
  });
}

// ---------------------------------------------------------------- tiny runner

let passed = 0;
let failed = 0;
async function test(name, fn) {
  const t = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok - ${name} (${Date.now() - t} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL - ${name}\n    ${String(e?.stack ?? e).split('\n').slice(0, 6).join('\n    ')}`);
    // Screenshot every open page for the post-mortem.
    const pages = browser ? browser.contexts().flatMap((c) => c.pages()) : [];
    for (const [i, p] of pages.entries()) await p.screenshot({ path: join(shots, `FAIL-${failed}-page${i}.png`) }).catch(() => {});
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

// ---------------------------------------------------------------- page helpers

const cell = (page, src, dst) => page.locator(`.pl-matrix button.pl-cellbtn[data-src="${src}"][data-dst="${dst}"]`);

async function cellState(page, src, dst) {
  const c = cell(page, src, dst);
  await c.waitFor({ timeout: 10_000 });
  const cls = (await c.getAttribute('class')) ?? '';
  const state = ['added', 'removed', 'changed', 'allowed', 'denied'].find((s) => cls.split(/\s+/).includes(s));
  return { state, text: (await c.innerText()).trim() };
}

/** Waits until the page has applied an analysis newer than `after`. */
async function analyzedAfter(page, after) {
  await page.waitForFunction((n) => window.policyLensPlayground?.analyzed() > n, after, { timeout: 20_000 });
}
const analyzedCount = (page) => page.evaluate(() => window.policyLensPlayground.analyzed());
const markers = (page, owner) => page.evaluate((o) => window.policyLensPlayground.markers(o), owner);

async function openPage(browser, url, errors) {
  const context = await browser.newContext({ viewport: { width: 1500, height: 950 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  // Content-Security-Policy violations (the server sends a strict CSP) are errors too.
  await page.exposeFunction('policyLensCspViolation', (v) => errors.push(`CSP violation: ${v}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => window.policyLensCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`));
  });
  const response = await page.goto(url);
  page.csp = response?.headers()['content-security-policy'];
  await page.waitForFunction(() => window.policyLensPlayground?.analyzed() > 0, null, { timeout: 30_000 });
  return page;
}

/** Pastes text at the cursor with Ctrl+V, as a user pasting a policy would (the clipboard holds the text). */
async function paste(page, text) {
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.keyboard.press('Control+V');
}

/** Puts the cursor at the end of the document. */
async function toEnd(page) {
  await page.locator('.monaco-editor .view-lines').click();
  await page.keyboard.press('Control+End');
}

// The policy a user pastes: web may only talk to the api, on a named port with a typo ("htp-api").
const WEB_EGRESS = [
  '---',
  'apiVersion: networking.k8s.io/v1',
  'kind: NetworkPolicy',
  'metadata:',
  '  name: web-egress',
  '  namespace: shop',
  'spec:',
  '  podSelector:',
  '    matchLabels:',
  '      app: web',
  '  policyTypes:',
  '    - Egress',
  '  egress:',
  '    - to:',
  '        - podSelector:',
  '            matchLabels:',
  '              app: api',
  '      ports:',
  '        - protocol: TCP',
  '          port: htp-api',
  '',
].join('\n');

// ---------------------------------------------------------------- tests

let server;
let browser;
try {
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}: install it (apt-get update && apt-get install -y chromium) or set CHROMIUM`);
  server = await startServer();
  console.log(`# serving ${server.url} (started in ${Date.now() - t0} ms)`);
  browser = await chromium.launch({ executablePath, headless: true, args: FLAGS });
  const errors = [];
  const page = await openPage(browser, server.url, errors);

  await test('loads the example scenario: Monaco with YAML, no problems, the matrix from the core', async () => {
    const text = await page.evaluate(() => window.policyLensPlayground.text());
    assert(text.includes('name: api-from-web'), 'example text not in the editor');
    await page.locator('.monaco-editor .view-line').first().waitFor();
    assert((await page.locator('#problems-count').innerText()) === 'no problems', `problems: ${await page.locator('#problems-count').innerText()}`);
    const webApi = await cellState(page, 'shop/web', 'shop/api');
    assert(webApi.state === 'allowed' && webApi.text === 'TCP 8080', `web→api ${JSON.stringify(webApi)}`);
    const apiDb = await cellState(page, 'shop/api', 'shop/db');
    assert(apiDb.state === 'allowed' && apiDb.text === 'TCP 5432', `api→db ${JSON.stringify(apiDb)}`);
    const webDb = await cellState(page, 'shop/web', 'shop/db');
    assert(webDb.state === 'denied', `web→db ${JSON.stringify(webDb)}`);
    const summary = await page.locator('.pl-summary').innerText();
    assert(/3 workloads in 1 namespace/.test(summary) && /Evaluated as Kubernetes NetworkPolicy/.test(summary), `summary: ${summary}`);
    assert(!/saved files/.test(summary), `the playground has no files: ${summary}`);
    await page.screenshot({ path: join(shots, '01-example.png') });
  });

  await test('pasting a policy with a typo in a named port shows a policy-lens diagnostic and changes the matrix', async () => {
    const before = await analyzedCount(page);
    await toEnd(page);
    await paste(page, WEB_EGRESS);
    await page.waitForFunction(() => window.policyLensPlayground.text().includes('name: web-egress'), null, { timeout: 5_000 });
    const text = await page.evaluate(() => window.policyLensPlayground.text());
    assert(text.endsWith(WEB_EGRESS), `the pasted policy was altered by the editor:\n${text.slice(-WEB_EGRESS.length - 20)}`);
    await analyzedAfter(page, before);
    await page.waitForFunction(() => window.policyLensPlayground.markers('policy-lens').some((m) => m.code === 'np-named-port-undefined'), null, { timeout: 10_000 });
    const ms = await markers(page, 'policy-lens');
    const m = ms.find((x) => x.code === 'np-named-port-undefined');
    const lines = text.split('\n');
    assert(lines[m.line - 1].includes('htp-api'), `marker on line ${m.line}: ${lines[m.line - 1]}`);
    assert(/htp-api/.test(m.message), `marker message: ${m.message}`);
    // The squiggle is drawn and the Problems list names the rule.
    await page.locator('.monaco-editor .squiggly-error, .monaco-editor .squiggly-warning').first().waitFor({ timeout: 10_000 });
    await page.locator('#problems-list li[data-code="np-named-port-undefined"]').waitFor({ timeout: 10_000 });
    // Matrix: web's egress is now isolated and only allows a port nobody defines.
    const webApi = await cellState(page, 'shop/web', 'shop/api');
    assert(webApi.state === 'removed', `web→api should be newly blocked: ${JSON.stringify(webApi)}`);
    const webExt = await cellState(page, 'shop/web', '0.0.0.0-255.255.255.255');
    assert(webExt.state === 'removed', `web→internet should be newly blocked: ${JSON.stringify(webExt)}`);
    const apiDb = await cellState(page, 'shop/api', 'shop/db');
    assert(apiDb.state === 'allowed', `api→db unchanged: ${JSON.stringify(apiDb)}`);
    await page.screenshot({ path: join(shots, '02-diagnostic-and-matrix-change.png') });
  });

  await test('typing the fixed port name clears the diagnostic and allows web → api again', async () => {
    const before = await analyzedCount(page);
    // Click the problem: the editor selects the offending value; type the right name over it.
    await page.locator('#problems-list li[data-code="np-named-port-undefined"] button').click();
    const sel = await page.evaluate(() => window.policyLensPlayground.selectedText());
    assert(sel === 'htp-api', `the problem selected ${JSON.stringify(sel)}`);
    await page.keyboard.type('http-api', { delay: 15 });
    assert((await page.evaluate(() => window.policyLensPlayground.text())).includes('\n          port: http-api\n'), 'typed value not in the text');
    await analyzedAfter(page, before);
    await page.waitForFunction(() => !window.policyLensPlayground.markers('policy-lens').some((m) => m.code === 'np-named-port-undefined'), null, { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelector('.pl-matrix button[data-src="shop/web"][data-dst="shop/api"]')?.classList.contains('allowed'), null, { timeout: 10_000 });
    const webApi = await cellState(page, 'shop/web', 'shop/api');
    assert(webApi.text === 'TCP 8080', `web→api ${JSON.stringify(webApi)}`);
    const webExt = await cellState(page, 'shop/web', '0.0.0.0-255.255.255.255');
    assert(webExt.state === 'removed', `web→internet still blocked: ${JSON.stringify(webExt)}`);
    const summary = await page.locator('.pl-summary').innerText();
    assert(/\+0 newly allowed, −1 newly blocked vs the baseline scenario/.test(summary), `summary: ${summary}`);
    await page.screenshot({ path: join(shots, '03-typed-fix.png') });
  });

  await test('quick fix from Ctrl+. adds the DNS egress rule the warning asks for', async () => {
    const before = await analyzedCount(page);
    await page.locator('#problems-list li[data-code="np-dns-blocked"] button').click();
    await page.keyboard.press('Control+.');
    // The fix is the only one offered: it is focused in the Quick Fix menu; Enter applies it.
    const item = page.locator('.action-widget .monaco-list-row.focused', { hasText: /DNS/ });
    await item.waitFor({ state: 'visible', timeout: 10_000 });
    await page.screenshot({ path: join(shots, '04a-quick-fix-menu.png') });
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /port: 53/.test(window.policyLensPlayground.text()), null, { timeout: 10_000 });
    await analyzedAfter(page, before);
    await page.waitForFunction(() => !window.policyLensPlayground.markers('policy-lens').some((m) => m.code === 'np-dns-blocked'), null, { timeout: 10_000 });
    assert((await page.locator('#problems-count').innerText()) === 'no problems', `problems: ${await page.locator('#problems-count').innerText()}`);
    const webApi = await cellState(page, 'shop/web', 'shop/api');
    assert(webApi.text === 'TCP 8080', `web→api after the fix: ${JSON.stringify(webApi)}`);
  });

  await test('hovering a podSelector shows the semantic explanation from the worker', async () => {
    const text = await page.evaluate(() => window.policyLensPlayground.text());
    const lines = text.split('\n');
    // The spec.podSelector of the pasted web-egress policy.
    const line = lines.findIndex((l, i) => i > lines.indexOf('  name: web-egress') && l === '  podSelector:') + 1;
    assert(line > 0, 'web-egress podSelector not found');
    const column = lines[line - 1].indexOf('podSelector') + 3;
    const at = await page.evaluate(([l, c]) => window.policyLensPlayground.pointAt(l, c), [line, column]);
    assert(at, 'podSelector position not visible');
    await page.waitForTimeout(100);
    await page.mouse.move(at.x, at.y);
    const hover = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content, .monaco-hover-content').filter({ hasText: 'podSelector' });
    await hover.first().waitFor({ state: 'visible', timeout: 10_000 });
    // Two providers answer (the worker and monaco-yaml's schema hover) and their parts may arrive one after the other.
    const complete = (t) => /app=web in namespace shop/.test(t) && /Selects 1 workload in this workspace: shop\/web/.test(t) && /podSelector \(object\)/.test(t);
    let shown = await hover.first().innerText();
    for (let i = 0; i < 50 && !complete(shown); i++) {
      await page.waitForTimeout(200);
      shown = await hover.first().innerText().catch(() => shown);
    }
    assert(/app=web in namespace shop/.test(shown) && /Selects 1 workload in this workspace: shop\/web/.test(shown) && /podSelector \(object\)/.test(shown), `hover: ${shown}`);
    await page.waitForTimeout(400); // let the hover finish fading in
    await page.screenshot({ path: join(shots, '04-hover.png') });
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
  });

  await test('clicking a matrix cell explains the pair (rule links jump to the YAML)', async () => {
    await cell(page, 'shop/web', 'shop/api').click();
    const ex = page.locator('#pl-explain .pl-trace');
    await ex.first().waitFor({ timeout: 10_000 });
    const verdict = await page.locator('[data-testid="verdict"]').innerText();
    assert(/Allowed: TCP 8080/.test(verdict), `verdict: ${verdict}`);
    const pane = await page.locator('#pl-explain').innerText();
    assert(/shop\/web-egress\s+egress rule 1 · playground\.yaml:\d+/.test(pane) && /shop\/api-from-web\s+ingress rule 1 · playground\.yaml:\d+/.test(pane), `explanation: ${pane}`);
    await page.locator('#pl-explain section[data-direction="Egress"] a.pl-link', { hasText: 'egress rule 1' }).click();
    const line = await page.evaluate(() => window.policyLensPlayground.selectionStartLine());
    const text = await page.evaluate(() => window.policyLensPlayground.text());
    const ruleLine = text.split('\n').findIndex((l) => l.includes('- to:')) + 1;
    assert(line === ruleLine, `rule link selected from line to line ${line}, rule is on line ${ruleLine}`);
    // A denied pair is explained too.
    await cell(page, 'shop/web', 'shop/db').click();
    await page.waitForFunction(() => /Denied/.test(document.querySelector('[data-testid="verdict"]')?.textContent ?? ''), null, { timeout: 10_000 });
    const denied = await page.locator('#pl-explain').innerText();
    assert(/Deny/.test(denied) && /end of tier/.test(denied), `denied explanation: ${denied}`);
    await page.screenshot({ path: join(shots, '05-explanation.png') });
  });

  await test('broken YAML keeps the last good matrix and says so; fixing it recovers', async () => {
    const before = await analyzedCount(page);
    await toEnd(page);
    await paste(page, '---\nkind: [unclosed\n');
    await analyzedAfter(page, before);
    await page.locator('[data-testid="stale"]').waitFor({ timeout: 10_000 });
    const ms = await markers(page, 'policy-lens');
    assert(ms.some((m) => m.severity === 8 && /^yaml/.test(String(m.code))), `no YAML error marker: ${JSON.stringify(ms)}`);
    const webApi = await cellState(page, 'shop/web', 'shop/api');
    assert(webApi.text === 'TCP 8080', `last good matrix not shown: ${JSON.stringify(webApi)}`);
    await page.screenshot({ path: join(shots, '06-broken-yaml.png') });
    const again = await analyzedCount(page);
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => !window.policyLensPlayground.text().includes('[unclosed'), null, { timeout: 5_000 });
    await analyzedAfter(page, again);
    await page.locator('[data-testid="stale"]').waitFor({ state: 'detached', timeout: 10_000 });
  });

  await test('Share link puts the scenario in the URL fragment and a new page restores it', async () => {
    await page.locator('#share').click();
    await page.waitForFunction(() => location.hash.startsWith('#s='), null, { timeout: 10_000 });
    const url = page.url();
    const text = await page.evaluate(() => window.policyLensPlayground.text());
    const other = await openPage(browser, url, errors);
    const restored = await other.evaluate(() => window.policyLensPlayground.text());
    assert(restored === text, 'restored text differs from the shared one');
    const webExt = await cellState(other, 'shop/web', '0.0.0.0-255.255.255.255');
    assert(webExt.state === 'denied', `restored scenario's web→internet: ${JSON.stringify(webExt)}`);
    await other.screenshot({ path: join(shots, '07-shared-link.png') });
    await other.close();
  });

  await test('completion suggests the workspace label values (Policy Lens) next to schema keys (monaco-yaml)', async () => {
    const p = await openPage(browser, server.url, errors);
    await toEnd(p);
    await paste(p, '---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: t\n  namespace: shop\nspec:\n  podSelector:\n    matchLabels:\n      app: ');
    await p.waitForFunction(() => window.policyLensPlayground.text().endsWith('app: '), null, { timeout: 5_000 });
    await p.keyboard.press('Control+Space');
    const widget = p.locator('.suggest-widget');
    await widget.locator('.monaco-list-row', { hasText: /^db/ }).first().waitFor({ state: 'visible', timeout: 10_000 });
    const rows = await widget.locator('.monaco-list-row .label-name').allInnerTexts();
    for (const v of ['api', 'db', 'web']) assert(rows.includes(v), `label value ${v} missing from ${JSON.stringify(rows)}`);
    await p.screenshot({ path: join(shots, '08-completion-labels.png') });
    await p.keyboard.press('Escape');
    // Schema keys from monaco-yaml on a new key line under spec.
    await paste(p, 'db\n  ');
    await p.waitForFunction(() => window.policyLensPlayground.text().endsWith('app: db\n  '), null, { timeout: 5_000 });
    await p.keyboard.press('Control+Space');
    await widget.locator('.monaco-list-row', { hasText: 'policyTypes' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await p.keyboard.press('Escape');
    await p.close();
  });

  await test('graph and blast-radius views render from the same result; dark colour scheme follows the system', async () => {
    await page.locator('#pl-tab-graph').click();
    await page.locator('svg.pl-graph g.pl-edge[data-src="shop/web"][data-dst="shop/api"]').waitFor({ timeout: 10_000 });
    // Laid out by ELK in the playground's graph worker: the 3 workloads inside their namespace box, and the internet.
    assert((await page.locator('svg.pl-graph g.pl-node.workload').count()) === 3, 'graph should show 3 workloads');
    assert((await page.locator('svg.pl-graph g.pl-node.external').count()) >= 1, 'graph should show the internet');
    assert((await page.locator('svg.pl-graph g.pl-container[data-key="ns:shop"]').count()) === 1, 'graph should show namespace shop as a box');
    await page.locator('#pl-tab-blast').click();
    await page.locator('#pl-blast-select').selectOption('shop/api');
    const reach = await page.locator('.pl-blast-col[aria-label="Can reach"]').innerText();
    assert(/namespace shop\s+db\s+TCP 5432/.test(reach), `api can reach: ${reach}`);
    const from = await page.locator('.pl-blast-col[aria-label="Reachable from"]').innerText();
    assert(/namespace shop\s+web\s+TCP 8080/.test(from), `api reachable from: ${from}`);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForFunction(() => document.querySelector('.monaco-editor')?.classList.contains('vs-dark'), null, { timeout: 5_000 });
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert(bg === 'rgb(30, 30, 30)', `dark body background: ${bg}`);
    await page.screenshot({ path: join(shots, '09-blast-radius-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.locator('#pl-tab-matrix').click();
  });

  await test('a damaged shared link shows a clear error and falls back to the example', async () => {
    const damaged = [];
    const p = await openPage(browser, `${server.url}#s=AAAA`, damaged);
    const banner = await p.locator('#banner').innerText();
    assert(/could not be read/.test(banner), `banner: ${banner}`);
    const text = await p.evaluate(() => window.policyLensPlayground.text());
    assert(text.includes('name: api-from-web'), 'example not loaded after a damaged link');
    assert(damaged.length === 0, `errors on the damaged-link page: ${damaged.join('\n')}`);
    await p.close();
  });

  await test('the page is served with a strict Content-Security-Policy (no inline script) and works under it', async () => {
    assert(typeof page.csp === 'string' && page.csp.includes("default-src 'none'"), `CSP header: ${page.csp}`);
    const scriptSrc = page.csp.split(';').find((d) => d.trim().startsWith('script-src')) ?? '';
    assert(scriptSrc.trim() === "script-src 'self'", `script-src: ${scriptSrc}`);
    assert((await page.locator('script:not([src])').count()) === 0, 'an inline script in the page');
  });

  await test('no page errors, console errors or CSP violations during the run', async () => {
    assert(errors.length === 0, errors.join('\n'));
  });
} catch (e) {
  failed++;
  console.log(`FAIL - setup: ${e?.stack ?? e}`);
} finally {
  await browser?.close().catch(() => {});
  server?.child.kill('SIGTERM');
  rmSync(buildDir, { recursive: true, force: true });
}
console.log(`# ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in ${shots}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
