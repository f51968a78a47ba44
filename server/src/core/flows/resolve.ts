// Maps the ends of observed flows to endpoints of an analysis: workloads (`namespace/name`, as `reach` prints them)
// and external address ranges (the analysis's external endpoints, cut at every policy boundary).
//
// Pod names and controllers (Kubernetes documentation, "Deployments" / "ReplicaSet" / "StatefulSets" /
// "DaemonSet" / "Jobs" / "CronJob"; object names and `metadata.generateName`):
// * a ReplicaSet, DaemonSet, Job or ReplicationController creates its pods with generateName `<name>-`, so a pod is
//   `<name>-<5 random characters>`;
// * a Deployment's ReplicaSet is `<deployment>-<pod-template-hash>`, so its pods are `<deployment>-<hash>-<random>`;
// * a StatefulSet's pods are `<name>-<ordinal>` (no generateName);
// * a CronJob's Jobs are `<cronjob>-<scheduled time in minutes>`.
// Calico aggregates pods by GenerateName and writes `<generateName>*` ([FL] in formats.ts); Hubble gives the pod name
// and its owning workload ([HB] Endpoint.workloads).
//
// Labels added by controllers (pod-template-hash, controller-revision-hash, …) are not in the manifests' pod
// templates and are ignored when checking that a record's labels agree with the workload it maps to.
import type { Analysis } from '../index';
import type { Labels, Workload } from '../model';
import { parseIPv4, parseIPv6, type Family } from '../ip';
import type { FlowEnd } from './types';

export interface Resolution {
  /** Candidate endpoint ids (one when the end maps unambiguously). */
  ids: string[];
  /** How to show the end when it has several candidates. */
  display: string;
  /** Set when the end maps to nothing (the record is reported as unmatched). */
  problem?: string;
  notes?: string[];
}

/** Labels set by controllers or the CNI, not by the pod template. */
const CONTROLLER_LABELS = new Set([
  'pod-template-hash',
  'controller-revision-hash',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'pod-template-generation',
  'job-name',
  'controller-uid',
  'batch.kubernetes.io/job-name',
  'batch.kubernetes.io/controller-uid',
  'batch.kubernetes.io/job-completion-index',
]);

export function isControllerLabel(k: string): boolean {
  return CONTROLLER_LABELS.has(k) || k.startsWith('projectcalico.org/') || k.startsWith('io.cilium.') || k === 'io.kubernetes.pod.namespace';
}

/** RFC 1918 ranges: Calico's `pvt` ([FL] getSubnetType). */
const PRIVATE_V4: [bigint, bigint][] = [
  [0x0a000000n, 0x0affffffn],
  [0xac100000n, 0xac1fffffn],
  [0xc0a80000n, 0xc0a8ffffn],
];

interface Atom {
  id: string;
  family: Family;
  lo: bigint;
  hi: bigint;
}

function parseAddr(s: string): { family: Family; v: bigint } | undefined {
  const v4 = parseIPv4(s);
  if (v4 !== undefined) return { family: 4, v: v4 };
  const v6 = parseIPv6(s);
  if (v6 !== undefined) return { family: 6, v: v6 };
  return undefined;
}

const SUFFIX: Record<string, RegExp> = {
  Deployment: /^[a-z0-9]+-[a-z0-9]+$/,
  ReplicaSet: /^[a-z0-9]+$/,
  DaemonSet: /^[a-z0-9]+$/,
  Job: /^[a-z0-9]+$/,
  ReplicationController: /^[a-z0-9]+$/,
  StatefulSet: /^\d+$/,
  CronJob: /^\d+-[a-z0-9]+$/,
};

/** Suffix after `<name>-` of a GenerateName prefix (without its trailing `-`), per controller kind. */
const PREFIX_SUFFIX: Record<string, RegExp> = {
  Deployment: /^[a-z0-9]+$/,
  CronJob: /^\d+$/,
};

export class EndpointResolver {
  private readonly byNs = new Map<string, Workload[]>();
  private readonly atoms: Atom[];
  private readonly cache = new Map<string, Resolution>();

  constructor(readonly analysis: Analysis) {
    for (const w of analysis.workloads) {
      let l = this.byNs.get(w.namespace);
      if (!l) this.byNs.set(w.namespace, (l = []));
      l.push(w);
    }
    // External address endpoints (atoms cut at every policy boundary), as `reach` names them.
    this.atoms = analysis.atoms.map((a) => ({ id: a.id, family: a.family, lo: a.lo, hi: a.hi }));
    this.atoms.sort((a, b) => a.family - b.family || (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  }

  /** Resolves an end (cached by its key). */
  resolve(key: string, end: FlowEnd): Resolution {
    let r = this.cache.get(key);
    if (!r) {
      r = this.compute(end);
      if (this.cache.size > 200_000) this.cache.clear();
      this.cache.set(key, r);
    }
    return r;
  }

  private compute(e: FlowEnd): Resolution {
    switch (e.type) {
      case 'workload':
        return this.workload(e);
      case 'address':
        return this.address(e.address ?? '');
      case 'network':
        return this.network(e.network ?? 'pub');
      case 'networkset':
        return this.networkSet(e.name ?? '', e.namespace);
      case 'named': {
        // Whisker does not say what a name is: a pod without GenerateName, or a network set.
        if (e.namespace) {
          const w = this.workload({ ...e, type: 'workload', podName: e.name });
          if (!w.problem) return w;
        }
        const s = this.networkSet(e.name ?? '', e.namespace);
        if (!s.problem) return s;
        return { ids: [], display: this.describe(e), problem: `${this.describe(e)} is neither a workload nor a network set of the manifests` };
      }
      case 'host':
        return { ids: [], display: this.describe(e), problem: `${this.describe(e)} is a node / host endpoint, which the manifests do not model` };
      default:
        return { ids: [], display: this.describe(e), problem: `${this.describe(e)}: the record does not identify the endpoint` };
    }
  }

  describe(e: FlowEnd): string {
    switch (e.type) {
      case 'workload':
        return `${e.namespace}/${e.workload ? e.workload.name : e.prefix !== undefined ? `${e.prefix}*` : e.podName ?? '(unnamed pod)'}`;
      case 'address':
        return e.address ?? '(no address)';
      case 'network':
        return e.network ?? 'pub';
      case 'networkset':
      case 'named':
        return e.namespace ? `${e.namespace}/${e.name}` : e.name ?? '';
      case 'host':
        return e.name ?? 'host';
      default:
        return e.note ?? 'unknown endpoint';
    }
  }

  // ---------------------------------------------------------------- workloads

  private workload(e: FlowEnd): Resolution {
    const display = this.describe(e);
    const ns = e.namespace;
    const pool = ns ? this.byNs.get(ns) ?? [] : [];
    if (!ns) return { ids: [], display, problem: `${display}: no namespace recorded` };
    let cands: Workload[] = [];
    let how = '';
    if (e.workload) {
      cands = this.byWorkloadRef(pool, e.workload.name, e.workload.kind);
      how = 'workload';
    }
    if (!cands.length && e.podName) {
      cands = this.byPodName(pool, e.podName);
      how = 'pod name';
    }
    if (!cands.length && e.prefix !== undefined) {
      cands = this.byPrefix(pool, e.prefix);
      how = 'name prefix';
    }
    const notes: string[] = [];
    if (cands.length) {
      if (cands.length > 1 && e.labels) {
        const agreeing = cands.filter((w) => !labelConflict(w.labels, e.labels!, !e.labelsPartial));
        if (agreeing.length) cands = agreeing;
      } else if (e.labels) {
        const conflict = labelConflict(cands[0].labels, e.labels, !e.labelsPartial);
        if (conflict) notes.push(`the observed pods' labels differ from ${cands[0].id}'s pod template (${conflict}): the manifests may not match the cluster`);
      }
    } else if (e.labels && Object.keys(e.labels).length) {
      // No workload by name: the one whose pod-template labels all appear on the observed pods.
      const byLabels = pool.filter((w) => Object.keys(w.labels).length > 0 && !labelConflict(w.labels, e.labels!, false) && Object.keys(w.labels).every((k) => k in e.labels!));
      const best = Math.max(0, ...byLabels.map((w) => Object.keys(w.labels).length));
      cands = byLabels.filter((w) => Object.keys(w.labels).length === best);
      if (cands.length) notes.push(`no workload named like ${display}; matched by labels`);
      how = 'labels';
    }
    if (!cands.length) return { ids: [], display, problem: `${display} matches no workload of the manifests in namespace ${ns}` };
    if (cands.length > 1) notes.push(`${display} matches ${cands.length} workloads by ${how}: ${cands.map((w) => w.id).join(', ')}`);
    return { ids: cands.map((w) => w.id), display: cands.length === 1 ? cands[0].id : display, notes: notes.length ? notes : undefined };
  }

  private byWorkloadRef(pool: Workload[], name: string, kind?: string): Workload[] {
    const exact = pool.filter((w) => w.name === name && (!kind || w.kind === kind || w.kind === 'Pod'));
    if (exact.length) return exact;
    const sameName = pool.filter((w) => w.name === name);
    if (sameName.length) return sameName;
    // A Deployment's ReplicaSet (or a CronJob's Job) in the manifests instead of the owner itself.
    return pool.filter((w) => {
      if (!w.name.startsWith(`${name}-`)) return false;
      const rest = w.name.slice(name.length + 1);
      if (kind === 'Deployment' || !kind) return w.kind === 'ReplicaSet' && /^[a-z0-9]+$/.test(rest);
      if (kind === 'CronJob') return w.kind === 'Job' && /^\d+$/.test(rest);
      return false;
    });
  }

  private byPodName(pool: Workload[], pod: string): Workload[] {
    const exact = pool.filter((w) => w.name === pod);
    if (exact.length) return exact;
    return pool.filter((w) => {
      if (!pod.startsWith(`${w.name}-`)) return false;
      const re = SUFFIX[w.kind];
      return !!re && re.test(pod.slice(w.name.length + 1));
    });
  }

  private byPrefix(pool: Workload[], prefix: string): Workload[] {
    // Bare pods created with generateName keep the prefix as their name in the manifests.
    const exact = pool.filter((w) => w.name === prefix || `${w.name}-` === prefix);
    if (exact.length) return exact;
    const base = prefix.endsWith('-') ? prefix.slice(0, -1) : prefix;
    return pool.filter((w) => {
      if (!base.startsWith(`${w.name}-`)) return false;
      const re = PREFIX_SUFFIX[w.kind];
      return !!re && re.test(base.slice(w.name.length + 1));
    });
  }

  // ---------------------------------------------------------------- external addresses

  private address(s: string): Resolution {
    const a = parseAddr(s.trim());
    if (!a) return { ids: [], display: s, problem: `"${s}" is not an IP address` };
    const atom = this.atomContaining(a.family, a.v);
    if (!atom) {
      return {
        ids: [],
        display: s,
        problem: `${s}: no external endpoint covers this IPv${a.family} address (no policy of the manifests names an IPv${a.family} range)`,
      };
    }
    return { ids: [atom.id], display: atom.id };
  }

  private atomContaining(family: Family, v: bigint): Atom | undefined {
    let lo = 0;
    let hi = this.atoms.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const a = this.atoms[mid];
      if (a.family < family || (a.family === family && a.hi < v)) lo = mid + 1;
      else if (a.family > family || a.lo > v) hi = mid - 1;
      else return a;
    }
    return undefined;
  }

  private network(net: 'pub' | 'pvt'): Resolution {
    const inPrivate = (a: Atom) => a.family === 4 && PRIVATE_V4.some(([lo, hi]) => a.lo <= hi && lo <= a.hi);
    const allPrivate = (a: Atom) => a.family === 4 && PRIVATE_V4.some(([lo, hi]) => lo <= a.lo && a.hi <= hi);
    const ids = this.atoms.filter((a) => (net === 'pvt' ? inPrivate(a) : !allPrivate(a))).map((a) => a.id);
    if (!ids.length) return { ids: [], display: net, problem: `${net}: no external endpoint in the manifests' address ranges` };
    return { ids, display: ids.length === 1 ? ids[0] : net, notes: ids.length > 1 ? [`${net} (Calico records no address) may be any of ${ids.length} external ranges`] : undefined };
  }

  private networkSet(name: string, namespace: string | undefined): Resolution {
    const sets = this.analysis.cluster.calico?.networkSets ?? [];
    const set = sets.find((s) => s.metadata.name === name && (namespace ? s.namespaced && s.metadata.namespace === namespace : !s.namespaced));
    const display = namespace ? `${namespace}/${name}` : name;
    if (!set) return { ids: [], display, problem: `network set ${display} is not in the manifests` };
    const ids = this.atoms.filter((a) => set.nets.some((n) => n.cidr.family === a.family && n.cidr.lo <= a.lo && a.hi <= n.cidr.hi)).map((a) => a.id);
    if (!ids.length) return { ids: [], display, problem: `network set ${display} has no usable nets` };
    return { ids, display: ids.length === 1 ? ids[0] : display, notes: ids.length > 1 ? [`network set ${display} spans ${ids.length} external ranges`] : undefined };
  }
}

/**
 * Why a workload's template labels disagree with the labels observed on its pods (undefined when they agree).
 * `complete`: the observed labels are all of a pod's labels (Hubble), so a template label missing from them is a
 * conflict too; Calico's are an intersection ([GM] source_labels), where only a different value is.
 */
export function labelConflict(template: Labels, observed: Labels, complete: boolean): string | undefined {
  for (const [k, v] of Object.entries(template)) {
    if (isControllerLabel(k)) continue;
    if (k in observed) {
      if (observed[k] !== v) return `${k}=${observed[k]} observed, ${k}=${v} in the manifests`;
    } else if (complete) return `${k} not on the observed pods`;
  }
  return undefined;
}
