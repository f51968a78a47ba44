// The Cilium connectivity test suite (cilium/cilium cilium-cli/connectivity/builder) as data: every case of
// test/conformance/cilium-connectivity/cases.json runs `policy-lens reach --output json` on the suite's topology and
// the case's policies (auto-detected CNI, and again with --cni cilium) and checks each probe the case's builder
// asserts: a flow is allowed when its egress and ingress results are not drops. See the README there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../server/src/cli/main';
import { ConnSet } from '../../server/src/core/index';
import { parseIPv4 } from '../../server/src/core/ip';
import { repoRoot } from '../helpers/paths';

const dir = join(repoRoot(), 'test', 'conformance', 'cilium-connectivity');
const CLIENTS = ['client', 'client2', 'client3'];
const ECHOES = ['echo-same-node', 'echo-other-node'];
const EXTERNAL = ['1.1.1.1', '1.0.0.1'];
const NS = 'cilium-test';

interface Probe {
  src: string;
  dst: string;
  protocol: 'TCP' | 'ICMP';
  port: number;
}

interface Case {
  name: string;
  builder: string;
  policies: string[];
  scenarios: { scenario: 'PodToPod' | 'ClientToClient' | 'PodToCIDR'; sources?: string[]; destinations?: string[] }[];
  expect: { src?: string[]; dst?: string[]; verdict: 'allow' | 'deny' }[];
}

/** The probes of a scenario (cilium-cli connectivity/tests: pod-to-pod curl on 8080, client ping, CIDR curl on 443). */
function probes(s: Case['scenarios'][number]): Probe[] {
  const srcs = s.sources ?? CLIENTS;
  const out: Probe[] = [];
  if (s.scenario === 'PodToPod') for (const src of srcs) for (const dst of s.destinations ?? ECHOES) out.push({ src, dst, protocol: 'TCP', port: 8080 });
  if (s.scenario === 'ClientToClient') for (const src of srcs) for (const dst of CLIENTS) if (dst !== src) out.push({ src, dst, protocol: 'ICMP', port: 8 * 256 });
  if (s.scenario === 'PodToCIDR') for (const src of srcs) for (const dst of s.destinations ?? EXTERNAL) out.push({ src, dst, protocol: 'TCP', port: 443 });
  return out;
}

function expected(c: Case, p: Probe): 'allow' | 'deny' {
  const rule = c.expect.find((e) => (!e.src || e.src.includes(p.src)) && (!e.dst || e.dst.includes(p.dst)));
  assert.ok(rule, `${c.name}: no expectation for ${p.src} -> ${p.dst}`);
  return rule.verdict;
}

interface ReachJson {
  endpoints: { id: string; kind: string }[];
  connections: { src: string; dst: string; protocols: Record<string, [number, number][]> }[];
}

/** Is the probe allowed in `reach --output json`? External destinations are address ranges holding the address. */
function allowed(j: ReachJson, p: Probe): boolean {
  const src = `${NS}/${p.src}`;
  const ip = parseIPv4(p.dst);
  const inRange = (id: string) => {
    const [a, b] = id.split('-').map((x) => parseIPv4(x));
    return ip !== undefined && a !== undefined && b !== undefined && a <= ip && ip <= b;
  };
  const c = j.connections.find((x) => x.src === src && (ip !== undefined ? inRange(x.dst) : x.dst === `${NS}/${p.dst}`));
  return !!c && ConnSet.fromProtocolPorts(c.protocols).has(p.protocol, p.port);
}

async function reach(args: string[]): Promise<{ json: ReachJson; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['reach', ...args, '--output', 'json'], { out: (s) => (out += s), err: (s) => (err += s) });
  assert.equal(code, 0, err);
  return { json: JSON.parse(out) as ReachJson, err };
}

const data = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as { cases: Case[] };
let total = 0;

for (const c of data.cases) {
  test(`cilium connectivity suite: ${c.name} (${c.builder})`, async () => {
    const paths = [join(dir, 'topology.yaml'), ...c.policies.map((p) => join(dir, 'policies', p))];
    const ps = c.scenarios.flatMap(probes);
    assert.ok(ps.length > 0);
    for (const cni of [[], ['--cni', 'cilium']]) {
      const { json, err } = await reach([...paths, '--default-namespace', NS, ...cni]);
      assert.equal(err.split('\n').filter((l) => / error /.test(l)).join('\n'), '', 'the manifests parse without errors');
      const wrong = ps.filter((p) => allowed(json, p) !== (expected(c, p) === 'allow')).map((p) => `${p.src} -> ${p.dst} ${p.protocol} ${p.port}: expected ${expected(c, p)}`);
      assert.deepEqual(wrong, [], `${c.name} ${cni.join(' ') || '(auto-detected CNI)'}`);
    }
    total += ps.length;
  });
}

test('cilium connectivity suite: every case was checked', () => {
  // 24 builders translated (see the README); each probe is checked twice (auto-detected CNI and --cni cilium).
  assert.equal(data.cases.length, 24);
  assert.ok(total > 100, `probes: ${total}`);
});
