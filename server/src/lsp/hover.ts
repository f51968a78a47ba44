// Hover: field documentation from the JSON Schemas; on a policy (kind/name/spec/policyTypes/ingress/
// egress) a plain-English explanation; on a selector, what it selects in the workspace.
import { isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import type { Hover, MarkupContent } from 'vscode-languageserver';
import { ParseContext, parseLabelSelector } from '../core/parse';
import type { LabelSelector, NetworkPolicy, Workload } from '../core/model';
import { describeSelector, isEmptySelector, selectorMatches } from '../core/selectors';
import { isAliasExpanded, keyName, keySpan, nodeSpan, pairOf } from '../core/lint/ast';
import { LineIndex } from '../core/lines';
import { explainPolicy } from '../core/lint/explain';
import type { LintProject, ProjectResult } from '../core/lint/project';
import type { WorkspaceFacts } from '../core/lint/workspace-rules';
import { calicoSelectedWorkloads, calicoSelectorAt, calicoSelectorHover } from '../core/dialects/calico/lint';
import { selectorIndexAt } from '../core/dialects/calico/parse';
import type { CalicoPolicy, CalicoRule } from '../core/dialects/calico/model';
import { schemaAt, typesOf, type SchemaRegistry } from './schemas';
import { isClusterPolicyKind, type ClusterPolicy } from '../core/dialects/admin/model';
import { policySummary, ruleSentence } from '../core/dialects/admin/describe';
import { clusterSubjectMatcher } from '../core/dialects/admin/lower';
import { buildWorld } from '../core/policy/build';
import { renderRuleEffectsMarkdown } from '../core/explain/format';
import { isCiliumPolicyKind, ENTITY_DOCS, type CiliumEntity, type CiliumPolicy } from '../core/dialects/cilium/model';
import { describeCiliumPolicy, describeCiliumRule, describePeerSelector } from '../core/dialects/cilium/describe';
import { ciliumEndpointMatcher, ciliumSubjectMatcher } from '../core/dialects/cilium/lower';
import { chooseCni, ciliumSettings, cniName } from '../core/policy/cni';

interface Step {
  /** Key of the pair, or '-' for a sequence item. */
  seg: string;
  pair?: Pair;
  node: Node | null;
  /** The parent collection. */
  parent: Node;
}

/** Chain of pairs / items from the root to the innermost one containing `offset`. */
export function chainAt(root: unknown, offset: number): Step[] {
  const out: Step[] = [];
  let cur = root as Node | null;
  for (let depth = 0; cur && depth < 100; depth++) {
    let next: Step | undefined;
    if (isMap(cur)) {
      for (const p of cur.items as Pair[]) {
        const k = p.key as Node | null;
        const v = p.value as Node | null;
        const start = k?.range?.[0] ?? v?.range?.[0];
        const end = v?.range?.[1] ?? k?.range?.[1];
        if (start !== undefined && end !== undefined && offset >= start && offset <= end) {
          next = { seg: keyName(p) ?? '?', pair: p, node: v, parent: cur };
          break;
        }
      }
    } else if (isSeq(cur)) {
      for (const it of cur.items as Node[]) {
        const r = it?.range;
        if (r && offset >= r[0] && offset <= r[1]) {
          next = { seg: '-', node: it, parent: cur };
          break;
        }
      }
    }
    if (!next) break;
    out.push(next);
    // A copy made by alias expansion sits entirely on its alias (`*name`): the alias is the innermost thing there.
    if (isAliasExpanded(next.node)) break;
    cur = next.node;
  }
  return out;
}

const POLICY_KEYS = new Set(['kind', 'apiVersion', 'spec', 'policyTypes', 'ingress', 'egress']);

export function policyAt(result: ProjectResult, uri: string, offset: number): NetworkPolicy | undefined {
  // Only a result computed from the current text of the file has its ranges.
  return result.cluster.policies.find((p) => p.range && p.range.file === uri && p.range.startOffset <= offset && offset <= p.range.endOffset);
}

const EMPTY_LINES = new LineIndex('');

function listWorkloads(ws: Workload[], limit = 8): string {
  if (ws.length === 0) return '_none in this workspace_';
  const shown = ws.slice(0, limit).map((w) => `\`${w.id}\` (${w.kind})`);
  return shown.join(', ') + (ws.length > limit ? `, … ${ws.length - limit} more` : '');
}

function selectorOf(node: Node | null, uri: string): LabelSelector {
  return parseLabelSelector(new ParseContext(uri, 0, EMPTY_LINES, 'default', []), node);
}

function selectorHover(steps: Step[], idx: number, policyNs: string, facts: WorkspaceFacts, uri: string): string | undefined {
  const step = steps[idx];
  const sel = selectorOf(step.node, uri);
  const inPeer = idx >= 1 && steps[idx - 1].seg === '-' && idx >= 2 && ['from', 'to'].includes(steps[idx - 2].seg);
  if (step.seg === 'namespaceSelector') {
    const nss = facts.cluster.namespaces.filter((n) => selectorMatches(sel, n.labels));
    const podSelNode = pairOf(step.parent, 'podSelector')?.value as Node | null | undefined;
    const podSel = podSelNode !== undefined ? selectorOf(podSelNode ?? null, uri) : undefined;
    const pods = nss.flatMap((n) => (facts.byNamespace.get(n.name) ?? []).filter((w) => !podSel || selectorMatches(podSel, w.labels)));
    return [
      `**namespaceSelector** ${isEmptySelector(sel) ? '`{}` — every namespace' : `\`${describeSelector(sel)}\``}`,
      `Namespaces selected in this workspace: ${nss.length ? nss.slice(0, 10).map((n) => `\`${n.name}\``).join(', ') + (nss.length > 10 ? ', …' : '') : '_none_'}`,
      `Workloads matched by this peer${podSel ? ' (with its podSelector)' : ''}: ${listWorkloads(pods)}`,
    ].join('\n\n');
  }
  // podSelector: of the policy (spec) or of a peer.
  let namespaces = [policyNs];
  let scope = `namespace \`${policyNs}\``;
  if (inPeer) {
    const nsPair = pairOf(step.parent, 'namespaceSelector');
    if (nsPair) {
      const nsSel = selectorOf(nsPair.value as Node | null, uri);
      namespaces = facts.cluster.namespaces.filter((n) => selectorMatches(nsSel, n.labels)).map((n) => n.name);
      scope = isEmptySelector(nsSel) ? 'all namespaces' : `namespaces \`${describeSelector(nsSel)}\``;
    }
  }
  const ws = namespaces.flatMap((ns) => (facts.byNamespace.get(ns) ?? []).filter((w) => selectorMatches(sel, w.labels)));
  const what = isEmptySelector(sel) ? `\`{}\` — every pod in ${scope}` : `\`${describeSelector(sel)}\` in ${scope}`;
  const found = facts.cluster.workloads.length === 0 ? 'No workloads (Pods, Deployments, ...) are defined in this workspace, so Policy Lens cannot list the pods it selects.' : `Selects ${ws.length} workload${ws.length === 1 ? '' : 's'} in this workspace: ${listWorkloads(ws)}`;
  return [`**${inPeer ? 'peer ' : ''}podSelector** ${what}`, found].join('\n\n');
}

/** Hover at a file offset. `result` is the workspace analysis to use (default: the current one, computed if needed). */
export function hover(project: LintProject, schemas: SchemaRegistry, uri: string, offset: number, result: ProjectResult = project.result()): Hover | null {
  const chunk = project.chunkAt(uri, offset);
  if (!chunk) return null;
  const parsed = chunk.entry.parsed;
  const rel = offset - chunk.startOffset;
  const steps = chainAt(parsed.doc.contents, rel);
  if (steps.length === 0) return null;
  // The innermost pair whose key or value is under the cursor.
  let idx = steps.length - 1;
  while (idx >= 0 && !steps[idx].pair) idx--;
  if (idx < 0) return null;
  const step = steps[idx];
  const ks = keySpan(step.pair!, parsed.text);
  const onKey = !!ks && rel >= ks[0] && rel <= ks[1];
  const path = steps.slice(0, idx + 1).map((s) => s.seg);
  const sections: string[] = [];
  // Facts about this file are only used when the result was computed from its current text.
  const current = result.texts.get(uri) === project.getText(uri);

  // Selectors: the pair itself or an ancestor.
  let selIdx = -1;
  for (let i = idx; i >= 0; i--) if (steps[i].seg === 'podSelector' || steps[i].seg === 'namespaceSelector') {
    selIdx = i;
    break;
  }
  const policy = parsed.kind === 'NetworkPolicy' && current ? policyAt(result, uri, offset) : undefined;
  if (policy && selIdx >= 0 && path[0] === 'spec') {
    const s = selectorHover(steps, selIdx, policy.namespace, result.facts, uri);
    if (s) sections.push(s);
  }
  if (policy && (POLICY_KEYS.has(path[path.length - 1]) && path.length <= 2 || (path[0] === 'metadata' && path.length <= 2))) {
    const selected = result.facts.selectedWorkloads(policy);
    sections.push(`**NetworkPolicy ${policy.namespace}/${policy.name}**\n\n${explainPolicy(policy)}`);
    if (result.cluster.workloads.length) sections.push(`Applies to ${selected.length} workload${selected.length === 1 ? '' : 's'} in this workspace: ${listWorkloads(selected)}`);
  }
  // Inside a Calico selector string: the item under the cursor and what the selector matches.
  if (parsed.apiVersion?.startsWith('projectcalico.org/') && !onKey && current) {
    const hit = calicoSelectorAt(result.cluster, uri, offset);
    // Selector character offsets are relative to the parsed document (the chunk), ranges to the file.
    if (hit) sections.push(calicoSelectorHover(result.cluster, hit, selectorIndexAt(hit.sel, offset - chunk.startOffset)));
  }
  // Calico policies: tier/order summary and the workloads the policy applies to.
  if (parsed.apiVersion?.startsWith('projectcalico.org/') && current) {
    const cp = result.cluster.calico?.policies.find((p) => p.range && p.range.file === uri && p.range.startOffset <= offset && offset <= p.range.endOffset);
    const top = path.length <= 2 && (['kind', 'apiVersion', 'spec', 'metadata'].includes(path[0]) || ['selector', 'types', 'order', 'tier'].includes(path[1] ?? ''));
    if (cp && top) sections.push(calicoSummary(cp, result.cluster.workloads.length ? calicoSelectedWorkloads(result.cluster, cp) : undefined));
  }
  // ClusterNetworkPolicy / AdminNetworkPolicy / BaselineAdminNetworkPolicy: the policy summary, or one rule's sentence.
  if (parsed.kind && isClusterPolicyKind(parsed.kind) && parsed.apiVersion?.startsWith('policy.networking.k8s.io/')) {
    const cp = result.cluster.clusterPolicies?.find((p) => p.range && p.range.file === uri && p.range.startOffset <= offset && offset <= p.range.endOffset);
    if (cp) {
      const s = clusterPolicyHover(cp, steps, path, result.cluster, result.facts, uri);
      if (s) sections.push(s);
    }
  }
  // Cilium policies: summary, rule sentences, selectors, entities (and the flows a rule decides).
  const allPath = steps.map((x) => x.seg);
  const isCilium = !!parsed.apiVersion?.startsWith('cilium.io/') && isCiliumPolicyKind(parsed.kind);
  if (isCilium) {
    const cp = result.cluster.cilium?.policies.find((p) => p.range && p.range.file === uri && p.range.startOffset <= offset && offset <= p.range.endOffset);
    if (cp) {
      const s = ciliumHover(cp, steps, chunk.startOffset, idx, onKey, result.cluster, result.facts, uri, offset);
      if (s) sections.push(s);
    }
  }
  // A rule (on its first key, e.g. `- from:` / `- action:`): the flows it decides, from the engine.
  if (!isCilium && current && path[0] === 'spec' && (allPath[1] === 'ingress' || allPath[1] === 'egress') && allPath[2] === '-' && path.length === 4 && onKey) {
    const item = steps[2].node;
    const firstKey = item && isMap(item) ? (item.items[0] as Pair | undefined) : undefined;
    if (firstKey && step.pair === firstKey && result.cluster.workloads.length) {
      const a = result.facts.analysis();
      const eff = a.ruleEffectsAt(uri, offset);
      if (eff) sections.push(renderRuleEffectsMarkdown(eff, a.universe));
    }
  }
  // Field documentation.
  const schema = schemas.forDocument(parsed.apiVersion, parsed.kind);
  if (schema && onKey) {
    const node = schemaAt(schema, path);
    if (node?.description) {
      const t = typesOf(node).filter((x) => x !== 'null');
      const enums = node.enum ? ` — one of ${node.enum.map((e) => `\`${String(e)}\``).join(', ')}` : '';
      sections.push(`\`${path[path.length - 1]}\`${t.length ? ` *(${t.join(' | ')})*` : ''}${enums}\n\n${node.description}`);
    }
  } else if (schema && !onKey && step.node && isScalar(step.node)) {
    const node = schemaAt(schema, path);
    if (node?.enum && node.description) sections.push(`\`${path[path.length - 1]}\`: ${node.description}`);
  }
  if (sections.length === 0) return null;
  const contents: MarkupContent = { kind: 'markdown', value: sections.join('\n\n---\n\n') };
  const span = onKey ? ks! : nodeSpan(step.node, parsed.text) ?? ks!;
  const a = parsed.lines.position(span[0]);
  const b = parsed.lines.position(span[1]);
  return { contents, range: { start: { line: a.line + chunk.startLine, character: a.character }, end: { line: b.line + chunk.startLine, character: b.character } } };
}

function calicoSummary(p: CalicoPolicy, selected: Workload[] | undefined): string {
  const lines = [`**${p.kind} ${p.id}** — tier \`${p.tier}\`, order ${p.order ?? 'none (applied last in its tier)'}${p.staged ? ' (staged: not enforced)' : ''}`];
  lines.push(`Selector \`${p.selector.canonical ?? p.selector.text}\`${p.selectorDefaulted ? ' (absent: all())' : ''}; types ${p.types.join(', ') || 'none'}; ${p.ingress.length} ingress and ${p.egress.length} egress rule(s), evaluated in order (first Allow/Deny/Pass wins; Log continues).`);
  for (const dir of ['Ingress', 'Egress'] as const) {
    if (!p.types.includes(dir)) continue;
    const rules = dir === 'Ingress' ? p.ingress : p.egress;
    const items = rules.slice(0, 8).map((r) => `${r.index + 1}. ${describeCalicoRule(r)}`);
    if (rules.length > 8) items.push(`… ${rules.length - 8} more`);
    const tail = rules.length === 0 ? 'no rules: traffic goes to the end of the tier (its default action, Deny unless the Tier says Pass)' : 'then, if no rule decided, the end-of-tier default action applies';
    lines.push(`**${dir}**: ${items.length ? `\n${items.join('\n')}\n\n` : ''}${tail}.`);
  }
  if (selected) lines.push(`Applies to ${selected.length} workload${selected.length === 1 ? '' : 's'} in this workspace: ${listWorkloads(selected)}`);
  return lines.join('\n\n');
}

function describeEntity(e: CalicoRule['source']): string {
  const parts: string[] = [];
  if (e.selector) parts.push(`selector \`${e.selector.canonical ?? e.selector.text}\``);
  if (e.notSelector) parts.push(`not selector \`${e.notSelector.canonical ?? e.notSelector.text}\``);
  if (e.namespaceSelector) parts.push(`namespaces \`${e.namespaceSelector.canonical ?? e.namespaceSelector.text}\``);
  if (e.nets?.length) parts.push(`nets ${e.nets.map((n) => n.text).join(', ')}`);
  if (e.notNets?.length) parts.push(`not nets ${e.notNets.map((n) => n.text).join(', ')}`);
  if (e.serviceAccounts) parts.push('service accounts');
  if (e.services) parts.push('a service');
  const ports = (e.ports ?? []).map((x) => (x.kind === 'named' ? x.name : x.min === x.max ? String(x.min) : `${x.min}:${x.max}`));
  if (ports.length) parts.push(`ports ${ports.join(', ')}`);
  if (e.notPorts?.length) parts.push('excluding some ports');
  return parts.length ? parts.join(', ') : 'anything';
}

function describeCalicoRule(r: CalicoRule): string {
  const proto = r.protocol ? `${r.protocol.name ?? r.protocol.number} ` : '';
  const verb = r.action === 'Log' ? 'Log (and continue)' : r.action === 'Pass' ? 'Pass (to the next tier)' : r.action;
  return `${verb} ${proto}from ${describeEntity(r.source)} to ${describeEntity(r.destination)}${r.hasHttpMatch ? ' (HTTP match: not evaluated offline)' : ''}`;
}

/**
 * Hover inside a CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy: on the header or endpointSelector, what the
 * rule applies to and its default-deny / deny-precedence effect; on a rule, its sentence (and, on the rule's first
 * key, the flows it decides, from the engine); on a peer selector, the endpoints it selects; on an entity, what it is.
 */
function ciliumHover(p: CiliumPolicy, steps: Step[], chunkStart: number, idx: number, onKey: boolean, cluster: import('../core/model').Cluster, facts: WorkspaceFacts, uri: string, offset: number): string | undefined {
  const path = steps.map((x) => x.seg);
  const nodeStart = (n: Node | null) => (n?.range ? n.range[0] + chunkStart : undefined);
  // Which rule: `spec`, or an item of `specs`.
  let base = -1;
  let rule = undefined as (typeof p.rules)[number] | undefined;
  if (path[0] === 'spec') {
    base = 0;
    rule = p.rules.find((r) => r.index === -1);
  } else if (path[0] === 'specs' && path[1] === '-') {
    base = 1;
    const start = nodeStart(steps[1].node);
    rule = p.rules.find((r) => r.range?.startOffset === start);
  }
  const cni = chooseCni(cluster, facts.analyzeOptions.cni);
  const note = cni.cni !== 'cilium' ? `\n\n_This workspace is evaluated as ${cniName(cni.cni)}, which ignores ${p.kind} objects (setting \`policyLens.cni\`)._` : '';
  const settings = ciliumSettings(cluster, facts.analyzeOptions.cilium);
  const world = cluster.workloads.length ? buildWorld(cluster) : undefined;
  const names = (ids: number[]) => (world ? listWorkloads(ids.map((i) => world.workloads[i])) : '');
  const rest = base >= 0 ? path.slice(base + 1) : [];
  if (!rule || base < 0 || rest.length === 0 || rest[0] === 'endpointSelector' || rest[0] === 'enableDefaultDeny' || rest[0] === 'description') {
    if (path.length > 2 && !(rest[0] === 'endpointSelector' || rest[0] === 'enableDefaultDeny')) return undefined;
    const r = rule ?? p.rules[0];
    if (!r) return p.rejected ? `**${p.kind} ${p.id}** — not enforced: ${p.rejected}` : undefined;
    const lines = [`**${p.kind} ${p.id}**${p.rules.length > 1 ? ` (${r.index < 0 ? 'spec' : `specs[${r.index}]`})` : ''}`, describeCiliumPolicy(p, r, settings.nonDefaultDenyPolicies)];
    if (world && r.endpointSelector) {
      const ws = ciliumSubjectMatcher(p, r, settings.clusterName).workloads(world);
      lines.push(`Applies to ${ws.length} workload${ws.length === 1 ? '' : 's'} in this workspace: ${names(ws)}`);
    }
    return lines.join('\n\n') + note;
  }
  const dirKey = rest[0];
  if (!['ingress', 'ingressDeny', 'egress', 'egressDeny'].includes(dirKey) || rest[1] !== '-') return undefined;
  const itemStart = nodeStart(steps[base + 2].node);
  const list = dirKey === 'ingress' ? rule.ingress : dirKey === 'ingressDeny' ? rule.ingressDeny : dirKey === 'egress' ? rule.egress : rule.egressDeny;
  const pr = list.find((x) => x.range?.startOffset === itemStart);
  if (!pr) return undefined;
  const inner = rest.slice(2);
  // An entity value.
  if ((inner[0] === 'fromEntities' || inner[0] === 'toEntities') && inner[1] === '-' && !onKey) {
    const v = steps[idx]?.node ?? steps[steps.length - 1].node;
    const name = v && isScalar(v) ? String(v.value) : undefined;
    const last = steps[steps.length - 1].node;
    const ent = name ?? (last && isScalar(last) ? String(last.value) : undefined);
    if (ent && ENTITY_DOCS[ent as CiliumEntity]) return `**entity \`${ent}\`**: ${ENTITY_DOCS[ent as CiliumEntity]}.${['all', 'world', 'world-ipv4', 'world-ipv6', 'cluster'].includes(ent) ? '' : ' Not an endpoint of the reachability: this peer matches nothing there.'}`;
  }
  // A peer selector.
  if ((inner[0] === 'fromEndpoints' || inner[0] === 'toEndpoints') && inner[1] === '-') {
    const selStart = nodeStart(steps[base + 4]?.node ?? null);
    const s = (pr.endpoints ?? []).find((x) => x.range?.startOffset === selStart);
    if (s) {
      const lines = [`**${inner[0]}** selects ${describePeerSelector(s, p.namespace)}.`];
      if (p.namespace !== undefined) lines.push(`In a CiliumNetworkPolicy a peer selector stays in the policy's namespace unless it names \`k8s:io.kubernetes.pod.namespace\` (or a \`io.cilium.k8s.namespace.labels.*\` key).`);
      if (world) {
        const ws = ciliumEndpointMatcher(s, p.namespace, settings.clusterName).workloads(world);
        lines.push(`Selects ${ws.length} workload${ws.length === 1 ? '' : 's'} in this workspace: ${names(ws)}`);
      }
      return lines.join('\n\n') + note;
    }
  }
  if (inner.length > 1) return undefined;
  const lines = [`**${p.kind} ${p.id}**, ${dirKey} rule ${pr.index + 1}`, describeCiliumRule(p, pr, facts.analysis().universe)];
  // The rule's first key: the flows it decides (the engine's walk).
  const item = steps[base + 2].node;
  const firstKey = item && isMap(item) ? (item.items[0] as Pair | undefined) : undefined;
  if (onKey && firstKey && steps[base + 3]?.pair === firstKey && cluster.workloads.length && cni.cni === 'cilium') {
    const a = facts.analysis();
    const eff = a.ruleEffectsAt(uri, offset);
    if (eff) lines.push(renderRuleEffectsMarkdown(eff, a.universe));
  }
  return lines.join('\n\n') + note;
}

/** Hover of a cluster policy: on a rule, its sentence; on the header (kind, metadata, spec, tier, priority, subject), the summary. */
function clusterPolicyHover(p: ClusterPolicy, steps: Step[], path: string[], cluster: import('../core/model').Cluster, facts?: WorkspaceFacts, uri = ''): string | undefined {
  // Inside a subject/peer `namespaces` or `pods` selector: what it selects in the workspace.
  const selAt = path.lastIndexOf('namespaces') >= 0 ? path.lastIndexOf('namespaces') : path.lastIndexOf('pods');
  if (facts && selAt >= 0 && (path[selAt - 1] === 'subject' || path[selAt - 1] === '-')) {
    const step = steps[selAt];
    const isPods = path[selAt] === 'pods';
    const nsNode = isPods ? ((pairOf(step.node, 'namespaceSelector')?.value as Node | null | undefined) ?? null) : step.node;
    const nsSel = selectorOf(nsNode, uri);
    const podNode = isPods ? (pairOf(step.node, 'podSelector')?.value as Node | null | undefined) : undefined;
    const podSel = podNode !== undefined ? selectorOf(podNode ?? null, uri) : undefined;
    const nss = facts.cluster.namespaces.filter((n) => selectorMatches(nsSel, n.labels));
    const pods = nss.flatMap((n) => (facts.byNamespace.get(n.name) ?? []).filter((w) => !podSel || selectorMatches(podSel, w.labels)));
    return [
      `**${path[selAt]}** ${isPods ? `pods ${podSel && !isEmptySelector(podSel) ? `\`${describeSelector(podSel)}\`` : '(all)'} in namespaces ` : ''}${isEmptySelector(nsSel) ? '`{}` — every namespace' : `\`${describeSelector(nsSel)}\``}`,
      `Namespaces selected in this workspace: ${nss.length ? nss.slice(0, 10).map((n) => `\`${n.name}\``).join(', ') + (nss.length > 10 ? ', …' : '') : '_none_'}`,
      `Workloads: ${listWorkloads(pods)}`,
    ].join('\n\n');
  }
  if (path[0] === 'spec' && (path[1] === 'ingress' || path[1] === 'egress') && path[2] === '-' && steps[2]) {
    const seq = steps[2].parent as { items?: unknown[] };
    const idx = seq.items?.indexOf(steps[2].node) ?? -1;
    const r = (path[1] === 'ingress' ? p.ingress : p.egress).find((x) => x.index === idx);
    if (!r) return undefined;
    return `**${p.kind} ${p.name}**, ${path[1]} rule ${idx + 1}${r.name ? ` \`${r.name}\`` : ''}\n\n${ruleSentence(p, r)}`;
  }
  const top = path.length <= 2 && (['kind', 'apiVersion', 'metadata'].includes(path[0]) || (path[0] === 'spec' && (path.length === 1 || ['tier', 'priority', 'subject'].includes(path[1]))));
  if (!top) return undefined;
  const lines = [policySummary(p)];
  if (cluster.workloads.length) {
    const world = buildWorld(cluster);
    const ws = clusterSubjectMatcher(p).workloads(world).map((i) => world.workloads[i]);
    lines.push(`Applies to ${ws.length} workload${ws.length === 1 ? '' : 's'} in this workspace: ${listWorkloads(ws)}`);
  }
  return lines.join('\n\n');
}
