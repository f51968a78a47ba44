// Properties of the suggestions (core/suggest) over random small worlds (test/helpers/random-world.ts): every
// proposal shown is verified — applying its edit, parsing and analysing from scratch changes the reachability
// exactly as the proposal's effect says, the requested flow is allowed (blocked), nothing is removed (added), and the
// edited files parse without new errors (test/helpers/suggest-check.ts). For Kubernetes-only worlds, a flow between
// two workloads that is not (entirely) allowed always gets at least one proposal (a new policy selecting the endpoint can always be added
// where it is isolated).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyze, parseFiles, type InputFile } from '../../server/src/core/index';
import { suggest, type SuggestRequest } from '../../server/src/core/suggest/index';
import { documents, world, type World } from '../helpers/random-world';
import { assertVerified } from '../helpers/suggest-check';

function filesOf(w: World): InputFile[] {
  const docs = documents(w);
  return [
    { path: '/w/namespaces.yaml', text: docs.filter((d) => d.includes('kind: Namespace')).join('---\n') },
    { path: '/w/pods.yaml', text: docs.filter((d) => d.includes('kind: Pod')).join('---\n') },
    { path: '/w/policies.yaml', text: docs.filter((d) => !d.includes('kind: Namespace') && !d.includes('kind: Pod')).join('---\n') || '# no policies\n' },
  ];
}

const request = fc.record({
  src: fc.nat(10),
  dst: fc.nat(10),
  external: fc.constantFrom(undefined, 'src', 'dst'),
  ip: fc.constantFrom('10.0.1.7', '10.1.0.9', '192.0.2.10'),
  port: fc.constantFrom(undefined, 80, 443, 8080),
  mode: fc.constantFrom(undefined, 'allow' as const, 'block' as const),
});

for (const calico of [false, true]) {
  test(`every proposal on random worlds is verified by re-analysis (${calico ? 'Calico' : 'Kubernetes'})`, () => {
    let proposals = 0;
    fc.assert(
      fc.property(world(calico), request, (w, q) => {
        const files = filesOf(w);
        const before = analyze(parseFiles(files));
        const pods = before.workloads.map((x) => x.id);
        let src = pods[q.src % pods.length];
        let dst = pods[q.dst % pods.length];
        if (src === dst) dst = pods[(q.dst + 1) % pods.length];
        if (src === dst) return;
        if (q.external === 'src') src = q.ip;
        if (q.external === 'dst') dst = q.ip;
        const req: SuggestRequest = { src, dst, port: q.port, mode: q.mode };
        const r = suggest({ files, analysis: before, request: req, maxProposals: 3 });
        assert.equal(r.problem, undefined);
        for (const p of r.proposals) assertVerified(files, before, r, p, src, dst);
        proposals += r.proposals.length;
      }),
      { numRuns: 80, seed: 1212 },
    );
    assert.ok(proposals > 40, `only ${proposals} proposals over the runs`);
  });
}

test('Kubernetes worlds: a workload-to-workload flow that is not allowed always gets a verified proposal', () => {
  let asked = 0;
  fc.assert(
    fc.property(world(false), fc.constantFrom(80, 443, 8080), (w, port) => {
      const files = filesOf(w);
      const before = analyze(parseFiles(files));
      const ids = before.workloads.map((x) => x.id);
      const pair = ids.flatMap((s) => ids.filter((d) => d !== s).map((d) => [s, d])).find(([s, d]) => !before.allowedBetween(s, d).has('TCP', port));
      if (!pair) return;
      asked++;
      const r = suggest({ files, analysis: before, request: { src: pair[0], dst: pair[1], port }, maxProposals: 2 });
      assert.equal(r.mode, 'allow');
      assert.ok(r.proposals.length > 0, `no proposal to allow ${pair[0]} -> ${pair[1]} TCP ${port}: ${r.notes.join(' ')}\n${files.map((f) => f.text).join('\n---\n')}`);
      for (const p of r.proposals) assertVerified(files, before, r, p, pair[0], pair[1]);
    }),
    { numRuns: 60, seed: 77 },
  );
  assert.ok(asked > 20, `only ${asked} worlds had a denied pair`);
});
