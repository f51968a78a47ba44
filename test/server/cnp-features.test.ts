// ClusterNetworkPolicy / AdminNetworkPolicy in the editor, over LSP (in-memory streams) against the "authoring"
// fixture workspace (namespaces shop/web, workloads api/db/frontend/coredns): diagnostics with rule pages, hover
// sentences, completion from the schemas and the workspace, outline, and the proved migration quick fix.
// Sources: kubernetes-sigs/network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go (fields, enums),
// site-src/api-overview.md (tiers, actions), site-src/blog/posts/ClusterNetworkPolicy.md (v1alpha1 -> v1alpha2).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseDocument } from 'yaml';
import type { MarkupContent } from 'vscode-languageserver';
import { applyWorkspaceEdit, FIXTURES, startTestServer, withCursor, type TestServer } from './harness';

const WS = join(FIXTURES, 'authoring');
let server: TestServer;
let n = 0;
const uri = () => pathToFileURL(join(WS, `cnp-scratch-${++n}.yaml`)).href;

before(async () => {
  server = await startTestServer(WS);
});
after(async () => {
  await server.stop();
});

const hoverText = (h: Awaited<ReturnType<TestServer['hover']>>) => (h ? (h.contents as MarkupContent).value : '');

let names = 0;
const cnpHead = (tier = 'Admin', priority = 10) => `apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata:\n  name: cnp-${++names}\nspec:\n  tier: ${tier}\n  priority: ${priority}\n`;

async function completeAt(src: string): Promise<string[]> {
  const { text, line, character } = withCursor(src);
  const u = uri();
  await server.open(u, text);
  return (await server.completion(u, line, character)).map((i) => i.label);
}

test('hover on a rule: the plain-English sentence (tier, priority, action, peers, subject, ports, what later tiers see)', async () => {
  const text = `${cnpHead('Admin', 10)}  subject:\n    pods:\n      namespaceSelector: {matchLabels: {team: data}}\n      podSelector: {matchLabels: {app: db}}\n  ingress:\n    - name: no-dev\n      action: Deny\n      from: [{namespaces: {matchLabels: {env: dev}}}]\n      protocols: [{tcp: {destinationPort: {number: 5432}}}]\n`;
  const u = uri();
  await server.open(u, text);
  const onAction = hoverText(await server.hover(u, 13, 10));
  assert.match(onAction, /Admin tier, priority 10: denies ingress from namespaces env=dev to pods app=db in namespaces team=data on TCP 5432; later tiers never see it/);
  const onKind = hoverText(await server.hover(u, 1, 2));
  assert.match(onKind, /\*\*ClusterNetworkPolicy cnp-\d+\*\* — Admin tier, priority 10/);
  assert.match(onKind, /No implicit isolation/);
  assert.match(onKind, /1\. `no-dev`: denies ingress/);
  // A subject/peer selector: what it selects in the workspace (the fixture has namespaces shop and web).
  const onPeer = hoverText(await server.hover(u, 14, 38));
  assert.match(onPeer, /\*\*namespaces\*\* `env=dev`/);
  assert.match(onPeer, /Namespaces selected in this workspace: _none_/);
  // Field documentation from the schema.
  const onTier = hoverText(await server.hover(u, 5, 3));
  assert.match(onTier, /`tier` \*\(string\)\* — one of `Admin`, `Baseline`/);
});

test('completion: spec keys, tier/action enums, peer fields, label keys of namespaces, named ports', async () => {
  const spec = await completeAt(`${cnpHead()}  <|>\n`);
  assert.ok(['subject', 'ingress', 'egress'].every((k) => spec.includes(k)), spec.join(','));
  const tier = await completeAt('apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: t}\nspec:\n  tier: <|>\n');
  assert.deepEqual(tier.sort(), ['Admin', 'Baseline']);
  const action = await completeAt(`${cnpHead()}  subject: {namespaces: {}}\n  egress:\n    - action: <|>\n`);
  assert.deepEqual(action.sort(), ['Accept', 'Deny', 'Pass']);
  const peer = await completeAt(`${cnpHead()}  subject: {namespaces: {}}\n  egress:\n    - action: Deny\n      to:\n        - <|>\n`);
  assert.deepEqual(peer.sort(), ['domainNames', 'namespaces', 'networks', 'nodes', 'pods']);
  const ingressPeer = await completeAt(`${cnpHead()}  subject: {namespaces: {}}\n  ingress:\n    - action: Deny\n      from:\n        - <|>\n`);
  assert.deepEqual(ingressPeer.sort(), ['namespaces', 'pods']);
  const nsKeys = await completeAt(`${cnpHead()}  subject:\n    namespaces:\n      matchLabels:\n        <|>\n`);
  assert.ok(nsKeys.includes('kubernetes.io/metadata.name'), nsKeys.join(','));
  const named = await completeAt(`${cnpHead()}  subject: {namespaces: {}}\n  ingress:\n    - action: Accept\n      from: [{namespaces: {}}]\n      protocols:\n        - destinationNamedPort: <|>\n`);
  assert.ok(named.length > 0, 'named ports of the workspace');
  const anpAction = await completeAt('apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec:\n  subject: {namespaces: {}}\n  ingress:\n    - action: <|>\n');
  assert.deepEqual(anpAction.sort(), ['Allow', 'Deny']);
});

test('diagnostics carry rule pages; the outline lists subject and named rules with their actions', async () => {
  const u = uri();
  const text = `${cnpHead()}  subject: {namespaces: {}}\n  ingress:\n    - name: allow-web\n      action: Accept\n      from: [{namespaces: {}}]\n      protocols: [{tcp: {}}]\n  egress:\n    - action: Pass\n      to: [{networks: [10.0.0.0/8]}]\n`;
  const d = await server.open(u, text);
  const e = d.find((x) => x.code === 'cnp-protocol-no-port');
  assert.ok(e, JSON.stringify(d.map((x) => x.code)));
  assert.match(e.codeDescription?.href ?? '', /docs\/rules\/cnp-protocol-no-port\.md$/);
  const fix = (await server.codeActions(u, [e])).find((a) => /range 1-65535/.test(a.title));
  assert.ok(fix, 'quick fix offered');
  const syms = await server.symbols(u);
  assert.equal(syms[0].kind, 11 /* Interface */);
  assert.match(syms[0].detail ?? '', /Admin tier · priority 10/);
  const ch = syms[0].children!.map((c) => `${c.name}${c.children?.length ? `[${c.children.map((r) => `${r.name}:${r.detail}`).join(',')}]` : ''}`);
  assert.deepEqual(ch, ['subject', 'ingress[allow-web:Accept]', 'egress[rule 1:Pass]']);
});

test('AdminNetworkPolicy: deprecated, and "Migrate to ClusterNetworkPolicy" replaces the document once proved', async () => {
  const u = uri();
  const text = `apiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata:\n  name: legacy-guard\nspec:\n  priority: 20\n  subject:\n    namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}\n  ingress:\n    - name: web-only\n      action: Allow\n      from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: web}}}]\n      ports: [{portNumber: {protocol: TCP, port: 8080}}]\n    - action: Deny\n      from: [{namespaces: {}}]\n`;
  const d = await server.open(u, text, 1);
  const dep = d.find((x) => x.code === 'anp-deprecated');
  assert.ok(dep, JSON.stringify(d.map((x) => x.code)));
  const actions = await server.codeActions(u, [dep]);
  const mig = actions.find((a) => a.title.startsWith('Migrate to ClusterNetworkPolicy'));
  assert.ok(mig, JSON.stringify(actions.map((a) => a.title)));
  assert.match(mig.title, /tier Admin, priority 20; proved: same verdicts for all \d+ endpoint pairs/);
  const fixed = applyWorkspaceEdit(mig.edit, u, text, 1);
  assert.ok(fixed.startsWith('apiVersion: v1\nkind: Namespace'), 'the other document is untouched');
  const migrated = parseDocument(fixed.slice(fixed.indexOf('---') + 4)).toJS() as { kind: string; spec: { tier: string; ingress: { action: string; protocols: unknown }[] } };
  assert.equal(migrated.kind, 'ClusterNetworkPolicy');
  assert.equal(migrated.spec.tier, 'Admin');
  assert.equal(migrated.spec.ingress[0].action, 'Accept');
  assert.deepEqual(migrated.spec.ingress[0].protocols, [{ tcp: { destinationPort: { number: 8080 } } }]);
  const after = await server.change(u, fixed, 2);
  assert.deepEqual(after.filter((x) => x.severity === 1).map((x) => x.code), []);
  assert.ok(!after.some((x) => x.code === 'anp-deprecated'));
});

test('the setting policyLens.kubernetes.ipBlockAppliesToPods re-runs the lints (ipBlock now matches pods by IP)', async () => {
  const u = uri();
  const text = `apiVersion: v1\nkind: Pod\nmetadata: {name: s-1, namespace: split, labels: {app: s}, ownerReferences: [{kind: ReplicaSet, name: s, controller: true}]}\nstatus: {podIP: 10.7.0.1}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: s-2, namespace: split, labels: {app: s}, ownerReferences: [{kind: ReplicaSet, name: s, controller: true}]}\nstatus: {podIP: 10.8.0.1}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: blk, namespace: split}\nspec:\n  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 10.7.0.0/16}}]}]\n`;
  const d = await server.open(u, text);
  assert.ok(!d.some((x) => x.code === 'pod-ips-split'), 'external-only by default');
  const next = server.nextDiagnostics(u);
  await server.client.sendNotification('workspace/didChangeConfiguration', { settings: { policyLens: { kubernetes: { ipBlockAppliesToPods: true } } } });
  const after = await next;
  assert.ok(after.some((x) => x.code === 'pod-ips-split'), JSON.stringify(after.map((x) => x.code)));
  const back = server.nextDiagnostics(u);
  await server.client.sendNotification('workspace/didChangeConfiguration', { settings: { policyLens: { kubernetes: { ipBlockAppliesToPods: false } } } });
  assert.ok(!(await back).some((x) => x.code === 'pod-ips-split'));
});
