// Cilium policies: what the API server / agent rejects (parse.ts), the authoring lints (lint.ts) and their quick
// fixes, through the lint project the language server and `policy-lens check` use.
// Sources: cilium/cilium pkg/policy/api rule_validation.go (Rule.Sanitize, "combining X and Y is not supported
// yet", "the ICMPs block may only be present without ToPorts", "port must be specified", DNS rules not on ingress),
// the CiliumNetworkPolicy CRD (port is a string: grafana/loki#19251), ingress.go (empty FromEndpoints selects
// nothing), docs.cilium.io "DNS based" (toFQDNs needs a DNS rule), "IP/CIDR based" (CIDR rules never match pods),
// "Deny Policies", "Policy Enforcement Modes" (enableDefaultDeny), "Using Kubernetes Constructs in Policy"
// (endpointSelector namespace), pkg/labelsfilter (identity-relevant labels).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from 'yaml';
import { LintProject } from '../../server/src/core/lint/project';
import { applyEdits, computeFix } from '../../server/src/core/lint/fixes';
import type { AnalyzeOptions } from '../../server/src/core/analysis';

const pods = `apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: c, image: x}]}
status: {podIP: 10.0.1.5}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: x}]}
---
`;

function project(yaml: string, opts: AnalyzeOptions = {}): { p: LintProject; findings: { code: string; line: number; message: string; fix?: unknown; start: number }[] } {
  const p = new LintProject({ analyzeOptions: opts });
  p.setFile('w.yaml', pods);
  p.setFile('p.yaml', yaml);
  const findings = (p.result().findings.get('p.yaml') ?? []).map((f) => ({ code: f.code, line: f.range.start.line, message: f.message, fix: f.fix, start: f.range.startOffset }));
  return { p, findings };
}

function codes(yaml: string, opts?: AnalyzeOptions): string[] {
  return project(yaml, opts).findings.map((f) => `${f.code}@${f.line}`);
}

/** Applies the first quick fix offered for `code` and returns the new text. */
function fixed(yaml: string, code: string): string {
  const { p, findings } = project(yaml);
  const f = findings.find((x) => x.code === code);
  assert.ok(f?.fix, `a fix for ${code}`);
  const chunk = p.chunkAt('p.yaml', f.start)!;
  const actions = computeFix(chunk.entry.parsed, f.fix as never, f.start - chunk.startOffset);
  assert.ok(actions.length > 0, `fix computed for ${code}`);
  const out = applyEdits(chunk.entry.parsed.text, actions[0].edits);
  assert.equal(parseDocument(out).errors.length, 0);
  return out;
}

const cnp = (spec: string, name = 'p') => `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: ${name}, namespace: shop}\nspec:\n${spec}`;

test('cilium-field-value: an unquoted port is rejected by the API server (CRD string); the quick fix quotes it', () => {
  const y = cnp('  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports:\n      - port: 8080\n        protocol: TCP\n');
  assert.deepEqual(codes(y), ['cilium-field-value@8']);
  assert.match(fixed(y, 'cilium-field-value'), /port: "8080"/);
});

test('cilium-policy-rejected: combined peer kinds, icmps with toPorts, no selector, no rules, missing port, DNS on ingress', () => {
  assert.deepEqual(codes(cnp('  endpointSelector: {}\n  egress:\n  - toEndpoints: [{}]\n    toCIDR: [10.0.0.0/8]\n')), ['cilium-policy-rejected@6']);
  assert.deepEqual(codes(cnp('  endpointSelector: {}\n  ingress:\n  - icmps: [{fields: [{type: 8}]}]\n    toPorts: [{ports: [{port: "80"}]}]\n')), ['cilium-policy-rejected@6']);
  assert.deepEqual(codes(cnp('  ingress: [{}]\n')), ['cilium-policy-rejected@4']);
  assert.deepEqual(codes(cnp('  endpointSelector: {}\n')), ['cilium-policy-rejected@4']);
  assert.deepEqual(codes(cnp('  endpointSelector: {}\n  ingress:\n  - toPorts: [{ports: [{protocol: TCP}]}]\n')), ['cilium-policy-rejected@6']);
  assert.deepEqual(codes(cnp('  endpointSelector: {}\n  ingress:\n  - toPorts: [{ports: [{port: "53", protocol: UDP}], rules: {dns: [{matchPattern: "*"}]}}]\n')), ['cilium-policy-rejected@6']);
  // A rejected policy has no effect: nothing is isolated.
  const { p } = project(cnp('  endpointSelector: {}\n  egress:\n  - toEndpoints: [{}]\n    toCIDR: [10.0.0.0/8]\n'));
  assert.equal(p.result().facts.analysis().isolated('shop/api', 'Egress'), false);
});

test('cilium-field-value: unknown entity, bad CIDR, ICMP protocol in toPorts, bad operator', () => {
  assert.deepEqual(codes(cnp('  endpointSelector: {}\n  egress:\n  - toEntities: [internet]\n')), ['cilium-field-value@6']);
  assert.deepEqual(codes(cnp('  endpointSelector: {}\n  egress:\n  - toCIDR: [10.0.0.0/33]\n')), ['cilium-field-value@6']);
  assert.deepEqual(codes(cnp('  endpointSelector: {}\n  egress:\n  - toPorts: [{ports: [{port: "0", protocol: ICMP}]}]\n')), ['cilium-field-value@6']);
  assert.deepEqual(codes(cnp('  endpointSelector: {matchExpressions: [{key: app, operator: Has}]}\n  ingress: [{}]\n')), ['cilium-field-value@4']);
});

test('cilium-unknown-field: typos with a rename quick fix', () => {
  const y = cnp('  endpointSelector: {}\n  ingress:\n  - fromEndpoint: [{}]\n');
  const c = codes(y);
  assert.ok(c.includes('cilium-unknown-field@6'), c.join(','));
  assert.match(fixed(y, 'cilium-unknown-field'), /- fromEndpoints: \[\{\}\]/);
});

test('cilium-empty-peer-list: `fromEndpoints: []` selects nothing; the fix selects every endpoint', () => {
  const y = cnp('  endpointSelector: {}\n  ingress:\n  - fromEndpoints: []\n');
  assert.deepEqual(codes(y), ['cilium-empty-peer-list@6']);
  assert.match(fixed(y, 'cilium-empty-peer-list'), /fromEndpoints: \[\{\}\]/);
});

test('cilium-default-deny-disabled: `ingress: [{}]` with enableDefaultDeny.ingress false does nothing; the fix removes the false', () => {
  const y = cnp('  endpointSelector: {}\n  enableDefaultDeny:\n    ingress: false\n  ingress:\n  - {}\n');
  assert.deepEqual(codes(y), ['cilium-default-deny-disabled@6']);
  const out = fixed(y, 'cilium-default-deny-disabled');
  assert.ok(!/enableDefaultDeny/.test(out), out);
  // A broad allow policy with default deny off is the intended use: no finding.
  assert.deepEqual(codes(cnp('  endpointSelector: {}\n  enableDefaultDeny: {ingress: false}\n  ingress:\n  - fromEntities: [cluster]\n')), []);
});

test('cilium-fqdn-without-dns: toFQDNs needs a DNS rule for the same pods; the fix adds one', () => {
  const y = cnp('  endpointSelector: {matchLabels: {app: api}}\n  egress:\n  - toFQDNs: [{matchName: api.example.com}]\n    toPorts: [{ports: [{port: "443", protocol: TCP}]}]\n');
  assert.deepEqual(codes(y), ['cilium-fqdn-without-dns@6']);
  const out = fixed(y, 'cilium-fqdn-without-dns');
  assert.match(out, /rules:\n\s+dns:/);
  assert.deepEqual(codes(out), []);
  // A DNS rule in another policy selecting the same pods is enough.
  const dns = `---\n${cnp('  endpointSelector: {}\n  egress:\n  - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system}}]\n    toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*"}]}}]\n', 'dns')}`;
  assert.deepEqual(codes(y + dns), []);
});

test('cilium-cidr-matches-pods: a CIDR covering the pod CIDR of cilium-config never matches the pods', () => {
  assert.deepEqual(codes(cnp('  endpointSelector: {}\n  egress:\n  - toCIDR: [192.0.2.0/24]\n')), []);
  const cfg = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cilium-config, namespace: kube-system}\ndata: {cluster-pool-ipv4-cidr: 172.16.0.0/12}\n---\n`;
  assert.deepEqual(codes(cfg + cnp('  endpointSelector: {}\n  egress:\n  - toCIDRSet: [{cidr: 172.20.0.0/16}]\n')).filter((c) => c.startsWith('cilium-cidr')), ['cilium-cidr-matches-pods@11']);
  // A CIDR containing a pod's status.podIP (shop/api has 10.0.1.5).
  const f = project(cnp('  endpointSelector: {}\n  egress:\n  - toCIDR: [10.0.1.0/24]\n')).findings.filter((x) => x.code === 'cilium-cidr-matches-pods');
  assert.equal(f.length, 1);
  assert.match(f[0].message, /shop\/api/);
});

test('cilium-deny-shadows-allow: the engine finds allow rules every flow of which a deny rule takes first', () => {
  const y = cnp('  endpointSelector: {matchLabels: {app: api}}\n  ingress:\n  - fromEndpoints: [{matchLabels: {app: web}}]\n    toPorts: [{ports: [{port: "80", protocol: TCP}]}]\n  ingressDeny:\n  - fromEndpoints: [{matchLabels: {app: web}}]\n');
  const f = project(y).findings.filter((x) => x.code === 'cilium-deny-shadows-allow');
  assert.equal(f.length, 1);
  assert.equal(f[0].line, 6);
  assert.match(f[0].message, /shop\/p ingressDeny rule 1/);
  // A deny on another port leaves the allow rule alive.
  assert.deepEqual(codes(y.replace('  ingressDeny:\n  - fromEndpoints: [{matchLabels: {app: web}}]\n', '  ingressDeny:\n  - fromEndpoints: [{matchLabels: {app: web}}]\n    toPorts: [{ports: [{port: "443", protocol: TCP}]}]\n')), []);
});

test('cilium-endpoint-selector-namespace and cilium-label-not-in-identity', () => {
  assert.deepEqual(codes(cnp("  endpointSelector: {matchLabels: {'k8s:io.kubernetes.pod.namespace': web, app: api}}\n  ingress: [{}]\n")), ['cilium-endpoint-selector-namespace@4']);
  assert.deepEqual(codes(cnp('  endpointSelector: {matchLabels: {pod-template-hash: abc}}\n  ingress: [{}]\n')), ['cilium-label-not-in-identity@4']);
  // NotIn / DoesNotExist on such a label always hold: not reported.
  assert.deepEqual(codes(cnp('  endpointSelector: {matchExpressions: [{key: pod-template-hash, operator: DoesNotExist}]}\n  ingress: [{}]\n')), []);
});

test('cilium-not-modelled: host policies, toServices, host entity, missing CIDR group', () => {
  const ccnp = `apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: host}\nspec:\n  nodeSelector: {}\n  ingress: [{fromEntities: [cluster]}]\n`;
  assert.deepEqual(codes(ccnp), ['cilium-not-modelled@4']);
  assert.deepEqual(codes(cnp('  endpointSelector: {}\n  egress:\n  - toServices: [{k8sService: {serviceName: db, namespace: shop}}]\n  - toEntities: [host]\n  - toCIDRSet: [{cidrGroupRef: partners}]\n')), ['cilium-not-modelled@6', 'cilium-not-modelled@7', 'cilium-not-modelled@8']);
});

test('cni-kind-ignored: a CiliumNetworkPolicy where the CNI is Calico or plain Kubernetes; Calico objects under Cilium', () => {
  const y = cnp('  endpointSelector: {}\n  ingress: [{}]\n');
  assert.deepEqual(codes(y), []);
  assert.deepEqual(codes(y, { cni: 'calico' }), ['cni-kind-ignored@2']);
  const gnp = `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: g}\nspec:\n  selector: all()\n  types: [Ingress]\n`;
  assert.ok(codes(gnp, { cni: 'cilium' }).includes('cni-kind-ignored@2'));
  // Auto-detection with both kinds present picks Calico and says the Cilium policy is ignored.
  assert.ok(codes(`${y}---\n${gnp}`).includes('cni-kind-ignored@2'));
  // Under Cilium: ClusterNetworkPolicy without enable-k8s-cluster-network-policy, and AdminNetworkPolicy always
  // (field notes §1.5: Cilium 1.20, opt-in flag, cilium PR #47227).
  const cp = `apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: c}\nspec:\n  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  ingress: [{action: Deny, from: [{namespaces: {}}]}]\n`;
  const anp = `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: a}\nspec:\n  priority: 1\n  subject: {namespaces: {}}\n  ingress: [{action: Deny, from: [{namespaces: {}}]}]\n`;
  const ignored = (yaml: string, opts: AnalyzeOptions) => project(yaml, opts).findings.filter((x) => x.code === 'cni-kind-ignored').map((x) => x.message);
  assert.match(ignored(cp, { cni: 'cilium' }).join(), /only with `enable-k8s-cluster-network-policy/);
  assert.deepEqual(ignored(cp, { cni: 'cilium', cilium: { clusterNetworkPolicy: true } }), []);
  assert.deepEqual(ignored(cp, {}), []);
  assert.match(ignored(anp, { cni: 'cilium', cilium: { clusterNetworkPolicy: true } }).join(), /does not implement the deprecated AdminNetworkPolicy/);
});

test('every cilium-* and cni-* code has a rule page and an entry in the rules index', async () => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { repoRoot } = await import('../helpers/paths');
  const root = repoRoot();
  const src = ['parse.ts', 'lint.ts'].map((f) => fs.readFileSync(path.join(root, 'server/src/core/dialects/cilium', f), 'utf8')).join('\n');
  const found = new Set([...src.matchAll(/'((?:cilium|cni)-[a-z-]+)'/g)].map((m) => m[1]).filter((c) => !['cilium-select-all', 'cilium-add-dns'].includes(c)));
  const index = fs.readFileSync(path.join(root, 'docs/rules/README.md'), 'utf8');
  assert.ok(found.size >= 12, [...found].join(','));
  for (const code of found) {
    assert.ok(fs.existsSync(path.join(root, 'docs/rules', `${code}.md`)), `docs/rules/${code}.md`);
    assert.ok(index.includes(`[${code}](${code}.md)`), `README entry for ${code}`);
  }
});

// Field notes §1.2/§1.5: Calico 3.32 fails `nodes`/`domainNames` ClusterNetworkPolicy rules closed; the lint follows
// the CNI the workspace is evaluated as (the setting), not only the presence of Calico resources.
test('cnp-calico-unsupported-peer follows the chosen CNI', () => {
  const cp = `apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: c}\nspec:\n  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  egress: [{action: Accept, to: [{domainNames: [api.example.com]}]}]\n`;
  const has = (opts: AnalyzeOptions) => project(cp, opts).findings.some((x) => x.code === 'cnp-calico-unsupported-peer');
  assert.equal(has({}), false);
  assert.equal(has({ cni: 'calico' }), true);
  assert.equal(has({ cni: 'cilium', cilium: { clusterNetworkPolicy: true } }), false);
});
