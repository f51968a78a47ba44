// Unit tests of the playground's worker session (playground/src/session.ts) and URL-fragment sharing
// (playground/src/share.ts), in node: the same code the browser runs in its web worker / page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PlaygroundSession } from '../../playground/src/session';
import { decodeScenario, encodeScenario, fromBase64Url, toBase64Url } from '../../playground/src/share';
import { SchemaRegistry } from '../../server/src/lsp/schemas';
import { repoRoot } from '../helpers/paths';

const example = readFileSync(join(repoRoot(), 'playground', 'examples', 'shop.yaml'), 'utf8');
const schemas = new SchemaRegistry(repoRoot());

const WEB_EGRESS = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-egress
  namespace: shop
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes:
    - Egress
  egress:
    - to:
        - podSelector:
            matchLabels:
              app: api
      ports:
        - protocol: TCP
          port: htp-api
`;

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle));
const lastLine = (lines: string[], trimmed: string) => lines.map((l) => l.trim()).lastIndexOf(trimmed);

test('the example scenario has no diagnostics and the expected reachability', () => {
  const s = new PlaygroundSession(schemas);
  assert.deepEqual(s.diagnostics(example), []);
  const r = s.reachability(example, undefined, { legacy: true });
  assert.equal(r.stale, false);
  const conns = r.result!.connections.map((c) => `${c.src} -> ${c.dst}`).sort();
  assert.deepEqual(conns, [
    'shop/api -> 0.0.0.0-255.255.255.255',
    'shop/api -> shop/db',
    'shop/db -> 0.0.0.0-255.255.255.255',
    'shop/web -> 0.0.0.0-255.255.255.255',
    'shop/web -> shop/api',
  ]);
  assert.deepEqual(r.result!.connections.find((c) => c.src === 'shop/web' && c.dst === 'shop/api')?.protocols, { TCP: [[8080, 8080]] });
});

test('a typo in a named port is reported on its line, with a fix that clears it', () => {
  const s = new PlaygroundSession(schemas);
  const text = example + WEB_EGRESS;
  const d = s.diagnostics(text).find((x) => x.code === 'np-named-port-undefined');
  assert.ok(d, 'np-named-port-undefined expected');
  const line = lineOf(text, 'port: htp-api');
  assert.equal(d.start.line, line);
  assert.equal(text.split('\n')[line].slice(d.start.character, d.end.character), 'htp-api');
  assert.equal(d.fixable, true);
  const fixes = s.fixes(text, d.start, d.end).filter((f) => f.diagnostic.code === 'np-named-port-undefined');
  assert.ok(fixes.length > 0, 'a quick fix expected');
  const fix = fixes.find((f) => f.edits.some((e) => e.newText === 'http-api'));
  assert.ok(fix, `fix to http-api expected: ${JSON.stringify(fixes)}`);
  // Apply the edits (line/character positions) and re-lint.
  const lines = text.split('\n');
  for (const e of [...fix.edits].sort((a, b) => b.start.line - a.start.line || b.start.character - a.start.character)) {
    assert.equal(e.start.line, e.end.line);
    const l = lines[e.start.line];
    lines[e.start.line] = l.slice(0, e.start.character) + e.newText + l.slice(e.end.character);
  }
  const fixed = lines.join('\n');
  assert.ok(!s.diagnostics(fixed).some((x) => x.code === 'np-named-port-undefined'));
});

test('reachability diffs against the baseline and keeps the last good state while the YAML is broken', () => {
  const s = new PlaygroundSession(schemas);
  const edited = example + WEB_EGRESS;
  const r = s.reachability(edited, example, { legacy: true });
  assert.equal(r.stale, false);
  const removed = r.diff!.removed.map((c) => `${c.src} -> ${c.dst}`).sort();
  assert.deepEqual(removed, ['shop/web -> 0.0.0.0-255.255.255.255', 'shop/web -> shop/api']);
  assert.deepEqual(r.diff!.added, []);
  const v = r.version;

  const broken = edited + '---\nkind: [unclosed\n';
  const b = s.reachability(broken, example, { legacy: true });
  assert.equal(b.stale, true);
  assert.deepEqual(b.staleFiles, ['playground.yaml']);
  assert.ok(b.version > v);
  assert.deepEqual(b.result!.connections.map((c) => `${c.src} -> ${c.dst}`).sort(), r.result!.connections.map((c) => `${c.src} -> ${c.dst}`).sort());
  assert.ok(s.diagnostics(broken).some((d) => d.severity === 'error' && d.code.startsWith('yaml')));

  // Unchanged text: same version, no re-analysis.
  assert.equal(s.reachability(broken, undefined, { legacy: true }).version, b.version);
});

test('broken YAML before any good state gives an empty, stale result instead of throwing', () => {
  const s = new PlaygroundSession(schemas);
  const r = s.reachability('kind: [oops\n', undefined, { legacy: true });
  assert.equal(r.stale, true);
  assert.deepEqual(r.result!.connections, []);
  assert.ok(s.diagnostics('kind: [oops\n').some((d) => d.code === 'yaml-syntax' || d.code.startsWith('yaml')));
});

test('explanations for allowed and denied pairs', () => {
  const s = new PlaygroundSession(schemas);
  assert.equal(s.explain('shop/web', 'shop/db'), undefined, 'nothing analysed yet');
  s.reachability(example, undefined, { legacy: true });
  const allowed = s.explain('shop/web', 'shop/api')!;
  assert.match(allowed.summary, /TCP 8080/);
  assert.ok(allowed.ingress?.allowedBy.some((r) => r.policy === 'shop/api-from-web'));
  const denied = s.explain('shop/web', 'shop/db')!;
  assert.ok(denied.ingress?.isolated);
  assert.deepEqual(denied.ingress?.allowedBy, []);
});

test('hover: the language server explanation of a selector and the schema documentation', () => {
  const s = new PlaygroundSession(schemas);
  const line = lineOf(example, 'name: db-from-api') + 3; // `  podSelector:` of db-from-api
  assert.equal(example.split('\n')[line].trim(), 'podSelector:');
  const h = s.hover(example, { line, character: 4 });
  assert.ok(h);
  assert.match(h.markdown, /Selects 1 workload in this workspace: `shop\/db`/);
  assert.match(h.markdown, /`podSelector` \*\(object\)\*/);
  assert.equal(h.range?.start.line, line);
  assert.equal(s.hover(example, { line: 0, character: 2 }), undefined, 'no hover on a comment');
});

test('completion offers workspace label values and named ports', () => {
  const s = new PlaygroundSession(schemas);
  const text = example + WEB_EGRESS.replace('app: api', 'app: ').replace('port: htp-api', 'port: ');
  const lines = text.split('\n');
  const appLine = lastLine(lines, 'app:');
  const labels = s.completions(text, { line: appLine, character: lines[appLine].length }).map((i) => i.label);
  for (const v of ['api', 'db', 'web']) assert.ok(labels.includes(v), `label value ${v} in ${labels}`);
  const portLine = lastLine(lines, 'port:');
  const ports = s.completions(text, { line: portLine, character: lines[portLine].length });
  assert.ok(ports.length > 0, 'named ports expected');
  assert.ok(ports.every((p) => typeof p.insertText === 'string' && typeof p.kind === 'number'));
});

test('Calico policies: parser diagnostics with exact ranges, and their effect on reachability', () => {
  const s = new PlaygroundSession(schemas);
  const calico = `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: deny-web-to-api
spec:
  order: 10
  selector: app == 'api'
  types:
    - Ingress
  ingress:
    - action: Deny
      source:
        selector: app == 'web'
    - action: Pass
`;
  const text = example + calico;
  assert.deepEqual(s.diagnostics(text).filter((d) => d.severity === 'error'), []);
  const r = s.reachability(text, example, { legacy: true });
  assert.ok(r.diff!.removed.some((c) => c.src === 'shop/web' && c.dst === 'shop/api'), 'the Deny rule should block web -> api');
  const ex = s.explain('shop/web', 'shop/api')!;
  assert.match(JSON.stringify(ex), /deny-web-to-api/);

  const bad = text.replace("selector: app == 'web'", "selector: app == 'web' &&");
  const d = s.diagnostics(bad).find((x) => x.code === 'calico-selector-syntax');
  assert.ok(d, `calico-selector-syntax expected: ${JSON.stringify(s.diagnostics(bad))}`);
  assert.equal(bad.split('\n')[d.start.line].trim(), "selector: app == 'web' &&");
});

test('random edits of the scenario never make the worker session throw', () => {
  const s = new PlaygroundSession(schemas);
  const base = example + WEB_EGRESS;
  const edit = fc.record({
    at: fc.nat({ max: base.length }),
    del: fc.nat({ max: 40 }),
    ins: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('\n', ':', '- ', '  ', '{', '[', '"', "'", '---\n', '&a ', '*a', '!!map ', '\t', '#', 'port: ', 'app: ')),
  });
  fc.assert(
    fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), fc.nat(), (edits, probe) => {
      let text = base;
      for (const e of edits) {
        const at = Math.min(e.at, text.length);
        text = text.slice(0, at) + e.ins + text.slice(at + e.del);
      }
      const diags = s.diagnostics(text);
      const lines = text.split('\n');
      for (const d of diags) {
        assert.ok(d.start.line >= 0 && d.start.line < lines.length, `diagnostic line out of range: ${JSON.stringify(d)}`);
        assert.ok(d.end.line >= d.start.line);
      }
      const r = s.reachability(text, base, { legacy: true });
      assert.ok(Array.isArray(r.result!.connections));
      const line = probe % lines.length;
      const pos = { line, character: probe % (lines[line].length + 1) };
      s.hover(text, pos);
      s.completions(text, pos);
      s.fixes(text, { line: 0, character: 0 }, { line: lines.length - 1, character: 0 });
      const eps = r.result!.endpoints;
      if (eps.length >= 2) s.explain(eps[probe % eps.length].id, eps[(probe + 1) % eps.length].id);
    }),
    { numRuns: 100, seed: 20261123 },
  );
});

test('share: round trip through the URL fragment, plain and compressed', async () => {
  const text = example + '# ünïcødé ✓ — 🚀\n';
  const frag = await encodeScenario(text);
  assert.match(frag, /^s=[A-Za-z0-9_-]+$/);
  assert.ok(frag.length < text.length, 'compressed fragment should be shorter than the text');
  assert.equal(await decodeScenario(`#${frag}`), text);
  assert.equal(await decodeScenario(`t=${toBase64Url(new TextEncoder().encode('a: 1\n'))}`), 'a: 1\n');
  assert.equal(await decodeScenario(''), undefined);
  assert.equal(await decodeScenario('#other=1'), undefined);
  const bytes = new Uint8Array(300).map((_, i) => (i * 7) % 256);
  assert.deepEqual(fromBase64Url(toBase64Url(bytes)), bytes);
});

test('share: damaged fragments fail with readable messages', async () => {
  await assert.rejects(decodeScenario('#s=AAAA'), /damaged/);
  await assert.rejects(decodeScenario('#s=not*base64'), /base64url/);
  await assert.rejects(decodeScenario(`#t=${toBase64Url(new Uint8Array([0xff, 0xfe, 0x80]))}`), /UTF-8/);
  const good = await encodeScenario('x'.repeat(5000));
  await assert.rejects(decodeScenario(good.slice(0, 8)), /damaged/);
});

test('the panel payload is core panelData() of the text, with the diff against the baseline text', async () => {
  const { analyze, panelData, parseFiles } = await import('../../server/src/core/index');
  const s = new PlaygroundSession(schemas);
  const edited = example.replace(/port: 5432/g, 'port: 5433');
  const r = s.reachability(edited, example);
  assert.equal(r.result, undefined, 'no expanded result unless asked');
  const expected = panelData(analyze(parseFiles([{ path: s.file, text: edited }])), { baseline: analyze(parseFiles([{ path: s.file, text: example }])) });
  assert.deepEqual(r.data, expected);
  assert.ok(r.data.diff && r.data.diff.removed.length > 0, 'the port change blocks a flow');
  const ex = s.explain('shop/web', 'shop/api')!;
  assert.equal(ex.trace.src, 'shop/web');
  assert.ok(ex.trace.ingress && ex.trace.egress, 'both directions traced');
});
