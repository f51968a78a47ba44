// ClusterNetworkPolicy conformance: the upstream suite of kubernetes-sigs/network-policy-api (conformance/tests/*.go,
// PokeServer expectations over conformance/base manifests, commit 0eec1b0) translated into data under
// test/conformance/cnp-upstream/ (see its README for how each case was derived and what was left out).
//
// Every step of a case applies its mutations (cumulatively, as the upstream tests patch the live objects), writes the
// topology and the policies to a folder, runs `policy-lens reach DIR --output json` and checks every probe
// "client pod -> server pod, protocol, port: connects or not" against the JSON connections. Each step runs twice:
// as a Kubernetes world, and with a Calico resource present (then ClusterNetworkPolicies are evaluated in the Calico
// tiers kube-admin / kube-baseline as Calico 3.32 does); both must give the upstream verdicts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { main } from '../../server/src/cli/main';
import { repoRoot } from '../helpers/paths';

const DIR = join(repoRoot(), 'test', 'conformance', 'cnp-upstream');

type Json = Record<string, unknown>;
type Probe = [client: string, server: string, protocol: 'tcp' | 'udp' | 'sctp', port: number, connects: boolean];
type Mutation =
  | { op: 'swapRules'; policy: string; direction: 'ingress' | 'egress'; a: number; b: number }
  | { op: 'setPriority'; policy: string; priority: number }
  | { op: 'setAction'; policy: string; direction: 'ingress' | 'egress'; index: number; action: string }
  | { op: 'setProtocols'; policy: string; direction: 'ingress' | 'egress'; index: number; protocols: Json[] }
  | { op: 'insertRule'; policy: string; direction: 'ingress' | 'egress'; index: number; rule: Json }
  | { op: 'delete'; kind: string; namespace?: string; name: string }
  | { op: 'setNamespaceLabels'; namespace: string; labels: Record<string, string> };
interface Step {
  subtest: string;
  mutations: Mutation[];
  probes: Probe[];
}
interface Case {
  test: string;
  upstream: string;
  manifest: string;
  features: string[];
  steps: Step[];
}

// ---------------------------------------------------------------- topology (conformance/base/manifests.yaml)

/** Houses (namespace label conformance-house) and the StatefulSet of each, two replicas per StatefulSet. */
const HOUSES: [house: string, workload: string][] = [
  ['gryffindor', 'harry-potter'],
  ['slytherin', 'draco-malfoy'],
  ['hufflepuff', 'cedric-diggory'],
  ['ravenclaw', 'luna-lovegood'],
];
const nsOf = (house: string) => `network-policy-conformance-${house}`;
/** Pod IP of replica `i` of the house's StatefulSet (a made-up, stable address plan). */
const ipOf = (house: string, i: number) => `10.244.${HOUSES.findIndex((h) => h[0] === house) + 1}.${10 + i}`;
/** "gryffindor/harry-potter-0" -> its IP. */
function podIP(short: string): string {
  const [house, pod] = short.split('/');
  return ipOf(house, Number(pod.slice(pod.lastIndexOf('-') + 1)));
}

/**
 * Namespaces and pods: every replica is a Pod of its own (no owner reference, so probes can name replicas and CIDR
 * peers can single one out by its status.podIP), serving TCP 80 (`web`), TCP 8080, UDP 5353, UDP 53 (`dns`),
 * SCTP 9003 and SCTP 9005 like the upstream pods.
 */
function topology(nsLabels: Map<string, Record<string, string>>, folded = false): Json[] {
  const out: Json[] = [];
  if (folded) return [...topology(nsLabels).filter((o) => o.kind === 'Namespace'), ...statefulSets()];
  for (const [house] of HOUSES) out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: nsOf(house), labels: nsLabels.get(house) ?? { 'conformance-house': house } } });
  out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: nsOf('forbidden-forrest'), labels: { 'conformance-house': 'forbidden-forrest' } } });
  for (const [house, wl] of HOUSES) {
    for (const i of [0, 1]) {
      out.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `${wl}-${i}`, namespace: nsOf(house), labels: { 'conformance-house': house } },
        spec: {
          containers: [
            { name: 'web', image: 'agnhost', ports: [{ containerPort: 80, protocol: 'TCP', name: 'web' }, { containerPort: 8080, protocol: 'TCP' }] },
            { name: 'udp', image: 'agnhost', ports: [{ containerPort: 53, protocol: 'UDP', name: 'dns' }, { containerPort: 5353, protocol: 'UDP' }] },
            { name: 'sctp', image: 'agnhost', ports: [{ containerPort: 9003, protocol: 'SCTP' }, { containerPort: 9005, protocol: 'SCTP' }] },
          ],
        },
        status: { podIP: ipOf(house, i), podIPs: [{ ip: ipOf(house, i) }] },
      });
    }
  }
  return out;
}

/** The upstream shape: one StatefulSet per house (two replicas, no pod IPs in the manifests). */
function statefulSets(): Json[] {
  return HOUSES.map(([house, wl]) => ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: wl, namespace: nsOf(house) },
    spec: {
      replicas: 2,
      selector: { matchLabels: { 'conformance-house': house } },
      template: {
        metadata: { labels: { 'conformance-house': house } },
        spec: {
          containers: [
            { name: `${wl}-80`, image: 'agnhost', ports: [{ containerPort: 80, protocol: 'TCP', name: 'web' }] },
            { name: `${wl}-53`, image: 'agnhost', ports: [{ containerPort: 53, protocol: 'UDP', name: 'dns' }] },
          ],
        },
      },
    },
  }));
}

// ---------------------------------------------------------------- mutations (what the Go tests patch)

function findObject(objs: Json[], kind: string, name: string, namespace?: string): Json {
  const o = objs.find((x) => x.kind === kind && (x.metadata as Json).name === name && (namespace === undefined || (x.metadata as Json).namespace === namespace));
  assert.ok(o, `no ${kind} ${namespace ? `${namespace}/` : ''}${name} in the manifest`);
  return o;
}

function rulesOf(objs: Json[], policy: string, direction: 'ingress' | 'egress'): Json[] {
  const spec = findObject(objs, 'ClusterNetworkPolicy', policy).spec as Json;
  const rules = spec[direction] as Json[] | undefined;
  assert.ok(rules, `${policy} has no ${direction} rules`);
  return rules;
}

function substituteIPs(v: unknown): unknown {
  if (typeof v === 'string') return v.replace(/\$\{([\w-]+\/[\w-]+)\}/g, (_, p: string) => podIP(p));
  if (Array.isArray(v)) return v.map(substituteIPs);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substituteIPs(x)]));
  return v;
}

function apply(objs: Json[], nsLabels: Map<string, Record<string, string>>, m: Mutation): Json[] {
  switch (m.op) {
    case 'swapRules': {
      const r = rulesOf(objs, m.policy, m.direction);
      [r[m.a], r[m.b]] = [r[m.b], r[m.a]];
      return objs;
    }
    case 'setPriority':
      (findObject(objs, 'ClusterNetworkPolicy', m.policy).spec as Json).priority = m.priority;
      return objs;
    case 'setAction':
      rulesOf(objs, m.policy, m.direction)[m.index].action = m.action;
      return objs;
    case 'setProtocols':
      rulesOf(objs, m.policy, m.direction)[m.index].protocols = m.protocols;
      return objs;
    case 'insertRule':
      rulesOf(objs, m.policy, m.direction).splice(m.index, 0, substituteIPs(m.rule) as Json);
      return objs;
    case 'delete': {
      const o = findObject(objs, m.kind, m.name, m.namespace ? nsOf(m.namespace) : undefined);
      return objs.filter((x) => x !== o);
    }
    case 'setNamespaceLabels':
      nsLabels.set(m.namespace, m.labels);
      return objs;
  }
}

// ---------------------------------------------------------------- running one step through the CLI

interface ReachJson {
  endpoints: { id: string; kind: string }[];
  connections: { src: string; dst: string; protocols: Record<string, [number, number][]> }[];
}

async function reachJson(docs: Json[]): Promise<{ json: ReachJson; err: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'cnp-upstream-'));
  try {
    writeFileSync(join(dir, 'world.yaml'), docs.map((d) => stringify(d)).join('---\n'));
    let out = '';
    let err = '';
    const code = await main(['reach', dir, '--output', 'json'], { out: (s) => (out += s), err: (s) => (err += s) });
    assert.equal(code, 0, err);
    return { json: JSON.parse(out) as ReachJson, err };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** "gryffindor/harry-potter-0" -> the StatefulSet workload "gryffindor/harry-potter". */
const folded = (p: string) => p.replace(/-\d+$/, '');

function connects(r: ReachJson, client: string, server: string, protocol: string, port: number): boolean {
  const [ch, cp] = client.split('/');
  const [sh, sp] = server.split('/');
  const c = r.connections.find((x) => x.src === `${nsOf(ch)}/${cp}` && x.dst === `${nsOf(sh)}/${sp}`);
  return !!c && (c.protocols[protocol.toUpperCase()] ?? []).some(([lo, hi]) => lo <= port && port <= hi);
}

/** A Calico resource that changes nothing but makes the world a Calico one (a network set of TEST-NET-1). */
const CALICO_MARKER: Json = { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkSet', metadata: { name: 'conformance-marker', labels: { marker: 'true' } }, spec: { nets: ['192.0.2.0/24'] } };

const cases: Case[] = readdirSync(join(DIR, 'cases'))
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(DIR, 'cases', f), 'utf8')) as Case);

test('the translation covers 22 upstream ConformanceTests, 87 subtests and 292 PokeServer probes', () => {
  assert.equal(cases.length, 22);
  const subtests = new Set(cases.flatMap((c) => c.steps.map((s) => `${c.test}:${s.subtest.replace(/ \(after .*\)$/, '')}`)));
  assert.equal(subtests.size, 87);
  assert.equal(cases.reduce((n, c) => n + c.steps.reduce((m, s) => m + s.probes.length, 0), 0), 292);
});

// The same cases over the upstream topology as written (StatefulSets, pods folded into them, no pod IPs): every
// probe between two different StatefulSets whose step does not single out a replica by its IP (the inserted /32
// rules of the inline-CIDR tests). Policy Lens then relies on 0.0.0.0/0 covering every pod (networks peers).
for (const c of cases) {
  test(`[CNP-CONFORMANCE] ${c.test} over StatefulSets without pod IPs`, async (t) => {
    const text = readFileSync(join(DIR, c.manifest), 'utf8');
    let objs = parseAllDocuments(text)
      .map((d) => d.toJS() as Json)
      .filter((x) => x && typeof x === 'object');
    const nsLabels = new Map<string, Record<string, string>>();
    let byIP = false;
    for (const step of c.steps) {
      for (const m of step.mutations) {
        if (m.op === 'insertRule' && JSON.stringify(m.rule).includes('${')) byIP = true;
        objs = apply(objs, nsLabels, m);
      }
      const probes = step.probes.filter(([cl, sv]) => folded(cl) !== folded(sv));
      if (byIP || probes.length === 0) continue;
      await t.test(step.subtest, async () => {
        const { json } = await reachJson([...topology(nsLabels, true), ...objs]);
        const wrong = probes.filter(([cl, sv, proto, port, ok]) => connects(json, folded(cl), folded(sv), proto, port) !== ok);
        assert.deepEqual(wrong.map(([cl, sv, proto, port, ok]) => `${folded(cl)} -> ${folded(sv)} ${proto}/${port}: expected ${ok ? 'connect' : 'no connection'}`), []);
      });
    }
  });
}

for (const c of cases) {
  for (const world of ['Kubernetes', 'Calico'] as const) {
    test(`[CNP-CONFORMANCE] ${c.test} (${c.upstream}) as a ${world} world`, async (t) => {
      const text = readFileSync(join(DIR, c.manifest), 'utf8');
      let objs = parseAllDocuments(text)
        .map((d) => d.toJS() as Json)
        .filter((x) => x && typeof x === 'object');
      const nsLabels = new Map<string, Record<string, string>>();
      for (const step of c.steps) {
        for (const m of step.mutations) objs = apply(objs, nsLabels, m);
        await t.test(step.subtest, async () => {
          const docs = [...topology(nsLabels), ...objs, ...(world === 'Calico' ? [CALICO_MARKER] : [])];
          const { json } = await reachJson(docs);
          const wrong = step.probes.filter(([cl, sv, proto, port, ok]) => connects(json, cl, sv, proto, port) !== ok);
          assert.deepEqual(
            wrong.map(([cl, sv, proto, port, ok]) => `${cl} -> ${sv} ${proto}/${port}: expected ${ok ? 'connect' : 'no connection'}`),
            [],
          );
        });
      }
    });
  }
}
