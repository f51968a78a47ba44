// Which CNI enforces the manifests: set explicitly (setting policyLens.cni, CLI --cni) or detected from the
// cluster's objects. Pure.
//
// Detection (most specific first):
// 1. installation objects: a ConfigMap named cilium-config (the Cilium agent configuration, normally in
//    kube-system) means Cilium; an operator.tigera.io Installation or the kube-system/calico-config ConfigMap
//    means Calico;
// 2. otherwise policy and other resources: any cilium.io object means Cilium (and so does a Kubernetes
//    NetworkPolicy selecting on Cilium identity labels, io.cilium.k8s.*); projectcalico.org (or
//    crd.projectcalico.org) objects mean Calico;
// 3. otherwise plain Kubernetes NetworkPolicy semantics.
// When both CNIs have objects at the same level, Calico is chosen (what Policy Lens did before CNI selection) and
// the choice says the detection was ambiguous.
import type { Cluster, CniMarker, LabelSelector, NetworkPolicy } from '../model';
import type { CiliumOptions, PolicyEnforcementMode } from '../dialects/cilium/model';

export type Cni = 'kubernetes' | 'calico' | 'cilium';
export type CniSetting = Cni | 'auto';
export const CNIS: readonly Cni[] = ['kubernetes', 'calico', 'cilium'];
export const CNI_SETTINGS: readonly CniSetting[] = ['auto', 'kubernetes', 'calico', 'cilium'];

export function isCniSetting(v: unknown): v is CniSetting {
  return typeof v === 'string' && (CNI_SETTINGS as readonly string[]).includes(v);
}

export interface CniChoice {
  cni: Cni;
  /** How it was chosen. */
  how: 'setting' | 'detected' | 'default';
  /** The object that decided a detection ("ConfigMap kube-system/cilium-config"), or the setting. */
  reason: string;
  /** Set when objects of another CNI were present too. */
  ambiguous?: string;
}

/** The CNI's name in words. */
export function cniName(cni: Cni): string {
  return cni === 'cilium' ? 'Cilium' : cni === 'calico' ? 'Calico' : 'Kubernetes NetworkPolicy';
}

function hasCalicoObjects(c: Cluster): boolean {
  return !!c.calico && (c.calico.policies.length > 0 || c.calico.networkSets.length > 0 || c.calico.tiers.length > 0);
}

function calicoObjectMarker(c: Cluster): string | undefined {
  const p = c.calico?.policies[0] ?? c.calico?.networkSets[0] ?? c.calico?.tiers[0];
  if (!p) return undefined;
  return `${p.kind} ${'id' in p && typeof p.id === 'string' ? p.id : p.metadata.name}`;
}

/** The markers of a cluster by CNI and strength. */
function markers(c: Cluster): { strong: Record<'cilium' | 'calico', CniMarker[]>; weak: Record<'cilium' | 'calico', string[]> } {
  const strong = { cilium: [] as CniMarker[], calico: [] as CniMarker[] };
  const weak = { cilium: [] as string[], calico: [] as string[] };
  for (const m of c.cniMarkers ?? []) {
    if (m.strong) strong[m.cni].push(m);
    else weak[m.cni].push(m.what);
  }
  for (const p of c.cilium?.policies ?? []) weak.cilium.unshift(`${p.kind} ${p.id}`);
  // A Kubernetes NetworkPolicy selecting on Cilium identity labels (io.cilium.k8s.policy.cluster, ...) is written
  // for Cilium: only Cilium gives pods those labels.
  if (!weak.cilium.length) {
    const np = c.policies.find((p) => selectorsOf(p).some((s) => [...Object.keys(s.matchLabels), ...s.matchExpressions.map((e) => e.key)].some((k) => k.startsWith('io.cilium.k8s.'))));
    if (np) weak.cilium.push(`NetworkPolicy ${np.namespace}/${np.name} (selects on Cilium identity labels)`);
  }
  const cm = calicoObjectMarker(c);
  if (cm) weak.calico.unshift(cm);
  else if (hasCalicoObjects(c)) weak.calico.unshift('Calico resources');
  return { strong, weak };
}

function selectorsOf(p: NetworkPolicy): LabelSelector[] {
  const out: LabelSelector[] = [p.podSelector];
  for (const r of [...(p.ingress ?? []), ...(p.egress ?? [])]) for (const peer of r.peers ?? []) for (const s of [peer.podSelector, peer.namespaceSelector]) if (s) out.push(s);
  return out;
}

/** Detects the CNI from the cluster's objects. */
export function detectCni(c: Cluster): CniChoice {
  const { strong, weak } = markers(c);
  const pick = (a: { cilium: unknown[]; calico: unknown[] }, text: (cni: 'cilium' | 'calico') => string): CniChoice | undefined => {
    if (a.cilium.length && a.calico.length) return { cni: 'calico', how: 'detected', reason: text('calico'), ambiguous: `${text('cilium')} also says Cilium` };
    if (a.cilium.length) return { cni: 'cilium', how: 'detected', reason: text('cilium') };
    if (a.calico.length) return { cni: 'calico', how: 'detected', reason: text('calico') };
    return undefined;
  };
  return (
    pick(strong, (cni) => strong[cni][0].what) ??
    pick(weak, (cni) => weak[cni][0]) ?? { cni: 'kubernetes', how: 'default', reason: 'no Calico or Cilium objects' }
  );
}

/** The CNI to evaluate as: the setting, or (auto / unset) the detected one. */
export function chooseCni(c: Cluster, setting?: CniSetting): CniChoice {
  if (setting && setting !== 'auto') return { cni: setting, how: 'setting', reason: `set to ${setting}` };
  return detectCni(c);
}

/** "Cilium (detected: ConfigMap kube-system/cilium-config)", "Calico (CNI set to calico)", "Kubernetes NetworkPolicy". */
export function describeChoice(ch: CniChoice): string {
  if (ch.how === 'default') return cniName(ch.cni);
  const how = ch.how === 'setting' ? `CNI ${ch.reason}` : `detected: ${ch.reason}`;
  return `${cniName(ch.cni)} (${how}${ch.ambiguous ? `; ${ch.ambiguous}` : ''})`;
}

/**
 * The Cilium agent settings in effect: the options given (settings, CLI) win over the cilium-config ConfigMap
 * (enable-policy, policy-cidr-match-mode, cluster-name, enable-k8s-cluster-network-policy,
 * enable-non-default-deny-policies), which wins over Cilium's defaults.
 */
export function ciliumSettings(c: Cluster, opts: CiliumOptions = {}): Required<CiliumOptions> & { fromConfig: string[] } {
  const data: Record<string, string> = {};
  for (const cm of c.cilium?.configs ?? []) Object.assign(data, cm.data);
  const fromConfig: string[] = [];
  const pick = <T>(explicit: T | undefined, key: string, parse: (v: string) => T | undefined, dflt: T): T => {
    if (explicit !== undefined) return explicit;
    if (key in data) {
      const v = parse(data[key].trim());
      if (v !== undefined) {
        fromConfig.push(key);
        return v;
      }
    }
    return dflt;
  };
  const bool = (v: string) => (v === 'true' ? true : v === 'false' ? false : undefined);
  return {
    policyEnforcementMode: pick<PolicyEnforcementMode>(opts.policyEnforcementMode, 'enable-policy', (v) => (v === 'default' || v === 'always' || v === 'never' ? v : undefined), 'default'),
    policyCidrMatchMode: pick<'' | 'nodes'>(opts.policyCidrMatchMode, 'policy-cidr-match-mode', (v) => (v === '' || v === 'nodes' ? v : undefined), ''),
    clusterName: pick(opts.clusterName, 'cluster-name', (v) => v || undefined, 'default'),
    clusterNetworkPolicy: pick(opts.clusterNetworkPolicy, 'enable-k8s-cluster-network-policy', bool, false),
    nonDefaultDenyPolicies: pick(opts.nonDefaultDenyPolicies, 'enable-non-default-deny-policies', bool, true),
    fromConfig,
  };
}
