// Property tests (fast-check) for the port-set algebra and Kubernetes label selectors, checked against
// brute-force reference models over small universes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ConnSet } from '../../server/src/core/ports';
import { selectorMatches } from '../../server/src/core/selectors';
import type { LabelSelector, SelectorRequirement } from '../../server/src/core/model';

const PROTOS = ['TCP', 'UDP'];
const MAXP = 40; // small port universe so sets can be enumerated

const rangeArb = fc.tuple(fc.constantFrom(...PROTOS), fc.integer({ min: 1, max: MAXP }), fc.integer({ min: 0, max: 8 })).map(([p, lo, len]) => [p, lo, Math.min(MAXP, lo + len)] as const);
const setArb = fc.array(rangeArb, { maxLength: 6 }).map((rs) => {
  let s = ConnSet.EMPTY;
  for (const [p, lo, hi] of rs) s = s.union(ConnSet.of(p, lo, hi));
  return s;
});

function enumerate(s: ConnSet): Set<string> {
  const out = new Set<string>();
  for (const p of PROTOS) for (let i = 1; i <= MAXP; i++) if (s.has(p, i)) out.add(`${p}${i}`);
  return out;
}

test('ConnSet union / intersect / subtract agree with set semantics', () => {
  fc.assert(
    fc.property(setArb, setArb, (a, b) => {
      const ea = enumerate(a);
      const eb = enumerate(b);
      assert.deepEqual(enumerate(a.union(b)), new Set([...ea, ...eb]));
      assert.deepEqual(enumerate(a.intersect(b)), new Set([...ea].filter((x) => eb.has(x))));
      assert.deepEqual(enumerate(a.subtract(b)), new Set([...ea].filter((x) => !eb.has(x))));
    }),
    { numRuns: 400 },
  );
});

test('ConnSet normal form: equal sets are equal(), ranges sorted, disjoint and non-adjacent; JSON round-trips', () => {
  fc.assert(
    fc.property(setArb, setArb, (a, b) => {
      assert.ok(a.union(b).equals(b.union(a)));
      assert.ok(a.intersect(b).equals(b.intersect(a)));
      assert.ok(a.subtract(b).union(a.intersect(b)).equals(a));
      for (const p of a.protocols()) {
        const rs = a.ranges(p);
        for (let i = 1; i < rs.length; i++) assert.ok(rs[i][0] > rs[i - 1][1] + 1);
      }
      assert.ok(ConnSet.fromProtocolPorts(a.toJSON()).equals(a));
      assert.equal(a.contains(a.intersect(b)), true);
    }),
    { numRuns: 300 },
  );
});

const KEYS = ['app', 'tier', 'env'];
const VALS = ['a', 'b', 'c'];
const labelsArb = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALS), { maxKeys: 3 });
const reqArb: fc.Arbitrary<SelectorRequirement> = fc.record({
  key: fc.constantFrom(...KEYS),
  operator: fc.constantFrom('In' as const, 'NotIn' as const, 'Exists' as const, 'DoesNotExist' as const),
  values: fc.subarray(VALS, { minLength: 1 }),
});
const selArb: fc.Arbitrary<LabelSelector> = fc.record({ matchLabels: labelsArb, matchExpressions: fc.array(reqArb, { maxLength: 3 }) });

// Reference semantics: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/
function reference(sel: LabelSelector, labels: Record<string, string>): boolean {
  const reqs: boolean[] = Object.entries(sel.matchLabels).map(([k, v]) => labels[k] === v);
  for (const r of sel.matchExpressions) {
    const has = r.key in labels;
    if (r.operator === 'In') reqs.push(has && r.values.includes(labels[r.key]));
    if (r.operator === 'NotIn') reqs.push(!has || !r.values.includes(labels[r.key]));
    if (r.operator === 'Exists') reqs.push(has);
    if (r.operator === 'DoesNotExist') reqs.push(!has);
  }
  return reqs.every(Boolean);
}

test('label selectors: requirements are ANDed; the empty selector matches everything', () => {
  fc.assert(
    fc.property(selArb, labelsArb, (sel, labels) => {
      assert.equal(selectorMatches(sel, labels), reference(sel, labels));
      assert.equal(selectorMatches({ matchLabels: {}, matchExpressions: [] }, labels), true);
    }),
    { numRuns: 1000 },
  );
});

test('label selectors: In and NotIn over the same key and values are complements; a selector built from a pod\'s own labels matches it', () => {
  fc.assert(
    fc.property(reqArb, labelsArb, (r, labels) => {
      const inSel = { matchLabels: {}, matchExpressions: [{ ...r, operator: 'In' as const }] };
      const notIn = { matchLabels: {}, matchExpressions: [{ ...r, operator: 'NotIn' as const }] };
      assert.notEqual(selectorMatches(inSel, labels), selectorMatches(notIn, labels));
      assert.equal(selectorMatches({ matchLabels: labels, matchExpressions: [] }, labels), true);
    }),
    { numRuns: 500 },
  );
});
