// Entry of the mocha suite that runs inside the real extension host (`run()` contract of extensionTestsPath).
'use strict';
const path = require('node:path');
const fs = require('node:fs');

function loadMocha() {
  // mocha is installed by test/e2e/install.sh into .e2e-work/tools (not a project dependency).
  const candidates = [
    process.env.POLICY_LENS_E2E_TOOLS && path.join(process.env.POLICY_LENS_E2E_TOOLS, 'node_modules', 'mocha'),
    path.resolve(__dirname, '../../../.e2e-work/tools/node_modules/mocha'),
  ].filter(Boolean);
  for (const c of candidates) if (fs.existsSync(c)) return require(c);
  throw new Error(`mocha not found in ${candidates.join(', ')}; run test/e2e/install.sh`);
}

exports.run = function run() {
  const Mocha = loadMocha();
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60000, reporter: 'spec' });
  for (const f of fs.readdirSync(__dirname).sort()) if (f.endsWith('.test.js')) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      console.log(`E2E-RESULT ${JSON.stringify({ passed: runner.stats.passes, failed: runner.stats.failures })}`);
      if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed`));
      else resolve();
    });
  });
};
