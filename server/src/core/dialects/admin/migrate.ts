// "Migrate to ClusterNetworkPolicy": rewrites a deprecated AdminNetworkPolicy / BaselineAdminNetworkPolicy
// (policy.networking.k8s.io/v1alpha1) document as a ClusterNetworkPolicy (v1alpha2), and proves the rewrite with the
// engine before it is offered: the workspace is analysed before and after, and every pair of endpoints must get the
// same verdict (every protocol and port).
//
// Mapping (network-policy-api site-src/blog/posts/ClusterNetworkPolicy.md and the v1alpha1/v1alpha2 types):
//   AdminNetworkPolicy                 -> ClusterNetworkPolicy, spec.tier Admin, same priority
//   BaselineAdminNetworkPolicy default -> ClusterNetworkPolicy, spec.tier Baseline, a priority after every Baseline
//                                         policy in use (the BANP is evaluated after them, see lower.ts)
//   action Allow                       -> Accept (Deny, Pass unchanged)
//   ports: portNumber {protocol, port} -> protocols: tcp|udp|sctp: {destinationPort: {number}}
//          portRange {protocol, s, e}  ->            tcp|udp|sctp: {destinationPort: {range: {start, end}}}
//          namedPort n                 ->            destinationNamedPort: n
//   peers (namespaces, pods, networks, nodes, domainNames): unchanged
// Comments and layout are kept where the YAML library can keep them. Pure: no LSP / Node imports.
import { isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { InputFile, ParseOptions } from '../../parse';
import { parseFiles } from '../../parse';
import type { AnalyzeOptions } from '../../analysis';
import { analyze } from '../../analysis';
import { ConnSet } from '../../ports';
import { CNP_API_VERSION, CNP_MAX_ITEMS, MAX_PRIORITY, type ClusterPolicy } from './model';
import type { LintProject } from '../../lint/project';

export type MigrationOutcome =
  | { ok: true; text: string; title: string; pairs: number; name: string }
  | { ok: false; reason: string };

function keyOf(p: Pair): string | undefined {
  return isScalar(p.key) ? String(p.key.value) : undefined;
}

function renameKey(doc: Document, p: Pair, to: string): void {
  const k = p.key as Node;
  const n = doc.createNode(to) as Node;
  // Keep the comment written before the key.
  if ((k as { commentBefore?: string }).commentBefore) (n as { commentBefore?: string }).commentBefore = (k as { commentBefore?: string }).commentBefore;
  p.key = n;
}

function get(map: YAMLMap | undefined, key: string): Pair | undefined {
  return map?.items.find((p) => keyOf(p as Pair) === key) as Pair | undefined;
}

/** One v1alpha1 ports entry -> one v1alpha2 protocols entry (as plain data), or a reason. */
function protocolEntry(entry: unknown): Record<string, unknown> | string {
  if (!entry || typeof entry !== 'object') return 'a ports entry is not a mapping';
  const e = entry as Record<string, Record<string, unknown> | string | undefined>;
  if (typeof e.namedPort === 'string') return { destinationNamedPort: e.namedPort };
  const pn = e.portNumber as Record<string, unknown> | undefined;
  if (pn && typeof pn === 'object') {
    const proto = String(pn.protocol ?? 'TCP').toLowerCase();
    if (!['tcp', 'udp', 'sctp'].includes(proto) || typeof pn.port !== 'number') return 'a portNumber entry is invalid';
    return { [proto]: { destinationPort: { number: pn.port } } };
  }
  const pr = e.portRange as Record<string, unknown> | undefined;
  if (pr && typeof pr === 'object') {
    const proto = String(pr.protocol ?? 'TCP').toLowerCase();
    if (!['tcp', 'udp', 'sctp'].includes(proto) || typeof pr.start !== 'number' || typeof pr.end !== 'number') return 'a portRange entry is invalid';
    // v1alpha2 requires start < end: a one-port range becomes a number.
    return { [proto]: { destinationPort: pr.start === pr.end ? { number: pr.start } : { range: { start: pr.start, end: pr.end } } } };
  }
  return 'a ports entry sets none of portNumber, portRange, namedPort';
}

/**
 * Rewrites the text of one YAML document holding an AdminNetworkPolicy or BaselineAdminNetworkPolicy.
 * `baselinePriority` is the priority given to a BaselineAdminNetworkPolicy; `name` the new metadata.name.
 */
export function migrateDocumentText(docText: string, opts: { baselinePriority: number; name?: string }): { text: string } | { reason: string } {
  const doc = parseDocument(docText, { keepSourceTokens: false });
  if (doc.errors.length) return { reason: 'the document has YAML errors' };
  const root = doc.contents;
  if (!isMap(root)) return { reason: 'the document is not a mapping' };
  const kind = get(root, 'kind');
  const kindV = isScalar(kind?.value) ? String(kind!.value.value) : '';
  if (kindV !== 'AdminNetworkPolicy' && kindV !== 'BaselineAdminNetworkPolicy') return { reason: `not an AdminNetworkPolicy or BaselineAdminNetworkPolicy (${kindV || 'no kind'})` };
  const spec = get(root, 'spec')?.value;
  if (!isMap(spec)) return { reason: 'the policy has no spec' };
  const api = get(root, 'apiVersion');
  if (api) api.value = doc.createNode(CNP_API_VERSION);
  else (root.items as unknown[]).unshift(doc.createPair('apiVersion', CNP_API_VERSION));
  kind!.value = doc.createNode('ClusterNetworkPolicy');
  if (opts.name) {
    const meta = get(root, 'metadata')?.value;
    const nm = isMap(meta) ? get(meta, 'name') : undefined;
    if (nm) nm.value = doc.createNode(opts.name);
  }
  const subjPods = (() => {
    const subj = get(spec, 'subject')?.value;
    return isMap(subj) ? get(subj, 'pods')?.value : undefined;
  })();
  if (isMap(subjPods) && !get(subjPods, 'podSelector')) (subjPods.items as unknown[]).push(doc.createPair('podSelector', doc.createNode({}, { flow: true })));
  // spec.tier first, then priority.
  const tier = kindV === 'AdminNetworkPolicy' ? 'Admin' : 'Baseline';
  if (kindV === 'BaselineAdminNetworkPolicy') (spec.items as unknown[]).unshift(doc.createPair('priority', opts.baselinePriority));
  (spec.items as unknown[]).unshift(doc.createPair('tier', tier));
  for (const dir of ['ingress', 'egress']) {
    const rules = get(spec, dir)?.value;
    if (!rules) continue;
    if (!isSeq(rules)) return { reason: `spec.${dir} is not a list` };
    if (rules.items.length > CNP_MAX_ITEMS) return { reason: `spec.${dir} has ${rules.items.length} rules; ClusterNetworkPolicy allows at most ${CNP_MAX_ITEMS} (split the policy first)` };
    for (const r of rules.items) {
      if (!isMap(r)) return { reason: `a ${dir} rule is not a mapping` };
      const action = get(r, 'action');
      if (action && isScalar(action.value) && action.value.value === 'Allow') action.value.value = 'Accept';
      const peers = get(r, dir === 'ingress' ? 'from' : 'to')?.value;
      if (isSeq(peers) && peers.items.length > CNP_MAX_ITEMS) return { reason: `a ${dir} rule has ${peers.items.length} peers; ClusterNetworkPolicy allows at most ${CNP_MAX_ITEMS}` };
      // v1alpha2 requires pods.podSelector; an absent one selected every pod of the namespaces: write it out.
      for (const peer of isSeq(peers) ? peers.items : []) {
        const pods = isMap(peer) ? get(peer, 'pods')?.value : undefined;
        if (isMap(pods) && !get(pods, 'podSelector')) (pods.items as unknown[]).push(doc.createPair('podSelector', doc.createNode({}, { flow: true })));
      }
      const ports = get(r, 'ports');
      if (!ports) continue;
      const list = ports.value;
      if (!isSeq(list)) return { reason: 'a ports value is not a list' };
      if (list.items.length > 25) return { reason: `a rule has ${list.items.length} ports; ClusterNetworkPolicy allows at most 25 protocols entries` };
      const converted: Record<string, unknown>[] = [];
      for (const it of list.items) {
        const c = protocolEntry((it as Node & { toJSON(): unknown }).toJSON());
        if (typeof c === 'string') return { reason: c };
        converted.push(c);
      }
      renameKey(doc, ports, 'protocols');
      const flow = (list as { flow?: boolean }).flow;
      const node = doc.createNode(converted, { flow: !!flow }) as Node;
      ports.value = node;
    }
  }
  let text = doc.toString({ lineWidth: 0 });
  if (!docText.endsWith('\n')) text = text.replace(/\n$/, '');
  return { text };
}

function pairKey(src: string, dst: string): string {
  return `${src}\u0000${dst}`;
}

/**
 * Builds the migration of the ANP/BANP document `[docStart, docEnd)` of `file` and proves it: the workspace (every
 * file of `files`) is analysed before and after the rewrite, and every endpoint pair must get the same allowed
 * connections. Returns the new document text, or why no fix is offered.
 */
export function proveMigration(
  files: InputFile[],
  file: string,
  docStart: number,
  docEnd: number,
  opts: { parse?: ParseOptions; analyze?: AnalyzeOptions } = {},
): MigrationOutcome {
  const f = files.find((x) => x.path === file);
  if (!f) return { ok: false, reason: 'the file is not part of the workspace' };
  const before = parseFiles(files, opts.parse);
  const target = (before.clusterPolicies ?? []).find((p) => p.range && p.range.file === file && p.range.startOffset >= docStart && p.range.startOffset < docEnd && p.kind !== 'ClusterNetworkPolicy');
  if (!target) return { ok: false, reason: 'no AdminNetworkPolicy or BaselineAdminNetworkPolicy in this document' };
  const errorsIn = (ds: typeof before.diagnostics, end: number) => ds.filter((d) => d.severity === 'error' && d.range.file === file && d.range.startOffset >= docStart && d.range.startOffset < end).length;
  const errorsBefore = errorsIn(before.diagnostics, docEnd);
  if (target.priority === undefined && target.kind === 'AdminNetworkPolicy') return { ok: false, reason: 'the policy has no valid priority; fix it first' };
  const cnps = (before.clusterPolicies ?? []).filter((p) => p.kind === 'ClusterNetworkPolicy');
  // The BANP is evaluated after every Baseline ClusterNetworkPolicy: give it the next priority (1000 when there are none).
  const basePrios = cnps.filter((p) => p.tier === 'Baseline' && p.priority !== undefined).map((p) => p.priority!);
  const baselinePriority = basePrios.length ? Math.min(MAX_PRIORITY, Math.max(...basePrios) + 1) : MAX_PRIORITY;
  const taken = new Set(cnps.map((p) => p.name));
  let name = target.name;
  for (let i = 2; taken.has(name); i++) name = `${target.name}-${i}`;
  const m = migrateDocumentText(f.text.slice(docStart, docEnd), { baselinePriority, name: name !== target.name ? name : undefined });
  if ('reason' in m) return { ok: false, reason: m.reason };
  const newText = f.text.slice(0, docStart) + m.text + f.text.slice(docEnd);
  const after = parseFiles(
    files.map((x) => (x.path === file ? { path: x.path, text: newText } : x)),
    opts.parse,
  );
  const migrated = (after.clusterPolicies ?? []).find((p: ClusterPolicy) => p.kind === 'ClusterNetworkPolicy' && p.name === name && p.range?.file === file);
  if (!migrated) return { ok: false, reason: 'the rewritten policy could not be read back' };
  // The rewrite may fix problems (e.g. a missing podSelector) but must not add any.
  if (errorsIn(after.diagnostics, docStart + m.text.length) > errorsBefore) return { ok: false, reason: 'the rewritten document would have more errors than the original' };
  // The proof: same verdict for every pair of endpoints.
  const r0 = analyze(before, opts.analyze).result();
  const r1 = analyze(after, opts.analyze).result();
  const ids = (r: typeof r0) => r.endpoints.map((e) => e.id).sort().join('\n');
  if (ids(r0) !== ids(r1)) return { ok: false, reason: 'the endpoints would change' };
  const m0 = new Map(r0.connections.map((c) => [pairKey(c.src, c.dst), ConnSet.fromProtocolPorts(c.protocols)]));
  const m1 = new Map(r1.connections.map((c) => [pairKey(c.src, c.dst), ConnSet.fromProtocolPorts(c.protocols)]));
  for (const k of new Set([...m0.keys(), ...m1.keys()])) {
    const a = m0.get(k) ?? ConnSet.EMPTY;
    const b = m1.get(k) ?? ConnSet.EMPTY;
    if (!a.equals(b)) {
      const [src, dst] = k.split('\u0000');
      return { ok: false, reason: `the verdicts would differ (${src} -> ${dst}: ${a.toString()} before, ${b.toString()} after)` };
    }
  }
  const w = r0.endpoints.filter((e) => e.kind !== 'External').length;
  const x = r0.endpoints.length - w;
  const pairs = w * (w - 1) + 2 * w * x;
  return { ok: true, text: m.text, title: `Migrate to ClusterNetworkPolicy (tier ${migrated.tier}, priority ${migrated.priority}; proved: same verdicts for all ${pairs} endpoint pairs)`, pairs, name };
}

/**
 * The "Migrate to ClusterNetworkPolicy" quick fix for the document of `path` holding `offset`, in a lint project (the
 * language server's and the playground's): the edit replaces the whole document, offsets relative to the document
 * (chunk). Undefined when the engine cannot prove the rewrite (nothing is offered then).
 */
export function migrationFix(project: LintProject, path: string, offset: number): { title: string; edits: { start: number; end: number; newText: string }[] } | undefined {
  const chunk = project.chunkAt(path, offset);
  if (!chunk) return undefined;
  const r = proveMigration(project.inputFiles(), path, chunk.startOffset, chunk.startOffset + chunk.text.length, { parse: project.parseOptions, analyze: project.analyzeOptions });
  if (!r.ok) return undefined;
  return { title: r.title, edits: [{ start: 0, end: chunk.text.length, newText: r.text }] };
}
