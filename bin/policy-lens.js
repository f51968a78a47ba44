#!/usr/bin/env node
// Entry point of the `policy-lens` command. Runs the bundled CLI (npm run build makes dist/cli.js).
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const bundle = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(bundle)) {
  console.error('policy-lens: dist/cli.js is missing; run `npm run build` first.');
  process.exit(2);
}
require(bundle).main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`policy-lens: ${err && err.stack ? err.stack : err}`);
    process.exit(2);
  },
);
