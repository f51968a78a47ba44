// Conformance against np-guard netpol-analyzer's expected connectivity lists
// (../shared/corpora/netpol-analyzer, Apache-2.0): every "NetworkPolicy only" run with no focus/exposure option.
// The comparison (workload pairs exactly, external peers per IPv4 interval) is in test/helpers/npa.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNpaRun, npaCases } from '../helpers/npa';

const cases = npaCases().filter((c) => c.plain && c.category === 'NetworkPolicy only' && c.expected.txt);

test('the corpus has the 38 NetworkPolicy-only plain runs', () => {
  assert.equal(cases.length, 38);
});

for (const c of cases) {
  test(`netpol-analyzer conformance: ${c.testDirName}`, () => assertNpaRun(c));
}
