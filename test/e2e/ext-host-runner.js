// Runs a mocha suite INSIDE code-server's node extension host (the @vscode/test-electron `run()` contract), driven
// by headless Chromium: the workbench URL carries `?payload=` with extensionDevelopmentPath/extensionTestsPath,
// which a built workbench honours only when code-server runs with `--vscode-option enable-smoke-test-driver`.
// The workbench reports log lines through window.codeAutomationLog and the exit code through
// window.codeAutomationExit; both are provided here with page.exposeFunction.
// Usage: node ext-host-runner.js <base-url> <workspace> <extension-dir> <tests-module> <results-json>
'use strict';
const { writeFileSync } = require('node:fs');
const { format } = require('node:util');
const { launchChromium } = require('./browser');

const [base, workspace, extDir, testsModule, resultsFile] = process.argv.slice(2);
const host = new URL(base).host;
const remote = (p) => `vscode-remote://${host}${p}`;

async function main() {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const lines = [];
  let resolveExit;
  const exited = new Promise((r) => (resolveExit = r));
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const text = format(...(Array.isArray(args) ? args : [args]));
    lines.push(text);
    // Offline noise: the workbench keeps asking the extension gallery (open-vsx.org) for updates.
    if (/ENOTFOUND open-vsx\.org/.test(text)) return;
    const shown = type === 'error' && !process.env.E2E_VERBOSE ? text.split('\n')[0] : text;
    if (type === 'info' && !process.env.E2E_VERBOSE && !/E2E-RESULT|✔|✗|passing|failing|pending|^\s+\d+\)|Error|Policy Lens/.test(text)) return;
    process.stdout.write(`  [ext-host ${type}] ${shown}\n`);
  });
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit(Number(code)));
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', remote(extDir)],
    ['extensionTestsPath', remote(testsModule)],
  ]);
  await page.goto(`${base}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);
  const timeoutMs = Number(process.env.E2E_EXT_TIMEOUT_MS || 240000);
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), timeoutMs))]);
  await browser.close();
  // The suite writes its own tally (see suite/index.js) into the log as `E2E-RESULT {"passed":n,"failed":m}`.
  let passed = 0;
  let failed = 0;
  for (const l of lines) {
    const m = /E2E-RESULT (\{.*\})/.exec(l);
    if (m) ({ passed, failed } = JSON.parse(m[1]));
  }
  if (code === 'timeout') {
    console.error(`extension-host tests timed out after ${timeoutMs} ms`);
    failed = Math.max(failed, 1);
  } else if (code !== 0 && failed === 0) {
    failed = 1; // the run failed before mocha could report (e.g. activation error)
  }
  writeFileSync(resultsFile, JSON.stringify({ passed, failed, exitCode: code }));
  console.log(`extension-host tests: ${passed} passed, ${failed} failed (exit ${code})`);
  process.exit(failed ? 1 : 0);
}
main().catch((e) => {
  console.error(e);
  writeFileSync(resultsFile, JSON.stringify({ passed: 0, failed: 1, error: String(e) }));
  process.exit(1);
});
