// The semantic connectivity difference between two analyses (git base or folder vs working tree; what-if YAML vs
// current state): computed with the engine's results and diffReach, external ranges brought to a common refinement,
// and the rules responsible on each side taken from the engine's explanation (through tools/trace.ts).
import { ConnSet, diffReach, type Analysis, type Connection, type Endpoint, type ProtocolPorts, type ReachResult } from '../core/index';
import { refineExternals } from './externals';
import { traceOfConnection, type ResponsibleRule } from './trace';

export interface SideOfChange {
  /** What this side allows for the pair (empty object: nothing). */
  protocols: ProtocolPorts;
  /** Rules allowing (part of) it on this side; empty when nothing is allowed or the endpoint is not isolated. */
  rules: ResponsibleRule[];
  /** Whether the source is isolated for egress / the destination for ingress on this side (absent for external). */
  egressIsolated?: boolean;
  ingressIsolated?: boolean;
}

export interface FlowChange {
  src: string;
  dst: string;
  /** added: nothing was allowed before; removed: nothing is allowed after; changed: allowed on both sides, differently. */
  change: 'added' | 'removed' | 'changed';
  /** Ports allowed after but not before, and before but not after. */
  added: ProtocolPorts;
  removed: ProtocolPorts;
  before: SideOfChange;
  after: SideOfChange;
  /** A newly allowed flow into a workload from another namespace or from external addresses. */
  newExposure: boolean;
}

export interface DiffSummary {
  added: number;
  removed: number;
  changed: number;
  newExposure: number;
  /** Flows (or ports of flows) allowed before and no longer allowed. */
  removedAllowed: number;
}

export interface SemanticDiff {
  changes: FlowChange[];
  summary: DiffSummary;
  /** Address families one side has no external ranges for (not compared). */
  notCompared: string[];
}

/** Both results with external endpoints re-expressed on the common refinement of their address ranges. */
function normalise(before: ReachResult, after: ReachResult): { b: ReachResult; a: ReachResult; sideId: Map<string, { before?: string; after?: string }>; notCompared: string[] } {
  const extB = before.endpoints.filter((e) => e.kind === 'External').map((e) => e.id);
  const extA = after.endpoints.filter((e) => e.kind === 'External').map((e) => e.id);
  const pieces = refineExternals(extB, extA);
  const sideId = new Map<string, { before?: string; after?: string }>();
  const notCompared = new Set<string>();
  const byB = new Map<string, string[]>();
  const byA = new Map<string, string[]>();
  for (const p of pieces) {
    if (!p.before || !p.after) {
      notCompared.add(`IPv${p.range.family}`);
      continue;
    }
    sideId.set(p.id, { before: p.before, after: p.after });
    (byB.get(p.before) ?? byB.set(p.before, []).get(p.before)!).push(p.id);
    (byA.get(p.after) ?? byA.set(p.after, []).get(p.after)!).push(p.id);
  }
  const remap = (r: ReachResult, by: Map<string, string[]>, ext: Set<string>): ReachResult => {
    const connections: Connection[] = [];
    for (const c of r.connections) {
      const srcs = ext.has(c.src) ? by.get(c.src) ?? [] : [c.src];
      const dsts = ext.has(c.dst) ? by.get(c.dst) ?? [] : [c.dst];
      for (const s of srcs) for (const d of dsts) connections.push({ ...c, src: s, dst: d });
    }
    return { endpoints: r.endpoints, connections, diagnostics: r.diagnostics };
  };
  return { b: remap(before, byB, new Set(extB)), a: remap(after, byA, new Set(extA)), sideId, notCompared: [...notCompared] };
}

/** One side of a change, from the connection the engine reported (none: nothing allowed on this side). */
function side(c: Connection | undefined): SideOfChange {
  if (!c) return { protocols: {}, rules: [] };
  const t = traceOfConnection(c);
  const out: SideOfChange = { protocols: c.protocols, rules: [...(t.egress?.allowedBy ?? []), ...(t.ingress?.allowedBy ?? [])] };
  if (t.egress) out.egressIsolated = t.egress.isolated;
  if (t.ingress) out.ingressIsolated = t.ingress.isolated;
  return out;
}

/** The connectivity difference from `before` to `after`, sorted by source then destination. */
export function semanticDiff(before: Analysis, after: Analysis, results?: { before?: ReachResult; after?: ReachResult }): SemanticDiff {
  const rb = results?.before ?? before.result();
  const ra = results?.after ?? after.result();
  const { b, a, sideId, notCompared } = normalise(rb, ra);
  const d = diffReach(b, a);
  const key = (s: string, t: string) => `${s}\u0000${t}`;
  const pairs = new Map<string, { src: string; dst: string; added?: ProtocolPorts; removed?: ProtocolPorts }>();
  for (const c of d.added) pairs.set(key(c.src, c.dst), { src: c.src, dst: c.dst, added: c.protocols });
  for (const c of d.removed) {
    const k = key(c.src, c.dst);
    const p = pairs.get(k) ?? { src: c.src, dst: c.dst };
    p.removed = c.protocols;
    pairs.set(k, p);
  }
  const connB = new Map(b.connections.map((c) => [key(c.src, c.dst), c]));
  const connA = new Map(a.connections.map((c) => [key(c.src, c.dst), c]));
  const ns = new Map<string, Endpoint>();
  for (const e of [...rb.endpoints, ...ra.endpoints]) ns.set(e.id, e);
  const changes: FlowChange[] = [];
  for (const [k, p] of pairs) {
    const pb = connB.get(k)?.protocols ?? {};
    const pa = connA.get(k)?.protocols ?? {};
    const emptyB = ConnSet.fromProtocolPorts(pb).isEmpty();
    const emptyA = ConnSet.fromProtocolPorts(pa).isEmpty();
    const change: FlowChange['change'] = emptyB ? 'added' : emptyA ? 'removed' : 'changed';
    const added = p.added ?? {};
    const srcE = ns.get(p.src);
    const dstE = ns.get(p.dst);
    const srcExternal = sideId.has(p.src);
    const dstExternal = sideId.has(p.dst);
    const newExposure = Object.keys(added).length > 0 && !dstExternal && (srcExternal || (srcE?.namespace ?? '') !== (dstE?.namespace ?? ''));
    changes.push({
      src: p.src,
      dst: p.dst,
      change,
      added,
      removed: p.removed ?? {},
      before: side(connB.get(k)),
      after: side(connA.get(k)),
      newExposure,
    });
  }
  changes.sort((x, y) => (x.src < y.src ? -1 : x.src > y.src ? 1 : x.dst < y.dst ? -1 : x.dst > y.dst ? 1 : 0));
  const summary: DiffSummary = {
    added: changes.filter((c) => c.change === 'added').length,
    removed: changes.filter((c) => c.change === 'removed').length,
    changed: changes.filter((c) => c.change === 'changed').length,
    newExposure: changes.filter((c) => c.newExposure).length,
    removedAllowed: changes.filter((c) => Object.keys(c.removed).length > 0).length,
  };
  return { changes, summary, notCompared };
}
