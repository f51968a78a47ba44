// `pod-ips-split`: a workload whose pods' IPs lie on both sides of an address block that matches pods (CNP
// `networks`, Calico `nets`/`notNets`, and Kubernetes `ipBlock` when ipBlock applies to pods). The evaluator matches
// a workload against an address block only as a whole (every pod IP inside), because all pods of a workload share
// one row of the matrix; this lint makes the cases where that is not exact visible instead of silently deciding.
// Pure: no LSP imports.
import type { Cluster, Diagnostic, SourceRange, Workload } from '../model';
import type { Family } from '../ip';
import { podAddress, podIpsIn } from '../policy/matchers';
import { ipBlockOf } from '../dialects/kubernetes/lower';
import { ipBlockMatchesPodsUnder } from '../policy/build';
import { chooseCni, type CniSetting } from '../policy/cni';

interface Block {
  family: Family;
  lo: bigint;
  hi: bigint;
  except?: { lo: bigint; hi: bigint }[];
}

interface Source {
  what: string;
  blocks: Block[];
  range?: SourceRange;
}

function sources(cluster: Cluster, ipBlockMatchesPods: boolean): Source[] {
  const out: Source[] = [];
  for (const p of cluster.clusterPolicies ?? []) {
    for (const r of [...p.ingress, ...p.egress]) {
      for (const peer of r.peers) {
        const nets = (peer.networks ?? []).filter((n) => n.cidr);
        if (nets.length) out.push({ what: nets.map((n) => n.text).join(', '), blocks: nets.map((n) => ({ family: n.cidr!.family, lo: n.cidr!.lo, hi: n.cidr!.hi })), range: peer.range });
      }
    }
  }
  for (const p of cluster.calico?.policies ?? []) {
    for (const r of [...p.ingress, ...p.egress]) {
      for (const ent of [r.source, r.destination]) {
        for (const list of [ent.nets, ent.notNets]) {
          if (!list || list.length === 0) continue;
          out.push({ what: list.map((n) => n.text).join(', '), blocks: list.map((n) => ({ family: n.cidr.family, lo: n.cidr.lo, hi: n.cidr.hi })), range: list[0].range ?? ent.range });
        }
      }
    }
  }
  if (ipBlockMatchesPods) {
    for (const p of cluster.policies) {
      for (const r of [...(p.ingress ?? []), ...(p.egress ?? [])]) {
        for (const peer of r.peers ?? []) {
          if (!peer.ipBlock) continue;
          const b = ipBlockOf(peer.ipBlock.cidr, peer.ipBlock.except);
          if (b) out.push({ what: [peer.ipBlock.cidr, ...peer.ipBlock.except.map((e) => `except ${e}`)].join(' '), blocks: [b], range: peer.ipBlock.range ?? peer.range });
        }
      }
    }
  }
  return out;
}

function inside(blocks: Block[], a: { family: Family; lo: bigint; hi: bigint }): boolean {
  return blocks.some((b) => b.family === a.family && b.lo <= a.lo && a.hi <= b.hi && !(b.except ?? []).some((e) => e.lo <= a.lo && a.hi <= e.hi));
}

/** One warning per (address peer, workload) whose pod IPs are split by the peer's blocks. */
export function podIpSplitDiagnostics(cluster: Cluster, opts: { ipBlockMatchesPods?: boolean; cni?: CniSetting } = {}): Diagnostic[] {
  const multi = cluster.workloads.filter((w) => (w.ips?.length ?? 0) > 1);
  if (multi.length === 0) return [];
  const out: Diagnostic[] = [];
  // Whether ipBlock matches pods depends on the CNI evaluating the cluster (Calico: yes; Cilium: no; else the option).
  const ipBlockMatchesPods = ipBlockMatchesPodsUnder(chooseCni(cluster, opts.cni).cni, opts);
  for (const s of sources(cluster, ipBlockMatchesPods)) {
    if (!s.range) continue;
    for (const w of multi) {
      if (podIpsIn(w, (a) => inside(s.blocks, a)) !== 'split') continue;
      out.push({ code: 'pod-ips-split', severity: 'warning', message: message(w, s), range: s.range });
    }
  }
  return out;
}

function message(w: Workload, s: Source): string {
  const ins: string[] = [];
  const outs: string[] = [];
  for (const ip of w.ips ?? []) {
    const a = podAddress(ip);
    if (!a) continue;
    (inside(s.blocks, { family: a.family, lo: a.value, hi: a.value }) ? ins : outs).push(ip);
  }
  return `The pods of ${w.kind} ${w.id} have IPs inside ${s.what} (${ins.join(', ')}) and outside it (${outs.join(', ')}). Policy Lens evaluates a workload as a whole and matches it only when every pod IP is inside, so this peer does not match ${w.id}; the pods with IPs inside are treated like the others. Cover all of the workload's pod IPs, or select it by labels.`;
}
