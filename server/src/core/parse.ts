// Multi-document YAML -> typed model (model.ts), keeping the source range of every node we use.
// Never throws: syntax errors and unusable values become diagnostics; the rest of the input still counts.
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, parseDocument } from 'yaml';
import type { Document, Node, YAMLMap } from 'yaml';
import type { Cluster, ContainerPort, Labels, Namespace, Protocol, Workload } from './model';
import { getMap, getNode, getPair, getSeq, getString, getLabels, metaNameRange, ParseContext } from './yaml';
import { parseNetworkPolicy } from './dialects/kubernetes/parse';
import { isCalicoApiVersion, isModeledCalicoKind, parseCalicoObject } from './dialects/calico/parse';
import { isCalicoNetworkSet, isCalicoPolicy, isCalicoTier } from './dialects/calico/model';
import { recordCniObject } from './dialects/cni-objects';
import { mergeCiliumInput } from './dialects/cilium/model';
import { clusterPolicyKindFor, parseClusterPolicy, parseNode } from './dialects/admin/parse';
import { POLICY_API_GROUP } from './dialects/admin/model';
import { parseIPv4, parseIPv6 } from './ip';

export { ParseContext, parseLabelSelector, getNode, getPair } from './yaml';

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

// ---------- public entry ----------

export function parseFiles(files: InputFile[], opts: ParseOptions = {}, extra?: ExtraObjectHandler): Cluster {
  const cluster: Cluster = { namespaces: [], workloads: [], policies: [], diagnostics: [] };
  const b = new ClusterBuilder(cluster);
  for (const f of files) parseFileInto(f, opts, b, extra);
  b.finish();
  return cluster;
}

/**
 * Merges clusters parsed per file (or per document) as parseFiles merges files: pods of one owner folded, namespaces
 * merged. The parts are not modified (namespaces and workloads are copied before the builder folds them).
 */
export function mergeClusters(parts: Cluster[], opts: ParseOptions = {}): Cluster {
  const cluster: Cluster = { namespaces: [], workloads: [], policies: [], diagnostics: [] };
  // The parts may belong to a cache (the lint project's documents): the builder copies an object before changing it.
  const b = new ClusterBuilder(cluster, true);
  const ctx = new ParseContext('', 0, new LineCounter(), opts.defaultNamespace ?? 'default', cluster.diagnostics);
  for (const m of parts) {
    // Namespaces a document only refers to are re-created by finish(); declared ones keep their range and labels.
    for (const ns of m.namespaces) if (ns.range) b.addNamespace(ns);
    for (const w of m.workloads) b.addWorkload(w, ctx);
    cluster.policies.push(...m.policies);
    if (m.calico) {
      const cc = (cluster.calico ??= { policies: [], networkSets: [], tiers: [] });
      cc.policies.push(...m.calico.policies);
      cc.networkSets.push(...m.calico.networkSets);
      cc.tiers.push(...m.calico.tiers);
    }
    mergeCiliumInput(cluster, m);
    if (m.cniMarkers) (cluster.cniMarkers ??= []).push(...m.cniMarkers);
    if (m.clusterPolicies) (cluster.clusterPolicies ??= []).push(...m.clusterPolicies);
    if (m.nodes) (cluster.nodes ??= []).push(...m.nodes);
    const lo = (m as Cluster & { leftOut?: unknown[] }).leftOut;
    if (lo) ((cluster as Cluster & { leftOut?: unknown[] }).leftOut ??= []).push(...lo);
    cluster.diagnostics.push(...m.diagnostics);
  }
  b.finish();
  return cluster;
}

/** Parses one file's documents. Exposed for incremental callers (the language server parses per file). */
export function parseFileInto(f: InputFile, opts: ParseOptions, b: ClusterBuilder, extra?: ExtraObjectHandler): void {
  if (f.text.length >= LARGE_LIST_BYTES && parseLargeList(f, opts, b, extra)) return;
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

/** Files at least this large that hold one List document are parsed item by item (bounded memory). */
export const LARGE_LIST_BYTES = 4 * 1024 * 1024;

/**
 * The items of a single-document List whose `items` is a block sequence at the start of a line (as
 * `kubectl get -A -o yaml` prints it), as [start, end) offsets; undefined when the text has another shape.
 * In a block sequence whose `-` indicators stand at column c, a line that starts with c spaces and `- ` begins the
 * next item: an item's own content is indented deeper, and so are continuation lines of its scalars.
 */
export function splitListItems(text: string): { items: [number, number][]; header: string } | undefined {
  const m = /^items:[ \t]*\r?\n/m.exec(text);
  if (!m) return undefined;
  const seqStart = m.index + m[0].length;
  const first = /^( *)-( |\r?\n)/.exec(text.slice(seqStart, seqStart + 200));
  if (!first) return undefined;
  const col = first[1].length;
  const items: [number, number][] = [];
  let itemStart = seqStart;
  let end = text.length;
  for (let ls = seqStart; ls < text.length; ) {
    let nl = text.indexOf('\n', ls);
    if (nl < 0) nl = text.length;
    let i = ls;
    while (i < nl && text.charCodeAt(i) === 32) i++;
    const ind = i - ls;
    const c = text.charCodeAt(i);
    const blank = i >= nl || c === 13 || c === 35; /* empty, CR only, or a comment */
    if (!blank) {
      const dash = c === 45 && (i + 1 >= nl || text.charCodeAt(i + 1) === 32 || text.charCodeAt(i + 1) === 13);
      if (ind === col && dash) {
        if (ls > itemStart) items.push([itemStart, ls]);
        itemStart = ls;
      } else if (ind <= col) {
        end = ls;
        break;
      }
    }
    ls = nl + 1;
  }
  if (end > itemStart) items.push([itemStart, end]);
  // Document separators anywhere mean more than one document: not this shape.
  const sep = /^(---|\.\.\.)(\s|$)/m;
  if (sep.test(text.slice(0, m.index)) || sep.test(text.slice(end))) return undefined;
  return { items, header: text.slice(0, m.index) + text.slice(end) };
}

/** Parses a large single-document List item by item; false when the text is not of that shape. */
function parseLargeList(f: InputFile, opts: ParseOptions, b: ClusterBuilder, extra?: ExtraObjectHandler): boolean {
  const split = splitListItems(f.text);
  if (!split) return false;
  const header = parseAllDocuments(split.header, { prettyErrors: false });
  if (!Array.isArray(header) || header.length !== 1 || header[0].errors.length) return false;
  const head = header[0].contents as Node | null;
  if (!head || !isMap(head)) return false;
  const kindNode = getNode(head as YAMLMap, 'kind');
  const kind = kindNode && isScalar(kindNode) && typeof kindNode.value === 'string' ? kindNode.value : undefined;
  if (!kind || !(kind === 'List' || kind.endsWith('List'))) return false;
  const apiNode = getNode(head as YAMLMap, 'apiVersion');
  const apiVersion = apiNode && isScalar(apiNode) && typeof apiNode.value === 'string' ? apiNode.value : undefined;
  const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
  const lineCounter = new LineCounter();
  lineCounter.addNewLine(0);
  for (let i = f.text.indexOf('\n'); i >= 0; i = f.text.indexOf('\n', i + 1)) lineCounter.addNewLine(i + 1);
  const ns = opts.defaultNamespace ?? 'default';
  for (const [s, e] of split.items) {
    const chunk = f.text.slice(s, e);
    const doc = parseDocument(chunk, { prettyErrors: false, uniqueKeys: true });
    const ctx = new ParseContext(f.path, 0, lineCounter, ns, b.cluster.diagnostics, chunk, s);
    for (const err of doc.errors) ctx.diagnostics.push({ code: 'yaml-syntax', severity: 'error', message: err.message.split('\n')[0], range: ctx.rangeAt(err.pos[0], Math.max(err.pos[1], err.pos[0])) });
    const seq = doc.contents as Node | null;
    if (!seq || !isSeq(seq)) continue;
    for (const item of seq.items) if (isMap(item)) parseObject(item, ctx, b, extra, itemKind, itemKind ? apiVersion : undefined);
  }
  return true;
}

/** Collects objects, merging pods that belong to one owner into one workload. */
export class ClusterBuilder {
  private workloadsById = new Map<string, Workload>();
  private namespacesByName = new Map<string, Namespace>();
  /** With `shared`, the objects added belong to someone else (a cache): they are copied before any change. */
  private readonly owned = new Set<object>();
  private readonly position = new Map<object, number>();
  constructor(
    readonly cluster: Cluster,
    private readonly shared = false,
  ) {}

  /** The object itself, or (when objects are shared) a copy the builder may change, put in its place. */
  private writable<T extends Workload | Namespace>(x: T, list: T[], byKey: Map<string, T>, key: string): T {
    if (!this.shared || this.owned.has(x)) return x;
    const copy = { ...x, labels: { ...x.labels } } as T;
    if ('ports' in copy) (copy as Workload).ports = [...(copy as Workload).ports];
    this.owned.add(copy);
    const at = this.position.get(x) ?? list.indexOf(x);
    list[at] = copy;
    this.position.set(copy, at);
    byKey.set(key, copy);
    return copy;
  }

  addNamespace(ns: Namespace): void {
    const prev = this.namespacesByName.get(ns.name);
    if (prev) {
      Object.assign(this.writable(prev, this.cluster.namespaces, this.namespacesByName, ns.name).labels, ns.labels);
      return;
    }
    this.namespacesByName.set(ns.name, ns);
    if (this.shared) this.position.set(ns, this.cluster.namespaces.length);
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
        const own = this.writable(prev, this.cluster.workloads, this.workloadsById, w.id);
        own.podCount += w.podCount;
        if (w.ips?.length) own.ips = [...(own.ips ?? []), ...w.ips.filter((ip) => !own.ips?.includes(ip))];
        for (const p of w.ports) if (!own.ports.some((q) => q.containerPort === p.containerPort && q.protocol === p.protocol && q.name === p.name)) own.ports.push(p);
        return;
      }
      // A different kind with the same namespace/name: keep both, disambiguate the later id with its kind.
      if (this.shared) w = { ...w };
      w.id = `${w.id}[${w.kind}]`;
      if (this.workloadsById.has(w.id)) return;
    }
    this.workloadsById.set(w.id, w);
    if (this.shared) this.position.set(w, this.cluster.workloads.length);
    this.cluster.workloads.push(w);
  }

  finish(): void {
    // Every namespace that holds a workload or a policy exists, even without a Namespace object.
    if (this.shared) for (const ns of this.cluster.namespaces) if (!('kubernetes.io/metadata.name' in ns.labels)) this.writable(ns, this.cluster.namespaces, this.namespacesByName, ns.name);
    for (const w of this.cluster.workloads) this.ensureNamespace(w.namespace);
    for (const p of this.cluster.policies) this.ensureNamespace(p.namespace);
    for (const p of this.cluster.calico?.policies ?? []) if (p.metadata.namespace) this.ensureNamespace(p.metadata.namespace);
    for (const p of this.cluster.cilium?.policies ?? []) if (p.namespace) this.ensureNamespace(p.namespace);
    // (ClusterNetworkPolicies are cluster-scoped: they name no namespace.)
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
  // cilium.io objects, cilium-config, Calico installation objects: which CNI runs the cluster (core/policy/cni.ts).
  if (recordCniObject(obj, ctx, b.cluster, apiVersion, kind)) return;
  if (isCalicoApiVersion(apiVersion) && isModeledCalicoKind(kind)) {
    const r = parseCalicoObject(obj, { file: ctx.file, docIndex: ctx.doc, lineCounter: ctx.lineCounter, defaultNamespace: ctx.defaultNamespace, text: ctx.text, offsetBase: ctx.offsetBase });
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
  const cpKind = clusterPolicyKindFor(apiVersion, kind);
  if (cpKind) {
    const p = parseClusterPolicy(obj, ctx, apiVersion, cpKind);
    if (p) (b.cluster.clusterPolicies ??= []).push(p);
    return;
  }
  if (apiVersion.startsWith(`${POLICY_API_GROUP}/`)) return; // other versions/kinds of the group are not modelled
  switch (kind) {
    case 'Namespace':
      parseNamespace(obj, ctx, b);
      return;
    case 'Pod':
      parsePod(obj, ctx, b);
      return;
    case 'Node':
      if (apiVersion === '' || apiVersion === 'v1') {
        const n = parseNode(obj, ctx);
        if (n) (b.cluster.nodes ??= []).push(n);
      }
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
  const ips = parsePodIPs(ctx, obj);
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
      ...(ips.length ? { ips } : {}),
    },
    ctx,
  );
}

/** status.podIP and status.podIPs[].ip (valid IPv4/IPv6 addresses, each once). */
function parsePodIPs(ctx: ParseContext, obj: YAMLMap): string[] {
  const status = getMap(ctx, obj, 'status');
  if (!status) return [];
  const out: string[] = [];
  const add = (n: Node | undefined) => {
    if (!n || !isScalar(n) || typeof n.value !== 'string') return;
    const v = n.value.trim();
    if (parseIPv4(v) === undefined && parseIPv6(v) === undefined) {
      ctx.report('invalid-field', 'warning', `"${v}" is not an IP address; it is ignored.`, n);
      return;
    }
    if (!out.includes(v)) out.push(v);
  };
  add(getNode(status, 'podIP'));
  for (const item of getSeq(ctx, status, 'podIPs') ?? []) if (isMap(item)) add(getNode(item, 'ip'));
  return out;
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

