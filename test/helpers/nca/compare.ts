// Compares one NCA connectivity-map case with Policy Lens, fact by fact.
//
// Facts:
// - endpoint pairs: for every ordered pair of NCA endpoints (p, q) that map to two different Policy Lens
//   workloads, the union of the connections of the rules covering (p, q) must equal what Policy Lens allows
//   between the two workloads (pairs of endpoints folded into one workload, e.g. two replicas, are not
//   compared: Policy Lens does not analyse a workload's connections to itself);
// - external addresses: for every endpoint and direction, the map address -> connections, compared per
//   address interval (the two tools cut the address space differently). IPv4 always; IPv6 only when NCA's
//   output mentions IPv6 (NCA leaves IPv6 out unless a policy references it: excludeIPv6Range).
// Connections are compared within the Policy Lens universe (expand.ts), without ICMP type 255.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, parseFiles, ConnSet, type Analysis } from '../../../server/src/core/index';
import { FAMILY_MAX, type Family } from '../../../server/src/core/ip';
import { connToConnSet, parseBlock, sidePods, withoutIcmpType255, type Interval } from './expand';
import { parseOutput, type Rule, type Section } from './output';
import { loadCase, loadScenario, type Case, type IndexQuery, type NcaPod, type Obj, type Scenario, type ScenarioOptions } from './scheme';

export interface CaseResult {
  ok: boolean;
  /** Short reason category when not ok. */
  category?: string;
  problems: string[];
  /** Facts compared (pairs + per-direction external maps). */
  compared: number;
  /** Things not compared (host endpoints, DNS names), reported with a pass. */
  notes: string[];
  /** NCA facts involving Calico HostEndpoints (not compared). */
  hostEndpointFacts: number;
  /** Policy Lens reported workload-pods-differ: pods of one controller carry different labels. */
  foldedDiffer: boolean;
  /** Differing facts that involve a Policy Lens workload whose NCA pods carry different labels. */
  foldingMismatches: number;
  /** Differing facts that do not (cannot be explained by folding). */
  otherMismatches: number;
}

const analysisCache = new WeakMap<Scenario, Analysis>();

function analysisOf(sc: Scenario): Analysis {
  let a = analysisCache.get(sc);
  if (!a) analysisCache.set(sc, (a = analyze(parseFiles(sc.files))));
  return a;
}

function inSubset(p: NcaPod, subset: Obj | undefined): boolean {
  if (!subset || Object.keys(subset).length === 0) return true;
  // nca/NetworkConfig/NetworkConfigQuery.py ConnectivityMapQuery.is_in_subset
  if (subset.namespace_subset && !p.hostEndpoint && String(subset.namespace_subset).split(',').includes(p.namespace)) return true;
  if (subset.deployment_subset && p.owner) {
    for (const d of String(subset.deployment_subset).split(',')) {
      // with a namespace prefix NCA compares against "<ns>/<owner>(<Kind>)"; a substring test either way
      const target = d.includes('/') ? `${p.namespace}/${p.owner}` : p.owner;
      if (target.includes(d)) return true;
    }
  }
  if (subset.label_subset && Object.keys(p.labels).length) {
    for (const block of subset.label_subset as Obj[]) if (Object.entries(block).every(([k, v]) => p.labels[k] === String(v))) return true;
  }
  return false;
}

const isSystemNs = (ns: string) => ns.endsWith('-system');

function pointsCompare(exp: [Interval, ConnSet][], act: [Interval, ConnSet][], family: Family): { at: bigint; e: ConnSet; a: ConnSet }[] {
  const points = new Set<bigint>([0n]);
  for (const [iv] of [...exp, ...act]) {
    if (iv.family !== family) continue;
    points.add(iv.lo);
    if (iv.hi < FAMILY_MAX[family]) points.add(iv.hi + 1n);
  }
  const at = (list: [Interval, ConnSet][], ip: bigint) => list.reduce((acc, [iv, c]) => (iv.family === family && iv.lo <= ip && ip <= iv.hi ? acc.union(c) : acc), ConnSet.EMPTY);
  const out: { at: bigint; e: ConnSet; a: ConnSet }[] = [];
  for (const p of [...points].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))) {
    const e = at(exp, p);
    const a = at(act, p);
    if (!e.equals(a)) out.push({ at: p, e, a });
  }
  return out;
}

function fmtIp(family: Family, v: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join('.');
  return v.toString(16);
}

/** Compares one section (one config) of the expected output. */
function compareSection(c: Case, configRef: string, section: Section, res: CaseResult, opts: ScenarioOptions): void {
  const sc = loadScenario(c, configRef, opts);
  const analysis = analysisOf(sc);
  for (const d of analysis.cluster.diagnostics) if (d.code === 'workload-pods-differ') res.foldedDiffer = true;
  const universe = analysis.universe;
  const oc = c.outputConfiguration;
  const byDeployment = (oc.outputEndpoints ?? 'deployments') !== 'pods';
  const subset = oc.subset as Obj | undefined;
  const filterSystem = oc.fwRulesFilterSystemNs === true;
  const pods = sc.pods;
  const norm = (x: ConnSet) => withoutIcmpType255(x);

  for (const p of pods) {
    if (!p.hostEndpoint && analysis.workloadIndex(p.ourId!) === undefined) res.problems.push(`[${configRef}] NCA endpoint ${p.namespace}/${p.name} maps to ${p.ourId}, which Policy Lens does not have`);
  }

  const noSelfWorkload = c.index.outputFormat === 'txt_no_fw_rules';
  // Policy Lens workloads whose NCA pods carry different labels (folding takes the first pod's labels)
  const firstLabels = new Map<string, string>();
  const divergent = new Set<string>();
  for (const p of pods) {
    if (!p.ourId) continue;
    const l = JSON.stringify(Object.entries(p.labels).sort());
    const prev = firstLabels.get(p.ourId);
    if (prev === undefined) firstLabels.set(p.ourId, l);
    else if (prev !== l) divergent.add(p.ourId);
  }
  const tallyMismatch = (...ids: (string | undefined)[]) => {
    if (ids.some((x) => x !== undefined && divergent.has(x))) res.foldingMismatches++;
    else res.otherMismatches++;
  };
  const pairExp = new Map<number, ConnSet>();
  const N = pods.length;
  const extExp = new Map<string, [Interval, ConnSet][]>();
  let hepFacts = 0;
  let dnsRules = 0;
  const addExt = (key: string, iv: Interval, conns: ConnSet) => {
    let l = extExp.get(key);
    if (!l) extExp.set(key, (l = []));
    l.push([iv, conns]);
  };
  let mentionsV6 = false;
  for (const r of section.rules as Rule[]) {
    if (r.src.kind === 'dns' || r.dst.kind === 'dns') {
      dnsRules++;
      continue;
    }
    const conns = norm(connToConnSet(r.conn, universe));
    const isEp = (x: Rule['src']) => x.kind === 'pods' || x.kind === 'workload';
    if (isEp(r.src) && isEp(r.dst)) {
      const S = sidePods(r.src, pods, byDeployment);
      const D = sidePods(r.dst, pods, byDeployment);
      if (!S.length || !D.length) res.problems.push(`rule covers no endpoint on one side: ${r.text}`);
      for (const s of S) {
        for (const d of D) {
          if (s === d) continue;
          const k = s * N + d;
          const prev = pairExp.get(k);
          pairExp.set(k, prev ? prev.union(conns) : conns);
        }
      }
    } else if (r.src.kind === 'ip' && isEp(r.dst)) {
      const D = sidePods(r.dst, pods, byDeployment);
      if (!D.length) res.problems.push(`rule covers no endpoint: ${r.text}`);
      for (const b of r.src.blocks) {
        const iv = parseBlock(b);
        if (iv.family === 6) mentionsV6 = true;
        for (const d of D) addExt(`in:${d}`, iv, conns);
      }
    } else if (isEp(r.src) && r.dst.kind === 'ip') {
      const S = sidePods(r.src, pods, byDeployment);
      if (!S.length) res.problems.push(`rule covers no endpoint: ${r.text}`);
      for (const b of r.dst.blocks) {
        const iv = parseBlock(b);
        if (iv.family === 6) mentionsV6 = true;
        for (const s of S) addExt(`out:${s}`, iv, conns);
      }
    } else {
      res.problems.push(`unexpected rule shape: ${r.text}`);
    }
  }

  // ---- endpoint pairs ----
  const actCache = new Map<string, ConnSet>();
  const actual = (a: string, b: string) => {
    const k = `${a}\u0000${b}`;
    let v = actCache.get(k);
    if (!v) actCache.set(k, (v = norm(analysis.allowedBetween(a, b))));
    return v;
  };
  let pairProblems = 0;
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      if (i === j) continue;
      const p = pods[i];
      const q = pods[j];
      if (p.hostEndpoint || q.hostEndpoint) {
        if (pairExp.has(i * N + j)) hepFacts++;
        continue;
      }
      if (p.ourId === q.ourId) continue;
      // txt_no_fw_rules leaves out connections between the pods of one NCA workload
      if (noSelfWorkload && p.workload === q.workload) continue;
      if (!inSubset(p, subset) && !inSubset(q, subset)) continue;
      if (filterSystem && isSystemNs(p.namespace) && isSystemNs(q.namespace)) continue;
      const e = pairExp.get(i * N + j) ?? ConnSet.EMPTY;
      const a = actual(p.ourId!, q.ourId!);
      res.compared++;
      if (!e.equals(a)) {
        pairProblems++;
        tallyMismatch(p.ourId, q.ourId);
        if (pairProblems <= 8) res.problems.push(`[${configRef}] ${p.namespace}/${p.name} -> ${q.namespace}/${q.name} (ours ${p.ourId} -> ${q.ourId}): NCA ${e}, Policy Lens ${a}`);
      }
    }
  }
  if (pairProblems > 8) res.problems.push(`[${configRef}] ... ${pairProblems - 8} more endpoint pairs differ`);
  if (pairProblems) res.category ??= 'endpoint-pair connections differ';

  // ---- external addresses ----
  const families: Family[] = mentionsV6 ? [4, 6] : [4];
  let extProblems = 0;
  let v6Skipped = 0;
  pods.forEach((p, i) => {
    if (p.hostEndpoint && (extExp.has(`in:${i}`) || extExp.has(`out:${i}`))) hepFacts++;
    if (p.hostEndpoint || !inSubset(p, subset)) return;
    if (filterSystem && isSystemNs(p.namespace)) return;
    for (const dir of ['in', 'out'] as const) {
      const exp = extExp.get(`${dir}:${i}`) ?? [];
      const act: [Interval, ConnSet][] = analysis.atoms
        .filter((a) => families.includes(a.family))
        .map((a) => [{ family: a.family, lo: a.lo, hi: a.hi }, norm(dir === 'in' ? analysis.allowedBetween(a.id, p.ourId!) : analysis.allowedBetween(p.ourId!, a.id))]);
      for (const fam of families) {
        if (!analysis.atoms.some((a) => a.family === fam)) {
          // Policy Lens has no atoms for this family (no policy names such addresses): nothing to compare against
          if (exp.some(([iv]) => iv.family === fam)) v6Skipped++;
          continue;
        }
        res.compared++;
        const diffs = pointsCompare(exp, act, fam);
        for (const d of diffs) {
          extProblems++;
          tallyMismatch(p.ourId);
          if (extProblems <= 6) res.problems.push(`[${configRef}] ${dir === 'in' ? `from ${fmtIp(fam, d.at)}… to ${p.namespace}/${p.name}` : `${p.namespace}/${p.name} to ${fmtIp(fam, d.at)}…`}: NCA ${d.e}, Policy Lens ${d.a}`);
        }
      }
    }
  });
  if (v6Skipped) res.notes.push(`[${configRef}] ${v6Skipped} IPv6 endpoint maps of NCA not compared: no policy names IPv6 addresses, so Policy Lens has no IPv6 address ranges`);
  if (extProblems > 6) res.problems.push(`[${configRef}] ... ${extProblems - 6} more external intervals differ`);
  if (extProblems) res.category ??= 'external-address connections differ';
  res.hostEndpointFacts += hepFacts;
  if (hepFacts) res.notes.push(`[${configRef}] ${hepFacts} NCA facts involve HostEndpoints (not modelled by Policy Lens), not compared`);
  if (dnsRules) res.notes.push(`[${configRef}] ${dnsRules} rules towards DNS names (Istio ServiceEntry), not compared`);
}

export function runCase(base: string, q: IndexQuery, opts: ScenarioOptions = {}): CaseResult {
  const res: CaseResult = { ok: false, problems: [], compared: 0, notes: [], foldedDiffer: false, hostEndpointFacts: 0, foldingMismatches: 0, otherMismatches: 0 };
  try {
    const c = loadCase(base, q);
    const text = readFileSync(join(base, q.expectedOutput!), 'utf8');
    const sections = parseOutput(text, q.outputFormat);
    if (sections.length !== q.configs.length) {
      res.problems.push(`expected output has ${sections.length} sections for ${q.configs.length} configs`);
      res.category = 'expected-output structure';
    } else {
      sections.forEach((s, i) => compareSection(c, q.configs[i], s, res, opts));
    }
    if (res.problems.length && !res.category) res.category = 'mapping';
  } catch (e) {
    res.problems.push(`error: ${(e as Error).message}`);
    res.category = 'harness error';
  }
  res.ok = res.problems.length === 0;
  return res;
}

/** Stable id of a case: scheme file, query name and expected-output file. */
export function caseId(q: IndexQuery): string {
  const schemeName = q.scheme.split('/').pop()!.replace(/\.yaml$/, '');
  const out = q.expectedOutput!.split('/').pop()!;
  return `${schemeName} ${q.query} -> ${out}`;
}
