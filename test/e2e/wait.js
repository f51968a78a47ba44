// Polls `fn` until it returns a truthy value (returned) or the time is up (throws, with the last error seen).
// Shared by the extension-host suite (suite/*.js) and the UI driver (ui.js).
'use strict';

async function waitFor(what, fn, timeoutMs = 20000, stepMs = 100) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

module.exports = { waitFor };
