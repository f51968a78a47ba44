// Builds the explanation trace of one direction by running the evaluator's own walk with a trace sink (so the
// explanation and the matrix can never disagree).
import { ConnSet } from '../ports';
import type { DirectionTrace, PolicyTraceRef, TraceStep } from '../reach-types';
import type { Evaluation } from './evaluate';
import type { Direction, Policy, Tier } from './ir';

function ref(p: Policy, tier: Tier): PolicyTraceRef {
  return { policy: p.display, policyKind: p.kind, tier: tier.name, range: p.range };
}

/**
 * Traces direction `d` of workload `self` (its class stands for it) against peer column `col`.
 * `selfId`/`peerId` are the ids the trace reports.
 */
export function traceDirection(ev: Evaluation, self: number, d: Direction, col: number, selfId: string, peerId: string): DirectionTrace {
  const c = ev.classOf[self];
  const steps: TraceStep[] = [];
  const chain = ev.chain(c, d);
  const selectedBy: PolicyTraceRef[] = [];
  for (const t of chain) for (const p of t.policies) selectedBy.push(ref(p, ev.model.tiers[t.tier]));
  const allowed = ev.walk(c, d, [col], {
    rule(tier, r, hit) {
      steps.push({
        kind: 'rule',
        tier: tier.name,
        tierLabel: tier.label,
        action: r.rule.action,
        policy: r.policy.display,
        policyKind: r.policy.kind,
        ruleIndex: r.rule.index,
        ruleName: r.rule.name,
        conns: hit.toJSON(),
        range: r.rule.range,
        note: r.rule.note,
      });
    },
    tierEnd(tier, applies, undecided) {
      // A tier that applies ends in its end action; a Pass tier is shown too when it was consulted (e.g. the Admin
      // tier of ClusterNetworkPolicies, which isolate nothing), so the trace shows every tier the traffic went through.
      if ((!applies && tier.endAction !== 'Pass') || undecided.isEmpty()) return;
      steps.push({ kind: 'tier-end', tier: tier.name, tierLabel: tier.label, action: tier.endAction === 'Deny' ? 'Deny' : 'Pass', conns: undecided.toJSON(), range: tier.range });
    },
    fallThrough(conns) {
      steps.push({ kind: 'default', action: 'Allow', conns: conns.toJSON(), note: ev.model.defaultLabel });
    },
  })[col] ?? ConnSet.EMPTY;
  return { direction: d, self: selfId, peer: peerId, isolated: chain.some((t) => t.applies), selectedBy, steps, allowed: allowed.toJSON() };
}
