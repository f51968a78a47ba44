// "How do I allow / block this?" for CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy
// (core/dialects/cilium/suggest.ts). Every proposal is checked independently (test/helpers/suggest-check.ts: the edit
// applies, parses, and changes exactly what it promises) and the edited files are linted again as the language
// server does (LintProject: parse diagnostics and every lint). Semantics the proposals rely on (docs.cilium.io;
// summarised with sources in /work/shared/notes/field-2026-11.md §5 and dialects/cilium/lower.ts):
// * [DENY] docs.cilium.io security/policy/language "Deny Policies": "Deny policies take precedence over allow
//   policies, regardless of whether they are a Cilium Network Policy, a Clusterwide Cilium Network Policy or even a
//   Kubernetes Network Policy".
// * [DEFAULT] docs.cilium.io security/policy/intro "Endpoint default policy" and pkg/policy/api rule.go
//   EnableDefaultDeny: a direction is default-deny once a policy with rules for that direction selects the endpoint,
//   unless enableDefaultDeny says false for it.
// * [NSINJECT] docs.cilium.io security/policy/kubernetes "Namespaces": a CiliumNetworkPolicy's fromEndpoints /
//   toEndpoints only select endpoints of the policy's namespace unless the selector names
//   k8s:io.kubernetes.pod.namespace.
// * pkg/policy/api rule_validation.go: one L3 peer field per rule (fromEntities and fromCIDRSet are two rules).
import { test } from 'node:test';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, parseFiles, type InputFile } from '../../server/src/core/index';
import { suggest, type SuggestRequest } from '../../server/src/core/suggest/index';
import { LintProject } from '../../server/src/core/lint/project';
import { repoRoot } from '../helpers/paths';
import { applyProposal, assertVerified } from '../helpers/suggest-check';

const EXAMPLE = join(repoRoot(), 'examples', 'cilium');

function load(dir: string): InputFile[] {
  return readdirSync(dir)
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()
    .map((n) => ({ path: join(dir, n), text: readFileSync(join(dir, n), 'utf8') }));
}

/** Every finding the language server would show for the files (parse diagnostics and lints), as codes (sorted). */
function diagnostics(files: InputFile[]): string[] {
  const p = new LintProject();
  for (const f of files) p.setFile(f.path, f.text);
  return [...p.result().findings.values()].flat().map((d) => d.code).sort();
}

function run(files: InputFile[], request: SuggestRequest) {
  const before = analyze(parseFiles(files));
  const r = suggest({ files, request, analysis: before });
  const diags = diagnostics(files);
  for (const p of r.proposals) {
    assertVerified(files, before, r, p, request.src, request.dst);
    // The edited files re-parse and lint without any new finding (not only errors).
    const after = diagnostics(applyProposal(files, p.edits));
    // The one exception: a deny rule that leaves an allow rule with nothing to allow (warning
    // cilium-deny-shadows-allow), which such a proposal states in its title.
    const shadows = /then allows? nothing: the deny takes all of/.test(p.title);
    for (const code of new Set(after)) if (!(shadows && code === 'cilium-deny-shadows-allow')) assert.ok(after.filter((c) => c === code).length <= diags.filter((c) => c === code).length, `new ${code} after "${p.title}"`);
  }
  return r;
}

/** The Cilium policy `id` (namespace/name or name) of the files. */
function cilium(files: InputFile[], id: string) {
  const p = (parseFiles(files).cilium?.policies ?? []).find((x) => x.id === id);
  assert.ok(p, `no Cilium policy ${id}`);
  assert.equal(p.rejected, undefined, `${id} is rejected: ${p.rejected}`);
  return p;
}

function keysOf(sel: { matchLabels: { key: { raw: string }; value: string }[] } | undefined): Record<string, string> {
  return Object.fromEntries((sel?.matchLabels ?? []).map((m) => [m.key.raw, m.value]));
}

test('[DEFAULT] example: web -> db, default-denied on both sides, gets a verified exact proposal adding Cilium allow rules', () => {
  const files = load(EXAMPLE);
  const r = run(files, { src: 'frontend/web', dst: 'backend/db', port: 5432 });
  assert.equal(r.mode, 'allow');
  assert.ok(r.proposals.length >= 3, JSON.stringify(r.notes));
  const p = r.proposals[0];
  assert.ok(p.exact, p.title);
  // Egress of web (its CiliumNetworkPolicy) and ingress of db (its NetworkPolicy: Kubernetes rules are enforced in the
  // same union [DENY]'s page describes): two steps.
  assert.deepEqual(p.kinds.length, 2);
  assert.ok(p.dialects.includes('cilium'));
  assert.deepEqual(p.effect.added, [{ src: 'frontend/web', dst: 'backend/db', protocols: { TCP: [[5432, 5432]] }, requested: true }]);
  assert.deepEqual(p.effect.removed, []);
  assert.match(p.title, /^Add an egress rule to CiliumNetworkPolicy frontend\/web allowing TCP 5432 \(named port pg\) to backend\/db/);
  const after = applyProposal(files, p.edits);
  const web = cilium(after, 'frontend/web');
  const rule = web.rules[0].egress[1];
  // [NSINJECT] another namespace: the selector names k8s:io.kubernetes.pod.namespace.
  assert.deepEqual(keysOf(rule.endpoints?.[0]), { 'k8s:io.kubernetes.pod.namespace': 'backend', app: 'db' });
  assert.deepEqual(rule.toPorts?.[0].ports.map((x) => [x.port, x.protocol]), [['pg', 'TCP']]);
  // The selector follows the document's flow style for small mappings.
  assert.match(p.edits[0].edits[0].newText, /- toEndpoints:\n {8}- matchLabels: \{"?k8s:io\.kubernetes\.pod\.namespace"?: backend, app: db\}\n/);
  // A Cilium-only proposal exists too (both sides written as Cilium rules or policies).
  assert.ok(r.proposals.some((x) => x.exact && x.dialects.length === 1 && x.dialects[0] === 'cilium'), r.proposals.map((x) => x.title).join('\n'));
});

test('[NSINJECT] a peer of the policy\'s own namespace is selected by its labels only; a new CNP selects exactly the workload', () => {
  const files = load(EXAMPLE);
  // backend/db -> backend/api: db egress is default-deny (its NetworkPolicy), api ingress default-deny (its CNP).
  const r = run(files, { src: 'backend/db', dst: 'backend/api', port: 9000 });
  const step = r.proposals.find((p) => /add an ingress rule to CiliumNetworkPolicy backend\/api/.test(p.title));
  assert.ok(step, r.proposals.map((x) => x.title).join('\n'));
  assert.ok(step.exact, step.title);
  const api = cilium(applyProposal(files, step.edits), 'backend/api');
  const added = api.rules[0].ingress[api.rules[0].ingress.length - 1];
  // Cilium injects k8s:io.kubernetes.pod.namespace=backend: writing it again would be redundant.
  assert.deepEqual(keysOf(added.endpoints?.[0]), { app: 'db' });
  // A new CiliumNetworkPolicy selects exactly its workload: db for the egress side, api for the ingress side.
  const np = r.proposals.find((p) => /dd CiliumNetworkPolicy backend\/allow-db-to-api /.test(p.title));
  assert.ok(np, r.proposals.map((x) => x.title).join('\n'));
  const created = cilium(applyProposal(files, np.edits), 'backend/allow-db-to-api');
  const sel = keysOf(created.rules[0].endpointSelector);
  assert.deepEqual(sel, created.rules[0].egress.length ? { app: 'db' } : { app: 'api' });
});

test('[DENY] example: an address denied by a CCNP deny rule gets the deny rule narrowed (an allow would not do), then an allow', () => {
  const files = load(EXAMPLE);
  const r = run(files, { src: '203.0.113.5', dst: 'backend/api', port: 9000 });
  assert.equal(r.mode, 'allow');
  const p = r.proposals[0];
  assert.ok(p, JSON.stringify(r.notes));
  assert.ok(p.exact, p.title);
  assert.deepEqual(p.kinds, ['exclude-peer', 'add-rule']);
  assert.match(p.title, /^Exclude 203\.0\.113\.5\/32 from the world entity of CiliumClusterwideNetworkPolicy no-world-into-backend ingressDeny rule 1 .*\(a Cilium deny rule takes precedence over every allow, so an allow rule would not do\), and add an ingress rule to CiliumNetworkPolicy backend\/api allowing TCP 9000/);
  assert.deepEqual(p.effect.added.map((x) => [x.src, x.dst, x.protocols]), [['203.0.113.5-203.0.113.5', 'backend/api', { TCP: [[9000, 9000]] }]]);
  const after = applyProposal(files, p.edits);
  const ccnp = cilium(after, 'no-world-into-backend');
  // One L3 field per rule: the IPv6 world stays an entity, IPv4 becomes a CIDR set with the address excepted.
  assert.deepEqual(ccnp.rules[0].ingressDeny.map((x) => x.l3), [['fromEntities'], ['fromCIDRSet']]);
  assert.deepEqual(ccnp.rules[0].ingressDeny[0].entities?.map((e) => e.name), ['world-ipv6']);
  assert.deepEqual(ccnp.rules[0].ingressDeny[1].cidrs?.map((c) => [c.text, c.except.map((e) => e.text)]), [['0.0.0.0/0', ['203.0.113.5/32']]]);
  // Every proposal narrows the deny rule first: no allow alone is ever verified.
  for (const x of r.proposals) assert.equal(x.kinds[0], 'exclude-peer', x.title);
});

const WORLD = `apiVersion: v1
kind: ConfigMap
metadata: {name: cilium-config, namespace: kube-system}
data: {cluster-name: c1}
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

test('[DENY] a deny rule of a CCNP is narrowed on its ports or peers; what else that lets through is listed', () => {
  const files = [
    { path: '/w/world.yaml', text: WORLD },
    {
      path: '/w/policies.yaml',
      text: `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: guard}
spec:
  endpointSelector: {matchLabels: {k8s:io.kubernetes.pod.namespace: prod}}
  enableDefaultDeny: {ingress: false}
  ingressDeny:
    - fromEndpoints:
        - matchLabels: {k8s:io.kubernetes.pod.namespace: dev}
        - matchLabels: {k8s:io.kubernetes.pod.namespace: staging}
      toPorts:
        - ports:
            - {port: "80", protocol: TCP}
            - {port: "443", protocol: TCP}
`,
    },
  ];
  const r = run(files, { src: 'dev/a', dst: 'prod/b', port: 80 });
  assert.deepEqual(r.proposals.map((x) => x.kinds), [['remove-port'], ['remove-peer'], ['exclude-peer']]);
  for (const x of r.proposals) assert.match(x.title, /guard ingressDeny rule 1 \(a Cilium deny rule takes precedence over every allow, so an allow rule would not do\)/);
  // The deny rule applies to every pod of prod (its subject): narrowing it also lets dev/a reach prod/c. No allow
  // rule can be exact here, and the proposals say what else changes.
  const p = r.proposals[0];
  assert.equal(p.exact, false);
  assert.match(p.title, /^Remove TCP 80 from the toPorts of CiliumClusterwideNetworkPolicy guard ingressDeny rule 1 .* \(also allows dev\/a → prod\/c \(TCP 80\)\)$/);
  const g = cilium(applyProposal(files, p.edits), 'guard');
  assert.deepEqual(g.rules[0].ingressDeny[0].toPorts?.[0].ports.map((x) => x.port), [443]);
  const ex = cilium(applyProposal(files, r.proposals[2].edits), 'guard');
  assert.deepEqual(ex.rules[0].ingressDeny[0].endpoints?.[0].matchExpressions.map((e) => [e.key.raw, e.operator, e.values]), [['app', 'NotIn', ['a']]]);
});

test('[DENY] nothing verifies: the note says that the CCNP deny rule takes precedence over every allow and why it cannot be narrowed', () => {
  const files = [
    { path: '/w/world.yaml', text: WORLD },
    {
      path: '/w/policies.yaml',
      text: `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: lockdown}
spec:
  endpointSelector: {matchLabels: {k8s:io.kubernetes.pod.namespace: prod}}
  ingressDeny:
    - fromEntities: [cluster]
`,
    },
  ];
  const r = run(files, { src: 'dev/a', dst: 'prod/b', port: 80 });
  assert.equal(r.proposals.length, 0);
  const note = r.notes.join(' ');
  assert.match(note, /a CiliumClusterwideNetworkPolicy deny rule \(lockdown ingressDeny rule 1\) takes precedence over every allow \(CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy and Kubernetes NetworkPolicy alike\)/);
  assert.match(note, /it names the cluster entity, from which a single workload cannot be excluded/);
});

test('[DENY] block: a flow a CNP allow rule allows gets an ingressDeny rule for exactly the pair (the smallest edit)', () => {
  const files = load(EXAMPLE);
  const r = run(files, { src: 'frontend/web', dst: 'backend/api', port: 9000 });
  assert.equal(r.mode, 'block');
  const p = r.proposals[0];
  assert.ok(p && p.exact, p?.title);
  assert.deepEqual(p.kinds, ['add-rule']);
  assert.match(p.title, /^Add an ingressDeny rule to CiliumNetworkPolicy backend\/api denying TCP 9000 \(named port http\) from frontend\/web \(CiliumNetworkPolicy backend\/api ingress rule 1 then allows nothing: the deny takes all of its traffic\)$/);
  assert.deepEqual(p.effect.removed.map((x) => [x.src, x.dst, x.protocols]), [['frontend/web', 'backend/api', { TCP: [[9000, 9000]] }]]);
  const api = cilium(applyProposal(files, p.edits), 'backend/api');
  const deny = api.rules[0].ingressDeny[0];
  assert.deepEqual(keysOf(deny.endpoints?.[0]), { 'k8s:io.kubernetes.pod.namespace': 'frontend', app: 'web' });
  assert.deepEqual(deny.toPorts?.[0].ports.map((x) => [x.port, x.protocol]), [['http', 'TCP']]);
  // Narrowing the allow rule is offered too (exclude the peer from the rule's selector).
  assert.ok(r.proposals.some((x) => x.kinds[0] === 'exclude-peer' && x.exact), r.proposals.map((x) => x.title).join('\n'));
});

test('[DEFAULT] block where no policy isolates the endpoint: a new CNP with only a deny rule and enableDefaultDeny false', () => {
  const files = load(EXAMPLE);
  const r = run(files, { src: '0.0.0.0/0', dst: 'kube-system/coredns', port: 53, protocol: 'UDP', mode: 'block' });
  const p = r.proposals.find((x) => x.kinds[0] === 'new-policy' && x.dialects[0] === 'cilium');
  assert.ok(p, JSON.stringify(r));
  assert.ok(p.exact, p.title);
  assert.deepEqual(p.effect.removed.map((x) => [x.dst, x.protocols]), [['kube-system/coredns', { UDP: [[53, 53]] }]]);
  const text = p.edits[0].edits[0].newText;
  assert.match(text, /kind: CiliumNetworkPolicy\n/);
  // Without enableDefaultDeny ingress: false the deny-only policy would put coredns in default-deny [DEFAULT] and
  // block everything else (the verification would reject it).
  const after = applyProposal(files, p.edits);
  const created = (parseFiles(after).cilium?.policies ?? []).find((x) => x.namespace === 'kube-system');
  assert.ok(created && !created.rejected);
  assert.equal(created.rules[0].enableDefaultDeny.ingress, false);
  assert.deepEqual(created.rules[0].ingressDeny[0].cidrs?.map((c) => c.text), ['0.0.0.0/0']);
});

// ---------------------------------------------------------------- property: random Cilium worlds

const APPS = ['a', 'b', 'c'];
const NSS = ['dev', 'prod'];

const peerArb = fc.oneof(
  fc.record({ app: fc.constantFrom(...APPS), ns: fc.constantFrom(undefined, ...NSS) }).map((p) => `- fromEndpoints: [{matchLabels: {${p.ns ? `k8s:io.kubernetes.pod.namespace: ${p.ns}, ` : ''}app: ${p.app}}}]`),
  fc.constantFrom('- fromEntities: [world]', '- fromEntities: [cluster]', '- fromCIDR: [192.0.2.0/24]', '- fromCIDRSet: [{cidr: 10.0.0.0/8, except: [10.1.0.0/16]}]'),
);
const ruleArb = fc.record({ peer: peerArb, port: fc.constantFrom(undefined, 80, 443) }).map((r) => `    ${r.peer}${r.port ? `\n      toPorts: [{ports: [{port: "${r.port}", protocol: TCP}]}]` : ''}`);
const egressOf = (rule: string) => rule.replace(/from(Endpoints|Entities|CIDRSet|CIDR)/, 'to$1');
const policyArb = fc.record({
  clusterwide: fc.boolean(),
  ns: fc.constantFrom(...NSS),
  app: fc.constantFrom(undefined, ...APPS),
  ingress: fc.array(ruleArb, { maxLength: 2 }),
  ingressDeny: fc.array(ruleArb, { maxLength: 1 }),
  egress: fc.array(ruleArb, { maxLength: 1 }),
  noDefaultDeny: fc.boolean(),
});

type PolicySpec = { clusterwide: boolean; ns: string; app?: string; ingress: string[]; ingressDeny: string[]; egress: string[]; noDefaultDeny: boolean };

function ciliumWorld(ps: PolicySpec[]): InputFile[] {
  const pods = NSS.flatMap((ns) => APPS.map((app) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${app}, namespace: ${ns}, labels: {app: ${app}}}\nspec: {containers: [{name: c, image: x, ports: [{containerPort: 80}, {containerPort: 443}]}]}\n`));
  const policies = ps
    .map((p, i) => {
      if (p.ingress.length + p.ingressDeny.length + p.egress.length === 0) p.ingress.push('    - fromEntities: [world]');
      const lists = [['ingress', p.ingress], ['ingressDeny', p.ingressDeny], ['egress', p.egress.map(egressOf)]] as const;
      const sel = p.app ? `{matchLabels: {app: ${p.app}${p.clusterwide ? `, k8s:io.kubernetes.pod.namespace: ${p.ns}` : ''}}}` : '{}';
      return [
        `apiVersion: cilium.io/v2\nkind: ${p.clusterwide ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy'}`,
        `metadata: {name: p${i}${p.clusterwide ? '' : `, namespace: ${p.ns}`}}`,
        'spec:',
        `  endpointSelector: ${sel}`,
        ...(p.noDefaultDeny ? ['  enableDefaultDeny: {ingress: false, egress: false}'] : []),
        ...lists.filter(([, rs]) => rs.length).map(([k, rs]) => `  ${k}:\n${rs.join('\n')}`),
      ].join('\n');
    })
    .join('\n---\n');
  return [
    { path: '/w/cluster.yaml', text: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cilium-config, namespace: kube-system}\ndata: {cluster-name: c1}\n---\n${pods.join('---\n')}` },
    { path: '/w/policies.yaml', text: policies + '\n' },
  ];
}

test('property [DENY][DEFAULT]: every proposal on random Cilium worlds is verified by re-analysis', () => {
  let proposals = 0;
  let denyNarrowed = 0;
  fc.assert(
    fc.property(
      fc.array(policyArb, { minLength: 1, maxLength: 3 }),
      fc.record({ src: fc.nat(5), dst: fc.nat(5), external: fc.constantFrom(undefined, 'src', 'dst'), ip: fc.constantFrom('192.0.2.7', '10.2.0.1', '10.1.0.5'), port: fc.constantFrom(undefined, 80, 443), mode: fc.constantFrom(undefined, 'allow' as const, 'block' as const) }),
      (ps, q) => {
        const files = ciliumWorld(ps.map((p) => ({ ...p, ingress: [...p.ingress] })));
        const before = analyze(parseFiles(files));
        const pods = before.workloads.map((x) => x.id);
        let src = pods[q.src % pods.length];
        let dst = pods[q.dst % pods.length];
        if (src === dst) dst = pods[(q.dst + 1) % pods.length];
        if (q.external === 'src') src = q.ip;
        if (q.external === 'dst') dst = q.ip;
        const r = suggest({ files, analysis: before, request: { src, dst, port: q.port, mode: q.mode }, maxProposals: 3 });
        assert.equal(r.problem, undefined);
        for (const p of r.proposals) {
          assertVerified(files, before, r, p, src, dst);
          if (/a Cilium deny rule takes precedence/.test(p.title)) denyNarrowed++;
        }
        proposals += r.proposals.length;
      },
    ),
    { numRuns: 80, seed: 4242 },
  );
  assert.ok(proposals > 40, `only ${proposals} proposals over the runs`);
  assert.ok(denyNarrowed > 0, 'no deny rule was narrowed over the runs');
});

test('[DENY] flow style is kept: a fromCIDR deny rule written as a flow mapping becomes a flow fromCIDRSet with an except', () => {
  const files = [
    { path: '/w/world.yaml', text: WORLD },
    {
      path: '/w/policies.yaml',
      text: `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: b, namespace: prod}
spec:
  endpointSelector: {matchLabels: {app: b}}
  ingressDeny:
    - {fromCIDR: [192.0.2.0/24, 198.51.100.0/24]}
  ingress:
    - fromEntities: [world]
      toPorts: [{ports: [{port: "80", protocol: TCP}]}]
`,
    },
  ];
  const r = run(files, { src: '192.0.2.7', dst: 'prod/b', port: 80 });
  const p = r.proposals[0];
  assert.ok(p && p.exact, JSON.stringify(r.notes));
  assert.deepEqual(p.kinds, ['exclude-peer']);
  // fromCIDR has no except (pkg/policy/api CIDR vs CIDRRule): the field becomes fromCIDRSet, in the item's flow style.
  const edited = applyProposal(files, p.edits)[1].text;
  assert.match(edited, /\n {4}- \{fromCIDRSet: \[\{cidr: 192\.0\.2\.0\/24, except: \[192\.0\.2\.7\/32\]\}, \{cidr: 198\.51\.100\.0\/24\}\]\}\n/);
  // Block: a new deny rule in a flow-style list is a flow mapping too.
  const b = run(files, { src: '203.0.113.9', dst: 'prod/b', port: 80, mode: 'block' });
  const d = b.proposals.find((x) => x.kinds[0] === 'add-rule');
  assert.ok(d && d.exact, b.proposals.map((x) => x.title).join('\n'));
  assert.match(applyProposal(files, d.edits)[1].text, /\n {4}- \{fromCIDR: \[192\.0\.2\.0\/24, 198\.51\.100\.0\/24\]\}\n {4}- \{fromCIDR: \[203\.0\.113\.9\/32\], toPorts: \[\{ports: \[\{port: "80", protocol: TCP\}\]\}\]\}\n {2}ingress:\n/);
});
