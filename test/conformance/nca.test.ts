// Conformance against network-config-analyzer (NCA) expected connectivity maps
// (../shared/corpora/network-config-analyzer, Apache-2.0): every connectivityMap query of the Calico
// (calico-v3) and Kubernetes NetworkPolicy (k8s-networkpolicy) families that has an expected output in a
// fw-rules format (txt, yaml, json, csv, md). NCA groups its answer into firewall rules; the helpers under
// test/helpers/nca expand every rule back into endpoint-pair and address-interval facts and compare them with
// Policy Lens (see compare.ts for exactly what is compared and how identities and connections are mapped).
//
// Cases that differ because of a known, documented limitation of Policy Lens or a deliberate semantic
// difference are listed in KNOWN_DIFFERENCES and reported as skipped with the reason; the comparison still
// runs, and a listed case that starts to match fails so the table stays honest.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { corporaDir } from '../helpers/paths';
import { caseId, runCase } from '../helpers/nca/compare';
import { loadIndex } from '../helpers/nca/scheme';

const base = join(corporaDir(), 'network-config-analyzer');
const FW_RULE_FORMATS = ['txt', 'yaml', 'json', 'csv', 'md'];

/** Case id (see caseId) -> why Policy Lens and NCA legitimately differ. */
export const KNOWN_DIFFERENCES: Record<string, string> = {};

const all = loadIndex(base).filter((q) => q.type === 'connectivityMap' && (q.family === 'calico-v3' || q.family === 'k8s-networkpolicy') && q.expectedOutput);
const cases = all.filter((q) => FW_RULE_FORMATS.includes(q.outputFormat));
const outOfScope = all.filter((q) => !FW_RULE_FORMATS.includes(q.outputFormat));

const summary = { pass: 0, skip: 0, fail: 0, lines: [] as string[] };

test('the corpus has the connectivity-map cases this suite expects', () => {
  assert.equal(all.length, 160);
  assert.equal(cases.length, 133);
  assert.equal(new Set(cases.map(caseId)).size, cases.length, 'case ids are unique');
  for (const id of Object.keys(KNOWN_DIFFERENCES)) assert.ok(cases.some((q) => caseId(q) === id), `KNOWN_DIFFERENCES entry ${id} names a case`);
});

for (const q of cases) {
  const id = caseId(q);
  test(`nca conformance: ${id}`, (t) => {
    const r = runCase(base, q);
    const known = KNOWN_DIFFERENCES[id];
    if (known) {
      if (r.ok) {
        summary.fail++;
        summary.lines.push(`FAIL ${id}: listed in KNOWN_DIFFERENCES but now matches`);
        assert.fail(`listed in KNOWN_DIFFERENCES ("${known}") but now matches NCA: remove it from the table`);
      }
      summary.skip++;
      summary.lines.push(`SKIP ${id}: ${known}`);
      t.diagnostic(r.problems.slice(0, 3).join('\n'));
      t.skip(known);
      return;
    }
    if (!r.ok) {
      summary.fail++;
      summary.lines.push(`FAIL ${id}: ${r.category}`);
      assert.fail(`${r.category}:\n${r.problems.join('\n')}`);
    }
    assert.ok(r.compared > 0, 'some facts were compared');
    for (const n of r.notes) t.diagnostic(n);
    summary.pass++;
  });
}

after(() => {
  const lines = [
    `NCA conformance: ${summary.pass} pass, ${summary.skip} skipped (known differences), ${summary.fail} fail, of ${cases.length} fw-rules cases`,
    `(${outOfScope.length} further cases use the dot / txt_no_fw_rules formats and are not compared)`,
    ...summary.lines,
  ];
  console.log(lines.join('\n'));
});
