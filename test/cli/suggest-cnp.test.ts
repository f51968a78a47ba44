// `policy-lens reach examples/cluster-policy --explain sandbox/toolbox storefront/web --suggest`: a flow denied by a
// Baseline-tier ClusterNetworkPolicy rule gets verified proposals (network-policy-api
// apis/v1alpha2/clusternetworkpolicy_types.go: within a tier lower priority first, rules first-match in order).
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

const EXAMPLE = join(repoRoot(), 'examples', 'cluster-policy');

test('--suggest on a flow denied by a Baseline ClusterNetworkPolicy rule: a new CNP ordered before it, exact, with its diff', async () => {
  const r = await run(['reach', EXAMPLE, '--explain', 'sandbox/toolbox', 'storefront/web', '--suggest']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /How to allow TCP 8080, 9100 from sandbox\/toolbox to storefront\/web: 2 proposals, each verified/);
  assert.match(r.out, /\n1\. Add ClusterNetworkPolicy accept-toolbox-to-web to the Baseline tier with priority 99 \(before baseline-no-dev-ingress\) accepting TCP 8080, 9100 from sandbox\/toolbox to storefront\/web {2}\[exact\]\n/);
  assert.match(r.out, /\n {3}\+kind: ClusterNetworkPolicy\n {3}\+metadata: \{name: accept-toolbox-to-web\}\n {3}\+spec:\n {3}\+ {2}tier: Baseline\n {3}\+ {2}priority: 99\n/);
  assert.match(r.out, /Effect \(verified\):\n {5}\+ sandbox\/toolbox => storefront\/web : TCP 8080, 9100\n {5}nothing else changes/);
  assert.match(r.out, /\n2\. Insert an ingress rule into ClusterNetworkPolicy baseline-no-dev-ingress before its Deny ingress rule 1 \(dev-namespaces-stay-out\) accepting TCP 8080, 9100 from sandbox\/toolbox \(also allows /);
  assert.doesNotMatch(r.out, /No verified edit/);
});
