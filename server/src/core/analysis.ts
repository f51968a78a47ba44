// The analysis of a cluster: its policy model (every dialect lowered into core/policy/ir.ts), evaluated by the one
// evaluator (core/policy/evaluate.ts). This facade serves the CLI, the language server, the panel and the
// playground: the reachability result, per-pair connections, and explanation traces.
import type { Cluster, NetworkPolicy, Workload } from './model';
import type { Connection, ConnectionExplanation, Endpoint, Explanation, ProtocolPorts, ReachResult, Trace } from './reach-types';
import { ConnSet } from './ports';
import { addressInterval, type Family } from './ip';
import { buildModel, buildWorld, evaluatedAs, type ModelOptions } from './policy/build';
import { Evaluation } from './policy/evaluate';
import { chooseCni, type CniChoice } from './policy/cni';
import type { Direction, Policy, PolicyModel, Rule, WorldView } from './policy/ir';
import { traceDirection } from './policy/trace';
import { explanationOf } from './explain/format';

export interface AnalyzeOptions extends ModelOptions {
  /** A previous analysis of the same workspace, to reuse what the change cannot affect. */
  previous?: Analysis;
  /**
   * Ids of workloads that are new or whose labels, ports, service account or namespace labels changed since
   * `previous`. Undefined: unknown (no reuse).
   */
  changedWorkloads?: ReadonlySet<string>;
}

export interface ExternalAtomInfo {
  id: string;
  family: Family;
  lo: bigint;
  hi: bigint;
}

export class Analysis {
  readonly workloads: Workload[];
  /** Kubernetes NetworkPolicies of the cluster. */
  readonly policies: NetworkPolicy[];
  readonly world: WorldView;
  readonly model: PolicyModel;
  readonly evaluation: Evaluation;
  /** Which semantics evaluated the cluster, in words ("Kubernetes NetworkPolicy", "Cilium (detected: ...)"). */
  readonly evaluatedAs: string;
  /** The CNI whose semantics evaluated the cluster, and how it was chosen. */
  readonly cni: CniChoice;
  /** The model options this analysis was built with (to analyse edited files the same way). */
  readonly modelOptions: ModelOptions;
  private readonly nClasses: number;

  constructor(
    readonly cluster: Cluster,
    opts: AnalyzeOptions = {},
  ) {
    this.workloads = cluster.workloads;
    this.policies = cluster.policies;
    this.world = buildWorld(cluster);
    this.model = buildModel(cluster, opts);
    this.evaluation = new Evaluation(this.world, this.model, { previous: opts.previous?.evaluation, changedWorkloads: opts.changedWorkloads });
    this.evaluatedAs = evaluatedAs(cluster, opts);
    this.cni = chooseCni(cluster, opts.cni);
    const { previous: _p, changedWorkloads: _c, ...modelOptions } = opts;
    this.modelOptions = modelOptions;
    this.nClasses = this.evaluation.classes.length;
  }

  /** The universe of connections (all TCP/UDP/SCTP ports; more with Calico). */
  get universe(): ConnSet {
    return this.model.universe;
  }

  /** External address endpoints (atoms cut at every policy boundary). */
  get atoms(): ExternalAtomInfo[] {
    return this.evaluation.externals.filter((x) => x.atom).map((x) => ({ id: x.id, family: x.atom!.family, lo: x.atom!.lo, hi: x.atom!.hi }));
  }

  /** Workload classes: workloads no policy can tell apart. */
  get classOf(): readonly number[] {
    return this.evaluation.classOf;
  }

  workloadIndex(id: string): number | undefined {
    return this.evaluation.workloadIndex(id);
  }

  /** Allowed connections between two workloads (by index). */
  allowed(src: number, dst: number): ConnSet {
    if (src === dst) return ConnSet.EMPTY;
    return this.evaluation.classPair(this.evaluation.classOf[src], this.evaluation.classOf[dst]);
  }

  private egressToExternal(w: number, k: number): ConnSet {
    return this.evaluation.cell(this.evaluation.classOf[w], 'Egress', this.nClasses + k);
  }

  private ingressFromExternal(w: number, k: number): ConnSet {
    if (this.evaluation.externals[k].kind !== 'address') return ConnSet.EMPTY;
    return this.evaluation.cell(this.evaluation.classOf[w], 'Ingress', this.nClasses + k);
  }

  /**
   * Resolves an endpoint id: a workload id, an external endpoint id (address range or DNS name), or a single IP
   * address / a CIDR that lies inside one external range.
   */
  resolve(id: string): { workload: number } | { external: number } | undefined {
    const w = this.evaluation.workloadIndex(id);
    if (w !== undefined) return { workload: w };
    const k = this.evaluation.externalIndex(id);
    if (k !== undefined) return { external: k };
    const iv = addressInterval(id);
    if (!iv) return undefined;
    const idx = this.evaluation.externals.findIndex((x) => x.atom && x.atom.family === iv!.family && x.atom.lo <= iv!.lo && iv!.hi <= x.atom.hi);
    return idx >= 0 ? { external: idx } : undefined;
  }

  /** Allowed connections between two endpoint ids (workloads, external ranges, DNS names, IPs). */
  allowedBetween(srcId: string, dstId: string): ConnSet {
    const s = this.resolve(srcId);
    const d = this.resolve(dstId);
    if (!s || !d) return ConnSet.EMPTY;
    if ('workload' in s && 'workload' in d) return this.allowed(s.workload, d.workload);
    if ('workload' in s && 'external' in d) return this.egressToExternal(s.workload, d.external);
    if ('external' in s && 'workload' in d) return this.ingressFromExternal(d.workload, s.external);
    return ConnSet.EMPTY;
  }

  endpoints(): Endpoint[] {
    const out: Endpoint[] = this.workloads.map((w) => ({ id: w.id, kind: w.kind, namespace: w.namespace, name: w.name, labels: w.labels, range: w.range }));
    for (const x of this.evaluation.externals) out.push({ id: x.id, kind: 'External', name: x.id, labels: {} });
    return out;
  }

  /**
   * Every allowed connection, sorted by source id then destination id (workloads and external endpoints alike);
   * each with a compact explanation (the rules that allowed it). Generated lazily so large results can be streamed.
   */
  *connections(): Generator<Connection> {
    const ev = this.evaluation;
    const C = this.nClasses;
    const ext = ev.externals;
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    // Sources and destinations in id order (workloads and external endpoints together).
    const ids: string[] = [];
    const wOf: number[] = [];
    const colOf: number[] = [];
    this.workloads.forEach((w, i) => {
      ids.push(w.id);
      wOf.push(i);
      colOf.push(ev.classOf[i]);
    });
    ext.forEach((x, k) => {
      ids.push(x.id);
      wOf.push(-1 - k);
      colOf.push(C + k);
    });
    const order = ids.map((_, i) => i).sort((a, b) => cmp(ids[a], ids[b]));
    const oIds = order.map((i) => ids[i]);
    const oW = Int32Array.from(order, (i) => wOf[i]);
    const oCol = Int32Array.from(order, (i) => colOf[i]);
    // Per source class: its allowed destination columns (sparse), computed once per class.
    const sparse: ([number, ProtocolPorts][] | undefined)[] = new Array(C);
    const scratch: (ProtocolPorts | undefined)[] = new Array(C + ext.length);
    let filled: [number, ProtocolPorts][] = [];
    let filledFor = -1;
    const fill = (cls: number) => {
      if (filledFor === cls) return;
      for (const [col] of filled) scratch[col] = undefined;
      let list = sparse[cls];
      if (!list) {
        list = [];
        for (let b = 0; b < C; b++) {
          const c = ev.classPair(cls, b);
          if (!c.isEmpty()) list.push([b, c.toJSON()]);
        }
        for (let k = 0; k < ext.length; k++) {
          const c = ev.cell(cls, 'Egress', C + k);
          if (!c.isEmpty()) list.push([C + k, c.toJSON()]);
        }
        sparse[cls] = list;
      }
      for (const [col, pp] of list) scratch[col] = pp;
      filled = list;
      filledFor = cls;
    };
    const n = oIds.length;
    for (let si = 0; si < n; si++) {
      const sw = oW[si];
      if (sw >= 0) {
        fill(oCol[si]);
        if (filled.length === 0) continue;
        for (let di = 0; di < n; di++) {
          const pp = scratch[oCol[di]];
          if (pp === undefined || di === si) continue;
          const dw = oW[di];
          yield { src: oIds[si], dst: oIds[di], protocols: pp, explanation: this.compactExplanation(sw, dw >= 0 ? dw : { external: -1 - dw }) };
        }
      } else {
        const k = -1 - sw;
        if (ext[k].kind !== 'address') continue;
        for (let di = 0; di < n; di++) {
          const dw = oW[di];
          if (dw < 0) continue;
          const c = this.ingressFromExternal(dw, k);
          if (!c.isEmpty()) yield { src: oIds[si], dst: oIds[di], protocols: c.toJSON(), explanation: this.compactExplanation({ external: k }, dw) };
        }
      }
    }
  }

  /** The reachability result: all endpoints and all allowed connections (see `connections()`). */
  result(): ReachResult {
    return { endpoints: this.endpoints(), connections: [...this.connections()], diagnostics: this.cluster.diagnostics };
  }
  /** Number of allowed workload -> workload pairs (computed on classes). */
  countAllowedPairs(): number {
    const ev = this.evaluation;
    const C = ev.classes.length;
    let n = 0;
    for (let a = 0; a < C; a++) {
      const sa = ev.classes[a].members.length;
      for (let b = 0; b < C; b++) {
        if (ev.classPair(a, b).isEmpty()) continue;
        n += a === b ? sa * (sa - 1) : sa * ev.classes[b].members.length;
      }
    }
    return n;
  }

  // ---------------------------------------------------------------- explanations

  private compactCache = new Map<string, ConnectionExplanation>();

  /** The rules that allowed a connection, shared by every pair of the same class pair (no ids in it). */
  private compactExplanation(src: number | { external: number }, dst: { workload: number } | { external: number } | number): ConnectionExplanation {
    const ev = this.evaluation;
    const C = this.nClasses;
    const sCol = typeof src === 'number' ? ev.classOf[src] : C + src.external;
    const dNum = typeof dst === 'number' ? dst : 'workload' in dst ? dst.workload : undefined;
    const dCol = dNum !== undefined ? ev.classOf[dNum] : C + (dst as { external: number }).external;
    const key = `${sCol}>${dCol}`;
    let e = this.compactCache.get(key);
    if (e) return e;
    const egress = typeof src === 'number' ? traceDirection(ev, src, 'Egress', dCol, '', '') : undefined;
    const ingress = dNum !== undefined ? traceDirection(ev, dNum, 'Ingress', sCol, '', '') : undefined;
    const refs = (t: ReturnType<typeof traceDirection> | undefined) =>
      t && {
        isolated: t.isolated,
        allowedBy: t.steps.filter((x) => x.kind === 'rule' && x.action === 'Allow').map((x) => ({ policy: x.policy!, ruleIndex: x.ruleIndex ?? 0, range: x.range })),
      };
    e = {};
    if (egress) e.egress = refs(egress);
    if (ingress) e.ingress = refs(ingress);
    this.compactCache.set(key, e);
    return e;
  }

  /** The structured explanation of one pair (allowed or denied), walked tier by tier with the evaluator. */
  trace(srcId: string, dstId: string): Trace {
    const s = this.resolve(srcId);
    const d = this.resolve(dstId);
    const base = { src: srcId, dst: dstId, allowed: {}, evaluatedAs: this.evaluatedAs };
    if (!s || !d) {
      const missing = !s ? srcId : dstId;
      return { ...base, problem: `Unknown endpoint "${missing}". Endpoints are workloads as namespace/name, external address ranges, DNS names, or an IP address or CIDR inside one external range.` };
    }
    if ('workload' in s && 'workload' in d && s.workload === d.workload) return { ...base, problem: `${srcId} is the same workload; connections of a workload to itself are not analysed.` };
    if ('external' in s && 'external' in d) return { ...base, problem: 'Both ends are external: connections between external addresses are not analysed.' };
    const ev = this.evaluation;
    const C = this.nClasses;
    const sid = 'workload' in s ? this.workloads[s.workload].id : ev.externals[s.external].id;
    const did = 'workload' in d ? this.workloads[d.workload].id : ev.externals[d.external].id;
    const sCol = 'workload' in s ? ev.classOf[s.workload] : C + s.external;
    const dCol = 'workload' in d ? ev.classOf[d.workload] : C + d.external;
    const egress = 'workload' in s ? traceDirection(ev, s.workload, 'Egress', dCol, sid, did) : undefined;
    const ingress = 'workload' in d && !('external' in s && ev.externals[s.external].kind !== 'address') ? traceDirection(ev, d.workload, 'Ingress', sCol, did, sid) : undefined;
    const e = egress ? ConnSet.fromProtocolPorts(egress.allowed) : this.model.universe;
    const i = ingress ? ConnSet.fromProtocolPorts(ingress.allowed) : this.model.universe;
    return { src: sid, dst: did, allowed: e.intersect(i).toJSON(), egress, ingress, evaluatedAs: this.evaluatedAs };
  }

  /** The explanation of one pair in words (summary + per-direction verdicts), from `trace`. */
  explain(srcId: string, dstId: string): Explanation {
    return explanationOf(this.trace(srcId, dstId));
  }

  /**
   * The rule whose source range holds `offset` in `file` (the innermost), and what it decides: per pair of a
   * selected class and a peer column where the rule matched first, the connections its action applies to.
   */
  ruleEffectsAt(file: string, offset: number): RuleEffects | undefined {
    let best: { policy: Policy; rule: Rule; d: Direction } | undefined;
    for (const t of this.model.tiers) {
      for (const p of t.policies) {
        for (const d of ['Ingress', 'Egress'] as Direction[]) {
          for (const r of d === 'Ingress' ? p.ingress : p.egress) {
            const rg = r.range;
            if (!rg || rg.file !== file || offset < rg.startOffset || offset > rg.endOffset) continue;
            if (!best || (best.rule.range && rg.endOffset - rg.startOffset < best.rule.range.endOffset - best.rule.range.startOffset)) best = { policy: p, rule: r, d };
          }
        }
      }
    }
    if (!best) return undefined;
    const ev = this.evaluation;
    const C = this.nClasses;
    const name = (col: number) => (col < C ? ev.classes[col].members.map((i) => this.workloads[i].id).sort() : [ev.externals[col - C].id]);
    const effects = ev.ruleEffects(best.rule, best.d).map((e) => ({ self: name(e.self), peer: name(e.col), conns: e.hit }));
    return { policy: best.policy.display, kind: best.policy.kind, direction: best.d, ruleIndex: best.rule.index, ruleName: best.rule.name, action: best.rule.action, effects };
  }

  /** Is the workload isolated for a direction (some isolating policy selects it)? */
  isolated(workloadId: string, d: Direction): boolean {
    const w = this.evaluation.workloadIndex(workloadId);
    return w !== undefined && this.evaluation.isolated(this.evaluation.classOf[w], d);
  }
}

export interface RuleEffects {
  policy: string;
  kind: string;
  direction: Direction;
  ruleIndex: number;
  ruleName?: string;
  action: 'Allow' | 'Deny' | 'Pass' | 'Log';
  /** Per (selected workloads, peers) group: the connections the rule decided (it matched first). */
  effects: { self: string[]; peer: string[]; conns: ConnSet }[];
}

export function analyze(cluster: Cluster, opts: AnalyzeOptions = {}): Analysis {
  return new Analysis(cluster, opts);
}

function sameLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  if (!a || !b) return a === b;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

function sameWorkload(a: Workload, b: Workload): boolean {
  if (a.namespace !== b.namespace || a.serviceAccount !== b.serviceAccount || a.kind !== b.kind || !sameLabels(a.labels, b.labels)) return false;
  // Pod IPs: address peers (CNP networks, Calico nets, ipBlock when it applies to pods) match workloads by them.
  if ((a.ips ?? []).join(',') !== (b.ips ?? []).join(',')) return false;
  if (a.ports.length !== b.ports.length) return false;
  for (let i = 0; i < a.ports.length; i++) {
    const p = a.ports[i];
    const q = b.ports[i];
    if (p.name !== q.name || p.containerPort !== q.containerPort || p.protocol !== q.protocol) return false;
  }
  return true;
}

/**
 * Workloads of `cluster` that are new since `previous` or changed in anything a matcher can see: labels, ports,
 * service account, kind, pod IPs, or their namespace's labels.
 */
export function workloadChanges(previous: Analysis, cluster: Cluster): Set<string> {
  const out = new Set<string>();
  const nsNow = new Map(cluster.namespaces.map((n) => [n.name, n.labels]));
  const nsChanged = new Set<string>();
  for (const [name, labels] of nsNow) if (!sameLabels(previous.world.nsLabels.get(name) as Record<string, string> | undefined, labels)) nsChanged.add(name);
  for (const name of previous.world.nsLabels.keys()) if (!nsNow.has(name)) nsChanged.add(name);
  for (const w of cluster.workloads) {
    const i = previous.workloadIndex(w.id);
    if (i === undefined || nsChanged.has(w.namespace) || !sameWorkload(previous.workloads[i], w)) out.add(w.id);
  }
  return out;
}

/** Analyses `cluster`, reusing what `previous` computed wherever the change cannot have affected it. */
export function analyzeIncremental(cluster: Cluster, previous: Analysis | undefined, opts: ModelOptions = {}): Analysis {
  if (!previous) return new Analysis(cluster, opts);
  return new Analysis(cluster, { ...opts, previous, changedWorkloads: workloadChanges(previous, cluster) });
}
