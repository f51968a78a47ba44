// Large single-document Lists (`kubectl get pods -A -o yaml`) are parsed item by item so memory stays bounded;
// the result must equal the whole-document parse (objects and source positions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterBuilder, parseFiles, type Cluster } from '../../server/src/core/index';
import { LARGE_LIST_BYTES, parseFileInto, splitListItems } from '../../server/src/core/parse';

function podList(n: number, indent: string): string {
  const items: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = indent;
    items.push(`${p}- apiVersion: v1\n${p}  kind: Pod\n${p}  metadata:\n${p}    name: web-${i % 7}-abc-${i}\n${p}    namespace: ns${i % 3}\n${p}    labels: {app: web${i % 7}}\n${p}    ownerReferences:\n${p}    - {apiVersion: apps/v1, kind: ReplicaSet, name: web-${i % 7}-abc, controller: true}\n${p}    annotations:\n${p}      note: |\n${p}        - not an item\n${p}        kind: not a key\n${p}  spec:\n${p}    containers:\n${p}    - name: c\n${p}      image: x\n${p}      ports: [{name: http, containerPort: ${8000 + (i % 7)}}]\n`);
  }
  return `apiVersion: v1\nitems:\n${items.join('')}kind: List\nmetadata:\n  resourceVersion: ""\n`;
}

function strip(c: Cluster) {
  return JSON.parse(JSON.stringify({ w: c.workloads, n: c.namespaces, d: c.diagnostics.map((d) => d.code) }));
}

for (const indent of ['', '  ']) {
  test(`a large List is split into its items at the sequence's dash column (items indented ${indent.length})`, () => {
    const text = podList(50, indent);
    const split = splitListItems(text)!;
    assert.equal(split.items.length, 50);
    for (const [s] of split.items) assert.ok(text.startsWith(`${indent}- apiVersion`, s));
    assert.match(split.header, /kind: List/);
    assert.doesNotMatch(split.header, /kind: Pod/);
  });

  test(`item-by-item parse equals the whole-document parse, positions included (items indented ${indent.length})`, () => {
    let text = podList(40, indent);
    // Pad with a comment to cross the size threshold.
    text = `# ${'x'.repeat(LARGE_LIST_BYTES)}\n${text}`;
    const whole = parseFiles([{ path: 'big.yaml', text: text.slice(text.indexOf('\n') + 1) }]);
    const split: Cluster = { namespaces: [], workloads: [], policies: [], diagnostics: [] };
    const b = new ClusterBuilder(split);
    parseFileInto({ path: 'big.yaml', text }, {}, b);
    b.finish();
    assert.equal(split.workloads.length, 21, "7 ReplicaSets in 3 namespaces");
    const a = strip(whole);
    const c = strip(split);
    // The padding line shifts every position by one line.
    for (const w of a.w) {
      w.range.start.line += 1;
      w.range.end.line += 1;
      w.range.startOffset += text.indexOf('\n') + 1;
      w.range.endOffset += text.indexOf('\n') + 1;
    }
    assert.deepEqual(c.w, a.w);
    assert.deepEqual(c.d, a.d);
  });
}

test('text that is not one List document is not split', () => {
  assert.equal(splitListItems('kind: Pod\nmetadata: {name: a}\n'), undefined);
  assert.equal(splitListItems('apiVersion: v1\nitems:\n- kind: Pod\n---\nkind: Pod\n'), undefined);
});
