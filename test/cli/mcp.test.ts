// `policy-lens mcp`: the Model Context Protocol server of the built CLI bundle (dist/cli.js, as shipped), driven by
// the official SDK client over stdio. Every answer is compared with the engine's own result for the same files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { analyzeFiles, ConnSet } from '../../server/src/core/index';
import { collectFiles } from '../../server/src/cli/main';
import { lmToolInputSchema, TOOLS, type ToolName } from '../../server/src/tools/schemas';
import { repoRoot } from '../helpers/paths';

const ROOT = repoRoot();
let ws: string;
let client: Client;

before(async () => {
  // The server under test is the bundle users run: build it like `npm run build` does.
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), 'cli'], { cwd: ROOT, stdio: 'pipe' });
  ws = mkdtempSync(join(tmpdir(), 'pl-mcp-'));
  cpSync(join(ROOT, 'examples', 'shop'), ws, { recursive: true });
  client = new Client({ name: 'policy-lens-test', version: '0.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [join(ROOT, 'bin', 'policy-lens.js'), 'mcp', ws], stderr: 'pipe' }));
});

after(async () => {
  await client?.close();
  if (ws) rmSync(ws, { recursive: true, force: true });
});

function engine(dir = ws) {
  return analyzeFiles(collectFiles([dir]).files).analysis;
}

async function call(name: string, args: Record<string, unknown>) {
  const r = await client.callTool({ name, arguments: args });
  return r as { isError?: boolean; structuredContent?: Record<string, unknown>; content: { type: string; text: string }[] };
}

test('mcp lists the engine tools, each with an input and an output JSON schema', async () => {
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), ['blast_radius', 'check', 'explain', 'reach', 'what_if']);
  for (const t of tools) {
    assert.equal(t.inputSchema.type, 'object');
    assert.equal(t.outputSchema?.type, 'object', `${t.name} has an output schema`);
    assert.ok(t.description && t.description.length > 40);
    assert.equal(t.annotations?.readOnlyHint, true);
  }
  const explain = tools.find((t) => t.name === 'explain')!;
  assert.deepEqual([...(explain.inputSchema.required ?? [])].sort(), ['dst', 'src']);
  assert.equal(client.getServerVersion()?.name, 'policy-lens');
});

test('mcp reach: the matrix equals the engine result; filters narrow it', async () => {
  const r = await call('reach', {});
  assert.ok(!r.isError, r.content[0]?.text);
  const sc = r.structuredContent as { connections: { src: string; dst: string; protocols: unknown; ports: string }[]; totalConnections: number; workloads: number; truncated: boolean };
  const expected = engine().result().connections.map((c) => `${c.src} ${c.dst} ${JSON.stringify(c.protocols)}`).sort();
  assert.deepEqual(sc.connections.map((c) => `${c.src} ${c.dst} ${JSON.stringify(c.protocols)}`).sort(), expected);
  assert.equal(sc.totalConnections, expected.length);
  assert.equal(sc.workloads, 6);
  assert.equal(sc.truncated, false);
  assert.deepEqual(JSON.parse(r.content[0].text), sc, 'the text content carries the same JSON');
  const f = (await call('reach', { to: 'data/*', includeExternal: false })).structuredContent as typeof sc;
  assert.deepEqual(f.connections.map((c) => `${c.src} ${c.dst} ${c.ports}`).sort(), ['backend/api data/postgres TCP 5432', 'backend/worker data/postgres TCP 5432']);
  const p = (await call('reach', { protocol: 'UDP', port: 53, namespace: 'frontend' })).structuredContent as typeof sc;
  assert.deepEqual(p.connections.map((c) => `${c.src} ${c.dst}`), ['frontend/web kube-system/coredns']);
  const lim = (await call('reach', { limit: 2 })).structuredContent as typeof sc;
  assert.equal(lim.connections.length, 2);
  assert.equal(lim.truncated, true);
});

test('mcp explain: verdict, ports and rules from the engine, for an allowed and a denied pair; unknown ids are tool errors', async () => {
  const ok = (await call('explain', { src: 'frontend/web', dst: 'backend/api' })).structuredContent as { verdict: string; allowed: unknown; ingress: { isolated: boolean; allowedBy: { policy: string; file: string; line: number }[] } };
  assert.equal(ok.verdict, 'allowed');
  assert.deepEqual(ok.allowed, engine().allowedBetween('frontend/web', 'backend/api').toJSON());
  assert.equal(ok.ingress.isolated, true);
  assert.deepEqual(ok.ingress.allowedBy.map((r) => `${r.policy} ${r.file}:${r.line}`), ['backend/api policies/backend.yaml:15']);
  const no = (await call('explain', { src: 'backend/api', dst: 'frontend/web' })).structuredContent as { verdict: string; ports: string };
  assert.equal(no.verdict, 'denied');
  assert.equal(no.ports, 'nothing');
  const bad = await call('explain', { src: 'frontend/webb', dst: 'backend/api' });
  assert.equal(bad.isError, true);
  assert.match(bad.content[0].text, /Unknown endpoint "frontend\/webb".*did you mean frontend\/web/);
  const missing = await call('explain', { src: 'frontend/web' });
  assert.equal(missing.isError, true, 'input validated against the schema');
});

test('mcp what_if: proposed YAML changes reachability in memory only; the diff and the findings come from the engine', async () => {
  const before = readFileSync(join(ws, 'policies', 'backend.yaml'), 'utf8');
  const open = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: redis-open, namespace: data}\nspec:\n  podSelector: {matchLabels: {app: redis}}\n  ingress:\n    - {}\n';
  const r = await call('what_if', { changes: [{ file: 'policies/redis-open.yaml', content: open }] });
  assert.ok(!r.isError, r.content[0]?.text);
  const sc = r.structuredContent as { summary: { added: number; newExposure: number }; changes: { src: string; dst: string; change: string; newExposure: boolean; after: { rules: { policy: string; file: string }[] } }[]; findings: { code: string; file: string }[] };
  // independent check: the engine on a copy with the file written
  const copy = mkdtempSync(join(tmpdir(), 'pl-mcp-copy-'));
  cpSync(ws, copy, { recursive: true });
  writeFileSync(join(copy, 'policies', 'redis-open.yaml'), open);
  const b = engine().result().connections;
  const a = engine(copy).result().connections;
  rmSync(copy, { recursive: true, force: true });
  const key = (c: { src: string; dst: string }) => `${c.src} ${c.dst}`;
  const newPairs = a.filter((c) => !b.some((x) => key(x) === key(c))).map(key).sort();
  assert.deepEqual(sc.changes.filter((c) => c.change === 'added').map(key).sort(), newPairs);
  // external addresses newly reach redis: a new exposure, allowed by the proposed policy (named by its proposed file)
  assert.ok(sc.changes.some((c) => !c.src.includes('/') && c.dst === 'data/redis' && c.newExposure && c.after.rules.some((x) => x.policy === 'data/redis-open' && x.file === 'policies/redis-open.yaml')), JSON.stringify(sc.changes.map(key)));
  assert.ok(sc.findings.some((f) => f.code === 'np-allow-all' && f.file === 'policies/redis-open.yaml'));
  // nothing was written
  assert.equal(readFileSync(join(ws, 'policies', 'backend.yaml'), 'utf8'), before);
  assert.throws(() => readFileSync(join(ws, 'policies', 'redis-open.yaml')));
  // deleting a file
  const del = (await call('what_if', { changes: [{ file: 'policies/frontend.yaml' }] })).structuredContent as { changes: { change: string }[] };
  assert.ok(del.changes.length > 0);
});

test('mcp check: the language server diagnostics; blast_radius: direct and transitive reach from the matrix', async () => {
  const c = (await call('check', {})).structuredContent as { findings: { code: string; file: string; startLine: number }[]; filesChecked: number };
  assert.deepEqual(c.findings.map((f) => `${f.code} ${f.file}:${f.startLine}`), ['np-named-port-undefined policies/data.yaml:50']);
  assert.equal(c.filesChecked, 8);
  const only = (await call('check', { files: ['policies/frontend.yaml'] })).structuredContent as { findings: unknown[]; filesChecked: number };
  assert.deepEqual(only.findings, []);
  assert.equal(only.filesChecked, 1);
  const br = (await call('blast_radius', { workload: 'frontend/web', maxHops: 3 })).structuredContent as { canReach: { dst: string }[]; reachableFrom: { src: string }[]; transitiveReach: { id: string; hops: number; via?: string }[] };
  assert.deepEqual(br.canReach.map((x) => x.dst).sort(), ['backend/api', 'kube-system/coredns']);
  assert.ok(br.reachableFrom.every((x) => !x.src.includes('/')), 'only external ranges reach the web frontend');
  const pg = br.transitiveReach.find((x) => x.id === 'data/postgres')!;
  assert.deepEqual([pg.hops, pg.via], [2, 'backend/api']);
  assert.ok(br.transitiveReach.some((x) => x.id.includes('-') && !x.id.includes('/')), 'coredns reaches the internet: 2 hops');
  const unknown = await call('blast_radius', { workload: 'nope/nope' });
  assert.equal(unknown.isError, true);
});

test('mcp per-call path: another workspace than the one given at start', async () => {
  const r = (await call('reach', { path: join(ROOT, 'examples', 'calico'), limit: 5000 })).structuredContent as { connections: { src: string; dst: string; protocols: Record<string, [number, number][]> }[] };
  const expected = engine(join(ROOT, 'examples', 'calico')).result().connections;
  assert.equal(r.connections.length, expected.length);
  for (const c of expected) assert.ok(r.connections.some((x) => x.src === c.src && x.dst === c.dst && ConnSet.fromProtocolPorts(x.protocols).equals(ConnSet.fromProtocolPorts(c.protocols))));
  const missing = await call('reach', { path: 'no/such/dir' });
  assert.equal(missing.isError, true);
});

test('package.json languageModelTools declare the same tools and input schemas as the MCP server (one definition)', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const lm = pkg.contributes.languageModelTools as { name: string; inputSchema: unknown; modelDescription: string }[];
  const names = Object.keys(TOOLS) as ToolName[];
  assert.deepEqual(lm.map((t) => t.name).sort(), names.map((n) => `policy-lens_${n}`).sort());
  for (const n of names) {
    const t = lm.find((x) => x.name === `policy-lens_${n}`)!;
    assert.deepEqual(t.inputSchema, lmToolInputSchema(n), `${n}: run node scripts/gen-lm-tools.mjs after changing tools/schemas.ts`);
    assert.equal(t.modelDescription, TOOLS[n].description);
  }
});

test('mcp what_if `yaml` shorthand adds the proposed manifests as one new file; no input is a tool error', async () => {
  const open = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: redis-open, namespace: data}\nspec:\n  podSelector: {matchLabels: {app: redis}}\n  ingress:\n    - {}\n';
  const r = (await call('what_if', { yaml: open })).structuredContent as { summary: { newExposure: number }; findings: { code: string; file: string }[] };
  assert.ok(r.summary.newExposure > 0);
  assert.ok(r.findings.some((f) => f.code === 'np-allow-all' && f.file === 'policy-lens-what-if.yaml'));
  const none = await call('what_if', {});
  assert.equal(none.isError, true);
});
