// Semantic lints for ClusterNetworkPolicy / AdminNetworkPolicy / BaselineAdminNetworkPolicy that need the rule
// order or the whole workspace. (Shape and CRD-validation problems are reported by ./parse.ts.) Pure: no LSP imports.
//
// Sources (kubernetes-sigs/network-policy-api): apis/v1alpha2/clusternetworkpolicy_types.go — "If two (or more)
// policies in the same tier with the same priority could match a connection, then the implementation can apply any
// of the matching policies"; rules in written order, the first rule has the highest precedence; the Admin tier's
// Accept/Deny is final ("no further evaluation"), and NetworkPolicy cannot override it. v1alpha1 ANP/BANP are
// superseded by v1alpha2 ClusterNetworkPolicy (CHANGELOG v0.2.0, site-src/blog/posts/ClusterNetworkPolicy.md).
import type { Cluster, LabelSelector, SourceRange } from '../../model';
import { ConnSet } from '../../ports';
import { selectorKey, isEmptySelector } from '../../selectors';
import type { Analysis } from '../../analysis';
import type { Direction, Matcher, Policy, Rule } from '../../policy/ir';
import { rulesOf } from '../../policy/ir';
import { resolveConns } from '../../policy/evaluate';
import { domainMatches } from '../../policy/matchers';
import type { Finding } from '../../lint/workspace-rules';
import { describeConns } from '../../explain/format';
import { evaluatedClusterPolicies, peerFailure } from './lower';
import type { ClusterPeer, ClusterPolicy, ClusterPort, ClusterRule } from './model';
import { rulesOfPolicy } from './model';

function add(out: Finding[], code: string, severity: Finding['severity'], message: string, range: SourceRange | undefined, fix?: Finding['fix']): void {
  if (range) out.push({ code, severity, message, range, fix });
}

function where(r: SourceRange | undefined): string {
  return r ? `${r.file.replace(/^.*[\\/]/, '')}:${r.start.line + 1}` : 'another document';
}

const DIALECTS = new Set(['cnp', 'anp', 'banp']);

/** The lowered Policy of a parsed cluster policy in the analysis model (by uid). */
function loweredPolicies(a: Analysis): Map<string, Policy> {
  const m = new Map<string, Policy>();
  for (const t of a.model.tiers) for (const p of t.policies) if (DIALECTS.has(p.dialect)) m.set(p.uid, p);
  return m;
}

const uidOf = (p: ClusterPolicy) => `${p.kind} ${p.name}`;

export interface ClusterLintOptions {
  /** The workspace analysis (built lazily by the caller); needed by the engine-based lints. */
  analysis: () => Analysis;
  /** The CNI the workspace is evaluated as (default: Calico when it has Calico resources). */
  cni?: 'kubernetes' | 'calico' | 'cilium';
}

export function lintClusterPolicies(cluster: Cluster, opts: ClusterLintOptions): Finding[] {
  const out: Finding[] = [];
  const all = cluster.clusterPolicies ?? [];
  if (all.length === 0) return out;
  const calico = opts.cni ? opts.cni === 'calico' : !!cluster.calico && (cluster.calico.policies.length > 0 || cluster.calico.networkSets.length > 0 || cluster.calico.tiers.length > 0);
  for (const p of all) {
    deprecated(p, cluster, out);
    for (const r of rulesOfPolicy(p)) {
      nodesNotModelled(r, cluster, calico, out);
      calicoUnsupported(r, calico, out);
    }
    shadowedRules(p, out);
  }
  const evaluated = evaluatedClusterPolicies(all);
  if (evaluated.length === 0) return out;
  const a = opts.analysis();
  priorityTies(evaluated, a, out);
  overridesNetworkPolicy(a, out);
  return out;
}

// ---------------------------------------------------------------- deprecation

function deprecated(p: ClusterPolicy, cluster: Cluster, out: Finding[]): void {
  if (p.kind === 'ClusterNetworkPolicy') return;
  const calico = cluster.calico ? ' Calico 3.32 no longer implements it.' : '';
  add(
    out,
    'anp-deprecated',
    'warning',
    `${p.kind} (policy.networking.k8s.io/v1alpha1) is deprecated: ClusterNetworkPolicy v1alpha2 replaces it (tier ${p.tier}${p.kind === 'AdminNetworkPolicy' ? `, priority ${p.priority ?? '?'}` : ''}, action Allow → Accept, ports → protocols).${calico} Use the quick fix "Migrate to ClusterNetworkPolicy"; Policy Lens offers it only when the migrated policy gives the same verdicts for every pair.`,
    p.nameRange ?? p.range,
    { kind: 'migrate-to-cnp' },
  );
}

// ---------------------------------------------------------------- peers Policy Lens cannot evaluate fully

function nodesNotModelled(r: ClusterRule, cluster: Cluster, calico: boolean, out: Finding[]): void {
  if (calico || (cluster.nodes && cluster.nodes.length)) return;
  for (const peer of r.peers) {
    if (!peer.nodes) continue;
    add(out, 'cnp-nodes-not-modelled', 'info', 'This `nodes` peer selects Nodes by label, but the workspace has no Node objects: Policy Lens does not know the node addresses and lets the peer match nothing. Add the Node manifests (metadata.labels and status.addresses) to evaluate it.', peer.range);
  }
}

function calicoUnsupported(r: ClusterRule, calico: boolean, out: Finding[]): void {
  if (!calico) return;
  for (const peer of r.peers) {
    if (!peer.nodes && !peer.domainNames) continue;
    const what = peer.nodes ? 'nodes' : 'domainNames';
    const effect = r.action === 'Accept' || r.action === 'Allow' ? 'the rule matches nothing' : 'the rule denies all traffic';
    add(out, 'cnp-calico-unsupported-peer', 'warning', `Calico 3.32 does not support \`${what}\` peers in ClusterNetworkPolicy: it fails the rule closed (${effect}). Policy Lens evaluates this workspace as Calico does (Calico resources, or the CNI setting).`, peer.range);
  }
}

// ---------------------------------------------------------------- shadowed rules (structural, no false positives)

function selectorCovers(a: LabelSelector | undefined, b: LabelSelector | undefined): boolean {
  if (!a || isEmptySelector(a)) return true;
  return !!b && selectorKey(a) === selectorKey(b);
}

function netContains(outer: { lo: bigint; hi: bigint; family: number }, inner: { lo: bigint; hi: bigint; family: number }): boolean {
  return outer.family === inner.family && outer.lo <= inner.lo && inner.hi <= outer.hi;
}

/** Does peer `a` match every endpoint peer `b` matches (provable from the fields alone)? */
function peerCovers(a: ClusterPeer, b: ClusterPeer): boolean {
  if (!a.kind || !b.kind) return false;
  if ((a.kind === 'namespaces' || a.kind === 'pods') && (b.kind === 'namespaces' || b.kind === 'pods')) {
    if (!selectorCovers(a.namespaceSelector, b.namespaceSelector)) return false;
    if (a.kind === 'namespaces') return true;
    return selectorCovers(a.podSelector, b.kind === 'pods' ? b.podSelector : undefined);
  }
  if (a.kind === 'networks' && b.kind === 'networks') {
    return (b.networks ?? []).every((nb) => nb.cidr && (a.networks ?? []).some((na) => na.cidr && netContains(na.cidr, nb.cidr!)));
  }
  if (a.kind === 'domainNames' && b.kind === 'domainNames') {
    return (b.domainNames ?? []).every((nb) => (a.domainNames ?? []).some((na) => na.text.toLowerCase() === nb.text.toLowerCase() || (!nb.text.startsWith('*.') && domainMatches(na.text.toLowerCase(), nb.text.toLowerCase()))));
  }
  if (a.kind === 'nodes' && b.kind === 'nodes') return selectorCovers(a.nodes, b.nodes);
  return false;
}

function portCovers(a: ClusterPort, b: ClusterPort): boolean {
  if (a.name !== undefined || b.name !== undefined) return a.name !== undefined && a.name === b.name;
  if (a.protocol !== b.protocol) return false;
  if (a.start === undefined) return true;
  return b.start !== undefined && a.start <= b.start && (b.end ?? b.start) <= (a.end ?? a.start);
}

function ruleCovers(a: ClusterRule, b: ClusterRule): boolean {
  if (!a.action || a.peers.length === 0 || b.peers.length === 0) return false;
  if (a.peers.some((p) => peerFailure(p, false)) || b.peers.some((p) => peerFailure(p, false))) return false;
  if (a.ports && (!b.ports || !b.ports.every((pb) => a.ports!.some((pa) => portCovers(pa, pb))))) return false;
  return b.peers.every((pb) => a.peers.some((pa) => peerCovers(pa, pb)));
}

function shadowedRules(p: ClusterPolicy, out: Finding[]): void {
  for (const rules of [p.ingress, p.egress]) {
    rules.forEach((r, i) => {
      if (!r.action) return;
      const earlier = rules.slice(0, i).find((e) => ruleCovers(e, r));
      if (!earlier) return;
      const label = (x: ClusterRule) => `${x.direction.toLowerCase()} rule ${x.index + 1}${x.name ? ` (${x.name})` : ''}`;
      add(
        out,
        'cnp-shadowed-rule',
        'warning',
        `This ${r.action} rule can never match: ${label(earlier)} above it (${earlier.action}) already matches every peer and port it would, and the first matching rule decides.`,
        r.actionRange ?? r.range,
      );
    });
  }
}

// ---------------------------------------------------------------- same priority in one tier

/** Every workload index a list of peers (undefined = all) matches. */
function peerSet(a: Analysis, peers: Matcher[] | undefined): Set<number> {
  const s = new Set<number>();
  if (!peers) {
    a.world.workloads.forEach((_, i) => s.add(i));
    return s;
  }
  for (const m of peers) for (const i of m.workloads(a.world)) s.add(i);
  return s;
}

/** External columns a list of peers matches (undefined = all). */
function peerExternals(a: Analysis, peers: Matcher[] | undefined): Set<number> {
  const s = new Set<number>();
  a.evaluation.externals.forEach((x, k) => {
    if (!peers || peers.some((m) => (x.atom ? m.matchesAtom(x.atom) : m.matchesDomain?.(x.domain!) ?? false))) s.add(k);
  });
  return s;
}

/** One workload per class (workloads of a class match the same matchers: one stands for all). */
function classReps(a: Analysis, ws: Iterable<number>): number[] {
  const seen = new Map<number, number[]>();
  for (const i of ws) {
    const c = a.classOf[i];
    const l = seen.get(c);
    if (!l) seen.set(c, [i]);
    else if (l.length < 2) l.push(i);
  }
  // Two members per class, so a pair inside one class (two different workloads) is still found.
  return [...seen.values()].flat();
}

/** A pair both rules can match, described in words, or undefined. */
function commonTraffic(a: Analysis, d: Direction, subjects: number[], r: Rule, s: Rule): string | undefined {
  const ws = a.world.workloads;
  const ps = peerSet(a, s.peers);
  const pr = classReps(a, [...peerSet(a, r.peers)].filter((q) => ps.has(q)));
  for (const self of classReps(a, subjects)) {
    for (const q of pr) {
      if (q === self) continue;
      const dst = d === 'Ingress' ? ws[self] : ws[q];
      const c = resolveConns(r.conns, dst).intersect(resolveConns(s.conns, dst));
      if (!c.isEmpty()) return d === 'Ingress' ? `${describeConns(c, a.universe)} from ${ws[q].id} to ${ws[self].id}` : `${describeConns(c, a.universe)} from ${ws[self].id} to ${ws[q].id}`;
    }
    if (d === 'Egress') {
      const xs = peerExternals(a, s.peers);
      for (const k of peerExternals(a, r.peers)) {
        if (!xs.has(k)) continue;
        const c = resolveConns(r.conns, undefined).intersect(resolveConns(s.conns, undefined));
        if (!c.isEmpty()) return `${describeConns(c, a.universe)} from ${ws[self].id} to ${a.evaluation.externals[k].id}`;
      }
    }
  }
  return undefined;
}

function priorityTies(evaluated: ClusterPolicy[], a: Analysis, out: Finding[]): void {
  const lowered = loweredPolicies(a);
  const groups = new Map<string, ClusterPolicy[]>();
  for (const p of evaluated) {
    if (p.priority === undefined) continue;
    const k = `${p.tier}:${p.priority}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(p);
  }
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    for (let i = 0; i < g.length; i++) {
      for (let j = i + 1; j < g.length; j++) {
        const p = lowered.get(uidOf(g[i]));
        const q = lowered.get(uidOf(g[j]));
        if (!p || !q) continue;
        const sq = new Set(q.subject.workloads(a.world));
        const common = p.subject.workloads(a.world).filter((w) => sq.has(w));
        if (common.length === 0) continue;
        let example: string | undefined;
        for (const d of ['Ingress', 'Egress'] as Direction[]) {
          for (const r of rulesOf(p, d)) {
            for (const s of rulesOf(q, d)) {
              example = commonTraffic(a, d, common, r, s);
              if (example) break;
            }
            if (example) break;
          }
          if (example) break;
        }
        if (!example) continue;
        const [first, second] = [g[i], g[j]].sort((x, y) => (x.name < y.name ? -1 : 1));
        for (const [me, other] of [
          [g[i], g[j]],
          [g[j], g[i]],
        ] as const) {
          add(
            out,
            'cnp-priority-tie',
            'warning',
            `${me.kind} ${me.name} and ${other.kind} ${other.name} (${where(other.nameRange)}) are both in the ${me.tier} tier at priority ${me.priority} and can match the same traffic (e.g. ${example}). The API leaves their order undefined, so an implementation may apply either; Policy Lens evaluates ${first.name} before ${second.name} (by name). Give them different priorities.`,
            me.priorityRange ?? me.nameRange,
          );
        }
      }
    }
  }
}

// ---------------------------------------------------------------- Admin decisions that a NetworkPolicy cannot override

/** Cap on (class, column) walks of the override lint; larger workspaces skip it. */
const OVERRIDE_BUDGET = 20_000;

function overridesNetworkPolicy(a: Analysis, out: Finding[]): void {
  const ev = a.evaluation;
  const C = ev.classes.length;
  if (C * ev.columns > OVERRIDE_BUDGET) return;
  const world = a.world;
  // admin rule -> NetworkPolicy display -> first example
  const found = new Map<Rule, { policy: Policy; direction: Direction; items: Map<string, { np: Policy; what: string; verb: 'denies' | 'accepts' }> }>();
  for (let c = 0; c < C; c++) {
    for (const d of ['Ingress', 'Egress'] as Direction[]) {
      const chain = ev.chain(c, d);
      const hasAdmin = chain.some((t) => t.policies.some((p) => DIALECTS.has(p.dialect) && p.kind !== 'BaselineAdminNetworkPolicy' && a.model.tiers[t.tier].name === 'kube-admin'));
      const nps = chain.flatMap((t) => t.policies.filter((p) => p.dialect === 'kubernetes'));
      if (!hasAdmin || nps.length === 0) continue;
      const self = world.workloads[ev.classes[c].rep];
      for (let j = 0; j < ev.columns; j++) {
        if (j === c && ev.classes[c].members.length < 2) continue;
        const peerW = j < C ? ev.classes[j].rep : undefined;
        const x = j >= C ? ev.externals[j - C] : undefined;
        if (x && d === 'Ingress' && x.kind !== 'address') continue;
        const hits: { rule: Rule; policy: Policy; hit: ConnSet }[] = [];
        ev.walk(c, d, [j], {
          rule(tier, r, hit) {
            if (tier.name === 'kube-admin' && DIALECTS.has(r.policy.dialect) && (r.rule.action === 'Allow' || r.rule.action === 'Deny')) hits.push({ rule: r.rule, policy: r.policy, hit });
          },
          tierEnd() {},
          fallThrough() {},
        });
        if (hits.length === 0) continue;
        const dst = d === 'Ingress' ? self : peerW !== undefined ? world.workloads[peerW] : undefined;
        const matches = (m: Matcher) => (peerW !== undefined ? m.matchesWorkload(world, peerW) : x!.atom ? m.matchesAtom(x!.atom) : m.matchesDomain?.(x!.domain!) ?? false);
        const npAllowed = new Map<Policy, ConnSet>();
        for (const np of nps) {
          let acc = ConnSet.EMPTY;
          for (const r of rulesOf(np, d)) if (!r.peers || r.peers.some(matches)) acc = acc.union(resolveConns(r.conns, dst));
          npAllowed.set(np, acc);
        }
        const allNp = [...npAllowed.values()].reduce((u, s) => u.union(s), ConnSet.EMPTY);
        const peerId = peerW !== undefined ? world.workloads[peerW].id : x!.id;
        const pair = d === 'Ingress' ? `from ${peerId} to ${self.id}` : `from ${self.id} to ${peerId}`;
        for (const h of hits) {
          const overridden = h.rule.action === 'Deny' ? h.hit.intersect(allNp) : h.hit.subtract(allNp);
          if (overridden.isEmpty()) continue;
          let f = found.get(h.rule);
          if (!f) found.set(h.rule, (f = { policy: h.policy, direction: d, items: new Map() }));
          const culprits = h.rule.action === 'Deny' ? nps.filter((np) => !npAllowed.get(np)!.intersect(overridden).isEmpty()) : nps;
          for (const np of culprits) {
            if (f.items.has(np.uid)) continue;
            f.items.set(np.uid, { np, what: `${describeConns(overridden, a.universe)} ${pair}`, verb: h.rule.action === 'Deny' ? 'denies' : 'accepts' });
          }
        }
      }
    }
  }
  for (const [rule, f] of found) {
    const items = [...f.items.values()];
    const first = items[0];
    const more = items.length > 1 ? ` (and ${items.length - 1} more NetworkPolic${items.length === 2 ? 'y' : 'ies'}: ${items.slice(1).map((i) => i.np.display).join(', ')})` : '';
    const npSays = first.verb === 'denies' ? 'allows it' : 'would deny it (it isolates the pod)';
    add(
      out,
      'cnp-overrides-networkpolicy',
      'info',
      `This Admin-tier ${rule.action === 'Allow' ? 'Accept' : 'Deny'} ${first.verb} ${first.what} before NetworkPolicy ${first.np.display} (${where(first.np.range)}) is consulted: that NetworkPolicy ${npSays}, but a NetworkPolicy cannot override an Admin-tier decision, so it is unreachable for this traffic${more}. Use Pass to delegate the decision to the namespace, or narrow the rule.`,
      rule.range,
    );
  }
}
