// Suggestion writer for ClusterNetworkPolicy policy.networking.k8s.io/v1alpha2 (see core/suggest/index.ts for the
// search and the verification). Semantics (kubernetes-sigs/network-policy-api apis/v1alpha2/
// clusternetworkpolicy_types.go, site-src/api-overview.md; /work/shared/notes/field-2026-11.md §1):
// * tiers Admin -> NetworkPolicy -> Baseline -> default allow; inside a tier, policies by ascending spec.priority
//   (0..1000, lower first); inside a policy, rules in written order; the first rule that matches decides;
// * Accept accepts for its direction (an egress Accept does not bypass the destination's ingress rules), Deny drops,
//   Pass skips the rest of the tier (Admin Pass -> NetworkPolicy tier; Baseline Pass -> default allow);
// * no implicit isolation: what no rule decides goes on to the next tier (so a CNP tier never denies at its end);
// * ingress peers are namespaces | pods; egress peers add networks (CIDRs), nodes, domainNames;
// * protocols: tcp|udp|sctp {destinationPort: {number} | {range: {start < end}}} or destinationNamedPort; absent =
//   every port and protocol; `tcp: {}` is rejected by the CRD, so "all TCP" is written as the range 1-65535.
// So:
// * allow, where a CNP Deny rule decides: an Accept rule inserted right before that Deny rule in its policy (it then
//   applies to every subject of the policy: other pairs are listed by the verification), or a new CNP in the same
//   tier whose subject is exactly the endpoint, with a priority just before the denying policy's; in the Admin tier
//   also a Pass variant (the flow goes on to the NetworkPolicy tier, whose writer continues). Where a NetworkPolicy
//   isolates the endpoint, an Admin Accept/Deny overrides it ("If Admin tier has made a final decision ... no further
//   evaluation" [T]): such proposals say so in their title and rank after the Pass.
// * block, where a CNP Accept rule decides: remove the peers matching the peer from the rule (or the whole rule),
//   remove the requested ports from its protocols, insert a Deny right before it, or add a new CNP in the same tier
//   with a Deny for exactly the pair, ordered before the accepting policy. Where nothing decides (the default allow)
//   and the workspace already has ClusterNetworkPolicies: a new Baseline CNP denying exactly the pair.
// Deprecated v1alpha1 AdminNetworkPolicy / BaselineAdminNetworkPolicy are never edited: `why` says so.
import { ConnSet, MAX_PORT, MIN_PORT, PORT_PROTOCOLS } from '../../ports';
import type { Analysis } from '../../analysis';
import { rulesOf, type Policy, type Tier } from '../../policy/ir';
import { resolveConns } from '../../policy/evaluate';
import { asMap, asSeq } from '../../lint/ast';
import { appendDocument, fileStyle, YamlDoc } from '../../suggest/yaml-edit';
import { connWords, directionWord, endpointSlug, endpointWords, labelChoice, matcherMatches, peerPhrase, slug, uniqueName, usedSelectorKeys, candidateOf, docOf, itemIndex } from '../../suggest/common';
import type { DialectSuggester, EndpointInfo, SideRequest, StepCandidate, TextChange } from '../../suggest/types';
import { CNP_API_VERSION, CNP_MAX_ITEMS, MAX_LIST_ITEMS, MAX_PRIORITY, type ClusterPolicy, type ClusterRule, type ClusterTier } from './model';

const NS_NAME = 'kubernetes.io/metadata.name';
const ADMIN_TIER = 'kube-admin';
const BASELINE_TIER = 'kube-baseline';

export const clusterPolicySuggester: DialectSuggester = {
  dialect: 'cnp',
  propose(req) {
    return (req.mode === 'allow' ? allow(req) : block(req)).filter((x): x is StepCandidate => !!x);
  },
  why(req) {
    return whyNot(req);
  },
};

// ---------------------------------------------------------------- sources

function sameRange(a: { file: string; startOffset: number } | undefined, b: { file: string; startOffset: number } | undefined): boolean {
  return !!a && !!b && a.file === b.file && a.startOffset === b.startOffset;
}

/** The parsed CNP / ANP / BANP a lowered policy came from. */
export function clusterSourceOf(a: Analysis, p: Policy): ClusterPolicy | undefined {
  if (p.dialect !== 'cnp' && p.dialect !== 'anp' && p.dialect !== 'banp') return undefined;
  return (a.cluster.clusterPolicies ?? []).find((cp) => cp.kind === p.kind && cp.name === p.name && sameRange(cp.nameRange ?? cp.range, p.range));
}

function tierOf(t: Tier | undefined): ClusterTier | undefined {
  if (t?.name === ADMIN_TIER) return 'Admin';
  if (t?.name === BASELINE_TIER) return 'Baseline';
  return undefined;
}



const candidate = candidateOf('cnp');

function dirKey(req: SideRequest): 'ingress' | 'egress' {
  return req.side === 'Ingress' ? 'ingress' : 'egress';
}

function peerKey(req: SideRequest): 'from' | 'to' {
  return req.side === 'Ingress' ? 'from' : 'to';
}

// ---------------------------------------------------------------- what a rule says

/** A `pods` selector for exactly this workload (as far as labels can tell it apart). */
function podsEntry(a: Analysis, e: EndpointInfo & { workload: NonNullable<EndpointInfo['workload']> }): Record<string, unknown> {
  const labels = labelChoice(a, e.workload, usedSelectorKeys(a)).labels;
  return {
    namespaceSelector: { matchLabels: { [NS_NAME]: e.workload.namespace } },
    podSelector: Object.keys(labels).length ? { matchLabels: labels } : {},
  };
}

/** The peer entry naming exactly `peer`, or undefined when the direction cannot name it (ingress from an address). */
function peerEntry(req: SideRequest): Record<string, unknown> | undefined {
  const a = req.state.analysis;
  const p = req.peer;
  if (p.workload) return { pods: podsEntry(a, p as EndpointInfo & { workload: NonNullable<EndpointInfo['workload']> }) };
  // Ingress peers are namespaces | pods only: an external source cannot be named by a CNP.
  if (req.side === 'Ingress' || !p.cidrs || p.cidrs.length === 0 || p.cidrs.length > MAX_LIST_ITEMS) return undefined;
  return { networks: p.cidrs };
}

/**
 * `protocols` covering exactly `c`: undefined = no protocols field (every port and protocol); null = `c` cannot be
 * written (a protocol other than TCP/UDP/SCTP, or more than 25 entries).
 */
function protocolsFor(c: ConnSet, universe: ConnSet): Record<string, unknown>[] | undefined | null {
  if (c.contains(universe)) return undefined;
  const out: Record<string, unknown>[] = [];
  for (const p of c.protocols()) {
    if (!(PORT_PROTOCOLS as readonly string[]).includes(p)) return null;
    for (const [lo, hi] of c.ranges(p)) {
      // `tcp: {}` is rejected by the CRD (minProperties 1): every port is the range 1-65535.
      const destinationPort = lo === hi ? { number: lo } : { range: { start: lo, end: hi } };
      out.push({ [p.toLowerCase()]: { destinationPort } });
    }
  }
  return out.length === 0 || out.length > MAX_LIST_ITEMS ? null : out;
}

function ruleObject(req: SideRequest, action: 'Accept' | 'Deny' | 'Pass', name: string): Record<string, unknown> | undefined {
  const peer = peerEntry(req);
  const protocols = protocolsFor(req.conns, req.state.analysis.universe);
  if (!peer || protocols === null) return undefined;
  const r: Record<string, unknown> = { name, action, [peerKey(req)]: [peer] };
  if (protocols) r.protocols = protocols;
  return r;
}

function ruleName(req: SideRequest, verb: string): string {
  const self = endpointSlug(req.self);
  const other = endpointSlug(req.peer);
  return req.side === 'Ingress' ? `${verb}-${other}-to-${self}` : `${verb}-${self}-to-${other}`;
}

function flowWords(req: SideRequest): string {
  return req.side === 'Ingress' ? `from ${endpointWords(req.peer)} to ${req.self.workload.id}` : `from ${req.self.workload.id} to ${endpointWords(req.peer)}`;
}

function ruleLabel(req: SideRequest, cp: ClusterPolicy, index: number, r?: ClusterRule): string {
  return `${cp.name} ${directionWord(req.side)} rule ${index + 1}${r?.name ? ` (${r.name})` : ''}`;
}

// ---------------------------------------------------------------- placement

/**
 * A priority that sorts strictly before `before` in its tier and is used by no other policy of the tier (equal
 * priorities have no defined order [T]): the largest free value below it, or undefined when there is none.
 */
function priorityBefore(tier: Tier, before: number): number | undefined {
  const used = new Set(tier.policies.map((p) => p.priority).filter((x): x is number => x !== undefined));
  for (let q = Math.min(before, MAX_PRIORITY + 1) - 1; q >= 0; q--) if (!used.has(q)) return q;
  return undefined;
}

/** The file a new CNP goes to: beside the policy it is ordered against, else beside any CNP. */
function targetFile(req: SideRequest, near?: ClusterPolicy): string | undefined {
  if (near?.range && req.state.files.has(near.range.file)) return near.range.file;
  const any = (req.state.analysis.cluster.clusterPolicies ?? []).find((cp) => cp.kind === 'ClusterNetworkPolicy' && cp.range && req.state.files.has(cp.range.file));
  return any?.range?.file;
}

function cnpNames(a: Analysis): Set<string> {
  return new Set((a.cluster.clusterPolicies ?? []).filter((cp) => cp.kind === 'ClusterNetworkPolicy').map((cp) => cp.name));
}

/** A new ClusterNetworkPolicy selecting exactly `self`, with one rule. */
function newPolicy(req: SideRequest, tier: ClusterTier, priority: number, verb: string, rule: Record<string, unknown>, near: ClusterPolicy | undefined, comment: string, title: string, cost: number): StepCandidate | undefined {
  const a = req.state.analysis;
  const file = targetFile(req, near);
  if (!file) return undefined;
  const text = req.state.files.get(file)!;
  const name = uniqueName(slug(ruleName(req, verb)), cnpNames(a));
  const obj = {
    apiVersion: CNP_API_VERSION,
    kind: 'ClusterNetworkPolicy',
    metadata: { name },
    spec: {
      tier,
      priority,
      subject: { pods: podsEntry(a, req.self) },
      [dirKey(req)]: [rule],
    },
  };
  return candidate(title.replace('{name}', name), 'new-policy', [appendDocument(file, text, obj, fileStyle(file, text), comment)], cost);
}

/** Inserts `rule` before item `at` of the policy's rules of the request's direction (appends when `at` is undefined). */
function insertRule(req: SideRequest, doc: YamlDoc, cp: ClusterPolicy, at: number | undefined, rule: Record<string, unknown>): TextChange | undefined {
  if ((req.side === 'Ingress' ? cp.ingress : cp.egress).length >= CNP_MAX_ITEMS) return undefined;
  const seq = asSeq(doc.get(['spec', dirKey(req)]));
  if (seq && at !== undefined) return doc.insertItem(seq, at, rule);
  return doc.appendAt(['spec', dirKey(req)], rule);
}

function ruleAt(req: SideRequest, cp: ClusterPolicy, doc: YamlDoc): { r: ClusterRule; at: number } | undefined {
  const r = (req.side === 'Ingress' ? cp.ingress : cp.egress).find((x) => x.index === req.step.ruleIndex);
  const at = itemIndex(doc, asSeq(doc.get(['spec', dirKey(req)])), r?.range);
  return r && at !== undefined ? { r, at } : undefined;
}

/**
 * Admin-tier decisions are final [T]: when a NetworkPolicy isolates `self` for the direction, an Admin Accept (allow)
 * or Deny (block) decides the flow before that NetworkPolicy is consulted (the `cnp-overrides-networkpolicy` lint
 * reports it). Returns the words the title gets, or '' when no NetworkPolicy applies.
 */
function overrideWords(req: SideRequest, tier: ClusterTier): string {
  if (tier !== 'Admin') return '';
  const a = req.state.analysis;
  const wi = a.workloadIndex(req.self.workload.id);
  if (wi === undefined) return '';
  const nps = a.evaluation
    .chain(a.evaluation.classOf[wi], req.side)
    .filter((ct) => ct.applies)
    .flatMap((ct) => ct.policies.filter((p) => p.dialect === 'kubernetes'));
  if (!nps.length) return '';
  return ` (an Admin-tier decision: NetworkPolicy ${nps[0].display}${nps.length > 1 ? ` and ${nps.length - 1} more` : ''} is not consulted for it)`;
}

// ---------------------------------------------------------------- allow

function allow(req: SideRequest): (StepCandidate | undefined)[] {
  const out: (StepCandidate | undefined)[] = [];
  const tier = tierOf(req.tier);
  if (req.step.kind !== 'rule' || !tier || !req.policy || req.policy.dialect !== 'cnp' || !req.tier) return out;
  const a = req.state.analysis;
  const cp = clusterSourceOf(a, req.policy);
  if (!cp || cp.invalid) return out;
  const words = connWords(req.conns, a.universe);
  const doc = docOf(req, cp);
  const here = doc && ruleAt(req, cp, doc);
  // A Pass only makes sense in the Admin tier: a Baseline Pass leads to the default allow (an Accept in disguise).
  // When a NetworkPolicy isolates the endpoint, the Pass (which lets the namespace's policy decide) ranks first.
  const override = overrideWords(req, tier);
  const actions: ['Accept' | 'Pass', number][] = tier === 'Admin' ? [['Accept', override ? 3 : 0], ['Pass', 2]] : [['Accept', 0]];
  for (const [action, extra] of actions) {
    const what = action === 'Accept' ? `accepting ${words}` : `passing ${words} to the NetworkPolicy tier`;
    const note = action === 'Accept' ? override : '';
    const rule = ruleObject(req, action, ruleName(req, action === 'Accept' ? 'accept' : 'pass'));
    if (!rule) continue;
    if (doc && here) {
      out.push(candidate(`insert an ${directionWord(req.side)} rule into ClusterNetworkPolicy ${cp.name} before its Deny ${directionWord(req.side)} rule ${here.at + 1}${here.r.name ? ` (${here.r.name})` : ''} ${what} ${peerPhrase(req)}${note}`, 'insert-rule', [insertRule(req, doc, cp, here.at, rule)], 1 + extra));
    }
    const priority = priorityBefore(req.tier, cp.priority ?? MAX_PRIORITY + 1);
    if (priority !== undefined) {
      out.push(
        newPolicy(
          req,
          tier,
          priority,
          action === 'Accept' ? 'accept' : 'pass',
          rule,
          cp,
          `${action === 'Accept' ? 'Accept' : 'Pass to the NetworkPolicy tier'} ${words} ${flowWords(req)} (${tier} tier, priority ${priority}: before ${cp.name}, priority ${cp.priority}, which denies it).`,
          `add ClusterNetworkPolicy {name} to the ${tier} tier with priority ${priority} (before ${cp.name}) ${what} ${flowWords(req)}${note}`,
          4 + extra,
        ),
      );
    }
  }
  return out;
}

// ---------------------------------------------------------------- block

function block(req: SideRequest): (StepCandidate | undefined)[] {
  const a = req.state.analysis;
  const out: (StepCandidate | undefined)[] = [];
  const words = connWords(req.conns, a.universe);
  const tier = tierOf(req.tier);
  if (req.step.kind === 'rule' && tier && req.tier && req.policy?.dialect === 'cnp') {
    const cp = clusterSourceOf(a, req.policy);
    if (!cp || cp.invalid) return out;
    const doc = docOf(req, cp);
    const here = doc && ruleAt(req, cp, doc);
    if (doc && here) out.push(...narrow(req, doc, cp, here.r, here.at));
    const rule = ruleObject(req, 'Deny', ruleName(req, 'deny'));
    const override = overrideWords(req, tier);
    const extra = override ? 3 : 0;
    if (rule && doc && here) out.push(candidate(`insert an ${directionWord(req.side)} rule into ClusterNetworkPolicy ${cp.name} before its Accept ${directionWord(req.side)} rule ${here.at + 1}${here.r.name ? ` (${here.r.name})` : ''} denying ${words} ${peerPhrase(req)}${override}`, 'insert-rule', [insertRule(req, doc, cp, here.at, rule)], 1 + extra));
    const priority = priorityBefore(req.tier, cp.priority ?? MAX_PRIORITY + 1);
    if (rule && priority !== undefined) {
      out.push(newPolicy(req, tier, priority, 'deny', rule, cp, `Deny ${words} ${flowWords(req)} (${tier} tier, priority ${priority}: before ${cp.name}, priority ${cp.priority}, which accepts it).`, `add ClusterNetworkPolicy {name} to the ${tier} tier with priority ${priority} (before ${cp.name}) denying ${words} ${flowWords(req)}${override}`, 3 + extra));
    }
  } else if (req.step.kind === 'default' && (a.cluster.clusterPolicies ?? []).some((cp) => cp.kind === 'ClusterNetworkPolicy')) {
    // Nothing decided it: a Baseline CNP for exactly the pair denies it and leaves everything else to the tiers as
    // before (a CNP isolates nothing). Ordered before every Baseline policy (one of them may Pass it).
    const baseline = a.model.tiers.find((t) => t.name === BASELINE_TIER);
    const first = Math.min(MAX_PRIORITY + 1, ...(baseline?.policies ?? []).map((p) => p.priority ?? MAX_PRIORITY + 1));
    const priority = baseline ? priorityBefore(baseline, first) : 100;
    const rule = ruleObject(req, 'Deny', ruleName(req, 'deny'));
    if (rule && priority !== undefined) {
      out.push(newPolicy(req, 'Baseline', priority, 'deny', rule, undefined, `Deny ${words} ${flowWords(req)} (Baseline tier: a NetworkPolicy of the namespace still overrides it).`, `add ClusterNetworkPolicy {name} to the Baseline tier with priority ${priority} denying ${words} ${flowWords(req)}`, 3));
    }
  }
  return out;
}

/** Narrowing the accepting rule: remove the matching peers (or the rule), or remove the requested ports. */
function narrow(req: SideRequest, doc: YamlDoc, cp: ClusterPolicy, r: ClusterRule, at: number): (StepCandidate | undefined)[] {
  const a = req.state.analysis;
  const out: (StepCandidate | undefined)[] = [];
  const p = req.policy!;
  const ir = rulesOf(p, req.side).find((x) => x.index === r.index);
  const rulesSeq = asSeq(doc.get(['spec', dirKey(req)]));
  if (!ir || !rulesSeq) return out;
  const label = ruleLabel(req, cp, at, r);
  const words = connWords(req.conns, a.universe);
  // Removing the rule hands what it accepted to the rules after it (and to the later tiers). The last rule of a
  // direction is kept: an empty list would be rejected (rules lists are 1..25 when present).
  const canDrop = rulesSeq.items.length > 1;
  const dropRule = () => doc.removeItem(rulesSeq, at);
  // Peers: the lowered rule has one matcher per peer entry, in order (peers that fail make the rule match nothing,
  // so an accepting rule has none).
  const peersSeq = asSeq(doc.get(['spec', dirKey(req), at, peerKey(req)]));
  if (peersSeq && ir.peers && ir.peers.length === r.peers.length) {
    const matching = r.peers.map((peer, i) => ({ yi: itemIndex(doc, peersSeq, peer.range), hit: matcherMatches(a, ir.peers![i], req.peer) })).filter((x) => x.hit);
    if (matching.length && matching.every((m) => m.yi !== undefined)) {
      if (matching.length === peersSeq.items.length) {
        if (canDrop) out.push(candidate(`remove ${label} (every ${req.side === 'Ingress' ? 'source' : 'destination'} it accepts matches ${endpointWords(req.peer)})`, 'remove-rule', [dropRule()], 3));
      } else {
        out.push(candidate(`remove the ${req.side === 'Ingress' ? 'sources' : 'destinations'} matching ${endpointWords(req.peer)} from ${label}`, 'remove-peer', matching.map((m) => doc.removeItem(peersSeq, m.yi!)), 2));
      }
    }
  }
  // Ports: entries whose connections (named ports resolved on the destination) meet the request.
  const portsSeq = asSeq(doc.get(['spec', dirKey(req), at, 'protocols']));
  if (r.ports && r.ports.length && portsSeq) {
    const removes: number[] = [];
    const adds: Record<string, unknown>[] = [];
    for (const pp of r.ports) {
      const c =
        pp.name !== undefined
          ? resolveConns({ base: a.universe, ports: { ranges: ConnSet.EMPTY, named: [{ name: pp.name }] } }, req.dst)
          : pp.protocol
            ? ConnSet.of(pp.protocol, pp.start ?? MIN_PORT, pp.end ?? MAX_PORT)
            : ConnSet.EMPTY;
      if (c.intersect(req.conns).isEmpty()) continue;
      const yi = itemIndex(doc, portsSeq, pp.range);
      if (yi === undefined) return out;
      removes.push(yi);
      const rest = c.subtract(req.conns);
      if (!rest.isEmpty()) {
        // A named port that also means other ports elsewhere cannot be split here.
        if (pp.name !== undefined) return out;
        const entries = protocolsFor(rest, a.universe);
        if (!entries) return out;
        adds.push(...entries);
      }
    }
    if (removes.length) {
      if (removes.length === portsSeq.items.length && adds.length === 0) {
        if (canDrop) out.push(candidate(`remove ${label} (it only accepts ${words})`, 'remove-rule', [dropRule()], 3));
      } else if (portsSeq.items.length - removes.length + adds.length <= MAX_LIST_ITEMS) {
        out.push(candidate(`remove ${words} from the protocols of ${label}`, 'remove-port', [...removes.map((yi) => doc.removeItem(portsSeq, yi)), ...adds.map((e) => doc.appendItem(portsSeq, e))], 2));
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- why not

/**
 * Why this writer has nothing (or only part) to offer for a step decided by a cluster-scoped policy, in words; the
 * search shows it when no proposal is verified.
 */
function whyNot(req: SideRequest): string | undefined {
  const p = req.policy;
  if (req.step.kind !== 'rule' || !p) return undefined;
  const a = req.state.analysis;
  if (p.dialect === 'anp' || p.dialect === 'banp') {
    return `${p.kind} ${p.name} is the deprecated policy.networking.k8s.io/v1alpha1 API: Policy Lens does not edit it. Apply the "Migrate to ClusterNetworkPolicy" quick fix on it first (v1alpha2), then ask again.`;
  }
  if (p.dialect !== 'cnp') return undefined;
  const cp = clusterSourceOf(a, p);
  if (cp?.invalid) return `ClusterNetworkPolicy ${p.name} has errors (the API server would reject it): fix them first.`;
  if (req.mode === 'allow' && !req.peer.workload && req.side === 'Ingress') return `ClusterNetworkPolicy ingress peers can only be namespaces or pods, so no CNP rule can accept traffic from the external address ${endpointWords(req.peer)}.`;
  if (protocolsFor(req.conns, a.universe) === null) return `${connWords(req.conns, a.universe)} cannot be written as ClusterNetworkPolicy protocols (TCP, UDP and SCTP ports only, at most ${MAX_LIST_ITEMS} entries).`;
  return undefined;
}
