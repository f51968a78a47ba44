// Suggestion writer for Kubernetes networking.k8s.io/v1 NetworkPolicy (see core/suggest/index.ts for the search and
// the verification). Kubernetes policies only allow (API reference: "policies are additive"; an isolated pod accepts
// what the union of the rules of the policies selecting it allows), so:
// * allow (the step is a tier end: the endpoint is isolated and no rule matches): add a port to a rule that already
//   matches the peer, add the peer to a rule that already covers the ports, add a rule to a policy that selects the
//   endpoint, or add a new policy selecting exactly the endpoint. A default-deny policy (empty podSelector, no rules)
//   is never edited and never removed: it keeps isolating everything else.
// * block (the step is an allowing rule): remove the peer entries that match the peer (or the whole rule when all
//   do), exclude the peer from a matching entry (a NotIn requirement on its podSelector, an `except` on its ipBlock),
//   or remove the port from the rule's ports; when the endpoint is not isolated at all (the step is the default),
//   add a policy that isolates it while allowing everything except the flow.
// Every candidate is only a proposal: the search re-analyses the edited files and keeps it only when verified.
import type { NetworkPolicy, Peer, PolicyPort, Workload } from '../../model';
import { ConnSet, MAX_PORT, MIN_PORT } from '../../ports';
import { isEmptySelector } from '../../selectors';
import { resolveConns } from '../../policy/evaluate';
import { rulesOf, type Policy, type Rule } from '../../policy/ir';
import type { Analysis } from '../../analysis';
import { asMap, asSeq } from '../../lint/ast';
import type { YAMLMap } from 'yaml';
import { appendDocument, fileStyle, usesNamedPorts, YamlDoc } from '../../suggest/yaml-edit';
import { connWords, directionWord, endpointSlug, endpointWords, k8sPorts, labelChoice, matcherMatches, namedPortFor, peerPhrase, uniqueName, usedSelectorKeys, type K8sPort, candidateOf, docOf, itemIndex } from '../../suggest/common';
import type { DialectSuggester, EndpointInfo, SideRequest, StepCandidate, TextChange } from '../../suggest/types';

const NS_NAME = 'kubernetes.io/metadata.name';
const K8S_ALL = ConnSet.ALL;

export const kubernetesSuggester: DialectSuggester = {
  dialect: 'kubernetes',
  propose(req) {
    return req.mode === 'allow' ? allow(req) : block(req);
  },
};

// ---------------------------------------------------------------- shared

function sameRange(a: { file: string; startOffset: number } | undefined, b: { file: string; startOffset: number } | undefined): boolean {
  return !!a && !!b && a.file === b.file && a.startOffset === b.startOffset;
}

/** The parsed NetworkPolicy a lowered policy came from. */
export function k8sSourceOf(a: Analysis, p: Policy): NetworkPolicy | undefined {
  if (p.dialect !== 'kubernetes') return undefined;
  return a.cluster.policies.find((np) => np.namespace === p.namespace && np.name === p.name && sameRange(np.nameRange ?? np.range, p.range));
}


function isDefaultDeny(np: NetworkPolicy): boolean {
  return isEmptySelector(np.podSelector) && !(np.ingress?.length) && !(np.egress?.length);
}

/** Peer entries selecting exactly `peer` (as far as labels can), written for a policy in namespace `policyNs`. */
export function k8sPeerEntries(a: Analysis, policyNs: string, peer: EndpointInfo): Record<string, unknown>[] {
  if (peer.workload) {
    const w = peer.workload;
    const labels = labelChoice(a, w, usedSelectorKeys(a)).labels;
    const podSelector = Object.keys(labels).length ? { matchLabels: labels } : {};
    if (w.namespace === policyNs) return [{ podSelector }];
    return [{ namespaceSelector: { matchLabels: { [NS_NAME]: w.namespace } }, podSelector }];
  }
  return (peer.cidrs ?? []).map((cidr) => ({ ipBlock: { cidr } }));
}

/**
 * Entries matching every peer except `peer` (and the workloads no label selector can tell apart from it). External
 * addresses: the whole IPv4 range, and the whole IPv6 range only when the workspace already has IPv6 addresses (an
 * ipBlock of a new family would add endpoints, not just allow what was allowed).
 */
function allExceptEntries(a: Analysis, policyNs: string, peer: EndpointInfo): Record<string, unknown>[] | undefined {
  const families = new Set(a.atoms.map((x) => x.family));
  const everywhere = (f: 4 | 6, except?: string[]) => ({ ipBlock: except ? { cidr: f === 4 ? '0.0.0.0/0' : '::/0', except } : { cidr: f === 4 ? '0.0.0.0/0' : '::/0' } });
  if (peer.workload) {
    const w = peer.workload;
    const labels = labelChoice(a, w, usedSelectorKeys(a)).labels;
    const key = Object.keys(labels)[0];
    const others = { namespaceSelector: { matchExpressions: [{ key: NS_NAME, operator: 'NotIn', values: [w.namespace] }] } };
    const ext = ([4, 6] as const).filter((f) => families.has(f)).map((f) => everywhere(f));
    if (!key) return [others, ...ext]; // a workload without labels: only its namespace can be excluded
    const podSelector = { matchExpressions: [{ key, operator: 'NotIn', values: [labels[key]] }] };
    const own = w.namespace === policyNs ? { podSelector } : { namespaceSelector: { matchLabels: { [NS_NAME]: w.namespace } }, podSelector };
    return [others, own, ...ext];
  }
  const iv = peer.interval!;
  if (peer.cidrs?.includes(iv.family === 4 ? '0.0.0.0/0' : '::/0')) return undefined;
  const other = iv.family === 4 ? 6 : 4;
  return [{ namespaceSelector: {} }, everywhere(iv.family, peer.cidrs), ...(families.has(other) ? [everywhere(other)] : [])];
}

function portEntries(ports: K8sPort[]): Record<string, unknown>[] {
  return ports.map((p) => ({ ...p }));
}

/**
 * The `ports` of a rule allowing `c` towards `dst`: undefined = no ports field (every connection); null = `c` cannot
 * be written as a Kubernetes port list. A named port is used when the destination names exactly that port and the
 * file already uses named ports.
 */
function portsFor(req: SideRequest, c: ConnSet, fileText: string): K8sPort[] | undefined | null {
  const U = req.state.analysis.universe;
  if (c.contains(U)) return undefined;
  const named = usesNamedPorts(fileText) ? namedPortFor(req.dst, c) : undefined;
  if (named) return [{ protocol: named.protocol, port: named.name }];
  return k8sPorts(c) ?? null;
}

/** "TCP 6379", or "TCP 6379 (named port redis)" when the ports list names it. */
function portWords(ports: K8sPort[] | undefined, c: ConnSet, universe: ConnSet): string {
  const named = ports?.find((p) => typeof p.port === 'string');
  return `${connWords(c, universe)}${named ? ` (named port ${named.port})` : ''}`;
}

function peerKey(req: SideRequest): 'from' | 'to' {
  return req.side === 'Ingress' ? 'from' : 'to';
}

function dirKey(req: SideRequest): 'ingress' | 'egress' {
  return req.side === 'Ingress' ? 'ingress' : 'egress';
}

function ruleLabel(req: SideRequest, display: string, index: number): string {
  return `${display} ${directionWord(req.side)} rule ${index + 1}`;
}


/** How broad a policy is: other workloads it selects (editing it changes their traffic too). */
function breadth(a: Analysis, p: Policy): number {
  return Math.max(0, p.subject.workloads(a.world).length - 1);
}

const candidate = candidateOf('kubernetes');

/** The file a new policy for `self` goes to: beside the policies that select it, else beside the workload. */
function targetFile(req: SideRequest): string | undefined {
  const a = req.state.analysis;
  // Beside the most specific policy selecting the endpoint (a namespace's default deny is the last resort).
  const selecting = req.tierPolicies.map((p) => k8sSourceOf(a, p)).filter((np): np is NetworkPolicy => !!np?.range && req.state.files.has(np.range.file));
  const specific = selecting.find((np) => !isEmptySelector(np.podSelector)) ?? selecting.find((np) => !isDefaultDeny(np)) ?? selecting[0];
  if (specific) return specific.range!.file;
  const ns = req.self.workload.namespace;
  const same = a.cluster.policies.find((np) => np.namespace === ns && np.range && req.state.files.has(np.range.file));
  if (same) return same.range!.file;
  const any = a.cluster.policies.find((np) => np.range && req.state.files.has(np.range.file));
  if (any) return any.range!.file;
  const wf = req.self.workload.range?.file;
  return wf && req.state.files.has(wf) ? wf : undefined;
}

function newPolicy(req: SideRequest, name: string, rules: Record<string, unknown>[], comment: string, title: string, kind: StepCandidate['kind'], cost: number): StepCandidate | undefined {
  const a = req.state.analysis;
  const file = targetFile(req);
  if (!file) return undefined;
  const text = req.state.files.get(file)!;
  const w: Workload = req.self.workload;
  const labels = labelChoice(a, w, usedSelectorKeys(a)).labels;
  const obj = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: w.namespace },
    spec: {
      podSelector: Object.keys(labels).length ? { matchLabels: labels } : {},
      policyTypes: [req.side],
      [dirKey(req)]: rules,
    },
  };
  return candidate(title, kind, [appendDocument(file, text, obj, fileStyle(file, text), comment)], cost);
}

// ---------------------------------------------------------------- allow

function allow(req: SideRequest): StepCandidate[] {
  // Kubernetes rules only allow: they help where the endpoint is isolated by a tier holding NetworkPolicies and
  // nothing matched (the tier end). A Deny rule of another dialect is that dialect's writer's business.
  // The tier holding NetworkPolicies: `kubernetes` alone, Calico's `default` tier with Calico.
  const k8sTier = !!req.tier && (req.tier.name === 'kubernetes' || req.tier.name === 'default' || req.tier.policies.some((p) => p.dialect === 'kubernetes'));
  if (req.step.kind !== 'tier-end' || !k8sTier) return [];
  const a = req.state.analysis;
  const out: (StepCandidate | undefined)[] = [];
  const words = connWords(req.conns, a.universe);
  for (const p of req.tierPolicies) {
    const np = k8sSourceOf(a, p);
    if (!np || isDefaultDeny(np)) continue;
    const doc = docOf(req, np);
    if (!doc) continue;
    // Editing a policy changes every workload it selects (and, for an empty podSelector, every future pod of the
    // namespace): prefer the narrowest.
    const wide = breadth(a, p) + (isEmptySelector(np.podSelector) ? 2 : 0);
    const rulesSeq = asSeq(doc.get(['spec', dirKey(req)]));
    for (const r of np[dirKey(req)] ?? []) {
      const ir = rulesOf(p, req.side).find((x) => x.index === r.index);
      const idx = itemIndex(doc, rulesSeq, r.range);
      if (!ir || idx === undefined) continue;
      const peerMatch = !ir.peers || ir.peers.some((m) => matcherMatches(a, m, req.peer));
      const rc = resolveConns(ir.conns, req.dst);
      if (peerMatch && r.ports && r.ports.length && !rc.contains(req.conns)) {
        const add = portsFor(req, req.conns.subtract(rc), doc.text);
        if (add) {
          const seq = asSeq(doc.get(['spec', dirKey(req), idx, 'ports']));
          if (seq) out.push(candidate(`add ${portWords(add, req.conns.subtract(rc), a.universe)} to the ports of ${ruleLabel(req, p.display, r.index)}`, 'extend-ports', portEntries(add).map((e) => doc.appendItem(seq, e)), 1 + wide));
        }
      }
      if (!peerMatch && r.peers && r.peers.length && rc.contains(req.conns)) {
        const seq = asSeq(doc.get(['spec', dirKey(req), idx, peerKey(req)]));
        if (seq) out.push(candidate(`add ${endpointWords(req.peer)} to the ${req.side === 'Ingress' ? 'sources' : 'destinations'} of ${ruleLabel(req, p.display, r.index)}`, 'extend-peers', k8sPeerEntries(a, np.namespace, req.peer).map((e) => doc.appendItem(seq, e)), 1 + wide));
      }
    }
    const ports = portsFor(req, req.conns, doc.text);
    if (ports === null) continue;
    const rule: Record<string, unknown> = { [peerKey(req)]: k8sPeerEntries(a, np.namespace, req.peer) };
    if (ports) rule.ports = portEntries(ports);
    out.push(candidate(`add an ${directionWord(req.side)} rule to ${p.display} allowing ${portWords(ports, req.conns, a.universe)} ${peerPhrase(req)}`, 'add-rule', [doc.appendAt(['spec', dirKey(req)], rule)], 2 + wide));
  }
  // A new policy selecting exactly the endpoint (it is isolated already, so adding a policy only adds allows).
  const w = req.self.workload;
  const file = targetFile(req);
  const ports = file ? portsFor(req, req.conns, req.state.files.get(file)!) : null;
  if (ports !== null) {
    const rule: Record<string, unknown> = { [peerKey(req)]: k8sPeerEntries(a, w.namespace, req.peer) };
    if (ports) rule.ports = portEntries(ports);
    const self = endpointSlug(req.self);
    const other = endpointSlug(req.peer);
    const name = uniqueName(req.side === 'Ingress' ? `allow-${other}-to-${self}` : `allow-${self}-to-${other}`, req.takenNames(w.namespace));
    const flow = req.side === 'Ingress' ? `from ${endpointWords(req.peer)} to ${w.id}` : `from ${w.id} to ${endpointWords(req.peer)}`;
    out.push(newPolicy(req, name, [rule], `Allow ${words} ${flow}.`, `add NetworkPolicy ${w.namespace}/${name} allowing ${portWords(ports, req.conns, a.universe)} ${flow}`, 'new-policy', 4));
  }
  return out.filter((c): c is StepCandidate => !!c);
}

// ---------------------------------------------------------------- block

function block(req: SideRequest): StepCandidate[] {
  if (req.step.kind === 'rule' && req.policy?.dialect === 'kubernetes') return narrow(req);
  if (req.step.kind === 'default' && !req.trace.isolated) return isolateExcept(req);
  return [];
}

/** The connections a port entry covers towards the destination. */
function entryConns(pp: PolicyPort, dst: Workload | undefined): ConnSet {
  if (pp.port === undefined) return ConnSet.of(pp.protocol, MIN_PORT, MAX_PORT);
  if (typeof pp.port === 'number') return ConnSet.of(pp.protocol, pp.port, pp.endPort !== undefined && pp.endPort >= pp.port ? pp.endPort : pp.port);
  let c = ConnSet.EMPTY;
  for (const cp of dst?.ports ?? []) if (cp.name === pp.port && cp.protocol === pp.protocol) c = c.union(ConnSet.of(cp.protocol, cp.containerPort, cp.containerPort));
  return c;
}

function narrow(req: SideRequest): StepCandidate[] {
  const a = req.state.analysis;
  const p = req.policy!;
  const np = k8sSourceOf(a, p);
  if (!np) return [];
  const doc = docOf(req, np);
  if (!doc) return [];
  const r = (np[dirKey(req)] ?? []).find((x) => x.index === req.step.ruleIndex);
  const ir: Rule | undefined = rulesOf(p, req.side).find((x) => x.index === req.step.ruleIndex);
  const rulesSeq = asSeq(doc.get(['spec', dirKey(req)]));
  const idx = itemIndex(doc, rulesSeq, r?.range);
  if (!r || !ir || !rulesSeq || idx === undefined) return [];
  const out: (StepCandidate | undefined)[] = [];
  const label = ruleLabel(req, p.display, r.index);
  const wide = breadth(a, p);
  const B = req.conns;
  const words = connWords(B, a.universe);
  // Removing the only rule of a direction is safe only when policyTypes is written (else the defaulting changes).
  const canDropRule = rulesSeq.items.length > 1 || (np.declaredPolicyTypes ?? []).includes(req.side);
  const dropRule = (): TextChange | undefined => (rulesSeq.items.length > 1 ? doc.removeItem(rulesSeq, idx) : doc.replacePair(asMap(doc.get(['spec']))!, doc.pair(['spec', dirKey(req)])!, []));

  // Peers.
  const peersSeq = asSeq(doc.get(['spec', dirKey(req), idx, peerKey(req)]));
  if (r.peers && r.peers.length && ir.peers && peersSeq) {
    const matching: { peer: Peer; yamlIndex: number }[] = [];
    r.peers.forEach((peer, i) => {
      const m = ir.peers![i];
      const yi = itemIndex(doc, peersSeq, peer.range);
      if (m && yi !== undefined && matcherMatches(a, m, req.peer)) matching.push({ peer, yamlIndex: yi });
    });
    if (matching.length) {
      if (matching.length === peersSeq.items.length) {
        if (canDropRule) out.push(candidate(`remove ${label} (every ${req.side === 'Ingress' ? 'source' : 'destination'} it allows matches ${endpointWords(req.peer)})`, 'remove-rule', [dropRule()], 3 + wide));
      } else {
        out.push(candidate(`remove the ${req.side === 'Ingress' ? 'sources' : 'destinations'} matching ${endpointWords(req.peer)} from ${label}`, 'remove-peer', matching.map((m) => doc.removeItem(peersSeq, m.yamlIndex)), 2 + wide));
      }
      // Exclude the peer from each matching entry.
      const changes: (TextChange | undefined)[] = [];
      for (const m of matching) {
        const entry = asMap(peersSeq.items[m.yamlIndex]);
        if (!entry) {
          changes.push(undefined);
          continue;
        }
        changes.push(...excludeFrom(doc, entry, m.peer, req));
      }
      out.push(candidate(`exclude ${endpointWords(req.peer)} from the ${req.side === 'Ingress' ? 'sources' : 'destinations'} of ${label}`, 'exclude-peer', changes, 2 + wide));
    }
  } else if (!r.peers) {
    const ruleMap = asMap(doc.get(['spec', dirKey(req), idx]));
    const entries = allExceptEntries(a, np.namespace, req.peer);
    if (ruleMap && entries) out.push(candidate(`limit ${label} to every ${req.side === 'Ingress' ? 'source' : 'destination'} except ${endpointWords(req.peer)}`, 'exclude-peer', [doc.setKey(ruleMap, peerKey(req), entries)], 3 + wide));
  }

  // Ports.
  const portsSeq = asSeq(doc.get(['spec', dirKey(req), idx, 'ports']));
  if (r.ports && r.ports.length && portsSeq) {
    const removes: number[] = [];
    const adds: K8sPort[] = [];
    for (const pp of r.ports) {
      const c = entryConns(pp, req.dst);
      if (c.intersect(B).isEmpty()) continue;
      const yi = itemIndex(doc, portsSeq, pp.range);
      if (yi === undefined) return out.filter((x): x is StepCandidate => !!x);
      removes.push(yi);
      const rest = c.subtract(B);
      if (!rest.isEmpty()) adds.push(...(k8sPorts(rest) ?? []));
    }
    if (removes.length) {
      if (removes.length === portsSeq.items.length && adds.length === 0) {
        if (canDropRule) out.push(candidate(`remove ${label} (it only allows ${words})`, 'remove-rule', [dropRule()], 3 + wide));
      } else {
        const changes = [...removes.map((yi) => doc.removeItem(portsSeq, yi)), ...portEntries(adds).map((e) => doc.appendItem(portsSeq, e))];
        out.push(candidate(`remove ${words} from the ports of ${label}`, 'remove-port', changes, 2 + wide));
      }
    }
  } else if (!r.ports) {
    const rest = K8S_ALL.subtract(B);
    const ports = rest.isEmpty() ? undefined : k8sPorts(rest);
    const ruleMap = asMap(doc.get(['spec', dirKey(req), idx]));
    if (ports && ruleMap && ports.length <= 6) out.push(candidate(`limit ${label} to every port except ${words}`, 'remove-port', [doc.setKey(ruleMap, 'ports', portEntries(ports))], 3 + wide));
  }
  return out.filter((x): x is StepCandidate => !!x);
}

/** Changes that keep a peer entry but make it miss `req.peer`. */
function excludeFrom(doc: YamlDoc, entry: YAMLMap, peer: Peer, req: SideRequest): (TextChange | undefined)[] {
  const a = req.state.analysis;
  if (peer.ipBlock) {
    if (!req.peer.cidrs) return [undefined];
    const block = asMap(entry.items.find((x) => (x.key as { value?: unknown })?.value === 'ipBlock')?.value);
    if (!block) return [undefined];
    const except = asSeq(block.items.find((x) => (x.key as { value?: unknown })?.value === 'except')?.value);
    if (except && except.items.length) return req.peer.cidrs.map((c) => doc.appendItem(except, c));
    return [doc.setKey(block, 'except', req.peer.cidrs)];
  }
  const w = req.peer.workload;
  if (!w) return [undefined];
  const labels = labelChoice(a, w, usedSelectorKeys(a)).labels;
  const key = Object.keys(labels)[0];
  if (!key) return [undefined];
  const requirement = { key, operator: 'NotIn', values: [labels[key]] };
  const psPair = entry.items.find((x) => (x.key as { value?: unknown })?.value === 'podSelector');
  const ps = asMap(psPair?.value);
  if (!psPair) return [doc.addPair(entry, 'podSelector', { matchExpressions: [requirement] })];
  if (!ps) return [doc.replacePair(entry, psPair, { matchExpressions: [requirement] })];
  const me = asSeq(ps.items.find((x) => (x.key as { value?: unknown })?.value === 'matchExpressions')?.value);
  if (me && me.items.length) return [doc.appendItem(me, requirement)];
  return [doc.setKey(ps, 'matchExpressions', [requirement])];
}

function isolateExcept(req: SideRequest): StepCandidate[] {
  const a = req.state.analysis;
  const w = req.self.workload;
  const entries = allExceptEntries(a, w.namespace, req.peer);
  if (!entries) return [];
  const rules: Record<string, unknown>[] = [{ [peerKey(req)]: entries }];
  const rest = K8S_ALL.subtract(req.conns);
  if (!rest.isEmpty()) {
    const ports = k8sPorts(rest);
    if (!ports || ports.length > 6) return [];
    rules.push({ [peerKey(req)]: k8sPeerEntries(a, w.namespace, req.peer), ports: portEntries(ports) });
  }
  const words = connWords(req.conns, a.universe);
  const name = uniqueName(`${endpointSlug(req.self)}-${directionWord(req.side)}-except-${endpointSlug(req.peer)}`, req.takenNames(w.namespace));
  const flow = req.side === 'Ingress' ? `from ${endpointWords(req.peer)}` : `to ${endpointWords(req.peer)}`;
  const c = newPolicy(
    req,
    name,
    rules,
    `Isolates ${w.id} for ${directionWord(req.side)} and allows everything except ${words} ${flow}.`,
    `add NetworkPolicy ${w.namespace}/${name} isolating ${w.id} for ${directionWord(req.side)} with every ${req.side === 'Ingress' ? 'source' : 'destination'} allowed except ${words} ${flow}`,
    'new-policy',
    5,
  );
  return c ? [c] : [];
}

