// Public API of the pure analysis core. Nothing here (or below) may import vscode or LSP packages:
// the core runs in the language server, the CLI, the webview and a browser web worker.
import type { Cluster } from './model';
import type { Connection, ReachResult } from './reach-types';
import { parseFiles, type InputFile, type ParseOptions } from './parse';
import { analyze, Analysis, type AnalyzeOptions } from './analysis';
import { ConnSet } from './ports';

export * from './model';
export * from './reach-types';
export { parseFiles, parseFileInto, ClusterBuilder, ParseContext, parseLabelSelector, getNode, getPair, documentModel, mergeDocumentModel, emptyCluster } from './parse';
export { LineIndex } from './lines';
export { splitDocuments, parseChunk, type ParsedChunk } from './documents';
export { UNMODELLED_KINDS, unmodelledKind, leftOutSummary } from './unmodelled';
export { parseNetworkPolicy } from './dialects/kubernetes/parse';
export type { InputFile, ParseOptions, ExtraObjectHandler } from './parse';
export { analyze, analyzeIncremental, workloadChanges, Analysis } from './analysis';
export { panelData, panelDataAsync, PanelCancelled, type PanelPayload, type PanelProgress } from './panel-data';
export type { AnalyzeOptions } from './analysis';
export { ConnSet } from './ports';
export { selectorMatches, describeSelector, isEmptySelector, selectorKey } from './selectors';
export { parseCidr } from './ip';
export { chooseCni, detectCni, cniName, describeChoice, CNIS, CNI_SETTINGS, isCniSetting, type Cni, type CniSetting, type CniChoice } from './policy/cni';

/** Parse and analyse in one step. */
export function reach(files: InputFile[], opts?: ParseOptions): ReachResult {
  return analyze(parseFiles(files, opts)).result();
}

export function analyzeFiles(files: InputFile[], opts?: ParseOptions, analyzeOpts: AnalyzeOptions = {}): { cluster: Cluster; analysis: Analysis } {
  const cluster = parseFiles(files, opts);
  return { cluster, analysis: analyze(cluster, analyzeOpts) };
}

/**
 * What changed between two results: `added` holds the ports allowed after but not before (per pair),
 * `removed` the ports allowed before but not after. Explanations are taken from the side that allows them.
 */
export function diffReach(before: ReachResult, after: ReachResult): { added: Connection[]; removed: Connection[] } {
  const key = (c: Connection) => `${c.src}\u0000${c.dst}`;
  const b = new Map(before.connections.map((c) => [key(c), c]));
  const a = new Map(after.connections.map((c) => [key(c), c]));
  const added: Connection[] = [];
  const removed: Connection[] = [];
  for (const [k, c] of a) {
    const prev = b.get(k);
    const extra = ConnSet.fromProtocolPorts(c.protocols).subtract(prev ? ConnSet.fromProtocolPorts(prev.protocols) : ConnSet.EMPTY);
    if (!extra.isEmpty()) added.push({ ...c, protocols: extra.toJSON() });
  }
  for (const [k, c] of b) {
    const now = a.get(k);
    const lost = ConnSet.fromProtocolPorts(c.protocols).subtract(now ? ConnSet.fromProtocolPorts(now.protocols) : ConnSet.EMPTY);
    if (!lost.isEmpty()) removed.push({ ...c, protocols: lost.toJSON() });
  }
  return { added, removed };
}
