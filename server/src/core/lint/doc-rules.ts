// Lint rules that only need one YAML document (a NetworkPolicy's AST): the checks the API server
// applies when it validates a NetworkPolicy (k8s.io/kubernetes pkg/apis/networking/validation,
// documented in the NetworkPolicy API reference
// https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/) and
// authoring mistakes that are visible in a single policy. Pure: no LSP imports.
import { isScalar, type Node, type Pair, type YAMLMap } from 'yaml';
import type { Severity } from '../model';
import { parseCidr } from '../ip';
import { asMap, asSeq, isEmptyValue, keyName, keySpan, nodeSpan, pairOf, scalar, valueOf } from './ast';
import type { ParsedChunk } from '../documents';
import { portNameProblems, suggestPortName } from './net';
import { ruleInfo } from './rules';
import { unknownFields } from './schema-check';
import { dns1123LabelProblem, dns1123SubdomainProblem, labelKeyProblem, labelValueProblem } from '../k8s-names';

export type FixHint =
  | { kind: 'add-policy-type'; policyType: 'Ingress' | 'Egress' }
  | { kind: 'merge-rule'; direction: 'ingress' | 'egress'; index: number }
  | { kind: 'merge-peer'; direction: 'ingress' | 'egress'; rule: number; peer: number }
  | { kind: 'replace-port'; names: string[] }
  | { kind: 'add-dns' }
  | { kind: 'rename-key'; to: string }
  | { kind: 'add-namespace-labels'; labels: Record<string, string>; namespaces: { name: string; file: string; offset: number }[] }
  /** Replace an AdminNetworkPolicy / BaselineAdminNetworkPolicy by the equivalent ClusterNetworkPolicy (proved by the engine first). */
  | { kind: 'migrate-to-cnp' }
  /** Replace `tcp: {}` (rejected by the CRD) by a destinationPort range covering every port. */
  | { kind: 'cnp-all-ports' }
  /** Cilium: replace an empty peer list `[]` (at the finding) with `[{}]` (every endpoint). */
  | { kind: 'cilium-select-all' }
  /** Remove the key/value pair whose key starts at the finding (and its parent mapping when that becomes empty). */
  | { kind: 'remove-key' }
  /** Cilium: add an egress rule allowing DNS to kube-dns with an L7 DNS rule (so toFQDNs names are learnt). */
  | { kind: 'cilium-add-dns' };

/** A finding with chunk-relative offsets. */
export interface LocalFinding {
  code: string;
  severity: Severity;
  message: string;
  start: number;
  end: number;
  fix?: FixHint;
}

export function isK8sNetworkPolicy(c: { apiVersion?: string; kind?: string }): boolean {
  return c.kind === 'NetworkPolicy' && (c.apiVersion === undefined || c.apiVersion.startsWith('networking.k8s.io/') || c.apiVersion === 'extensions/v1beta1');
}

type Dir = 'ingress' | 'egress';

class Collector {
  readonly out: LocalFinding[] = [];
  constructor(readonly text: string) {}
  add(code: string, message: string, span: [number, number] | undefined, fix?: FixHint): void {
    if (!span) return;
    const info = ruleInfo(code);
    this.out.push({ code, severity: info?.severity ?? 'warning', message, start: span[0], end: span[1], fix });
  }
  span(n: unknown): [number, number] | undefined {
    return nodeSpan(n, this.text);
  }
  keySpan(p: Pair | undefined): [number, number] | undefined {
    return p ? keySpan(p, this.text) : undefined;
  }
}

/** Set (non-null) value of a key in a peer/rule map. */
function present(map: YAMLMap, key: string): boolean {
  const p = pairOf(map, key);
  if (!p) return false;
  const v = p.value as Node | null;
  return !(v === null || (isScalar(v) && v.value === null));
}

/** Runs every single-document rule on a parsed chunk. */
export function lintChunk(chunk: ParsedChunk): LocalFinding[] {
  if (!isK8sNetworkPolicy(chunk)) return [];
  const root = asMap(chunk.doc.contents);
  if (!root) return [];
  const c = new Collector(chunk.text);
  c.out.push(...unknownFields(root, chunk.text));
  const meta = asMap(valueOf(root, 'metadata'));
  checkMetadata(c, meta);
  const spec = asMap(valueOf(root, 'spec'));
  if (!spec) return c.out;
  const ns = scalar(valueOf(meta, 'namespace'));
  const nsName = typeof ns === 'string' ? ns : 'the policy\'s namespace';

  checkSelector(c, valueOf(spec, 'podSelector'));

  // policyTypes vs. rules present.
  const typesNode = asSeq(valueOf(spec, 'policyTypes'));
  const declared = typesNode ? new Set(typesNode.items.map((i) => scalar(i))) : undefined;
  for (const dir of ['ingress', 'egress'] as Dir[]) {
    const p = pairOf(spec, dir);
    const rules = asSeq(p?.value);
    const type = dir === 'ingress' ? 'Ingress' : 'Egress';
    // Spec (NetworkPolicySpec.policyTypes): when policyTypes is set, only the listed directions are
    // enforced; rules of a direction that is not listed are ignored.
    if (declared && rules && rules.items.length > 0 && !declared.has(type)) {
      c.add(
        'np-policy-type-missing',
        `This policy has ${dir} rules, but policyTypes does not list ${type}: the ${dir} rules are ignored and ${dir} is not restricted by this policy.`,
        c.keySpan(p),
        { kind: 'add-policy-type', policyType: type },
      );
    }
    if (rules) checkRules(c, dir, rules.items as Node[], nsName, spec);
  }
  return c.out;
}

function checkRules(c: Collector, dir: Dir, items: Node[], nsName: string, spec: YAMLMap): void {
  const peerKey = dir === 'ingress' ? 'from' : 'to';
  const shape = items.map((item) => {
    const m = asMap(item);
    if (!m) return { peers: false, ports: false, other: true, map: undefined as YAMLMap | undefined };
    const peers = asSeq(valueOf(m, peerKey));
    const ports = asSeq(valueOf(m, 'ports'));
    const other = m.items.some((p) => {
      const k = keyName(p as Pair);
      return k !== peerKey && k !== 'ports';
    });
    return { peers: !!peers && peers.items.length > 0, ports: !!ports && ports.items.length > 0, other, map: m };
  });
  items.forEach((item, i) => {
    const m = shape[i].map;
    const isNull = item === null || (isScalar(item) && item.value === null);
    // A rule with neither peers nor ports matches all traffic in its direction.
    if ((m && !shape[i].peers && !shape[i].ports && !shape[i].other) || isNull) {
      const podSel = valueOf(spec, 'podSelector');
      const who = isEmptyValue(podSel) ? `all pods in ${nsName}` : 'the selected pods';
      c.add(
        'np-allow-all',
        dir === 'ingress'
          ? `This rule has no \`from\` and no \`ports\`: it allows all ingress (from every pod and every IP address, on every port) to ${who}. No ingress is restricted for them.`
          : `This rule has no \`to\` and no \`ports\`: it allows all egress (to every pod and every IP address, on every port) from ${who}. No egress is restricted for them.`,
        c.span(item) ?? undefined,
      );
    }
    // `- from: [...]` followed by `- ports: [...]` is two rules (OR), most likely meant as one (AND).
    if (i > 0) {
      const a = shape[i - 1];
      const b = shape[i];
      if (!a.other && !b.other && ((a.peers && !a.ports && b.ports && !b.peers) || (a.ports && !a.peers && b.peers && !b.ports))) {
        const portsFirst = a.ports;
        c.add(
          'np-split-rule',
          portsFirst
            ? `The \`-\` before \`${peerKey}\` starts a new rule, so \`${peerKey}\` and the \`ports\` of the previous rule are OR'd: the previous rule allows those ports from/to anywhere. Remove the \`-\` to require both.`
            : `The \`-\` before \`ports\` starts a new rule, so the \`${peerKey}\` peers of the previous rule get every port, and these ports are open to/from anywhere. Remove the \`-\` to require both.`,
          c.span(items[i]),
          { kind: 'merge-rule', direction: dir, index: i },
        );
      }
    }
    if (!m) return;
    const peersNode = asSeq(valueOf(m, peerKey));
    if (peersNode) checkPeers(c, dir, i, peersNode.items as Node[], nsName);
    const portsNode = asSeq(valueOf(m, 'ports'));
    if (portsNode) for (const p of portsNode.items) checkPort(c, p as Node);
  });
}

function checkPeers(c: Collector, dir: Dir, ruleIndex: number, peers: Node[], nsName: string): void {
  const kinds = peers.map((p) => {
    const m = asMap(p);
    if (!m) return undefined;
    return { pod: present(m, 'podSelector'), ns: present(m, 'namespaceSelector'), ip: present(m, 'ipBlock'), other: m.items.some((q) => !['podSelector', 'namespaceSelector', 'ipBlock'].includes(keyName(q as Pair) ?? '')), map: m };
  });
  peers.forEach((peer, j) => {
    const k = kinds[j];
    const isNull = peer === null || (isScalar(peer) && peer.value === null);
    if (isNull || (k && !k.pod && !k.ns && !k.ip)) {
      // NetworkPolicyPeer: "Exactly one of ... must be specified" unless podSelector+namespaceSelector;
      // validation: "must specify a peer".
      c.add('np-empty-peer', 'This peer sets none of podSelector, namespaceSelector and ipBlock; the API server rejects it ("must specify a peer"). To match every source/destination, remove the whole `from`/`to` list instead.', c.span(peer) ?? undefined);
      return;
    }
    if (!k) return;
    const m = k.map;
    if (k.ip && (k.pod || k.ns)) {
      const other = [k.pod ? 'podSelector' : '', k.ns ? 'namespaceSelector' : ''].filter(Boolean).join(' and ');
      c.add('np-ipblock-with-selector', `A peer with ipBlock may not also set ${other}; the API server rejects it ("may not specify both ipBlock and another peer"). Put ipBlock in its own \`-\` entry.`, c.keySpan(pairOf(m, 'ipBlock')));
    }
    if (k.ip) checkIpBlock(c, valueOf(m, 'ipBlock'));
    if (k.pod) checkSelector(c, valueOf(m, 'podSelector'));
    if (k.ns) checkSelector(c, valueOf(m, 'namespaceSelector'));
    // Empty selectors that select more than authors tend to expect.
    if (k.pod && !k.ns && !k.ip && isEmptyValue(valueOf(m, 'podSelector'))) {
      c.add('np-broad-peer', `\`podSelector: {}\` alone selects every pod in ${nsName} (the policy's own namespace only). Add a namespaceSelector to reach other namespaces, or a label to narrow it.`, c.keySpan(pairOf(m, 'podSelector')));
    } else if (k.ns && !k.ip && isEmptyValue(valueOf(m, 'namespaceSelector')) && (!k.pod || isEmptyValue(valueOf(m, 'podSelector')))) {
      c.add('np-broad-peer', '`namespaceSelector: {}` selects every pod in every namespace (but no external IP addresses). Narrow it with labels if that is not intended.', c.keySpan(pairOf(m, 'namespaceSelector')));
    }
    // `- namespaceSelector: ...` followed by `- podSelector: ...` is OR, most likely meant as AND.
    if (j > 0) {
      const a = kinds[j - 1];
      if (a && !a.ip && !a.other && !k.ip && !k.other && ((a.ns && !a.pod && k.pod && !k.ns) || (a.pod && !a.ns && k.ns && !k.pod))) {
        const aNs = a.ns;
        c.add(
          'np-split-peer',
          aNs
            ? `The \`-\` before \`podSelector\` makes it a separate peer: this allows all pods of the selected namespaces OR the matching pods of ${nsName}. Remove the \`-\` to allow only the matching pods in the selected namespaces.`
            : `The \`-\` before \`namespaceSelector\` makes it a separate peer: this allows the matching pods of ${nsName} OR all pods of the selected namespaces. Remove the \`-\` to allow only the matching pods in the selected namespaces.`,
          c.span(peer),
          { kind: 'merge-peer', direction: dir, rule: ruleIndex, peer: j },
        );
      }
    }
  });
}

function checkIpBlock(c: Collector, node: unknown): void {
  const m = asMap(node);
  if (!m) return;
  const cidrNode = valueOf(m, 'cidr');
  const cidrStr = scalar(cidrNode);
  let cidr: ReturnType<typeof parseCidr> | undefined;
  if (typeof cidrStr === 'string') {
    cidr = parseCidr(cidrStr);
    if (typeof cidr === 'string') c.add('np-invalid-cidr', `Invalid cidr: ${cidr}.`, c.span(cidrNode));
  } else if (!pairOf(m, 'cidr')) {
    c.add('np-invalid-cidr', 'ipBlock requires `cidr` (e.g. 10.0.0.0/16).', c.keySpan(m.items[0] as Pair) ?? c.span(m));
  } else {
    c.add('np-invalid-cidr', '`cidr` must be a string in CIDR notation, e.g. 10.0.0.0/16.', c.span(cidrNode) ?? c.keySpan(pairOf(m, 'cidr')));
  }
  const except = asSeq(valueOf(m, 'except'));
  if (!except) return;
  for (const e of except.items) {
    const s = scalar(e);
    if (typeof s !== 'string') {
      c.add('np-invalid-cidr', '`except` entries must be strings in CIDR notation.', c.span(e));
      continue;
    }
    const ex = parseCidr(s);
    if (typeof ex === 'string') {
      c.add('np-invalid-cidr', `Invalid except entry: ${ex}.`, c.span(e));
      continue;
    }
    if (!cidr || typeof cidr === 'string') continue;
    // IPBlock.except: "Except values will be rejected if they are outside the cidr range";
    // validation requires a strict subset (longer prefix, inside cidr).
    if (ex.family !== cidr.family) {
      c.add('np-except-outside-cidr', `except ${s} is IPv${ex.family} but cidr ${cidrStr} is IPv${cidr.family}; the API server rejects it.`, c.span(e));
    } else if (!(ex.lo >= cidr.lo && ex.hi <= cidr.hi && ex.prefix > cidr.prefix)) {
      c.add('np-except-outside-cidr', `except ${s} must be a strict subset of cidr ${cidrStr} (inside it, with a longer prefix); the API server rejects it.`, c.span(e));
    }
  }
}

/**
 * metadata.name is a DNS-1123 subdomain and metadata.namespace a DNS-1123 label (NetworkPolicy names are validated
 * with NameIsDNSSubdomain; namespaces are DNS-1123 labels); metadata.labels are label keys and values.
 */
function checkMetadata(c: Collector, meta: YAMLMap | undefined): void {
  if (!meta) return;
  const name = valueOf(meta, 'name');
  const n = scalar(name);
  if (typeof n === 'string' && n !== '') {
    const problem = dns1123SubdomainProblem(n);
    if (problem) c.add('np-name-invalid', `Invalid name "${n}": ${problem}; the API server rejects it.`, c.span(name));
  }
  const nsNode = valueOf(meta, 'namespace');
  const ns = scalar(nsNode);
  if (typeof ns === 'string' && ns !== '') {
    const problem = dns1123LabelProblem(ns);
    if (problem) c.add('np-name-invalid', `Invalid namespace "${ns}": ${problem}; the API server rejects it.`, c.span(nsNode));
  }
  checkLabels(c, asMap(valueOf(meta, 'labels')));
}

/** Label keys and values of a `matchLabels` or `metadata.labels` map. */
function checkLabels(c: Collector, m: YAMLMap | undefined): void {
  if (!m) return;
  for (const it of m.items) {
    const k = scalar(it.key as Node | null);
    if (k === undefined || k === null) continue;
    const keyProblem = labelKeyProblem(String(k));
    if (keyProblem) c.add('np-label-invalid', `Invalid label key "${String(k)}": ${keyProblem}; the API server rejects it.`, c.keySpan(it as Pair));
    const v = scalar(it.value as Node | null);
    if (v === undefined || v === null) continue;
    const valueProblem = labelValueProblem(String(v));
    if (valueProblem) c.add('np-label-invalid', `Invalid label value "${String(v)}": ${valueProblem}; the API server rejects it.`, c.span(it.value));
  }
}

function checkSelector(c: Collector, node: unknown): void {
  const m = asMap(node);
  if (!m) return;
  checkLabels(c, asMap(valueOf(m, 'matchLabels')));
  const exprs = asSeq(valueOf(m, 'matchExpressions'));
  if (!exprs) return;
  for (const e of exprs.items) {
    const em = asMap(e);
    if (!em) continue;
    const op = scalar(valueOf(em, 'operator'));
    const keyNode = valueOf(em, 'key');
    const key = scalar(keyNode);
    if (typeof key === 'string') {
      const keyProblem = labelKeyProblem(key);
      if (keyProblem) c.add('np-label-invalid', `Invalid label key "${key}": ${keyProblem}; the API server rejects it.`, c.span(keyNode));
    }
    const valuesNode = valueOf(em, 'values');
    const values = asSeq(valuesNode);
    if (values && (op === 'In' || op === 'NotIn')) {
      for (const item of values.items) {
        const v = scalar(item as Node);
        if (v === undefined || v === null) continue;
        const valueProblem = labelValueProblem(String(v));
        if (valueProblem) c.add('np-label-invalid', `Invalid label value "${String(v)}": ${valueProblem}; the API server rejects it.`, c.span(item));
      }
    }
    const count = values ? values.items.length : 0;
    // LabelSelectorRequirement: "If the operator is In or NotIn, the values array must be non-empty.
    // If the operator is Exists or DoesNotExist, the values array must be empty."
    if ((op === 'In' || op === 'NotIn') && count === 0) {
      c.add('np-selector-requirement', `Operator ${op} needs a non-empty \`values\` list; the API server rejects it.`, c.span(valuesNode) ?? c.keySpan(pairOf(em, 'operator')));
    } else if ((op === 'Exists' || op === 'DoesNotExist') && count > 0) {
      c.add('np-selector-requirement', `Operator ${op} must not have \`values\`; the API server rejects it.`, c.keySpan(pairOf(em, 'values')));
    }
  }
}

function checkPort(c: Collector, node: Node): void {
  const m = asMap(node);
  if (!m) return;
  const portNode = valueOf(m, 'port');
  const endPair = pairOf(m, 'endPort');
  const portVal = scalar(portNode);
  const endVal = scalar(endPair?.value);
  const portSet = portVal !== undefined && portVal !== null;
  if (typeof portVal === 'number') {
    if (!Number.isInteger(portVal) || portVal < 1 || portVal > 65535) c.add('np-port-out-of-range', `Port ${portVal} is not a valid port number (1-65535).`, c.span(portNode));
  } else if (typeof portVal === 'string') {
    const problems = portNameProblems(portVal);
    if (problems.length > 0) {
      const sugg = suggestPortName(portVal);
      const numeric = /^\d+$/.test(portVal);
      c.add(
        'np-invalid-port-name',
        numeric
          ? `"${portVal}" is quoted, so it is a port name, not a number, and port names must contain a letter. Write the number without quotes.`
          : `"${portVal}" is not a valid port name: it ${problems.join('; ')}.`,
        c.span(portNode),
        numeric ? { kind: 'replace-port', names: [portVal] } : sugg ? { kind: 'replace-port', names: [sugg] } : undefined,
      );
    }
  }
  if (endPair && endVal !== null && endVal !== undefined) {
    // NetworkPolicyPort.endPort: "The endPort must be equal or greater than port"; validation:
    // "may not be specified when `port` is non-numeric" / "is not specified".
    if (!portSet) {
      c.add('np-endport-requires-numeric-port', '`endPort` needs a numeric `port` (the start of the range); the API server rejects endPort without port.', c.keySpan(endPair));
    } else if (typeof portVal === 'string') {
      c.add('np-endport-requires-numeric-port', `\`endPort\` cannot be used with a named port ("${portVal}"); use a numeric port to define a range.`, c.keySpan(endPair));
    } else if (typeof endVal === 'number' && typeof portVal === 'number') {
      if (!Number.isInteger(endVal) || endVal < 1 || endVal > 65535) c.add('np-port-out-of-range', `endPort ${endVal} is not a valid port number (1-65535).`, c.span(endPair.value));
      else if (endVal < portVal) c.add('np-endport-less-than-port', `endPort ${endVal} is less than port ${portVal}; it must be greater than or equal to port.`, c.span(endPair.value));
    }
  }
}

