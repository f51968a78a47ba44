// Messages from the reachability webview are untrusted (client/src/webview-guard.ts): shape and type checks, and
// `open` only for files the panel showed or inside the workspace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { checkWebviewMessage, isInside, mayOpen, rangeFiles, ShownFiles, viewStateProblem } from '../../client/src/webview-guard';
import { DEFAULT_VIEW_STATE } from '../../client/webview/messages';

const pos = (line: number, character: number) => ({ line, character });

test('valid messages pass, rebuilt from their checked fields', () => {
  const ready = checkWebviewMessage({ type: 'ready', state: DEFAULT_VIEW_STATE });
  assert.deepEqual(ready, { ok: true, message: { type: 'ready', state: DEFAULT_VIEW_STATE } });
  const full = { ...DEFAULT_VIEW_STATE, view: 'blast', namespaces: ['a', 'b'], selected: { src: 'a/x', dst: 'b/y' }, focus: 'a/x', compare: 'head', future: 1 };
  assert.equal(checkWebviewMessage({ type: 'state', state: full }).ok, true, 'fields a newer webview adds are tolerated');
  assert.deepEqual(checkWebviewMessage({ type: 'explain', src: 'a/x', dst: '10.0.0.0-10.255.255.255' }), { ok: true, message: { type: 'explain', src: 'a/x', dst: '10.0.0.0-10.255.255.255' } });
  const open = checkWebviewMessage({ type: 'open', range: { file: '/ws/a.yaml', doc: 0, start: pos(1, 2), end: pos(3, 4), startOffset: 1, endOffset: 2, evil: { x: 1 } } });
  assert.deepEqual(open, { ok: true, message: { type: 'open', range: { file: '/ws/a.yaml', start: pos(1, 2), end: pos(3, 4) } } });
});

test('wrong shapes and unknown types are refused with a reason, never thrown on', () => {
  const refused = [
    undefined,
    null,
    'ready',
    [],
    {},
    { type: 'nope' },
    { type: 42 },
    { type: 'state' }, // no state: threw a TypeError before
    { type: 'ready', state: null },
    { type: 'state', state: { ...DEFAULT_VIEW_STATE, compare: 'rm -rf' } },
    { type: 'state', state: { ...DEFAULT_VIEW_STATE, view: 'x' } },
    { type: 'state', state: { ...DEFAULT_VIEW_STATE, namespaces: [1] } },
    { type: 'state', state: { ...DEFAULT_VIEW_STATE, namespaces: 'all' } },
    { type: 'state', state: { ...DEFAULT_VIEW_STATE, port: 8080 } },
    { type: 'state', state: { ...DEFAULT_VIEW_STATE, showExternal: 'yes' } },
    { type: 'state', state: { ...DEFAULT_VIEW_STATE, selected: { src: 'a' } } },
    { type: 'state', state: { ...DEFAULT_VIEW_STATE, focus: 'x'.repeat(5000) } },
    { type: 'explain', src: 'a/x' },
    { type: 'explain', src: '', dst: 'b/y' },
    { type: 'explain', src: { toString: 'a' }, dst: 'b/y' },
    { type: 'open' },
    { type: 'open', range: { file: 7, start: pos(0, 0), end: pos(0, 0) } },
    { type: 'open', range: { file: '', start: pos(0, 0), end: pos(0, 0) } },
    { type: 'open', range: { file: '/a\0b', start: pos(0, 0), end: pos(0, 0) } },
    { type: 'open', range: { file: '/a', start: pos(-1, 0), end: pos(0, 0) } },
    { type: 'open', range: { file: '/a', start: pos(0.5, 0), end: pos(0, 0) } },
    { type: 'open', range: { file: '/a', start: pos(0, 0) } },
    { type: 'open', range: { file: '/a', start: { line: '0', character: 0 }, end: pos(0, 0) } },
  ];
  for (const m of refused) {
    const r = checkWebviewMessage(m);
    assert.equal(r.ok, false, JSON.stringify(m));
    assert.ok(!r.ok && r.reason.length > 0);
  }
  assert.match((checkWebviewMessage({ type: 'nope' }) as { reason: string }).reason, /unknown message type "nope"/);
  assert.match((checkWebviewMessage({ type: 'state' }) as { reason: string }).reason, /^state: state is not an object$/);
  assert.equal(viewStateProblem(DEFAULT_VIEW_STATE), undefined);
});

test('open: only files the panel showed, or file: inside a workspace folder', () => {
  const ws = '/work/space';
  const response = {
    result: {
      endpoints: [{ id: 'a/x', range: { file: 'untitled:Untitled-1', doc: 0, start: pos(0, 0), end: pos(1, 0) } }],
      connections: [{ explanation: { egress: { allowedBy: [{ range: { file: 'file:///elsewhere/np.yaml', start: pos(2, 0), end: pos(3, 0) } }] } } }],
    },
    staleFiles: ['/not/a/range.yaml'],
  };
  const shown = new ShownFiles();
  shown.reset(response);
  assert.deepEqual([...shown.set].sort(), ['file:///elsewhere/np.yaml', 'untitled:Untitled-1']);
  const ok = (f: string) => mayOpen(f, shown.set, [ws]);
  assert.equal(ok('untitled:Untitled-1'), true, 'a range of the response, whatever its scheme');
  assert.equal(ok('file:///elsewhere/np.yaml'), true);
  assert.equal(ok(pathToFileURL('/work/space/policies/a.yaml').href), true, 'file: inside the workspace');
  assert.equal(ok('/work/space/a.yaml'), true, 'a path inside the workspace');
  assert.equal(ok('/work/space'), true);
  assert.equal(ok('/not/a/range.yaml'), false, 'strings that are not ranges do not count');
  assert.equal(ok('file:///etc/passwd'), false);
  assert.equal(ok('/etc/passwd'), false);
  assert.equal(ok('/work/space/../../etc/passwd'), false, '.. cannot climb out');
  assert.equal(ok('file:///work/space/%2e%2e/%2e%2e/etc/passwd'), false);
  assert.equal(ok('/work/spaceship/a.yaml'), false, 'a sibling with the same prefix is outside');
  assert.equal(ok('relative/a.yaml'), false);
  for (const scheme of ['command:workbench.action.terminal.new', 'https://attacker.invalid/x.yaml', 'vscode-remote://x/a.yaml', 'untitled:Other', 'git:/work/space/a.yaml?%7B%7D']) {
    assert.equal(ok(scheme), false, scheme);
  }
  // An explanation sent later adds its files; a new response forgets them.
  shown.add({ ingress: { allowedBy: [{ range: { file: 'untitled:Explained', start: pos(0, 0), end: pos(0, 0) } }] } });
  assert.equal(ok('untitled:Explained'), true);
  shown.reset({ result: { endpoints: [], connections: [] } });
  assert.equal(ok('untitled:Explained'), false);
  assert.equal(ok('untitled:Untitled-1'), false);
});

test('rangeFiles walks deep and cyclic values without recursion limits', () => {
  let deep: Record<string, unknown> = { range: { file: 'bottom', start: pos(0, 0) } };
  for (let i = 0; i < 100_000; i++) deep = { next: [deep] };
  const cyclic: Record<string, unknown> = { range: { file: 'c', start: pos(0, 0) } };
  cyclic.self = cyclic;
  assert.deepEqual([...rangeFiles([deep, cyclic])].sort(), ['bottom', 'c']);
  assert.equal(isInside('/a/b', '/a/b/c'), true);
  assert.equal(isInside('/a/b', '/a/bc'), false);
});

test('export: CSV or markdown text to save or copy; anything else is refused', () => {
  const good = checkWebviewMessage({ type: 'export', format: 'csv', action: 'save', text: 'from,to\n' });
  assert.deepEqual(good, { ok: true, message: { type: 'export', format: 'csv', action: 'save', text: 'from,to\n' } });
  assert.equal(checkWebviewMessage({ type: 'export', format: 'markdown', action: 'copy', text: '| a |' }).ok, true);
  for (const bad of [
    { type: 'export', format: 'html', action: 'save', text: 'x' },
    { type: 'export', format: 'csv', action: 'run', text: 'x' },
    { type: 'export', format: 'csv', action: 'save', text: 42 },
    { type: 'export', format: 'csv', action: 'save' },
  ]) assert.equal(checkWebviewMessage(bad).ok, false, JSON.stringify(bad));
});

test('export: the graph as SVG (a document) or PNG (base64), saved only', () => {
  const svg = '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>\n';
  assert.equal(checkWebviewMessage({ type: 'export', format: 'svg', action: 'save', text: svg }).ok, true);
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).toString('base64');
  assert.equal(checkWebviewMessage({ type: 'export', format: 'png', action: 'save', text: png }).ok, true);
  for (const bad of [
    { type: 'export', format: 'svg', action: 'copy', text: svg },
    { type: 'export', format: 'svg', action: 'save', text: '<html><script>x</script></html>' },
    { type: 'export', format: 'png', action: 'save', text: 'not base64!' },
    { type: 'export', format: 'png', action: 'save', text: Buffer.from('GIF89a').toString('base64') },
  ]) assert.equal(checkWebviewMessage(bad).ok, false, JSON.stringify(bad).slice(0, 80));
  // The graph's open boxes and focus are part of the view state.
  assert.equal(viewStateProblem({ ...DEFAULT_VIEW_STATE, graphOpen: { 'ns:a': true }, graphFocus: 'ns:a' }), undefined);
  assert.match(viewStateProblem({ ...DEFAULT_VIEW_STATE, graphOpen: { 'ns:a': 'yes' } }) ?? '', /graphOpen/);
});

test('state: the observed-flows overlay switch is a boolean (the only new field; no webview -> host flow message exists)', () => {
  assert.equal(viewStateProblem({ ...DEFAULT_VIEW_STATE, overlay: false }), undefined);
  assert.equal(viewStateProblem({ ...DEFAULT_VIEW_STATE, overlay: true }), undefined);
  for (const bad of ['false', 0, null, { on: true }]) assert.match(viewStateProblem({ ...DEFAULT_VIEW_STATE, overlay: bad }) ?? '', /overlay/, JSON.stringify(bad));
  assert.equal(checkWebviewMessage({ type: 'state', state: { ...DEFAULT_VIEW_STATE, overlay: 'hide' } }).ok, false);
  // The webview cannot ask the host to import or read flow files: there is no such message.
  assert.equal(checkWebviewMessage({ type: 'flows', files: ['/etc/passwd'] }).ok, false);
  assert.equal(checkWebviewMessage({ type: 'importFlows' }).ok, false);
});
