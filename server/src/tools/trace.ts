// The ONE place that reads the structure of an engine explanation (today `Explanation` with
// `egress/ingress.allowedBy[]`; the lead is replacing it with `Trace` / `DirectionTrace.steps[]` from
// core/reach-types.ts). Everything in cli/ and tools/ that needs "which rule is responsible" or "is this endpoint
// isolated" goes through `traceOf`, so switching to `Trace` is a change of this one function.
import type { Analysis } from '../core/index';
import type { ProtocolPorts, SourceRange } from '../core/index';

/** One rule that allowed (part of) a connection, in a shape independent of the engine's explanation type. */
export interface ResponsibleRule {
  /** `namespace/name` (or `name` for cluster-wide kinds) of the policy. */
  policy: string;
  direction: 'Ingress' | 'Egress';
  /** 0-based index of the rule in its direction's list. */
  ruleIndex: number;
  /** What this rule contributed for the pair. */
  protocols: ProtocolPorts;
  /** Where the rule is (absent for defaults such as "not isolated"). */
  file?: string;
  /** 1-based line of the rule. */
  line?: number;
}

export interface SideTrace {
  /** True when some policy selects the endpoint for this direction (it is isolated). */
  isolated: boolean;
  /** Policies selecting the endpoint for this direction. */
  selectedBy: string[];
  /** Rules that allowed something for the pair. */
  allowedBy: ResponsibleRule[];
  /** What this direction allows on its own. */
  allowed: ProtocolPorts;
}

export interface PairTrace {
  /** Egress of the source (absent when the source is external). */
  egress?: SideTrace;
  /** Ingress of the destination (absent when the destination is external). */
  ingress?: SideTrace;
  /** The engine's own words (for people; never parsed). */
  text: string;
}

function loc(range: SourceRange | undefined): { file?: string; line?: number } {
  return range ? { file: range.file, line: range.start.line + 1 } : {};
}

/**
 * Structured trace of one pair. Adapter over `Analysis.explain` — when the engine returns `Trace`
 * (`steps[]` with kind/action/policy/ruleIndex/conns/range), map `steps.filter(s => s.kind === 'rule' && s.action === 'Allow')`
 * to `allowedBy`, `selectedBy[].policy` to `selectedBy`, `allowed` to `allowed`, and `isolated` as is.
 */
export function traceOf(analysis: Analysis, src: string, dst: string): PairTrace {
  const e = analysis.explain(src, dst);
  const side = (v: typeof e.egress): SideTrace | undefined =>
    v && {
      isolated: v.isolated,
      selectedBy: v.selectedBy.map((p) => p.policy),
      allowedBy: v.allowedBy.map((r) => ({ policy: r.policy, direction: r.direction, ruleIndex: r.ruleIndex, protocols: r.protocols, ...loc(r.range) })),
      allowed: v.protocols,
    };
  return { egress: side(e.egress), ingress: side(e.ingress), text: e.summary };
}

/** The rules responsible for a pair, both directions, egress first. */
export function rulesResponsible(analysis: Analysis, src: string, dst: string): ResponsibleRule[] {
  const t = traceOf(analysis, src, dst);
  return [...(t.egress?.allowedBy ?? []), ...(t.ingress?.allowedBy ?? [])];
}
