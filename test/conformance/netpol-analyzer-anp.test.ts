// Conformance of AdminNetworkPolicy / BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1, with and without
// Kubernetes NetworkPolicies) against np-guard netpol-analyzer's expected connectivity lists
// (../shared/corpora/netpol-analyzer, Apache-2.0): every "ANP/BANP (+ optional NetworkPolicy)" run with no
// focus/exposure option. Same comparison as the NetworkPolicy runs (test/helpers/npa.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNpaRun, npaCases } from '../helpers/npa';

const cases = npaCases().filter((c) => c.plain && c.category === 'ANP/BANP (+ optional NetworkPolicy)' && c.expected.txt);

test('the corpus has the 54 ANP/BANP plain runs', () => {
  assert.equal(cases.length, 54);
});

for (const c of cases) {
  test(`netpol-analyzer ANP/BANP conformance: ${c.testDirName}`, () => assertNpaRun(c));
}
