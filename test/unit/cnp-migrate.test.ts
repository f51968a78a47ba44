// "Migrate to ClusterNetworkPolicy" (server/src/core/dialects/admin/migrate.ts): the v1alpha1 -> v1alpha2 mapping
// ([CNP-BLOG] network-policy-api site-src/blog/posts/ClusterNetworkPolicy.md; [ANP-TYPES] apis/v1alpha1/*.go;
// [CNP-TYPES] apis/v1alpha2/clusternetworkpolicy_types.go), and the proof that the rewrite keeps every verdict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { migrateDocumentText, proveMigration } from '../../server/src/core/dialects/admin/migrate';
import { splitDocuments } from '../../server/src/core/lint/chunks';
import { computeFix, applyEdits } from '../../server/src/core/lint/fixes';
import { LintProject } from '../../server/src/core/lint/project';
import { NPA_BASE, npaCases, readDir } from '../helpers/npa';

test('[CNP-BLOG] the mapping: kind, apiVersion, tier, priority, Allow -> Accept, ports -> protocols; comments kept', () => {
  const anp = `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata:
  name: guard # the guardrail
spec:
  priority: 7
  subject:
    namespaces: {matchLabels: {team: data}}
  ingress:
  # keep this comment
  - name: web
    action: Allow
    from: [{namespaces: {}}]
    ports:
    - portNumber: {protocol: UDP, port: 53}
    - portRange: {protocol: SCTP, start: 9000, end: 9010}
    - portRange: {start: 8080, end: 8080}
    - namedPort: web
  egress:
  - {action: Pass, to: [{networks: [10.0.0.0/8]}]}
`;
  const m = migrateDocumentText(anp, { baselinePriority: 1000 });
  assert.ok('text' in m, JSON.stringify(m));
  assert.match(m.text, /# the guardrail/);
  assert.match(m.text, /# keep this comment/);
  assert.deepEqual(parseDocument(m.text).toJS(), {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: { name: 'guard' },
    spec: {
      tier: 'Admin',
      priority: 7,
      subject: { namespaces: { matchLabels: { team: 'data' } } },
      ingress: [
        {
          name: 'web',
          action: 'Accept',
          from: [{ namespaces: {} }],
          protocols: [
            { udp: { destinationPort: { number: 53 } } },
            { sctp: { destinationPort: { range: { start: 9000, end: 9010 } } } },
            { tcp: { destinationPort: { number: 8080 } } },
            { destinationNamedPort: 'web' },
          ],
        },
      ],
      egress: [{ action: 'Pass', to: [{ networks: ['10.0.0.0/8'] }] }],
    },
  });
  const banp = `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec:\n  subject: {namespaces: {}}\n  ingress: [{action: Deny, from: [{namespaces: {}}]}]\n`;
  const b = migrateDocumentText(banp, { baselinePriority: 42 });
  assert.ok('text' in b);
  assert.deepEqual((parseDocument(b.text).toJS() as { spec: unknown }).spec, { tier: 'Baseline', priority: 42, subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] });
});

test('[CNP-TYPES] no migration past the v1alpha2 limits (25 rules)', () => {
  const rules = Array.from({ length: 30 }, () => '  - {action: Deny, from: [{namespaces: {}}]}').join('\n');
  const m = migrateDocumentText(`apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: big}\nspec:\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n${rules}\n`, { baselinePriority: 1000 });
  assert.ok('reason' in m && /at most 25/.test(m.reason));
});

// Every ANP/BANP of the netpol-analyzer corpus runs: the migration must be proved equivalent by the engine.
const anpRuns = npaCases().filter((c) => c.plain && c.category === 'ANP/BANP (+ optional NetworkPolicy)');

test('every AdminNetworkPolicy / BaselineAdminNetworkPolicy of the 54 netpol-analyzer runs migrates with the same verdicts', () => {
  let migrated = 0;
  const refused: string[] = [];
  for (const c of anpRuns) {
    const files = readDir(join(NPA_BASE, 'tests', c.testDirName));
    for (const f of files) {
      for (const ch of splitDocuments(f.text)) {
        if (!/^kind:\s*(Baseline)?AdminNetworkPolicy\b/m.test(ch.text)) continue;
        const r = proveMigration(files, f.path, ch.startOffset, ch.startOffset + ch.text.length);
        if (r.ok) migrated++;
        else refused.push(`${c.testDirName}/${f.path.replace(/^.*\//, '')}: ${r.reason}`);
      }
    }
  }
  assert.deepEqual(refused, []);
  assert.ok(migrated >= 54, `migrated ${migrated}`);
  console.log(`migrated and proved: ${migrated} policies`);
});

test('the proof refuses a migration that would change a verdict (a priority tie whose order flips with the new name)', () => {
  const world = `apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {app: a}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: y, labels: {app: b}}\n---\n`;
  const cnp = `apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: z}\nspec:\n  tier: Admin\n  priority: 10\n  subject: {namespaces: {}}\n  ingress: [{action: Deny, from: [{namespaces: {}}]}]\n---\n`;
  const anp = `apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: z}\nspec:\n  priority: 10\n  subject: {namespaces: {}}\n  ingress: [{action: Allow, from: [{namespaces: {}}]}]\n`;
  const text = world + cnp + anp;
  const start = text.lastIndexOf('---\napiVersion: policy.networking.k8s.io/v1alpha1');
  const r = proveMigration([{ path: 'w.yaml', text }], 'w.yaml', start, text.length);
  assert.equal(r.ok, false);
  assert.match((r as { reason: string }).reason, /verdicts would differ \(x\/a -> y\/b: All Connections before, No Connections after\)/);
  // Without the clash, the same policy migrates.
  const ok = proveMigration([{ path: 'w.yaml', text: world + anp }], 'w.yaml', world.length, (world + anp).length);
  assert.ok(ok.ok, JSON.stringify(ok));
});

test('the tcp: {} quick fix writes the full destinationPort range', () => {
  const text = `apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: p}\nspec:\n  tier: Admin\n  priority: 1\n  subject: {namespaces: {}}\n  ingress:\n  - action: Deny\n    from: [{namespaces: {}}]\n    protocols:\n    - tcp: {}\n`;
  const p = new LintProject();
  p.setFile('p.yaml', text);
  const f = p.result().findings.get('p.yaml')!.find((x) => x.code === 'cnp-protocol-no-port');
  assert.deepEqual(f?.fix, { kind: 'cnp-all-ports' });
  const chunk = p.chunkAt('p.yaml', f!.range.startOffset)!;
  const [fix] = computeFix(chunk.entry.parsed.text, chunk.entry.parsed.doc.contents, f!.fix!, f!.range.startOffset - chunk.startOffset);
  const fixed = applyEdits(chunk.entry.parsed.text, fix.edits);
  assert.match(fixed, /- tcp: \{destinationPort: \{range: \{start: 1, end: 65535\}\}\}/);
  const q = new LintProject();
  q.setFile('p.yaml', fixed);
  assert.deepEqual(q.result().findings.get('p.yaml')!.filter((x) => x.severity === 'error'), []);
});
