// "How do I allow this?" / "How do I block this?": proposes the smallest policy edits that make one flow allowed
// (or denied), each verified by the engine before it is shown.
//
// How it works:
// 1. The request (src, dst, optional protocol/port) is resolved in the analysis; `want` is the flow to allow (or to
//    block).
// 2. A small search over edit steps: in each state, the explanation trace of the pair (core/policy/trace.ts) names
//    the step that decides what is still missing — for allow, the first Deny rule or tier end on the egress side of
//    the source, else on the ingress side of the destination; for block, the first Allow rule (or the default) on
//    either side. The writer of each dialect (core/dialects/<dialect>/suggest.ts) proposes text changes for that
//    step; each change is applied, the edited files are parsed and analysed again, and the search goes on from
//    there (a Calico Pass may need a second edit in the next tier; both sides may need one) up to `maxSteps` edits.
// 3. A state where the whole flow is allowed (blocked) is verified against the analysis before any edit, on the
//    common refinement of both analyses' classes (the panel's diff): a proposal is shown only when nothing is
//    removed (allow) / nothing is added (block), and the edited files have no new error diagnostics. Every other
//    changed flow is listed in the effect and named in the title ("also allows ..."); `exact` is true when there is
//    none.
// Pure: no LSP imports.
import { analyze, type Analysis } from '../analysis';
import { parseFiles, type InputFile, type ParseOptions } from '../parse';
import { ConnSet, MAX_PORT, MIN_PORT, PORT_PROTOCOLS } from '../ports';
import type { ModelOptions } from '../policy/build';
import { rulesOf, type Direction, type Policy, type Tier } from '../policy/ir';
import type { TraceStep } from '../reach-types';
import { kubernetesSuggester } from '../dialects/kubernetes/suggest';
import { calicoSuggester } from '../dialects/calico/suggest';
import { clusterPolicySuggester } from '../dialects/admin/suggest';
import { ciliumSuggester } from '../dialects/cilium/suggest';
import { connWords, declaredPorts, endpointIds, resolveEndpoint, wholeProtocol } from './common';
import { applyChanges, effectOf, fileEdits, newErrors, StateParser, type Reanalysis } from './verify';
import type { DialectSuggester, EndpointInfo, FlowChange, Proposal, SideRequest, StepCandidate, SuggestMode, SuggestRequest, SuggestResult } from './types';

export * from './types';
export { renderPreview } from './verify';

/** The dialect writers, asked in this order (a new dialect adds its writer here). */
export const SUGGESTERS: DialectSuggester[] = [kubernetesSuggester, calicoSuggester, clusterPolicySuggester, ciliumSuggester];

export interface SuggestInput {
  /** Every manifest file of the workspace (the edits refer to these paths). */
  files: InputFile[];
  request: SuggestRequest;
  /** The current analysis of exactly these files with these options (computed when absent). */
  analysis?: Analysis;
  parse?: ParseOptions;
  /** Model options (Calico staged policies as enforced: what-if). */
  model?: ModelOptions;
  /** At most this many proposals (default 5). */
  maxProposals?: number;
  /** At most this many edit steps per proposal (default 3). */
  maxSteps?: number;
}

interface SearchNode {
  files: Map<string, string>;
  re: Reanalysis;
  steps: StepCandidate[];
  cost: number;
  /** Block mode: the side the first step narrowed (later steps stay on it). */
  side?: Direction;
}

const BEAM = 6;
const PER_NODE = 4;
const MAX_ANALYSES = 40;

function normProtocol(p: string): string {
  const u = p.toUpperCase();
  if (u === 'ICMPV6') return 'ICMPv6';
  if (u === 'UDPLITE') return 'UDPLite';
  return u;
}

function sameRange(a: { file: string; startOffset: number } | undefined, b: { file: string; startOffset: number } | undefined): boolean {
  return !!a && !!b && a.file === b.file && a.startOffset === b.startOffset;
}

export function suggest(input: SuggestInput): SuggestResult {
  const parse = input.parse ?? {};
  // Edited files are analysed as the given analysis was (the same CNI, ipBlock reading, staged mode).
  const model = input.model ?? input.analysis?.modelOptions ?? {};
  const files = new Map<string, string>(input.files.map((f) => [f.path, f.text]));
  const analysis = input.analysis ?? analyze(parseFiles(input.files, parse), model);
  const req = input.request;
  const empty = { src: req.src, dst: req.dst, mode: req.mode ?? 'allow', requested: {}, current: {}, proposals: [], notes: [] } as SuggestResult;
  const src = resolveEndpoint(analysis, req.src);
  const dst = resolveEndpoint(analysis, req.dst);
  if ('problem' in src) return { ...empty, problem: src.problem };
  if ('problem' in dst) return { ...empty, problem: dst.problem };
  if (!src.workload && !dst.workload) return { ...empty, problem: 'Both ends are external: connections between external addresses are not analysed.' };
  if (src.workload && dst.workload && src.workload.id === dst.workload.id) return { ...empty, problem: `${src.id} is the same workload; connections of a workload to itself are not analysed.` };
  const U = analysis.universe;
  const current = analysis.allowedBetween(src.id, dst.id);

  // The requested flow.
  let want: ConnSet;
  let mode: SuggestMode;
  if (req.protocol !== undefined || req.port !== undefined) {
    const proto = normProtocol(req.protocol ?? 'TCP');
    if (req.port !== undefined) {
      const [lo, hi] = typeof req.port === 'number' ? [req.port, req.port] : req.port;
      if (!(PORT_PROTOCOLS as readonly string[]).includes(proto)) return { ...empty, problem: `Protocol ${proto} has no ports; give a port only with TCP, UDP or SCTP.` };
      if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < MIN_PORT || hi > MAX_PORT || lo > hi) return { ...empty, problem: `Invalid port ${lo === hi ? lo : `${lo}-${hi}`}: ports are 1-65535.` };
      want = ConnSet.of(proto, lo, hi);
    } else want = wholeProtocol(U, proto);
    if (want.isEmpty() || !U.contains(want)) return { ...empty, problem: `Protocol ${proto} is not part of what ${analysis.evaluatedAs} policies can express here (${connWords(U)}).` };
    mode = req.mode ?? (current.contains(want) ? 'block' : 'allow');
  } else {
    mode = req.mode ?? (current.isEmpty() ? 'allow' : 'block');
    const declared = declaredPorts(dst.workload).intersect(U);
    want = mode === 'block' ? current : declared.isEmpty() ? U : declared;
  }
  const result: SuggestResult = { src: src.id, dst: dst.id, mode, requested: want.toJSON(), current: current.toJSON(), proposals: [], notes: [] };
  if (mode === 'allow' && current.contains(want)) {
    result.notes.push(`${connWords(want, U)} from ${src.id} to ${dst.id} is already allowed.`);
    return result;
  }
  if (mode === 'block' && current.intersect(want).isEmpty()) {
    result.notes.push(`${connWords(want, U)} from ${src.id} to ${dst.id} is already denied.`);
    return result;
  }
  if (mode === 'allow' && !current.isEmpty()) result.notes.push(`Already allowed: ${connWords(current, U)}; the proposals add ${connWords(want.subtract(current), U)}.`);

  const max = input.maxProposals ?? 5;
  const search = new Search(files, analysis, src, dst, want, mode, parse, model, input.maxSteps ?? 3);
  const found = search.run(max);
  result.proposals = found.map((f, i) => ({ ...f.proposal, id: `p${i + 1}` }));
  if (search.rejected) result.notes.push(`${search.rejected} candidate edit${search.rejected === 1 ? ' was' : 's were'} discarded: re-analysing ${search.rejected === 1 ? 'it' : 'them'} showed ${mode === 'allow' ? 'flows that would be newly denied' : 'flows that would be newly allowed'} or new errors.`);
  if (result.proposals.length === 0) {
    const why = search.why.length ? `: ${search.why.join('; ')}` : '';
    const n = input.maxSteps ?? 3;
    result.notes.push(`No verified edit of at most ${n} step${n === 1 ? '' : 's'} ${mode === 'allow' ? 'allows' : 'blocks'} this flow${why}.`.replace(/\.\.$/, '.'));
  }
  return result;
}

interface Found {
  node: SearchNode;
  proposal: Proposal;
  cost: number;
  lines: number;
  exact: boolean;
}

function extraCount(f: { proposal: Proposal }): number {
  const e = f.proposal.effect;
  return e.added.filter((x) => !x.requested).length + e.removed.filter((x) => !x.requested).length + e.omitted;
}

class Search {
  rejected = 0;
  /** Why the flow is decided as it is now, and what the writers say they cannot do, in words (first state only). */
  readonly why: string[] = [];
  private analyses = 0;
  private readonly seen = new Set<string>();
  private readonly parser: StateParser;

  constructor(
    private readonly files: Map<string, string>,
    private readonly analysis: Analysis,
    private readonly src: EndpointInfo,
    private readonly dst: EndpointInfo,
    private readonly want: ConnSet,
    private readonly mode: SuggestMode,
    private readonly parse: ParseOptions,
    private readonly model: ModelOptions,
    private readonly maxSteps: number,
  ) {
    this.parser = new StateParser(parse, files);
  }

  /** What is still to do in a state: per requested pair, the connections still missing (allow) / still allowed (block). */
  private remaining(a: Analysis): { s: string; d: string; conns: ConnSet }[] {
    const out: { s: string; d: string; conns: ConnSet }[] = [];
    for (const s of endpointIds(a, this.src)) {
      for (const d of endpointIds(a, this.dst)) {
        const now = a.allowedBetween(s, d);
        const r = this.mode === 'allow' ? this.want.subtract(now) : now.intersect(this.want);
        if (!r.isEmpty()) out.push({ s, d, conns: r });
      }
    }
    return out;
  }

  private isRequested(a: Analysis): (s: string, d: string) => boolean {
    const ss = new Set(endpointIds(a, this.src));
    const ds = new Set(endpointIds(a, this.dst));
    return (s, d) => ss.has(s) && ds.has(d);
  }

  /**
   * Searches edit steps breadth first (a small beam), then verifies the complete states best first, each with a full
   * parse and analysis from scratch, until `max` proposals are verified.
   */
  run(max: number): Found[] {
    const complete: Found[] = [];
    let level: SearchNode[] = [{ files: this.files, re: { cluster: this.analysis.cluster, analysis: this.analysis }, steps: [], cost: 0 }];
    for (let depth = 0; depth < this.maxSteps && level.length; depth++) {
      const next: SearchNode[] = [];
      for (const node of level) {
        const cands = this.candidates(node).sort((a, b) => a.cand.cost - b.cand.cost).slice(0, PER_NODE);
        for (const { cand, side } of cands) {
          if (this.analyses >= MAX_ANALYSES) break;
          const files = applyChanges(node.files, cand.changes);
          const key = [...files].filter(([f, t]) => this.files.get(f) !== t).map(([f, t]) => `${f}\u0000${t}`).join('\u0001');
          if (this.seen.has(key)) continue;
          this.seen.add(key);
          this.analyses++;
          const re = this.parser.analyse(files, node.re.analysis, this.model);
          if (newErrors(node.re.cluster, re.cluster).length) {
            this.rejected++;
            continue;
          }
          const child: SearchNode = { files, re, steps: [...node.steps, cand], cost: node.cost + cand.cost, side: node.side ?? (this.mode === 'block' ? side : undefined) };
          if (this.remaining(re.analysis).length === 0) {
            const f = this.assess(child, re.analysis);
            if (f) complete.push(f);
          } else next.push(child);
        }
      }
      level = next.sort((a, b) => a.cost - b.cost).slice(0, BEAM);
    }
    complete.sort((a, b) => Number(b.exact) - Number(a.exact) || extraCount(a) - extraCount(b) || a.cost - b.cost || a.lines - b.lines);
    const out: Found[] = [];
    for (const f of complete) {
      if (out.length >= max) break;
      // The verification: the edited files parsed from scratch, the whole workspace analysed from scratch; the effect
      // must be the one the search found.
      const full = this.parser.verify(f.node.files, this.model);
      const again = this.remaining(full.analysis).length === 0 && newErrors(this.analysis.cluster, full.cluster).length === 0 ? this.assess(f.node, full.analysis, true) : undefined;
      if (again && JSON.stringify(again.proposal.effect) === JSON.stringify(f.proposal.effect)) out.push(again);
      else this.rejected++;
    }
    return out;
  }

  /** The proposal a complete state stands for, or undefined when its effect goes the wrong way. */
  private assess(node: SearchNode, after: Analysis, withEdits = false): Found | undefined {
    const effect = effectOf(this.analysis, after, this.isRequested(after), this.want);
    const wrong = this.mode === 'allow' ? effect.removed.length > 0 : effect.added.length > 0;
    if (wrong) {
      this.rejected++;
      return undefined;
    }
    // Minimal line edits and hunks only for what is shown (a line diff of big files costs).
    const edits = withEdits ? fileEdits(this.files, node.files) : [];
    const extras = (this.mode === 'allow' ? effect.added : effect.removed).filter((x) => !x.requested);
    const exact = extras.length === 0 && effect.omitted === 0;
    const title = composeTitle(node.steps, extras, effect.omitted, this.mode);
    const lines = node.steps.reduce((n, st) => n + st.changes.reduce((m, x) => m + x.newText.split('\n').length + (x.end > x.start ? 1 : 0), 0), 0);
    return {
      node,
      proposal: { id: '', title, kinds: node.steps.map((s) => s.kind), dialects: [...new Set(node.steps.map((s) => s.dialect))], exact, edits, effect },
      cost: node.cost,
      lines,
      exact,
    };
  }

  /** The side requests of a state and every writer's candidates for them. */
  private candidates(node: SearchNode): { cand: StepCandidate; side: Direction }[] {
    const a = node.re.analysis;
    const rem = this.remaining(a);
    if (!rem.length) return [];
    const { s, d, conns } = rem[0];
    const t = a.trace(s, d);
    const out: { cand: StepCandidate; side: Direction }[] = [];
    const sides: Direction[] = this.mode === 'allow' ? ['Egress', 'Ingress'] : node.side ? [node.side] : ['Ingress', 'Egress'];
    const first = node.steps.length === 0;
    let proposed = false;
    for (const side of sides) {
      const dt = side === 'Egress' ? t.egress : t.ingress;
      const self = side === 'Egress' ? this.src : this.dst;
      if (!dt || !self.workload) continue;
      const allowed = ConnSet.fromProtocolPorts(dt.allowed);
      const need = this.mode === 'allow' ? conns.subtract(allowed) : conns.intersect(allowed);
      if (need.isEmpty()) continue;
      const step = dt.steps.find((st) => {
        const hit = ConnSet.fromProtocolPorts(st.conns).intersect(need);
        if (hit.isEmpty()) return false;
        if (this.mode === 'allow') return st.action === 'Deny';
        return st.action === 'Allow';
      });
      if (!step) continue;
      const req = this.sideRequest(node.files, a, side, self as EndpointInfo & { workload: NonNullable<EndpointInfo['workload']> }, side === 'Egress' ? this.dst : this.src, need, dt, step);
      // Allow: both sides must allow; fix the first one that does not, the next state fixes the other.
      if (!proposed) for (const w of SUGGESTERS) for (const cand of safely(() => w.propose(req), [])) out.push({ cand, side });
      if (this.mode === 'allow') proposed = true;
      // In the first state, every side that needs a change says why in words (shown when nothing is verified).
      if (first) {
        const why = [stepWords(req), ...SUGGESTERS.map((w) => safely(() => w.why?.(req), undefined))];
        for (const x of why) if (x && !this.why.includes(x)) this.why.push(x);
      } else if (proposed) break;
    }
    return out;
  }

  private sideRequest(files: Map<string, string>, a: Analysis, side: Direction, self: SideRequest['self'], peer: EndpointInfo, conns: ConnSet, trace: SideRequest['trace'], step: TraceStep): SideRequest {
    const tier: Tier | undefined = step.tier !== undefined ? a.model.tiers.find((t) => t.name === step.tier) : undefined;
    let policy: Policy | undefined;
    if (tier && step.kind === 'rule') {
      const named = tier.policies.filter((p) => p.display === step.policy && p.kind === step.policyKind);
      policy = named.find((p) => sameRange(rulesOf(p, side)[step.ruleIndex ?? 0]?.range, step.range)) ?? named[0];
    }
    const ev = a.evaluation;
    const wi = a.workloadIndex(self.workload.id)!;
    const chain = ev.chain(ev.classOf[wi], side);
    const tierPolicies = tier ? chain.find((ct) => a.model.tiers[ct.tier] === tier)?.policies ?? [] : [];
    const dstW = side === 'Egress' ? peer.workload : self.workload;
    const takenCache = new Map<string, Set<string>>();
    const takenNames = (ns: string | undefined) => {
      const k = ns ?? '';
      let s = takenCache.get(k);
      if (!s) {
        s = new Set<string>();
        for (const p of a.cluster.policies) if (ns !== undefined && p.namespace === ns) s.add(p.name);
        for (const p of a.cluster.calico?.policies ?? []) if ((p.namespaced ? p.metadata.namespace : undefined) === ns) s.add(p.metadata.name);
        if (ns === undefined) for (const p of a.cluster.clusterPolicies ?? []) s.add(p.name);
        takenCache.set(k, s);
      }
      return s;
    };
    return { mode: this.mode, state: { files, analysis: a }, side, self, peer, dst: dstW, conns, trace, step, tier, policy, tierPolicies, takenNames };
  }
}

function article(w: string): string {
  return /^[AEIOU]/i.test(w) ? 'an' : 'a';
}

/** What decides the requested flow on one side now, in words ("on the ingress of storefront/web, a Baseline-tier ClusterNetworkPolicy, ... denies it"). */
function stepWords(req: SideRequest): string {
  const st = req.step;
  const where = `on the ${req.side === 'Ingress' ? 'ingress' : 'egress'} of ${req.self.workload.id}`;
  const verb = st.action === 'Deny' ? 'denies' : st.action === 'Allow' ? 'allows' : st.action === 'Pass' ? 'passes' : 'logs';
  if (st.kind === 'rule') {
    const m = /^(\S+) tier$/.exec(st.tierLabel ?? '');
    const kind = st.policyKind ?? 'policy';
    const who = m ? `${article(m[1])} ${m[1]}-tier ${kind}, ${st.policy},` : `${kind} ${st.policy}${st.tierLabel && !st.tierLabel.includes(kind) ? ` (${st.tierLabel})` : ''}`;
    const rule = `${req.side === 'Ingress' ? 'ingress' : 'egress'} rule ${(st.ruleIndex ?? 0) + 1}${st.ruleName ? ` "${st.ruleName}"` : ''}`;
    return `${where}, ${who} ${verb} it (${rule})`;
  }
  if (st.kind === 'tier-end') return `${where}, policies select it${st.tierLabel ? ` (${st.tierLabel})` : ''} and none of their rules allows it: the tier's end ${verb} it`;
  return `${where}, no policy decides it, so it is allowed by default`;
}

function pairWords(c: FlowChange): string {
  return `${c.src} → ${c.dst} (${connWords(ConnSet.fromProtocolPorts(c.protocols))})`;
}

function composeTitle(steps: StepCandidate[], extras: FlowChange[], omitted: number, mode: SuggestMode): string {
  const body = steps.map((s) => s.title).join(', and ');
  let title = body.charAt(0).toUpperCase() + body.slice(1);
  const n = extras.length + omitted;
  if (n > 0) {
    const shown = extras.slice(0, 2).map(pairWords);
    const more = n - shown.length;
    title += ` (also ${mode === 'allow' ? 'allows' : 'blocks'} ${shown.join(', ')}${more > 0 ? `${shown.length ? ' and ' : ''}${more} more` : ''})`;
  }
  return title;
}

/** A writer never breaks the answer: what it cannot build (it throws) is simply not offered. */
function safely<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}
