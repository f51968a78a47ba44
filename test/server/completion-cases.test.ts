// Completion cases as fixture files: `<|>` marks the cursor; the first line says what must be offered:
//   # expect: a, b, c            exactly these labels
//   # expect-includes: a, b      at least these labels
// Each case is opened as an unsaved buffer inside the "authoring" fixture workspace (for labels/ports).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../helpers/paths';
import { FIXTURES, startTestServer, withCursor, type TestServer } from './harness';

const CASES = join(repoRoot(), 'test', 'server', 'completion-cases');
let server: TestServer;
before(async () => {
  server = await startTestServer(join(FIXTURES, 'authoring'));
});
after(async () => {
  await server.stop();
});

for (const f of readdirSync(CASES).filter((x) => x.endsWith('.yaml')).sort()) {
  test(`completion case ${f}`, async () => {
    const src = readFileSync(join(CASES, f), 'utf8');
    const m = /^# (expect|expect-includes): (.*)$/m.exec(src);
    assert.ok(m, 'case file needs an expect line');
    const want = m[2].split(',').map((s) => s.trim()).filter(Boolean).sort();
    const { text, line, character } = withCursor(src);
    const uri = pathToFileURL(join(FIXTURES, 'authoring', `case-${f}`)).href;
    await server.open(uri, text);
    const got = (await server.completion(uri, line, character)).map((i) => i.label).sort();
    if (m[1] === 'expect') assert.deepEqual(got, want);
    else for (const w of want) assert.ok(got.includes(w), `${w} missing from ${got.join(', ')}`);
  });
}
