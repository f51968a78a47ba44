// Hostile and huge input over LSP (issue 9): lone "\r" line breaks, yaml-syntax ranges, $/cancelRequest, superseded
// diagnostics, the diagnostics cap, requests during a long analysis, memory of closed documents, and one parse per
// document change. Positions follow LSP 3.17 ("\n", "\r\n" and "\r" end lines); cancellation returns
// RequestCancelled (-32800), LSP 3.17 "$/cancelRequest".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CancellationTokenSource, LSPErrorCodes, type Diagnostic, type PublishDiagnosticsParams } from 'vscode-languageserver';
import { LineIndex } from '../../server/src/core/lines';
import * as documents from '../../server/src/core/documents';
import { capFindings, LintProject } from '../../server/src/core/lint/project';
import { complete } from '../../server/src/lsp/completion';
import { hover } from '../../server/src/lsp/hover';
import { documentSymbols } from '../../server/src/lsp/symbols';
import { SchemaRegistry } from '../../server/src/lsp/schemas';
import { applyWorkspaceEdit, assertInside, startTestServer } from './harness';

function policies(n: number, extra = ''): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p${i}, namespace: ns${i % 7}}\nspec:\n  podSelector: {matchLabels: {app: a${i % 10}}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: a${(i + 1) % 10}}}}]\n    ports: [{port: ${8000 + (i % 100)}}]\n${extra}`);
  }
  return out.join('---\n');
}

test('a lone "\\r" is a line break: ranges match the client, and "Rename to metadata" edits the right text', async () => {
  const s = await startTestServer(undefined);
  try {
    const uri = 'untitled:cr.yaml';
    const text = 'apiVersion: networking.k8s.io/v1\rkind: NetworkPolicy\rmetadta:\r  name: x\r  namespace: a\rspec:\r  podSelector: {}\r';
    const diags = await s.open(uri, text);
    assertInside(text, diags.map((d) => d.range));
    const typo = diags.find((d) => d.code === 'np-unknown-field');
    assert.ok(typo, JSON.stringify(diags));
    assert.deepEqual(typo!.range, { start: { line: 2, character: 0 }, end: { line: 2, character: 7 } });
    const actions = await s.codeActions(uri, [typo!]);
    const rename = actions.find((a) => a.title === 'Rename to `metadata`');
    assert.ok(rename, JSON.stringify(actions.map((a) => a.title)));
    const after = applyWorkspaceEdit(rename!.edit, uri, text, 1);
    assert.equal(after, text.replace('metadta', 'metadata'));
    // The same with CRLF.
    const crlf = text.replace(/\r/g, '\r\n');
    const d2 = await s.change(uri, crlf, 2);
    const typo2 = d2.find((d) => d.code === 'np-unknown-field')!;
    assert.deepEqual(typo2.range.start, { line: 2, character: 0 });
    const a2 = (await s.codeActions(uri, [typo2])).find((a) => a.title === 'Rename to `metadata`');
    assert.equal(applyWorkspaceEdit(a2!.edit, uri, crlf, 2), crlf.replace('metadta', 'metadata'));
  } finally {
    await s.stop();
  }
});

test('yaml-syntax ranges lie inside the document (clamped where the parser error becomes a range)', async () => {
  const s = await startTestServer(undefined);
  try {
    for (const [i, text] of [' :\nw1\nkind:', 'kind: Pod\na: [\n', 'kind: Pod\nmetadata: {name: "x', 'kind: Pod\na:\n\t- b\n  c: "\\q"', '\uFEFFkind: x\r\n  - :\r'].entries()) {
      const uri = `untitled:syntax${i}.yaml`;
      const diags = await s.open(uri, text);
      assert.ok(diags.some((d) => d.code === 'yaml-syntax'), `${JSON.stringify(text)}: ${JSON.stringify(diags)}`);
      assertInside(text, diags.map((d) => d.range), JSON.stringify(text));
    }
  } finally {
    await s.stop();
  }
});

async function cancelledCount(cancelQueued: boolean, n = 2000): Promise<{ cancelled: number; answered: number }> {
  const s = await startTestServer(undefined, {}, undefined, { cancelUndispatched: cancelQueued });
  try {
    const uri = 'untitled:c.yaml';
    await s.open(uri, policies(5));
    const requests: Promise<unknown>[] = [];
    const sources: CancellationTokenSource[] = [];
    for (let i = 0; i < n; i++) {
      const src = new CancellationTokenSource();
      sources.push(src);
      requests.push(s.client.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 4, character: 4 } }, src.token));
    }
    for (const src of sources) src.cancel();
    let cancelled = 0;
    let answered = 0;
    for (const r of await Promise.allSettled(requests)) {
      if (r.status === 'rejected' && (r.reason as { code?: number }).code === LSPErrorCodes.RequestCancelled) cancelled++;
      else if (r.status === 'fulfilled') answered++;
    }
    return { cancelled, answered };
  } finally {
    await s.stop();
  }
}

test('$/cancelRequest: 2,000 cancelled hovers are answered with RequestCancelled, not computed', async () => {
  const queued = await cancelledCount(true);
  assert.equal(queued.cancelled + queued.answered, 2000);
  assert.ok(queued.cancelled >= 1990, JSON.stringify(queued));
  // Without the connection strategy, the handlers' own token checks do the same.
  const checked = await cancelledCount(false, 500);
  assert.ok(checked.cancelled >= 495, JSON.stringify(checked));
});

test('a new edit while the analysis runs drops the stale one: no diagnostics are published for superseded versions', async () => {
  const s = await startTestServer(undefined);
  try {
    const uri = 'untitled:big.yaml';
    const seen: number[] = [];
    s.onPublish((p: PublishDiagnosticsParams) => {
      if (p.uri === uri) seen.push(p.version ?? -1);
    });
    const big = policies(800);
    const last = s.nextDiagnostics(uri, 60000);
    void s.client.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: big } });
    void s.client.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: big.replace('port: 8000', 'port: 8001') }] });
    void s.client.sendNotification('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ text: big.replace('port: 8000', 'port: 8002') }] });
    await last;
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(seen, [3]);
  } finally {
    await s.stop();
  }
});

test('at most 1,000 diagnostics per file, then one too-many-problems information at its start', async () => {
  const s = await startTestServer(undefined);
  try {
    const uri = 'untitled:many.yaml';
    const peers = Array.from({ length: 1500 }, () => '{}').join(', ');
    const text = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: a}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n  ingress:\n  - from: [${peers}]\n`;
    const diags = await s.open(uri, text);
    assert.equal(diags.length, 1001);
    assert.equal(diags[0].code, 'too-many-problems');
    assert.deepEqual(diags[0].range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
    assert.match(diags[0].message, /^500 more problems not shown/);
    assert.equal(diags.filter((d: Diagnostic) => d.code === 'np-empty-peer').length, 1000);
  } finally {
    await s.stop();
  }
});

test('capFindings keeps the most severe problems first, then the earliest, and counts the rest', () => {
  const zero = { line: 0, character: 0 };
  const f = (code: string, severity: 'error' | 'info', off: number) => ({ code, severity, message: code, range: { file: 'f', doc: 0, start: zero, end: zero, startOffset: off, endOffset: off } });
  const list = [...Array.from({ length: 1200 }, (_, i) => f('np-broad-peer', 'info', i)), f('np-invalid-cidr', 'error', 5000)];
  const kept = capFindings('f', list);
  assert.equal(kept.length, 1001);
  assert.equal(kept[0].code, 'too-many-problems');
  assert.match(kept[0].message, /^201 more problems not shown/);
  assert.equal(kept[kept.length - 1].code, 'np-invalid-cidr');
  assert.equal(kept[999].range.startOffset, 998);
  assert.equal(capFindings('f', list.slice(0, 1000)).length, 1000);
});

test('hover on a small document is answered while a large one is still being analysed; closing the large one releases it', async () => {
  const s = await startTestServer(undefined);
  try {
    const small = 'untitled:small.yaml';
    await s.open(small, policies(3));
    const big = 'untitled:huge.yaml';
    let bigPublished = 0;
    s.onPublish((p: PublishDiagnosticsParams) => {
      if (p.uri === big && p.diagnostics.length > 0 && !bigPublished) bigPublished = Date.now();
    });
    const done = s.nextDiagnostics(big, 120000);
    void s.client.sendNotification('textDocument/didOpen', { textDocument: { uri: big, languageId: 'yaml', version: 1, text: policies(2500, '  policyTypes: [Ingress, Egress]\n') } });
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    const h = await s.hover(small, 4, 4);
    const answered = Date.now();
    assert.ok(h, 'hover answered');
    await done;
    assert.ok(answered < bigPublished, 'the hover did not wait for the large document');
    assert.ok(answered - t0 < 2000, `hover took ${answered - t0} ms`);
    // Close the large document (not on disk): the server forgets it and clears its diagnostics.
    const cleared = s.nextDiagnostics(big, 10000);
    await s.client.sendNotification('textDocument/didClose', { textDocument: { uri: big } });
    assert.deepEqual(await cleared, []);
    assert.equal(s.handle.index.project.hasFile(big), false);
    assert.equal(s.handle.index.project.lastResult()?.texts.has(big), false);
  } finally {
    await s.stop();
  }
});

test('one parse per document change, shared by diagnostics, hover, completion, symbols, fixes and the panel model', async () => {
  const parse = documents.parseChunk;
  let calls = 0;
  (documents as { parseChunk: typeof parse }).parseChunk = (t: string) => {
    calls++;
    return parse(t);
  };
  try {
    const p = new LintProject();
    const schemas = new SchemaRegistry();
    const text = policies(20);
    p.setFile('a.yaml', text);
    p.setFile('b.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: x, namespace: ns1, labels: {app: a1}}\n');
    const use = async (t: string) => {
      p.result();
      hover(p, schemas, 'a.yaml', t.indexOf('podSelector'));
      const pos = new LineIndex(t).position(t.indexOf('podSelector'));
      complete(p, schemas, 'a.yaml', t, pos.line, pos.character, t.indexOf('podSelector'));
      await documentSymbols(p, 'a.yaml');
      p.lastGoodCluster();
      p.brokenFiles();
    };
    await use(text);
    assert.equal(calls, 21);
    // An edit in one document parses that document only.
    const edited = text.replace('port: 8005', 'port: 8006');
    p.setFile('a.yaml', edited);
    await use(edited);
    assert.equal(calls, 22);
  } finally {
    (documents as { parseChunk: typeof parse }).parseChunk = parse;
  }
});

test('partialFindings: the problems of the documents read so far, after an analysis-in-progress information', () => {
  const p = new LintProject();
  const text = policies(10).replace(/ports: \[\{port: 8000\}\]/, 'ports: [{port: 0}]');
  p.setFile('big.yaml', text);
  const chunks = p.chunks('big.yaml');
  for (const c of chunks.slice(0, 3)) void c.entry;
  assert.deepEqual(p.filesWithPendingDocuments(), ['big.yaml']);
  const partial = p.partialFindings('big.yaml');
  assert.equal(partial[0].code, 'analysis-in-progress');
  assert.match(partial[0].message, /3 of 10 documents/);
  assert.deepEqual(partial.slice(1).map((f) => f.code), ['np-port-out-of-range']);
  assertInside(text, partial.map((f) => f.range));
  p.result();
  assert.deepEqual(p.filesWithPendingDocuments(), []);
  assert.equal(p.partialFindings('big.yaml')[0].code, 'np-port-out-of-range');
});

test('lastGoodCluster: a file with broken YAML keeps contributing its last good objects', () => {
  const p = new LintProject();
  p.setFile('a.yaml', policies(2));
  p.setFile('b.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: x, namespace: ns1}\n');
  assert.equal(p.lastGoodCluster().cluster.policies.length, 2);
  p.setFile('a.yaml', policies(2).replace('podSelector: {matchLabels: {app: a0}}', 'podSelector: {matchLabels: {app: a0}'));
  assert.deepEqual([...p.brokenFiles()], ['a.yaml']);
  const lg = p.lastGoodCluster();
  assert.deepEqual(lg.staleFiles, ['a.yaml']);
  assert.deepEqual(lg.cluster.policies.map((x) => x.name), ['p0', 'p1']);
  assert.deepEqual(lg.cluster.workloads.map((w) => w.id), ['ns1/x']);
  // A file that never parsed contributes nothing.
  p.setFile('c.yaml', 'kind: Pod\nmetadata: {name: [\n');
  assert.deepEqual(p.lastGoodCluster().staleFiles, ['a.yaml', 'c.yaml']);
  assert.equal(p.lastGoodCluster().cluster.workloads.length, 1);
});
