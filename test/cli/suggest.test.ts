// `policy-lens reach PATH --explain SRC DST --suggest`: the explanation followed by verified proposals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { main } from '../../server/src/cli/main';
import { repoRoot } from '../helpers/paths';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

const SHOP = join(repoRoot(), 'examples', 'shop');
const CALICO = join(repoRoot(), 'examples', 'calico');

test('--suggest prints the trace, then numbered proposals with a unified diff and the verified effect', async () => {
  const r = await run(['reach', SHOP, '--explain', 'backend/api', 'data/redis', '--suggest', '--port', '6379']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^backend\/api => data\/redis: Denied by the ingress side of data\/redis\./);
  assert.match(r.out, /How to allow TCP 6379 from backend\/api to data\/redis: \d+ proposals, each verified/);
  assert.match(r.out, /\n1\. Add TCP 6379 \(named port redis\) to the ports of data\/redis ingress rule 1 {2}\[exact\]\n/);
  assert.match(r.out, /\n {3}--- a\/.*policies\/data\.yaml\n {3}\+\+\+ b\/.*policies\/data\.yaml\n {3}@@ -\d+,\d+ \+\d+,\d+ @@\n/);
  assert.match(r.out, /\n {3}\+ {8}- protocol: TCP\n {3}\+ {10}port: redis\n/);
  assert.match(r.out, /Effect \(verified\):\n {5}\+ backend\/api => data\/redis : TCP 6379\n {5}nothing else changes/);
});

test('--suggest on an allowed pair proposes how to block it; --suggest=allow with a port adds to it', async () => {
  const b = await run(['reach', CALICO, '--explain', 'frontend/web', 'backend/api', '--suggest']);
  assert.equal(b.code, 0, b.err);
  assert.match(b.out, /How to block TCP 9000 from frontend\/web to backend\/api/);
  assert.match(b.out, /Insert an ingress rule into backend\/api before its ingress rule 1 denying TCP 9000 from frontend\/web {2}\[exact\]/);
  assert.match(b.out, /- frontend\/web => backend\/api : TCP 9000/);
  const a = await run(['reach', CALICO, '--explain', 'frontend/web', 'backend/api', '--suggest=allow', '--port', '9090']);
  assert.match(a.out, /How to allow TCP 9090 from frontend\/web to backend\/api/);
  assert.match(a.out, /Note: Already allowed: TCP 9000/);
});

test('--suggest --output json carries the trace and the suggestion result', async () => {
  const r = await run(['reach', SHOP, '--explain', 'frontend/web', 'backend/api', '--suggest', '--port', '9090', '--output', 'json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.explanation.src, 'frontend/web');
  assert.equal(j.suggestions.mode, 'allow');
  assert.deepEqual(j.suggestions.requested, { TCP: [[9090, 9090]] });
  assert.ok(j.suggestions.proposals.length > 0);
  const p = j.suggestions.proposals[0];
  assert.equal(typeof p.title, 'string');
  assert.ok(p.edits[0].edits[0].start.line >= 0);
  assert.deepEqual(p.effect.removed, []);
});

test('bad suggestion options exit 2 with a message; unknown endpoints exit 1', async () => {
  const noExplain = await run(['reach', SHOP, '--suggest']);
  assert.equal(noExplain.code, 2);
  assert.match(noExplain.err, /--suggest needs --explain/);
  const badPort = await run(['reach', SHOP, '--explain', 'frontend/web', 'backend/api', '--suggest', '--port', 'http']);
  assert.equal(badPort.code, 2);
  assert.match(badPort.err, /--port needs a port number/);
  const badMode = await run(['reach', SHOP, '--explain', 'frontend/web', 'backend/api', '--suggest=maybe']);
  assert.equal(badMode.code, 2);
  const portOnly = await run(['reach', SHOP, '--explain', 'frontend/web', 'backend/api', '--port', '80']);
  assert.equal(portOnly.code, 2);
  const outOfRange = await run(['reach', SHOP, '--explain', 'frontend/web', 'backend/api', '--suggest', '--port', '70000']);
  assert.equal(outOfRange.code, 2);
  assert.match(outOfRange.out, /Invalid port 70000/);
  const unknown = await run(['reach', SHOP, '--explain', 'nope/x', 'backend/api', '--suggest']);
  assert.equal(unknown.code, 1);
});
