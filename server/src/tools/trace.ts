// The ONE place that reads the structure of the engine's explanation (the structured `Trace` of
// core/reach-types.ts: `DirectionTrace.steps[]`). Everything in cli/ and tools/ that needs "which rule is responsible"
// or "is this endpoint isolated" goes through `traceOf` (or `traceOfConnection` for the compact explanation carried by
// each connection of a result), so a change of the trace shape is a change of this file.
import type { Analysis, Connection, DirectionTrace, ProtocolPorts, SourceRange } from '../core/index';

/** One rule that allowed (part of) a connection, in a shape independent of the engine's explanation type. */
export interface ResponsibleRule {
  /** `namespace/name` (or `name` for cluster-wide kinds) of the policy. */
  policy: string;
  direction: 'Ingress' | 'Egress';
  /** 0-based index of the rule in its direction's list. */
  ruleIndex: number;
  /** What this rule decided for the pair (from the full trace; absent when taken from a connection's compact explanation). */
  protocols?: ProtocolPorts;
  /** Where the rule is (absent for defaults such as "not isolated"). */
  file?: string;
  /** 1-based line of the rule. */
  line?: number;
}

/** One decision of the engine's walk for a direction (rule, tier end or default), in evaluation order. */
export interface TraceStepOut {
  kind: 'rule' | 'tier-end' | 'default';
  action: 'Allow' | 'Deny' | 'Pass' | 'Log';
  tier?: string;
  policy?: string;
  ruleIndex?: number;
  /** The connections this step decided. */
  conns: ProtocolPorts;
  file?: string;
  line?: number;
  note?: string;
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
  /** Every decision of the walk, in evaluation order. */
  steps: TraceStepOut[];
}

export interface PairTrace {
  /** Egress of the source (absent when the source is external). */
  egress?: SideTrace;
  /** Ingress of the destination (absent when the destination is external). */
  ingress?: SideTrace;
  /** Set when the pair cannot be analysed (unknown id, same workload, external to external). */
  problem?: string;
}

function loc(range: SourceRange | undefined): { file?: string; line?: number } {
  return range ? { file: range.file, line: range.start.line + 1 } : {};
}

/**
 * Structured trace of one pair: adapter over the engine's `Analysis.trace` (core/reach-types.ts `Trace`). The rules
 * responsible are the `rule` steps that allowed something (`action: 'Allow'`, non-empty `conns`); Pass / Log / Deny
 * steps, tier ends and the namespace-profile default are not rules that allow. `text` is the engine's own summary.
 */
export function traceOf(analysis: Analysis, src: string, dst: string): PairTrace {
  const t = analysis.trace(src, dst);
  const side = (v: DirectionTrace | undefined): SideTrace | undefined =>
    v && {
      isolated: v.isolated,
      selectedBy: v.selectedBy.map((p) => p.policy),
      allowedBy: v.steps
        .filter((s) => s.kind === 'rule' && s.action === 'Allow' && s.policy !== undefined && Object.keys(s.conns).length > 0)
        .map((s) => ({ policy: s.policy!, direction: v.direction, ruleIndex: s.ruleIndex ?? 0, protocols: s.conns, ...loc(s.range) })),
      allowed: v.allowed,
      steps: v.steps.map((s) => ({
        kind: s.kind,
        action: s.action,
        ...(s.tier !== undefined ? { tier: s.tier } : {}),
        ...(s.policy !== undefined ? { policy: s.policy } : {}),
        ...(s.ruleIndex !== undefined ? { ruleIndex: s.ruleIndex } : {}),
        conns: s.conns,
        ...loc(s.range),
        ...(s.note ? { note: s.note } : {}),
      })),
    };
  return { egress: side(t.egress), ingress: side(t.ingress), problem: t.problem };
}

/** The engine's explanation of a pair in words (for people; never parsed). */
export function summaryOf(analysis: Analysis, src: string, dst: string): string {
  return analysis.explain(src, dst).summary;
}

/**
 * The same facts for a connection of `Analysis.result()` / `connections()`, from the compact explanation the engine
 * attaches to it (the rules that allowed it, per direction) — no second walk, for bulk use (diffs of large results).
 */
export function traceOfConnection(c: Connection): Pick<PairTrace, 'egress' | 'ingress'> {
  const side = (v: Connection['explanation']['egress'], direction: 'Egress' | 'Ingress'): SideTrace | undefined =>
    v && {
      isolated: v.isolated,
      selectedBy: [],
      allowedBy: v.allowedBy.map((r) => ({ policy: r.policy, direction, ruleIndex: r.ruleIndex, ...loc(r.range) })),
      allowed: {},
      steps: [],
    };
  return { egress: side(c.explanation?.egress, 'Egress'), ingress: side(c.explanation?.ingress, 'Ingress') };
}
