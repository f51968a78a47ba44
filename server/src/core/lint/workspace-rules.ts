// Lint rules that need the whole workspace (every parsed manifest): selectors that match nothing,
// egress default-deny that blocks DNS, duplicate policy names, named ports no destination defines.
// Pure: no LSP imports.
import type { Cluster, ContainerPort, Labels, LabelSelector, Namespace, NetworkPolicy, Peer, PolicyPort, PolicyRule, SourceRange, Workload } from '../model';
import { describeSelector, isEmptySelector, selectorKey, selectorMatches } from '../selectors';
import { analyze, type Analysis, type AnalyzeOptions } from '../analysis';
import { ConnSet } from '../ports';
import type { FixHint } from './doc-rules';
import { editDistance } from './net';
import { ruleInfo } from './rules';

export interface Finding {
  code: string;
  severity: 'error' | 'warning' | 'info' | 'hint';
  message: string;
  range: SourceRange;
  fix?: FixHint;
}

/** Lets workspace rules narrow a model range to a YAML key or value. */
export interface RangeRefiner {
  /** Range of the key of the pair whose value starts where `valueRange` starts. */
  keyOfValue(valueRange: SourceRange): SourceRange | undefined;
  /** Range of `key`'s value (or key) inside the mapping that starts at `mapRange`. */
  childOf(mapRange: SourceRange, key: string, part: 'key' | 'value'): SourceRange | undefined;
  /** Range of the `Egress`/`Ingress` item of policyTypes, or the `egress`/`ingress` key, of a policy. */
  policyTypeEntry(policy: NetworkPolicy, type: 'Ingress' | 'Egress'): SourceRange | undefined;
}

export const KUBE_DNS_NAMESPACE = 'kube-system';
export const BUILTIN_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
export const KUBE_DNS_LABELS: Labels = { 'k8s-app': 'kube-dns' };

function add(out: Finding[], code: string, message: string, range: SourceRange | undefined, fix?: FixHint): void {
  if (!range) return;
  out.push({ code, severity: ruleInfo(code)?.severity ?? 'warning', message, range, fix });
}

/** Indexes used by the workspace rules (and by hover/completion). */
export class WorkspaceFacts {
  readonly byNamespace = new Map<string, Workload[]>();
  readonly nsByName = new Map<string, Namespace>();
  /** Namespaces that come from a Namespace object (not just referenced). */
  readonly declaredNamespaces: Namespace[];
  private analysisCache?: Analysis;
  /** The reachability analysis of the workspace (built on first use). */
  analysis(): Analysis {
    return (this.analysisCache ??= analyze(this.cluster, this.analyzeOptions));
  }

  constructor(
    readonly cluster: Cluster,
    /** Options of the analysis the lints consult (e.g. the CNI, whether ipBlock matches pod IPs). */
    readonly analyzeOptions: AnalyzeOptions = {},
  ) {
    for (const w of cluster.workloads) {
      let l = this.byNamespace.get(w.namespace);
      if (!l) this.byNamespace.set(w.namespace, (l = []));
      l.push(w);
    }
    for (const n of cluster.namespaces) this.nsByName.set(n.name, n);
    this.declaredNamespaces = cluster.namespaces.filter((n) => !!n.range);
    this.allNamespaces = [...cluster.namespaces];
    // Namespaces every cluster has (https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces).
    for (const name of BUILTIN_NAMESPACES) if (!this.nsByName.has(name)) this.allNamespaces.push({ name, labels: { 'kubernetes.io/metadata.name': name } });
  }

  /** Workspace namespaces plus the built-in ones (default, kube-system, kube-public, kube-node-lease). */
  readonly allNamespaces: Namespace[];

  private selectedCache = new Map<string, Workload[]>();

  /** Workloads of the policy's namespace its podSelector selects (cached per namespace and selector). */
  selectedWorkloads(p: NetworkPolicy): Workload[] {
    return this.workloadsMatching(p.namespace, p.podSelector);
  }

  /** Workloads of a namespace a selector matches (cached per namespace and selector; do not modify the list). */
  workloadsMatching(namespace: string, sel: LabelSelector): Workload[] {
    const ws = this.byNamespace.get(namespace);
    if (!ws) return [];
    const key = `${namespace}\u0000${selectorKey(sel)}`;
    let hit = this.selectedCache.get(key);
    if (!hit) this.selectedCache.set(key, (hit = ws.filter((w) => selectorMatches(sel, w.labels))));
    return hit;
  }

  nsLabels(name: string): Labels {
    return this.nsByName.get(name)?.labels ?? { 'kubernetes.io/metadata.name': name };
  }

  /** Namespaces a peer's namespaceSelector picks (or the policy namespace). */
  peerNamespaces(policyNs: string, peer: Peer): string[] {
    if (!peer.namespaceSelector) return [policyNs];
    return this.namespacesMatching(peer.namespaceSelector);
  }

  /** Workloads a selector peer matches (ipBlock peers: none). */
  peerWorkloads(policyNs: string, peer: Peer): Workload[] {
    if (peer.ipBlock) return [];
    const out: Workload[] = [];
    for (const ns of this.peerNamespaces(policyNs, peer)) {
      if (peer.podSelector) out.push(...this.workloadsMatching(ns, peer.podSelector));
      else out.push(...(this.byNamespace.get(ns) ?? []));
    }
    return out;
  }

  private nsSelectCache = new Map<string, string[]>();

  /** Names of the namespaces (workspace + built-in) a namespaceSelector matches (cached per selector). */
  namespacesMatching(sel: LabelSelector): string[] {
    const key = selectorKey(sel);
    let hit = this.nsSelectCache.get(key);
    if (!hit) this.nsSelectCache.set(key, (hit = this.allNamespaces.filter((n) => selectorMatches(sel, n.labels)).map((n) => n.name)));
    return hit;
  }

  private policiesByNs?: Map<string, NetworkPolicy[]>;

  /** Policies of the namespace that select the labels for a direction. */
  policiesSelecting(namespace: string, labels: Labels, type: 'Ingress' | 'Egress'): NetworkPolicy[] {
    if (!this.policiesByNs) {
      this.policiesByNs = new Map();
      for (const p of this.cluster.policies) {
        let l = this.policiesByNs.get(p.namespace);
        if (!l) this.policiesByNs.set(p.namespace, (l = []));
        l.push(p);
      }
    }
    return (this.policiesByNs.get(namespace) ?? []).filter((p) => p.policyTypes.includes(type) && selectorMatches(p.podSelector, labels));
  }
}

export function lintWorkspace(cluster: Cluster, refine: RangeRefiner, facts = new WorkspaceFacts(cluster)): Finding[] {
  const out: Finding[] = [];
  const steps = lintWorkspaceSteps(cluster, refine, facts, out);
  while (!steps.next().done);
  return out;
}

/** lintWorkspace as steps: every `yield` is a point where a caller may pause (LintProject.resultAsync). */
export function* lintWorkspaceSteps(cluster: Cluster, refine: RangeRefiner, facts: WorkspaceFacts, out: Finding[]): Generator<void, void> {
  duplicateNames(cluster, out);
  yield;
  const haveWorkloads = cluster.workloads.length > 0;
  const dns = new DnsCheck(facts);
  let n = 0;
  for (const p of cluster.policies) {
    if (haveWorkloads) selectorsMatchNothing(p, facts, refine, out);
    dnsBlocked(p, facts, refine, out, dns);
    if (haveWorkloads) namedPorts(p, facts, refine, out);
    if (++n % 32 === 0) yield;
  }
}

function where(r: SourceRange | undefined): string {
  return r ? `${r.file.replace(/^.*[\\/]/, '')}:${r.start.line + 1}` : 'another document';
}

function duplicateNames(cluster: Cluster, out: Finding[]): void {
  const groups = new Map<string, NetworkPolicy[]>();
  for (const p of cluster.policies) {
    if (p.name === '(unnamed)') continue;
    const k = `${p.namespace}/${p.name}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(p);
  }
  for (const [k, g] of groups) {
    if (g.length < 2) continue;
    g.forEach((p, i) => {
      const other = g[i === 0 ? 1 : 0];
      add(
        out,
        'np-duplicate-name',
        `NetworkPolicy ${k} is defined ${g.length} times (also at ${where(other.nameRange)}). Applying these manifests keeps only the last one; give each policy a unique name.`,
        p.nameRange,
      );
    });
  }
}

function selectorsMatchNothing(p: NetworkPolicy, facts: WorkspaceFacts, refine: RangeRefiner, out: Finding[]): void {
  if (!isEmptySelector(p.podSelector) && facts.byNamespace.has(p.namespace) && facts.selectedWorkloads(p).length === 0) {
    const r = p.podSelector.range ? refine.keyOfValue(p.podSelector.range) ?? p.podSelector.range : p.nameRange;
    add(out, 'np-selector-no-match', `podSelector ${describeSelector(p.podSelector)} matches no workload in namespace ${p.namespace} in this workspace, so this policy has no effect here.`, r);
  }
  const rules: [PolicyRule[] | undefined, string][] = [
    [p.ingress, 'from'],
    [p.egress, 'to'],
  ];
  for (const [list] of rules) {
    for (const rule of list ?? []) {
      for (const peer of rule.peers ?? []) {
        if (peer.ipBlock) continue;
        let namespaces = [p.namespace];
        if (peer.namespaceSelector) {
          namespaces = facts.peerNamespaces(p.namespace, peer);
          const nsSel = peer.namespaceSelector;
          const onlyNameKey = Object.keys(nsSel.matchLabels).every((k) => k === 'kubernetes.io/metadata.name') && nsSel.matchExpressions.every((e) => e.key === 'kubernetes.io/metadata.name');
          if (namespaces.length === 0 && !isEmptySelector(nsSel) && facts.declaredNamespaces.length > 0) {
            const r = nsSel.range ? refine.keyOfValue(nsSel.range) ?? nsSel.range : undefined;
            const labels = nsSel.matchExpressions.length === 0 ? nsSel.matchLabels : undefined;
            const fix: FixHint | undefined =
              labels && Object.keys(labels).length > 0 && !onlyNameKey
                ? {
                    kind: 'add-namespace-labels',
                    labels,
                    namespaces: facts.declaredNamespaces.slice(0, 8).map((n) => ({ name: n.name, file: n.range!.file, offset: n.range!.startOffset })),
                  }
                : undefined;
            add(out, 'np-selector-no-match', `namespaceSelector ${describeSelector(nsSel)} matches no namespace defined in this workspace${facts.declaredNamespaces.length ? ` (namespaces: ${facts.declaredNamespaces.slice(0, 5).map((n) => n.name).join(', ')}${facts.declaredNamespaces.length > 5 ? ', …' : ''})` : ''}.`, r, fix);
            continue;
          }
        }
        // Only namespaces whose workloads are in the workspace tell us anything.
        namespaces = namespaces.filter((ns) => facts.byNamespace.has(ns));
        if (peer.podSelector && !isEmptySelector(peer.podSelector) && namespaces.length > 0) {
          const any = namespaces.some((ns) => facts.workloadsMatching(ns, peer.podSelector!).length > 0);
          if (!any) {
            const r = peer.podSelector.range ? refine.keyOfValue(peer.podSelector.range) ?? peer.podSelector.range : undefined;
            const scope = peer.namespaceSelector ? `the selected namespaces (${namespaces.slice(0, 4).join(', ')}${namespaces.length > 4 ? ', …' : ''})` : `namespace ${p.namespace}`;
            add(out, 'np-selector-no-match', `podSelector ${describeSelector(peer.podSelector)} matches no workload in ${scope} in this workspace.`, r);
          }
        }
      }
    }
  }
}

// ---------- DNS ----------

function portAllowsDns(port: PolicyPort): boolean {
  if (port.protocol !== 'UDP') return false;
  if (port.port === undefined) return true;
  if (typeof port.port === 'string') return port.port === 'dns';
  if (port.endPort !== undefined) return port.port <= 53 && 53 <= port.endPort;
  return port.port === 53;
}

function selectorAllows(sel: LabelSelector | undefined, labels: Labels): boolean {
  return !sel || selectorMatches(sel, labels);
}

/** Does one egress rule allow UDP 53 to the cluster DNS pods? */
export function ruleAllowsDns(policyNs: string, rule: PolicyRule, facts: WorkspaceFacts, dnsPodLabels: Labels[]): boolean {
  if (rule.ports && !rule.ports.some(portAllowsDns)) return false;
  if (!rule.peers) return true;
  const kubeSystem = facts.nsLabels(KUBE_DNS_NAMESPACE);
  return rule.peers.some((peer) => {
    // The DNS service IP is cluster-specific: give any ipBlock the benefit of the doubt.
    if (peer.ipBlock) return true;
    if (peer.namespaceSelector) {
      if (!selectorMatches(peer.namespaceSelector, kubeSystem)) return false;
    } else if (policyNs !== KUBE_DNS_NAMESPACE) return false;
    return dnsPodLabels.some((l) => selectorAllows(peer.podSelector, l));
  });
}

/** Per-run memo of the DNS rule: which policies allow DNS, which pods some egress policy lets reach DNS. */
class DnsCheck {
  readonly dnsWorkloads: Workload[];
  readonly dnsPodLabels: Labels[];
  private readonly allows = new Map<NetworkPolicy, boolean>();
  private allowersByNs?: Map<string, NetworkPolicy[]>;
  constructor(readonly facts: WorkspaceFacts) {
    this.dnsWorkloads = (facts.byNamespace.get(KUBE_DNS_NAMESPACE) ?? []).filter((w) => selectorMatches({ matchLabels: KUBE_DNS_LABELS, matchExpressions: [] }, w.labels));
    this.dnsPodLabels = this.dnsWorkloads.length ? this.dnsWorkloads.map((w) => w.labels) : [KUBE_DNS_LABELS];
  }
  /** Does some egress rule of the policy allow DNS? */
  allowsDns(q: NetworkPolicy): boolean {
    let v = this.allows.get(q);
    if (v === undefined) this.allows.set(q, (v = (q.egress ?? []).some((r) => ruleAllowsDns(q.namespace, r, this.facts, this.dnsPodLabels))));
    return v;
  }
  /** Does some policy of the namespace that isolates these pods for egress allow them DNS? */
  someEgressPolicyAllowsDns(namespace: string, labels: Labels): boolean {
    if (!this.allowersByNs) {
      this.allowersByNs = new Map();
      for (const q of this.facts.cluster.policies) {
        if (!q.policyTypes.includes('Egress') || !this.allowsDns(q)) continue;
        let l = this.allowersByNs.get(q.namespace);
        if (!l) this.allowersByNs.set(q.namespace, (l = []));
        l.push(q);
      }
    }
    return (this.allowersByNs.get(namespace) ?? []).some((q) => selectorMatches(q.podSelector, labels));
  }
}

function dnsBlocked(p: NetworkPolicy, facts: WorkspaceFacts, refine: RangeRefiner, out: Finding[], dns = new DnsCheck(facts)): void {
  if (!p.policyTypes.includes('Egress')) return;
  // Pods the policy isolates for egress: the workloads it selects, or (no workload in the workspace)
  // a stand-in pod with the selector's labels.
  let pods: Labels[] = facts.selectedWorkloads(p).map((w) => w.labels);
  if (pods.length === 0) {
    if (p.podSelector.matchExpressions.length > 0 && facts.cluster.workloads.length > 0) return;
    pods = [{ ...p.podSelector.matchLabels }];
  }
  const dnsWorkloads = dns.dnsWorkloads;
  const tiered = !!facts.cluster.calico?.policies.length || !!facts.cluster.clusterPolicies?.length || !!facts.cluster.cilium?.policies.length;
  if (tiered) {
    // With Calico policies or ClusterNetworkPolicies, DNS may be allowed (or denied) by higher tiers or lower
    // orders (e.g. an Admin-tier Accept for DNS), with Cilium policies by a CiliumNetworkPolicy (or denied by a
    // deny rule): ask the engine
    // whether the egress side of each selected workload lets UDP 53 reach a DNS pod.
    const selected = facts.selectedWorkloads(p);
    if (selected.length === 0 || dnsWorkloads.length === 0) return;
    const a = facts.analysis();
    const dnsOk = (w: Workload) => dnsWorkloads.some((d) => {
      const egress = a.explain(w.id, d.id).egress;
      return !egress || ConnSet.fromProtocolPorts(egress.protocols).has('UDP', 53);
    });
    if (selected.every(dnsOk)) return;
  } else if (dns.allowsDns(p)) return;
  // p itself does not allow DNS: the pods are blocked unless another egress policy selecting them does.
  const blocked = tiered ? true : pods.some((labels) => !dns.someEgressPolicyAllowsDns(p.namespace, labels));
  if (!blocked) return;
  const who = isEmptySelector(p.podSelector) ? `all pods in ${p.namespace}` : `pods ${describeSelector(p.podSelector)} in ${p.namespace}`;
  add(
    out,
    'np-dns-blocked',
    `This policy isolates ${who} for egress, and no egress rule that applies to them allows DNS (UDP/TCP 53 to kube-dns in ${KUBE_DNS_NAMESPACE}): name resolution will fail. Add a DNS egress rule.`,
    refine.policyTypeEntry(p, 'Egress') ?? p.nameRange,
    { kind: 'add-dns' },
  );
}

// ---------- named ports ----------

function namedPorts(p: NetworkPolicy, facts: WorkspaceFacts, refine: RangeRefiner, out: Finding[]): void {
  const dirs: ['Ingress' | 'Egress', PolicyRule[] | undefined][] = [
    ['Ingress', p.ingress],
    ['Egress', p.egress],
  ];
  for (const [dir, rules] of dirs) {
    if (!p.policyTypes.includes(dir)) continue;
    for (const rule of rules ?? []) {
      const named = (rule.ports ?? []).filter((x) => typeof x.port === 'string' && /[a-z]/.test(x.port) && /^[a-z0-9-]+$/.test(x.port));
      if (named.length === 0) continue;
      // A named port is resolved on the destination pod: the selected pods for ingress, the peers for egress.
      let dests: Workload[];
      if (dir === 'Ingress') dests = facts.selectedWorkloads(p);
      else {
        if (!rule.peers || rule.peers.some((x) => x.ipBlock)) continue;
        dests = rule.peers.flatMap((x) => facts.peerWorkloads(p.namespace, x));
      }
      if (dests.length === 0) continue;
      for (const port of named) {
        const name = port.port as string;
        const defines = (w: Workload) => w.ports.some((cp) => cp.name === name && cp.protocol === port.protocol);
        if (dests.some(defines)) continue;
        const candidates = new Map<string, ContainerPort>();
        for (const w of dests) for (const cp of w.ports) if (cp.name && cp.protocol === port.protocol && !candidates.has(cp.name)) candidates.set(cp.name, cp);
        const names = [...candidates.keys()].sort((a, b) => editDistance(a, name) - editDistance(b, name)).slice(0, 3);
        const destText = dir === 'Ingress' ? 'the pods this policy selects' : 'the pods this rule sends to';
        const known = [...candidates.values()].slice(0, 5).map((cp) => `${cp.name} (${cp.containerPort}/${cp.protocol})`);
        const r = port.range ? refine.childOf(port.range, 'port', 'value') ?? port.range : undefined;
        add(
          out,
          'np-named-port-undefined',
          `No container of ${destText} (${dests.slice(0, 3).map((w) => w.id).join(', ')}${dests.length > 3 ? ', …' : ''}) defines a ${port.protocol} port named "${name}", so this port matches nothing.${known.length ? ` Defined names: ${known.join(', ')}.` : ''}`,
          r,
          names.length ? { kind: 'replace-port', names } : undefined,
        );
      }
    }
  }
}
