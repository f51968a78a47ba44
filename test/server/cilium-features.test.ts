// The editor features for CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy over LSP (in-memory streams), in
// the fixture workspace test/server/fixtures/cilium (the examples/cilium cluster: cilium-config, namespaces
// frontend/backend, workloads web/api/db/coredns): diagnostics and quick fixes, hover, completion of entities and
// identity labels, outline, and the policyLens.cni setting over workspace/didChangeConfiguration.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MarkupContent } from 'vscode-languageserver';
import { applyWorkspaceEdit, FIXTURES, startTestServer, withCursor, type TestServer } from './harness';

const WS = join(FIXTURES, 'cilium');
let server: TestServer;
let n = 0;
const uri = () => pathToFileURL(join(WS, `scratch-${++n}.yaml`)).href;

before(async () => {
  server = await startTestServer(WS);
});
after(async () => {
  await server.stop();
});

const head = (name: string, ns = 'backend') => `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n`;

async function hoverAt(src: string): Promise<string> {
  const { text, line, character } = withCursor(src);
  const u = uri();
  await server.open(u, text);
  const h = await server.hover(u, line, character);
  return h ? (h.contents as MarkupContent).value : '';
}

async function completeAt(src: string): Promise<string[]> {
  const { text, line, character } = withCursor(src);
  const u = uri();
  await server.open(u, text);
  return (await server.completion(u, line, character)).map((i) => i.label);
}

test('diagnostics: an unquoted port (error) and an empty peer list (warning), each with a quick fix that applies', async () => {
  const u = uri();
  const text = `${head('h1')}  endpointSelector:\n    matchLabels: {app: api}\n  ingress:\n    - fromEndpoints: []\n      toPorts:\n        - ports:\n            - port: 9000\n              protocol: TCP\n`;
  const diags = await server.open(u, text);
  const codes = diags.map((d) => `${d.code}@${d.range.start.line}`).sort();
  assert.deepEqual(codes, ['cilium-empty-peer-list@9', 'cilium-field-value@12']);
  for (const d of diags) {
    const actions = await server.codeActions(u, [d]);
    assert.ok(actions.length >= 1, `a quick fix for ${d.code}`);
    const out = applyWorkspaceEdit(actions[0].edit, u, text, 1);
    assert.ok(d.code === 'cilium-field-value' ? out.includes('port: "9000"') : out.includes('fromEndpoints: [{}]'), out);
  }
});

test('hover: the policy header says what it selects and its default-deny / deny-precedence effect', async () => {
  const v = await hoverAt(`${head('api<|>-in')}  endpointSelector:\n    matchLabels: {app: api}\n  ingress:\n    - fromEndpoints: [{matchLabels: {app: web}}]\n  egressDeny:\n    - toEntities: [world]\n`);
  assert.match(v, /\*\*CiliumNetworkPolicy backend\/api-in\*\*/);
  assert.match(v, /default-deny for ingress/);
  assert.match(v, /evaluated first: they win over any allow rule/);
  assert.match(v, /Applies to 1 workload in this workspace: `backend\/api`/);
});

test('hover: a rule in words, with the L7 note; an entity; a peer selector with the namespace Cilium adds', async () => {
  const rule = await hoverAt(`${head('r1')}  endpointSelector:\n    matchLabels: {app: api}\n  ingress:\n    - from<|>Endpoints: [{matchLabels: {app: web}}]\n      toPorts:\n        - ports: [{port: "9000", protocol: TCP}]\n          rules: {http: [{method: GET}]}\n`);
  assert.match(rule, /Allows TCP 9000 from endpoints matching `app=web` in namespace backend/);
  assert.match(rule, /L7 HTTP rules apply at the proxy/);
  const ent = await hoverAt(`${head('r2')}  endpointSelector: {}\n  egress:\n    - toEntities: [kube-api<|>server]\n`);
  assert.match(ent, /entity `kube-apiserver`/);
  assert.match(ent, /not an endpoint of the reachability/i);
  const sel = await hoverAt(`${head('r3')}  endpointSelector: {}\n  ingress:\n    - fromEndpoints:\n        - matchLabels:\n            app: w<|>eb\n`);
  assert.match(sel, /in namespace backend/);
  assert.match(sel, /Selects 0 workloads/);
  const cross = await hoverAt(`${head('r4')}  endpointSelector: {}\n  ingress:\n    - fromEndpoints:\n        - matchLabels:\n            k8s:io.kubernetes.pod.namespace: frontend\n            app: w<|>eb\n`);
  assert.match(cross, /Selects 1 workload in this workspace: `frontend\/web`/);
});

test('completion: entities, identity label keys and their values', async () => {
  const ents = await completeAt(`${head('c1')}  endpointSelector: {}\n  egress:\n    - toEntities:\n        - <|>\n`);
  for (const e of ['world', 'cluster', 'kube-apiserver', 'host', 'all']) assert.ok(ents.includes(e), ents.join(','));
  const flow = await completeAt(`${head('c2')}  endpointSelector: {}\n  egress:\n    - toEntities: [wo<|>\n`);
  assert.ok(flow.includes('world-ipv4'));
  const keys = await completeAt(`${head('c3')}  endpointSelector: {}\n  ingress:\n    - fromEndpoints:\n        - matchLabels:\n            <|>\n`);
  for (const k of ['app', 'k8s:io.kubernetes.pod.namespace', 'io.cilium.k8s.policy.serviceaccount', 'io.cilium.k8s.namespace.labels.tier']) assert.ok(keys.includes(k), keys.join(','));
  const ns = await completeAt(`${head('c4')}  endpointSelector: {}\n  ingress:\n    - fromEndpoints:\n        - matchLabels:\n            k8s:io.kubernetes.pod.namespace: <|>\n`);
  assert.ok(ns.includes('frontend') && ns.includes('kube-system'), ns.join(','));
  const sa = await completeAt(`${head('c5')}  endpointSelector: {}\n  ingress:\n    - fromEndpoints:\n        - matchLabels:\n            io.cilium.k8s.policy.serviceaccount: <|>\n`);
  assert.ok(sa.includes('api'), sa.join(','));
  const top = await completeAt(`${head('c6')}  endpointSelector: {}\n  <|>\n`);
  for (const k of ['ingressDeny', 'egressDeny', 'enableDefaultDeny']) assert.ok(top.includes(k), top.join(','));
});

test('outline: rule lists (deny lists first) with their rules', async () => {
  const u = uri();
  await server.open(u, `${head('o1')}  endpointSelector: {}\n  ingress:\n    - fromEntities: [cluster]\n  egressDeny:\n    - toEntities: [world]\n`);
  const syms = await server.symbols(u);
  assert.equal(syms[0].name, 'CiliumNetworkPolicy backend/o1');
  assert.deepEqual(syms[0].children?.map((c) => c.name), ['endpointSelector', 'egressDeny', 'ingress']);
  assert.match(syms[0].children?.[1].children?.[0].detail ?? '', /deny · toEntities/);
});

test('setting policyLens.cni: kubernetes makes the Cilium policy ignored (cni-kind-ignored); auto brings it back', async () => {
  const u = uri();
  const text = `${head('s1')}  endpointSelector: {}\n  ingress: [{}]\n`;
  const d0 = await server.open(u, text);
  assert.ok(!d0.some((d) => d.code === 'cni-kind-ignored'));
  const next = server.nextDiagnostics(u);
  await server.client.sendNotification('workspace/didChangeConfiguration', { settings: { policyLens: { cni: 'kubernetes' } } });
  const d1 = await next;
  assert.ok(d1.some((d) => d.code === 'cni-kind-ignored'), JSON.stringify(d1.map((d) => d.code)));
  const back = server.nextDiagnostics(u);
  await server.client.sendNotification('workspace/didChangeConfiguration', { settings: { policyLens: { cni: 'auto' } } });
  assert.ok(!(await back).some((d) => d.code === 'cni-kind-ignored'));
});
