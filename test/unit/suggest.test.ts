// "How do I allow / block this?" (core/suggest): proposals on the examples and on hand-made Calico tiers, each checked
// independently (test/helpers/suggest-check.ts): the edit applies, parses, and changes exactly what it promises.
// Semantics the proposals rely on:
// * Kubernetes NetworkPolicy: an isolated pod accepts the union of the rules of the policies selecting it; egress of
//   the source and ingress of the destination must both allow (https://kubernetes.io/docs/concepts/services-networking/network-policies/).
//   Named ports resolve on the destination pod; ipBlock matches external addresses (API reference, NetworkPolicyPeer).
// * Calico: tiers in order, policies by order, first Allow/Deny/Pass decides, unmatched traffic gets the tier's
//   default action when a policy of the tier selects the endpoint; Pass continues with the next tier
//   (https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy,
//   https://docs.tigera.io/calico/latest/reference/resources/networkpolicy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { analyze, parseFiles, type InputFile } from '../../server/src/core/index';
import { suggest, type SuggestRequest } from '../../server/src/core/suggest/index';
import { repoRoot } from '../helpers/paths';
import { applyProposal, assertVerified } from '../helpers/suggest-check';

function load(dir: string): InputFile[] {
  const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : /\.ya?ml$/.test(n) ? [join(d, n)] : []));
  return walk(dir).sort().map((p) => ({ path: p, text: readFileSync(p, 'utf8') }));
}

const SHOP = join(repoRoot(), 'examples', 'shop');
const CALICO = join(repoRoot(), 'examples', 'calico');

function run(files: InputFile[], request: SuggestRequest, staged = false) {
  const before = analyze(parseFiles(files), { staged });
  const r = suggest({ files, request, analysis: before, model: { staged } });
  for (const p of r.proposals) assertVerified(files, before, r, p, request.src, request.dst, staged);
  return { r, before };
}

/** Every NetworkPolicy / Calico policy of the files, with whether it is a default deny (no rules at all). */
function policyNames(files: InputFile[]): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const f of files) {
    for (const d of parseAllDocuments(f.text)) {
      const o = d.toJS() as { kind?: string; metadata?: { name?: string; namespace?: string }; spec?: { ingress?: unknown[]; egress?: unknown[] } } | null;
      if (!o || !/NetworkPolicy$/.test(o.kind ?? '')) continue;
      out.set(`${o.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}`, !(o.spec?.ingress?.length || o.spec?.egress?.length));
    }
  }
  return out;
}

test('shop: a named port that resolves to nothing: the first proposal adds the port to the rule that already matches the peer', () => {
  const files = load(SHOP);
  const { r } = run(files, { src: 'backend/api', dst: 'data/redis', port: 6379 });
  assert.equal(r.mode, 'allow');
  assert.deepEqual(r.requested, { TCP: [[6379, 6379]] });
  assert.ok(r.proposals.length >= 3);
  const p = r.proposals[0];
  assert.ok(p.exact);
  assert.deepEqual(p.kinds, ['extend-ports']);
  assert.match(p.title, /^Add TCP 6379 \(named port redis\) to the ports of data\/redis ingress rule 1$/);
  assert.equal(p.edits.length, 1);
  assert.ok(p.edits[0].file.endsWith('policies/data.yaml'));
  // Indentation of the surrounding list is kept.
  assert.equal(p.edits[0].edits[0].newText, '        - protocol: TCP\n          port: redis\n');
  assert.deepEqual(p.effect.added, [{ src: 'backend/api', dst: 'data/redis', protocols: { TCP: [[6379, 6379]] }, requested: true }]);
  assert.deepEqual(p.effect.removed, []);
  // A new policy is also offered, beside the policy of the destination, selecting it by its label.
  const np = r.proposals.find((x) => x.kinds[0] === 'new-policy');
  assert.ok(np && np.exact);
  assert.ok(np.edits[0].file.endsWith('policies/data.yaml'));
  assert.match(np.edits[0].edits[0].newText, /^---\n# Allow TCP 6379 from backend\/api to data\/redis\.\napiVersion: networking\.k8s\.io\/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-api-to-redis\n  namespace: data\n/);
});

test('shop: both sides deny: each proposal edits the egress of the source and the ingress of the destination', () => {
  const files = load(SHOP);
  const { r } = run(files, { src: 'frontend/web', dst: 'backend/api', port: 9090 });
  assert.equal(r.mode, 'allow');
  assert.ok(r.proposals.length >= 2);
  for (const p of r.proposals) {
    assert.equal(p.kinds.length, 2, p.title);
    assert.match(p.title, /egress rule|frontend\/web/);
  }
  assert.ok(r.proposals[0].exact);
  // Policies with an empty podSelector (a namespace's DNS policy) rank after the workload's own policy.
  const first = r.proposals.findIndex((p) => /frontend\/allow-dns/.test(p.title));
  const own = r.proposals.findIndex((p) => /frontend\/web egress rule 1/.test(p.title));
  assert.ok(own >= 0 && (first < 0 || own < first));
});

test('shop: default-deny policies are never removed or given rules', () => {
  const files = load(SHOP);
  const before = policyNames(files);
  for (const req of [
    { src: 'frontend/web', dst: 'backend/api', port: 9090 },
    { src: 'backend/worker', dst: 'data/redis', port: 6379 },
    { src: 'frontend/web', dst: 'data/postgres' },
    { src: 'frontend/web', dst: 'backend/api' },
  ] as SuggestRequest[]) {
    const { r } = run(files, req);
    assert.ok(r.proposals.length > 0, JSON.stringify(req));
    for (const p of r.proposals) {
      const after = policyNames(applyProposal(files, p.edits));
      for (const [name, deny] of before) {
        assert.ok(after.has(name), `${p.title} removes ${name}`);
        if (deny) assert.equal(after.get(name), true, `${p.title} adds rules to the default deny ${name}`);
      }
    }
  }
});

test('shop: an external address is allowed with an ipBlock of exactly its /32; an external range with its CIDRs', () => {
  const files = load(SHOP);
  const { r } = run(files, { src: '1.2.3.4', dst: 'backend/api', port: 8080 });
  assert.ok(r.proposals.length > 0);
  assert.ok(r.proposals[0].exact);
  assert.match(r.proposals[0].edits[0].edits[0].newText, /cidr: 1\.2\.3\.4\/32/);
  const out = run(files, { src: 'backend/worker', dst: '10.0.0.0-10.0.2.255', port: 443 }).r;
  assert.ok(out.proposals.length > 0);
  assert.ok(out.proposals[0].exact);
  const text = out.proposals[0].edits.map((e) => e.edits.map((x) => x.newText).join('')).join('');
  assert.match(text, /cidr: 10\.0\.0\.0\/23\n/);
  assert.match(text, /cidr: 10\.0\.2\.0\/24\n/);
});

test('shop: block: narrow the allowing rule (exclude the peer), never remove a policy', () => {
  const files = load(SHOP);
  const { r } = run(files, { src: 'frontend/web', dst: 'backend/api' });
  assert.equal(r.mode, 'block');
  assert.deepEqual(r.requested, { TCP: [[8080, 8080]] });
  assert.ok(r.proposals.length >= 2);
  assert.ok(r.proposals[0].exact);
  assert.deepEqual(r.proposals[0].effect.removed, [{ src: 'frontend/web', dst: 'backend/api', protocols: { TCP: [[8080, 8080]] }, requested: true }]);
  assert.ok(r.proposals.some((p) => p.kinds[0] === 'exclude-peer'));
});

test('shop: block a flow no policy isolates: a new policy isolates the destination and allows everything else', () => {
  // backend/worker is not isolated for ingress in this variant (no default deny in backend).
  const files = load(SHOP).map((f) => (f.path.endsWith('baseline.yaml') ? { ...f, text: f.text.replace(/name: default-deny\n  namespace: backend\nspec:\n  podSelector: \{\}\n  policyTypes:\n    - Ingress\n    - Egress/, 'name: default-deny\n  namespace: backend\nspec:\n  podSelector: {}\n  policyTypes:\n    - Egress') } : f));
  const { r } = run(files, { src: 'frontend/web', dst: 'backend/worker', port: 8080, mode: 'block' });
  assert.equal(r.mode, 'block');
  // frontend/web's egress does not allow 8080 to the worker: nothing to block.
  assert.match(r.notes.join(' '), /already denied/);
  const { r: r2 } = run(files, { src: '192.0.2.1', dst: 'backend/worker', port: 8080 });
  assert.equal(r2.mode, 'block');
  assert.ok(r2.proposals.length > 0, r2.notes.join(' '));
  assert.ok(r2.proposals.some((p) => p.kinds[0] === 'new-policy'));
});

test('calico example: the default tier denies at its end; Allow rules go into that tier and K8s policies get rules', () => {
  const files = load(CALICO);
  const { r } = run(files, { src: 'frontend/web', dst: 'backend/api', port: 9090 });
  assert.equal(r.mode, 'allow');
  assert.ok(r.proposals.length > 0);
  assert.ok(r.proposals.every((p) => p.exact));
  assert.ok(r.proposals.some((p) => p.dialects.includes('calico')));
  // The inserted Calico rule follows the file's flow style for lists of scalars.
  const calicoEdit = r.proposals.flatMap((p) => p.edits.flatMap((e) => e.edits)).find((e) => /action: Allow/.test(e.newText));
  assert.ok(calicoEdit);
  assert.match(calicoEdit.newText, /ports: \[9090\]/);
  // No Pass in the last tier (after it the profile allows: that would be an Allow in disguise).
  assert.ok(!r.proposals.some((p) => /passing/.test(p.title)));
});

const TIERS = `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: c, image: x, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: 100}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.lockdown}
spec:
  tier: security
  order: 50
  selector: app == 'api'
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: UDP
    - action: Deny
      protocol: TCP
      destination:
        ports: [8080]
    - action: Pass
`;

test('calico: a higher tier denies with a Deny rule: the Allow is inserted right before it, or a policy is ordered before it', () => {
  const files = [{ path: '/w/tiers.yaml', text: TIERS }];
  const { r } = run(files, { src: 'shop/web', dst: 'shop/api', port: 8080 });
  assert.equal(r.mode, 'allow');
  const insert = r.proposals.find((p) => p.kinds[0] === 'insert-rule' && /allowing/.test(p.title));
  assert.ok(insert, r.proposals.map((p) => p.title).join('\n'));
  assert.ok(insert.exact);
  assert.match(insert.title, /security\.lockdown before its ingress rule 2 \(Deny\)/);
  const edited = applyProposal(files, insert.edits)[0].text;
  const allowAt = edited.indexOf('- action: Allow\n      protocol: TCP');
  assert.ok(allowAt > edited.indexOf('protocol: UDP') && allowAt < edited.indexOf('- action: Deny'), edited);
  const np = r.proposals.find((p) => p.kinds[0] === 'new-policy' && /allowing/.test(p.title));
  assert.ok(np, r.proposals.map((p) => p.title).join('\n'));
  assert.match(np.title, /tier security with order 49 \(before security\.lockdown\)/);
  const doc = parseAllDocuments(applyProposal(files, np.edits)[0].text).map((d) => d.toJS()).pop();
  assert.equal(doc.metadata.name, 'security.allow-web-to-api');
  assert.equal(doc.spec.tier, 'security');
  assert.equal(doc.spec.order, 49);
});

test('calico: Pass is offered when a later tier decides (and verified only if that tier then allows)', () => {
  // The default tier allows TCP 8080 to the api with a Kubernetes policy; the security tier denies it first.
  const files = [
    {
      path: '/w/tiers.yaml',
      text: `${TIERS}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress: [{ports: [{port: 8080}]}]
`,
    },
  ];
  const { r } = run(files, { src: 'shop/web', dst: 'shop/api', port: 8080 });
  const pass = r.proposals.find((p) => /passing TCP 8080 to the next tier/.test(p.title));
  assert.ok(pass, r.proposals.map((p) => p.title).join('\n'));
  assert.equal(pass.kinds.length, 1);
});

test('calico: block inserts a Deny before the allowing rule of the deciding policy', () => {
  const files = load(CALICO);
  const { r } = run(files, { src: 'frontend/web', dst: 'backend/api' });
  assert.equal(r.mode, 'block');
  const deny = r.proposals.find((p) => p.kinds[0] === 'insert-rule');
  assert.ok(deny);
  assert.ok(deny.exact);
  assert.match(deny.title, /^Insert an ingress rule into backend\/api before its ingress rule 1 denying TCP 9000 from frontend\/web$/);
});

test('requests the engine cannot answer get a problem, not proposals', () => {
  const files = load(SHOP);
  const a = analyze(parseFiles(files));
  assert.match(suggest({ files, analysis: a, request: { src: 'nope/x', dst: 'backend/api' } }).problem ?? '', /Unknown endpoint/);
  assert.match(suggest({ files, analysis: a, request: { src: 'backend/api', dst: 'backend/api' } }).problem ?? '', /same workload/);
  assert.match(suggest({ files, analysis: a, request: { src: 'backend/api', dst: 'data/redis', port: 70000 } }).problem ?? '', /Invalid port/);
  assert.match(suggest({ files, analysis: a, request: { src: 'backend/api', dst: 'data/redis', protocol: 'ICMP' } }).problem ?? '', /not part of/);
  const already = suggest({ files, analysis: a, request: { src: 'frontend/web', dst: 'backend/api', port: 8080, mode: 'allow' } });
  assert.equal(already.proposals.length, 0);
  assert.match(already.notes[0], /already allowed/);
});
