// "How do I allow / block this?" for ClusterNetworkPolicy (core/dialects/admin/suggest.ts). Every proposal is
// checked independently (test/helpers/suggest-check.ts: the edit applies, parses, and changes exactly what it
// promises) and the edited files are parsed and linted again. Semantics the proposals rely on
// (kubernetes-sigs/network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go [T], site-src/api-overview.md [O];
// summarised in /work/shared/notes/field-2026-11.md §1):
// * [T] tiers: Admin -> NetworkPolicy -> Baseline -> default allow; within a tier "lower value means higher
//   precedence" (spec.priority 0..1000, equal priorities have no defined order); "rules are evaluated in written
//   order. The first rule has the highest precedence"; the first matching rule decides.
// * [T] Accept accepts for its direction, Deny drops, Pass skips the rest of the tier (Admin Pass -> NetworkPolicy).
// * [O] "there will not be any implicit isolation effects for the Pods selected" by a CNP.
// * [T] ingress peers are namespaces | pods; egress peers add networks (CIDRs); protocols are
//   tcp|udp|sctp {destinationPort: {number} | {range}} or destinationNamedPort.
// * v1alpha1 AdminNetworkPolicy / BaselineAdminNetworkPolicy are deprecated (Calico 3.32 removed them; field notes
//   §1.3): Policy Lens never edits them and says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, parseFiles, type InputFile } from '../../server/src/core/index';
import { suggest, type SuggestRequest } from '../../server/src/core/suggest/index';
import { lintClusterPolicies } from '../../server/src/core/dialects/admin/lint';
import { repoRoot } from '../helpers/paths';
import { applyProposal, assertVerified } from '../helpers/suggest-check';

const EXAMPLE = join(repoRoot(), 'examples', 'cluster-policy');

function load(dir: string): InputFile[] {
  return readdirSync(dir)
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()
    .map((n) => ({ path: join(dir, n), text: readFileSync(join(dir, n), 'utf8') }));
}

/** Parse diagnostics and ClusterNetworkPolicy lints of the files, as `code` strings (sorted). */
function diagnostics(files: InputFile[]): string[] {
  const cluster = parseFiles(files);
  const lints = lintClusterPolicies(cluster, { analysis: () => analyze(cluster) });
  return [...cluster.diagnostics.map((d) => d.code), ...lints.map((d) => d.code)].sort();
}

function run(files: InputFile[], request: SuggestRequest) {
  const before = analyze(parseFiles(files));
  const r = suggest({ files, request, analysis: before });
  const diags = diagnostics(files);
  for (const p of r.proposals) {
    assertVerified(files, before, r, p, request.src, request.dst);
    // The edited files re-parse and lint without any new diagnostic (not only errors; one may go away).
    const after = diagnostics(applyProposal(files, p.edits));
    // The one exception: an Admin-tier decision over a NetworkPolicy (info `cnp-overrides-networkpolicy`), which such
    // a proposal states in its title.
    const overrides = /is not consulted for it/.test(p.title);
    for (const code of new Set(after)) {
      if (overrides && code === 'cnp-overrides-networkpolicy') continue;
      assert.ok(after.filter((c) => c === code).length <= diags.filter((c) => c === code).length, `new ${code} after "${p.title}"`);
    }
  }
  return r;
}

/** The ClusterNetworkPolicy `name` of the files after a proposal. */
function cnp(files: InputFile[], name: string) {
  const c = parseFiles(files).clusterPolicies ?? [];
  const p = c.find((x) => x.kind === 'ClusterNetworkPolicy' && x.name === name);
  assert.ok(p, `no ClusterNetworkPolicy ${name}`);
  return p;
}

const WORLD = `apiVersion: v1
kind: Namespace
metadata: {name: dev, labels: {env: dev}}
---
apiVersion: v1
kind: Namespace
metadata: {name: prod, labels: {env: prod}}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: dev, labels: {app: a}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: prod, labels: {app: b}}
spec: {containers: [{name: c, image: x, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: c, namespace: prod, labels: {app: c}}
spec: {containers: [{name: c, image: x, ports: [{containerPort: 80}]}]}
`;

test('[T] example: toolbox -> web, denied by the Baseline CNP rule, gets a verified exact proposal: a CNP ordered before it', () => {
  const files = load(EXAMPLE);
  const r = run(files, { src: 'sandbox/toolbox', dst: 'storefront/web' });
  assert.equal(r.mode, 'allow');
  // Without a port: the destination's declared container ports (http 8080, metrics 9100).
  assert.deepEqual(r.requested, { TCP: [[8080, 8080], [9100, 9100]] });
  assert.ok(r.proposals.length >= 2, JSON.stringify(r.notes));
  const p = r.proposals[0];
  assert.ok(p.exact, p.title);
  assert.deepEqual(p.kinds, ['new-policy']);
  assert.deepEqual(p.dialects, ['cnp']);
  assert.deepEqual(p.effect.added, [{ src: 'sandbox/toolbox', dst: 'storefront/web', protocols: { TCP: [[8080, 8080], [9100, 9100]] }, requested: true }]);
  assert.deepEqual(p.effect.removed, []);
  assert.match(p.title, /^Add ClusterNetworkPolicy accept-toolbox-to-web to the Baseline tier with priority 99 \(before baseline-no-dev-ingress\)/);
  // [T] priority 99 < 100: evaluated before the denying Baseline policy; its subject is exactly storefront/web.
  const after = applyProposal(files, p.edits);
  const np = cnp(after, 'accept-toolbox-to-web');
  assert.equal(np.tier, 'Baseline');
  assert.equal(np.priority, 99);
  assert.deepEqual(np.subject.namespaceSelector?.matchLabels, { 'kubernetes.io/metadata.name': 'storefront' });
  assert.deepEqual(np.subject.podSelector?.matchLabels, { app: 'web' });
  assert.equal(np.ingress[0].action, 'Accept');
  assert.deepEqual(np.ingress[0].ports?.map((x) => [x.protocol, x.start, x.end]), [['TCP', 8080, 8080], ['TCP', 9100, 9100]]);
  // The document follows the file's flow style for small mappings.
  assert.match(p.edits[0].edits[0].newText, /\n {6}podSelector: \{matchLabels: \{app: web\}\}\n/);
  assert.match(p.edits[0].edits[0].newText, /\n {8}- tcp: \{destinationPort: \{number: 8080\}\}\n/);
});

test('[T] example: the Accept rule inserted before the deciding Deny rule of the same policy lists what else it allows', () => {
  const files = load(EXAMPLE);
  const r = run(files, { src: 'sandbox/toolbox', dst: 'storefront/web' });
  const p = r.proposals.find((x) => x.kinds[0] === 'insert-rule' && x.dialects[0] === 'cnp');
  assert.ok(p, r.proposals.map((x) => x.title).join('\n'));
  assert.equal(p.exact, false);
  assert.match(p.title, /^Insert an ingress rule into ClusterNetworkPolicy baseline-no-dev-ingress before its Deny ingress rule 1 \(dev-namespaces-stay-out\) accepting TCP 8080, 9100 from sandbox\/toolbox \(also allows /);
  // [O] no implicit isolation and subject `namespaces: {}`: the rule applies to every pod that no NetworkPolicy
  // isolates (payments/api and payments/db are; kube-system/coredns and platform/prometheus are not).
  const extra = p.effect.added.filter((x) => !x.requested).map((x) => x.dst).sort();
  assert.deepEqual(extra, ['kube-system/coredns', 'platform/prometheus']);
  // [T] first match in written order: the new Accept is rule 1, the Deny rule 2.
  const np = cnp(applyProposal(files, p.edits), 'baseline-no-dev-ingress');
  assert.deepEqual(np.ingress.map((x) => [x.name, x.action]), [['accept-toolbox-to-web', 'Accept'], ['dev-namespaces-stay-out', 'Deny']]);
  assert.equal(np.ingress[0].peers[0].kind, 'pods');
});

test('[T] example: blocking what an Admin Accept rule decides: a Deny before it, or a CNP ordered before the policy', () => {
  const files = load(EXAMPLE);
  // allow-monitoring (Admin, priority 5) accepts the named port metrics (TCP 9100 on storefront/web) from prometheus.
  const r = run(files, { src: 'platform/prometheus', dst: 'storefront/web', port: 9100 });
  assert.equal(r.mode, 'block');
  const titles = r.proposals.map((x) => x.title).join('\n');
  const np = r.proposals.find((x) => x.kinds[0] === 'new-policy' && x.dialects[0] === 'cnp');
  assert.ok(np && np.exact, titles);
  assert.match(np.title, /^Add ClusterNetworkPolicy deny-prometheus-to-web to the Admin tier with priority 4 \(before allow-monitoring\) denying TCP 9100 from platform\/prometheus to storefront\/web$/);
  assert.deepEqual(np.effect.removed, [{ src: 'platform/prometheus', dst: 'storefront/web', protocols: { TCP: [[9100, 9100]] }, requested: true }]);
  const ins = r.proposals.find((x) => x.kinds[0] === 'insert-rule' && x.dialects[0] === 'cnp');
  assert.ok(ins, titles);
  assert.match(ins.title, /^Insert an ingress rule into ClusterNetworkPolicy allow-monitoring before its Accept ingress rule 1 \(prometheus-scrapes-metrics\) denying TCP 9100 from platform\/prometheus \(also blocks /);
  const edited = cnp(applyProposal(files, ins.edits), 'allow-monitoring');
  assert.deepEqual(edited.ingress.map((x) => x.action), ['Deny', 'Accept']);
  // Only one rule: it is never removed (the list would become empty); the named port entry is the whole list.
  assert.ok(!r.proposals.some((x) => x.kinds.includes('remove-rule') && x.dialects.includes('cnp')), titles);
});

test('[T] block: narrowing the accepting rule (remove the matching peer; remove the port from its protocols)', () => {
  const policy = `---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata:
  name: admin-accepts
spec:
  tier: Admin
  priority: 10
  subject:
    namespaces:
      matchLabels:
        env: prod
  ingress:
    - name: from-dev
      action: Accept
      from:
        - pods:
            namespaceSelector:
              matchLabels:
                env: dev
            podSelector:
              matchLabels:
                app: a
        - namespaces:
            matchLabels:
              env: prod
      protocols:
        - tcp:
            destinationPort:
              number: 80
        - tcp:
            destinationPort:
              number: 443
    - name: nothing-else
      action: Deny
      from:
        - namespaces: {}
`;
  const files = [{ path: 'w.yaml', text: WORLD }, { path: 'p.yaml', text: policy }];
  const r = run(files, { src: 'dev/a', dst: 'prod/b', port: 80 });
  assert.equal(r.mode, 'block');
  const titles = r.proposals.map((x) => x.title).join('\n');
  const peer = r.proposals.find((x) => x.kinds[0] === 'remove-peer');
  assert.ok(peer, titles);
  assert.match(peer.title, /^Remove the sources matching dev\/a from admin-accepts ingress rule 1 \(from-dev\)/);
  const port = r.proposals.find((x) => x.kinds[0] === 'remove-port');
  assert.ok(port, titles);
  assert.match(port.title, /^Remove TCP 80 from the protocols of admin-accepts ingress rule 1 \(from-dev\)/);
  const after = cnp(applyProposal(files, port.edits), 'admin-accepts');
  assert.deepEqual(after.ingress[0].ports?.map((x) => x.start), [443]);
  // Block style is kept: no flow mapping is introduced into a block-style document.
  for (const p of r.proposals) for (const e of p.edits) for (const t of e.edits) if (e.file === 'p.yaml') assert.doesNotMatch(t.newText, /\{/, p.title);
});

test('[T] flow-style policy: the inserted rule is a flow mapping in the flow sequence, before the Deny', () => {
  const policy = `---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: no-dev}
spec: {tier: Admin, priority: 20, subject: {namespaces: {matchLabels: {env: prod}}}, ingress: [{name: deny-dev, action: Deny, from: [{namespaces: {matchLabels: {env: dev}}}]}]}
`;
  const files = [{ path: 'w.yaml', text: WORLD }, { path: 'p.yaml', text: policy }];
  const r = run(files, { src: 'dev/a', dst: 'prod/b', port: 80 });
  assert.equal(r.mode, 'allow');
  const ins = r.proposals.find((x) => x.kinds[0] === 'insert-rule' && x.dialects[0] === 'cnp');
  assert.ok(ins, r.proposals.map((x) => x.title).join('\n'));
  const edited = applyProposal(files, ins.edits).find((f) => f.path === 'p.yaml')!.text;
  // One line changed: the rule is inserted in the flow sequence, in flow style, before the Deny rule.
  assert.deepEqual(edited.split('\n').filter((l) => !policy.split('\n').includes(l)), [
    'spec: {tier: Admin, priority: 20, subject: {namespaces: {matchLabels: {env: prod}}}, ingress: [{name: accept-a-to-b, action: Accept, from: [{pods: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: dev}}, podSelector: {matchLabels: {app: a}}}}], protocols: [{tcp: {destinationPort: {number: 80}}}]}, {name: deny-dev, action: Deny, from: [{namespaces: {matchLabels: {env: dev}}}]}]}',
  ]);
  assert.equal(edited.split('\n').length, policy.split('\n').length);
  // The subject prod also holds prod/c: the same rule also allows dev/a -> prod/c TCP 80, and says so.
  assert.equal(ins.exact, false);
  assert.deepEqual(ins.effect.added.filter((x) => !x.requested).map((x) => x.dst), ['prod/c']);
  const after = cnp(applyProposal(files, ins.edits), 'no-dev');
  assert.deepEqual(after.ingress.map((x) => x.action), ['Accept', 'Deny']);
  // Admin tier: a Pass variant hands the flow to the NetworkPolicy tier ([T] Pass), which allows by default here.
  assert.ok(r.proposals.some((x) => /passing TCP 80 to the NetworkPolicy tier/.test(x.title)));
  // The exact one comes first: a new CNP for exactly prod/b ordered before no-dev (priority 19).
  assert.ok(r.proposals[0].exact);
  assert.match(r.proposals[0].title, /with priority 19 \(before no-dev\)/);
});

test('[T] priority: a new policy takes the largest unused priority below the deciding one (ties are undefined)', () => {
  const policy = `---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: other}
spec:
  tier: Admin
  priority: 19
  subject: {namespaces: {matchLabels: {env: dev}}}
  egress:
    - {action: Deny, to: [{namespaces: {matchLabels: {env: nothing}}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: no-dev}
spec:
  tier: Admin
  priority: 20
  subject: {namespaces: {matchLabels: {env: prod}}}
  ingress:
    - {name: deny-dev, action: Deny, from: [{namespaces: {matchLabels: {env: dev}}}]}
`;
  const files = [{ path: 'w.yaml', text: WORLD }, { path: 'p.yaml', text: policy }];
  const r = run(files, { src: 'dev/a', dst: 'prod/b', port: 80 });
  const np = r.proposals.find((x) => x.kinds[0] === 'new-policy' && x.dialects[0] === 'cnp');
  assert.ok(np);
  assert.match(np.title, /with priority 18 \(before no-dev\)/);
  // Block sequence of flow mappings: the inserted rule is a flow mapping item of its own line.
  const ins = r.proposals.find((x) => x.kinds[0] === 'insert-rule' && x.dialects[0] === 'cnp');
  assert.ok(ins);
  assert.match(ins.edits[0].edits[0].newText, /^ {4}- \{name: accept-a-to-b, action: Accept, .*\}\n$/);
});

test('[T] an Admin Pass, then the NetworkPolicy tier denies: left to the Kubernetes writer', () => {
  const files = load(EXAMPLE);
  // protect-payments egress rule 1 passes cluster traffic; payments/api's NetworkPolicy allows no egress to web.
  const r = run(files, { src: 'payments/api', dst: 'storefront/web', port: 8080 });
  assert.ok(r.proposals.length > 0);
  for (const p of r.proposals) assert.deepEqual(p.dialects, ['kubernetes'], p.title);
  assert.ok(r.proposals[0].exact);
});

test('[T] nothing decides (the default allow) and the workspace has CNPs: a Baseline CNP for exactly the pair blocks it', () => {
  const files = load(EXAMPLE);
  const r = run(files, { src: 'platform/prometheus', dst: 'kube-system/coredns', protocol: 'UDP', port: 53 });
  assert.equal(r.mode, 'block');
  const np = r.proposals.find((x) => x.dialects[0] === 'cnp');
  assert.ok(np && np.exact, r.proposals.map((x) => x.title).join('\n'));
  assert.match(np.title, /to the Baseline tier with priority 99 denying UDP 53 from platform\/prometheus to kube-system\/coredns$/);
});

test('deprecated v1alpha1: an AdminNetworkPolicy that denies is never edited, and the note says why', () => {
  const anp = `---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: old-guard}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {env: prod}}}
  ingress:
    - {name: deny-dev, action: Deny, from: [{namespaces: {matchLabels: {env: dev}}}]}
`;
  const files = [{ path: 'w.yaml', text: WORLD }, { path: 'p.yaml', text: anp }];
  const r = run(files, { src: 'dev/a', dst: 'prod/b', port: 80 });
  assert.equal(r.proposals.length, 0);
  const note = r.notes.join('\n');
  assert.match(note, /No verified edit of at most 3 steps allows this flow: on the ingress of prod\/b, an Admin-tier AdminNetworkPolicy, old-guard, denies it \(ingress rule 1 "deny-dev"\)/);
  assert.match(note, /AdminNetworkPolicy old-guard is the deprecated policy\.networking\.k8s\.io\/v1alpha1 API: Policy Lens does not edit it\. Apply the "Migrate to ClusterNetworkPolicy" quick fix/);
});

test('[T] combination: an Admin Deny gets a Pass inserted before it and the NetworkPolicy tier is then fixed by the Kubernetes writer', () => {
  const files = load(EXAMPLE);
  // protect-payments (Admin, priority 10) denies ingress from env=dev namespaces; payments/api's own NetworkPolicy
  // allows https (8443) only from storefront/web. [T] Pass "skips the remaining CNP rules in the current tier" and
  // "v1.NetworkPolicy always makes a final decision for selected pods".
  const r = run(files, { src: 'sandbox/toolbox', dst: 'payments/api', port: 8443 });
  const titles = r.proposals.map((x) => `${x.kinds} ${x.title}`).join('\n');
  const combo = r.proposals.find((x) => x.kinds.join() === 'insert-rule,extend-peers');
  assert.ok(combo && combo.exact, titles);
  assert.deepEqual(combo.dialects, ['cnp', 'kubernetes']);
  assert.match(combo.title, /^Insert an ingress rule into ClusterNetworkPolicy protect-payments before its Deny ingress rule 1 \(no-dev-namespaces\) passing TCP 8443 to the NetworkPolicy tier from sandbox\/toolbox, and add sandbox\/toolbox to the sources of payments\/api ingress rule 1$/);
  // The one-step alternative accepts in the Admin tier, overriding the namespace's NetworkPolicy for this flow.
  const accept = r.proposals.find((x) => x.kinds.join() === 'new-policy' && x.dialects.join() === 'cnp');
  assert.ok(accept && accept.exact, titles);
  assert.match(accept.title, /to the Admin tier with priority 9 \(before protect-payments\) accepting TCP 8443 from sandbox\/toolbox to payments\/api \(an Admin-tier decision: NetworkPolicy payments\/api is not consulted for it\)$/);
  // The Pass that lets the namespace's NetworkPolicy decide ranks before the override.
  assert.ok(r.proposals.indexOf(combo) < r.proposals.indexOf(accept), titles);
});
