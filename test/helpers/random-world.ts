// Random small worlds (namespaces, pods, Kubernetes and Calico policies) as YAML documents, and random edits of
// them, for property tests of the evaluator (incremental = from scratch, compact payload = expanded result).
import fc from 'fast-check';

export interface World {
  namespaces: { name: string; team: string }[];
  pods: { name: string; ns: string; app: string; tier: string; http: number }[];
  k8s: K8sPolicy[];
  calico: CalicoPolicyGen[];
}

export interface K8sPolicy {
  name: string;
  ns: string;
  app?: string;
  types: ('Ingress' | 'Egress')[];
  ingress: RuleGen[];
  egress: RuleGen[];
}

export interface RuleGen {
  peer?: { kind: 'pod'; app: string } | { kind: 'ns'; team: string } | { kind: 'both'; team: string; app: string } | { kind: 'ip'; a: number; except: boolean };
  port?: number | 'http' | 'range';
}

export interface CalicoPolicyGen {
  name: string;
  ns?: string;
  order: number;
  tier: 'default' | 'platform';
  app?: string;
  rules: { action: 'Allow' | 'Deny' | 'Pass' | 'Log'; dir: 'Ingress' | 'Egress'; app?: string; port?: number; nets?: number }[];
}

const app = fc.constantFrom('a0', 'a1', 'a2');
const rule: fc.Arbitrary<RuleGen> = fc.record(
  {
    peer: fc.option(
      fc.oneof(
        fc.record({ kind: fc.constant('pod' as const), app }),
        fc.record({ kind: fc.constant('ns' as const), team: fc.constantFrom('t0', 't1') }),
        fc.record({ kind: fc.constant('both' as const), team: fc.constantFrom('t0', 't1'), app }),
        fc.record({ kind: fc.constant('ip' as const), a: fc.integer({ min: 0, max: 2 }), except: fc.boolean() }),
      ),
      { nil: undefined },
    ),
    port: fc.option(fc.constantFrom(80, 443, 'http' as const, 'range' as const), { nil: undefined }),
  },
  { requiredKeys: [] },
);

export const k8sPolicy = (i: number): fc.Arbitrary<K8sPolicy> =>
  fc.record({
    name: fc.constant(`p${i}`),
    ns: fc.constantFrom('ns0', 'ns1'),
    app: fc.option(app, { nil: undefined }),
    types: fc.constantFrom<('Ingress' | 'Egress')[]>(['Ingress'], ['Egress'], ['Ingress', 'Egress']),
    ingress: fc.array(rule, { maxLength: 2 }),
    egress: fc.array(rule, { maxLength: 2 }),
  });

export const calicoPolicy = (i: number): fc.Arbitrary<CalicoPolicyGen> =>
  fc.record({
    name: fc.constant(`c${i}`),
    ns: fc.option(fc.constantFrom('ns0', 'ns1'), { nil: undefined }),
    order: fc.integer({ min: 1, max: 3 }).map((x) => x * 100),
    tier: fc.constantFrom('default' as const, 'platform' as const),
    app: fc.option(app, { nil: undefined }),
    rules: fc.array(
      fc.record({
        action: fc.constantFrom('Allow' as const, 'Deny' as const, 'Pass' as const, 'Log' as const),
        dir: fc.constantFrom('Ingress' as const, 'Egress' as const),
        app: fc.option(app, { nil: undefined }),
        port: fc.option(fc.constantFrom(80, 443), { nil: undefined }),
        nets: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
      }),
      { maxLength: 3 },
    ),
  });

export const world = (withCalico: boolean): fc.Arbitrary<World> =>
  fc.record({
    namespaces: fc.constant([
      { name: 'ns0', team: 't0' },
      { name: 'ns1', team: 't1' },
      { name: 'ns2', team: 't0' },
    ]),
    pods: fc
      .array(fc.record({ ns: fc.constantFrom('ns0', 'ns1', 'ns2'), app, tier: fc.constantFrom('x', 'y'), http: fc.constantFrom(80, 8080) }), { minLength: 2, maxLength: 7 })
      .map((ps) => ps.map((p, i) => ({ ...p, name: `w${i}` }))),
    k8s: fc.integer({ min: 0, max: 4 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => k8sPolicy(i)))),
    calico: withCalico ? fc.integer({ min: 0, max: 3 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => calicoPolicy(i)))) : fc.constant([]),
  });

function ruleYaml(r: RuleGen, dir: 'ingress' | 'egress'): string {
  const peerKey = dir === 'ingress' ? 'from' : 'to';
  const parts: string[] = [];
  if (r.peer) {
    const p = r.peer;
    const peer =
      p.kind === 'pod'
        ? `{podSelector: {matchLabels: {app: ${p.app}}}}`
        : p.kind === 'ns'
          ? `{namespaceSelector: {matchLabels: {team: ${p.team}}}}`
          : p.kind === 'both'
            ? `{namespaceSelector: {matchLabels: {team: ${p.team}}}, podSelector: {matchLabels: {app: ${p.app}}}}`
            : `{ipBlock: {cidr: 10.${p.a}.0.0/16${p.except ? `, except: [10.${p.a}.1.0/24]` : ''}}}`;
    parts.push(`${peerKey}: [${peer}]`);
  }
  if (r.port !== undefined) parts.push(r.port === 'range' ? 'ports: [{port: 8000, endPort: 8100}]' : `ports: [{port: ${r.port}}]`);
  return `{${parts.join(', ')}}`;
}

/** One YAML document per object, in a stable order (namespaces, pods, policies). */
export function documents(w: World): string[] {
  const docs: string[] = [];
  for (const n of w.namespaces) docs.push(`apiVersion: v1\nkind: Namespace\nmetadata: {name: ${n.name}, labels: {team: ${n.team}}}\n`);
  for (const p of w.pods) {
    docs.push(`apiVersion: v1\nkind: Pod\nmetadata: {name: ${p.name}, namespace: ${p.ns}, labels: {app: ${p.app}, tier: ${p.tier}}}\nspec: {containers: [{name: c, image: x, ports: [{name: http, containerPort: ${p.http}}]}]}\n`);
  }
  for (const p of w.k8s) {
    docs.push(
      `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${p.name}, namespace: ${p.ns}}\nspec:\n  podSelector: ${p.app ? `{matchLabels: {app: ${p.app}}}` : '{}'}\n  policyTypes: [${p.types.join(', ')}]\n  ingress: [${p.ingress.map((r) => ruleYaml(r, 'ingress')).join(', ')}]\n  egress: [${p.egress.map((r) => ruleYaml(r, 'egress')).join(', ')}]\n`,
    );
  }
  if (w.calico.length) docs.push(`apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: platform}\nspec: {order: 100, defaultAction: Pass}\n`);
  for (const p of w.calico) {
    const kind = p.ns ? 'NetworkPolicy' : 'GlobalNetworkPolicy';
    const name = p.tier === 'default' ? p.name : `platform.${p.name}`;
    const rules = (dir: 'Ingress' | 'Egress') =>
      p.rules
        .filter((r) => r.dir === dir)
        .map((r) => {
          const ent: string[] = [];
          if (r.app) ent.push(`selector: app == '${r.app}'`);
          if (r.nets !== undefined) ent.push(`nets: [10.${r.nets}.0.0/16]`);
          const peer = ent.length ? `, ${dir === 'Ingress' ? 'source' : 'destination'}: {${ent.join(', ')}}` : '';
          const port = r.port !== undefined ? `, protocol: TCP, destination: {ports: [${r.port}]}` : '';
          // a destination with both selector/nets and ports: merge into one mapping
          if (dir === 'Egress' && ent.length && r.port !== undefined) return `{action: ${r.action}, protocol: TCP, destination: {${ent.join(', ')}, ports: [${r.port}]}}`;
          return `{action: ${r.action}${peer}${port}}`;
        });
    const ing = rules('Ingress');
    const eg = rules('Egress');
    const types = [ing.length || !eg.length ? 'Ingress' : '', eg.length ? 'Egress' : ''].filter(Boolean);
    docs.push(
      `apiVersion: projectcalico.org/v3\nkind: ${kind}\nmetadata: {name: ${name}${p.ns ? `, namespace: ${p.ns}` : ''}}\nspec:\n  tier: ${p.tier}\n  order: ${p.order}\n  selector: ${p.app ? `app == '${p.app}'` : 'all()'}\n  types: [${types.join(', ')}]\n  ingress: [${ing.join(', ')}]\n  egress: [${eg.join(', ')}]\n`,
    );
  }
  return docs;
}

/** A random edit of a world: relabel a pod, change a port, add/remove a pod or policy, relabel a namespace. */
export type Edit = { kind: 'relabel'; pod: number; app: string } | { kind: 'port'; policy: number; port: number } | { kind: 'addPod'; ns: string; app: string } | { kind: 'dropPod'; pod: number } | { kind: 'dropPolicy'; policy: number } | { kind: 'addPolicy'; policy: K8sPolicy } | { kind: 'nsTeam'; ns: number; team: string } | { kind: 'calicoAction'; policy: number; action: 'Allow' | 'Deny' | 'Pass' | 'Log' };

export const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('relabel' as const), pod: fc.nat(20), app }),
  fc.record({ kind: fc.constant('port' as const), policy: fc.nat(20), port: fc.constantFrom(80, 443, 9090) }),
  fc.record({ kind: fc.constant('addPod' as const), ns: fc.constantFrom('ns0', 'ns1', 'ns2'), app }),
  fc.record({ kind: fc.constant('dropPod' as const), pod: fc.nat(20) }),
  fc.record({ kind: fc.constant('dropPolicy' as const), policy: fc.nat(20) }),
  k8sPolicy(99).map((p) => ({ kind: 'addPolicy' as const, policy: p })),
  fc.record({ kind: fc.constant('nsTeam' as const), ns: fc.nat(2), team: fc.constantFrom('t0', 't1') }),
  fc.record({ kind: fc.constant('calicoAction' as const), policy: fc.nat(20), action: fc.constantFrom('Allow' as const, 'Deny' as const, 'Pass' as const, 'Log' as const) }),
);

export function applyEdit(w: World, e: Edit): World {
  const c: World = JSON.parse(JSON.stringify(w));
  switch (e.kind) {
    case 'relabel':
      if (c.pods.length) c.pods[e.pod % c.pods.length].app = e.app;
      break;
    case 'port':
      if (c.k8s.length) {
        const p = c.k8s[e.policy % c.k8s.length];
        const rs = [...p.ingress, ...p.egress];
        if (rs.length) rs[e.policy % rs.length].port = e.port;
      }
      break;
    case 'addPod':
      c.pods.push({ name: `n${c.pods.length}x${e.app}`, ns: e.ns, app: e.app, tier: 'x', http: 80 });
      break;
    case 'dropPod':
      if (c.pods.length > 1) c.pods.splice(e.pod % c.pods.length, 1);
      break;
    case 'dropPolicy':
      if (c.k8s.length) c.k8s.splice(e.policy % c.k8s.length, 1);
      break;
    case 'addPolicy':
      c.k8s.push({ ...e.policy, name: `q${c.k8s.length}` });
      break;
    case 'nsTeam':
      c.namespaces[e.ns].team = e.team;
      break;
    case 'calicoAction':
      if (c.calico.length) {
        const p = c.calico[e.policy % c.calico.length];
        if (p.rules.length) p.rules[e.policy % p.rules.length].action = e.action;
      }
      break;
  }
  return c;
}
