// Multi-document YAML -> typed model (model.ts), keeping the source range of every node we use.
// Never throws: syntax errors and unusable values become diagnostics; the rest of the input still counts.
//
// One pipeline for every caller: core/documents.ts splits a file into documents and parses each once (parseChunk);
// documentModel reads one parsed document into a per-document Cluster (ranges relative to the document);
// mergeDocumentModel adds it to a ClusterBuilder. parseFiles (CLI, playground, tests) and the language server's
// LintProject (which caches the parsed documents) both go through these functions.
import { isMap, isScalar, isSeq } from 'yaml';
import type { Node, YAMLMap } from 'yaml';
import type { Cluster, ContainerPort, Diagnostic, Labels, Namespace, Protocol, SourceRange, Workload } from './model';
import { getMap, getNode, getPair, getSeq, getString, getLabels, metaNameRange, ParseContext } from './yaml';
import { parseNetworkPolicy } from './dialects/kubernetes/parse';
import { isCalicoApiVersion, isModeledCalicoKind, parseCalicoObject, suggest } from './dialects/calico/parse';
import { CALICO_KINDS, isCalicoNetworkSet, isCalicoPolicy, isCalicoTier } from './dialects/calico/model';
import { recordCniObject } from './dialects/cni-objects';
import { mergeCiliumInput } from './dialects/cilium/model';
import { clusterPolicyKindFor, parseClusterPolicy, parseNode } from './dialects/admin/parse';
import { parseIPv4, parseIPv6 } from './ip';
import { parseChunk, splitDocuments, type ParsedChunk } from './documents';
import { LineIndex } from './lines';
import { notModelledMessage, unmodelledKind } from './unmodelled';

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

export function emptyCluster(): Cluster {
  return { namespaces: [], workloads: [], policies: [], diagnostics: [], leftOut: [] };
}

// ---------- public entry ----------

export function parseFiles(files: InputFile[], opts: ParseOptions = {}, extra?: ExtraObjectHandler): Cluster {
  const cluster = emptyCluster();
  const b = new ClusterBuilder(cluster);
  for (const f of files) parseFileInto(f, opts, b, extra);
  b.finish();
  return cluster;
}

/**
 * Merges clusters parsed per file (or per document) as parseFiles merges files: pods of one owner folded, namespaces
 * merged. The parts are not modified (the builder copies a namespace or workload before it changes it).
 */
export function mergeClusters(parts: Cluster[], _opts: ParseOptions = {} /* accepted for callers; the merge needs no option */): Cluster {
  const cluster = emptyCluster();
  // The parts may belong to a cache (the lint project's documents): the builder copies an object before changing it.
  const b = new ClusterBuilder(cluster, true);
  for (const m of parts) mergeDocumentModel(b, m);
  b.finish();
  return cluster;
}

/** Parses one file's documents into a builder. */
export function parseFileInto(f: InputFile, opts: ParseOptions, b: ClusterBuilder, extra?: ExtraObjectHandler): void {
  if (f.text.length >= LARGE_LIST_BYTES && parseLargeList(f, opts, b, extra)) return;
  for (const c of splitDocuments(f.text)) {
    const model = documentModel(parseChunk(c.text), f.path, opts, extra);
    shiftRanges(collectRanges(model), c.startLine, c.startOffset, c.docIndex);
    mergeDocumentModel(b, model);
  }
}

/**
 * The model of one parsed document (a chunk of splitDocuments). Ranges are relative to the document: offsets into
 * `parsed.text`, lines from its first line, `doc` 0; shiftRanges moves them to the document's place in its file.
 */
export function documentModel(parsed: ParsedChunk, file: string, opts: ParseOptions = {}, extra?: ExtraObjectHandler): Cluster {
  const cluster = emptyCluster();
  const ctx = new ParseContext(file, 0, parsed.lines, opts.defaultNamespace ?? 'default', cluster.diagnostics, parsed.text);
  try {
    for (const err of parsed.doc.errors) ctx.diagnostics.push({ code: 'yaml-syntax', severity: 'error', message: firstLine(err.message), range: ctx.rangeAt(err.pos[0], err.pos[1]) });
    for (const w of parsed.doc.warnings) ctx.diagnostics.push({ code: 'yaml-syntax', severity: 'warning', message: firstLine(w.message), range: ctx.rangeAt(w.pos[0], w.pos[1]) });
    for (const p of parsed.aliasProblems) ctx.diagnostics.push({ code: p.code, severity: 'error', message: p.message, range: ctx.rangeAt(p.start, p.end) });
    if (parsed.aliasBomb) return cluster; // the API server rejects the document: it holds no object
    const root = parsed.doc.contents as Node | null;
    if (!root || (isScalar(root) && root.value === null)) return cluster;
    if (!isMap(root)) return cluster; // not a Kubernetes object (e.g. a bare list or scalar): ignore silently
    parseObject(root, ctx, new ClusterBuilder(cluster), extra);
  } catch (e) {
    // The parsers never throw by contract; if one does, say so instead of taking the caller down.
    cluster.diagnostics.push({ code: 'np-internal', severity: 'error', message: `Policy Lens could not read this document: ${String(e)}`, range: ctx.rangeAt(0, 0) });
  }
  return cluster;
}

function firstLine(s: string): string {
  const i = s.search(/[\r\n]/);
  return i < 0 ? s : s.slice(0, i);
}

function isRange(v: object): v is SourceRange {
  return 'startOffset' in v && 'endOffset' in v && 'start' in v && 'file' in v;
}

/** Every SourceRange object reachable from a value (each object once). */
export function collectRanges(v: unknown): SourceRange[] {
  const out = new Set<SourceRange>();
  const stack: unknown[] = [v];
  while (stack.length) {
    const x = stack.pop();
    if (Array.isArray(x)) {
      for (const y of x) if (y && typeof y === 'object') stack.push(y);
    } else if (x && typeof x === 'object') {
      if (isRange(x)) {
        out.add(x);
        continue;
      }
      for (const y of Object.values(x)) if (y && typeof y === 'object') stack.push(y);
    }
  }
  return [...out];
}

/** Moves ranges (in place) by whole lines, offsets and document indexes. */
export function shiftRanges(ranges: SourceRange[], dLine: number, dOffset: number, dDoc: number): void {
  if (dLine === 0 && dOffset === 0 && dDoc === 0) return;
  for (const r of ranges) {
    r.start.line += dLine;
    r.end.line += dLine;
    r.startOffset += dOffset;
    r.endOffset += dOffset;
    r.doc += dDoc;
  }
}

/**
 * Adds one document's model to a cluster under construction. With a shared builder (`new ClusterBuilder(c, true)`)
 * the model is not modified, so cached document models can be merged again and again.
 */
export function mergeDocumentModel(b: ClusterBuilder, m: Cluster): void {
  const cluster = b.cluster;
  // Namespaces a document only refers to are re-created by finish(); declared ones keep their range and labels.
  for (const ns of m.namespaces) if (ns.range) b.addNamespace(ns);
  for (const w of m.workloads) b.addWorkload(w, cluster.diagnostics);
  for (const p of m.policies) cluster.policies.push(p);
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
  for (const o of m.leftOut) cluster.leftOut.push(o);
  for (const d of m.diagnostics) cluster.diagnostics.push(d);
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
  const lines = new LineIndex(text);
  let itemsLine = -1;
  for (let l = 0; l < lines.lineCount && itemsLine < 0; l++) if (/^items:[ \t]*$/.test(lines.lineText(l))) itemsLine = l;
  if (itemsLine < 0 || itemsLine + 1 >= lines.lineCount) return undefined;
  const headerEnd = lines.lineStart(itemsLine);
  const seqStart = lines.lineStart(itemsLine + 1);
  const first = /^( *)-( |$)/.exec(lines.lineText(itemsLine + 1));
  if (!first) return undefined;
  const col = first[1].length;
  const items: [number, number][] = [];
  let itemStart = seqStart;
  let end = text.length;
  for (let l = itemsLine + 1; l < lines.lineCount; l++) {
    const t = lines.lineText(l);
    let i = 0;
    while (i < t.length && t.charCodeAt(i) === 32) i++;
    if (i >= t.length || t.charCodeAt(i) === 35) continue; // blank or a comment
    const ls = lines.lineStart(l);
    const dash = t.charCodeAt(i) === 45 && (i + 1 >= t.length || t.charCodeAt(i + 1) === 32);
    if (i === col && dash) {
      if (ls > itemStart) items.push([itemStart, ls]);
      itemStart = ls;
    } else if (i <= col) {
      end = ls;
      break;
    }
  }
  if (end > itemStart) items.push([itemStart, end]);
  // Document separators anywhere mean more than one document: not this shape.
  const sep = /^(---|\.\.\.)(\s|$)/m;
  if (sep.test(text.slice(0, headerEnd)) || sep.test(text.slice(end))) return undefined;
  return { items, header: text.slice(0, headerEnd) + text.slice(end) };
}

/**
 * Parses a large single-document List item by item (each item parsed once with parseChunk, ranges shifted to the
 * file); false when the text is not of that shape, or uses aliases (which may cross items).
 */
function parseLargeList(f: InputFile, opts: ParseOptions, b: ClusterBuilder, extra?: ExtraObjectHandler): boolean {
  if (f.text.indexOf('*') >= 0) return false;
  const split = splitListItems(f.text);
  if (!split) return false;
  const header = parseChunk(split.header);
  if (header.doc.errors.length) return false;
  const head = header.doc.contents as Node | null;
  if (!head || !isMap(head)) return false;
  const kindNode = getNode(head as YAMLMap, 'kind');
  const kind = kindNode && isScalar(kindNode) && typeof kindNode.value === 'string' ? kindNode.value : undefined;
  if (!kind || !(kind === 'List' || kind.endsWith('List'))) return false;
  const apiNode = getNode(head as YAMLMap, 'apiVersion');
  const apiVersion = apiNode && isScalar(apiNode) && typeof apiNode.value === 'string' ? apiNode.value : undefined;
  const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
  const lines = new LineIndex(f.text);
  const ns = opts.defaultNamespace ?? 'default';
  for (const [s, e] of split.items) {
    const parsed = parseChunk(f.text.slice(s, e));
    const model = emptyCluster();
    const ctx = new ParseContext(f.path, 0, parsed.lines, ns, model.diagnostics, parsed.text);
    for (const err of parsed.doc.errors) ctx.diagnostics.push({ code: 'yaml-syntax', severity: 'error', message: firstLine(err.message), range: ctx.rangeAt(err.pos[0], err.pos[1]) });
    const seq = parsed.doc.contents as Node | null;
    if (seq && isSeq(seq)) {
      const ib = new ClusterBuilder(model);
      for (const item of seq.items) if (isMap(item)) parseObject(item, ctx, ib, extra, itemKind, itemKind ? apiVersion : undefined);
    }
    shiftRanges(collectRanges(model), lines.lineAt(s), s, 0);
    mergeDocumentModel(b, model);
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

  addWorkload(w: Workload, diagnostics: Diagnostic[]): void {
    const prev = this.workloadsById.get(w.id);
    if (prev) {
      if (prev.kind === w.kind) {
        // Several pods of one owner, or the owner object plus its pods: one workload.
        if (!sameLabels(prev.labels, w.labels) && w.range) {
          diagnostics.push({
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
    const r = parseCalicoObject(obj, { file: ctx.file, docIndex: ctx.doc, lines: ctx.lines, defaultNamespace: ctx.defaultNamespace, text: ctx.text });
    ctx.diagnostics.push(...r.diagnostics);
    if (r.resource) {
      const c = (b.cluster.calico ??= { policies: [], networkSets: [], tiers: [] });
      if (isCalicoPolicy(r.resource)) c.policies.push(r.resource);
      else if (isCalicoNetworkSet(r.resource)) c.networkSets.push(r.resource);
      else if (isCalicoTier(r.resource)) c.tiers.push(r.resource);
    }
    return;
  }
  if (isCalicoApiVersion(apiVersion)) {
    // A misspelt modelled kind is an error (Calico rejects it), not an unmodelled kind.
    const s = suggest(kind, CALICO_KINDS);
    if (s && s !== kind && !unmodelledCalicoKind(kind)) {
      ctx.report('calico-kind-unsupported', 'error', `Unknown Calico kind "${kind}"; did you mean "${s}"?`, getNode(obj, 'kind') ?? obj);
      return;
    }
  }
  const cpKind = clusterPolicyKindFor(apiVersion, kind);
  if (cpKind) {
    const p = parseClusterPolicy(obj, ctx, apiVersion, cpKind);
    if (p) (b.cluster.clusterPolicies ??= []).push(p);
    return;
  }
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
        return;
      }
      break;
    default:
      if (POD_TEMPLATE_KINDS.has(kind)) {
        parseController(obj, getMap(ctx, getMap(ctx, obj, 'spec'), 'template'), kind, ctx, b);
        return;
      }
  }
  // No parser handled the object: a network-policy kind we do not model is left out, with a word.
  if (unmodelledKind(apiVersion, kind)) leaveOut(obj, ctx, b, apiVersion, kind);
}

/** projectcalico.org/v3 kinds that exist but are not modelled (https://docs.tigera.io/calico/latest/reference/resources/). */
const OTHER_CALICO_KINDS = new Set([
  'BGPConfiguration', 'BGPFilter', 'BGPPeer', 'BlockAffinity', 'CalicoNodeStatus', 'ClusterInformation', 'FelixConfiguration',
  'HostEndpoint', 'IPAMConfiguration', 'IPPool', 'IPReservation', 'KubeControllersConfiguration', 'Node', 'Profile',
  'StagedKubernetesNetworkPolicy', 'WorkloadEndpoint',
]);

function unmodelledCalicoKind(kind: string): boolean {
  return OTHER_CALICO_KINDS.has(kind);
}

function leaveOut(obj: YAMLMap, ctx: ParseContext, b: ClusterBuilder, apiVersion: string, kind: string): void {
  const meta = getMap(ctx, obj, 'metadata');
  const nameNode = getNode(meta, 'name');
  const range = ctx.rangeOf(getNode(obj, 'kind')) ?? ctx.rangeOf(nameNode) ?? ctx.rangeOf(obj);
  if (!range) return;
  const name = nameNode && isScalar(nameNode) && nameNode.value !== null ? String(nameNode.value) : '';
  const nsNode = getNode(meta, 'namespace');
  const namespace = nsNode && isScalar(nsNode) && nsNode.value !== null ? String(nsNode.value) : undefined;
  b.cluster.leftOut.push({ kind, apiVersion, name, namespace, range });
  ctx.diagnostics.push({ code: 'kind-not-modelled', severity: 'info', message: notModelledMessage(apiVersion, kind), range });
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
    ctx.diagnostics,
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
    ctx.diagnostics,
  );
}

// ---------- NetworkPolicy ----------

