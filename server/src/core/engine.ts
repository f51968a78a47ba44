// Kubernetes NetworkPolicy reachability engine.
//
// Semantics (https://kubernetes.io/docs/concepts/services-networking/network-policies/ and the
// networking/v1 API reference):
// - A pod is isolated for a direction iff some NetworkPolicy in its namespace selects it and has that
//   direction in its (defaulted) policyTypes. A non-isolated direction allows everything.
// - Policies are additive: what a direction allows is the union of the allows of all rules of all
//   policies that select the pod for that direction. A connection needs both the source's egress and
//   the destination's ingress to allow it.
// - A rule with no/empty `from`/`to` matches every peer (pods and external addresses); no/empty `ports`
//   matches every port and protocol. Peers: podSelector alone = pods of the policy's namespace;
//   namespaceSelector alone = all pods of the selected namespaces; both = pods matching podSelector in the
//   selected namespaces (AND); ipBlock = addresses in cidr minus except (here: external addresses only).
// - A named port is resolved on the destination pod (its container port with that name and protocol).
// - endPort makes port..endPort a range.
//
// Scaling: workloads that no selector can tell apart (same namespace-relevant matches, same selecting
// policies, same named ports) form one equivalence class; the matrix is computed between classes.
import type { Cluster, LabelSelector, NetworkPolicy, Peer, PolicyRule, Workload } from './model';
import type { Connection, DirectionVerdict, Endpoint, Explanation, PolicyRef, ReachResult, RuleRef } from './reach-types';
import { ConnSet, MAX_PORT, MIN_PORT } from './ports';
import { describeSelector, selectorKey, selectorMatches } from './selectors';
import { FAMILY_MAX, parseCidr, rangeLabel, type Family } from './ip';
import { CalicoEvaluator, type CalicoEndpoint, type DirectionResult, type K8sPolicyView } from './dialects/calico/engine';

type Direction = 'Ingress' | 'Egress';

interface RuleInfo {
  policy: number;
  direction: Direction;
  rule: PolicyRule;
  /** Rule matches every peer (no from/to). */
  all: boolean;
  /** Workload-match sets (indices into Analysis.peerSets) of the rule's selector peers. */
  peerSets: number[];
  /** Parsed ipBlocks of the rule's peers. */
  blocks: { family: Family; lo: bigint; hi: bigint; except: { lo: bigint; hi: bigint }[] }[];
  /** Ports when they do not depend on the destination (no named ports); undefined otherwise. */
  constPorts?: ConnSet;
}

export interface ExternalAtom {
  id: string;
  family: Family;
  lo: bigint;
  hi: bigint;
}

export class Analysis {
  readonly workloads: Workload[];
  readonly policies: NetworkPolicy[];
  private readonly nsLabels = new Map<string, Record<string, string>>();
  private readonly byNamespace = new Map<string, number[]>();
  private readonly wlIndex = new Map<string, number>();
  /** Per policy: selected workload indices. */
  private readonly selected: number[][] = [];
  /** Distinct peer workload sets. */
  private readonly peerSets: Set<number>[] = [];
  private readonly peerSetKey = new Map<string, number>();
  private readonly rules: RuleInfo[] = [];
  /** Per workload: indices into `rules` of the egress / ingress rules that apply to it. */
  private readonly egressRules: number[][] = [];
  private readonly ingressRules: number[][] = [];
  private readonly egressPolicies: number[][] = [];
  private readonly ingressPolicies: number[][] = [];
  /** Per workload: its equivalence class. */
  readonly classOf: number[] = [];
  /** Per class: representative workload. */
  readonly classRep: number[] = [];
  readonly atoms: ExternalAtom[];
  private matrix?: (ConnSet | undefined)[];
  /** Per policy: rule indices (into `rules`) by direction. */
  private readonly policyRules: { Ingress: number[]; Egress: number[] }[] = [];
  /** Set when the cluster has Calico resources: evaluation goes through tiers and orders. */
  readonly calico?: CalicoEvaluator;
  private readonly pairCache = new Map<string, ConnSet>();

  constructor(readonly cluster: Cluster, opts: AnalyzeOptions = {}) {
    this.workloads = cluster.workloads;
    this.policies = cluster.policies;
    for (const ns of cluster.namespaces) this.nsLabels.set(ns.name, ns.labels);
    this.workloads.forEach((w, i) => {
      this.wlIndex.set(w.id, i);
      let list = this.byNamespace.get(w.namespace);
      if (!list) this.byNamespace.set(w.namespace, (list = []));
      list.push(i);
      this.egressRules.push([]);
      this.ingressRules.push([]);
      this.egressPolicies.push([]);
      this.ingressPolicies.push([]);
    });
    this.policies.forEach((p, pi) => {
      const sel = this.matchPods(p.namespace, p.podSelector);
      this.selected.push(sel);
      const directions: [Direction, PolicyRule[] | undefined][] = [
        ['Ingress', p.ingress],
        ['Egress', p.egress],
      ];
      for (const [dir, rules] of directions) {
        if (!p.policyTypes.includes(dir)) continue; // rules of an undeclared direction have no effect
        const ids: number[] = [];
        for (const r of rules ?? []) ids.push(this.addRule(pi, dir, r));
        (this.policyRules[pi] ??= { Ingress: [], Egress: [] })[dir] = ids;
        for (const w of sel) {
          (dir === 'Egress' ? this.egressPolicies : this.ingressPolicies)[w].push(pi);
          (dir === 'Egress' ? this.egressRules : this.ingressRules)[w].push(...ids);
        }
      }
    });
    const c = cluster.calico;
    if (c && (c.policies.length || c.networkSets.length || c.tiers.length)) {
      this.calico = new CalicoEvaluator(c, this.policies.map((_, pi) => this.k8sView(pi)), this.nsLabels, { staged: opts.staged });
    }
    this.atoms = this.computeAtoms();
    this.computeClasses();
  }

  // ---------- selection ----------

  /** Workload indices in `namespace` matched by `sel`. */
  private matchPods(namespace: string, sel: LabelSelector): number[] {
    return (this.byNamespace.get(namespace) ?? []).filter((i) => selectorMatches(sel, this.workloads[i].labels));
  }

  private matchNamespaces(sel: LabelSelector): string[] {
    const out: string[] = [];
    for (const [name, labels] of this.nsLabels) if (selectorMatches(sel, labels)) out.push(name);
    return out;
  }

  /** Workloads matched by a selector peer of a policy in `policyNs` (no ipBlock). */
  peerWorkloads(policyNs: string, peer: Peer): number[] {
    if (peer.ipBlock) return [];
    if (!peer.podSelector && !peer.namespaceSelector) return []; // rejected by the API server: matches nothing
    const namespaces = peer.namespaceSelector ? this.matchNamespaces(peer.namespaceSelector) : [policyNs];
    const out: number[] = [];
    for (const ns of namespaces) {
      for (const i of this.byNamespace.get(ns) ?? []) {
        if (!peer.podSelector || selectorMatches(peer.podSelector, this.workloads[i].labels)) out.push(i);
      }
    }
    return out;
  }

  private peerSetFor(policyNs: string, peer: Peer): number {
    const key = `${peer.namespaceSelector ? `ns:${selectorKey(peer.namespaceSelector)}` : `in:${policyNs}`}|${peer.podSelector ? selectorKey(peer.podSelector) : '*'}|${!peer.podSelector && !peer.namespaceSelector ? 'none' : ''}`;
    let id = this.peerSetKey.get(key);
    if (id === undefined) {
      id = this.peerSets.length;
      this.peerSets.push(new Set(this.peerWorkloads(policyNs, peer)));
      this.peerSetKey.set(key, id);
    }
    return id;
  }

  private addRule(policy: number, direction: Direction, rule: PolicyRule): number {
    const p = this.policies[policy];
    const info: RuleInfo = { policy, direction, rule, all: !rule.peers, peerSets: [], blocks: [] };
    for (const peer of rule.peers ?? []) {
      if (peer.ipBlock) {
        const c = parseCidr(peer.ipBlock.cidr);
        if (typeof c === 'string') continue; // invalid CIDR: the API server rejects it; matches nothing here
        const except: { lo: bigint; hi: bigint }[] = [];
        for (const e of peer.ipBlock.except) {
          const ec = parseCidr(e);
          if (typeof ec !== 'string' && ec.family === c.family) except.push({ lo: ec.lo, hi: ec.hi });
        }
        info.blocks.push({ family: c.family, lo: c.lo, hi: c.hi, except });
      } else {
        const id = this.peerSetFor(p.namespace, peer);
        if (!info.peerSets.includes(id)) info.peerSets.push(id);
      }
    }
    if (!rule.ports || rule.ports.every((pp) => typeof pp.port !== 'string')) info.constPorts = this.rulePorts(rule, undefined);
    this.rules.push(info);
    return this.rules.length - 1;
  }

  /** Ports a rule allows towards destination `dst` (named ports resolve on it; none for external). */
  private rulePorts(rule: PolicyRule, dst: Workload | undefined): ConnSet {
    if (!rule.ports) return ConnSet.ALL;
    let acc = ConnSet.EMPTY;
    for (const pp of rule.ports) {
      if (pp.port === undefined) acc = acc.union(ConnSet.of(pp.protocol, MIN_PORT, MAX_PORT));
      else if (typeof pp.port === 'number') {
        const end = pp.endPort !== undefined && pp.endPort >= pp.port ? pp.endPort : pp.port;
        acc = acc.union(ConnSet.of(pp.protocol, pp.port, end));
      } else if (dst) {
        for (const cp of dst.ports) if (cp.name === pp.port && cp.protocol === pp.protocol) acc = acc.union(ConnSet.of(pp.protocol, cp.containerPort, cp.containerPort));
      }
    }
    return acc;
  }

  private portsOf(r: RuleInfo, dst: Workload | undefined): ConnSet {
    return r.constPorts ?? this.rulePorts(r.rule, dst);
  }

  private ruleMatchesWorkload(r: RuleInfo, w: number): boolean {
    return r.all || r.peerSets.some((s) => this.peerSets[s].has(w));
  }

  private ruleMatchesAtom(r: RuleInfo, a: ExternalAtom): boolean {
    if (r.all) return true;
    return r.blocks.some((b) => b.family === a.family && b.lo <= a.lo && a.hi <= b.hi && !b.except.some((e) => e.lo <= a.lo && a.hi <= e.hi));
  }

  // ---------- external address atoms ----------

  private computeAtoms(): ExternalAtom[] {
    const points = new Map<Family, Set<bigint>>([[4, new Set([0n])]]);
    for (const r of this.rules) {
      for (const b of r.blocks) {
        let s = points.get(b.family);
        if (!s) points.set(b.family, (s = new Set([0n])));
        s.add(b.lo);
        if (b.hi < FAMILY_MAX[b.family]) s.add(b.hi + 1n);
        for (const e of b.except) {
          s.add(e.lo);
          if (e.hi < FAMILY_MAX[b.family]) s.add(e.hi + 1n);
        }
      }
    }
    for (const b of this.calico?.addressBoundaries() ?? []) {
      let s = points.get(b.family);
      if (!s) points.set(b.family, (s = new Set([0n])));
      s.add(b.lo);
      if (b.hi < FAMILY_MAX[b.family]) s.add(b.hi + 1n);
    }
    const atoms: ExternalAtom[] = [];
    for (const family of [4, 6] as Family[]) {
      const s = points.get(family);
      if (!s) continue;
      const sorted = [...s].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      sorted.forEach((lo, i) => {
        const hi = i + 1 < sorted.length ? sorted[i + 1] - 1n : FAMILY_MAX[family];
        atoms.push({ id: rangeLabel(family, lo, hi), family, lo, hi });
      });
    }
    return atoms;
  }

  // ---------- equivalence classes ----------

  private computeClasses(): void {
    const memberOf: number[][] = this.workloads.map(() => []);
    this.peerSets.forEach((set, id) => {
      for (const w of set) memberOf[w].push(id);
    });
    const namedPortsUsed = this.rules.some((r) => r.constPorts === undefined);
    const bySig = new Map<string, number>();
    this.workloads.forEach((w, i) => {
      const ports = namedPortsUsed ? w.ports.filter((p) => p.name).map((p) => `${p.name}/${p.protocol}/${p.containerPort}`).sort().join(',') : '';
      const sig = `${this.egressPolicies[i].join(',')}|${this.ingressPolicies[i].join(',')}|${memberOf[i].join(',')}|${ports}`;
      let c = bySig.get(sig);
      if (c === undefined) {
        c = this.classRep.length;
        this.classRep.push(i);
        bySig.set(sig, c);
      }
      this.classOf.push(c);
    });
  }

  /** Class-level matrix, computed once: entry [a * C + b] = connections from class a to class b. */
  private classMatrix(): (ConnSet | undefined)[] {
    if (this.matrix) return this.matrix;
    const C = this.classRep.length;
    const egress: (ConnSet | undefined)[] = new Array(C * C);
    const ingress: (ConnSet | undefined)[] = new Array(C * C);
    // Which classes each peer set contains.
    const setClasses = this.peerSets.map((s) => [...new Set([...s].map((w) => this.classOf[w]))]);
    const allClasses = this.classRep.map((_, c) => c);
    const classesOfRule = (r: RuleInfo): number[] => {
      if (r.all) return allClasses;
      if (r.peerSets.length === 1) return setClasses[r.peerSets[0]];
      return [...new Set(r.peerSets.flatMap((s) => setClasses[s]))];
    };
    for (let a = 0; a < C; a++) {
      const rep = this.classRep[a];
      for (const ri of this.egressRules[rep]) {
        const r = this.rules[ri];
        for (const b of classesOfRule(r)) {
          const ports = this.portsOf(r, this.workloads[this.classRep[b]]);
          if (ports.isEmpty()) continue;
          const k = a * C + b;
          egress[k] = egress[k] ? egress[k]!.union(ports) : ports;
        }
      }
    }
    for (let b = 0; b < C; b++) {
      const rep = this.classRep[b];
      const dst = this.workloads[rep];
      for (const ri of this.ingressRules[rep]) {
        const r = this.rules[ri];
        const ports = this.portsOf(r, dst);
        if (ports.isEmpty()) continue;
        for (const a of classesOfRule(r)) {
          const k = a * C + b;
          ingress[k] = ingress[k] ? ingress[k]!.union(ports) : ports;
        }
      }
    }
    const out: (ConnSet | undefined)[] = new Array(C * C);
    for (let a = 0; a < C; a++) {
      const eIso = this.egressPolicies[this.classRep[a]].length > 0;
      for (let b = 0; b < C; b++) {
        const iIso = this.ingressPolicies[this.classRep[b]].length > 0;
        const k = a * C + b;
        const e = eIso ? egress[k] : ConnSet.ALL;
        const i = iIso ? ingress[k] : ConnSet.ALL;
        if (!e || !i) continue;
        // Kubernetes connection sets are subsets of ALL, so intersecting with ALL is the identity.
        const c = e === ConnSet.ALL ? i : i === ConnSet.ALL ? e : e.intersect(i);
        if (!c.isEmpty()) out[k] = c;
      }
    }
    this.matrix = out;
    return out;
  }

  // ---------- queries ----------

  workloadIndex(id: string): number | undefined {
    return this.wlIndex.get(id);
  }

  /** Allowed connections between two workloads (by index). */
  allowed(src: number, dst: number): ConnSet {
    if (this.calico) {
      const key = `${src}>${dst}`;
      let c = this.pairCache.get(key);
      if (!c) {
        const e = this.calico.evaluate('Egress', this.wlEndpoint(src), this.wlEndpoint(dst)).allowed;
        c = e.isEmpty() ? e : e.intersect(this.calico.evaluate('Ingress', this.wlEndpoint(dst), this.wlEndpoint(src)).allowed);
        this.pairCache.set(key, c);
      }
      return c;
    }
    const C = this.classRep.length;
    return this.classMatrix()[this.classOf[src] * C + this.classOf[dst]] ?? ConnSet.EMPTY;
  }

  private egressToAtom(src: number, atom: ExternalAtom): ConnSet {
    if (this.calico) return this.calico.evaluate('Egress', this.wlEndpoint(src), this.atomEndpoint(atom)).allowed;
    if (this.egressPolicies[src].length === 0) return ConnSet.ALL;
    let acc = ConnSet.EMPTY;
    for (const ri of this.egressRules[src]) {
      const r = this.rules[ri];
      if (this.ruleMatchesAtom(r, atom)) acc = acc.union(this.portsOf(r, undefined));
    }
    return acc;
  }

  private ingressFromAtom(dst: number, atom: ExternalAtom): ConnSet {
    if (this.calico) return this.calico.evaluate('Ingress', this.wlEndpoint(dst), this.atomEndpoint(atom)).allowed;
    if (this.ingressPolicies[dst].length === 0) return ConnSet.ALL;
    let acc = ConnSet.EMPTY;
    for (const ri of this.ingressRules[dst]) {
      const r = this.rules[ri];
      if (this.ruleMatchesAtom(r, atom)) acc = acc.union(this.portsOf(r, this.workloads[dst]));
    }
    return acc;
  }

  /** Number of allowed ordered workload pairs (self excluded), without materialising them. */
  countAllowedPairs(): number {
    if (this.calico) {
      let n = 0;
      for (let a = 0; a < this.workloads.length; a++) for (let b = 0; b < this.workloads.length; b++) if (a !== b && !this.allowed(a, b).isEmpty()) n++;
      return n;
    }
    const C = this.classRep.length;
    const m = this.classMatrix();
    const size = new Array(C).fill(0);
    for (const c of this.classOf) size[c]++;
    let n = 0;
    for (let a = 0; a < C; a++) for (let b = 0; b < C; b++) if (m[a * C + b]) n += a === b ? size[a] * (size[a] - 1) : size[a] * size[b];
    return n;
  }

  selectedWorkloads(policy: NetworkPolicy): Workload[] {
    const i = this.policies.indexOf(policy);
    const sel = i >= 0 ? this.selected[i] : this.matchPods(policy.namespace, policy.podSelector);
    return sel.map((w) => this.workloads[w]);
  }

  /** Workloads a label selector matches: in one namespace, or, with `namespaceSelector`, across namespaces. */
  selectorMatches(podSelector: LabelSelector | undefined, namespace: string, namespaceSelector?: LabelSelector): Workload[] {
    return this.peerWorkloads(namespace, { podSelector: podSelector ?? (namespaceSelector ? undefined : { matchLabels: {}, matchExpressions: [] }), namespaceSelector }).map((i) => this.workloads[i]);
  }

  /** Policies (by index) that select a workload for a direction. */
  policiesSelecting(workloadId: string, direction: Direction): NetworkPolicy[] {
    const i = this.wlIndex.get(workloadId);
    if (i === undefined) return [];
    return (direction === 'Egress' ? this.egressPolicies : this.ingressPolicies)[i].map((p) => this.policies[p]);
  }

  endpoints(): Endpoint[] {
    const out: Endpoint[] = this.workloads.map((w) => ({ id: w.id, kind: w.kind, namespace: w.namespace, name: w.name, labels: w.labels, range: w.range }));
    for (const a of this.atoms) out.push({ id: a.id, kind: 'External', name: a.id, labels: {} });
    return out;
  }

  result(): ReachResult {
    const connections: Connection[] = [];
    const n = this.workloads.length;
    for (let s = 0; s < n; s++) {
      for (let d = 0; d < n; d++) {
        if (s === d) continue;
        const c = this.allowed(s, d);
        if (c.isEmpty()) continue;
        const src = this.workloads[s].id;
        const dst = this.workloads[d].id;
        connections.push({ src, dst, protocols: c.toJSON(), explanation: this.explain(src, dst) });
      }
    }
    for (const atom of this.atoms) {
      for (let w = 0; w < n; w++) {
        const inC = this.ingressFromAtom(w, atom);
        if (!inC.isEmpty()) connections.push({ src: atom.id, dst: this.workloads[w].id, protocols: inC.toJSON(), explanation: this.explain(atom.id, this.workloads[w].id) });
        const outC = this.egressToAtom(w, atom);
        if (!outC.isEmpty()) connections.push({ src: this.workloads[w].id, dst: atom.id, protocols: outC.toJSON(), explanation: this.explain(this.workloads[w].id, atom.id) });
      }
    }
    connections.sort((a, b) => (a.src < b.src ? -1 : a.src > b.src ? 1 : a.dst < b.dst ? -1 : a.dst > b.dst ? 1 : 0));
    return { endpoints: this.endpoints(), connections, diagnostics: this.cluster.diagnostics };
  }

  /** Allowed connections between two endpoint ids (workloads or external atoms). */
  allowedBetween(srcId: string, dstId: string): ConnSet {
    const s = this.wlIndex.get(srcId);
    const d = this.wlIndex.get(dstId);
    if (s !== undefined && d !== undefined) return s === d ? ConnSet.EMPTY : this.allowed(s, d);
    const atom = (id: string) => this.atoms.find((a) => a.id === id);
    if (s !== undefined) {
      const a = atom(dstId);
      return a ? this.egressToAtom(s, a) : ConnSet.EMPTY;
    }
    if (d !== undefined) {
      const a = atom(srcId);
      return a ? this.ingressFromAtom(d, a) : ConnSet.EMPTY;
    }
    return ConnSet.EMPTY;
  }

  // ---------- explanations ----------

  private policyRef(pi: number): PolicyRef {
    const p = this.policies[pi];
    return { policy: `${p.namespace}/${p.name}`, range: p.nameRange ?? p.range };
  }

  private directionVerdict(direction: Direction, self: number, peerW: number | undefined, peerAtom: ExternalAtom | undefined, peerId: string): DirectionVerdict {
    const policies = (direction === 'Egress' ? this.egressPolicies : this.ingressPolicies)[self];
    const rules = (direction === 'Egress' ? this.egressRules : this.ingressRules)[self];
    const w = this.workloads[self];
    const selfName = `${w.id}`;
    const dir = direction.toLowerCase();
    if (policies.length === 0) {
      return {
        isolated: false,
        selectedBy: [],
        allowedBy: [],
        protocols: ConnSet.ALL.toJSON(),
        text: `${selfName} is not isolated for ${dir}: no NetworkPolicy with policyType ${direction} selects it, so all ${dir} is allowed.`,
      };
    }
    const allowedBy: RuleRef[] = [];
    let acc = ConnSet.EMPTY;
    for (const ri of rules) {
      const r = this.rules[ri];
      const matches = peerW !== undefined ? this.ruleMatchesWorkload(r, peerW) : peerAtom ? this.ruleMatchesAtom(r, peerAtom) : false;
      if (!matches) continue;
      const dst = direction === 'Egress' ? (peerW !== undefined ? this.workloads[peerW] : undefined) : w;
      const ports = this.portsOf(r, dst);
      if (ports.isEmpty()) continue;
      acc = acc.union(ports);
      const p = this.policies[r.policy];
      allowedBy.push({ policy: `${p.namespace}/${p.name}`, direction, ruleIndex: r.rule.index, range: r.rule.range, protocols: ports.toJSON() });
    }
    const selectedBy = policies.map((pi) => this.policyRef(pi));
    const names = selectedBy.map((p) => p.policy).join(', ');
    const prep = direction === 'Egress' ? 'to' : 'from';
    let text: string;
    if (allowedBy.length === 0) {
      text = `${selfName} is isolated for ${dir} by ${names}, and no ${dir} rule of ${policies.length === 1 ? 'that policy' : 'those policies'} matches ${peerId}${this.namedPortHint(rules, direction, peerW, self)}: ${dir} ${prep} ${peerId} is denied.`;
    } else {
      const parts = allowedBy.map((a) => `${a.policy} ${dir}[${a.ruleIndex}] allows ${ConnSet.fromProtocolPorts(a.protocols).toString()}`);
      text = `${selfName} is isolated for ${dir} by ${names}; ${parts.join('; ')} ${prep} ${peerId}.`;
    }
    return { isolated: true, selectedBy, allowedBy, protocols: acc.toJSON(), text };
  }

  /** Mentions named ports that matched the peer but did not resolve on the destination. */
  private namedPortHint(rules: number[], direction: Direction, peerW: number | undefined, self: number): string {
    const dst = direction === 'Egress' ? (peerW !== undefined ? this.workloads[peerW] : undefined) : this.workloads[self];
    for (const ri of rules) {
      const r = this.rules[ri];
      const matches = peerW !== undefined ? this.ruleMatchesWorkload(r, peerW) : r.all;
      if (!matches || !r.rule.ports) continue;
      const named = r.rule.ports.filter((p) => typeof p.port === 'string');
      if (named.length && this.portsOf(r, dst).isEmpty()) {
        const p = this.policies[r.policy];
        return ` with a port it defines (rule ${p.namespace}/${p.name} ${direction.toLowerCase()}[${r.rule.index}] names port ${named.map((n) => `${n.protocol}/${n.port}`).join(', ')}, which ${dst ? dst.id : 'an external destination'} does not define)`;
      }
    }
    return '';
  }

  // ---------- Calico mode ----------

  private wlEndpoint(i: number): Extract<CalicoEndpoint, { type: 'workload' }> {
    const w = this.workloads[i];
    return { type: 'workload', w, labels: CalicoEvaluator.endpointLabels(w), nsLabels: this.nsLabels.get(w.namespace) ?? {} };
  }

  private atomEndpoint(a: ExternalAtom): CalicoEndpoint {
    return { type: 'external', family: a.family, lo: a.lo, hi: a.hi, sets: this.calico!.setsContaining(a.family, a.lo, a.hi) };
  }

  /** A Kubernetes NetworkPolicy seen by the Calico evaluator (default tier, order 1000, Allow rules). */
  private k8sView(pi: number): K8sPolicyView {
    const p = this.policies[pi];
    const selected = new Set(this.selected[pi]);
    return {
      id: `${p.namespace}/${p.name}`,
      name: p.name,
      namespace: p.namespace,
      range: p.nameRange ?? p.range,
      selects: (w, direction) => p.policyTypes.includes(direction) && selected.has(this.wlIndex.get(w.id) ?? -1),
      ruleConns: (direction, self, peer, universe) =>
        (this.policyRules[pi]?.[direction] ?? []).map((ri) => {
          const r = this.rules[ri];
          const peerW = peer.type === 'workload' ? this.wlIndex.get(peer.w.id) : undefined;
          const matches = peer.type === 'workload' ? peerW !== undefined && this.ruleMatchesWorkload(r, peerW) : this.ruleMatchesAtom(r, { id: '', family: peer.family, lo: peer.lo, hi: peer.hi });
          const dst = direction === 'Egress' ? (peer.type === 'workload' ? peer.w : undefined) : self;
          // Calico converts a rule without ports into one without a protocol: every protocol.
          const conns = !matches ? ConnSet.EMPTY : r.rule.ports ? this.portsOf(r, dst) : universe;
          return { index: r.rule.index, conns, range: r.rule.range };
        }),
    };
  }

  private calicoVerdict(direction: Direction, selfId: string, peerId: string, res: DirectionResult): DirectionVerdict {
    const dir = direction.toLowerCase();
    const allowedBy: RuleRef[] = res.trace
      .filter((t) => t.action === 'Allow' && t.policy !== undefined)
      .map((t) => ({ policy: t.policy!, direction, ruleIndex: t.ruleIndex ?? 0, range: t.range, protocols: t.conns }));
    let text: string;
    if (!res.isolated) text = `No Calico or Kubernetes policy applies to ${selfId} for ${dir}: the namespace profile allows all ${dir}.`;
    else {
      const steps = res.trace.map((t) => {
        const what = ConnSet.fromProtocolPorts(t.conns).toString();
        if (t.action === 'EndOfTier') return `end of tier ${t.tier}: ${what} not matched by any rule gets the tier's default action`;
        if (t.action === 'Profile') return `the namespace profile allows ${what} that passed every tier`;
        return `tier ${t.tier}, ${t.policy} ${dir}[${t.ruleIndex}] ${t.action === 'Log' ? 'logs' : t.action === 'Pass' ? 'passes to the next tier' : t.action === 'Allow' ? 'allows' : 'denies'} ${what}`;
      });
      text = `${dir[0].toUpperCase()}${dir.slice(1)} of ${selfId} ${direction === 'Egress' ? 'to' : 'from'} ${peerId}: ${steps.join('; ')}.`;
    }
    return { isolated: res.isolated, selectedBy: res.policies.map((p) => ({ policy: p.id, range: p.range })), allowedBy, protocols: res.allowed.toJSON(), text };
  }

  private explainCalico(srcId: string, dstId: string, s: number | undefined, d: number | undefined, srcAtom: ExternalAtom | undefined, dstAtom: ExternalAtom | undefined): Explanation {
    const cal = this.calico!;
    const srcEp = s !== undefined ? this.wlEndpoint(s) : this.atomEndpoint(srcAtom!);
    const dstEp = d !== undefined ? this.wlEndpoint(d) : this.atomEndpoint(dstAtom!);
    const eRes = s !== undefined ? cal.evaluate('Egress', this.wlEndpoint(s), dstEp) : undefined;
    const iRes = d !== undefined ? cal.evaluate('Ingress', this.wlEndpoint(d), srcEp) : undefined;
    const eSet = eRes?.allowed ?? cal.universe;
    const iSet = iRes?.allowed ?? cal.universe;
    const allowed = eSet.intersect(iSet);
    const egress = eRes ? this.calicoVerdict('Egress', srcId, dstId, eRes) : undefined;
    const ingress = iRes ? this.calicoVerdict('Ingress', dstId, srcId, iRes) : undefined;
    const head = allowed.isEmpty()
      ? eSet.isEmpty()
        ? `Denied by the egress side of ${srcId}.`
        : iSet.isEmpty()
          ? `Denied by the ingress side of ${dstId}.`
          : `Denied: egress of ${srcId} allows ${eSet} but ingress of ${dstId} allows ${iSet}.`
      : `Allowed: ${allowed}.`;
    return { summary: [head, egress?.text, ingress?.text].filter(Boolean).join(' '), egress, ingress };
  }

  explain(srcId: string, dstId: string): Explanation {
    const s = this.wlIndex.get(srcId);
    const d = this.wlIndex.get(dstId);
    const srcAtom = s === undefined ? this.findAtom(srcId) : undefined;
    const dstAtom = d === undefined ? this.findAtom(dstId) : undefined;
    if ((s === undefined && !srcAtom) || (d === undefined && !dstAtom)) {
      const missing = s === undefined && !srcAtom ? srcId : dstId;
      return { summary: `Unknown endpoint "${missing}". Endpoints are workloads as namespace/name, or external address ranges.` };
    }
    if (s !== undefined && s === d) return { summary: `${srcId} is the same workload; connections of a workload to itself are not analysed.` };
    if (this.calico) return this.explainCalico(srcId, dstId, s, d, srcAtom, dstAtom);
    const egress = s !== undefined ? this.directionVerdict('Egress', s, d, dstAtom, dstId) : undefined;
    const ingress = d !== undefined ? this.directionVerdict('Ingress', d, s, srcAtom, srcId) : undefined;
    const eSet = egress ? ConnSet.fromProtocolPorts(egress.protocols) : ConnSet.ALL;
    const iSet = ingress ? ConnSet.fromProtocolPorts(ingress.protocols) : ConnSet.ALL;
    const allowed = eSet.intersect(iSet);
    const lines: string[] = [];
    if (allowed.isEmpty()) {
      if (eSet.isEmpty() && iSet.isEmpty()) lines.push(`Denied: neither the egress of ${srcId} nor the ingress of ${dstId} allows it.`);
      else if (eSet.isEmpty()) lines.push(`Denied by the egress side of ${srcId}.`);
      else if (iSet.isEmpty()) lines.push(`Denied by the ingress side of ${dstId}.`);
      else lines.push(`Denied: egress of ${srcId} allows ${eSet} but ingress of ${dstId} allows ${iSet}, and they have no port in common.`);
    } else {
      lines.push(`Allowed: ${allowed}.`);
    }
    if (egress) lines.push(egress.text);
    if (ingress) lines.push(ingress.text);
    return { summary: lines.join(' '), egress, ingress };
  }

  private findAtom(id: string): ExternalAtom | undefined {
    return this.atoms.find((a) => a.id === id);
  }
}

export interface AnalyzeOptions {
  /** Evaluate Calico staged policies as if they were enforced (what-if). */
  staged?: boolean;
}

export function analyze(cluster: Cluster, opts: AnalyzeOptions = {}): Analysis {
  return new Analysis(cluster, opts);
}

/** Human sentence for a selector in a namespace context, used by hovers and explanations. */
export function describePeer(policyNs: string, peer: Peer): string {
  if (peer.ipBlock) return `addresses in ${peer.ipBlock.cidr}${peer.ipBlock.except.length ? ` except ${peer.ipBlock.except.join(', ')}` : ''}`;
  const pods = peer.podSelector ? (Object.keys(peer.podSelector.matchLabels).length || peer.podSelector.matchExpressions.length ? `pods ${describeSelector(peer.podSelector)}` : 'all pods') : 'all pods';
  if (!peer.namespaceSelector) return `${pods} in namespace ${policyNs}`;
  const nsEmpty = Object.keys(peer.namespaceSelector.matchLabels).length === 0 && peer.namespaceSelector.matchExpressions.length === 0;
  return `${pods} in ${nsEmpty ? 'all namespaces' : `namespaces ${describeSelector(peer.namespaceSelector)}`}`;
}
