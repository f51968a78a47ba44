// Loads network-config-analyzer (NCA) scheme files and turns one connectivityMap query into:
// - the endpoints NCA reasons about (its pods, with the names it prints), and
// - the manifests to feed the Policy Lens core (namespaces, pod-producing objects, policies).
//
// How NCA builds its endpoints (nca/NetworkConfig/TopologyObjectsFinder.py at the corpus commit):
// - a Pod keeps its name; its first ownerReference gives `owner_name` (printed by default, outputEndpoints
//   "deployments"); with outputEndpoints "pods" the pod name is printed;
// - a Deployment/ReplicaSet/StatefulSet/DaemonSet/Job/CronJob/ReplicationController yields min(replicas, 2) pods
//   named `<workload>-1`, `<workload>-2` owned by the workload;
// - a Calico WorkloadEndpoint is a pod named `spec.pod` (no owner) with the endpoint's labels;
// - a Calico HostEndpoint is a cluster endpoint without namespace (not modelled by Policy Lens);
// - at most two endpoints with the same namespace, workload, profiles and labels are kept.
// Policy Lens folds pods owned by one controller into one workload `namespace/owner`, so NCA pods map to our
// workload ids as: owner-less pod / WorkloadEndpoint -> `ns/name`, owned pod -> `ns/owner`, workload -> `ns/workload`.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import type { InputFile } from '../../../server/src/core/index';

/** A plain object from YAML/JSON (manifests are read loosely, as NCA does). */
export type Obj = Record<string, any>;

export interface NcaPod {
  /** NCA's endpoint name (pod name, `<workload>-<i>`, WorkloadEndpoint spec.pod, or HostEndpoint name). */
  name: string;
  /** Namespace; '' for host endpoints. */
  namespace: string;
  /** NCA owner_name ('' when none). */
  owner: string;
  /**
   * NCA's workload name as txt_no_fw_rules prints it: `ns/owner[ReplicaSet]` for a ReplicaSet owner,
   * `ns/owner[Kind]` for another owner, `ns/name[Pod]` without owner (ConnectivityGraph._get_peer_details).
   */
  workload?: string;
  labels: Record<string, string>;
  hostEndpoint: boolean;
  /** The Policy Lens workload id this endpoint maps to (undefined for host endpoints). */
  ourId?: string;
}

export interface IndexQuery {
  scheme: string;
  query: string;
  type: string;
  configs: string[];
  expectedOutput: string | null;
  outputFormat: string;
  outputEndpoints: string | null;
  family: string;
}

export interface QueryDef {
  name: string;
  connectivityMap?: string[];
  expectedOutput?: string;
  outputConfiguration?: Obj;
}

export interface SchemeFile {
  namespaceList?: string | string[];
  podList?: string | string[];
  resourceList?: string | string[];
  networkConfigList: Obj[];
  queries: QueryDef[];
}

const POD_CREATING = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicationController']);
const LIST_KINDS = new Set(['List', 'PodList', 'WorkloadEndpointList', 'HostEndpointList', 'NetworkSetList', 'GlobalNetworkSetList', 'NamespaceList', 'NetworkPolicyList']);
const CALICO_POLICY_KINDS = new Set(['NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy', 'Tier', 'Profile', 'NetworkSet', 'GlobalNetworkSet']);

const fileCache = new Map<string, Obj[]>();

/** All top-level objects of a YAML/JSON file, list kinds flattened (items get the implied kind). Cached. */
export function loadObjects(path: string): Obj[] {
  const hit = fileCache.get(path);
  if (hit) return hit;
  const text = readFileSync(path, 'utf8');
  let roots: unknown[];
  if (path.endsWith('.json')) {
    roots = [JSON.parse(text)];
  } else {
    roots = parseAllDocuments(text).map((d) => d.toJS({ maxAliasCount: -1 }));
  }
  const out: Obj[] = [];
  const add = (o: unknown, impliedKind?: string, impliedApi?: string) => {
    if (Array.isArray(o)) {
      for (const x of o) add(x);
      return;
    }
    if (!o || typeof o !== 'object') return;
    const obj = o as Obj;
    const kind: string | undefined = obj.kind ?? impliedKind;
    if (kind && LIST_KINDS.has(kind) && Array.isArray(obj.items)) {
      const item = kind === 'List' ? undefined : kind.slice(0, -4);
      for (const it of obj.items) add(it, item, item ? obj.apiVersion : undefined);
      return;
    }
    if (!kind) return;
    out.push(obj.kind ? obj : { ...obj, kind, apiVersion: obj.apiVersion ?? impliedApi });
  };
  for (const r of roots) add(r);
  fileCache.set(path, out);
  return out;
}

/** Files a scheme source entry refers to: a file, a directory (its yaml/json files) or `dir/**` (recursive). */
export function expandSource(baseDir: string, entry: string): string[] {
  const recursive = entry.endsWith('/**');
  const p = resolve(baseDir, recursive ? entry.slice(0, -3) : entry);
  if (!existsSync(p)) throw new Error(`scheme source not found: ${entry} (from ${baseDir})`);
  if (!statSync(p).isDirectory()) return [p];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const f = join(d, n);
      if (statSync(f).isDirectory()) {
        if (recursive) walk(f);
      } else if (/\.(ya?ml|json)$/.test(n)) out.push(f);
    }
  };
  walk(p);
  return out;
}

function asList(v: string | string[] | undefined): string[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

function isK8sPolicy(o: Obj): boolean {
  return o.kind === 'NetworkPolicy' && typeof o.apiVersion === 'string' && (o.apiVersion.startsWith('networking.k8s.io/') || o.apiVersion === 'extensions/v1beta1');
}

function isCalicoPolicyObj(o: Obj): boolean {
  return typeof o.apiVersion === 'string' && o.apiVersion.startsWith('projectcalico.org/') && CALICO_POLICY_KINDS.has(o.kind);
}

function labelsOf(o: Obj | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((o?.labels ?? {}) as Obj)) out[k] = v === null ? '' : String(v);
  return out;
}

/** One scenario (one config of a scheme): NCA's endpoints and the same input for the Policy Lens core. */
export interface Scenario {
  pods: NcaPod[];
  /** One multi-document file with the namespaces, pod-producing objects and policies, for parseFiles. */
  files: InputFile[];
}

/** Converts NCA's pod-producing objects into NcaPods, and into manifests our core understands. */
function topology(objs: Obj[], perPod: boolean): { pods: NcaPod[]; manifests: Obj[] } {
  const pods: NcaPod[] = [];
  const manifests: Obj[] = [];
  const canon = new Map<string, number>();
  const keep = (p: NcaPod, workloadKey: string, profiles: string[]): boolean => {
    const key = `${p.namespace}_${workloadKey}_${profiles.join(',')}_${JSON.stringify(Object.entries(p.labels).sort())}`;
    const n = canon.get(key) ?? 0;
    if (n >= 2) return false; // NCA keeps at most two isomorphic endpoints
    canon.set(key, n + 1);
    pods.push(p);
    return true;
  };
  for (const o of objs) {
    const meta = (o.metadata ?? {}) as Obj;
    const ns: string = meta.namespace ?? 'default';
    if (o.kind === 'Pod') {
      const owners: Obj[] = Array.isArray(meta.ownerReferences) ? meta.ownerReferences : [];
      const ncaOwner = owners[0]?.name ?? '';
      // Policy Lens takes the controller owner, else the first (server/src/core/parse.ts parsePod).
      const ourOwner = (owners.find((x) => x && x.controller === true) ?? owners[0])?.name;
      const name: string = meta.name ?? '';
      const workloadKey = ncaOwner ? `${ncaOwner}(${owners[0]?.kind ?? ''})` : `${name}(Pod)`;
      const ourId = perPod ? `${ns}/${name}` : `${ns}/${ourOwner ?? name}`;
      const workload = ncaOwner ? `${ns}/${ncaOwner}[${owners[0]?.kind ?? ''}]` : `${ns}/${name}[Pod]`;
      keep({ name, namespace: ns, owner: ncaOwner, labels: labelsOf(meta), hostEndpoint: false, ourId, workload }, workloadKey, []);
      // per-pod mode: without ownerReferences every pod is its own Policy Lens workload
      manifests.push(perPod && owners.length ? { ...o, metadata: { ...meta, ownerReferences: undefined } } : o);
    } else if (POD_CREATING.has(o.kind)) {
      const spec = (o.spec ?? {}) as Obj;
      let replicas: number = spec.replicas ?? 1;
      if (o.kind === 'Job') replicas = spec.parallelism ?? 1;
      const tmpl = o.kind === 'CronJob' ? spec.jobTemplate?.spec?.template : spec.template;
      const name: string = meta.name ?? '';
      for (let i = 1; i <= Math.min(replicas, 2); i++) {
        keep({ name: `${name}-${i}`, namespace: ns, owner: name, labels: labelsOf(tmpl?.metadata), hostEndpoint: false, ourId: `${ns}/${name}`, workload: `${ns}/${name}[${o.kind}]` }, `${name}(${o.kind})`, []);
      }
      if (replicas > 0) manifests.push(o);
    } else if (o.kind === 'WorkloadEndpoint') {
      const spec = (o.spec ?? {}) as Obj;
      const name: string = spec.pod ?? '';
      const labels = labelsOf(meta);
      const profiles: string[] = Array.isArray(spec.profiles) ? spec.profiles : [];
      if (!keep({ name, namespace: ns, owner: '', labels, hostEndpoint: false, ourId: `${ns}/${name}`, workload: `${ns}/${name}[Pod]` }, `${name}(Pod)`, profiles)) continue;
      // As a Pod for Policy Lens: same labels (minus the projectcalico.org/* ones Calico derives itself) and ports.
      const podLabels: Record<string, string> = {};
      for (const [k, v] of Object.entries(labels)) if (!k.startsWith('projectcalico.org/')) podLabels[k] = v;
      const sa = labels['projectcalico.org/serviceaccount'];
      const ports = (Array.isArray(spec.ports) ? spec.ports : []).map((p: Obj) => ({ name: p.name, containerPort: p.port, protocol: p.protocol ?? 'TCP' }));
      manifests.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: ns, labels: podLabels },
        spec: { ...(sa ? { serviceAccountName: sa } : {}), containers: [{ name: 'c', ports }] },
      });
    } else if (o.kind === 'HostEndpoint') {
      keep({ name: meta.name ?? '', namespace: '', owner: '', labels: labelsOf(meta), hostEndpoint: true }, `hep:${meta.name}`, []);
    } else if ((o.kind === 'NetworkSet' || o.kind === 'GlobalNetworkSet') && isCalicoPolicyObj(o)) {
      manifests.push(o);
    }
  }
  return { pods, manifests };
}

function namespaceObjects(objs: Obj[]): Obj[] {
  return objs.filter((o) => o.kind === 'Namespace').map((o) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.metadata?.name, labels: o.metadata?.labels ?? {} } }));
}

export interface Case {
  index: IndexQuery;
  scheme: SchemeFile;
  schemeDir: string;
  query: QueryDef;
  outputConfiguration: Obj;
}

export function loadIndex(base: string): IndexQuery[] {
  return (JSON.parse(readFileSync(join(base, 'INDEX.scheme_queries.json'), 'utf8')) as { queries: IndexQuery[] }).queries;
}

const schemeCache = new Map<string, SchemeFile>();

export function loadCase(base: string, q: IndexQuery): Case {
  const schemePath = join(base, q.scheme);
  let scheme = schemeCache.get(schemePath);
  if (!scheme) {
    scheme = (parseAllDocuments(readFileSync(schemePath, 'utf8'))[0].toJS() ?? {}) as SchemeFile;
    schemeCache.set(schemePath, scheme);
  }
  const schemeDir = dirname(schemePath);
  const query = scheme.queries.find((x) => x.connectivityMap && x.expectedOutput && resolve(schemeDir, x.expectedOutput) === resolve(base, q.expectedOutput ?? ''));
  if (!query) throw new Error(`query ${q.query} with expected output ${q.expectedOutput} not found in ${q.scheme}`);
  return { index: q, scheme, schemeDir, query, outputConfiguration: query.outputConfiguration ?? {} };
}

const scenarioCache = new Map<string, Scenario>();

/**
 * The scenario of one config reference: `name` (whole config) or `name/ns/policy` / `name/Kind/ns/policy`
 * (a single policy of the config, as NCA's "config sets" allow).
 */
export interface ScenarioOptions {
  /** Drop the Pods' ownerReferences: every NCA pod becomes its own Policy Lens workload. */
  perPod?: boolean;
  /**
   * Add NCA's "LiveSim" kube-dns pod (nca/NetworkConfig/LiveSim/dns/dns_pods.yaml: pod kube-system/kube-dns-livesim
   * labelled k8s-app=kube-dns, namespace kube-system labelled name=kube-system), which NCA adds on its own when a
   * policy refers to kube-dns pods that the input does not contain.
   */
  liveSimDns?: boolean;
  /**
   * Emulate NCA's policy order: NCA sorts policies by order only and keeps input (file) order among equal or
   * absent orders (nca/Resources/PolicyResources/NetworkPolicy.py __lt__, a TODO there notes the missing tie
   * break), while Calico breaks ties by name. Gives every Calico policy order `(order ?? 1e9) + i * 1e-6`.
   */
  ncaPolicyOrder?: boolean;
}

export function loadScenario(c: Case, configRef: string, opts: ScenarioOptions = {}): Scenario {
  const perPod = !!opts.perPod;
  const key = `${c.index.scheme}|${configRef}|${perPod}|${!!opts.liveSimDns}|${!!opts.ncaPolicyOrder}`;
  const hit = scenarioCache.get(key);
  if (hit) return hit;
  const parts = configRef.split('/');
  const cfgName = parts[0];
  const cfg = c.scheme.networkConfigList.find((x) => x.name === cfgName);
  if (!cfg) throw new Error(`config ${cfgName} not in scheme`);
  const load = (entries: string[]) => entries.flatMap((e) => expandSource(c.schemeDir, e)).flatMap((f) => loadObjects(f));
  const resObjs = load(asList(cfg.resourceList).length ? asList(cfg.resourceList) : asList(c.scheme.resourceList));
  const nsSrc = asList(cfg.namespaceList ?? c.scheme.namespaceList);
  const podSrc = asList(cfg.podList ?? c.scheme.podList);
  const nsObjs = nsSrc.length ? load(nsSrc) : resObjs;
  const podObjs = podSrc.length ? load(podSrc) : resObjs;
  let policies = (cfg.networkPolicyList ? load(asList(cfg.networkPolicyList)) : resObjs).filter((o) => isK8sPolicy(o) || isCalicoPolicyObj(o));
  if (parts.length === 3 || parts.length === 4) {
    const [ns, name] = parts.slice(-2);
    const kind = parts.length === 4 ? parts[1] : undefined;
    const kindOk = (o: Obj) =>
      !kind ||
      (kind === 'K8sNetworkPolicy' && isK8sPolicy(o)) ||
      (kind === 'CalicoNetworkPolicy' && isCalicoPolicyObj(o) && o.kind === 'NetworkPolicy') ||
      (kind === 'CalicoGlobalNetworkPolicy' && isCalicoPolicyObj(o) && o.kind === 'GlobalNetworkPolicy');
    policies = policies.filter((o) => !['NetworkPolicy', 'GlobalNetworkPolicy'].includes(o.kind) || (kindOk(o) && o.metadata?.name === name && (o.kind === 'GlobalNetworkPolicy' || (o.metadata?.namespace ?? 'default') === ns)));
    if (!policies.some((o) => o.metadata?.name === name)) throw new Error(`policy ${configRef} not found`);
  }
  const extraNs: Obj[] = [];
  const extraPods: Obj[] = [];
  if (opts.liveSimDns) {
    extraNs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system', labels: { name: 'kube-system', 'kubernetes.io/metadata.name': 'kube-system' } } });
    extraPods.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'kube-dns-livesim', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, spec: { containers: [{ name: 'dns' }] } });
  }
  if (opts.ncaPolicyOrder) {
    policies = policies.map((p, i) =>
      isCalicoPolicyObj(p) && (p.kind === 'NetworkPolicy' || p.kind === 'GlobalNetworkPolicy') ? { ...p, spec: { ...(p.spec ?? {}), order: (typeof p.spec?.order === 'number' ? p.spec.order : 1e9) + i * 1e-6 } } : p,
    );
  }
  const topo = topology([...podObjs, ...extraPods], perPod);
  const docs = [...namespaceObjects([...nsObjs, ...extraNs]), ...topo.manifests, ...policies.filter((p) => !['NetworkSet', 'GlobalNetworkSet'].includes(p.kind) || !topo.manifests.includes(p))];
  const files: InputFile[] = [{ path: `nca:${configRef}.yaml`, text: docs.map((d) => stringify(d)).join('---\n') }];
  const sc: Scenario = { pods: topo.pods, files };
  scenarioCache.set(key, sc);
  return sc;
}
