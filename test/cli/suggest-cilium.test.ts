// `policy-lens reach examples/cilium --explain A B --suggest`: a flow default-denied on both sides (docs.cilium.io
// security/policy/intro "Endpoint default policy": a direction is default-deny once a policy with rules for it
// selects the endpoint) gets verified proposals adding Cilium allow rules, with their diff and verified effect; a flow
// denied by a CiliumClusterwideNetworkPolicy deny rule gets that rule narrowed (docs.cilium.io "Deny Policies": deny
// takes precedence over every allow).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { main } from '../../server/src/cli/main';
import { repoRoot } from '../helpers/paths';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

const EXAMPLE = join(repoRoot(), 'examples', 'cilium');

test('--suggest on a Cilium default-denied flow: an egress rule in the CNP of the source and an ingress allow at the destination, exact, with its diff', async () => {
  const r = await run(['reach', EXAMPLE, '--explain', 'frontend/web', 'backend/db', '--suggest']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /How to allow TCP 5432 from frontend\/web to backend\/db: 5 proposals, each verified/);
  assert.match(r.out, /\n1\. Add an egress rule to CiliumNetworkPolicy frontend\/web allowing TCP 5432 \(named port pg\) to backend\/db, and add frontend\/web to the sources of backend\/db ingress rule 1 {2}\[exact\]\n/);
  assert.match(r.out, /\n {3}\+ {4}- toEndpoints:\n {3}\+ {8}- matchLabels: \{"?k8s:io\.kubernetes\.pod\.namespace"?: backend, app: db\}\n/);
  assert.match(r.out, /Effect \(verified\):\n {5}\+ frontend\/web => backend\/db : TCP 5432\n {5}nothing else changes/);
  assert.doesNotMatch(r.out, /No verified edit/);
});

test('--suggest on an address denied by a CCNP deny rule: the deny rule is narrowed, and the title says why an allow would not do', async () => {
  const r = await run(['reach', EXAMPLE, '--explain', '203.0.113.5', 'backend/api', '--suggest', '--port', '9000']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /\n1\. Exclude 203\.0\.113\.5\/32 from the world entity of CiliumClusterwideNetworkPolicy no-world-into-backend ingressDeny rule 1 by naming the rest of IPv4 as fromCIDRSet with an except \(a Cilium deny rule takes precedence over every allow, so an allow rule would not do\), and add an ingress rule to CiliumNetworkPolicy backend\/api allowing TCP 9000 \(named port http\) from 203\.0\.113\.5\/32 {2}\[exact\]\n/);
  assert.match(r.out, /\n {3}- {4}- fromEntities: \[world\]\n {3}\+ {4}- fromEntities: \[world-ipv6\]\n {3}\+ {4}- fromCIDRSet:\n/);
});
