// The CLI's streaming JSON writer (server/src/cli/json-writer.ts): the same bytes as one JSON.stringify of the
// documented contract, from any Iterable, with backpressure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { analyzeFiles, type Connection, type Endpoint } from '../../server/src/core/index';
import { collectFiles } from '../../server/src/cli/inputs';
import { OutputClosed, streamSink, stripRanges, writeReachJson, type TextSink } from '../../server/src/cli/json-writer';
import { corporaDir, repoRoot } from '../helpers/paths';

async function collect(endpoints: Iterable<Endpoint>, connections: Iterable<Connection>, chunkSize?: number): Promise<{ text: string; writes: number }> {
  let text = '';
  let writes = 0;
  await writeReachJson(
    {
      write(s) {
        text += s;
        writes++;
      },
    },
    endpoints,
    connections,
    chunkSize,
  );
  return { text, writes };
}

/** What the CLI printed before streaming: one JSON.stringify of the whole result. */
const whole = (endpoints: Endpoint[], connections: Connection[]) => `${JSON.stringify({ endpoints, connections }, stripRanges, 2)}\n`;

test('byte-for-byte the output of JSON.stringify(result, stripRanges, 2) on real analyses', async () => {
  for (const dir of [join(corporaDir(), 'netpol-analyzer', 'tests', 'onlineboutique'), join(repoRoot(), 'examples', 'calico')]) {
    const { analysis } = analyzeFiles(collectFiles([dir]).files);
    const r = analysis.result();
    assert.ok(r.connections.length > 5);
    const { text, writes } = await collect(r.endpoints, r.connections, 256);
    assert.equal(text, whole(r.endpoints, r.connections), dir);
    // ... which on this data (no label called `range`) is also what the CLI printed before streaming.
    assert.equal(text, `${JSON.stringify({ endpoints: r.endpoints, connections: r.connections }, (k, v) => (k === 'range' ? undefined : v), 2)}\n`);
    assert.ok(writes > 10, 'written in many chunks');
    // Ranges are stripped everywhere (endpoints and explanations), nothing else is.
    assert.doesNotMatch(text, /"range"/);
    assert.doesNotMatch(text, /"startOffset"/);
  }
});

test('empty arrays, a generator of connections, and data named "range" that is not a source range', async () => {
  assert.equal((await collect([], [])).text, whole([], []));
  const ep: Endpoint = {
    id: 'ns/a',
    kind: 'Pod',
    namespace: 'ns',
    name: 'a',
    labels: { range: 'low', 'line\nbreak': 'x"y' },
    range: { file: '/x.yaml', doc: 0, start: { line: 1, character: 0 }, end: { line: 2, character: 0 }, startOffset: 5, endOffset: 9 },
  };
  const conn = (i: number): Connection => ({ src: 'ns/a', dst: `ns/b${i}`, protocols: { TCP: [[i, i]] }, explanation: { summary: `s${i}` } as Connection['explanation'] });
  function* gen() {
    for (let i = 0; i < 3; i++) yield conn(i);
  }
  const { text } = await collect([ep], gen());
  assert.equal(text, whole([ep], [conn(0), conn(1), conn(2)]));
  const j = JSON.parse(text);
  assert.deepEqual(j.endpoints[0].labels, { range: 'low', 'line\nbreak': 'x"y' }, 'a label called range is data');
  assert.equal(j.endpoints[0].range, undefined, 'the source range is stripped');
  assert.deepEqual(Object.keys(j), ['endpoints', 'connections']);
});

test('backpressure: no connection is pulled from the Iterable while the sink is still busy', async () => {
  let pulled = 0;
  function* gen(): Generator<Connection> {
    for (let i = 0; i < 200; i++) {
      pulled++;
      yield { src: 'a/a', dst: `a/b${i}`, protocols: { TCP: [[1, 65535]] }, explanation: { summary: 'x'.repeat(100) } as Connection['explanation'] };
    }
  }
  let release: (() => void) | undefined;
  let text = '';
  const sink: TextSink = {
    write(s) {
      text += s;
      return new Promise<void>((r) => (release = r));
    },
  };
  let finished = false;
  const done = writeReachJson(sink, [], gen(), 1024).then(() => {
    finished = true;
  });
  let rounds = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 2)); // let the writer run until it has to wait
    if (finished) break;
    assert.ok(release, 'the writer is waiting for the sink');
    const before = pulled;
    await new Promise((r) => setTimeout(r, 2));
    assert.equal(pulled, before, 'nothing more is pulled while the sink is busy');
    const r = release;
    release = undefined;
    r();
    rounds++;
  }
  await done;
  assert.ok(rounds > 10, `the sink made the writer wait ${rounds} times`);
  assert.equal(pulled, 200);
  assert.equal(JSON.parse(text).connections.length, 200);
});

test('streamSink waits for drain on a slow stream and turns EPIPE into OutputClosed', async () => {
  const chunks: string[] = [];
  let drains = 0;
  const slow = new Writable({
    highWaterMark: 16,
    write(chunk, _enc, cb) {
      chunks.push(chunk.toString());
      setTimeout(cb, 1);
    },
  });
  slow.on('drain', () => drains++);
  const sink = streamSink(slow);
  for (let i = 0; i < 20; i++) await sink.write(`chunk ${i} `.repeat(3));
  await new Promise<void>((r) => slow.end(r));
  assert.equal(chunks.join(''), Array.from({ length: 20 }, (_, i) => `chunk ${i} `.repeat(3)).join(''));
  assert.ok(drains >= 10, `waited for drain (${drains})`);

  const broken = new Writable({
    highWaterMark: 4,
    write(_chunk, _enc, cb) {
      cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE', syscall: 'write' }));
    },
  });
  const bs = streamSink(broken);
  await assert.rejects(async () => {
    for (let i = 0; i < 10; i++) await bs.write('more than four bytes');
  }, OutputClosed);
});
