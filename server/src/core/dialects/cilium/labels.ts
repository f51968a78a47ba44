// Identity labels as Cilium sees them, and EndpointSelector matching over them. Pure.
//
// Sources:
// [IDLABELS] cilium/cilium pkg/labelsfilter/filter.go defaultLabelPrefixCfg: the pod labels that make up a security
//            identity. Included: reserved:*, io.kubernetes.pod.namespace, io.cilium.k8s.namespace.labels.*,
//            app.kubernetes.io*, io.cilium.k8s.policy.cluster, io.cilium.k8s.policy.serviceaccount. Ignored:
//            io.kubernetes*, kubernetes.io*, statefulset.kubernetes.io/pod-name, apps.kubernetes.io/pod-index,
//            batch.kubernetes.io/job-completion-index, batch.kubernetes.io/controller-uid, *beta.kubernetes.io*,
//            k8s.io*, pod-template-generation, pod-template-hash, controller-revision-hash, controller-uid,
//            annotation*, etcd_node, topology.kubernetes.io*. A prefix matches at the start of the key; a label is
//            kept when no ignore prefix matches or an include prefix matches a longer part of the key.
// [SELKEY]   pkg/policy/api selector.go: a selector key `source:name` matches labels of that source; a bare key
//            matches a label of that name from any source.
// [NSINJECT] pkg/k8s/apis/cilium.io/utils (getEndpointSelector, ParseToCiliumRule) and docs.cilium.io "Using
//            Kubernetes Constructs in Policy": in a CiliumNetworkPolicy the endpointSelector always applies in the
//            policy's namespace; a fromEndpoints/toEndpoints selector gets `k8s:io.kubernetes.pod.namespace=<ns>`
//            unless it names the namespace label (k8s: or any source), a namespace-labels key
//            (io.cilium.k8s.namespace.labels.*) or a reserved: label. In a CiliumClusterwideNetworkPolicy such a
//            selector gets `k8s:io.kubernetes.pod.namespace` Exists (only Kubernetes pods, not reserved identities).
import type { Labels, Workload } from '../../model';
import type { Family } from '../../ip';
import { CLUSTER_LABEL, NAMESPACE_LABELS_PREFIX, POD_NAMESPACE_LABEL, SERVICE_ACCOUNT_LABEL, type CiliumLabelKey, type CiliumRequirement, type CiliumSelector } from './model';

/** Label sources a selector key may name (pkg/labels). Any other text before `:` is still a source name. */
export const LABEL_SOURCES = ['k8s', 'any', 'reserved', 'cidr', 'fqdn', 'unspec', 'container', 'kvstore', 'cni', 'cilium-generated', 'node'] as const;

/** Parses a selector key: `k8s:app` -> source k8s, name app; `app` -> source any. */
export function parseLabelKey(raw: string): CiliumLabelKey {
  const i = raw.indexOf(':');
  if (i > 0) return { raw, source: raw.slice(0, i), name: raw.slice(i + 1) };
  return { raw, source: 'any', name: raw };
}

const INCLUDE: RegExp[] = [/^reserved:.*/, /^io\.kubernetes\.pod\.namespace/, /^io\.cilium\.k8s\.namespace\.labels/, /^app\.kubernetes\.io/, /^io\.cilium\.k8s\.policy\.cluster/, /^io\.cilium\.k8s\.policy\.serviceaccount/];
const IGNORE: RegExp[] = [
  /^io\.kubernetes/,
  /^kubernetes\.io/,
  /^statefulset\.kubernetes\.io\/pod-name/,
  /^apps\.kubernetes\.io\/pod-index/,
  /^batch\.kubernetes\.io\/job-completion-index/,
  /^batch\.kubernetes\.io\/controller-uid/,
  /^.*beta\.kubernetes\.io/,
  /^k8s\.io/,
  /^pod-template-generation/,
  /^pod-template-hash/,
  /^controller-revision-hash/,
  /^controller-uid/,
  /^annotation.*/,
  /^etcd_node/,
  /^topology\.kubernetes\.io/,
];

/** [IDLABELS] Is a pod label part of the pod's Cilium security identity (default label filter)? */
export function isIdentityLabel(key: string): boolean {
  let ignored = 0;
  let included = 0;
  for (const r of IGNORE) {
    const m = r.exec(key);
    if (m && (ignored === 0 || m[0].length < ignored)) ignored = Math.max(1, m[0].length);
  }
  for (const r of INCLUDE) {
    const m = r.exec(key);
    if (m && m[0].length > included) included = m[0].length;
  }
  return ignored === 0 || included > ignored;
}

/**
 * The identity labels (source k8s) Cilium gives a pod: its pod labels that pass the label filter, its namespace,
 * service account, cluster name and its namespace's labels (prefixed io.cilium.k8s.namespace.labels.).
 */
export function podIdentityLabels(w: Workload, nsLabels: Labels | undefined, clusterName: string): Labels {
  const out: Labels = {};
  for (const [k, v] of Object.entries(w.labels)) if (isIdentityLabel(k)) out[k] = v;
  out[POD_NAMESPACE_LABEL] = w.namespace;
  out[SERVICE_ACCOUNT_LABEL] = w.serviceAccount ?? 'default';
  out[CLUSTER_LABEL] = clusterName;
  for (const [k, v] of Object.entries(nsLabels ?? { 'kubernetes.io/metadata.name': w.namespace })) out[NAMESPACE_LABELS_PREFIX + k] = v;
  return out;
}

/** An endpoint's labels by source: pods have k8s labels, external addresses reserved:world (and world-ipv4/6). */
export interface SourcedLabels {
  k8s?: Labels;
  reserved?: Labels;
}

export function worldLabels(family: Family): SourcedLabels {
  return { reserved: { world: '', [family === 4 ? 'world-ipv4' : 'world-ipv6']: '' } };
}

function lookup(labels: SourcedLabels, key: CiliumLabelKey): string | undefined {
  if (key.source === 'any') return labels.k8s?.[key.name] ?? labels.reserved?.[key.name];
  if (key.source === 'k8s') return labels.k8s?.[key.name];
  if (key.source === 'reserved') return labels.reserved?.[key.name];
  return undefined;
}

function requirementMatches(r: CiliumRequirement, labels: SourcedLabels): boolean {
  const v = lookup(labels, r.key);
  switch (r.operator) {
    case 'In':
      return v !== undefined && r.values.includes(v);
    case 'NotIn':
      return v === undefined || !r.values.includes(v);
    case 'Exists':
      return v !== undefined;
    case 'DoesNotExist':
      return v === undefined;
  }
}

/** Does the selector match an endpoint with these labels? An invalid selector matches nothing. */
export function ciliumSelectorMatches(sel: CiliumSelector, labels: SourcedLabels): boolean {
  if (sel.invalid) return false;
  for (const m of sel.matchLabels) if (lookup(labels, m.key) !== m.value) return false;
  for (const r of sel.matchExpressions) if (!requirementMatches(r, labels)) return false;
  return true;
}

function keys(sel: CiliumSelector): CiliumLabelKey[] {
  return [...sel.matchLabels.map((m) => m.key), ...sel.matchExpressions.map((r) => r.key)];
}

const isNsKey = (k: CiliumLabelKey) => k.name === POD_NAMESPACE_LABEL && (k.source === 'k8s' || k.source === 'any');

/** Does the selector name the namespace label (so no namespace is injected)? */
export function namesNamespace(sel: CiliumSelector): boolean {
  return keys(sel).some(isNsKey);
}

/** [NSINJECT] The selector of a fromEndpoints/toEndpoints peer as Cilium applies it. */
export function effectivePeerSelector(sel: CiliumSelector, policyNamespace: string | undefined): CiliumSelector {
  const ks = keys(sel);
  if (ks.some((k) => k.source === 'reserved')) return sel;
  if (ks.some(isNsKey)) return sel;
  const nsKey: CiliumLabelKey = { raw: `k8s:${POD_NAMESPACE_LABEL}`, source: 'k8s', name: POD_NAMESPACE_LABEL };
  if (policyNamespace === undefined) return { ...sel, matchExpressions: [...sel.matchExpressions, { key: nsKey, operator: 'Exists', values: [] }] };
  if (ks.some((k) => (k.source === 'k8s' || k.source === 'any') && k.name.startsWith(NAMESPACE_LABELS_PREFIX))) return sel;
  return { ...sel, matchLabels: [...sel.matchLabels, { key: nsKey, value: policyNamespace }] };
}

/**
 * [NSINJECT] The endpointSelector of a policy as Cilium applies it: in a CiliumNetworkPolicy, namespace matches
 * written in matchLabels are replaced by the policy's namespace.
 */
export function effectiveSubjectSelector(sel: CiliumSelector, policyNamespace: string | undefined): CiliumSelector {
  if (policyNamespace === undefined) return sel;
  const nsKey: CiliumLabelKey = { raw: `k8s:${POD_NAMESPACE_LABEL}`, source: 'k8s', name: POD_NAMESPACE_LABEL };
  return { ...sel, matchLabels: [...sel.matchLabels.filter((m) => !isNsKey(m.key)), { key: nsKey, value: policyNamespace }] };
}

/** The namespace an effective selector pins with matchLabels (for the namespace index), if any. */
export function pinnedNamespace(sel: CiliumSelector): string | undefined {
  const m = sel.matchLabels.find((x) => isNsKey(x.key));
  return m?.value;
}

/** A stable text for a selector (matcher keys, hover). */
export function selectorText(sel: CiliumSelector): string {
  if (sel.invalid) return '!invalid';
  const parts = [...sel.matchLabels.map((m) => `${m.key.raw}=${m.value}`).sort()];
  for (const r of sel.matchExpressions) {
    const vs = [...r.values].sort().join(',');
    parts.push(r.operator === 'Exists' ? r.key.raw : r.operator === 'DoesNotExist' ? `!${r.key.raw}` : `${r.key.raw} ${r.operator === 'In' ? 'in' : 'notin'} (${vs})`);
  }
  parts.sort();
  return parts.length ? parts.join(', ') : '{}';
}

/** Keys of the selector that name pod labels Cilium leaves out of identities (they can never match). */
export function nonIdentityKeys(sel: CiliumSelector): CiliumLabelKey[] {
  return keys(sel).filter((k) => (k.source === 'k8s' || k.source === 'any') && !isIdentityLabel(k.name) && k.name !== POD_NAMESPACE_LABEL);
}
