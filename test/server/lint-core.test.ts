// Pure lint core (no LSP): document splitting, suppressions, policy explanations, fix safety, and
// robustness (random edits never crash the project, completion or hover).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { splitDocuments } from '../../server/src/core/documents';
import { parseSuppressions, isSuppressed } from '../../server/src/core/lint/suppress';
import { explainPolicy } from '../../server/src/core/lint/explain';
import { LintProject } from '../../server/src/core/lint/project';
import { parseFiles } from '../../server/src/core/parse';
import { computeFix, editsAreSafe, applyEdits } from '../../server/src/core/lint/fixes';
import { complete } from '../../server/src/lsp/completion';
import { hover } from '../../server/src/lsp/hover';
import { SchemaRegistry } from '../../server/src/lsp/schemas';
import { readFixture } from './harness';

test('splitDocuments: one chunk per YAML document, same documents as parseAllDocuments', () => {
  const line = fc.constantFrom('a: 1', 'b:', '  - x', '---', '--- # c', '# comment', '', '  k: v', 'key: |', '  text', '...', '%YAML 1.2', '---x', ' ---');
  fc.assert(
    fc.property(fc.array(line, { maxLength: 25 }), (ls) => {
      const text = ls.join('\n');
      const docs = parseAllDocuments(text);
      if (!Array.isArray(docs) || docs.some((d) => d.errors.length)) return; // only compare well-formed streams
      const chunks = splitDocuments(text);
      // Chunks tile the text.
      assert.equal(chunks.map((c) => c.text).join(''), text.slice(chunks[0]?.startOffset ?? 0));
      const js = (t: string) => parseAllDocuments(t) as unknown as { toJS(): unknown }[];
      const fromChunks = chunks.flatMap((c) => js(c.text).map((d) => d.toJS()));
      assert.deepEqual(fromChunks, docs.map((d) => d.toJS()));
      chunks.forEach((c, i) => assert.equal(c.docIndex, i));
    }),
    { numRuns: 400 },
  );
});

test('splitDocuments: the same documents with CRLF and lone CR line breaks (YAML 1.2 b-break)', () => {
  const line = fc.constantFrom('a: 1', 'b:', '  - x', '---', '--- # c', '# comment', '', '  k: v', 'key: |', '  text', '...', '%YAML 1.2', '---x', ' ---');
  fc.assert(
    fc.property(fc.array(line, { maxLength: 25 }), fc.constantFrom('\r\n', '\r'), (ls, eol) => {
      const lf = splitDocuments(ls.join('\n'));
      const other = splitDocuments(ls.join(eol));
      assert.deepEqual(
        other.map((c) => [c.text.replace(/\r\n?/g, '\n'), c.startLine, c.docIndex]),
        lf.map((c) => [c.text, c.startLine, c.docIndex]),
      );
    }),
    { numRuns: 400, seed: 3 },
  );
});

test('suppression comments: next-line and file-wide forms, with and without ids', () => {
  const s = parseSuppressions('a: 1\n# policy-lens-disable-next-line np-allow-all, np-broad-peer\nb: 2\n  # policy-lens-disable-next-line\nc: 3\n# policy-lens-disable np-dns-blocked\n');
  assert.ok(isSuppressed(s, 'np-allow-all', 2) && isSuppressed(s, 'np-broad-peer', 2));
  assert.ok(!isSuppressed(s, 'np-split-rule', 2));
  assert.ok(isSuppressed(s, 'anything', 4));
  assert.ok(!isSuppressed(s, 'np-allow-all', 0));
  assert.ok(isSuppressed(s, 'np-dns-blocked', 0) && isSuppressed(s, 'np-dns-blocked', 99));
  // Lines are counted as LSP counts them: a lone "\r" ends a line too.
  const cr = parseSuppressions('a: 1\r# policy-lens-disable-next-line np-allow-all\rb: 2\r\n');
  assert.ok(isSuppressed(cr, 'np-allow-all', 2) && !isSuppressed(cr, 'np-allow-all', 1));
});

test('explainPolicy: plain-English summaries', () => {
  const policy = (spec: string) => parseFiles([{ path: 'p.yaml', text: `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n${spec}` }]).policies[0];
  assert.equal(
    explainPolicy(policy('  podSelector: {matchLabels: {app: api}}\n  ingress:\n  - from: [{namespaceSelector: {matchLabels: {team: frontend}}, podSelector: {matchLabels: {app: web}}}]\n    ports: [{port: 8080}]\n')),
    'Pods app=api in ns shop accept TCP 8080 only from pods app=web in namespaces team=frontend; all other ingress is denied. This policy does not restrict egress.',
  );
  // Default deny both directions (policyTypes listed, no rules).
  assert.equal(explainPolicy(policy('  podSelector: {}\n  policyTypes: [Ingress, Egress]\n')), 'All pods in ns shop accept no ingress (all ingress is denied); they may send no egress (all egress is denied).');
  // Egress rules ignored when policyTypes lacks Egress.
  assert.match(explainPolicy(policy('  podSelector: {}\n  policyTypes: [Ingress]\n  ingress: [{}]\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}}]}]\n')), /accept all ingress.*egress rules are ignored/);
  // Egress with ipBlock and a port range.
  assert.match(explainPolicy(policy('  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}], ports: [{port: 8000, endPort: 8100}]}]\n')), /may send TCP 8000-8100 only to IP range 10\.0\.0\.0\/8 except 10\.1\.0\.0\/16; all other egress is denied/);
});

test('every offered fix keeps the document valid YAML (fixture workspace)', () => {
  const p = new LintProject();
  const files = ['api-validation/main.yaml', 'authoring/policies.yaml', 'authoring/cluster.yaml'];
  for (const f of files) p.setFile(f, readFixture(...f.split('/')));
  let offered = 0;
  for (const [path, findings] of p.result().findings) {
    for (const f of findings) {
      if (!f.fix || f.fix.kind === 'add-namespace-labels') continue;
      const c = p.chunkAt(path, f.range.startOffset)!;
      for (const fix of computeFix(c.entry.parsed, f.fix, f.range.startOffset - c.startOffset)) {
        offered++;
        assert.ok(editsAreSafe(c.entry.parsed.text, fix.edits));
        const after = applyEdits(c.entry.parsed.text, fix.edits);
        assert.deepEqual(parseAllDocuments(after).flatMap((d) => d.errors), []);
      }
    }
  }
  assert.ok(offered >= 5, `fixes offered: ${offered}`);
});

test('robustness: random edits never make the project, completion or hover throw', () => {
  const base = readFixture('authoring', 'policies.yaml');
  const schemas = new SchemaRegistry();
  const p = new LintProject();
  p.setFile('file:///ws/cluster.yaml', readFixture('authoring', 'cluster.yaml'));
  fc.assert(
    fc.property(
      fc.array(fc.record({ at: fc.nat(base.length), del: fc.nat(12), ins: fc.constantFrom('', '-', ' ', '  ', '\n', ':', '{', '[', '}', '"', "'", '- {}', 'x: y', '\n---\n', '#', '&a', '*a', '!!int', '\t') }), { maxLength: 6 }),
      fc.nat(),
      (edits, pos) => {
        let text = base;
        for (const e of edits) {
          const at = Math.min(e.at, text.length);
          text = text.slice(0, at) + e.ins + text.slice(at + e.del);
        }
        p.setFile('file:///ws/policies.yaml', text);
        const r = p.result();
        for (const f of r.findings.get('file:///ws/policies.yaml') ?? []) {
          assert.ok(f.range.startOffset >= 0 && f.range.endOffset <= text.length + 1, `${f.code} range inside the text`);
          assert.ok(f.message.length > 0);
        }
        const offset = pos % (text.length + 1);
        const before = text.slice(0, offset);
        const line = before.split('\n').length - 1;
        const character = offset - (before.lastIndexOf('\n') + 1);
        complete(p, schemas, 'file:///ws/policies.yaml', text, line, character, offset);
        hover(p, schemas, 'file:///ws/policies.yaml', offset);
      },
    ),
    { numRuns: 300 },
  );
});

test('CRLF line endings give the same findings at the same positions', () => {
  const lf = readFixture('api-validation', 'main.yaml');
  const key = (p: LintProject, path: string) => (p.result().findings.get(path) ?? []).map((f) => `${f.range.start.line}:${f.range.start.character} ${f.code}`);
  const a = new LintProject();
  a.setFile('lf.yaml', lf);
  const b = new LintProject();
  b.setFile('crlf.yaml', lf.replace(/\n/g, '\r\n'));
  assert.ok(key(a, 'lf.yaml').length > 10);
  assert.deepEqual(key(b, 'crlf.yaml'), key(a, 'lf.yaml'));
});
