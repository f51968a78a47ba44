// Kubernetes name and label formats (server/src/core/k8s-names.ts) and the NetworkPolicy lints built on them
// (np-name-invalid, np-label-invalid). Sources: object names —
// https://kubernetes.io/docs/concepts/overview/working-with-objects/names/ (DNS subdomain names, RFC 1123 label names);
// labels — https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set; label
// selectors are validated by the API server (LabelSelectorRequirement: key a qualified name, In/NotIn values label
// values), https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/label-selector/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dns1123LabelProblem, dns1123SubdomainProblem, labelKeyProblem, labelValueProblem } from '../../server/src/core/k8s-names';
import { LintProject } from '../../server/src/core/lint/project';

test('label keys: optional DNS-subdomain prefix, a 1-63 character name starting and ending alphanumeric', () => {
  for (const ok of ['app', 'app.kubernetes.io/name', 'kubernetes.io/metadata.name', 'a_b.c-d', 'A1']) assert.equal(labelKeyProblem(ok), undefined, ok);
  for (const bad of ['', 'a b', '-app', 'app-', 'tier/', '/app', 'Upper.Case/app', 'a/b/c', 'x'.repeat(64)]) assert.ok(labelKeyProblem(bad), bad);
});

test('label values: empty, or at most 63 characters starting and ending alphanumeric', () => {
  for (const ok of ['', 'web', 'v1.2_3-x', 'A', '1']) assert.equal(labelValueProblem(ok), undefined, ok);
  for (const bad of ['web server', '-web', 'web.', 'x'.repeat(64), 'bad!']) assert.ok(labelValueProblem(bad), bad);
});

test('names: DNS-1123 label for namespaces, DNS-1123 subdomain for object names', () => {
  assert.equal(dns1123LabelProblem('shop-front'), undefined);
  for (const bad of ['Shop', 'shop.front', 'shop_front', '-shop', 'x'.repeat(64), '']) assert.ok(dns1123LabelProblem(bad), bad);
  assert.equal(dns1123SubdomainProblem('allow.web-1'), undefined);
  for (const bad of ['Allow_Web', 'allow..web', 'allow-', '']) assert.ok(dns1123SubdomainProblem(bad), bad);
});

test('a NetworkPolicy with an invalid name, namespace, labels or selector labels gets errors on those values', () => {
  const text = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: Allow_Web, namespace: "Shop Front", labels: {"a b": x}}
spec:
  podSelector: {matchLabels: {app: "web server", ok: "1"}, matchExpressions: [{key: "tier/", operator: In, values: [front, "bad value!"]}, {key: zone, operator: Exists}]}
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}, podSelector: {matchLabels: {role: "x y"}}}]}]
`;
  const p = new LintProject();
  p.setFile('p.yaml', text);
  const got = (p.result().findings.get('p.yaml') ?? [])
    .filter((f) => f.code === 'np-name-invalid' || f.code === 'np-label-invalid')
    .map((f) => `${f.code} ${f.severity} ${text.slice(f.range.startOffset, f.range.endOffset)}`);
  assert.deepEqual(got, [
    'np-name-invalid error Allow_Web',
    'np-name-invalid error "Shop Front"',
    'np-label-invalid error "a b"',
    'np-label-invalid error "web server"',
    'np-label-invalid error "tier/"',
    'np-label-invalid error "bad value!"',
    'np-label-invalid error "x y"',
  ]);
});

test('valid names and labels get no finding', () => {
  const p = new LintProject();
  p.setFile('p.yaml', `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-web, namespace: shop, labels: {app.kubernetes.io/part-of: shop}}
spec:
  podSelector: {matchLabels: {app: web, version: "1.2"}, matchExpressions: [{key: tier, operator: NotIn, values: [db, ""]}]}
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}]}]
`);
  assert.deepEqual((p.result().findings.get('p.yaml') ?? []).filter((f) => f.code === 'np-name-invalid' || f.code === 'np-label-invalid'), []);
});
