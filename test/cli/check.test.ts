// `policy-lens check`: the language server's diagnostics over files and folders, as text / JSON / SARIF 2.1.0 /
// Markdown, with --fail-on, --baseline-file and exit codes. SARIF is validated against the SARIF 2.1.0 JSON schema
// (OASIS; the copy shipped by @microsoft/jest-sarif) plus the region rule the final OASIS schema adds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { main } from '../../server/src/cli/main';
import { FINGERPRINT_KEY } from '../../server/src/cli/check';
import { repoRoot } from '../helpers/paths';
import { startTestServer } from '../server/harness';

const FIX = join(repoRoot(), 'test', 'cli', 'fixtures', 'check');

async function run(args: string[], cwd?: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const prev = process.cwd();
  if (cwd) process.chdir(cwd);
  try {
    const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s) });
    return { code, out, err };
  } finally {
    process.chdir(prev);
  }
}

function sarifValidator() {
  const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

test('check text: the same codes, messages and positions as the language server; suppression comments and non-manifest YAML respected', async () => {
  const r = await run(['check', FIX]);
  assert.equal(r.code, 1, 'an error (yaml-syntax) fails with the default --fail-on error');
  const lines = r.out.trim().split('\n');
  assert.ok(lines.some((l) => /broken\.yaml:\d+:\d+: error \[yaml-syntax\]/.test(l)), r.out);
  assert.ok(lines.some((l) => /policies\.yaml:11:7: warning \[np-allow-all\]/.test(l)), r.out);
  assert.ok(lines.some((l) => /policies\.yaml:19:3: warning \[np-selector-no-match\] podSelector app=wbe/.test(l)), r.out);
  // `# policy-lens-disable-next-line np-broad-peer` hides the finding on the next line
  assert.ok(!r.out.includes('np-broad-peer'), r.out);
  // notes.yaml is not a manifest: not checked, even though its YAML is broken
  assert.ok(!r.out.includes('notes.yaml'), r.out);
  assert.match(lines[lines.length - 1], /^3 file\(s\) checked: 1 error\(s\), 2 warning\(s\)/);
});

test('check reports exactly what the language server publishes for a workspace (same LintProject path)', async () => {
  const ws = join(repoRoot(), 'test', 'server', 'fixtures', 'authoring');
  const srv = await startTestServer(ws);
  try {
    await srv.handle.indexed;
    const uri = pathToFileURL(join(ws, 'policies.yaml')).href;
    let lsp = srv.diagnostics.get(uri)?.diagnostics;
    for (let i = 0; !lsp && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 50));
      lsp = srv.diagnostics.get(uri)?.diagnostics;
    }
    assert.ok(lsp && lsp.length > 5, 'the server published diagnostics');
    const r = await run(['check', ws, '--format', 'json', '--fail-on', 'never']);
    assert.equal(r.code, 0);
    const j = JSON.parse(r.out);
    const ours = j.findings.filter((f: { file: string }) => f.file.endsWith('policies.yaml')).map((f: { code: string; message: string; startLine: number; startColumn: number; endLine: number; endColumn: number }) => `${f.code}|${f.startLine - 1}:${f.startColumn - 1}-${f.endLine - 1}:${f.endColumn - 1}|${f.message}`);
    const theirs = lsp!.map((d) => `${d.code}|${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}|${d.message}`);
    assert.deepEqual(ours.sort(), theirs.sort());
  } finally {
    await srv.stop();
  }
});

test('check --format sarif is valid SARIF 2.1.0 with stable rule ids, rule help, regions and partial fingerprints', async () => {
  const r = await run(['check', 'test/cli/fixtures/check', '--format', 'sarif'], repoRoot());
  assert.equal(r.code, 1);
  const log = JSON.parse(r.out);
  const validate = sarifValidator();
  const valid = validate(structuredClone(log));
  assert.ok(valid, JSON.stringify(validate.errors, null, 2));
  assert.equal(log.version, '2.1.0');
  const run0 = log.runs[0];
  assert.equal(run0.tool.driver.name, 'policy-lens');
  const rules: { id: string; helpUri: string; help: { markdown?: string }; shortDescription: { text: string } }[] = run0.tool.driver.rules;
  // every documented rule is listed (stable indices across runs), each with help linking its page
  const pages = require('node:fs').readdirSync(join(repoRoot(), 'docs', 'rules')).filter((f: string) => f.endsWith('.md') && f !== 'README.md');
  assert.equal(rules.length, pages.length);
  const allowAll = rules.find((x) => x.id === 'np-allow-all')!;
  assert.match(allowAll.helpUri, /^https:\/\/.+\/docs\/rules\/np-allow-all\.md$/);
  assert.match(allowAll.help.markdown!, /^# np-allow-all/);
  assert.equal(allowAll.shortDescription.text, 'A rule allows all traffic in its direction');
  const results = run0.results;
  assert.equal(results.length, 3);
  for (const res of results) {
    assert.equal(rules[res.ruleIndex].id, res.ruleId);
    const loc = res.locations[0].physicalLocation;
    assert.equal(loc.artifactLocation.uriBaseId, '%SRCROOT%');
    assert.match(loc.artifactLocation.uri, /^test\/cli\/fixtures\/check\/(broken|policies)\.yaml$/);
    // the final OASIS schema requires startLine (or an offset) in every region
    assert.ok(Number.isInteger(loc.region.startLine) && loc.region.startLine >= 1);
    assert.ok(loc.region.startColumn >= 1 && loc.region.endColumn >= 1);
    assert.match(res.partialFingerprints[FINGERPRINT_KEY], /^[0-9a-f]{32}$/);
  }
  const a = results.find((x: { ruleId: string }) => x.ruleId === 'np-allow-all');
  assert.deepEqual(a.locations[0].physicalLocation.region, { startLine: 11, startColumn: 7, endLine: 11, endColumn: 9 });
  assert.equal(a.level, 'warning');
  assert.equal(results.find((x: { ruleId: string }) => x.ruleId === 'yaml-syntax').level, 'error');
  assert.equal(run0.originalUriBaseIds['%SRCROOT%'].uri, pathToFileURL(repoRoot()).href + '/');
});

test('check fingerprints survive unrelated edits that move lines; --baseline-file suppresses known findings only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pl-check-'));
  cpSync(FIX, dir, { recursive: true });
  const first = await run(['check', '.', '--format', 'json'], dir);
  const j1 = JSON.parse(first.out);
  writeFileSync(join(dir, 'baseline.json'), first.out);
  // insert lines at the top of policies.yaml: the findings move down but keep their fingerprints
  const p = join(dir, 'policies.yaml');
  writeFileSync(p, `# a comment\n# another\n${readFileSync(p, 'utf8')}`);
  const second = JSON.parse((await run(['check', '.', '--format', 'json'], dir)).out);
  const fp = (j: { findings: { code: string; fingerprint: string; startLine: number }[] }, code: string) => j.findings.find((f) => f.code === code)!;
  assert.equal(fp(second, 'np-allow-all').startLine, fp(j1, 'np-allow-all').startLine + 2);
  assert.equal(fp(second, 'np-allow-all').fingerprint, fp(j1, 'np-allow-all').fingerprint);
  // all known: nothing reported, exit 0
  const known = await run(['check', '.', '--baseline-file', 'baseline.json'], dir);
  assert.equal(known.code, 0, known.out + known.err);
  assert.match(known.out, /0 error\(s\), 0 warning\(s\).*3 known finding\(s\) suppressed/);
  // a new finding is still reported
  writeFileSync(join(dir, 'more.yaml'), 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: open\n  namespace: shop\nspec:\n  podSelector: {}\n  egress:\n    - {}\n');
  const fresh = await run(['check', '.', '--baseline-file', 'baseline.json', '--fail-on', 'warning'], dir);
  assert.equal(fresh.code, 1, fresh.out + fresh.err);
  assert.match(fresh.out, /more\.yaml:9:7: warning \[np-allow-all\]/);
  assert.doesNotMatch(fresh.out, /policies\.yaml/);
  // a SARIF log works as a baseline too
  writeFileSync(join(dir, 'baseline.sarif'), (await run(['check', '.', '--format', 'sarif'], dir)).out);
  const fromSarif = await run(['check', '.', '--baseline-file', 'baseline.sarif', '--fail-on', 'information'], dir);
  assert.equal(fromSarif.code, 0, fromSarif.out + fromSarif.err);
});

test('check --fail-on thresholds and exit codes (0 clean, 1 findings at or above, 2 usage or unreadable input)', async () => {
  const pol = join(FIX, 'policies.yaml');
  const apps = join(FIX, 'apps.yaml');
  assert.equal((await run(['check', pol, apps])).code, 0, 'warnings only: below the default error threshold');
  assert.equal((await run(['check', pol, apps, '--fail-on', 'warning'])).code, 1);
  assert.equal((await run(['check', pol, apps, '--fail-on', 'information'])).code, 1);
  assert.equal((await run(['check', FIX, '--fail-on', 'never'])).code, 0);
  assert.equal((await run(['check', apps, '--fail-on', 'information'])).code, 0, 'a clean file');
  assert.equal((await run(['check', join(FIX, 'missing.yaml')])).code, 2);
  assert.equal((await run(['check'])).code, 2);
  assert.equal((await run(['check', FIX, '--format', 'xml'])).code, 2);
  assert.equal((await run(['check', FIX, '--fail-on', 'sometimes'])).code, 2);
  assert.equal((await run(['check', FIX, '--bogus'])).code, 2);
  assert.equal((await run(['check', FIX, '--baseline-file', join(FIX, 'missing.json')])).code, 2);
  assert.equal((await run(['check', FIX, '--baseline-file', pol])).code, 2, 'a baseline that is not JSON');
  const help = await run(['check', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /--fail-on/);
});

test('check --format markdown: a table with rule links for a pull-request comment', async () => {
  const r = await run(['check', FIX, '--format', 'markdown', '--fail-on', 'never']);
  assert.match(r.out, /^### Policy Lens check: 1 error\(s\), 2 warning\(s\), 0 note\(s\)/);
  assert.match(r.out, /\| warning \| \[np-allow-all\]\(https:\/\/[^)]+\/docs\/rules\/np-allow-all\.md\) \| `[^`]*policies\.yaml:11:7` \|/);
});
