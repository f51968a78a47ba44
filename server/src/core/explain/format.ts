// The one formatter: the words Policy Lens uses for connections and explanations, on every surface (CLI, hover,
// panel, playground). Takes the structured `Trace` (reach-types.ts) and renders it.
import { ConnSet, formatIcmpRange, ICMP_MAX, MAX_PORT, MIN_PORT, PORT_PROTOCOLS } from '../ports';
import type { DirectionTrace, DirectionVerdict, Explanation, ProtocolPorts, RuleRef, Trace, TraceStep } from '../reach-types';

function toSet(c: ConnSet | ProtocolPorts | undefined): ConnSet {
  if (!c) return ConnSet.EMPTY;
  return c instanceof ConnSet ? c : ConnSet.fromProtocolPorts(c);
}

/**
 * Connections in words: "all traffic" (every TCP/UDP/SCTP port, and with Calico/Cilium also all ICMP and every
 * named protocol), "all TCP ports", "TCP 80, 443, 8000-8080", "ICMP type 8", "protocol 47"; protocols joined with
 * "; "; "nothing" for the empty set.
 */
export function describeConns(c: ConnSet | ProtocolPorts | undefined, universe?: ConnSet): string {
  const s = toSet(c);
  if (universe && !s.isEmpty()) {
    // "all traffic except TCP 9000" reads better than listing the complement protocol by protocol.
    const rest = universe.subtract(s);
    if (!rest.isEmpty() && universe.contains(s)) {
      const direct = describePlain(s);
      const other = describePlain(rest);
      if (other.split(';').length < direct.split(';').length) return `all traffic except ${other}`;
    }
  }
  return describePlain(s);
}

/**
 * Like describeConns, but says whether "all traffic" includes ICMP: for comparing semantics whose universes differ
 * (portability: Kubernetes NetworkPolicy has no ICMP, Calico and Cilium do).
 */
export function describeConnsAcrossSemantics(c: ConnSet | ProtocolPorts | undefined): string {
  const s = toSet(c);
  const plain = describePlain(s);
  if (plain !== 'all traffic') return plain;
  return s.ranges('ICMP').length ? 'all traffic, ICMP included' : 'all TCP, UDP and SCTP ports';
}

function describePlain(s: ConnSet): string {
  if (s.isEmpty()) return 'nothing';
  const parts: string[] = [];
  let allPorts = true;
  for (const p of PORT_PROTOCOLS) {
    const rs = s.ranges(p);
    if (!(rs.length === 1 && rs[0][0] === MIN_PORT && rs[0][1] === MAX_PORT)) allPorts = false;
  }
  let wholeExtras = true;
  for (const proto of s.protocols()) {
    const rs = s.ranges(proto);
    if ((PORT_PROTOCOLS as readonly string[]).includes(proto)) continue;
    if (proto === 'ICMP' || proto === 'ICMPv6') {
      if (!(rs.length === 1 && rs[0][0] === 0 && rs[0][1] === ICMP_MAX)) wholeExtras = false;
    } else if (!(rs.length === 1 && rs[0][0] === 0 && rs[0][1] === 0)) wholeExtras = false;
  }
  const hasIcmp = s.ranges('ICMP').length > 0 || s.ranges('ICMPv6').length > 0;
  const icmpWhole = !hasIcmp || (s.ranges('ICMP').length > 0 && s.ranges('ICMPv6').length > 0);
  if (allPorts && wholeExtras && icmpWhole) return 'all traffic';
  for (const proto of s.protocols()) {
    const rs = s.ranges(proto);
    if (proto === 'ICMP' || proto === 'ICMPv6') {
      parts.push(rs.length === 1 && rs[0][0] === 0 && rs[0][1] === ICMP_MAX ? `all ${proto}` : `${proto} ${rs.map(([lo, hi]) => formatIcmpRange(lo, hi)).join(', ')}`);
    } else if (!(PORT_PROTOCOLS as readonly string[]).includes(proto)) {
      parts.push(/^\d+$/.test(proto) ? `protocol ${proto}` : proto);
    } else if (rs.length === 1 && rs[0][0] === MIN_PORT && rs[0][1] === MAX_PORT) {
      parts.push(`all ${proto} ports`);
    } else {
      parts.push(`${proto} ${rs.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(', ')}`);
    }
  }
  return parts.join('; ');
}

/** A count with its noun: "1 workload", "2 workloads", "1 policy", "3 policies" (`plural` for irregular nouns). */
export function countOf(n: number, noun: string, plural = /[^aeiou]y$/.test(noun) ? `${noun.slice(0, -1)}ies` : `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

const CILIUM_KINDS = new Set(['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy']);

/**
 * "ingress rule 1" (1-based, as people count), with the rule's name when it has one. Cilium deny rules live in their
 * own lists: "ingressDeny rule 1".
 */
export function ruleLabel(direction: 'Ingress' | 'Egress', index: number, name?: string, of?: { kind?: string; action?: string }): string {
  const list = of && of.action === 'Deny' && of.kind && CILIUM_KINDS.has(of.kind) ? `${direction.toLowerCase()}Deny` : direction.toLowerCase();
  return `${list} rule ${index + 1}${name ? ` (${name})` : ''}`;
}

/** Words for the end of tiers whose end action has a dialect-specific meaning (by tier name). */
const TIER_END_WORDS: Record<string, (what: string, direction: 'Ingress' | 'Egress') => string> = {
  'cilium-allow': (what, d) => `default deny: ${what} that no allow rule matched is dropped (a policy with ${d.toLowerCase()} rules selects the endpoint)`,
};

const ACTION_VERB: Record<TraceStep['action'], string> = { Allow: 'allows', Deny: 'denies', Pass: 'passes to the next tier', Log: 'logs' };

/** One step in words, e.g. "shop/allow-web ingress rule 1 allows TCP 8080". */
export function describeStep(step: TraceStep, direction: 'Ingress' | 'Egress'): string {
  const what = describeConns(step.conns);
  if (step.kind === 'rule') return `${step.policy} ${ruleLabel(direction, step.ruleIndex ?? 0, step.ruleName, { kind: step.policyKind, action: step.action })} ${ACTION_VERB[step.action]} ${what}${step.note ? ` (${step.note})` : ''}`;
  if (step.kind === 'tier-end' && step.tier && TIER_END_WORDS[step.tier]) return TIER_END_WORDS[step.tier](what, direction);
  if (step.kind === 'tier-end') return `end of ${step.tierLabel ?? `tier ${step.tier}`}: ${what} that no rule matched ${step.action === 'Deny' ? 'is denied (the tier default action Deny)' : 'passes to the next tier (the tier default action Pass)'}`;
  return `${what} allowed${step.note ? `: ${step.note}` : ''}`;
}

function dirNoun(d: 'Ingress' | 'Egress'): string {
  return d.toLowerCase();
}

/** One plain-English paragraph for a direction. */
export function describeDirection(t: DirectionTrace): string {
  const dir = dirNoun(t.direction);
  const prep = t.direction === 'Egress' ? 'to' : 'from';
  if (!t.isolated && t.selectedBy.length === 0) {
    return `${t.self} is not isolated for ${dir}: no policy selects it for ${dir}, so all ${dir} is allowed.`;
  }
  const names = [...new Set(t.selectedBy.map((p) => p.policy))];
  const ruleSteps = t.steps.filter((s) => s.kind === 'rule');
  const allowSteps = ruleSteps.filter((s) => s.action === 'Allow');
  const onlyAllowRules = t.steps.every((s) => s.kind !== 'rule' || s.action === 'Allow') && t.steps.every((s) => s.kind !== 'tier-end' || s.action === 'Deny');
  if (onlyAllowRules && t.isolated) {
    // Kubernetes-style: isolating policies and the rules that allow.
    if (allowSteps.length === 0) return `${t.self} is isolated for ${dir} by ${names.join(', ')}, and no ${dir} rule of ${names.length === 1 ? 'that policy' : 'those policies'} matches ${t.peer}: ${dir} ${prep} ${t.peer} is denied.`;
    return `${t.self} is isolated for ${dir} by ${names.join(', ')}; ${allowSteps.map((s) => describeStep(s, t.direction)).join('; ')} ${prep} ${t.peer}.`;
  }
  const steps = t.steps.map((s) => describeStep(s, t.direction));
  return `${dir[0].toUpperCase()}${dir.slice(1)} of ${t.self} ${prep} ${t.peer}: ${steps.join('; ')}.`;
}

/**
 * Who isolates a direction's endpoint, as a lead-in for the list of selecting policies: "Isolated for ingress by"
 * (followed by the policies), or "Not isolated for egress: no policy selects it, so all egress is allowed."
 */
export function isolationWords(t: DirectionTrace): string {
  const dir = dirNoun(t.direction);
  if (t.selectedBy.length === 0) return `Not isolated for ${dir}: no policy selects it, so all ${dir} is allowed.`;
  return `Isolated for ${dir} by`;
}

/** The verdict line of a trace. */
export function describeVerdict(t: Trace): string {
  const allowed = toSet(t.allowed);
  if (!allowed.isEmpty()) return `Allowed: ${describeConns(allowed)}.`;
  const e = t.egress ? toSet(t.egress.allowed) : undefined;
  const i = t.ingress ? toSet(t.ingress.allowed) : undefined;
  if (e && e.isEmpty() && i && i.isEmpty()) return `Denied: neither the egress of ${t.src} nor the ingress of ${t.dst} allows it.`;
  if (e && e.isEmpty()) return `Denied by the egress side of ${t.src}.`;
  if (i && i.isEmpty()) return `Denied by the ingress side of ${t.dst}.`;
  return `Denied: egress of ${t.src} allows ${describeConns(e)} but ingress of ${t.dst} allows ${describeConns(i)}, and they have nothing in common.`;
}

function verdictOf(t: DirectionTrace): DirectionVerdict {
  const allowedBy: RuleRef[] = t.steps
    .filter((s) => s.kind === 'rule' && s.action === 'Allow' && s.policy !== undefined)
    .map((s) => ({ policy: s.policy!, direction: t.direction, ruleIndex: s.ruleIndex ?? 0, range: s.range, protocols: s.conns }));
  return { isolated: t.isolated, selectedBy: t.selectedBy.map((p) => ({ policy: p.policy, range: p.range })), allowedBy, protocols: t.allowed, text: describeDirection(t) };
}

/** The explanation (summary + per-direction verdicts) of a trace. */
export function explanationOf(t: Trace): Explanation {
  if (t.problem) return { summary: t.problem };
  const egress = t.egress ? verdictOf(t.egress) : undefined;
  const ingress = t.ingress ? verdictOf(t.ingress) : undefined;
  return { summary: [describeVerdict(t), egress?.text, ingress?.text].filter(Boolean).join(' '), egress, ingress };
}

// ---------------------------------------------------------------- trace tables (panel), text (CLI), markdown (hover)

/** One row of a trace table: what decided which traffic, and where it is written. */
export interface TraceRow {
  /** "Calico tier platform", "Kubernetes NetworkPolicy", "Admin tier", or "" for the default row. */
  tier: string;
  /** The policy (`namespace/name` or `name`), "end of tier", or "no policy" for the default row. */
  who: string;
  /** "egress rule 2 (name)", "default action", "default". */
  rule: string;
  action: 'Allow' | 'Deny' | 'Pass' | 'Log';
  /** The traffic this step decided, in words. */
  what: string;
  note?: string;
  range?: import('../model').SourceRange;
}

/** The rows of one direction, in evaluation order. */
export function traceRows(t: DirectionTrace, universe?: ConnSet): TraceRow[] {
  const rows: TraceRow[] = [];
  for (const s of t.steps) {
    const what = describeConns(s.conns, universe);
    if (s.kind === 'rule') rows.push({ tier: s.tierLabel ?? s.tier ?? '', who: s.policy ?? '', rule: ruleLabel(t.direction, s.ruleIndex ?? 0, s.ruleName, { kind: s.policyKind, action: s.action }), action: s.action, what, note: s.note, range: s.range });
    else if (s.kind === 'tier-end' && s.tier === 'cilium-allow') rows.push({ tier: s.tierLabel ?? s.tier ?? '', who: 'default deny', rule: `${t.direction.toLowerCase()} default-deny`, action: s.action, what: `${what} (no allow rule matched)`, range: s.range });
    else if (s.kind === 'tier-end') rows.push({ tier: s.tierLabel ?? s.tier ?? '', who: 'end of tier', rule: `default action ${s.action}`, action: s.action, what: s.action === 'Deny' ? `${what} (no rule matched)` : what, range: s.range });
    else rows.push({ tier: '', who: t.steps.some((x) => x.kind !== 'default') ? 'after the last tier' : 'no policy selects it', rule: 'default', action: 'Allow', what, note: s.note });
  }
  return rows;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/**
 * Which policies select the endpoint for the direction: "isolated by backend/default-deny, backend/api" (those whose
 * tier applies its end action), or "selected by …" when none of them isolates (cluster-wide policies).
 */
export function selectionLine(t: DirectionTrace): string | undefined {
  if (t.selectedBy.length === 0) return undefined;
  const names = [...new Set(t.selectedBy.map((p) => p.policy))];
  return `${t.isolated ? 'isolated by' : 'selected by (not isolating)'} ${names.join(', ')}`;
}

/** The heading of a direction: "Egress of frontend/web (to backend/api): allows TCP 9000". */
export function directionHeading(t: DirectionTrace, universe?: ConnSet): string {
  const dir = t.direction === 'Egress' ? 'Egress' : 'Ingress';
  const prep = t.direction === 'Egress' ? 'to' : 'from';
  const allowed = toSet(t.allowed);
  return `${dir} of ${t.self} (${prep} ${t.peer}): ${allowed.isEmpty() ? 'denies everything' : `allows ${describeConns(allowed, universe)}`}`;
}

/**
 * The trace as aligned text for a terminal: a verdict line, then per direction one row per step with file:line.
 * `where(range)` renders a source location (the CLI makes paths relative).
 */
export function renderTraceText(t: Trace, where: (r: import('../model').SourceRange) => string, universe?: ConnSet): string {
  if (t.problem) return `${t.problem}\n`;
  const lines: string[] = [`${t.src} => ${t.dst}: ${describeVerdict(t)}${t.evaluatedAs ? ` (evaluated as ${t.evaluatedAs})` : ''}`];
  for (const d of [t.egress, t.ingress]) {
    if (!d) continue;
    lines.push('', directionHeading(d, universe));
    const sel = selectionLine(d);
    if (sel) lines.push(`  ${sel}`);
    const rows = traceRows(d, universe);
    const w = [0, 0, 0, 0];
    for (const r of rows) {
      w[0] = Math.max(w[0], r.who.length);
      w[1] = Math.max(w[1], r.rule.length);
      w[2] = Math.max(w[2], r.action.length);
      w[3] = Math.max(w[3], (r.what + (r.note ? ` (${r.note})` : '')).length);
    }
    let tier: string | undefined;
    for (const r of rows) {
      if (r.tier !== tier) {
        tier = r.tier;
        if (r.tier) lines.push(`  ${r.tier}`);
      }
      const loc = r.range ? `  ${where(r.range)}` : '';
      lines.push(`    ${pad(r.who, w[0])}  ${pad(r.rule, w[1])}  ${pad(r.action, w[2])}  ${pad(r.what + (r.note ? ` (${r.note})` : ''), w[3])}${loc}`.replace(/\s+$/, ''));
    }
  }
  return lines.join('\n') + '\n';
}

/** The trace as markdown (hover, PR comments). */
export function renderTraceMarkdown(t: Trace, link: (r: import('../model').SourceRange) => string, universe?: ConnSet): string {
  if (t.problem) return t.problem;
  const out: string[] = [`**${t.src} → ${t.dst}**: ${describeVerdict(t)}`];
  for (const d of [t.egress, t.ingress]) {
    if (!d) continue;
    const sel = selectionLine(d);
    out.push('', `*${directionHeading(d, universe)}*${sel ? ` — ${sel}` : ''}`, '', '| tier | policy | rule | action | traffic |', '| --- | --- | --- | --- | --- |');
    for (const r of traceRows(d, universe)) {
      const rule = r.range ? `[${r.rule}](${link(r.range)})` : r.rule;
      out.push(`| ${r.tier} | ${r.who} | ${rule} | ${r.action} | ${r.what}${r.note ? ` (${r.note})` : ''} |`);
    }
  }
  return out.join('\n');
}

/** "web/frontend", "web/frontend and web/admin", "web/frontend and 4 more". */
export function describeEndpoints(ids: string[]): string {
  if (ids.length <= 2) return ids.join(' and ');
  return `${ids[0]} and ${ids.length - 1} more`;
}

/**
 * What one rule decides, as markdown (the hover on a rule): a table of the flows where this rule is the first to
 * match, with the action it applies. `effects` come from Analysis.ruleEffectsAt.
 */
export function renderRuleEffectsMarkdown(r: { policy: string; kind?: string; direction: 'Ingress' | 'Egress'; ruleIndex: number; ruleName?: string; action: TraceStep['action']; effects: { self: string[]; peer: string[]; conns: ConnSet }[] }, universe?: ConnSet, limit = 12): string {
  const head = `**${r.policy} ${ruleLabel(r.direction, r.ruleIndex, r.ruleName, { kind: r.kind, action: r.action })}** (${r.action})`;
  if (r.effects.length === 0) return `${head}: decides no flow between the workloads of this workspace (nothing it matches reaches it first, or nothing matches).`;
  const rows = r.effects.map((e) => {
    const [src, dst] = r.direction === 'Egress' ? [e.self, e.peer] : [e.peer, e.self];
    return `| ${describeEndpoints(src)} | ${describeEndpoints(dst)} | ${ACTION_VERB[r.action]} ${describeConns(e.conns, universe)} |`;
  });
  const more = rows.length > limit ? `\n\n… and ${rows.length - limit} more` : '';
  return `${head} decides these flows (where it is the first rule to match):\n\n| from | to | effect |\n| --- | --- | --- |\n${rows.slice(0, limit).join('\n')}${more}`;
}

/** "1 network policy", "2 network policies": a count with its noun in the right number. */
export function plural(n: number, one: string, many?: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many ?? `${one}s`}`;
}

type PostureKey = 'notIsolatedIngress' | 'notIsolatedEgress' | 'reachableFromOutside' | 'canReachInternet' | 'namespacesWithoutDefaultDeny';

/**
 * The posture findings in words, for every surface: `short` for the panel's chips, `title` their tooltip, `sentence`
 * for the `reach` text output (`names`: the workloads or namespaces, already shortened).
 */
export const POSTURE_FINDINGS: readonly { key: PostureKey; short: (n: number) => string; title: string; sentence: (n: number, names: string) => string }[] = [
  {
    key: 'notIsolatedIngress',
    short: (n) => `${plural(n, 'workload')} open for ingress`,
    title: 'No policy (of any tier) restricts their ingress: everything may connect to them. Shows the matrix narrowed to them as destinations.',
    sentence: (n, names) => `${plural(n, 'workload')} ${n === 1 ? 'accepts' : 'accept'} traffic from anywhere (no policy restricts their ingress): ${names}`,
  },
  {
    key: 'notIsolatedEgress',
    short: (n) => `${plural(n, 'workload')} open for egress`,
    title: 'No policy (of any tier) restricts their egress: they may connect anywhere. Shows the matrix narrowed to them as sources.',
    sentence: (n, names) => `${plural(n, 'workload')} may send anywhere (no policy restricts their egress): ${names}`,
  },
  {
    key: 'reachableFromOutside',
    short: (n) => `${n.toLocaleString('en-US')} reachable from outside the cluster`,
    title: 'Some external address may connect to them.',
    sentence: (n, names) => `${plural(n, 'workload')} ${n === 1 ? 'is' : 'are'} reachable from outside the cluster: ${names}`,
  },
  {
    key: 'canReachInternet',
    short: (n) => `${n.toLocaleString('en-US')} can reach external addresses`,
    title: 'They may connect to some address outside the cluster.',
    sentence: (n, names) => `${plural(n, 'workload')} can reach addresses outside the cluster: ${names}`,
  },
  {
    key: 'namespacesWithoutDefaultDeny',
    short: (n) => `${plural(n, 'namespace')} without a default deny`,
    title: 'Namespaces where some workload is open for ingress or egress.',
    sentence: (n, names) => `${plural(n, 'namespace')} without a default deny: ${names}`,
  },
];

/**
 * The posture summary in words (the `reach` text output; the panel's strip uses POSTURE_FINDINGS' short words): one
 * line per finding, naming up to `max` workloads.
 */
export function describePosture(
  p: { notIsolatedIngress: number[]; notIsolatedEgress: number[]; reachableFromOutside: number[]; canReachInternet: number[]; namespacesWithoutDefaultDeny: string[]; largestBlastRadius: [number, number][] },
  endpointId: (i: number) => string,
  max = 5,
): string[] {
  const out: string[] = [];
  for (const f of POSTURE_FINDINGS) {
    const xs = p[f.key];
    if (!xs.length) continue;
    const shown = f.key === 'namespacesWithoutDefaultDeny' ? (xs as string[]).slice(0, max) : (xs as number[]).slice(0, max).map(endpointId);
    out.push(f.sentence(xs.length, xs.length > max ? `${shown.join(', ')} and ${xs.length - max} more` : shown.join(', ')));
  }
  if (p.largestBlastRadius.length) out.push(`largest blast radius: ${p.largestBlastRadius.slice(0, 3).map(([i, n]) => `${endpointId(i)} reaches ${plural(n, 'workload')}`).join('; ')}`);
  return out;
}
