// Suggestion writer for Calico projectcalico.org/v3 policies (see core/suggest/index.ts for the search and the
// verification). Calico evaluates tiers in order, policies by order then name, rules in order; the first Allow,
// Deny or Pass decides; what no rule decides gets the tier's default action when a policy of the tier selects the
// endpoint (docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy, reference/resources/
// networkpolicy, reference/resources/tier). So:
// * allow: the step deciding the flow is a Deny rule or a tier's end. Insert an Allow (or a Pass, which hands the
//   flow to the next tier) right before the Deny rule in its policy, append one to a policy of the tier that selects
//   the endpoint (tier end), or add a policy to that tier ordered before the denying policy (after the others for a
//   tier end). The Allow only ever goes into the tier that decides, never above it.
// * block: the step is an Allow rule (insert a Deny right before it, or add a policy with a Deny ordered before its
//   policy), or the default (no tier applies: add a policy with the Deny and a final Pass, so that everything else
//   keeps going to the next tier as before).
// Only offered when the workspace already has Calico resources (a cluster without Calico cannot enforce them).
import type { Workload } from '../../model';
import { ConnSet, ICMP_MAX, PORT_PROTOCOLS } from '../../ports';
import type { Analysis } from '../../analysis';
import type { Policy, Tier } from '../../policy/ir';
import { asSeq } from '../../lint/ast';
import { appendDocument, fileStyle, YamlDoc } from '../../suggest/yaml-edit';
import { connWords, directionWord, endpointSlug, endpointWords, labelChoice, peerPhrase, uniqueName, usedSelectorKeys, candidateOf, docOf, itemIndex } from '../../suggest/common';
import type { DialectSuggester, EndpointInfo, SideRequest, StepCandidate, TextChange } from '../../suggest/types';
import type { CalicoPolicy } from './model';
import { DEFAULT_TIER, K8S_NETWORK_POLICY_ORDER } from './model';

export const calicoSuggester: DialectSuggester = {
  dialect: 'calico',
  propose(req) {
    const c = req.state.analysis.cluster.calico;
    if (!c || (c.policies.length === 0 && c.tiers.length === 0 && c.networkSets.length === 0)) return [];
    return (req.mode === 'allow' ? allow(req) : block(req)).filter((x): x is StepCandidate => !!x);
  },
};

function sameRange(a: { file: string; startOffset: number } | undefined, b: { file: string; startOffset: number } | undefined): boolean {
  return !!a && !!b && a.file === b.file && a.startOffset === b.startOffset;
}

/** The parsed Calico policy a lowered policy came from. */
export function calicoSourceOf(a: Analysis, p: Policy): CalicoPolicy | undefined {
  if (p.dialect !== 'calico') return undefined;
  return a.cluster.calico?.policies.find((cp) => `${cp.kind} ${cp.id}` === p.uid && sameRange(cp.metadata.nameRange ?? cp.range, p.range));
}

// ---------------------------------------------------------------- selectors, entities, rules

function quoteValue(v: string): string {
  return v.includes("'") ? `"${v}"` : `'${v}'`;
}

/** A Calico selector for exactly these labels (`all()` for none). */
export function calicoSelector(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k} == ${quoteValue(v)}`);
  return parts.length ? parts.join(' && ') : 'all()';
}

function nsSelector(ns: string): string {
  return `projectcalico.org/name == ${quoteValue(ns)}`;
}

/** Entity rule matching exactly `e` from a policy in namespace `policyNs` (undefined: a global policy). */
function entityOf(a: Analysis, policyNs: string | undefined, e: EndpointInfo): Record<string, unknown> {
  if (e.workload) {
    const w = e.workload;
    const ent: Record<string, unknown> = { selector: calicoSelector(labelChoice(a, w, usedSelectorKeys(a)).labels) };
    if (policyNs !== w.namespace) ent.namespaceSelector = nsSelector(w.namespace);
    return ent;
  }
  return { nets: e.cidrs ?? [] };
}

/** True when a policy selects workloads other than `w` and its label twins (its rules then need a self constraint). */
function selectsOthers(a: Analysis, p: Policy | undefined, w: Workload): boolean {
  if (!p) return false;
  const twins = new Set([w.id, ...labelChoice(a, w).twins.map((x) => x.id)]);
  return p.subject.workloads(a.world).some((i) => !twins.has(a.workloads[i].id));
}

function icmpMatches(lo: number, hi: number): { type: number; code?: number }[] | undefined {
  const out: { type: number; code?: number }[] = [];
  let v = lo;
  while (v <= hi) {
    const type = v >> 8;
    const code = v & 255;
    if (code === 0 && v + 255 <= hi) {
      out.push({ type });
      v += 256;
    } else {
      out.push({ type, code });
      v++;
    }
    if (out.length > 16) return undefined;
  }
  return out;
}

/**
 * Rules with `action` matching the connections `c` with the peer (and, when given, only the policy's own endpoint
 * `self`): one rule per protocol (Calico rules have one protocol; ports need TCP, UDP or SCTP).
 */
function rulesFor(a: Analysis, action: string, side: 'Ingress' | 'Egress', peer: Record<string, unknown>, self: Record<string, unknown> | undefined, c: ConnSet): Record<string, unknown>[] | undefined {
  const make = (extra: Record<string, unknown>, ports?: (number | string)[]): Record<string, unknown> => {
    const r: Record<string, unknown> = { action, ...extra };
    const dst: Record<string, unknown> = side === 'Egress' ? { ...peer } : { ...(self ?? {}) };
    const src: Record<string, unknown> | undefined = side === 'Egress' ? self : peer;
    if (ports) dst.ports = ports;
    if (src && Object.keys(src).length) r.source = src;
    if (Object.keys(dst).length) r.destination = dst;
    return r;
  };
  if (c.contains(a.universe)) return [make({})];
  const out: Record<string, unknown>[] = [];
  for (const p of c.protocols()) {
    const rs = c.ranges(p);
    if ((PORT_PROTOCOLS as readonly string[]).includes(p)) {
      const whole = rs.length === 1 && rs[0][0] === 1 && rs[0][1] === 65535;
      out.push(make({ protocol: p }, whole ? undefined : rs.map(([lo, hi]) => (lo === hi ? lo : `${lo}:${hi}`))));
    } else if (p === 'ICMP' || p === 'ICMPv6') {
      if (rs.length === 1 && rs[0][0] === 0 && rs[0][1] === ICMP_MAX) out.push(make({ protocol: p }));
      else
        for (const [lo, hi] of rs) {
          const ms = icmpMatches(lo, hi);
          if (!ms) return undefined;
          for (const m of ms) out.push(make({ protocol: p, icmp: m }));
        }
    } else out.push(make({ protocol: /^\d+$/.test(p) ? Number(p) : p }));
  }
  return out.length > 8 ? undefined : out;
}

// ---------------------------------------------------------------- placement

function orderOf(a: Analysis, p: Policy): number {
  if (p.dialect === 'kubernetes') return K8S_NETWORK_POLICY_ORDER;
  return calicoSourceOf(a, p)?.order ?? Infinity;
}

/** An order that sorts strictly before policy `p` in its tier and after every policy ordered before it. */
function orderBefore(a: Analysis, tier: Tier, p: Policy): number {
  const target = orderOf(a, p);
  const orders = tier.policies.map((q) => orderOf(a, q)).filter((o) => Number.isFinite(o));
  if (!Number.isFinite(target)) return (orders.length ? Math.max(...orders) : 0) + 10;
  const prev = orders.filter((o) => o < target);
  const below = prev.length ? Math.max(...prev) : undefined;
  if (below === undefined || target - 1 > below) return target - 1;
  return (below + target) / 2;
}

/** An order after every ordered policy of the tier. */
function orderAfter(a: Analysis, tier: Tier | undefined): number {
  const orders = (tier?.policies ?? []).map((q) => orderOf(a, q)).filter((o) => Number.isFinite(o));
  return orders.length ? Math.max(...orders) + 10 : 100;
}



const candidate = candidateOf('calico');

/** Rules inserted into (or appended to) an existing policy: constrained to `self` when the policy selects more. */
function rulesIn(req: SideRequest, p: Policy, cp: CalicoPolicy, action: string): Record<string, unknown>[] | undefined {
  const a = req.state.analysis;
  const ns = cp.namespaced ? cp.metadata.namespace : undefined;
  const self = selectsOthers(a, p, req.self.workload) ? entityOf(a, ns, req.self) : undefined;
  return rulesFor(a, action, req.side, entityOf(a, ns, req.peer), self, req.conns);
}

function insertRules(doc: YamlDoc, side: 'Ingress' | 'Egress', at: number | undefined, rules: Record<string, unknown>[]): (TextChange | undefined)[] {
  const key = side === 'Ingress' ? 'ingress' : 'egress';
  const seq = asSeq(doc.get(['spec', key]));
  if (at !== undefined && seq) return rules.map((r) => doc.insertItem(seq, at, r));
  if (rules.length === 1) return [doc.appendAt(['spec', key], rules[0])];
  if (seq && seq.items.length) return rules.map((r) => doc.appendItem(seq, r));
  return [undefined];
}

/** The file for a new Calico policy: beside the policies of the tier that select the endpoint, else any Calico file. */
function targetFile(req: SideRequest): string | undefined {
  const a = req.state.analysis;
  const calico = a.cluster.calico?.policies ?? [];
  for (const p of [...(req.policy ? [req.policy] : []), ...req.tierPolicies]) {
    const cp = calicoSourceOf(a, p);
    if (cp?.range && req.state.files.has(cp.range.file)) return cp.range.file;
  }
  const ns = req.self.workload.namespace;
  const same = calico.find((cp) => cp.namespaced && cp.metadata.namespace === ns && cp.range && req.state.files.has(cp.range.file));
  if (same) return same.range!.file;
  const any = calico.find((cp) => cp.range && req.state.files.has(cp.range.file)) ?? a.cluster.calico?.tiers.find((t) => t.range && req.state.files.has(t.range.file));
  return any?.range?.file;
}

function newPolicy(req: SideRequest, tier: string, order: number, verb: string, rules: Record<string, unknown>[], comment: string, title: string, cost: number): StepCandidate | undefined {
  const a = req.state.analysis;
  const file = targetFile(req);
  if (!file) return undefined;
  const text = req.state.files.get(file)!;
  const w = req.self.workload;
  const self = endpointSlug(req.self);
  const other = endpointSlug(req.peer);
  const base = req.side === 'Ingress' ? `${verb}-${other}-to-${self}` : `${verb}-${self}-to-${other}`;
  // Policies of a tier other than default are named <tier>.<name> (Calico's convention, enforced by older releases).
  const name = uniqueName(tier === DEFAULT_TIER ? base : `${tier}.${base}`, req.takenNames(w.namespace));
  const spec: Record<string, unknown> = {};
  if (tier !== DEFAULT_TIER) spec.tier = tier;
  spec.order = order;
  spec.selector = calicoSelector(labelChoice(a, w, usedSelectorKeys(a)).labels);
  spec.types = [req.side];
  spec[req.side === 'Ingress' ? 'ingress' : 'egress'] = rules;
  const obj = { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name, namespace: w.namespace }, spec };
  return candidate(title.replace('{name}', `${w.namespace}/${name}`), 'new-policy', [appendDocument(file, text, obj, fileStyle(file, text), comment)], cost);
}

function flowWords(req: SideRequest): string {
  return req.side === 'Ingress' ? `from ${endpointWords(req.peer)} to ${req.self.workload.id}` : `from ${req.self.workload.id} to ${endpointWords(req.peer)}`;
}

function tierWords(t: Tier | undefined): string {
  return t ? `tier ${t.name}` : 'the default tier';
}

// ---------------------------------------------------------------- allow

function allow(req: SideRequest): (StepCandidate | undefined)[] {
  const a = req.state.analysis;
  const out: (StepCandidate | undefined)[] = [];
  const words = connWords(req.conns, a.universe);
  const tier = req.tier;
  if (!tier) return out;
  const ns = req.self.workload.namespace;
  // A Pass hands the flow to the next tier: only useful when a later tier applies to the endpoint (after the last
  // tier, Calico's profile allows: that is an Allow in disguise).
  const ti = a.model.tiers.indexOf(tier);
  const wi = a.workloadIndex(req.self.workload.id)!;
  const laterTier = a.evaluation.chain(a.evaluation.classOf[wi], req.side).some((ct) => ct.tier > ti && ct.applies);
  const actions: [string, number][] = laterTier ? [['Allow', 0], ['Pass', 2]] : [['Allow', 0]];
  if (req.step.kind === 'rule' && req.policy?.dialect === 'calico') {
    const cp = calicoSourceOf(a, req.policy);
    const doc = cp && docOf(req, cp);
    if (cp && doc) {
      const list = req.side === 'Ingress' ? cp.ingress : cp.egress;
      const rule = list.find((r) => r.index === req.step.ruleIndex);
      const at = itemIndex(doc, asSeq(doc.get(['spec', req.side === 'Ingress' ? 'ingress' : 'egress'])), rule?.range);
      if (at !== undefined) {
        for (const [action, extra] of actions) {
          const rules = rulesIn(req, req.policy, cp, action);
          if (!rules) continue;
          const what = action === 'Allow' ? `allowing ${words}` : `passing ${words} to the next tier`;
          out.push(candidate(`insert an ${directionWord(req.side)} rule into ${req.policy.display} before its ${directionWord(req.side)} rule ${at + 1} (Deny) ${what} ${peerPhrase(req)}`, 'insert-rule', insertRules(doc, req.side, at, rules), 1 + extra));
        }
      }
    }
    for (const [action, extra] of actions) {
      const rules = rulesFor(a, action, req.side, entityOf(a, ns, req.peer), undefined, req.conns);
      if (!rules) continue;
      const order = orderBefore(a, tier, req.policy);
      const what = action === 'Allow' ? `allowing ${words}` : `passing ${words} to the next tier`;
      out.push(newPolicy(req, tier.name, order, action === 'Allow' ? 'allow' : 'pass', rules, `${action === 'Allow' ? 'Allow' : 'Pass to the next tier'} ${words} ${flowWords(req)} (ordered before ${req.policy.display}, which denies it).`, `add NetworkPolicy {name} to ${tierWords(tier)} with order ${order} (before ${req.policy.display}) ${what} ${flowWords(req)}`, 4 + extra));
    }
  } else if (req.step.kind === 'tier-end') {
    for (const p of req.tierPolicies) {
      const cp = calicoSourceOf(a, p);
      const doc = cp && docOf(req, cp);
      if (!cp || !doc) continue;
      for (const [action, extra] of actions) {
        const rules = rulesIn(req, p, cp, action);
        if (!rules) continue;
        const what = action === 'Allow' ? `allowing ${words}` : `passing ${words} to the next tier`;
        out.push(candidate(`add an ${directionWord(req.side)} rule to ${p.display} ${what} ${peerPhrase(req)}`, 'add-rule', insertRules(doc, req.side, undefined, rules), 2 + extra));
      }
    }
    for (const [action, extra] of actions) {
      const rules = rulesFor(a, action, req.side, entityOf(a, ns, req.peer), undefined, req.conns);
      if (!rules) continue;
      const order = orderAfter(a, tier);
      const what = action === 'Allow' ? `allowing ${words}` : `passing ${words} to the next tier`;
      out.push(newPolicy(req, tier.name, order, action === 'Allow' ? 'allow' : 'pass', rules, `${action === 'Allow' ? 'Allow' : 'Pass to the next tier'} ${words} ${flowWords(req)} (${tierWords(tier)} denies what no rule matched).`, `add NetworkPolicy {name} to ${tierWords(tier)} ${what} ${flowWords(req)}`, 4 + extra));
    }
  }
  return out;
}

// ---------------------------------------------------------------- block

function block(req: SideRequest): (StepCandidate | undefined)[] {
  const a = req.state.analysis;
  const out: (StepCandidate | undefined)[] = [];
  const words = connWords(req.conns, a.universe);
  const ns = req.self.workload.namespace;
  if (req.step.kind === 'rule' && req.policy && req.tier) {
    if (req.policy.dialect === 'calico') {
      const cp = calicoSourceOf(a, req.policy);
      const doc = cp && docOf(req, cp);
      if (cp && doc) {
        const list = req.side === 'Ingress' ? cp.ingress : cp.egress;
        const rule = list.find((r) => r.index === req.step.ruleIndex);
        const at = itemIndex(doc, asSeq(doc.get(['spec', req.side === 'Ingress' ? 'ingress' : 'egress'])), rule?.range);
        const rules = rulesIn(req, req.policy, cp, 'Deny');
        if (at !== undefined && rules) out.push(candidate(`insert an ${directionWord(req.side)} rule into ${req.policy.display} before its ${directionWord(req.side)} rule ${at + 1} denying ${words} ${peerPhrase(req)}`, 'insert-rule', insertRules(doc, req.side, at, rules), 1));
      }
    }
    const rules = rulesFor(a, 'Deny', req.side, entityOf(a, ns, req.peer), undefined, req.conns);
    if (rules) {
      const order = orderBefore(a, req.tier, req.policy);
      out.push(newPolicy(req, req.tier.name, order, 'deny', rules, `Deny ${words} ${flowWords(req)} (ordered before ${req.policy.display}, which allows it).`, `add NetworkPolicy {name} to ${tierWords(req.tier)} with order ${order} (before ${req.policy.display}) denying ${words} ${flowWords(req)}`, 3));
    }
  } else if (req.step.kind === 'default') {
    // No tier decided: a new policy in the default tier denies the flow and passes everything else on (without the
    // Pass, selecting the endpoint would make the default tier's end action Deny apply to all its other traffic).
    const deny = rulesFor(a, 'Deny', req.side, entityOf(a, ns, req.peer), undefined, req.conns);
    if (deny) {
      const tier = a.model.tiers.find((t) => t.name === DEFAULT_TIER);
      const order = tier && tier.policies.length ? orderBefore(a, tier, tier.policies[0]) : 100;
      out.push(newPolicy(req, DEFAULT_TIER, order, 'deny', [...deny, { action: 'Pass' }], `Deny ${words} ${flowWords(req)}; pass everything else to the next tier as before.`, `add NetworkPolicy {name} to the default tier denying ${words} ${flowWords(req)} and passing everything else on`, 3));
    }
  }
  return out;
}

