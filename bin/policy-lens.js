#!/usr/bin/env node
// Entry point of the `policy-lens` command. Runs the bundled CLI (npm run build makes dist/cli.js).
// The exit code is set with process.exitCode, never process.exit(): Node then exits only once stdout and stderr
// have drained into their pipes, so no output is lost (process.exit() would drop what is still buffered).
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const bundle = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(bundle)) {
  console.error('policy-lens: dist/cli.js is missing; run `npm run build` first.');
  process.exitCode = 2;
} else {
  require(bundle).main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      // Only a bug gets here (user errors are reported by main in one line): keep the stack for the report.
      console.error(`policy-lens: internal error: ${err && err.stack ? err.stack : err}`);
      process.exitCode = 3;
    },
  );
}
