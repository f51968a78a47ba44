// Display names of external peers (server/src/core/explain/externals.ts): an address range as the minimal list of
// CIDR blocks (RFC 4632 §3.1: a prefix covers an aligned power-of-two block), the "A except B" form when it is
// shorter, and merging the ranges that share connections.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { describeAddresses, externalName, mergeExternals, namedAddressSets, parseRangeId, rangeToCidrs } from '../../server/src/core/explain/externals';
import { parseFiles } from '../../server/src/core/index';
import { parseCidr } from '../../server/src/core/ip';

const v4 = (a: string, b: string) => parseRangeId(`${a}-${b}`)!;

describe('rangeToCidrs', () => {
  it('an exact block is one CIDR', () => {
    assert.deepEqual(rangeToCidrs(v4('10.0.0.0', '10.255.255.255')), ['10.0.0.0/8']);
    assert.deepEqual(rangeToCidrs(v4('0.0.0.0', '255.255.255.255')), ['0.0.0.0/0']);
    assert.deepEqual(rangeToCidrs(v4('203.0.113.7', '203.0.113.7')), ['203.0.113.7/32']);
  });
  it('an unaligned range becomes the minimal list of aligned blocks', () => {
    // 0.0.0.0 .. 203.0.112.255 = 0/1 + 128/2 + 192/5 + 200/7 + 202/8 + 203.0.0.0/18 + ... + 203.0.112.0/24
    assert.deepEqual(rangeToCidrs(v4('0.0.0.0', '203.0.112.255')), [
      '0.0.0.0/1', '128.0.0.0/2', '192.0.0.0/5', '200.0.0.0/7', '202.0.0.0/8', '203.0.0.0/18', '203.0.64.0/19', '203.0.96.0/20', '203.0.112.0/24',
    ]);
    assert.deepEqual(rangeToCidrs(v4('10.0.0.1', '10.0.0.6')), ['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/31', '10.0.0.6/32']);
  });
  it('IPv6 ranges', () => {
    assert.deepEqual(rangeToCidrs(parseRangeId('2001:db8::-2001:db8::ffff:ffff:ffff:ffff')!), ['2001:db8::/64']);
    assert.deepEqual(rangeToCidrs(parseRangeId('::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')!), ['::/0']);
  });
  it('property: the blocks are aligned, disjoint, in order, and cover exactly the range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (a, b) => {
        const lo = BigInt(Math.min(a, b));
        const hi = BigInt(Math.max(a, b));
        const blocks = rangeToCidrs({ family: 4, lo, hi }).map((c) => parseCidr(c));
        let at = lo;
        for (const c of blocks) {
          assert.ok(typeof c !== 'string' && !c.hostBitsSet);
          assert.equal(c.lo, at);
          at = c.hi + 1n;
        }
        assert.equal(at, hi + 1n);
        // Minimal: no two neighbouring blocks of one size could be one block of the next size.
        for (let i = 1; i < blocks.length; i++) {
          const p = blocks[i - 1] as { prefix: number; lo: bigint };
          const q = blocks[i] as { prefix: number };
          if (p.prefix === q.prefix && p.prefix > 0) assert.ok((p.lo >> BigInt(33 - p.prefix)) << BigInt(33 - p.prefix) !== p.lo);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('describeAddresses', () => {
  it('"block except holes" when shorter than the CIDR list', () => {
    const rest = [v4('0.0.0.0', '203.0.112.255'), v4('203.0.114.0', '255.255.255.255')];
    assert.equal(describeAddresses(rest), '0.0.0.0/0 except 203.0.113.0/24');
    assert.equal(externalName('10.0.0.0-10.0.255.255'), '10.0.0.0/16');
    // More than three blocks: the first and last address instead of a long list.
    assert.equal(externalName('0.0.0.0-203.0.112.255'), '0.0.0.0 – 203.0.112.255');
    assert.equal(externalName('10.0.0.0-10.2.255.255'), '10.0.0.0/15, 10.2.0.0/16');
  });
  it('the plain list when it is not longer', () => {
    assert.equal(describeAddresses([v4('10.0.0.0', '10.255.255.255'), v4('192.168.0.0', '192.168.255.255')]), '10.0.0.0/8, 192.168.0.0/16');
    // 10.0.0.0/8 with one /16 missing: two blocks would need 8 CIDRs directly, so the except form wins.
    assert.equal(describeAddresses([v4('10.0.0.0', '10.0.255.255'), v4('10.2.0.0', '10.255.255.255')]), '10.0.0.0/8 except 10.1.0.0/16');
  });
  it('adjacent ranges merge before naming; IPv4 before IPv6', () => {
    assert.equal(describeAddresses([v4('10.128.0.0', '10.255.255.255'), v4('10.0.0.0', '10.127.255.255')]), '10.0.0.0/8');
    assert.equal(describeAddresses([parseRangeId('::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')!, v4('0.0.0.0', '255.255.255.255')]), '0.0.0.0/0, ::/0');
  });
  it('domain names are their own name', () => {
    assert.equal(externalName('api.example.com'), 'api.example.com');
  });
});

describe('mergeExternals', () => {
  it('merges the ranges that share a key and keeps domains apart', () => {
    const groups = mergeExternals([
      { id: '0.0.0.0-203.0.112.255', key: 'tcp443', value: 1 },
      { id: '203.0.113.0-203.0.113.255', key: 'tcp80', value: 2 },
      { id: '203.0.114.0-255.255.255.255', key: 'tcp443', value: 3 },
      { id: 'api.example.com', key: 'tcp443', value: 4 },
    ]);
    assert.deepEqual(groups.map((g) => [g.name, g.ids.length, g.value]), [
      ['0.0.0.0/0 except 203.0.113.0/24', 2, 1],
      ['203.0.113.0/24', 1, 2],
      ['api.example.com', 1, 4],
    ]);
  });
});

// Calico NetworkSet / GlobalNetworkSet: "a set of arbitrary IP sub-networks/CIDRs" that policies select by label
// (https://docs.tigera.io/calico/latest/reference/resources/globalnetworkset); Cilium CiliumCIDRGroup: named CIDRs
// referenced by cidrGroupRef (https://docs.cilium.io/en/stable/network/kubernetes/ciliumcidrgroup/). An external
// peer whose addresses are exactly such a set is named by it.
it('external peers that are exactly a NetworkSet or a CIDR group are named by it', () => {
  const text = `
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: partners}
spec: {nets: [203.0.113.0/25, 203.0.113.128/25]}
---
apiVersion: projectcalico.org/v3
kind: NetworkSet
metadata: {name: vendors, namespace: shop}
spec: {nets: [198.51.100.7]}
`;
  const sets = namedAddressSets(parseFiles([{ path: 'n.yaml', text }]));
  assert.deepEqual(sets.map((s) => s.label), ['GlobalNetworkSet partners', 'NetworkSet shop/vendors']);
  const [g] = mergeExternals([{ id: '203.0.113.0-203.0.113.127', key: 'k', value: 1 }, { id: '203.0.113.128-203.0.113.255', key: 'k', value: 1 }], sets);
  assert.equal(g.name, 'GlobalNetworkSet partners (203.0.113.0/24)');
  assert.equal(mergeExternals([{ id: '198.51.100.7-198.51.100.7', key: 'k', value: 1 }], sets)[0].name, 'NetworkSet shop/vendors (198.51.100.7/32)');
  // Only an exact match names a peer: a part of a set is shown by its addresses.
  assert.equal(mergeExternals([{ id: '203.0.113.0-203.0.113.127', key: 'k', value: 1 }], sets)[0].name, '203.0.113.0/25');
  const cg = namedAddressSets(parseFiles([{ path: 'c.yaml', text: 'apiVersion: cilium.io/v2alpha1\nkind: CiliumCIDRGroup\nmetadata: {name: saas}\nspec: {externalCIDRs: [192.0.2.0/24]}\n' }]));
  assert.deepEqual(cg.map((s) => s.label), ['CiliumCIDRGroup saas']);
});
