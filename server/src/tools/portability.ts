// "Consistent policy across distributions": the same manifests analysed as each chosen CNI enforces them, and every
// flow whose verdict differs, with the reason it differs derived from the engine's traces (which step decided the
// differing connections on each side, and why the other CNI does not take that step).
//
// Reasons (stable codes):
//   kind-ignored   a policy of a kind one CNI enforces and the other ignores (CiliumNetworkPolicy outside Cilium,
//                  projectcalico.org outside Calico, ClusterNetworkPolicy where it is not supported, ...)
//   icmp           the difference is only ICMP/ICMPv6 (or other non-port protocols): Calico and Cilium count them in
//                  "all traffic", Kubernetes NetworkPolicy semantics only have TCP, UDP and SCTP
//   ipblock-pods   an ipBlock / CIDR peer matches pod addresses under one CNI and not the other
//   fail-closed    a rule one CNI cannot express fails closed there (the rule's note says so)
//   semantics      the same objects, evaluated differently (ordering, tiers, deny precedence): both traces shown
// Pure apart from what tools/ uses (no Node APIs).
import { ConnSet, type Analysis, type ProtocolPorts, type Trace, type TraceStep } from '../core/index';
import { cniName, type Cni } from '../core/policy/cni';
import { describeConns, describeConnsAcrossSemantics, ruleLabel } from '../core/explain/format';
import type { Policy, Rule } from '../core/policy/ir';
import { rangeOfId } from './externals';
import { semanticDiff } from './reach-diff';

export interface PortabilityReason {
  code: 'kind-ignored' | 'icmp' | 'ipblock-pods' | 'fail-closed' | 'semantics';
  /** The two CNIs compared. */
  between: [Cni, Cni];
  text: string;
  /** The policy (and rule) the reason is about, when there is one. */
  policy?: string;
  kind?: string;
  file?: string;
  line?: number;
}

export interface PortabilityFlow {
  src: string;
  dst: string;
  /** What each CNI allows for the pair ({} = nothing). */
  verdicts: Partial<Record<Cni, ProtocolPorts>>;
  /** The same, in words. */
  words: Partial<Record<Cni, string>>;
  reasons: PortabilityReason[];
  /** (internal) facts before merging. */
  facts?: Fact[];
}

export interface PortabilityReport {
  cnis: Cni[];
  /** How each analysis named its semantics. */
  evaluatedAs: Partial<Record<Cni, string>>;
  flows: PortabilityFlow[];
  /** Per reason code, the number of differing flows it explains. */
  summary: Record<string, number>;
  /** What could not be compared (e.g. named destinations only one CNI knows). */
  notCompared: string[];
}

/** The analyses of the same cluster per CNI: `analyze(cni)` returns the analysis under that CNI. */
export function portability(analyze: (cni: Cni) => Analysis, cnis: Cni[], opts: { display?: (file: string) => string } = {}): PortabilityReport {
  const analyses = new Map<Cni, Analysis>(cnis.map((c) => [c, analyze(c)]));
  const flows = new Map<string, PortabilityFlow>();
  const notCompared = new Set<string>();
  const domainsOf = (a: Analysis) => new Set(a.endpoints().filter((e) => e.kind === 'External' && !rangeOfId(e.id)).map((e) => e.id));
  const domains = new Map<Cni, Set<string>>(cnis.map((c) => [c, domainsOf(analyses.get(c)!)]));
  for (let i = 0; i < cnis.length; i++) {
    for (let j = i + 1; j < cnis.length; j++) {
      const A = cnis[i];
      const B = cnis[j];
      const a = analyses.get(A)!;
      const b = analyses.get(B)!;
      const d = semanticDiff(a, b);
      for (const n of d.notCompared) notCompared.add(`${n} external addresses (${cniName(A)} vs ${cniName(B)})`);
      for (const ch of d.changes) {
        const onlyOne = [ch.src, ch.dst].find((id) => (domains.get(A)!.has(id) || domains.get(B)!.has(id)) && !(domains.get(A)!.has(id) && domains.get(B)!.has(id)));
        if (onlyOne) {
          notCompared.add(`named destination ${onlyOne} (only ${domains.get(A)!.has(onlyOne) ? cniName(A) : cniName(B)} models it)`);
          continue;
        }
        const key = `${ch.src}\u0000${ch.dst}`;
        let f = flows.get(key);
        if (!f) flows.set(key, (f = { src: ch.src, dst: ch.dst, verdicts: {}, words: {}, reasons: [] }));
        f.verdicts[A] = ch.before.protocols;
        f.verdicts[B] = ch.after.protocols;
        const diffSet = ConnSet.fromProtocolPorts(ch.added).union(ConnSet.fromProtocolPorts(ch.removed));
        (f.facts ??= []).push(...factsFor(a, b, A, B, ch.src, ch.dst, diffSet, opts.display));
      }
    }
  }
  for (const f of flows.values()) {
    f.reasons = mergeFacts(f.facts ?? []);
    delete f.facts;
  }
  // Every CNI's verdict for every listed flow (pairs equal under two CNIs were only set by the pairs that differ).
  for (const f of flows.values()) {
    for (const c of cnis) {
      if (!f.verdicts[c]) f.verdicts[c] = allowedOn(analyses.get(c)!, f.src, f.dst).toJSON();
      f.words[c] = describeConnsAcrossSemantics(f.verdicts[c]!);
    }
  }
  const list = [...flows.values()].sort((x, y) => (x.src < y.src ? -1 : x.src > y.src ? 1 : x.dst < y.dst ? -1 : x.dst > y.dst ? 1 : 0));
  const summary: Record<string, number> = {};
  for (const f of list) for (const code of new Set(f.reasons.map((r) => r.code))) summary[code] = (summary[code] ?? 0) + 1;
  const evaluatedAs: Partial<Record<Cni, string>> = {};
  for (const c of cnis) evaluatedAs[c] = analyses.get(c)!.evaluatedAs;
  return { cnis, evaluatedAs, flows: list, summary, notCompared: [...notCompared].sort() };
}

/** An id the analysis resolves: a refined address range is looked up by its first address. */
function resolvable(id: string): string {
  const r = rangeOfId(id);
  return r ? id.slice(0, id.indexOf('-')) : id;
}

function allowedOn(a: Analysis, src: string, dst: string): ConnSet {
  return a.allowedBetween(resolvable(src), resolvable(dst));
}

/** Steps of a trace that decided some of `d` (rules and tier ends), with their direction. */
function decisive(t: Trace, d: ConnSet): { step: TraceStep; direction: 'Ingress' | 'Egress' }[] {
  const out: { step: TraceStep; direction: 'Ingress' | 'Egress' }[] = [];
  for (const dt of [t.egress, t.ingress]) {
    if (!dt) continue;
    for (const s of dt.steps) if (!ConnSet.fromProtocolPorts(s.conns).intersect(d).isEmpty()) out.push({ step: s, direction: dt.direction });
  }
  return out;
}

/** The model rule a rule step refers to (by its source range), with its policy. */
function ruleOf(a: Analysis, s: TraceStep, direction: 'Ingress' | 'Egress'): { policy: Policy; rule: Rule } | undefined {
  if (s.kind !== 'rule' || !s.range) return undefined;
  for (const t of a.model.tiers) {
    if (t.name !== s.tier) continue;
    for (const p of t.policies) {
      if (p.display !== s.policy) continue;
      const r = (direction === 'Ingress' ? p.ingress : p.egress).find((x) => x.index === s.ruleIndex && x.range?.startOffset === s.range!.startOffset && x.range?.file === s.range!.file);
      if (r) return { policy: p, rule: r };
    }
  }
  return undefined;
}

function kindsOf(a: Analysis): Set<string> {
  const out = new Set<string>();
  for (const t of a.model.tiers) for (const p of t.policies) out.add(p.kind);
  return out;
}

const NON_PORT = new Set(['TCP', 'UDP', 'SCTP']);

/** A reason before its text: which CNI takes the step (`me`), which one does not (`others`). */
interface Fact {
  code: PortabilityReason['code'];
  me: Cni;
  others: Cni[];
  /** The text with {others} where the CNIs that differ go. */
  template: string;
  policy?: string;
  kind?: string;
  file?: string;
  line?: number;
}

function isolating(a: Analysis, tier: string | undefined, display: string, kind: string | undefined, d: 'Ingress' | 'Egress'): boolean {
  for (const t of a.model.tiers) if (t.name === tier) for (const p of t.policies) if (p.display === display && p.kind === kind && p.isolates.includes(d)) return true;
  return false;
}

function factsFor(a: Analysis, b: Analysis, A: Cni, B: Cni, src: string, dst: string, d: ConnSet, display?: (f: string) => string): Fact[] {
  const out: Fact[] = [];
  const where = (r?: { file: string; start: { line: number } }) => (r ? { file: display ? display(r.file) : r.file, line: r.start.line + 1 } : {});
  // 1. Only protocols without ports (ICMP...) differ and one side has no such protocols at all.
  if (d.protocols().every((p) => !NON_PORT.has(p))) {
    const lacking = [A, B].find((c) => (c === A ? a : b).universe.protocols().every((p) => NON_PORT.has(p)));
    if (lacking) {
      const me = lacking === A ? B : A;
      out.push({ code: 'icmp', me, others: [lacking], template: `The verdicts differ only in ICMP/ICMPv6: {me} {count} ICMP in "all traffic" (a rule without ports allows it); {others} semantics cover only TCP, UDP and SCTP.` });
      return out;
    }
  }
  const ta = a.trace(resolvable(src), resolvable(dst));
  const tb = b.trace(resolvable(src), resolvable(dst));
  const kindsA = kindsOf(a);
  const kindsB = kindsOf(b);
  const sides: [Analysis, Trace, Cni, Set<string>, Cni][] = [
    [a, ta, A, kindsB, B],
    [b, tb, B, kindsA, A],
  ];
  for (const [an, t, me, otherKinds, other] of sides) {
    for (const { step, direction } of decisive(t, d)) {
      const dt = direction === 'Egress' ? t.egress! : t.ingress!;
      const what = describeConns(ConnSet.fromProtocolPorts(step.conns).intersect(d));
      if (step.kind === 'tier-end' && step.action === 'Deny') {
        // Default deny: the isolating policies of that tier that the other CNI ignores.
        for (const p of dt.selectedBy) {
          if (p.tier !== step.tier || otherKinds.has(p.policyKind ?? '') || !isolating(an, p.tier, p.policy, p.policyKind, direction)) continue;
          const template =
            p.policyKind === 'policyEnforcementMode'
              ? `Under ${cniName(me)} ${p.policy} puts ${dt.self} in default-deny for ${direction.toLowerCase()}; {others} {has} no such mode.`
              : `${p.policyKind} ${p.policy} puts ${dt.self} in default-deny for ${direction.toLowerCase()} under ${cniName(me)} (what no rule allows is dropped); {others} {ignore} ${p.policyKind} objects.`;
          out.push({ code: 'kind-ignored', me, others: [other], template, policy: p.policy, kind: p.policyKind, ...where(p.range) });
        }
        continue;
      }
      if (step.kind !== 'rule') continue;
      const label = `${step.policy} ${ruleLabel(direction, step.ruleIndex ?? 0, step.ruleName, { kind: step.policyKind, action: step.action })}`;
      if (step.policyKind && !otherKinds.has(step.policyKind)) {
        out.push({ code: 'kind-ignored', me, others: [other], policy: step.policy, kind: step.policyKind, ...where(step.range), template: `${step.policyKind} ${label} ${step.action === 'Allow' ? 'allows' : step.action === 'Deny' ? 'denies' : 'decides'} ${what} under ${cniName(me)}; {others} {ignore} ${step.policyKind} objects.` });
        continue;
      }
      const found = ruleOf(an, step, direction);
      if (!found) continue;
      const { rule } = found;
      if (rule.note && /fail/i.test(rule.note)) out.push({ code: 'fail-closed', me, others: [other], policy: step.policy, kind: step.policyKind, ...where(step.range), template: `${label} under ${cniName(me)}: ${rule.note} (not under {others}).` });
      if (rule.peers?.some((m) => m.key.includes('+pods'))) out.push({ code: 'ipblock-pods', me, others: [other], policy: step.policy, kind: step.policyKind, ...where(step.range), template: `${label}: its address block matches pod addresses under ${cniName(me)}; under {others} address blocks only match addresses outside the cluster.` });
    }
  }
  if (out.length === 0) {
    const words = (t: Trace, c: Cni) => {
      const steps = decisive(t, d).map(({ step, direction }) => (step.kind === 'rule' ? `${step.policy} ${ruleLabel(direction, step.ruleIndex ?? 0, step.ruleName, { kind: step.policyKind, action: step.action })} ${step.action}` : step.kind === 'tier-end' ? `end of ${step.tierLabel ?? step.tier} (${step.action})` : step.note ?? 'default'));
      return `${cniName(c)}: ${steps.length ? steps.join(', ') : 'no step decides it'}`;
    };
    out.push({ code: 'semantics', me: A, others: [B], template: `The same objects are evaluated differently (${describeConns(d)}): ${words(ta, A)}; ${words(tb, B)}.` });
  }
  return out;
}

/** Merges facts of several CNI pairs (the same step, other CNIs) and writes their text. */
function mergeFacts(facts: Fact[]): PortabilityReason[] {
  // The same step of one CNI against several others; the ICMP fact of several CNIs against the same other.
  const byKey = new Map<string, Fact & { mes: Cni[] }>();
  for (const f of facts) {
    const k = f.code === 'icmp' ? `icmp\u0000${f.others.join(',')}` : `${f.code}\u0000${f.me}\u0000${f.template}`;
    const prev = byKey.get(k);
    if (prev) {
      for (const o of f.others) if (!prev.others.includes(o)) prev.others.push(o);
      if (!prev.mes.includes(f.me)) prev.mes.push(f.me);
    } else byKey.set(k, { ...f, others: [...f.others], mes: [f.me] });
  }
  const and = (names: string[]) => (names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0]);
  return [...byKey.values()].map((f) => {
    const names = f.others.map(cniName);
    const text = f.template
      .replace('{others}', and(names))
      .replace('{ignore}', names.length > 1 ? 'ignore' : 'ignores')
      .replace('{has}', names.length > 1 ? 'have' : 'has')
      .replace('{me}', and(f.mes.map(cniName)))
      .replace('{count}', f.mes.length > 1 ? 'count' : 'counts');
    const r: PortabilityReason = { code: f.code, between: [f.me, f.others[0]], text };
    if (f.policy) r.policy = f.policy;
    if (f.kind) r.kind = f.kind;
    if (f.file) {
      r.file = f.file;
      r.line = f.line;
    }
    return r;
  });
}

/** The report as text (the CLI). */
export function portabilityText(r: PortabilityReport): string {
  const lines: string[] = [];
  lines.push(`Compared as ${r.cnis.map((c) => r.evaluatedAs[c] ?? cniName(c)).join(' / ')}`);
  lines.push(`${r.flows.length} flow${r.flows.length === 1 ? '' : 's'} with different verdicts${Object.keys(r.summary).length ? ` (${Object.entries(r.summary).map(([k, n]) => `${k}: ${n}`).join(', ')})` : ''}`);
  for (const f of r.flows) {
    lines.push('', `${f.src} => ${f.dst}`);
    const w = Math.max(...r.cnis.map((c) => cniName(c).length));
    for (const c of r.cnis) lines.push(`  ${cniName(c).padEnd(w)}  ${f.words[c] === 'nothing' ? 'denied' : f.words[c]}`);
    for (const reason of f.reasons) lines.push(`  why [${reason.code}]: ${reason.text}${reason.file ? ` (${reason.file}:${reason.line})` : ''}`);
  }
  if (r.notCompared.length) lines.push('', `Not compared: ${r.notCompared.join('; ')}`);
  return `${lines.join('\n')}\n`;
}

/** The report as markdown (PR comments). */
export function portabilityMarkdown(r: PortabilityReport): string {
  const out: string[] = [`### Policy portability: ${r.cnis.map(cniName).join(' / ')}`, '', `${r.flows.length} flow${r.flows.length === 1 ? '' : 's'} with different verdicts.`];
  if (r.flows.length) {
    out.push('', `| flow | ${r.cnis.map(cniName).join(' | ')} | why |`, `| --- | ${r.cnis.map(() => '---').join(' | ')} | --- |`);
    for (const f of r.flows) out.push(`| ${f.src} → ${f.dst} | ${r.cnis.map((c) => (f.words[c] === 'nothing' ? 'denied' : f.words[c])).join(' | ')} | ${f.reasons.map((x) => `**${x.code}**: ${x.text.replace(/\|/g, '\\|')}`).join('<br>')} |`);
  }
  if (r.notCompared.length) out.push('', `Not compared: ${r.notCompared.join('; ')}`);
  return `${out.join('\n')}\n`;
}
