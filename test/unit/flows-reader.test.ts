// The streaming JSON record reader: every layout the flow sources produce, fed in arbitrary chunks, gives the same
// records with the right line numbers; broken input is reported with its line, never thrown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JsonRecordReader } from '../../server/src/core/flows/reader';

function read(text: string, chunkSizes?: number[]): { records: [unknown, number][]; errors: [number, string][] } {
  const records: [unknown, number][] = [];
  const errors: [number, string][] = [];
  const r = new JsonRecordReader(
    (v, line) => records.push([v, line]),
    (line, m) => errors.push([line, m]),
  );
  if (!chunkSizes) r.push(text);
  else {
    let i = 0;
    let k = 0;
    while (i < text.length) {
      const n = Math.max(1, chunkSizes[k++ % chunkSizes.length]);
      r.push(text.slice(i, i + n));
      i += n;
    }
  }
  r.end();
  return { records, errors };
}

const A = { a: 1, s: 'x "quoted" \\ back}slash]' };
const B = { b: [1, { c: '{' }], n: null };

test('NDJSON (hubble observe -o jsonpb, Goldmane emitter): one record per line, with line numbers', () => {
  const { records, errors } = read(`${JSON.stringify(A)}\n\n${JSON.stringify(B)}\r\n`);
  assert.deepEqual(errors, []);
  assert.deepEqual(records, [
    [A, 1],
    [B, 3],
  ]);
});

test('Whisker GET /flows envelope {"total":…,"items":[…]}: the items are the records, streamed', () => {
  const text = `{"total":{"totalPages":1},"items":[\n${JSON.stringify(A)},\n${JSON.stringify(B)}\n]}\n`;
  for (const chunks of [undefined, [1], [3, 7], [64]]) {
    const { records, errors } = read(text, chunks);
    assert.deepEqual(errors, [], `chunks ${chunks}`);
    assert.deepEqual(records, [
      [A, 2],
      [B, 3],
    ]);
  }
  // Goldmane FlowListResult {"meta":…,"flows":[…]}
  const gm = read(`{"meta":{"totalPages":"1"},"flows":[${JSON.stringify(A)}]}`);
  assert.deepEqual(gm.records, [[A, 1]]);
});

test('a JSON array of records, pretty-printed, and pretty-printed records one after another (jq .)', () => {
  const arr = JSON.stringify([A, B], null, 2);
  const r1 = read(arr, [5]);
  assert.deepEqual(r1.errors, []);
  assert.deepEqual(r1.records.map(([v]) => v), [A, B]);
  assert.equal(r1.records[1][1], arr.split('\n').findIndex((l) => l.includes('"b"')) ); // B starts on the line before its first key
  const pretty = `${JSON.stringify(A, null, 2)}\n${JSON.stringify(B, null, 2)}\n`;
  const r2 = read(pretty, [2]);
  assert.deepEqual(r2.errors, []);
  assert.deepEqual(r2.records, [
    [A, 1],
    [B, JSON.stringify(A, null, 2).split('\n').length + 1],
  ]);
});

test('server-sent events (Whisker watch stream): data: lines are records, other fields ignored', () => {
  const text = `: keep-alive\nevent: flow\ndata: ${JSON.stringify(A)}\n\nid: 7\ndata: ${JSON.stringify(B)}\n\nerror: upstream gone\n\n`;
  const { records, errors } = read(text, [4]);
  assert.deepEqual(records, [
    [A, 3],
    [B, 6],
  ]);
  assert.deepEqual(errors, [[8, 'the server reported an error: upstream gone']]);
});

test('broken input is reported with its line and reading goes on: bad lines, truncated files, text', () => {
  const text = `${JSON.stringify(A)}\n{"broken": tru\nhello world\n${JSON.stringify(B)}\n{"cut": [1, 2`;
  const { records, errors } = read(text);
  assert.deepEqual(records.map(([v, l]) => [v, l]), [
    [A, 1],
    [B, 4],
  ]);
  assert.deepEqual(errors.map(([l]) => l), [2, 3, 5]);
  assert.match(errors[1][1], /not JSON/);
  // A truncated array
  const cut = read(`[${JSON.stringify(A)}, {"x": `);
  assert.deepEqual(cut.records.map(([v]) => v), [A]);
  assert.equal(cut.errors.length, 1);
  assert.match(cut.errors[0][1], /unexpected end of file/);
  // Empty input and a byte-order mark
  assert.deepEqual(read(''), { records: [], errors: [] });
  assert.deepEqual(read(`\ufeff${JSON.stringify(A)}\n`).records, [[A, 1]]);
});

test('property: any chunking of any layout gives the same records as reading at once', () => {
  const value = fc.dictionary(fc.constantFrom('a', 'b', 'source_name', 'flow'), fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 })), { minKeys: 1, maxKeys: 3 })
    .filter((o) => !['total', 'meta', 'items', 'flows'].includes(Object.keys(o)[0]));
  fc.assert(
    fc.property(fc.array(value, { minLength: 1, maxLength: 6 }), fc.constantFrom('ndjson', 'array', 'envelope', 'pretty'), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }), (vals, layout, chunks) => {
      const text =
        layout === 'ndjson'
          ? vals.map((v) => JSON.stringify(v)).join('\n')
          : layout === 'array'
            ? JSON.stringify(vals, null, 1)
            : layout === 'envelope'
              ? JSON.stringify({ total: { totalPages: 1 }, items: vals })
              : vals.map((v) => JSON.stringify(v, null, 2)).join('\n');
      const once = read(text);
      const chunked = read(text, chunks);
      assert.deepEqual(once.errors, []);
      assert.deepEqual(once.records.map(([v]) => v), JSON.parse(JSON.stringify(vals)));
      assert.deepEqual(chunked, once);
    }),
    { numRuns: 300 },
  );
});
