#!/usr/bin/env node
// Entry point of the `policy-lens` command. Runs the bundled CLI (npm run build makes dist/cli.js).
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const bundle = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(bundle)) {
  console.error('policy-lens: dist/cli.js is missing; run `npm run build` first.');
  process.exit(2);
}
// Exit once standard output is flushed: process.exit() right away would cut a large output written to a pipe.
const exit = (code) => process.stdout.write('', () => process.exit(code));
require(bundle).main(process.argv.slice(2)).then(
  (code) => exit(code),
  (err) => {
    console.error(`policy-lens: ${err && err.stack ? err.stack : err}`);
    process.exit(2);
  },
);
