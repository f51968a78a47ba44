// Completion, hover, quick fixes, outline and incremental updates, driven over LSP (in-memory streams)
// against the "authoring" fixture workspace (namespaces shop/web, workloads api/db/frontend/coredns).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { MarkupContent } from 'vscode-languageserver';
import { applyWorkspaceEdit, FIXTURES, startTestServer, withCursor, type TestServer } from './harness';

const WS = join(FIXTURES, 'authoring');
let server: TestServer;
let n = 0;
/** A fresh in-memory document inside the workspace folder (not on disk). */
const uri = () => pathToFileURL(join(WS, `scratch-${++n}.yaml`)).href;

before(async () => {
  server = await startTestServer(WS);
});
after(async () => {
  await server.stop();
});

async function completeAt(src: string): Promise<string[]> {
  const { text, line, character } = withCursor(src);
  const u = uri();
  await server.open(u, text);
  return (await server.completion(u, line, character)).map((i) => i.label);
}

let names = 0;
/** Document head with a unique policy name (scratch documents stay open, names must not collide). */
const head = () => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p${++names}\n  namespace: shop\n`;

test('completion: spec keys not yet present', async () => {
  const labels = await completeAt(`${head()}spec:\n  podSelector: {}\n  <|>\n`);
  assert.ok(labels.includes('policyTypes') && labels.includes('ingress') && labels.includes('egress'), labels.join(','));
  assert.ok(!labels.includes('podSelector'), 'podSelector already present');
});

test('completion: enum values for protocol and policyTypes items', async () => {
  const proto = await completeAt(`${head()}spec:\n  podSelector: {}\n  ingress:\n    - ports:\n        - protocol: <|>\n`);
  assert.deepEqual(proto.sort(), ['SCTP', 'TCP', 'UDP']);
  const types = await completeAt(`${head()}spec:\n  podSelector: {}\n  policyTypes:\n    - <|>\n`);
  assert.deepEqual(types.sort(), ['Egress', 'Ingress']);
  const flow = await completeAt(`${head()}spec:\n  podSelector: {}\n  policyTypes: [Ingress, <|>\n`);
  assert.ok(flow.includes('Egress'));
});

test('completion: peer keys inside from', async () => {
  const labels = await completeAt(`${head()}spec:\n  podSelector: {}\n  ingress:\n    - from:\n        - <|>\n`);
  assert.deepEqual(labels.sort(), ['ipBlock', 'namespaceSelector', 'podSelector']);
});

test('completion: label keys and values from the workspace', async () => {
  const keys = await completeAt(`${head()}spec:\n  podSelector:\n    matchLabels:\n      <|>\n`);
  assert.ok(keys.includes('app') && keys.includes('tier'), keys.join(','));
  const values = await completeAt(`${head()}spec:\n  podSelector:\n    matchLabels:\n      app: <|>\n`);
  assert.ok(['api', 'db'].every((v) => values.includes(v)), values.join(','));
  const nsKeys = await completeAt(`${head()}spec:\n  podSelector: {}\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              <|>\n`);
  assert.ok(nsKeys.includes('team') && nsKeys.includes('kubernetes.io/metadata.name'), nsKeys.join(','));
  const nsVals = await completeAt(`${head()}spec:\n  podSelector: {}\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: <|>\n`);
  assert.ok(nsVals.includes('shop') && nsVals.includes('web'), nsVals.join(','));
});

test('completion: namespace names for metadata.namespace', async () => {
  const labels = await completeAt('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: <|>\n');
  assert.ok(labels.includes('shop') && labels.includes('web'));
});

test('completion: named ports of the selected pods', async () => {
  const src = `${head()}spec:\n  podSelector:\n    matchLabels:\n      app: api\n  ingress:\n    - ports:\n        - port: <|>\n`;
  const { text, line, character } = withCursor(src);
  const u = uri();
  // The policy must be parsed for the selection: open a complete version first, then edit.
  await server.open(u, text.replace('port: ', 'port: http'));
  await server.change(u, text, 2);
  const labels = (await server.completion(u, line, character)).map((i) => i.label);
  assert.deepEqual(labels.sort(), ['http', 'metrics']);
});

test('completion: policy snippets in an empty document, rule snippet in egress', async () => {
  const labels = await completeAt('<|>');
  for (const s of ['default deny all', 'allow DNS egress', 'allow from namespace']) assert.ok(labels.some((l) => l.includes(s)), `${s} in ${labels.join(',')}`);
  const egress = await completeAt(`${head()}spec:\n  podSelector: {}\n  egress:\n    - <|>\n`);
  assert.ok(egress.includes('rule: allow DNS'));
});

test('completion snippet bodies are valid NetworkPolicies', async () => {
  const { text, line, character } = withCursor('<|>');
  const u = uri();
  await server.open(u, text);
  const items = await server.completion(u, line, character);
  const snippets = items.filter((i) => i.label.startsWith('NetworkPolicy:'));
  assert.equal(snippets.length, 4);
  for (const s of snippets) {
    // Replace snippet placeholders ${n:default} / $n by their default text.
    const body = String(s.insertText).replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\d+/g, '');
    const docs = parseAllDocuments(body);
    assert.equal(docs.length, 1);
    assert.deepEqual(docs[0].errors, []);
    const obj = docs[0].toJS();
    assert.equal(obj.kind, 'NetworkPolicy');
    const d = await server.change(u, body, 10 + snippets.indexOf(s));
    assert.deepEqual(d.filter((x) => x.severity === 1), [], `no errors for ${s.label}: ${JSON.stringify(d)}`);
  }
});

function hoverText(h: Awaited<ReturnType<TestServer['hover']>>): string {
  return h ? (h.contents as MarkupContent).value : '';
}

test('hover on a policy explains it in plain English', async () => {
  const text = `${head()}spec:\n  podSelector:\n    matchLabels:\n      app: api\n  policyTypes: [Ingress]\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              team: frontend\n          podSelector:\n            matchLabels:\n              app: web\n      ports:\n        - protocol: TCP\n          port: 8080\n`;
  const u = uri();
  await server.open(u, text);
  const h = hoverText(await server.hover(u, 1, 2)); // on `kind`
  assert.match(h, /Pods app=api in ns shop accept TCP 8080 only from pods app=web in namespaces team=frontend; all other ingress is denied\./);
  assert.match(h, /does not restrict egress/);
  assert.match(h, /shop\/api/); // the selected workload
});

test('hover on a rule lists the flows it decides, computed by the engine (one formatter: markdown table)', async () => {
  // https://kubernetes.io/docs/concepts/services-networking/network-policies/: the rule admits TCP 8080 from pods
  // app=web in namespaces team=frontend into the pods the policy selects (app=api in shop).
  const text = `${head()}spec:\n  podSelector:\n    matchLabels:\n      app: api\n  policyTypes: [Ingress]\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              team: frontend\n      ports:\n        - protocol: TCP\n          port: 8080\n`;
  const u = uri();
  await server.open(u, text);
  const h = hoverText(await server.hover(u, 11, 7)); // on `from` of ingress rule 1
  assert.match(h, /ingress rule 1\*\* \(Allow\) decides these flows/);
  assert.match(h, /\| web\/frontend \| shop\/api \| allows TCP 8080 \|/);
});

test('hover on a selector lists the workloads it selects; on a field shows its documentation', async () => {
  const text = `${head()}spec:\n  podSelector:\n    matchLabels:\n      app: api\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              team: frontend\n`;
  const u = uri();
  await server.open(u, text);
  const sel = hoverText(await server.hover(u, 6, 4)); // `podSelector`
  assert.match(sel, /Selects 1 workload/);
  assert.match(sel, /shop\/api/);
  assert.match(sel, /every pod in the namespace|Pods of the policy's namespace/); // schema description
  const ns = hoverText(await server.hover(u, 11, 12)); // `namespaceSelector`
  assert.match(ns, /`web`/);
  assert.match(ns, /web\/frontend/);
  const types = hoverText(await server.hover(u, 9, 3)); // `ingress`
  assert.match(types, /Allow rules for incoming traffic/);
});

test('quick fix: add missing policyType, versioned edit, diagnostic disappears', async () => {
  const text = `${head()}spec:\n  podSelector: {}\n  policyTypes:\n    - Ingress\n  ingress: []\n  egress:\n    - to:\n        - ipBlock:\n            cidr: 10.0.0.0/8\n`;
  const u = uri();
  const diags = await server.open(u, text, 7);
  const d = diags.filter((x) => x.code === 'np-policy-type-missing');
  assert.equal(d.length, 1);
  const actions = await server.codeActions(u, d);
  const fix = actions.find((a) => a.title.includes('Add Egress'));
  assert.ok(fix, actions.map((a) => a.title).join(';'));
  const fixed = applyWorkspaceEdit(fix!.edit, u, text, 7);
  assert.match(fixed, /policyTypes:\n {4}- Ingress\n {4}- Egress\n/);
  const after = await server.change(u, fixed, 8);
  assert.equal(after.filter((x) => x.code === 'np-policy-type-missing').length, 0);
  // A stale edit is refused: it names the version it was computed for.
  assert.throws(() => applyWorkspaceEdit(fix!.edit, u, fixed, 8), /version 7/);
});

test('quick fix: merge split rule and split peer into AND', async () => {
  const text = `${head()}spec:\n  podSelector: {}\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              team: frontend\n        - podSelector:\n            matchLabels:\n              app: web\n    - ports:\n        - protocol: TCP\n          port: 8080\n`;
  const u = uri();
  const diags = await server.open(u, text);
  const rule = diags.find((x) => x.code === 'np-split-rule')!;
  const a1 = (await server.codeActions(u, [rule])).find((a) => a.title.startsWith('Merge into the previous rule'));
  assert.ok(a1);
  const t1 = applyWorkspaceEdit(a1!.edit, u, text, 1);
  assert.deepEqual(parseAllDocuments(t1)[0].toJS().spec.ingress, [
    { from: [{ namespaceSelector: { matchLabels: { team: 'frontend' } } }, { podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
  ]);
  const d2 = await server.change(u, t1, 2);
  const peer = d2.find((x) => x.code === 'np-split-peer')!;
  assert.ok(peer);
  const a2 = (await server.codeActions(u, [peer])).find((a) => a.title.startsWith('Merge into one peer'));
  assert.ok(a2);
  const t2 = applyWorkspaceEdit(a2!.edit, u, t1, 2);
  assert.deepEqual(parseAllDocuments(t2)[0].toJS().spec.ingress[0].from, [{ namespaceSelector: { matchLabels: { team: 'frontend' } }, podSelector: { matchLabels: { app: 'web' } } }]);
  const d3 = await server.change(u, t2, 3);
  assert.deepEqual(d3.filter((x) => x.code === 'np-split-peer' || x.code === 'np-split-rule'), []);
});

test('quick fix: add DNS egress rule to a default-deny egress policy', async () => {
  // Own namespace: other scratch documents of this suite must not allow DNS for these pods.
  const text = `${head().replace('namespace: shop', 'namespace: dns-test')}spec:\n  podSelector: {}\n  policyTypes: [Egress]\n`;
  const u = uri();
  const diags = await server.open(u, text);
  const dns = diags.find((x) => x.code === 'np-dns-blocked');
  assert.ok(dns, JSON.stringify(diags));
  const a = (await server.codeActions(u, [dns!]))[0];
  assert.match(a.title, /DNS/);
  const fixed = applyWorkspaceEdit(a.edit, u, text, 1);
  const egress = parseAllDocuments(fixed)[0].toJS().spec.egress;
  assert.equal(egress.length, 1);
  assert.deepEqual(egress[0].ports, [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]);
  const after = await server.change(u, fixed, 2);
  assert.equal(after.filter((x) => x.code === 'np-dns-blocked').length, 0);
});

test('quick fix: fix port name and create namespace label (edit in another file)', async () => {
  const text = `${head()}spec:\n  podSelector:\n    matchLabels:\n      app: api\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              env: prod\n      ports:\n        - port: metrix\n`;
  const u = uri();
  const diags = await server.open(u, text);
  const port = diags.find((x) => x.code === 'np-named-port-undefined')!;
  const pa = await server.codeActions(u, [port]);
  assert.equal(pa[0].title, 'Change the port to "metrics"');
  assert.match(applyWorkspaceEdit(pa[0].edit, u, text, 1), /- port: metrics\n/);
  const ns = diags.find((x) => x.code === 'np-selector-no-match')!;
  assert.ok(ns, JSON.stringify(diags));
  const na = await server.codeActions(u, [ns]);
  const web = na.find((a) => a.title === 'Add label env=prod to namespace web');
  assert.ok(web, na.map((a) => a.title).join(';'));
  const nsUri = pathToFileURL(join(WS, 'cluster.yaml')).href;
  const clusterText = server.handle.index.project.getText(nsUri)!;
  const edited = applyWorkspaceEdit(web!.edit, nsUri, clusterText, null);
  const webNs = parseAllDocuments(edited).map((d) => d.toJS()).find((o) => o.kind === 'Namespace' && o.metadata.name === 'web');
  assert.deepEqual(webNs.metadata.labels, { team: 'frontend', env: 'prod' });
});

test('document symbols list objects and policy parts', async () => {
  const u = uri();
  await server.open(u, `${head()}spec:\n  podSelector: {}\n  ingress:\n    - {}\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: extra\n`);
  const syms = await server.symbols(u);
  assert.equal(syms.length, 2);
  assert.match(syms[0].name, /^NetworkPolicy shop\/p\d+$/);
  assert.equal(syms[1].name, 'Namespace extra');
  assert.deepEqual(syms[0].children!.map((c) => c.name), ['podSelector', 'ingress']);
  assert.equal(syms[0].children![1].children!.length, 1);
});

test('incremental edits: only the edited document changes, other documents keep their diagnostics', async () => {
  const docA = `${head()}spec:\n  podSelector: {}\n  ingress:\n    - {}\n`;
  const docB = `---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: q\n  namespace: shop\nspec:\n  podSelector: {}\n  egress:\n    - to:\n        - ipBlock: {cidr: 10.0.0.0/33}\n`;
  const u = uri();
  const d1 = await server.open(u, docA + docB);
  assert.deepEqual(d1.map((d) => d.code).sort(), ['np-allow-all', 'np-invalid-cidr']);
  // Insert a line at the top: the second document's diagnostic moves down one line.
  const d2 = await server.change(u, '# comment\n' + docA + docB, 2);
  const cidr1 = d1.find((d) => d.code === 'np-invalid-cidr')!;
  const cidr2 = d2.find((d) => d.code === 'np-invalid-cidr')!;
  assert.equal(cidr2.range.start.line, cidr1.range.start.line + 1);
  // Fix the first document only.
  const d3 = await server.change(u, '# comment\n' + docA.replace('- {}', '- from: [{podSelector: {}}]') + docB, 3);
  assert.deepEqual(d3.map((d) => d.code).sort(), ['np-broad-peer', 'np-invalid-cidr']);
  // Broken YAML gives a syntax diagnostic, never a crash; repairing it brings the lint back.
  const d4 = await server.change(u, docA + docB.replace('{cidr: 10.0.0.0/33}', '{cidr: 10.0.0.0/33'), 4);
  assert.ok(d4.some((d) => d.code === 'yaml-syntax' && d.severity === 1), JSON.stringify(d4));
  const d5 = await server.change(u, docA + docB, 5);
  assert.deepEqual(d5.map((d) => d.code).sort(), ['np-allow-all', 'np-invalid-cidr']);
});

test('suppression comments: next line and whole file', async () => {
  const u = uri();
  const base = `${head()}spec:\n  podSelector: {}\n  ingress:\n    - {}\n`;
  assert.deepEqual((await server.open(u, base)).map((d) => d.code), ['np-allow-all']);
  const nextLine = base.replace('    - {}', '    # policy-lens-disable-next-line np-allow-all\n    - {}');
  assert.deepEqual(await server.change(u, nextLine, 2), []);
  const other = base.replace('    - {}', '    # policy-lens-disable-next-line np-dns-blocked\n    - {}');
  assert.deepEqual((await server.change(u, other, 3)).map((d) => d.code), ['np-allow-all']);
  assert.deepEqual(await server.change(u, '# policy-lens-disable np-allow-all\n' + base, 4), []);
});

test('non-Kubernetes YAML gets no diagnostics, even with syntax errors', async () => {
  const u = uri();
  assert.deepEqual(await server.open(u, 'on: [push\njobs:\n  build: {}\n'), []);
});

test('Calico documents use the Calico schemas for completion and hover', async () => {
  const src = 'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: c\n  namespace: shop\nspec:\n  selector: app == "api"\n  ingress:\n    - action: <|>\n';
  const labels = await completeAt(src);
  assert.deepEqual(labels.sort(), ['Allow', 'Deny', 'Log', 'Pass']);
  const { text } = withCursor(src.replace('<|>', 'Allow\n      protocol: TCP\n      destination:\n        ports: [8080]<|>'));
  const u = uri();
  await server.open(u, text);
  const h = hoverText(await server.hover(u, 6, 3)); // `selector`
  assert.match(h, /NetworkPolicy shop\/c\*\* — tier `default`/);
  assert.match(h, /Applies to 1 workload in this workspace: `shop\/api`/);
  assert.match(h, /\*\*Ingress\*\*: \n1\. Allow TCP from anything to ports 8080\n/);
});

test('workspace indexing reports progress and registers a YAML file watcher', () => {
  const methods = server.serverRequests.map((r) => r.method);
  assert.ok(methods.includes('window/workDoneProgress/create'), methods.join(','));
  const reg = server.serverRequests.find((r) => r.method === 'client/registerCapability');
  assert.match(JSON.stringify(reg?.params), /workspace\/didChangeWatchedFiles.*\*\*\/\*\.\{yaml,yml\}/);
});

test('hover inside Calico selector strings: the item under the cursor and what the selector matches', async () => {
  // Calico NetworkPolicy reference, "Selectors" and "EntityRule": a namespaced policy's rule selectors match in
  // its own namespace unless namespaceSelector is set; namespaceSelector matches namespace labels.
  const text =
    'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: sel-hover\n  namespace: shop\nspec:\n' +
    "  selector: app == 'api'\n  ingress:\n    - action: Allow\n      source:\n        selector: app in {'db', 'web'}\n" +
    "    - action: Allow\n      source:\n        namespaceSelector: projectcalico.org/name == 'web'\n        selector: app == 'web'\n";
  const u = uri();
  await server.open(u, text);
  // line 6: `  selector: app == 'api'` — cursor on the value 'api'
  const onValue = hoverText(await server.hover(u, 6, 21));
  assert.match(onValue, /\*\*Calico policy selector\*\* `app == "api"`/);
  assert.match(onValue, /`app` = `api` on 1 workload in this workspace/);
  assert.match(onValue, /The policy applies to 1 workload in namespace shop: `shop\/api`/);
  // line 10: rule source selector, cursor on the key `app`: scoped to the policy namespace (db yes, web no)
  const onKey = hoverText(await server.hover(u, 10, 19));
  assert.match(onKey, /Label `app`: values in this workspace `api`, `db`, `web`/);
  assert.match(onKey, /Matches 1 workload in namespace shop .*: `shop\/db`/);
  // line 13: namespaceSelector
  const onNs = hoverText(await server.hover(u, 13, 30));
  assert.match(onNs, /Selects namespaces: `web`/);
  // line 14: selector with a namespaceSelector sibling: scoped to namespace web
  const scoped = hoverText(await server.hover(u, 14, 22));
  assert.match(scoped, /Matches 1 workload in namespaces matching `projectcalico.org\/name == "web"`: `web\/frontend`/);
});
