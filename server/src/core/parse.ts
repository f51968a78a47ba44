// Multi-document YAML -> typed model (model.ts), keeping the source range of every node we use.
// Never throws: syntax errors and unusable values become diagnostics; the rest of the input still counts.
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import type { Document, Node, Pair, YAMLMap } from 'yaml';
import type {
  Cluster,
  ContainerPort,
  Diagnostic,
  IPBlock,
  Labels,
  LabelSelector,
  Namespace,
  NetworkPolicy,
  Peer,
  PolicyPort,
  PolicyRule,
  PolicyType,
  Protocol,
  SelectorOperator,
  SelectorRequirement,
  Severity,
  SourceRange,
  Workload,
} from './model';
import { isCalicoApiVersion, isModeledCalicoKind, parseCalicoObject } from './calico/parse';
import { isCalicoNetworkSet, isCalicoPolicy, isCalicoTier } from './calico/model';

export interface InputFile {
  path: string;
  text: string;
}

export interface ParseOptions {
  /** Namespace assumed for namespaced objects without metadata.namespace. Default `default`. */
  defaultNamespace?: string;
}

/** Hook for other API groups (Calico): given one object, return true when it was handled. */
export type ExtraObjectHandler = (obj: YAMLMap, ctx: ParseContext, apiVersion: string, kind: string) => boolean;

const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job']);
const PROTOCOL_NAMES: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];
const SELECTOR_OPERATORS: readonly SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** Per-document parsing context. */
export class ParseContext {
  constructor(
    readonly file: string,
    readonly doc: number,
    readonly lineCounter: LineCounter,
    readonly defaultNamespace: string,
    readonly diagnostics: Diagnostic[],
    /** The file text (lets the Calico parser map selector offsets through YAML quoting). */
    readonly text?: string,
  ) {}

  rangeOf(node: Node | Pair | null | undefined, fallback?: SourceRange): SourceRange | undefined {
    const r = node && 'range' in node ? node.range : node && isPairLike(node) ? pairRange(node) : undefined;
    if (!r) return fallback;
    return this.rangeAt(r[0], r[1]);
  }

  rangeAt(startOffset: number, endOffset: number): SourceRange {
    const s = this.lineCounter.linePos(startOffset);
    const e = this.lineCounter.linePos(endOffset);
    return {
      file: this.file,
      doc: this.doc,
      start: { line: s.line - 1, character: s.col - 1 },
      end: { line: e.line - 1, character: e.col - 1 },
      startOffset,
      endOffset,
    };
  }

  report(code: string, severity: Severity, message: string, node: Node | Pair | null | undefined, fallback?: SourceRange): void {
    const range = this.rangeOf(node, fallback);
    if (range) this.diagnostics.push({ code, severity, message, range });
  }
}

function isPairLike(n: unknown): n is Pair {
  return !!n && typeof n === 'object' && 'key' in n && 'value' in n;
}

function pairRange(p: Pair): [number, number] | undefined {
  const k = p.key as Node | null;
  const v = p.value as Node | null;
  const start = k?.range?.[0] ?? v?.range?.[0];
  const end = v?.range?.[1] ?? k?.range?.[1];
  return start === undefined || end === undefined ? undefined : [start, end];
}

// ---------- small typed accessors over the YAML AST ----------

export function getPair(map: YAMLMap | undefined, key: string): Pair | undefined {
  if (!map) return undefined;
  return map.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair | undefined;
}

export function getNode(map: YAMLMap | undefined, key: string): Node | undefined {
  const p = getPair(map, key);
  return (p?.value ?? undefined) as Node | undefined;
}

function getMap(ctx: ParseContext, map: YAMLMap | undefined, key: string, required = false): YAMLMap | undefined {
  const p = getPair(map, key);
  if (!p) return undefined;
  const v = p.value as Node | null;
  if (v === null || (isScalar(v) && v.value === null)) return required ? undefined : undefined;
  if (isMap(v)) return v;
  ctx.report('invalid-field', 'error', `\`${key}\` must be a mapping (key: value pairs); this value is ignored.`, v ?? p);
  return undefined;
}

function getSeq(ctx: ParseContext, map: YAMLMap | undefined, key: string): Node[] | undefined {
  const p = getPair(map, key);
  if (!p) return undefined;
  const v = p.value as Node | null;
  if (v === null || (isScalar(v) && v.value === null)) return undefined;
  if (isSeq(v)) return v.items as Node[];
  ctx.report('invalid-field', 'error', `\`${key}\` must be a list; this value is ignored.`, v ?? p);
  return undefined;
}

function getString(ctx: ParseContext, map: YAMLMap | undefined, key: string): string | undefined {
  const v = getNode(map, key);
  if (v === undefined) return undefined;
  if (isScalar(v)) {
    if (v.value === null) return undefined;
    if (typeof v.value === 'string') return v.value;
    if (typeof v.value === 'number' || typeof v.value === 'boolean') return String(v.value);
  }
  ctx.report('invalid-field', 'error', `\`${key}\` must be a string; this value is ignored.`, v);
  return undefined;
}

function getLabels(ctx: ParseContext, map: YAMLMap | undefined, key: string): Labels {
  const m = getMap(ctx, map, key);
  const out: Labels = {};
  if (!m) return out;
  for (const p of m.items) {
    const k = isScalar(p.key) ? p.key.value : undefined;
    const v = p.value as Node | null;
    if (typeof k !== 'string' && typeof k !== 'number') {
      ctx.report('invalid-field', 'error', 'Label keys must be strings.', p.key as Node);
      continue;
    }
    if (v === null || (isScalar(v) && v.value === null)) {
      out[String(k)] = '';
      continue;
    }
    if (isScalar(v) && (typeof v.value === 'string' || typeof v.value === 'number' || typeof v.value === 'boolean')) {
      out[String(k)] = String(v.value);
      continue;
    }
    ctx.report('invalid-field', 'error', `Label \`${k}\` must have a string value.`, v);
  }
  return out;
}

// ---------- public entry ----------

export function parseFiles(files: InputFile[], opts: ParseOptions = {}, extra?: ExtraObjectHandler): Cluster {
  const cluster: Cluster = { namespaces: [], workloads: [], policies: [], diagnostics: [] };
  const b = new ClusterBuilder(cluster);
  for (const f of files) parseFileInto(f, opts, b, extra);
  b.finish();
  return cluster;
}

/** Parses one file's documents. Exposed for incremental callers (the language server parses per file). */
export function parseFileInto(f: InputFile, opts: ParseOptions, b: ClusterBuilder, extra?: ExtraObjectHandler): void {
  const lineCounter = new LineCounter();
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(f.text, { lineCounter, prettyErrors: false, uniqueKeys: true }) as Document.Parsed[];
  } catch (e) {
    // parseAllDocuments does not throw on bad YAML, but stay safe for unexpected input.
    const ctx = new ParseContext(f.path, 0, lineCounter, opts.defaultNamespace ?? 'default', b.cluster.diagnostics);
    b.cluster.diagnostics.push({ code: 'yaml-syntax', severity: 'error', message: `Cannot parse YAML: ${String(e)}`, range: ctx.rangeAt(0, 0) });
    return;
  }
  if (!Array.isArray(docs)) docs = [docs as unknown as Document.Parsed];
  docs.forEach((doc, i) => {
    const ctx = new ParseContext(f.path, i, lineCounter, opts.defaultNamespace ?? 'default', b.cluster.diagnostics, f.text);
    for (const err of doc.errors) {
      const [s, e] = err.pos;
      ctx.diagnostics.push({ code: 'yaml-syntax', severity: 'error', message: err.message.split('\n')[0], range: ctx.rangeAt(s, Math.max(e, s)) });
    }
    for (const w of doc.warnings) {
      const [s, e] = w.pos;
      ctx.diagnostics.push({ code: 'yaml-syntax', severity: 'warning', message: w.message.split('\n')[0], range: ctx.rangeAt(s, Math.max(e, s)) });
    }
    const root = doc.contents as Node | null;
    if (!root || (isScalar(root) && root.value === null)) return;
    if (!isMap(root)) return; // not a Kubernetes object (e.g. a bare list or scalar): ignore silently
    parseObject(root, ctx, b, extra);
  });
}

/** Collects objects, merging pods that belong to one owner into one workload. */
export class ClusterBuilder {
  private workloadsById = new Map<string, Workload>();
  private namespacesByName = new Map<string, Namespace>();
  constructor(readonly cluster: Cluster) {}

  addNamespace(ns: Namespace): void {
    const prev = this.namespacesByName.get(ns.name);
    if (prev) {
      Object.assign(prev.labels, ns.labels);
      return;
    }
    this.namespacesByName.set(ns.name, ns);
    this.cluster.namespaces.push(ns);
  }

  addWorkload(w: Workload, ctx: ParseContext): void {
    const prev = this.workloadsById.get(w.id);
    if (prev) {
      if (prev.kind === w.kind) {
        // Several pods of one owner, or the owner object plus its pods: one workload.
        if (!sameLabels(prev.labels, w.labels) && w.range) {
          ctx.diagnostics.push({
            code: 'workload-pods-differ',
            severity: 'info',
            message: `Pods of ${prev.kind} ${prev.id} have different labels; the reachability of ${prev.id} is computed from its first pod.`,
            range: w.range,
          });
        }
        prev.podCount += w.podCount;
        for (const p of w.ports) if (!prev.ports.some((q) => q.containerPort === p.containerPort && q.protocol === p.protocol && q.name === p.name)) prev.ports.push(p);
        return;
      }
      // A different kind with the same namespace/name: keep both, disambiguate the later id with its kind.
      w.id = `${w.id}[${w.kind}]`;
      if (this.workloadsById.has(w.id)) return;
    }
    this.workloadsById.set(w.id, w);
    this.cluster.workloads.push(w);
  }

  finish(): void {
    // Every namespace that holds a workload or a policy exists, even without a Namespace object.
    for (const w of this.cluster.workloads) this.ensureNamespace(w.namespace);
    for (const p of this.cluster.policies) this.ensureNamespace(p.namespace);
    for (const p of this.cluster.calico?.policies ?? []) if (p.metadata.namespace) this.ensureNamespace(p.metadata.namespace);
    // The control plane sets kubernetes.io/metadata.name on every namespace
    // (https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-metadata-name).
    for (const ns of this.cluster.namespaces) if (!('kubernetes.io/metadata.name' in ns.labels)) ns.labels['kubernetes.io/metadata.name'] = ns.name;
  }

  private ensureNamespace(name: string): void {
    if (!this.namespacesByName.has(name)) this.addNamespace({ name, labels: {} });
  }
}

function sameLabels(a: Labels, b: Labels): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

function parseObject(obj: YAMLMap, ctx: ParseContext, b: ClusterBuilder, extra?: ExtraObjectHandler, impliedKind?: string, impliedApiVersion?: string): void {
  // Items of a typed list (PodList, NamespaceList, ...) may omit kind/apiVersion: they are implied by the list.
  const kind = getString(ctx, obj, 'kind') ?? impliedKind;
  const apiVersion = getString(ctx, obj, 'apiVersion') ?? impliedApiVersion ?? '';
  if (!kind) return;
  if (extra && extra(obj, ctx, apiVersion, kind)) return;
  if (kind === 'List' || (kind.endsWith('List') && getPair(obj, 'items'))) {
    const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
    for (const item of getSeq(ctx, obj, 'items') ?? []) if (isMap(item)) parseObject(item, ctx, b, extra, itemKind, itemKind ? apiVersion : undefined);
    return;
  }
  if (isCalicoApiVersion(apiVersion) && isModeledCalicoKind(kind)) {
    const r = parseCalicoObject(obj, { file: ctx.file, docIndex: ctx.doc, lineCounter: ctx.lineCounter, defaultNamespace: ctx.defaultNamespace, text: ctx.text });
    ctx.diagnostics.push(...r.diagnostics);
    if (r.resource) {
      const c = (b.cluster.calico ??= { policies: [], networkSets: [], tiers: [] });
      if (isCalicoPolicy(r.resource)) c.policies.push(r.resource);
      else if (isCalicoNetworkSet(r.resource)) c.networkSets.push(r.resource);
      else if (isCalicoTier(r.resource)) c.tiers.push(r.resource);
    }
    return;
  }
  if (apiVersion.startsWith('projectcalico.org/')) return; // other Calico kinds (HostEndpoint, Profile, ...) are not modelled
  switch (kind) {
    case 'Namespace':
      parseNamespace(obj, ctx, b);
      return;
    case 'Pod':
      parsePod(obj, ctx, b);
      return;
    case 'CronJob': {
      const spec = getMap(ctx, obj, 'spec');
      const jobTemplate = getMap(ctx, spec, 'jobTemplate');
      const jobSpec = getMap(ctx, jobTemplate, 'spec');
      parseController(obj, getMap(ctx, jobSpec, 'template'), kind, ctx, b);
      return;
    }
    case 'NetworkPolicy':
      if (apiVersion === '' || apiVersion.startsWith('networking.k8s.io/') || apiVersion === 'extensions/v1beta1') {
        const p = parseNetworkPolicy(obj, ctx);
        if (p) b.cluster.policies.push(p);
      }
      return;
    default:
      if (POD_TEMPLATE_KINDS.has(kind)) parseController(obj, getMap(ctx, getMap(ctx, obj, 'spec'), 'template'), kind, ctx, b);
  }
}

function metaNameRange(ctx: ParseContext, meta: YAMLMap | undefined, obj: YAMLMap): SourceRange | undefined {
  return ctx.rangeOf(getNode(meta, 'name')) ?? ctx.rangeOf(obj);
}

function parseNamespace(obj: YAMLMap, ctx: ParseContext, b: ClusterBuilder): void {
  const meta = getMap(ctx, obj, 'metadata');
  const name = getString(ctx, meta, 'name');
  if (!name) {
    ctx.report('missing-name', 'error', 'Namespace has no metadata.name.', obj);
    return;
  }
  b.addNamespace({ name, labels: getLabels(ctx, meta, 'labels'), range: metaNameRange(ctx, meta, obj) });
}

function parseContainerPorts(ctx: ParseContext, podSpec: YAMLMap | undefined): ContainerPort[] {
  const out: ContainerPort[] = [];
  for (const listKey of ['containers', 'initContainers']) {
    for (const c of getSeq(ctx, podSpec, listKey) ?? []) {
      if (!isMap(c)) continue;
      for (const p of getSeq(ctx, c, 'ports') ?? []) {
        if (!isMap(p)) continue;
        const portNode = getNode(p, 'containerPort');
        if (!portNode || !isScalar(portNode) || typeof portNode.value !== 'number') continue;
        const protocol = (getString(ctx, p, 'protocol') ?? 'TCP') as Protocol;
        if (!PROTOCOL_NAMES.includes(protocol)) continue;
        out.push({ name: getString(ctx, p, 'name'), containerPort: portNode.value, protocol });
      }
    }
  }
  return out;
}

function parsePod(obj: YAMLMap, ctx: ParseContext, b: ClusterBuilder): void {
  const meta = getMap(ctx, obj, 'metadata');
  const name = getString(ctx, meta, 'name') ?? getString(ctx, meta, 'generateName');
  if (!name) {
    ctx.report('missing-name', 'error', 'Pod has no metadata.name.', obj);
    return;
  }
  const namespace = getString(ctx, meta, 'namespace') ?? ctx.defaultNamespace;
  const spec = getMap(ctx, obj, 'spec');
  // A pod created by a controller is shown as its owner (how netpol-analyzer and users think of workloads).
  let wlName = name;
  let wlKind = 'Pod';
  const owners = getSeq(ctx, meta, 'ownerReferences') ?? [];
  const owner = owners.filter(isMap).find((o) => getNode(o, 'controller') && (getNode(o, 'controller') as { value?: unknown }).value === true) ?? owners.filter(isMap)[0];
  if (owner && isMap(owner)) {
    const on = getString(ctx, owner, 'name');
    if (on) {
      wlName = on;
      wlKind = getString(ctx, owner, 'kind') || 'Pod';
    }
  }
  b.addWorkload(
    {
      id: `${namespace}/${wlName}`,
      kind: wlKind,
      namespace,
      name: wlName,
      labels: getLabels(ctx, meta, 'labels'),
      ports: parseContainerPorts(ctx, spec),
      serviceAccount: getString(ctx, spec, 'serviceAccountName') ?? getString(ctx, spec, 'serviceAccount'),
      range: metaNameRange(ctx, meta, obj),
      podCount: 1,
    },
    ctx,
  );
}

function parseController(obj: YAMLMap, template: YAMLMap | undefined, kind: string, ctx: ParseContext, b: ClusterBuilder): void {
  const meta = getMap(ctx, obj, 'metadata');
  const name = getString(ctx, meta, 'name');
  if (!name) {
    ctx.report('missing-name', 'error', `${kind} has no metadata.name.`, obj);
    return;
  }
  const namespace = getString(ctx, meta, 'namespace') ?? ctx.defaultNamespace;
  const tmeta = getMap(ctx, template, 'metadata');
  const tspec = getMap(ctx, template, 'spec');
  b.addWorkload(
    {
      id: `${namespace}/${name}`,
      kind,
      namespace,
      name,
      labels: getLabels(ctx, tmeta, 'labels'),
      ports: parseContainerPorts(ctx, tspec),
      serviceAccount: getString(ctx, tspec, 'serviceAccountName') ?? getString(ctx, tspec, 'serviceAccount'),
      range: metaNameRange(ctx, meta, obj),
      podCount: 0,
    },
    ctx,
  );
}

// ---------- NetworkPolicy ----------

export function parseLabelSelector(ctx: ParseContext, node: Node | null | undefined): LabelSelector {
  const sel: LabelSelector = { matchLabels: {}, matchExpressions: [], range: ctx.rangeOf(node ?? undefined) };
  if (!node || (isScalar(node) && node.value === null)) return sel;
  if (!isMap(node)) {
    ctx.report('invalid-field', 'error', 'A label selector must be a mapping with matchLabels and/or matchExpressions.', node);
    return invalidSelector(sel);
  }
  sel.matchLabels = getLabels(ctx, node, 'matchLabels');
  for (const item of getSeq(ctx, node, 'matchExpressions') ?? []) {
    if (!isMap(item)) {
      ctx.report('invalid-field', 'error', 'A matchExpressions entry must be a mapping with key, operator and values.', item);
      return invalidSelector(sel);
    }
    const key = getString(ctx, item, 'key');
    const op = getString(ctx, item, 'operator');
    const valuesNode = getNode(item, 'values');
    const values: string[] = [];
    if (valuesNode && isSeq(valuesNode)) for (const v of valuesNode.items) if (isScalar(v) && v.value !== null) values.push(String(v.value));
    if (!key) {
      ctx.report('invalid-field', 'error', 'matchExpressions entry has no key.', item);
      return invalidSelector(sel);
    }
    if (!op || !SELECTOR_OPERATORS.includes(op as SelectorOperator)) {
      ctx.report('invalid-field', 'error', `Unknown selector operator "${op ?? ''}"; use In, NotIn, Exists or DoesNotExist.`, getNode(item, 'operator') ?? item);
      return invalidSelector(sel);
    }
    const req: SelectorRequirement = { key, operator: op as SelectorOperator, values };
    sel.matchExpressions.push(req);
  }
  return sel;
}

/** The API server rejects an invalid selector; we model it as one that matches nothing. */
function invalidSelector(sel: LabelSelector): LabelSelector {
  sel.matchLabels = {};
  sel.matchExpressions = [{ key: '', operator: 'In', values: [] }];
  return sel;
}

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
