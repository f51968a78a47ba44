// Typed model of the Kubernetes objects Policy Lens reasons about.
// Pure data: no vscode / LSP imports anywhere under server/src/core.

/** A position in a text file: 0-based line and UTF-16 character, like LSP. */
export interface Position {
  line: number;
  character: number;
}

/** Where a value came from. `start`/`end` are 0-based line/character; offsets are UTF-16 offsets in the file text. */
export interface SourceRange {
  file: string;
  /** 0-based index of the YAML document inside the file. */
  doc: number;
  start: Position;
  end: Position;
  startOffset: number;
  endOffset: number;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface Diagnostic {
  /** Stable rule id, e.g. `yaml-syntax`, `np-ipblock-with-selector`. Documented in docs/rules/<code>.md. */
  code: string;
  severity: Severity;
  message: string;
  range: SourceRange;
  /** A quick fix the language server can offer for it (the same hints as the lint findings). */
  fix?: import('./lint/doc-rules').FixHint;
}

export type Labels = Record<string, string>;

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface SelectorRequirement {
  key: string;
  operator: SelectorOperator;
  values: string[];
}

/** A Kubernetes metav1.LabelSelector. An object with neither field set selects everything. */
export interface LabelSelector {
  matchLabels: Labels;
  matchExpressions: SelectorRequirement[];
  range?: SourceRange;
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol: Protocol;
}

export interface Namespace {
  name: string;
  labels: Labels;
  range?: SourceRange;
}

/** Something that runs pods: a Pod itself, or a controller with a pod template. */
export interface Workload {
  /** `namespace/name`. */
  id: string;
  /** Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, or the owner kind of a Pod. */
  kind: string;
  namespace: string;
  name: string;
  /** Labels of the pods (the pod template's labels for controllers). */
  labels: Labels;
  ports: ContainerPort[];
  serviceAccount?: string;
  range?: SourceRange;
  /** Number of Pod objects folded into this workload (owner references); 0 for controllers. */
  podCount: number;
  /**
   * Pod IPs from status.podIP / status.podIPs of the Pod objects folded into this workload (as written, valid
   * IPv4/IPv6 addresses only); absent when no Pod carries one. Address peers (ClusterNetworkPolicy networks, Calico
   * nets, and Kubernetes ipBlock when enabled) match a workload only when every one of its IPs is inside.
   */
  ips?: string[];
}

export type PolicyType = 'Ingress' | 'Egress';

export interface IPBlock {
  cidr: string;
  except: string[];
  range?: SourceRange;
}

/** One entry of `from` / `to`. */
export interface Peer {
  /** undefined = field absent. */
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: IPBlock;
  range?: SourceRange;
}

export interface PolicyPort {
  protocol: Protocol;
  /** undefined = all ports of the protocol; a string is a named port resolved on the destination pod. */
  port?: number | string;
  endPort?: number;
  range?: SourceRange;
}

export interface PolicyRule {
  /** 0-based index of the rule in its direction's list. */
  index: number;
  /** undefined = `from`/`to` absent or empty: all sources/destinations. */
  peers?: Peer[];
  /** undefined = `ports` absent or empty: all ports and protocols. */
  ports?: PolicyPort[];
  range?: SourceRange;
}

export interface NetworkPolicy {
  kind: 'NetworkPolicy';
  namespace: string;
  /** True when metadata.namespace was absent and the default namespace was assumed. */
  namespaceDefaulted: boolean;
  name: string;
  podSelector: LabelSelector;
  /** Effective policy types after Kubernetes defaulting. */
  policyTypes: PolicyType[];
  /** policyTypes as written, or undefined when absent. */
  declaredPolicyTypes?: PolicyType[];
  /** undefined when the field is absent. */
  ingress?: PolicyRule[];
  egress?: PolicyRule[];
  range?: SourceRange;
  /** Range of metadata.name (for pointing at the policy). */
  nameRange?: SourceRange;
}

/** An object of a network-policy kind Policy Lens does not model (core/unmodelled.ts): not part of the reachability. */
export interface LeftOutObject {
  kind: string;
  apiVersion: string;
  /** metadata.name ('' when absent). */
  name: string;
  namespace?: string;
  /** Range of the object's `kind` value. */
  range: SourceRange;
}

/** Everything parsed from a set of files. */
export interface Cluster {
  namespaces: Namespace[];
  workloads: Workload[];
  policies: NetworkPolicy[];
  diagnostics: Diagnostic[];
  /** Objects of unmodelled network-policy kinds, left out of the reachability (each also has a kind-not-modelled diagnostic). */
  leftOut: LeftOutObject[];
  /** projectcalico.org/v3 resources, when any were found. */
  calico?: import('./dialects/calico/lower').CalicoInput;
  /** ClusterNetworkPolicy (v1alpha2) and AdminNetworkPolicy / BaselineAdminNetworkPolicy (v1alpha1) objects. */
  clusterPolicies?: import('./dialects/admin/model').ClusterPolicy[];
  /** Node objects (their labels and addresses, for `nodes` peers). */
  nodes?: import('./dialects/admin/model').ClusterNode[];
  /** cilium.io resources (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy, CiliumCIDRGroup) and cilium-config. */
  cilium?: import('./dialects/cilium/model').CiliumInput;
  /** Objects that say which CNI runs the cluster (core/policy/cni.ts detects it from them). */
  cniMarkers?: CniMarker[];
}

/** An object that tells which CNI enforces the manifests (e.g. the kube-system/cilium-config ConfigMap). */
export interface CniMarker {
  cni: 'cilium' | 'calico';
  /** The object in words, e.g. "ConfigMap kube-system/cilium-config". */
  what: string;
  /** An installation object (agent configuration, operator Installation) rather than a policy or other resource. */
  strong: boolean;
  range: SourceRange;
}
