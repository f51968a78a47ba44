// ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2) and the deprecated AdminNetworkPolicy /
// BaselineAdminNetworkPolicy (v1alpha1): YAML -> typed objects (./model.ts) with source ranges and diagnostics.
// Never throws: problems become diagnostics with a range; what can still be understood is kept.
//
// Shape and limits (kubernetes-sigs/network-policy-api, apis/v1alpha2/clusternetworkpolicy_types.go and
// apis/v1alpha1/*.go, and the CRDs generated from them):
// - CNP spec: tier Admin|Baseline (required), priority 0..1000 (required), subject (exactly one of namespaces|pods),
//   ingress/egress at most 25 rules; rule: name <= 100 chars, action Accept|Deny|Pass, from/to 1..25 peers,
//   protocols 1..25 entries (exactly one of tcp|udp|sctp|destinationNamedPort; tcp/udp/sctp need at least one
//   property; destinationPort: exactly one of number 1..65535 | range {start < end}).
// - Ingress peers: namespaces | pods; egress peers add networks (1..25 CIDRs), nodes, domainNames (1..25).
// - v1alpha1: ANP priority 0..1000, actions Allow|Deny|Pass; BANP has no priority, is a singleton named `default`,
//   actions Allow|Deny, egress peers without domainNames; 100 rules / peers; ports entries portNumber
//   {protocol (default TCP), port} | namedPort | portRange {protocol, start, end}.
import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import type { LabelSelector, Protocol, SourceRange } from '../../model';
import { parseCidr } from '../../ip';
import { getMap, getNode, getPair, getString, getLabels, metaNameRange, parseLabelSelector, type ParseContext } from '../../yaml';
import { suggest } from '../calico/parse';
import { portNameProblems } from '../../lint/net';
import {
  actionsOf,
  ANP_API_VERSION,
  CNP_API_VERSION,
  MAX_LIST_ITEMS,
  MAX_PRIORITY,
  MAX_RULE_NAME,
  maxItems,
  type ClusterAction,
  type ClusterNet,
  type ClusterNode,
  type ClusterPeer,
  type ClusterPolicy,
  type ClusterPolicyKind,
  type ClusterPort,
  type ClusterRule,
  type ClusterSubject,
  type DomainName,
  type PeerKind,
} from './model';

/** The API group's versions and the kinds each defines. */
export function clusterPolicyKindFor(apiVersion: string, kind: string): ClusterPolicyKind | undefined {
  if (apiVersion === CNP_API_VERSION && kind === 'ClusterNetworkPolicy') return kind;
  if (apiVersion === ANP_API_VERSION && (kind === 'AdminNetworkPolicy' || kind === 'BaselineAdminNetworkPolicy')) return kind;
  return undefined;
}

const TOP_KEYS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];
const CNP_SPEC_KEYS = ['tier', 'priority', 'subject', 'ingress', 'egress'];
const ANP_SPEC_KEYS = ['priority', 'subject', 'ingress', 'egress'];
const BANP_SPEC_KEYS = ['subject', 'ingress', 'egress'];
const SUBJECT_KEYS = ['namespaces', 'pods'];
const NAMESPACED_POD_KEYS = ['namespaceSelector', 'podSelector'];
const INGRESS_PEER_KEYS: PeerKind[] = ['namespaces', 'pods'];
const EGRESS_PEER_KEYS: Record<ClusterPolicyKind, PeerKind[]> = {
  ClusterNetworkPolicy: ['namespaces', 'pods', 'networks', 'nodes', 'domainNames'],
  AdminNetworkPolicy: ['namespaces', 'pods', 'networks', 'nodes', 'domainNames'],
  BaselineAdminNetworkPolicy: ['namespaces', 'pods', 'networks', 'nodes'],
};
const PROTOCOL_KEYS = ['tcp', 'udp', 'sctp', 'destinationNamedPort'];
const ANP_PORT_KEYS = ['portNumber', 'namedPort', 'portRange'];
const PROTOCOL_NAMES: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];
// DomainName pattern of the CRD: optional `*.` prefix, then dot-separated labels, optional trailing dot.
const DOMAIN_RE = /^(\*\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$/;

function isNull(n: Node | null | undefined): boolean {
  return n === null || n === undefined || (isScalar(n) && n.value === null);
}

function keyName(p: Pair): string | undefined {
  return isScalar(p.key) ? String(p.key.value) : undefined;
}

class Parser {
  invalid = false;
  constructor(
    readonly ctx: ParseContext,
    readonly kind: ClusterPolicyKind,
  ) {}

  error(code: string, message: string, node: Node | Pair | null | undefined, fallback?: SourceRange): void {
    this.invalid = true;
    this.ctx.report(code, 'error', message, node, fallback);
  }

  warn(code: string, message: string, node: Node | Pair | null | undefined, fallback?: SourceRange): void {
    this.ctx.report(code, 'warning', message, node, fallback);
  }

  get isCnp(): boolean {
    return this.kind === 'ClusterNetworkPolicy';
  }

  /** Reports keys of `map` outside `allowed`; returns them. */
  unknownKeys(map: YAMLMap, allowed: readonly string[], where: string, quiet = false): string[] {
    const out: string[] = [];
    for (const it of map.items as Pair[]) {
      const k = keyName(it);
      if (k === undefined || allowed.includes(k)) continue;
      out.push(k);
      if (quiet) continue;
      const s = suggest(k, allowed);
      this.warn('cnp-unknown-field', `Unknown field "${k}" in ${where}${s ? `; did you mean "${s}"?` : '.'} The API server drops unknown fields (kubectl --validate=strict rejects them).`, it.key as Node);
    }
    return out;
  }

  /** An integer in [min, max], or undefined (with a diagnostic). */
  int(node: Node | null | undefined, what: string, min: number, max: number): number | undefined {
    if (isNull(node)) return undefined;
    const v = isScalar(node) ? node.value : undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
    if (n === undefined || !Number.isInteger(n)) {
      this.error('cnp-field-value', `${what} must be an integer between ${min} and ${max}.`, node);
      return undefined;
    }
    if (typeof v === 'string') this.error('cnp-field-value', `${what} must be a number, not the string "${v}".`, node);
    if (n < min || n > max) {
      this.error('cnp-field-value', `${what} must be between ${min} and ${max}; ${n} is rejected by the API server.`, node);
      return undefined;
    }
    return n;
  }

  list(map: YAMLMap | undefined, key: string, what: string, max: number, required: boolean, missingAt?: Node | Pair): Node[] | undefined {
    const p = getPair(map, key);
    if (!p) {
      if (required) this.error('cnp-required', `${what} is required.`, missingAt ?? map);
      return undefined;
    }
    const v = p.value as Node | null;
    if (isNull(v)) {
      if (required) this.error('cnp-required', `${what} must contain at least one item.`, p);
      return undefined;
    }
    if (!isSeq(v)) {
      this.error('invalid-field', `\`${key}\` must be a list; this value is ignored.`, v);
      return undefined;
    }
    const items = v.items as Node[];
    if (required && items.length === 0) this.error('cnp-required', `${what} must contain at least one item.`, v);
    if (items.length > max) this.error('cnp-too-many', `${what} has ${items.length} items; the ${this.kind} CRD allows at most ${max}.`, p.key as Node);
    return items;
  }

  selector(node: Node | null | undefined): LabelSelector {
    if (isMap(node)) this.unknownKeys(node, ['matchLabels', 'matchExpressions'], 'a label selector');
    return parseLabelSelector(this.ctx, node ?? null);
  }

  // --- policy ---

  policy(obj: YAMLMap, apiVersion: string): ClusterPolicy | undefined {
    const ctx = this.ctx;
    this.unknownKeys(obj, TOP_KEYS, this.kind);
    const meta = getMap(ctx, obj, 'metadata');
    const name = getString(ctx, meta, 'name');
    if (!name) this.error('missing-name', `${this.kind} has no metadata.name.`, getPair(obj, 'metadata') ?? obj);
    if (meta && getPair(meta, 'namespace')) {
      this.warn('cnp-unknown-field', `${this.kind} is cluster-scoped: metadata.namespace is ignored.`, getPair(meta, 'namespace')!.key as Node);
    }
    if (this.kind === 'BaselineAdminNetworkPolicy' && name && name !== 'default') {
      this.error('banp-name', `BaselineAdminNetworkPolicy is a singleton: the API server only accepts metadata.name "default", not "${name}".`, getNode(meta, 'name'));
    }
    const spec = getMap(ctx, obj, 'spec');
    if (!spec) this.error('cnp-required', `${this.kind} needs a spec.`, getPair(obj, 'spec') ?? obj);
    if (spec) this.unknownKeys(spec, this.isCnp ? CNP_SPEC_KEYS : this.kind === 'AdminNetworkPolicy' ? ANP_SPEC_KEYS : BANP_SPEC_KEYS, `${this.kind} spec`);

    // Tier.
    let tier: 'Admin' | 'Baseline' | undefined = this.kind === 'AdminNetworkPolicy' ? 'Admin' : this.kind === 'BaselineAdminNetworkPolicy' ? 'Baseline' : undefined;
    const tierPair = getPair(spec, 'tier');
    if (this.isCnp) {
      const t = tierPair?.value as Node | null | undefined;
      const v = isScalar(t) ? t.value : undefined;
      if (!tierPair || isNull(t)) {
        if (spec) this.error('cnp-required', 'spec.tier is required: Admin (evaluated before NetworkPolicies) or Baseline (after them). This policy is not evaluated.', spec);
      } else if (v === 'Admin' || v === 'Baseline') tier = v;
      else {
        const s = typeof v === 'string' ? suggest(v, ['Admin', 'Baseline']) : undefined;
        this.error('cnp-field-value', `spec.tier must be Admin or Baseline, not "${String(v)}"${s ? ` (did you mean "${s}"?)` : ''}. This policy is not evaluated.`, t);
      }
    }

    // Priority.
    let priority: number | undefined;
    const prioPair = getPair(spec, 'priority');
    if (this.kind !== 'BaselineAdminNetworkPolicy') {
      if (!prioPair || isNull(prioPair.value as Node | null)) {
        if (spec) this.error('cnp-required', `spec.priority is required (0-${MAX_PRIORITY}, lower values are evaluated first). This policy is not evaluated.`, prioPair ?? spec);
      } else priority = this.int(prioPair.value as Node, 'spec.priority', 0, MAX_PRIORITY);
    }

    const subject = this.subject(spec);
    const ingress = this.rules(spec, 'ingress');
    const egress = this.rules(spec, 'egress');
    if (!name || !tier || (this.kind !== 'BaselineAdminNetworkPolicy' && priority === undefined)) {
      this.invalid = true;
      if (!name || !tier) return undefined;
    }
    return {
      kind: this.kind,
      apiVersion,
      name,
      tier,
      priority,
      subject,
      ingress,
      egress,
      invalid: this.invalid,
      range: ctx.rangeOf(obj),
      nameRange: metaNameRange(ctx, meta, obj),
      tierRange: ctx.rangeOf(tierPair?.value as Node | undefined) ?? (tierPair ? ctx.rangeOf(tierPair) : undefined),
      priorityRange: ctx.rangeOf(prioPair?.value as Node | undefined) ?? (prioPair ? ctx.rangeOf(prioPair) : undefined),
    };
  }

  subject(spec: YAMLMap | undefined): ClusterSubject {
    const p = getPair(spec, 'subject');
    const node = p?.value as Node | null | undefined;
    const out: ClusterSubject = { valid: false, range: this.ctx.rangeOf(node ?? undefined) ?? (p ? this.ctx.rangeOf(p) : undefined) };
    if (!p || isNull(node)) {
      if (spec) this.error('cnp-required', 'spec.subject is required: set exactly one of `namespaces` or `pods`.', p ?? spec);
      return out;
    }
    if (!isMap(node)) {
      this.error('invalid-field', '`subject` must be a mapping with `namespaces` or `pods`.', node);
      return out;
    }
    this.unknownKeys(node, SUBJECT_KEYS, 'subject');
    const ns = getPair(node, 'namespaces');
    const pods = getPair(node, 'pods');
    if (ns && pods) {
      this.error('cnp-one-of', 'subject must set exactly one of `namespaces` or `pods`, not both; the API server rejects it (Policy Lens lets it select nothing).', node);
      return out;
    }
    if (!ns && !pods) {
      this.error('cnp-one-of', 'subject must set exactly one of `namespaces` or `pods`; it selects nothing.', p.key as Node);
      return out;
    }
    if (ns) {
      out.namespaceSelector = this.selector(ns.value as Node | null);
      out.valid = true;
      return out;
    }
    const np = this.namespacedPod(pods!);
    if (np) {
      out.namespaceSelector = np.namespaceSelector;
      out.podSelector = np.podSelector;
      out.valid = true;
    }
    return out;
  }

  /** `pods: {namespaceSelector, podSelector}`. */
  namespacedPod(p: Pair): { namespaceSelector: LabelSelector; podSelector: LabelSelector } | undefined {
    const node = p.value as Node | null;
    if (isNull(node)) {
      this.error('cnp-required', '`pods` needs a `podSelector` (and a `namespaceSelector`).', p);
      return undefined;
    }
    if (!isMap(node)) {
      this.error('invalid-field', '`pods` must be a mapping with `namespaceSelector` and `podSelector`.', node);
      return undefined;
    }
    this.unknownKeys(node, NAMESPACED_POD_KEYS, '`pods`');
    const nsP = getPair(node, 'namespaceSelector');
    const podP = getPair(node, 'podSelector');
    if (!podP) this.error('cnp-required', '`pods.podSelector` is required (use `{}` for every pod of the selected namespaces).', p.key as Node);
    // v1alpha1 NamespacedPod also requires namespaceSelector; in v1alpha2 it is optional (absent = every namespace).
    if (!nsP && !this.isCnp) this.error('cnp-required', '`pods.namespaceSelector` is required in v1alpha1 (use `{}` for every namespace).', p.key as Node);
    return {
      namespaceSelector: nsP ? this.selector(nsP.value as Node | null) : { matchLabels: {}, matchExpressions: [] },
      podSelector: podP ? this.selector(podP.value as Node | null) : { matchLabels: {}, matchExpressions: [] },
    };
  }

  // --- rules ---

  rules(spec: YAMLMap | undefined, key: 'ingress' | 'egress'): ClusterRule[] {
    const items = this.list(spec, key, `spec.${key}`, maxItems(this.kind), false);
    const out: ClusterRule[] = [];
    (items ?? []).forEach((item, index) => {
      if (!isMap(item)) {
        this.error('invalid-field', `An ${key} rule must be a mapping with action, ${key === 'ingress' ? 'from' : 'to'} and optionally name and ${this.isCnp ? 'protocols' : 'ports'}.`, item);
        return;
      }
      out.push(this.rule(item, key, index));
    });
    return out;
  }

  rule(item: YAMLMap, key: 'ingress' | 'egress', index: number): ClusterRule {
    const ctx = this.ctx;
    const peerKey = key === 'ingress' ? 'from' : 'to';
    const portsKey = this.isCnp ? 'protocols' : 'ports';
    this.unknownKeys(item, ['name', 'action', peerKey, portsKey], `an ${key} rule`);
    const rule: ClusterRule = { direction: key === 'ingress' ? 'Ingress' : 'Egress', index, peers: [], range: ctx.rangeOf(item) };
    const nameP = getPair(item, 'name');
    if (nameP) {
      const n = getString(ctx, item, 'name');
      if (n !== undefined) {
        rule.name = n;
        rule.nameRange = ctx.rangeOf(nameP.value as Node);
        if (n.length > MAX_RULE_NAME) this.error('cnp-field-value', `A rule name may have at most ${MAX_RULE_NAME} characters (this one has ${n.length}).`, nameP.value as Node);
      }
    }
    const actP = getPair(item, 'action');
    const allowed = actionsOf(this.kind);
    if (!actP || isNull(actP.value as Node | null)) {
      this.error('cnp-required', `A rule needs an action: ${allowed.join(', ')}. Without one the API server rejects the object; Policy Lens ignores the rule.`, actP ?? item);
    } else {
      const v = isScalar(actP.value) ? actP.value.value : undefined;
      rule.actionRange = ctx.rangeOf(actP.value as Node);
      if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) rule.action = v as ClusterAction;
      else {
        const s = typeof v === 'string' ? suggest(v, allowed) : undefined;
        const alt = this.isCnp && v === 'Allow' ? ' (ClusterNetworkPolicy renamed Allow to Accept)' : !this.isCnp && v === 'Accept' ? ` (${this.kind} v1alpha1 uses Allow; Accept is the v1alpha2 name)` : s ? ` (did you mean "${s}"?)` : '';
        this.error('cnp-field-value', `${this.kind} rule action must be one of ${allowed.join(', ')}, not "${String(v)}"${alt}. Policy Lens ignores the rule.`, actP.value as Node);
      }
    }
    const peersP = getPair(item, peerKey);
    rule.peersRange = peersP ? ctx.rangeOf(peersP.key as Node) : undefined;
    const peers = this.list(item, peerKey, `\`${peerKey}\``, maxItems(this.kind), true, item);
    for (const pn of peers ?? []) rule.peers.push(this.peer(pn, key));
    const portsP = getPair(item, portsKey);
    if (portsP) {
      rule.portsRange = ctx.rangeOf(portsP.key as Node);
      const items = this.list(item, portsKey, `\`${portsKey}\``, this.isCnp ? MAX_LIST_ITEMS : maxItems(this.kind), true);
      if (items) {
        rule.ports = [];
        for (const it of items) {
          const p = this.isCnp ? this.cnpProtocol(it) : this.anpPort(it);
          if (p) rule.ports.push(...p);
        }
      } else if (isNull(portsP.value as Node | null)) {
        // `protocols:` with no value: absent (every port), after the diagnostic above.
      } else rule.ports = [];
    }
    // CEL (experimental channel): named ports only make sense towards pods.
    if (key === 'egress' && rule.ports?.some((p) => p.name) && rule.peers.some((p) => p.kind === 'networks' || p.kind === 'nodes' || p.kind === 'domainNames')) {
      this.error('cnp-named-port-external', `A named port cannot be combined with networks/nodes/domainNames peers in one rule: those peers have no named ports (the API server rejects it).`, portsP?.key as Node);
    }
    if (rule.action && rule.action !== 'Accept' && rule.action !== 'Allow') {
      for (const p of rule.peers) {
        if (p.kind === 'domainNames') {
          this.error('cnp-domain-names-action', `domainNames peers are only supported in ${this.isCnp ? 'Accept' : 'Allow'} rules (an allow-list of names, followed by a broader Deny); this ${rule.action} rule cannot use them.`, undefined, p.range);
        }
      }
    }
    return rule;
  }

  peer(node: Node, key: 'ingress' | 'egress'): ClusterPeer {
    const ctx = this.ctx;
    const peer: ClusterPeer = { unknownFields: [], range: ctx.rangeOf(node) };
    if (!isMap(node)) {
      this.error('invalid-field', 'A peer must be a mapping with one of namespaces, pods' + (key === 'egress' ? ', networks, nodes, domainNames.' : '.'), node);
      return peer;
    }
    const allowed: PeerKind[] = key === 'ingress' ? INGRESS_PEER_KEYS : EGRESS_PEER_KEYS[this.kind];
    const present: Pair[] = [];
    for (const it of node.items as Pair[]) {
      const k = keyName(it);
      if (k === undefined) continue;
      if ((allowed as string[]).includes(k)) present.push(it);
      else peer.unknownFields.push(k);
    }
    for (const k of peer.unknownFields) {
      const it = getPair(node, k)!;
      const msg =
        key === 'ingress' && ['networks', 'nodes', 'domainNames'].includes(k)
          ? `\`${k}\` is only an egress peer; an ingress peer is one of ${allowed.join(', ')}.`
          : `Unknown ${key} peer field "${k}"${suggest(k, allowed) ? ` (did you mean "${suggest(k, allowed)}"?)` : ''}.`;
      this.warn('cnp-unknown-field', msg, it.key as Node);
    }
    if (present.length === 0) {
      // The API asks implementations that find no field they know to fail closed.
      this.warn(
        'cnp-fail-closed',
        `This peer sets none of ${allowed.join(', ')}: the rule fails closed (an ${this.isCnp ? 'Accept' : 'Allow'} rule matches nothing; a Deny or Pass rule denies all traffic).`,
        node,
      );
      if (peer.unknownFields.length === 0) this.invalid = true;
      return peer;
    }
    if (present.length > 1) this.error('cnp-one-of', `A peer sets exactly one field; this one sets ${present.map(keyName).join(' and ')} (the API server rejects it). Write them as separate peers.`, node);
    const first = present[0];
    const k = keyName(first) as PeerKind;
    peer.kind = k;
    for (const p of present) this.peerField(peer, p, keyName(p) as PeerKind);
    return peer;
  }

  peerField(peer: ClusterPeer, p: Pair, k: PeerKind): void {
    const v = p.value as Node | null;
    switch (k) {
      case 'namespaces':
        peer.namespaceSelector = this.selector(v);
        return;
      case 'pods': {
        const np = this.namespacedPod(p);
        if (np) {
          peer.namespaceSelector = np.namespaceSelector;
          peer.podSelector = np.podSelector;
        } else peer.kind = undefined;
        return;
      }
      case 'nodes':
        peer.nodes = this.selector(v);
        return;
      case 'networks': {
        const seq = isSeq(v) ? (v.items as Node[]) : undefined;
        if (!seq || seq.length === 0) {
          this.error('cnp-required', '`networks` must list 1 to 25 CIDRs.', isNull(v) ? p : v);
          peer.networks = [];
          return;
        }
        if (seq.length > MAX_LIST_ITEMS) this.error('cnp-too-many', `\`networks\` has ${seq.length} CIDRs; at most ${MAX_LIST_ITEMS} are allowed.`, p.key as Node);
        peer.networks = seq.map((it) => this.net(it));
        return;
      }
      case 'domainNames': {
        const seq = isSeq(v) ? (v.items as Node[]) : undefined;
        if (!seq || seq.length === 0) {
          this.error('cnp-required', '`domainNames` must list 1 to 25 names.', isNull(v) ? p : v);
          peer.domainNames = [];
          return;
        }
        if (seq.length > MAX_LIST_ITEMS) this.error('cnp-too-many', `\`domainNames\` has ${seq.length} names; at most ${MAX_LIST_ITEMS} are allowed.`, p.key as Node);
        peer.domainNames = [];
        for (const it of seq) {
          const text = isScalar(it) && it.value !== null ? String(it.value) : '';
          if (!DOMAIN_RE.test(text)) {
            this.error('cnp-field-value', `"${text}" is not a domain name the API accepts: dot-separated labels, optionally starting with "*." (a wildcard for one or more whole labels).`, it);
            continue;
          }
          peer.domainNames.push({ text, range: this.ctx.rangeOf(it) } satisfies DomainName);
        }
        return;
      }
    }
  }

  net(node: Node): ClusterNet {
    const text = isScalar(node) && node.value !== null ? String(node.value) : '';
    const c = parseCidr(text);
    const out: ClusterNet = { text, range: this.ctx.rangeOf(node) };
    if (typeof c === 'string') {
      this.error('cnp-field-value', `Invalid CIDR: ${c}. The API server rejects it; Policy Lens lets the rule fail closed.`, node);
      return out;
    }
    out.cidr = c;
    return out;
  }

  portNumber(node: Node | null | undefined, what: string): number | undefined {
    return this.int(node, what, 1, 65535);
  }

  /** CNP `protocols` entry. */
  cnpProtocol(node: Node): ClusterPort[] | undefined {
    const ctx = this.ctx;
    if (!isMap(node)) {
      this.error('invalid-field', 'A protocols entry must be a mapping with one of tcp, udp, sctp or destinationNamedPort.', node);
      return undefined;
    }
    this.unknownKeys(node, PROTOCOL_KEYS, 'a protocols entry');
    const set = (node.items as Pair[]).filter((p) => PROTOCOL_KEYS.includes(keyName(p) ?? ''));
    if (set.length === 0) {
      this.error('cnp-one-of', 'A protocols entry must set one of tcp, udp, sctp or destinationNamedPort.', node);
      return undefined;
    }
    if (set.length > 1) this.error('cnp-one-of', `A protocols entry sets exactly one of tcp, udp, sctp, destinationNamedPort; this one sets ${set.map(keyName).join(' and ')}. Write one entry each.`, node);
    const out: ClusterPort[] = [];
    for (const p of set) {
      const k = keyName(p)!;
      const v = p.value as Node | null;
      if (k === 'destinationNamedPort') {
        const name = isScalar(v) && v.value !== null ? String(v.value) : '';
        const problems = portNameProblems(name);
        if (problems.length) {
          this.error('cnp-field-value', `destinationNamedPort "${name}" is not a valid container port name: it ${problems.join('; ')}.`, v ?? p);
          continue;
        }
        out.push({ name, range: ctx.rangeOf(node) });
        continue;
      }
      const protocol = k.toUpperCase() as Protocol;
      if (isNull(v) || (isMap(v) && v.items.length === 0)) {
        this.error(
          'cnp-protocol-no-port',
          `\`${k}: {}\` is rejected by the CRD (${k} needs at least one property), although the API overview says an omitted destinationPort matches every port. To match every ${protocol} port write \`destinationPort: {range: {start: 1, end: 65535}}\`. Policy Lens evaluates it as every ${protocol} port.`,
          p,
        );
        out.push({ protocol, range: ctx.rangeOf(node) });
        continue;
      }
      if (!isMap(v)) {
        this.error('invalid-field', `\`${k}\` must be a mapping with destinationPort.`, v);
        continue;
      }
      this.unknownKeys(v, ['destinationPort'], `\`${k}\``);
      const dp = getPair(v, 'destinationPort');
      if (!dp) {
        out.push({ protocol, range: ctx.rangeOf(node) });
        continue;
      }
      const dv = dp.value as Node | null;
      if (!isMap(dv)) {
        this.error('invalid-field', 'destinationPort must be a mapping with `number` or `range`.', dv ?? dp);
        continue;
      }
      this.unknownKeys(dv, ['number', 'range'], 'destinationPort');
      const num = getPair(dv, 'number');
      const rng = getPair(dv, 'range');
      if (num && rng) this.error('cnp-one-of', 'destinationPort sets exactly one of `number` or `range`.', dv);
      if (!num && !rng) {
        this.error('cnp-one-of', 'destinationPort must set `number` or `range`.', dv);
        continue;
      }
      if (num) {
        const n = this.portNumber(num.value as Node, 'destinationPort.number');
        if (n !== undefined) out.push({ protocol, start: n, end: n, range: ctx.rangeOf(node) });
        continue;
      }
      const r = this.portRange(rng!.value as Node | null, rng!, protocol, node);
      if (r) out.push(r);
    }
    return out;
  }

  portRange(v: Node | null, at: Pair, protocol: Protocol, entry: Node): ClusterPort | undefined {
    if (!isMap(v)) {
      this.error('invalid-field', 'A port range must be a mapping with `start` and `end`.', v ?? at);
      return undefined;
    }
    this.unknownKeys(v, this.isCnp ? ['start', 'end'] : ['protocol', 'start', 'end'], 'a port range');
    const sP = getPair(v, 'start');
    const eP = getPair(v, 'end');
    if (!sP || !eP) {
      this.error('cnp-required', 'A port range needs both `start` and `end`.', v);
      return undefined;
    }
    const s = this.portNumber(sP.value as Node, 'start');
    const e = this.portNumber(eP.value as Node, 'end');
    if (s === undefined || e === undefined) return undefined;
    if (s >= e) {
      this.error('cnp-field-value', `A port range must have start < end (${s} >= ${e}); for a single port use ${this.isCnp ? '`number`' : '`portNumber`'}.`, v);
      if (s > e) return undefined;
    }
    return { protocol, start: s, end: e, range: this.ctx.rangeOf(entry) };
  }

  /** v1alpha1 `ports` entry. */
  anpPort(node: Node): ClusterPort[] | undefined {
    const ctx = this.ctx;
    if (!isMap(node)) {
      this.error('invalid-field', 'A ports entry must be a mapping with one of portNumber, namedPort or portRange.', node);
      return undefined;
    }
    this.unknownKeys(node, ANP_PORT_KEYS, 'a ports entry');
    const set = (node.items as Pair[]).filter((p) => ANP_PORT_KEYS.includes(keyName(p) ?? ''));
    if (set.length === 0) {
      this.error('cnp-one-of', 'A ports entry must set one of portNumber, namedPort or portRange.', node);
      return undefined;
    }
    if (set.length > 1) this.error('cnp-one-of', `A ports entry sets exactly one of portNumber, namedPort, portRange; this one sets ${set.map(keyName).join(' and ')}.`, node);
    const out: ClusterPort[] = [];
    for (const p of set) {
      const k = keyName(p)!;
      const v = p.value as Node | null;
      if (k === 'namedPort') {
        const name = isScalar(v) && v.value !== null ? String(v.value) : '';
        const problems = portNameProblems(name);
        if (problems.length) {
          this.error('cnp-field-value', `namedPort "${name}" is not a valid container port name: it ${problems.join('; ')}.`, v ?? p);
          continue;
        }
        out.push({ name, range: ctx.rangeOf(node) });
        continue;
      }
      if (!isMap(v)) {
        this.error('invalid-field', `\`${k}\` must be a mapping.`, v ?? p);
        continue;
      }
      const protoRaw = getString(ctx, v, 'protocol') ?? 'TCP';
      if (!PROTOCOL_NAMES.includes(protoRaw as Protocol)) {
        this.error('cnp-field-value', `Unsupported protocol "${protoRaw}"; use TCP, UDP or SCTP.`, getNode(v, 'protocol'));
        continue;
      }
      const protocol = protoRaw as Protocol;
      if (k === 'portNumber') {
        this.unknownKeys(v, ['protocol', 'port'], 'portNumber');
        const pp = getPair(v, 'port');
        if (!pp) {
          this.error('cnp-required', 'portNumber needs a `port`.', v);
          continue;
        }
        const n = this.portNumber(pp.value as Node, 'portNumber.port');
        if (n !== undefined) out.push({ protocol, start: n, end: n, range: ctx.rangeOf(node) });
        continue;
      }
      const r = this.portRange(v, p, protocol, node);
      if (r) out.push(r);
    }
    return out;
  }
}

/** Parses one CNP/ANP/BANP object. Returns undefined when it cannot be placed (no name or no tier). */
export function parseClusterPolicy(obj: YAMLMap, ctx: ParseContext, apiVersion: string, kind: ClusterPolicyKind): ClusterPolicy | undefined {
  return new Parser(ctx, kind).policy(obj, apiVersion);
}

/** Node: name, labels and status.addresses (what `nodes` peers match). */
export function parseNode(obj: YAMLMap, ctx: ParseContext): ClusterNode | undefined {
  const meta = getMap(ctx, obj, 'metadata');
  const name = getString(ctx, meta, 'name');
  if (!name) {
    ctx.report('missing-name', 'error', 'Node has no metadata.name.', getPair(obj, 'metadata') ?? obj);
    return undefined;
  }
  const node: ClusterNode = { name, labels: getLabels(ctx, meta, 'labels'), addresses: [], range: metaNameRange(ctx, meta, obj) };
  const status = getMap(ctx, obj, 'status');
  const addrs = getNode(status, 'addresses');
  if (isSeq(addrs)) {
    for (const a of addrs.items as Node[]) {
      if (!isMap(a)) continue;
      const text = getString(ctx, a, 'address');
      if (!text) continue;
      const c = parseCidr(text.includes(':') ? `${text}/128` : `${text}/32`);
      if (typeof c === 'string') continue; // a hostname address
      node.addresses.push({ text, family: c.family, value: c.lo });
    }
  }
  return node;
}
