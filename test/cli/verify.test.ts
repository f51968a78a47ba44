// `policy-lens verify --rules FILE PATH...`: connectivity requirements in the Policy Lens format and in np-guard's
// baseline-rules format. The np-guard run is compared with an independent evaluation: the same rules evaluated by
// hand over netpol-analyzer's expected connectivity list of the same manifests (../shared/corpora/netpol-analyzer).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnSet } from '../../server/src/core/index';
import { main } from '../../server/src/cli/main';
import { corporaDir, repoRoot } from '../helpers/paths';
import { parseConns } from '../helpers/npa-conns';

const FIX = join(repoRoot(), 'test', 'cli', 'fixtures', 'verify');
const SHOP = join(repoRoot(), 'examples', 'shop');

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

interface V {
  src: string;
  dst: string;
  protocols: Record<string, [number, number][]>;
}

test('verify np-guard baseline rules: same verdicts and offending flows as an independent evaluation over netpol-analyzer\'s connectivity list', async () => {
  const dir = join(corporaDir(), 'netpol-analyzer', 'tests', 'onlineboutique_workloads');
  const r = await run(['verify', '--rules', join(FIX, 'boutique-baseline.yaml'), dir, '--format', 'json']);
  assert.equal(r.code, 1, r.err);
  const got = JSON.parse(r.out).requirements as { name: string; status: string; violations: V[] }[];

  // The oracle: netpol-analyzer's expected connections of these manifests, and the rules evaluated by hand.
  const expectedText = readFileSync(join(corporaDir(), 'netpol-analyzer', 'test_outputs', 'connlist', 'onlineboutique_workloads_connlist_output.txt'), 'utf8');
  const allowed = new Map<string, ConnSet>();
  for (const line of expectedText.split('\n')) {
    const m = /^(\S+?)(?:\[\w+\])? => (\S+?)(?:\[\w+\])? : (.+)$/.exec(line.trim());
    if (m) allowed.set(`${m[1]} ${m[2]}`, parseConns(m[3]));
  }
  const apps = ['adservice', 'cartservice', 'checkoutservice', 'currencyservice', 'emailservice', 'frontend', 'loadgenerator', 'paymentservice', 'productcatalogservice', 'recommendationservice', 'redis-cart', 'shippingservice'].map((a) => `default/${a}`);
  const EXT = '0.0.0.0-255.255.255.255'; // no ipBlock in these manifests: one external range
  const conns = (s: string, d: string) => allowed.get(`${s} ${d}`) ?? ConnSet.EMPTY;
  const deny = (srcs: string[], dsts: string[], c?: ConnSet) => srcs.flatMap((s) => dsts.filter((d) => d !== s).flatMap((d) => {
    const bad = c ? conns(s, d).intersect(c) : conns(s, d);
    return bad.isEmpty() ? [] : [`${s} ${d} ${bad}`];
  }));
  const allow = (srcs: string[], dsts: string[], c: ConnSet) => srcs.flatMap((s) => dsts.filter((d) => d !== s).flatMap((d) => {
    const missing = c.subtract(conns(s, d));
    return missing.isEmpty() ? [] : [`${s} ${d} ${missing}`];
  }));
  const oracle: Record<string, string[]> = {
    // no `from`: every workload and every external address; no `to`: every workload
    'no-remote-shells': deny([...apps, EXT], apps, ConnSet.of('TCP', 20, 23)),
    'payments-only-from-checkout': deny([...apps.filter((a) => a !== 'default/checkoutservice')], ['default/paymentservice']),
    'frontend-reaches-cart': allow(['default/frontend'], ['default/cartservice'], ConnSet.of('TCP', 7070, 7070)),
    'load-generator-everything': allow(['default/loadgenerator'], ['default/frontend'], ConnSet.ALL),
    'no-internet-to-redis': deny([EXT], ['default/redis-cart']),
    'redis-not-to-google': deny(['default/redis-cart'], [EXT], ConnSet.of('TCP', 443, 443)),
  };
  assert.deepEqual(got.map((x) => x.name), Object.keys(oracle));
  for (const req of got) {
    const ours = req.violations.map((v) => `${v.src} ${v.dst} ${ConnSet.fromProtocolPorts(v.protocols)}`).sort();
    assert.deepEqual(ours, oracle[req.name].sort(), req.name);
    assert.equal(req.status, oracle[req.name].length ? 'violated' : 'satisfied', req.name);
  }
  // 4 of 6 violated, as the hand evaluation says
  assert.equal(got.filter((x) => x.status === 'violated').length, 4);
});

test('verify Policy Lens requirements on examples/shop: only / deny / allow / defaultDeny with offending flows and rules', async () => {
  const r = await run(['verify', '--rules', join(FIX, 'shop-requirements.yaml'), SHOP, '--format', 'json']);
  assert.equal(r.code, 1, r.err);
  const j = JSON.parse(r.out);
  const byName = new Map<string, { status: string; violations: (V & { rules: { policy: string; direction: string; ruleIndex: number; file: string; line: number }[]; notIsolated?: string[]; workload?: string; direction?: string })[] }>(j.requirements.map((x: { name: string }) => [x.name, x]));
  assert.equal(byName.get('data-only-from-backend')!.status, 'satisfied');
  assert.equal(byName.get('no-internet-to-data')!.status, 'satisfied');
  assert.equal(byName.get('web-reaches-api')!.status, 'satisfied');
  const only = byName.get('api-only-on-80')!;
  assert.equal(only.status, 'violated');
  assert.equal(only.violations.length, 1);
  assert.deepEqual([only.violations[0].src, only.violations[0].dst, only.violations[0].protocols], ['frontend/web', 'backend/api', { TCP: [[8080, 8080]] }]);
  assert.deepEqual(only.violations[0].rules.map((x) => `${x.policy} ${x.direction}[${x.ruleIndex}] ${x.file}:${x.line}`), [
    'frontend/web Egress[0] examples/shop/policies/frontend.yaml:22',
    'backend/api Ingress[0] examples/shop/policies/backend.yaml:15',
  ]);
  const dns = byName.get('nothing-from-internet-to-kube-system')!;
  assert.equal(dns.status, 'violated');
  assert.ok(dns.violations.length >= 1 && dns.violations.every((v) => v.dst === 'kube-system/coredns' && v.notIsolated?.includes('ingress')));
  const dd = byName.get('default-deny-everywhere')!;
  assert.deepEqual(dd.violations.map((v) => `${v.workload} ${v.direction}`).sort(), ['kube-system/coredns egress', 'kube-system/coredns ingress']);
  const redis = byName.get('worker-reaches-redis')!;
  assert.deepEqual(redis.violations.map((v) => [v.src, v.dst, v.protocols]), [['backend/worker', 'data/redis', { TCP: [[6379, 6379]] }]]);
  assert.deepEqual(j.summary, { total: 7, violated: 4, invalid: 0 });
  // text and markdown
  const text = await run(['verify', '--rules', join(FIX, 'shop-requirements.yaml'), SHOP]);
  assert.match(text.out, /^PASS data-only-from-backend/m);
  assert.match(text.out, /^FAIL api-only-on-80/m);
  assert.match(text.out, /^4 requirement\(s\) \(out of 7\) violated\.$/m);
  const md = await run(['verify', '--rules', join(FIX, 'shop-requirements.yaml'), SHOP, '--format', 'markdown']);
  assert.match(md.out, /:x: \*\*api-only-on-80\*\* is violated/);
  assert.match(md.out, /\| `frontend\/web` \| `backend\/api` \| TCP 8080 \| frontend\/web egress\[0\], backend\/api ingress\[0\] \|/);
});

test('verify exits 0 when every requirement holds, 2 on a bad rules file or usage', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pl-verify-'));
  const ok = join(dir, 'ok.yaml');
  writeFileSync(ok, 'requirements:\n  - name: data-only-from-backend\n    only: {to: {namespace: data}, from: {namespace: backend}, ports: [TCP/5432]}\n  - name: no-internet-to-data\n    deny: {from: internet, to: "data/*"}\n');
  const r = await run(['verify', '--rules', ok, SHOP]);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /All 2 requirement\(s\) hold\./);
  const bad = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return run(['verify', '--rules', p, SHOP]);
  };
  assert.equal((await bad('two.yaml', 'requirements:\n  - name: x\n    allow: {to: a/b}\n    deny: {to: a/b}\n')).code, 2, 'two kinds in one requirement');
  assert.equal((await bad('field.yaml', 'requirements:\n  - name: x\n    deny: {to: a/b, port: 80}\n')).code, 2, 'unknown field');
  assert.equal((await bad('ports.yaml', 'requirements:\n  - name: x\n    deny: {to: a/b, ports: [TCP/99999]}\n')).code, 2, 'bad port');
  assert.equal((await bad('sel.yaml', 'requirements:\n  - name: x\n    deny: {to: {labels: "app in (a"}}\n')).code, 2, 'bad selector');
  assert.equal((await bad('np.yaml', '- name: x\n  action: maybe\n')).code, 2, 'bad np-guard action');
  assert.equal((await bad('yaml.yaml', 'requirements: [\n')).code, 2, 'broken YAML');
  assert.equal((await run(['verify', SHOP])).code, 2, '--rules missing');
  assert.equal((await run(['verify', '--rules', ok])).code, 2, 'PATH missing');
  assert.equal((await run(['verify', '--rules', join(dir, 'missing.yaml'), SHOP])).code, 2);
  const help = await run(['verify', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /baseline rules/);
});

test('the documented example requirements hold for examples/shop', async () => {
  const r = await run(['verify', '--rules', join(repoRoot(), 'examples', 'verify', 'shop-requirements.yaml'), SHOP]);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /All 4 requirement\(s\) hold\./);
});

test('--help for every command', async () => {
  for (const cmd of ['reach', 'check', 'diff', 'verify', 'mcp']) {
    const r = await run([cmd, '--help']);
    assert.equal(r.code, 0, cmd);
    assert.match(r.out, new RegExp(`policy-lens ${cmd}`), cmd);
  }
  const top = await run(['--help']);
  for (const cmd of ['reach', 'check', 'diff', 'verify', 'mcp']) assert.match(top.out, new RegExp(`policy-lens ${cmd}`));
  assert.equal((await run(['mcp', 'a', 'b'])).code, 2);
});
