// Suggestion writer for CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy (cilium.io/v2); the search and the
// verification are in core/suggest/index.ts. Semantics (docs.cilium.io security/policy; lower.ts has the sources;
// /work/shared/notes/field-2026-11.md §5):
// * [DENY] "Deny policies take precedence over allow policies, regardless of whether they are a Cilium Network
//   Policy, a Clusterwide Cilium Network Policy or even a Kubernetes Network Policy": no allow can override an
//   ingressDeny/egressDeny rule, and a deny rule is the smallest edit that blocks one flow.
// * [DEFAULT] a direction is default-deny once a policy with rules for that direction (allow or deny) selects the
//   endpoint, unless its enableDefaultDeny says false for the direction.
// * [UNION] allow rules of CNP, CCNP and Kubernetes NetworkPolicy form a union.
// * [NSINJECT] in a CiliumNetworkPolicy, fromEndpoints/toEndpoints get the policy's namespace unless the selector
//   names k8s:io.kubernetes.pod.namespace; in a CiliumClusterwideNetworkPolicy they match pods of any namespace.
// * one L3 field per rule (fromEndpoints | fromEntities | fromCIDR | fromCIDRSet ...); toPorts ports are strings;
//   icmps cannot be combined with toPorts in one rule; deny rules have no L7 rules.
// So:
// * allow, where the allow tier's default deny decides: add a port entry to a rule that already names the peer, add
//   the peer to a rule that already covers the ports, add an ingress/egress rule to a policy selecting the endpoint,
//   or a new CiliumNetworkPolicy whose endpointSelector is the workload's labels.
// * allow, where a deny rule decides: narrow that deny rule (remove the matching peer entries or ports, exclude the
//   peer with a NotIn requirement or a CIDR `except`); the title says why an allow would not do.
// * block, where an allow rule decides (or nothing isolates the endpoint): add an ingressDeny/egressDeny rule for
//   exactly the pair (to a policy of the endpoint that already has rules for the direction, or a new CNP with
//   enableDefaultDeny false for the direction, so it isolates nothing), or narrow the allowing Cilium rule.
import type { Pair, YAMLMap, YAMLSeq } from 'yaml';
import type { Labels, Workload } from '../../model';
import { ConnSet, ICMP_MAX, MAX_PORT, MIN_PORT, PORT_PROTOCOLS } from '../../ports';
import type { Analysis } from '../../analysis';
import { rulesOf, type Policy, type Rule } from '../../policy/ir';
import { resolveConns } from '../../policy/evaluate';
import { CILIUM_ALLOW_TIER, CILIUM_DENY_TIER } from '../../policy/build-cilium';
import { ciliumSettings } from '../../policy/cni';
import { asMap, asSeq } from '../../lint/ast';
import { appendDocument, fileStyle, usesNamedPorts, YamlDoc } from '../../suggest/yaml-edit';
import { connWords, endpointIds, endpointSlug, endpointWords, labelChoice, matcherMatches, namedPortFor, peerPhrase, slug, uniqueName, usedSelectorKeys, candidateOf, docOf, itemIndex } from '../../suggest/common';
import type { DialectSuggester, SideRequest, StepCandidate, TextChange } from '../../suggest/types';
import { isIdentityLabel } from './labels';
import { POD_NAMESPACE_LABEL, type CiliumPeerRule, type CiliumPolicy, type CiliumRule } from './model';

const NS_KEY = `k8s:${POD_NAMESPACE_LABEL}`;
/** Most entries a ports list takes (pkg/policy/api: at most 40 ports per toPorts entry). */
const MAX_PORTS = 40;
const WHY_DENY = 'a Cilium deny rule takes precedence over every allow, so an allow rule would not do';

export const ciliumSuggester: DialectSuggester = {
  dialect: 'cilium',
  propose(req) {
    return (req.mode === 'allow' ? allow(req) : block(req)).filter((x): x is StepCandidate => !!x);
  },
  why(req) {
    return whyNot(req);
  },
};

// ---------------------------------------------------------------- sources

interface Source {
  cp: CiliumPolicy;
  rule: CiliumRule;
  /** YAML path of the rule: ['spec'] or ['specs', i]. */
  path: (string | number)[];
}

function sameRange(a: { file: string; startOffset: number } | undefined, b: { file: string; startOffset: number } | undefined): boolean {
  return !!a && !!b && a.file === b.file && a.startOffset === b.startOffset;
}

/** The parsed Cilium policy and rule (`spec` or an item of `specs`) a lowered policy came from. */
export function ciliumSourceOf(a: Analysis, p: Policy): Source | undefined {
  if (p.dialect !== 'cilium') return undefined;
  const cp = (a.cluster.cilium?.policies ?? []).find((x) => x.kind === p.kind && x.name === p.name && x.namespace === p.namespace && sameRange(x.nameRange ?? x.range, p.range));
  if (!cp || cp.rejected) return undefined;
  const m = /#(-?\d+) (allow|deny)$/.exec(p.uid);
  const rule = m ? cp.rules.find((r) => r.index === Number(m[1])) : cp.rules.find((r) => r.endpointSelector);
  if (!rule) return undefined;
  return { cp, rule, path: rule.index < 0 ? ['spec'] : ['specs', rule.index] };
}



const candidate = candidateOf('cilium');

type ListKey = 'ingress' | 'ingressDeny' | 'egress' | 'egressDeny';

function listKey(req: SideRequest, deny: boolean): ListKey {
  return `${req.side === 'Ingress' ? 'ingress' : 'egress'}${deny ? 'Deny' : ''}` as ListKey;
}

function l3Key(req: SideRequest, what: 'Endpoints' | 'CIDR' | 'CIDRSet' | 'Entities'): string {
  return `${req.side === 'Ingress' ? 'from' : 'to'}${what}`;
}

/** "CiliumClusterwideNetworkPolicy no-world-into-backend" / "CiliumNetworkPolicy backend/api (specs[1])". */
function policyWords(s: Source): string {
  return `${s.cp.kind} ${s.cp.id}${s.cp.rules.length > 1 ? ` (${s.rule.index < 0 ? 'spec' : `specs[${s.rule.index}]`})` : ''}`;
}

function ruleLabel(s: Source, key: ListKey, index: number): string {
  return `${policyWords(s)} ${key} rule ${index + 1}`;
}

/** Other workloads a policy selects (editing it changes their traffic too). */
function breadth(a: Analysis, p: Policy): number {
  return Math.max(0, p.subject.workloads(a.world).length - 1);
}

function isCilium(a: Analysis): boolean {
  return a.cni.cni === 'cilium';
}

// ---------------------------------------------------------------- what a rule says

/**
 * The labels to select a workload by: the label choice of core/suggest, restricted to the labels that are part of
 * the pod's Cilium security identity (others never match, labels.ts [IDLABELS]).
 */
function identityChoice(a: Analysis, w: Workload): Labels {
  const c = labelChoice(a, w, usedSelectorKeys(a)).labels;
  if (Object.keys(c).every(isIdentityLabel)) return c;
  const out: Labels = {};
  for (const k of Object.keys(w.labels).sort()) if (isIdentityLabel(k)) out[k] = w.labels[k];
  return out;
}

/**
 * An endpoint selector for exactly workload `w`, written in a policy of namespace `policyNs` (undefined for a
 * CiliumClusterwideNetworkPolicy): the namespace label is written unless Cilium injects the same one [NSINJECT].
 */
function endpointSelector(a: Analysis, w: Workload, policyNs: string | undefined): Record<string, unknown> {
  const labels = identityChoice(a, w);
  const matchLabels: Labels = policyNs === w.namespace ? { ...labels } : { [NS_KEY]: w.namespace, ...labels };
  return Object.keys(matchLabels).length ? { matchLabels } : {};
}

/** The L3 part naming exactly the peer (`fromEndpoints: [...]` / `toCIDR: [...]`), or undefined when it cannot. */
function peerL3(req: SideRequest, policyNs: string | undefined): Record<string, unknown> | undefined {
  const p = req.peer;
  if (p.workload) return { [l3Key(req, 'Endpoints')]: [endpointSelector(req.state.analysis, p.workload, policyNs)] };
  if (!p.cidrs || p.cidrs.length === 0 || p.cidrs.length > 16) return undefined;
  return { [l3Key(req, 'CIDR')]: p.cidrs };
}

/**
 * The L4 part covering exactly `c`: {} (no L4 part: every protocol, ICMP included), `{toPorts: [...]}` or
 * `{icmps: [...]}`; undefined when `c` cannot be written in one rule (ports and ICMP together, partial ICMP types,
 * too many entries).
 */
function l4For(req: SideRequest, c: ConnSet, fileText: string): Record<string, unknown> | undefined {
  const U = req.state.analysis.universe;
  if (c.contains(U)) return {};
  const protos = c.protocols();
  const portProtos = protos.filter((p) => (PORT_PROTOCOLS as readonly string[]).includes(p));
  const icmp = protos.filter((p) => p === 'ICMP' || p === 'ICMPv6');
  if (portProtos.length + icmp.length !== protos.length) return undefined;
  if (portProtos.length && icmp.length) return undefined;
  if (icmp.length) {
    const fields: Record<string, unknown>[] = [];
    for (const p of icmp) {
      for (const [lo, hi] of c.ranges(p)) {
        if (lo % 256 !== 0 || (hi % 256 !== 255 && hi !== ICMP_MAX)) return undefined;
        for (let t = lo / 256; t <= Math.floor(hi / 256); t++) fields.push({ family: p === 'ICMP' ? 'IPv4' : 'IPv6', type: t });
      }
    }
    return fields.length && fields.length <= MAX_PORTS ? { icmps: [{ fields }] } : undefined;
  }
  const ports = portEntries(req, c, fileText);
  return ports ? { toPorts: [{ ports }] } : undefined;
}

/** A toPorts `ports` list covering exactly `c` (TCP/UDP/SCTP only); a named port where the file uses them. */
function portEntries(req: SideRequest, c: ConnSet, fileText: string): Record<string, unknown>[] | undefined {
  const named = usesNamedPorts(fileText) ? namedPortFor(req.dst, c) : undefined;
  if (named) return [{ port: named.name, protocol: named.protocol }];
  const out: Record<string, unknown>[] = [];
  for (const p of c.protocols()) {
    if (!(PORT_PROTOCOLS as readonly string[]).includes(p)) return undefined;
    for (const [lo, hi] of c.ranges(p)) {
      // Port "0" is every port of the protocol; the CRD field is a string.
      if (lo === MIN_PORT && hi === MAX_PORT) out.push({ port: '0', protocol: p });
      else if (lo === hi) out.push({ port: String(lo), protocol: p });
      else out.push({ port: String(lo), endPort: hi, protocol: p });
    }
  }
  return out.length && out.length <= MAX_PORTS ? out : undefined;
}

function portWords(l4: Record<string, unknown>, c: ConnSet, universe: ConnSet): string {
  const tp = l4.toPorts as { ports: { port: string }[] }[] | undefined;
  const named = tp?.[0]?.ports.find((p) => !/^\d+$/.test(p.port));
  return `${connWords(c, universe)}${named ? ` (named port ${named.port})` : ''}`;
}

function ruleObject(req: SideRequest, policyNs: string | undefined, fileText: string): Record<string, unknown> | undefined {
  const l3 = peerL3(req, policyNs);
  const l4 = l4For(req, req.conns, fileText);
  if (!l3 || !l4) return undefined;
  return { ...l3, ...l4 };
}

function flowWords(req: SideRequest): string {
  return req.side === 'Ingress' ? `from ${endpointWords(req.peer)} to ${req.self.workload.id}` : `from ${req.self.workload.id} to ${endpointWords(req.peer)}`;
}

// ---------------------------------------------------------------- placement

/** The file a new policy goes to: beside a Cilium policy of the endpoint, else any Cilium policy, else the workload. */
function targetFile(req: SideRequest): string | undefined {
  const a = req.state.analysis;
  const own = [req.policy, ...req.tierPolicies].map((p) => (p ? ciliumSourceOf(a, p) : undefined)).find((s) => s?.cp.range && req.state.files.has(s.cp.range.file));
  if (own) return own.cp.range!.file;
  const ns = req.self.workload.namespace;
  const all = (a.cluster.cilium?.policies ?? []).filter((p) => p.range && req.state.files.has(p.range.file));
  const pick = all.find((p) => p.namespace === ns) ?? all[0];
  if (pick) return pick.range!.file;
  const wf = req.self.workload.range?.file;
  return wf && req.state.files.has(wf) ? wf : undefined;
}

function newPolicyName(req: SideRequest, verb: string): string {
  const ns = req.self.workload.namespace;
  const taken = new Set(req.takenNames(ns));
  for (const p of req.state.analysis.cluster.cilium?.policies ?? []) if (p.kind === 'CiliumNetworkPolicy' && p.namespace === ns) taken.add(p.name);
  const self = endpointSlug(req.self);
  const other = req.peer.cidrs?.length === 1 && /^(0\.0\.0\.0|::)\/0$/.test(req.peer.cidrs[0]) ? 'world' : endpointSlug(req.peer);
  return uniqueName(slug(req.side === 'Ingress' ? `${verb}-${other}-to-${self}` : `${verb}-${self}-to-${other}`), taken);
}

/** A new CiliumNetworkPolicy in the endpoint's namespace selecting exactly it, with `spec` extra fields. */
function newPolicy(req: SideRequest, verb: string, spec: Record<string, unknown>, comment: string, titleOf: (id: string) => string, kind: StepCandidate['kind'], cost: number): StepCandidate | undefined {
  const file = targetFile(req);
  if (!file) return undefined;
  const text = req.state.files.get(file)!;
  const w = req.self.workload;
  const name = newPolicyName(req, verb);
  const obj = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name, namespace: w.namespace },
    spec: { endpointSelector: endpointSelector(req.state.analysis, w, w.namespace), ...spec },
  };
  return candidate(titleOf(`${w.namespace}/${name}`), kind, [appendDocument(file, text, obj, fileStyle(file, text), comment)], cost);
}

// ---------------------------------------------------------------- allow

function allow(req: SideRequest): (StepCandidate | undefined)[] {
  if (req.step.kind === 'rule' && req.step.action === 'Deny' && req.tier?.name === CILIUM_DENY_TIER && req.policy?.dialect === 'cilium') return narrowDeny(req);
  if (req.step.kind === 'tier-end' && req.tier?.name === CILIUM_ALLOW_TIER) return addAllow(req);
  return [];
}

/** [DEFAULT] The endpoint is in default-deny and no allow rule matches: extend or add an allow rule. */
function addAllow(req: SideRequest): (StepCandidate | undefined)[] {
  const a = req.state.analysis;
  const out: (StepCandidate | undefined)[] = [];
  const key = listKey(req, false);
  for (const p of req.tierPolicies) {
    const s = ciliumSourceOf(a, p);
    if (!s) continue;
    const doc = docOf(req, s.cp);
    if (!doc) continue;
    const wide = breadth(a, p) * 2;
    const rulesSeq = asSeq(doc.get([...s.path, key]));
    for (const r of s.rule[key]) {
      const ir = rulesOf(p, req.side).find((x) => x.index === r.index);
      const idx = itemIndex(doc, rulesSeq, r.range);
      if (!ir || idx === undefined) continue;
      const l7 = (r.toPorts ?? []).some((t) => t.l7);
      const peerMatch = !ir.peers || ir.peers.some((m) => matcherMatches(a, m, req.peer));
      const rc = resolveConns(ir.conns, req.dst);
      // A port entry beside the rule's others (a new toPorts entry has no L7 rules: plain L4).
      if (peerMatch && ir.peers && r.toPorts?.length && !r.icmps?.length && !rc.contains(req.conns)) {
        const missing = req.conns.subtract(rc);
        const ports = portEntries(req, missing, doc.text);
        const tp = asSeq(doc.get([...s.path, key, idx, 'toPorts']));
        if (ports && tp) out.push(candidate(`add ${portWords({ toPorts: [{ ports }] }, missing, a.universe)} to the toPorts of ${ruleLabel(s, key, idx)}`, 'extend-ports', [doc.appendItem(tp, { ports })], 1 + wide));
      }
      // The peer beside the rule's others, where the rule has no L7 rules (they would apply to the new peer too).
      if (!peerMatch && !l7 && rc.contains(req.conns) && r.l3.length === 1) {
        const field = r.l3[0];
        const seq = asSeq(doc.get([...s.path, key, idx, field]));
        let items: unknown[] | undefined;
        if (req.peer.workload && field === l3Key(req, 'Endpoints')) items = [endpointSelector(a, req.peer.workload, s.cp.namespace)];
        else if (!req.peer.workload && req.peer.cidrs && field === l3Key(req, 'CIDR')) items = req.peer.cidrs;
        else if (!req.peer.workload && req.peer.cidrs && field === l3Key(req, 'CIDRSet')) items = req.peer.cidrs.map((cidr) => ({ cidr }));
        if (seq && items) out.push(candidate(`add ${endpointWords(req.peer)} to the ${field} of ${ruleLabel(s, key, idx)}`, 'extend-peers', items.map((it) => doc.appendItem(seq, it)), 1 + wide));
      }
    }
    const rule = ruleObject(req, s.cp.namespace, doc.text);
    if (rule) out.push(candidate(`add an ${key} rule to ${policyWords(s)} allowing ${portWords(rule, req.conns, a.universe)} ${peerPhrase(req)}`, 'add-rule', [doc.appendAt([...s.path, key], rule)], 2 + wide));
  }
  // A new policy selecting exactly the endpoint: it is in default-deny for the direction already, so a policy with
  // rules for that direction only adds what it allows.
  const file = targetFile(req);
  const rule = file ? ruleObject(req, req.self.workload.namespace, req.state.files.get(file)!) : undefined;
  if (rule) {
    const words = portWords(rule, req.conns, a.universe);
    out.push(newPolicy(req, 'allow', { [key]: [rule] }, `Allow ${connWords(req.conns, a.universe)} ${flowWords(req)}.`, (id) => `add CiliumNetworkPolicy ${id} allowing ${words} ${flowWords(req)}`, 'new-policy', 4));
  }
  return out;
}

/** [DENY] A deny rule decides: no allow overrides it, so the deny rule itself is narrowed. */
function narrowDeny(req: SideRequest): (StepCandidate | undefined)[] {
  const s = ciliumSourceOf(req.state.analysis, req.policy!);
  if (!s) return [];
  return narrowRule(req, s, true).map((c) => c && { ...c, title: `${c.title} (${WHY_DENY})` });
}

// ---------------------------------------------------------------- narrowing one rule (deny rules for allow, allow rules for block)

/**
 * Changes that make the rule of `req.step` in `s` stop matching the requested flow: remove the peer entries that
 * match the peer (or the whole rule), exclude the peer from them, or remove the requested ports.
 */
function narrowRule(req: SideRequest, s: Source, deny: boolean): (StepCandidate | undefined)[] {
  const a = req.state.analysis;
  const out: (StepCandidate | undefined)[] = [];
  const key = listKey(req, deny);
  const r = s.rule[key].find((x) => x.index === req.step.ruleIndex);
  const doc = docOf(req, s.cp);
  const ir: Rule | undefined = rulesOf(req.policy!, req.side).find((x) => x.index === req.step.ruleIndex);
  if (!r || !doc || !ir) return out;
  const rulesSeq = asSeq(doc.get([...s.path, key]));
  const idx = itemIndex(doc, rulesSeq, r.range);
  const ruleMap = idx !== undefined ? asMap(rulesSeq!.items[idx]) : undefined;
  if (!rulesSeq || idx === undefined || !ruleMap) return out;
  const label = ruleLabel(s, key, idx);
  const wide = breadth(a, req.policy!) * 2;
  const words = connWords(req.conns, a.universe);
  const dropRule = dropRuleChange(req, s, doc, key, rulesSeq, idx, deny);
  const who = req.side === 'Ingress' ? 'sources' : 'destinations';

  // Peers: one L3 field per rule; its entries are the lowered rule's matchers in order (all CIDR entries are one).
  const field = r.l3.length === 1 ? r.l3[0] : undefined;
  const peerSeq = field ? asSeq(ruleMap.items.find((x) => (x.key as { value?: unknown })?.value === field)?.value) : undefined;
  if (field && peerSeq && ir.peers) {
    if (/Endpoints$|Entities$/.test(field) && ir.peers.length === peerSeq.items.length) {
      const hits = ir.peers.map((m, i) => (matcherMatches(a, m, req.peer) ? i : -1)).filter((i) => i >= 0);
      if (hits.length) {
        if (hits.length === peerSeq.items.length) {
          if (dropRule) out.push(candidate(`remove ${label} (every ${who.slice(0, -1)} it ${deny ? 'denies' : 'allows'} matches ${endpointWords(req.peer)})`, 'remove-rule', [dropRule], 3 + wide));
        } else {
          out.push(candidate(`remove the ${who} matching ${endpointWords(req.peer)} from ${label}`, 'remove-peer', hits.map((i) => doc.removeItem(peerSeq, i)), 2 + wide));
        }
        if (field.endsWith('Endpoints') && req.peer.workload) {
          out.push(candidate(`exclude ${endpointWords(req.peer)} from the ${field} of ${label}`, 'exclude-peer', hits.map((i) => excludeEndpoint(doc, asMap(peerSeq.items[i]), req.peer.workload!, a)), 2 + wide));
        }
        if (field.endsWith('Entities') && !req.peer.workload) {
          const c = entitiesToCidrs(req, doc, ruleMap, field, r, rulesSeq, idx);
          if (c) out.push(candidate(`exclude ${endpointWords(req.peer)} from the world entity of ${label} by naming the rest of ${req.peer.interval!.family === 4 ? 'IPv4' : 'IPv6'} as ${l3Key(req, 'CIDRSet')} with an except`, 'exclude-peer', c, 2 + wide));
        }
      }
    } else if (/CIDR(Set)?$/.test(field) && !req.peer.workload && req.peer.cidrs && r.cidrs?.every((c) => c.cidr)) {
      const c = excludeCidrs(req, doc, ruleMap, field, r);
      if (c === 'all') {
        if (dropRule) out.push(candidate(`remove ${label} (every address it ${deny ? 'denies' : 'allows'} is in ${endpointWords(req.peer)})`, 'remove-rule', [dropRule], 3 + wide));
      } else if (c) out.push(candidate(`exclude ${endpointWords(req.peer)} from the ${field} of ${label}`, 'exclude-peer', [c], 2 + wide));
    }
  }

  // Ports: the port entries (named ports resolved on the destination) that meet the request.
  const tpSeq = asSeq(ruleMap.items.find((x) => (x.key as { value?: unknown })?.value === 'toPorts')?.value);
  if (r.toPorts?.length && tpSeq && !r.icmps?.length) {
    const changes: (TextChange | undefined)[] = [];
    let kept = 0;
    for (const pr of r.toPorts) {
      const ti = itemIndex(doc, tpSeq, pr.range);
      const portsSeq = ti !== undefined ? asSeq(doc.get([...s.path, key, idx, 'toPorts', ti, 'ports'])) : undefined;
      if (ti === undefined || !portsSeq || pr.ports.length === 0) {
        if (pr.ports.length === 0) return out; // an entry without ports covers every port: not narrowed here
        kept++;
        continue;
      }
      const removes: number[] = [];
      const adds: Record<string, unknown>[] = [];
      for (const pp of pr.ports) {
        let c = ConnSet.EMPTY;
        if (typeof pp.port === 'string') c = resolveConns({ base: a.universe, ports: { ranges: ConnSet.EMPTY, named: [{ name: pp.port, protocol: pp.protocol === 'ANY' ? undefined : pp.protocol }] } }, req.dst);
        else if (pp.protocol !== 'VRRP' && pp.protocol !== 'IGMP') {
          for (const proto of pp.protocol === 'ANY' ? ['TCP', 'UDP', 'SCTP'] : [pp.protocol]) c = c.union(ConnSet.of(proto, pp.port ? pp.port : MIN_PORT, pp.port ? pp.endPort ?? pp.port : MAX_PORT));
        }
        if (c.intersect(req.conns).isEmpty()) continue;
        const rest = c.subtract(req.conns);
        const yi = itemIndex(doc, portsSeq, pp.range);
        // A named port that also means other ports elsewhere cannot be split here.
        if (yi === undefined || (typeof pp.port === 'string' && !rest.isEmpty())) return out;
        removes.push(yi);
        if (!rest.isEmpty()) {
          const e = portEntries({ ...req, dst: undefined }, rest, '');
          if (!e) return out;
          adds.push(...e);
        }
      }
      const left = portsSeq.items.length - removes.length + adds.length;
      if (left > MAX_PORTS) return out;
      if (removes.length && left === 0) {
        // An empty ports list would mean every port: the whole toPorts entry goes instead.
        changes.push(doc.removeItem(tpSeq, ti));
        continue;
      }
      kept++;
      changes.push(...removes.map((yi) => doc.removeItem(portsSeq, yi)), ...adds.map((e) => doc.appendItem(portsSeq, e)));
    }
    // Without any toPorts entry left the rule would cover every port: then the rule goes instead.
    if (changes.length && kept > 0) out.push(candidate(`remove ${words} from the toPorts of ${label}`, 'remove-port', changes, 2 + wide));
    else if (changes.length && kept === 0 && dropRule) out.push(candidate(`remove ${label} (it only ${deny ? 'denies' : 'allows'} ${words})`, 'remove-rule', [dropRule], 3 + wide));
  }
  return out;
}

/**
 * Removing a rule from its list: only when the rule's direction keeps the same default-deny state (for an allow
 * rule: another rule of the direction remains; a deny rule may go when the rule spec keeps some rule list, as an
 * empty spec is rejected). `ingressDeny: []` is written when the list would become empty.
 */
function dropRuleChange(req: SideRequest, s: Source, doc: YamlDoc, key: ListKey, seq: YAMLSeq, idx: number, deny: boolean): TextChange | undefined {
  if (seq.items.length > 1) return doc.removeItem(seq, idx);
  const r = s.rule;
  const other: ListKey = deny ? listKey(req, false) : listKey(req, true);
  // The direction's default deny depends on ingress + ingressDeny being non-empty [DEFAULT].
  if (r[other].length === 0) {
    const rest = r.ingress.length + r.ingressDeny.length + r.egress.length + r.egressDeny.length - 1;
    if (!deny || rest === 0) return undefined;
    // Dropping the direction's last rule also ends its default deny, unless enableDefaultDeny already says false.
    if (r.enableDefaultDeny[req.side === 'Ingress' ? 'ingress' : 'egress'] !== false) return undefined;
  }
  const map = asMap(doc.get(s.path));
  const pair = map?.items.find((x) => (x.key as { value?: unknown })?.value === key) as Pair | undefined;
  return map && pair ? doc.replacePair(map, pair, []) : undefined;
}

/** A NotIn requirement on the peer's most specific label added to one fromEndpoints entry. */
function excludeEndpoint(doc: YamlDoc, entry: YAMLMap | undefined, w: Workload, a: Analysis): TextChange | undefined {
  if (!entry) return undefined;
  const labels = identityChoice(a, w);
  const k = Object.keys(labels)[0];
  const requirement = k ? { key: k, operator: 'NotIn', values: [labels[k]] } : { key: NS_KEY, operator: 'NotIn', values: [w.namespace] };
  const me = asSeq(entry.items.find((x) => (x.key as { value?: unknown })?.value === 'matchExpressions')?.value);
  if (me && me.items.length) return doc.appendItem(me, requirement);
  return doc.setKey(entry, 'matchExpressions', [requirement]);
}

/**
 * Excluding an external peer from `fromEntities` with world entities: the entity of the peer's family goes (world
 * becomes world-ipv6 for an IPv4 peer, and the other way round), and a new rule with the same ports names the rest of
 * that family as `fromCIDRSet` with the peer's CIDRs as `except` (one L3 field per rule). Entity other than world*
 * cannot be narrowed to exclude an address.
 */
function entitiesToCidrs(req: SideRequest, doc: YamlDoc, ruleMap: YAMLMap, field: string, r: CiliumPeerRule, rulesSeq: YAMLSeq, idx: number): (TextChange | undefined)[] | undefined {
  const ents = (r.entities ?? []).map((e) => e.name);
  const fam = req.peer.interval!.family;
  const mine = fam === 4 ? 'world-ipv4' : 'world-ipv6';
  const other = fam === 4 ? 'world-ipv6' : 'world-ipv4';
  if (!ents.some((e) => e === 'world' || e === mine) || ents.some((e) => !e.startsWith('world'))) return undefined;
  const kept = [...new Set(ents.flatMap((e) => (e === 'world' ? [other] : e === mine ? [] : [e])))];
  const all = fam === 4 ? '0.0.0.0/0' : '::/0';
  const whole = req.peer.cidrs!.length === 1 && req.peer.cidrs![0] === all;
  const changes: (TextChange | undefined)[] = [];
  const pair = ruleMap.items.find((x) => (x.key as { value?: unknown })?.value === field) as Pair | undefined;
  if (!pair) return undefined;
  let newRule: Record<string, unknown> | undefined;
  if (!whole) {
    const { [field]: _drop, ...rest } = ruleMap.toJSON() as Record<string, unknown>;
    newRule = { [l3Key(req, 'CIDRSet')]: [{ cidr: all, except: req.peer.cidrs }], ...rest };
  }
  if (kept.length === 0) {
    if (!newRule) return undefined; // the whole rule would go: that is the remove-rule candidate
    changes.push(doc.replaceItem(rulesSeq, idx, newRule));
  } else {
    changes.push(doc.replacePair(ruleMap, pair, kept));
    if (newRule) changes.push(doc.insertItem(rulesSeq, idx + 1, newRule));
  }
  return changes;
}

/**
 * The CIDR entries of a rule with the peer's addresses excluded: entries inside the peer go, entries holding it get
 * an `except` (fromCIDR has none, so the field becomes fromCIDRSet). 'all' when every entry is inside the peer.
 */
function excludeCidrs(req: SideRequest, doc: YamlDoc, ruleMap: YAMLMap, field: string, r: CiliumPeerRule): TextChange | 'all' | undefined {
  const iv = req.peer.interval!;
  const peerCidrs = req.peer.cidrs!;
  const entries: Record<string, unknown>[] = [];
  let changed = false;
  for (const c of r.cidrs!) {
    const x = c.cidr!;
    const base: Record<string, unknown> = { cidr: c.text };
    const except = c.except.map((e) => e.text);
    if (x.family !== iv.family || x.hi < iv.lo || iv.hi < x.lo) {
      entries.push(except.length ? { ...base, except } : base);
      continue;
    }
    changed = true;
    if (iv.lo <= x.lo && x.hi <= iv.hi) continue; // inside the peer: the entry goes
    entries.push({ ...base, except: [...except, ...peerCidrs.filter((p) => !except.includes(p))] });
  }
  if (!changed) return undefined;
  if (!entries.length) return 'all';
  const pair = ruleMap.items.find((x) => (x.key as { value?: unknown })?.value === field) as Pair | undefined;
  if (!pair) return undefined;
  if (entries.every((e) => !e.except)) return doc.replacePair(ruleMap, pair, entries.map((e) => e.cidr), l3Key(req, 'CIDR'));
  return doc.replacePair(ruleMap, pair, entries, l3Key(req, 'CIDRSet'));
}

// ---------------------------------------------------------------- block

function block(req: SideRequest): (StepCandidate | undefined)[] {
  const a = req.state.analysis;
  if (!isCilium(a)) return [];
  const out: (StepCandidate | undefined)[] = [];
  const s = req.policy ? ciliumSourceOf(a, req.policy) : undefined;
  if (req.step.kind === 'rule' && req.step.action === 'Allow' && s) out.push(...narrowRule(req, s, false));
  if (!(req.step.kind === 'default' || (req.step.kind === 'rule' && req.tier?.name === CILIUM_ALLOW_TIER))) return out;
  const words = connWords(req.conns, a.universe);
  const key = listKey(req, true);
  const dead = deadAllows(req);
  const deadWords = dead.length ? ` (${dead.join(' and ')} then allow${dead.length === 1 ? 's' : ''} nothing: the deny takes all of ${dead.length === 1 ? 'its' : 'their'} traffic)` : '';
  // [DENY] A deny rule for exactly the pair, in a Cilium policy of the endpoint that already has rules for the
  // direction (so its default-deny state does not change).
  const policies = [...(req.policy ? [req.policy] : []), ...req.tierPolicies.filter((p) => p !== req.policy)];
  const seen = new Set<string>();
  for (const p of policies) {
    const ps = ciliumSourceOf(a, p);
    if (!ps || seen.has(p.uid)) continue;
    seen.add(p.uid);
    if (ps.rule[listKey(req, false)].length + ps.rule[key].length === 0) continue;
    const doc = docOf(req, ps.cp);
    const rule = doc && ruleObject(req, ps.cp.namespace, doc.text);
    if (!doc || !rule) continue;
    out.push(candidate(`add an ${key} rule to ${policyWords(ps)} denying ${portWords(rule, req.conns, a.universe)} ${peerPhrase(req)}${deadWords}`, 'add-rule', [doc.appendAt([...ps.path, key], rule)], 1 + breadth(a, p) * 2));
  }
  // A new policy for exactly the pair that isolates nothing (enableDefaultDeny false for the direction [DEFAULT]).
  const file = targetFile(req);
  const rule = file ? ruleObject(req, req.self.workload.namespace, req.state.files.get(file)!) : undefined;
  if (rule && ciliumSettings(a.cluster, a.modelOptions.cilium).nonDefaultDenyPolicies) {
    const dir = req.side === 'Ingress' ? 'ingress' : 'egress';
    out.push(
      newPolicy(
        req,
        'deny',
        { enableDefaultDeny: { [dir]: false }, [key]: [rule] },
        `Deny ${words} ${flowWords(req)}; enableDefaultDeny ${dir}: false, so this policy puts nothing in default-deny.`,
        (id) => `add CiliumNetworkPolicy ${id} denying ${portWords(rule, req.conns, a.universe)} ${flowWords(req)}${deadWords}`,
        'new-policy',
        3,
      ),
    );
  }
  return out;
}

/**
 * Cilium allow rules of the endpoint that a deny rule for exactly the requested flow leaves with nothing to allow
 * (the policy selects only the endpoint, every peer of the rule is the requested peer, and its ports are within the
 * request): the lint cilium-deny-shadows-allow then reports them, so the title says so.
 */
function deadAllows(req: SideRequest): string[] {
  const a = req.state.analysis;
  const selfI = a.workloadIndex(req.self.workload.id);
  const peerI = req.peer.workload ? a.workloadIndex(req.peer.workload.id) : undefined;
  const peerAtoms = new Set(req.peer.workload ? [] : endpointIds(a, req.peer));
  const out: string[] = [];
  for (const p of req.tierPolicies) {
    const s = ciliumSourceOf(a, p);
    const subject = p.subject.workloads(a.world);
    if (!s || subject.length !== 1 || subject[0] !== selfI) continue;
    for (const ir of rulesOf(p, req.side)) {
      if (ir.action !== 'Allow' || !ir.peers?.length) continue;
      const onlyPeer = ir.peers.every((m) => {
        if (m.workloads(a.world).some((i) => i !== peerI)) return false;
        if (m.domains?.().length) return false;
        return a.evaluation.externals.every((x) => !x.atom || !m.matchesAtom(x.atom) || peerAtoms.has(x.id));
      });
      const c = resolveConns(ir.conns, req.dst);
      if (onlyPeer && !c.isEmpty() && req.conns.contains(c)) out.push(`${policyWords(s)} ${listKey(req, false)} rule ${ir.index + 1}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------- why not

/** Why this writer has nothing (or only part) to offer for the step, in words (shown when nothing is verified). */
function whyNot(req: SideRequest): string | undefined {
  const a = req.state.analysis;
  const p = req.policy;
  if (req.mode === 'allow' && req.step.kind === 'rule' && req.step.action === 'Deny' && req.tier?.name === CILIUM_DENY_TIER && p?.dialect === 'cilium') {
    const s = ciliumSourceOf(a, p);
    const what = `${article(p.kind)} ${p.kind} deny rule (${p.display} ${listKey(req, true)} rule ${(req.step.ruleIndex ?? 0) + 1})`;
    let limit = '';
    const r = s?.rule[listKey(req, true)].find((x) => x.index === req.step.ruleIndex);
    if (r?.l3.length === 0 && !(r.toPorts?.length || r.icmps?.length)) limit = '; it denies every peer and port, so it can only be removed';
    else if (r?.entities?.length && req.peer.workload) limit = `; it names the ${r.entities.map((e) => e.name).join(', ')} entit${r.entities.length === 1 ? 'y' : 'ies'}, from which a single workload cannot be excluded`;
    else if (r && s) {
      const lists = s.rule.ingress.length + s.rule.ingressDeny.length + s.rule.egress.length + s.rule.egressDeny.length;
      if (lists === 1) limit = '; it is the only rule of the policy, and a policy without rules is rejected';
    }
    return `${what} takes precedence over every allow (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy and Kubernetes NetworkPolicy alike), so only narrowing that deny rule can allow this flow${limit}`;
  }
  if (req.mode === 'block' && isCilium(a) && !ciliumSettings(a.cluster, a.modelOptions.cilium).nonDefaultDenyPolicies && req.step.kind === 'default') {
    return 'enable-non-default-deny-policies is false, so a new policy that only denies would also put the endpoint in default-deny';
  }
  if (req.mode === 'allow' && req.step.kind === 'tier-end' && req.tier?.name === CILIUM_ALLOW_TIER && !l4For(req, req.conns, '')) {
    return `${connWords(req.conns, a.universe)} cannot be written in one Cilium rule (toPorts takes TCP, UDP and SCTP ports, icmps whole ICMP types, and a rule cannot have both)`;
  }
  return undefined;
}

function article(w: string): string {
  return /^[AEIOU]/i.test(w) ? 'an' : 'a';
}

