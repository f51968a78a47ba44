// Kubernetes networking.k8s.io/v1 NetworkPolicy: YAML -> typed model (core/model.ts), keeping source ranges.
// API reference: https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
// Never throws: unusable values become diagnostics.
import { isMap, isScalar, isSeq } from 'yaml';
import type { Node, YAMLMap } from 'yaml';
import type { IPBlock, NetworkPolicy, Peer, PolicyPort, PolicyRule, PolicyType, Protocol } from '../../model';
import { getMap, getNode, getPair, getSeq, getString, metaNameRange, parseLabelSelector, type ParseContext } from '../../yaml';

const PROTOCOL_NAMES: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

function parsePolicyPort(ctx: ParseContext, node: Node): PolicyPort | undefined {
  if (!isMap(node)) {
    ctx.report('invalid-field', 'error', 'A ports entry must be a mapping with protocol/port/endPort.', node);
    return undefined;
  }
  const protoRaw = getString(ctx, node, 'protocol') ?? 'TCP';
  if (!PROTOCOL_NAMES.includes(protoRaw as Protocol)) {
    ctx.report('invalid-field', 'error', `Unsupported protocol "${protoRaw}"; NetworkPolicy supports TCP, UDP and SCTP.`, getNode(node, 'protocol'));
    return undefined;
  }
  const pp: PolicyPort = { protocol: protoRaw as Protocol, range: ctx.rangeOf(node) };
  const portNode = getNode(node, 'port');
  if (portNode && isScalar(portNode) && portNode.value !== null) {
    if (typeof portNode.value === 'number') pp.port = portNode.value;
    else if (typeof portNode.value === 'string') pp.port = /^\d+$/.test(portNode.value) ? Number(portNode.value) : portNode.value;
  }
  const endNode = getNode(node, 'endPort');
  if (endNode && isScalar(endNode) && typeof endNode.value === 'number') pp.endPort = endNode.value;
  return pp;
}

function parsePeer(ctx: ParseContext, node: Node): Peer | undefined {
  if (!isMap(node)) {
    ctx.report('invalid-field', 'error', 'A peer must be a mapping with podSelector, namespaceSelector and/or ipBlock.', node);
    return undefined;
  }
  const peer: Peer = { range: ctx.rangeOf(node) };
  const ps = getPair(node, 'podSelector');
  if (ps) peer.podSelector = parseLabelSelector(ctx, ps.value as Node | null);
  const ns = getPair(node, 'namespaceSelector');
  if (ns) peer.namespaceSelector = parseLabelSelector(ctx, ns.value as Node | null);
  const ib = getMap(ctx, node, 'ipBlock');
  if (ib) {
    const block: IPBlock = { cidr: getString(ctx, ib, 'cidr') ?? '', except: [], range: ctx.rangeOf(ib) };
    for (const e of getSeq(ctx, ib, 'except') ?? []) if (isScalar(e) && e.value !== null) block.except.push(String(e.value));
    peer.ipBlock = block;
  }
  return peer;
}

function parseRules(ctx: ParseContext, spec: YAMLMap | undefined, key: 'ingress' | 'egress'): PolicyRule[] | undefined {
  const items = getSeq(ctx, spec, key);
  if (!items) return undefined;
  const peerKey = key === 'ingress' ? 'from' : 'to';
  const rules: PolicyRule[] = [];
  items.forEach((item, index) => {
    if (item === null || (isScalar(item) && item.value === null)) {
      rules.push({ index, range: ctx.rangeOf(item) });
      return;
    }
    if (!isMap(item)) {
      ctx.report('invalid-field', 'error', `An ${key} rule must be a mapping with \`${peerKey}\` and/or \`ports\`.`, item);
      return;
    }
    const rule: PolicyRule = { index, range: ctx.rangeOf(item) };
    const peers = getSeq(ctx, item, peerKey);
    if (peers && peers.length > 0) rule.peers = peers.map((p) => parsePeer(ctx, p)).filter((p): p is Peer => !!p);
    const ports = getSeq(ctx, item, 'ports');
    if (ports && ports.length > 0) rule.ports = ports.map((p) => parsePolicyPort(ctx, p)).filter((p): p is PolicyPort => !!p);
    rules.push(rule);
  });
  return rules;
}

export function parseNetworkPolicy(obj: YAMLMap, ctx: ParseContext): NetworkPolicy | undefined {
  const meta = getMap(ctx, obj, 'metadata');
  const name = getString(ctx, meta, 'name');
  if (!name) {
    ctx.report('missing-name', 'error', 'NetworkPolicy has no metadata.name.', getPair(obj, 'metadata') ?? obj);
  }
  const nsRaw = getString(ctx, meta, 'namespace');
  const spec = getMap(ctx, obj, 'spec');
  const podSelectorPair = getPair(spec, 'podSelector');
  const policy: NetworkPolicy = {
    kind: 'NetworkPolicy',
    namespace: nsRaw ?? ctx.defaultNamespace,
    namespaceDefaulted: nsRaw === undefined,
    name: name ?? '(unnamed)',
    // podSelector is required by the API; an absent one is the empty selector: all pods of the namespace.
    podSelector: parseLabelSelector(ctx, (podSelectorPair?.value as Node | null) ?? null),
    policyTypes: [],
    range: ctx.rangeOf(obj),
    nameRange: metaNameRange(ctx, meta, obj),
  };
  policy.ingress = parseRules(ctx, spec, 'ingress');
  policy.egress = parseRules(ctx, spec, 'egress');
  const typesNode = getNode(spec, 'policyTypes');
  if (typesNode && isSeq(typesNode)) {
    const declared: PolicyType[] = [];
    for (const t of typesNode.items as Node[]) {
      const v = isScalar(t) ? t.value : undefined;
      if (v === 'Ingress' || v === 'Egress') {
        if (!declared.includes(v)) declared.push(v);
      } else ctx.report('invalid-field', 'error', `Unknown policy type "${String(v)}"; use Ingress or Egress.`, t);
    }
    policy.declaredPolicyTypes = declared;
  } else if (typesNode && !(isScalar(typesNode) && typesNode.value === null)) {
    ctx.report('invalid-field', 'error', '`policyTypes` must be a list of Ingress and/or Egress.', typesNode);
  }
  // Defaulting (k8s.io/api networking/v1 NetworkPolicySpec.policyTypes): when absent, Ingress is always set,
  // and Egress is set when the policy has at least one egress rule.
  if (policy.declaredPolicyTypes && policy.declaredPolicyTypes.length > 0) policy.policyTypes = [...policy.declaredPolicyTypes];
  else policy.policyTypes = policy.egress && policy.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  return policy;
}
