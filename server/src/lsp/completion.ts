// Completion: fields and enum values from the JSON Schemas per kind and position; label keys/values
// and namespace names from the workspace; named ports of the selected pods; policy snippets.
import { CompletionItemKind, InsertTextFormat, type CompletionItem, type CompletionList } from 'vscode-languageserver';
import type { NetworkPolicy, Workload } from '../core/model';
import type { LintProject, ProjectResult } from '../core/lint/project';
import { LineIndex } from '../core/lines';
import type { WorkspaceFacts } from '../core/lint/workspace-rules';
import { cursorContext, textLines, type CursorContext } from './yaml-path';
import { resolve, schemaAt, typesOf, type SchemaNode, type SchemaRegistry } from './schemas';
import { policyAt } from './hover';
import { CILIUM_ENTITIES, CLUSTER_LABEL, ENTITY_DOCS, NAMESPACE_LABELS_PREFIX, POD_NAMESPACE_LABEL, SERVICE_ACCOUNT_LABEL } from '../core/dialects/cilium/model';
import { isIdentityLabel } from '../core/dialects/cilium/labels';

const NP_HEAD = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${1:name}\n  namespace: ${2:namespace}\nspec:\n';

export const POLICY_SNIPPETS: { label: string; detail: string; body: string }[] = [
  {
    label: 'NetworkPolicy: default deny all (ingress + egress)',
    detail: 'Isolate every pod of the namespace in both directions',
    body: NP_HEAD.replace('${1:name}', '${1:default-deny-all}') + '  podSelector: {}\n  policyTypes:\n    - Ingress\n    - Egress\n',
  },
  {
    label: 'NetworkPolicy: default deny ingress',
    detail: 'Isolate every pod of the namespace for ingress',
    body: NP_HEAD.replace('${1:name}', '${1:default-deny-ingress}') + '  podSelector: {}\n  policyTypes:\n    - Ingress\n',
  },
  {
    label: 'NetworkPolicy: allow DNS egress',
    detail: 'Allow UDP/TCP 53 to kube-dns in kube-system',
    body:
      NP_HEAD.replace('${1:name}', '${1:allow-dns}') +
      '  podSelector: {}\n  policyTypes:\n    - Egress\n  egress:\n    - to:\n        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: kube-system\n          podSelector:\n            matchLabels:\n              k8s-app: kube-dns\n      ports:\n        - protocol: UDP\n          port: 53\n        - protocol: TCP\n          port: 53\n',
  },
  {
    label: 'NetworkPolicy: allow from namespace',
    detail: 'Allow ingress to selected pods from pods of another namespace',
    body:
      NP_HEAD.replace('${1:name}', '${1:allow-from-namespace}') +
      '  podSelector:\n    matchLabels:\n      ${3:app}: ${4:api}\n  policyTypes:\n    - Ingress\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: ${5:frontend}\n      ports:\n        - protocol: TCP\n          port: ${6:8080}\n',
  },
  {
    label: 'ClusterNetworkPolicy: Admin deny from namespaces',
    detail: 'Admin tier (before NetworkPolicies): deny ingress from some namespaces',
    body:
      'apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata:\n  name: ${1:deny-from-dev}\nspec:\n  tier: Admin\n  priority: ${2:10}\n  subject:\n    namespaces:\n      matchLabels:\n        ${3:team}: ${4:data}\n  ingress:\n    - name: ${5:deny-dev}\n      action: Deny\n      from:\n        - namespaces:\n            matchLabels:\n              ${6:env}: ${7:dev}\n',
  },
  {
    label: 'ClusterNetworkPolicy: Baseline default deny',
    detail: 'Baseline tier (after NetworkPolicies): deny traffic between namespaces unless a NetworkPolicy allows it',
    body:
      'apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata:\n  name: ${1:baseline-deny}\nspec:\n  tier: Baseline\n  priority: ${2:100}\n  subject:\n    namespaces: {}\n  ingress:\n    - name: deny-all\n      action: Deny\n      from:\n        - namespaces: {}\n',
  },
];

const CNP_HEAD = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: ${1:name}\n  namespace: ${2:namespace}\nspec:\n';

POLICY_SNIPPETS.push(
  {
    label: 'CiliumNetworkPolicy: allow from endpoints on a port',
    detail: 'Default-deny ingress for the selected pods, allowing one port from pods with a label',
    body:
      CNP_HEAD.replace('${1:name}', '${1:allow-from-frontend}') +
      '  endpointSelector:\n    matchLabels:\n      ${3:app}: ${4:api}\n  ingress:\n    - fromEndpoints:\n        - matchLabels:\n            ${5:app}: ${6:frontend}\n      toPorts:\n        - ports:\n            - port: "${7:8080}"\n              protocol: TCP\n',
  },
  {
    label: 'CiliumNetworkPolicy: default deny (ingress + egress) with DNS',
    detail: 'Every pod of the namespace in default-deny both ways; DNS to kube-dns stays allowed (with DNS visibility for toFQDNs)',
    body:
      CNP_HEAD.replace('${1:name}', '${1:default-deny}') +
      '  endpointSelector: {}\n  ingress:\n    - {}\n  egress:\n    - toEndpoints:\n        - matchLabels:\n            k8s:io.kubernetes.pod.namespace: kube-system\n            k8s:k8s-app: kube-dns\n      toPorts:\n        - ports:\n            - port: "53"\n              protocol: ANY\n          rules:\n            dns:\n              - matchPattern: "*"\n',
  },
  {
    label: 'CiliumClusterwideNetworkPolicy: deny ingress from outside the cluster',
    detail: 'A deny rule (wins over every allow) that does not put pods in default-deny',
    body: 'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: ${1:deny-world-ingress}\nspec:\n  endpointSelector: {}\n  enableDefaultDeny:\n    ingress: false\n  ingressDeny:\n    - fromEntities:\n        - world\n',
  },
);

const RULE_SNIPPETS = {
  egress: { label: 'rule: allow DNS', body: 'to:\n  - namespaceSelector:\n      matchLabels:\n        kubernetes.io/metadata.name: kube-system\n    podSelector:\n      matchLabels:\n        k8s-app: kube-dns\nports:\n  - protocol: UDP\n    port: 53\n  - protocol: TCP\n    port: 53' },
  ingress: { label: 'rule: allow from namespace', body: 'from:\n  - namespaceSelector:\n      matchLabels:\n        kubernetes.io/metadata.name: ${1:namespace}\nports:\n  - protocol: TCP\n    port: ${2:8080}' },
};

function indentBody(body: string, col: number): string {
  return new LineIndex(body)
    .lines()
    .map((l, i) => (i === 0 || l === '' ? l : ' '.repeat(col) + l))
    .join('\n');
}

function escapeSnippet(s: string): string {
  return s.replace(/[$}\\]/g, '\\$&');
}

function docNamespace(index: LineIndex, ctx: CursorContext): string | undefined {
  const lines = textLines(index);
  let inMeta = false;
  for (let i = ctx.docStart; i <= ctx.docEnd && i < lines.length; i++) {
    const l = lines.at(i);
    if (/^metadata\s*:/.test(l)) inMeta = true;
    else if (/^\S/.test(l)) inMeta = false;
    const m = inMeta ? /^\s+namespace\s*:\s*["']?([a-z0-9-]+)/.exec(l) : null;
    if (m) return m[1];
  }
  return undefined;
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** Where the selector at the cursor looks for pods / namespaces. */
function selectorKind(path: string[]): 'pod' | 'namespace' | undefined {
  for (let i = path.length - 1; i >= 0; i--) {
    if (path[i] === 'namespaceSelector' || path[i] === 'namespaces') return 'namespace';
    if (path[i] === 'nodes') return undefined;
    if (path[i] === 'podSelector' || path[i] === 'selector') return 'pod';
    if (path[i] === 'template' || (path[i] === 'metadata' && i > 0)) return 'pod';
  }
  return undefined;
}

function labelKeys(facts: WorkspaceFacts, kind: 'pod' | 'namespace', ns?: string): string[] {
  if (kind === 'namespace') return uniq(facts.cluster.namespaces.flatMap((n) => Object.keys(n.labels))).sort();
  const local = ns ? (facts.byNamespace.get(ns) ?? []).flatMap((w) => Object.keys(w.labels)) : [];
  return uniq([...local, ...facts.cluster.workloads.flatMap((w) => Object.keys(w.labels))]);
}

function labelValues(facts: WorkspaceFacts, kind: 'pod' | 'namespace', key: string, ns?: string): string[] {
  if (kind === 'namespace') return uniq(facts.cluster.namespaces.map((n) => n.labels[key]).filter((v): v is string => v !== undefined)).sort();
  const local = ns ? (facts.byNamespace.get(ns) ?? []).map((w) => w.labels[key]) : [];
  return uniq([...local, ...facts.cluster.workloads.map((w) => w.labels[key])].filter((v): v is string => v !== undefined));
}

function namedPortsFor(facts: WorkspaceFacts, policy: NetworkPolicy | undefined, path: string[]): { name: string; detail: string }[] {
  let ws: Workload[] = facts.cluster.workloads;
  if (policy && path[1] === 'ingress') ws = facts.selectedWorkloads(policy);
  const out = new Map<string, string>();
  for (const w of ws) for (const p of w.ports) if (p.name && !out.has(p.name)) out.set(p.name, `${p.containerPort}/${p.protocol} on ${w.id}`);
  return [...out].map(([name, detail]) => ({ name, detail }));
}

function keyItem(name: string, node: SchemaNode | undefined, root: SchemaNode, col: number): CompletionItem {
  const n = resolve(root, node);
  const types = typesOf(n);
  let insert = `${name}: `;
  if (types.includes('array')) {
    const item = resolve(root, n?.items);
    if (item?.enum) insert = `${name}:\n${' '.repeat(col + 2)}- \${1|${item.enum.map(String).join(',')}|}`;
    else insert = `${name}:\n${' '.repeat(col + 2)}- $0`;
  } else if (types.includes('object') && !types.includes('string')) insert = `${name}:\n${' '.repeat(col + 2)}$0`;
  else if (n?.enum) insert = `${name}: \${1|${n.enum.map(String).join(',')}|}`;
  return {
    label: name,
    kind: CompletionItemKind.Property,
    detail: types.filter((t) => t !== 'null').join(' | ') || undefined,
    documentation: n?.description ? { kind: 'markdown', value: n.description } : undefined,
    insertText: insert,
    insertTextFormat: InsertTextFormat.Snippet,
  };
}

/**
 * Completion at a position of `text` (the file's current text). `result` is the workspace analysis to use (default:
 * the current one, computed if needed).
 */
export function complete(project: LintProject, schemas: SchemaRegistry, uri: string, text: string, line: number, character: number, offset: number, result?: ProjectResult): CompletionList {
  const items: CompletionItem[] = [];
  const index = project.getText(uri) === text ? project.lines(uri)! : new LineIndex(text);
  const ctx = cursorContext(index, line, character);
  const list = (): CompletionList => ({ isIncomplete: false, items });
  if (!ctx) return list();
  const r = result ?? project.result();
  const facts = r.facts;
  const policy = ctx.kind === 'NetworkPolicy' && r.texts.get(uri) === text ? policyAt(r, uri, offset) : undefined;
  // Namespace of the document: the parsed policy's, else metadata.namespace as typed.
  const ns = policy?.namespace ?? docNamespace(index, ctx);
  const schema = schemas.forDocument(ctx.apiVersion, ctx.kind);

  // Empty document (no kind yet): whole-object snippets and the kinds we know.
  if (!ctx.kind && ctx.path.length === 0 && ctx.mode === 'key') {
    for (const s of POLICY_SNIPPETS) items.push({ label: s.label, kind: CompletionItemKind.Snippet, detail: s.detail, insertText: s.body, insertTextFormat: InsertTextFormat.Snippet, sortText: `0${s.label}` });
    items.push({ label: 'apiVersion', kind: CompletionItemKind.Property, insertText: 'apiVersion: ', sortText: '1apiVersion' });
    items.push({ label: 'kind', kind: CompletionItemKind.Property, insertText: 'kind: ', sortText: '1kind' });
    return list();
  }
  if (!ctx.kind && ctx.mode === 'value' && ctx.path.length === 0 && ctx.key === 'kind') {
    for (const k of uniq(schemas.kinds().map((x) => x.kind))) items.push({ label: k, kind: CompletionItemKind.EnumMember });
    return list();
  }
  if (!schema) return list();

  const selKind = selectorKind(ctx.path);
  const last = ctx.path[ctx.path.length - 1];
  if (ctx.apiVersion?.startsWith('cilium.io/') && ciliumCompletion(ctx, facts, ns, items)) return list();
  if (ctx.mode === 'key') {
    // Label keys inside matchLabels / labels.
    if ((last === 'matchLabels' || last === 'labels') && selKind) {
      for (const k of labelKeys(facts, selKind, ns)) {
        const vals = labelValues(facts, selKind, k, ns);
        items.push({
          label: k,
          kind: CompletionItemKind.Field,
          detail: `${selKind} label (${vals.slice(0, 3).join(', ')}${vals.length > 3 ? ', …' : ''})`,
          insertText: vals.length ? `${escapeSnippet(k)}: \${1|${vals.map((v) => v.replace(/[,|]/g, '\\$&')).join(',')}|}` : `${escapeSnippet(k)}: `,
          insertTextFormat: InsertTextFormat.Snippet,
        });
      }
      return list();
    }
    const node = schemaAt(schema, ctx.path);
    const types = typesOf(node);
    if (node && types.includes('array') && !node.properties) {
      // In a sequence but before `- `: offer items.
      const item = resolve(schema, node.items);
      if (item?.enum) for (const e of item.enum) items.push({ label: String(e), kind: CompletionItemKind.EnumMember, insertText: `- ${String(e)}` });
    } else if (node?.enum) {
      for (const e of node.enum) items.push({ label: String(e), kind: CompletionItemKind.EnumMember, documentation: node.description });
    } else if (node?.properties) {
      for (const [name, sub] of Object.entries(node.properties)) {
        if (ctx.siblings.has(name)) continue;
        items.push(keyItem(name, sub, schema, ctx.keyColumn));
      }
    }
    // Rule snippets at the start of a new ingress/egress rule.
    if (ctx.kind === 'NetworkPolicy' && ctx.path.length === 3 && ctx.path[0] === 'spec' && ctx.path[2] === '-' && (ctx.path[1] === 'ingress' || ctx.path[1] === 'egress') && ctx.siblings.size === 0) {
      const s = RULE_SNIPPETS[ctx.path[1] as 'ingress' | 'egress'];
      items.push({ label: s.label, kind: CompletionItemKind.Snippet, insertText: indentBody(s.body, ctx.keyColumn), insertTextFormat: InsertTextFormat.Snippet, sortText: '0' });
    }
    return list();
  }

  // Value mode.
  const key = ctx.key!;
  // Calico selector expressions: label keys (and values after `key == '`) from the workspace.
  if (ctx.apiVersion?.startsWith('projectcalico.org/') && ['selector', 'namespaceSelector', 'notSelector', 'serviceAccountSelector'].includes(key)) {
    const nsSel = key === 'namespaceSelector';
    const before = index.lineText(line).slice(0, character);
    const eq = /([A-Za-z0-9_./-]+)\s*(?:==|!=|in\s*\{[^}]*)\s*['"]([^'"]*)$/.exec(before);
    if (eq) {
      const vals = nsSel ? labelValues(facts, 'namespace', eq[1]) : labelValues(facts, 'pod', eq[1], ns);
      for (const v of vals) items.push({ label: v, kind: CompletionItemKind.Value });
      return list();
    }
    const keys = nsSel ? labelKeys(facts, 'namespace') : labelKeys(facts, 'pod', ns);
    for (const k of keys) items.push({ label: k, kind: CompletionItemKind.Field, detail: nsSel ? 'namespace label' : 'pod label' });
    items.push({ label: 'all()', kind: CompletionItemKind.Function, detail: 'every endpoint' });
    if (nsSel) items.push({ label: 'global()', kind: CompletionItemKind.Function, detail: 'non-namespaced resources (network sets, host endpoints)' });
    items.push({ label: 'has()', kind: CompletionItemKind.Function, insertText: 'has(${1:label})', insertTextFormat: InsertTextFormat.Snippet, detail: 'endpoints that have the label' });
    return list();
  }
  if ((last === 'matchLabels' || last === 'labels') && selKind) {
    for (const v of labelValues(facts, selKind, key, ns)) items.push({ label: v, kind: CompletionItemKind.Value });
    if (selKind === 'namespace' && key === 'kubernetes.io/metadata.name') for (const n of facts.cluster.namespaces) if (!items.some((i) => i.label === n.name)) items.push({ label: n.name, kind: CompletionItemKind.Value });
    return list();
  }
  if (key === 'namespace' && last === 'metadata') {
    for (const n of facts.cluster.namespaces) items.push({ label: n.name, kind: CompletionItemKind.Module, detail: 'namespace' });
    return list();
  }
  if ((key === 'destinationNamedPort' || key === 'namedPort') && ctx.apiVersion?.startsWith('policy.networking.k8s.io/')) {
    for (const p of namedPortsFor(facts, undefined, ctx.path)) items.push({ label: p.name, kind: CompletionItemKind.Value, detail: `named port ${p.detail}` });
    return list();
  }
  if (ctx.kind === 'NetworkPolicy' && key === 'port' && last === '-' && ctx.path.includes('ports')) {
    for (const p of namedPortsFor(facts, policy, ctx.path)) items.push({ label: p.name, kind: CompletionItemKind.Value, detail: `named port ${p.detail}` });
    return list();
  }
  if (key === 'key' && ctx.path.includes('matchExpressions') && selKind) {
    for (const k of labelKeys(facts, selKind, ns)) items.push({ label: k, kind: CompletionItemKind.Field });
    return list();
  }
  const node = schemaAt(schema, [...ctx.path, key]);
  const target = ctx.inFlowSeq ? resolve(schema, node?.items) : node;
  if (target?.enum) for (const e of target.enum) items.push({ label: String(e), kind: CompletionItemKind.EnumMember, documentation: target.description });
  else if (typesOf(target).includes('boolean')) for (const b of ['true', 'false']) items.push({ label: b, kind: CompletionItemKind.Value });
  return list();
}

/** Cilium: entities, and identity labels in endpoint selectors (keys and values). True when it answered. */
function ciliumCompletion(ctx: CursorContext, facts: WorkspaceFacts, ns: string | undefined, items: CompletionItem[]): boolean {
  const path = ctx.path;
  const last = path[path.length - 1];
  // Entities: `toEntities:\n  - |` (key mode inside the item) or `toEntities: [|`.
  const entityList = (last === '-' && /^(from|to)Entities$/.test(path[path.length - 2] ?? '') && ctx.mode === 'key') || (ctx.mode === 'value' && ctx.inFlowSeq && /^(from|to)Entities$/.test(ctx.key ?? ''));
  if (entityList) {
    for (const e of CILIUM_ENTITIES) items.push({ label: e, kind: CompletionItemKind.EnumMember, detail: 'Cilium entity', documentation: ENTITY_DOCS[e] });
    return true;
  }
  const inSelector = path.some((x) => x === 'endpointSelector' || x === 'fromEndpoints' || x === 'toEndpoints');
  if (!inSelector) return false;
  const clusterWide = ctx.kind === 'CiliumClusterwideNetworkPolicy';
  const podKeys = uniq(facts.cluster.workloads.flatMap((w) => Object.keys(w.labels)).filter(isIdentityLabel));
  const nsKeys = uniq(facts.cluster.namespaces.flatMap((n) => Object.keys(n.labels)));
  const special: { key: string; detail: string }[] = [
    { key: `k8s:${POD_NAMESPACE_LABEL}`, detail: path.includes('endpointSelector') && !clusterWide ? 'namespace (an endpointSelector of a CiliumNetworkPolicy always uses the policy namespace)' : 'namespace of the pod (stops the policy namespace from being added)' },
    { key: SERVICE_ACCOUNT_LABEL, detail: 'service account of the pod' },
    { key: CLUSTER_LABEL, detail: 'cluster name (cluster-name in cilium-config)' },
    ...nsKeys.map((k) => ({ key: `${NAMESPACE_LABELS_PREFIX}${k}`, detail: `label ${k} of the pod's namespace` })),
  ];
  const valuesOf = (rawKey: string): string[] => {
    const k = rawKey.replace(/^(k8s|any):/, '');
    if (k === POD_NAMESPACE_LABEL) return facts.cluster.namespaces.map((n) => n.name);
    if (k === SERVICE_ACCOUNT_LABEL) return uniq(facts.cluster.workloads.map((w) => w.serviceAccount ?? 'default'));
    if (k === CLUSTER_LABEL) return uniq(facts.cluster.cilium?.configs.map((c) => c.data['cluster-name']).filter((x): x is string => !!x) ?? ['default']);
    if (k.startsWith(NAMESPACE_LABELS_PREFIX)) return uniq(facts.cluster.namespaces.map((n) => n.labels[k.slice(NAMESPACE_LABELS_PREFIX.length)]).filter((v): v is string => v !== undefined));
    return labelValues(facts, 'pod', k, ns);
  };
  if (ctx.mode === 'key' && last === 'matchLabels') {
    for (const k of podKeys) items.push({ label: k, kind: CompletionItemKind.Field, detail: 'pod label (part of the Cilium identity)', insertText: `${escapeSnippet(k)}: ` });
    for (const s of special) items.push({ label: s.key, kind: CompletionItemKind.Field, detail: s.detail, insertText: `${escapeSnippet(s.key)}: `, sortText: `~${s.key}` });
    return true;
  }
  if (ctx.mode === 'value' && last === 'matchLabels' && ctx.key) {
    for (const v of valuesOf(ctx.key)) items.push({ label: v, kind: CompletionItemKind.Value });
    return true;
  }
  if (ctx.mode === 'value' && ctx.key === 'key' && path.includes('matchExpressions')) {
    for (const k of [...podKeys, ...special.map((s) => s.key)]) items.push({ label: k, kind: CompletionItemKind.Field });
    return true;
  }
  return false;
}

/** Used by tests: the raw cursor context. */
export function contextAt(text: string, line: number, character: number): CursorContext | undefined {
  return cursorContext(text, line, character);
}

