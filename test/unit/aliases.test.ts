// YAML anchors, aliases and merge keys are expanded like the API server's YAML decoder does (YAML 1.2 §3.2.2.2
// "Anchors and Aliases", https://yaml.org/spec/1.2.2/#3222-anchors-and-aliases; merge keys
// https://yaml.org/type/merge.html, honoured by sigs.k8s.io/yaml / go-yaml), with the yaml package's alias-count
// limit against alias bombs (Document.toJS maxAliasCount).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseDocument } from 'yaml';
import { analyze, parseFiles } from '../../server/src/core/index';
import { LintProject } from '../../server/src/core/lint/project';
import { computeFix } from '../../server/src/core/lint/fixes';
import { parseChunk } from '../../server/src/core/documents';
import { MAX_ALIAS_COUNT } from '../../server/src/core/yaml';

const NP = (spec: string, meta = '') => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: a${meta}}\nspec:\n${spec}`;
const PODS = [
  'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: a, labels: {app: web}}\n',
  'apiVersion: v1\nkind: Pod\nmetadata: {name: db, namespace: a, labels: {app: db}}\n',
].join('---\n');

test('an aliased matchLabels selects what the anchor says, not every pod of the namespace', () => {
  const text = `${NP('  podSelector: {matchLabels: *l}\n  policyTypes: [Ingress]\n', ', labels: &l {app: web}')}---\n${PODS}`;
  const cluster = parseFiles([{ path: 'x.yaml', text }]);
  assert.deepEqual(cluster.diagnostics, []);
  assert.deepEqual(cluster.policies[0].podSelector.matchLabels, { app: 'web' });
  // Default-deny ingress for app=web only: db still accepts traffic from web, web accepts nothing.
  const conns = analyze(cluster).result().connections.filter((c) => c.src.startsWith('a/') && c.dst.startsWith('a/')).map((c) => `${c.src}->${c.dst}`);
  assert.deepEqual(conns, ['a/web->a/db']);
});

test('values reached through an alias report their problems at the alias', () => {
  const text = NP('  podSelector:\n    matchLabels: *l\n', ', annotations: &l {app: [x]}');
  const cluster = parseFiles([{ path: 'x.yaml', text }]);
  const d = cluster.diagnostics.find((x) => x.code === 'invalid-field');
  assert.ok(d, JSON.stringify(cluster.diagnostics));
  assert.equal(text.slice(d!.range.startOffset, d!.range.endOffset), '*l');
});

test('merge keys: <<: *anchor adds the anchored pairs, explicit keys win', () => {
  const text = NP('  podSelector: {matchLabels: {<<: [*l, *m], tier: be}}\n', ', labels: &l {app: web, tier: fe}, annotations: &m {app: other, zone: z1}');
  const cluster = parseFiles([{ path: 'x.yaml', text }]);
  assert.deepEqual(cluster.diagnostics, []);
  assert.deepEqual(cluster.policies[0].podSelector.matchLabels, { app: 'web', tier: 'be', zone: 'z1' });
});

test('unknown anchors and self-referencing anchors are errors at the alias', () => {
  let c = parseFiles([{ path: 'x.yaml', text: NP('  podSelector: {matchLabels: *nope}\n') }]);
  const unknown = c.diagnostics.find((d) => d.code === 'yaml-syntax');
  assert.ok(unknown && /Unknown anchor "nope"/.test(unknown.message));
  c = parseFiles([{ path: 'x.yaml', text: NP('  podSelector: &s {matchLabels: {a: b}, x: [*s]}\n') }]);
  assert.deepEqual(c.diagnostics.map((d) => d.code), ['yaml-alias-bomb']);
  assert.equal(c.policies.length, 0);
});

test('alias bombs: reported at the alias that crosses the limit; the document holds no object', () => {
  const lol = (n: number) => `a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: n }, (_, i) => `l${i}: &l${i} [${Array(10).fill(i === 0 ? '*a' : `*l${i - 1}`).join(', ')}]`).join('\n')}\nkind: Pod\nmetadata: {name: p}\n`;
  const text = lol(6);
  const c = parseFiles([{ path: 'x.yaml', text }]);
  assert.deepEqual(c.diagnostics.map((d) => d.code), ['yaml-alias-bomb']);
  const d = c.diagnostics[0];
  assert.match(text.slice(d.range.startOffset, d.range.endOffset), /^\*(a|l\d)$/);
  assert.equal(c.workloads.length, 0);
  assert.ok(d.message.includes(String(MAX_ALIAS_COUNT)));
});

test('alias bombs: the same limit as the yaml package (toJS maxAliasCount), on random anchor/alias structures', () => {
  // A document of anchored sequences; each entry is a scalar or an alias of an earlier anchor.
  const arb = fc.array(fc.array(fc.oneof(fc.constant(-1), fc.nat(6)), { minLength: 0, maxLength: 8 }), { minLength: 1, maxLength: 7 });
  fc.assert(
    fc.property(arb, (rows) => {
      const lines = rows.map((items, i) => `k${i}: &a${i} [${items.map((j) => (j < 0 || j >= i ? 'x' : `*a${j}`)).join(', ')}]`);
      const text = lines.join('\n') + '\n';
      let yamlThrows = false;
      try {
        parseDocument(text).toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      } catch (e) {
        yamlThrows = /Excessive alias count/.test(String(e));
      }
      const ours = parseChunk(text).aliasBomb;
      assert.equal(ours, yamlThrows, text);
    }),
    { numRuns: 300, seed: 11 },
  );
});

test('lint rules see alias content; quick fixes never edit an alias or the anchored text it copies', () => {
  const text = NP('  podSelector: {}\n  ingress:\n  - &rule\n    from: [{podSelector: {matchLabels: {app: web}}}]\n    prots: [{port: 80}]\n  - *rule\n  - from: [{podSelector: {}}]\n    prots: [{port: 81}]\n');
  const p = new LintProject();
  p.setFile('x.yaml', text);
  const unknown = (p.result().findings.get('x.yaml') ?? []).filter((f) => f.code === 'np-unknown-field');
  // One in the anchored rule, one at the alias, one in the plain third rule.
  assert.deepEqual(unknown.map((f) => text.slice(f.range.startOffset, f.range.endOffset)), ['prots', '*rule', 'prots']);
  const fixes = unknown.map((f) => {
    const c = p.chunkAt('x.yaml', f.range.startOffset)!;
    return computeFix(c.entry.parsed, f.fix!, f.range.startOffset - c.startOffset).length;
  });
  assert.deepEqual(fixes, [0, 0, 1]);
});
