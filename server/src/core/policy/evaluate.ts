// The one evaluator: walks tiers -> policies -> rules of the policy model (ir.ts) for every direction.
//
// Scaling: workloads that no matcher of the model can tell apart (same matched matchers, same named ports where
// named ports are used) form one equivalence class; each direction is evaluated once per class ("row"), against
// every peer column at once: the classes, the external address atoms and the named external destinations.
// A connection a -> b is egressRow(a)[b] ∩ ingressRow(b)[a].
//
// Explanations run the same row walk restricted to one peer column with a trace sink, so the explanation can
// never disagree with the matrix.
//
// Incremental use: `new Evaluation(world, model, { previous })` reuses the previous evaluation's matcher results
// and rows wherever the change cannot affect them (see `reuse()`).
import { ConnSet } from '../ports';
import { FAMILY_MAX, rangeLabel, type Family } from '../ip';
import type { Labels, Workload } from '../model';
import type { AddressAtom, ConnSpec, Direction, Matcher, Policy, PolicyModel, PortList, Rule, Tier, WorldView } from './ir';
import { rulesOf } from './ir';

/** A rule prepared for evaluation. */
interface FlatRule {
  rule: Rule;
  policy: Policy;
  /** Matcher indices of the peers; undefined = every peer. */
  peers?: number[];
  self?: number;
  /** Connections when they do not depend on the destination (no named ports). */
  constConns?: ConnSet;
}

interface FlatPolicy {
  policy: Policy;
  /** Position in model order. */
  pos: number;
  tier: number;
  subject: number;
  ingress: FlatRule[];
  egress: FlatRule[];
}

/** One tier of a class's chain for a direction. */
export interface ChainTier {
  tier: number;
  /** True when an isolating policy of the tier selects the endpoint: the end action applies. */
  applies: boolean;
  /** Policies of the tier selecting the endpoint for the direction, in order. */
  policies: Policy[];
  rules: FlatRule[];
  /** Every rule is an Allow (order inside the tier does not matter). */
  allAllow: boolean;
}

/** Receives the steps of a traced walk (one peer column). */
export interface TraceSink {
  rule(tier: Tier, r: FlatRule, hit: ConnSet, col: number): void;
  tierEnd(tier: Tier, applies: boolean, undecided: ConnSet, passed: ConnSet): void;
  /** What left the last tier undecided (allowed by the model's default). */
  fallThrough(conns: ConnSet): void;
}

export interface ExternalColumn {
  id: string;
  kind: 'address' | 'domain';
  atom?: AddressAtom;
  domain?: string;
}

/** A direction's result for one self class: allowed connections per column (undefined = none). */
type Row = { uniform: ConnSet } | { cells: (ConnSet | undefined)[] };

export interface EvaluationOptions {
  previous?: Evaluation;
  /** Workload ids whose labels, ports or namespace labels changed since `previous` (undefined = unknown: all). */
  changedWorkloads?: ReadonlySet<string>;
}

/**
 * Matchers interned by key with stable indices, shared (append-only) by an evaluation and the evaluations derived
 * from it, so that class signatures, matcher results and rows compare across evaluations by index.
 */
class MatcherTable {
  readonly list: Matcher[] = [];
  readonly index = new Map<string, number>();
  intern(m: Matcher): number {
    let i = this.index.get(m.key);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(m);
      this.index.set(m.key, i);
    }
    return i;
  }
}

function cmpBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class Evaluation {
  private readonly table: MatcherTable;
  /** Indices (in the table) of the matchers this model uses, ascending. */
  private readonly active: number[];
  /** Per matcher index: sorted workload indices it matches (set for active matchers only). */
  private readonly sets: (number[] | undefined)[];
  private readonly flat: FlatPolicy[] = [];
  private readonly bySubject = new Map<number, FlatPolicy[]>();
  /** Per workload: its class. */
  classOf: number[] = [];
  classes: { rep: number; members: number[]; sig: string }[] = [];
  externals: ExternalColumn[] = [];
  /** Per class: matcher indices matched by its members. */
  private classMatched: Set<number>[] = [];
  private extMatched: Set<number>[] = [];
  private colsCache = new Map<number, number[]>();
  private readonly egressRows: (Row | undefined)[] = [];
  private readonly ingressRows: (Row | undefined)[] = [];
  private readonly egressChains: (ChainTier[] | undefined)[] = [];
  private readonly ingressChains: (ChainTier[] | undefined)[] = [];
  readonly usesNamedPorts: boolean;
  private readonly wlIndex = new Map<string, number>();
  private extIndex = new Map<string, number>();

  constructor(
    readonly world: WorldView,
    readonly model: PolicyModel,
    opts: EvaluationOptions = {},
  ) {
    world.workloads.forEach((w, i) => this.wlIndex.set(w.id, i));
    const prev = opts.previous;
    // Share the previous evaluation's matcher table unless it grew far beyond what is in use.
    this.table = prev && prev.table.list.length < 4 * prev.active.length + 1024 ? prev.table : new MatcherTable();
    const shared = !!prev && this.table === prev.table;
    const used = new Set<number>();
    this.intern = (m: Matcher) => {
      const i = this.table.intern(m);
      used.add(i);
      return i;
    };
    let named = false;
    model.tiers.forEach((tier, ti) => {
      for (const p of tier.policies) {
        const fp: FlatPolicy = { policy: p, pos: this.flat.length, tier: ti, subject: this.intern(p.subject), ingress: [], egress: [] };
        for (const d of ['Ingress', 'Egress'] as Direction[]) {
          if (!p.directions.includes(d)) continue;
          for (const r of rulesOf(p, d)) {
            const fr: FlatRule = { rule: r, policy: p, peers: r.peers?.map((m) => this.intern(m)), self: r.self ? this.intern(r.self) : undefined };
            if (hasNamed(r.conns)) named = true;
            else fr.constConns = resolveConns(r.conns, undefined);
            (d === 'Ingress' ? fp.ingress : fp.egress).push(fr);
          }
        }
        this.flat.push(fp);
        let l = this.bySubject.get(fp.subject);
        if (!l) this.bySubject.set(fp.subject, (l = []));
        l.push(fp);
      }
    });
    this.usesNamedPorts = named;
    this.active = [...used].sort((x, y) => x - y);
    this.sets = new Array(this.table.list.length);
    const sameWorkloads = shared && !!opts.changedWorkloads && prev!.world.workloads.length === world.workloads.length && prev!.world.workloads.every((w, i) => world.workloads[i].id === w.id);
    const changedIdx = sameWorkloads ? [...opts.changedWorkloads!].map((id) => this.wlIndex.get(id)).filter((i): i is number => i !== undefined) : [];
    this.computeSets(sameWorkloads ? prev : undefined, changedIdx);
    // Same matchers, same workloads, nothing changed that a matcher sees: the partition and the externals stay.
    const samePartition = sameWorkloads && changedIdx.length === 0 && prev!.usesNamedPorts === named && sameList(prev!.active, this.active);
    if (samePartition) {
      this.classOf = prev!.classOf;
      this.classes = prev!.classes;
      this.classMatched = prev!.classMatched;
    } else this.computeClasses();
    if (samePartition && sameBoundaries(prev!.model, model)) {
      this.externals = prev!.externals;
      this.extMatched = prev!.extMatched;
      this.extIndex = prev!.extIndex;
      this.colsCache = prev!.colsCache;
    } else this.computeExternals();
    if (prev) this.reuse(prev, opts.changedWorkloads, samePartition && this.externals === prev.externals);
    if (samePartition && this.externals === prev!.externals) {
      // Keep one step of history (not a chain of every evaluation): derived results may be reused from it.
      this.base = prev;
      prev!.base = undefined;
    }
  }

  /**
   * The evaluation this one was derived from with the same classes and columns (one step back only), so results
   * computed from rows (e.g. the panel's class pairs) can be reused where the rows are the same objects.
   */
  base?: Evaluation;

  /** Is this evaluation's row of class c for direction d the very row `other` computed (so its cells are equal)? */
  sameRow(other: Evaluation, c: number, d: Direction): boolean {
    const mine = this.peekRow(c, d);
    return mine !== undefined && mine === other.peekRow(c, d);
  }

  private readonly intern: (m: Matcher) => number;

  /** The matchers of the model (by table index; only active ones are meaningful here). */
  get matchers(): readonly Matcher[] {
    return this.table.list;
  }

  // ------------------------------------------------------------------ matchers and classes

  private computeSets(prev: Evaluation | undefined, changedIdx: number[]): void {
    // The previous matcher results stay valid for unchanged workloads when the workload list is the same; only
    // the previous evaluation's active matchers have results that were kept up to date.
    for (const m of this.active) {
      const old = prev?.sets[m];
      if (!old) {
        this.sets[m] = this.table.list[m].workloads(this.world);
        continue;
      }
      if (changedIdx.length === 0) {
        this.sets[m] = old;
        continue;
      }
      const matcher = this.table.list[m];
      const s = new Set(old);
      for (const i of changedIdx) {
        if (matcher.matchesWorkload(this.world, i)) s.add(i);
        else s.delete(i);
      }
      this.sets[m] = [...s].sort((a, b) => a - b);
    }
  }

  private computeClasses(): void {
    const perWorkload: number[][] = this.world.workloads.map(() => []);
    // Active matchers in ascending index order: each workload's list comes out sorted.
    for (const m of this.active) for (const i of this.sets[m]!) perWorkload[i].push(m);
    const bySig = new Map<string, number>();
    this.world.workloads.forEach((w, i) => {
      let sig = perWorkload[i].join(',');
      if (this.usesNamedPorts) sig += `\u0002${w.ports.filter((p) => p.name).map((p) => `${p.name}/${p.protocol}/${p.containerPort}`).sort().join(',')}`;
      let c = bySig.get(sig);
      if (c === undefined) {
        c = this.classes.length;
        this.classes.push({ rep: i, members: [], sig });
        this.classMatched.push(new Set(perWorkload[i]));
        bySig.set(sig, c);
      }
      this.classes[c].members.push(i);
      this.classOf.push(c);
    });
  }

  private computeExternals(): void {
    const points = new Map<Family, Set<bigint>>([[4, new Set([0n])]]);
    const add = (b: { family: Family; lo: bigint; hi: bigint }) => {
      let s = points.get(b.family);
      if (!s) points.set(b.family, (s = new Set([0n])));
      s.add(b.lo);
      if (b.hi < FAMILY_MAX[b.family]) s.add(b.hi + 1n);
    };
    const domains = new Set<string>();
    for (const mi of this.active) {
      const m = this.table.list[mi];
      for (const b of m.boundaries?.() ?? []) add(b);
      for (const d of m.domains?.() ?? []) domains.add(d);
    }
    for (const b of this.model.boundaries) add(b);
    for (const family of [4, 6] as Family[]) {
      const s = points.get(family);
      if (!s) continue;
      const sorted = [...s].sort(cmpBig);
      sorted.forEach((lo, i) => {
        const hi = i + 1 < sorted.length ? sorted[i + 1] - 1n : FAMILY_MAX[family];
        const sets = this.model.networkSets.filter((ns) => ns.nets.some((n) => n.family === family && n.lo <= lo && hi <= n.hi)).map((ns) => ({ namespace: ns.namespace, labels: ns.labels }));
        this.externals.push({ id: rangeLabel(family, lo, hi), kind: 'address', atom: { family, lo, hi, sets } });
      });
    }
    for (const d of [...domains].sort()) this.externals.push({ id: d, kind: 'domain', domain: d });
    this.extIndex = new Map();
    this.externals.forEach((x, k) => {
      this.extIndex.set(x.id, k);
      const s = new Set<number>();
      for (const mi of this.active) {
        const m = this.table.list[mi];
        if (x.atom ? m.matchesAtom(x.atom) : (m.matchesDomain?.(x.domain!) ?? false)) s.add(mi);
      }
      this.extMatched.push(s);
    });
  }

  /** Number of peer columns: classes, then external columns. */
  get columns(): number {
    return this.classes.length + this.externals.length;
  }

  private colMatched(col: number): Set<number> {
    const C = this.classes.length;
    return col < C ? this.classMatched[col] : this.extMatched[col - C];
  }

  /** Columns a matcher matches (classes, then externals), sorted. */
  private colsOf(m: number): number[] {
    let cols = this.colsCache.get(m);
    if (cols) return cols;
    const seen = new Set<number>();
    for (const i of this.sets[m]!) seen.add(this.classOf[i]);
    cols = [...seen].sort((a, b) => a - b);
    const C = this.classes.length;
    this.extMatched.forEach((s, k) => {
      if (s.has(m)) cols!.push(C + k);
    });
    this.colsCache.set(m, cols);
    return cols;
  }

  // ------------------------------------------------------------------ chains

  /** The tiers, policies and rules that apply to class `c` for a direction, in evaluation order. */
  chain(c: number, d: Direction): ChainTier[] {
    const chains = d === 'Egress' ? this.egressChains : this.ingressChains;
    const cached = chains[c];
    if (cached) return cached;
    const matched = this.classMatched[c];
    const hits: FlatPolicy[] = [];
    for (const m of matched) for (const fp of this.bySubject.get(m) ?? []) if (fp.policy.directions.includes(d)) hits.push(fp);
    // Model order: tier, then position of the policy in its tier.
    hits.sort((a, b) => a.pos - b.pos);
    const out: ChainTier[] = [];
    for (const fp of hits) {
      let t = out[out.length - 1];
      if (!t || t.tier !== fp.tier) out.push((t = { tier: fp.tier, applies: false, policies: [], rules: [], allAllow: true }));
      t.policies.push(fp.policy);
      if (fp.policy.isolates.includes(d)) t.applies = true;
      for (const r of d === 'Ingress' ? fp.ingress : fp.egress) {
        if (r.self !== undefined && !matched.has(r.self)) continue;
        t.rules.push(r);
        if (r.rule.action !== 'Allow') t.allAllow = false;
      }
    }
    chains[c] = out;
    return out;
  }

  // ------------------------------------------------------------------ rows

  private conns(r: FlatRule, dst: Workload | undefined): ConnSet {
    return r.constConns ?? resolveConns(r.rule.conns, dst);
  }

  /**
   * Walks the chain of class `c` for direction `d` against the given columns (all when undefined) and returns the
   * allowed connections per column (indexed by column; with `cols`, only those entries are set). With a sink,
   * reports every step (use one column).
   */
  walk(c: number, d: Direction, cols?: number[], sink?: Partial<TraceSink>): (ConnSet | undefined)[] {
    const N = this.columns;
    const C = this.classes.length;
    const U = this.model.universe;
    const self = this.world.workloads[this.classes[c].rep];
    // Dense positions 0..W-1 for the wanted columns.
    const W = cols ? cols.length : N;
    const colAt = (k: number) => (cols ? cols[k] : k);
    const rem: (ConnSet | undefined)[] = new Array(W);
    const allowed: (ConnSet | undefined)[] = new Array(W);
    const dstOf = (j: number): Workload | undefined => (d === 'Ingress' ? self : j < C ? this.world.workloads[this.classes[j].rep] : undefined);
    const all = cols ? cols.map((_, k) => k) : undefined;
    let stamp: Int32Array | undefined;
    let ruleNo = 0;
    /** Positions of the wanted columns a rule matches. */
    const rulePos = (r: FlatRule): ArrayLike<number> | number[] => {
      if (cols) {
        if (!r.peers) return all!;
        const out: number[] = [];
        for (let k = 0; k < W; k++) {
          const m = this.colMatched(cols[k]);
          if (r.peers.some((x) => m.has(x))) out.push(k);
        }
        return out;
      }
      if (!r.peers) return this.allColumns();
      if (r.peers.length === 1) return this.colsOf(r.peers[0]);
      stamp ??= new Int32Array(N).fill(-1);
      const out: number[] = [];
      ruleNo++;
      for (const m of r.peers) for (const j of this.colsOf(m)) if (stamp[j] !== ruleNo) {
        stamp[j] = ruleNo;
        out.push(j);
      }
      return out;
    };
    let live = true;
    for (const t of this.chain(c, d)) {
      if (!live) break;
      const tier = this.model.tiers[t.tier];
      const denyEnd = t.applies && tier.endAction === 'Deny';
      let passed: (ConnSet | undefined)[] | undefined;
      if (t.allAllow) {
        // Only Allow rules: their order does not matter (the tier allows the union); accumulate, then settle once
        // per column. A trace reports every rule that allows something here, not only the first.
        const acc: (ConnSet | undefined)[] = new Array(W);
        for (const r of t.rules) {
          const ps = rulePos(r);
          const x0 = r.constConns;
          for (let i = 0; i < ps.length; i++) {
            const k = ps[i];
            const x = x0 ?? this.conns(r, dstOf(colAt(k)));
            if (x.isEmpty()) continue;
            if (sink?.rule) {
              const hit = rem[k] ? x.intersect(rem[k]!) : x.intersect(U);
              if (!hit.isEmpty()) sink.rule(tier, r, hit, colAt(k));
            }
            const cur = acc[k];
            acc[k] = cur === undefined || cur === x ? x : cur.union(x);
          }
        }
        for (let k = 0; k < W; k++) {
          const a = acc[k];
          if (!a) continue;
          const r0 = rem[k];
          const hit = r0 ? a.intersect(r0) : a;
          if (hit.isEmpty()) continue;
          allowed[k] = allowed[k] ? allowed[k]!.union(hit) : hit;
          // After a Deny end nothing remains anyway: skip the subtraction (a trace still reports what the end denies).
          if (!denyEnd || sink) rem[k] = (r0 ?? U).subtract(hit);
        }
      } else {
        passed = new Array(W);
        for (const r of t.rules) {
          const action = r.rule.action;
          const ps = rulePos(r);
          for (let i = 0; i < ps.length; i++) {
            const k = ps[i];
            const x = r.constConns ?? this.conns(r, dstOf(colAt(k)));
            if (x.isEmpty()) continue;
            const hit = rem[k] ? x.intersect(rem[k]!) : x.intersect(U);
            if (hit.isEmpty()) continue;
            sink?.rule?.(tier, r, hit, colAt(k));
            if (action === 'Log') continue;
            rem[k] = (rem[k] ?? U).subtract(hit);
            if (action === 'Allow') allowed[k] = allowed[k] ? allowed[k]!.union(hit) : hit;
            else if (action === 'Pass') passed[k] = passed[k] ? passed[k]!.union(hit) : hit;
          }
        }
      }
      live = false;
      for (let k = 0; k < W; k++) {
        const p = passed?.[k] ?? ConnSet.EMPTY;
        if (denyEnd) {
          if (sink?.tierEnd) sink.tierEnd(tier, true, rem[k] ?? U, p);
          rem[k] = p;
        } else {
          const undecided = rem[k] ?? U;
          sink?.tierEnd?.(tier, t.applies, undecided, p);
          rem[k] = p.isEmpty() ? rem[k] : undecided.union(p);
        }
        if (rem[k] === undefined || !rem[k]!.isEmpty()) live = true;
      }
    }
    if (!cols) {
      for (let k = 0; k < W; k++) {
        const r = rem[k] ?? U;
        if (r.isEmpty()) continue;
        allowed[k] = allowed[k] ? allowed[k]!.union(r) : r;
      }
      return allowed;
    }
    const out: (ConnSet | undefined)[] = new Array(N);
    for (let k = 0; k < W; k++) {
      const r = rem[k] ?? U;
      if (!r.isEmpty()) {
        sink?.fallThrough?.(r);
        allowed[k] = allowed[k] ? allowed[k]!.union(r) : r;
      }
      out[cols[k]] = allowed[k];
    }
    return out;
  }

  private allCols?: number[];
  private allColumns(): number[] {
    return (this.allCols ??= Array.from({ length: this.columns }, (_, i) => i));
  }

  private row(c: number, d: Direction): Row {
    const rows = d === 'Egress' ? this.egressRows : this.ingressRows;
    let r = rows[c];
    if (!r) {
      r = this.chain(c, d).length === 0 ? { uniform: this.model.universe } : { cells: this.walk(c, d) };
      rows[c] = r;
    }
    return r;
  }

  /** The row of class c for direction d if it was computed (for reuse by the next evaluation). */
  private peekRow(c: number, d: Direction): Row | undefined {
    return (d === 'Egress' ? this.egressRows : this.ingressRows)[c];
  }

  /** A direction's row of class `c`: per column (undefined = nothing), or one set for every column. */
  rowCells(c: number, d: Direction): readonly (ConnSet | undefined)[] | ConnSet {
    const r = this.row(c, d);
    return 'uniform' in r ? r.uniform : r.cells;
  }

  /** The columns (ascending) towards which the egress of class `c` allows something. */
  egressTargets(c: number): number[] {
    const r = this.row(c, 'Egress');
    if ('uniform' in r) return this.allColumns();
    // Rows are immutable and shared by later evaluations: remember the answer with the row.
    let out = targetsOfRow.get(r);
    if (out) return out;
    out = [];
    const cells = r.cells;
    for (let j = 0; j < cells.length; j++) if (cells[j] !== undefined && !cells[j]!.isEmpty()) out.push(j);
    targetsOfRow.set(r, out);
    return out;
  }

  /** What direction `d` of class `c` allows towards column `j`. */
  cell(c: number, d: Direction, j: number): ConnSet {
    const r = this.row(c, d);
    return 'uniform' in r ? r.uniform : r.cells[j] ?? ConnSet.EMPTY;
  }

  /** Allowed connections from class `a` to class `b` (egress of a ∩ ingress of b). */
  classPair(a: number, b: number): ConnSet {
    const e = this.cell(a, 'Egress', b);
    if (e.isEmpty()) return e;
    const i = this.cell(b, 'Ingress', a);
    if (i === e) return e;
    return e.intersect(i);
  }

  /** Workload index of an id, or undefined. */
  workloadIndex(id: string): number | undefined {
    return this.wlIndex.get(id);
  }

  /** External column index (0-based among externals) of an id, or undefined. */
  externalIndex(id: string): number | undefined {
    return this.extIndex.get(id);
  }

  /**
   * What one rule decides: for every class whose chain holds the rule, the columns where the rule matched first
   * (its action applied to `hit`). Used by hovers ("this rule allows ... from ...").
   */
  ruleEffects(rule: Rule, d: Direction): { self: number; col: number; hit: ConnSet }[] {
    const out: { self: number; col: number; hit: ConnSet }[] = [];
    for (let c = 0; c < this.classes.length; c++) {
      if (!this.chain(c, d).some((t) => t.rules.some((r) => r.rule === rule))) continue;
      this.walk(c, d, this.allColumns(), {
        rule: (_t, r, hit, col) => {
          if (r.rule === rule) out.push({ self: c, col, hit });
        },
      });
    }
    return out;
  }

  /** Is class `c` selected for direction `d` by some isolating policy (the direction is not "allow all")? */
  isolated(c: number, d: Direction): boolean {
    return this.chain(c, d).some((t) => t.applies);
  }

  // ------------------------------------------------------------------ incremental reuse

  /**
   * Copies the rows of the previous evaluation that the change cannot have affected. A row of class c (direction
   * d) is reused when c's chain is made of the same policy objects (the model re-uses the Policy object of every
   * unchanged policy) and the class holds no changed workload; each of its cells is taken from the previous row at
   * (previous class of c's representative, previous column of the peer's representative), unless that peer
   * column holds a changed workload, in which case that cell alone is walked again.
   */
  private reuse(prev: Evaluation, changed: ReadonlySet<string> | undefined, samePartition: boolean): void {
    if (!changed) return;
    if (prev.model.universe !== this.model.universe && !prev.model.universe.equals(this.model.universe)) return;
    if (prev.model.tiers.length !== this.model.tiers.length) return;
    for (let t = 0; t < this.model.tiers.length; t++) {
      const a = prev.model.tiers[t];
      const b = this.model.tiers[t];
      if (a.name !== b.name || a.endAction !== b.endAction) return;
    }
    if (prev.model.defaultLabel !== this.model.defaultLabel) return;
    const C = this.classes.length;
    // Map every column to the previous column of its representative.
    const prevCol: (number | undefined)[] = new Array(this.columns);
    const dirty = new Set<number>();
    for (let j = 0; j < C; j++) {
      const rep = this.world.workloads[this.classes[j].rep];
      const pi = prev.wlIndex.get(rep.id);
      if (pi === undefined || this.classes[j].members.some((i) => changed.has(this.world.workloads[i].id))) dirty.add(j);
      else prevCol[j] = prev.classOf[pi];
    }
    this.externals.forEach((x, k) => {
      const pk = prev.extIndex.get(x.id);
      // Same interval, but network sets may have changed what selectors see in it.
      if (pk === undefined || JSON.stringify(prev.externals[pk].atom?.sets ?? null) !== JSON.stringify(x.atom?.sets ?? null)) dirty.add(C + k);
      else prevCol[C + k] = prev.classes.length + pk;
    });
    const dirtyCols = [...dirty];
    // Same partition: a class none of whose matched subjects belongs to a changed (new or removed) policy keeps its
    // chains and rows as they were, provided the unchanged policies kept their order and tiers.
    let untouched: ((c: number) => boolean) | undefined;
    if (samePartition) {
      const before = new Set(prev.flat.map((fp) => fp.policy));
      const now = new Set(this.flat.map((fp) => fp.policy));
      const changedSubjects = new Set<number>();
      for (const fp of this.flat) if (!before.has(fp.policy)) changedSubjects.add(fp.subject);
      for (const fp of prev.flat) if (!now.has(fp.policy)) changedSubjects.add(fp.subject);
      const keptA = prev.flat.filter((fp) => now.has(fp.policy));
      const keptB = this.flat.filter((fp) => before.has(fp.policy));
      if (keptA.length === keptB.length && keptA.every((fp, i) => fp.policy === keptB[i].policy && fp.tier === keptB[i].tier)) {
        untouched = (c) => {
          for (const m of this.classMatched[c]) if (changedSubjects.has(m)) return false;
          return true;
        };
      }
    }
    for (let c = 0; c < C; c++) {
      if (dirty.has(c)) continue;
      if (untouched?.(c)) {
        this.egressChains[c] = prev.chain(c, 'Egress');
        this.ingressChains[c] = prev.chain(c, 'Ingress');
        const e = prev.peekRow(c, 'Egress');
        const i = prev.peekRow(c, 'Ingress');
        if (e) this.egressRows[c] = e;
        if (i) this.ingressRows[c] = i;
        continue;
      }
      const pc = prevCol[c]!;
      for (const d of ['Egress', 'Ingress'] as Direction[]) {
        const mine = this.chain(c, d);
        const theirs = prev.chain(pc, d);
        if (!sameChain(mine, theirs)) continue;
        const pr = prev.peekRow(pc, d);
        if (!pr) continue;
        if (samePartition) {
          // Same classes, same columns, same chain: the row itself is still right (rows are never mutated).
          (d === 'Egress' ? this.egressRows : this.ingressRows)[c] = pr;
          continue;
        }
        if ('uniform' in pr) {
          if (mine.length === 0) (d === 'Egress' ? this.egressRows : this.ingressRows)[c] = { uniform: this.model.universe };
          continue;
        }
        const cells: (ConnSet | undefined)[] = new Array(this.columns);
        for (let j = 0; j < this.columns; j++) if (prevCol[j] !== undefined) cells[j] = pr.cells[prevCol[j]!];
        if (dirtyCols.length) {
          const fresh = this.walk(c, d, dirtyCols);
          for (const j of dirtyCols) cells[j] = fresh[j];
        }
        (d === 'Egress' ? this.egressRows : this.ingressRows)[c] = { cells };
      }
    }
  }
}

const targetsOfRow = new WeakMap<object, number[]>();

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Do two models cut external addresses and label them the same way (boundaries and network sets)? */
function sameBoundaries(a: PolicyModel, b: PolicyModel): boolean {
  if (a.boundaries.length !== b.boundaries.length || a.networkSets.length !== b.networkSets.length) return false;
  for (let i = 0; i < a.boundaries.length; i++) {
    const x = a.boundaries[i];
    const y = b.boundaries[i];
    if (x.family !== y.family || x.lo !== y.lo || x.hi !== y.hi) return false;
  }
  const key = (m: PolicyModel) => JSON.stringify(m.networkSets, (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v));
  return a.networkSets.length === 0 || key(a) === key(b);
}

function sameChain(a: ChainTier[], b: ChainTier[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].tier !== b[i].tier || a[i].applies !== b[i].applies || a[i].rules.length !== b[i].rules.length || a[i].policies.length !== b[i].policies.length) return false;
    for (let k = 0; k < a[i].policies.length; k++) if (a[i].policies[k] !== b[i].policies[k]) return false;
    for (let k = 0; k < a[i].rules.length; k++) if (a[i].rules[k].rule !== b[i].rules[k].rule) return false;
  }
  return true;
}

function hasNamed(s: ConnSpec): boolean {
  return !!(s.ports?.named.length || s.notPorts?.named.length);
}

function portSet(pl: PortList, dst: Workload | undefined): ConnSet {
  let acc = pl.ranges;
  if (dst) {
    for (const n of pl.named) {
      for (const cp of dst.ports) if (cp.name === n.name && (!n.protocol || cp.protocol === n.protocol)) acc = acc.union(ConnSet.of(cp.protocol, cp.containerPort, cp.containerPort));
    }
  }
  return acc;
}

/** The connections a rule covers towards destination `dst` (named ports resolve on it; none for externals). */
export function resolveConns(s: ConnSpec, dst: Workload | undefined): ConnSet {
  let c = s.base;
  if (s.ports) c = c.intersect(portSet(s.ports, dst));
  if (s.notPorts) c = c.subtract(portSet(s.notPorts, dst));
  return c;
}

/** Labels of a namespace as the world knows them. */
export function nsLabelsOf(world: WorldView, ns: string): Labels {
  return world.nsLabels.get(ns) ?? { 'kubernetes.io/metadata.name': ns };
}
