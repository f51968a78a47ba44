// Authoring lints for Calico v3 policies that need the whole workspace or the rule order.
// (Shape and API-validation problems are reported by calico/parse.ts.) Pure: no LSP imports.
//
// Sources (docs.tigera.io/calico/latest):
// - Log "continues" to the next rule; at the end of a tier whose policies apply to an endpoint, unmatched
//   traffic gets the tier's default action, Deny by default (network-policy/policy-tiers/tiered-policy).
//   Real-world trap: projectcalico/calico#4673 (a Log-only GlobalNetworkPolicy cut off traffic).
// - A GlobalNetworkPolicy selector also selects host endpoints (reference/host-endpoints/...; "all()" applies
//   to every workload AND host endpoint, incl. automatic host endpoints).
// - Policies with the same order in a tier are applied in name order (reference/resources/networkpolicy "order").
import type { Cluster, Diagnostic, SourceRange, Workload } from '../../model';
import type { CalicoPolicy, CalicoPort, CalicoRule, CalicoSelector, EntityRule } from './model';
import { calicoEndpointLabels, calicoNamespaceLabels, calicoPolicyAppliesTo } from './lower';
import { evalSelector, selectorItemAt } from './selector';

function diag(out: Diagnostic[], code: string, severity: Diagnostic['severity'], message: string, range: SourceRange | undefined): void {
  if (range) out.push({ code, severity, message, range });
}

/** Workloads a Calico policy applies to (for some direction), by the same rules as the evaluator. */
export function calicoSelectedWorkloads(cluster: Cluster, p: CalicoPolicy): Workload[] {
  const nsLabels = new Map(cluster.namespaces.map((n) => [n.name, n.labels]));
  return cluster.workloads.filter((w) => calicoPolicyAppliesTo(p, w, nsLabels.get(w.namespace)));
}

/** True when every endpoint/packet `later` matches is also matched by `earlier` (conservative: may say false). */
export function ruleCovers(earlier: CalicoRule, later: CalicoRule): boolean {
  if (earlier.notProtocol || earlier.icmp || earlier.notICMP || earlier.hasHttpMatch) return false;
  if (earlier.ipVersion && earlier.ipVersion !== later.ipVersion) return false;
  if (earlier.protocol && (!later.protocol || earlier.protocol.number !== later.protocol.number)) return false;
  return entityCovers(earlier.source, later.source) && entityCovers(earlier.destination, later.destination);
}

function sameSelector(a: CalicoSelector | undefined, b: CalicoSelector | undefined): boolean {
  if (!a) return true; // absent = no constraint
  return !!b && a.canonical !== undefined && a.canonical === b.canonical;
}

function portsCover(a: CalicoPort[] | undefined, b: CalicoPort[] | undefined): boolean {
  if (!a || a.length === 0) return true;
  if (!b || b.length === 0) return false;
  return b.every((pb) =>
    a.some((pa) => (pa.kind === 'range' && pb.kind === 'range' ? pa.min <= pb.min && pb.max <= pa.max : pa.kind === 'named' && pb.kind === 'named' && pa.name === pb.name)),
  );
}

function netsCover(a: EntityRule['nets'], b: EntityRule['nets']): boolean {
  if (!a || a.length === 0) return true;
  if (!b || b.length === 0) return false;
  return b.every((nb) => a.some((na) => na.cidr.family === nb.cidr.family && na.cidr.lo <= nb.cidr.lo && nb.cidr.hi <= na.cidr.hi));
}

function entityCovers(a: EntityRule, b: EntityRule): boolean {
  if (a.notNets?.length || a.notPorts?.length || a.services || a.serviceAccounts) return false;
  if (!netsCover(a.nets, b.nets)) return false;
  if (!portsCover(a.ports, b.ports)) return false;
  // Without a namespaceSelector a selector is scoped to the policy's namespace; the same on both sides is fine.
  if (!sameSelector(a.selector, b.selector)) return false;
  if (!sameSelector(a.namespaceSelector, b.namespaceSelector)) return false;
  if (!sameSelector(a.notSelector, b.notSelector)) return false;
  return true;
}

export function lintCalico(cluster: Cluster): Diagnostic[] {
  const out: Diagnostic[] = [];
  const c = cluster.calico;
  if (!c) return out;
  // Staged policies are linted as written too; they only interact with policies of the same kind (staged or not).
  const enforced = c.policies;
  const selected = new Map<CalicoPolicy, Workload[]>(enforced.map((p) => [p, calicoSelectedWorkloads(cluster, p)]));
  const tierDefault = (name: string) => c.tiers.find((t) => t.metadata.name === name)?.defaultAction ?? (name === 'kube-admin' || name === 'kube-baseline' ? 'Pass' : 'Deny');

  for (const p of enforced) {
    // 1. Log-only directions end in the end-of-tier Deny.
    for (const dir of ['Ingress', 'Egress'] as const) {
      if (!p.types.includes(dir)) continue;
      const rules = dir === 'Ingress' ? p.ingress : p.egress;
      if (rules.length === 0 || !rules.every((r) => r.action === 'Log')) continue;
      if (tierDefault(p.tier) !== 'Deny') continue;
      const ws = selected.get(p) ?? [];
      // Only when no other policy of the tier allows or passes anything for these endpoints.
      const rescued = ws.length > 0 && ws.every((w) => enforced.some((q) => q !== p && q.staged === p.staged && q.tier === p.tier && q.types.includes(dir) && (selected.get(q) ?? []).includes(w) && (dir === 'Ingress' ? q.ingress : q.egress).some((r) => r.action === 'Allow' || r.action === 'Pass')));
      if (rescued) continue;
      diag(
        out,
        'calico-log-only-deny',
        'warning',
        `Every ${dir.toLowerCase()} rule of ${p.id} is Log, and Log continues to the next rule: ${dir.toLowerCase()} traffic of the ${ws.length} workload(s) it selects reaches the end of tier "${p.tier}" and is denied there. Add an Allow or Pass rule after the Log rule(s).`,
        p.metadata.nameRange ?? p.range,
      );
    }
    // 2. GlobalNetworkPolicy with all() also selects host endpoints.
    if (!p.namespaced && !p.namespaceSelector && p.selector.ast && p.selector.ast.type === 'all') {
      diag(
        out,
        'calico-gnp-all-host-endpoints',
        'warning',
        `${p.kind} ${p.id} selects all() endpoints: besides every pod this includes host endpoints (also automatic ones), so a deny here can cut nodes off. To select only pods use \`selector: has(projectcalico.org/namespace)\` or \`projectcalico.org/orchestrator == 'k8s'\`.`,
        p.selector.range ?? p.metadata.nameRange,
      );
    }
    // 3. Shadowed rules: an earlier terminal rule already decides everything a later rule matches.
    for (const rules of [p.ingress, p.egress]) {
      rules.forEach((r, i) => {
        const earlier = rules.slice(0, i).find((e) => e.action !== 'Log' && ruleCovers(e, r));
        if (earlier) {
          diag(
            out,
            'calico-shadowed-rule',
            'warning',
            `This ${r.action} rule can never match: ${r.direction.toLowerCase()}[${earlier.index}] (${earlier.action}) above it already matches every packet it would, and ${earlier.action} ends the evaluation.`,
            r.actionRange ?? r.range,
          );
        }
      });
    }
  }

  // 4. Same order in the same tier, overlapping endpoints: the tie is broken by name only.
  for (let i = 0; i < enforced.length; i++) {
    for (let j = i + 1; j < enforced.length; j++) {
      const a = enforced[i];
      const b = enforced[j];
      if (a.staged || b.staged || a.tier !== b.tier || a.order === undefined || a.order !== b.order) continue;
      const common = (selected.get(a) ?? []).filter((w) => (selected.get(b) ?? []).includes(w) && a.types.some((t) => b.types.includes(t)));
      if (common.length === 0) continue;
      const [first, second] = a.metadata.name < b.metadata.name ? [a, b] : [b, a];
      for (const [p, q] of [
        [a, b],
        [b, a],
      ]) {
        diag(
          out,
          'calico-same-order-overlap',
          'info',
          `${p.id} and ${q.id} have the same order (${p.order}) in tier "${p.tier}" and both apply to ${common.map((w) => w.id).slice(0, 3).join(', ')}${common.length > 3 ? ', …' : ''}: ${first.id} is evaluated first only because of its name. Give them distinct orders.`,
          p.orderRange ?? p.metadata.nameRange,
        );
      }
    }
  }
  return out;
}

// ---------- hover inside Calico selector strings ----------

export type CalicoSelectorRole = 'policy selector' | 'policy namespaceSelector' | 'serviceAccountSelector' | 'selector' | 'notSelector' | 'namespaceSelector' | 'serviceAccounts selector';

export interface CalicoSelectorHit {
  policy: CalicoPolicy;
  sel: CalicoSelector;
  role: CalicoSelectorRole;
  /** The entity rule holding the selector (rule-level selectors). */
  entity?: EntityRule;
}

/** The Calico selector whose YAML scalar contains `offset` (file offset) in `file`. */
export function calicoSelectorAt(cluster: Cluster, file: string, offset: number): CalicoSelectorHit | undefined {
  const inside = (s: CalicoSelector | undefined) => !!s?.range && s.range.file === file && s.range.startOffset <= offset && offset <= s.range.endOffset;
  for (const p of cluster.calico?.policies ?? []) {
    if (!p.range || p.range.file !== file || offset < p.range.startOffset || offset > p.range.endOffset) continue;
    if (!p.selectorDefaulted && inside(p.selector)) return { policy: p, sel: p.selector, role: 'policy selector' };
    if (inside(p.namespaceSelector)) return { policy: p, sel: p.namespaceSelector!, role: 'policy namespaceSelector' };
    if (inside(p.serviceAccountSelector)) return { policy: p, sel: p.serviceAccountSelector!, role: 'serviceAccountSelector' };
    for (const r of [...p.ingress, ...p.egress]) {
      for (const e of [r.source, r.destination]) {
        if (inside(e.selector)) return { policy: p, sel: e.selector!, role: 'selector', entity: e };
        if (inside(e.notSelector)) return { policy: p, sel: e.notSelector!, role: 'notSelector', entity: e };
        if (inside(e.namespaceSelector)) return { policy: p, sel: e.namespaceSelector!, role: 'namespaceSelector', entity: e };
        if (inside(e.serviceAccounts?.selector)) return { policy: p, sel: e.serviceAccounts!.selector!, role: 'serviceAccounts selector', entity: e };
      }
    }
  }
  return undefined;
}

function list(items: string[], limit = 8): string {
  if (items.length === 0) return '_none in this workspace_';
  return items.slice(0, limit).map((x) => `\`${x}\``).join(', ') + (items.length > limit ? `, … ${items.length - limit} more` : '');
}

/**
 * Markdown for a hover inside a Calico selector: its canonical form, what is under the cursor (`index` is the
 * position inside the selector text) and what the selector matches in the workspace, with Calico's scoping rules.
 */
export function calicoSelectorHover(cluster: Cluster, hit: CalicoSelectorHit, index: number | undefined): string {
  const { sel, policy: p, role, entity } = hit;
  const lines: string[] = [];
  if (!sel.ast) return `**Calico ${role}** — does not parse; see the error on this line.`;
  lines.push(`**Calico ${role}** \`${sel.canonical ?? sel.text}\``);
  const nsLabels = (ns: string) => calicoNamespaceLabels(cluster.namespaces.find((n) => n.name === ns)?.labels, ns);
  const endpoints = cluster.workloads.map((w) => ({ w, labels: calicoEndpointLabels(w) }));

  if (index !== undefined) {
    const item = selectorItemAt(sel.ast, index);
    if (item?.kind === 'key') {
      const values = [...new Set(endpoints.map((e) => e.labels[item.key]).filter((v): v is string => v !== undefined))].sort();
      lines.push(`Label \`${item.key}\`: ${values.length ? `values in this workspace ${list(values)}` : 'no workload in this workspace has it'}.`);
    } else if (item?.kind === 'value') {
      const n = endpoints.filter((e) => e.labels[item.key] === item.value).length;
      lines.push(`\`${item.key}\` = \`${item.value}\` on ${n} workload${n === 1 ? '' : 's'} in this workspace.`);
    } else if (item?.kind === 'function') {
      const f = item.node.type;
      lines.push(f === 'all' ? '`all()` matches every endpoint in scope.' : f === 'global' ? '`global()` (as a namespaceSelector) selects only non-namespaced resources: GlobalNetworkSets and host endpoints.' : '`has(k)` matches endpoints that carry label k, whatever its value.');
    }
  }

  if (role === 'policy namespaceSelector' || role === 'namespaceSelector') {
    if (sel.ast.type === 'global') lines.push('Scope: non-namespaced resources only (GlobalNetworkSets, host endpoints).');
    else {
      const names = cluster.namespaces.filter((n) => evalSelector(sel.ast!, nsLabels(n.name))).map((n) => n.name);
      lines.push(`Selects namespaces: ${list(names)}.`);
    }
    return lines.join('\n\n');
  }
  if (role === 'serviceAccountSelector' || role === 'serviceAccounts selector') {
    lines.push('Matched against service account labels (plus `projectcalico.org/name`), which manifests rarely define; Policy Lens matches the name label only.');
    return lines.join('\n\n');
  }
  if (role === 'policy selector') {
    const ws = calicoSelectedWorkloads(cluster, p);
    lines.push(`The policy applies to ${ws.length} workload${ws.length === 1 ? '' : 's'}${p.namespaced ? ` in namespace ${p.metadata.namespace}` : ''}: ${list(ws.map((w) => w.id))}.`);
    return lines.join('\n\n');
  }
  // Rule entity selector / notSelector: scoped like the evaluator does.
  const nsSel = entity?.namespaceSelector;
  const scopeNs = (ns: string): boolean => {
    if (nsSel) return !!nsSel.ast && nsSel.ast.type !== 'global' && evalSelector(nsSel.ast, nsLabels(ns));
    return !p.namespaced || ns === p.metadata.namespace;
  };
  const scopeText = nsSel ? `namespaces matching \`${nsSel.canonical ?? nsSel.text}\`` : p.namespaced ? `namespace ${p.metadata.namespace} (a namespaced policy's rule selectors stay in its namespace unless namespaceSelector is set)` : 'all namespaces';
  const matched = endpoints.filter((e) => scopeNs(e.w.namespace) && evalSelector(sel.ast!, e.labels)).map((e) => e.w.id);
  const sets = (cluster.calico?.networkSets ?? []).filter((s) => evalSelector(sel.ast!, s.metadata.labels) && (s.namespaced ? scopeNs(s.metadata.namespace ?? '') : !p.namespaced || (!!nsSel && nsSel.ast?.type === 'global'))).map((s) => s.id);
  if (role === 'notSelector') lines.push(`Excludes ${matched.length} workload${matched.length === 1 ? '' : 's'} in ${scopeText}: ${list(matched)}${sets.length ? `; network sets ${list(sets)}` : ''}.`);
  else lines.push(`Matches ${matched.length} workload${matched.length === 1 ? '' : 's'} in ${scopeText}: ${list(matched)}${sets.length ? `; network sets ${list(sets)}` : ''}.`);
  return lines.join('\n\n');
}
